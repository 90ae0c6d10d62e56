import Flow
import Foundation
import Testing
@testable import TweetLog

/// The reader cuts a log into chunks of whole lines, plain or compressed: the chunks must put the
/// file back together exactly, line numbers included.
struct TweetLogReaderTests {
    /// Lines of many lengths: empty, short, longer than a chunk, with CRLF, and a last one
    /// without a line feed.
    static let log: [UInt8] = {
        var lines: [String] = []
        for index in 0..<60 {
            lines.append(String(repeating: "x", count: (index * 37) % 290) + (index % 7 == 0 ? "\r" : ""))
        }
        return Array((lines.joined(separator: "\n") + "\nlast line without a line feed").utf8)
    }()

    private func read(_ path: String, chunkSize: Int, maxLineBytes: Int = TweetLogReader.defaultMaxLineBytes) throws -> [LineChunk] {
        let harness = try SourceHarness { try TweetLogReader(path: path, context: $0, chunkSize: chunkSize, maxLineBytes: maxLineBytes) }
        #expect(try harness.pollToEnd() == .finished)
        guard case .endOfInput = harness.emitted.last else {
            Issue.record("the reader did not end its input")
            return []
        }
        return harness.records
    }

    private func expectChunksRebuild(_ chunks: [LineChunk], chunkSize: Int) {
        var rebuilt: [UInt8] = [], line = 1
        for (index, chunk) in chunks.enumerated() {
            let bytes = chunk.bytes.withUnsafeBufferPointer { Array($0) }
            #expect(chunk.firstLine == line, "chunk \(index) starts at line \(chunk.firstLine), not \(line)")
            #expect(index == chunks.count - 1 || bytes.last == UInt8(ascii: "\n"), "chunk \(index) ends inside a line")
            #expect(chunk.bytes.readable >= bytes.count)
            #expect(chunk.overlongLineLength == nil)
            line += bytes.count { $0 == UInt8(ascii: "\n") }
            rebuilt += bytes
        }
        #expect(rebuilt == Self.log)
    }

    /// Chunks of 64 and 100 bytes (lines longer than a chunk among them), and chunks larger than the file.
    @Test(arguments: [64, 100, 4096])
    func chunksRebuildThePlainFile(chunkSize: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.log).write(to: URL(fileURLWithPath: path))
        let chunks = try read(path, chunkSize: chunkSize)
        #expect(chunks.count > (chunkSize < Self.log.count ? 1 : 0))
        expectChunksRebuild(chunks, chunkSize: chunkSize)
    }

    /// A line past the limit is stepped over, not held: one chunk stands for it, holding its first
    /// bytes and its length, and the lines around it come through whole.
    @Test func aLineLongerThanTheLimitIsSteppedOver() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let long = String(repeating: "y", count: 3 << 20)
        try Data("first\n\(long)\nthird\n\(long)".utf8).write(to: URL(fileURLWithPath: path))
        let chunks = try read(path, chunkSize: 64, maxLineBytes: 1024)
        let overlong = chunks.filter { $0.overlongLineLength != nil }
        #expect(overlong.map(\.firstLine) == [2, 4])
        #expect(overlong.map(\.overlongLineLength) == [3 << 20, 3 << 20])
        // What follows a stepped-over line in the last read (at most 64 KiB) starts the next chunk.
        #expect(chunks.allSatisfy { $0.bytes.readable <= 2 * (1024 + 65_536) + 64 }, "the reader held a long line whole")
        let whole = chunks.filter { $0.overlongLineLength == nil }.map { $0.bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } }
        #expect(whole.joined() == "first\nthird\n")
    }

    /// Log rotation by copy and truncate cuts a file under the reader: an error, never a shorter log.
    @Test func aPlainFileThatShrinksWhileReadIsAnError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: UInt8(ascii: "\n"), count: 1 << 20).write(to: URL(fileURLWithPath: path))
        let stream = try openByteStream(path: path)
        defer { stream.close() }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0.baseAddress!, capacity: $0.count) } > 0)
        #expect(truncate(path, 10) == 0)
        #expect(throws: FlowError.self) {
            while try buffer.withUnsafeMutableBytes({ try stream.read(into: $0.baseAddress!, capacity: $0.count) }) > 0 {}
        }
    }

    /// The test log gzip-compressed as `log.jsonl.gz` in a new folder, which `body` gets.
    private func withGzippedLog(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(Self.log).write(to: URL(fileURLWithPath: folder + "/log.jsonl"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", folder + "/log.jsonl"]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        try body(folder)
    }

    @Test func streamedChunksRebuildTheCompressedFile() throws {
        try withGzippedLog { folder in
            expectChunksRebuild(try read(folder + "/log.jsonl.gz", chunkSize: 100), chunkSize: 100)
        }
    }

    /// A gzip file cut short is an error, not a shorter log: each of its cut-off prefixes.
    @Test func aTruncatedGzipFileIsAnError() throws {
        try withGzippedLog { folder in
            let whole = try Data(contentsOf: URL(fileURLWithPath: folder + "/log.jsonl.gz"))
            for length in [whole.count - 1, whole.count - 8, whole.count / 2, 20] {
                try whole.prefix(length).write(to: URL(fileURLWithPath: folder + "/cut.jsonl.gz"))
                #expect(throws: FlowError.self, "a gzip file cut to \(length) of \(whole.count) bytes was read as complete") {
                    _ = try read(folder + "/cut.jsonl.gz", chunkSize: 100)
                }
            }
        }
    }

    /// A reader restored from a checkpoint between chunks goes on from the position it holds:
    /// the chunks before and after rebuild the file, none repeated.
    @Test func aRestoredReaderGoesOnFromItsPosition() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.log).write(to: URL(fileURLWithPath: path))
        let first = try SourceHarness { try TweetLogReader(path: path, context: $0, chunkSize: 100) }
        for _ in 0..<5 { try first.poll() }
        let snapshot = try first.snapshot()
        #expect(first.metrics.value("bytes") > 0)
        let rest = try SourceHarness(restoringFrom: [snapshot]) { try TweetLogReader(path: path, context: $0, chunkSize: 100) }
        #expect(try rest.pollToEnd() == .finished)
        expectChunksRebuild(first.records + rest.records, chunkSize: 100)
    }

    @Test func anEmptyFileGivesNoChunks() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(try read(path, chunkSize: 100).isEmpty)
    }
}
