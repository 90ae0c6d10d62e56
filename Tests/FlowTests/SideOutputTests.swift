import Flow
import FlowTesting
import Testing

/// Sends even numbers on and odd ones to a side output.
final class OddSplitter: Operator {
    private let odd: Collector<Int>

    init(odd: SideOutput<Int>, context: SubtaskContext) {
        self.odd = context.sideOutput(odd)
    }

    func process(_ batch: [Int], into output: Collector<Int>) {
        for number in batch {
            if number % 2 == 0 { output.emit(number) } else { odd.emit(number) }
        }
    }
}

struct SideOutputTests {
    @Test func aSideSinkRunsInItsProducersTask() {
        let job = StreamJob(parallelism: 2)
        let odd = SideOutput<Int>("odd numbers")
        let evens = job.source("numbers") { _ in NumberSource(count: 10) }
            .inParallel()
            .apply("split") { OddSplitter(odd: odd, context: $0) }
        evens.map("halve") { $0 / 2 }
            .inSequence()
            .sink("collect evens") { _ in CollectingSink(into: CollectedNumbers()) }
        evens.sideSink(odd, "collect odds") { _ in CollectingSink(into: CollectedNumbers()) }
        let tasks = job.plan().tasks
        #expect(tasks.map(\.operatorNames) == [["numbers"], ["split", "halve", "collect odds (side output of split)"], ["collect evens"]])
        #expect(tasks.map(\.parallelism) == [1, 2, 1])
    }

    @Test(arguments: [1, 2, 4])
    func everyRecordReachesTheMainOrTheSideStreamOnce(parallelism: Int) throws {
        let job = StreamJob(parallelism: parallelism, batchSize: 7)
        let odd = SideOutput<Int>("odd numbers")
        let (evens, odds) = (CollectedNumbers(), CollectedNumbers())
        let main = job.source("numbers") { _ in NumberSource(count: 10_000) }
            .inParallel()
            .apply("split") { OddSplitter(odd: odd, context: $0) }
        main.sideSink(odd, "collect odds") { _ in CollectingSink(into: odds) }
        main.inSequence().sink("collect evens") { _ in CollectingSink(into: evens) }
        try job.execute()
        #expect(evens.values == Array(stride(from: 0, to: 10_000, by: 2)))
        #expect(odds.values.sorted() == Array(stride(from: 1, to: 10_000, by: 2)))
    }

    @Test func aSideOutputNoSinkTakesIsDiscarded() throws {
        let odd = SideOutput<Int>("odd numbers")
        let harness = try OperatorHarness { OddSplitter(odd: odd, context: $0) }
        try harness.process([1, 2, 3, 4])
        try harness.finish()
        #expect(harness.records == [2, 4])
    }

    @Test func theSideStreamGetsItsRecordsBeforeEachBarrierAndTheEnd() throws {
        let odd = SideOutput<Int>("odd numbers")
        let recorder = SideOutputRecorder(odd)
        let harness = try OperatorHarness { OddSplitter(odd: odd, context: $0) }
        try harness.process([1, 2, 3])
        try harness.snapshot()
        try harness.process([5])
        try harness.finish()
        let seen = recorder.emitted.map { element -> String in
            switch element {
            case .record(let number): "\(number)"
            case .watermark: "watermark"
            case .checkpoint(let id): "checkpoint \(id)"
            case .endOfInput: "end"
            }
        }
        #expect(seen == ["1", "3", "checkpoint 1", "5", "end"])
    }
}
