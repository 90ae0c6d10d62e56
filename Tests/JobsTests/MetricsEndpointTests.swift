import Foundation
import Testing

/// The metrics endpoint of a running `flowrun`, checked from outside as a monitoring system sees
/// it: scraped with the Prometheus Python client's parser (counters rise while tweets are fed and
/// end equal to the summary), and scraped by a real Prometheus server (Debian's `prometheus`)
/// that reports the target up and answers a rate query over it.
@Suite(.serialized)
struct MetricsEndpointTests {
    /// One scrape: the status of `/healthz` and `/ready`, and the samples of `/metrics`.
    struct Scrape: Decodable {
        struct Sample: Decodable {
            var family: String
            var type: String
            var name: String
            var labels: [String: String]
            var value: Double
        }

        var healthz: Int
        var ready: Int
        var content_type: String
        var samples: [Sample]

        /// The sum of every sample named `name` whose labels include `labels`.
        func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
            samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
        }

        func has(_ name: String) -> Bool { samples.contains { $0.name == name } }
    }

    static func scrape(_ baseURL: String) throws -> Scrape {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.path("Tests/Fixtures/metrics/scrape.py"), baseURL]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "the scrape of \(baseURL) failed: \(String(decoding: data, as: UTF8.self))")
        return try JSONDecoder().decode(Scrape.self, from: data)
    }

    /// The endpoint's base URL, once the run has said where it listens (it is asked for port 0).
    static func endpoint(of run: FlowrunProcess) throws -> String {
        for _ in 0..<6000 {
            let text = (try? String(contentsOfFile: run.stderrPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) { return String(text[range]) }
            guard run.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("the run did not say where its metrics are served: \((try? String(contentsOfFile: run.stderrPath, encoding: .utf8)) ?? "")")
        throw EndpointMissing()
    }

    struct EndpointMissing: Error {}

    /// `flowrun run` of the live job on a feed of standard input, its metrics served on a free
    /// port; and that port's base URL.
    static func servedLiveJob(_ folder: String, extra: [String] = []) throws -> (run: FlowrunProcess, endpoint: String) {
        let run = try FlowrunProcess(["run", LiveInputTests.job, "--metrics-port", "0", "--quiet"] + extra,
                                     stderrPath: folder + "/run.err", stdoutPath: folder + "/console.txt", feedsStandardInput: true)
        return (run, try endpoint(of: run))
    }

    /// Feeds tweets one by one, checking a scrape after each, until `done` holds of one (or a
    /// minute passes); returns the tweets fed and the last scrape.
    static func feed(_ run: FlowrunProcess, from first: Int, endpoint: String, until done: (Scrape, Int) -> Bool) throws -> (fed: Int, scrape: Scrape) {
        signal(SIGPIPE, SIG_IGN)
        let input = try #require(run.standardInput)
        let started = Date()
        var fed = first
        var scrape = try scrape(endpoint)
        while !done(scrape, fed) && Date().timeIntervalSince(started) < 60 && run.isRunning {
            try input.write(contentsOf: Data(LiveInputTests.tweetLine(fed).utf8))
            fed += 1
            Thread.sleep(forTimeInterval: 0.02)
            scrape = try Self.scrape(endpoint)
        }
        return (fed, scrape)
    }

    @Test func countersScrapedWhileTheJobRunsRiseAndEndAtTheSummary() throws {
        let folder = try Fixtures.scratchFolder()
        let (run, endpoint) = try Self.servedLiveJob(folder, extra: ["--checkpoint-dir", folder + "/checkpoints", "--checkpoint-interval", "100ms"])
        // Fed until the decoder has counted 20 tweets and a checkpoint completed.
        let (firstFed, early) = try Self.feed(run, from: 0, endpoint: endpoint) { scrape, fed in
            fed >= 20 && scrape.total("flow_tweets_total") == Double(fed) && scrape.total("flow_checkpoints_completed_total") > 0
        }
        #expect(early.total("flow_tweets_total") == Double(firstFed), "the decoder's count lags what was fed: \(early.total("flow_tweets_total")) of \(firstFed)")
        #expect(early.content_type.hasPrefix("text/plain; version=0.0.4"))
        #expect(early.healthz == 200)
        #expect(early.ready == 200, "a running job that checkpoints every 100 ms is ready")
        #expect(early.total("flow_checkpoints_completed_total") > 0)
        #expect(early.total("flow_checkpoint_duration_seconds_count") > 0)
        #expect(early.total("flow_records_in_total", ["operator": "hashtags"]) == Double(firstFed), "every tweet carries one hashtag")
        #expect(early.total("flow_busy_seconds_total") > 0)
        #expect(early.total("process_resident_memory_bytes") > 1_000_000)
        #expect(early.has("flow_watermark_seconds") && early.has("flow_input_queue_fill_ratio"))
        for sample in early.samples where sample.name.hasPrefix("flow_") {
            #expect(sample.labels["job"] == "live-windows", "\(sample.name) has no job label")
        }
        // The Grafana dashboard asks only for series the job serves, but for the counts of the
        // sinks this job does not have (it shows its results on the console).
        let otherSinks: Set = ["flow_output_lines_total", "flow_windows_published_total"]
        let missing = try Self.dashboardSeries().subtracting(early.samples.map(\.name)).subtracting(otherSinks)
        #expect(missing.isEmpty, "the dashboard asks for series the job does not serve: \(missing.sorted())")

        // Twenty more: every counter the first scrape showed has not fallen, and the tweets rose by twenty.
        let (fed, later) = try Self.feed(run, from: firstFed, endpoint: endpoint) { scrape, fed in
            fed >= firstFed + 20 && scrape.total("flow_tweets_total") == Double(fed)
        }
        #expect(later.total("flow_tweets_total") == Double(firstFed + 20))
        for sample in early.samples where sample.type == "counter" {
            let now = later.samples.first { $0.name == sample.name && $0.labels == sample.labels }
            #expect((now?.value ?? -1) >= sample.value, "\(sample.name) \(sample.labels) fell from \(sample.value) to \(now?.value ?? -1)")
        }
        #expect(later.total("flow_records_out_total", ["operator": "top-k"]) > early.total("flow_records_out_total", ["operator": "top-k"]),
                "windows fired while the tweets came")
        // Each window's result came within a minute (the largest finite bucket) of its end: the
        // tweets' event time is when they were written.
        let results = later.total("flow_window_result_latency_seconds_count")
        #expect(results > 0)
        #expect(later.total("flow_window_result_latency_seconds_bucket", ["le": "60.0"]) == results)

        try #require(run.standardInput).close()
        let result = run.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("tweets: \(fed),"), "the summary counts what the metrics counted: \(result.stderr)")
        let windowsFired = later.total("flow_windows_fired_total")
        #expect(windowsFired > 0 && result.stderr.contains("windows fired: "), "\(result.stderr)")
    }

    /// The series the Grafana dashboard's queries name, after checking that it is a dashboard
    /// whose every panel has queries.
    static func dashboardSeries() throws -> Set<String> {
        let data = try Fixtures.read(Fixtures.path("deploy/grafana/flow-trending-hashtags.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(dashboard["uid"] as? String == "flow-trending-hashtags")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.count >= 10)
        var series: Set<String> = []
        for panel in panels {
            let targets = try #require(panel["targets"] as? [[String: Any]], "panel \(panel["title"] ?? "?") has no queries")
            for target in targets {
                let expression = try #require(target["expr"] as? String)
                for match in expression.matches(of: /\b(flow|process)_[a-z_]+/) { series.insert(String(match.output.0)) }
            }
        }
        return series
    }

    @Test func aPortInUseIsRefusedInOneSentence() throws {
        let folder = try Fixtures.scratchFolder()
        let server = try RedisServer()
        let run = try FlowrunProcess(["run", LiveInputTests.job, "-p", "input=" + Fixtures.path("Tests/Fixtures/tweets/twitter_v1_insight_challenge_2015_sample.jsonl"),
                                      "--metrics-port", String(server.port), "--quiet"], stderrPath: folder + "/run.err")
        let result = run.finish()
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("cannot serve metrics on 127.0.0.1:\(server.port)"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}

extension MetricsEndpointTests {
    @Test func aPrometheusServerScrapesTheJobAndRatesItsRecords() throws {
        let folder = try Fixtures.scratchFolder()
        let (run, endpoint) = try Self.servedLiveJob(folder)
        let prometheus = try PrometheusServer(scraping: String(endpoint.dropFirst("http://".count)), folder: folder)
        var health: [String] = []
        var rates: [Double] = []
        let started = Date()
        let input = try #require(run.standardInput)
        signal(SIGPIPE, SIG_IGN)
        var fed = 0
        // Tweets flow while Prometheus scrapes, until it reports the target up and a positive rate.
        while !(health == ["up"] && rates.contains { $0 > 0 }) && Date().timeIntervalSince(started) < 90 && run.isRunning {
            for _ in 0..<10 {
                try input.write(contentsOf: Data(LiveInputTests.tweetLine(fed).utf8))
                fed += 1
                Thread.sleep(forTimeInterval: 0.02)
            }
            health = try prometheus.ask(["targets"])
            rates = try prometheus.ask(["query", #"sum(rate(flow_records_out_total{job="live-windows",operator="tweet-log.decode"}[5s]))"#]).compactMap(Double.init)
        }
        try input.close()
        let result = run.finish()
        #expect(health == ["up"], "Prometheus reports the target \(health): \((try? String(contentsOfFile: folder + "/prometheus.log", encoding: .utf8)) ?? "")")
        #expect(rates.contains { $0 > 0 }, "rate(flow_records_out_total) answered \(rates)")
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func flowrunTopShowsTheOperatorsAndCountsOfARunningJob() throws {
        let folder = try Fixtures.scratchFolder()
        let (run, endpoint) = try Self.servedLiveJob(folder)
        let (fed, _) = try Self.feed(run, from: 0, endpoint: endpoint) { scrape, fed in fed >= 10 && scrape.total("flow_tweets_total") == Double(fed) }
        let top = try FlowrunProcess(["top", endpoint, "--iterations", "2", "--interval", "0.2"], stderrPath: folder + "/top.err", stdoutPath: folder + "/top.txt")
        let topResult = top.finish()
        try #require(run.standardInput).close()
        #expect(run.finish().status == 0)
        #expect(topResult.status == 0, "\(topResult.stderr)")
        let frames = try String(contentsOfFile: folder + "/top.txt", encoding: .utf8)
        #expect(frames.components(separatedBy: "flowrun top — live-windows at \(endpoint), running").count == 3, "two frames: \(frames)")
        for operatorID in ["tweet-log.decode", "hashtags", "window", "top-k", "sink"] {
            #expect(frames.contains("\n\(operatorID) "), "no row for \(operatorID): \(frames)")
        }
        #expect(frames.contains("tweets \(fed)"), "\(frames)")
    }

    @Test func flowrunTopRefusesWhatIsNotAMetricsEndpointInOneSentence() throws {
        let folder = try Fixtures.scratchFolder()
        let closed = RedisServer.freePort()
        let top = try FlowrunProcess(["top", "http://127.0.0.1:\(closed)", "--iterations", "1"], stderrPath: folder + "/top.err")
        let result = top.finish()
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("flowrun: cannot read http://127.0.0.1:\(closed)/metrics: "), "\(result.stderr)")
        let notURL = try FlowrunProcess(["top", "localhost:9249"], stderrPath: folder + "/top2.err").finish()
        #expect(notURL.status == 2 && notURL.stderr.contains("is not an address"), "\(notURL.stderr)")
    }
}
