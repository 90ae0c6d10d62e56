import Flow

/// ``BoundedOutOfOrdernessWatermarks`` run by every subtask of an ordered parallel region (the
/// tweet decoders), with the result one subtask reading the whole stream in order would have:
/// the watermark before each record is the largest event time of every record before it, in
/// the input's order, minus `delay`.
///
/// Each batch's ``WatermarkProgress`` goes to an ``OrderedPrefix`` shared by the subtasks, which
/// returns the progress through every earlier batch (whichever subtask had them). Every record
/// is stamped with the watermark the sequential generator would have sent last before it
/// (``WatermarkStamped/sequencedWatermark``): the keyed operators after it see the subtasks'
/// watermarks combined by the minimum, which may lag that far behind, and judge lateness by the
/// stamp, so which records are late never depends on parallelism or timing. A subtask sends a watermark when its step moves (as the sequential
/// generator does), also at the start of a batch the others' batches moved it.
///
/// Declared state: the progress through this subtask's last batch (a union list: a restored
/// subtask starts from the furthest, which covers every batch before the barrier).
public final class SequencedWatermarks<Record: Sendable & WatermarkStamped>: Operator {
    @usableFromInline let delay: Int64
    @usableFromInline let granularity: Int64
    @usableFromInline let earlier: OrderedPrefix<WatermarkProgress>
    @usableFromInline let subtask: Int
    @usableFromInline let parallelism: Int
    @usableFromInline let metrics: OperatorMetrics
    /// Batches this subtask handled since the run started.
    @usableFromInline var batchesSeen = 0
    /// The progress before the run (restored).
    @usableFromInline var restored = WatermarkProgress()
    /// The progress through the last record handled.
    @usableFromInline var progress = WatermarkProgress()
    /// The step of the last watermark this subtask sent.
    @usableFromInline var lastSentStep = Int64.min

    /// - Parameter earlier: shared by every subtask of the region (``sharedPrefix()``).
    public init(delay: Duration, earlier: OrderedPrefix<WatermarkProgress>, context: SubtaskContext) {
        self.delay = delay.milliseconds
        granularity = max(1, context.watermarkGranularity)
        self.earlier = earlier
        subtask = context.subtaskIndex
        parallelism = context.parallelism
        metrics = context.metrics
        earlier.cancel(with: context)
    }

    /// The prefix fold the subtasks of one region share.
    public static func sharedPrefix() -> OrderedPrefix<WatermarkProgress> {
        OrderedPrefix(initial: WatermarkProgress()) { $0.followed(by: $1) }
    }

    public var declaredState: [StateDeclaration] { [.unionList("progress")] }
    public var forwardsWatermarks: Bool { false }

    public func restoreState(from state: RestoredState) throws {
        for var reader in state.list("progress") {
            let largest = try reader.readEventTime(), stepStart = try reader.readEventTime()
            guard stepStart <= largest else { throw StateReader.Damaged(description: "a watermark step starts after the largest event time") }
            if largest > restored.largest { restored = WatermarkProgress(largest: largest, stepStart: stepStart, delay: delay, granularity: granularity) }
        }
        progress = restored
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(progress.largest)
        state.write(progress.stepStart)
        snapshot.add("progress", state)
    }

    @inlinable
    public func process(_ batch: [Record], into output: Collector<Record>) throws {
        let index = batchesSeen * parallelism + subtask
        batchesSeen += 1
        var own = WatermarkProgress(delay: delay, granularity: granularity)
        for record in batch { own.advance(to: record.eventTime.milliseconds) }
        progress = restored.followed(by: try earlier.publish(own, at: index))
        progress.delay = delay
        progress.granularity = granularity
        if let watermark = progress.watermark { try send(watermark, into: output) }
        var stamped = batch
        var runStart = 0
        for index in stamped.indices {
            if let watermark = progress.watermark { stamped[index].sequencedWatermark = EventTime(milliseconds: watermark) }
            guard progress.advance(to: stamped[index].eventTime.milliseconds) else { continue }
            output.emit(contentsOf: stamped[runStart...index])
            runStart = index + 1
            try send(progress.watermark!, into: output)
        }
        if runStart == 0 { output.emit(batch: stamped) } else { output.emit(contentsOf: stamped[runStart...]) }
        if progress.largest > .min { metrics.raiseGauge("event time", to: progress.largest) }
    }

    @inlinable
    func send(_ watermark: Int64, into output: Collector<Record>) throws {
        let step = progress.step(of: progress.stepStart)
        guard step > lastSentStep else { return }
        lastSentStep = step
        try output.emit(watermark: EventTime(milliseconds: watermark))
    }
}

/// How far a bounded-out-of-orderness watermark got over a run of records: the largest event
/// time, and the first running maximum in that largest time's step, where the step of a time `t`
/// is `(t − delay + 1) / granularity` (floored). A generator reading the records in order sends
/// `stepStart − delay` as its watermark when the step begins, so that is the watermark after them.
///
/// Progress folds: the progress over two runs is ``followed(by:)`` of theirs.
public struct WatermarkProgress: Sendable {
    public var largest = Int64.min
    public var stepStart = Int64.min
    @usableFromInline var delay: Int64 = 0
    @usableFromInline var granularity: Int64 = 1

    public init() {}

    @inlinable
    init(largest: Int64 = .min, stepStart: Int64 = .min, delay: Int64, granularity: Int64) {
        self.largest = largest
        self.stepStart = stepStart
        self.delay = delay
        self.granularity = granularity
    }

    /// The watermark a sequential generator sent last (nil before any record).
    @inlinable
    var watermark: Int64? { largest == .min ? nil : stepStart &- delay }

    @inlinable
    func step(of time: Int64) -> Int64 { (time &- delay &+ 1).flooredDivision(by: granularity) }

    /// Takes the next record's event time; true when that begins a new step (a watermark is due).
    @inlinable
    @discardableResult
    mutating func advance(to time: Int64) -> Bool {
        guard time > largest else { return false }
        let newStep = largest == .min || step(of: time) > step(of: largest)
        largest = time
        if newStep { stepStart = time }
        return newStep
    }

    /// The progress over this run and then `later` (whose settings it takes).
    @inlinable
    public func followed(by later: WatermarkProgress) -> WatermarkProgress {
        guard later.largest > largest else { return self }
        guard largest > .min, later.step(of: later.largest) == later.step(of: largest) else { return later }
        return WatermarkProgress(largest: later.largest, stepStart: stepStart, delay: later.delay, granularity: later.granularity)
    }
}
