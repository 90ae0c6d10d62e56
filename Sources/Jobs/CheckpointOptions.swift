import Flow
import Foundation

/// How a run takes checkpoints and where it starts: the job file's `checkpoint` section, with the
/// command line's overrides.
public struct CheckpointOptions: Sendable {
    /// `--checkpoint-dir`: overrides the section's `dir` (and turns checkpoints on without one).
    public var directory: String?
    /// `--checkpoint-interval`.
    public var interval: Duration?
    /// `--restore`: `latest` (the newest usable checkpoint in the folder, or the beginning when
    /// there is none yet), a checkpoint folder, or a folder of checkpoints.
    public var restore: String?
    /// Where the restore reports what it used or skipped.
    public var report: @Sendable (String) -> Void = { _ in }

    public init() {}

    /// The settings for `file`, or nil when it runs without checkpoints.
    func settings(for file: JobFile, parameters: [String: String]) throws -> CheckpointCoordinator.Settings? {
        var directory = self.directory
        var interval = self.interval ?? .seconds(10)
        var retain = 3
        if let section = file.checkpoint {
            var settings = try ResolvedSettings(step: section, parameters: parameters)
            let fileDirectory = settings.string("dir", default: "")
            if directory == nil && !fileDirectory.isEmpty { directory = fileDirectory }
            let fileInterval = try settings.duration("interval", default: "10s")
            if self.interval == nil { interval = fileInterval }
            retain = try settings.integer("retain", default: 3, range: 1...1000)
            try settings.checkAllUsed()
        }
        guard interval.milliseconds > 0 else { throw FlowError(.invalidJob, "the checkpoint interval must be positive") }
        guard let directory else {
            if let restore { throw FlowError(.invalidJob, "--restore \(restore) needs a checkpoint folder; add a checkpoint section with a dir to \(file.path) or pass --checkpoint-dir") }
            return nil
        }
        return CheckpointCoordinator.Settings(directory: directory, interval: interval, retain: retain)
    }

    /// The checkpoint to start from, as `--restore` asks; nil to start from the beginning.
    func loadRestore(settings: CheckpointCoordinator.Settings) throws -> LoadedCheckpoint? {
        guard let restore else { return nil }
        let folder = restore == "latest" ? settings.directory : restore
        if FileManager.default.fileExists(atPath: folder + "/" + CheckpointManifest.fileName) {
            do {
                return try LoadedCheckpoint(folder: folder)
            } catch {
                throw FlowError(.invalidJob, "checkpoint \(folder) is unusable: \(error); restore another one or use --restore latest")
            }
        }
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder)
        guard exists, isFolder.boolValue, restore != "latest" || !CheckpointStorage(directory: folder).folders().isEmpty else {
            if restore == "latest" {
                report("no checkpoint in \(folder) yet; starting from the beginning")
                return nil
            }
            throw FlowError(.missingInput, "--restore \(restore): there is no checkpoint there; give a checkpoint folder, a folder of checkpoints, or latest")
        }
        guard let loaded = CheckpointStorage(directory: folder).loadNewestValid(report: report) else {
            guard restore == "latest" else { throw FlowError(.missingInput, "--restore \(restore): the folder holds no usable checkpoint") }
            report("no usable checkpoint in \(folder) yet; starting from the beginning")
            return nil
        }
        return loaded
    }
}
