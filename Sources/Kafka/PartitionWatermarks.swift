import Flow

/// Watermarks per partition, as Flink's Kafka source makes them: each partition's watermark is
/// the largest event time read from it minus the out-of-orderness, and the source's watermark is
/// the minimum over its partitions. A partition that sent nothing for `idleTimeout` seconds of
/// wall-clock time is left out of the minimum until it sends again, so an empty partition does not
/// hold windows back; so is one that reached the end of a bounded read. The result never goes back.
///
/// Whether a record is late depends only on its own partition's order when no record is late
/// for its partition's watermark; otherwise, as in every engine that merges partitions, on how
/// the partitions' records interleaved.
struct PartitionWatermarks {
    struct Partition {
        var maxEventTime = Int64.min
        var lastActivity: Double
        var finished = false
    }

    private let delay: Int64
    private let idleTimeout: Double?
    private(set) var partitions: [Int: Partition] = [:]
    /// The last watermark emitted (or restored).
    private(set) var emitted = Int64.min

    init(delay: Duration, idleTimeout: Duration?) {
        self.delay = delay.milliseconds
        self.idleTimeout = idleTimeout?.seconds
    }

    /// Starts tracking `partition` (from a restored largest event time, or none).
    mutating func track(_ partition: Int, maxEventTime: Int64 = .min, now: Double) {
        partitions[partition] = Partition(maxEventTime: maxEventTime, lastActivity: now)
    }

    /// Restores the last watermark emitted, so a restored source never sends an earlier one.
    mutating func restoreEmitted(_ watermark: Int64) { emitted = watermark }

    /// Notes a record of `partition` at `eventTime`.
    mutating func record(_ partition: Int, eventTime: Int64, now: Double) {
        guard var entry = partitions[partition] else { return }
        entry.lastActivity = now
        entry.maxEventTime = max(entry.maxEventTime, eventTime)
        partitions[partition] = entry
    }

    /// Notes that `partition` has nothing more to read (the end of a bounded read).
    mutating func finish(_ partition: Int) { partitions[partition]?.finished = true }

    /// The largest event time read from `partition`.
    func maxEventTime(_ partition: Int) -> Int64 { partitions[partition]?.maxEventTime ?? .min }

    /// The watermark to emit now, if it is later than the last one emitted.
    mutating func advance(now: Double) -> EventTime? {
        var minimum = Int64.max
        var counted = 0
        for entry in partitions.values where !entry.finished {
            if let idleTimeout, now - entry.lastActivity >= idleTimeout { continue }
            guard entry.maxEventTime > .min else { return nil }  // an active partition yet to send
            minimum = min(minimum, entry.maxEventTime &- delay)
            counted += 1
        }
        guard counted > 0, minimum > emitted else { return nil }
        emitted = minimum
        return EventTime(milliseconds: minimum)
    }
}
