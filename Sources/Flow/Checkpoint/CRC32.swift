import CZlib

/// CRC-32 as zlib and PNG compute it, over bytes of any length (zlib takes at most 4 GiB a call).
public enum CRC32 {
    /// The CRC-32 of `bytes` following bytes whose CRC-32 was `crc` (0 to start).
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = UInt(crc)
        var rest = bytes
        while let base = rest.baseAddress, !rest.isEmpty {
            let count = min(rest.count, 1 << 30)
            crc = CZlib.crc32(crc, base.assumingMemoryBound(to: UInt8.self), UInt32(count))
            rest = UnsafeRawBufferPointer(rebasing: rest[count...])
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// The CRC-32 of `bytes` following bytes whose CRC-32 was `crc` (0 to start).
    public static func update(_ crc: UInt32, _ bytes: some Collection<UInt8>) -> UInt32 {
        if let crc = bytes.withContiguousStorageIfAvailable({ update(crc, UnsafeRawBufferPointer($0)) }) { return crc }
        return Array(bytes).withUnsafeBytes { update(crc, $0) }
    }
}
