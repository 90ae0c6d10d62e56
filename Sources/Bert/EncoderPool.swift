import Synchronization
import Dispatch
import Flow
import Foundation

/// Runs a model on a pool of workers, each with its own ``BertEncoder`` (scratch buffers and
/// single-threaded BLAS). Sequences are sorted by length and cut into batches of `batchSize`, so
/// a batch holds similar lengths and little padding; workers take batches in turn; results come
/// back in input order. The work of one call is spread over the workers; calls run one at a time.
///
/// `@unchecked Sendable`: the encoders (which are not) are touched only inside ``map(_:types:_:)``,
/// whose calls are serialised by `lock`, and there by one worker each.
public final class EncoderPool: @unchecked Sendable {
    public let model: BertModel
    public let workers: Int
    public let batchSize: Int
    private let encoders: [BertEncoder]
    private let lock = Locked(())

    /// - Parameter workers: 0 for the number of cores.
    public init(model: BertModel, workers: Int = 0, batchSize: Int = 32) {
        self.model = model
        self.workers = workers > 0 ? workers : max(1, System.cores)
        self.batchSize = max(1, batchSize)
        encoders = (0..<self.workers).map { _ in BertEncoder(model: model) }
    }

    /// Floating-point operations done so far (matrix products), for GFLOP/s.
    public var flops: Double { encoders.reduce(0) { $0 + $1.totalFlops } }

    /// Runs `work` on batches of `sequences` (by their token counts) and returns its per-sequence
    /// results in input order.
    public func map<Result: Sendable>(_ sequences: [[Int32]], types: [[Int32]]? = nil,
                                      _ work: @escaping @Sendable (BertEncoder, [[Int32]], [[Int32]]?) -> [Result]) -> [Result] {
        lock.withLock { _ in
            let order = sequences.indices.sorted { (sequences[$0].count, $0) < (sequences[$1].count, $1) }
            let batches = stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
            let results = Locked([Int: Result]())
            let next = Atomic<Int>(0)
            DispatchQueue.concurrentPerform(iterations: min(workers, max(1, batches.count))) { worker in
                let encoder = encoders[worker]
                while true {
                    let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard index < batches.count else { return }
                    let batch = batches[index]
                    let output = work(encoder, batch.map { sequences[$0] }, types.map { all in batch.map { all[$0] } })
                    results.withLock { stored in for (position, item) in zip(batch, output) { stored[position] = item } }
                }
            }
            return results.withLock { stored in sequences.indices.map { stored[$0]! } }
        }
    }

    /// Sentence embeddings (mean pooled, unit length) of texts, in order.
    public func embed(_ texts: [String]) -> [[Float]] {
        map(texts.map(model.tokenizer.encode)) { encoder, batch, _ in SentenceEmbedder(encoder: encoder).embed(tokens: batch) }
    }
}

/// Facts about the machine.
public enum System {
    /// Cores available to the process.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }
}
