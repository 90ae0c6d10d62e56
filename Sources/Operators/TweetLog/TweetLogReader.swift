import Flow

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

    /// A live feed (standard input) passes on whole lines as soon as they arrive.
    private func readChunks(of stream: any ByteStream, fileIndex: Int, fileName: String, isLive: Bool) throws {
        var pending: [UInt8] = []
        var readBuffer = [UInt8](repeating: 0, count: chunkSize)
        var nextLine = 1
        var atEnd = false
        while !atEnd {
            let readCount = try readBuffer.withUnsafeMutableBytes { try stream.read(into: $0.baseAddress!, capacity: $0.count) }
            pending.append(contentsOf: readBuffer[..<readCount])
            bytesRead.add(readCount)
            atEnd = readCount == 0
            let cut = atEnd ? pending.count : (pending.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)
            guard cut > 0, atEnd || isLive || cut >= chunkSize / 2 || pending.count >= chunkSize else { continue }
            let chunk = Array(pending[..<cut])
            pending.removeFirst(cut)
            output.emit(LineChunk(bytes: chunk, fileIndex: fileIndex, fileName: fileName, firstLine: nextLine))
            try output.flush()
            nextLine += Self.lineCount(chunk)
        }
    }

    /// Lines in a chunk: its line feeds, plus one for a last line without one.
    private static func lineCount(_ chunk: [UInt8]) -> Int {
        chunk.withUnsafeBufferPointer { bytes in
            var count = 0
            for byte in bytes where byte == UInt8(ascii: "\n") { count += 1 }
            return count + (bytes.last == UInt8(ascii: "\n") ? 0 : 1)
        }
    }
}
