#if canImport(Glibc)
import Glibc
#endif

/// A fold over the batches of an ordered stream whose batches are handled by parallel subtasks:
/// each subtask publishes a summary of batch `i` (its largest event time, its line count) and
/// learns the fold of every batch before `i`, whichever subtask handled them. So parallel
/// subtasks can make the decisions that depend on everything before a record (a watermark, a
/// line number) exactly as one subtask reading the stream in order would.
///
/// Batch numbers are given by the stream's order (an ordered round-robin deals batch `i` to
/// subtask `i mod n`). A wait returns once every earlier batch was published; the earliest
/// batch never waits, so as long as every subtask goes on publishing the batches it was dealt, no
/// wait lasts. Shared by the subtasks of one run of a job; a cancelled job ends every wait with
/// ``ExchangeCancelled``.
public final class OrderedPrefix<Summary: Sendable>: @unchecked Sendable {
    private let combine: @Sendable (Summary, Summary) -> Summary
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let published = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    // Guarded by `mutex`:
    /// The fold of batches 0 ..< `frontier`.
    private var folded: Summary
    private var frontier = 0
    /// Summaries published past the frontier.
    private var waiting: [Int: Summary] = [:]
    /// The fold before each batch the frontier passed whose owner waits for it.
    private var before: [Int: Summary] = [:]
    /// The batches whose owners wait for the fold before them.
    private var awaited: Set<Int> = []
    private var isCancelled = false

    /// - Parameters:
    ///   - initial: the fold of no batches.
    ///   - combine: folds a later batch's summary into the fold so far.
    public init(initial: Summary, combine: @escaping @Sendable (Summary, Summary) -> Summary) {
        folded = initial
        self.combine = combine
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(published, nil)
    }

    deinit {
        pthread_cond_destroy(published)
        pthread_mutex_destroy(mutex)
        published.deallocate()
        mutex.deallocate()
    }

    /// Ends every wait (now and later) when the job of `context` is cancelled.
    public func cancel(with context: SubtaskContext) {
        context.cancellation?.onCancel { [weak self] in self?.cancel() }
    }

    /// Publishes batch `index`'s summary and returns the fold of every batch before it, waiting
    /// until those are published.
    ///
    /// - Throws: ``ExchangeCancelled`` when the job was cancelled meanwhile.
    public func publish(_ summary: Summary, at index: Int) throws -> Summary {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        awaited.insert(index)
        add(summary, at: index)
        while before[index] == nil {
            if isCancelled { throw ExchangeCancelled() }
            pthread_cond_wait(published, mutex)
        }
        return before.removeValue(forKey: index)!
    }

    /// Publishes batch `index`'s summary when its owner need not know what came before it.
    public func publishWithoutWaiting(_ summary: Summary, at index: Int) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        add(summary, at: index)
    }

    /// Folds in what the frontier can take; the lock is held.
    private func add(_ summary: Summary, at index: Int) {
        precondition(index >= frontier && waiting[index] == nil, "batch \(index) was published twice")
        waiting[index] = summary
        var advanced = false
        while let next = waiting.removeValue(forKey: frontier) {
            if awaited.remove(frontier) != nil { before[frontier] = folded }
            folded = combine(folded, next)
            frontier += 1
            advanced = true
        }
        if advanced { pthread_cond_broadcast(published) }
    }

    private func cancel() {
        pthread_mutex_lock(mutex)
        isCancelled = true
        pthread_cond_broadcast(published)
        pthread_mutex_unlock(mutex)
    }
}
