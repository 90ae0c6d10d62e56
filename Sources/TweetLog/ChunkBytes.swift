/// The bytes of a chunk: `count` bytes from `start` of an array the reader filled. The array may
/// go on past them with the start of the next line (or padding), which lets the decoder read
/// ahead of a chunk's last line without copying it.
public struct ChunkBytes: Sendable {
    private let storage: [UInt8]
    private let start: Int

    /// The chunk's length in bytes.
    public let count: Int

    /// All of `bytes`.
    public init(_ bytes: [UInt8]) {
        storage = bytes
        start = 0
        count = bytes.count
    }

    /// `count` bytes of `bytes` from `start`.
    init(_ bytes: [UInt8], start: Int = 0, count: Int) {
        precondition(start >= 0 && count >= 0 && start <= bytes.count - count, "a chunk must lie within its bytes")
        storage = bytes
        self.start = start
        self.count = count
    }

    /// How many bytes from the chunk's start may be read: more than `count` when the array goes
    /// on past the chunk.
    public var readable: Int { storage.count - start }

    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try storage.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<(start + count)])) }
    }
}
