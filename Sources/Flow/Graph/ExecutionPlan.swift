/// The tasks a job runs as: chains of operators, their parallelism, and the exchange into each.
public struct ExecutionPlan: Sendable, CustomStringConvertible {
    /// One task: a chain of operators that run as plain calls on one thread per subtask.
    public struct Task: Sendable {
        /// Indices of the chained operators, in order.
        public var nodeIndices: [Int]
        public var parallelism: Int
        /// How the task's input arrives (nil for the source task).
        public var input: Partitioning?
        /// The operator names.
        public var operatorNames: [String]
    }

    public private(set) var tasks: [Task] = []
    let nodes: [GraphNode]
    /// The watermark granularity each node is told (gcd of what the operators after it need).
    let granularities: [Int64]

    init(nodes: [GraphNode], parallelism: Int) {
        self.nodes = nodes
        granularities = Self.granularities(of: nodes)
        var taskOf: [String: Int] = [:]
        var lastOnMainPath: Int?
        for (index, node) in nodes.enumerated() {
            if let producer = node.sideOf {
                // A side output's sink joins its producer's task, after it: chains are built from their end.
                guard let task = taskOf[producer], tasks[task].input != nil else {
                    preconditionFailure("the sink of a side output of \(producer) must follow it, and sources have no side outputs")
                }
                tasks[task].nodeIndices.append(index)
                tasks[task].operatorNames.append("\(node.name) (side output of \(producer))")
                continue
            }
            let taskParallelism = node.isParallel ? parallelism : 1
            if let last = tasks.last, let previous = lastOnMainPath,
               Self.canChain(node, after: nodes[previous], lastTaskParallelism: last.parallelism, parallelism: taskParallelism) {
                tasks[tasks.count - 1].nodeIndices.append(index)
                tasks[tasks.count - 1].operatorNames.append(node.name)
            } else {
                let input: Partitioning? = node.role == .source ? nil : Self.effectiveInput(node.input, parallelism: taskParallelism)
                tasks.append(Task(nodeIndices: [index], parallelism: taskParallelism, input: input, operatorNames: [node.name]))
            }
            taskOf[node.id] = tasks.count - 1
            lastOnMainPath = index
        }
    }

    /// The source keeps a thread of its own (reading and decompressing overlap with the rest);
    /// otherwise operators chain across forward edges and across any edge between single subtasks.
    private static func canChain(_ node: GraphNode, after previous: GraphNode, lastTaskParallelism: Int, parallelism: Int) -> Bool {
        guard previous.role != .source else { return false }
        if node.input == .forward && lastTaskParallelism == parallelism { return true }
        return lastTaskParallelism == 1 && parallelism == 1
    }

    private static func effectiveInput(_ input: Partitioning, parallelism: Int) -> Partitioning {
        parallelism == 1 && input == .orderedRebalance ? .forward : input
    }

    private static func granularities(of nodes: [GraphNode]) -> [Int64] {
        var result = Array(repeating: Int64(1), count: nodes.count)
        var downstream: Int64 = 0
        for index in nodes.indices.reversed() {
            result[index] = downstream == 0 ? 1 : downstream
            if let own = nodes[index].watermarkGranularity { downstream = gcd(downstream, own) }
            if nodes[index].makesWatermarks { downstream = 0 }
        }
        return result
    }

    private static func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }

    /// The plan as `flowrun plan` prints it.
    public var description: String {
        var lines: [String] = []
        for (number, task) in tasks.enumerated() {
            let input = task.input.map { "input: \($0)" } ?? "source"
            lines.append("task \(number + 1)  ×\(task.parallelism)  (\(input))")
            for name in task.operatorNames { lines.append("    → \(name)") }
        }
        return lines.joined(separator: "\n")
    }
}
