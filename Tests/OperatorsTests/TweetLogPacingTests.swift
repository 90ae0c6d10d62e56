import Flow
import FlowTesting
import Foundation
import Testing
import TweetLog

/// Replayed at a speed, the tweet log holds each line back until its event time is due, and the
/// host may take checkpoints while it waits.
struct TweetLogPacingTests {
    /// A log whose tweets are `seconds` after 2021-04-01T00:00:00Z, one per line.
    private func log(seconds: [Int]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-paced-\(UUID().uuidString).jsonl").path
        let lines = seconds.map { second in
            #"{"data":{"created_at":"2021-04-01T00:\#(second / 60 < 10 ? "0" : "")\#(second / 60):\#(second % 60 < 10 ? "0" : "")\#(second % 60)Z"}}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Polls as the host does, sleeping the manual clock in short slices while the source waits.
    private func replay(_ harness: SourceHarness<TweetLogReader>, clock: ManualClock) throws {
        for _ in 0..<100_000 {
            switch try harness.poll() {
            case .finished: return
            case .waiting: clock.sleep(seconds: 0.01)
            case .ready, .idle: continue
            }
        }
        Issue.record("the paced log did not finish")
    }

    private func text(of chunks: [LineChunk]) -> String {
        chunks.map { $0.bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } }.joined()
    }

    @Test func sixtyTimesRealTimeTakesOneSixtiethOfTheEventTime() throws {
        let path = try log(seconds: Array(0...120))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let harness = try SourceHarness(speed: .factor(60), clock: clock) { try TweetLogReader(path: path, context: $0) }
        try replay(harness, clock: clock)
        #expect(abs(clock.totalSlept - 2) < 0.02)
        #expect(text(of: harness.records) == (try String(contentsOfFile: path, encoding: .utf8)))
    }

    @Test func outOfOrderRecordsDoNotMakeTheReplayWait() throws {
        let path = try log(seconds: [10, 5, 11])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let harness = try SourceHarness(speed: .factor(1), clock: clock) { try TweetLogReader(path: path, context: $0) }
        try replay(harness, clock: clock)
        #expect(abs(clock.totalSlept - 1) < 0.02)
    }

    /// A checkpoint taken while a line waits holds the position before that line: a restored
    /// replay emits it and everything after, nothing twice.
    @Test func aCheckpointWhileALineWaitsResumesAtThatLine() throws {
        let path = try log(seconds: [0, 1, 2, 60, 61])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        let first = try SourceHarness(speed: .factor(1), clock: clock) { try TweetLogReader(path: path, context: $0) }
        var status = try first.poll()
        while status != .waiting(until: EventTime(milliseconds: 1_617_235_260_000)) {
            if case .waiting = status { clock.sleep(seconds: 0.01) }
            status = try first.poll()
        }
        let snapshot = try first.snapshot()
        let emitted = text(of: first.records)
        #expect(emitted.split(separator: "\n").count == 3)
        let restored = try SourceHarness(restoringFrom: [snapshot], speed: .factor(1), clock: clock) { try TweetLogReader(path: path, context: $0) }
        try replay(restored, clock: clock)
        #expect(emitted + text(of: restored.records) == (try String(contentsOfFile: path, encoding: .utf8)))
        #expect(restored.records.first?.firstLine == 4)
    }

    @Test(arguments: ["max", "realtime", "60x", "0.5x"])
    func speedsParse(text: String) {
        #expect(ReplaySpeed(text) != nil)
    }

    @Test(arguments: ["fast", "0x", "-2x", "x", ""])
    func badSpeedsDoNotParse(text: String) {
        #expect(ReplaySpeed(text) == nil)
    }
}
