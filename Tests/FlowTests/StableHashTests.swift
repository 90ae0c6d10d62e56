import Flow
import Testing

/// The stable hash decides which subtask owns a key and must never change silently: checkpoints
/// taken by one build are restored by another.
struct StableHashTests {
    @Test func hashOfKnownKeysIsFixed() {
        // Golden values: FNV-1a 64 of the UTF-8 bytes, then the MurmurHash3 finaliser.
        #expect(StableHash.hash(bytes: Array("".utf8)) == StableHash.finalize(0xcbf2_9ce4_8422_2325))
        #expect(KeyString("a").stableHash == StableHash.finalize(0xaf63_dc4c_8601_ec8c))
        #expect(KeyString("swift").stableHash == StableHash.finalize(fnv1a("swift")))
    }

    @Test func finalizerMatchesMurmur3() {
        // fmix64(1) from the MurmurHash3 reference implementation.
        #expect(StableHash.finalize(1) == 0xb456_bcfc_34c2_cb2c)
    }

    @Test func keyGroupsSpreadKeysAndStayInRange() {
        var counts = Array(repeating: 0, count: 128)
        for index in 0..<12_800 {
            let group = KeyGroup(of: KeyString("tag\(index)"), maxParallelism: 128)
            counts[group.index] += 1
        }
        #expect(counts.allSatisfy { $0 > 50 && $0 < 150 })
    }

    @Test(arguments: [1, 2, 3, 4, 7, 128])
    func keyGroupRangesCoverEveryGroupOnce(parallelism: Int) {
        var owner = Array(repeating: -1, count: 128)
        for subtask in 0..<parallelism {
            let range = KeyGroupRange(subtask: subtask, parallelism: parallelism, maxParallelism: 128)
            for group in range.lowerBound..<range.upperBound {
                #expect(owner[group] == -1)
                owner[group] = subtask
                #expect(KeyGroup(group).subtask(parallelism: parallelism, maxParallelism: 128) == subtask)
            }
        }
        #expect(!owner.contains(-1))
    }

    @Test func keyStringsCompareByBytesNotByCanonicalEquivalence() {
        let precomposed = KeyString("caf\u{E9}")
        let decomposed = KeyString("cafe\u{301}")
        #expect(precomposed != decomposed)
        #expect(Set([precomposed, decomposed]).count == 2)
        #expect(decomposed < precomposed) // "e" (0x65) sorts before 0xC3
    }

    @Test func equalKeysHashAlikeWhereverTheirStringsCameFrom() {
        let long = "a hashtag longer than fifteen bytes"
        let built = KeyString(String(decoding: Array(long.utf8), as: UTF8.self))
        #expect(built == KeyString(long))
        #expect(built.stableHash == KeyString(long).stableHash)
        #expect(Set([built, KeyString(long), KeyString(long + "!")]).count == 2)
        #expect(KeyString("") == KeyString(""))
    }

    private func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return h
    }
}
