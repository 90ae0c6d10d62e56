import ArgumentParser
import Flow
import Foundation
import MetricsView
import Operators

/// `flowrun top URL`: a running job's operators, rates, backpressure, watermarks and last
/// checkpoints, read from its metrics endpoint and redrawn every second, like `top`.
struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch a running job: its operators, rates, backpressure, watermarks and checkpoints, from its metrics endpoint.",
        discussion: "Start the job with --metrics-port N, then: flowrun top http://127.0.0.1:N. Ctrl-C ends the view, not the job."
    )

    @Argument(help: "The job's metrics endpoint: http://HOST:PORT (or its /metrics URL).")
    var url: String

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 1

    @Option(help: "Stop after this many refreshes (default: until Ctrl-C).")
    var iterations: Int?

    func run() throws {
        try reportingErrors {
            guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""), components.host?.isEmpty == false else {
                throw FlowError(.invalidJob, "\(TerminalText.quoted(url)) is not an address; write http://HOST:PORT, where the job runs with --metrics-port PORT")
            }
            guard interval.isFinite, (0.1...3600).contains(interval) else {
                throw FlowError(.invalidJob, "--interval \(interval) is out of range; use 0.1 to 3600 seconds")
            }
            guard (iterations ?? 1) >= 1 else { throw FlowError(.invalidJob, "--iterations must be at least 1") }
            let metricsURL = components.path.hasSuffix("/metrics") ? url : url.trimmingSuffix("/") + "/metrics"
            let get = HTTPGet()
            var previous: (text: PrometheusText, at: Double)?
            var shown = 0
            let redraw = isatty(1) != 0
            while iterations.map({ shown < $0 }) ?? true {
                let (status, body) = try get(metricsURL)
                guard status == 200 else {
                    throw FlowError(.external, "\(metricsURL) answered HTTP \(status); is it a flowrun metrics endpoint?")
                }
                let now = monotonicSeconds()
                let text = PrometheusText(String(decoding: body, as: UTF8.self))
                let view = JobTopView(url: url, previous: previous?.text, current: text, seconds: previous.map { now - $0.at } ?? 0)
                let frame = view.lines.joined(separator: "\n") + "\n"
                print(redraw ? "\u{1B}[H\u{1B}[2J" + frame : frame, terminator: redraw ? "" : "\n")
                fflush(nil)
                shown += 1
                previous = (text, now)
                if iterations.map({ shown < $0 }) ?? true { Thread.sleep(forTimeInterval: interval) }
            }
        }
    }
}

private extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
