/// Runs one subtask of an ``Operator``: the receiver the stream is pushed into. It restores and
/// opens the operator, hands it batches and watermarks, passes watermarks on, takes the
/// operator's snapshot at each barrier before passing the barrier on, and ends its output after
/// the operator's end-of-input hook. The operator's side outputs get its records after each call,
/// and each barrier and the end of input, before its main output does.
final class OperatorHost<Op: Operator>: ElementReceiver {
    private let op: Op
    private let calls: OperatorCalls<Op>
    private let sides: [any SideChannel]
    private let output: Collector<Op.Output>
    private let setup: SubtaskSetup
    private let declared: [StateDeclaration]
    private let meters: SubtaskMeters

    /// Builds the operator's host: restores its state (when the job is restored) and opens it.
    init(_ op: Op, calls: OperatorCalls<Op> = OperatorCalls(), builtIn context: SubtaskContext, setup: SubtaskSetup,
         downstream: any ElementReceiver<Op.Output>) throws {
        self.op = op
        self.calls = calls
        sides = context.sideChannels.all
        self.setup = setup
        meters = setup.metrics.meters(operatorID: setup.operatorID, subtask: setup.subtask)
        output = Collector(downstream, countingInto: meters.recordsOut)
        declared = op.declaredState
        try setup.restore(declared: declared) { state in try callingOperator(setup.operatorID) { try op.restoreState(from: state) } }
        try callingOperator(setup.operatorID) { try op.open() }
    }

    func receive(_ batch: [Op.Input]) throws {
        meters.recordsIn.add(batch.count)
        meters.batchesIn.add(1)
        let started = SubtaskMeters.nanoseconds()
        try callingOperator(setup.operatorID) { try calls.process(op, batch, output) }
        meters.busyNanoseconds.add(SubtaskMeters.nanoseconds() - started)
        for side in sides { try side.sendBatch() }
        try output.sendBatch()
    }

    func receive(watermark: EventTime) throws {
        meters.record(watermark: watermark)
        try callingOperator(setup.operatorID) { try calls.onWatermark(op, watermark, output) }
        for side in sides { try side.sendBatch() }
        if op.forwardsWatermarks {
            try output.emit(watermark: watermark)
        } else if output.hasPending {
            try output.sendBatch()
        }
    }

    func receive(barrier: CheckpointBarrier) throws {
        try callingOperator(setup.operatorID) {
            try setup.takeSnapshot(for: barrier, declared: declared) { try op.snapshotState(into: &$0) }
        }
        for side in sides { try side.send(barrier: barrier) }
        try output.send(barrier: barrier)
    }

    func flush() throws {
        try callingOperator(setup.operatorID) { try op.onBufferTimeout() }
        for side in sides { try side.flush() }
        try output.flush()
    }

    func receiveEndOfInput() throws {
        try callingOperator(setup.operatorID) { try calls.onEndOfInput(op, output) }
        for side in sides { try side.sendEndOfInput() }
        try output.sendEndOfInput()
    }
}
