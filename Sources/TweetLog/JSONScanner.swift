/// A validating JSON scanner over the bytes of one line, for decoders that need a few fields and
/// must not build a tree: it checks the whole grammar (RFC 8259) while skipping what it does not
/// need, so a line is accepted exactly when it is valid JSON.
///
/// The line's UTF-8 must have been validated before (``UTF8Validation``); the scanner checks
/// escapes, including surrogate pairs, and rejects lone surrogates.
struct JSONScanner: ~Copyable {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Scratch space for strings that contain escapes.
    var decoded: [UInt8] = []

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    struct Malformed: Error {
        var reason: String
        var offset: Int
    }

    var isAtEnd: Bool { position >= bytes.count }

    @inline(__always)
    mutating func skipWhitespace() {
        // Recorded logs are compact JSON: most calls find no whitespace at all.
        if position < bytes.count && bytes[position] > 0x20 { return }
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next byte after whitespace, without consuming it (nil at the end).
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(Malformed) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == byte else { throw fail("expected \(what)") }
        position += 1
    }

    func fail(_ reason: String) -> Malformed { Malformed(reason: reason, offset: position) }

    /// Iterates the members of an object, calling `member` with each key (valid until the next
    /// call) and the scanner positioned at the value, which `member` must consume.
    mutating func forEachMember(_ member: (inout JSONScanner, JSONKey) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "{"), "'{'")
        if peek() == UInt8(ascii: "}") { position += 1; return }
        while true {
            guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try scanString()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            try member(&self, key)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated object") }
            let next = bytes[position]
            position += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in an object") }
        }
    }

    /// Iterates the elements of an array, with the scanner positioned at each element.
    mutating func forEachElement(_ element: (inout JSONScanner) throws(Malformed) -> Void) throws(Malformed) {
        try expect(UInt8(ascii: "["), "'['")
        if peek() == UInt8(ascii: "]") { position += 1; return }
        while true {
            skipWhitespace()
            try element(&self)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unterminated array") }
            let next = bytes[position]
            position += 1
            if next == UInt8(ascii: "]") { return }
            guard next == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in an array") }
        }
    }

    /// Skips one value of any kind, checking its grammar. Iterative, with the open containers
    /// kept as bits, since most of a tweet's bytes lie in members the decoders skip.
    mutating func skipValue() throws(Malformed) {
        var nesting = NestingStack()
        while true {
            guard let byte = peek() else { throw fail("expected a value") }
            switch byte {
            case UInt8(ascii: "{"):
                position += 1
                if peek() == UInt8(ascii: "}") {
                    position += 1
                } else {
                    nesting.push(isObject: true)
                    try skipMemberName()
                    continue
                }
            case UInt8(ascii: "["):
                position += 1
                if peek() == UInt8(ascii: "]") {
                    position += 1
                } else {
                    nesting.push(isObject: false)
                    continue
                }
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try skipNumber()
            }
            // A value ended: close the containers it ends, then go on to the next value.
            while let isObject = nesting.top {
                skipWhitespace()
                guard position < bytes.count else { throw fail(isObject ? "unterminated object" : "unterminated array") }
                let next = bytes[position]
                position += 1
                if next == UInt8(ascii: ",") {
                    if isObject { try skipMemberName() }
                    break
                }
                guard next == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw fail(isObject ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array")
                }
                nesting.pop()
            }
            if nesting.isEmpty { return }
        }
    }

    /// Skips `"name" :` inside an object.
    private mutating func skipMemberName() throws(Malformed) {
        guard peek() == UInt8(ascii: "\"") else { throw fail("expected a member name") }
        try skipString()
        try expect(UInt8(ascii: ":"), "':'")
    }

    mutating func literal(_ word: StaticString) throws(Malformed) {
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unknown literal") }
        for i in 0..<count where bytes[position + i] != word.utf8Start[i] { throw fail("unknown literal") }
        position += count
    }

    /// Whether the value at the position is the literal `true` (consumes any value).
    mutating func scanIsTrue() throws(Malformed) -> Bool {
        if peek() == UInt8(ascii: "t") { try literal("true"); return true }
        try skipValue()
        return false
    }
}
