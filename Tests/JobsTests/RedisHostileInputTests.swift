import Flow
import Foundation
import Operators
import Testing

/// What a tweet, a job file or a Redis server can send the Redis connectors (issue 14): a NUL in
/// a hashtag, scores that are no count, a backoff of hours, credentials in odd places. Nothing
/// traps, reads memory it does not own, or prints a password.
@Suite(.serialized)
struct RedisHostileInputTests {
    private func scratch() throws -> String { try Fixtures.scratchFolder() }

    @Test func scoresThatAreNoCountAreSkippedAndCounted() throws {
        let folder = try scratch()
        let server = try RedisServer()
        let redis = try server.connection()
        #expect(try redis.command(["ZADD", "hashtags", "+inf", "infinite", "1e300", "huge", "-inf", "negative", "2.5", "half", "7", "seven", "3", "three"])
            == .integer(6))
        let output = folder + "/top.csv"
        let run = try FlowrunProcess(["run", "Tests/Fixtures/jobs/redis-readback.yaml", "-p", "redis=\(server.url)", "-p", "output=\(output)"],
                                     stderrPath: folder + "/readback.err").finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("redis members skipped (score not a count): 4"), "\(run.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "window_end_ms,rank,hashtag,count\n0,1,seven,7\n0,2,three,3\n")
    }

    @Test func aBackoffOfHoursDoesNotTrap() throws {
        let folder = try scratch()
        let port = RedisServer.freePort()
        let job = """
            name: long-backoff
            pipeline:
              - redis-top: {url: "redis://127.0.0.1:\(port)", redis-retries: 2, redis-backoff: 2h, redis-connect-timeout: 200ms}
              - sink: {path: "\(folder)/top.csv"}
            """
        try job.write(toFile: folder + "/job.yaml", atomically: true, encoding: .utf8)
        let started = Date()
        let run = try FlowrunProcess(["run", folder + "/job.yaml", "--quiet"], stderrPath: folder + "/backoff.err").finish()
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("is unreachable after 2 attempts"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
