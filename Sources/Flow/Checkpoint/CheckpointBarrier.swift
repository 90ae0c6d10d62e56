/// The in-band marker of checkpoint `id`: every record before it is covered by the checkpoint,
/// none after it. Sources emit it right after recording their position; every operator snapshots
/// its state when the barrier reaches it (aligned across its inputs) and passes it on.
public struct CheckpointBarrier: Sendable, Equatable {
    public var id: Int64
    /// A savepoint is the final checkpoint of a job asked to stop; nothing follows it.
    public var isSavepoint: Bool

    public init(id: Int64, isSavepoint: Bool = false) {
        self.id = id
        self.isSavepoint = isSavepoint
    }
}
