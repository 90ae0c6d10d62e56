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
        #expect(error.description.hasPrefix("job.yaml:4: unknown operator \"hashtagz\""))
    }

    @Test func wrongTypeBetweenStepsIsReported() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "  - count: {}\n", with: "")))
        #expect(error.description == "job.yaml:7: top-k takes counts per window, but the step before it gives windowed hashtags")
    }

    @Test func aLexicalWeightOutsideZeroToOneIsRefused() throws {
        let score = """
            pipeline:
              - documents: {path: movies.jsonl, text: "title,overview"}
              - score: {labels: "dog", lexical-weight: "1.5"}
              - sink: {path: out.jsonl}
            """
        let error = try #require(buildError(score))
        #expect(error.description.hasPrefix("job.yaml:3: score lexical-weight \"1.5\" must be a number from 0 to 1"), "\(error)")
        #expect(buildError(score.replacingOccurrences(of: "1.5", with: "0")) == nil)
    }

    @Test func badDurationSaysHowToWriteOne() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "size: 30m", with: "size: 30 minutes")))
        #expect(error.description.hasPrefix("job.yaml:6: window size \"30 minutes\" is not a duration"))
    }

    @Test func aBufferTimeoutThatIsNotADurationIsRefused() throws {
        let error = try #require(buildError("buffer-timeout: soon\n" + validSteps))
        #expect(error.description.hasPrefix("job.yaml:1: buffer-timeout \"soon\" is not a duration"))
        #expect(buildError("buffer-timeout: 0\n" + validSteps) == nil)
        #expect(buildError("buffer-timeout: 20ms\n" + validSteps) == nil)
        let idle = try #require(buildError("idle-timeout: 0s\n" + validSteps))
        #expect(idle.description.hasPrefix("job.yaml:1: idle-timeout \"0s\" is not a positive duration"))
        #expect(buildError("idle-timeout: 30s\n" + validSteps) == nil)
    }

    @Test func aLiveInputIsNotReplayedAtASpeed() throws {
        let followed = try #require(buildError(validSteps.replacingOccurrences(of: "{path: log.jsonl}", with: "{path: log.jsonl, follow: true, speed: 10x}")))
        #expect(followed.description == "job.yaml:2: tweet-log speed 10.0x replays a recorded log, but a followed log is live; leave speed at max")
        let standardInput = try #require(buildError(validSteps.replacingOccurrences(of: "{path: log.jsonl}", with: "{path: \"-\", speed: realtime}")))
        #expect(standardInput.message.contains("but standard input is live"))
    }

    @Test func aRollingSettingIsAnAgeOrASizeAndNeedsAFolder() throws {
        let banana = try #require(buildError(validSteps.replacingOccurrences(of: "{path: out.csv}", with: "{path: out, rolling: banana}")))
        #expect(banana.description == "job.yaml:9: sink rolling \"banana\" is neither an age nor a size; write an age such as 1m or 30s, or a size such as 64MB, 512KB or 1GB")
        let console = try #require(buildError(validSteps.replacingOccurrences(of: "{path: out.csv}", with: "{path: \"-\", rolling: 1m}")))
        #expect(console.message.hasPrefix("rolling writes part files into the folder the sink's path names"))
        for valid in ["1m", "250ms", "64MB", "512KB", "1GB"] {
            #expect(buildError(validSteps.replacingOccurrences(of: "{path: out.csv}", with: "{path: out, rolling: \(valid)}")) == nil, "\(valid)")
        }
    }

    @Test func sizeNotAMultipleOfSlideIsRejected() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "slide: 10s", with: "slide: 7s")))
        #expect(error.message.contains("is not a multiple of its slide"))
    }

    @Test func unknownSettingAndParameterAreRejected() throws {
        let setting = try #require(buildError(validSteps.replacingOccurrences(of: "{k: 20}", with: "{k: 20, kk: 3}")))
        #expect(setting.description.hasPrefix("job.yaml:8: top-k takes no setting \"kk\""))
        let parameter = try #require(buildError(validSteps, overrides: ["inptu": "x"]))
        #expect(parameter.message.contains("declares no parameter inptu"))
    }

    @Test func undeclaredParameterReferenceIsRejected() throws {
        let error = try #require(buildError(validSteps.replacingOccurrences(of: "path: log.jsonl", with: "path: \"${input}\"")))
        #expect(error.description == "job.yaml:2: ${input} names no parameter; declare it under parameters")
    }

    @Test func invalidYAMLIsReported() throws {
        let error = try #require(buildError("pipeline: [a: {"))
        #expect(error.description.hasPrefix("job.yaml: not valid YAML"))
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

    /// A line past max-line-bytes is counted, set aside with its first bytes and never held
    /// whole: one the reader steps over (longer than a chunk) and one the decoder sees whole.
    @Test(arguments: [false, true])
    func linesLongerThanTheLimitAreRejectedWithTheirLineNumbers(compressed: Bool) throws {
        let folder = try Fixtures.scratchFolder()
        let lines = [
            #"{"entities":{"hashtags":[{"text":"kept"}]},"timestamp_ms":"1000"}"#,
            #"{"text":""# + String(repeating: "x", count: 3 << 20) + #"","entities":{"hashtags":[{"text":"huge"}]},"timestamp_ms":"1000"}"#,
            #"{"entities":{"hashtags":[{"text":"long"}]},"timestamp_ms":"1500"}"# + String(repeating: " ", count: 2000),
            #"{"entities":{"hashtags":[{"text":"kept"}]},"timestamp_ms":"2000"}"#,
        ]
        var input = folder + "/log.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        if compressed {
            let zstd = Process()
            zstd.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            zstd.arguments = ["zstd", "-q", "--rm", input]
            try zstd.run()
            zstd.waitUntilExit()
            input += ".zst"
        }
        let rejects = folder + "/rejects.jsonl"
        let output = try TrendingRun.run(job: Fixtures.trendingJob, input: input, parallelism: 2,
                                         extra: ["max-line-bytes": "1024", "rejects": rejects])
        #expect(String(decoding: output, as: UTF8.self).hasPrefix("window_end_ms,rank,hashtag,count\n10000,1,kept,2\n"))
        let entries = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
        #expect(entries.count == 2)
        #expect(entries.first?.contains(#""line":2,"reason":"the line has \#(lines[1].utf8.count) bytes, more than max-line-bytes (1024)""#) == true)
        #expect(entries.first.map { $0.utf8.count < 70_000 } == true, "the reject entry holds more than the line's first 64 KiB")
        #expect(entries.last?.contains(#""line":3,"reason":"the line has \#(lines[2].utf8.count) bytes"#) == true)
    }

    @Test func durationsPastOneHundredYearsAndWindowsOfTooManySlidesAreRefused() throws {
        let huge = try #require(buildError(validSteps.replacingOccurrences(of: "size: 30m", with: "size: 9000000000000000000ms")))
        #expect(huge.description.hasPrefix("job.yaml:6: window size \"9000000000000000000ms\" is not a duration"))
        let overflowing = try #require(buildError(validSteps.replacingOccurrences(of: "size: 30m", with: "size: 999999999999999999m")))
        #expect(overflowing.message.contains("of at most 876000h"))
        let manySlides = try #require(buildError(validSteps.replacingOccurrences(of: "size: 30m, slide: 10s", with: "size: 876000h, slide: 1ms")))
        #expect(manySlides.message.contains("more than the 100000 supported; choose a longer slide"))
    }

    @Test func outputLocationsAreCheckedBeforeTheFirstRecord() throws {
        let folder = try Fixtures.scratchFolder()
        let cases: [([String: String], String)] = [
            (["output": folder], "the output file \(folder) is a folder"),
            (["output": folder + "/out.csv", "rejects": folder + "/missing/rejects.jsonl"], "the folder \(folder)/missing of the reject file"),
            (["output": folder + "/out.csv", "late": folder + "/missing/late.jsonl"], "the folder \(folder)/missing of the late-records file"),
        ]
        for (overrides, expected) in cases {
            var builder = JobBuilder()
            builder.overrides = ["input": Fixtures.path("Tests/Fixtures/tweets/edge_cases.jsonl")].merging(overrides) { $1 }
            do {
                _ = try builder.build(try JobFileParser.parse(path: Fixtures.trendingJob))
                Issue.record("\(overrides) should have been refused when the job was built")
            } catch let error as FlowError {
                #expect(error.code == .output)
                #expect(error.message.contains(expected), "\(error.message)")
            }
        }
    }
}

/// `flowrun` itself: one line on standard error and the documented exit code.
struct CommandLineTests {
    static let flowrun = FlowrunProcess.executable

    private func run(_ arguments: [String], standardInput: String? = nil) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.flowrun)
        process.arguments = arguments
        if let standardInput { process.standardInput = FileHandle(forReadingAtPath: Fixtures.path(standardInput)) }
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

    @Test func followingAFolderOrACompressedLogIsRefused() throws {
        let checkpoints = ["--checkpoint-dir", try Fixtures.scratchFolder()]
        let folder = try run(["run", "configs/trending-hashtags.yaml", "-p", "input=Tests/Fixtures/tweets", "-p", "follow=true", "--quiet"] + checkpoints)
        #expect(folder.status == 2)
        #expect(folder.stderr == "flowrun: follow reads one plain log file as it grows, but Tests/Fixtures/tweets is a folder; follow a plain .jsonl file, or turn follow off\n")
        let compressed = try run(["run", "configs/trending-hashtags.yaml", "-p", "follow=true", "--quiet"] + checkpoints)
        #expect(compressed.status == 2)
        #expect(compressed.stderr.contains("is compressed; follow a plain .jsonl file"), "\(compressed.stderr)")
    }

    @Test func aCompressedFeedOnStandardInputIsOneSentence() throws {
        let result = try run(["run", "configs/trending-hashtags.yaml", "-p", "input=-", "--quiet", "--checkpoint-dir", try Fixtures.scratchFolder()],
                             standardInput: "Tests/Fixtures/tweets/twitter_v1_insight_2015.jsonl.gz")
        #expect(result.status == 3)
        #expect(result.stderr == "flowrun: operator tweet-log: standard input is gzip-compressed, but it is read as plain JSON lines as they arrive; pipe it through gzip -dc first\n")
    }

    @Test func badJobFileExitsWithTwo() throws {
        let folder = try Fixtures.scratchFolder()
        try "pipeline:\n  - nonsense: {}\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let result = try run(["validate", folder + "/bad.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("flowrun: \(folder)/bad.yaml:2: unknown operator \"nonsense\""))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func argumentErrorsExitWithTwoInOneLine() throws {
        for arguments in [["run"], ["run", "configs/trending-hashtags.yaml", "--no-such-option"], ["checkpoints", "nonsense"]] {
            let result = try run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix("flowrun: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test func outOfRangeDurationsExitWithTwo() throws {
        let interval = try run(["run", "configs/trending-hashtags.yaml", "--quiet", "--checkpoint-interval", "999999999999999999m"])
        #expect(interval.status == 2)
        #expect(interval.stderr.contains("is not a positive duration"))
        let lateness = try run(["run", "configs/trending-hashtags.yaml", "--quiet", "-p", "lateness=9223372036854775807s"])
        #expect(lateness.status == 2)
        #expect(lateness.stderr.contains("allowed-lateness \"9223372036854775807s\" is not a duration"))
    }

    @Test func aJobFileThatIsNotUTF8IsABadJobFile() throws {
        let folder = try Fixtures.scratchFolder()
        try Data([0x6E, 0x61, 0x6D, 0x65, 0x3A, 0x20, 0xFF, 0xFE, 0x0A]).write(to: URL(fileURLWithPath: folder + "/latin.yaml"))
        let result = try run(["validate", folder + "/latin.yaml"])
        #expect(result.status == 2)
        #expect(result.stderr == "flowrun: job file \(folder)/latin.yaml is not UTF-8 text; save it as UTF-8\n")
    }

    @Test func aJobFileTooLargeOrNoFileIsRefusedBeforeItIsRead() throws {
        let folder = try Fixtures.scratchFolder()
        try Data(repeating: UInt8(ascii: "#"), count: 2 << 20).write(to: URL(fileURLWithPath: folder + "/huge.yaml"))
        let huge = try run(["validate", folder + "/huge.yaml"])
        #expect(huge.status == 2)
        #expect(huge.stderr == "flowrun: job file \(folder)/huge.yaml has 2097152 bytes, more than the 1048576 it may have; give a YAML job file\n")
        let device = try run(["validate", "/dev/zero"])
        #expect(device.status == 2)
        #expect(device.stderr == "flowrun: job file /dev/zero is not a regular file; give a YAML job file\n")
    }

    @Test func anUnwritableStatsFileIsRefusedBeforeTheRun() throws {
        let folder = try Fixtures.scratchFolder()
        let result = try run(["run", "configs/trending-hashtags.yaml", "--quiet", "-p", "output=\(folder)/out.csv",
                              "--stats-json", folder + "/missing/stats.json"])
        #expect(result.status == 5)
        #expect(result.stderr.hasPrefix("flowrun: the folder \(folder)/missing of the --stats-json file"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/out.csv"))
    }

    @Test func tweetRatesOutsideTheGeneratorsRangeExitWithTwo() throws {
        for rate in ["1e-300", "1e-12", "0", "nan", "1e300"] {
            let result = try run(["gen-tweets", "--tweets", "10", "--rate", rate, "--out", "-"])
            #expect(result.status == 2, "--rate \(rate)")
            #expect(result.stderr.contains("is out of range; give 0.001 to 1000000 tweets per second"), "\(result.stderr)")
        }
    }

    @Test func badParallelismExitsWithTwo() throws {
        let result = try run(["run", "configs/trending-hashtags.yaml", "--parallelism", "0"])
        #expect(result.status == 2)
    }
}
