import Flow
import Foundation
import Operators
import TweetLog

/// Field names for scores: `classification_` and the label lowercased, keeping the letters, marks
/// and digits of every script and `_`, dropping everything else (`#`, `.`, spaces, punctuation),
/// in Unicode's composed form (NFC): `#MerryChristmas` → `classification_merrychristmas`,
/// `日本` → `classification_日本`.
///
/// Elasticsearch and OpenSearch take such names as they are; a dot would make an object path, and
/// a name differing only in case or composition would be a second field. Two labels that still
/// give one name (`Space` and `space`, `a.b` and `ab`) are refused by ``names(for:)``.
public enum ClassificationField {
    /// The field naming the model that made a document's scores.
    public static let modelField = "classification_model"

    /// The field name for one label.
    public static func name(for label: String) -> String {
        let kept = HashtagCase.lowercase(label).precomposedStringWithCanonicalMapping.unicodeScalars.filter(isKept)
        return "classification_" + String(String.UnicodeScalarView(kept))
    }

    /// The field names for `labels`, in their order.
    /// - Throws: ``FlowError`` (`.invalidJob`) naming both labels when two labels give one field
    ///   name, or naming the label that would give ``modelField``.
    public static func names(for labels: [String]) throws -> [String] {
        var labelOfField: [String: String] = [:]
        return try labels.map { label in
            let field = name(for: label)
            if field == modelField {
                throw FlowError(.invalidJob, "the label \(TerminalText.quoted(label)) would be stored as \(modelField), the field that names the model; rename or drop it")
            }
            if let other = labelOfField[field] {
                throw FlowError(.invalidJob, "the labels \(TerminalText.quoted(other)) and \(TerminalText.quoted(label)) would both be stored as \(TerminalText.quoted(field)); rename or drop one of them")
            }
            labelOfField[field] = label
            return field
        }
    }

    /// An index's `mappings` part that makes every `classification_*` score field a `float` (and
    /// leaves the model field to be mapped as a keyword).
    public static var dynamicMapping: [String: Any] {
        ["dynamic_templates": [["classification_scores": ["match": "classification_*", "unmatch": modelField, "mapping": ["type": "float"]]]]]
    }

    private static func isKept(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            true
        default:
            scalar == "_"
        }
    }
}
