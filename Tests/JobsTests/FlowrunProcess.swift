import Foundation

/// `flowrun` as a child process, for tests that kill it for real.
struct FlowrunProcess {
    /// The `flowrun` built with the tests: beside the test bundle, so that a sanitizer's build
    /// folder (`scripts/sanitize`) tests its own instrumented binary.
    static let executable: String = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("flowrun").path
        return FileManager.default.isExecutableFile(atPath: besideTests) ? besideTests : Fixtures.path(".build/debug/flowrun")
    }()

    let process = Process()
    let stderrPath: String
    /// Where the test writes the run's standard input, when it feeds one.
    let standardInput: FileHandle?

    /// Starts `flowrun arguments…` in the repository, its standard error going to `stderrPath`
    /// (and its standard output to `stdoutPath`, if given), with `environment` added to the test's
    /// own. With `feedsStandardInput`, its standard input is a pipe the test writes to.
    init(_ arguments: [String], stderrPath: String, stdoutPath: String? = nil, environment: [String: String] = [:],
         feedsStandardInput: Bool = false) throws {
        self.stderrPath = stderrPath
        if feedsStandardInput {
            let pipe = Pipe()
            process.standardInput = pipe
            standardInput = pipe.fileHandleForWriting
        } else {
            standardInput = nil
        }
        _ = FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let stdoutPath {
            _ = FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    /// Waits for the end; returns the exit status and what it wrote to standard error.
    func finish() -> (status: Int32, stderr: String) {
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
    }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` if the process still runs; returns whether it did.
    func send(_ signal: Int32) -> Bool {
        guard process.isRunning else { return false }
        kill(process.processIdentifier, signal)
        return true
    }
}

/// A checkpoint folder as a test watches it, to kill a run only once the run has completed a
/// checkpoint of its own: however fast or slow the machine, the restart then has one to restore.
struct CheckpointFolderWatch {
    let folder: String
    /// The complete checkpoints when the watch began.
    private let before: Set<String>

    init(_ folder: String) {
        self.folder = folder
        before = Self.completed(in: folder)
    }

    /// The complete checkpoints in `folder`: subfolders holding a manifest.
    static func completed(in folder: String) -> Set<String> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return Set(names.filter { $0.hasPrefix("chk-") && FileManager.default.fileExists(atPath: folder + "/" + $0 + "/MANIFEST.json") })
    }

    /// Waits, up to a minute, until a checkpoint completes that was not there when the watch
    /// began, or `run` ends; returns whether one did.
    func waitForANewCheckpoint(while run: FlowrunProcess) -> Bool {
        for _ in 0..<6000 {
            if !Self.completed(in: folder).isSubset(of: before) { return true }
            guard run.isRunning else { return false }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }
}
