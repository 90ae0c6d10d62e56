import Operators

/// Elasticsearch's rules for index names (the `indices.create` path parameter): lowercase; none
/// of `\ / * ? " < > |`, space, `,`, `#` or `:` (nor a control character); not starting with `-`,
/// `_` or `+`; not `.` or `..`; at most 255 bytes of UTF-8.
enum ElasticsearchIndexName {
    /// What is wrong with `name`, as the end of a sentence ("has capitals"); nil for a valid name.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name != name.lowercased() { return "has capitals" }
        if let character = name.unicodeScalars.first(where: { forbidden.contains($0) || $0.properties.generalCategory == .control }) {
            return "holds \(TerminalText.quoted(String(character)))"
        }
        if let first = name.first, "-_+".contains(first) { return "starts with \(first)" }
        if name == "." || name == ".." { return "is \(name)" }
        if name.utf8.count > 255 { return "is \(name.utf8.count) bytes long (at most 255)" }
        return nil
    }

    private static let forbidden = Set("\\/*?\"<>| ,#:".unicodeScalars)
}
