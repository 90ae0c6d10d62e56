import Flow
import Operators
import TweetLog

/// The kinds of stream the trending-hashtags steps take and give.
enum TrendingKinds {
    static let tweetLines = RecordKind<DataStream<LineChunk>>("tweet lines")
    static let tweets = RecordKind<DataStream<Tweet>>("tweets")
    static let hashtags = RecordKind<DataStream<Hashtag>>("hashtags")
    static let keyedHashtags = RecordKind<KeyedStream<Hashtag, KeyString>>("hashtags keyed by tag")
    static let windowedHashtags = RecordKind<WindowedHashtags>("windowed hashtags")
    static let counts = RecordKind<CountsPerWindow>("counts per window")
    static let rankedCounts = RecordKind<DataStream<RankedCount>>("ranked counts")
}

/// Keyed hashtags and the windows a `window` step chose for them; the aggregation step after it
/// builds the window operator (as a window alone has nothing to compute).
struct WindowedHashtags {
    var keyed: KeyedStream<Hashtag, KeyString>
    var choice: WindowChoice
}

/// Every tag's count per window, not yet counted: the step that takes the counts builds the
/// window operator (with the window step's id), so that `top-k` can fuse its per-subtask ranking
/// into the window's firing: a firing then sends on k results, not one per tag of the window.
struct CountsPerWindow {
    var keyed: KeyedStream<Hashtag, KeyString>
    var choice: WindowChoice

    /// The window operator counting the tags, sending on what `emission` says of each fired
    /// window (a session window sends every tag's count).
    func counted(emission: SlicedWindowOperator<Hashtag, KeyString, CountAggregation<Hashtag>>.Emission, describedAs suffix: String) -> DataStream<KeyedCount> {
        let (late, lateness) = (choice.lateRecords.records, choice.allowedLateness)
        let counts: DataStream<KeyedCount>
        switch choice.kind {
        case .sliding(let spec):
            counts = keyed.apply("\(choice.description) → count\(suffix)", id: choice.operatorID, watermarkGranularity: choice.watermarkGranularity(spec)) { context in
                try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(), emission: emission,
                                         allowedLateness: lateness, lateRecords: late, context: context, describeKey: { $0.string })
            }
        case .session(let gap):
            counts = keyed.apply("\(choice.description) → count", id: choice.operatorID, watermarkGranularity: 1) { context in
                try SessionWindowOperator(gap: gap, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                          lateRecords: late, context: context, describeKey: { $0.string })
            }
        }
        let file = choice.lateRecords
        if let late, let path = file.path {
            counts.sideSink(late, "late-records file \(path)", id: "\(choice.operatorID).late-records") { context in try file.sink(context: context) }
        }
        return counts
    }
}

/// The windows a `window` step chose.
struct WindowChoice {
    enum Kind { case sliding(WindowSpec), session(gap: Duration) }
    var kind: Kind
    var lateRecords: LateRecordFile
    /// How long a fired window still takes late records (and fires again).
    var allowedLateness: Duration
    var description: String
    /// The window step's identity: the window operator's state is the window's.
    var operatorID: String

    /// The watermark steps a sliding window tells apart: its slide, and where windows close.
    func watermarkGranularity(_ spec: WindowSpec) -> Int64 {
        var (a, b) = (spec.slide, allowedLateness.milliseconds)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
