/// Lowercases hashtags with the full Unicode lowercase mapping, including the context-dependent
/// final sigma (Σ → ς at the end of a word), as Unicode (and Python's `str.lower`) define it.
/// Swift's `lowercased()` maps every Σ to σ, so it is not enough on its own.
public enum HashtagCase {
    public static func lowercase(_ text: String) -> String {
        if let ascii = asciiLowercase(text) { return ascii }
        // Swift's own full lowercase mapping is right for everything but the final sigma.
        if !text.unicodeScalars.contains("\u{03A3}") { return text.lowercased() }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar.value == 0x03A3 {
                result.append(isFinalSigma(at: index, in: scalars) ? "\u{03C2}" : "\u{03C3}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(result)
    }

    /// The lowercase of an ASCII text (the text itself when it has no capitals), nil if the text
    /// is not ASCII: one pass over the UTF-8 bytes, for the common case.
    private static func asciiLowercase(_ text: String) -> String? {
        var text = text
        let (isASCII, hasCapital) = text.withUTF8 { bytes in
            var any: UInt8 = 0, hasCapital = false
            for byte in bytes {
                any |= byte
                hasCapital = hasCapital || byte &- UInt8(ascii: "A") < 26
            }
            return (any < 0x80, hasCapital)
        }
        guard isASCII else { return nil }
        guard hasCapital else { return text }
        return String(decoding: text.utf8.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// Final_Sigma: a cased letter before (skipping case-ignorables), and no cased letter after.
    private static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        var before = index - 1
        while before >= 0 && scalars[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0, scalars[before].properties.isCased else { return false }
        var after = index + 1
        while after < scalars.count && scalars[after].properties.isCaseIgnorable { after += 1 }
        return after == scalars.count || !scalars[after].properties.isCased
    }
}
