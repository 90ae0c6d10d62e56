/// A run of whole lines read from a tweet log, the unit the reader hands to the decoders: the
/// lines themselves, or a segment of a plain file that the decoder reads.
public struct LineChunk: Sendable {
    /// The lines' bytes; every line ends with "\n" except perhaps the last line of a file.
    /// Empty for a segment.
    public var bytes: ChunkBytes
    /// Index of the file in the log (0 for a single file), for ordering rejected lines.
    public var fileIndex: Int
    /// The file's name, for messages.
    public var fileName: String
    /// The 1-based number of the chunk's first line within its file; 0 when the reader does not
    /// know it (a segment that does not start its file): the decoders then learn it from the
    /// chunks before (``TweetDecodeOperator``).
    public var firstLine: Int
    /// Set when the chunk stands for one line longer than the log's `max-line-bytes`, which the
    /// reader stepped over without holding it: its length (without the line feed). `bytes` then
    /// holds only the line's first bytes, for the reject file.
    public var overlongLineLength: Int?
    /// The part of a plain file the decoder reads itself (nil: the lines are in `bytes`).
    public var segment: FileSegment?
    /// The chunk's number among those the reader handed on since it started (or was restored).
    public var sequence = 0
}
