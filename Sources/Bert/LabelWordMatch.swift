/// How much a text speaks of a label in the label's own words: for each of the label's words, its
/// occurrences in the text, saturated as `tf / (tf + 1.2)` (BM25's term-frequency curve, without
/// length normalisation, which measured worse, nor document frequencies, which need the whole
/// corpus first), averaged over the label's words: 0 (no word of the label) to almost 1.
///
/// Words are runs of letters and digits, lowercased, with English plurals folded (dogs → dog,
/// witches → witch, parties → party), so "dog" matches "Dogs".
public struct LabelWordMatch: Sendable {
    /// The label's words, folded.
    public let words: [String]
    /// Each distinct word of the label at count 0, the start of every document's count.
    private let zeroCounts: [String: Int]

    /// The saturation constant (BM25's k1).
    static let saturation = 1.2

    /// A match for `label`, a label's words (a hashtag already turned into words).
    public init(label: String) {
        words = Self.words(in: label)
        zeroCounts = Dictionary(words.map { ($0, 0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The label's share of `text`, 0 to 1.
    public func share(in text: String) -> Double {
        share(ofWords: Self.words(in: text))
    }

    /// The label's share of a text's folded words (``words(in:)``), for texts read against
    /// several labels.
    public func share(ofWords textWords: [String]) -> Double {
        guard !words.isEmpty else { return 0 }
        var counts = zeroCounts
        for word in textWords where counts[word] != nil { counts[word]! += 1 }
        let total = words.reduce(0.0) { sum, word in
            let frequency = Double(counts[word] ?? 0)
            return sum + frequency / (frequency + Self.saturation)
        }
        return total / Double(words.count)
    }

    /// The folded words of `text`.
    public static func words(in text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text.lowercased() {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(fold(current))
                current = ""
            }
        }
        if !current.isEmpty { words.append(fold(current)) }
        return words
    }

    /// An English plural folded to its singular's stem: `glasses` → `glass`, `boxes` → `box`,
    /// `cats` → `cat`, and a consonant's `y` to `ie` so that `party` and `parties` meet.
    static func fold(_ word: String) -> String {
        var word = word
        if word.count > 4 && word.hasSuffix("sses") {
            word.removeLast(2)
        } else if word.count > 4 && (word.hasSuffix("xes") || word.hasSuffix("ches") || word.hasSuffix("shes")) {
            word.removeLast(2)
        } else if word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") && !word.hasSuffix("us") && !word.hasSuffix("is") {
            word.removeLast()
        }
        let characters = Array(word)
        if characters.count > 2, characters.last == "y", !"aeiou".contains(characters[characters.count - 2]) {
            word.removeLast()
            word += "ie"
        }
        return word
    }
}
