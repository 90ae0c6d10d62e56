import Flow
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a chunk: either an array the reader filled (decompressed input, standard input)
/// or a stretch of a plain file mapped into memory, which spares copying it.
public struct ChunkBytes: Sendable {
    private enum Storage {
        case array([UInt8])
        case mapped(FileMapping, offset: Int, count: Int)
    }

    private let storage: Storage

    /// Bytes the reader filled.
    public init(_ bytes: [UInt8]) { storage = .array(bytes) }

    /// `count` bytes from `offset` within `mapping`.
    init(_ mapping: FileMapping, offset: Int, count: Int) {
        precondition(offset >= 0 && offset + count <= mapping.count, "a chunk must lie within its mapping")
        storage = .mapped(mapping, offset: offset, count: count)
    }

    /// The chunk's length in bytes.
    public var count: Int {
        switch storage {
        case .array(let bytes): bytes.count
        case .mapped(_, _, let count): count
        }
    }

    /// How many bytes from the chunk's start may be read: more than `count` when the mapping goes
    /// on past the chunk, which lets the decoder read ahead of a chunk's last line without a copy.
    public var readable: Int {
        switch storage {
        case .array(let bytes): bytes.count
        case .mapped(let mapping, let offset, _): mapping.count - offset
        }
    }

    public func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        switch storage {
        case .array(let bytes):
            return try bytes.withUnsafeBufferPointer(body)
        case .mapped(let mapping, let offset, let count):
            return try withExtendedLifetime(mapping) { try body(UnsafeBufferPointer(start: mapping.bytes + offset, count: count)) }
        }
    }
}

/// A read-only mapping of part of a file, unmapped when the last chunk in it is gone.
final class FileMapping: @unchecked Sendable {  // immutable after init
    let bytes: UnsafePointer<UInt8>
    /// Mapped bytes from `bytes`, which is the requested offset (not the page boundary before it).
    let count: Int
    private let mapped: UnsafeMutableRawPointer
    private let mappedLength: Int

    /// Maps `count` bytes of `fd` from `offset`, with their pages read in at once.
    init(fd: Int32, offset: Int, count: Int, path: String) throws {
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / pageSize * pageSize
        mappedLength = offset - start + count
        guard let address = mmap(nil, mappedLength, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, off_t(start)), address != MAP_FAILED else {
            throw FlowError(.missingInput, "cannot map \(path) into memory: \(String(cString: strerror(errno)))")
        }
        mapped = address
        bytes = UnsafePointer(address.assumingMemoryBound(to: UInt8.self)) + (offset - start)
        self.count = count
    }

    deinit { munmap(mapped, mappedLength) }
}
