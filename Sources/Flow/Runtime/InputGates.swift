/// Reads one channel that one or more upstream subtasks send to, in arrival order, and combines
/// their watermarks by the minimum; the end of input comes once every sender has ended. With an
/// idle timeout, a sender that sent neither records nor watermarks for that long is left out of
/// the minimum until it sends again, so a silent input does not stop event time (Flink's
/// `withIdleness`).
///
/// Checkpoint barriers are aligned: once a sender's barrier arrives, what that sender sends next
/// is held back until every other sender's barrier has arrived too; then the barrier passes once
/// and the held elements follow. So the snapshot covers exactly the records before the barrier
/// on every input.
struct MergingGate<Record: Sendable> {
    let channel: BoundedChannel<Envelope<Record>>
    let inputs: Int
    var flushes: BufferTimeoutFlush
    /// Seconds of silence after which a sender is idle (nil: never).
    var idleTimeout: Double?

    func run(into head: any ElementReceiver<Record>) throws {
        var tracker = WatermarkTracker(inputs: inputs)
        var alignment = BarrierAlignment<Record>(inputs: inputs)
        var flushes = flushes
        var silence = idleTimeout.flatMap { inputs > 1 ? SenderSilence(inputs: inputs, timeout: $0) : nil }
        while true {
            let envelope: Envelope<Record>
            if let replayed = alignment.nextReplay() {
                envelope = replayed
            } else {
                switch try flushes.receive(from: channel, flushing: head, until: silence?.nextDeadline) {
                case .element(let received): envelope = received
                case .cancelled: return
                case .timedOut:
                    for sender in silence!.silentSenders(now: SystemClock.monotonicSeconds()) {
                        if let advanced = tracker.markIdle(sender) { try head.receive(watermark: advanced) }
                    }
                    continue
                }
            }
            if alignment.holds(envelope) { continue }
            switch envelope.element {
            case .records(let batch):
                if !batch.isEmpty, silence != nil {
                    silence!.heard(from: envelope.sender)
                    tracker.markActive(envelope.sender)
                }
                if !batch.isEmpty || inputs == 1 { try head.receive(batch) }
            case .watermark(let watermark):
                silence?.heard(from: envelope.sender)
                if let advanced = tracker.update(watermark, forInput: envelope.sender) {
                    try head.receive(watermark: advanced)
                }
            case .barrier(let barrier):
                if alignment.arrived(barrier, from: envelope.sender) { try head.receive(barrier: barrier) }
            case .endOfInput:
                silence?.ended(envelope.sender)
                let advanced = tracker.end(input: envelope.sender)
                if let barrier = alignment.ended(envelope.sender) { try head.receive(barrier: barrier) }
                if tracker.allEnded {
                    try head.receiveEndOfInput()
                    return
                }
                if let advanced { try head.receive(watermark: advanced) }
            }
        }
    }
}

/// The barrier alignment of a gate with several senders.
struct BarrierAlignment<Record: Sendable> {
    private var blocked: [Bool]
    private var ended: [Bool]
    private var current: CheckpointBarrier?
    /// Elements from blocked senders, in arrival order.
    private var held: [Envelope<Record>] = []
    /// Elements to process again before reading the channel.
    private var replay: [Envelope<Record>] = []
    private var replayIndex = 0

    init(inputs: Int) {
        blocked = Array(repeating: false, count: inputs)
        ended = Array(repeating: false, count: inputs)
    }

    mutating func nextReplay() -> Envelope<Record>? {
        guard replayIndex < replay.count else {
            if !replay.isEmpty {
                replay.removeAll(keepingCapacity: true)
                replayIndex = 0
            }
            return nil
        }
        replayIndex += 1
        return replay[replayIndex - 1]
    }

    /// Whether the element must wait (its sender already delivered the current barrier).
    mutating func holds(_ envelope: Envelope<Record>) -> Bool {
        guard blocked[envelope.sender] else { return false }
        held.append(envelope)
        return true
    }

    /// Records a barrier; true when it is the last one awaited and should pass on.
    mutating func arrived(_ barrier: CheckpointBarrier, from sender: Int) -> Bool {
        if blocked.count == 1 { return true }
        precondition(current == nil || current == barrier, "barrier \(barrier.id) overtook barrier \(current!.id)")
        current = barrier
        blocked[sender] = true
        return completeIfAligned()
    }

    /// Records that a sender ended; returns the current barrier if that completed its alignment.
    mutating func ended(_ sender: Int) -> CheckpointBarrier? {
        ended[sender] = true
        guard let barrier = current else { return nil }
        return completeIfAligned() ? barrier : nil
    }

    private mutating func completeIfAligned() -> Bool {
        for index in blocked.indices where !blocked[index] && !ended[index] { return false }
        current = nil
        blocked = Array(repeating: false, count: blocked.count)
        replay = held + replay[replayIndex...]
        replayIndex = 0
        held = []
        return true
    }
}

/// Reads the channels of n parallel subtasks in the order an ordered round-robin dealt their
/// input (one batch from each in turn), so the stream comes out exactly as it went in. Control
/// elements were broadcast, so they arrive at the same place on every channel and pass once.
struct OrderedGate<Record: Sendable> {
    let channels: [BoundedChannel<Envelope<Record>>]
    var flushes: BufferTimeoutFlush

    func run(into head: any ElementReceiver<Record>) throws {
        var turn = 0
        var flushes = flushes
        while let envelope = try flushes.receive(from: channels[turn], flushing: head) {
            switch envelope.element {
            case .records(let batch):
                try head.receive(batch)
                turn = (turn + 1) % channels.count
            case .watermark(let watermark):
                guard drainSameControl(except: turn) else { return }
                try head.receive(watermark: watermark)
            case .barrier(let barrier):
                guard drainSameControl(except: turn) else { return }
                try head.receive(barrier: barrier)
            case .endOfInput:
                guard drainSameControl(except: turn) else { return }
                try head.receiveEndOfInput()
                return
            }
        }
    }

    /// Takes the matching control element from every other channel. Returns false if cancelled.
    private func drainSameControl(except turn: Int) -> Bool {
        for index in channels.indices where index != turn {
            guard let envelope = channels[index].receive() else { return false }
            if case .records = envelope.element {
                preconditionFailure("ordered gate: channel \(index) sent records where channel \(turn) sent control")
            }
        }
        return true
    }
}

/// How a gate waits for input, and when it flushes its task's chain (``ElementReceiver/flush()``):
/// at most the buffer timeout after the task took the first records not flushed yet — before the
/// next element when the input is busy, or when the wait for one reaches that time. So a record
/// is sent on within the buffer timeout whatever follows it, while a busy input still fills
/// whole batches in between. A timeout of zero flushes after every batch.
struct BufferTimeoutFlush {
    let bufferTimeout: Double
    /// When the task took the first records not flushed yet (monotonic seconds).
    private var holdingSince: Double?

    init(bufferTimeout: Double) { self.bufferTimeout = bufferTimeout }

    /// The next element of `channel`, flushing `head` when the buffer timeout comes first; nil
    /// once the exchange is cancelled.
    mutating func receive<Record>(from channel: BoundedChannel<Envelope<Record>>,
                                  flushing head: any ElementReceiver<Record>) throws -> Envelope<Record>? {
        switch try receive(from: channel, flushing: head, until: nil) {
        case .element(let envelope): envelope
        case .timedOut, .cancelled: nil
        }
    }

    /// The next element of `channel`, flushing `head` when the buffer timeout comes first; or
    /// ``BoundedChannel/TimedReceive/timedOut`` at `deadline` (monotonic seconds) if none came by then.
    mutating func receive<Record>(from channel: BoundedChannel<Envelope<Record>>, flushing head: any ElementReceiver<Record>,
                                  until deadline: Double?) throws -> BoundedChannel<Envelope<Record>>.TimedReceive {
        while true {
            let flushAt = holdingSince.map { $0 + bufferTimeout }
            guard let wakeAt = flushAt.map({ flush in deadline.map { min(flush, $0) } ?? flush }) ?? deadline else {
                guard let envelope = channel.receive() else { return .cancelled }
                return .element(taken(envelope))
            }
            // Past the time, still take what is there: a deadline passes only on an empty channel.
            switch channel.receive(waitingAtMost: max(0, wakeAt - SystemClock.monotonicSeconds())) {
            case .element(let envelope): return .element(taken(envelope))
            case .cancelled: return .cancelled
            case .timedOut: break
            }
            if let flushAt, flushAt <= SystemClock.monotonicSeconds() {
                holdingSince = nil
                try head.flush()
            } else if deadline != nil {
                return .timedOut
            }
        }
    }

    private mutating func taken<Record>(_ envelope: Envelope<Record>) -> Envelope<Record> {
        if holdingSince == nil, case .records(let batch) = envelope.element, !batch.isEmpty {
            holdingSince = SystemClock.monotonicSeconds()
        }
        return envelope
    }
}

/// When each sender of a gate was last heard from (records or a watermark), to tell which have
/// been silent for the idle timeout.
struct SenderSilence {
    let timeout: Double
    private var lastHeard: [Double]
    /// Senders marked silent, or ended: no deadline of theirs is pending.
    private var settled: [Bool]

    init(inputs: Int, timeout: Double) {
        self.timeout = timeout
        lastHeard = Array(repeating: SystemClock.monotonicSeconds(), count: inputs)
        settled = Array(repeating: false, count: inputs)
    }

    /// The earliest time a sender not yet silent becomes silent (monotonic seconds).
    var nextDeadline: Double? {
        var earliest: Double?
        for index in lastHeard.indices where !settled[index] { earliest = min(earliest ?? .infinity, lastHeard[index] + timeout) }
        return earliest
    }

    mutating func heard(from sender: Int) {
        lastHeard[sender] = SystemClock.monotonicSeconds()
        settled[sender] = false
    }

    mutating func ended(_ sender: Int) { settled[sender] = true }

    /// The senders silent for the timeout at `now`, each reported once until heard from again.
    mutating func silentSenders(now: Double) -> [Int] {
        var silent: [Int] = []
        for index in lastHeard.indices where !settled[index] && now - lastHeard[index] >= timeout {
            settled[index] = true
            silent.append(index)
        }
        return silent
    }
}
