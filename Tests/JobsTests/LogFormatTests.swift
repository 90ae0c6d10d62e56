import Foundation
import Testing

/// `--log-format json`: every line `flowrun run` writes to standard error is one JSON object with
/// `time`, `level`, `job` and `message` (and `operator` when an operator failed), for log
/// collectors; the default stays text for people.
struct LogFormatTests {
    static let sample = Fixtures.path("Tests/Fixtures/tweets/twitter_v1_insight_challenge_2015_sample.jsonl")

    /// Standard error's lines, each parsed as a JSON object of strings.
    static func jsonLines(_ text: String) throws -> [[String: String]] {
        try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: String], "not a JSON object of strings: \(line)")
        }
    }

    @Test func aRunWritesOnlyJSONLinesWithTheJobAndItsSummary() throws {
        let folder = try Fixtures.scratchFolder()
        let result = try FlowrunProcess(["run", LiveInputTests.job, "-p", "input=\(Self.sample)", "--log-format", "json", "--metrics-port", "0"],
                                        stderrPath: folder + "/run.err").finish()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try Self.jsonLines(result.stderr)
        #expect(lines.count == 2, "the endpoint's address and the summary: \(result.stderr)")
        for line in lines {
            #expect(Set(line.keys) == ["time", "level", "job", "message"], "\(line)")
            #expect(line["job"] == "live-windows" && line["level"] == "info")
            #expect(line["time"].flatMap { ISO8601DateFormatter.withFractions.date(from: $0) } != nil, "\(line)")
        }
        #expect(lines.first?["message"]?.hasPrefix("metrics on http://127.0.0.1:") == true)
        #expect(lines.last?["message"]?.hasPrefix("summary — tweets: ") == true, "\(result.stderr)")
    }

    @Test func aFailingOperatorIsNamedInItsErrorLine() throws {
        let folder = try Fixtures.scratchFolder()
        let closed = RedisServer.freePort()
        let result = try FlowrunProcess(["run", LiveInputTests.job, "-p", "input=\(Self.sample)", "-p", "redis=redis://127.0.0.1:\(closed)",
                                         "--log-format", "json", "--quiet"], stderrPath: folder + "/run.err").finish()
        #expect(result.status == 4, "\(result.stderr)")
        let lines = try Self.jsonLines(result.stderr)
        let error = try #require(lines.last)
        #expect(error["level"] == "error" && error["operator"] == "sink" && error["job"] == "live-windows", "\(error)")
        #expect(error["message"]?.contains("redis://127.0.0.1:\(closed) is unreachable") == true, "\(error)")
    }

    @Test func theDefaultStaysTextForPeople() throws {
        let folder = try Fixtures.scratchFolder()
        let result = try FlowrunProcess(["run", LiveInputTests.job, "-p", "input=\(Self.sample)"], stderrPath: folder + "/run.err").finish()
        #expect(result.status == 0)
        #expect(result.stderr.hasPrefix("summary — tweets: "), "\(result.stderr)")
    }
}

private extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
