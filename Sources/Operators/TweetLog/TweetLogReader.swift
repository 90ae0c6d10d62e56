import Flow
#if canImport(Glibc)
import Glibc
#endif

/// The tweet-log source: reads the files of a log in order and cuts them into chunks of whole
/// lines, which parallel decoders turn into tweets. Reading and decompressing happen here, on the
/// source's own thread.
public final class TweetLogReader: SourceRunner {
    /// Bytes per chunk; a longer line makes a longer chunk.
    public static let defaultChunkSize = 1 << 18

    private let files: [String]
    private let output: Output<LineChunk>
    private let chunkSize: Int
    private let bytesRead: Counter

    public init(path: String, output: Output<LineChunk>, context: SubtaskContext, chunkSize: Int = defaultChunkSize) throws {
        files = try TweetLogFiles.list(path)
        self.output = output
        self.chunkSize = chunkSize
        bytesRead = context.metrics.counter("bytes")
    }

    public func run() throws {
        for (index, file) in files.enumerated() {
            let stream = try openByteStream(path: file)
            defer { stream.close() }
            try readChunks(of: stream, fileIndex: index, fileName: file, isLive: file == "-")
        }
        try output.emitEndOfInput()
    }

    /// Reads straight into the chunk that will be handed on; only the partial line at a chunk's
    /// end is copied, to start the next. A live feed (standard input) passes on whole lines as
    /// soon as they arrive.
    private func readChunks(of stream: any ByteStream, fileIndex: Int, fileName: String, isLive: Bool) throws {
        var carry: [UInt8] = []
        var nextLine = 1
        var atEnd = false
        while !atEnd {
            var chunk = try Array<UInt8>(unsafeUninitializedCapacity: max(carry.count * 2, carry.count + chunkSize)) { buffer, count in
                carry.withUnsafeBufferPointer { count = buffer.initialize(fromContentsOf: $0) }
                while count < buffer.count {
                    let readCount = try stream.read(into: buffer.baseAddress! + count, capacity: buffer.count - count)
                    if readCount == 0 { atEnd = true; break }
                    count += readCount
                    bytesRead.add(readCount)
                    if isLive && Self.lastLineEnd(in: UnsafeBufferPointer(rebasing: buffer[..<count])) > 0 { break }
                }
            }
            let cut = atEnd ? chunk.count : chunk.withUnsafeBufferPointer(Self.lastLineEnd(in:))
            carry = Array(chunk[cut...])
            guard cut > 0 else { continue }
            chunk.removeLast(chunk.count - cut)
            let lines = chunk.withUnsafeBufferPointer(Self.lineCount(in:))
            output.emit(LineChunk(bytes: chunk, fileIndex: fileIndex, fileName: fileName, firstLine: nextLine))
            try output.flush()
            nextLine += lines
        }
    }

    /// The index just after the last line feed, or 0 if there is none.
    private static func lastLineEnd(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
    }

    /// Lines in a chunk: its line feeds, plus one for a last line without one.
    private static func lineCount(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        var count = 0
        var next = base
        let end = base + bytes.count
        while next < end, let found = memchr(next, Int32(UInt8(ascii: "\n")), next.distance(to: end)) {
            count += 1
            next = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
        }
        return count + (bytes.last == UInt8(ascii: "\n") ? 0 : 1)
    }
}
