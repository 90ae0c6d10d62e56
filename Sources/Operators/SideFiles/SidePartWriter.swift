import Flow

/// One subtask's writer of a side file: entries go to its own part file as they are made, and a
/// checkpoint keeps only the parts' marks.
///
/// On a restore, new subtask 0 takes over every part the checkpoint lists (each old subtask's
/// own and the ones it had taken over): it checks that each is the file the checkpoint wrote,
/// cuts it back to its mark, and keeps listing it as sealed. Every subtask then writes a new
/// part of its own, so a part is only ever appended to by the run that created it.
final class SidePartWriter {
    private let file: SideFile
    private let own: FileOutput
    private let ownPart: SidePart
    private var sealed: [SidePart] = []
    private let keepsParts: Bool
    private var isFinished = false

    /// Starts this subtask's part of `file`, which must have a path.
    init(file: SideFile, context: SubtaskContext) throws {
        guard let path = file.path else { preconditionFailure("a side-file part needs the side file's path") }
        self.file = file
        ownPart = SidePart(generation: context.restored?.checkpointID ?? 0, subtask: context.subtaskIndex, mark: .init(length: 0, checksum: 0))
        own = try FileOutput(path: ownPart.path(beside: path))
        keepsParts = context.snapshotReceiver != nil
    }

    /// Appends one entry: two sort keys and its JSON line (ending in a line feed).
    func append(first: Int64, second: Int64, json: String) throws {
        try own.write("\(first) \(second) \(json)")
    }

    /// Syncs the own part and writes the list of parts (own first, then sealed) into a checkpoint.
    func write(to writer: inout StateWriter) throws {
        var current = ownPart
        current.mark = try own.mark()
        writer.write([current] + sealed)
    }

    /// The parts one old subtask's checkpoint lists, as ``write(to:)`` wrote them (read also
    /// when there is no side file now, to get past them).
    static func readParts(from reader: inout StateReader) throws -> [SidePart] {
        try reader.readArray(of: SidePart.self)
    }

    /// Checks and cuts back the parts a checkpoint listed, and keeps them as sealed parts.
    func takeOver(_ parts: [SidePart], checkpoint: Int64) throws {
        guard let path = file.path else { return }
        for part in parts where part.mark.length > 0 {
            try FileOutput(path: part.path(beside: path), resuming: part.mark, checkpoint: checkpoint).keepForResume()
            sealed.append(part)
        }
    }

    /// Closes the own part at the end of input and hands every part to the side file.
    func finish() throws {
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
