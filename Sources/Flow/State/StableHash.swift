import CStableHash

/// A 64-bit hash that is the same in every process and every run (FNV-1a over the bytes, then
/// the MurmurHash3 finaliser to spread the bits), defined once in C (`FlowStableHash.h`), where
/// the tweet decoder's C++ hashes hashtags with the same functions.
///
/// Swift's `Hasher` is seeded randomly per process, so it must never decide which subtask owns a
/// key: a checkpoint taken in one run is restored in another.
public enum StableHash {
    /// Hashes a sequence of bytes.
    @inlinable
    public static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var h = flow_stable_hash_start()
        for byte in bytes { h = flow_stable_hash_add(h, byte) }
        return finalize(h)
    }

    /// The MurmurHash3 64-bit finaliser.
    @inlinable
    public static func finalize(_ value: UInt64) -> UInt64 {
        flow_stable_hash_finish(value)
    }
}

/// A key whose hash is stable across processes, so it can be partitioned into key groups.
public protocol StableHashable {
    var stableHash: UInt64 { get }
}
