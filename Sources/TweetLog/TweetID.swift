/// Finds a tweet's id in its line: `id_str` or `id` at the top level (v1.1), or `data.id` (v2).
public enum TweetID {
    /// The id's text, or nil when the line is no JSON object or holds no id.
    public static func find(in line: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var scanner = JSONScanner(line)
        var found: [UInt8]?
        do throws(JSONScanner.Malformed) {
            guard scanner.peek() == UInt8(ascii: "{") else { return nil }
            try scanner.forEachMember { scanner, key throws(JSONScanner.Malformed) in
                if key.equals("id_str", in: scanner.bytes) {
                    if let text = try idText(&scanner) { found = text }
                } else if key.equals("id", in: scanner.bytes) {
                    if found == nil { found = try idText(&scanner) } else { try scanner.skipValue() }
                } else if key.equals("data", in: scanner.bytes), scanner.peek() == UInt8(ascii: "{") {
                    try scanner.forEachMember { scanner, key throws(JSONScanner.Malformed) in
                        if key.equals("id", in: scanner.bytes) {
                            if let text = try idText(&scanner) { found = text }
                        } else {
                            try scanner.skipValue()
                        }
                    }
                } else {
                    try scanner.skipValue()
                }
            }
        } catch {
            return nil
        }
        return found
    }

    /// A string's bytes, or an integer's digits; nil (skipped) for any other value.
    private static func idText(_ scanner: inout JSONScanner) throws(JSONScanner.Malformed) -> [UInt8]? {
        switch scanner.peek() ?? 0 {
        case UInt8(ascii: "\""):
            let text = try scanner.scanString()
            return text.raw.map { Array(scanner.bytes[$0]) } ?? text.decoded
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try scanner.scanNumber().map { Array(String($0).utf8) }
        default:
            try scanner.skipValue()
            return nil
        }
    }
}
