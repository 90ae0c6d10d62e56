import Flow
import Foundation
import Synchronization
import Testing

/// Barriers through a real job (hash exchange to parallel subtasks, then a gather): the operator
/// after the gather sees exactly the records the source sent before each barrier, because the
/// gate holds back the inputs whose barrier came first.
struct BarrierAlignmentTests {
    @Test(arguments: [2, 3])
    func eachSnapshotCoversExactlyTheRecordsBeforeItsBarrier(parallelism: Int) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-barriers-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let coordinator = CheckpointCoordinator(settings: .init(directory: folder, interval: .milliseconds(1), retain: 1000), jobName: "barriers")
        let job = StreamJob(parallelism: parallelism, batchSize: 3, checkpoints: coordinator)
        job.source("numbers", id: "source") { _ in NumberSource(count: 20_000) }
            .map("to key") { KeyString(String($0)) }
            .keyBy { $0 }
            .apply("pass") { _ in MapOperator { Int($0.string)! } }
            .global()
            .apply("count", id: "counter") { _ in SummingOperator() }
            .sink("discard") { _ in CollectingSink(into: CollectedNumbers()) }
        try job.execute()
        let storage = CheckpointStorage(directory: folder)
        let ids = storage.folders().map(\.id)
        #expect(ids.count >= 3, "the source should have emitted several barriers")
        for (_, path) in storage.folders() {
            let checkpoint = try LoadedCheckpoint(folder: path)
            func value(_ id: String, _ state: String) throws -> Int64 {
                let snapshot = try #require(checkpoint.snapshots(of: id).first)
                var reader = StateReader(try #require(snapshot.states.first { $0.name == state }?.entries.first).bytes)
                return try reader.readInt64()
            }
            let sent = try value("source", "next")
            // The counter's state is the sum of the values it saw: 0 + 1 + … + (sent − 1).
            #expect(try value("counter", "sum") == sent * (sent - 1) / 2, "\(path)")
            // Counters are not state: the stateless operators wrote no snapshot file, only counters.
            #expect(checkpoint.operatorIDs == ["source", "counter"])
        }
    }
}

/// Sums what it receives and passes it on; its state is the sum.
final class SummingOperator: Operator {
    var sum: Int64 = 0

    var declaredState: [StateDeclaration] { [.splitList("sum")] }

    func process(_ batch: [Int], into output: Collector<Int>) {
        for value in batch { sum += Int64(value) }
        output.emit(batch: batch)
    }

    func snapshotState(into snapshot: inout StateSnapshot) {
        var writer = StateWriter()
        writer.write(sum)
        snapshot.add("sum", writer)
    }
}
