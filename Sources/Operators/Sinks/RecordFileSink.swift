import Flow

/// Writes records to a file, one formatted line each after an optional header, published under
/// its name when the input ends.
public final class RecordFileSink<Record: Sendable>: ElementReceiver {
    private let file: FileOutput
    private let line: (Record) -> String
    private let lines: Counter

    public init(path: String, header: String?, context: SubtaskContext, line: @escaping (Record) -> String) throws {
        file = try FileOutput(path: path)
        self.line = line
        lines = context.metrics.counter("output lines")
        if let header { try file.write(header) }
    }

    public func receive(_ batch: [Record]) throws {
        for record in batch { try file.write(line(record)) }
        lines.add(batch.count)
    }

    public func receive(watermark: EventTime) throws {}
    public func receiveEndOfInput() throws { try file.publish() }
}
