import Flow
import Operators
import TweetLog

/// The operators a job file can name, with the kinds of stream they take and give.
///
/// `flowrun validate` walks a pipeline through ``entry(named:)`` checking that each step takes
/// what the previous one gives, and `flowrun run` applies the same entries to build the job.
public struct OperatorRegistry: Sendable {
    /// One operator a job file can name: what it does with each kind of stream it takes.
    struct Entry: Sendable {
        var name: String
        var summary: String
        var variants: [Variant]

        /// The kinds of stream it takes.
        var takes: [String] { variants.map(\.takes) }

        /// The variant for a stream of kind `kind`, if the operator takes it.
        func variant(taking kind: String) -> Variant? { variants.first { $0.takes == kind } }
    }

    /// What an operator does with one kind of stream: the operators it adds for it.
    struct Variant: Sendable {
        var takes: String
        var gives: String
        var apply: @Sendable (PipelineStream, inout ResolvedSettings, BuildContext) throws -> PipelineStream

        /// Builds from a stream of kind `takes` the stream of kind `gives`.
        init<Input, Output>(takes: RecordKind<Input>, gives: RecordKind<Output>,
                            _ build: @escaping @Sendable (Input, inout ResolvedSettings, BuildContext) throws -> Output) {
            self.takes = takes.name
            self.gives = gives.name
            apply = { stream, settings, context in
                // The builder picks the variant by the stream's kind, and a kind names one type.
                guard let input = stream.stream(of: takes) else { preconditionFailure("\(takes.name) built as another type") }
                return PipelineStream(gives, try build(input, &settings, context))
            }
        }
    }

    let entries: [String: Entry]

    public static let standard = OperatorRegistry(entries: Dictionary(uniqueKeysWithValues: [
        TrendingOperators.tweetLog, TrendingOperators.watermarks, TrendingOperators.hashtags, TrendingOperators.keyBy,
        TrendingOperators.window, TrendingOperators.count, TrendingOperators.topK, SinkOperators.sink,
        RedisOperators.redisTop, ScoringOperators.documents, ScoringOperators.score, TrendingOperators.tweetLines, KafkaOperators.kafka,
    ].map { ($0.name, $0) }))

    func entry(named name: String) -> Entry? { entries[name] }

    /// The names, sorted, for messages.
    var names: String { entries.keys.sorted().joined(separator: ", ") }
}

extension OperatorRegistry.Entry {
    /// An operator that takes one kind of stream.
    init<Input, Output>(name: String, summary: String, takes: RecordKind<Input>, gives: RecordKind<Output>,
                        _ build: @escaping @Sendable (Input, inout ResolvedSettings, BuildContext) throws -> Output) {
        self.init(name: name, summary: summary, variants: [OperatorRegistry.Variant(takes: takes, gives: gives, build)])
    }
}

/// What steps need besides their settings while the job is built.
final class BuildContext: @unchecked Sendable {
    // Confined to the thread that builds the job; the files are Sendable and shared with operators.
    let job: StreamJob
    /// The job file's `name`.
    let jobName: String
    let checkOnly: Bool
    /// The side files the job's side outputs are merged into when it ends.
    var sideFiles: [SideFile] = []
    /// The identity of the step being built (its `id:` or its operator's name): the id of the
    /// operator it adds, and the stem of the ids of any others.
    var stepID = ""
    /// What the source step counts, for the progress line.
    var progressCounter = "records"
    /// Whether the tweet decoders may make the watermarks themselves (``SequencedWatermarks``):
    /// when every window of the job is sliding or tumbling with no allowed lateness, whose
    /// results depend only on which records the watermark before each one made late. Session
    /// windows and late updates depend on when watermarks arrive, so those jobs put the decoded
    /// tweets back in order first.
    var watermarksMayRunInParallel = true

    init(job: StreamJob, jobName: String, checkOnly: Bool) {
        self.job = job
        self.jobName = jobName
        self.checkOnly = checkOnly
    }
}
