import Flow
import Operators

/// Turns chunks of lines into tweets, counting what is not a tweet and setting malformed lines
/// aside. Emits exactly one batch per chunk, so parallel decoders can be put back in order.
///
/// A chunk that is a segment of a plain file (``LineChunk/segment``) is read here, so decoders
/// read a file in parallel. Its first line's number depends on every chunk before it: each
/// decoder publishes its chunks' line counts to an ``OrderedPrefix`` the decoders share, and
/// waits for the count before a chunk only when the chunk holds a malformed line to number.
///
/// Stateless: malformed lines go to side output `rejects` as they are found.
public final class TweetDecodeOperator: Operator {
    private let tweets, notTweets, malformed, blank: Counter
    private let rejected: Collector<RejectedLine>?
    private let fastPath = SimdjsonTweetScanner()
    private let maxLineBytes: Int
    private let linesBefore: OrderedPrefix<LinePosition>?
    /// The file the last segment came from, kept open for the next.
    private var segmentFile: SegmentFile?

    /// - Parameter maxLineBytes: a longer line is malformed.
    /// - Parameter rejects: where malformed lines go (nil: they are only counted).
    /// - Parameter linesBefore: shared by the decoders of one reader (``LinePosition/sharedPrefix()``);
    ///   needed for segments.
    public init(rejects: SideOutput<RejectedLine>?, context: SubtaskContext, maxLineBytes: Int = TweetLogReader.defaultMaxLineBytes,
                linesBefore: OrderedPrefix<LinePosition>? = nil) {
        self.maxLineBytes = maxLineBytes
        self.linesBefore = linesBefore
        tweets = context.metrics.counter("tweets")
        notTweets = context.metrics.counter("non-tweet lines")
        malformed = context.metrics.counter("malformed lines")
        blank = context.metrics.counter("blank lines")
        rejected = rejects.map { context.sideOutput($0) }
        linesBefore?.cancel(with: context)
    }

    public func process(_ batch: [LineChunk], into output: Collector<Tweet>) throws {
        var counts = (tweets: 0, notTweets: 0, malformed: 0, blank: 0)
        for var chunk in batch {
            var overlongLine: (prefix: [UInt8], length: Int)?
            if let segment = chunk.segment {
                if segmentFile?.path != segment.path { segmentFile = try SegmentFile(path: segment.path) }
                let lines = try segmentFile!.lines(of: segment, maxLineBytes: maxLineBytes)
                chunk.bytes = lines.bytes
                overlongLine = lines.overlongLine
            }
            // Numbered from 1 within the chunk; renumbered once the chunk's first line is known.
            var rejects: [RejectedLine] = []
            var lineCount = 0
            chunk.bytes.withUnsafeBufferPointer { bytes in
                func reject(_ line: UnsafeBufferPointer<UInt8>, reason: String) {
                    counts.malformed += 1
                    if rejected != nil {
                        rejects.append(RejectedLine(fileIndex: chunk.fileIndex, fileName: chunk.fileName, line: lineCount, reason: reason, text: line))
                    }
                }
                if let length = chunk.overlongLineLength {
                    lineCount = 1
                    reject(bytes, reason: overlongReason(length))
                    return
                }
                bytes.forEachLine { line, start, length in
                    lineCount += 1
                    if length > maxLineBytes {
                        reject(line, reason: overlongReason(length))
                    } else {
                        switch TweetDecoder.decode(line, readable: chunk.bytes.readable - start, fastPath: fastPath) {
                        case .tweet(let tweet):
                            counts.tweets += 1
                            output.emit(tweet)
                        case .notTweet: counts.notTweets += 1
                        case .blank: counts.blank += 1
                        case .malformed(let reason): reject(line, reason: reason)
                        }
                    }
                }
                if let overlongLine {
                    lineCount += 1
                    overlongLine.prefix.withUnsafeBufferPointer { reject($0, reason: overlongReason(overlongLine.length)) }
                }
            }
            let firstLine = try firstLineNumber(of: chunk, lineCount: lineCount, needed: !rejects.isEmpty)
            for var line in rejects {
                line.line += firstLine - 1
                rejected?.emit(line)
            }
        }
        tweets.add(counts.tweets)
        notTweets.add(counts.notTweets)
        malformed.add(counts.malformed)
        blank.add(counts.blank)
    }

    /// Publishes the chunk's lines to the decoders' shared count and returns the number of its
    /// first line: the reader's, or (when `needed`) the count the chunks before it reached.
    private func firstLineNumber(of chunk: LineChunk, lineCount: Int, needed: Bool) throws -> Int {
        let own = chunk.firstLine > 0
            ? LinePosition(fileIndex: chunk.fileIndex, isAbsolute: true, value: chunk.firstLine + lineCount)
            : LinePosition(fileIndex: chunk.fileIndex, isAbsolute: false, value: lineCount)
        guard let linesBefore else {
            precondition(chunk.firstLine > 0, "a decoder of segments needs the decoders' shared line count")
            return chunk.firstLine
        }
        guard needed && chunk.firstLine == 0 else {
            linesBefore.publishWithoutWaiting(own, at: chunk.sequence)
            return chunk.firstLine
        }
        let before = try linesBefore.publish(own, at: chunk.sequence)
        precondition(before.isAbsolute && before.fileIndex == chunk.fileIndex, "a segment's file starts with a chunk that knows its first line")
        return before.value
    }

    /// The same words whether the reader stepped over the line or it reached the decoder whole.
    private func overlongReason(_ length: Int) -> String {
        "the line has \(length) bytes, more than max-line-bytes (\(maxLineBytes))"
    }
}

/// Where a run of chunks leaves the line numbers of a log: the file of its last chunk and the
/// number of the line after it, when a chunk of the run knew its first line (`isAbsolute`), or
/// else how many lines the run holds.
public struct LinePosition: Sendable {
    public var fileIndex: Int
    public var isAbsolute: Bool
    public var value: Int

    /// The prefix fold the decoders of one reader share.
    public static func sharedPrefix() -> OrderedPrefix<LinePosition> {
        OrderedPrefix(initial: LinePosition(fileIndex: -1, isAbsolute: false, value: 0)) { $0.followed(by: $1) }
    }

    func followed(by later: LinePosition) -> LinePosition {
        guard !later.isAbsolute, later.fileIndex == fileIndex else { return later }
        return LinePosition(fileIndex: fileIndex, isAbsolute: isAbsolute, value: value + later.value)
    }
}
