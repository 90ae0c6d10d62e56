/// One of a fixed number of buckets (the job's maximum parallelism) that keys are hashed into.
/// State is kept and snapshotted per key group, so it can be redistributed when the parallelism
/// changes.
public struct KeyGroup: Hashable, Comparable, Sendable {
    public var index: Int

    public init(_ index: Int) { self.index = index }

    /// The key group of a key, for a job with `maxParallelism` key groups.
    @inlinable
    public init(of key: some StableHashable, maxParallelism: Int) {
        index = Int(key.stableHash % UInt64(maxParallelism))
    }

    /// The subtask that owns this key group: subtasks own contiguous ranges, as in Flink.
    @inlinable
    public func subtask(parallelism: Int, maxParallelism: Int) -> Int {
        index * parallelism / maxParallelism
    }

    public static func < (lhs: KeyGroup, rhs: KeyGroup) -> Bool { lhs.index < rhs.index }
}

/// The contiguous range of key groups one subtask owns.
public struct KeyGroupRange: Hashable, Sendable {
    public var lowerBound: Int
    public var upperBound: Int

    /// The range owned by `subtask` of `parallelism` subtasks.
    public init(subtask: Int, parallelism: Int, maxParallelism: Int) {
        lowerBound = (subtask * maxParallelism + parallelism - 1) / parallelism
        upperBound = ((subtask + 1) * maxParallelism + parallelism - 1) / parallelism
    }

    public init(lowerBound: Int, upperBound: Int) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    public func contains(_ group: KeyGroup) -> Bool { group.index >= lowerBound && group.index < upperBound }

}
