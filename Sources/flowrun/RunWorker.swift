import Dispatch
import Flow
import Foundation
import Jobs
import Kafka
import Logging
import MetricsEndpoint
#if canImport(Glibc)
import Glibc
#endif

extension Run {
    /// `flowrun run JOB --cluster kafka://…`: one worker of a job shared by several processes.
    func runWorker() throws {
        try reportingErrors {
            guard let cluster else { return }
            var builder = try job.builder(checkpointing: try checkpointOptions())
            builder.metricsOptions = metricsOptions
            let file = try JobFileParser.parse(path: job.file)
            let name = workerID ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
            var settings = try ClusterPlan.settings(for: file, builder: builder, cluster: cluster, workerID: name)
            if let sessionTimeout {
                guard let timeout = DurationText.parse(sessionTimeout), timeout >= .seconds(1) else {
                    throw FlowError(.invalidJob, "--session-timeout \(sessionTimeout) is not a duration of at least 1s; \(DurationText.expectation)")
                }
                settings.sessionTimeout = timeout
            }
            settings.staticMembership = staticMembership
            settings.statusFile = statusFile
            let worker = ClusterWorker(settings: settings)
            let export = PrometheusExport()
            let metrics = JobMetrics(jobName: settings.jobName, factory: export.factory)
            Messages.name(job: settings.jobName)
            let server = try builder.metricsEndpoint(for: file).map { endpoint in
                let server = try MetricsServer.start(address: endpoint.address, port: endpoint.port, export: export, metrics: metrics,
                                                     readiness: MetricsServer.Readiness(checkpointAge: nil) { nil })
                Messages.write("flowrun: metrics on http://\(endpoint.address):\(server.port)/metrics")
                return server
            }
            defer { server?.stop() }
            let stops = Self.installWorkerStop(worker)
            defer { withExtendedLifetime(stops) {} }
            let started = monotonicSeconds()
            let summary = try worker.run(metrics: metrics) { Messages.write("flowrun: \($0)", level: .notice) }
            let usage = resourceUsage()
            Messages.write(String(format: "summary — worker %@: tweets: %d, set aside: %d, key groups restored: %d, windows emitted: %d, %@, time: %.2f s (CPU %.2f s, peak memory %.0f MB)",
                              name, summary.tweets, summary.setAside, summary.keyGroupsRestored, summary.windowsEmitted,
                              summary.jobFinished ? "job finished" : "stopped", monotonicSeconds() - started, usage.cpuSeconds, Double(usage.peakMemoryBytes) / 1e6))
        }
    }

    /// Ctrl-C or SIGTERM: the worker delivers what it sent, writes its state and leaves the
    /// groups; a second one stops at once.
    private static func installWorkerStop(_ worker: ClusterWorker) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            nonisolated(unsafe) var asked = false
            source.setEventHandler {
                if asked { _exit(130) }
                asked = true
                Messages.write("\nflowrun: stopping: the worker leaves the job (press Ctrl-C again to stop at once)")
                worker.requestStop()
            }
            source.resume()
            return source
        }
    }
}
