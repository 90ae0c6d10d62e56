import Flow

/// Reads documents from a JSON Lines file and emits them in batches, in file order. Lines that
/// are not documents are counted ("malformed lines") and skipped. Checkpointed state: how many
/// documents were emitted, so a restored job goes on after them.
public final class DocumentFileSource: SourceRunner {
    private let path: String
    private let lines: DocumentLines
    private let output: Output<Document>
    private let context: SubtaskContext
    private let batchSize: Int
    private var emitted = 0

    public init(path: String, lines: DocumentLines, output: Output<Document>, context: SubtaskContext, batchSize: Int = 256) throws {
        self.path = path
        self.lines = lines
        self.output = output
        self.context = context
        self.batchSize = batchSize
        if let state = context.restored?.firstShared {
            var reader = StateReader(state)
            emitted = try reader.readCounter()
        }
    }

    public func run() throws {
        let contents = try lines.read(path: path)
        if emitted == 0 { context.metrics.counter("malformed lines").add(contents.rejectedLines.count) }
        context.metrics.counter("documents").add(emitted)
        while emitted < contents.documents.count {
            let batch = contents.documents[emitted..<min(emitted + batchSize, contents.documents.count)]
            output.emit(contentsOf: batch)
            try output.flush()
            emitted += batch.count
            context.metrics.counter("documents").add(batch.count)
            if let barrier = context.checkpoints?.barrierIfDue() {
                var state = StateWriter()
                state.write(emitted)
                context.acknowledge(barrier, shared: state, position: "\(path) document \(emitted)")
                try output.emit(barrier: barrier)
                if barrier.isSavepoint { return }
            }
        }
        try output.emitEndOfInput()
    }
}
