import Flow
import Foundation
import Redis
import Testing

/// What a tweet, a job file or a Redis server can send the Redis connectors (issue 14): a NUL in
/// a hashtag, scores that are no count, a backoff of hours, credentials in odd places. Nothing
/// traps, reads memory it does not own, or prints a password.
@Suite(.serialized)
struct RedisHostileInputTests {
    private func scratch() throws -> String { try Fixtures.scratchFolder() }

    @Test func argumentsAndRepliesAreBinarySafe() throws {
        let server = try RedisServer()
        let redis = try server.connection()
        let value = "a\u{0}" + String(repeating: "B", count: 200) + "\u{0}é"
        #expect(try redis.command(["SET", "binary\u{0}key", value]) == .status("OK"))
        #expect(try redis.command(["GET", "binary\u{0}key"]) == .string(value))
        #expect(try redis.command(["STRLEN", "binary\u{0}key"]) == .integer(Int64(value.utf8.count)))
        #expect(try redis.command(["SET", "empty", ""]) == .status("OK"))
        #expect(try redis.command(["GET", "empty"]) == .string(""))
        // Bytes that are not UTF-8 come back replaced, never read past their length.
        try redis.append(bytes: [Array("SET".utf8), Array("raw".utf8), [0xFF, 0xFE, 0x00, 0x41]])
        #expect(try redis.readReply() == .status("OK"))
        #expect(try redis.command(["GET", "raw"]) == .string("\u{FFFD}\u{FFFD}\u{0}A"))
    }

    /// hiredis holds a bulk string whole before handing it over: past the limit, one sentence.
    @Test func aReplyLargerThanTheLimitIsRefusedWhileItArrives() throws {
        let server = try RedisServer()
        let redis = try server.connection()
        #expect(try redis.command(["SET", "big", String(repeating: "x", count: 1 << 20)]) == .status("OK"))
        #expect(try redis.command(["STRLEN", "big"]) == .integer(1 << 20))
        redis.maximumReplyBytes = 64 << 10
        let error = #expect(throws: FlowError.self) { try redis.command(["GET", "big"]) }
        #expect(error?.message.contains("sent a reply of more than 65536 bytes") == true, "\(String(describing: error))")
        // Pipelined replies still come one by one, each within the limit.
        let again = try server.connection()
        for index in 0..<3 { try again.append(["SET", "k\(index)", "v\(index)"]) }
        for _ in 0..<3 { #expect(try again.readReply() == .status("OK")) }
    }

    @Test func aHashtagHoldingANulIsPublishedAsItsBytes() throws {
        let folder = try scratch()
        let tag = "a\u{0}" + String(repeating: "B", count: 200)
        let tweet = try JSONSerialization.data(withJSONObject: ["timestamp_ms": 1_609_459_200_000, "entities": ["hashtags": [["text": tag]]]])
        try (String(decoding: tweet, as: UTF8.self) + "\n").write(toFile: folder + "/nul.jsonl", atomically: true, encoding: .utf8)
        let server = try RedisServer()
        let run = try FlowrunProcess(["run", "configs/trending-hashtags.yaml", "--quiet", "-p", "input=\(folder)/nul.jsonl", "-p", "redis=\(server.url)",
                                      "--checkpoint-dir", folder + "/checkpoints"], stderrPath: folder + "/nul.err").finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try server.connection().command(["ZRANGE", "hashtags", "0", "-1"]) == .array([.string(tag.lowercased())]))
    }

    /// Scores that are no whole count (`inf`, `1e300`, `2.5`) are skipped and counted; the rest is
    /// read as usual, ranked from 1.
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

    /// A backoff longer than the cap waits the cap (5 s), and the job ends with one sentence.
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

    @Test(arguments: ["user:hunter2@127.0.0.1:6379", "redis://:hunter2@127.0.0.1:notaport", "hunter2@localhost"])
    func aBadAddressNeverPrintsItsPassword(address: String) throws {
        let folder = try scratch()
        let run = try FlowrunProcess(["run", "Tests/Fixtures/jobs/redis-readback.yaml", "--quiet", "-p", "redis=\(address)"],
                                     stderrPath: folder + "/address.err").finish()
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(!run.stderr.contains("hunter2"), "\(run.stderr)")
    }

    /// The score operator's task name, printed by `flowrun plan`, shows the address without the password.
    @Test func aPlanNeverPrintsThePassword() throws {
        let folder = try scratch()
        let run = try FlowrunProcess(["plan", "configs/classify-movies.yaml", "-p", "redis=redis://flow:hunter2@127.0.0.1:6390"],
                                     stderrPath: folder + "/plan.err", stdoutPath: folder + "/plan.out").finish()
        let plan = try String(contentsOfFile: folder + "/plan.out", encoding: .utf8)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(plan.contains("redis://127.0.0.1:6390"), "\(plan)")
        #expect(!plan.contains("hunter2") && !run.stderr.contains("hunter2"), "\(plan)")
    }
}
