/// A named piece of an operator's state, with how it is shared out when a job is restored at
/// another parallelism (Flink's keyed, list and union list state; broadcast state).
public struct StateDeclaration: Sendable, Hashable {
    /// How state written by the old subtasks reaches the new ones.
    public enum Redistribution: Int, Sendable, Hashable, CustomStringConvertible {
        /// Per key group: each new subtask gets the groups it owns.
        case keyed = 1
        /// A list of entries: all subtasks' entries in order, cut into contiguous runs, one per new subtask.
        case splitList = 2
        /// A list of entries: every new subtask gets all of them.
        case unionList = 3
        /// One value the same on every subtask: every new subtask gets old subtask 0's.
        case broadcast = 4

        public var description: String {
            switch self {
            case .keyed: "keyed state"
            case .splitList: "a split list"
            case .unionList: "a union list"
            case .broadcast: "broadcast state"
            }
        }
    }

    public var name: String
    public var redistribution: Redistribution

    public init(name: String, redistribution: Redistribution) {
        self.name = name
        self.redistribution = redistribution
    }

    /// State kept per key, written per key group.
    public static func keyed(_ name: String) -> StateDeclaration { .init(name: name, redistribution: .keyed) }
    /// A list split among the new subtasks (positions of a source's splits, work items).
    public static func splitList(_ name: String) -> StateDeclaration { .init(name: name, redistribution: .splitList) }
    /// A list every new subtask gets whole.
    public static func unionList(_ name: String) -> StateDeclaration { .init(name: name, redistribution: .unionList) }
    /// One value every new subtask gets.
    public static func broadcast(_ name: String) -> StateDeclaration { .init(name: name, redistribution: .broadcast) }
}
