import ArgumentParser
import Flow
import Jobs
import Logging

/// The options `run`, `validate` and `plan` share: the job file and how to build it.
struct JobOptions: ParsableArguments {
    @Argument(help: "The job file (YAML), e.g. configs/trending-hashtags.yaml.")
    var file: String

    @Option(name: [.customShort("p"), .customLong("param")], help: "Set a job parameter: -p name=value (repeatable).")
    var parameters: [String] = []

    @Option(help: "Subtasks per parallel operator (1–128).")
    var parallelism: Int = 1

    @Option(help: "Records per batch sent between tasks.")
    var batchSize: Int = 1024

    @Option(help: "The longest a record waits for a fuller batch, e.g. 5ms, or 0 to send every batch on at once (overrides the job file's buffer-timeout; default 5ms).")
    var bufferTimeout: String?

    @Option(help: "How long an upstream subtask may send nothing before the operators it feeds stop waiting for its watermark, e.g. 30s (overrides the job file's idle-timeout; default: never).")
    var idleTimeout: String?

    /// Parses the job file and builds it.
    func build(checkOnly: Bool, checkpointing: CheckpointOptions = CheckpointOptions(),
               configure: (inout JobBuilder) -> Void = { _ in }) throws -> (JobFile, JobBuilder.BuiltJob) {
        var builder = try builder(checkpointing: checkpointing)
        configure(&builder)
        let file = try JobFileParser.parse(path: file)
        return (file, try builder.build(file, checkOnly: checkOnly))
    }

    /// A builder set up by these options: parallelism, batch size, timeouts and `-p` parameters.
    func builder(checkpointing: CheckpointOptions = CheckpointOptions()) throws -> JobBuilder {
        guard (1...128).contains(parallelism) else {
            throw FlowError(.invalidJob, "--parallelism \(parallelism) is out of range; use 1 to 128")
        }
        guard (1...1_000_000).contains(batchSize) else {
            throw FlowError(.invalidJob, "--batch-size \(batchSize) is out of range; use 1 to 1000000")
        }
        var builder = JobBuilder()
        builder.parallelism = parallelism
        builder.batchSize = batchSize
        if let bufferTimeout {
            guard let timeout = JobBuilder.parseBufferTimeout(bufferTimeout) else {
                throw FlowError(.invalidJob, "--buffer-timeout \(bufferTimeout) is not a duration; \(DurationText.expectation), or 0")
            }
            builder.bufferTimeout = timeout
        }
        if let idleTimeout {
            guard let timeout = DurationText.parse(idleTimeout), timeout > .zero else {
                throw FlowError(.invalidJob, "--idle-timeout \(idleTimeout) is not a positive duration; \(DurationText.expectation)")
            }
            builder.idleTimeout = timeout
        }
        builder.checkpointing = checkpointing
        for parameter in parameters {
            guard let equals = parameter.firstIndex(of: "="), equals != parameter.startIndex else {
                throw FlowError(.invalidJob, "-p \(parameter) is not name=value; write for example -p input=tweets.jsonl")
            }
            builder.overrides[String(parameter[..<equals])] = String(parameter[parameter.index(after: equals)...])
        }
        return builder
    }
}

/// Runs `body`, turning a ``FlowError`` into one line on standard error and its exit code.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as FlowError {
        Messages.write("flowrun: \(error)", level: .error, operator: error.operatorID)
        throw ExitCode(exitCode(for: error.code))
    }
}

func exitCode(for code: FlowError.Code) -> Int32 {
    switch code {
    case .invalidJob: 2
    case .missingInput: 3
    case .external: 4
    case .output: 5
    case .internal: 70
    }
}
