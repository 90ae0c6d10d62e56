import Foundation

/// A real Prometheus server (Debian's `prometheus`) on a free loopback port, scraping one target
/// every second, with its data in a scratch folder; stopped when the test lets go of it.
final class PrometheusServer {
    let process = Process()
    let url: String

    init(scraping target: String, folder: String) throws {
        let port = RedisServer.freePort()
        url = "http://127.0.0.1:\(port)"
        // honor_labels keeps the job's own `job` label instead of renaming it exported_job.
        let config = """
        global: {scrape_interval: 1s, evaluation_interval: 1s}
        scrape_configs:
          - job_name: flow
            honor_labels: true
            static_configs: [{targets: ["\(target)"]}]
        """
        try config.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments = ["--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                             "--web.listen-address=127.0.0.1:\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: folder + "/prometheus.log", isDirectory: false).creatingFile())
        try process.run()
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// What `prometheus_api.py` prints for `arguments`, a line each.
    func ask(_ arguments: [String]) throws -> [String] {
        let ask = Process()
        let output = Pipe()
        ask.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ask.arguments = ["python3", Fixtures.path("Tests/Fixtures/metrics/prometheus_api.py"), url] + arguments
        ask.standardOutput = output
        ask.standardError = FileHandle.nullDevice
        try ask.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        ask.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}

private extension URL {
    /// The URL, after creating an empty file there.
    func creatingFile() -> URL {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return self
    }
}
