import CTweetScan
import FlowTesting
import Testing

struct ByteCountTests {
    /// The vector count against a plain one, at lengths around the vector widths and past the
    /// 255 steps after which the 8-bit counters are summed, from unaligned starts.
    @Test(arguments: [0, 1, 15, 16, 17, 31, 32, 33, 255 * 16 + 5, 255 * 32, 255 * 32 + 1, 100_000])
    func countsAsAPlainLoopDoes(length: Int) {
        var random = SplitMix64(seed: UInt64(length))
        let bytes = (0..<length + 3).map { _ in random.next() % 4 == 0 ? UInt8(ascii: "\n") : UInt8(truncatingIfNeeded: random.next()) }
        for start in 0..<3 {
            let part = bytes[start..<start + length]
            let expected = part.count { $0 == UInt8(ascii: "\n") }
            let counted = part.withUnsafeBufferPointer { flow_count_byte($0.baseAddress, $0.count, UInt8(ascii: "\n")) }
            #expect(counted == expected, "length \(length) from byte \(start)")
        }
    }

    @Test func aBufferOfOnlyTheByteCountsEveryByte() {
        let bytes = [UInt8](repeating: 10, count: 300 * 32)
        #expect(bytes.withUnsafeBufferPointer { flow_count_byte($0.baseAddress, $0.count, 10) } == bytes.count)
    }
}
