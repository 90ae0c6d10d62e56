import ArgumentParser
import Bert

/// `flowrun`: runs, checks and plans Flow job files, and generates tweet logs for tests.
struct FlowRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowrun",
        abstract: "Run Flow stream-processing jobs defined in YAML job files.",
        subcommands: [Run.self, Validate.self, Plan.self, Checkpoints.self, Embed.self, Score.self, BlasPeak.self, GenerateTweets.self]
    )
}

BlasThreads.stopPool()
FlowRun.main()
