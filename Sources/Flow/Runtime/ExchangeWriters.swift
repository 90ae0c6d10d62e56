/// Sends every element to one channel, batches as they come (empty ones too, which ordered
/// exchanges count on).
final class ChannelWriter<Record: Sendable>: ElementReceiver {
    private let channel: BoundedChannel<Envelope<Record>>
    private let sender: Int
    private let backpressure: Counter?

    init(channel: BoundedChannel<Envelope<Record>>, sender: Int, backpressure: Counter?) {
        self.channel = channel
        self.sender = sender
        self.backpressure = backpressure
    }

    func receive(_ batch: [Record]) throws { try send(.records(batch)) }
    func receive(watermark: EventTime) throws { try send(.watermark(watermark)) }
    func receive(barrier: CheckpointBarrier) throws { try send(.barrier(barrier)) }
    func receiveEndOfInput() throws { try send(.endOfInput) }

    private func send(_ element: StreamElement<Record>) throws {
        guard channel.send(Envelope(sender: sender, element: element), waitedInto: backpressure) else { throw ExchangeCancelled() }
    }
}

/// Deals batches to the channels in turn (batch i to channel i mod n); control goes to all.
final class RoundRobinWriter<Record: Sendable>: ElementReceiver {
    private let channels: [BoundedChannel<Envelope<Record>>]
    private let backpressure: Counter?
    private var nextChannel = 0

    init(channels: [BoundedChannel<Envelope<Record>>], backpressure: Counter?) {
        self.channels = channels
        self.backpressure = backpressure
    }

    func receive(_ batch: [Record]) throws {
        guard channels[nextChannel].send(Envelope(sender: 0, element: .records(batch)), waitedInto: backpressure) else { throw ExchangeCancelled() }
        nextChannel = (nextChannel + 1) % channels.count
    }

    func receive(watermark: EventTime) throws { try broadcast(.watermark(watermark)) }
    func receive(barrier: CheckpointBarrier) throws { try broadcast(.barrier(barrier)) }
    func receiveEndOfInput() throws { try broadcast(.endOfInput) }

    private func broadcast(_ element: StreamElement<Record>) throws {
        for channel in channels where !channel.send(Envelope(sender: 0, element: element), waitedInto: backpressure) { throw ExchangeCancelled() }
    }
}

/// Routes each record to the subtask that owns its key group, collecting full batches per
/// subtask; before a watermark or the end of input it sends what it holds, so control keeps its
/// place relative to the records on every channel. Its task flushes it (``flush()``) when the
/// buffer timeout passes, so no record waits longer for a fuller batch.
final class HashWriter<Record: Sendable>: ElementReceiver {
    private let channels: [BoundedChannel<Envelope<Record>>]
    private let sender: Int
    private let batchSize: Int
    private let maxParallelism: Int
    private let keyGroup: @Sendable (Record) -> KeyGroup
    private let backpressure: Counter?
    private var pending: [[Record]]

    init(channels: [BoundedChannel<Envelope<Record>>], sender: Int, batchSize: Int, maxParallelism: Int,
         keyGroup: @escaping @Sendable (Record) -> KeyGroup, backpressure: Counter?) {
        self.channels = channels
        self.backpressure = backpressure
        self.sender = sender
        self.batchSize = batchSize
        self.maxParallelism = maxParallelism
        self.keyGroup = keyGroup
        pending = Array(repeating: [], count: channels.count)
    }

    func receive(_ batch: [Record]) throws {
        let parallelism = channels.count
        if parallelism == 1 {
            pending[0].append(contentsOf: batch)
        } else {
            // Targets first, then one array per target filled through raw buffers: this code runs
            // unspecialised (generic over the record type), where every array operation per record
            // would look up type metadata.
            let targets = batch.map { keyGroup($0).subtask(parallelism: parallelism, maxParallelism: maxParallelism) }
            var counts = [Int](repeating: 0, count: parallelism)
            for target in targets { counts[target] += 1 }
            batch.withUnsafeBufferPointer { records in
                for target in 0..<parallelism where counts[target] > 0 {
                    let part = [Record](unsafeUninitializedCapacity: counts[target]) { buffer, initialized in
                        var next = buffer.baseAddress!
                        for index in targets.indices where targets[index] == target {
                            next.initialize(to: records[index])
                            next += 1
                        }
                        initialized = counts[target]
                    }
                    pending[target].append(contentsOf: part)
                }
            }
        }
        for target in 0..<parallelism where pending[target].count >= batchSize { try send(target) }
    }

    func flush() throws {
        for target in pending.indices where !pending[target].isEmpty { try send(target) }
    }

    func receive(watermark: EventTime) throws { try broadcast(.watermark(watermark)) }
    func receive(barrier: CheckpointBarrier) throws { try broadcast(.barrier(barrier)) }
    func receiveEndOfInput() throws { try broadcast(.endOfInput) }

    private func send(_ target: Int) throws {
        let batch = pending[target]
        pending[target] = []
        pending[target].reserveCapacity(batchSize)
        guard channels[target].send(Envelope(sender: sender, element: .records(batch)), waitedInto: backpressure) else { throw ExchangeCancelled() }
    }

    private func broadcast(_ element: StreamElement<Record>) throws {
        for target in channels.indices {
            if !pending[target].isEmpty { try send(target) }
            guard channels[target].send(Envelope(sender: sender, element: element), waitedInto: backpressure) else { throw ExchangeCancelled() }
        }
    }
}
