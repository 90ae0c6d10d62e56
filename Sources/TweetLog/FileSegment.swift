import CTweetScan
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// A byte range of a plain log file that a decoder reads itself, so that several decoders read
/// one file in parallel: it holds the lines that *start* in `[start, end)`, each read whole (on
/// past `end` when it runs on). Segments cut at any bytes therefore hold every line exactly once.
public struct FileSegment: Sendable, Equatable {
    public var path: String
    public var start: Int
    public var end: Int

    public init(path: String, start: Int, end: Int) {
        self.path = path
        self.start = start
        self.end = end
    }
}

/// The lines of a segment as its decoder read them.
struct SegmentLines {
    /// The whole lines that start in the segment (the last one without a line feed only at the
    /// end of the file), up to the overlong line if there is one.
    var bytes: ChunkBytes
    /// A last line longer than max-line-bytes, which was stepped over: its first bytes and its
    /// length without the line feed.
    var overlongLine: (prefix: [UInt8], length: Int)?
}

/// A plain log file open for reading segments at their offsets (`pread`), kept open while a
/// decoder reads one segment of it after another.
final class SegmentFile {
    let path: String
    private let fd: Int32
    /// Bytes a decoder may read past a line (simdjson's padding).
    static let padding = 64
    /// Bytes read at a time past a segment's end, for its last line.
    static let runOnRoom = 8_192

    init(path: String) throws {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw FlowError(.missingInput, "cannot open tweet log \(path): \(String(cString: strerror(errno))); check the path given as input")
        }
        self.path = path
    }

    deinit { close(fd) }

    /// The file's size now.
    func size() throws -> Int {
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw FlowError(.missingInput, "cannot read \(path): \(String(cString: strerror(errno)))") }
        return Int(status.st_size)
    }

    /// Reads the lines that start in `segment`. Holds at most the segment and `maxLineBytes`
    /// more: a last line longer than that is stepped over, keeping its first 64 KiB.
    func lines(of segment: FileSegment, maxLineBytes: Int) throws -> SegmentLines {
        // From the byte before the segment: a line starts at `start` when that byte is a line feed.
        let from = segment.start == 0 ? 0 : segment.start - 1
        // Room for the last line to run on and for the padding, so that neither moves the array.
        var bytes = try Array<UInt8>(unsafeUninitializedCapacity: segment.end - from + Self.runOnRoom + Self.padding) { buffer, count in
            count = try read(into: UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[..<(segment.end - from)])), at: from)
        }
        guard bytes.count == segment.end - from else {
            throw FlowError(.missingInput, "\(path) shrank to \(from + bytes.count) bytes while it was read (\(segment.end) bytes in); a log must only grow while it is read: rotate it by renaming, not by copying and truncating")
        }
        var firstLine = 0
        if segment.start > 0 {
            guard let lineFeed = bytes.firstIndex(of: UInt8(ascii: "\n")), lineFeed + 1 < bytes.count else {
                return SegmentLines(bytes: ChunkBytes([]))  // no line starts here
            }
            firstLine = lineFeed + 1
        }
        var overlong: (prefix: [UInt8], length: Int)?
        if bytes.last != UInt8(ascii: "\n") {
            overlong = try readOn(lastLineOf: &bytes, from: from, firstLine: firstLine, maxLineBytes: maxLineBytes)
        }
        let count = bytes.count - firstLine
        // Zeros after the last line, so that the decoder reads ahead of it without a copy.
        bytes.append(contentsOf: repeatElement(0, count: Self.padding))
        return SegmentLines(bytes: ChunkBytes(bytes, start: firstLine, count: count), overlongLine: overlong)
    }

    /// Reads on past the segment to the end of its last line (or of the file), appending it to
    /// `bytes`; a last line longer than `maxLineBytes` is cut off `bytes` and returned instead.
    private func readOn(lastLineOf bytes: inout [UInt8], from: Int, firstLine: Int,
                        maxLineBytes: Int) throws -> (prefix: [UInt8], length: Int)? {
        let lineStart = max(firstLine, (bytes.lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1)
        var offset = from + bytes.count
        var piece = [UInt8](repeating: 0, count: Self.runOnRoom)
        while bytes.count - lineStart <= maxLineBytes {
            let count = try piece.withUnsafeMutableBytes { try read(into: $0, at: offset) }
            if count == 0 { return nil }  // the file ends without a line feed
            offset += count
            guard let lineFeed = piece[..<count].firstIndex(of: UInt8(ascii: "\n")) else {
                bytes.append(contentsOf: piece[..<count])
                continue
            }
            bytes.append(contentsOf: piece[...lineFeed])
            let length = bytes.count - 1 - lineStart
            guard length > maxLineBytes else { return nil }
            return (cutOff(from: lineStart, of: &bytes), length)
        }
        // Past max-line-bytes with no line feed yet: keep the first bytes, step over the rest.
        var length = bytes.count - lineStart
        let prefix = cutOff(from: lineStart, of: &bytes)
        piece = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = try piece.withUnsafeMutableBytes { try read(into: $0, at: offset) }
            if count == 0 { return (prefix, length) }
            if let lineFeed = piece[..<count].firstIndex(of: UInt8(ascii: "\n")) { return (prefix, length + lineFeed) }
            length += count
            offset += count
        }
    }

    /// Removes the line starting at `lineStart` from `bytes`, returning its first bytes.
    private func cutOff(from lineStart: Int, of bytes: inout [UInt8]) -> [UInt8] {
        let prefix = Array(bytes[lineStart..<min(bytes.count, lineStart + TweetLogReader.overlongPrefixBytes)])
        bytes.removeSubrange(lineStart...)
        return prefix
    }

    /// The first line that starts at or after `offset`: where it starts (the file's size when
    /// none does) and its number. Reads the file up to there: for a restore at a byte offset.
    func lineStart(atOrAfter offset: Int) throws -> (offset: Int, number: Int) {
        guard offset > 0 else { return (0, 1) }
        var piece = [UInt8](repeating: 0, count: 1 << 20)
        var lineFeeds = 0, position = 0
        while true {
            let count = try piece.withUnsafeMutableBytes { try read(into: $0, at: position) }
            if count == 0 { return (position, lineFeeds + 1) }
            // Line feeds before offset − 1 end lines that start before the offset.
            let counted = min(count, max(0, offset - 1 - position))
            lineFeeds += piece.withUnsafeBufferPointer { flow_count_byte($0.baseAddress!, counted, UInt8(ascii: "\n")) }
            if let lineFeed = piece[counted..<count].firstIndex(of: UInt8(ascii: "\n")) {
                return (position + lineFeed + 1, lineFeeds + 2)
            }
            position += count
        }
    }

    /// Fills `buffer` from `offset` as far as the file goes; returns how many bytes it read.
    private func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var total = 0
        while total < buffer.count {
            let count = pread(fd, buffer.baseAddress! + total, buffer.count - total, off_t(offset + total))
            if count > 0 {
                total += count
            } else if count == 0 {
                break
            } else if errno != EINTR {
                throw FlowError(.missingInput, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
        }
        return total
    }
}
