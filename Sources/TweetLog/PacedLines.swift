import Flow
#if canImport(Glibc)
import Glibc
#endif

/// The lines of a chunk a tweet-log reader holds while it replays at a speed: they go on as
/// their tweets' event times fall due, a line that is not a tweet with the line before it.
struct PacedLines {
    /// The chunk read; `next` is the offset of the first line not yet emitted.
    private let chunk: LineChunk
    private var next = 0
    /// The event time of the line at `next`, once decoded.
    private var nextTime: EventTime?
    /// A line longer than max-line-bytes that followed the chunk, with the bytes it took up.
    var overlong: (chunk: LineChunk, consumed: Int)?

    init(chunk: LineChunk) { self.chunk = chunk }

    /// Takes the run of lines from `next` that `pacing` admits, as a chunk with its line count,
    /// and the event time of the first line that must wait (nil when every line was taken).
    mutating func takeDueLines(pacing: ReplayClock, maxLineBytes: Int,
                               fastPath: SimdjsonTweetScanner) -> (due: (chunk: LineChunk, lines: Int)?, waitFor: EventTime?) {
        let start = next
        var lines = 0
        var waitFor: EventTime?
        chunk.bytes.withUnsafeBufferPointer { bytes in
            while next < bytes.count {
                let end = memchr(bytes.baseAddress! + next, Int32(UInt8(ascii: "\n")), bytes.count - next)
                    .map { bytes.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
                if let time = nextTime ?? eventTime(UnsafeBufferPointer(rebasing: bytes[next..<end]), maxLineBytes: maxLineBytes, fastPath: fastPath),
                   !pacing.admits(time) {
                    nextTime = time
                    waitFor = time
                    return
                }
                nextTime = nil
                next = min(end + 1, bytes.count)
                lines += 1
            }
        }
        guard next > start else { return (nil, waitFor) }
        let bytes = chunk.bytes.withUnsafeBufferPointer { Array($0[start..<next]) }
        let due = LineChunk(bytes: ChunkBytes(bytes), fileIndex: chunk.fileIndex, fileName: chunk.fileName, firstLine: chunk.firstLine)
        return ((due, lines), waitFor)
    }

    /// The event time of a line that holds a tweet; nil for any other line, which is never held.
    private func eventTime(_ line: UnsafeBufferPointer<UInt8>, maxLineBytes: Int, fastPath: SimdjsonTweetScanner) -> EventTime? {
        guard line.count <= maxLineBytes else { return nil }
        var content = line
        if content.last == UInt8(ascii: "\r") { content = UnsafeBufferPointer(rebasing: content.dropLast()) }
        guard case .tweet(let tweet) = TweetDecoder.decode(content, readable: content.count, fastPath: fastPath) else { return nil }
        return tweet.eventTime
    }
}
