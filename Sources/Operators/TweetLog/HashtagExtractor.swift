import Flow

/// Emits one ``Hashtag`` per hashtag of each tweet, lowercased with ``HashtagCase``.
public final class HashtagExtractor: ElementReceiver {
    private let output: Output<Hashtag>
    private let hashtags: Counter

    public init(output: Output<Hashtag>, context: SubtaskContext) {
        self.output = output
        hashtags = context.metrics.counter("hashtags")
    }

    public func receive(_ batch: [Tweet]) throws {
        var count = 0
        for tweet in batch {
            for tag in tweet.hashtags {
                output.emit(Hashtag(tag: KeyString(HashtagCase.lowercase(tag)), eventTime: tweet.eventTime))
            }
            count += tweet.hashtags.count
        }
        hashtags.add(count)
        try output.flush()
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }
    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}
