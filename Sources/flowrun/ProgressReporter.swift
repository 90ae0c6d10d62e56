import Flow
import Foundation

/// Prints a progress line while a job runs: tweets read, rate, event time reached, windows fired.
/// On a terminal the line is redrawn in place twice a second; otherwise a line every 10 seconds.
final class ProgressReporter: Sendable {
    private let metrics: JobMetrics
    private let started: Double
    private let isStopped = Locked(false)
    private let hasPrinted = Locked(false)

    init(metrics: JobMetrics, started: Double) {
        self.metrics = metrics
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
        if !wasStopped && standardErrorIsTerminal && hasPrinted.withLock({ $0 }) { writeToStandardError("\r\u{1B}[K") }
    }

    private func loop() {
        let interval = standardErrorIsTerminal ? 0.5 : 10
        var next = started + max(interval, 1)
        while !isStopped.withLock({ $0 }) {
            usleep(100_000)
            let now = monotonicSeconds()
            guard now >= next else { continue }
            next = now + interval
            let line = self.line(at: now)
            isStopped.withLock { stopped in
                guard !stopped else { return }
                writeToStandardError(standardErrorIsTerminal ? "\r\u{1B}[K" + line : line + "\n")
                hasPrinted.withLock { $0 = true }
            }
        }
    }

    private func line(at now: Double) -> String {
        let tweets = metrics.value("tweets")
        let elapsed = now - started
        let eventTime = metrics.gauge("event time").map { ConsoleTime.iso($0) } ?? "—"
        return String(format: "%.0f s: %d tweets (%.0f/s), event time %@, %d windows fired, %d malformed",
                      elapsed, tweets, Double(tweets) / max(elapsed, 1e-9), eventTime, metrics.value("windows fired"), metrics.value("malformed lines"))
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
