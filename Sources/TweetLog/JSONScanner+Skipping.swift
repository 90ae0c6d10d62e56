extension JSONScanner {
    /// Skips a string the decoder does not need, checking it without decoding it. Runs of plain
    /// bytes are passed eight at a time: most of a tweet's bytes are in strings it skips.
    mutating func skipString() throws(Malformed) {
        position += 1 // the opening quote, checked by the caller
        while true {
            skipPlainStringBytes()
            guard position < bytes.count else { throw fail("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                try skipEscape()
            } else if byte < 0x20 {
                throw fail("a control character inside a string")
            } else {
                position += 1
            }
        }
    }

    /// Steps over bytes that need no checking inside a string, eight at a time, stopping at the
    /// next quote, backslash or control character (or within the last seven bytes of the line).
    @inline(__always)
    mutating func skipPlainStringBytes() {
        guard let base = bytes.baseAddress else { return }
        let count = bytes.count
        while position + 8 <= count {
            let special = Self.specialBytes(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self))
            if special != 0 {
                position += special.trailingZeroBitCount >> 3
                return
            }
            position += 8
        }
    }

    /// The high bit of each of the eight bytes (little-endian) that is a quote, a backslash or a
    /// control character, by the classic "has zero byte" trick; the lowest flag is always exact,
    /// those above it may be spurious.
    @inline(__always)
    private static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        let hasControl = (word &- ones &* 0x20) & ~word & highs
        return hasQuote | hasBackslash | hasControl
    }

    /// Checks one escape at the position (a backslash) and steps over it.
    private mutating func skipEscape() throws(Malformed) {
        guard position + 1 < bytes.count else { throw fail("unterminated escape") }
        let kind = bytes[position + 1]
        switch kind {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
             UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            position += 2
            _ = try checkUnicodeEscape()
        default:
            throw fail("an invalid escape '\\\(Character(Unicode.Scalar(kind)))'")
        }
    }
}
