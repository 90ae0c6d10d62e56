import Foundation

/// One line of checkpoints: the folder holds only the checkpoints the current run continues, so
/// the newest one in it is always the right one for `--restore latest`.
///
/// A run restored from checkpoint n of the folder abandons the checkpoints after n (a future that
/// did not happen: their output was cut back); a run from the beginning, or restored from another
/// folder, abandons them all. Abandoned checkpoints are moved into `abandoned/`, which keeps the
/// newest few of them for a person to look at and is never restored from.
extension CheckpointStorage {
    /// The folder abandoned checkpoints are moved to.
    public static let abandonedFolderName = "abandoned"

    public var abandonedDirectory: String { directory + "/" + Self.abandonedFolderName }

    /// The largest checkpoint id used in the folder, abandoned ones included, so ids are never reused; 0 if none.
    public func newestID() -> Int64 {
        max(folders().first?.id ?? 0, Self.folders(in: abandonedDirectory).first?.id ?? 0)
    }

    /// Whether `checkpoint` (a checkpoint folder's path) is one of this folder's checkpoints.
    public func holds(_ checkpoint: String) -> Bool {
        let parent = (checkpoint as NSString).deletingLastPathComponent
        guard let here = realpath(directory, nil), let there = realpath(parent.isEmpty ? "." : parent, nil) else { return false }
        defer { free(here); free(there) }
        return strcmp(here, there) == 0
    }

    /// Moves every checkpoint folder (complete or not) with an id above `id` into `abandoned/`,
    /// keeping the newest `retain` there; returns the ids moved, ascending. The moves are synced
    /// before it returns, so a crash after it cannot bring them back.
    public func abandon(after id: Int64, retain: Int) throws -> [Int64] {
        let moving = folders().filter { $0.id > id }
        guard !moving.isEmpty else { return [] }
        let abandoned = abandonedDirectory
        do {
            try FileManager.default.createDirectory(atPath: abandoned, withIntermediateDirectories: true)
            for (id, path) in moving {
                let target = abandoned + "/" + Self.folderName(id)
                if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                try FileManager.default.moveItem(atPath: path, toPath: target)
            }
        } catch {
            throw FlowError(.output, "cannot move abandoned checkpoints into \(abandoned): \(error.localizedDescription); check that \(directory) is writable")
        }
        try DurableFiles.syncFolder(abandoned)
        try DurableFiles.syncFolder(directory)
        for (_, path) in Self.folders(in: abandoned).dropFirst(retain) { try? FileManager.default.removeItem(atPath: path) }
        return moving.map(\.id).reversed()
    }
}
