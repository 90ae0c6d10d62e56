/// A kind of stream a pipeline step takes or gives, named as messages and `flowrun validate`
/// say it ("tweets", "counts per window"), with the Swift type of the value that carries it.
///
/// Kinds are declared beside the steps that make them, so a connector adds its own; no list
/// names them all. Two kinds are the same kind when their names are.
struct RecordKind<Stream>: Sendable {
    let name: String

    init(_ name: String) { self.name = name }
}

/// The two kinds that carry no stream: before the first step, and after a sink.
enum PipelineEnds {
    static let start = RecordKind<Void>("nothing (the pipeline must start with a source)")
    static let finished = RecordKind<Void>("nothing (a sink ends the pipeline)")
}

/// The stream a pipeline has built so far, behind its kind: what the next step takes.
struct PipelineStream {
    let kind: String
    private let stream: Any

    init<Stream>(_ kind: RecordKind<Stream>, _ stream: Stream) {
        self.kind = kind.name
        self.stream = stream
    }

    static var start: PipelineStream { PipelineStream(PipelineEnds.start, ()) }
    static var finished: PipelineStream { PipelineStream(PipelineEnds.finished, ()) }

    /// The stream, typed, when it is of `kind`.
    func stream<Stream>(of kind: RecordKind<Stream>) -> Stream? {
        kind.name == self.kind ? stream as? Stream : nil
    }
}
