@testable import TweetLog

/// A tweet log line: the fast decoder (simdjson's stage 1 and the structural walk) and the
/// validating Swift scanner must give the same result, whether the fast path may read past the
/// line's end (a line inside a chunk) or must not (a chunk's last line). The id a Kafka replay keys
/// the line by is looked for too (it must not trap).
enum TweetLineTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        let line = Array(bytes.prefix { $0 != UInt8(ascii: "\n") })
        let validating = line.withUnsafeBufferPointer { TweetDecoder.decode($0) }
        let atChunkEnd = line.withUnsafeBufferPointer { TweetDecoder.decode($0, readable: $0.count, fastPath: scanner) }
        // Inside a chunk, the bytes after the line are the next lines: the rest of the input.
        let withFollowingLines = Array(bytes)
        let insideChunk = withFollowingLines.withUnsafeBufferPointer {
            TweetDecoder.decode(UnsafeBufferPointer(rebasing: $0[..<line.count]), readable: $0.count, fastPath: scanner)
        }
        _ = line.withUnsafeBufferPointer { TweetID.find(in: $0) }
        let expected = "\(validating)"
        if "\(atChunkEnd)" != expected { return "at a chunk's end the fast path gives \(atChunkEnd), the validating scanner \(expected)" }
        if "\(insideChunk)" != expected { return "inside a chunk the fast path gives \(insideChunk), the validating scanner \(expected)" }
        return nil
    }

    nonisolated(unsafe) private static let scanner = SimdjsonTweetScanner()
}
