/// The state of one subtask of one operator at one checkpoint: state shared by the whole subtask,
/// and keyed state split by key group so it can be redistributed at another parallelism.
public struct OperatorSnapshot: Sendable {
    /// The operator's identity in the job (its step number and kind), stable across runs.
    public var operatorID: String
    public var subtask: Int
    public var parallelism: Int
    /// The key groups this subtask owned.
    public var keyGroupRange: KeyGroupRange
    /// State that belongs to the subtask as a whole (positions, watermarks, side-output lists).
    public var shared: [UInt8]
    /// Keyed state per key group, by ascending group.
    public var keyGroups: [(group: Int, state: [UInt8])]
    /// A source's position in words, for `flowrun checkpoints inspect`.
    public var position: String?

    public init(operatorID: String, subtask: Int, parallelism: Int, keyGroupRange: KeyGroupRange,
                shared: [UInt8], keyGroups: [(group: Int, state: [UInt8])] = [], position: String? = nil) {
        self.operatorID = operatorID
        self.subtask = subtask
        self.parallelism = parallelism
        self.keyGroupRange = keyGroupRange
        self.shared = shared
        self.keyGroups = keyGroups.sorted { $0.group < $1.group }
        self.position = position
    }

    /// The snapshot's file name inside a checkpoint folder.
    public var fileName: String { "\(operatorID).\(subtask).snap" }
}

/// What a restored operator subtask gets back from a checkpoint: the shared state of every
/// subtask the operator had then, and the keyed state of the key groups it owns now.
public struct OperatorRestore: Sendable {
    public var checkpointID: Int64
    /// Shared state of each subtask of the checkpointed operator, by its subtask index then.
    /// List-like state (side-output entries) is taken by subtask 0 only, so nothing doubles.
    public var shared: [[UInt8]]
    /// Keyed state of the key groups this subtask owns, by ascending group.
    public var keyGroups: [(group: Int, state: [UInt8])]

    public init(checkpointID: Int64, shared: [[UInt8]], keyGroups: [(group: Int, state: [UInt8])]) {
        self.checkpointID = checkpointID
        self.shared = shared
        self.keyGroups = keyGroups
    }

    /// The state for the subtask owning `range`, from the snapshots of every subtask of one operator.
    public init(snapshots: [OperatorSnapshot], range: KeyGroupRange, checkpointID: Int64) {
        let parts = snapshots.sorted { $0.subtask < $1.subtask }
        self.init(checkpointID: checkpointID, shared: parts.map(\.shared),
                  keyGroups: parts.flatMap(\.keyGroups).filter { range.contains(KeyGroup($0.group)) }.sorted { $0.group < $1.group })
    }

    /// Shared state that exists once per operator (a position, a watermark): the first subtask's.
    public var firstShared: [UInt8]? { shared.first }
}
