import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Keeps a checkpoint folder to one run at a time: an exclusive `flock(2)` on `.lock` in the
/// folder, taken before the run reads any checkpoint and held as long as this object lives (the
/// coordinator keeps it for the whole run). The kernel drops it when the process ends, however it
/// ends, so a crash never leaves a stale lock. The file holds the holder's process id, for the
/// message a second run gets.
public final class CheckpointFolderLock: Sendable {
    public static let fileName = ".lock"

    private let descriptor: Int32

    /// Creates the folder if needed and takes its lock.
    /// - Throws: `FlowError(.invalidJob)` naming the holder when another run (or another lock in
    ///   this process) holds the folder; `FlowError(.output)` when the folder cannot be written.
    public init(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FlowError(.output, "cannot create the checkpoint folder \(directory): \(error.localizedDescription); check that its parent is writable")
        }
        let path = directory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw FlowError(.output, "cannot open \(path): \(String(cString: strerror(errno))); check that the checkpoint folder is writable") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let holder = Self.holder(fd)
            close(fd)
            guard reason == EWOULDBLOCK else { throw FlowError(.output, "cannot lock \(path): \(String(cString: strerror(reason)))") }
            throw FlowError(.invalidJob, "another run\(holder.map { " (process \($0))" } ?? "") holds the checkpoint folder \(directory); wait for it to end, or give this run another --checkpoint-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    /// The process id the holder wrote, if it has yet.
    private static func holder(_ fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    deinit { close(descriptor) }
}
