#if canImport(Glibc)
import Glibc
#endif

/// Writing files so that a crash, even of the machine, leaves either the whole new file or the
/// old state: write to a temporary name, fsync, rename, then fsync the folder so the rename
/// itself is on disk.
public enum DurableFiles {
    /// Writes `bytes` to `path` through `.NAME.tmp`; the folder is not synced (see ``syncFolder(_:)``).
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let temporary = slash.map { String(path[...$0]) + "." + String(path[path.index(after: $0)...]) } ?? "." + path
        let temporaryPath = temporary + ".tmp"
        let fd = open(temporaryPath, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FlowError(.output, "cannot create \(temporaryPath): \(String(cString: strerror(errno))); check that the checkpoint folder is writable") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw FlowError(.output, "cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
            written += count
        }
        guard fsync(fd) == 0 else { throw FlowError(.output, "cannot sync \(temporaryPath) to disk: \(String(cString: strerror(errno)))") }
        guard rename(temporaryPath, path) == 0 else { throw FlowError(.output, "cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(errno)))") }
    }

    /// Syncs the folder `path`, so that the files created, renamed or removed in it stay so after a
    /// crash of the machine. A file system that cannot sync folders (EINVAL) is taken as is.
    public static func syncFolder(_ path: String) throws {
        let fd = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FlowError(.output, "cannot open the folder \(path) to sync it: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard fsync(fd) == 0 || errno == EINVAL else {
            throw FlowError(.output, "cannot sync the folder \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Syncs the folder that holds `path` (after a rename into it).
    public static func syncFolder(holding path: String) throws {
        guard let slash = path.lastIndex(of: "/") else { return try syncFolder(".") }
        try syncFolder(slash == path.startIndex ? "/" : String(path[..<slash]))
    }
}
