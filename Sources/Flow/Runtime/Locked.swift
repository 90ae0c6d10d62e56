#if canImport(Glibc)
import Glibc
#endif

/// A value behind a POSIX mutex, for state that threads share.
///
/// The standard library's `Mutex` waits on the kernel's futex directly on Linux, which
/// ThreadSanitizer cannot see: every access it guards is reported as a race. A pthread mutex is
/// one ThreadSanitizer understands, so `scripts/sanitize thread` reports real races only.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value, holding the lock.
    public func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
