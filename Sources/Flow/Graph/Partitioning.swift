/// How the records of one task reach the subtasks of the next.
public enum Partitioning: Sendable, Equatable, CustomStringConvertible {
    /// Subtask i to subtask i (equal parallelism); operators on both sides can share a chain.
    case forward
    /// From one subtask to n: batch i goes to subtask i mod n. The n subtasks must send exactly
    /// one batch back for each batch they get, so that ``orderedGather`` restores the order.
    case orderedRebalance
    /// From n subtasks back to one, reading them in the order ``orderedRebalance`` dealt the
    /// batches: the stream comes out exactly as it went in.
    case orderedGather
    /// By the key group of each record's key: every record with one key reaches one subtask.
    case hash
    /// From n subtasks to one, in arrival order; watermarks are combined by their minimum.
    case gather

    public var description: String {
        switch self {
        case .forward: "forward"
        case .orderedRebalance: "ordered round-robin"
        case .orderedGather: "ordered gather"
        case .hash: "hash by key group"
        case .gather: "gather"
        }
    }
}
