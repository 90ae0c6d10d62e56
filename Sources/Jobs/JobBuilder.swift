import Flow
import Foundation
import Operators
import TweetLog

/// Turns a job file into a runnable ``StreamJob``: substitutes parameters, checks that each step
/// takes what the previous one gives, and builds the operators.
public struct JobBuilder {
    public var registry = OperatorRegistry.standard
    /// `-p name=value` overrides of the file's parameter defaults.
    public var overrides: [String: String] = [:]
    public var parallelism = 1
    public var batchSize = 1024
    /// `--buffer-timeout`: overrides the job file's `buffer-timeout`.
    public var bufferTimeout: Duration?
    /// `--idle-timeout`: overrides the job file's `idle-timeout`.
    public var idleTimeout: Duration?
    public var checkpointing = CheckpointOptions()
    /// Where the job's metrics are served (the job file's `metrics` section may also say).
    public var metricsOptions = MetricsOptions()
    /// Makes the job's metrics, given the job's name (a served job's come with a backend).
    public var makeMetrics: @Sendable (_ jobName: String) -> JobMetrics = { JobMetrics(jobName: $0) }

    public init() {}

    /// A built job with the side files its operators write when it ends.
    public struct BuiltJob {
        public var job: StreamJob
        /// The files its side outputs (rejects, late records, dead letters) are merged into at the end.
        public var sideFiles: [SideFile]
        /// The counter of what the job's source reads ("tweets", "documents"), for the progress line.
        public var progressCounter: String
        /// Where to serve the job's metrics, if the options or the file ask for it.
        public var metricsEndpoint: MetricsOptions.Endpoint?

        /// How a run ended.
        public enum Outcome: Equatable {
            case finished
            /// Asked to stop, it took savepoint `id` and stopped; the side files wait for the end.
            case stoppedAtSavepoint(Int64)
        }

        /// Runs the job to the end of its input, then writes the side files; or, asked to stop,
        /// to a savepoint.
        @discardableResult
        public func run() throws -> Outcome {
            try job.execute()
            if let savepoint = job.checkpoints?.completedSavepoint { return .stoppedAtSavepoint(savepoint) }
            for file in sideFiles { try file.publish() }
            return .finished
        }
    }

    /// Builds `file`. With `checkOnly`, inputs are not opened (for `validate` and `plan`).
    public func build(_ file: JobFile, checkOnly: Bool = false) throws -> BuiltJob {
        let parameters = try resolveParameters(file)
        var coordinator: CheckpointCoordinator?
        var restored: LoadedCheckpoint?
        if let settings = try checkpointing.settings(for: file, parameters: parameters), !checkOnly {
            let lock = try CheckpointFolderLock(directory: settings.directory)
            restored = try checkpointing.loadRestore(settings: settings)
            if let restored { checkpointing.report("restoring checkpoint \(restored.manifest.checkpoint) from \(restored.path)") }
            let newest = CheckpointStorage(directory: settings.directory).newestID()
            coordinator = CheckpointCoordinator(settings: settings, jobName: file.name, firstID: max(newest, restored?.manifest.checkpoint ?? 0) + 1,
                                                lock: lock, report: checkpointing.report)
        }
        let job = StreamJob(parallelism: parallelism, batchSize: batchSize, bufferTimeout: try bufferTimeout ?? Self.bufferTimeout(of: file, parameters),
                            idleTimeout: try idleTimeout ?? Self.idleTimeout(of: file, parameters), metrics: makeMetrics(file.name),
                            checkpoints: coordinator, restoredFrom: restored)
        let context = BuildContext(job: job, jobName: file.name, checkOnly: checkOnly)
        context.watermarksMayRunInParallel = Self.windowsTakeParallelWatermarks(file, parameters)
        var stream = PipelineStream.start
        var ids: Set<String> = []
        for step in file.steps {
            guard let entry = registry.entry(named: step.operatorName) else {
                throw FlowError(.invalidJob, "unknown operator \"\(step.operatorName)\"; the operators are \(registry.names)", at: step.location)
            }
            guard let variant = entry.variant(taking: stream.kind) else {
                throw FlowError(.invalidJob, "\(entry.name) takes \(entry.takes.joined(separator: " or ")), but the step before it gives \(stream.kind)", at: step.location)
            }
            var settings = try ResolvedSettings(step: step, parameters: parameters)
            context.stepID = try Self.operatorID(of: step, &settings, taken: &ids)
            stream = try variant.apply(stream, &settings, context)
            try settings.checkAllUsed()
        }
        guard stream.kind == PipelineStream.finished.kind else {
            throw FlowError(.invalidJob, "\(file.path): the pipeline ends with \(stream.kind) and no sink; add a sink step")
        }
        return BuiltJob(job: job, sideFiles: context.sideFiles, progressCounter: context.progressCounter,
                        metricsEndpoint: try metricsOptions.endpoint(for: file, parameters: parameters))
    }

    /// Whether every window step is sliding or tumbling without allowed lateness (see
    /// ``BuildContext/watermarksMayRunInParallel``). A setting that cannot be read counts against;
    /// the window step itself reports it.
    private static func windowsTakeParallelWatermarks(_ file: JobFile, _ parameters: [String: String]) -> Bool {
        file.steps.allSatisfy { step in
            guard step.operatorName == "window" else { return true }
            guard var settings = try? ResolvedSettings(step: step, parameters: parameters) else { return false }
            let type = settings.string("type", default: "sliding")
            let lateness = settings.string("allowed-lateness", default: "0s")
            return (type == "sliding" || type == "tumbling") && DurationText.parse(lateness) == .zero
        }
    }

    /// The job file's `buffer-timeout` (parameters substituted), or the default.
    private static func bufferTimeout(of file: JobFile, _ parameters: [String: String]) throws -> Duration {
        guard let setting = file.bufferTimeout else { return StreamJob.defaultBufferTimeout }
        let text = try resolved(setting, named: "buffer-timeout", parameters)
        guard let timeout = parseBufferTimeout(text) else {
            throw FlowError(.invalidJob, "buffer-timeout \"\(text.prefix(40))\" is not a duration; \(DurationText.expectation), or 0 to send every batch at once",
                            at: setting.location)
        }
        return timeout
    }

    /// The job file's `idle-timeout` (parameters substituted), or nil: inputs never count as idle.
    private static func idleTimeout(of file: JobFile, _ parameters: [String: String]) throws -> Duration? {
        guard let setting = file.idleTimeout else { return nil }
        let text = try resolved(setting, named: "idle-timeout", parameters)
        guard let timeout = DurationText.parse(text), timeout > .zero else {
            throw FlowError(.invalidJob, "idle-timeout \"\(text.prefix(40))\" is not a positive duration; \(DurationText.expectation)", at: setting.location)
        }
        return timeout
    }

    /// A top-level setting's text with `${parameters}` substituted.
    private static func resolved(_ setting: JobFile.Setting, named name: String, _ parameters: [String: String]) throws -> String {
        let step = JobFile.Step(operatorName: name, settings: [:], argument: setting, location: setting.location)
        var settings = try ResolvedSettings(step: step, parameters: parameters)
        return settings.string("", default: "")
    }

    /// A buffer timeout as written in a job file or on the command line: a duration, or 0.
    public static func parseBufferTimeout(_ text: String) -> Duration? {
        text.trimmingCharacters(in: .whitespaces) == "0" ? .zero : DurationText.parse(text)
    }

    /// A step's identity in checkpoints and metrics: its `id:`, or its operator's name (numbered
    /// from the second step of that name on). Operators a step adds besides its own take the id
    /// with a suffix (`tweet-log.decode`).
    private static func operatorID(of step: JobFile.Step, _ settings: inout ResolvedSettings, taken: inout Set<String>) throws -> String {
        if let id = settings.string("id") {
            guard CheckpointManifest.File.isOperatorID(id), !id.contains(".") else {
                throw FlowError(.invalidJob, "id \"\(id.prefix(40))\" must start with a letter or digit and hold only letters, digits, '-' and '_' (at most 100); choose another", at: settings.location)
            }
            guard taken.insert(id).inserted else {
                throw FlowError(.invalidJob, "id \"\(id)\" is already the id of an earlier step; give each step its own id", at: settings.location)
            }
            return id
        }
        var id = step.operatorName
        var number = 1
        while taken.contains(id) {
            number += 1
            id = "\(step.operatorName)-\(number)"
        }
        taken.insert(id)
        return id
    }

    /// Where `file`'s metrics are served, by ``metricsOptions`` over its `metrics` section
    /// (for runtimes that do not build the job here, such as a cluster worker).
    public func metricsEndpoint(for file: JobFile) throws -> MetricsOptions.Endpoint? {
        try metricsOptions.endpoint(for: file, parameters: resolveParameters(file))
    }

    func resolveParameters(_ file: JobFile) throws -> [String: String] {
        var values: [String: String] = [:]
        for parameter in file.parameters { values[parameter.name] = parameter.defaultValue }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            guard values[name] != nil else {
                let known = file.parameters.map(\.name).joined(separator: ", ")
                throw FlowError(.invalidJob, "-p \(name)=…: \(file.path) declares no parameter \(name); its parameters are \(known.isEmpty ? "none" : known)")
            }
            values[name] = value
        }
        return values
    }
}
