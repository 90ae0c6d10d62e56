/// What an operator writes its declared state into at a checkpoint: entries of named state, keyed
/// ones tagged with their key group.
public struct StateSnapshot {
    /// The checkpoint being taken.
    public let checkpointID: Int64
    /// Whether the job stops after this checkpoint (a stop with a savepoint).
    public let isSavepoint: Bool
    /// The job's number of key groups, for ``KeyGroup/init(of:maxParallelism:)``.
    public let maxParallelism: Int
    /// A source's position in words, shown by `flowrun checkpoints inspect`.
    public var position: String?
    private let declared: [String: StateDeclaration.Redistribution]
    private(set) var states: [String: [StateEntry]] = [:]

    init(checkpointID: Int64, isSavepoint: Bool, maxParallelism: Int, declared: [StateDeclaration]) {
        self.checkpointID = checkpointID
        self.isSavepoint = isSavepoint
        self.maxParallelism = maxParallelism
        self.declared = Dictionary(declared.map { ($0.name, $0.redistribution) }, uniquingKeysWith: { first, _ in first })
        for declaration in declared { states[declaration.name] = [] }
    }

    /// Adds the state of one key group to keyed state `name`.
    public mutating func add(_ name: String, keyGroup: Int, _ state: StateWriter) {
        precondition(declared[name] == .keyed, "state \(name) is not declared as keyed state")
        precondition(keyGroup >= 0 && keyGroup < maxParallelism, "key group \(keyGroup) is outside 0..<\(maxParallelism)")
        states[name, default: []].append(StateEntry(keyGroup: keyGroup, bytes: state.bytes))
    }

    /// Adds an entry to list state `name`, or sets broadcast state `name`.
    public mutating func add(_ name: String, _ state: StateWriter) {
        guard let redistribution = declared[name], redistribution != .keyed else {
            preconditionFailure("state \(name) is not declared as list or broadcast state")
        }
        precondition(redistribution != .broadcast || states[name, default: []].isEmpty, "broadcast state \(name) is set twice")
        states[name, default: []].append(StateEntry(keyGroup: nil, bytes: state.bytes))
    }

    /// The states as they go into the snapshot file, by name, keyed entries by ascending group.
    var namedStates: [NamedState] {
        states.keys.sorted().map { name in
            var entries = states[name]!
            if declared[name] == .keyed { entries.sort { $0.keyGroup! < $1.keyGroup! } }
            return NamedState(name: name, redistribution: declared[name]!, entries: entries)
        }
    }
}

/// One entry of named state: the bytes an operator wrote, with their key group for keyed state.
public struct StateEntry: Sendable, Equatable {
    public var keyGroup: Int?
    public var bytes: [UInt8]

    public init(keyGroup: Int?, bytes: [UInt8]) {
        self.keyGroup = keyGroup
        self.bytes = bytes
    }
}

/// One named state of one operator subtask as a snapshot file holds it.
public struct NamedState: Sendable {
    public var name: String
    public var redistribution: StateDeclaration.Redistribution
    public var entries: [StateEntry]

    public init(name: String, redistribution: StateDeclaration.Redistribution, entries: [StateEntry]) {
        self.name = name
        self.redistribution = redistribution
        self.entries = entries
    }
}
