#if canImport(Glibc)
import Glibc
#endif

/// Reads a whole regular file whose size is checked before anything is allocated: a checkpoint's
/// file or a job file that is huge, a pipe or a folder (and for checkpoints, a link) is refused
/// instead of read.
public enum BoundedFileRead {
    public enum Problem: Error, CustomStringConvertible {
        case missing
        case notAFile
        case tooLarge(Int, maximum: Int)
        case unreadable(String)

        public var description: String {
            switch self {
            case .missing: "is missing"
            case .notAFile: "is not a regular file"
            case .tooLarge(let size, let maximum): "has \(size) bytes, more than the \(maximum) it may have"
            case .unreadable(let reason): "cannot be read (\(reason))"
            }
        }
    }

    /// The file's bytes; with `followingLinks` false a symbolic link is refused as not a file.
    public static func read(_ path: String, maximum: Int, followingLinks: Bool = false) throws(Problem) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            switch errno {
            case ENOENT: throw .missing
            case ELOOP: throw .notAFile
            default: throw .unreadable(String(cString: strerror(errno)))
            }
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notAFile }
        let size = Int(status.st_size)
        guard size <= maximum else { throw .tooLarge(size, maximum: maximum) }
        var failure: Problem?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = Glibc.read(fd, buffer.baseAddress! + count, size - count)
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else {
                    failure = .unreadable(got == 0 ? "it became shorter while read" : String(cString: strerror(errno)))
                    return
                }
                count += got
            }
        }
        if let failure { throw failure }
        return bytes
    }
}
