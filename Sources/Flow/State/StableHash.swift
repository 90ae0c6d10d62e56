/// A 64-bit hash that is the same in every process and every run (FNV-1a over the bytes, then
/// the MurmurHash3 finaliser to spread the bits).
///
/// Swift's `Hasher` is seeded randomly per process, so it must never decide which subtask owns a
/// key: a checkpoint taken in one run is restored in another.
public enum StableHash {
    /// Hashes a sequence of bytes.
    @inlinable
    public static func hash(bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        return finalize(h)
    }

    /// The MurmurHash3 64-bit finaliser.
    @inlinable
    public static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }
}

/// A key whose hash is stable across processes, so it can be partitioned into key groups.
public protocol StableHashable {
    var stableHash: UInt64 { get }
}
