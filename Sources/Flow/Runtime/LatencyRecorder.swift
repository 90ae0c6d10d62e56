import CoreMetrics
#if canImport(Glibc)
import Glibc
#endif

/// A latency histogram through swift-metrics (a Prometheus histogram when the job's metrics are
/// served): what an operator records once per result, never per record.
public struct LatencyRecorder: Sendable {
    private let timer: CoreMetrics.Timer

    init(label: String, dimensions: [(String, String)], factory: any MetricsFactory) {
        timer = CoreMetrics.Timer(label: label, dimensions: dimensions, factory: factory)
    }

    /// Records how long ago, on the wall clock, `time` was (an event time's lag behind now).
    public func record(since time: EventTime) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let now = Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        record(seconds: now - Double(time.milliseconds) / 1000)
    }

    /// Records one latency; negative ones (a clock behind the data) count as zero.
    public func record(seconds: Double) {
        timer.recordNanoseconds(Int64(min(max(seconds, 0), 1e9) * 1e9))
    }
}
