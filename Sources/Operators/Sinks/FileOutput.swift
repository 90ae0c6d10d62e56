import Flow
#if canImport(Glibc)
import Glibc
#endif

/// A buffered output file that appears under its final name only when complete: bytes go to
/// `.<name>.inprogress` beside it, and ``publish()`` renames it into place, so a reader never
/// sees half a file and a failed run leaves no truncated output behind.
///
/// For exactly-once output across crashes, a checkpoint records ``syncedLength()``; a restored run
/// reopens the in-progress file cut back to that length, so what was written after the checkpoint
/// (and will be written again) is dropped.
final class FileOutput {
    let path: String
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []

    /// Starts a new file, or with `resumeLength` continues the in-progress file of a restored run.
    init(path: String, resumeLength: Int? = nil) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = folder + "." + name + ".inprogress"
        buffer.reserveCapacity(1 << 16)
        guard let resumeLength else {
            guard let file = fopen(temporaryPath, "wb") else {
                throw FlowError(.output, "cannot create output file \(path): \(String(cString: strerror(errno))); check that its folder exists and is writable")
            }
            self.file = file
            return
        }
        // A run that ended after publishing, then was restored, continues from the published file.
        if access(temporaryPath, F_OK) != 0 && access(path, F_OK) == 0 { rename(path, temporaryPath) }
        guard let file = fopen(temporaryPath, "r+b") else {
            throw FlowError(.output, "cannot resume output file \(path): its in-progress file \(temporaryPath) is missing (\(String(cString: strerror(errno)))); restore with the output it was written to, or start without --restore")
        }
        self.file = file
        guard ftruncate(fileno(file), off_t(resumeLength)) == 0, fseeko(file, off_t(resumeLength), SEEK_SET) == 0 else {
            throw FlowError(.output, "cannot cut \(temporaryPath) back to its checkpointed length: \(String(cString: strerror(errno)))")
        }
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try drain() }
    }

    private func drain() throws {
        let written = buffer.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        guard written == buffer.count else { throw FlowError(.output, "cannot write output file \(path): \(String(cString: strerror(errno)))") }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes everything so far to disk and returns the file's length (the pre-commit of a checkpoint).
    func syncedLength() throws -> Int {
        try drain()
        guard fflush(file) == 0, fsync(fileno(file)) == 0 else {
            throw FlowError(.output, "cannot write output file \(path): \(String(cString: strerror(errno)))")
        }
        return Int(ftello(file))
    }

    /// Flushes, syncs and renames the file into place.
    func publish() throws {
        _ = try syncedLength()
        fclose(file)
        file = nil
        guard rename(temporaryPath, path) == 0 else {
            throw FlowError(.output, "cannot move the finished output into place at \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Closes the file without publishing it or removing it (a job stopped at a savepoint resumes it).
    func keepForResume() {
        guard let file else { return }
        _ = try? syncedLength()
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
