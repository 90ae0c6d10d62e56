import Flow

/// A tweet as the trending job needs it: its event time and its hashtags.
public struct Tweet: Sendable, EventTimed {
    public var eventTime: EventTime
    /// The hashtags, in the order of the tweet's entities, lowercased with ``HashtagCase``.
    public var hashtags: [KeyString]

    public init(eventTime: EventTime, hashtags: [KeyString]) {
        self.eventTime = eventTime
        self.hashtags = hashtags
    }
}

/// One hashtag occurrence, lowercased, at its tweet's event time.
public struct Hashtag: Sendable, EventTimed {
    public var tag: KeyString
    public var eventTime: EventTime

    public init(tag: KeyString, eventTime: EventTime) {
        self.tag = tag
        self.eventTime = eventTime
    }
}
