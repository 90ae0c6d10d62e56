import Flow
import Redis
import Testing

/// Redis addresses: TCP with user, password and database, Unix sockets, the password from the
/// environment, and no password in any message.
struct RedisEndpointTests {
    @Test func tcpWithCredentialsAndDatabase() throws {
        let endpoint = try RedisEndpoint(url: "redis://app:s%40cret@cache.local:6380/2", environment: [:])
        #expect(endpoint.address == .tcp(host: "cache.local", port: 6380))
        #expect(endpoint.database == 2)
        #expect(endpoint.username == "app")
        #expect(endpoint.password == "s@cret")
        #expect(endpoint.description == "redis://cache.local:6380/2")
    }

    @Test func defaultsAndThePasswordFromTheEnvironment() throws {
        let endpoint = try RedisEndpoint(url: "redis://localhost", environment: ["REDIS_PASSWORD": "from-env"])
        #expect(endpoint.address == .tcp(host: "localhost", port: 6379))
        #expect(endpoint.database == 0)
        #expect(endpoint.username == nil)
        #expect(endpoint.password == "from-env")
    }

    @Test func unixSocket() throws {
        let endpoint = try RedisEndpoint(url: "unix:///run/redis/redis.sock?db=3", environment: [:])
        #expect(endpoint.address == .unixSocket(path: "/run/redis/redis.sock"))
        #expect(endpoint.database == 3)
        #expect(endpoint.description == "unix:///run/redis/redis.sock?db=3")
    }

    @Test func aBadAddressIsOneSentenceWithoutThePassword() {
        do {
            _ = try RedisEndpoint(url: "http://user:hunter2@host:1", environment: [:])
            Issue.record("an http URL was taken for a Redis address")
        } catch let error as FlowError {
            #expect(error.message == "http://…@host:1 is not a Redis address (unknown scheme http); write redis://HOST:PORT[/DB] or unix:///PATH/redis.sock")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
