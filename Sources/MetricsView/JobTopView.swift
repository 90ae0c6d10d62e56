import Foundation
import Operators

/// What `flowrun top` shows of a running job, from two scrapes of its `/metrics` a moment apart:
/// the process (uptime, CPU, memory), its checkpoints, one row per operator (subtasks summed:
/// records in and out per second, busy and backpressured share of the time, input queue fill,
/// watermark lag), and the operators' own counts with their rates.
public struct JobTopView {
    public let url: String
    public let previous: PrometheusText?
    public let current: PrometheusText
    /// Seconds between the two scrapes.
    public let seconds: Double

    public init(url: String, previous: PrometheusText?, current: PrometheusText, seconds: Double) {
        self.url = url
        self.previous = previous
        self.current = current
        self.seconds = seconds
    }

    /// The series the runtime keeps of every operator; the others are the operators' own counts.
    static let runtimeCounters: Set<String> = ["flow_records_in_total", "flow_batches_in_total", "flow_records_out_total",
                                               "flow_busy_seconds_total", "flow_backpressured_seconds_total"]

    public var lines: [String] {
        var lines = [header, checkpoints, ""]
        lines.append(Self.row(["OPERATOR", "TASKS", "IN/s", "OUT/s", "BUSY", "BACKPR.", "QUEUE", "WM LAG"]))
        for operatorID in operators {
            let labels = ["operator": operatorID]
            let tasks = Set(current.samples.filter { $0.labels["operator"] == operatorID }.compactMap { $0.labels["subtask"] }).count
            lines.append(Self.row([
                TerminalText.visible(String(operatorID.prefix(28))), String(tasks),
                rate("flow_records_in_total", labels).map(Self.count) ?? "-",
                rate("flow_records_out_total", labels).map(Self.count) ?? "-",
                rate("flow_busy_seconds_total", labels).map { Self.percent($0 / Double(max(tasks, 1))) } ?? "-",
                rate("flow_backpressured_seconds_total", labels).map { Self.percent($0 / Double(max(tasks, 1))) } ?? "-",
                maximum("flow_input_queue_fill_ratio", labels).map(Self.percent) ?? "-",
                maximum("flow_watermark_lag_seconds", labels).map(Self.duration) ?? "-",
            ]))
        }
        let counts = operatorCounts
        if !counts.isEmpty {
            lines.append("")
            lines.append(counts.joined(separator: " · "))
        }
        return lines
    }

    private var header: String {
        let job = current.samples.first { $0.labels["job"] != nil }?.labels["job"].map(TerminalText.visible) ?? "?"
        var parts = ["flowrun top — \(job) at \(TerminalText.visible(url))"]
        parts.append(current.total("flow_job_running").map { $0 > 0 ? "running" : "not running" } ?? "state unknown")
        if let started = current.total("process_start_time_seconds") {
            parts.append("up " + Self.duration(Date().timeIntervalSince1970 - started))
        }
        if let cpu = rate("process_cpu_seconds_total") { parts.append(String(format: "CPU %.2f cores", cpu)) }
        if let memory = current.total("process_resident_memory_bytes") { parts.append(String(format: "memory %.0f MB", memory / 1e6)) }
        // Years 1 to 9999 only: the value comes from a peer and the formatter's range is finite.
        if let eventTime = current.total("flow_source_event_time_seconds"), (-62_135_596_800 ... 253_402_300_799).contains(eventTime) {
            parts.append("event time " + ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: eventTime)))
        }
        return parts.joined(separator: ", ")
    }

    private var checkpoints: String {
        guard let completed = current.total("flow_checkpoints_completed_total") else { return "checkpoints: off" }
        var text = String(format: "checkpoints: %.0f completed, %.0f failed", completed, current.total("flow_checkpoints_failed_total") ?? 0)
        if let sum = delta("flow_checkpoint_duration_seconds_sum"), let count = delta("flow_checkpoint_duration_seconds_count"), count > 0 {
            text += String(format: ", %.0f ms each lately", sum / count * 1000)
        } else if let sum = current.total("flow_checkpoint_duration_seconds_sum"), let count = current.total("flow_checkpoint_duration_seconds_count"), count > 0 {
            text += String(format: ", %.0f ms each on average", sum / count * 1000)
        }
        if let bytes = current.total("flow_checkpoint_size_bytes_sum"), let count = current.total("flow_checkpoint_size_bytes_count"), count > 0 {
            text += String(format: ", %.0f KB each", bytes / count / 1000)
        }
        return text
    }

    /// Operators in the order their series first appear, which is the order of no importance;
    /// sorted by name so the rows stay put between refreshes.
    private var operators: [String] {
        Set(current.samples.filter { Self.runtimeCounters.contains($0.name) }.compactMap { $0.labels["operator"] }).sorted()
    }

    /// Each operator count that is not zero: its total and, when it moved, its rate.
    private var operatorCounts: [String] {
        let names = Set(current.samples.map(\.name).filter {
            $0.hasPrefix("flow_") && $0.hasSuffix("_total") && !Self.runtimeCounters.contains($0) && !$0.hasPrefix("flow_checkpoints_")
        }).sorted()
        return names.compactMap { name in
            guard let total = current.total(name), total > 0 else { return nil }
            let words = name.dropFirst("flow_".count).dropLast("_total".count).replacingOccurrences(of: "_", with: " ")
            let moving = rate(name).flatMap { $0 > 0 ? " (\(Self.count($0))/s)" : nil } ?? ""
            return "\(TerminalText.visible(words)) \(Self.count(total))\(moving)"
        }
    }

    private func delta(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        guard let previous, let now = current.total(name, labels), let before = previous.total(name, labels) else { return nil }
        return max(now - before, 0)
    }

    private func rate(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        guard seconds > 0 else { return nil }
        return delta(name, labels).map { $0 / seconds }
    }

    private func maximum(_ name: String, _ labels: [String: String]) -> Double? {
        current.samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.map(\.value).max()
    }

    static func row(_ cells: [String]) -> String {
        let widths = [28, 5, 10, 10, 6, 7, 6, 9]
        return zip(cells, widths).enumerated().map { index, pair in
            let (cell, width) = pair
            let padding = String(repeating: " ", count: max(width - cell.count, 0))
            return index == 0 ? cell + padding : padding + cell
        }.joined(separator: " ")
    }

    static func count(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        switch abs(value) {
        case 1e9...: return String(format: "%.1fG", value / 1e9)
        case 1e6...: return String(format: "%.1fM", value / 1e6)
        case 1e4...: return String(format: "%.1fk", value / 1e3)
        default: return String(format: "%.0f", value)
        }
    }

    static func percent(_ share: Double) -> String { share.isFinite ? String(format: "%.0f%%", min(max(share, 0), 1) * 100) : "-" }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "-" }
        let whole = Int(min(max(seconds, 0), 1e12))
        switch whole {
        case ..<60: return String(format: "%.1fs", max(seconds, 0))
        case ..<3600: return "\(whole / 60)m\(whole % 60)s"
        case ..<86_400: return "\(whole / 3600)h\(whole % 3600 / 60)m"
        default: return "\(whole / 86_400)d\(whole % 86_400 / 3600)h"
        }
    }
}
