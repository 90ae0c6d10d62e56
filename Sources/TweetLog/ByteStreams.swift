import CZlib
import CZstd
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// A source of decompressed bytes: a plain file, a gzip file, or a zstd file.
protocol ByteStream: AnyObject {
    /// Reads up to `capacity` bytes into `buffer`; returns 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int
    /// Steps over the next `count` bytes; returns how many there were (fewer at the end).
    func skip(_ count: Int) throws -> Int
    func close()
    /// Whether a read would return at once (false only for a live input with nothing ready).
    func hasReadyInput() -> Bool
    /// Waits until a read would return at once, at most `seconds`.
    func waitForInput(upTo seconds: Double)
}

extension ByteStream {
    func hasReadyInput() -> Bool { true }
    func waitForInput(upTo seconds: Double) {}

    /// Reads and discards, for streams that cannot seek (compressed ones).
    func skip(_ count: Int) throws -> Int { try readAndDiscard(count) }

    func readAndDiscard(_ count: Int) throws -> Int {
        var scratch = [UInt8](repeating: 0, count: min(count, 1 << 20))
        var skipped = 0
        while skipped < count {
            let read = try scratch.withUnsafeMutableBytes { try self.read(into: $0.baseAddress!, capacity: min($0.count, count - skipped)) }
            if read == 0 { break }
            skipped += read
        }
        return skipped
    }
}

/// Opens a log file as a byte stream, choosing the decoder by the name's ending
/// (`.gz`, `.zst`; anything else is plain). `-` is standard input, read as it arrives (so plain:
/// a compressed feed goes through `gzip -dc` first).
func openByteStream(path: String) throws -> any ByteStream {
    if path == "-" {
        let fd = dup(0)
        guard fd >= 0 else { throw FlowError(.missingInput, "cannot read standard input: \(String(cString: strerror(errno)))") }
        return PlainStream(fd: fd, path: "standard input", isStandardInput: true)
    }
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else {
        throw FlowError(.missingInput, "cannot open tweet log \(path): \(String(cString: strerror(errno))); check the path given as input")
    }
    if path.hasSuffix(".gz") {
        guard let file = gzdopen(fd, "rb") else { throw FlowError(.missingInput, "cannot read gzip file \(path)") }
        return GzipStream(file: file, path: path)
    }
    if path.hasSuffix(".zst") { return ZstdStream(fd: fd, path: path) }
    return PlainStream(fd: fd, path: path)
}

/// A file read as it is, or standard input. A file must only grow while it is read: a file cut
/// shorter underneath the reader (log rotation by copy and truncate) is an error, not a shorter
/// log, unless the reader follows it (``follows``) and reopens it itself.
final class PlainStream: ByteStream {
    private(set) var fd: Int32
    private let path: String
    private let isStandardInput: Bool
    /// Bytes read or skipped so far.
    private var offset = 0
    /// Set by a reader that follows the file as it grows, and handles its truncation itself.
    var follows = false

    init(fd: Int32, path: String, isStandardInput: Bool = false) {
        self.fd = fd
        self.path = path
        self.isStandardInput = isStandardInput
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while true {
            let count = Glibc.read(fd, buffer, capacity)
            if count > 0 {
                if isStandardInput && offset == 0 && count >= 2,
                   buffer.load(as: UInt8.self) == 0x1F, buffer.load(fromByteOffset: 1, as: UInt8.self) == 0x8B {
                    throw FlowError(.missingInput, "standard input is gzip-compressed, but it is read as plain JSON lines as they arrive; pipe it through gzip -dc first")
                }
                offset += count
                return count
            }
            if count == 0 {
                if !follows { try checkNotShrunk() }
                return 0
            }
            if errno != EINTR { throw FlowError(.missingInput, "cannot read \(path): \(String(cString: strerror(errno)))") }
        }
    }

    private func checkNotShrunk() throws {
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, Int(status.st_size) < offset else { return }
        throw FlowError(.missingInput, "\(path) shrank to \(status.st_size) bytes while it was read (\(offset) bytes in); a log must only grow while it is read: rotate it by renaming, not by copying and truncating")
    }

    func skip(_ count: Int) throws -> Int {
        let current = lseek(fd, 0, SEEK_CUR)
        let end = lseek(fd, 0, SEEK_END)
        guard current >= 0, end >= 0 else {
            // Not seekable (a pipe): read and discard.
            return try readAndDiscard(count)
        }
        let target = current + off_t(min(Int(end - current), count))
        lseek(fd, target, SEEK_SET)
        offset += Int(target - current)
        return Int(target - current)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// For standard input: whether a read would return at once (data, or the end of the feed).
    func hasReadyInput() -> Bool {
        guard isStandardInput else { return true }
        return waitReadable(milliseconds: 0)
    }

    func waitForInput(upTo seconds: Double) {
        if isStandardInput { _ = waitReadable(milliseconds: Int32(min(max(0, seconds), 60) * 1000)) }
    }

    private func waitReadable(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return Glibc.poll(&descriptor, 1, milliseconds) > 0
    }
}

final class GzipStream: ByteStream {
    private var file: gzFile?
    private let path: String

    init(file: gzFile, path: String) {
        self.file = file
        self.path = path
        gzbuffer(file, 1 << 17)
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        let count = gzread(file, buffer, UInt32(capacity))
        guard count >= 0 else {
            throw FlowError(.missingInput, "\(path) is not a valid gzip file (or is truncated); check the file or drop its .gz ending if it is plain")
        }
        if count == 0 {
            // zlib reports a stream cut off before its end only here, as Z_BUF_ERROR.
            var status: Int32 = Z_OK
            _ = gzerror(file, &status)
            guard status == Z_OK else {
                throw FlowError(.missingInput, "\(path) ends in the middle of its gzip stream (the file is truncated); restore the whole file")
            }
        }
        return Int(count)
    }

    func close() {
        if let file { gzclose(file) }
        file = nil
    }
}

final class ZstdStream: ByteStream {
    private let source: PlainStream
    private let path: String
    private let context: OpaquePointer
    private var input: [UInt8] = Array(repeating: 0, count: ZSTD_DStreamInSize())
    private var inputPosition = 0
    private var inputSize = 0
    private var frameComplete = true
    private var sawInput = false

    init(fd: Int32, path: String) {
        source = PlainStream(fd: fd, path: path)
        self.path = path
        context = ZSTD_createDCtx()
    }

    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) throws -> Int {
        while true {
            if inputPosition == inputSize {
                inputSize = try input.withUnsafeMutableBytes { try source.read(into: $0.baseAddress!, capacity: $0.count) }
                inputPosition = 0
                if inputSize == 0 {
                    guard frameComplete || !sawInput else { throw truncated() }
                    return 0
                }
                sawInput = true
            }
            let (produced, hint) = input.withUnsafeBytes { raw -> (Int, Int) in
                var inBuffer = ZSTD_inBuffer(src: raw.baseAddress, size: inputSize, pos: inputPosition)
                var outBuffer = ZSTD_outBuffer(dst: buffer, size: capacity, pos: 0)
                let hint = ZSTD_decompressStream(context, &outBuffer, &inBuffer)
                inputPosition = inBuffer.pos
                return (outBuffer.pos, hint)
            }
            if ZSTD_isError(hint) != 0 { throw FlowError(.missingInput, "\(path) is not a valid zstd file: \(String(cString: ZSTD_getErrorName(hint)))") }
            frameComplete = hint == 0
            if produced > 0 { return produced }
        }
    }

    private func truncated() -> FlowError {
        FlowError(.missingInput, "\(path) ends in the middle of a zstd frame (truncated); check the file")
    }

    func close() {
        source.close()
        ZSTD_freeDCtx(context)
    }
}
