import CTweetScan
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// The tweet-log source: reads the files of a log in order and cuts them into chunks of whole
/// lines, which parallel decoders turn into tweets. Reading and decompressing happen here, on the
/// source's own thread.
///
/// Between chunks it asks the checkpoint coordinator whether a barrier is due; its position (file,
/// byte offset after the last chunk, next line number) goes into the checkpoint, and a restored
/// reader starts there. After a savepoint barrier it stops reading.
public final class TweetLogReader: SourceRunner {
    /// Bytes per chunk; a longer line makes a longer chunk.
    public static let defaultChunkSize = 1 << 20

    /// The longest line a log may hold by default, in bytes: 16 MiB.
    public static let defaultMaxLineBytes = 16 << 20

    /// Where the reader is: the next byte of file `fileIndex` to read, at the start of line `nextLine`.
    struct Position {
        var fileIndex = 0
        var offset = 0
        var nextLine = 1
    }

    private let files: [String]
    private let output: Output<LineChunk>
    private let chunkSize: Int
    private let maxLineBytes: Int
    private var bytesRead: TalliedCounter
    private let context: SubtaskContext
    private var position = Position()
    private var stopped = false

    /// - Parameter maxLineBytes: a longer line is not held in memory but handed on as an overlong
    ///   line (which the decoder counts as malformed).
    public init(path: String, output: Output<LineChunk>, context: SubtaskContext, chunkSize: Int = defaultChunkSize,
                maxLineBytes: Int = defaultMaxLineBytes) throws {
        files = try TweetLogFiles.list(path)
        self.output = output
        self.chunkSize = chunkSize
        self.maxLineBytes = maxLineBytes
        self.context = context
        bytesRead = TalliedCounter(context.metrics.counter("bytes"))
        if let state = context.restored?.firstShared { try restore(state) }
    }

    private func restore(_ state: [UInt8]) throws {
        var reader = StateReader(state)
        position = Position(fileIndex: try reader.readCounter(), offset: try reader.readCounter(), nextLine: try reader.readCounter())
        bytesRead.add(try reader.readCounter())
        let checkpointedFiles = try reader.readArray(of: String.self)
        guard checkpointedFiles == files else {
            throw FlowError(.invalidJob, "the checkpoint was taken reading \(checkpointedFiles.joined(separator: ", ")), but the tweet log now is \(files.joined(separator: ", ")); restore with the same input")
        }
        guard position.fileIndex < files.count, position.nextLine >= 1 else {
            throw StateReader.Damaged(description: "the tweet log's position (file \(position.fileIndex), line \(position.nextLine)) is impossible")
        }
        guard !files.contains("-") else {
            throw FlowError(.invalidJob, "the checkpoint was taken reading standard input, which cannot be rewound; restore needs a tweet log file")
        }
    }

    public func run() throws {
        for index in position.fileIndex..<files.count {
            let file = files[index]
            if index != position.fileIndex { position = Position(fileIndex: index, offset: 0, nextLine: 1) }
            let stream = try openByteStream(path: file)
            defer { stream.close() }
            if position.offset > 0, try stream.skip(position.offset) != position.offset { throw shorterThanCheckpoint(file) }
            try readChunks(of: stream, fileIndex: index, fileName: file, isLive: file == "-")
            if stopped { return }
        }
        try output.emitEndOfInput()
    }

    private func shorterThanCheckpoint(_ file: String) -> FlowError {
        FlowError(.invalidJob, "\(file) is shorter than the checkpoint's position (byte \(position.offset)); restore with the log the checkpoint was taken on")
    }

    /// Reads straight into the chunk that will be handed on; only the partial line at a chunk's
    /// end is copied, to start the next (and stays readable after the chunk, so the decoder may
    /// read ahead of the chunk's last line). A live feed (standard input) passes on whole lines as
    /// soon as they arrive. A line that grows past `maxLineBytes` is stepped over without being
    /// held: only its first bytes are handed on, marked as overlong.
    private func readChunks(of stream: any ByteStream, fileIndex: Int, fileName: String, isLive: Bool) throws {
        var carry: [UInt8] = []
        var atEnd = false
        while !atEnd {
            let chunk = try Array<UInt8>(unsafeUninitializedCapacity: max(carry.count * 2, carry.count + chunkSize)) { buffer, count in
                carry.withUnsafeBufferPointer { count = buffer.initialize(fromContentsOf: $0) }
                while count < buffer.count {
                    let readCount = try stream.read(into: buffer.baseAddress! + count, capacity: buffer.count - count)
                    if readCount == 0 { atEnd = true; break }
                    count += readCount
                    if isLive && Self.lastLineEnd(in: UnsafeBufferPointer(rebasing: buffer[..<count])) > 0 { break }
                }
            }
            let lineEnd = chunk.withUnsafeBufferPointer(Self.lastLineEnd(in:))
            let lastLineIsOverlong = chunk.count - lineEnd > maxLineBytes
            let cut = atEnd && !lastLineIsOverlong ? chunk.count : lineEnd
            carry = Array(chunk[cut...])
            if cut > 0, try handOn(LineChunk(bytes: ChunkBytes(chunk, count: cut), fileIndex: fileIndex, fileName: fileName, firstLine: position.nextLine)) { return }
            if lastLineIsOverlong {
                let (rest, reachedEnd) = try stepOver(overlongLine: carry, of: stream, fileIndex: fileIndex, fileName: fileName, atEnd: atEnd)
                if stopped { return }
                carry = rest
                atEnd = reachedEnd
            }
        }
    }

    /// Reads on to the end of a line longer than `maxLineBytes` whose first bytes are `start`,
    /// keeping none of it, and hands on its first bytes marked as overlong. Returns what follows
    /// its line feed in the last read, and whether the stream ended.
    private func stepOver(overlongLine start: [UInt8], of stream: any ByteStream, fileIndex: Int, fileName: String,
                          atEnd: Bool) throws -> (rest: [UInt8], atEnd: Bool) {
        var length = start.count, rest: [UInt8] = [], reachedEnd = atEnd, hasLineFeed = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !reachedEnd && !hasLineFeed {
            let readCount = try buffer.withUnsafeMutableBytes { try stream.read(into: $0.baseAddress!, capacity: $0.count) }
            guard readCount > 0 else { reachedEnd = true; break }
            if let lineFeed = buffer[..<readCount].firstIndex(of: UInt8(ascii: "\n")) {
                length += lineFeed
                rest = Array(buffer[(lineFeed + 1)..<readCount])
                hasLineFeed = true
            } else {
                length += readCount
            }
        }
        let prefix = Array(start.prefix(Self.overlongPrefixBytes))
        var chunk = LineChunk(bytes: ChunkBytes(prefix), fileIndex: fileIndex, fileName: fileName, firstLine: position.nextLine)
        chunk.overlongLineLength = length
        stopped = try handOn(chunk, consumedBytes: length + (hasLineFeed ? 1 : 0), lines: 1)
        return (rest, reachedEnd)
    }

    /// How much of an overlong line goes on to the reject file.
    static let overlongPrefixBytes = 65_536

    /// Hands a chunk to the decoders and moves the position past it: by its bytes and lines, or
    /// by `consumedBytes` and `lines` for an overlong line. Returns true when reading must stop
    /// (after a savepoint).
    private func handOn(_ chunk: LineChunk, consumedBytes: Int? = nil, lines: Int? = nil) throws -> Bool {
        let lines = lines ?? chunk.bytes.withUnsafeBufferPointer(Self.lineCount(in:))
        let consumed = consumedBytes ?? chunk.bytes.count
        output.emit(chunk)
        try output.flush()
        position.offset += consumed
        bytesRead.add(consumed)
        position.nextLine += lines
        return try emitBarrierIfDue()
    }

    /// Emits a checkpoint barrier if one is due, after recording the position; returns true after
    /// a savepoint, when reading must stop.
    private func emitBarrierIfDue() throws -> Bool {
        guard let barrier = context.checkpoints?.barrierIfDue() else { return false }
        var state = StateWriter()
        state.write(position.fileIndex)
        state.write(position.offset)
        state.write(position.nextLine)
        state.write(bytesRead.total)
        state.write(files)
        context.acknowledge(barrier, shared: state, position: "\(files[position.fileIndex]) byte \(position.offset) line \(position.nextLine)")
        try output.emit(barrier: barrier)
        stopped = barrier.isSavepoint
        return stopped
    }

    /// The index just after the last line feed, or 0 if there is none.
    private static func lastLineEnd(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
    }

    /// Lines in a chunk: its line feeds, plus one for a last line without one.
    private static func lineCount(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return flow_count_byte(base, bytes.count, UInt8(ascii: "\n")) + (bytes.last == UInt8(ascii: "\n") ? 0 : 1)
    }
}
