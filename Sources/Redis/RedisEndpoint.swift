import Flow
import Foundation
import Operators

/// Where a Redis server is and how to log in: parsed from `redis://[user:password@]host[:port][/db]`
/// or `unix:///path/to/redis.sock[?db=N]`. The password may instead come from `REDIS_PASSWORD` (and
/// the user from `REDIS_USERNAME`), so it never has to be written in a job file; it is never printed.
public struct RedisEndpoint: Sendable, CustomStringConvertible {
    public enum Address: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    public var address: Address
    public var database: Int
    public var username: String?
    public var password: String?
    public var connectTimeout: Duration = .seconds(2)
    public var commandTimeout: Duration = .seconds(5)

    public init(address: Address, database: Int = 0, username: String? = nil, password: String? = nil) {
        self.address = address
        self.database = database
        self.username = username
        self.password = password
    }

    /// Parses a URL; `environment` supplies `REDIS_PASSWORD`/`REDIS_USERNAME` when the URL has none.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func invalid(_ why: String) -> FlowError {
            FlowError(.invalidJob, "\(RedactedAddress.redacted(text)) is not a Redis address (\(why)); write redis://HOST:PORT[/DB] or unix:///PATH/redis.sock")
        }
        guard text.contains("://") else { throw invalid("it does not start with redis:// or unix://") }
        guard let components = URLComponents(string: text), let scheme = components.scheme else { throw invalid("not a URL") }
        var database = 0
        switch scheme {
        case "redis":
            guard let host = components.host, !host.isEmpty else { throw invalid("no host") }
            let port = components.port ?? 6379
            guard (1...65535).contains(port) else { throw invalid("port out of range") }
            address = .tcp(host: host, port: port)
            let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            if !path.isEmpty {
                guard let number = Int(path), number >= 0 else { throw invalid("the database after / must be a number") }
                database = number
            }
        case "unix":
            guard !components.path.isEmpty else { throw invalid("no socket path") }
            address = .unixSocket(path: components.path)
            if let value = components.queryItems?.first(where: { $0.name == "db" })?.value {
                guard let number = Int(value), number >= 0 else { throw invalid("db must be a number") }
                database = number
            }
        default:
            throw invalid("unknown scheme \(TerminalText.visible(scheme))")
        }
        self.database = database
        username = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding } ?? environment["REDIS_USERNAME"]
        password = components.password.flatMap { $0.removingPercentEncoding } ?? environment["REDIS_PASSWORD"]
    }

    /// The address without credentials, for messages.
    public var description: String {
        switch address {
        case .tcp(let host, let port): "redis://\(host):\(port)" + (database == 0 ? "" : "/\(database)")
        case .unixSocket(let path): "unix://\(path)" + (database == 0 ? "" : "?db=\(database)")
        }
    }
}
