import Flow
import Foundation

/// A document's id as evaluation compares and orders them: a whole number (ids as TMDB writes
/// them) or a string; numbers come first, each kind in its natural order.
public enum DocumentID: Hashable, Comparable, Sendable, CustomStringConvertible {
    case number(Int64)
    case text(String)

    /// The id of a JSON value: an integral number or a string (nil otherwise).
    public init?(json value: Any) {
        if let number = jsonNumber(value), let integer = Int64(exactly: number) {
            self = .number(integer)
        } else if let text = value as? String {
            self = .text(text)
        } else {
            return nil
        }
    }

    /// The id of a CSV cell: a number if it reads as one, else the text.
    public init(cell: String) {
        self = Int64(cell).map(DocumentID.number) ?? .text(cell)
    }

    public var description: String {
        switch self {
        case .number(let value): String(value)
        case .text(let value): value
        }
    }

    public static func < (left: DocumentID, right: DocumentID) -> Bool {
        switch (left, right) {
        case (.number(let a), .number(let b)): a < b
        case (.text(let a), .text(let b)): a < b
        case (.number, .text): true
        case (.text, .number): false
        }
    }
}

/// JSON Lines read whole into objects; the lines that are not JSON objects are counted by number,
/// never fatal. Files over ``maximumBytes`` are refused.
public struct JSONObjectLines {
    public var objects: [(line: Int, object: [String: Any])] = []
    public var rejectedLines: [Int] = []

    /// The largest file read (1 GiB).
    public static let maximumBytes = 1 << 30

    public init(path: String, what: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size else { throw FlowError(.missingInput, "cannot read \(what) \(path); give an existing JSON Lines file") }
        guard size <= Self.maximumBytes else {
            throw FlowError(.missingInput, "\(what) \(path) holds \(size) bytes, more than the \(Self.maximumBytes) this command reads; split it")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FlowError(.missingInput, "cannot read \(what) \(path); check that it is a readable file")
        }
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            if let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] {
                objects.append((index + 1, object))
            } else {
                rejectedLines.append(index + 1)
            }
        }
    }
}

/// Each label's scores by document, from JSON Lines as `flowrun score` writes them
/// (`{"id":…,"label":…,"score":…}`) or as the classification job does (`{"id":…,
/// "classification_<label>":…}`), keyed by the label's field name (``ClassificationField``).
public struct ScoreTable {
    public private(set) var scores: [String: [DocumentID: Double]] = [:]
    /// Lines with no id, or no score in either shape.
    public private(set) var rejectedLines: [Int] = []

    public init(_ lines: JSONObjectLines) {
        rejectedLines = lines.rejectedLines
        for (line, object) in lines.objects {
            guard let id = object["id"].flatMap(DocumentID.init(json:)) else {
                rejectedLines.append(line)
                continue
            }
            var found = false
            if let label = object["label"] as? String, let score = Self.number(object["score"]) {
                scores[ClassificationField.name(for: label), default: [:]][id] = score
                found = true
            }
            for (key, value) in object where key.hasPrefix("classification_") && key != ClassificationField.modelField {
                guard let score = Self.number(value) else { continue }
                scores[key, default: [:]][id] = score
                found = true
            }
            if !found { rejectedLines.append(line) }
        }
        rejectedLines.sort()
    }

    private static func number(_ value: Any?) -> Double? {
        guard let value else { return nil }
        return jsonNumber(value)
    }
}

/// A finite JSON number (not `true` or `false`, which JSONSerialization also hands over as
/// NSNumber, of the C type `c`).
func jsonNumber(_ value: Any) -> Double? {
    guard let number = value as? NSNumber, String(cString: number.objCType) != "c", number.doubleValue.isFinite else { return nil }
    return number.doubleValue
}
