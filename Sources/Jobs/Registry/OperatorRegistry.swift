import Flow
import Operators
import TweetLog

/// The operators a job file can name, with the record types they take and give.
///
/// `flowrun validate` walks a pipeline through ``entry(named:)`` checking that each step takes
/// what the previous one gives, and `flowrun run` applies the same entries to build the job.
public struct OperatorRegistry: Sendable {
    /// One operator a job file can name.
    struct Entry: Sendable {
        var name: String
        var summary: String
        var takes: [StreamKind]
        var gives: StreamKind
        var apply: @Sendable (StreamValue, inout ResolvedSettings, BuildContext) throws -> StreamValue
    }

    let entries: [String: Entry]

    public static let standard = OperatorRegistry(entries: Dictionary(uniqueKeysWithValues: [
        TrendingOperators.tweetLog, TrendingOperators.watermarks, TrendingOperators.hashtags, TrendingOperators.keyBy,
        TrendingOperators.window, TrendingOperators.count, TrendingOperators.topK, TrendingOperators.sink,
        RedisOperators.redisTop, ScoringOperators.documents, ScoringOperators.score,
    ].map { ($0.name, $0) }))

    func entry(named name: String) -> Entry? { entries[name] }

    /// The names, sorted, for messages.
    var names: String { entries.keys.sorted().joined(separator: ", ") }
}

/// What steps need besides their settings while the job is built.
final class BuildContext: @unchecked Sendable {
    // Confined to the thread that builds the job; the files are Sendable and shared with operators.
    let job: StreamJob
    let checkOnly: Bool
    var rejectFiles: [RejectFile] = []
    var lateFiles: [LateRecordFile] = []
    /// The identity of the step being built (its `id:` or its operator's name): the id of the
    /// operator it adds, and the stem of the ids of any others.
    var stepID = ""
    /// What the source step counts, for the progress line.
    var progressCounter = "records"

    init(job: StreamJob, checkOnly: Bool) {
        self.job = job
        self.checkOnly = checkOnly
    }
}
