import Flow
import FlowTesting

/// A snapshot file, as a damaged or forged checkpoint may hold it. The CRC-32 at its end is made
/// to match, so that the fuzzer gets past it to the header, the sizes and the state; whatever
/// decodes is then restored into every stateful operator of the shipped jobs.
enum SnapshotTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        var file = Array(bytes)
        if file.count >= 4 {
            let crc = SnapshotFile.crc32(file.dropLast(4))
            for index in 0..<4 { file[file.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
        }
        guard let (header, snapshot) = try? SnapshotFile.decode(file) else { return nil }
        let restore = OperatorRestore(snapshots: [snapshot], range: KeyGroupRange(lowerBound: 0, upperBound: 128), checkpointID: header.checkpointID)
        OperatorStateTarget.restoreEveryOperator(from: restore)
        return nil
    }
}
