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
        var nextLine = 1
        var atEnd = false
        while !atEnd {
            let start = pending.count
            pending.reserveCapacity(start + chunkSize)
            var readCount = 0
            pending.append(contentsOf: repeatElement(0, count: chunkSize))
            try pending.withUnsafeMutableBytes { readCount = try stream.read(into: $0.baseAddress! + start, capacity: chunkSize) }
            pending.removeLast(chunkSize - readCount)
            bytesRead.add(readCount)
            atEnd = readCount == 0
            let cut = atEnd ? pending.count : (pending.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0)
            guard cut > 0, atEnd || isLive || cut >= chunkSize / 2 || pending.count >= chunkSize else { continue }
            let chunk = Array(pending[..<cut])
            pending.removeFirst(cut)
            let lines = chunk.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) } + (chunk.last == UInt8(ascii: "\n") ? 0 : 1)
            output.emit(LineChunk(bytes: chunk, fileIndex: fileIndex, fileName: fileName, firstLine: nextLine))
            try output.flush()
            nextLine += lines
        }
    }
}
