import ArgumentParser
import Flow
import Foundation

/// `flowrun checkpoints list|inspect|verify`: what a checkpoint folder holds, and whether it is sound.
struct Checkpoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect and verify checkpoints.",
        subcommands: [List.self, Inspect.self, Verify.self]
    )

    /// `flowrun checkpoints list DIR`: one line per checkpoint, newest first.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the checkpoints in a folder, newest first, with sizes and compression.")

        @Argument(help: "The checkpoint folder of a job (the job file's checkpoint dir).")
        var directory: String

        func run() throws {
            try reportingErrors {
                let folders = CheckpointStorage(directory: directory).folders()
                guard !folders.isEmpty else {
                    print("no checkpoints in \(directory)")
                    return
                }
                print(pad(["checkpoint", "state", "files", "bytes", "uncompressed", "ratio", "created (UTC)"]))
                for (id, path) in folders {
                    guard let manifest = try? LoadedCheckpoint.readManifest(path) else {
                        let isComplete = FileManager.default.fileExists(atPath: path + "/" + CheckpointManifest.fileName)
                        print(pad([String(id), isComplete ? "damaged" : "incomplete", "-", "-", "-", "-", "-"]))
                        continue
                    }
                    // The manifest's checks bound every size, so these sums cannot overflow.
                    let bytes = manifest.files.reduce(0) { $0 + $1.bytes }
                    let raw = manifest.files.reduce(0) { $0 + $1.uncompressedBytes }
                    print(pad([String(id), manifest.isSavepoint ? "savepoint" : "complete", String(manifest.files.count), String(bytes), String(raw),
                               String(format: "%.1fx", Double(raw) / Double(max(bytes, 1))), created(manifest)]))
                }
            }
        }
    }

    /// `flowrun checkpoints inspect PATH`: operators, key groups, sizes and source positions.
    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one checkpoint: operators, subtasks, key groups, sizes and source positions.")

        @Argument(help: "A checkpoint folder (chk-…).")
        var path: String

        func run() throws {
            try reportingErrors {
                let manifest = try readManifest(path)
                print("checkpoint \(manifest.checkpoint) of job \"\(manifest.job)\"\(manifest.isSavepoint ? " (savepoint)" : ""), created \(created(manifest)) UTC, \(manifest.maxParallelism) key groups")
                print(pad(["file", "operator", "subtask", "key groups", "bytes", "uncompressed", "ratio"]))
                for file in manifest.files {
                    print(pad([file.name, file.operatorID, String(file.subtask), file.keyGroups, String(file.bytes), String(file.uncompressedBytes),
                               String(format: "%.1fx", Double(file.uncompressedBytes) / Double(max(file.bytes, 1)))]))
                }
                for file in manifest.files { if let position = file.position { print("source \(file.operatorID) position: \(position)") } }
            }
        }
    }

    /// `flowrun checkpoints verify PATH`: every file against the manifest and its own checksum.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every file of a checkpoint: size, CRC-32, magic number, format version, state.")

        @Argument(help: "A checkpoint folder (chk-…).")
        var path: String

        func run() throws {
            try reportingErrors {
                do {
                    let loaded = try LoadedCheckpoint(folder: path)
                    print("\(path): checkpoint \(loaded.manifest.checkpoint) is sound (\(loaded.manifest.files.count) files verified)")
                } catch {
                    throw FlowError(.invalidJob, "\(path): \(error)")
                }
            }
        }
    }
}

private func readManifest(_ folder: String) throws -> CheckpointManifest {
    guard FileManager.default.fileExists(atPath: folder + "/" + CheckpointManifest.fileName) else {
        throw FlowError(.missingInput, "\(folder) has no \(CheckpointManifest.fileName); give a complete checkpoint folder (flowrun checkpoints list shows them)")
    }
    do {
        return try LoadedCheckpoint.readManifest(folder)
    } catch {
        throw FlowError(.invalidJob, "\(folder): \(error)")
    }
}

private func created(_ manifest: CheckpointManifest) -> String {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date(timeIntervalSince1970: Double(manifest.createdAtMilliseconds) / 1000))
}

private func pad(_ cells: [String]) -> String {
    cells.enumerated().map { index, cell in index == 0 ? cell.padding(toLength: max(18, cell.count), withPad: " ", startingAt: 0) : cell.padding(toLength: max(13, cell.count), withPad: " ", startingAt: 0) }
        .joined(separator: " ").trimmingCharacters(in: .whitespaces)
}
