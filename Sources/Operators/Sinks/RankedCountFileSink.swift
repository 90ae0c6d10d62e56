import Flow

/// Writes ranked counts to a CSV or JSON Lines file, published under its name at the end.
public final class RankedCountFileSink: ElementReceiver {
    private let file: FileOutput
    private let format: RankedCountFormat
    private let keyColumn: String
    private let lines: Counter

    public init(path: String, format: RankedCountFormat, keyColumn: String, context: SubtaskContext) throws {
        file = try FileOutput(path: path)
        self.format = format
        self.keyColumn = keyColumn
        lines = context.metrics.counter("output lines")
        if let header = format.header(keyColumn: keyColumn) { try file.write(header) }
    }

    public func receive(_ batch: [RankedCount]) throws {
        for record in batch { try file.write(format.line(record, keyColumn: keyColumn)) }
        lines.add(batch.count)
    }

    public func receive(watermark: EventTime) throws {}

    public func receiveEndOfInput() throws { try file.publish() }
}
