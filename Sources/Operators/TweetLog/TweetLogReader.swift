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

    /// Bytes of a plain file mapped into memory at once, for several chunks.
    public static let defaultMappingSize = 8 << 20

    /// Where the reader is: the next byte of file `fileIndex` to read, at the start of line `nextLine`.
    struct Position {
        var fileIndex = 0
        var offset = 0
        var nextLine = 1
    }

    private let files: [String]
    private let output: Output<LineChunk>
    private let chunkSize: Int
    private let mappingSize: Int
    private var bytesRead: TalliedCounter
    private let context: SubtaskContext
    private var position = Position()
    private var stopped = false

    public init(path: String, output: Output<LineChunk>, context: SubtaskContext, chunkSize: Int = defaultChunkSize,
                mappingSize: Int = defaultMappingSize) throws {
        files = try TweetLogFiles.list(path)
        self.output = output
        self.chunkSize = chunkSize
        self.mappingSize = mappingSize
        self.context = context
        bytesRead = TalliedCounter(context.metrics.counter("bytes"))
        if let state = context.restored?.firstShared { try restore(state) }
    }

    private func restore(_ state: [UInt8]) throws {
        var reader = StateReader(state)
        position = Position(fileIndex: try reader.readInt(), offset: try reader.readInt(), nextLine: try reader.readInt())
        bytesRead.add(try reader.readInt())
        let checkpointedFiles = try reader.readArray(of: String.self)
        guard checkpointedFiles == files else {
            throw FlowError(.invalidJob, "the checkpoint was taken reading \(checkpointedFiles.joined(separator: ", ")), but the tweet log now is \(files.joined(separator: ", ")); restore with the same input")
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
            if let fd = (stream as? PlainStream)?.mappableDescriptor {
                try readMappedChunks(of: fd, fileIndex: index, fileName: file)
            } else {
                if position.offset > 0, try stream.skip(position.offset) != position.offset { throw shorterThanCheckpoint(file) }
                try readChunks(of: stream, fileIndex: index, fileName: file, isLive: file == "-")
            }
            if stopped { return }
        }
        try output.emitEndOfInput()
    }

    private func shorterThanCheckpoint(_ file: String) -> FlowError {
        FlowError(.invalidJob, "\(file) is shorter than the checkpoint's position (byte \(position.offset)); restore with the log the checkpoint was taken on")
    }

    /// Cuts a plain file into chunks that are stretches of it mapped into memory: the kernel copies
    /// nothing, and a decoder may read on past a chunk's last line into the mapping (`readAhead`),
    /// so that line needs no padded copy either. One mapping serves the chunks of several
    /// megabytes (`mappingSize`): each unmapping interrupts the other core to flush its address
    /// translations, so they are kept few. A line longer than a chunk makes a longer chunk.
    private func readMappedChunks(of fd: Int32, fileIndex: Int, fileName: String) throws {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw FlowError(.missingInput, "cannot read \(fileName): \(String(cString: strerror(errno)))") }
        let size = Int(status.st_size)
        guard position.offset <= size else { throw shorterThanCheckpoint(fileName) }
        var mapping: FileMapping?
        var mappingStart = 0  // the file offset of the mapping's first byte
        while position.offset < size {
            let remaining = size - position.offset
            var wanted = min(remaining, chunkSize + Self.readAhead)
            var cut = 0
            while true {
                if mapping == nil || position.offset + wanted > mappingStart + mapping!.count {
                    mapping = try FileMapping(fd: fd, offset: position.offset, count: min(remaining, max(wanted, mappingSize)), path: fileName)
                    mappingStart = position.offset
                }
                let bytes = UnsafeBufferPointer(start: mapping!.bytes + (position.offset - mappingStart), count: wanted)
                cut = Self.lastLineEnd(in: UnsafeBufferPointer(rebasing: bytes[..<min(wanted, chunkSize)]))
                if cut == 0 { cut = (bytes.firstIndex(of: UInt8(ascii: "\n")) ?? -1) + 1 }
                if cut > 0 { break }
                if wanted == remaining {  // the file's last line, without a line feed
                    cut = wanted
                    break
                }
                wanted = min(remaining, wanted * 2)
            }
            if try handOn(ChunkBytes(mapping!, offset: position.offset - mappingStart, count: cut), fileIndex: fileIndex, fileName: fileName) { return }
        }
    }

    /// Bytes mapped past a chunk's end, enough for the decoder to read ahead of its last line.
    private static let readAhead = 4096

    /// Reads straight into the chunk that will be handed on; only the partial line at a chunk's
    /// end is copied, to start the next. A live feed (standard input) passes on whole lines as
    /// soon as they arrive.
    private func readChunks(of stream: any ByteStream, fileIndex: Int, fileName: String, isLive: Bool) throws {
        var carry: [UInt8] = []
        var atEnd = false
        while !atEnd {
            var chunk = try Array<UInt8>(unsafeUninitializedCapacity: max(carry.count * 2, carry.count + chunkSize)) { buffer, count in
                carry.withUnsafeBufferPointer { count = buffer.initialize(fromContentsOf: $0) }
                while count < buffer.count {
                    let readCount = try stream.read(into: buffer.baseAddress! + count, capacity: buffer.count - count)
                    if readCount == 0 { atEnd = true; break }
                    count += readCount
                    if isLive && Self.lastLineEnd(in: UnsafeBufferPointer(rebasing: buffer[..<count])) > 0 { break }
                }
            }
            let cut = atEnd ? chunk.count : chunk.withUnsafeBufferPointer(Self.lastLineEnd(in:))
            carry = Array(chunk[cut...])
            guard cut > 0 else { continue }
            chunk.removeLast(chunk.count - cut)
            if try handOn(ChunkBytes(chunk), fileIndex: fileIndex, fileName: fileName) { return }
        }
    }

    /// Hands a chunk of whole lines to the decoders and moves the position past it; returns true
    /// when reading must stop (after a savepoint).
    private func handOn(_ chunk: ChunkBytes, fileIndex: Int, fileName: String) throws -> Bool {
        let lines = chunk.withUnsafeBufferPointer(Self.lineCount(in:))
        output.emit(LineChunk(bytes: chunk, fileIndex: fileIndex, fileName: fileName, firstLine: position.nextLine))
        try output.flush()
        position.offset += chunk.count
        bytesRead.add(chunk.count)
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
