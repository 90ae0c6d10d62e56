/// The size and kind of one edge between two tasks.
public struct ExchangeShape: Sendable {
    public var partitioning: Partitioning
    /// Subtasks sending.
    public var upstream: Int
    /// Subtasks receiving.
    public var downstream: Int
    /// Records per batch that a hash exchange collects before sending.
    public var batchSize: Int
    /// Batches a channel holds before its senders wait.
    public var channelCapacity: Int
    public var maxParallelism: Int
    /// The longest a record waits in the receiving task for a fuller batch, in seconds (0: none).
    public var bufferTimeout: Double = StreamJob.defaultBufferTimeout.seconds
    /// Seconds after which a silent sender stops holding back the receivers' watermark (nil: never).
    public var idleTimeout: Double?
    /// How long the batches a channel holds may take its receiver, in seconds: a quarter second
    /// per exchange keeps a checkpoint barrier's wait behind them near a second in a pipeline of
    /// four under backpressure, and never binds a receiver that keeps up.
    public var inFlightTarget = 0.25
}

/// Thrown by a writer whose channel was cancelled: the job is stopping and the task should too.
public struct ExchangeCancelled: Error {}

/// The in-process exchange of one edge between two tasks: bounded channels of batches between
/// threads, with a writer for each sending subtask and a gate for each receiving one.
final class ChannelExchange<Record: Sendable>: Sendable {
    let shape: ExchangeShape
    let channels: [BoundedChannel<Envelope<Record>>]
    let keyGroup: (@Sendable (Record) -> KeyGroup)?

    init(shape: ExchangeShape, keyGroup: (@Sendable (Record) -> KeyGroup)? = nil) {
        self.shape = shape
        self.keyGroup = keyGroup
        let count = shape.partitioning == .orderedGather ? shape.upstream : shape.downstream
        channels = (0..<count).map { _ in BoundedChannel(capacity: shape.channelCapacity, inFlightTarget: shape.inFlightTarget) }
    }

    /// The receiver that the last operator of upstream subtask `upstream` emits into; the time it
    /// waits for full channels goes to `backpressure`.
    func makeWriter(upstream: Int, backpressure: Counter?) -> any ElementReceiver<Record> {
        switch shape.partitioning {
        case .forward: ChannelWriter(channel: channels[upstream], sender: upstream, backpressure: backpressure)
        case .orderedGather: ChannelWriter(channel: channels[upstream], sender: upstream, backpressure: backpressure)
        case .gather: ChannelWriter(channel: channels[0], sender: upstream, backpressure: backpressure)
        case .orderedRebalance: RoundRobinWriter(channels: channels, backpressure: backpressure)
        case .hash:
            HashWriter(
                channels: channels, sender: upstream, batchSize: shape.batchSize,
                maxParallelism: shape.maxParallelism, keyGroup: keyGroup!, backpressure: backpressure
            )
        }
    }

    /// How full downstream subtask `downstream`'s input is (the fullest of its channels).
    func inputFill(downstream: Int) -> Double {
        switch shape.partitioning {
        case .orderedGather: channels.map(\.fill).max() ?? 0
        case .forward, .orderedRebalance, .hash, .gather: channels[downstream].fill
        }
    }

    /// Reads downstream subtask `downstream`'s input and pushes it into `receiver` until the end
    /// of input (or until the exchange is cancelled).
    func runGate(downstream: Int, into receiver: any ElementReceiver<Record>) throws {
        let flushes = BufferTimeoutFlush(bufferTimeout: shape.bufferTimeout)
        switch shape.partitioning {
        case .orderedGather: try OrderedGate(channels: channels, flushes: flushes).run(into: receiver)
        case .forward, .orderedRebalance: try MergingGate(channel: channels[downstream], inputs: 1, flushes: flushes).run(into: receiver)
        case .hash, .gather:
            try MergingGate(channel: channels[downstream], inputs: shape.upstream, flushes: flushes, idleTimeout: shape.idleTimeout).run(into: receiver)
        }
    }

    /// Wakes and stops every sender and receiver (the job is failing or stopping).
    func cancel() { channels.forEach { $0.cancel() } }
}
