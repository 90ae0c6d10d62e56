import Flow
import Foundation
import MetricsEndpoint
import Testing

/// The metrics server's health checks, and the job file's `metrics` section: `/healthz` answers
/// while the process does; `/ready` only while the job runs and its last checkpoint is recent.
struct MetricsServerTests {
    @Test func readyAnswersOnlyWhileTheJobRunsWithARecentCheckpoint() throws {
        let metrics = JobMetrics(jobName: "readiness")
        let lastCheckpoint = Locked<Double?>(nil)
        let server = try MetricsServer.start(address: "127.0.0.1", port: 0, export: PrometheusExport(), metrics: metrics,
                                             readiness: .init(checkpointAge: 5) { lastCheckpoint.withLock { $0 } })
        defer { server.stop() }
        let endpoint = "http://127.0.0.1:\(server.port)"
        func check(_ ready: Int, _ why: String) throws {
            let scrape = try MetricsEndpointTests.scrape(endpoint)
            #expect(scrape.healthz == 200)
            #expect(scrape.ready == ready, "\(why)")
        }
        try check(503, "the job has not started")
        metrics.markStarted(at: SystemClock.monotonicSeconds())
        lastCheckpoint.withLock { $0 = SystemClock.monotonicSeconds() }
        try check(200, "running, with a checkpoint just now")
        lastCheckpoint.withLock { $0 = SystemClock.monotonicSeconds() - 60 }
        try check(503, "the last checkpoint is a minute old")
        lastCheckpoint.withLock { $0 = SystemClock.monotonicSeconds() }
        metrics.markFinished(at: SystemClock.monotonicSeconds())
        try check(503, "the job has finished")
    }

    /// The server's tasks run on a thread of their own: with every thread of Swift's cooperative
    /// pool held (as a test runner's blocking tests hold them), it still starts and answers.
    @Test func theServerStartsAndAnswersWhileTheCooperativePoolIsHeld() throws {
        let release = DispatchSemaphore(value: 0)
        let holders = (0..<ProcessInfo.processInfo.activeProcessorCount).map { _ in Task.detached { release.wait() } }
        defer {
            for _ in holders { release.signal() }
        }
        let server = try MetricsServer.start(address: "127.0.0.1", port: 0, export: PrometheusExport(), metrics: JobMetrics(),
                                             readiness: .init(checkpointAge: nil) { nil })
        defer { server.stop() }
        #expect(try MetricsEndpointTests.scrape("http://127.0.0.1:\(server.port)").healthz == 200)
    }

    @Test func aJobFilesMetricsSectionServesAndABadPortIsRefusedInOneSentence() throws {
        let folder = try Fixtures.scratchFolder()
        let job = try String(contentsOfFile: LiveInputTests.job, encoding: .utf8)
        try (job + "metrics: {port: 0}\n").write(toFile: folder + "/served.yaml", atomically: true, encoding: .utf8)
        let input = Fixtures.path("Tests/Fixtures/tweets/twitter_v1_insight_challenge_2015_sample.jsonl")
        let served = try FlowrunProcess(["run", folder + "/served.yaml", "-p", "input=\(input)"], stderrPath: folder + "/served.err").finish()
        #expect(served.status == 0 && served.stderr.contains("flowrun: metrics on http://127.0.0.1:"), "\(served.stderr)")
        try (job + "metrics: {port: 70000}\n").write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try FlowrunProcess(["run", folder + "/bad.yaml", "-p", "input=\(input)"], stderrPath: folder + "/bad.err").finish()
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("metrics port \"70000\" must be a whole number from 0 to 65535") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
    }
}
