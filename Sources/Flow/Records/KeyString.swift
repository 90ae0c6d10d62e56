#if canImport(Glibc)
import Glibc
#endif

/// A string that is compared, hashed and ordered by its UTF-8 bytes.
///
/// Swift's `String` compares by canonical equivalence ("é" precomposed equals "e" + U+0301),
/// which would merge keys that are different byte sequences. Keys must be what the bytes say.
///
/// Its stable hash is computed once, when it is made: partitioning, the windows' key tables and
/// equality (which compares hashes before bytes) all use it, so a key's bytes are hashed once on
/// its way through a job, not at every step.
public struct KeyString: Hashable, Comparable, Sendable, StableHashable, CustomStringConvertible {
    public let string: String
    public let stableHash: UInt64

    public init(_ string: String) {
        var copy = string
        self.string = string
        stableHash = copy.withUTF8 { StableHash.hash(bytes: $0) }
    }

    /// A key whose stable hash the caller computed along with its bytes (the tweet decoder does,
    /// in C++, as it copies them); it must equal `StableHash.hash(bytes:)` of `string`'s UTF-8.
    package init(_ string: String, stableHash: UInt64) {
        self.string = string
        self.stableHash = stableHash
    }

    public static func == (lhs: KeyString, rhs: KeyString) -> Bool {
        guard lhs.stableHash == rhs.stableHash else { return false }
        var (left, right) = (lhs.string, rhs.string)
        return left.withUTF8 { a in right.withUTF8 { b in a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0) } }
    }

    /// Feeds the stable hash to the (per-process seeded) hasher.
    public func hash(into hasher: inout Hasher) { hasher.combine(stableHash) }

    /// Byte-wise (UTF-8) order, the order of `memcmp`.
    public static func < (lhs: KeyString, rhs: KeyString) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    public var description: String { string }
}
