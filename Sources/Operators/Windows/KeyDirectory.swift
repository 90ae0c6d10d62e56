import Flow

/// Gives each live key a small dense number, so per-window totals can live in flat arrays that
/// are cheap to scan; numbers of keys that left every slice are reused.
///
/// It is an open-addressing table (linear probing, deletion by shifting back) over the keys'
/// stable hashes, which keys such as `KeyString` compute once when made: finding a key hashes none
/// of its bytes, and compares it only with keys of the same hash, held in the slot itself. Every record of a window
/// operator looks its key up here, so this is on the hot path. The slot comes from the hash
/// times an odd number drawn per directory, so keys chosen to crowd one slot in one run do not in
/// the next.
@usableFromInline
struct KeyDirectory<Key: Hashable & StableHashable> {
    /// A filled slot: the key with its hash and number, together so that a probe reads one place.
    @usableFromInline
    struct Slot {
        @usableFromInline var hash: UInt64
        @usableFromInline var id: Int32
        @usableFromInline var key: Key

        @inlinable
        init(hash: UInt64, id: Int32, key: Key) {
            self.hash = hash
            self.id = id
            self.key = key
        }
    }

    @usableFromInline var slots: [Slot?] = Array(repeating: nil, count: 64)
    @usableFromInline var keys: [Key?] = []
    @usableFromInline var free: [Int32] = []
    @usableFromInline var liveCount = 0
    @usableFromInline let multiplier = UInt64.random(in: 0 ... .max) | 1

    /// The number of `key`, assigning one if it has none; `isNew` tells whether it was assigned now.
    @inlinable
    mutating func id(for key: Key) -> (id: Int32, isNew: Bool) {
        let hash = key.stableHash
        var position = home(of: hash)
        while let slot = slots[position] {
            if slot.hash == hash && slot.key == key { return (slot.id, false) }
            position = (position + 1) & mask
        }
        let id: Int32
        if let reused = free.popLast() {
            id = reused
            keys[Int(id)] = key
        } else {
            id = Int32(keys.count)
            keys.append(key)
        }
        slots[position] = Slot(hash: hash, id: id, key: key)
        liveCount += 1
        if liveCount * 2 > slots.count { grow() }
        return (id, true)
    }

    /// Forgets the key numbered `id`; the number will be reused.
    @usableFromInline
    mutating func release(_ id: Int32) {
        guard let key = keys[Int(id)] else { return }
        var hole = home(of: key.stableHash)
        while slots[hole]?.id != id { hole = (hole + 1) & mask }
        // Entries after the hole that probed past it move back into it, so no search stops early.
        var next = (hole + 1) & mask
        while let slot = slots[next] {
            if (next - home(of: slot.hash)) & mask >= (next - hole) & mask {
                slots[hole] = slot
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = nil
        keys[Int(id)] = nil
        free.append(id)
        liveCount -= 1
    }

    /// One more than the largest number in use.
    @inlinable var capacity: Int { keys.count }

    @inlinable var mask: Int { slots.count - 1 }

    @inlinable
    func home(of hash: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash &* multiplier) >> 32) & mask
    }

    @usableFromInline
    mutating func grow() {
        let old = slots
        slots = Array(repeating: nil, count: old.count * 2)
        for case let slot? in old {
            var position = home(of: slot.hash)
            while slots[position] != nil { position = (position + 1) & mask }
            slots[position] = slot
        }
    }
}
