/// Turns a hashtag into the words a language model reads: `#MerryChristmas` → "merry christmas",
/// `#covid19` → "covid 19", `#new_year` → "new year", `#NASALaunch` → "nasa launch".
public enum HashtagWords {
    public static func words(_ hashtag: String) -> String {
        let scalars = Array(hashtag.unicodeScalars.drop { $0 == "#" })
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func finish() {
            if !current.isEmpty { words.append(String(current).lowercased()) }
            current = String.UnicodeScalarView()
        }
        for (index, scalar) in scalars.enumerated() {
            let properties = scalar.properties
            if scalar == "_" || scalar == "-" || properties.isWhitespace {
                finish()
                continue
            }
            if let previous = current.last {
                let next = index + 1 < scalars.count ? scalars[index + 1] : nil
                let lowerToUpper = previous.properties.isLowercase && properties.isUppercase
                // "NASALaunch": the last capital of a run starts the next word.
                let acronymEnd = previous.properties.isUppercase && properties.isUppercase && (next?.properties.isLowercase ?? false)
                let letterDigit = Self.isDigit(previous) != Self.isDigit(scalar)
                if lowerToUpper || acronymEnd || letterDigit { finish() }
            }
            current.append(scalar)
        }
        finish()
        return words.joined(separator: " ")
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.numericType == .decimal }
}
