import ArgumentParser
import Flow
import Foundation
import Jobs

/// `flowrun run FILE`: runs a job to the end of its input, with a progress line and a summary.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a job file to the end of its input.")

    @OptionGroup var job: JobOptions

    @Flag(help: "Print no progress line.")
    var quiet = false

    @Option(help: "Also write the summary as JSON to this file (for benchmarks).")
    var statsJSON: String?

    func run() throws {
        try reportingErrors {
            let (_, built) = try job.build(checkOnly: false)
            let metrics = built.job.metrics
            let started = monotonicSeconds()
            let progress = quiet ? nil : ProgressReporter(metrics: metrics, started: started)
            progress?.start()
            defer { progress?.stop() }
            try built.run()
            progress?.stop()
            let summary = RunSummary(metrics: metrics, seconds: monotonicSeconds() - started, usage: resourceUsage())
            printError(summary.text)
            if let statsJSON { try summary.json.write(toFile: statsJSON, atomically: true, encoding: .utf8) }
        }
    }
}

/// The counts and costs of a finished run, as printed at the end.
struct RunSummary {
    let metrics: JobMetrics
    let seconds: Double
    let usage: (cpuSeconds: Double, peakMemoryBytes: Int)

    private static let counters = ["tweets", "non-tweet lines", "malformed lines", "blank lines", "hashtags", "late records", "windows fired", "output lines"]

    var text: String {
        let tweets = metrics.value("tweets")
        var parts = Self.counters.map { "\($0): \(metrics.value($0))" }
        parts.append(String(format: "time: %.2f s (%.0f tweets/s, CPU %.2f s, peak memory %.0f MB)",
                            seconds, Double(tweets) / max(seconds, 1e-9), usage.cpuSeconds, Double(usage.peakMemoryBytes) / 1e6))
        return "summary — " + parts.joined(separator: ", ")
    }

    var json: String {
        var fields = Self.counters.map { "\"\($0)\": \(metrics.value($0))" }
        fields.append("\"bytes\": \(metrics.value("bytes"))")
        fields.append("\"seconds\": \(seconds)")
        fields.append("\"cpu_seconds\": \(usage.cpuSeconds)")
        fields.append("\"peak_memory_bytes\": \(usage.peakMemoryBytes)")
        return "{" + fields.joined(separator: ", ") + "}\n"
    }
}
