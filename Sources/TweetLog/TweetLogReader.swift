import CTweetScan
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// The tweet-log source: reads the files of a log in order and cuts them into chunks of whole
/// lines, which parallel decoders turn into tweets. Each poll hands on one chunk.
///
/// A plain file read at full speed is not read here: it is cut into segments (byte ranges of
/// `chunkSize`) that the decoders read themselves, in parallel (``FileSegment``). Compressed
/// files, standard input, a followed file and a replay at a speed are read and decompressed
/// here, on the source's own thread.
///
/// Its position (file, byte offset after the last chunk, next line number) is its declared state;
/// a restored reader starts there. Past a segment the next line's number is not known here: it is
/// written as 0, and a restore counts the lines before the offset again. Replayed at a speed, it
/// holds back each line until the line's event time is due, so that the host can take checkpoints
/// and stop while it waits.
///
/// A live input — standard input, or a file it follows as it grows (`follow`) — hands on the
/// whole lines that are there as soon as they are, never waits for a full chunk, and never blocks:
/// with nothing to read the poll says so, and the host waits in ``waitForInput(upTo:)`` until
/// more arrives. A followed file that is rotated (renamed, and a new one created at its path) is
/// read to its end, then the new one from its start; one that is truncated is read again from its start.
public final class TweetLogReader: Source {
    /// Bytes per chunk; a longer line makes a longer chunk.
    public static let defaultChunkSize = 1 << 20

    /// The longest line a log may hold by default, in bytes: 16 MiB.
    public static let defaultMaxLineBytes = 16 << 20

    /// How much of an overlong line goes on to the reject file.
    static let overlongPrefixBytes = 65_536

    /// Where the reader is: the next byte of file `fileIndex` to read, at the start of line `nextLine`.
    struct Position {
        var fileIndex = 0
        var offset = 0
        var nextLine = 1
    }

    private let files: [String]
    private let chunkSize: Int
    private let maxLineBytes: Int
    private let bytesRead: Counter
    private var position = Position()
    private var stream: (any ByteStream)?
    /// The start of a line carried over from the last read.
    private var carry: [UInt8] = []
    private var atEnd = false
    /// The lines read but not yet emitted, when replaying at a speed.
    private var paced: PacedLines?
    private let fastPath = SimdjsonTweetScanner()
    /// Watches the file followed as it grows (nil unless following one).
    private let follower: LogFollower?
    /// Set when the followed file was seen rotated or truncated: once its end is read again, it is reopened.
    private var reopenAtEnd = false
    /// Whether plain files are cut into segments for the decoders to read.
    private let cutsSegments: Bool
    /// The plain file being cut into segments (nil: the file is read here).
    private var segmented: (file: SegmentFile, size: Int)?
    /// The sequence number of the next chunk handed on.
    private var nextChunkSequence = 0

    /// - Parameters:
    ///   - maxLineBytes: a longer line is not held in memory but handed on as an overlong line
    ///     (which the decoder counts as malformed).
    ///   - follow: read `path`, one plain file, as it grows, like `tail -F`; the input never ends.
    ///   - cutsSegments: hand plain files on as segments for the decoders to read (not for a
    ///     replay at a speed, whose lines must be read here to be paced).
    public init(path: String, context: SubtaskContext, chunkSize: Int = defaultChunkSize,
                maxLineBytes: Int = defaultMaxLineBytes, follow: Bool = false, cutsSegments: Bool = false) throws {
        files = try TweetLogFiles.list(path)
        if follow && path != "-" {
            guard files == [path], !path.hasSuffix(".gz"), !path.hasSuffix(".zst") else {
                throw FlowError(.invalidJob, "follow reads one plain log file as it grows, but \(path) is \(files != [path] ? "a folder" : "compressed"); follow a plain .jsonl file, or turn follow off")
            }
            follower = LogFollower(path: path)
        } else {
            follower = nil
        }
        self.chunkSize = chunkSize
        self.maxLineBytes = maxLineBytes
        self.cutsSegments = cutsSegments && !follow
        bytesRead = context.metrics.counter("bytes")
    }

    public var declaredState: [StateDeclaration] { [.splitList("position")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("position").first else { return }
        position = Position(fileIndex: try reader.readCounter(), offset: try reader.readCounter(), nextLine: try reader.readCounter())
        let checkpointedFiles = try reader.readArray(of: String.self)
        guard checkpointedFiles == files else {
            throw FlowError(.invalidJob, "the checkpoint was taken reading \(checkpointedFiles.joined(separator: ", ")), but the tweet log now is \(files.joined(separator: ", ")); restore with the same input")
        }
        guard position.fileIndex < files.count, position.nextLine >= 0, position.offset >= 0 else {
            throw StateReader.Damaged(description: "the tweet log's position (file \(position.fileIndex), line \(position.nextLine)) is impossible")
        }
        guard position.nextLine > 0 || Self.isPlainFile(files[position.fileIndex]) else {
            throw StateReader.Damaged(description: "the tweet log's position in \(files[position.fileIndex]) has no line number, which only a plain file's may lack")
        }
        guard !files.contains("-") else {
            throw FlowError(.invalidJob, "the checkpoint was taken reading standard input, which cannot be rewound; restore needs a tweet log file")
        }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(position.fileIndex)
        state.write(position.offset)
        state.write(position.nextLine)
        state.write(files)
        snapshot.add("position", state)
        snapshot.position = "\(files[position.fileIndex]) byte \(position.offset)" + (position.nextLine > 0 ? " line \(position.nextLine)" : "")
    }

    public func poll(into output: Collector<LineChunk>, pacing: ReplayClock?) throws -> SourceStatus {
        var status = SourceStatus.ready
        if paced != nil, let pacing {
            status = emitDueLines(into: output, pacing: pacing)
        } else {
            if stream == nil && segmented == nil {
                guard try openNextFile() else { return .finished }
            }
            if let segmented {
                handOnSegment(of: segmented.file, size: segmented.size, into: output)
                return .ready
            }
            guard stream!.hasReadyInput() else { return .idle }
            try readChunk(into: output, pacing: pacing)
        }
        if atEnd && paced == nil {
            if follower != nil { return try caughtUp(into: output) }
            closeFile()
        }
        return status
    }

    public func waitForInput(upTo seconds: Double) {
        if let follower { follower.waitForChange(upTo: seconds) } else { stream?.waitForInput(upTo: seconds) }
    }

    /// A followed file read to its current end: idle, unless the file at the path was rotated or
    /// truncated. Then the file is read to its end once more (what was written before the change),
    /// its last line handed on even without a line feed, and the path reopened from its start.
    private func caughtUp(into output: Collector<LineChunk>) throws -> SourceStatus {
        atEnd = false
        guard let follower, let plain = stream as? PlainStream else { return .idle }
        if !reopenAtEnd {
            guard follower.change(openAs: plain.fd, offset: position.offset + carry.count) != .none else { return .idle }
            reopenAtEnd = true
            return .ready
        }
        reopenAtEnd = false
        if !carry.isEmpty {
            handOn(LineChunk(bytes: ChunkBytes(carry), fileIndex: position.fileIndex, fileName: files[position.fileIndex], firstLine: position.nextLine), into: output)
        }
        closeFile()
        position = Position(fileIndex: position.fileIndex)
        _ = try openNextFile()
        return .ready
    }

    /// Opens the file at the position (after the end of the last one, the next file); false when
    /// every file has been read.
    private func openNextFile() throws -> Bool {
        if atEnd {
            guard position.fileIndex + 1 < files.count else { return false }
            position = Position(fileIndex: position.fileIndex + 1, offset: 0, nextLine: 1)
            atEnd = false
        }
        let file = files[position.fileIndex]
        if position.nextLine == 0 || (cutsSegments && Self.isPlainFile(file)) {
            let segmentFile = try SegmentFile(path: file)
            let size = try segmentFile.size()
            guard position.offset <= size else {
                throw FlowError(.invalidJob, "\(file) is shorter than the checkpoint's position (byte \(position.offset)); restore with the log the checkpoint was taken on")
            }
            if position.nextLine == 0 {
                // Restored past a segment: find the line there and its number.
                let start = try segmentFile.lineStart(atOrAfter: position.offset)
                position.offset = start.offset
                position.nextLine = start.number
            }
            if cutsSegments {
                segmented = (segmentFile, size)
                return true
            }
        }
        let opened = try openByteStream(path: file)
        (opened as? PlainStream)?.follows = follower != nil
        if position.offset > 0, try opened.skip(position.offset) != position.offset {
            opened.close()
            guard follower != nil else {
                throw FlowError(.invalidJob, "\(file) is shorter than the checkpoint's position (byte \(position.offset)); restore with the log the checkpoint was taken on")
            }
            // The followed log was rotated or truncated since the checkpoint: read the new one from its start.
            position = Position(fileIndex: position.fileIndex)
            return try openNextFile()
        }
        stream = opened
        carry = []
        return true
    }

    private func closeFile() {
        stream?.close()
        stream = nil
        segmented = nil
    }

    /// Whether `file` is a plain file the decoders can read by offsets.
    private static func isPlainFile(_ file: String) -> Bool {
        guard file != "-", !file.hasSuffix(".gz"), !file.hasSuffix(".zst") else { return false }
        var status = stat()
        return stat(file, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// Hands on the next segment of the plain file being cut (nothing for an empty file), and
    /// moves on to the next file after the last.
    private func handOnSegment(of file: SegmentFile, size: Int, into output: Collector<LineChunk>) {
        let start = position.offset, end = min(size, start + chunkSize)
        if end > start {
            var chunk = LineChunk(bytes: ChunkBytes([]), fileIndex: position.fileIndex, fileName: files[position.fileIndex],
                                  firstLine: position.nextLine, segment: FileSegment(path: file.path, start: start, end: end))
            chunk.sequence = nextChunkSequence
            nextChunkSequence += 1
            output.emit(chunk)
            bytesRead.add(end - start)
            position.offset = end
            position.nextLine = 0
        }
        if end == size {
            atEnd = true
            closeFile()
        }
    }

    /// Reads straight into the chunk that will be handed on; only the partial line at a chunk's
    /// end is copied, to start the next (and stays readable after the chunk, so the decoder may
    /// read ahead of the chunk's last line). A live feed (standard input) passes on whole lines as
    /// soon as they arrive. A line that grows past `maxLineBytes` is stepped over without being
    /// held: only its first bytes are handed on, marked as overlong.
    private func readChunk(into output: Collector<LineChunk>, pacing: ReplayClock?) throws {
        guard let stream else { return }
        let fileIndex = position.fileIndex, fileName = files[fileIndex]
        var reachedEnd = false
        let chunk = try Array<UInt8>(unsafeUninitializedCapacity: max(carry.count * 2, carry.count + chunkSize)) { buffer, count in
            carry.withUnsafeBufferPointer { count = buffer.initialize(fromContentsOf: $0) }
            while count < buffer.count {
                let readCount = try stream.read(into: buffer.baseAddress! + count, capacity: buffer.count - count)
                if readCount == 0 { reachedEnd = true; break }
                count += readCount
                // A live input hands on what is there: the next read could wait for more.
                if !stream.hasReadyInput() { break }
            }
        }
        atEnd = reachedEnd
        let lineEnd = chunk.withUnsafeBufferPointer(Self.lastLineEnd(in:))
        let lastLineIsOverlong = chunk.count - lineEnd > maxLineBytes
        // The end of a followed file is only where its writer is now: a last line without a line feed is still being written.
        let endsInput = atEnd && follower == nil
        let cut = endsInput && !lastLineIsOverlong ? chunk.count : lineEnd
        carry = Array(chunk[cut...])
        if cut > 0 {
            let lines = LineChunk(bytes: ChunkBytes(chunk, count: cut), fileIndex: fileIndex, fileName: fileName, firstLine: position.nextLine)
            if pacing != nil { paced = PacedLines(chunk: lines) } else { handOn(lines, into: output) }
        }
        if lastLineIsOverlong { try stepOver(overlongLine: carry, of: stream, into: output) }
        if let pacing, paced != nil { _ = emitDueLines(into: output, pacing: pacing) }
    }

    /// Reads on to the end of a line longer than `maxLineBytes` whose first bytes are `start`,
    /// keeping none of it, and hands on its first bytes marked as overlong (after any paced lines
    /// still held). Keeps what follows its line feed in the last read.
    private func stepOver(overlongLine start: [UInt8], of stream: any ByteStream, into output: Collector<LineChunk>) throws {
        var length = start.count, rest: [UInt8] = [], hasLineFeed = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while !atEnd && !hasLineFeed {
            let readCount = try buffer.withUnsafeMutableBytes { try stream.read(into: $0.baseAddress!, capacity: $0.count) }
            guard readCount > 0 else { atEnd = true; break }
            if let lineFeed = buffer[..<readCount].firstIndex(of: UInt8(ascii: "\n")) {
                length += lineFeed
                rest = Array(buffer[(lineFeed + 1)..<readCount])
                hasLineFeed = true
            } else {
                length += readCount
            }
        }
        var chunk = LineChunk(bytes: ChunkBytes(Array(start.prefix(Self.overlongPrefixBytes))), fileIndex: position.fileIndex,
                              fileName: files[position.fileIndex], firstLine: -1)
        chunk.overlongLineLength = length
        let consumed = length + (hasLineFeed ? 1 : 0)
        if paced != nil {
            paced?.overlong = (chunk, consumed)
        } else {
            chunk.firstLine = position.nextLine
            handOn(chunk, into: output, consumedBytes: consumed, lines: 1)
        }
        carry = rest
    }

    /// Emits a chunk and moves the position past it: by its bytes and lines, or by
    /// `consumedBytes` and `lines` for an overlong line.
    private func handOn(_ chunk: LineChunk, into output: Collector<LineChunk>, consumedBytes: Int? = nil, lines: Int? = nil) {
        let lines = lines ?? chunk.bytes.withUnsafeBufferPointer(Self.lineCount(in:))
        let consumed = consumedBytes ?? chunk.bytes.count
        var chunk = chunk
        chunk.sequence = nextChunkSequence
        nextChunkSequence += 1
        output.emit(chunk)
        position.offset += consumed
        bytesRead.add(consumed)
        position.nextLine += lines
    }

    /// Emits the held lines whose event time is due, as one chunk; says when the next is due.
    private func emitDueLines(into output: Collector<LineChunk>, pacing: ReplayClock) -> SourceStatus {
        guard var held = paced else { return .ready }
        let (due, waitFor) = held.takeDueLines(pacing: pacing, maxLineBytes: maxLineBytes, fastPath: fastPath)
        if let due {
            var chunk = due.chunk
            chunk.firstLine = position.nextLine
            handOn(chunk, into: output, lines: due.lines)
        }
        if let waitFor {
            paced = held
            return .waiting(until: waitFor)
        }
        if let (overlong, consumed) = held.overlong {
            var chunk = overlong
            chunk.firstLine = position.nextLine
            handOn(chunk, into: output, consumedBytes: consumed, lines: 1)
        }
        paced = nil
        return .ready
    }

    /// The index just after the last line feed, or 0 if there is none.
    static func lastLineEnd(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
    }

    /// Lines in a chunk: its line feeds, plus one for a last line without one.
    static func lineCount(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        return flow_count_byte(base, bytes.count, UInt8(ascii: "\n")) + (bytes.last == UInt8(ascii: "\n") ? 0 : 1)
    }
}
