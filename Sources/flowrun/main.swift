import ArgumentParser
import Bert
import Flow

/// `flowrun`: runs, checks and plans Flow job files, and generates tweet logs for tests.
struct FlowRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowrun",
        abstract: "Run Flow stream-processing jobs defined in YAML job files.",
        subcommands: [Run.self, Top.self, Validate.self, Plan.self, Checkpoints.self, Embed.self, Score.self, Evaluate.self, BlasPeak.self, GenerateTweets.self]
    )
}

BlasThreads.stopPool()
do {
    var command = try FlowRun.parseAsRoot()
    try command.run()
} catch {
    // ArgumentParser's own usage errors exit 64; Flow documents 2 for every bad argument.
    guard FlowRun.exitCode(for: error) == .validationFailure else { FlowRun.exit(withError: error) }
    printError("flowrun: \(FlowRun.message(for: error)); see flowrun help for the usage")
    FlowRun.exit(withError: ExitCode(exitCode(for: .invalidJob)))
}
