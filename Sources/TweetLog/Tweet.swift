import Flow

/// A tweet as the trending job needs it: its event time and its hashtags.
public struct Tweet: Sendable, WatermarkStamped {
    public var eventTime: EventTime
    /// The hashtags, in the order of the tweet's entities, lowercased with ``HashtagCase``.
    public var hashtags: [KeyString]
    public var sequencedWatermark = EventTime.min

    public init(eventTime: EventTime, hashtags: [KeyString]) {
        self.eventTime = eventTime
        self.hashtags = hashtags
    }
}

/// One hashtag occurrence, lowercased, at its tweet's event time.
public struct Hashtag: Sendable, WatermarkStamped {
    public var tag: KeyString
    public var eventTime: EventTime
    /// The tweet's stamp (see ``Tweet``).
    public var sequencedWatermark: EventTime

    public init(tag: KeyString, eventTime: EventTime, sequencedWatermark: EventTime = .min) {
        self.tag = tag
        self.eventTime = eventTime
        self.sequencedWatermark = sequencedWatermark
    }
}
