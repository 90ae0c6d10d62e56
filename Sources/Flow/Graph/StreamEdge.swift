/// The connection from one operator of a job graph to the next, typed by the records on it.
///
/// When the planner chains the two operators into one task, the downstream operator's host is the
/// upstream's receiver, per subtask. When an exchange separates them, the upstream emits into the
/// exchange's writers and the downstream task runs the exchange's gate into its host.
final class StreamEdge<Record: Sendable>: Sendable {
    private let exchange = Locked<ChannelExchange<Record>?>(nil)
    /// The downstream operator's input per subtask.
    private let receivers = Locked<[Int: any ElementReceiver<Record>]>([:])

    /// Makes the edge an exchange between tasks (before any subtask is built).
    func open(_ exchange: ChannelExchange<Record>) {
        self.exchange.withLock { $0 = exchange }
    }

    /// Makes the downstream operator of subtask `subtask` the edge's receiver there.
    func attach(_ receiver: any ElementReceiver<Record>, subtask: Int) {
        receivers.withLock { $0[subtask] = receiver }
    }

    /// What upstream subtask `subtask` emits into: the exchange's writer, or the chained downstream
    /// operator (built before it, since a task's chain is built from its end).
    /// Time its writer waits for full channels goes to `backpressure`.
    func sender(subtask: Int, backpressure: Counter? = nil) -> any ElementReceiver<Record> {
        if let exchange = exchange.withLock({ $0 }) { return exchange.makeWriter(upstream: subtask, backpressure: backpressure) }
        guard let receiver = receivers.withLock({ $0[subtask] }) else {
            preconditionFailure("the operator after a chained edge was not built before the one before it")
        }
        return receiver
    }

    /// How full downstream subtask `subtask`'s input queue is, when the edge is an exchange.
    func inputFill(subtask: Int) -> (@Sendable () -> Double)? {
        guard let exchange = exchange.withLock({ $0 }) else { return nil }
        return { exchange.inputFill(downstream: subtask) }
    }

    /// The chained downstream operator of subtask `subtask`, if one was attached.
    func attachedReceiver(subtask: Int) -> (any ElementReceiver<Record>)? {
        receivers.withLock { $0[subtask] }
    }

    /// Reads downstream subtask `subtask`'s input from the exchange into its operator until the end.
    func runGate(subtask: Int) throws {
        guard let exchange = exchange.withLock({ $0 }), let receiver = receivers.withLock({ $0[subtask] }) else {
            preconditionFailure("a gate runs only on an exchange whose downstream operator is built")
        }
        try exchange.runGate(downstream: subtask, into: receiver)
    }

    /// Wakes and stops every sender and receiver of the exchange (the job is failing or stopping).
    func cancel() {
        exchange.withLock { $0 }?.cancel()
    }
}
