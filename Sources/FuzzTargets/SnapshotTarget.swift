import Flow

/// A snapshot file, as a damaged or forged checkpoint may hold it. The CRC-32 at its end is made
/// to match, so that the fuzzer gets past it to the header, the sizes and the state; whatever
/// decodes is then restored into every stateful operator of the shipped jobs, its states renamed
/// in order to the names each operator declares.
enum SnapshotTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        var file = Array(bytes)
        if file.count >= 4 {
            let crc = SnapshotFile.crc32(file.dropLast(4))
            for index in 0..<4 { file[file.count - 4 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
        }
        guard let (_, snapshot) = try? SnapshotFile.decode(file) else { return nil }
        OperatorStateTarget.restoreEveryOperator { declared in
            [OperatorStateTarget.snapshot(states: zip(declared, snapshot.states).map { declaration, state in
                NamedState(name: declaration.name, redistribution: state.redistribution, entries: state.entries)
            })]
        }
        return nil
    }
}
