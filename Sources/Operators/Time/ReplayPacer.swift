import Flow

/// How fast a recorded log is replayed.
public enum ReplaySpeed: Sendable, Equatable, CustomStringConvertible {
    /// As fast as possible.
    case max
    /// `factor` seconds of event time per second of wall time (1 is real time).
    case factor(Double)

    /// Parses `max`, `realtime`, or a factor such as `60x`; nil for anything else.
    public init?(_ text: String) {
        switch text.lowercased() {
        case "max": self = .max
        case "realtime": self = .factor(1)
        default:
            guard text.lowercased().hasSuffix("x"), let factor = Double(text.dropLast()), factor > 0, factor.isFinite else { return nil }
            self = .factor(factor)
        }
    }

    public var description: String {
        switch self {
        case .max: "max"
        case .factor(let factor): factor == 1 ? "realtime" : "\(factor)x"
        }
    }
}

/// Holds records back so that event time passes at a chosen rate against the wall clock
/// (measured from the first record, following the largest event time seen). Order and content
/// are untouched, so the output is the same at every speed.
public final class ReplayPacer<Record: Sendable & EventTimed>: ElementReceiver {
    private let output: Output<Record>
    private let factor: Double
    private let clock: any WallClock
    private var start: (eventTime: Int64, wall: Double)?
    private var maxEventTime = Int64.min

    public init(output: Output<Record>, factor: Double, clock: any WallClock = SystemClock()) {
        self.output = output
        self.factor = factor
        self.clock = clock
    }

    public func receive(_ batch: [Record]) throws {
        for record in batch {
            let time = record.eventTime.milliseconds
            if time > maxEventTime {
                maxEventTime = time
                try waitUntilDue(time)
            }
            output.emit(record)
        }
        try output.flush()
    }

    private func waitUntilDue(_ time: Int64) throws {
        guard let start else {
            start = (time, clock.now())
            return
        }
        let due = start.wall + (Double(time) - Double(start.eventTime)) / 1000 / factor
        let wait = due - clock.now()
        if wait > 0.001 {
            try output.flush()
            clock.sleep(seconds: wait)
        }
    }

    public func receive(watermark: EventTime) throws { try output.emit(watermark: watermark) }
    public func receive(barrier: CheckpointBarrier) throws { try output.emit(barrier: barrier) }
    public func receiveEndOfInput() throws { try output.emitEndOfInput() }
}
