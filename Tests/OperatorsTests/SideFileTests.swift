import Flow
import FlowTesting
import Foundation
@testable import Operators
import Testing
@testable import TweetLog

/// The reject and late-record files: the decoders and windows emit side outputs, which end in
/// side-file sinks streaming to disk; a checkpoint holds only where each subtask's part stands,
/// never the entries, and the published files are sorted as before.
struct SideFileTests {
    private func scratchFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-side-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    private func sink(_ rejects: RejectFile, subtask: Int = 0, parallelism: Int = 1, restoringFrom snapshots: [OperatorSnapshot]? = nil,
                      checkpointID: Int64 = 1) throws -> OperatorHarness<SideFileSink<RejectedLine>> {
        try OperatorHarness(subtask: subtask, parallelism: parallelism, restoringFrom: snapshots, checkpointID: checkpointID) { context in
            try rejects.sink(context: context)
        }
    }

    /// The bytes of declared state in a snapshot.
    private func stateBytes(_ snapshot: OperatorSnapshot) -> Int {
        snapshot.states.flatMap(\.entries).reduce(0) { $0 + $1.bytes.count }
    }

    /// `count` malformed lines numbered from `firstLine`.
    private func malformed(_ count: Int, firstLine: Int = 1, file: Int = 0) -> LineChunk {
        let text = (0..<count).map { "{broken \($0 + firstLine)\n" }.joined()
        return LineChunk(bytes: ChunkBytes(Array(text.utf8)), fileIndex: file, fileName: "log\(file).jsonl", firstLine: firstLine)
    }

    /// `count` rejected lines of file `file` numbered from `firstLine`.
    private func rejected(_ count: Int, firstLine: Int = 1, file: Int = 0) -> [RejectedLine] {
        (0..<count).map { index in
            let text = Array("{broken \(firstLine + index)".utf8)
            return text.withUnsafeBufferPointer {
                RejectedLine(fileIndex: file, fileName: "log\(file).jsonl", line: firstLine + index, reason: "invalid JSON", text: $0)
            }
        }
    }

    @Test func theDecoderSendsMalformedLinesToItsSideOutputAndKeepsNoState() throws {
        let rejects = RejectFile(path: "unused.jsonl")
        let recorder = SideOutputRecorder(rejects.records!)
        let harness = try OperatorHarness { context in TweetDecodeOperator(rejects: rejects.records, context: context) }
        try harness.process([malformed(3, firstLine: 7, file: 2)])
        let snapshot = try harness.snapshot()
        #expect(snapshot.states.isEmpty)
        #expect(recorder.records.map(\.line) == [7, 8, 9])
        #expect(recorder.records.allSatisfy { $0.fileIndex == 2 && $0.fileName == "log2.jsonl" && $0.text.hasPrefix("{broken") })
        #expect(harness.metrics.value("malformed lines") == 3)
        // The side output's barrier follows its records, so the checkpoint's side-file sink has them all.
        #expect(recorder.emitted.count == 4)
        if case .checkpoint(let id) = recorder.emitted.last { #expect(id == 1) } else { Issue.record("no barrier after the rejects") }
    }

    @Test func theSinksCheckpointStaysSmallWhileTheRejectFileGrows() throws {
        let folder = try scratchFolder()
        let rejects = RejectFile(path: folder + "/rejects.jsonl")
        let harness = try sink(rejects)
        for piece in 0..<20 { try harness.process(rejected(10_000, firstLine: piece * 10_000 + 1)) }
        let state = stateBytes(try harness.snapshot())
        #expect(state > 0 && state < 4_096, "the sink's checkpoint holds \(state) bytes for 200,000 rejected lines")
        try harness.finish()
        try rejects.write()
        let lines = try String(contentsOfFile: folder + "/rejects.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 200_000)
        #expect(lines.first?.hasPrefix(#"{"file":"log0.jsonl","line":1,"#) == true)
        #expect(lines.last?.hasPrefix(#"{"file":"log0.jsonl","line":200000,"#) == true)
    }

    @Test func rejectsOfSeveralSinksComeOutSortedByFileAndLine() throws {
        let folder = try scratchFolder()
        let rejects = RejectFile(path: folder + "/rejects.jsonl")
        let sinks = try (0..<2).map { try sink(rejects, subtask: $0, parallelism: 2) }
        try sinks[1].process(rejected(3, firstLine: 1, file: 1))
        try sinks[0].process(rejected(2, firstLine: 1, file: 0))
        try sinks[0].process(rejected(2, firstLine: 4, file: 1))
        for sink in sinks { try sink.finish() }
        try rejects.write()
        let text = try String(contentsOfFile: folder + "/rejects.jsonl", encoding: .utf8)
        let places = text.split(separator: "\n").map { line in
            line.split(separator: ",").prefix(2).joined(separator: ",")
        }
        #expect(places == [#"{"file":"log0.jsonl","line":1"#, #"{"file":"log0.jsonl","line":2"#,
                           #"{"file":"log1.jsonl","line":1"#, #"{"file":"log1.jsonl","line":2"#, #"{"file":"log1.jsonl","line":3"#,
                           #"{"file":"log1.jsonl","line":4"#, #"{"file":"log1.jsonl","line":5"#])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(leftovers == ["rejects.jsonl"], "parts left behind: \(leftovers)")
    }

    /// Two sinks checkpointed, then more rejects (lost in the crash), then restored as one: the
    /// file holds each line once.
    @Test func aRestoreAtAnotherParallelismKeepsEachRejectOnce() throws {
        let folder = try scratchFolder()
        let first = RejectFile(path: folder + "/rejects.jsonl")
        let sinks = try (0..<2).map { try sink(first, subtask: $0, parallelism: 2) }
        try sinks[0].process(rejected(3, firstLine: 1))
        try sinks[1].process(rejected(3, firstLine: 4))
        let snapshots = try sinks.map { try $0.snapshot() }
        try sinks[0].process(rejected(3, firstLine: 7))
        #expect(snapshots.allSatisfy { stateBytes($0) < 256 })

        let second = RejectFile(path: folder + "/rejects.jsonl")
        let resumed = try sink(second, restoringFrom: snapshots, checkpointID: 1)
        try resumed.process(rejected(3, firstLine: 7))
        try resumed.finish()
        try second.write()
        let lines = try String(contentsOfFile: folder + "/rejects.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.split(separator: ",")[1] } == (1...9).map { "\"line\":\($0)"[...] })
    }

    @Test func aRestoreRefusesAPartThatIsNotTheOneItsCheckpointWrote() throws {
        let folder = try scratchFolder()
        let rejects = RejectFile(path: folder + "/rejects.jsonl")
        let harness = try sink(rejects)
        try harness.process(rejected(5))
        let snapshot = try harness.snapshot()
        let parts = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".part") }
        #expect(parts.count == 1)
        for part in parts { try Data(repeating: UInt8(ascii: "x"), count: 4_096).write(to: URL(fileURLWithPath: folder + "/" + part)) }
        #expect(throws: FlowError.self) { _ = try sink(RejectFile(path: folder + "/rejects.jsonl"), restoringFrom: [snapshot]) }
    }

    @Test func lateRecordsLeaveTheWindowAsSideOutputAndComeOutSorted() throws {
        let folder = try scratchFolder()
        let late = LateRecordFile(path: folder + "/late.jsonl")
        let recorder = SideOutputRecorder(late.records!)
        let spec = try WindowSpec(size: .seconds(30), slide: .seconds(10))
        let harness = try OperatorHarness { context in
            try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                     emission: .allKeys, lateRecords: late.records, context: context, describeKey: { $0.string })
        }
        try harness.process(watermark: 1_000_000)
        var random = SplitMix64(seed: 9)
        let count = 50_000
        var times: [Int64] = []
        for _ in 0..<count { times.append(Int64(random.next() % 900_000)) }
        for start in stride(from: 0, to: count, by: 1_000) {
            try harness.process(times[start..<start + 1_000].map { Hashtag(tag: KeyString("t\($0 % 7)"), eventTime: EventTime(milliseconds: $0)) })
        }
        let state = stateBytes(try harness.snapshot())
        #expect(state < 4_096, "the window's checkpoint holds \(state) bytes for \(count) late records")
        #expect(recorder.records.count == count)
        #expect(recorder.records.first == LateRecord(key: "t\(times[0] % 7)", eventTime: times[0], watermark: 1_000_000, missedWindows: 3))

        let sink = try OperatorHarness { context in try late.sink(context: context) }
        try sink.process(recorder.records)
        try sink.finish()
        try late.write()
        let lines = try String(contentsOfFile: folder + "/late.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == count)
        let eventTimes = lines.map { line in Int64(line.split(separator: ",")[1].split(separator: ":")[1])! }
        #expect(eventTimes == times.sorted())
    }

    /// Unsorted parts larger than a run are cut into many sorted runs; the merge of all of them
    /// gives every line once, in order, and leaves no run or part behind.
    @Test func unsortedPartsAreSortedThroughManyRuns() throws {
        let folder = try scratchFolder()
        let path = folder + "/late.jsonl"
        var random = SplitMix64(seed: 4)
        var expected: [(Int64, String)] = []
        var parts: [SidePart] = []
        for subtask in 0..<3 {
            let part = SidePart(generation: 5, subtask: subtask, mark: .init(length: 0, checksum: 0))
            var text = ""
            for index in 0..<2_000 {
                let time = Int64(random.next() % 500) - 250
                let json = "{\"n\":\(subtask * 10_000 + index)}\n"
                expected.append((time, json))
                text += "\(time) 0 \(json)"
            }
            try text.write(toFile: FileOutput.inProgressPath(of: part.path(beside: path)), atomically: false, encoding: .utf8)
            parts.append(part)
        }
        try SideFileMerge(path: path, runBytes: 4_096).publish(parts: parts)
        let sorted = expected.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : Array($0.1.utf8).lexicographicallyPrecedes(Array($1.1.utf8)) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == sorted.map(\.1).joined())
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["late.jsonl"])
    }
}
