import Flow
import Operators

/// What a cluster worker runs: the trending pipeline (Kafka tweets → hashtags → key groups →
/// sliding windows counted → top K → Kafka), split into the three stages a worker hosts.
public struct ClusterSettings: Sendable {
    /// The job's name: it names the job's topics (`flow.<job>.keygroups`, …) and consumer groups.
    public var jobName: String
    /// This worker's name (unique in the job), shown in logs and used as its client id.
    public var workerID: String
    /// The brokers that carry the job's data between workers.
    public var cluster: KafkaConnection
    public var source: KafkaTweetSource.Settings
    /// The replay speed of the source partitions a worker reads (each worker paces its own).
    public var speed = ReplaySpeed.max
    public var window: WindowSpec
    public var k: Int
    /// Where the merge writes the window results.
    public var output: Output

    /// A Kafka topic (exactly once), or another output the job's builder makes.
    public enum Output: Sendable, CustomStringConvertible {
        case kafka(KafkaSinkSettings)
        case other(description: String, make: @Sendable () throws -> any ClusterResults)

        public var description: String {
            switch self {
            case .kafka(let sink): "kafka topic \(sink.topic) at \(sink.connection.brokers)"
            case .other(let description, _): description
            }
        }
    }
    /// The shared folder every worker writes its key groups' snapshots into and reads them from.
    public var checkpointFolder: String
    /// Time between snapshots of each key group a worker owns.
    public var checkpointInterval: Duration
    /// How long the group waits for a silent worker's heartbeat before giving its partitions away.
    public var sessionTimeout = Duration.seconds(6)
    /// Static membership (`group.instance.id` = worker id): a worker restarted within the
    /// session timeout gets its partitions back without a rebalance.
    public var staticMembership = true
    /// A file the worker rewrites every second while its loop runs (for liveness probes).
    public var statusFile: String?

    public init(jobName: String, workerID: String, cluster: KafkaConnection, source: KafkaTweetSource.Settings, window: WindowSpec, k: Int,
                output: Output, checkpointFolder: String, checkpointInterval: Duration) {
        self.jobName = jobName
        self.workerID = workerID
        self.cluster = cluster
        self.source = source
        self.window = window
        self.k = k
        self.output = output
        self.checkpointFolder = checkpointFolder
        self.checkpointInterval = checkpointInterval
    }

    /// Key groups, each a partition of the exchange topic: Flow's maximum parallelism.
    public static let keyGroups = 128

    var exchangeTopic: String { "flow.\(jobName).keygroups" }
    var resultsTopic: String { "flow.\(jobName).results" }
    var controlTopic: String { "flow.\(jobName).control" }
    func group(_ stage: String) -> String { "flow.\(jobName).\(stage)" }
}

/// Something a stage does every `seconds` of its loop: due at the first check, then once the
/// time has passed again.
struct Interval {
    let seconds: Double
    private var last = -Double.infinity

    init(seconds: Double) { self.seconds = seconds }

    mutating func isDue(_ now: Double) -> Bool {
        guard now - last >= seconds else { return false }
        last = now
        return true
    }
}
