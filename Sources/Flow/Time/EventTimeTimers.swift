/// Event-time timers of a keyed operator: registered for a key at a time, they come due when the
/// watermark reaches that time, earliest first and, at equal times, smallest key first — so firing
/// order never depends on registration order.
public struct EventTimeTimers<Key: Comparable> {
    private var heap: [(time: Int64, key: Key)] = []

    public init() {}

    public var isEmpty: Bool { heap.isEmpty }

    /// Registers a timer for `key` at `time`. Duplicates are allowed; callers ignore stale ones.
    public mutating func register(at time: Int64, for key: Key) {
        heap.append((time, key))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the timers due at or before `watermark`, in firing order.
    public mutating func popDue(atOrBefore watermark: Int64) -> [(time: Int64, key: Key)] {
        var due: [(time: Int64, key: Key)] = []
        while let first = heap.first, first.time <= watermark { due.append(removeFirst()) }
        return due
    }

    private mutating func removeFirst() -> (time: Int64, key: Key) {
        let first = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return first }
        heap[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count && Self.precedes(heap[left], heap[smallest]) { smallest = left }
            if right < heap.count && Self.precedes(heap[right], heap[smallest]) { smallest = right }
            guard smallest != parent else { return first }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    private static func precedes(_ a: (time: Int64, key: Key), _ b: (time: Int64, key: Key)) -> Bool {
        a.time != b.time ? a.time < b.time : a.key < b.key
    }
}
