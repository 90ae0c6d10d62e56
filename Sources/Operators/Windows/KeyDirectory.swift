/// Gives each live key a small dense number, so per-window totals can live in flat arrays that
/// are cheap to scan; numbers of keys that left every slice are reused.
struct KeyDirectory<Key: Hashable> {
    private var ids: [Key: Int32] = [:]
    private(set) var keys: [Key?] = []
    private var free: [Int32] = []

    /// The number of `key`, assigning one if it has none; `isNew` tells whether it was assigned now.
    mutating func id(for key: Key) -> (id: Int32, isNew: Bool) {
        if let id = ids[key] { return (id, false) }
        let id: Int32
        if let reused = free.popLast() {
            id = reused
            keys[Int(id)] = key
        } else {
            id = Int32(keys.count)
            keys.append(key)
        }
        ids[key] = id
        return (id, true)
    }

    /// Forgets the key numbered `id`; the number will be reused.
    mutating func release(_ id: Int32) {
        if let key = keys[Int(id)] { ids[key] = nil }
        keys[Int(id)] = nil
        free.append(id)
    }

    /// One more than the largest number in use.
    var capacity: Int { keys.count }
}
