/// The bytes of a chunk: the first `count` bytes of an array the reader filled. The array may go
/// on past them with the start of the next line, which lets the decoder read ahead of a chunk's
/// last line without copying it.
public struct ChunkBytes: Sendable {
    private let storage: [UInt8]

    /// The chunk's length in bytes.
    public let count: Int

    /// All of `bytes`.
    public init(_ bytes: [UInt8]) {
        storage = bytes
        count = bytes.count
    }

    /// The first `count` bytes of `bytes`.
    init(_ bytes: [UInt8], count: Int) {
        precondition(count >= 0 && count <= bytes.count, "a chunk must lie within its bytes")
        storage = bytes
        self.count = count
    }

    /// How many bytes from the chunk's start may be read: more than `count` when the array goes
    /// on past the chunk.
    public var readable: Int { storage.count }

    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[..<count])) }
    }
}
