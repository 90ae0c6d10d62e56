import Foundation

/// Runs a planned job: one thread per subtask, exchanges between tasks, and the first failure
/// stopping everything.
struct JobExecutor {
    let job: StreamJob
    let plan: ExecutionPlan

    func run() throws {
        try checkRestoredState()
        try job.checkpoints?.beginLine(restoredFrom: job.restoredFrom)
        let exchanges = makeExchanges()
        let failure = Locked<(any Error)?>(nil)
        job.checkpoints?.begin(expectedAcks: expectedAcknowledgements, maxParallelism: job.maxParallelism) {
            exchanges.forEach { $0?.cancel() }
        }
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
        job.checkpoints?.waitForWrites()
        if let error = failure.withLock({ $0 }) { throw error }
        if let error = job.checkpoints?.failure { throw error }
    }

    /// The checkpoint identity of node `index`, if it has state: its place among the stateful
    /// operators and its state name. Stateless steps (a replay pacer, a console view) may come or
    /// go between a checkpoint and its restore.
    private func operatorID(ofNode index: Int) -> String? {
        guard let name = plan.nodes[index].stateName else { return nil }
        return "\(plan.nodes[..<index].filter { $0.stateName != nil }.count)-\(name)"
    }

    /// How many snapshots make a checkpoint complete: one per subtask of each stateful operator.
    private var expectedAcknowledgements: Int {
        plan.tasks.reduce(0) { total, task in
            total + task.nodeIndices.filter { plan.nodes[$0].stateName != nil }.count * task.parallelism
        }
    }

    /// A checkpoint must hold state for exactly this job's stateful operators.
    private func checkRestoredState() throws {
        guard let restored = job.restoredFrom else { return }
        guard restored.manifest.maxParallelism == job.maxParallelism else {
            throw FlowError(.invalidJob, "checkpoint \(restored.path) was taken with \(restored.manifest.maxParallelism) key groups, but this job has \(job.maxParallelism); restore with the same setting")
        }
        let expected = Set(plan.nodes.indices.compactMap(operatorID(ofNode:)))
        if let unknown = restored.operatorIDs.subtracting(expected).sorted().first {
            throw FlowError(.invalidJob, "checkpoint \(restored.path) holds state of operator \(unknown), which this job does not have; restore it with the job file it was taken with")
        }
        if let missing = expected.subtracting(restored.operatorIDs).sorted().first {
            throw FlowError(.invalidJob, "checkpoint \(restored.path) holds no state of operator \(missing); restore it with the job file it was taken with")
        }
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
        let (checkpoints, restoredFrom) = (job.checkpoints, job.restoredFrom)
        let operatorIDs = task.nodeIndices.map(operatorID(ofNode:))
        return {
            var downstream: AnyObject = outgoing?.makeWriter(upstream: subtask) ?? DiscardingSentinel()
            for (position, nodeIndex) in task.nodeIndices.enumerated().reversed() {
                let range = KeyGroupRange(subtask: subtask, parallelism: parallelism, maxParallelism: maxParallelism)
                let operatorID = operatorIDs[position]
                let context = SubtaskContext(
                    subtaskIndex: subtask, parallelism: parallelism, maxParallelism: maxParallelism,
                    watermarkGranularity: granularities[nodeIndex], metrics: metrics,
                    operatorID: operatorID, checkpoints: checkpoints,
                    restored: operatorID.flatMap { restoredFrom?.restore(operatorID: $0, range: range) }
                )
                do {
                    downstream = try nodes[nodeIndex].build(downstream, context)
                } catch let damaged as StateReader.Damaged {
                    throw FlowError(.invalidJob, "the checkpoint's state of operator \(operatorID ?? nodes[nodeIndex].name) cannot be read (\(damaged)); restore it with the job file it was taken with")
                }
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
