/// The state of one subtask of one operator at one checkpoint: its named states, and its counters.
public struct OperatorSnapshot: Sendable {
    /// The operator's identity in the job (the step's name or `id:` in the job file), stable across runs.
    public var operatorID: String
    public var subtask: Int
    public var parallelism: Int
    /// The key groups this subtask owned.
    public var keyGroupRange: KeyGroupRange
    /// The declared states, by name.
    public var states: [NamedState]
    /// The subtask's counters at the checkpoint (they go into the manifest, not the snapshot file).
    public var counters: [String: Int]
    /// A source's position in words, for `flowrun checkpoints inspect`.
    public var position: String?

    public init(operatorID: String, subtask: Int, parallelism: Int, keyGroupRange: KeyGroupRange,
                states: [NamedState], counters: [String: Int] = [:], position: String? = nil) {
        self.operatorID = operatorID
        self.subtask = subtask
        self.parallelism = parallelism
        self.keyGroupRange = keyGroupRange
        self.states = states.sorted { $0.name < $1.name }
        self.counters = counters
        self.position = position
    }

    /// Whether the operator keeps state (a snapshot file is written only then).
    public var hasState: Bool { !states.isEmpty }

    /// The snapshot's file name inside a checkpoint folder.
    public var fileName: String { "\(operatorID).\(subtask).snap" }
}
