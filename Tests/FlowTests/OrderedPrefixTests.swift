import Foundation
import Testing
@testable import Flow

/// The fold over earlier batches that parallel subtasks share.
struct OrderedPrefixTests {
    @Test(arguments: [1, 2, 4, 7])
    func eachBatchLearnsTheFoldOfEveryEarlierBatch(subtasks: Int) throws {
        let prefix = OrderedPrefix<Int>(initial: 0) { $0 + $1 }
        let batches = 500
        let learned = Locked<[Int: Int]>([:])
        let group = DispatchGroup()
        for subtask in 0..<subtasks {
            group.enter()
            Thread {
                for index in stride(from: subtask, to: batches, by: subtasks) {
                    if index % 3 == 0 {
                        prefix.publishWithoutWaiting(index, at: index)
                    } else {
                        let before = try! prefix.publish(index, at: index)
                        learned.withLock { $0[index] = before }
                    }
                    if index % 11 == 0 { usleep(100) }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let results = learned.withLock { $0 }
        #expect(results.count == batches - (batches + 2) / 3)
        for (index, before) in results { #expect(before == (0..<index).reduce(0, +), "batch \(index)") }
    }

    @Test func aCancelledJobEndsTheWait() throws {
        let prefix = OrderedPrefix<Int>(initial: 0) { $0 + $1 }
        let cancellation = JobCancellation()
        let context = SubtaskContext(operatorID: "test", subtaskIndex: 1, parallelism: 2, maxParallelism: 128, watermarkGranularity: 1,
                                     metrics: JobMetrics().scope(operatorID: "test", subtask: 1), restoredCheckpointID: nil,
                                     isCheckpointed: false, checkpoints: nil, cancellation: cancellation)
        prefix.cancel(with: context)
        let ended = Locked<Bool?>(nil)
        let group = DispatchGroup()
        group.enter()
        Thread {
            // Batch 0 never comes: only the cancellation ends this wait.
            do { _ = try prefix.publish(1, at: 1); ended.withLock { $0 = false } } catch { ended.withLock { $0 = error is ExchangeCancelled } }
            group.leave()
        }.start()
        usleep(20_000)
        #expect(ended.withLock { $0 } == nil)
        cancellation.cancel()
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(ended.withLock { $0 } == true)
    }
}
