import Flow
import Foundation

/// A document to score: its id (kept as the JSON it was written as, a number or a string) and its
/// text.
public struct Document: Sendable {
    /// The id as JSON text, e.g. `5` or `"tt0111161"`.
    public var idJSON: String
    public var text: String
    /// The `classification_*` fields the document already has, and the model that scored them
    /// (`classification_model`), so scores made by the same model need not be made again.
    public var scoredFields: Set<String>
    public var scoredBy: String?
    /// The whole document as one line of JSON, when its source was asked to keep it (for indexing).
    public var sourceJSON: String?

    public init(idJSON: String, text: String, scoredFields: Set<String> = [], scoredBy: String? = nil, sourceJSON: String? = nil) {
        self.idJSON = idJSON
        self.text = text
        self.scoredFields = scoredFields
        self.scoredBy = scoredBy
        self.sourceJSON = sourceJSON
    }

    /// The scores a document already holds, from its JSON object.
    public static func scores(in object: [String: Any]) -> (fields: Set<String>, model: String?) {
        let model = object[ClassificationField.modelField] as? String
        return (Set(object.keys.filter { $0.hasPrefix("classification_") && $0 != ClassificationField.modelField && object[$0] is NSNumber }), model)
    }
}

/// Reads JSON Lines documents: each line an object with an id field and one or more text fields
/// (joined with ". " when several are given and present). Lines that are not such objects are
/// counted and their line numbers kept, never fatal.
public struct DocumentLines: Sendable {
    public var idField = "id"
    public var textFields = ["text"]
    /// Whether each document keeps its whole line (``Document/sourceJSON``).
    public var keepsSource = false

    public init(idField: String = "id", textFields: [String] = ["text"], keepsSource: Bool = false) {
        self.idField = idField
        self.textFields = textFields
        self.keepsSource = keepsSource
    }

    /// What a file held: its documents, and the lines that were not documents.
    public struct Contents {
        public var documents: [Document] = []
        public var rejectedLines: [(line: Int, reason: String)] = []
    }

    public func read(path: String) throws -> Contents {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FlowError(.missingInput, "cannot read \(path); give an existing JSON Lines file of {\"\(idField)\":…,\"\(textFields[0])\":…} objects")
        }
        var contents = Contents()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            switch document(Data(line)) {
            case .success(let document): contents.documents.append(document)
            case .failure(let problem): contents.rejectedLines.append((lineNumber, problem.reason))
            }
        }
        return contents
    }

    struct Problem: Error { var reason: String }

    func document(_ line: Data) -> Result<Document, Problem> {
        guard let object = try? JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed]) as? [String: Any] else {
            return .failure(Problem(reason: "not a JSON object"))
        }
        guard let id = object[idField], id is String || id is NSNumber,
              let idData = try? JSONSerialization.data(withJSONObject: id, options: [.fragmentsAllowed]) else {
            return .failure(Problem(reason: "no string or number \(idField)"))
        }
        let texts = textFields.compactMap { object[$0] as? String }
        guard !texts.isEmpty else { return .failure(Problem(reason: "no string \(textFields.joined(separator: " or "))")) }
        let scored = Document.scores(in: object)
        let source = keepsSource ? String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
        return .success(Document(idJSON: String(decoding: idData, as: UTF8.self), text: texts.filter { !$0.isEmpty }.joined(separator: ". "),
                                 scoredFields: scored.fields, scoredBy: scored.model, sourceJSON: source))
    }
}
