/// One operator of a job graph, as the builder API records it: what it is called, how many
/// subtasks run it, how its input arrives, and how to build it on its task's thread.
///
/// The closures are typed where the node is made (in ``DataStream``), over the edges on either
/// side, so the planner and the executor handle nodes of every record type alike without casts.
struct GraphNode: Sendable {
    enum Role: Sendable { case source, transform, sink }

    /// The operator's identity in checkpoints and metrics.
    var id: String
    var name: String
    var role: Role
    var isParallel: Bool
    var input: Partitioning
    /// Set by event-time operators: the watermark step they can tell apart (a sliding window's slide).
    var watermarkGranularity: Int64?
    /// Set by operators that make watermarks from records.
    var makesWatermarks = false
    /// For the sink of a side output: the id of the operator that emits it, into whose task it is chained.
    var sideOf: String?
    /// Builds one subtask's operator in its host, connected to the edges on either side; a source
    /// returns its runner.
    var build: @Sendable (SubtaskSetup) throws -> (any SourceRunner)?
    /// Makes the input edge an exchange of the given shape (when the planner puts one there).
    var openInputExchange: @Sendable (ExchangeShape) -> Void = { _ in }
    /// Runs the input exchange's gate for one subtask into the operator.
    var runInputGate: @Sendable (_ subtask: Int) throws -> Void = { _ in }
    /// Cancels the input exchange.
    var cancelInput: @Sendable () -> Void = {}

    /// The node of an operator between `inputEdge` and `outputEdge` (nil for a sink).
    static func `operator`<Op: Operator>(
        id: String, name: String, role: Role, isParallel: Bool, input: Partitioning,
        watermarkGranularity: Int64?, makesWatermarks: Bool,
        inputEdge: StreamEdge<Op.Input>, outputEdge: StreamEdge<Op.Output>?,
        keyGroup: (@Sendable (Op.Input, Int) -> KeyGroup)?, calls: OperatorCalls<Op>,
        make: @escaping @Sendable (SubtaskContext) throws -> Op
    ) -> GraphNode {
        let build: @Sendable (SubtaskSetup) throws -> (any SourceRunner)? = { setup in
            let meters = setup.metrics.meters(operatorID: setup.operatorID, subtask: setup.subtask)
            let downstream: any ElementReceiver<Op.Output> = outputEdge?.sender(subtask: setup.subtask, backpressure: meters.backpressuredNanoseconds)
                ?? DiscardingReceiver<Op.Output>()
            if let fill = inputEdge.inputFill(subtask: setup.subtask) { meters.measureInputQueue(fill) }
            let context = setup.context
            let op = try make(context)
            let host = try OperatorHost<Op>(op, calls: calls, builtIn: context, setup: setup, downstream: downstream)
            inputEdge.attach(host, subtask: setup.subtask)
            return nil
        }
        let openInputExchange: @Sendable (ExchangeShape) -> Void = { shape in
            var partition: (@Sendable (Op.Input) -> KeyGroup)?
            if let keyGroup {
                partition = { record in keyGroup(record, shape.maxParallelism) }
            }
            inputEdge.open(ChannelExchange<Op.Input>(shape: shape, keyGroup: partition))
        }
        return GraphNode(
            id: id, name: name, role: role, isParallel: isParallel, input: input,
            watermarkGranularity: watermarkGranularity, makesWatermarks: makesWatermarks, build: build,
            openInputExchange: openInputExchange,
            runInputGate: { subtask in try inputEdge.runGate(subtask: subtask) },
            cancelInput: { inputEdge.cancel() }
        )
    }

    /// The node of a source emitting into `outputEdge`.
    static func source<S: Source>(
        id: String, name: String, speed: ReplaySpeed, outputEdge: StreamEdge<S.Output>,
        make: @escaping @Sendable (SubtaskContext) throws -> S
    ) -> GraphNode {
        GraphNode(
            id: id, name: name, role: .source, isParallel: false, input: .forward,
            build: { setup in
                try SourceHost(try make(setup.context), setup: setup, checkpoints: setup.checkpoints, speed: speed,
                               downstream: outputEdge.sender(subtask: setup.subtask, backpressure: setup.metrics.meters(operatorID: setup.operatorID, subtask: setup.subtask).backpressuredNanoseconds))
            }
        )
    }
}

/// A source ready to run: polls its input and pushes it downstream until the end or a savepoint.
protocol SourceRunner: AnyObject {
    func run() throws
}
