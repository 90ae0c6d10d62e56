import Flow

/// A side output written as one sorted JSON Lines file at the end of input (the reject file,
/// the late-records file), streamed to disk on the way in bounded memory.
///
/// Each subtask appends to its own part (``SidePartWriter``), one entry per line behind two sort
/// keys; a checkpoint keeps only the parts' marks. At the end the parts are merged by their keys
/// (``SideFileMerge``) into the file, which is published like any output (renamed into place,
/// folder synced), and the parts are removed. So the file is the same at every parallelism and
/// after any number of crashes and restores.
public final class SideFile: Sendable {
    /// Where the file goes; nil writes nothing.
    public let path: String?
    /// The file in words, for messages ("reject file").
    public let what: String
    private let parts = Locked<[SidePart]>([])

    /// A side file written to `path` (nil keeps nothing), named `what` in messages.
    public init(path: String?, what: String) {
        self.path = path
        self.what = what
    }

    /// Takes a subtask's parts at the end of its input.
    func collect(_ subtaskParts: [SidePart]) {
        parts.withLock { $0.append(contentsOf: subtaskParts) }
    }

    /// Merges the parts into the file, publishes it and removes the parts (only if a path was given).
    public func publish() throws {
        guard let path else { return }
        let collected = parts.withLock { $0 }.sorted { ($0.generation, $0.subtask) < ($1.generation, $1.subtask) }
        do {
            try SideFileMerge(path: path).publish(parts: collected)
        } catch let error as FlowError {
            throw FlowError(.output, "cannot write the \(what) \(path): \(error.message)")
        }
    }
}
