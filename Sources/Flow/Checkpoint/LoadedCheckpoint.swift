import Foundation

/// A complete checkpoint read back from disk, every file checked against the manifest (size and
/// CRC-32) and against its own magic number, version and checksum.
public struct LoadedCheckpoint: Sendable {
    public let path: String
    public let manifest: CheckpointManifest
    public let snapshots: [OperatorSnapshot]

    /// Why a checkpoint cannot be loaded: which file failed which check.
    public struct Unusable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads and verifies the checkpoint in `folder`.
    public init(folder: String) throws(Unusable) {
        path = folder
        manifest = try Self.readManifest(folder)
        var snapshots: [OperatorSnapshot] = []
        for file in manifest.files {
            guard let data = FileManager.default.contents(atPath: folder + "/" + file.name) else {
                throw Unusable(description: "\(file.name) is missing")
            }
            let bytes = [UInt8](data)
            guard bytes.count == file.bytes else {
                throw Unusable(description: "\(file.name) has \(bytes.count) bytes where the manifest lists \(file.bytes) (cut short or overwritten)")
            }
            do {
                let (header, snapshot) = try SnapshotFile.decode(bytes)
                guard SnapshotFile.crc32(bytes) == file.crc32 else { throw SnapshotFile.Problem(description: "does not match the checksum in the manifest") }
                guard header.checkpointID == manifest.checkpoint else {
                    throw SnapshotFile.Problem(description: "belongs to checkpoint \(header.checkpointID), not \(manifest.checkpoint)")
                }
                snapshots.append(snapshot)
            } catch {
                throw Unusable(description: "\(file.name) \(error)")
            }
        }
        self.snapshots = snapshots
    }

    private static func readManifest(_ folder: String) throws(Unusable) -> CheckpointManifest {
        guard let data = FileManager.default.contents(atPath: folder + "/" + CheckpointManifest.fileName) else {
            throw Unusable(description: "it has no \(CheckpointManifest.fileName) (the checkpoint never completed)")
        }
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: data)
        } catch {
            throw Unusable(description: "\(CheckpointManifest.fileName) is not a valid manifest")
        }
        guard manifest.format == CheckpointManifest.format else { throw Unusable(description: "\(CheckpointManifest.fileName) is not a Flow checkpoint manifest") }
        guard manifest.version == CheckpointManifest.formatVersion else {
            throw Unusable(description: "\(CheckpointManifest.fileName) has format version \(manifest.version), but this Flow reads version \(CheckpointManifest.formatVersion)")
        }
        return manifest
    }

    /// The state that operator `operatorID`'s subtask owning `range` restores from, or nil if the
    /// checkpoint has none for that operator.
    public func restore(operatorID: String, range: KeyGroupRange) -> OperatorRestore? {
        let parts = snapshots.filter { $0.operatorID == operatorID }
        guard !parts.isEmpty else { return nil }
        return OperatorRestore(snapshots: parts, range: range, checkpointID: manifest.checkpoint)
    }

    /// The operator identities the checkpoint holds state for.
    public var operatorIDs: Set<String> { Set(snapshots.map(\.operatorID)) }
}
