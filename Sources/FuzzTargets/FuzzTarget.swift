/// The fuzz targets: each takes any bytes and must neither trap nor read memory it does not own.
/// A target returns a problem in words when it finds a wrong result that is not a trap (two
/// decoders disagreeing); nil otherwise. The libFuzzer drivers (`scripts/fuzz`) trap on a
/// problem; the corpus tests (`FuzzCorpusTests`) report it.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case tweetLine = "tweet-line"
    case jobFile = "job-file"
    case snapshot
    case operatorState = "operator-state"
    case manifest
    case redisReply = "redis-reply"
    case clusterState = "cluster-state"
    case metricsText = "metrics-text"
    case safetensors

    /// Runs the target on one input.
    public func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        switch self {
        case .tweetLine: TweetLineTarget.run(bytes)
        case .jobFile: JobFileTarget.run(bytes)
        case .snapshot: SnapshotTarget.run(bytes)
        case .operatorState: OperatorStateTarget.run(Array(bytes))
        case .manifest: ManifestTarget.run(bytes)
        case .redisReply: RedisReplyTarget.run(bytes)
        case .clusterState: ClusterStateTarget.run(bytes)
        case .metricsText: MetricsTextTarget.run(bytes)
        case .safetensors: SafeTensorsTarget.run(bytes)
        }
    }
}
