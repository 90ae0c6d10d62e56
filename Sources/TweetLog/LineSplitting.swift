import Glibc

extension UnsafeBufferPointer<UInt8> {
    /// Calls `body` with each line of the buffer (split at "\n", a "\r" before it cut off), its
    /// offset in the buffer and its length with the "\r".
    @inlinable
    public func forEachLine(_ body: (_ line: UnsafeBufferPointer<UInt8>, _ start: Int, _ length: Int) throws -> Void) rethrows {
        guard let base = baseAddress else { return }
        var start = 0
        while start < count {
            let end = memchr(base + start, Int32(UInt8(ascii: "\n")), count - start)
                .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? count
            var lineEnd = end
            if lineEnd > start && self[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            try body(UnsafeBufferPointer(rebasing: self[start..<lineEnd]), start, end - start)
            start = end + 1
        }
    }
}
