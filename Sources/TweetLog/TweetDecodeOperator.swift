import Flow
import Glibc
import Operators
#if canImport(Glibc)
#endif

/// Turns chunks of lines into tweets, counting what is not a tweet and setting malformed lines
/// aside. Emits exactly one batch per chunk, so parallel decoders can be put back in order.
///
/// Stateless: malformed lines go to side output `rejects` as they are found.
public final class TweetDecodeOperator: Operator {
    private let tweets, notTweets, malformed, blank: Counter
    private let rejected: Collector<RejectedLine>?
    private let fastPath = SimdjsonTweetScanner()
    private let maxLineBytes: Int

    /// - Parameter maxLineBytes: a longer line is malformed.
    /// - Parameter rejects: where malformed lines go (nil: they are only counted).
    public init(rejects: SideOutput<RejectedLine>?, context: SubtaskContext, maxLineBytes: Int = TweetLogReader.defaultMaxLineBytes) {
        self.maxLineBytes = maxLineBytes
        tweets = context.metrics.counter("tweets")
        notTweets = context.metrics.counter("non-tweet lines")
        malformed = context.metrics.counter("malformed lines")
        blank = context.metrics.counter("blank lines")
        rejected = rejects.map { context.sideOutput($0) }
    }

    public func process(_ batch: [LineChunk], into output: Collector<Tweet>) throws {
        var counts = (tweets: 0, notTweets: 0, malformed: 0, blank: 0)
        for chunk in batch {
            chunk.bytes.withUnsafeBufferPointer { bytes in
                func reject(_ line: UnsafeBufferPointer<UInt8>, number: Int, reason: String) {
                    counts.malformed += 1
                    rejected?.emit(RejectedLine(fileIndex: chunk.fileIndex, fileName: chunk.fileName, line: number, reason: reason, text: line))
                }
                if let length = chunk.overlongLineLength {
                    reject(bytes, number: chunk.firstLine, reason: overlongReason(length))
                    return
                }
                var lineNumber = chunk.firstLine
                bytes.forEachLine { line, start, length in
                    if length > maxLineBytes {
                        reject(line, number: lineNumber, reason: overlongReason(length))
                    } else {
                        switch TweetDecoder.decode(line, readable: chunk.bytes.readable - start, fastPath: fastPath) {
                        case .tweet(let tweet):
                            counts.tweets += 1
                            output.emit(tweet)
                        case .notTweet: counts.notTweets += 1
                        case .blank: counts.blank += 1
                        case .malformed(let reason): reject(line, number: lineNumber, reason: reason)
                        }
                    }
                    lineNumber += 1
                }
            }
        }
        tweets.add(counts.tweets)
        notTweets.add(counts.notTweets)
        malformed.add(counts.malformed)
        blank.add(counts.blank)
    }

    /// The same words whether the reader stepped over the line or it reached the decoder whole.
    private func overlongReason(_ length: Int) -> String {
        "the line has \(length) bytes, more than max-line-bytes (\(maxLineBytes))"
    }
}
