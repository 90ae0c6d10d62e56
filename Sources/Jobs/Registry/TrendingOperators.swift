import Flow
import Foundation
import Operators
import Redis
import TweetLog

/// The registry entries of the operators the trending-hashtags job is made of.
enum TrendingOperators {
    static let tweetLog = OperatorRegistry.Entry(
        name: "tweet-log", summary: "reads a recorded tweet log (JSON Lines, .gz, .zst, a folder, or - for standard input); the decoders read plain files in parallel",
        takes: PipelineEnds.start, gives: TrendingKinds.tweets
    ) { _, settings, build in
        let log = try TweetLogSettings(&settings)
        let rejects = RejectFile(path: nonEmpty(settings.string("rejects")))
        build.sideFiles.append(rejects.side)
        build.progressCounter = "tweets"
        try build.checkOutput(rejects.path, what: "reject file", at: settings.location)
        let maxLineBytes = log.maxLineBytes
        let linesBefore = LinePosition.sharedPrefix()
        let decoded = try log.reader(build, cutsSegments: true)
            .inParallel()
            .apply("decode tweets", id: "\(build.stepID).decode") { context in
                TweetDecodeOperator(rejects: rejects.records, context: context, maxLineBytes: maxLineBytes, linesBefore: linesBefore)
            }
        if let records = rejects.records, let rejectsPath = rejects.path {
            decoded.sideSink(records, "reject file \(rejectsPath)", id: "\(build.stepID).rejects") { context in try rejects.sink(context: context) }
        }
        // Still in the decoders' ordered region: the watermarks step decides whether order comes back.
        return decoded
    }

    static let tweetLines = OperatorRegistry.Entry(
        name: "tweet-lines", summary: "reads a recorded tweet log's lines undecoded (to replay them into Kafka), with tweet-log's settings",
        takes: PipelineEnds.start, gives: TrendingKinds.tweetLines
    ) { _, settings, build in
        build.progressCounter = "bytes"
        return try TweetLogSettings(&settings).reader(build)
    }

    static let watermarks = OperatorRegistry.Entry(
        name: "watermarks", summary: "watermark = largest event time so far minus out-of-orderness",
        takes: TrendingKinds.tweets, gives: TrendingKinds.tweets
    ) { tweets, settings, build in
        let delay = try settings.duration("out-of-orderness", default: "5s")
        let name = "watermarks (\(DurationText.format(delay)) out of order)"
        if tweets.isInOrderedRegion && build.watermarksMayRunInParallel {
            let earlier = SequencedWatermarks<Tweet>.sharedPrefix()
            return tweets.apply(name + ", in every decoder", id: build.stepID, makesWatermarks: true) { context in
                SequencedWatermarks(delay: delay, earlier: earlier, context: context)
            }.leavingOrder()
        }
        return inOrder(tweets).apply(name, id: build.stepID, makesWatermarks: true) { context in
            BoundedOutOfOrdernessWatermarks(delay: delay, context: context)
        }
    }

    /// The stream as one subtask in its original order (the decoders' batches put back in order).
    private static func inOrder<Record>(_ stream: DataStream<Record>) -> DataStream<Record> {
        stream.isInOrderedRegion ? stream.inSequence() : stream
    }

    static let hashtags = OperatorRegistry.Entry(
        name: "hashtags", summary: "one record per hashtag of each tweet, lowercased",
        takes: TrendingKinds.tweets, gives: TrendingKinds.hashtags
    ) { tweets, _, build in
        inOrder(tweets).apply("hashtags (lowercased)", id: build.stepID) { context in
            HashtagExtractor(context: context)
        }
    }

    static let keyBy = OperatorRegistry.Entry(
        name: "key-by", summary: "partitions hashtags by tag across the parallel subtasks",
        takes: TrendingKinds.hashtags, gives: TrendingKinds.keyedHashtags
    ) { hashtags, settings, _ in
        let field = settings.string("", default: "hashtag")
        guard field == "hashtag" else {
            throw FlowError(.invalidJob, "key-by \"\(field)\" is not a field of hashtags; write key-by: hashtag", at: settings.location)
        }
        return hashtags.keyBy { $0.tag }
    }

    static let window = OperatorRegistry.Entry(
        name: "window", summary: "event-time windows: sliding (size, slide), tumbling (size) or session (gap)",
        takes: TrendingKinds.keyedHashtags, gives: TrendingKinds.windowedHashtags
    ) { keyed, settings, build in
        let type = settings.string("type", default: "sliding")
        let late = LateRecordFile(path: nonEmpty(settings.string("late-records")))
        build.sideFiles.append(late.side)
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
                throw FlowError(.invalidJob, error.message, at: settings.location, cause: error)
            }
        case "session":
            let gap = try settings.duration("gap", default: "5m")
            guard gap.milliseconds > 0 else { throw FlowError(.invalidJob, "session gap must be positive", at: settings.location) }
            guard settings.string("allowed-lateness") == nil else {
                throw FlowError(.invalidJob, "session windows take no allowed-lateness (a late record is counted and set aside); remove it", at: settings.location)
            }
            choice = WindowChoice(kind: .session(gap: gap), lateRecords: late, allowedLateness: .zero, description: "session window, gap \(DurationText.format(gap))",
                                  operatorID: build.stepID)
        default:
            throw FlowError(.invalidJob, "window type \"\(type)\" is unknown; use sliding, tumbling or session", at: settings.location)
        }
        return WindowedHashtags(keyed: keyed, choice: choice)
    }

    static let count = OperatorRegistry.Entry(
        name: "count", summary: "counts the hashtags of each tag per window (the window operator, with the window step's id, built by the step after it)",
        takes: TrendingKinds.windowedHashtags, gives: TrendingKinds.counts
    ) { windowed, _, _ in
        CountsPerWindow(keyed: windowed.keyed, choice: windowed.choice)
    }

    static let topK = OperatorRegistry.Entry(
        name: "top-k", summary: "the k largest counts per window (ties by tag): each subtask's top k, ranked as its window fires, then merged into one",
        takes: TrendingKinds.counts, gives: TrendingKinds.rankedCounts
    ) { counts, settings, build in
        let k = try settings.integer("k", default: 20, range: 1...10_000)
        guard case .sliding = counts.choice.kind else {
            throw FlowError(.invalidJob, "top-k needs windows shared by all tags (sliding or tumbling); session windows differ per tag", at: settings.location)
        }
        let lateness = counts.choice.allowedLateness
        return counts.counted(emission: .largest(k: k), describedAs: " → local top \(k)")
            .global()
            .apply("merge top \(k)", id: build.stepID) { context in
                TopKMergeOperator<KeyString, Int64>(k: k, isGreater: >, allowedLateness: lateness,
                                                    resultLatency: context.metrics.latency("flow_window_result_latency_seconds"))
            }
    }

    /// The sink of ranked counts: a console table (path `-`), a CSV or JSON Lines file, or a
    /// Redis sorted set (`redis: URL`).
    static let rankedCountsSink = OperatorRegistry.Variant(takes: TrendingKinds.rankedCounts, gives: PipelineEnds.finished) { ranked, settings, build in
        let path = settings.string("path", default: "-")
        let redis = settings.string("redis", default: "")
        let rolling = try rollingPolicy(&settings)
        if rolling != nil && (!redis.isEmpty || path == "-" || path.isEmpty) {
            throw FlowError(.invalidJob, "rolling writes part files into the folder the sink's path names; give a path, or drop rolling", at: settings.location)
        }
        if !redis.isEmpty {
            guard path == "-" || path.isEmpty else {
                throw FlowError(.invalidJob, "the sink writes to Redis or to the file \(path), not both; drop one of them", at: settings.location)
            }
            let redisSettings = try RedisOperators.sinkSettings(redis, &settings)
            ranked.sink("redis sorted set \(redisSettings.key) at \(redisSettings.endpoint)", id: build.stepID) { context in
                RedisTopKSink(settings: redisSettings, context: context)
            }
            return
        }
        let keyColumn = settings.string("key-column", default: "hashtag")
        if path == "-" || path.isEmpty {
            ranked.sink("console table", id: build.stepID) { _ in ConsoleTopKSink(keyColumn: keyColumn) }
            return
        }
        let format = try fileFormat(path, &settings)
        let header = format.header(keyColumn: keyColumn)
        if let rolling {
            ranked.sink("\(format.rawValue) part files in \(path)", id: build.stepID) { context in
                RollingFileSink<RankedCount>(folder: path, fileExtension: format.rawValue, header: header, policy: rolling, context: context) {
                    format.line($0, keyColumn: keyColumn)
                }
            }
            return
        }
        try build.checkOutput(path, what: "output file", at: settings.location)
        ranked.sink("\(format.rawValue) file \(path)", id: build.stepID) { context in
            RecordFileSink<RankedCount>(path: path, header: header, context: context) {
                format.line($0, keyColumn: keyColumn)
            }
        }
    }

    /// The `rolling` setting: nil (one file, published at the end) unless it is set.
    private static func rollingPolicy(_ settings: inout ResolvedSettings) throws -> RollingPolicy? {
        guard let text = settings.string("rolling"), !text.isEmpty else { return nil }
        guard let policy = RollingSetting.parse(text) else {
            throw FlowError(.invalidJob, "sink rolling \"\(text.prefix(40))\" is neither an age nor a size; \(RollingSetting.expectation)", at: settings.location)
        }
        return policy
    }

    /// The sink of every count per window: a CSV or JSON Lines file, ordered by window and key.
    static let countsSink = OperatorRegistry.Variant(takes: TrendingKinds.counts, gives: PipelineEnds.finished) { counts, settings, build in
        let path = settings.string("path", default: "-")
        guard settings.string("redis", default: "").isEmpty else {
            throw FlowError(.invalidJob, "the Redis sink takes ranked counts; put top-k before it", at: settings.location)
        }
        guard path != "-" && !path.isEmpty else {
            throw FlowError(.invalidJob, "a sink of every count per window needs a file path; add top-k before it for a console table", at: settings.location)
        }
        let keyColumn = settings.string("key-column", default: "hashtag")
        let format = try fileFormat(path, &settings)
        let header = format.countsHeader(keyColumn: keyColumn)
        let rolling = try rollingPolicy(&settings)
        if rolling == nil { try build.checkOutput(path, what: "output file", at: settings.location) }
        let ordered = counts.counted(emission: .allKeys, describedAs: "").global()
            .apply("order window results", id: "\(build.stepID).order") { _ in WindowResultMerge<KeyString, Int64>() }
        if let rolling {
            ordered.sink("\(format.rawValue) part files in \(path)", id: build.stepID) { context in
                RollingFileSink<KeyedCount>(folder: path, fileExtension: format.rawValue, header: header, policy: rolling, context: context) {
                    format.line($0, keyColumn: keyColumn)
                }
            }
            return
        }
        ordered.sink("\(format.rawValue) file \(path)", id: build.stepID) { context in
            RecordFileSink<KeyedCount>(path: path, header: header, context: context) {
                format.line($0, keyColumn: keyColumn)
            }
        }
    }

    /// The `format` setting, or the format the path's ending names.
    private static func fileFormat(_ path: String, _ settings: inout ResolvedSettings) throws -> RankedCountFormat {
        let formatText = settings.string("format") ?? (path.hasSuffix(".jsonl") || path.hasSuffix(".json") ? "jsonl" : "csv")
        guard let format = RankedCountFormat(rawValue: formatText) else {
            throw FlowError(.invalidJob, "sink format \"\(formatText)\" is unknown; use csv or jsonl", at: settings.location)
        }
        return format
    }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
