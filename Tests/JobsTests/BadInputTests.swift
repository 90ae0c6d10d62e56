import Flow
import Foundation
import Jobs
import Testing

/// Every mistake a user can make ends in one sentence naming the file and line (or the input)
/// and what to do — never a crash.
struct BadInputTests {
    private func buildError(_ yaml: String, overrides: [String: String] = [:]) -> FlowError? {
        var builder = JobBuilder()
        builder.overrides = overrides
        do {
            _ = try builder.build(try JobFileParser.parse(text: yaml, path: "job.yaml"), checkOnly: true)
            return nil
        } catch let error as FlowError {
            return error
        } catch {
            return FlowError(.internal, "unexpected \(error)")
        }
    }

    private let validSteps = """
        pipeline:
          - tweet-log: {path: log.jsonl}
          - watermarks: {out-of-orderness: 5s}
          - hashtags: {}
          - key-by: hashtag
          - window: {size: 30m, slide: 10s}
          - count: {}
          - top-k: {k: 20}
          - sink: {path: out.csv}
        """

    @Test func validJobBuilds() {
        #expect(buildError(validSteps) == nil)
    }

    @Test func unknownOperatorNamesFileAndLine() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "- hashtags: {}", with: "- hashtagz: {}")))
        #expect(error.code == .invalidJob)
        #expect(error.message.hasPrefix("job.yaml:4: unknown operator \"hashtagz\""))
    }

    @Test func wrongTypeBetweenStepsIsReported() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "  - count: {}\n", with: "")))
        #expect(error.message == "job.yaml:7: top-k takes counts per window, but the step before it gives windowed hashtags")
    }

    @Test func badDurationSaysHowToWriteOne() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "size: 30m", with: "size: 30 minutes")))
        #expect(error.message.hasPrefix("job.yaml:6: window size \"30 minutes\" is not a duration"))
    }

    @Test func sizeNotAMultipleOfSlideIsRejected() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "slide: 10s", with: "slide: 7s")))
        #expect(error.message.contains("is not a multiple of its slide"))
    }

    @Test func unknownSettingAndParameterAreRejected() throws {
        let setting = try #require(buildError(validSteps.replacingOccurrences(of: "{k: 20}", with: "{k: 20, kk: 3}")))
        #expect(setting.message.hasPrefix("job.yaml:8: top-k takes no setting \"kk\""))
        let parameter = try #require(buildError(validSteps, overrides: ["inptu": "x"]))
        #expect(parameter.message.contains("declares no parameter inptu"))
    }

    @Test func undeclaredParameterReferenceIsRejected() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "path: log.jsonl", with: "path: \"${input}\"")))
        #expect(error.message == "job.yaml:2: ${input} names no parameter; declare it under parameters")
    }

    @Test func invalidYAMLIsReported() throws {
        let error = try #require(buildError("pipeline: [a: {"))
        #expect(error.message.hasPrefix("job.yaml: not valid YAML"))
    }

    @Test func missingAndEmptyInputsAreReported() throws {
        let folder = try Fixtures.scratchFolder()
        for (input, expected) in [(folder + "/nope.jsonl", "does not exist"), (folder, "holds no tweet log files")] {
            var builder = JobBuilder()
            builder.overrides = ["input": input, "output": folder + "/out.csv"]
            builder.checkpointing.directory = folder + "/checkpoints"
            do {
                try builder.build(try JobFileParser.parse(path: Fixtures.trendingJob)).run()
                Issue.record("\(input) should have failed")
            } catch let error as FlowError {
                #expect(error.code == .missingInput)
                #expect(error.message.contains(expected))
            }
        }
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.csv"))
    }

    @Test func tenMegabyteLinesDoNotStopTheJob() throws {
        let folder = try Fixtures.scratchFolder()
        let longText = String(repeating: "ab\\\"{}", count: 10 << 20 / 6)
        let lines = [
            #"{"text":"\#(longText)","entities":{"hashtags":[{"text":"Long"}]},"timestamp_ms":"1000"}"#,
            #"{"text":"\#(longText)"#, // cut off: malformed
            #"{"entities":{"hashtags":[{"text":"long"}]},"timestamp_ms":"2000"}"#,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/log.jsonl", atomically: true, encoding: .utf8)
        let output = try TrendingRun.run(job: Fixtures.trendingJob, input: folder + "/log.jsonl", parallelism: 2)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasPrefix("window_end_ms,rank,hashtag,count\n10000,1,long,2\n"))
    }
}

/// `flowrun` itself: one line on standard error and the documented exit code.
struct CommandLineTests {
    static let flowrun = Fixtures.path(".build/debug/flowrun")

    private func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.flowrun)
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.root
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func missingInputExitsWithThreeAndOneSentence() throws {
        let result = try run(["run", "configs/trending-hashtags.yaml", "-p", "input=/nonexistent/log.jsonl", "--quiet"])
        #expect(result.status == 3)
        #expect(result.stderr == "flowrun: tweet log /nonexistent/log.jsonl does not exist; give an existing file or folder as input\n")
    }

    @Test func badJobFileExitsWithTwo() throws {
        let folder = try Fixtures.scratchFolder()
        try "pipeline:\n  - nonsense: {}\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let result = try run(["validate", folder + "/bad.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("flowrun: \(folder)/bad.yaml:2: unknown operator \"nonsense\""))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func badParallelismExitsWithTwo() throws {
        let result = try run(["run", "configs/trending-hashtags.yaml", "--parallelism", "0"])
        #expect(result.status == 2)
    }
}
