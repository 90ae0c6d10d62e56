import Foundation

/// A complete checkpoint read back from disk, every file checked against the manifest (name, size,
/// CRC-32, operator, subtask and key groups) and against its own magic number, version, checksum
/// and sizes. A restore and `flowrun checkpoints verify` load checkpoints the same way.
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
        let parallelism = Dictionary(grouping: manifest.files, by: \.operatorID).mapValues(\.count)
        var snapshots: [OperatorSnapshot] = []
        for file in manifest.files {
            let bytes: [UInt8]
            do {
                bytes = try BoundedFileRead.read(folder + "/" + file.name, maximum: SnapshotFile.maximumFileSize)
            } catch {
                throw Unusable(description: "\(file.name) \(error)")
            }
            guard bytes.count == file.bytes else {
                throw Unusable(description: "\(file.name) has \(bytes.count) bytes where the manifest lists \(file.bytes) (cut short or overwritten)")
            }
            do {
                let (header, snapshot) = try SnapshotFile.decode(bytes)
                guard SnapshotFile.storedChecksum(bytes) == file.crc32 else { throw SnapshotFile.Problem(description: "does not match the checksum in the manifest") }
                guard header.checkpointID == manifest.checkpoint else {
                    throw SnapshotFile.Problem(description: "belongs to checkpoint \(header.checkpointID), not \(manifest.checkpoint)")
                }
                try Self.check(header, against: file, parallelism: parallelism[file.operatorID]!, manifest: manifest)
                snapshots.append(snapshot)
            } catch {
                throw Unusable(description: "\(file.name) \(error)")
            }
        }
        self.snapshots = snapshots
    }

    /// Reads the manifest in `folder` and checks every claim it makes (see ``CheckpointManifest/check()``).
    public static func readManifest(_ folder: String) throws(Unusable) -> CheckpointManifest {
        let name = CheckpointManifest.fileName
        let bytes: [UInt8]
        do {
            bytes = try BoundedFileRead.read(folder + "/" + name, maximum: CheckpointManifest.maximumSize)
        } catch BoundedFileRead.Problem.missing {
            throw Unusable(description: "it has no \(name) (the checkpoint never completed)")
        } catch {
            throw Unusable(description: "\(name) \(error)")
        }
        let manifest: CheckpointManifest
        do {
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: Data(bytes))
        } catch {
            throw Unusable(description: "\(name) is not a valid manifest")
        }
        try manifest.check()
        let folderName = (folder as NSString).lastPathComponent
        if let id = CheckpointStorage.id(ofFolderName: folderName), id != manifest.checkpoint {
            throw Unusable(description: "\(name) names checkpoint \(manifest.checkpoint), but its folder is \(folderName)")
        }
        return manifest
    }

    /// A snapshot's header must say what its manifest entry says.
    private static func check(_ header: SnapshotFile.Header, against file: CheckpointManifest.File, parallelism: Int,
                              manifest: CheckpointManifest) throws(SnapshotFile.Problem) {
        let range = header.keyGroupRange
        guard header.operatorID == file.operatorID, header.subtask == file.subtask, header.parallelism == parallelism,
              "\(range.lowerBound)..<\(range.upperBound)" == file.keyGroups else {
            throw SnapshotFile.Problem(description: "holds subtask \(header.subtask) of \(header.parallelism) of operator \(header.operatorID) with key groups \(range.lowerBound)..<\(range.upperBound), not what the manifest lists")
        }
        guard header.uncompressedSize == file.uncompressedBytes else {
            throw SnapshotFile.Problem(description: "holds \(header.uncompressedSize) bytes of state where the manifest lists \(file.uncompressedBytes)")
        }
    }

    /// The snapshots of every subtask of operator `operatorID` (empty when it has no state here).
    public func snapshots(of operatorID: String) -> [OperatorSnapshot] {
        snapshots.filter { $0.operatorID == operatorID }
    }

    /// The operator identities the checkpoint holds state for.
    public var operatorIDs: Set<String> { Set(snapshots.map(\.operatorID)) }
}
