/// Keeps the `k` best of the (key, value) pairs offered: larger values first, ties broken by the
/// smaller key, so the selection never depends on the order of offers.
public struct TopKSelection<Key: Comparable, Value> {
    public let k: Int
    private let isGreater: (Value, Value) -> Bool
    /// The best pairs so far, best first.
    public private(set) var sorted: [Entry] = []

    /// One selected pair.
    public struct Entry {
        public var key: Key
        public var value: Value
    }

    public init(k: Int, isGreater: @escaping (Value, Value) -> Bool) {
        self.k = k
        self.isGreater = isGreater
        sorted.reserveCapacity(k + 1)
    }

    /// Whether pair a ranks before pair b.
    public func ranksBefore(_ a: Entry, _ b: Entry) -> Bool {
        if isGreater(a.value, b.value) { return true }
        if isGreater(b.value, a.value) { return false }
        return a.key < b.key
    }

    /// Whether a pair with `value` could enter the selection (whatever its key): a cheap test
    /// that spares callers fetching keys that cannot.
    public func couldTake(_ value: Value) -> Bool {
        guard sorted.count == k, let last = sorted.last else { return true }
        return !isGreater(last.value, value)
    }

    public mutating func offer(key: Key, value: Value) {
        let pair = Entry(key: key, value: value)
        if sorted.count == k, let last = sorted.last, !ranksBefore(pair, last) { return }
        var index = sorted.count
        while index > 0 && ranksBefore(pair, sorted[index - 1]) { index -= 1 }
        sorted.insert(pair, at: index)
        if sorted.count > k { sorted.removeLast() }
    }
}
