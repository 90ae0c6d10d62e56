import Flow

/// Emits one ``Hashtag`` per hashtag of each tweet (the decoder lowercased them), counting them.
public final class HashtagExtractor: Operator {
    private let hashtags: Counter

    public init(context: SubtaskContext) {
        hashtags = context.metrics.counter("hashtags")
    }

    public func process(_ batch: [Tweet], into output: Collector<Hashtag>) {
        var count = 0
        for tweet in batch {
            for tag in tweet.hashtags {
                output.emit(Hashtag(tag: tag, eventTime: tweet.eventTime, sequencedWatermark: tweet.sequencedWatermark))
            }
            count += tweet.hashtags.count
        }
        hashtags.add(count)
    }
}
