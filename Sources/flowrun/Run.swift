import ArgumentParser
import Flow
import Foundation
import Jobs

/// `flowrun run FILE`: runs a job to the end of its input, with a progress line and a summary.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a job file to the end of its input.",
        discussion: "With checkpoints on, Ctrl-C (SIGINT) or SIGTERM stops the job with a savepoint that --restore latest resumes; a second Ctrl-C stops at once."
    )

    @OptionGroup var job: JobOptions

    @Option(help: "Take checkpoints into this folder (overrides the job file's checkpoint dir).")
    var checkpointDir: String?

    @Option(help: "Time between checkpoints, e.g. 1s or 500ms (overrides the job file's interval).")
    var checkpointInterval: String?

    @Option(help: "Start from a checkpoint: latest (the newest usable one; the beginning if there is none yet), or a checkpoint folder.")
    var restore: String?

    @Flag(help: "Print no progress line.")
    var quiet = false

    @Option(help: "Also write the summary as JSON to this file (for benchmarks).")
    var statsJSON: String?

    func run() throws {
        try reportingErrors {
            if let statsJSON, let problem = OutputLocation.problem(statsJSON, what: "--stats-json file") {
                throw FlowError(.output, problem)
            }
            let (_, built) = try job.build(checkOnly: false, checkpointing: try checkpointOptions())
            let metrics = built.job.metrics
            let stopper = StopSignals(checkpoints: built.job.checkpoints)
            stopper.install()
            let started = monotonicSeconds()
            let progress = quiet ? nil : ProgressReporter(metrics: metrics, started: started)
            progress?.start()
            defer { progress?.stop() }
            let outcome = try built.run()
            progress?.stop()
            let summary = RunSummary(metrics: metrics, seconds: monotonicSeconds() - started, usage: resourceUsage())
            if case .stoppedAtSavepoint(let id) = outcome {
                printError("stopped with savepoint \(id) in \(built.job.checkpoints!.settings.directory); resume with --restore latest")
            }
            printError(summary.text)
            if let statsJSON {
                do { try summary.json.write(toFile: statsJSON, atomically: true, encoding: .utf8) } catch {
                    throw FlowError(.output, "cannot write --stats-json \(statsJSON) (\(error.localizedDescription)); check that its folder exists and is writable")
                }
            }
        }
    }
}

extension Run {
    func checkpointOptions() throws -> CheckpointOptions {
        var options = CheckpointOptions()
        options.directory = checkpointDir
        if let checkpointInterval {
            guard let interval = DurationText.parse(checkpointInterval), interval > .zero else {
                throw FlowError(.invalidJob, "--checkpoint-interval \(checkpointInterval) is not a positive duration; \(DurationText.expectation)")
            }
            options.interval = interval
        }
        options.restore = restore
        options.report = { printError("flowrun: \($0)") }
        return options
    }
}

/// The counts and costs of a finished run, as printed at the end.
struct RunSummary {
    let metrics: JobMetrics
    let seconds: Double
    let usage: (cpuSeconds: Double, peakMemoryBytes: Int)

    private static let counters = ["tweets", "non-tweet lines", "malformed lines", "blank lines", "hashtags", "late records", "windows fired", "output lines"]
    private static let documentCounters = ["documents", "malformed lines", "documents scored", "documents already scored", "output lines"]

    /// A tweet job's counts (all of them), or a document job's.
    var text: String {
        let isDocumentJob = metrics.value("documents") > 0 && metrics.value("tweets") == 0
        var parts = (isDocumentJob ? Self.documentCounters : Self.counters).map { "\($0): \(metrics.value($0))" }
        if metrics.value("windows published") > 0 { parts.append("windows published to Redis: \(metrics.value("windows published"))") }
        let connectors = ["redis members skipped (score not a count)", "es updates", "es indexed", "es retries", "es dead letters"] + metrics.counterNames(startingWith: "es dead letters (")
        for name in connectors where metrics.value(name) > 0 { parts.append("\(name): \(metrics.value(name))") }
        let (count, unit) = isDocumentJob ? (metrics.value("documents"), "documents") : (metrics.value("tweets"), "tweets")
        parts.append(String(format: "time: %.2f s (%.0f %@/s, CPU %.2f s, peak memory %.0f MB)",
                            seconds, Double(count) / max(seconds, 1e-9), unit, usage.cpuSeconds, Double(usage.peakMemoryBytes) / 1e6))
        return "summary — " + parts.joined(separator: ", ")
    }

    var json: String {
        var fields = Self.counters.map { "\"\($0)\": \(metrics.value($0))" }
        fields.append("\"bytes\": \(metrics.value("bytes"))")
        fields.append("\"windows published\": \(metrics.value("windows published"))")
        fields.append("\"seconds\": \(seconds)")
        fields.append("\"cpu_seconds\": \(usage.cpuSeconds)")
        fields.append("\"peak_memory_bytes\": \(usage.peakMemoryBytes)")
        return "{" + fields.joined(separator: ", ") + "}\n"
    }
}
