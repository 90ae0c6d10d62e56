import Flow
import Foundation
import MetricsEndpoint
import MetricsView
import Testing

/// The Prometheus text `flowrun top` reads: what the export writes parses back to the same
/// values, the format's corners (escaped label values, infinities, timestamps) are read, lines
/// that are not samples are skipped and counted, and the view's rates are the differences of
/// two scrapes over the time between them.
struct MetricsTextTests {
    @Test func whatTheExportWritesParsesBackToTheSameValues() throws {
        let metrics = JobMetrics(jobName: "a \"quoted\" job")
        metrics.scope(operatorID: "decode", subtask: 0).counter("tweets").add(1234)
        metrics.scope(operatorID: "decode", subtask: 1).counter("tweets").add(66)
        metrics.scope(operatorID: "sink", subtask: 0).counter("redis members skipped (score not a count)").add(3)
        metrics.scope(operatorID: "es", subtask: 0).counter("es dead letters (mapper_parsing_exception)").add(2)
        metrics.scope(operatorID: "es", subtask: 0).counter("es dead letters (version_conflict)").add(1)
        metrics.scope(operatorID: "es", subtask: 0).counter("es dead letters").add(3)
        metrics.scope(operatorID: "es", subtask: 0).counter("es updates").add(97)
        metrics.scope(operatorID: "kafka", subtask: 1).level("kafka records behind").set(42)
        // Two counts whose names meet in one metric, and a level named like a count: served
        // without a clash the registry would stop the process for.
        metrics.scope(operatorID: "decode", subtask: 0).counter("non-tweet lines").add(4)
        metrics.scope(operatorID: "decode", subtask: 1).counter("non tweet lines").add(5)
        metrics.scope(operatorID: "kafka", subtask: 0).level("records in total").set(7)
        let meters = metrics.meters(operatorID: "window", subtask: 0)
        meters.recordsIn.add(500)
        meters.busyNanoseconds.add(1_500_000_000)
        let text = PrometheusText(String(decoding: PrometheusExport().render(metrics), as: UTF8.self))
        #expect(text.skippedLines == 0)
        #expect(text.total("flow_tweets_total") == 1300)
        #expect(text.total("flow_tweets_total", ["subtask": "1"]) == 66)
        #expect(text.total("flow_redis_members_skipped_score_not_a_count_total") == 3)
        #expect(text.total("flow_es_dead_letters_by_reason_total") == 3)
        #expect(text.total("flow_es_dead_letters_by_reason_total", ["reason": "mapper_parsing_exception"]) == 2)
        #expect(text.total("flow_es_items_total") == 100)
        #expect(text.total("flow_es_items_total", ["outcome": "updated"]) == 97)
        #expect(text.total("flow_es_items_total", ["outcome": "dead_lettered"]) == 3)
        #expect(text.total("flow_kafka_records_behind", ["operator": "kafka", "subtask": "1"]) == 42)
        #expect(text.total("flow_non_tweet_lines_total") == 9)
        #expect(text.total("flow_records_in_total", ["operator": "window"]) == 500)
        #expect(text.total("flow_busy_seconds_total", ["operator": "window"]) == 1.5)
        #expect(text.samples.first { $0.name == "flow_tweets_total" }?.labels["job"] == "a \"quoted\" job")
    }

    @Test func theFormatsCornersAreReadAndOtherLinesSkipped() {
        let text = PrometheusText("""
        # HELP a The help.
        # TYPE a counter
        a{b="c\\"d",e="f\\\\g\\nh"} +Inf 1700000000000
          b_total 2.5e3
        c{} NaN
        d{x="1",} -Inf

        not a sample
        e{x=1} 3
        f{x="unterminated} 4
        """)
        #expect(text.samples.count == 4)
        #expect(text.samples[0] == .init(name: "a", labels: ["b": "c\"d", "e": "f\\g\nh"], value: .infinity))
        #expect(text.total("b_total") == 2500)
        #expect(text.total("c")?.isNaN == true)
        #expect(text.total("d", ["x": "1"]) == -.infinity)
        #expect(text.skippedLines == 3)
    }

    @Test func theViewsRatesAreTheDifferencesOverTheTimeBetweenScrapes() throws {
        func scrape(recordsIn: Int, busy: Double, tweets: Int) -> PrometheusText {
            PrometheusText("""
            flow_records_in_total{job="j",operator="window",subtask="0"} \(recordsIn)
            flow_records_in_total{job="j",operator="window",subtask="1"} \(recordsIn)
            flow_busy_seconds_total{job="j",operator="window",subtask="0"} \(busy)
            flow_busy_seconds_total{job="j",operator="window",subtask="1"} \(busy)
            flow_tweets_total{job="j",operator="decode",subtask="0"} \(tweets)
            flow_job_running{job="j"} 1
            """)
        }
        let view = JobTopView(url: "http://127.0.0.1:9249", previous: scrape(recordsIn: 100, busy: 0.5, tweets: 1000),
                              current: scrape(recordsIn: 300, busy: 1.5, tweets: 3000), seconds: 2)
        let lines = view.lines
        let window = try #require(lines.first { $0.hasPrefix("window ") })
        // 2 subtasks × 200 records over 2 s; each busy 1 s of 2.
        #expect(window.split(separator: " ").map(String.init) == ["window", "2", "200", "-", "50%", "-", "-", "-"], "\(window)")
        #expect(lines.contains { $0.contains("tweets 3000 (1000/s)") }, "\(lines)")
        #expect(lines[0].hasPrefix("flowrun top — j at http://127.0.0.1:9249, running"))
    }
}
