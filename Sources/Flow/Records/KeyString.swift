#if canImport(Glibc)
import Glibc
#endif

/// A string that is compared, hashed and ordered by its UTF-8 bytes.
///
/// Swift's `String` compares by canonical equivalence ("é" precomposed equals "e" + U+0301),
/// which would merge keys that are different byte sequences. Keys must be what the bytes say.
public struct KeyString: Hashable, Comparable, Sendable, StableHashable, CustomStringConvertible {
    public var string: String

    public init(_ string: String) { self.string = string }

    public static func == (lhs: KeyString, rhs: KeyString) -> Bool {
        var (left, right) = (lhs.string, rhs.string)
        return left.withUTF8 { a in right.withUTF8 { b in a.count == b.count && (a.count == 0 || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0) } }
    }

    public func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// Byte-wise (UTF-8) order, the order of `memcmp`.
    public static func < (lhs: KeyString, rhs: KeyString) -> Bool {
        lhs.string.utf8.lexicographicallyPrecedes(rhs.string.utf8)
    }

    public var stableHash: UInt64 {
        var copy = string
        return copy.withUTF8 { StableHash.hash(bytes: $0) }
    }

    public var description: String { string }
}
