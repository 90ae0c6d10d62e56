import Flow
#if canImport(Glibc)
import Glibc
#endif

/// A buffered output file that appears under its final name only when complete: bytes go to
/// `.<name>.inprogress` beside it, and ``publish()`` renames it into place, so a reader never
/// sees half a file and a failed run leaves no truncated output behind.
///
/// For exactly-once output across crashes, a checkpoint records a ``Mark``: the file's length and
/// the CRC-32 of those bytes. A restored run resumes the in-progress file only if it is that file
/// (see `FileOutput+Resume.swift`), cut back to the length, so what was written after the
/// checkpoint (and will be written again) is dropped.
public final class FileOutput {
    /// Where the output stands at a checkpoint; it identifies the file the checkpoint owns.
    public struct Mark {
        /// Bytes written and synced.
        public var length: Int
        /// CRC-32 of those bytes.
        public var checksum: UInt32

        public init(length: Int, checksum: UInt32) {
            self.length = length
            self.checksum = checksum
        }
    }

    let path: String
    let temporaryPath: String
    var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []
    /// CRC-32 of every byte handed to the file so far.
    var checksum: UInt32 = 0
    /// Bytes written so far, buffered ones included.
    public private(set) var length = 0

    /// Writes into `file`, open at the in-progress name of `path` and positioned at its end.
    init(path: String, file: UnsafeMutablePointer<FILE>, checksum: UInt32 = 0, length: Int = 0) {
        self.path = path
        temporaryPath = Self.inProgressPath(of: path)
        self.file = file
        self.checksum = checksum
        self.length = length
        buffer.reserveCapacity(1 << 16)
    }

    /// Starts a new file.
    public convenience init(path: String) throws {
        guard let file = fopen(Self.inProgressPath(of: path), "wb") else {
            throw FlowError(.output, "cannot create output file \(path): \(String(cString: strerror(errno))); check that its folder exists and is writable")
        }
        self.init(path: path, file: file)
    }

    /// `.<name>.inprogress` beside `path`.
    static func inProgressPath(of path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return folder + "." + name + ".inprogress"
    }

    /// Appends `text` (buffered; ``mark()`` makes it durable).
    public func write(_ text: String) throws {
        length += text.utf8.count
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try drain() }
    }

    func write(bytes: [UInt8]) throws {
        length += bytes.count
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try drain() }
    }

    private func drain() throws {
        checksum = CRC32.update(checksum, buffer)
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else { throw FlowError(.output, "cannot write output file \(path): \(String(cString: strerror(errno)))") }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes everything so far to disk and returns where the file stands (the pre-commit of a checkpoint).
    public func mark() throws -> Mark {
        try drain()
        guard fflush(file) == 0, fsync(fileno(file)) == 0 else {
            throw FlowError(.output, "cannot write output file \(path): \(String(cString: strerror(errno)))")
        }
        return Mark(length: Int(ftello(file)), checksum: checksum)
    }

    /// Flushes, syncs and renames the file into place, then syncs its folder so the rename lasts.
    public func publish() throws {
        _ = try mark()
        fclose(file)
        file = nil
        guard rename(temporaryPath, path) == 0 else {
            throw FlowError(.output, "cannot move the finished output into place at \(path): \(String(cString: strerror(errno)))")
        }
        try DurableFiles.syncFolder(holding: path)
    }

    /// Publishes the finished (closed) in-progress file of `path`; nothing if it is published
    /// already (by another thread meanwhile too).
    public static func publishFinished(path: String) throws {
        let temporaryPath = inProgressPath(of: path)
        guard access(temporaryPath, F_OK) == 0 else { return }
        guard rename(temporaryPath, path) == 0 || (errno == ENOENT && access(path, F_OK) == 0) else {
            throw FlowError(.output, "cannot move the finished output into place at \(path): \(String(cString: strerror(errno)))")
        }
        try DurableFiles.syncFolder(holding: path)
    }

    /// Removes `path` and its in-progress file, whichever exist.
    public static func remove(path: String) {
        unlink(path)
        unlink(inProgressPath(of: path))
    }

    /// Closes the file without publishing it or removing it (a job stopped at a savepoint resumes it).
    public func keepForResume() {
        guard let file else { return }
        _ = try? mark()
        fclose(file)
        self.file = nil
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryPath)
        }
    }
}
