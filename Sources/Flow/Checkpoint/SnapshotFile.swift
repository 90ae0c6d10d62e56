import CZlib
import CZstd

/// The byte layout of one snapshot file (see `docs/checkpoint-format.md`): a magic number, the
/// format version, a header naming the operator and its key groups, the zstd-compressed state,
/// and a CRC-32 of everything before it.
public enum SnapshotFile {
    public static let magic: [UInt8] = Array("FLOWSNAP".utf8)
    public static let formatVersion: UInt16 = 1

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
        public var keyGroupCount: Int
        public var uncompressedSize: Int
        public var compressedSize: Int
        public var position: String?
    }

    /// Encodes a snapshot; zstd level 3 is fast and shrinks counts and keys well.
    public static func encode(_ snapshot: OperatorSnapshot, checkpointID: Int64) throws -> [UInt8] {
        var body = StateWriter()
        body.write(bytes: snapshot.shared)
        body.write(snapshot.keyGroups.count)
        for (group, state) in snapshot.keyGroups {
            body.write(group)
            body.write(bytes: state)
        }
        let compressed = try compress(body.bytes)
        var header = StateWriter()
        header.write(checkpointID)
        header.write(snapshot.operatorID)
        header.write(snapshot.subtask)
        header.write(snapshot.parallelism)
        header.write(snapshot.keyGroupRange.lowerBound)
        header.write(snapshot.keyGroupRange.upperBound)
        header.write(snapshot.keyGroups.count)
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

    /// Checks magic, version and checksum and reads the header.
    public static func readHeader(_ file: [UInt8]) throws(Problem) -> (header: Header, bodyOffset: Int) {
        guard file.count >= 18, Array(file[0..<8]) == magic else { throw Problem(description: "is not a Flow snapshot (bad magic number)") }
        let version = UInt16(littleEndian(file, at: 8, bytes: 2))
        guard version == formatVersion else {
            throw Problem(description: "has format version \(version), but this Flow reads version \(formatVersion)")
        }
        let stored = UInt32(littleEndian(file, at: file.count - 4, bytes: 4))
        guard stored == crc32(file[..<(file.count - 4)]) else { throw Problem(description: "fails its checksum (damaged or cut short)") }
        let headerSize = Int(littleEndian(file, at: 10, bytes: 4))
        guard 14 + headerSize <= file.count - 4 else { throw Problem(description: "has a header longer than the file") }
        var reader = StateReader(Array(file[14..<(14 + headerSize)]))
        do {
            var header = Header(
                checkpointID: try reader.readInt64(), operatorID: try reader.readString(), subtask: try reader.readInt(),
                parallelism: try reader.readInt(),
                keyGroupRange: KeyGroupRange(lowerBound: try reader.readInt(), upperBound: try reader.readInt()),
                keyGroupCount: try reader.readInt(), uncompressedSize: try reader.readInt(), compressedSize: try reader.readInt(),
                position: nil
            )
            let position = try reader.readString()
            header.position = position.isEmpty ? nil : position
            guard 14 + headerSize + header.compressedSize == file.count - 4 else { throw Problem(description: "has a state size that does not match its length") }
            return (header, 14 + headerSize)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "has a damaged header (\(error))")
        }
    }

    /// Decodes a whole snapshot file.
    public static func decode(_ file: [UInt8]) throws(Problem) -> (header: Header, snapshot: OperatorSnapshot) {
        let (header, offset) = try readHeader(file)
        let body = try decompress(file[offset..<(offset + header.compressedSize)], size: header.uncompressedSize)
        var reader = StateReader(body)
        do {
            let shared = try reader.readBytes()
            let count = try reader.readCount()
            var groups: [(group: Int, state: [UInt8])] = []
            for _ in 0..<count { groups.append((try reader.readInt(), try reader.readBytes())) }
            guard reader.isAtEnd, count == header.keyGroupCount else { throw Problem(description: "holds a state that does not match its header") }
            let snapshot = OperatorSnapshot(operatorID: header.operatorID, subtask: header.subtask, parallelism: header.parallelism,
                                            keyGroupRange: header.keyGroupRange, shared: shared, keyGroups: groups, position: header.position)
            return (header, snapshot)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(description: "holds a damaged state (\(error))")
        }
    }

    /// The CRC-32 (as zlib and PNG compute it) of some bytes.
    public static func crc32(_ bytes: some Collection<UInt8>) -> UInt32 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }

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

    private static func decompress(_ bytes: ArraySlice<UInt8>, size: Int) throws(Problem) -> [UInt8] {
        guard size >= 0, size < 1 << 34 else { throw Problem(description: "claims an impossible state size") }
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
