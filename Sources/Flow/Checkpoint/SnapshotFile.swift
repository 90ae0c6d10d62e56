import CZlib
import CZstd

/// The byte layout of one snapshot file (see `docs/checkpoint-format.md`): a magic number, the
/// format version, a header naming the operator and its key groups, the zstd-compressed state,
/// and a CRC-32 of everything before it.
public enum SnapshotFile {
    public static let magic: [UInt8] = Array("FLOWSNAP".utf8)
    public static let formatVersion: UInt16 = 4
    /// The most state one snapshot may hold uncompressed (2 GiB): no reader allocates more for one file.
    public static let maximumStateSize = 1 << 31
    /// The largest snapshot file: the most state, compressed as badly as zstd can, and 1 MiB of header.
    public static let maximumFileSize = ZSTD_compressBound(maximumStateSize) + (1 << 20)

    /// Why a snapshot file cannot be used, in words for the one-sentence report.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// The header fields, readable without decompressing.
    public struct Header: Sendable {
        public var checkpointID: Int64
        public var operatorID: String
        public var subtask: Int
        public var parallelism: Int
        public var keyGroupRange: KeyGroupRange
        /// How many named states the body holds.
        public var stateCount: Int
        public var uncompressedSize: Int
        public var compressedSize: Int
        public var position: String?
    }

    /// Encodes a snapshot; zstd level 3 is fast and shrinks counts and keys well.
    public static func encode(_ snapshot: OperatorSnapshot, checkpointID: Int64) throws -> [UInt8] {
        var body = StateWriter()
        body.write(snapshot.states.count)
        for state in snapshot.states {
            body.write(state.name)
            body.write(state.redistribution.rawValue)
            body.write(state.entries.count)
            for entry in state.entries {
                body.write(entry.keyGroup ?? -1)
                body.write(bytes: entry.bytes)
            }
        }
        guard body.bytes.count <= maximumStateSize else {
            throw FlowError(.output, "the state of operator \(snapshot.operatorID) subtask \(snapshot.subtask) is \(body.bytes.count) bytes, more than the \(maximumStateSize) a snapshot may hold; run it at a higher parallelism")
        }
        let compressed = try compress(body.bytes)
        var header = StateWriter()
        header.write(checkpointID)
        header.write(snapshot.operatorID)
        header.write(snapshot.subtask)
        header.write(snapshot.parallelism)
        header.write(snapshot.keyGroupRange.lowerBound)
        header.write(snapshot.keyGroupRange.upperBound)
        header.write(snapshot.states.count)
        header.write(body.bytes.count)
        header.write(compressed.count)
        header.write(snapshot.position ?? "")
        var file = magic
        appendLittleEndian(UInt64(formatVersion), bytes: 2, to: &file)
        appendLittleEndian(UInt64(header.bytes.count), bytes: 4, to: &file)
        file += header.bytes
        file += compressed
        appendLittleEndian(UInt64(crc32(file)), bytes: 4, to: &file)
        return file
    }

    /// Checks magic, version and checksum, reads the header, and checks every size and range it
    /// claims against the file and the limits, so that nothing is allocated on a false claim.
    public static func readHeader(_ file: [UInt8]) throws(Problem) -> (header: Header, bodyOffset: Int) {
        guard file.count >= 18, Array(file[0..<8]) == magic else { throw Problem(description: "is not a Flow snapshot (bad magic number)") }
        let version = UInt16(littleEndian(file, at: 8, bytes: 2))
        guard version == formatVersion else {
            throw Problem(description: "has format version \(version), but this Flow reads version \(formatVersion)")
        }
        guard storedChecksum(file) == crc32(file[..<(file.count - 4)]) else { throw Problem(description: "fails its checksum (damaged or cut short)") }
        let headerSize = Int(littleEndian(file, at: 10, bytes: 4))
        guard headerSize <= file.count - 18 else { throw Problem(description: "has a header longer than the file") }
        var reader = StateReader(Array(file[14..<(14 + headerSize)]))
        var header: Header
        do {
            header = Header(
                checkpointID: try reader.readInt64(), operatorID: try reader.readString(), subtask: try reader.readInt(),
                parallelism: try reader.readInt(),
                keyGroupRange: KeyGroupRange(lowerBound: try reader.readInt(), upperBound: try reader.readInt()),
                stateCount: try reader.readInt(), uncompressedSize: try reader.readInt(), compressedSize: try reader.readInt(),
                position: try reader.readString()
            )
        } catch {
            throw Problem(description: "has a damaged header (\(error))")
        }
        if header.position == "" { header.position = nil }
        guard reader.isAtEnd else { throw Problem(description: "has a damaged header (bytes after its last field)") }
        guard header.compressedSize == file.count - 18 - headerSize else { throw Problem(description: "has a state size that does not match its length") }
        try check(header)
        return (header, 14 + headerSize)
    }

    /// The header's claims, each within what the file and the limits allow.
    private static func check(_ header: Header) throws(Problem) {
        let (subtask, parallelism, range) = (header.subtask, header.parallelism, header.keyGroupRange)
        guard subtask >= 0, parallelism >= 1, subtask < parallelism else { throw Problem(description: "names subtask \(subtask) of \(parallelism)") }
        guard range.lowerBound >= 0, range.lowerBound <= range.upperBound else {
            throw Problem(description: "names impossible key groups \(range.lowerBound)..<\(range.upperBound)")
        }
        let size = header.uncompressedSize
        guard size >= 0 else { throw Problem(description: "claims a negative state size") }
        guard header.stateCount >= 0, header.stateCount <= size else {
            throw Problem(description: "claims \(header.stateCount) named states in \(size) bytes")
        }
        guard size <= maximumStateSize else { throw Problem(description: "claims \(size) bytes of state, more than the \(maximumStateSize) a snapshot may hold") }
        // zstd's largest block holds 128 KiB and takes at least its 3-byte block header.
        guard size <= header.compressedSize / 3 * (128 << 10) else {
            throw Problem(description: "claims \(size) bytes of state, more than its \(header.compressedSize) compressed bytes can hold")
        }
    }

    /// The CRC-32 a snapshot file ends with (of every byte before it); the manifest lists it.
    public static func storedChecksum(_ file: [UInt8]) -> UInt32 {
        UInt32(littleEndian(file, at: file.count - 4, bytes: 4))
    }

    /// Decodes a whole snapshot file.
    public static func decode(_ file: [UInt8]) throws(Problem) -> (header: Header, snapshot: OperatorSnapshot) {
        let (header, offset) = try readHeader(file)
        let body = try decompress(file[offset..<(offset + header.compressedSize)], size: header.uncompressedSize)
        var reader = StateReader(body)
        do {
            let count = try reader.readCount()
            var states: [NamedState] = []
            for _ in 0..<count {
                let state = try readState(&reader, range: header.keyGroupRange)
                guard state.name > states.last?.name ?? "" else { throw Problem(description: "holds state \"\(state.name)\" twice or out of order") }
                states.append(state)
            }
            guard reader.isAtEnd, count == header.stateCount else { throw Problem(description: "holds a state that does not match its header") }
            let snapshot = OperatorSnapshot(operatorID: header.operatorID, subtask: header.subtask, parallelism: header.parallelism,
                                            keyGroupRange: header.keyGroupRange, states: states, position: header.position)
            return (header, snapshot)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "holds a damaged state (\(error))")
        }
    }

    /// Reads one named state, checking its kind and that keyed entries lie in `range`, each group once and in order.
    private static func readState(_ reader: inout StateReader, range: KeyGroupRange) throws -> NamedState {
        let name = try reader.readString()
        guard !name.isEmpty else { throw Problem(description: "holds a state without a name") }
        guard let redistribution = StateDeclaration.Redistribution(rawValue: try reader.readInt()) else {
            throw Problem(description: "holds state \"\(name)\" of an unknown kind")
        }
        var entries: [StateEntry] = []
        for _ in 0..<(try reader.readCount()) {
            let group = try reader.readInt()
            if redistribution == .keyed {
                guard range.contains(KeyGroup(group)) else {
                    throw Problem(description: "holds key group \(group), outside its key groups \(range.lowerBound)..<\(range.upperBound)")
                }
                guard group > entries.last?.keyGroup ?? -1 else { throw Problem(description: "holds key group \(group) twice or out of order") }
            } else {
                guard group == -1 else { throw Problem(description: "holds a key group in state \"\(name)\", which is \(redistribution)") }
            }
            entries.append(StateEntry(keyGroup: redistribution == .keyed ? group : nil, bytes: try reader.readBytes()))
        }
        guard redistribution != .broadcast || entries.count <= 1 else { throw Problem(description: "holds broadcast state \"\(name)\" twice") }
        return NamedState(name: name, redistribution: redistribution, entries: entries)
    }

    /// The CRC-32 (as zlib and PNG compute it) of some bytes.
    public static func crc32(_ bytes: some Collection<UInt8>) -> UInt32 { CRC32.update(0, bytes) }

    private static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var output = [UInt8](repeating: 0, count: ZSTD_compressBound(bytes.count))
        let size = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { ZSTD_compress(out.baseAddress, out.count, $0.baseAddress, $0.count, 3) }
        }
        guard ZSTD_isError(size) == 0 else {
            throw FlowError(.internal, "zstd could not compress a snapshot: \(String(cString: ZSTD_getErrorName(size)))")
        }
        output.removeLast(output.count - size)
        return output
    }

    /// Decompresses the state, whose `size` ``readHeader(_:)`` has bounded; zstd's own frame header
    /// must claim the same size.
    private static func decompress(_ bytes: ArraySlice<UInt8>, size: Int) throws(Problem) -> [UInt8] {
        let frameSize = bytes.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        guard frameSize == UInt64(size) else { throw Problem(description: "holds state that zstd cannot decompress (its frame is not the \(size) bytes its header claims)") }
        var output = [UInt8](repeating: 0, count: size)
        let written = output.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { ZSTD_decompress(out.baseAddress, out.count, $0.baseAddress, $0.count) }
        }
        guard ZSTD_isError(written) == 0, written == size else { throw Problem(description: "holds state that zstd cannot decompress") }
        return output
    }

    private static func appendLittleEndian(_ value: UInt64, bytes count: Int, to bytes: inout [UInt8]) {
        for index in 0..<count { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(index)))) }
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, bytes count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        return value
    }
}
