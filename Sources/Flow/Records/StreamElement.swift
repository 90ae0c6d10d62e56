/// What travels through a stream, in order: batches of records and in-band control.
///
/// Control elements keep their position relative to the records around them, so a watermark
/// means "every record before me has been seen" at every operator, whatever the batching.
public enum StreamElement<Record: Sendable>: Sendable {
    /// A batch of records (hundreds to a few thousand).
    case records([Record])
    /// No record with an earlier or equal event time will follow (except late ones).
    case watermark(EventTime)
    /// Checkpoint barrier: everything before it is covered by the checkpoint, nothing after.
    case barrier(CheckpointBarrier)
    /// The stream ended; no element follows.
    case endOfInput
}

/// An element with the index of the upstream subtask that sent it, so that a task with several
/// inputs can track each input's watermark and end.
public struct Envelope<Record: Sendable>: Sendable {
    public var sender: Int
    public var element: StreamElement<Record>
}
