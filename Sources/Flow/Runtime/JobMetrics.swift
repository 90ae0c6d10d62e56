import CoreMetrics
import Synchronization

/// The job's counters and gauges, owned by the runtime: per operator, subtask and name, added to
/// by operators once per batch and read by the progress line, the summary, checkpoints and the
/// metrics endpoint. Beside the operators' own counters, the runtime keeps ``SubtaskMeters`` of
/// every operator subtask, and events that are not per record (checkpoints) go to swift-metrics
/// through ``factory`` (a no-op one unless the job's metrics are served).
///
/// Counters are not operator state. A checkpoint keeps each operator's totals beside the state
/// (in its manifest) and a restored job goes on from them, but a counter added or renamed never
/// makes a checkpoint unusable.
public final class JobMetrics: Sendable {
    private struct Key: Hashable {
        var operatorID: String
        var subtask: Int
        var name: String
    }

    private let counters: Locked<[Key: Counter]> = Locked([:])
    private let gauges: Locked<[String: Int64]> = Locked([:])
    /// Totals from the checkpoint a job was restored from, by operator and name: subtask 0's
    /// counter starts from them.
    private let restored: Locked<[String: [String: Int]]> = Locked([:])
    private let meters: Locked<[Key: SubtaskMeters]> = Locked([:])
    private let levels: Locked<[Key: Level]> = Locked([:])
    private let lifecycle: Locked<(started: Double?, finished: Double?)> = Locked((nil, nil))

    /// Where checkpoint events are recorded (swift-metrics' API; the backend is the caller's).
    public let factory: any MetricsFactory
    /// The `job` label of every exported metric.
    public let jobName: String

    public init(jobName: String = "flow", factory: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.jobName = jobName
        self.factory = factory
    }

    /// The runtime's meters of one operator subtask, created on first use.
    public func meters(operatorID: String, subtask: Int) -> SubtaskMeters {
        meters.withLock { all in
            let key = Key(operatorID: operatorID, subtask: subtask, name: "")
            if let existing = all[key] { return existing }
            let made = SubtaskMeters()
            all[key] = made
            return made
        }
    }

    /// Every operator subtask's meters, by operator id and subtask.
    public func allMeters() -> [(operatorID: String, subtask: Int, meters: SubtaskMeters)] {
        meters.withLock { all in all.map { (operatorID: $0.key.operatorID, subtask: $0.key.subtask, meters: $0.value) } }
    }

    /// Every operator counter's current value, by operator id, subtask and name.
    public func allCounters() -> [(operatorID: String, subtask: Int, name: String, value: Int)] {
        counters.withLock { all in all.map { (operatorID: $0.key.operatorID, subtask: $0.key.subtask, name: $0.key.name, value: $0.value.value) } }
    }

    /// Level `name` of one operator subtask, created on first use.
    func level(operatorID: String, subtask: Int, name: String) -> Level {
        levels.withLock { all in
            let key = Key(operatorID: operatorID, subtask: subtask, name: name)
            if let existing = all[key] { return existing }
            let made = Level()
            all[key] = made
            return made
        }
    }

    /// Every operator level that has been set, by operator id, subtask and name.
    public func allLevels() -> [(operatorID: String, subtask: Int, name: String, value: Int64)] {
        levels.withLock { all in
            all.compactMap { key, level in level.value.map { (operatorID: key.operatorID, subtask: key.subtask, name: key.name, value: $0) } }
        }
    }

    /// Every gauge's current value, by name.
    public func allGauges() -> [String: Int64] { gauges.withLock { $0 } }

    /// Marks the run started or finished (monotonic seconds), for readiness: the executor does,
    /// and a runtime of its own (a cluster worker) too.
    public func markStarted(at seconds: Double) { lifecycle.withLock { $0.started = seconds } }
    public func markFinished(at seconds: Double) { lifecycle.withLock { $0.finished = seconds } }

    /// When the job's tasks started (monotonic seconds), if they have.
    public var startedAt: Double? { lifecycle.withLock { $0.started } }

    /// Whether the job's tasks have started and not yet finished.
    public var isRunning: Bool { lifecycle.withLock { $0.started != nil && $0.finished == nil } }

    /// The metrics of one operator subtask.
    public func scope(operatorID: String, subtask: Int) -> OperatorMetrics {
        OperatorMetrics(job: self, operatorID: operatorID, subtask: subtask)
    }

    /// Counter `name` of one operator subtask, created on first use (from the restored total, for subtask 0).
    func counter(operatorID: String, subtask: Int, name: String) -> Counter {
        let key = Key(operatorID: operatorID, subtask: subtask, name: name)
        let base = subtask == 0 ? restored.withLock { $0[operatorID]?[name] ?? 0 } : 0
        return counters.withLock { all in
            if let existing = all[key] { return existing }
            let counter = Counter()
            counter.add(base)
            all[key] = counter
            return counter
        }
    }

    /// Starts counting from a checkpoint's totals (before any operator is built).
    func restore(_ totals: [String: [String: Int]]) {
        restored.withLock { $0 = totals }
    }

    /// The current values of one operator subtask's counters, for its snapshot.
    func values(operatorID: String, subtask: Int) -> [String: Int] {
        // Restored totals of counters this run has not used yet stay in the next checkpoint.
        let unused = subtask == 0 ? restored.withLock { $0[operatorID] ?? [:] } : [:]
        return counters.withLock { all in
            var values = unused
            for (key, counter) in all where key.operatorID == operatorID && key.subtask == subtask { values[key.name] = counter.value }
            return values
        }
    }

    /// The total of counter `name` over every operator and subtask (0 if none has it).
    public func value(_ name: String) -> Int {
        counters.withLock { all in all.reduce(0) { $0 + ($1.key.name == name ? $1.value.value : 0) } }
    }

    /// The total of counter `name` of one operator over its subtasks.
    public func value(_ name: String, operatorID: String) -> Int {
        counters.withLock { all in all.reduce(0) { $0 + ($1.key.name == name && $1.key.operatorID == operatorID ? $1.value.value : 0) } }
    }

    /// The names of the counters that start with `prefix`, sorted, each once.
    public func counterNames(startingWith prefix: String) -> [String] {
        counters.withLock { Set($0.keys.map(\.name).filter { $0.hasPrefix(prefix) }).sorted() }
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

/// The metrics one operator subtask adds to: what its ``SubtaskContext`` hands it.
public struct OperatorMetrics: Sendable {
    let job: JobMetrics
    public let operatorID: String
    public let subtask: Int

    /// This subtask's counter `name`; keep it and add to it once per batch.
    public func counter(_ name: String) -> Counter { job.counter(operatorID: operatorID, subtask: subtask, name: name) }

    /// This subtask's level `name` (a value that goes up and down, such as records behind the
    /// end of a Kafka partition); keep it and set it now and then. Exported, never checkpointed.
    public func level(_ name: String) -> Level { job.level(operatorID: operatorID, subtask: subtask, name: name) }

    /// A latency histogram of this operator, `label` a Prometheus name in seconds
    /// (`flow_…_seconds`), recorded through the job's swift-metrics backend.
    public func latency(_ label: String) -> LatencyRecorder {
        LatencyRecorder(label: label, dimensions: [("job", job.jobName), ("operator", operatorID)], factory: job.factory)
    }

    /// Raises job gauge `name` to `value` if that is larger.
    public func raiseGauge(_ name: String, to value: Int64) { job.raiseGauge(name, to: value) }
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

/// An atomic level: a value set now and then, unset until the first time.
public final class Level: Sendable {
    private let storage = Atomic<Int64>(.min)

    public init() {}

    public func set(_ value: Int64) { storage.store(value == .min ? .min + 1 : value, ordering: .relaxed) }

    /// The value last set, if any.
    public var value: Int64? {
        let value = storage.load(ordering: .relaxed)
        return value == .min ? nil : value
    }
}
