import Flow

/// One subtask's part of a side file (rejects, late records) as a checkpoint knows it: which
/// part, and the ``FileOutput/Mark`` (synced length and CRC-32) that identifies its bytes.
///
/// A part is named by the side file, the run that wrote it and its subtask:
/// `.<name>.g<generation>-s<subtask>.part.inprogress` beside the side file. The generation is
/// the checkpoint the run was restored from (0 for a run from the beginning), so a restored run
/// never writes over a part its checkpoint lists: those were all written by runs before it.
struct SidePart: StateCodable {
    var generation: Int64
    var subtask: Int
    var mark: FileOutput.Mark

    /// The path `FileOutput` is given for this part of the side file at `path`; it writes to
    /// that path's in-progress name.
    func path(beside path: String) -> String {
        "\(path).g\(generation)-s\(subtask).part"
    }

    func encode(to writer: inout StateWriter) {
        writer.write(generation)
        writer.write(subtask)
        writer.write(mark.length)
        writer.write(Int64(mark.checksum))
    }

    init(generation: Int64, subtask: Int, mark: FileOutput.Mark) {
        self.generation = generation
        self.subtask = subtask
        self.mark = mark
    }

    init(from reader: inout StateReader) throws {
        let generation = try reader.readInt64(), subtask = try reader.readInt64()
        let length = try reader.readInt64(), checksum = try reader.readInt64()
        guard (0...(1 << 53)).contains(generation), (0..<32_768).contains(subtask), length >= 0,
              let checksum = UInt32(exactly: checksum) else {
            throw StateReader.Damaged(description: "an impossible side-file part (generation \(generation), subtask \(subtask), length \(length), checksum \(checksum))")
        }
        self.init(generation: generation, subtask: Int(subtask), mark: .init(length: Int(length), checksum: checksum))
    }
}
