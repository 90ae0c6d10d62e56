#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What the runtime measures of one operator subtask, whatever the operator does: records and
/// batches in and out, time spent in the operator's calls (busy) and waiting for a full channel
/// downstream (backpressured), the watermark it last received and how full its input queue is.
/// The host adds to the counters once per batch; exporters read them whenever they like.
public final class SubtaskMeters: Sendable {
    public let recordsIn = Counter()
    public let batchesIn = Counter()
    public let recordsOut = Counter()
    /// Nanoseconds in the operator's record calls.
    public let busyNanoseconds = Counter()
    /// Nanoseconds the subtask's thread waited to send into a full channel (counted by the
    /// subtask whose output waits: the last of its task's chain).
    public let backpressuredNanoseconds = Counter()
    private let watermarkMilliseconds = Atomic<Int64>(.min)
    private let inputQueue = Locked<(@Sendable () -> Double)?>(nil)

    init() {}

    /// The watermark the operator last received, if any.
    public var watermark: EventTime? {
        let value = watermarkMilliseconds.load(ordering: .relaxed)
        return value == .min ? nil : EventTime(milliseconds: value)
    }

    func record(watermark: EventTime) {
        watermarkMilliseconds.store(watermark.milliseconds, ordering: .relaxed)
    }

    /// How full the subtask's input queue is, 0 to 1 (nil when its input is chained, not queued).
    public var inputQueueFill: Double? { inputQueue.withLock { $0 }?() }

    func measureInputQueue(_ fill: @escaping @Sendable () -> Double) {
        inputQueue.withLock { $0 = fill }
    }

    /// The monotonic clock in nanoseconds: what busy and backpressured time are measured on.
    static func nanoseconds() -> Int {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
    }
}
