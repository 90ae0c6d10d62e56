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
        let (isASCII, lowered) = text.withUTF8 { bytes -> (Bool, String?) in
            var any: UInt8 = 0, hasCapital = false
            for byte in bytes {
                any |= byte
                hasCapital = hasCapital || byte &- UInt8(ascii: "A") < 26
            }
            guard any < 0x80, hasCapital else { return (any < 0x80, nil) }
            return (true, String(unsafeUninitializedCapacity: bytes.count) { lower in
                for index in bytes.indices { lower[index] = bytes[index] &- UInt8(ascii: "A") < 26 ? bytes[index] | 0x20 : bytes[index] }
                return bytes.count
            })
        }
        guard isASCII else { return nil }
        return lowered ?? text
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
