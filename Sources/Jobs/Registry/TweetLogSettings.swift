import Flow
import TweetLog

/// The settings of a step that reads a tweet log (`tweet-log`, `tweet-lines`), and the reader
/// they make.
struct TweetLogSettings {
    var path: String
    var speed: ReplaySpeed
    var follow: Bool
    var maxLineBytes: Int
    var chunkBytes: Int

    init(_ settings: inout ResolvedSettings) throws {
        path = try settings.requiredString("path")
        let speedText = settings.string("speed", default: "max")
        guard let speed = ReplaySpeed(speedText) else {
            throw FlowError(.invalidJob, "\(settings.step.operatorName) speed \"\(speedText)\" is not a speed; write max, realtime, or a factor such as 60x", at: settings.location)
        }
        self.speed = speed
        maxLineBytes = try settings.integer("max-line-bytes", default: TweetLogReader.defaultMaxLineBytes, range: 1024...(1 << 30))
        chunkBytes = try settings.integer("chunk-bytes", default: TweetLogReader.defaultChunkSize, range: 4096...(64 << 20))
        follow = try settings.boolean("follow", default: false)
        if (follow || path == "-") && speed != .max {
            throw FlowError(.invalidJob, "\(settings.step.operatorName) speed \(speed) replays a recorded log, but \(path == "-" ? "standard input" : "a followed log") is live; leave speed at max", at: settings.location)
        }
    }

    /// The reader's chunks of lines (one source subtask). With `cutsSegments`, plain files read at
    /// full speed by several decoders go on as segments that the decoders read; one decoder is
    /// better served by the reader's own thread reading ahead of it.
    func reader(_ build: BuildContext, cutsSegments: Bool = false) throws -> DataStream<LineChunk> {
        if !build.checkOnly { _ = try TweetLogFiles.list(path) }
        let (path, chunkBytes, maxLineBytes, follow) = (path, chunkBytes, maxLineBytes, follow)
        let cutsSegments = cutsSegments && speed == .max && build.job.parallelism > 1
        let name = speed != .max ? "tweet-log reader \(path), replayed at \(speed)" : follow ? "tweet-log reader \(path), followed as it grows" : "tweet-log reader \(path)"
        return build.job.source(name, id: build.stepID, speed: speed) { context in
            try TweetLogReader(path: path, context: context, chunkSize: chunkBytes, maxLineBytes: maxLineBytes, follow: follow, cutsSegments: cutsSegments)
        }
    }
}
