import Flow
import Foundation
@testable import Kafka
import Operators
import Testing

/// The pieces of a cluster worker that hold state: the records workers send each other, a key
/// group's windows and its duplicate filter, the merge of the key groups' local top K, and the
/// reading back of the output a merge taking over finds.
struct ClusterStateTests {
    static let window = try! WindowSpec(size: .seconds(20), slide: .seconds(10))

    static func decode(_ bytes: [UInt8]) -> ClusterRecord? { bytes.withUnsafeBufferPointer { ClusterRecord($0) } }

    @Test func everyRecordSurvivesARoundTrip() {
        let records: [ClusterRecord] = [
            .hashtags(partition: 3, offset: 42, eventTime: 1_609_459_200_123, tags: ["swift", "東京"]),
            .tweets(partition: 0, tweets: [.init(offset: 1, eventTime: 5, tags: ["a"]), .init(offset: 9, eventTime: 2, tags: ["b", "c"])]),
            .watermark(partition: 1, partitions: 4, watermark: .max, idle: false),
            .watermark(partition: 0, partitions: 4, watermark: -5_000, idle: true),
            .candidates(keyGroup: 127, windowEnd: 20_000, entries: [.init(tag: "a", count: 3), .init(tag: "b", count: 1)]),
            .progress(keyGroup: 0, watermark: 19_999),
            .finished,
        ]
        for record in records { #expect(Self.decode(record.bytes) == record) }
    }

    @Test func damagedOrImpossibleRecordsDecodeToNothing() {
        let bytes = ClusterRecord.hashtags(partition: 3, offset: 42, eventTime: 1_000, tags: ["swift"]).bytes
        for length in 0..<bytes.count { #expect(Self.decode(Array(bytes.prefix(length))) == nil, "cut at \(length)") }
        #expect(Self.decode(bytes + [0]) == nil)
        #expect(Self.decode(ClusterRecord.progress(keyGroup: 128, watermark: 0).bytes) == nil)
        #expect(Self.decode(ClusterRecord.hashtags(partition: 0, offset: 0, eventTime: 1 << 60, tags: ["a"]).bytes) == nil)
        #expect(Self.decode(ClusterRecord.hashtags(partition: 0, offset: -1, eventTime: 0, tags: ["a"]).bytes) == nil)
        #expect(Self.decode(ClusterRecord.watermark(partition: 4, partitions: 4, watermark: 0, idle: false).bytes) == nil)
        let tweet = ClusterRecord.TweetTags(offset: 5, eventTime: 0, tags: ["a"])
        #expect(Self.decode(ClusterRecord.tweets(partition: 0, tweets: [tweet, tweet]).bytes) == nil, "offsets must rise within a record")
        #expect(Self.decode(ClusterRecord.tweets(partition: 0, tweets: []).bytes) == nil)
        #expect(Self.decode(ClusterRecord.watermark(partition: 0, partitions: 1, watermark: .min, idle: false).bytes) == nil)
        #expect(Self.decode(ClusterRecord.candidates(keyGroup: 0, windowEnd: 0, entries: [.init(tag: "a", count: 0)]).bytes) == nil)
    }

    /// A key group fed `records` in order, from offset 0.
    static func keyGroup(_ records: [ClusterRecord]) -> KeyGroupState {
        var state = KeyGroupState(keyGroup: 5)
        for (offset, record) in records.enumerated() { state.take(record, at: Int64(offset), window: window) }
        return state
    }

    @Test func aTweetSentAgainAfterATakeOverIsCountedOnce() {
        var state = Self.keyGroup([
            .hashtags(partition: 0, offset: 7, eventTime: 1_000, tags: ["a"]),
            .hashtags(partition: 0, offset: 8, eventTime: 2_000, tags: ["a", "b"]),
            .hashtags(partition: 0, offset: 7, eventTime: 1_000, tags: ["a"]),   // the new owner resends from 7
            .hashtags(partition: 0, offset: 8, eventTime: 2_000, tags: ["a", "b"]),
            .hashtags(partition: 0, offset: 9, eventTime: 3_000, tags: ["b"]),
            .hashtags(partition: 1, offset: 7, eventTime: 3_000, tags: ["a"]),   // another partition's offset 7
            .watermark(partition: 0, partitions: 2, watermark: .max, idle: false),
            .watermark(partition: 1, partitions: 2, watermark: .max, idle: false),
        ])
        #expect(state.nextOffset == 8)
        let fired = state.fireWindows(window: Self.window, k: 5)
        #expect(fired.map(\.windowEnd) == [10_000, 20_000])
        #expect(fired[0].entries == [.init(tag: "a", count: 3), .init(tag: "b", count: 2)])
    }

    @Test func theWatermarkIsTheMinimumOverActivePartitionsOnceAllWereHeard() {
        var state = Self.keyGroup([.watermark(partition: 0, partitions: 3, watermark: 9_000, idle: false)])
        #expect(state.watermark == nil)
        state.take(.watermark(partition: 1, partitions: 3, watermark: 12_000, idle: false), at: 1, window: Self.window)
        state.take(.watermark(partition: 2, partitions: 3, watermark: 4_000, idle: true), at: 2, window: Self.window)
        #expect(state.watermark == 9_000)
        state.take(.watermark(partition: 0, partitions: 3, watermark: 8_000, idle: false), at: 3, window: Self.window)
        #expect(state.watermark == 9_000, "a watermark never goes back")
        state.take(.watermark(partition: 2, partitions: 3, watermark: 5_000, idle: false), at: 4, window: Self.window)
        #expect(state.watermark == 5_000, "a partition that sends again holds event time back again")
    }

    @Test func windowsFireOnceTheWatermarkReachesTheirEndMinusOneRankedByCountThenTag() {
        var state = Self.keyGroup([
            .hashtags(partition: 0, offset: 0, eventTime: 500, tags: ["b", "a", "c"]),
            .hashtags(partition: 0, offset: 1, eventTime: 9_999, tags: ["c"]),
            .hashtags(partition: 0, offset: 2, eventTime: 15_000, tags: ["a"]),
            .watermark(partition: 0, partitions: 1, watermark: 9_998, idle: false),
        ])
        #expect(state.fireWindows(window: Self.window, k: 2).isEmpty)
        state.take(.watermark(partition: 0, partitions: 1, watermark: 9_999, idle: false), at: 4, window: Self.window)
        let first = state.fireWindows(window: Self.window, k: 2)
        #expect(first.map(\.windowEnd) == [10_000])
        #expect(first[0].entries == [.init(tag: "c", count: 2), .init(tag: "a", count: 1)])
        state.take(.hashtags(partition: 0, offset: 3, eventTime: 100, tags: ["late"]), at: 5, window: Self.window)
        state.take(.watermark(partition: 0, partitions: 1, watermark: .max, idle: false), at: 6, window: Self.window)
        let rest = state.fireWindows(window: Self.window, k: 2)
        #expect(rest.map(\.windowEnd) == [20_000, 30_000])
        #expect(rest[0].entries == [.init(tag: "a", count: 2), .init(tag: "c", count: 2)])
        #expect(rest[1].entries == [.init(tag: "a", count: 1)])
        #expect(state.slices.isEmpty)
    }

    @Test func aKeyGroupSnapshotRestoresExactlyAndADamagedOneIsRefused() throws {
        let state = Self.keyGroup([
            .hashtags(partition: 2, offset: 11, eventTime: 5_000, tags: ["x", "y"]),
            .watermark(partition: 2, partitions: 3, watermark: 1_000, idle: true),
        ])
        #expect(try KeyGroupState(bytes: state.bytes, keyGroup: 5) == state)
        #expect(throws: StateReader.Damaged.self) { try KeyGroupState(bytes: state.bytes, keyGroup: 6) }
        #expect(throws: StateReader.Damaged.self) { try KeyGroupState(bytes: Array(state.bytes.dropLast()), keyGroup: 5) }
    }

    @Test func theMergeEmitsAWindowOnceEveryKeyGroupPassedItAndKeepsTheFirstCopyOfEachKeyGroupsCandidates() throws {
        var merge = MergeState()
        var offset: Int64 = 0
        func take(_ record: ClusterRecord) { merge.take(record, at: offset); offset += 1 }
        take(.candidates(keyGroup: 1, windowEnd: 10_000, entries: [.init(tag: "a", count: 4), .init(tag: "b", count: 2)]))
        take(.candidates(keyGroup: 2, windowEnd: 10_000, entries: [.init(tag: "c", count: 3)]))
        take(.candidates(keyGroup: 2, windowEnd: 10_000, entries: [.init(tag: "c", count: 99)]))   // sent again after a take-over
        for group in 0..<127 { take(.progress(keyGroup: group, watermark: 9_999)) }
        #expect(merge.completeWindows(k: 2).isEmpty, "key group 127 has not passed the window")
        #expect(try MergeState(bytes: merge.bytes) == merge)
        take(.progress(keyGroup: 127, watermark: 9_999))
        let ranked = merge.completeWindows(k: 2)
        #expect(ranked.map { "\($0.windowEnd.milliseconds) \($0.rank) \($0.key) \($0.value)" } == ["10000 1 a 4", "10000 2 c 3"])
        take(.candidates(keyGroup: 3, windowEnd: 10_000, entries: [.init(tag: "d", count: 9)]))
        #expect(merge.completeWindows(k: 2).isEmpty, "an emitted window is never emitted again")
    }

    @Test func aMergeTakingOverRecognisesTheResultsAlreadyWritten() {
        func parse(_ text: String) -> OutputReader.WrittenResult? { Array(text.utf8).withUnsafeBufferPointer { OutputReader.windowAndRank($0) } }
        let line = RankedCountFormat.jsonl.line(RankedCount(windowEnd: EventTime(milliseconds: 1_609_459_250_000), rank: 7, key: KeyString("swift"), value: 29), keyColumn: "hashtag")
        #expect(parse(line) == OutputReader.WrittenResult(windowEnd: 1_609_459_250_000, rank: 7))
        #expect(parse("{\"window_end_ms\":12,\"rank\":0,") == nil)
        #expect(parse("{\"rank\":1,\"window_end_ms\":12}") == nil)
        #expect(parse("{\"window_end_ms\":99999999999999999999999,\"rank\":1,") == nil)
    }

    @Test func theShelfKeepsTheNewestSnapshotsByOffset() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-shelf-\(UUID().uuidString)").path
        var shelf = SnapshotShelf(folder: folder + "/keygroup-007")
        shelf.retain = 2
        #expect(try shelf.newest() == nil)
        for offset: Int64 in [5, 120, 37] { try shelf.write([UInt8(offset)], offset: offset) }
        #expect(shelf.offsets() == [37, 120])
        let newest = try #require(try shelf.newest())
        #expect(newest.offset == 120 && newest.bytes == [120])
    }
}
