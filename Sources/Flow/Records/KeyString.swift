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
        let equal = lhs.string.utf8.withContiguousStorageIfAvailable { left in
            rhs.string.utf8.withContiguousStorageIfAvailable { right in
                left.count == right.count && (left.count == 0 || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
        return (equal ?? nil) ?? lhs.string.utf8.elementsEqual(rhs.string.utf8)
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
        string.utf8.withContiguousStorageIfAvailable { StableHash.hash(bytes: $0) } ?? StableHash.hash(bytes: string.utf8)
    }

    public var description: String { string }
}
