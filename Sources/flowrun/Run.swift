import ArgumentParser
import Flow
import Foundation
import Jobs
import Logging
import MetricsEndpoint

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

    @Option(help: "Serve the job's metrics on this port: /metrics (Prometheus), /healthz and /ready (0: any free port, printed at the start).")
    var metricsPort: Int?

    @Option(help: "The address the metrics are served on (default 127.0.0.1, this machine only; 0.0.0.0 for every interface).")
    var metricsAddress: String?

    @Option(help: "How messages are written to standard error: human, or json (one object a line: time, level, job, operator, message) for log collectors.")
    var logFormat: LogFormat = .human

    @Option(help: "Run as one worker of a job shared by several processes, through these Kafka brokers: kafka://HOST:PORT[,HOST:PORT…].")
    var cluster: String?

    @Option(help: "This worker's name in the cluster, unique in the job (default: the host name and process id).")
    var workerID: String?

    @Option(help: "With --cluster: how long the others wait for a silent worker before taking over its partitions (default 6s).")
    var sessionTimeout: String?

    @Flag(inversion: .prefixedNo, help: "With --cluster: static group membership (the worker id), so a worker restarted within the session timeout gets its partitions back without a rebalance.")
    var staticMembership = true

    @Option(help: "With --cluster: a file the worker rewrites every second while it runs, for liveness probes.")
    var statusFile: String?

    func run() throws {
        if logFormat == .json { Messages.useJSON(job: (job.file as NSString).lastPathComponent) }
        if cluster != nil { return try runWorker() }
        try reportingErrors {
            if let statsJSON, let problem = OutputLocation.problem(statsJSON, what: "--stats-json file") {
                throw FlowError(.output, problem)
            }
            let export = PrometheusExport()
            let (_, built) = try job.build(checkOnly: false, checkpointing: try checkpointOptions()) { builder in
                builder.metricsOptions = metricsOptions
                builder.makeMetrics = { [factory = export.factory] name in JobMetrics(jobName: name, factory: factory) }
            }
            let metrics = built.job.metrics
            Messages.name(job: metrics.jobName)
            let server = try built.metricsEndpoint.map { try serveMetrics(of: built.job, at: $0, export: export) }
            defer { server?.stop() }
            let stopper = StopSignals(checkpoints: built.job.checkpoints)
            stopper.install()
            let started = monotonicSeconds()
            let progress = quiet ? nil : ProgressReporter(metrics: metrics, counter: built.progressCounter, started: started)
            progress?.start()
            defer { progress?.stop() }
            let outcome = try built.run()
            progress?.stop()
            let summary = RunSummary(metrics: metrics, seconds: monotonicSeconds() - started, usage: resourceUsage(),
                                     progressCounter: built.progressCounter,
                                     checkpointSeconds: built.job.checkpoints?.completedDurations ?? [])
            if case .stoppedAtSavepoint(let id) = outcome {
                Messages.write("stopped with savepoint \(id) in \(built.job.checkpoints!.settings.directory); resume with --restore latest")
            }
            Messages.write(summary.text)
            if let statsJSON {
                do { try summary.json.write(toFile: statsJSON, atomically: true, encoding: .utf8) } catch {
                    throw FlowError(.output, "cannot write --stats-json \(statsJSON) (\(error.localizedDescription)); check that its folder exists and is writable")
                }
            }
        }
    }
}

extension Run {
    var metricsOptions: MetricsOptions {
        var options = MetricsOptions()
        options.port = metricsPort
        options.address = metricsAddress
        return options
    }

    /// Starts the metrics endpoint and says where it listens. `/ready` wants a checkpoint (or
    /// the start) within three intervals and ten seconds.
    func serveMetrics(of job: StreamJob, at endpoint: MetricsOptions.Endpoint, export: PrometheusExport) throws -> MetricsServer {
        let checkpointAge = job.checkpoints.map { 3 * $0.settings.interval.seconds + 10 }
        let readiness = MetricsServer.Readiness(checkpointAge: checkpointAge) { [job] in
            job.checkpoints?.lastCompletedAt ?? job.metrics.startedAt
        }
        let server = try MetricsServer.start(address: endpoint.address, port: endpoint.port, export: export, metrics: job.metrics, readiness: readiness)
        Messages.write("flowrun: metrics on http://\(endpoint.address):\(server.port)/metrics")
        return server
    }

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
        options.report = { Messages.write("flowrun: \($0)", level: .notice) }
        return options
    }
}

/// The counts and costs of a finished run, as printed at the end.
struct RunSummary {
    let metrics: JobMetrics
    let seconds: Double
    let usage: (cpuSeconds: Double, peakMemoryBytes: Int)
    /// The count the rate is given in (what the job's source reads).
    let progressCounter: String
    /// Trigger to written, of each checkpoint completed (for benchmarks).
    var checkpointSeconds: [Double] = []

    private static let counters = ["tweets", "non-tweet lines", "malformed lines", "blank lines", "hashtags", "late records", "windows fired", "output lines"]
    /// The order counters are shown in; others follow by name. Only the counters the job's
    /// operators keep are shown, so each job's summary speaks of what it did.
    private static let order = [
        "tweets", "documents", "non-tweet lines", "malformed lines", "blank lines", "hashtags", "late records", "windows fired",
        "windows updated", "documents scored", "documents already scored", "output lines", "windows published", "redis retries",
        "redis members skipped (score not a count)", "es indexed", "es updates", "es retries", "es dead letters",
    ]

    /// Every counter the job kept, in the order above.
    var text: String {
        let kept = Set(metrics.counterNames(startingWith: "")).subtracting(["bytes"])
        let names = Self.order.filter(kept.contains) + kept.subtracting(Self.order).sorted()
        var parts = names.map { "\($0): \(metrics.value($0))" }
        parts.append(String(format: "time: %.2f s (%.0f %@/s, CPU %.2f s, peak memory %.0f MB)",
                            seconds, Double(metrics.value(progressCounter)) / max(seconds, 1e-9), progressCounter, usage.cpuSeconds,
                            Double(usage.peakMemoryBytes) / 1e6))
        return "summary — " + parts.joined(separator: ", ")
    }

    var json: String {
        var fields = Self.counters.map { "\"\($0)\": \(metrics.value($0))" }
        fields.append("\"bytes\": \(metrics.value("bytes"))")
        fields.append("\"windows published\": \(metrics.value("windows published"))")
        fields.append("\"seconds\": \(seconds)")
        fields.append("\"cpu_seconds\": \(usage.cpuSeconds)")
        fields.append("\"peak_memory_bytes\": \(usage.peakMemoryBytes)")
        fields.append("\"checkpoint_seconds\": [\(checkpointSeconds.map { String($0) }.joined(separator: ", "))]")
        return "{" + fields.joined(separator: ", ") + "}\n"
    }
}
