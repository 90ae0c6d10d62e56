import Flow

/// One subtask's writer of a side file: entries go to its own part file as they are made, and a
/// checkpoint keeps only the parts' marks.
///
/// The parts are split-list state: on a restore each new subtask takes over the parts of its
/// share of the old subtasks (each old subtask's own and the ones it had taken over): it checks
/// that each is the file the checkpoint wrote, cuts it back to its mark, and keeps listing it as
/// sealed. Every subtask then writes a new part of its own, so a part is only ever appended to by
/// the run that created it.
public final class SidePartWriter {
    private let file: SideFile
    private let own: FileOutput
    private let ownPart: SidePart
    private var sealed: [SidePart] = []
    private let keepsParts: Bool
    private var isFinished = false

    /// Starts this subtask's part of `file`, which must have a path.
    public init(file: SideFile, context: SubtaskContext) throws {
        guard let path = file.path else { preconditionFailure("a side-file part needs the side file's path") }
        self.file = file
        ownPart = SidePart(generation: context.restoredCheckpointID ?? 0, subtask: context.subtaskIndex, mark: .init(length: 0, checksum: 0))
        own = try FileOutput(path: ownPart.path(beside: path))
        keepsParts = context.isCheckpointed
    }

    /// Appends one entry: two sort keys and its JSON line (ending in a line feed).
    public func append(first: Int64, second: Int64, json: String) throws {
        try own.write("\(first) \(second) \(json)")
    }

    /// Syncs the own part and adds the list of parts (own first, then sealed) to split-list
    /// state `name`.
    public func snapshot(into snapshot: inout StateSnapshot, as name: String) throws {
        var current = ownPart
        current.mark = try own.mark()
        var writer = StateWriter()
        writer.write([current] + sealed)
        snapshot.add(name, writer)
    }

    /// Checks and cuts back the parts listed in this subtask's share of split-list state `name`,
    /// and keeps them as sealed parts.
    public func restore(from state: RestoredState, as name: String) throws {
        guard let path = file.path else { return }
        for var reader in state.list(name) {
            for part in try reader.readArray(of: SidePart.self) where part.mark.length > 0 {
                try FileOutput(path: part.path(beside: path), resuming: part.mark, checkpoint: state.checkpointID).keepForResume()
                sealed.append(part)
            }
        }
    }

    /// Closes the own part at the end of input and hands every part to the side file.
    public func finish() throws {
        var current = ownPart
        current.mark = try own.mark()
        own.keepForResume()
        isFinished = true
        file.collect(sealed + [current])
    }

    deinit {
        // A checkpointed job that stops early (a savepoint, an error) keeps its part for the restore.
        if keepsParts && !isFinished { own.keepForResume() }
    }
}
