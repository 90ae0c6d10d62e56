import Flow
import Foundation
import Synchronization

/// The malformed lines of a tweet log, written as JSON Lines: `{"file":…,"line":…,"reason":…,"text":…}`.
/// Lines longer than 64 KiB are cut.
///
/// Each decoder subtask keeps its entries (they are part of its checkpointed state) and hands them
/// over at the end of input; the file is written sorted by file and line, so it is the same at
/// every parallelism. Malformed lines are rare; they are held in memory until then.
public final class RejectFile: Sendable {
    /// One rejected line.
    struct Entry: Sendable, StateCodable {
        var fileIndex: Int
        var line: Int
        var json: String

        init(fileIndex: Int, line: Int, json: String) {
            self.fileIndex = fileIndex
            self.line = line
            self.json = json
        }

        func encode(to writer: inout StateWriter) {
            writer.write(fileIndex)
            writer.write(line)
            writer.write(json)
        }

        init(from reader: inout StateReader) throws {
            self.init(fileIndex: try reader.readInt(), line: try reader.readInt(), json: try reader.readString())
        }
    }

    /// Where the file goes; nil keeps only the count.
    public let path: String?
    private let entries = Mutex<[Entry]>([])

    public init(path: String?) { self.path = path }

    /// The entry for a malformed line.
    static func entry(fileIndex: Int, fileName: String, line: Int, reason: String, text: UnsafeBufferPointer<UInt8>) -> Entry {
        let cut = UnsafeBufferPointer(rebasing: text[..<min(text.count, 65_536)])
        let json = "{\"file\":\(JSONText.quoted(fileName)),\"line\":\(line),\"reason\":\(JSONText.quoted(reason)),\"text\":\(JSONText.quoted(String(decoding: cut, as: UTF8.self)))}\n"
        return Entry(fileIndex: fileIndex, line: line, json: json)
    }

    /// Takes a subtask's entries at the end of its input.
    func collect(_ subtaskEntries: [Entry]) {
        entries.withLock { $0.append(contentsOf: subtaskEntries) }
    }

    /// Writes the file (only if a path was given).
    public func write() throws {
        guard let path else { return }
        let sorted = entries.withLock { $0 }.sorted { ($0.fileIndex, $0.line) < ($1.fileIndex, $1.line) }
        let text = sorted.map(\.json).joined()
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw FlowError(.output, "cannot write the reject file \(path): \(error.localizedDescription); check that its folder exists and is writable")
        }
    }
}

/// JSON string quoting for the few places that write JSON by hand.
public enum JSONText {
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += String(format: "\\u%04x", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
