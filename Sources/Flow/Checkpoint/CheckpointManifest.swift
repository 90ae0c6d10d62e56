/// The manifest of a complete checkpoint, written last: a checkpoint folder without one is
/// incomplete and never loaded. JSON, so people and other tools can read it.
public struct CheckpointManifest: Codable, Sendable {
    public static let fileName = "MANIFEST.json"
    public static let format = "flow-checkpoint"
    public static let formatVersion = 4
    /// The largest manifest read (16 MiB); a checkpoint with more files than that lists is refused.
    public static let maximumSize = 16 << 20
    /// The most key groups a job may have.
    public static let maximumKeyGroups = 1 << 15
    /// The most state a whole checkpoint may hold uncompressed (16 GiB).
    public static let maximumStateSize = 1 << 34

    public struct File: Codable, Sendable {
        public var name: String
        public var operatorID: String
        public var subtask: Int
        public var bytes: Int
        public var uncompressedBytes: Int
        public var crc32: UInt32
        public var keyGroups: String
        public var position: String?
    }

    public var format: String
    public var version: Int
    public var checkpoint: Int64
    public var job: String
    public var isSavepoint: Bool
    public var createdAtMilliseconds: Int64
    public var maxParallelism: Int
    public var files: [File]
    /// Every operator's counters at the checkpoint, summed over its subtasks: a restored job's
    /// counts go on from them. Counters are not state: a counter added or removed never makes a
    /// checkpoint unusable.
    public var counters: [String: [String: Int]]

    enum CodingKeys: String, CodingKey {
        case format, version, checkpoint, job, files, counters
        case isSavepoint = "savepoint"
        case createdAtMilliseconds = "created_ms"
        case maxParallelism = "max_parallelism"
    }
}

extension CheckpointManifest.File {
    enum CodingKeys: String, CodingKey {
        case name, bytes, crc32, position, subtask
        case operatorID = "operator"
        case uncompressedBytes = "uncompressed_bytes"
        case keyGroups = "key_groups"
    }
}
