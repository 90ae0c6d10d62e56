import CKafka
import Flow

/// The two-phase commit of an exactly-once Kafka sink: one Kafka transaction per checkpoint.
///
/// Records wait in memory until a checkpoint's snapshot (the pre-commit) produces them into the
/// open transaction, together with a commit marker — the checkpoint's id, a record under this
/// run's key in a log-compacted marker topic — flushes it, and writes the records into the
/// snapshot. When the checkpoint completes, the transaction is committed and the next begins. If a
/// later checkpoint's snapshot comes first (a completion is late, or a checkpoint failed), its
/// records and marker join the same transaction, which commits when that checkpoint completes.
///
/// The transactional id is stable across restarts, so the producer that starts fences any
/// zombie with the same id and aborts its dangling transaction. A restore then reads its marker:
/// when the restored checkpoint's transaction was not committed (a crash between the checkpoint
/// and its commit), it produces that transaction's records again from the snapshot and commits
/// them. A run that committed its end (the input was finished) makes a later restore produce
/// nothing, as its output is all committed.
///
/// Producing only at the pre-commit, with the marker in the same transaction, also keeps the
/// output exact on a broker that does not abort a fenced producer's transaction (Tansu 0.6 lets
/// `read_committed` readers see it): the only transaction a crash can leave open holds its own
/// marker, so a restore that sees its records also sees that they need no second sending.
final class CheckpointTransactions: Sendable {
    /// The marker of a run whose input ended.
    static let endMarker = Int64(1) << 60

    struct Restored: Sendable {
        var run: String
        var checkpoint: Int64
        var records: [KafkaRecord]
    }

    private struct State {
        /// Records in the open transaction (produced at a pre-commit), and the newest checkpoint
        /// whose snapshot holds them (nil: none).
        var open: [KafkaRecord] = []
        var covers: Int64?
        /// Records not produced yet: they go into the transaction at the next pre-commit.
        var waiting: [KafkaRecord] = []
        var failure: FlowError?
        /// The run already committed its end: everything produced again is dropped.
        var ended = false
    }

    let run: String
    private let producer: KafkaProducer
    /// The key of this run's commit markers: the transactional id and the run.
    private let markerKey: String
    private let state = Locked(State())

    /// Starts the producer's transactions (fencing older producers with its id and aborting
    /// their open transaction), completes a restored checkpoint's commit if it was not made, and
    /// begins the first transaction.
    init(producer: KafkaProducer, restored: Restored?, newRun: String) throws {
        self.producer = producer
        run = restored?.run ?? newRun
        markerKey = "\(producer.transactionalID ?? "")/\(run)"
        try producer.prepareMarkers()
        try producer.initTransactions()
        if let restored {
            let marker = try producer.committedMarker(key: markerKey)
            if marker == Self.endMarker {
                state.withLock { $0.ended = true }
            } else if marker.map({ $0 < restored.checkpoint }) ?? true {
                try producer.beginTransaction()
                try producer.produce(restored.records)
                try producer.produceMarker(restored.checkpoint, key: markerKey)
                try producer.commitTransaction()
            }
        }
        try producer.beginTransaction()
    }

    /// Keeps `records` for the next pre-commit.
    func add(_ records: [KafkaRecord]) throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            if !state.ended { state.waiting.append(contentsOf: records) }
        }
    }

    /// The pre-commit of `checkpoint`: the waiting records and the checkpoint's marker go into
    /// the transaction, which is flushed; the snapshot holds all its records.
    func prepare(_ checkpoint: Int64) throws -> [KafkaRecord] {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            if !state.ended {
                try producer.produce(state.waiting)
                try producer.produceMarker(checkpoint, key: markerKey)
                try producer.flush()
                state.open.append(contentsOf: state.waiting)
                state.waiting = []
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
                try producer.commitTransaction()
                state.open = []
                state.covers = nil
                try producer.beginTransaction()
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
            try producer.produceMarker(Self.endMarker, key: markerKey)
            try producer.commitTransaction()
            state.waiting = []
            state.open = []
            state.covers = nil
            state.ended = true
        }
    }
}
