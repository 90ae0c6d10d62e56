import Foundation

/// Paths of the repository's fixtures and a scratch folder per test.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static var trendingJob: String { path("configs/trending-hashtags.yaml") }

    /// A new empty folder under the system's temporary folder.
    static func scratchFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    static func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// The independent Python reference's trending output for `log`, written as `folder`/reference.csv.
    static func trendingReference(log: String, folder: String, extra: [String] = []) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path("Tests/Fixtures/reference/trending_reference.py"), log, "--out", folder + "/reference.csv"] + extra
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ReferenceFailed(status: process.terminationStatus) }
        return try read(folder + "/reference.csv")
    }

    struct ReferenceFailed: Error { var status: Int32 }
}
