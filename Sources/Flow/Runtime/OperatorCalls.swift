/// An operator's hooks for records, watermarks and the end of input as closures made where its type is known.
///
/// The host runs every kind of operator and so is generic code, which, called across modules,
/// pays a type-metadata lookup per call and cannot inline the operator's work. The builder API
/// (``DataStream/apply(_:id:watermarkGranularity:makesWatermarks:_:)``) is inlined into the code
/// that builds the job, so these closures are made there, for the concrete operator, and the
/// host calls copies of the hooks specialised for it (and for its record and key types).
public struct OperatorCalls<Op: Operator>: Sendable {
    @usableFromInline let process: @Sendable (Op, [Op.Input], Collector<Op.Output>) throws -> Void
    @usableFromInline let onWatermark: @Sendable (Op, EventTime, Collector<Op.Output>) throws -> Void
    @usableFromInline let onEndOfInput: @Sendable (Op, Collector<Op.Output>) throws -> Void

    @inlinable
    public init() {
        process = { op, batch, output in try op.process(batch, into: output) }
        onWatermark = { op, watermark, output in try op.onWatermark(watermark, into: output) }
        onEndOfInput = { op, output in try op.onEndOfInput(into: output) }
    }
}
