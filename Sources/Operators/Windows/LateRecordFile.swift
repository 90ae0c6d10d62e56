import Flow

/// The file of records that came after a window they belong to had closed, as JSON Lines
/// `{"key":…,"event_time_ms":…,"watermark_ms":…,"missed_windows":…}`, sorted by event time, then
/// text, so its content does not depend on the parallelism: the window operators' side output.
public typealias LateRecordFile = SideFileOutput<LateRecord>

extension SideFileOutput where Record == LateRecord {
    /// The late-records file at `path` (nil: late records are only counted).
    public convenience init(path: String?) {
        self.init(path: path, what: "late-records file", name: "late records")
    }
}
