import Flow

/// A record that came after a window it belongs to had closed: the side output of the window
/// operators, written to the late-records file.
public struct LateRecord: SideFileRecord, Equatable {
    /// The record's key, as the job describes it.
    public var key: String
    public var eventTime: Int64
    /// The watermark when the record came.
    public var watermark: Int64
    /// How many windows it belonged to had closed.
    public var missedWindows: Int64

    public init(key: String, eventTime: Int64, watermark: Int64, missedWindows: Int64) {
        self.key = key
        self.eventTime = eventTime
        self.watermark = watermark
        self.missedWindows = missedWindows
    }

    public var sortKeys: (first: Int64, second: Int64) { (eventTime, 0) }

    public var jsonLine: String {
        "{\"key\":\(JSONText.quoted(key)),\"event_time_ms\":\(eventTime),\"watermark_ms\":\(watermark),\"missed_windows\":\(missedWindows)}\n"
    }
}
