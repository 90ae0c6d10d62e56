import CKafka
import Flow

/// The two-phase commit of an exactly-once Kafka sink: one Kafka transaction per checkpoint.
///
/// Records go into the open transaction as they arrive. At a checkpoint's snapshot (the
/// pre-commit) the transaction is flushed and its records are written into the snapshot; records
/// arriving after it wait in memory. When the checkpoint completes, the transaction is committed
/// together with a marker — the checkpoint's id, written as the offset of a consumer group of
/// this run's own (`send_offsets_to_transaction`) — and the next one begins with the waiting
/// records. If a later checkpoint completes first (one failed), the commit waits for it.
///
/// The transactional id is stable across restarts, so the producer that starts fences any
/// zombie with the same id and aborts its dangling transaction. A restore then reads the marker:
/// when the restored checkpoint's transaction was not committed (a crash between the checkpoint
/// and its commit), it produces that transaction's records again from the snapshot and commits
/// them. A run that committed its end (the input was finished) makes a later restore produce
/// nothing, as its output is all committed.
final class CheckpointTransactions: Sendable {
    /// The marker offset of a run whose input ended.
    static let endMarker = Int64(1) << 60

    struct Restored: Sendable {
        var run: String
        var checkpoint: Int64
        var records: [KafkaRecord]
    }

    private struct State {
        var open: [KafkaRecord] = []
        /// The newest checkpoint whose snapshot holds `open` (nil: none yet, records go in directly).
        var covers: Int64?
        var waiting: [KafkaRecord] = []
        var failure: FlowError?
        /// The run already committed its end: everything produced again is dropped.
        var ended = false
    }

    let run: String
    private let producer: KafkaProducer
    private let markerGroup: String
    private let state = Locked(State())

    /// Starts the producer's transactions (fencing older producers with its id and aborting
    /// their open transaction), completes a restored checkpoint's commit if it was not made, and
    /// begins the first transaction.
    init(producer: KafkaProducer, restored: Restored?, newRun: String) throws {
        self.producer = producer
        run = restored?.run ?? newRun
        markerGroup = "flow-commits-\(producer.transactionalID ?? "")-\(run)"
        try producer.initTransactions()
        if let restored {
            let marker = try producer.committedMarker(group: markerGroup)
            if marker == Self.endMarker {
                state.withLock { $0.ended = true }
            } else if marker.map({ $0 < restored.checkpoint }) ?? true {
                try producer.beginTransaction()
                try producer.produce(restored.records)
                try producer.commitTransaction(marker: restored.checkpoint, group: markerGroup)
            }
        }
        try producer.beginTransaction()
    }

    /// Produces `records` into the open transaction, or keeps them for the next one.
    func add(_ records: [KafkaRecord]) throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            guard !state.ended else { return }
            if state.covers == nil {
                try producer.produce(records)
                state.open.append(contentsOf: records)
            } else {
                state.waiting.append(contentsOf: records)
            }
        }
    }

    /// The pre-commit of `checkpoint`: everything so far is in the flushed transaction, which the
    /// snapshot then holds.
    func prepare(_ checkpoint: Int64) throws -> [KafkaRecord] {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            if !state.ended {
                try producer.produce(state.waiting)
                state.open.append(contentsOf: state.waiting)
                state.waiting = []
                try producer.flush()
            }
            state.covers = checkpoint
            return state.open
        }
    }

    /// The commit, once `checkpoint` is complete (on the checkpoint writer's thread); a failure
    /// stops the job at the sink's next call, and the restore commits from the snapshot.
    func complete(_ checkpoint: Int64) {
        state.withLock { state in
            guard state.failure == nil, !state.ended, let covers = state.covers, covers <= checkpoint else { return }
            do {
                try producer.commitTransaction(marker: covers, group: markerGroup)
                state.open = []
                state.covers = nil
                try producer.beginTransaction()
                try producer.produce(state.waiting)
                state.open = state.waiting
                state.waiting = []
            } catch {
                state.failure = error as? FlowError ?? FlowError(.external, "\(error)")
            }
        }
    }

    /// The end of the input: commits everything, marking the run's end.
    func finish() throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            guard !state.ended else { return }
            try producer.produce(state.waiting)
            state.waiting = []
            try producer.commitTransaction(marker: Self.endMarker, group: markerGroup)
            state.open = []
            state.covers = nil
            state.ended = true
        }
    }
}
