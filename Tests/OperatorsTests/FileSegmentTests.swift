import Flow
import Foundation
import Testing
@testable import TweetLog

/// Segments of a plain file cut at any bytes hold every line exactly once, and a line longer
/// than the limit is stepped over by the one segment it starts in.
struct FileSegmentTests {
    private func write(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-segments-\(UUID().uuidString).jsonl").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    private func segments(of path: String, size: Int, cut: Int) -> [FileSegment] {
        stride(from: 0, to: size, by: cut).map { FileSegment(path: path, start: $0, end: min(size, $0 + cut)) }
    }

    @Test(arguments: [1, 2, 7, 64, 100, 4096])
    func segmentsCutAnywhereRebuildTheFile(cut: Int) throws {
        let path = try write(TweetLogReaderTests.log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SegmentFile(path: path)
        var rebuilt: [UInt8] = []
        for segment in segments(of: path, size: TweetLogReaderTests.log.count, cut: cut) {
            let lines = try file.lines(of: segment, maxLineBytes: 1 << 20)
            #expect(lines.overlongLine == nil)
            rebuilt += lines.bytes.withUnsafeBufferPointer { Array($0) }
        }
        #expect(rebuilt == TweetLogReaderTests.log)
    }

    /// Two lines past the limit (the last without a line feed) cut into 64 KiB segments: each
    /// comes out once, as its first bytes and its length, from the segment it starts in.
    @Test func overlongLinesComeOutOnceFromTheSegmentTheyStartIn() throws {
        let long = [UInt8](repeating: UInt8(ascii: "y"), count: 300_000)
        let log = Array("first\n".utf8) + long + Array("\nthird\n".utf8) + long
        let path = try write(log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SegmentFile(path: path)
        var lines: [String] = [], overlong: [Int] = []
        for segment in segments(of: path, size: log.count, cut: 65_536) {
            let read = try file.lines(of: segment, maxLineBytes: 100_000)
            #expect(read.bytes.count <= 65_536 + 100_000)
            read.bytes.withUnsafeBufferPointer { $0.forEachLine { line, _, _ in lines.append(String(decoding: line, as: UTF8.self)) } }
            if let line = read.overlongLine {
                #expect(line.prefix == Array(long.prefix(TweetLogReader.overlongPrefixBytes)))
                overlong.append(line.length)
            }
        }
        #expect(lines == ["first", "third"])
        #expect(overlong == [300_000, 300_000])
    }

    /// The line at or after each offset of a small file, against a plain count of its lines.
    @Test func theLineStartingAtOrAfterAnOffsetIsFound() throws {
        let log = Array("a\n\nbcd\r\nefgh\n\nlast".utf8)
        let path = try write(log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try SegmentFile(path: path)
        let starts = [0] + log.indices.filter { log[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
        for offset in 0...log.count {
            let expectedIndex = starts.firstIndex { $0 >= offset }
            let found = try file.lineStart(atOrAfter: offset)
            #expect(found.offset == (expectedIndex.map { starts[$0] } ?? log.count), "offset \(offset)")
            if let expectedIndex { #expect(found.number == expectedIndex + 1, "offset \(offset)") }
        }
    }

    /// The reader hands a plain file on as segments: the first knows its line number, the others
    /// leave it to the decoders; a compressed file is read by the reader as before.
    @Test func theReaderCutsPlainFilesIntoSegments() throws {
        let path = try write(TweetLogReaderTests.log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try SourceHarness { try TweetLogReader(path: path, context: $0, chunkSize: 100, cutsSegments: true) }
        #expect(try harness.pollToEnd() == .finished)
        let chunks = harness.records
        #expect(chunks.count == (TweetLogReaderTests.log.count + 99) / 100)
        #expect(chunks.map(\.sequence) == Array(0..<chunks.count))
        #expect(chunks.map(\.firstLine) == [1] + Array(repeating: 0, count: chunks.count - 1))
        #expect(chunks.map { $0.segment?.start } == chunks.indices.map { $0 * 100 })
        #expect(chunks.allSatisfy { $0.bytes.count == 0 })
    }
}
