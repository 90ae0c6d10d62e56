import Flow
import Foundation
import Testing

/// The state encoding, the snapshot file format and the checkpoint folder: what is written reads
/// back the same, and every kind of damage is caught.
struct CheckpointFormatTests {
    @Test func stateRoundTrips() throws {
        var writer = StateWriter()
        let numbers: [Int64] = [0, 1, -1, 63, -64, 64, 1 << 40, .max, .min]
        for number in numbers { writer.write(number) }
        writer.write("hashtag #ünïcode 🎄")
        writer.write(bytes: [0, 255, 7])
        writer.write(Int64?.none)
        writer.write(Int64?.some(42))
        writer.write([KeyString("a"), KeyString("b")])
        var reader = StateReader(writer.bytes)
        #expect(try numbers.map { _ in try reader.readInt64() } == numbers)
        #expect(try reader.readString() == "hashtag #ünïcode 🎄")
        #expect(try reader.readBytes() == [0, 255, 7])
        #expect(try reader.read(Int64?.self) == nil)
        #expect(try reader.read(Int64?.self) == 42)
        #expect(try reader.readArray(of: KeyString.self) == [KeyString("a"), KeyString("b")])
        #expect(reader.isAtEnd)
    }

    @Test func truncatedStateThrowsInsteadOfReadingGarbage() {
        var writer = StateWriter()
        writer.write("a string of some length")
        var reader = StateReader(Array(writer.bytes.dropLast(3)))
        #expect(throws: StateReader.Damaged.self) { try reader.readString() }
    }

    private func snapshot() -> OperatorSnapshot {
        OperatorSnapshot(operatorID: "window", subtask: 1, parallelism: 2, keyGroupRange: KeyGroupRange(subtask: 1, parallelism: 2, maxParallelism: 128),
                         states: [
                            NamedState(name: "windows", redistribution: .keyed, entries: [
                                StateEntry(keyGroup: 64, bytes: Array(repeating: 9, count: 1000)), StateEntry(keyGroup: 70, bytes: [1, 2, 3]),
                            ]),
                            NamedState(name: "late parts", redistribution: .splitList, entries: [StateEntry(keyGroup: nil, bytes: Array("parts".utf8))]),
                         ], counters: ["windows fired": 3])
    }

    @Test func snapshotFileRoundTrips() throws {
        let bytes = try SnapshotFile.encode(snapshot(), checkpointID: 12)
        #expect(Array(bytes.prefix(8)) == Array("FLOWSNAP".utf8))
        let (header, decoded) = try SnapshotFile.decode(bytes)
        #expect(header.checkpointID == 12)
        #expect(decoded.operatorID == "window" && decoded.subtask == 1 && decoded.parallelism == 2)
        #expect(decoded.keyGroupRange == KeyGroupRange(lowerBound: 64, upperBound: 128))
        #expect(decoded.states.map(\.name) == ["late parts", "windows"])
        #expect(decoded.states[0].redistribution == .splitList && decoded.states[0].entries == [StateEntry(keyGroup: nil, bytes: Array("parts".utf8))])
        #expect(decoded.states[1].redistribution == .keyed && decoded.states[1].entries.map(\.keyGroup) == [64, 70])
        #expect(decoded.states[1].entries[1].bytes == [1, 2, 3])
        #expect(bytes.count < 200, "1000 equal bytes should compress")
    }

    @Test func everyFlippedBitAndEveryTruncationIsCaught() throws {
        let bytes = try SnapshotFile.encode(snapshot(), checkpointID: 12)
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x10
            #expect(throws: SnapshotFile.Problem.self) { try SnapshotFile.decode(damaged) }
        }
        for length in [0, 8, 17, bytes.count / 2, bytes.count - 1] {
            #expect(throws: SnapshotFile.Problem.self) { try SnapshotFile.decode(Array(bytes.prefix(length))) }
        }
    }

    @Test func anotherVersionIsNamed() throws {
        var bytes = try SnapshotFile.encode(snapshot(), checkpointID: 12)
        bytes[8] = 9
        do {
            _ = try SnapshotFile.decode(bytes)
            Issue.record("a snapshot of version 9 was read")
        } catch {
            #expect(error.description == "has format version 9, but this Flow reads version 4")
        }
    }

    @Test func storageKeepsTheNewestAndSkipsADamagedOne() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-storage-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storage = CheckpointStorage(directory: folder)
        let first = OperatorSnapshot(operatorID: "window", subtask: 0, parallelism: 2,
                                     keyGroupRange: KeyGroupRange(subtask: 0, parallelism: 2, maxParallelism: 128),
                                     states: [NamedState(name: "windows", redistribution: .keyed, entries: [])], counters: ["windows fired": 2])
        for id in Int64(1)...5 {
            _ = try storage.write(id: id, job: "test", isSavepoint: false, maxParallelism: 128, snapshots: [first, snapshot()])
            storage.prune(retain: 3)
        }
        #expect(storage.folders().map(\.id) == [5, 4, 3])
        let newest = folder + "/chk-00000005/window.1.snap"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: newest)))
        bytes[20] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: newest))
        var reports: [String] = []
        let loaded = storage.loadNewestValid { reports.append($0) }
        #expect(loaded?.manifest.checkpoint == 4)
        #expect(reports == ["checkpoint \(folder)/chk-00000005 is unusable: window.1.snap fails its checksum (damaged or cut short); trying the one before it"])
        let restored = try #require(loaded)
        #expect(restored.snapshots(of: "window").flatMap { $0.states.flatMap { $0.entries.compactMap(\.keyGroup) } } == [64, 70])
        #expect(restored.manifest.counters == ["window": ["windows fired": 5]])
    }
}
