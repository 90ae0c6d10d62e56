import Flow
import Foundation
@testable import Operators
import Testing

/// The reader cuts a log into chunks of whole lines: from a plain file, chunks are stretches of
/// the file mapped into memory; from a compressed one, arrays it filled. Either way the chunks
/// must put the file back together exactly, line numbers included.
struct TweetLogReaderTests {
    /// Keeps the chunks the reader emits.
    final class ChunkCollector: ElementReceiver {
        var chunks: [LineChunk] = []
        var ended = false
        func receive(_ batch: [LineChunk]) { chunks += batch }
        func receive(watermark: EventTime) {}
        func receive(barrier: CheckpointBarrier) {}
        func receiveEndOfInput() { ended = true }
    }

    /// Lines of many lengths: empty, short, longer than a chunk, with CRLF, and a last one
    /// without a line feed.
    static let log: [UInt8] = {
        var lines: [String] = []
        for index in 0..<60 {
            lines.append(String(repeating: "x", count: (index * 37) % 290) + (index % 7 == 0 ? "\r" : ""))
        }
        return Array((lines.joined(separator: "\n") + "\nlast line without a line feed").utf8)
    }()

    private func read(_ path: String, chunkSize: Int, mappingSize: Int = TweetLogReader.defaultMappingSize) throws -> [LineChunk] {
        let collector = ChunkCollector()
        let context = SubtaskContext(subtaskIndex: 0, parallelism: 1, maxParallelism: 128, watermarkGranularity: 1, metrics: JobMetrics())
        try TweetLogReader(path: path, output: Output(collector), context: context, chunkSize: chunkSize, mappingSize: mappingSize).run()
        #expect(collector.ended)
        return collector.chunks
    }

    private func expectChunksRebuild(_ chunks: [LineChunk], chunkSize: Int, mapped: Bool) {
        var rebuilt: [UInt8] = [], line = 1
        for (index, chunk) in chunks.enumerated() {
            let bytes = chunk.bytes.withUnsafeBufferPointer { Array($0) }
            #expect(chunk.firstLine == line, "chunk \(index) starts at line \(chunk.firstLine), not \(line)")
            #expect(index == chunks.count - 1 || bytes.last == UInt8(ascii: "\n"), "chunk \(index) ends inside a line")
            if mapped {
                #expect(bytes.count <= chunkSize || bytes.dropLast().firstIndex(of: UInt8(ascii: "\n")) == nil,
                        "chunk \(index) holds more than one line beyond the chunk size")
            }
            #expect(chunk.bytes.readable >= bytes.count)
            if mapped {
                let toTheFileEnd = Self.log.count - rebuilt.count
                #expect(chunk.bytes.readable >= min(bytes.count + 64, toTheFileEnd), "chunk \(index) cannot be read past its end")
            }
            line += bytes.count { $0 == UInt8(ascii: "\n") }
            rebuilt += bytes
        }
        #expect(rebuilt == Self.log)
    }

    /// Chunks of 64 and 100 bytes in mappings of 1 KB (several chunks each, and lines longer than
    /// a chunk) or of the default size (the whole file); and chunks larger than the file.
    @Test(arguments: [(64, 1024), (100, 1024), (100, TweetLogReader.defaultMappingSize), (4096, TweetLogReader.defaultMappingSize)])
    func mappedChunksRebuildThePlainFile(chunkSize: Int, mappingSize: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.log).write(to: URL(fileURLWithPath: path))
        let chunks = try read(path, chunkSize: chunkSize, mappingSize: mappingSize)
        #expect(chunks.count > (chunkSize < Self.log.count ? 1 : 0))
        expectChunksRebuild(chunks, chunkSize: chunkSize, mapped: true)
    }

    @Test func streamedChunksRebuildTheCompressedFile() throws {
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
        expectChunksRebuild(try read(folder + "/log.jsonl.gz", chunkSize: 100), chunkSize: 100, mapped: false)
    }

    @Test func anEmptyFileGivesNoChunks() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-reader-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data().write(to: URL(fileURLWithPath: path))
        #expect(try read(path, chunkSize: 100).isEmpty)
    }
}
