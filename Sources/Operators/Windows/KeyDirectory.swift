import Flow

/// Gives each live key a small dense number, so per-window totals can live in flat arrays that
/// are cheap to scan; numbers of keys that left every slice are reused.
///
/// It is an open-addressing table (linear probing, deletion by shifting back) over the keys'
/// stable hashes, which keys such as `KeyString` compute once when made: finding a key hashes none
/// of its bytes, and compares it only with keys of the same hash. Every record of a window
/// operator looks its key up here, so this is on the hot path. The slot comes from the hash
/// times an odd number drawn per directory, so keys chosen to crowd one slot in one run do not in
/// the next.
struct KeyDirectory<Key: Hashable & StableHashable> {
    /// Per slot: the number of the key there plus one, or 0 when the slot is empty.
    private var slots: [Int32]
    /// Per slot: the stable hash of the key there.
    private var slotHashes: [UInt64]
    private(set) var keys: [Key?] = []
    private var free: [Int32] = []
    private var liveCount = 0
    private let multiplier = UInt64.random(in: 0 ... .max) | 1

    init() {
        slots = Array(repeating: 0, count: 64)
        slotHashes = Array(repeating: 0, count: 64)
    }

    /// The number of `key`, assigning one if it has none; `isNew` tells whether it was assigned now.
    mutating func id(for key: Key) -> (id: Int32, isNew: Bool) {
        let hash = key.stableHash
        var slot = home(of: hash)
        while slots[slot] != 0 {
            let id = slots[slot] - 1
            if slotHashes[slot] == hash && keys[Int(id)]! == key { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id: Int32
        if let reused = free.popLast() {
            id = reused
            keys[Int(id)] = key
        } else {
            id = Int32(keys.count)
            keys.append(key)
        }
        slots[slot] = id + 1
        slotHashes[slot] = hash
        liveCount += 1
        if liveCount * 2 > slots.count { grow() }
        return (id, true)
    }

    /// Forgets the key numbered `id`; the number will be reused.
    mutating func release(_ id: Int32) {
        guard let key = keys[Int(id)] else { return }
        var hole = home(of: key.stableHash)
        while slots[hole] != id + 1 { hole = (hole + 1) & mask }
        // Entries after the hole that probed past it move back into it, so no search stops early.
        var next = (hole + 1) & mask
        while slots[next] != 0 {
            let distanceFromHome = (next - home(of: slotHashes[next])) & mask
            if distanceFromHome >= (next - hole) & mask {
                slots[hole] = slots[next]
                slotHashes[hole] = slotHashes[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
        keys[Int(id)] = nil
        free.append(id)
        liveCount -= 1
    }

    /// One more than the largest number in use.
    var capacity: Int { keys.count }

    private var mask: Int { slots.count - 1 }

    private func home(of hash: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &* multiplier) >> 32) & mask
    }

    private mutating func grow() {
        let old = zip(slots, slotHashes).filter { $0.0 != 0 }
        slots = Array(repeating: 0, count: slots.count * 2)
        slotHashes = Array(repeating: 0, count: slotHashes.count * 2)
        for (entry, hash) in old {
            var slot = home(of: hash)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
            slotHashes[slot] = hash
        }
    }
}
