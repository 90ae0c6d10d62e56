/// The declared state one operator subtask restores from: each named state of every old subtask,
/// shared out to this subtask as its declaration says.
public struct RestoredState: Sendable {
    /// The checkpoint restored from.
    public let checkpointID: Int64
    private let states: [String: [StateEntry]]

    init(checkpointID: Int64, states: [String: [StateEntry]]) {
        self.checkpointID = checkpointID
        self.states = states
    }

    /// The key groups of keyed state `name` that this subtask owns, by ascending group.
    public func keyed(_ name: String) -> [(keyGroup: Int, state: StateReader)] {
        (states[name] ?? []).map { ($0.keyGroup ?? 0, StateReader($0.bytes)) }
    }

    /// This subtask's entries of list state `name` (its run of a split list, or all of a union list).
    public func list(_ name: String) -> [StateReader] {
        (states[name] ?? []).map { StateReader($0.bytes) }
    }

    /// Broadcast state `name`, if the checkpoint holds it.
    public func broadcast(_ name: String) -> StateReader? {
        states[name]?.first.map { StateReader($0.bytes) }
    }

    /// Shares out the state of every old subtask of one operator to the new subtask owning `range`,
    /// `subtask` of `parallelism`, checking it against what the operator declares now.
    ///
    /// - Throws: ``FlowError`` when the checkpoint holds a state the operator does not declare, or
    ///   declares differently (the job changed in a way the state cannot follow).
    static func redistribute(_ snapshots: [OperatorSnapshot], checkpointID: Int64, declared: [StateDeclaration],
                             subtask: Int, parallelism: Int, range: KeyGroupRange) throws -> RestoredState {
        let parts = snapshots.sorted { $0.subtask < $1.subtask }
        let declaredByName = Dictionary(declared.map { ($0.name, $0.redistribution) }, uniquingKeysWith: { first, _ in first })
        var result: [String: [StateEntry]] = [:]
        let names = Set(parts.flatMap { $0.states.map(\.name) })
        for name in names.sorted() {
            let stored = parts.compactMap { part in part.states.first { $0.name == name } }
            let operatorID = parts[0].operatorID
            guard let redistribution = declaredByName[name] else {
                throw FlowError(.invalidJob, "the checkpoint holds state \"\(name)\" of operator \(operatorID), which the operator no longer keeps; restore with the Flow and job file the checkpoint was taken with")
            }
            guard stored.allSatisfy({ $0.redistribution == redistribution }) else {
                throw FlowError(.invalidJob, "the checkpoint holds state \"\(name)\" of operator \(operatorID) as \(stored[0].redistribution), but the operator keeps it as \(redistribution); restore with the Flow the checkpoint was taken with")
            }
            let all = stored.flatMap(\.entries)
            switch redistribution {
            case .keyed:
                result[name] = all.filter { range.contains(KeyGroup($0.keyGroup ?? -1)) }.sorted { $0.keyGroup! < $1.keyGroup! }
            case .splitList:
                result[name] = Array(all[(subtask * all.count / parallelism)..<((subtask + 1) * all.count / parallelism)])
            case .unionList:
                result[name] = all
            case .broadcast:
                result[name] = parts[0].states.first { $0.name == name }.map { Array($0.entries.prefix(1)) } ?? []
            }
        }
        return RestoredState(checkpointID: checkpointID, states: result)
    }
}
