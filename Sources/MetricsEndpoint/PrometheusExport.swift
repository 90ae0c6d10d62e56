import Flow
import Foundation
import Prometheus

/// A job's metrics in Prometheus's text exposition format, through swift-prometheus.
///
/// Checkpoint events reach the registry as they happen, through swift-metrics (``factory``). The
/// per-record counters are the runtime's own atomic counters (``JobMetrics``), which operators add
/// to once per batch: each scrape copies what they gained since the last one into the registry,
/// so the record path never touches it. Names follow Prometheus's conventions: `flow_…_total` for
/// counters, base units (seconds, bytes), and `job`, `operator` and `subtask` labels.
public final class PrometheusExport: Sendable {
    public let registry = PrometheusCollectorRegistry()
    /// The counter values already copied into the registry, by series.
    private let exported = Locked<[String: Int]>([:])
    /// The process CPU seconds already copied into the registry.
    private let exportedCPU = Locked<Double>(0)
    private let startedAt = Date().timeIntervalSince1970

    public init() {}

    /// The swift-metrics backend for a job's events, with buckets sized for checkpoints.
    public var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60].map { Duration.milliseconds(Int64($0 * 1000)) }
        factory.defaultValueHistogramBuckets = [1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
        return factory
    }

    /// Everything the job measures now, as the body of a `/metrics` response.
    public func render(_ metrics: JobMetrics, now: Date = Date()) -> [UInt8] {
        let job = ("job", metrics.jobName)
        for counter in metrics.allCounters() {
            var labels = [job, ("operator", counter.operatorID), ("subtask", String(counter.subtask))]
            var name = counter.name
            // "es dead letters (REASON)": one series per reason of one counter; the bulk
            // writer's outcomes: one series per outcome.
            if let reason = Self.deadLetterReason(name) {
                labels.append(("reason", reason))
                name = "es dead letters by reason"
            } else if let outcome = Self.elasticsearchOutcomes[name] {
                labels.append(("outcome", outcome))
                name = "es items"
            }
            // The help is made from the metric's name, so two counts that share one (say
            // "non-tweet lines" and "non tweet lines") share one help text, as the registry demands.
            let metric = Self.metricName(name, unit: "_total")
            copy(counter.value, into: metric, labels: labels, help: "An operator's count: \(Self.words(of: metric)).")
        }
        for level in metrics.allLevels() {
            let labels = [job, ("operator", level.operatorID), ("subtask", String(level.subtask))]
            let metric = Self.metricName(level.name, unit: "")
            // A gauge may not take a counter's name (the registry stops the process on a clash).
            guard !metric.hasSuffix("_total") else { continue }
            registry.makeGauge(name: metric, labels: labels, help: "An operator's level: \(Self.words(of: metric)).").set(level.value)
        }
        let nowSeconds = now.timeIntervalSince1970
        for (operatorID, subtask, meters) in metrics.allMeters() {
            let labels = [job, ("operator", operatorID), ("subtask", String(subtask))]
            copy(meters.recordsIn.value, into: "flow_records_in_total", labels: labels, help: "Records the operator subtask received.")
            copy(meters.batchesIn.value, into: "flow_batches_in_total", labels: labels, help: "Batches the operator subtask received.")
            copy(meters.recordsOut.value, into: "flow_records_out_total", labels: labels, help: "Records the operator subtask emitted.")
            copy(meters.busyNanoseconds.value, into: "flow_busy_seconds_total", labels: labels, help: "Time the operator subtask spent processing records.", scale: 1e-9)
            copy(meters.backpressuredNanoseconds.value, into: "flow_backpressured_seconds_total", labels: labels, help: "Time the subtask waited to send into a full channel downstream.", scale: 1e-9)
            if let fill = meters.inputQueueFill {
                registry.makeGauge(name: "flow_input_queue_fill_ratio", labels: labels, help: "How full the subtask's input queue is, 0 to 1.").set(fill)
            }
            if let watermark = meters.watermark, EventTime.supportedMilliseconds.contains(watermark.milliseconds) {
                let seconds = Double(watermark.milliseconds) / 1000
                registry.makeGauge(name: "flow_watermark_seconds", labels: labels, help: "The last watermark the subtask received, as Unix time.").set(seconds)
                registry.makeGauge(name: "flow_watermark_lag_seconds", labels: labels, help: "How far the subtask's watermark is behind the wall clock.").set(nowSeconds - seconds)
            }
        }
        if let eventTime = metrics.gauge("event time") {
            registry.makeGauge(name: "flow_source_event_time_seconds", labels: [job], help: "The latest event time the source has read, as Unix time.").set(Double(eventTime) / 1000)
        }
        registry.makeGauge(name: "flow_job_running", labels: [job], help: "1 while the job's tasks run.").set(to: metrics.isRunning ? 1.0 : 0.0)
        let usage = ProcessUsage.now()
        let cpuGained = exportedCPU.withLock { exported -> Double in
            defer { exported = max(exported, usage.cpuSeconds) }
            return max(usage.cpuSeconds - exported, 0)
        }
        registry.makeCounter(name: "process_cpu_seconds_total", help: "User and system CPU time of the process.").increment(by: cpuGained)
        registry.makeGauge(name: "process_resident_memory_bytes", help: "Resident memory of the process.").set(Double(usage.residentBytes))
        registry.makeGauge(name: "process_start_time_seconds", help: "When the process started, as Unix time.").set(startedAt)
        return registry.emitToBuffer()
    }

    /// The words of a metric's name: `flow_windows_fired_total` → "windows fired".
    static func words(of metric: String) -> String {
        var name = Substring(metric)
        if name.hasPrefix("flow_") { name = name.dropFirst("flow_".count) }
        if name.hasSuffix("_total") { name = name.dropLast("_total".count) }
        return name.replacingOccurrences(of: "_", with: " ")
    }

    /// The Elasticsearch bulk writer's counts, as outcomes of `flow_es_items_total`.
    static let elasticsearchOutcomes = ["es indexed": "indexed", "es updates": "updated", "es retries": "retried", "es dead letters": "dead_lettered"]

    /// The reason of an "es dead letters (REASON)" counter.
    static func deadLetterReason(_ name: String) -> String? {
        let prefix = "es dead letters ("
        guard name.hasPrefix(prefix), name.hasSuffix(")") else { return nil }
        return String(name.dropFirst(prefix.count).dropLast())
    }

    /// The Prometheus name of an operator's count or level: `flow_`, its words joined by `_`, then
    /// `unit` (`_total` for a count).
    static func metricName(_ name: String, unit: String) -> String {
        if name == "bytes" { return "flow_source_bytes_read" + unit }
        var words: [String] = []
        var word = ""
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                word.unicodeScalars.append(scalar)
            } else if !word.isEmpty {
                words.append(word)
                word = ""
            }
        }
        if !word.isEmpty { words.append(word) }
        return "flow_" + (words.isEmpty ? "unnamed" : words.joined(separator: "_")) + unit
    }

    /// Adds to the registry's counter what `value` gained since the last scrape.
    private func copy(_ value: Int, into name: String, labels: [(String, String)], help: String, scale: Double? = nil) {
        let series = name + labels.map { "\u{0}\($0.0)=\($0.1)" }.joined()
        let gained = exported.withLock { exported -> Int in
            let gained = value - (exported[series] ?? 0)
            if gained > 0 { exported[series] = value }
            return gained
        }
        let counter = registry.makeCounter(name: name, labels: labels, help: help)
        if let scale {
            if gained > 0 { counter.increment(by: Double(gained) * scale) } else { counter.increment(by: 0.0) }
        } else {
            counter.increment(by: Int64(max(gained, 0)))
        }
    }
}
