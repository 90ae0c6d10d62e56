import Synchronization

/// Named counters that operators add to and the progress line reads, from any thread.
///
/// Operators add once per batch, not once per record: each add is an atomic operation.
public final class JobMetrics: Sendable {
    private let counters: Locked<[String: Counter]> = Locked([:])
    private let gauges: Locked<[String: Int64]> = Locked([:])

    public init() {}

    /// The counter named `name`, created at zero on first use.
    public func counter(_ name: String) -> Counter {
        counters.withLock { all in
            if let existing = all[name] { return existing }
            let counter = Counter()
            all[name] = counter
            return counter
        }
    }

    /// The current value of counter `name` (0 if it was never used).
    public func value(_ name: String) -> Int {
        counters.withLock { $0[name]?.value ?? 0 }
    }

    /// The names of the counters that start with `prefix`, sorted.
    public func counterNames(startingWith prefix: String) -> [String] {
        counters.withLock { $0.keys.filter { $0.hasPrefix(prefix) }.sorted() }
    }

    /// Sets gauge `name` to `value` if it is larger (for "event time reached").
    public func raiseGauge(_ name: String, to value: Int64) {
        gauges.withLock { all in
            if value > all[name] ?? .min { all[name] = value }
        }
    }

    /// The value of gauge `name`, if set.
    public func gauge(_ name: String) -> Int64? { gauges.withLock { $0[name] } }
}

/// A subtask's share of a job counter: it adds to the shared counter and keeps its own total,
/// which goes into the subtask's checkpoint so that counts survive a restore.
public struct TalliedCounter {
    private let counter: Counter
    public private(set) var total = 0

    public init(_ counter: Counter) { self.counter = counter }

    public mutating func add(_ amount: Int) {
        total += amount
        counter.add(amount)
    }
}

/// An atomic counter.
public final class Counter: Sendable {
    private let storage = Atomic<Int>(0)

    public init() {}

    public func add(_ amount: Int) {
        if amount != 0 { storage.wrappingAdd(amount, ordering: .relaxed) }
    }

    public var value: Int { storage.load(ordering: .relaxed) }
}
