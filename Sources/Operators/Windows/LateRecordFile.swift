import Flow
import Foundation
import Synchronization

/// The side output of records that came after a window they belong to had fired: counted, and
/// written as JSON Lines `{"key":…,"event_time_ms":…,"watermark_ms":…,"missed_windows":…}`.
///
/// Every subtask adds to one file; it is written sorted when the job ends, so its content does not
/// depend on the parallelism. Late records are rare; they are held in memory until then.
public final class LateRecordFile: Sendable {
    public let path: String?
    private let lines = Mutex<[(time: Int64, json: String)]>([])

    public init(path: String?) { self.path = path }

    func add(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) {
        guard path != nil else { return }
        let json = "{\"key\":\(JSONText.quoted(key)),\"event_time_ms\":\(eventTime),\"watermark_ms\":\(watermark),\"missed_windows\":\(missedWindows)}\n"
        lines.withLock { $0.append((eventTime, json)) }
    }

    /// Writes the file (only if a path was given).
    public func write() throws {
        guard let path else { return }
        let sorted = lines.withLock { $0 }.sorted {
            $0.time != $1.time ? $0.time < $1.time : $0.json.utf8.lexicographicallyPrecedes($1.json.utf8)
        }
        do {
            try sorted.map(\.json).joined().write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw FlowError(.output, "cannot write the late-records file \(path): \(error.localizedDescription); check that its folder exists and is writable")
        }
    }
}
