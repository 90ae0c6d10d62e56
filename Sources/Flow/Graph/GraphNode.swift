/// One operator of a job graph, as the builder API records it: what it is called, how many
/// subtasks run it, how its input arrives, and how to build it on its task's thread.
///
/// The closures are typed where the node is made (in ``DataStream``) and erased here, so the
/// planner can handle nodes of every record type alike.
struct GraphNode: Sendable {
    enum Role: Sendable { case source, transform, sink }

    var name: String
    var role: Role
    var isParallel: Bool
    var input: Partitioning
    /// Set by event-time operators: the watermark step they can tell apart (a sliding window's slide).
    var watermarkGranularity: Int64?
    /// Set by operators that create watermarks from records.
    var assignsWatermarks = false
    /// Set by operators with state: a short name of their kind, which with the node's position
    /// makes their identity in checkpoints. Each of their subtasks acknowledges every barrier.
    var stateName: String?
    /// Builds the operator, given its downstream receiver; returns its own receiver (or a
    /// ``SourceRunner`` for a source).
    var build: @Sendable (_ downstream: AnyObject, _ context: SubtaskContext) throws -> AnyObject
    /// Makes the exchange that carries this node's input from the previous task.
    var makeInputExchange: (@Sendable (_ shape: ExchangeShape) -> any Exchange)?
}

/// A source operator ready to run: reads its input and pushes it downstream until the end.
public protocol SourceRunner: AnyObject {
    func run() throws
}
