import Flow
import FlowTesting
@testable import Operators
import Testing

struct KeyDirectoryTests {
    /// A key whose stable hash collides on purpose: only seven hashes for all keys.
    struct CrowdedKey: Hashable, StableHashable {
        var value: Int
        var stableHash: UInt64 { UInt64(value % 7) }
    }

    /// Random assignments and releases, checked after every step against a plain dictionary:
    /// every live key keeps its number, numbers are unique, released keys are forgotten.
    @Test(arguments: [1, 2, 3])
    func numbersFollowADictionaryThroughInsertsAndReleases(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var directory = KeyDirectory<CrowdedKey>()
        var expected: [CrowdedKey: Int32] = [:]
        for _ in 0..<4000 {
            let key = CrowdedKey(value: Int(random.next() % 300))
            if let id = expected[key], random.next() % 3 == 0 {
                directory.release(id)
                expected[key] = nil
                continue
            }
            let (id, isNew) = directory.id(for: key)
            #expect(isNew == (expected[key] == nil))
            if let known = expected[key] { #expect(id == known) }
            expected[key] = id
            #expect(directory.keys[Int(id)] == key)
        }
        #expect(Set(expected.values).count == expected.count)
        for (key, id) in expected {
            #expect(directory.id(for: key) == (id, false))
        }
        let liveNumbers = directory.keys.indices.filter { directory.keys[$0] != nil }
        #expect(liveNumbers.count == expected.count)
    }

    @Test func numbersOfReleasedKeysAreReused() {
        var directory = KeyDirectory<KeyString>()
        let first = directory.id(for: KeyString("a")).id
        _ = directory.id(for: KeyString("b"))
        directory.release(first)
        #expect(directory.id(for: KeyString("c")) == (first, true))
        #expect(directory.capacity == 2)
    }
}
