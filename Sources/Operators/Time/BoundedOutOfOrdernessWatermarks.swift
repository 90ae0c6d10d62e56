import Flow

/// Creates watermarks from the records' event times: the watermark is the largest event time
/// seen so far minus `delay`, and it advances with every record, never on a timer, so whether a
/// later record is late never depends on batching or timing.
///
/// A watermark element is sent only when `(watermark + 1) / granularity` changes: downstream
/// event-time operators (windows ending on multiples of the granularity) cannot tell the
/// watermarks in between apart. It follows the record that moved it, in order.
///
/// Declared state: the largest event time seen and the last watermark step sent (a split list of
/// one entry per subtask).
public final class BoundedOutOfOrdernessWatermarks<Record: Sendable & EventTimed>: Operator {
    @usableFromInline let delay: Int64
    @usableFromInline let granularity: Int64
    @usableFromInline var maxEventTime = Int64.min
    @usableFromInline var lastStep = Int64.min
    @usableFromInline let metrics: OperatorMetrics

    public init(delay: Duration, context: SubtaskContext) {
        self.delay = delay.milliseconds
        granularity = max(1, context.watermarkGranularity)
        metrics = context.metrics
    }

    public var declaredState: [StateDeclaration] { [.splitList("progress")] }
    public var forwardsWatermarks: Bool { false }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("progress").first else { return }
        maxEventTime = try reader.readEventTime()
        lastStep = try reader.readInt64()
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(maxEventTime)
        state.write(lastStep)
        snapshot.add("progress", state)
    }

    @inlinable  // specialised where a job names its record type
    public func process(_ batch: [Record], into output: Collector<Record>) throws {
        // Records go out in runs between watermarks: one append per run, not per record, and the
        // batch itself when no watermark falls inside it.
        var runStart = 0
        for index in batch.indices {
            let time = batch[index].eventTime.milliseconds
            guard time > maxEventTime else { continue }
            maxEventTime = time
            let watermark = time &- delay
            let step = (watermark &+ 1).flooredDivision(by: granularity)
            if step > lastStep {
                lastStep = step
                output.emit(contentsOf: batch[runStart...index])
                runStart = index + 1
                try output.emit(watermark: EventTime(milliseconds: watermark))
            }
        }
        if runStart == 0 { output.emit(batch: batch) } else { output.emit(contentsOf: batch[runStart...]) }
        if maxEventTime > .min { metrics.raiseGauge("event time", to: maxEventTime) }
    }

}
