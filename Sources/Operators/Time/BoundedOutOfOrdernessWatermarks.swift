import Flow

/// Creates watermarks from the records' event times: the watermark is the largest event time
/// seen so far minus `delay`, and it advances with every record, never on a timer, so whether a
/// later record is late never depends on batching or timing.
///
/// A watermark element is sent only when `(watermark + 1) / granularity` changes: downstream
/// event-time operators (windows ending on multiples of the granularity) cannot tell the
/// watermarks in between apart. It follows the record that moved it, in order.
///
/// Checkpointed state: the largest event time seen and the last watermark step sent.
public final class BoundedOutOfOrdernessWatermarks<Record: Sendable & EventTimed>: ElementReceiver {
    private let output: Output<Record>
    private let delay: Int64
    private let granularity: Int64
    private var maxEventTime = Int64.min
    private var lastStep = Int64.min
    private let metrics: JobMetrics
    private let context: SubtaskContext

    public init(output: Output<Record>, delay: Duration, context: SubtaskContext) throws {
        self.output = output
        self.delay = delay.milliseconds
        granularity = max(1, context.watermarkGranularity)
        metrics = context.metrics
        self.context = context
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            maxEventTime = try reader.readEventTime()
            lastStep = try reader.readInt64()
        }
    }

    public func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(maxEventTime)
        state.write(lastStep)
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    /// The tweet log's watermarks are the hot path; a specialised copy reads event times
    /// without copying each record through generic code.
    @_specialize(where Record == Tweet)
    public func receive(_ batch: [Record]) throws {
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
        try output.flush()
        if maxEventTime > .min { metrics.raiseGauge("event time", to: maxEventTime) }
    }

    /// Watermarks from upstream are replaced by this operator's own.
    public func receive(watermark: EventTime) throws {}
    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}
