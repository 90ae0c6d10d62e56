import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The checkpoints of a job on disk: one folder per checkpoint (`chk-00000012`), holding one
/// snapshot file per operator subtask and, written last, the manifest. Every file is written to a
/// temporary name, fsynced and renamed, so a crash leaves either a whole file or none.
public struct CheckpointStorage: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public static func folderName(_ id: Int64) -> String {
        "chk-" + String(repeating: "0", count: max(0, 8 - String(id).count)) + String(id)
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
        for snapshot in snapshots.sorted(by: { ($0.operatorID, $0.subtask) < ($1.operatorID, $1.subtask) }) {
            let bytes = try SnapshotFile.encode(snapshot, checkpointID: id)
            try Self.writeDurably(bytes, to: folder + "/" + snapshot.fileName)
            let uncompressed = snapshot.shared.count + snapshot.keyGroups.reduce(0) { $0 + $1.state.count }
            files.append(.init(name: snapshot.fileName, operatorID: snapshot.operatorID, subtask: snapshot.subtask, bytes: bytes.count,
                               uncompressedBytes: uncompressed, crc32: SnapshotFile.crc32(bytes),
                               keyGroups: "\(snapshot.keyGroupRange.lowerBound)..<\(snapshot.keyGroupRange.upperBound)",
                               position: snapshot.position))
        }
        let manifest = CheckpointManifest(
            format: CheckpointManifest.format, version: CheckpointManifest.formatVersion, checkpoint: id, job: job,
            isSavepoint: isSavepoint, createdAtMilliseconds: Int64(Date().timeIntervalSince1970 * 1000),
            maxParallelism: maxParallelism, files: files
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Self.writeDurably(Array(try encoder.encode(manifest)), to: folder + "/" + CheckpointManifest.fileName)
        Self.syncFolder(folder)
        Self.syncFolder(directory)
        return manifest
    }

    /// Checkpoint folders by id, newest first (complete or not).
    public func folders() -> [(id: Int64, path: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (Int64, String)? in
            guard name.hasPrefix("chk-"), let id = Int64(name.dropFirst(4)) else { return nil }
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

    static func writeDurably(_ bytes: [UInt8], to path: String) throws {
        let slash = path.lastIndex(of: "/")
        let temporary = slash.map { String(path[...$0]) + "." + String(path[path.index(after: $0)...]) } ?? "." + path
        let temporaryPath = temporary + ".tmp"
        let fd = open(temporaryPath, O_CREAT | O_TRUNC | O_WRONLY, 0o644)
        guard fd >= 0 else { throw FlowError(.output, "cannot create \(temporaryPath): \(String(cString: strerror(errno))); check that the checkpoint folder is writable") }
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw FlowError(.output, "cannot write \(temporaryPath): \(String(cString: strerror(errno)))") }
            written += count
        }
        guard fsync(fd) == 0 else { throw FlowError(.output, "cannot sync \(temporaryPath) to disk: \(String(cString: strerror(errno)))") }
        guard rename(temporaryPath, path) == 0 else { throw FlowError(.output, "cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(errno)))") }
    }

    static func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
