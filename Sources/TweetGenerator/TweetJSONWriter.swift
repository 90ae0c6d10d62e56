/// Appends JSON fragments as UTF-8 bytes to a reused buffer, escaping strings the
/// way the Twitter streaming API does (`\/` for slashes, lowercase `\uXXXX`,
/// surrogate pairs above U+FFFF).
struct TweetJSONWriter {
    var bytes: [UInt8] = []

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends a literal verbatim; it must already be valid JSON text.
    @inline(__always)
    mutating func raw(_ literal: StaticString) {
        literal.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends already-encoded JSON bytes verbatim.
    @inline(__always)
    mutating func raw(_ encoded: [UInt8]) {
        bytes.append(contentsOf: encoded)
    }

    mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var divisor: UInt64 = 1
        while divisor <= rest / 10 { divisor &*= 10 }
        while divisor > 0 {
            bytes.append(UInt8(truncatingIfNeeded: rest / divisor) &+ 48)
            rest %= divisor
            divisor /= 10
        }
    }

    @inline(__always)
    mutating func int(_ value: Int) { int(Int64(value)) }

    /// A number written as a JSON string, like `id_str` and `timestamp_ms`.
    mutating func quotedInt(_ value: Int64) {
        bytes.append(UInt8(ascii: "\""))
        int(value)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A quoted, escaped JSON string from valid UTF-8.
    mutating func string(_ utf8: ArraySlice<UInt8>, unicodeEscapes: Bool) {
        bytes.append(UInt8(ascii: "\""))
        escaped(utf8, unicodeEscapes: unicodeEscapes)
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    mutating func string(_ utf8: [UInt8], unicodeEscapes: Bool) {
        string(utf8[...], unicodeEscapes: unicodeEscapes)
    }

    /// Escaped string content without quotes. With `unicodeEscapes` every
    /// non-ASCII scalar becomes `\uXXXX`; otherwise it is copied as raw UTF-8.
    mutating func escaped(_ utf8: ArraySlice<UInt8>, unicodeEscapes: Bool) {
        var index = utf8.startIndex
        var runStart = index
        let end = utf8.endIndex
        while index < end {
            let b = utf8[index]
            let plain = b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x2F && (b < 0x80 || !unicodeEscapes)
            if plain {
                index += 1
                continue
            }
            if runStart < index { bytes.append(contentsOf: utf8[runStart..<index]) }
            if b < 0x80 {
                appendEscapedASCII(b)
                index += 1
            } else {
                index = appendUnicodeEscape(utf8, at: index)
            }
            runStart = index
        }
        if runStart < end { bytes.append(contentsOf: utf8[runStart..<end]) }
    }

    private mutating func appendEscapedASCII(_ b: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch b {
        case 0x22, 0x5C, 0x2F: bytes.append(b)
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        default: appendHex4(UInt32(b))
        }
    }

    /// Decodes the UTF-8 sequence at `index`, appends it as `\uXXXX` (or a
    /// surrogate pair) and returns the index after the sequence.
    private mutating func appendUnicodeEscape(_ utf8: ArraySlice<UInt8>, at index: Int) -> Int {
        let lead = utf8[index]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var scalar = UInt32(lead) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
        for offset in 1..<length {
            scalar = (scalar << 6) | (UInt32(utf8[index + offset]) & 0x3F)
        }
        if scalar > 0xFFFF {
            let v = scalar - 0x10000
            bytes.append(UInt8(ascii: "\\"))
            appendHex4(0xD800 + (v >> 10))
            bytes.append(UInt8(ascii: "\\"))
            appendHex4(0xDC00 + (v & 0x3FF))
        } else {
            bytes.append(UInt8(ascii: "\\"))
            appendHex4(scalar)
        }
        return index + length
    }

    private mutating func appendHex4(_ value: UInt32) {
        bytes.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt32(shift)) & 0xF)
            bytes.append(nibble < 10 ? nibble &+ 48 : nibble &+ 87)
        }
    }
}
