/// Reads one channel that one or more upstream subtasks send to, in arrival order, and combines
/// their watermarks by the minimum; the end of input comes once every sender has ended.
struct MergingGate<Record: Sendable> {
    let channel: BoundedChannel<Envelope<Record>>
    let inputs: Int

    func run(into head: any ElementReceiver<Record>) throws {
        var tracker = WatermarkTracker(inputs: inputs)
        while let envelope = channel.receive() {
            switch envelope.element {
            case .records(let batch):
                if !batch.isEmpty || inputs == 1 { try head.receive(batch) }
            case .watermark(let watermark):
                if let advanced = tracker.update(watermark, forInput: envelope.sender) {
                    try head.receive(watermark: advanced)
                }
            case .endOfInput:
                let advanced = tracker.end(input: envelope.sender)
                if tracker.allEnded {
                    try head.receiveEndOfInput()
                    return
                }
                if let advanced { try head.receive(watermark: advanced) }
            }
        }
    }
}

/// Reads the channels of n parallel subtasks in the order an ordered round-robin dealt their
/// input (one batch from each in turn), so the stream comes out exactly as it went in. Control
/// elements were broadcast, so they arrive at the same place on every channel and pass once.
struct OrderedGate<Record: Sendable> {
    let channels: [BoundedChannel<Envelope<Record>>]

    func run(into head: any ElementReceiver<Record>) throws {
        var turn = 0
        while let envelope = channels[turn].receive() {
            switch envelope.element {
            case .records(let batch):
                try head.receive(batch)
                turn = (turn + 1) % channels.count
            case .watermark(let watermark):
                guard drainSameControl(except: turn) else { return }
                try head.receive(watermark: watermark)
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
