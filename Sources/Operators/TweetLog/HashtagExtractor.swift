import Flow

/// Emits one ``Hashtag`` per hashtag of each tweet (the decoder lowercased them).
///
/// Checkpointed state: its count of hashtags (all to subtask 0 on restore).
public final class HashtagExtractor: ElementReceiver {
    private let output: Output<Hashtag>
    private let context: SubtaskContext
    private var hashtags: TalliedCounter

    public init(output: Output<Hashtag>, context: SubtaskContext) throws {
        self.output = output
        self.context = context
        hashtags = TalliedCounter(context.metrics.counter("hashtags"))
        if let restored = context.restored, context.subtaskIndex == 0 {
            for state in restored.shared {
                var reader = StateReader(state)
                hashtags.add(try reader.readCounter())
            }
        }
    }

    public func receive(_ batch: [Tweet]) throws {
        var count = 0
        for tweet in batch {
            for tag in tweet.hashtags {
                output.emit(Hashtag(tag: tag, eventTime: tweet.eventTime))
            }
            count += tweet.hashtags.count
        }
        hashtags.add(count)
        try output.flush()
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(hashtags.total)
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}
