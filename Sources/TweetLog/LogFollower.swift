import Flow
#if canImport(Glibc)
import Glibc
#endif

/// Follows a plain log file as it grows, like `tail -F`: tells a reader that has caught up with
/// the file whether the file at the path was replaced (rotated: renamed away and created anew) or
/// cut shorter (truncated), so that it reopens it, and waits for the file's folder to change
/// (inotify) instead of polling it.
final class LogFollower {
    /// What became of the followed file since it was opened.
    enum Change: Equatable {
        case none
        /// Another file is at the path now, or none is: the old one was rotated away.
        case replaced
        /// The same file is shorter than what was read of it.
        case truncated
    }

    let path: String
    /// An inotify descriptor watching the file's folder; -1 where inotify is not available.
    private let watch: Int32

    init(path: String) {
        self.path = path
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        let events = UInt32(IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB | IN_CLOSE_WRITE)
        if descriptor >= 0, inotify_add_watch(descriptor, folder.isEmpty ? "/" : folder, events) < 0 {
            close(descriptor)
            watch = -1
        } else {
            watch = descriptor
        }
    }

    deinit {
        if watch >= 0 { close(watch) }
    }

    /// Compares the open descriptor `fd`, of which `offset` bytes were read, with the path.
    func change(openAs fd: Int32, offset: Int) -> Change {
        var open = stat(), current = stat()
        guard fstat(fd, &open) == 0 else { return .replaced }
        // While a rotation has renamed the file and not yet created the new one, keep reading the old.
        guard stat(path, &current) == 0 else { return .none }
        if open.st_dev != current.st_dev || open.st_ino != current.st_ino { return .replaced }
        return Int(open.st_size) < offset ? .truncated : .none
    }

    /// Waits until something in the file's folder changes, at most `seconds`.
    func waitForChange(upTo seconds: Double) {
        guard watch >= 0 else {
            // No inotify: poll the file every few milliseconds.
            SystemClock().sleep(seconds: min(seconds, 0.005))
            return
        }
        var descriptor = pollfd(fd: watch, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, Int32(min(max(0, seconds), 60) * 1000)) > 0 else { return }
        // Drain the events: which file changed does not matter, the reader looks again.
        var events = [UInt8](repeating: 0, count: 4096)
        while events.withUnsafeMutableBytes({ read(watch, $0.baseAddress, $0.count) }) > 0 {}
    }
}
