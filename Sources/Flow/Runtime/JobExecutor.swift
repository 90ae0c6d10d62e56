import Foundation
import Synchronization

/// Runs a planned job: one thread per subtask, exchanges between tasks, and the first failure
/// stopping everything.
struct JobExecutor {
    let job: StreamJob
    let plan: ExecutionPlan

    func run() throws {
        let exchanges = makeExchanges()
        let failure = Mutex<(any Error)?>(nil)
        let group = DispatchGroup()
        for (taskIndex, task) in plan.tasks.enumerated() {
            for subtask in 0..<task.parallelism {
                let body = subtaskBody(taskIndex: taskIndex, subtask: subtask, exchanges: exchanges)
                group.enter()
                let thread = Thread {
                    do {
                        try body()
                    } catch is ExchangeCancelled {
                        // Another task failed first and cancelled the channels.
                    } catch {
                        failure.withLock { if $0 == nil { $0 = error } }
                        exchanges.forEach { $0?.cancel() }
                    }
                    group.leave()
                }
                thread.name = "\(task.operatorNames.first ?? "task") #\(subtask)"
                thread.stackSize = 8 << 20
                thread.start()
            }
        }
        group.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// The exchange into each task (nil for the source task).
    private func makeExchanges() -> [(any Exchange)?] {
        plan.tasks.enumerated().map { index, task in
            guard let input = task.input, index > 0 else { return nil }
            let shape = ExchangeShape(
                partitioning: input, upstream: plan.tasks[index - 1].parallelism, downstream: task.parallelism,
                batchSize: job.batchSize, channelCapacity: job.channelCapacity, maxParallelism: job.maxParallelism
            )
            return plan.nodes[task.nodeIndices[0]].makeInputExchange!(shape)
        }
    }

    /// What one subtask's thread does: build its chain back to front, then run its source or gate.
    private func subtaskBody(taskIndex: Int, subtask: Int, exchanges: [(any Exchange)?]) -> @Sendable () throws -> Void {
        let task = plan.tasks[taskIndex]
        let nodes = plan.nodes
        let granularities = plan.granularities
        let outgoing = taskIndex + 1 < exchanges.count ? exchanges[taskIndex + 1] : nil
        let incoming = exchanges[taskIndex]
        let (parallelism, maxParallelism, metrics) = (task.parallelism, job.maxParallelism, job.metrics)
        return {
            var downstream: AnyObject = outgoing?.makeWriter(upstream: subtask) ?? DiscardingSentinel()
            for nodeIndex in task.nodeIndices.reversed() {
                let context = SubtaskContext(
                    subtaskIndex: subtask, parallelism: parallelism, maxParallelism: maxParallelism,
                    watermarkGranularity: granularities[nodeIndex], metrics: metrics
                )
                downstream = try nodes[nodeIndex].build(downstream, context)
            }
            if let incoming {
                try incoming.runGate(downstream: subtask, into: downstream)
            } else {
                try (downstream as! any SourceRunner).run()
            }
        }
    }
}

/// Stands where a sink's downstream would be; sinks never emit into it.
private final class DiscardingSentinel {}
