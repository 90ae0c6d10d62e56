/// A typed stream an operator emits besides its main output: rejected lines, late records, dead
/// letters.
///
/// The operator asks its context for the side output's collector
/// (``SubtaskContext/sideOutput(_:)``) and emits into it; the job ends the side stream in a sink
/// chained to the operator (``DataStream/sideSink(_:_:id:_:)``), one subtask beside each of the
/// operator's, which takes part in checkpoints like any operator. The operator's host sends the
/// side stream's records on after each call, and a barrier and the end of input after the
/// operator's snapshot and end-of-input hook, so what the side sink keeps at a checkpoint is
/// exactly what the operator emitted before it. A side output no sink takes is discarded.
public final class SideOutput<Record: Sendable>: Sendable {
    /// The side stream's name, for the plan and messages.
    public let name: String
    let edge = StreamEdge<Record>()

    public init(_ name: String) { self.name = name }
}

/// What a host drives of a side output's collector: the same calls it makes on the main output.
protocol SideChannel: AnyObject {
    func sendBatch() throws
    func send(barrier: CheckpointBarrier) throws
    func sendEndOfInput() throws
    func flush() throws
}

extension Collector: SideChannel {}

/// The side-output collectors an operator took from its context while it was built, for its host.
final class SideChannels: @unchecked Sendable {
    // Filled and read on the subtask's thread while it is built, before the operator runs.
    private(set) var all: [any SideChannel] = []

    func add(_ channel: any SideChannel) { all.append(channel) }
}

extension SubtaskContext {
    /// The collector of side output `output` for this subtask: what the operator emits into it
    /// goes to the side output's sink, if the job has one.
    public func sideOutput<Record>(_ output: SideOutput<Record>) -> Collector<Record> {
        let collector = Collector(output.edge.attachedReceiver(subtask: subtaskIndex) ?? DiscardingReceiver<Record>())
        sideChannels.add(collector)
        return collector
    }
}
