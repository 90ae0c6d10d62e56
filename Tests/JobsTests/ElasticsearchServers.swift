import Elasticsearch
import Foundation

/// An ES-compatible server for a test, on a free loopback port: `osmem-server` (OpenSearch
/// dialect), `noida-db` (Elasticsearch 8 dialect), both installed from PyPI by the set-up, or the
/// repository's fault-injecting stub.
final class ElasticsearchServer {
    enum Kind: String, CaseIterable, CustomStringConvertible {
        case osmem, noida
        var description: String { rawValue }
    }

    let port: Int
    private let process = Process()
    private let folder: String
    /// The PEM file of the authority behind an HTTPS stub's certificate.
    private var certificateAuthority: String?

    var url: String { (certificateAuthority == nil ? "http" : "https") + "://127.0.0.1:\(port)" }

    init(_ kind: Kind) throws {
        port = RedisServer.freePort()
        folder = try Fixtures.scratchFolder()
        switch kind {
        case .osmem:
            process.executableURL = URL(fileURLWithPath: try Self.packageFile("osmem_server", "bin/osmem-server"))
            process.arguments = ["-addr", "127.0.0.1:\(port)", "-no-stdin-watch", "-parent-pid", String(ProcessInfo.processInfo.processIdentifier)]
        case .noida:
            process.executableURL = URL(fileURLWithPath: try Self.packageFile("noida_db", "noida-db"))
            process.arguments = ["start", "--only", "elasticsearch", "--elasticsearch-port", String(port), "--data-dir", folder + "/data"]
        }
        try start()
    }

    /// The fault stub with `faults` (see Tests/Fixtures/es-stub/es_fault_stub.py); with `--tls`,
    /// `certificateAuthority` is the certificate's authority, for the test's own requests.
    init(stubWith faults: [String], certificateAuthority: String? = nil) throws {
        port = RedisServer.freePort()
        folder = try Fixtures.scratchFolder()
        self.certificateAuthority = certificateAuthority
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.path("Tests/Fixtures/es-stub/es_fault_stub.py"), String(port)] + faults
        try start()
    }

    private func start() throws {
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<300 {
            if let response = try? client().send("GET", "/"), response.status > 0 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ServerDidNotStart(port: port)
    }

    struct ServerDidNotStart: Error { var port: Int }

    /// Ctrl-C stops noida-db (it does not stop on SIGTERM); whatever still runs after 5 s is killed.
    deinit {
        kill(process.processIdentifier, SIGINT)
        for _ in 0..<100 where process.isRunning { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// A JSON request to the server (for checks), returning the decoded body.
    func json(_ method: String, _ path: String, _ body: Any? = nil) throws -> [String: Any] {
        let response = try client().send(method, path, json: body)
        return response.json ?? [:]
    }

    /// A client for the test's own requests (the stub's fault options do not apply to `GET /`).
    private func client() throws -> ElasticsearchClient {
        var environment: [String: String] = [:]
        environment["ES_CA_CERT"] = certificateAuthority
        return ElasticsearchClient(try ElasticsearchEndpoint(url: url + "/probe", environment: environment))
    }

    private static func packageFile(_ package: String, _ file: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(package), os; print(os.path.join(os.path.dirname(\(package).__file__), '\(file)'))"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
