import Flow
import Foundation

/// Prints a progress line while a job runs: what its source read and the rate, the event time
/// reached (for event-time jobs), and the counts of the job's operators that tell how it goes.
/// On a terminal the line is redrawn in place twice a second; otherwise a line every 10 seconds.
final class ProgressReporter: Sendable {
    private let metrics: JobMetrics
    private let counter: String
    private let started: Double
    private let isStopped = Locked(false)
    private let hasPrinted = Locked(false)

    init(metrics: JobMetrics, counter: String, started: Double) {
        self.metrics = metrics
        self.counter = counter
        self.started = started
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "progress"
        thread.start()
    }

    func stop() {
        let wasStopped = isStopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        if !wasStopped && redraws && hasPrinted.withLock({ $0 }) { writeToStandardError("\r\u{1B}[K") }
    }

    /// Whether the line is redrawn in place: on a terminal, unless messages are JSON lines.
    private var redraws: Bool { standardErrorIsTerminal && !Messages.isJSON }

    private func loop() {
        let interval = redraws ? 0.5 : 10
        var next = started + max(interval, 1)
        while !isStopped.withLock({ $0 }) {
            usleep(100_000)
            let now = monotonicSeconds()
            guard now >= next else { continue }
            next = now + interval
            let line = self.line(at: now)
            isStopped.withLock { stopped in
                guard !stopped else { return }
                if redraws { writeToStandardError("\r\u{1B}[K" + line) } else { Messages.write(line) }
                hasPrinted.withLock { $0 = true }
            }
        }
    }

    /// Counts shown when the job keeps them and they are not zero.
    private static let shown = ["windows fired", "documents scored", "es indexed", "es updates", "windows published", "malformed lines", "es dead letters"]

    private func line(at now: Double) -> String {
        let count = metrics.value(counter)
        let elapsed = now - started
        var parts = [String(format: "%.0f s: %d %@ (%.0f/s)", elapsed, count, counter, Double(count) / max(elapsed, 1e-9))]
        if let eventTime = metrics.gauge("event time") { parts.append("event time \(ConsoleTime.iso(eventTime))") }
        for name in Self.shown where name != counter {
            let value = metrics.value(name)
            if value > 0 { parts.append("\(value) \(name)") }
        }
        return parts.joined(separator: ", ")
    }
}

/// Event times for people.
enum ConsoleTime {
    static func iso(_ milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
