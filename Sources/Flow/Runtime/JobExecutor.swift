import Foundation

/// Runs a planned job: one thread per subtask, exchanges between tasks, and the first failure
/// stopping everything.
struct JobExecutor {
    let job: StreamJob
    let plan: ExecutionPlan

    func run() throws {
        try checkRestoredState()
        if let restored = job.restoredFrom { job.metrics.restore(restored.manifest.counters) }
        try job.checkpoints?.beginLine(restoredFrom: job.restoredFrom)
        openExchanges()
        let cancelAll: @Sendable () -> Void = { [plan, job] in
            job.cancellation.cancel()
            for task in plan.tasks.dropFirst() { plan.nodes[task.nodeIndices[0]].cancelInput() }
        }
        let failure = Locked<(any Error)?>(nil)
        job.checkpoints?.begin(expectedAcks: subtaskCount, maxParallelism: job.maxParallelism, metrics: job.metrics, stopJob: cancelAll)
        job.metrics.markStarted(at: SystemClock.monotonicSeconds())
        defer { job.metrics.markFinished(at: SystemClock.monotonicSeconds()) }
        let group = DispatchGroup()
        for (taskIndex, task) in plan.tasks.enumerated() {
            for subtask in 0..<task.parallelism {
                let body = subtaskBody(taskIndex: taskIndex, subtask: subtask)
                group.enter()
                let thread = Thread {
                    do {
                        try body()
                    } catch is ExchangeCancelled {
                        // Another task failed first and cancelled the channels.
                    } catch {
                        let located = error as? FlowError
                            ?? FlowError(.internal, "\(task.operatorNames.first ?? "a task") failed with \(error); please report it", cause: error)
                        failure.withLock { if $0 == nil { $0 = located } }
                        cancelAll()
                    }
                    group.leave()
                }
                thread.name = "\(task.operatorNames.first ?? "task") #\(subtask)"
                thread.stackSize = 8 << 20
                thread.start()
            }
        }
        group.wait()
        job.checkpoints?.waitForWrites()
        if let error = failure.withLock({ $0 }) { throw error }
        if let error = job.checkpoints?.failure { throw error }
    }

    /// How many snapshots make a checkpoint complete: one per subtask of every operator (the
    /// stateless ones report their counters).
    private var subtaskCount: Int {
        plan.tasks.reduce(0) { $0 + $1.nodeIndices.count * $1.parallelism }
    }

    /// A checkpoint must have been taken with the same key groups, and hold state only of
    /// operators this job has (each operator checks its own state when it is restored).
    private func checkRestoredState() throws {
        guard let restored = job.restoredFrom else { return }
        guard restored.manifest.maxParallelism == job.maxParallelism else {
            throw FlowError(.invalidJob, "checkpoint \(restored.path) was taken with \(restored.manifest.maxParallelism) key groups, but this job has \(job.maxParallelism); restore with the same setting")
        }
        let ids = Set(plan.nodes.map(\.id))
        if let unknown = restored.operatorIDs.subtracting(ids).sorted().first {
            throw FlowError(.invalidJob, "checkpoint \(restored.path) holds state of operator \(unknown), which this job does not have; restore it with the job file it was taken with")
        }
    }

    /// Makes each edge between tasks an exchange of its shape.
    private func openExchanges() {
        for (index, task) in plan.tasks.enumerated() {
            guard let input = task.input, index > 0 else { continue }
            let shape = ExchangeShape(
                partitioning: input, upstream: plan.tasks[index - 1].parallelism, downstream: task.parallelism,
                batchSize: job.batchSize, channelCapacity: job.channelCapacity, maxParallelism: job.maxParallelism,
                bufferTimeout: job.bufferTimeout.seconds, idleTimeout: job.idleTimeout?.seconds
            )
            plan.nodes[task.nodeIndices[0]].openInputExchange(shape)
        }
    }

    /// What one subtask's thread does: build its chain back to front, then run its source or gate.
    private func subtaskBody(taskIndex: Int, subtask: Int) -> @Sendable () throws -> Void {
        let task = plan.tasks[taskIndex]
        let nodes = plan.nodes
        let setups = task.nodeIndices.map { index in
            let node = nodes[index]
            return SubtaskSetup(
                operatorID: node.id, subtask: subtask, parallelism: task.parallelism, maxParallelism: job.maxParallelism,
                watermarkGranularity: plan.granularities[index], metrics: job.metrics,
                snapshots: job.checkpoints, checkpoints: job.checkpoints,
                restore: job.restoredFrom.map { restored in
                    .init(checkpointID: restored.manifest.checkpoint, path: restored.path, snapshots: restored.snapshots(of: node.id))
                },
                bufferTimeout: job.bufferTimeout.seconds, cancellation: job.cancellation
            )
        }
        return {
            var runner: (any SourceRunner)?
            for (position, nodeIndex) in task.nodeIndices.enumerated().reversed() {
                runner = try nodes[nodeIndex].build(setups[position])
            }
            if taskIndex > 0 {
                try nodes[task.nodeIndices[0]].runInputGate(subtask)
            } else if let runner {
                try runner.run()
            } else {
                preconditionFailure("the first task of a job starts with its source")
            }
        }
    }
}
