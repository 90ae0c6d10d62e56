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
        job.source("numbers", stateName: "source") { output, context in BarrierSource(count: 20_000, output: output, context: context) }
            .map("to key") { KeyString(String($0)) }
            .keyBy { $0 }
            .apply("pass") { output, _ in MapOperator<KeyString, Int>(output: output) { Int($0.string)! } }
            .global()
            .apply("count", stateName: "counter") { output, context in CountingOperator(output: output, context: context) }
            .sink("discard") { _ in DiscardingReceiver<Int>() }
        try job.execute()
        let storage = CheckpointStorage(directory: folder)
        let ids = storage.folders().map(\.id)
        #expect(ids.count >= 3, "the source should have emitted several barriers")
        for (_, path) in storage.folders() {
            let checkpoint = try LoadedCheckpoint(folder: path)
            func value(_ id: String) throws -> Int64 {
                var reader = StateReader(checkpoint.snapshots.first { $0.operatorID.hasSuffix(id) }!.shared)
                return try reader.readInt64()
            }
            let sent = try value("source")
            // The counter's state is the sum of the values it saw: 0 + 1 + … + (sent − 1).
            #expect(try value("counter") == sent * (sent - 1) / 2, "\(path)")
        }
    }
}

/// Emits 0..<count in batches of 16, asking for a barrier after each batch; its state is how many
/// numbers it sent.
final class BarrierSource: SourceRunner {
    let count: Int
    let output: Output<Int>
    let context: SubtaskContext

    init(count: Int, output: Output<Int>, context: SubtaskContext) {
        self.count = count
        self.output = output
        self.context = context
    }

    func run() throws {
        for value in 0..<count {
            output.emit(value)
            if value % 16 == 15 {
                try output.flush()
                if let barrier = context.checkpoints?.barrierIfDue() {
                    var state = StateWriter()
                    state.write(Int64(value + 1))
                    context.acknowledge(barrier, shared: state)
                    try output.emit(barrier: barrier)
                }
            }
        }
        try output.emitEndOfInput()
    }
}

/// Sums what it receives; its state is the sum.
final class CountingOperator: ElementReceiver {
    let output: Output<Int>
    let context: SubtaskContext
    var sum: Int64 = 0

    init(output: Output<Int>, context: SubtaskContext) {
        self.output = output
        self.context = context
    }

    func receive(_ batch: [Int]) throws {
        for value in batch { sum += Int64(value) }
        output.emit(contentsOf: batch)
        try output.flush()
    }

    func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }

    func receive(barrier: CheckpointBarrier) throws {
        var state = StateWriter()
        state.write(sum)
        context.acknowledge(barrier, shared: state)
        try output.emit(barrier: barrier)
    }

    func receiveEndOfInput() throws { try output.emitEndOfInput() }
}
