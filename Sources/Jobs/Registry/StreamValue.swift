import Flow
import Operators
import Scoring
import TweetLog

/// The stream a pipeline has built so far, with its record type: what the next step takes.
enum StreamValue {
    case none
    case tweets(DataStream<Tweet>)
    case hashtags(DataStream<Hashtag>)
    case keyedHashtags(KeyedStream<Hashtag, KeyString>)
    case windowedHashtags(KeyedStream<Hashtag, KeyString>, WindowChoice)
    case counts(KeyedStream<Hashtag, KeyString>, WindowChoice)
    case rankedCounts(DataStream<RankedCount>)
    case documents(DataStream<Document>)
    case scoredDocuments(DataStream<ScoredDocument>)
    case finished

    /// The record type, as `flowrun validate` names it.
    var kind: StreamKind {
        switch self {
        case .none: .none
        case .tweets: .tweets
        case .hashtags: .hashtags
        case .keyedHashtags: .keyedHashtags
        case .windowedHashtags: .windowedHashtags
        case .counts: .counts
        case .rankedCounts: .rankedCounts
        case .documents: .documents
        case .scoredDocuments: .scoredDocuments
        case .finished: .finished
        }
    }
}

/// The record types a step can take and give, for checking a pipeline before building it.
public enum StreamKind: String, Sendable {
    case none = "nothing (the pipeline must start with a source)"
    case tweets = "tweets"
    case hashtags = "hashtags"
    case keyedHashtags = "hashtags keyed by tag"
    case windowedHashtags = "windowed hashtags"
    case counts = "counts per window"
    case rankedCounts = "ranked counts"
    case documents = "documents"
    case scoredDocuments = "scored documents"
    case finished = "nothing (a sink ends the pipeline)"
}

/// The window a `window` step chose, applied when its aggregation follows.
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
