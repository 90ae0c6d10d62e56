/// Decodes tweets one message at a time (a Kafka record, say) by the same rules and with the same
/// fast path as the log's decoder. One per thread.
public final class TweetMessageDecoder {
    private let fastPath = SimdjsonTweetScanner()

    public init() {}

    /// What the message is; its bytes are read only within `message`.
    public func decode(_ message: UnsafeBufferPointer<UInt8>) -> TweetDecoder.Result {
        TweetDecoder.decode(message, readable: message.count, fastPath: fastPath)
    }
}
