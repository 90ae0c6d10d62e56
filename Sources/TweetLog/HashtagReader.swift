/// Reads `entities.hashtags[].<field>` from the scanner, validating everything it skips.
/// Anything of the wrong type along the way yields no hashtags, never an error.
enum HashtagReader {
    /// Reads an `entities` object and returns the string `field` of each element of its `hashtags`.
    static func entities(_ scanner: inout JSONScanner, field: StaticString) throws(JSONScanner.Malformed) -> [String] {
        try member("hashtags", of: &scanner) { scanner throws(JSONScanner.Malformed) in
            try hashtags(&scanner, field: field)
        } ?? []
    }

    /// Reads an object and returns what `read` made of its (last) member `name`; nil if the value
    /// is not an object or has no such member.
    static func member<T>(_ name: StaticString, of scanner: inout JSONScanner,
                          _ read: (inout JSONScanner) throws(JSONScanner.Malformed) -> T) throws(JSONScanner.Malformed) -> T? {
        guard scanner.peek() == UInt8(ascii: "{") else { try scanner.skipValue(); return nil }
        var result: T?
        try scanner.forEachMember { scanner, key throws(JSONScanner.Malformed) in
            if key.equals(name, in: scanner.bytes) { result = try read(&scanner) } else { try scanner.skipValue() }
        }
        return result
    }

    private static func hashtags(_ scanner: inout JSONScanner, field: StaticString) throws(JSONScanner.Malformed) -> [String] {
        guard scanner.peek() == UInt8(ascii: "[") else { try scanner.skipValue(); return [] }
        var tags: [String] = []
        try scanner.forEachElement { scanner throws(JSONScanner.Malformed) in
            let tag: String?? = try member(field, of: &scanner) { scanner throws(JSONScanner.Malformed) in
                guard scanner.peek() == UInt8(ascii: "\"") else { try scanner.skipValue(); return nil }
                return try scanner.scanString().string(in: scanner.bytes)
            }
            if let tag = tag ?? nil { tags.append(tag) }
        }
        return tags
    }
}
