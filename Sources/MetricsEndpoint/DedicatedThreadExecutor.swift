import Dispatch
import Flow
import Foundation

/// A task executor of one thread of its own: the metrics server's tasks run there, so they never
/// wait for the cooperative pool, which the program serving the metrics may keep busy (a test
/// runner's blocking tests do; a job's own threads are not in the pool).
final class DedicatedThreadExecutor: TaskExecutor, Sendable {
    private let jobs = Locked<[UnownedJob]>([])
    private let available = DispatchSemaphore(value: 0)

    /// The process's one executor for the metrics server.
    static let metrics = DedicatedThreadExecutor(name: "metrics server")

    private init(name: String) {
        let thread = Thread { [self] in runJobs() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
        available.signal()
    }

    private func runJobs() {
        while true {
            available.wait()
            let next = jobs.withLock { $0.removeFirst() }
            next.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
