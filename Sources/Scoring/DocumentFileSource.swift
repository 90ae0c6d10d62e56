import Flow

/// Reads documents from a JSON Lines file and emits them in batches, in file order. Lines that
/// are not documents are counted ("malformed lines") and skipped. Declared state (a split list of
/// one entry): how many documents were emitted, so a restored job goes on after them.
public final class DocumentFileSource: Source {
    private let path: String
    private let lines: DocumentLines
    private let batchSize: Int
    private let documentsRead: Counter
    private let malformed: Counter
    private var documents: [Document] = []
    private var emitted = 0
    private var isRestored = false

    public init(path: String, lines: DocumentLines, context: SubtaskContext, batchSize: Int = 256) {
        self.path = path
        self.lines = lines
        self.batchSize = batchSize
        documentsRead = context.metrics.counter("documents")
        malformed = context.metrics.counter("malformed lines")
    }

    public var declaredState: [StateDeclaration] { [.splitList("documents emitted")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("documents emitted").first else { return }
        emitted = try reader.readCounter()
        isRestored = true
    }

    public func open() throws {
        let contents = try lines.read(path: path)
        documents = contents.documents
        // A restored run counted the malformed lines before.
        if !isRestored { malformed.add(contents.rejectedLines.count) }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var state = StateWriter()
        state.write(emitted)
        snapshot.add("documents emitted", state)
        snapshot.position = "\(path) document \(emitted)"
    }

    public func poll(into output: Collector<Document>, pacing: ReplayClock?) throws -> SourceStatus {
        guard emitted < documents.count else { return .finished }
        let batch = documents[emitted..<min(emitted + batchSize, documents.count)]
        output.emit(contentsOf: batch)
        emitted += batch.count
        documentsRead.add(batch.count)
        return .ready
    }
}
