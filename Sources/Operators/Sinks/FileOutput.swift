import Flow
#if canImport(Glibc)
import Glibc
#endif

/// A buffered output file that appears under its final name only when complete: bytes go to
/// `.<name>.inprogress` beside it, and ``publish()`` renames it into place, so a reader never
/// sees half a file and a failed run leaves no truncated output behind.
final class FileOutput {
    let path: String
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: [UInt8] = []

    init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = folder + "." + name + ".inprogress"
        guard let file = fopen(temporaryPath, "wb") else {
            throw FlowError(.output, "cannot create output file \(path): \(String(cString: strerror(errno))); check that its folder exists and is writable")
        }
        self.file = file
        buffer.reserveCapacity(1 << 16)
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

    /// Flushes, syncs and renames the file into place.
    func publish() throws {
        try drain()
        guard fflush(file) == 0, fsync(fileno(file)) == 0 else {
            throw FlowError(.output, "cannot write output file \(path): \(String(cString: strerror(errno)))")
        }
        fclose(file)
        file = nil
        guard rename(temporaryPath, path) == 0 else {
            throw FlowError(.output, "cannot move the finished output into place at \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryPath)
        }
    }
}
