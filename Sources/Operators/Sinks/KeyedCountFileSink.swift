import Flow

/// Writes every key's count per window as CSV (`window_start_ms,window_end_ms,KEY,count`) or JSON
/// Lines, published under its name at the end.
public final class KeyedCountFileSink: ElementReceiver {
    private let file: FileOutput
    private let format: RankedCountFormat
    private let keyColumn: String
    private let lines: Counter

    public init(path: String, format: RankedCountFormat, keyColumn: String, context: SubtaskContext) throws {
        file = try FileOutput(path: path)
        self.format = format
        self.keyColumn = keyColumn
        lines = context.metrics.counter("output lines")
        if format == .csv { try file.write("window_start_ms,window_end_ms,\(keyColumn),count\n") }
    }

    public func receive(_ batch: [KeyedCount]) throws {
        for record in batch {
            switch format {
            case .csv:
                try file.write("\(record.windowStart.milliseconds),\(record.windowEnd.milliseconds),\(RankedCountFormat.csvField(record.key.string)),\(record.value)\n")
            case .jsonl:
                try file.write("{\"window_start_ms\":\(record.windowStart.milliseconds),\"window_end_ms\":\(record.windowEnd.milliseconds),\(JSONText.quoted(keyColumn)):\(JSONText.quoted(record.key.string)),\"count\":\(record.value)}\n")
            }
        }
        lines.add(batch.count)
    }

    public func receive(watermark: EventTime) throws {}
    public func receiveEndOfInput() throws { try file.publish() }
}
