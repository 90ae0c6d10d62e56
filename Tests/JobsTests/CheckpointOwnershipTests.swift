import Flow
import Foundation
import Testing

/// A checkpoint folder belongs to one run at a time and holds one line of checkpoints, and a
/// restore resumes only the in-progress output its checkpoint wrote: anything else is refused in
/// one sentence, and crafted or damaged checkpoints never stop a run with a trap.
@Suite(.serialized)
struct CheckpointOwnershipTests {
    typealias Crashed = CheckpointRecoveryTests.Crashed

    private func crashed() throws -> Crashed { try CheckpointRecoveryTests.crashed.get() }

    /// Runs the trending job on the crashed run's log with the output and checkpoints under `folder`.
    private func run(_ folder: String, _ extra: [String], name: String) throws -> FlowrunProcess {
        try FlowrunProcess(Crashed.arguments(log: try crashed().log, output: folder + "/out.csv", checkpoints: folder + "/checkpoints") + extra,
                           stderrPath: folder + "/\(name).err")
    }

    private func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func anUnrelatedFileAtTheOutputPathIsRefusedAndKept() throws {
        let copy = try crashed().copy(named: "unrelated")
        try FileManager.default.removeItem(atPath: copy + "/.out.csv.inprogress")
        let unrelated = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        try unrelated.write(to: URL(fileURLWithPath: copy + "/out.csv"))
        let result = try run(copy, ["--restore", "latest"], name: "restore").finish()
        #expect(result.status == 5)
        #expect(lines(result.stderr).count == 2 && lines(result.stderr)[1].hasPrefix("flowrun: operator sink: cannot resume the output \(copy)/out.csv: "), "\(result.stderr)")
        #expect(result.stderr.contains("is not the file checkpoint"), "\(result.stderr)")
        #expect(try Fixtures.read(copy + "/out.csv") == unrelated)
    }

    @Test func aShorterInProgressFileIsRefusedAndKept() throws {
        let copy = try crashed().copy(named: "shorter")
        let inProgress = copy + "/.out.csv.inprogress"
        let cut = try Fixtures.read(inProgress).prefix(100)
        try cut.write(to: URL(fileURLWithPath: inProgress))
        let result = try run(copy, ["--restore", "latest"], name: "restore").finish()
        #expect(result.status == 5)
        #expect(result.stderr.contains("flowrun: operator sink: cannot resume the output \(copy)/out.csv: \(inProgress) has 100 bytes, fewer than the "), "\(result.stderr)")
        #expect(try Fixtures.read(inProgress) == cut)
    }

    @Test func restoringAnOlderCheckpointAbandonsTheNewerOnes() throws {
        let crashed = try crashed()
        let copy = try crashed.copy(named: "older")
        let oldest = crashed.checkpoints.last!
        let restored = try run(copy, ["--restore", copy + "/checkpoints/" + oldest, "-p", "speed=1x", "--checkpoint-interval", "1h"], name: "older")
        while !((try? String(contentsOfFile: restored.stderrPath, encoding: .utf8)) ?? "").contains("restoring checkpoint") && restored.process.isRunning {
            Thread.sleep(forTimeInterval: 0.02)
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(restored.send(SIGKILL), "the restored run ended before it could be killed")
        _ = restored.finish()
        let result = try run(copy, ["--restore", "latest"], name: "latest").finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("flowrun: restoring checkpoint \(Int(oldest.dropFirst(4))!) from"), "\(result.stderr)")
        #expect(try Fixtures.read(copy + "/out.csv") == crashed.expected)
    }

    @Test func aRunFromTheBeginningAbandonsTheCheckpointsBeforeIt() throws {
        let crashed = try crashed()
        let copy = try crashed.copy(named: "fresh-line")
        let fresh = try run(copy, ["-p", "speed=1x", "--checkpoint-interval", "1h"], name: "fresh")
        Thread.sleep(forTimeInterval: 1)
        #expect(fresh.send(SIGKILL), "the fresh run ended before it could be killed")
        _ = fresh.finish()
        let result = try run(copy, ["--restore", "latest"], name: "latest").finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("restoring checkpoint"), "\(result.stderr)")
        #expect(try Fixtures.read(copy + "/out.csv") == crashed.expected)
    }

    @Test func aSecondRunOnTheSameCheckpointFolderIsRefused() throws {
        let folder = try Fixtures.scratchFolder()
        let first = try run(folder, ["-p", "speed=200x"], name: "first")
        defer { _ = first.send(SIGKILL); _ = first.finish() }
        let lock = folder + "/checkpoints/.lock"
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: lock) { Thread.sleep(forTimeInterval: 0.02) }
        let second = try FlowrunProcess(Crashed.arguments(log: try crashed().log, output: folder + "/second.csv", checkpoints: folder + "/checkpoints"),
                                        stderrPath: folder + "/second.err").finish()
        #expect(first.process.isRunning, "the first run ended too soon for the test")
        #expect(second.status == 2)
        #expect(second.stderr == "flowrun: another run (process \(first.process.processIdentifier)) holds the checkpoint folder \(folder)/checkpoints; wait for it to end, or give this run another --checkpoint-dir\n")
    }

    @Test func anEmptyFolderWithTheLargestIDDoesNotStopARun() throws {
        let folder = try Fixtures.scratchFolder()
        try FileManager.default.createDirectory(atPath: folder + "/checkpoints/chk-9223372036854775807", withIntermediateDirectories: true)
        let result = try run(folder, ["--restore", "latest"], name: "run").finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Fixtures.read(folder + "/out.csv") == crashed().expected)
    }

    @Test func aSnapshotClaimingAnImpossibleSizeIsSkippedForTheOneBefore() throws {
        let crashed = try crashed()
        let copy = try crashed.copy(named: "impossible-size")
        let newest = crashed.checkpoints[0], previous = crashed.checkpoints[1]
        let folder = copy + "/checkpoints/" + newest
        let crafted = Self.craftedSnapshot(checkpointID: Int64(newest.dropFirst(4))!, operatorID: "window", compressedSize: .max)
        try Data(crafted).write(to: URL(fileURLWithPath: folder + "/window.0.snap"))
        var manifest = try JSONDecoder().decode(CheckpointManifest.self, from: try Fixtures.read(folder + "/" + CheckpointManifest.fileName))
        for index in manifest.files.indices where manifest.files[index].name == "window.0.snap" {
            manifest.files[index].bytes = crafted.count
            manifest.files[index].crc32 = SnapshotFile.crc32(crafted.dropLast(4))
        }
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: folder + "/" + CheckpointManifest.fileName))
        let result = try run(copy, ["--restore", "latest"], name: "restore").finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("checkpoint \(folder) is unusable: window.0.snap has a state size that does not match its length"), "\(result.stderr)")
        #expect(result.stderr.contains("flowrun: restoring checkpoint \(Int(previous.dropFirst(4))!) from"), "\(result.stderr)")
        #expect(try Fixtures.read(copy + "/out.csv") == crashed.expected)
    }

    /// A snapshot file of one subtask of `operatorID` with a valid checksum and an impossible compressed size.
    static func craftedSnapshot(checkpointID: Int64, operatorID: String, compressedSize: Int) -> [UInt8] {
        var header = StateWriter()
        header.write(checkpointID)
        header.write(operatorID)
        for field in [0, 1, 0, 128, 0, 10, compressedSize] { header.write(field) }
        header.write("")
        var file = SnapshotFile.magic + [UInt8(SnapshotFile.formatVersion & 0xFF), UInt8(SnapshotFile.formatVersion >> 8)]
        file += (0..<4).map { UInt8(truncatingIfNeeded: header.bytes.count >> (8 * $0)) }
        file += header.bytes + Array(repeating: 0, count: 16)
        let crc = SnapshotFile.crc32(file)
        return file + (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * $0)) }
    }

    /// `flowrun arguments…`: its exit status and standard output and error together.
    private func flowrun(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FlowrunProcess.executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func listShowsAManifestWithImpossibleSizesAsDamaged() throws {
        let folder = try Fixtures.scratchFolder()
        try FileManager.default.createDirectory(atPath: folder + "/chk-00000001", withIntermediateDirectories: true)
        let file = #"{"name": "0-source.0.snap", "operator": "0-source", "subtask": 0, "key_groups": "0..<128", "bytes": 9223372036854775807, "uncompressed_bytes": 9223372036854775807, "crc32": 1}"#
        let manifest = #"{"format": "flow-checkpoint", "version": \#(CheckpointManifest.formatVersion), "checkpoint": 1, "job": "j", "savepoint": false, "created_ms": 0, "max_parallelism": 128, "files": [\#(file), \#(file)]}"#
        try manifest.write(toFile: folder + "/chk-00000001/" + CheckpointManifest.fileName, atomically: true, encoding: .utf8)
        let result = try flowrun(["checkpoints", "list", folder])
        #expect(result.status == 0, "\(result.output)")
        #expect(lines(result.output).last?.hasPrefix("1 ") == true && result.output.contains("damaged"), "\(result.output)")
    }

    @Test func verifyRefusesACheckpointThatARestoreRefuses() throws {
        let folder = try Fixtures.scratchFolder()
        let snapshot = OperatorSnapshot(operatorID: "tweet-log", subtask: 0, parallelism: 1, keyGroupRange: KeyGroupRange(lowerBound: 0, upperBound: 128),
                                        states: [NamedState(name: "position", redistribution: .splitList, entries: [])])
        _ = try CheckpointStorage(directory: folder + "/checkpoints").write(id: .max, job: "trending-hashtags", isSavepoint: false, maxParallelism: 128, snapshots: [snapshot])
        let checkpoint = folder + "/checkpoints/chk-9223372036854775807"
        let verify = try flowrun(["checkpoints", "verify", checkpoint])
        #expect(verify.status == 2)
        #expect(verify.output == "flowrun: \(checkpoint): MANIFEST.json names checkpoint 9223372036854775807, beyond the largest id 9007199254740991\n")
        let restore = try run(folder, ["--restore", checkpoint], name: "restore").finish()
        #expect(restore.status == 2)
        #expect(restore.stderr == "flowrun: checkpoint \(checkpoint) is unusable: MANIFEST.json names checkpoint 9223372036854775807, beyond the largest id 9007199254740991; restore another one or use --restore latest\n")
    }
}
