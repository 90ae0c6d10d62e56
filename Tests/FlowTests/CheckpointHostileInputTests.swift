import Flow
import Foundation
import Testing

/// Crafted checkpoints, with valid checksums around impossible claims: every size, count, name and
/// key group is checked before it is used, so such a checkpoint is refused in one sentence, never
/// trusted into a trap or a huge allocation.
struct CheckpointHostileInputTests {
    /// A snapshot file with a valid checksum around whatever sizes a test claims.
    private func crafted(uncompressedSize: Int, compressedSize: Int, state: [UInt8]) -> [UInt8] {
        var header = StateWriter()
        header.write(Int64(1))
        header.write("4-window")
        for field in [0, 1, 0, 128, 0, uncompressedSize, compressedSize] { header.write(field) }
        header.write("")
        var file = SnapshotFile.magic
        file += [UInt8(SnapshotFile.formatVersion & 0xFF), UInt8(SnapshotFile.formatVersion >> 8)]
        file += littleEndian(UInt32(header.bytes.count))
        file += header.bytes + state
        return file + littleEndian(SnapshotFile.crc32(file))
    }

    private func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

    private func problem(_ file: [UInt8]) -> String? {
        do {
            _ = try SnapshotFile.decode(file)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aHeaderClaimingFifteenGiBIsRefusedBeforeAllocating() {
        let file = crafted(uncompressedSize: 15 << 30, compressedSize: 20, state: Array(repeating: 0, count: 20))
        #expect(file.count < 80)
        #expect(problem(file) == "claims 16106127360 bytes of state, more than the 2147483648 a snapshot may hold")
    }

    @Test func aClaimBeyondWhatItsCompressedBytesCanHoldIsRefused() {
        let file = crafted(uncompressedSize: 1 << 30, compressedSize: 20, state: Array(repeating: 0, count: 20))
        #expect(problem(file) == "claims 1073741824 bytes of state, more than its 20 compressed bytes can hold")
    }

    @Test func aCompressedSizeOfInt64MaxIsRefused() {
        let file = crafted(uncompressedSize: 10, compressedSize: .max, state: Array(repeating: 0, count: 20))
        #expect(problem(file) == "has a state size that does not match its length")
    }

    @Test func aKeyGroupOutsideTheSnapshotsRangeIsRefused() throws {
        let snapshot = OperatorSnapshot(operatorID: "4-window", subtask: 1, parallelism: 2,
                                        keyGroupRange: KeyGroupRange(lowerBound: 64, upperBound: 128),
                                        states: [NamedState(name: "windows", redistribution: .keyed, entries: [StateEntry(keyGroup: 5, bytes: [1])])])
        #expect(problem(try SnapshotFile.encode(snapshot, checkpointID: 1)) == "holds key group 5, outside its key groups 64..<128")
    }

    private func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("flow-hostile-\(UUID().uuidString)").path
    }

    private func snapshot(_ shared: String) -> OperatorSnapshot {
        OperatorSnapshot(operatorID: "0-source", subtask: 0, parallelism: 1, keyGroupRange: KeyGroupRange(lowerBound: 0, upperBound: 128),
                         states: [NamedState(name: "position", redistribution: .splitList, entries: [StateEntry(keyGroup: nil, bytes: Array(shared.utf8))])])
    }

    @Test func theManifestChecksumTellsFilesApart() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let storage = CheckpointStorage(directory: folder)
        let first = try storage.write(id: 1, job: "test", isSavepoint: false, maxParallelism: 128, snapshots: [snapshot("one")])
        let second = try storage.write(id: 2, job: "test", isSavepoint: false, maxParallelism: 128, snapshots: [snapshot("two")])
        #expect(first.files[0].crc32 != second.files[0].crc32)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/chk-00000002/0-source.0.snap")))
        #expect(second.files[0].crc32 == SnapshotFile.crc32(bytes.dropLast(4)))
    }

    @Test func aManifestNamingAFileOutsideItsFolderIsRefused() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        _ = try CheckpointStorage(directory: folder).write(id: 1, job: "test", isSavepoint: false, maxParallelism: 128, snapshots: [snapshot("one")])
        let checkpoint = folder + "/chk-00000001"
        try FileManager.default.moveItem(atPath: checkpoint + "/0-source.0.snap", toPath: folder + "/outside.snap")
        let manifest = checkpoint + "/" + CheckpointManifest.fileName
        let text = try String(contentsOfFile: manifest, encoding: .utf8).replacingOccurrences(of: "\"0-source.0.snap\"", with: "\"..\\/outside.snap\"")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        do {
            _ = try LoadedCheckpoint(folder: checkpoint)
            Issue.record("a manifest naming ../outside.snap was loaded")
        } catch {
            #expect(error.description == "MANIFEST.json names the file ../outside.snap, which is not 0-source.0.snap, the snapshot of operator 0-source subtask 0")
        }
    }

    @Test func folderNamesThatAreNoCheckpointIDAreIgnored() throws {
        let folder = scratch()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["chk-9223372036854775807", "chk--0000001", "chk-+0000001", "chk-1", "chk-00000003"] {
            try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
        }
        #expect(CheckpointStorage(directory: folder).folders().map(\.id) == [3])
    }
}
