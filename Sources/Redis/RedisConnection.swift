import CHiredis
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// A reply from Redis, copied out of hiredis's reply object.
///
/// Text is decoded as UTF-8 from exactly the bytes hiredis read (NULs included); bytes that are
/// not UTF-8 become U+FFFD. A reply type Flow does not use (RESP3's) is `.null`.
public enum RedisReply: Equatable, Sendable {
    case status(String)
    case error(String)
    case integer(Int64)
    case string(String)
    case array([RedisReply])
    case null

    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        func text() -> String {
            guard let pointer = value.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: pointer, count: value.len), as: UTF8.self)
        }
        switch value.type {
        case REDIS_REPLY_STATUS: self = .status(text())
        case REDIS_REPLY_ERROR: self = .error(text())
        case REDIS_REPLY_INTEGER: self = .integer(value.integer)
        case REDIS_REPLY_STRING: self = .string(text())
        case REDIS_REPLY_ARRAY:
            guard let elements = value.element else {
                self = .array([])
                return
            }
            self = .array((0..<value.elements).map { index in elements[index].map { RedisReply(UnsafePointer($0)) } ?? .null })
        default: self = .null
        }
    }
}

/// The connection broke or could not be made: worth retrying.
public struct RedisConnectionLost: Error, CustomStringConvertible {
    public var description: String
}

/// One connection to a Redis server through hiredis, used by one task's thread. Commands can be
/// pipelined: ``append(_:)`` several, then ``readReply()`` once for each.
public final class RedisConnection {
    public let endpoint: RedisEndpoint
    private var context: UnsafeMutablePointer<redisContext>?

    /// Connects, logs in (AUTH) and selects the database. A refused login is a ``FlowError``;
    /// an unreachable server is ``RedisConnectionLost``.
    public init(_ endpoint: RedisEndpoint) throws {
        self.endpoint = endpoint
        let timeout = Self.timeval(endpoint.connectTimeout)
        switch endpoint.address {
        case .tcp(let host, let port): context = redisConnectWithTimeout(host, Int32(port), timeout)
        case .unixSocket(let path): context = redisConnectUnixWithTimeout(path, timeout)
        }
        guard let context, context.pointee.err == 0 else {
            let reason = context.map { Self.errorText($0) } ?? "out of memory"
            if let context { redisFree(context) }
            self.context = nil
            throw RedisConnectionLost(description: "cannot connect to \(endpoint): \(reason)")
        }
        BoundedRedisReplies.install(on: context.pointee.reader)
        redisSetTimeout(context, Self.timeval(endpoint.commandTimeout))
        redisEnableKeepAlive(context)
        if let password = endpoint.password {
            let login = endpoint.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            if case .error(let message) = try command(login) {
                close()
                throw FlowError(.external, "Redis at \(endpoint) refused the login (\(message)); check REDIS_PASSWORD (and REDIS_USERNAME)")
            }
        }
        if case .error(let message) = try command(["PING"]) {
            close()
            throw FlowError(.external, "Redis at \(endpoint) refused to serve (\(message)); set REDIS_PASSWORD (and REDIS_USERNAME) to the server's credentials")
        }
        if endpoint.database != 0, case .error(let message) = try command(["SELECT", String(endpoint.database)]) {
            close()
            throw FlowError(.external, "Redis at \(endpoint) cannot select database \(endpoint.database) (\(message))")
        }
    }

    /// Queues a command without waiting for its reply. Each argument goes as its UTF-8 bytes with
    /// their length, so a NUL or any other byte reaches Redis as it is.
    public func append(_ arguments: [String]) throws {
        try append(bytes: arguments.map { Array($0.utf8) })
    }

    /// Queues a command of byte-string arguments without waiting for its reply.
    public func append(bytes arguments: [[UInt8]]) throws {
        guard let context else { throw RedisConnectionLost(description: "the connection to \(endpoint) is closed") }
        guard let count = Int32(exactly: arguments.count) else { throw FlowError(.internal, "a Redis command of \(arguments.count) arguments is too long") }
        let lengths = arguments.map(\.count)
        // One trailing byte gives the buffer an address even when every argument is empty.
        let joined = arguments.joined() + [0]
        let status = joined.withUnsafeBufferPointer { buffer in
            // Every pointer points into `buffer`, which outlives the call; hiredis copies the bytes.
            var offset = 0
            var argv: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return UnsafeRawPointer(buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
            }
            return redisAppendCommandArgv(context, count, &argv, lengths)
        }
        guard status == REDIS_OK else { throw lost() }
    }

    /// Sends what is queued and reads the next reply.
    /// hiredis's `redisGetReply`, but a reply that grows past ``maximumReplyBytes`` while it
    /// arrives is refused: hiredis holds a bulk string whole before it hands it over.
    public func readReply() throws -> RedisReply {
        guard let context, let reader = context.pointee.reader else {
            throw RedisConnectionLost(description: "the connection to \(endpoint) is closed")
        }
        var raw: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw lost(reader) }
        if raw == nil {
            var written: Int32 = 0
            repeat {
                guard redisBufferWrite(context, &written) == REDIS_OK else { throw lost() }
            } while written == 0
        }
        while raw == nil {
            guard redisBufferRead(context) == REDIS_OK else { throw lost() }
            guard redisReaderGetReply(reader, &raw) == REDIS_OK else { throw lost(reader) }
            if raw == nil && reader.pointee.len > maximumReplyBytes {
                close()
                throw FlowError(.external, "Redis at \(endpoint) sent a reply of more than \(maximumReplyBytes) bytes, more than Flow reads; check that the address is a Redis server and the key holds what the job expects")
            }
        }
        defer { freeReplyObject(raw) }
        return RedisReply(raw!.assumingMemoryBound(to: redisReply.self))
    }

    /// The most bytes of one reply held while it arrives: far more than Flow asks for (the top N
    /// of a sorted set).
    public var maximumReplyBytes = 64 << 20

    /// Sends one command and waits for its reply.
    public func command(_ arguments: [String]) throws -> RedisReply {
        try append(arguments)
        return try readReply()
    }

    public func close() {
        if let context { redisFree(context) }
        context = nil
    }

    deinit { close() }

    /// The reader's own error (a protocol error, a refused array), as a lost connection.
    private func lost(_ reader: UnsafeMutablePointer<redisReader>) -> RedisConnectionLost {
        let text = withUnsafeBytes(of: reader.pointee.errstr) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        close()
        return RedisConnectionLost(description: "lost the connection to \(endpoint): \(text.isEmpty ? "a reply Flow cannot read" : text)")
    }

    private func lost() -> RedisConnectionLost {
        let reason = context.map { Self.errorText($0) } ?? "closed"
        close()
        return RedisConnectionLost(description: "lost the connection to \(endpoint): \(reason)")
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        let text = withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "error \(context.pointee.err)" : text
    }

    private static func timeval(_ duration: Duration) -> Glibc.timeval {
        let milliseconds = max(1, duration.milliseconds)
        return Glibc.timeval(tv_sec: Int(milliseconds / 1000), tv_usec: Int(milliseconds % 1000) * 1000)
    }
}
