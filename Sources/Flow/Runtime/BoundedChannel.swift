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
/// The queue is bounded in time as well as in elements (buffer debloating): the channel measures
/// how long its receiver takes per element while elements wait for it, and then holds at most as
/// many as it takes in `inFlightTarget` seconds (at least one). So what waits ahead of a
/// checkpoint barrier takes about that long to process, however slow the receiver; a fast
/// receiver keeps the whole capacity.
///
/// `@unchecked Sendable` is sound because every mutable property is read and written only while
/// holding `mutex`.
public final class BoundedChannel<Element: Sendable>: @unchecked Sendable {
    private var buffer: [Element?]
    private var head = 0
    private var count = 0
    private var isCancelled = false
    private let inFlightTarget: Double
    /// The elements a sender may queue now: the capacity, less for a slow receiver.
    private var limit: Int
    /// When the receiver last took an element (monotonic seconds), and its smoothed time per element.
    private var lastReceive: Double?
    private var secondsPerElement = 0.0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates a channel that holds at most `capacity` elements, and at most what its receiver
    /// takes `inFlightTarget` seconds to take (infinity: no bound in time).
    public init(capacity: Int, inFlightTarget: Double = .infinity) {
        precondition(capacity > 0, "a channel needs a capacity of at least 1, got \(capacity)")
        precondition(inFlightTarget > 0, "a channel's in-flight target must be positive, got \(inFlightTarget)")
        buffer = Array(repeating: nil, count: capacity)
        // Bounded in time, it starts at one element and grows while the receiver keeps up.
        limit = inFlightTarget.isFinite ? 1 : capacity
        self.inFlightTarget = inFlightTarget
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

    /// Appends `element`, waiting while the channel is full, and adds the nanoseconds it waited
    /// to `waited`. Returns false if the channel was cancelled (the element is dropped).
    @discardableResult
    public func send(_ element: sending Element, waitedInto waited: Counter? = nil) -> Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if count >= limit && !isCancelled {
            let started = SubtaskMeters.nanoseconds()
            while count >= limit && !isCancelled { pthread_cond_wait(notFull, mutex) }
            waited?.add(SubtaskMeters.nanoseconds() - started)
        }
        if isCancelled { return false }
        buffer[(head + count) % buffer.count] = element
        count += 1
        pthread_cond_signal(notEmpty)
        return true
    }

    /// How full the channel is: its elements over its capacity.
    public var fill: Double {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return Double(count) / Double(buffer.count)
    }

    /// Removes and returns the oldest element, waiting while the channel is empty. Returns nil
    /// once the channel is cancelled.
    public func receive() -> Element? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        measureReceiver(waited: count == 0)
        while count == 0 && !isCancelled { pthread_cond_wait(notEmpty, mutex) }
        if isCancelled { return nil }
        lastReceive = inFlightTarget.isFinite ? SystemClock.monotonicSeconds() : nil
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

    /// Removes and returns the oldest element, waiting at most `seconds` (and at most a day) while
    /// the channel is empty.
    public func receive(waitingAtMost seconds: Double) -> TimedReceive {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        measureReceiver(waited: count == 0)
        if count == 0 && !isCancelled && seconds > 0 {
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            // At most a day at a time: a timeout from a setting may be years, past what a timespec holds.
            let nanoseconds = Int(deadline.tv_nsec) + Int(min(seconds, 86_400) * 1e9)
            deadline.tv_sec += nanoseconds / 1_000_000_000
            deadline.tv_nsec = nanoseconds % 1_000_000_000
            while count == 0 && !isCancelled {
                if pthread_cond_timedwait(notEmpty, mutex, &deadline) == ETIMEDOUT { break }
            }
        }
        if isCancelled { return .cancelled }
        guard count > 0 else {
            lastReceive = nil
            return .timedOut
        }
        lastReceive = inFlightTarget.isFinite ? SystemClock.monotonicSeconds() : nil
        let element = buffer[head].take()!
        head = (head + 1) % buffer.count
        count -= 1
        pthread_cond_signal(notFull)
        return .element(element)
    }

    /// Called with the mutex held as the receiver asks for the next element: when one was waiting
    /// for it, the time since it took the last one is what it spent on that one, which sets the
    /// limit. A receiver that has to wait keeps up; the limit doubles, up to the capacity.
    private func measureReceiver(waited: Bool) {
        guard let last = lastReceive else { return }
        lastReceive = nil
        guard !waited else {
            if limit < buffer.count {
                limit = min(buffer.count, limit * 2)
                pthread_cond_broadcast(notFull)
            }
            return
        }
        let spent = SystemClock.monotonicSeconds() - last
        secondsPerElement = secondsPerElement == 0 ? spent : secondsPerElement * 0.75 + spent * 0.25
        let affordable = inFlightTarget / max(secondsPerElement, 1e-9)
        let newLimit = affordable >= Double(buffer.count) ? buffer.count : max(1, Int(affordable))
        if newLimit > limit { pthread_cond_broadcast(notFull) }
        limit = newLimit
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
