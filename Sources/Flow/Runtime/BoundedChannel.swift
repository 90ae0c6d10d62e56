#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bounded first-in first-out queue between tasks: the only shared mutable structure on the
/// data path.
///
/// A sender blocks while the queue is full, so a slow consumer slows its producers
/// (backpressure) instead of letting memory grow. Elements are batches, so the lock is taken once
/// per batch, not once per record. ``cancel()`` wakes every waiter so that a failing job can stop.
///
/// `@unchecked Sendable` is sound because every access to `buffer`, `head`, `count` and
/// `isCancelled` happens while holding `mutex`.
public final class BoundedChannel<Element: Sendable>: @unchecked Sendable {
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var isCancelled = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates a channel that holds at most `capacity` elements.
    public init(capacity: Int) {
        precondition(capacity > 0, "a channel needs a capacity of at least 1, got \(capacity)")
        buffer = Array(repeating: nil, count: capacity)
        pthread_mutex_init(mutex, nil)
        // Timed waits measure the monotonic clock, which a change of the system time does not move.
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(notEmpty, &attributes)
        pthread_condattr_destroy(&attributes)
        pthread_cond_init(notFull, nil)
    }

    deinit {
        pthread_cond_destroy(notFull)
        pthread_cond_destroy(notEmpty)
        pthread_mutex_destroy(mutex)
        notFull.deallocate()
        notEmpty.deallocate()
        mutex.deallocate()
    }

    /// Appends `element`, waiting while the channel is full. Returns false if the channel was
    /// cancelled (the element is dropped).
    @discardableResult
    public func send(_ element: sending Element) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == buffer.count && !isCancelled { pthread_cond_wait(notFull, mutex) }
        if isCancelled { return false }
        buffer[(head + count) % buffer.count] = element
        count += 1
        pthread_cond_signal(notEmpty)
        return true
    }

    /// Removes and returns the oldest element, waiting while the channel is empty. Returns nil
    /// once the channel is cancelled.
    public func receive() -> Element? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count == 0 && !isCancelled { pthread_cond_wait(notEmpty, mutex) }
        if isCancelled { return nil }
        let element = buffer[head].take()
        head = (head + 1) % buffer.count
        count -= 1
        pthread_cond_signal(notFull)
        return element
    }

    /// What a receive that waits at most a while found.
    public enum TimedReceive {
        case element(Element)
        /// Nothing arrived in time.
        case timedOut
        case cancelled
    }

    /// Removes and returns the oldest element, waiting at most `seconds` while the channel is empty.
    public func receive(waitingAtMost seconds: Double) -> TimedReceive {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if count == 0 && !isCancelled && seconds > 0 {
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let nanoseconds = Int(deadline.tv_nsec) + Int(seconds * 1e9)
            deadline.tv_sec += nanoseconds / 1_000_000_000
            deadline.tv_nsec = nanoseconds % 1_000_000_000
            while count == 0 && !isCancelled {
                if pthread_cond_timedwait(notEmpty, mutex, &deadline) == ETIMEDOUT { break }
            }
        }
        if isCancelled { return .cancelled }
        guard count > 0 else { return .timedOut }
        let element = buffer[head].take()!
        head = (head + 1) % buffer.count
        count -= 1
        pthread_cond_signal(notFull)
        return .element(element)
    }

    /// Wakes every waiting sender and receiver; later sends and receives return at once.
    public func cancel() {
        pthread_mutex_lock(mutex)
        isCancelled = true
        pthread_cond_broadcast(notEmpty)
        pthread_cond_broadcast(notFull)
        pthread_mutex_unlock(mutex)
    }
}
