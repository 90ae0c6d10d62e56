import Foundation

/// The checkpoints of a job on disk: one folder per checkpoint (`chk-00000012`), holding one
/// snapshot file per subtask of each operator with state and, written last, the manifest (with
/// every operator's counters). Every file is written to a
/// temporary name, fsynced and renamed, and the folders are fsynced after the renames, so a crash
/// (even of the machine) leaves either a whole checkpoint or an incomplete one that is never loaded.
public struct CheckpointStorage: Sendable {
    public let directory: String

    /// The largest checkpoint id, 2^53 − 1, exact in any JSON reader; a folder named beyond it is no checkpoint.
    public static let maximumID: Int64 = (1 << 53) - 1

    public init(directory: String) { self.directory = directory }

    public static func folderName(_ id: Int64) -> String {
        "chk-" + String(repeating: "0", count: max(0, 8 - String(id).count)) + String(id)
    }

    /// The checkpoint id a folder name stands for: exactly ``folderName(_:)`` of an id from 1 to
    /// ``maximumID``; nil for any other name.
    public static func id(ofFolderName name: String) -> Int64? {
        guard name.hasPrefix("chk-"), name.utf8.dropFirst(4).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let id = Int64(name.dropFirst(4)), id >= 1, id <= maximumID, folderName(id) == name else { return nil }
        return id
    }

    /// Writes checkpoint `id` completely; returns its manifest.
    public func write(id: Int64, job: String, isSavepoint: Bool, maxParallelism: Int, snapshots: [OperatorSnapshot]) throws -> CheckpointManifest {
        let folder = directory + "/" + Self.folderName(id)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FlowError(.output, "cannot create the checkpoint folder \(folder): \(error.localizedDescription); check that \(directory) is writable")
        }
        var files: [CheckpointManifest.File] = []
        var counters: [String: [String: Int]] = [:]
        for snapshot in snapshots {
            for (name, value) in snapshot.counters { counters[snapshot.operatorID, default: [:]][name, default: 0] += value }
        }
        for snapshot in snapshots.sorted(by: { ($0.operatorID, $0.subtask) < ($1.operatorID, $1.subtask) }) where snapshot.hasState {
            let bytes = try SnapshotFile.encode(snapshot, checkpointID: id)
            try DurableFiles.write(bytes, to: folder + "/" + snapshot.fileName)
            let header: SnapshotFile.Header
            do {
                header = try SnapshotFile.readHeader(bytes).header
            } catch {
                throw FlowError(.internal, "snapshot \(snapshot.fileName) of checkpoint \(id) does not read back: \(error)")
            }
            files.append(.init(name: snapshot.fileName, operatorID: snapshot.operatorID, subtask: snapshot.subtask, bytes: bytes.count,
                               uncompressedBytes: header.uncompressedSize, crc32: SnapshotFile.storedChecksum(bytes),
                               keyGroups: "\(snapshot.keyGroupRange.lowerBound)..<\(snapshot.keyGroupRange.upperBound)",
                               position: snapshot.position))
        }
        let manifest = CheckpointManifest(
            format: CheckpointManifest.format, version: CheckpointManifest.formatVersion, checkpoint: id, job: job,
            isSavepoint: isSavepoint, createdAtMilliseconds: Int64(Date().timeIntervalSince1970 * 1000),
            maxParallelism: maxParallelism, files: files, counters: counters
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // The snapshots' names and the folder's own must be on disk before the manifest says the checkpoint is complete.
        try DurableFiles.syncFolder(folder)
        try DurableFiles.syncFolder(directory)
        try DurableFiles.write(Array(try encoder.encode(manifest)), to: folder + "/" + CheckpointManifest.fileName)
        try DurableFiles.syncFolder(folder)
        return manifest
    }

    /// Checkpoint folders by id, newest first (complete or not).
    public func folders() -> [(id: Int64, path: String)] {
        Self.folders(in: directory)
    }

    static func folders(in directory: String) -> [(id: Int64, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (Int64, String)? in
            guard let id = id(ofFolderName: name) else { return nil }
            return (id, directory + "/" + name)
        }
        .sorted { $0.0 > $1.0 }
    }

    /// Keeps the newest `retain` complete checkpoints and deletes older folders, complete or not.
    /// A newer incomplete folder may be one being written, so it stays.
    public func prune(retain: Int) {
        var kept = 0
        for (_, path) in folders() {
            let isComplete = FileManager.default.fileExists(atPath: path + "/" + CheckpointManifest.fileName)
            if kept >= retain { try? FileManager.default.removeItem(atPath: path) }
            if isComplete { kept += 1 }
        }
    }

    /// The newest checkpoint whose every file verifies; each one skipped is reported in one
    /// sentence. Nil when there is none.
    public func loadNewestValid(report: (String) -> Void) -> LoadedCheckpoint? {
        for (_, path) in folders() where FileManager.default.fileExists(atPath: path + "/" + CheckpointManifest.fileName) {
            do {
                return try LoadedCheckpoint(folder: path)
            } catch {
                report("checkpoint \(path) is unusable: \(error); trying the one before it")
            }
        }
        return nil
    }
}
