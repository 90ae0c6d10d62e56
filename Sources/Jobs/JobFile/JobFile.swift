import Flow

/// A job definition file, parsed: its parameters and its pipeline of steps.
///
/// ```yaml
/// name: trending-hashtags
/// parameters:
///   input: {default: data/tweets/log.jsonl.zst, help: the tweet log}
/// pipeline:
///   - tweet-log: {path: "${input}"}
///   - watermarks: {out-of-orderness: 5s}
/// checkpoint: {interval: 10s, dir: checkpoints/trending-hashtags, retain: 3}
/// metrics: {port: 9249}
/// ```
public struct JobFile: Sendable {
    /// A named parameter with its default; `${name}` in a step's settings is replaced by its value.
    public struct Parameter: Sendable {
        public var name: String
        public var defaultValue: String
        public var help: String
    }

    /// One setting of a step, with where it was written.
    public struct Setting: Sendable {
        public var value: String
        public var location: FileLocation
    }

    /// One operator of the pipeline and its settings.
    public struct Step: Sendable {
        public var operatorName: String
        public var settings: [String: Setting]
        /// For steps written as `- key-by: hashtag`: the scalar after the name.
        public var argument: Setting?
        public var location: FileLocation
    }

    public var path: String
    public var name: String
    public var parameters: [Parameter]
    public var steps: [Step]
    /// The `checkpoint` section (interval, dir, retain), if the file has one.
    public var checkpoint: Step?
    /// The `metrics` section (port, address): where the job's metrics are served, if anywhere.
    public var metrics: Step?
    /// The `buffer-timeout` setting: how long a record may wait for a fuller batch.
    public var bufferTimeout: Setting?
    /// The `idle-timeout` setting: how long an input may be silent before it stops holding back event time.
    public var idleTimeout: Setting?
}
