import Flow
import Testing

/// The operator of the operator authors' page in docs/architecture.md: passes on the first event
/// of each id and drops repeats, remembering the ids it saw per key group, so a restore at any
/// parallelism hands each subtask the ids of the keys it now owns.
final class Deduplicate: Operator {
    private var seen: [Int: Set<String>] = [:]
    private let maxParallelism: Int
    private let duplicates: Counter

    init(context: SubtaskContext) {
        maxParallelism = context.maxParallelism
        duplicates = context.metrics.counter("duplicates")
    }

    var declaredState: [StateDeclaration] { [.keyed("seen")] }

    func restoreState(from state: RestoredState) throws {
        for (group, var reader) in state.keyed("seen") { seen[group] = Set(try reader.readArray(of: String.self)) }
    }

    func process(_ batch: [Event], into output: Collector<Event>) {
        var repeats = 0
        for event in batch {
            let group = KeyGroup(of: KeyString(event.id), maxParallelism: maxParallelism).index
            if seen[group, default: []].insert(event.id).inserted { output.emit(event) } else { repeats += 1 }
        }
        duplicates.add(repeats)
    }

    func snapshotState(into snapshot: inout StateSnapshot) {
        for (group, ids) in seen {
            var writer = StateWriter()
            writer.write(ids.sorted())
            snapshot.add("seen", keyGroup: group, writer)
        }
    }
}

struct Event: Sendable, Equatable {
    var id: String
    var value: Int
}

struct OperatorAuthorExampleTests {
    private func events(_ ids: [String]) -> [Event] { ids.enumerated().map { Event(id: $1, value: $0) } }

    @Test func repeatsAreDroppedAndCounted() throws {
        let harness = try OperatorHarness { Deduplicate(context: $0) }
        try harness.process(events(["a", "b", "a", "c", "b"]))
        #expect(harness.records.map(\.id) == ["a", "b", "c"])
        #expect(harness.metrics.value("duplicates") == 2)
    }

    /// A snapshot taken at parallelism 1 restored at parallelism 2: each new subtask knows the ids
    /// of the keys it owns, and only those.
    @Test func aRestoreAtAnotherParallelismKeepsEveryIdOnce() throws {
        let ids = (0..<200).map { "id-\($0)" }
        let before = try OperatorHarness { Deduplicate(context: $0) }
        try before.process(events(ids))
        let snapshot = try before.snapshot()
        var passed: [String] = []
        for subtask in 0..<2 {
            let after = try OperatorHarness(subtask: subtask, parallelism: 2, restoringFrom: [snapshot]) { Deduplicate(context: $0) }
            let range = KeyGroupRange(subtask: subtask, parallelism: 2, maxParallelism: 128)
            let owned = ids.filter { range.contains(KeyGroup(of: KeyString($0), maxParallelism: 128)) }
            #expect(!owned.isEmpty)
            try after.process(events(owned + owned.map { $0 + "-new" }))
            passed += after.records.map(\.id)
        }
        #expect(passed.sorted() == ids.map { $0 + "-new" }.sorted())
    }
}
