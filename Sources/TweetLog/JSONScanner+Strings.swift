#if canImport(Glibc)
import Glibc
#endif

/// A string as scanned: either a range of the line (no escapes) or the scanner's decoded scratch.
struct JSONKey {
    var raw: Range<Int>?
    var decoded: [UInt8]

    /// Whether the string equals `name` (ASCII).
    func equals(_ name: StaticString, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = name.utf8CodeUnitCount
        if let raw {
            return raw.count == count && memcmp(bytes.baseAddress! + raw.lowerBound, name.utf8Start, count) == 0
        }
        guard decoded.count == count else { return false }
        for i in 0..<count where decoded[i] != name.utf8Start[i] { return false }
        return true
    }

    /// The string's UTF-8 bytes as a Swift String.
    func string(in bytes: UnsafeBufferPointer<UInt8>) -> String {
        if let raw { return String(decoding: UnsafeBufferPointer(rebasing: bytes[raw]), as: UTF8.self) }
        return String(decoding: decoded, as: UTF8.self)
    }
}

extension JSONScanner {
    /// Scans a string at the position, checking escapes and control characters.
    mutating func scanString() throws(Malformed) -> JSONKey {
        try expect(UInt8(ascii: "\""), "'\"'")
        let start = position
        while true {
            skipPlainStringBytes()
            guard position < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return JSONKey(raw: start..<(position - 1), decoded: [])
            }
            if byte == UInt8(ascii: "\\") { return try scanEscapedString(from: start) }
            if byte < 0x20 { throw fail("a control character inside a string") }
            position += 1
        }
    }

    private mutating func scanEscapedString(from start: Int) throws(Malformed) -> JSONKey {
        decoded.removeAll(keepingCapacity: true)
        decoded.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return JSONKey(raw: nil, decoded: decoded)
            case UInt8(ascii: "\\"): try decodeEscape()
            case ..<0x20: throw fail("a control character inside a string")
            default: decoded.append(byte)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func decodeEscape() throws(Malformed) {
        guard position < bytes.count else { throw fail("unterminated escape") }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"): try decodeUnicodeEscape()
        default: throw fail("an invalid escape '\\\(Character(Unicode.Scalar(byte)))'")
        }
    }

    private mutating func decodeUnicodeEscape() throws(Malformed) {
        decoded.append(contentsOf: UTF8.encode(try checkUnicodeEscape())!)
    }

    /// Reads the four hex digits after `\u` (and a second escape for a surrogate pair) and
    /// returns the scalar; lone surrogates are malformed.
    mutating func checkUnicodeEscape() throws(Malformed) -> Unicode.Scalar {
        var scalar = try hex4()
        if (0xD800..<0xDC00).contains(scalar) {
            guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                throw fail("a lone surrogate escape")
            }
            position += 2
            let low = try hex4()
            guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate escape") }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00..<0xE000).contains(scalar) {
            throw fail("a lone surrogate escape")
        }
        return Unicode.Scalar(scalar)!
    }

    private mutating func hex4() throws(Malformed) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("a short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("a bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    /// Scans a number; returns its value if it is an integer that fits in 64 bits.
    mutating func scanNumber() throws(Malformed) -> Int64? {
        let start = position
        let isInteger = try skipNumberReportingInteger()
        return isInteger ? Self.parseInteger(UnsafeBufferPointer(rebasing: bytes[start..<position])) : nil
    }

    /// Skips a number, checking its grammar.
    mutating func skipNumber() throws(Malformed) { _ = try skipNumberReportingInteger() }

    /// Skips a number; returns whether it was written as an integer (no fraction, no exponent).
    private mutating func skipNumberReportingInteger() throws(Malformed) -> Bool {
        var isInteger = true
        if position < bytes.count && bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("expected a value") }
        if bytes[position] == UInt8(ascii: "0") { position += 1 } else { skipDigits() }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("a number with no digits after '.'") }
            skipDigits()
        }
        if position < bytes.count && (bytes[position] | 0x20) == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("a number with no exponent digits") }
            skipDigits()
        }
        return isInteger
    }

    private mutating func skipDigits() {
        while position < bytes.count && isDigit(bytes[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    /// Parses `-?[0-9]+` into an Int64; nil if the text is anything else or overflows.
    static func parseInteger(_ text: some Collection<UInt8>) -> Int64? {
        var iterator = text.makeIterator()
        guard var byte = iterator.next() else { return nil }
        let isNegative = byte == UInt8(ascii: "-")
        if isNegative { guard let next = iterator.next() else { return nil }; byte = next }
        var value: Int64 = 0
        while true {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = isNegative ? shifted.subtractingReportingOverflow(Int64(digit)) : shifted.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return nil }
            value = next
            guard let following = iterator.next() else { return value }
            byte = following
        }
    }
}
