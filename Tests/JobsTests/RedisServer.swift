import Foundation
import Redis

/// A real `redis-server` (the Debian package) on a free loopback port, started for a test and
/// stopped with it. No persistence: a restarted server starts empty.
final class RedisServer {
    let port: Int
    let password: String?
    private var process: Process?

    init(port: Int? = nil, password: String? = nil) throws {
        self.port = port ?? Self.freePort()
        self.password = password
        try start()
    }

    var url: String { "redis://127.0.0.1:\(port)" }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + (password.map { ["--requirepass", $0] } ?? [])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if (try? connection()) != nil { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw ServerDidNotStart(port: port)
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func connection() throws -> RedisConnection {
        try RedisConnection(RedisEndpoint(url: url, environment: password.map { ["REDIS_PASSWORD": $0] } ?? [:]))
    }

    /// The sorted set `key` as (member, score) pairs, highest first.
    func sortedSet(_ key: String = "hashtags") throws -> [String] {
        guard case .array(let flat) = try connection().command(["ZREVRANGE", key, "0", "-1", "WITHSCORES"]) else { return [] }
        return stride(from: 0, to: flat.count - 1, by: 2).map { index in
            guard case .string(let member) = flat[index], case .string(let score) = flat[index + 1] else { return "?" }
            return "\(member) \(score)"
        }.sorted()
    }

    deinit { kill() }

    struct ServerDidNotStart: Error {
        var port: Int
    }

    /// A loopback port nothing listens on now.
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
