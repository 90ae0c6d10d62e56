import Flow
import Foundation
import Synchronization

/// The side output of records that came after a window they belong to had fired: counted, and
/// written as JSON Lines `{"key":…,"event_time_ms":…,"watermark_ms":…,"missed_windows":…}`.
///
/// Each window subtask keeps its entries (they are part of its checkpointed state) and hands them
/// over at the end of input; the file is written sorted, so its content does not depend on the
/// parallelism. Late records are rare; they are held in memory until then.
public final class LateRecordFile: Sendable {
    /// One late record.
    struct Entry: Sendable, StateCodable {
        var time: Int64
        var json: String

        init(time: Int64, json: String) {
            self.time = time
            self.json = json
        }

        func encode(to writer: inout StateWriter) {
            writer.write(time)
            writer.write(json)
        }

        init(from reader: inout StateReader) throws {
            self.init(time: try reader.readEventTime(), json: try reader.readString())
        }
    }

    public let path: String?
    private let entries = Mutex<[Entry]>([])

    public init(path: String?) { self.path = path }

    /// The entry for a late record; nil when no file is written.
    func entry(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) -> Entry? {
        guard path != nil else { return nil }
        let json = "{\"key\":\(JSONText.quoted(key)),\"event_time_ms\":\(eventTime),\"watermark_ms\":\(watermark),\"missed_windows\":\(missedWindows)}\n"
        return Entry(time: eventTime, json: json)
    }

    /// Takes a subtask's entries at the end of its input.
    func collect(_ subtaskEntries: [Entry]) {
        entries.withLock { $0.append(contentsOf: subtaskEntries) }
    }

    /// Writes the file (only if a path was given).
    public func write() throws {
        guard let path else { return }
        let sorted = entries.withLock { $0 }.sorted {
            $0.time != $1.time ? $0.time < $1.time : $0.json.utf8.lexicographicallyPrecedes($1.json.utf8)
        }
        do {
            try sorted.map(\.json).joined().write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw FlowError(.output, "cannot write the late-records file \(path): \(error.localizedDescription); check that its folder exists and is writable")
        }
    }
}
