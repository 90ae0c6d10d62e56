extension JSONScanner {
    /// Skips a string the decoder does not need, checking it without decoding it. Runs of plain
    /// bytes are passed eight at a time: most of a tweet's bytes are in strings it skips.
    mutating func skipString() throws(Malformed) {
        position += 1 // the opening quote, checked by the caller
        guard let base = bytes.baseAddress else { throw fail("unterminated string") }
        let count = bytes.count
        while true {
            while position + 8 <= count, !Self.hasSpecialByte(UnsafeRawPointer(base + position).loadUnaligned(as: UInt64.self)) {
                position += 8
            }
            guard position < count else { throw fail("unterminated string") }
            let byte = base[position]
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

    /// Whether any of the eight bytes is a quote, a backslash or a control character
    /// (the classic "has zero byte" bit trick applied to each condition).
    @inline(__always)
    private static func hasSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        let hasControl = (word &- ones &* 0x20) & ~word & highs
        return (hasQuote | hasBackslash | hasControl) != 0
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
            // Rare enough to reuse the decoding path for its surrogate checks.
            decoded.removeAll(keepingCapacity: true)
            position += 1
            try decodeEscapeAfterBackslash()
        default:
            throw fail("an invalid escape '\\\(Character(Unicode.Scalar(kind)))'")
        }
    }
}
