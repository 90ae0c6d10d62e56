import Flow
import Kafka
import Operators
import Redis

/// A cluster merge's window results to a Redis sorted set, as a single process's Redis sink
/// writes them: each window replaces the set in one transaction. A merge that takes over may
/// publish some windows again, which writes the same members; the set ends as a single
/// process's does.
final class RedisClusterResults: ClusterResults {
    private let sink: RedisTopKSink

    init(settings: RedisTopKSink.Settings, metrics: JobMetrics) throws {
        let context = SubtaskContext(operatorID: "merge", subtaskIndex: 0, parallelism: 1, maxParallelism: ClusterSettings.keyGroups,
                                     watermarkGranularity: 1, metrics: metrics.scope(operatorID: "merge", subtask: 0))
        sink = RedisTopKSink(settings: settings, context: context)
        try sink.open()
    }

    func resume(after positions: [Int: Int64], windowsThrough: Int64) {}

    func write(_ results: [RankedCount]) throws {
        guard !results.isEmpty else { return }
        try sink.publish(results)
    }

    /// Every window is confirmed by Redis as it is written.
    func deliver(windowsThrough: Int64) -> [Int: Int64] { [:] }

    func finish() { sink.close() }
}
