import Flow
import FlowTesting
import Foundation
import Testing

/// A list-state operator: keeps the entries it was given (or restored), writes them back.
final class ListKeeper: Operator {
    var entries: [Int]
    let redistribution: StateDeclaration.Redistribution

    init(entries: [Int], as redistribution: StateDeclaration.Redistribution) {
        self.entries = entries
        self.redistribution = redistribution
    }

    var declaredState: [StateDeclaration] { [StateDeclaration(name: "entries", redistribution: redistribution)] }

    func restoreState(from state: RestoredState) throws {
        if redistribution == .broadcast {
            if var reader = state.broadcast("entries") { entries = try reader.readArray(of: Int.self) }
        } else {
            for var reader in state.list("entries") { entries.append(try reader.readCounter()) }
        }
    }

    func process(_ batch: [Int], into output: Collector<Int>) { output.emit(batch: batch) }

    func snapshotState(into snapshot: inout StateSnapshot) {
        if redistribution == .broadcast {
            var writer = StateWriter()
            writer.write(entries)
            snapshot.add("entries", writer)
            return
        }
        for entry in entries {
            var writer = StateWriter()
            writer.write(entry)
            snapshot.add("entries", writer)
        }
    }
}

struct OperatorHostTests {
    /// Snapshots of three old subtasks holding entries 0..<9 (three each).
    private func oldSnapshots(_ redistribution: StateDeclaration.Redistribution) throws -> [OperatorSnapshot] {
        try (0..<3).map { subtask in
            let harness = try OperatorHarness(subtask: subtask, parallelism: 3) { _ in
                ListKeeper(entries: redistribution == .broadcast ? [subtask] : Array((subtask * 3)..<(subtask * 3 + 3)), as: redistribution)
            }
            return try harness.snapshot()
        }
    }

    private func restored(_ snapshots: [OperatorSnapshot], _ redistribution: StateDeclaration.Redistribution, parallelism: Int) throws -> [[Int]] {
        try (0..<parallelism).map { subtask in
            try OperatorHarness(subtask: subtask, parallelism: parallelism, restoringFrom: snapshots) { _ in
                ListKeeper(entries: [], as: redistribution)
            }.op.entries
        }
    }

    @Test func aSplitListIsCutIntoContiguousRunsEveryEntryOnce() throws {
        let snapshots = try oldSnapshots(.splitList)
        #expect(try restored(snapshots, .splitList, parallelism: 2) == [[0, 1, 2, 3], [4, 5, 6, 7, 8]])
        #expect(try restored(snapshots, .splitList, parallelism: 4).flatMap { $0 } == Array(0..<9))
        #expect(try restored(snapshots, .splitList, parallelism: 1) == [Array(0..<9)])
    }

    @Test func aUnionListReachesEverySubtaskWhole() throws {
        let snapshots = try oldSnapshots(.unionList)
        #expect(try restored(snapshots, .unionList, parallelism: 2) == [Array(0..<9), Array(0..<9)])
    }

    @Test func broadcastStateIsOldSubtaskZeros() throws {
        let snapshots = try oldSnapshots(.broadcast)
        #expect(try restored(snapshots.reversed(), .broadcast, parallelism: 2) == [[0], [0]])
    }

    @Test func stateTheOperatorNoLongerDeclaresIsRefused() throws {
        let snapshots = try oldSnapshots(.splitList)
        #expect(throws: FlowError.self) {
            _ = try OperatorHarness(restoringFrom: snapshots) { _ in MapOperator<Int, Int> { $0 } }
        }
        #expect(throws: FlowError.self) {
            _ = try OperatorHarness(restoringFrom: snapshots) { _ in ListKeeper(entries: [], as: .unionList) }
        }
    }

    @Test func anOperatorWithStateRefusesACheckpointWithoutIt() throws {
        do {
            _ = try OperatorHarness(restoringFrom: []) { _ in ListKeeper(entries: [], as: .splitList) }
            Issue.record("a restore without the operator's state was accepted")
        } catch let error as FlowError {
            #expect(error.message.contains("holds no state of operator operator-under-test"))
        }
    }

    @Test func watermarksPassOnUnlessTheOperatorMakesItsOwn() throws {
        let passing = try OperatorHarness { _ in MapOperator<Int, Int> { $0 + 1 } }
        try passing.process([1])
        try passing.process(watermark: 5)
        try passing.finish()
        #expect(passing.emitted.map(describe) == ["record 2", "watermark 5", "end"])

        let generator = try OperatorHarness { _ in EveryTenWatermarks() }
        try generator.process([3, 14])
        try generator.process(watermark: 100)
        #expect(generator.emitted.map(describe) == ["record 3", "record 14", "watermark 10"])
    }

    @Test func aSnapshotCarriesTheCountersAndTheBarrierPassesOn() throws {
        let harness = try OperatorHarness { context in CountingMap(counter: context.metrics.counter("seen")) }
        try harness.process([1, 2, 3])
        let snapshot = try harness.snapshot()
        #expect(snapshot.counters == ["seen": 3])
        #expect(!snapshot.hasState)
        #expect(harness.emitted.map(describe) == ["record 1", "record 2", "record 3", "checkpoint 1"])
    }

    private func describe(_ element: EmittedElement<Int>) -> String {
        switch element {
        case .record(let value): "record \(value)"
        case .watermark(let time): "watermark \(time.milliseconds)"
        case .checkpoint(let id): "checkpoint \(id)"
        case .endOfInput: "end"
        }
    }
}

/// Makes a watermark at each multiple of ten the records pass.
final class EveryTenWatermarks: Operator {
    private var emitted: Int64 = 0
    var forwardsWatermarks: Bool { false }

    func process(_ batch: [Int], into output: Collector<Int>) throws {
        output.emit(batch: batch)
        let mark = Int64(batch.max() ?? 0) / 10 * 10
        if mark > emitted {
            emitted = mark
            try output.emit(watermark: EventTime(milliseconds: mark))
        }
    }
}

/// Passes records on, counting them.
final class CountingMap: Operator {
    let counter: Counter
    init(counter: Counter) { self.counter = counter }
    func process(_ batch: [Int], into output: Collector<Int>) {
        counter.add(batch.count)
        output.emit(batch: batch)
    }
}

/// A source whose records are an hour of event time apart, replayed in real time: a stop with a
/// savepoint must not wait for the next record.
final class HourlySource: Source {
    private var next = 0
    var declaredState: [StateDeclaration] { [.splitList("next")] }

    func poll(into output: Collector<EventTime>, pacing: ReplayClock?) -> SourceStatus {
        guard next < 10 else { return .finished }
        let time = EventTime(milliseconds: Int64(next) * 3_600_000)
        if let pacing, !pacing.admits(time) { return .waiting(until: time) }
        output.emit(time)
        next += 1
        return .ready
    }

    func snapshotState(into snapshot: inout StateSnapshot) {
        var writer = StateWriter()
        writer.write(next)
        snapshot.add("next", writer)
    }
}

final class CollectingTimes: Sink, Sendable {
    let received = Locked<[EventTime]>([])
    func process(_ batch: [EventTime], into output: Collector<Never>) { received.withLock { $0.append(contentsOf: batch) } }
}

struct SourceHostTests {
    // Held up, the stop would wait an hour of replay for the next record. The limit is generous:
    // a test starts its clock before a busy machine gives it a thread.
    @Test(.timeLimit(.minutes(10)))
    func aStopIsNotHeldUpByAPacedRecord() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-paced-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let coordinator = CheckpointCoordinator(settings: .init(directory: folder, interval: .seconds(3600), retain: 2), jobName: "paced")
        let job = StreamJob(parallelism: 1, checkpoints: coordinator)
        let sink = CollectingTimes()
        job.source("hourly", speed: .factor(1)) { _ in HourlySource() }.sink("collect") { _ in sink }
        let stopper = Thread {
            while sink.received.withLock({ $0.isEmpty }) { usleep(1_000) }
            coordinator.requestStop()
        }
        stopper.start()
        try job.execute()
        #expect(coordinator.completedSavepoint != nil)
        #expect(sink.received.withLock { $0 } == [EventTime(milliseconds: 0)])
        let savepoint = try LoadedCheckpoint(folder: try #require(CheckpointStorage(directory: folder).folders().last?.path))
        #expect(savepoint.manifest.isSavepoint)
        #expect(savepoint.operatorIDs == ["hourly"])
    }
}
