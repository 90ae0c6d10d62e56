import Flow
import Foundation
import Operators

/// The registry entries of the operators the trending-hashtags job is made of.
enum TrendingOperators {
    static let tweetLog = OperatorRegistry.Entry(
        name: "tweet-log", summary: "reads a recorded tweet log (JSON Lines, .gz, .zst, a folder, or - for standard input)",
        takes: [.none], gives: .tweets
    ) { _, settings, build in
        let path = try settings.requiredString("path")
        let speedText = settings.string("speed", default: "max")
        guard let speed = ReplaySpeed(speedText) else {
            throw FlowError(.invalidJob, "\(settings.location): tweet-log speed \"\(speedText)\" is not a speed; write max, realtime, or a factor such as 60x")
        }
        let maxLineBytes = try settings.integer("max-line-bytes", default: TweetLogReader.defaultMaxLineBytes, range: 1024...(1 << 30))
        let chunkBytes = try settings.integer("chunk-bytes", default: TweetLogReader.defaultChunkSize, range: 4096...(64 << 20))
        let rejects = RejectFile(path: nonEmpty(settings.string("rejects")))
        build.rejectFiles.append(rejects)
        build.progressCounter = "tweets"
        try build.checkOutput(rejects.path, what: "reject file", at: settings.location)
        if !build.checkOnly { _ = try TweetLogFiles.list(path) }
        let reader = speed == .max ? "tweet-log reader \(path)" : "tweet-log reader \(path), replayed at \(speed)"
        let stream = build.job.source(reader, id: build.stepID, speed: speed) { context in
            try TweetLogReader(path: path, context: context, chunkSize: chunkBytes, maxLineBytes: maxLineBytes)
        }
        .inParallel()
        .apply("decode tweets", id: "\(build.stepID).decode") { context in
            try TweetDecodeOperator(rejects: rejects, context: context, maxLineBytes: maxLineBytes)
        }
        .inSequence()
        return .tweets(stream)
    }

    static let watermarks = OperatorRegistry.Entry(
        name: "watermarks", summary: "watermark = largest event time so far minus out-of-orderness",
        takes: [.tweets], gives: .tweets
    ) { stream, settings, build in
        let delay = try settings.duration("out-of-orderness", default: "5s")
        guard case .tweets(let tweets) = stream else { preconditionFailure("watermarks applied to \(stream.kind)") }
        return .tweets(tweets.apply("watermarks (\(DurationText.format(delay)) out of order)", id: build.stepID, makesWatermarks: true) { context in
            BoundedOutOfOrdernessWatermarks(delay: delay, context: context)
        })
    }

    static let hashtags = OperatorRegistry.Entry(
        name: "hashtags", summary: "one record per hashtag of each tweet, lowercased",
        takes: [.tweets], gives: .hashtags
    ) { stream, _, build in
        guard case .tweets(let tweets) = stream else { preconditionFailure("hashtags applied to \(stream.kind)") }
        return .hashtags(tweets.apply("hashtags (lowercased)", id: build.stepID) { context in
            HashtagExtractor(context: context)
        })
    }

    static let keyBy = OperatorRegistry.Entry(
        name: "key-by", summary: "partitions hashtags by tag across the parallel subtasks",
        takes: [.hashtags], gives: .keyedHashtags
    ) { stream, settings, _ in
        let field = settings.string("", default: "hashtag")
        guard field == "hashtag" else {
            throw FlowError(.invalidJob, "\(settings.location): key-by \"\(field)\" is not a field of hashtags; write key-by: hashtag")
        }
        guard case .hashtags(let hashtags) = stream else { preconditionFailure("key-by applied to \(stream.kind)") }
        return .keyedHashtags(hashtags.keyBy { $0.tag })
    }

    static let window = OperatorRegistry.Entry(
        name: "window", summary: "event-time windows: sliding (size, slide), tumbling (size) or session (gap)",
        takes: [.keyedHashtags], gives: .windowedHashtags
    ) { stream, settings, build in
        guard case .keyedHashtags(let keyed) = stream else { preconditionFailure("window applied to \(stream.kind)") }
        let type = settings.string("type", default: "sliding")
        let late = LateRecordFile(path: nonEmpty(settings.string("late-records")))
        build.lateFiles.append(late)
        try build.checkOutput(late.path, what: "late-records file", at: settings.location)
        let choice: WindowChoice
        switch type {
        case "sliding", "tumbling":
            let size = try settings.duration("size", default: "30m")
            let slide = type == "tumbling" ? size : try settings.duration("slide", default: "10s")
            let lateness = try settings.duration("allowed-lateness", default: "0s")
            do {
                let spec = try WindowSpec(size: size, slide: slide)
                choice = WindowChoice(kind: .sliding(spec), lateRecords: late, allowedLateness: lateness,
                                      description: "\(type) window \(DurationText.format(size))" + (type == "sliding" ? " every \(DurationText.format(slide))" : "")
                                        + (lateness > .zero ? ", late records up to \(DurationText.format(lateness))" : ""),
                                  operatorID: build.stepID)
            } catch let error as FlowError {
                throw FlowError(.invalidJob, "\(settings.location): \(error.message)")
            }
        case "session":
            let gap = try settings.duration("gap", default: "5m")
            guard gap.milliseconds > 0 else { throw FlowError(.invalidJob, "\(settings.location): session gap must be positive") }
            guard settings.string("allowed-lateness") == nil else {
                throw FlowError(.invalidJob, "\(settings.location): session windows take no allowed-lateness (a late record is counted and set aside); remove it")
            }
            choice = WindowChoice(kind: .session(gap: gap), lateRecords: late, allowedLateness: .zero, description: "session window, gap \(DurationText.format(gap))",
                                  operatorID: build.stepID)
        default:
            throw FlowError(.invalidJob, "\(settings.location): window type \"\(type)\" is unknown; use sliding, tumbling or session")
        }
        return .windowedHashtags(keyed, choice)
    }

    static let count = OperatorRegistry.Entry(
        name: "count", summary: "counts the hashtags of each tag per window",
        takes: [.windowedHashtags], gives: .counts
    ) { stream, _, _ in
        guard case .windowedHashtags(let keyed, let choice) = stream else { preconditionFailure("count applied to \(stream.kind)") }
        return .counts(keyed, choice)
    }

    static let topK = OperatorRegistry.Entry(
        name: "top-k", summary: "the k largest counts per window (ties by tag), local per subtask then merged",
        takes: [.counts], gives: .rankedCounts
    ) { stream, settings, build in
        let k = try settings.integer("k", default: 20, range: 1...10_000)
        guard case .counts(let keyed, let choice) = stream else { preconditionFailure("top-k applied to \(stream.kind)") }
        guard case .sliding(let spec) = choice.kind else {
            throw FlowError(.invalidJob, "\(settings.location): top-k needs windows shared by all tags (sliding or tumbling); session windows differ per tag")
        }
        let (late, lateness) = (choice.lateRecords, choice.allowedLateness)
        let local = keyed.apply("\(choice.description) → count → local top \(k)", id: choice.operatorID,
                                watermarkGranularity: choice.watermarkGranularity(spec)) { context in
            try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                 emission: .largest(k: k), allowedLateness: lateness, lateRecords: late, context: context,
                                 describeKey: { $0.string })
        }
        return .rankedCounts(local.global().apply("merge top \(k)", id: build.stepID) { _ in
            TopKMergeOperator(k: k, isGreater: >, allowedLateness: lateness)
        })
    }

    static let sink = OperatorRegistry.Entry(
        name: "sink", summary: "writes ranked counts (path - shows a console table; redis: URL publishes to a Redis sorted set) or every count per window, format csv or jsonl (from the path's ending); scored documents to a JSON Lines file or an index (partial updates); documents to an index",
        takes: [.rankedCounts, .counts, .scoredDocuments, .documents], gives: .finished
    ) { stream, settings, build in
        let path = settings.string("path", default: "-")
        let redis = settings.string("redis", default: "")
        if !redis.isEmpty {
            guard case .rankedCounts(let ranked) = stream else {
                throw FlowError(.invalidJob, "\(settings.location): the Redis sink takes ranked counts; put top-k before it")
            }
            guard path == "-" || path.isEmpty else {
                throw FlowError(.invalidJob, "\(settings.location): the sink writes to Redis or to the file \(path), not both; drop one of them")
            }
            let redisSettings = try RedisOperators.sinkSettings(redis, &settings)
            ranked.sink("redis sorted set \(redisSettings.key) at \(redisSettings.endpoint)", id: build.stepID) { context in
                RedisTopKSink(settings: redisSettings, context: context)
            }
            return .finished
        }
        // Documents go to an index only; every other stream may go to a file.
        if stream.kind != .documents { try build.checkOutput(path, what: "output file", at: settings.location) }
        let keyColumn = settings.string("key-column", default: "hashtag")
        let formatText = settings.string("format") ?? (path.hasSuffix(".jsonl") || path.hasSuffix(".json") ? "jsonl" : "csv")
        guard let format = RankedCountFormat(rawValue: formatText) else {
            throw FlowError(.invalidJob, "\(settings.location): sink format \"\(formatText)\" is unknown; use csv or jsonl")
        }
        switch stream {
        case .scoredDocuments(let scored):
            try ScoringOperators.sinkScores(scored, path: path, id: build.stepID, &settings)
        case .documents(let documents):
            try ScoringOperators.sinkDocuments(documents, path: path, id: build.stepID, &settings)
        case .rankedCounts(let ranked):
            if path == "-" || path.isEmpty {
                ranked.sink("console table", id: build.stepID) { _ in ConsoleTopKSink(keyColumn: keyColumn) }
            } else {
                ranked.sink("\(format.rawValue) file \(path)", id: build.stepID) { context in
                    RecordFileSink<RankedCount>(path: path, header: format.header(keyColumn: keyColumn), context: context) {
                        format.line($0, keyColumn: keyColumn)
                    }
                }
            }
        case .counts(let keyed, let choice):
            guard path != "-" && !path.isEmpty else {
                throw FlowError(.invalidJob, "\(settings.location): a sink of every count per window needs a file path; add top-k before it for a console table")
            }
            countsPerWindow(keyed, choice).global().apply("order window results", id: "\(build.stepID).order") { _ in
                WindowResultMerge<KeyString, Int64>()
            }
                .sink("\(format.rawValue) file \(path)", id: build.stepID) { context in
                    RecordFileSink<KeyedCount>(path: path, header: format.countsHeader(keyColumn: keyColumn), context: context) {
                        format.line($0, keyColumn: keyColumn)
                    }
                }
        default:
            preconditionFailure("sink applied to \(stream.kind)")
        }
        return .finished
    }

    /// Every tag's count per window, for the window the job file chose.
    private static func countsPerWindow(_ keyed: KeyedStream<Hashtag, KeyString>, _ choice: WindowChoice) -> DataStream<KeyedCount> {
        let (late, lateness) = (choice.lateRecords, choice.allowedLateness)
        switch choice.kind {
        case .sliding(let spec):
            return keyed.apply("\(choice.description) → count", id: choice.operatorID, watermarkGranularity: choice.watermarkGranularity(spec)) { context in
                try SlicedWindowOperator(spec: spec, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                     emission: .allKeys, allowedLateness: lateness, lateRecords: late, context: context, describeKey: { $0.string })
            }
        case .session(let gap):
            return keyed.apply("\(choice.description) → count", id: choice.operatorID, watermarkGranularity: 1) { context in
                try SessionWindowOperator(gap: gap, key: { $0.tag }, aggregation: CountAggregation<Hashtag>(),
                                      lateRecords: late, context: context, describeKey: { $0.string })
            }
        }
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
