/// The open containers of a JSON value being skipped, innermost last: one bit each (object or
/// array) in a machine word, spilling into an array beyond 64 levels.
struct NestingStack {
    private var bits: UInt64 = 0
    private var depth = 0
    private var spilled: [UInt64] = []

    var isEmpty: Bool { depth == 0 }

    /// Whether the innermost open container is an object; nil when none is open.
    var top: Bool? {
        guard depth > 0 else { return nil }
        return bits & (1 << UInt64((depth - 1) & 63)) != 0
    }

    mutating func push(isObject: Bool) {
        if depth > 0 && depth & 63 == 0 {
            spilled.append(bits)
            bits = 0
        }
        let bit: UInt64 = 1 << UInt64(depth & 63)
        bits = isObject ? bits | bit : bits & ~bit
        depth += 1
    }

    mutating func pop() {
        depth -= 1
        if depth > 0 && depth & 63 == 0 { bits = spilled.removeLast() }
    }
}
