import ArgumentParser
import Flow
import Jobs
import TweetGenerator

/// `flowrun gen-tweets`: writes a synthetic Twitter v1.1 log for tests and benchmarks.
struct GenerateTweets: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-tweets",
        abstract: "Write a realistic synthetic tweet log (v1.1 JSON Lines): Zipf hashtags, bursts, retweets, notices, malformed lines."
    )

    @Option(help: "Number of tweets.")
    var tweets: Int

    @Option(help: "Random seed; the same seed gives the same bytes.")
    var seed: UInt64 = 1

    @Option(help: "Output file, or - for standard output.")
    var out: String

    @Option(help: "Tweets per second of event time (0.001 to 1000000).")
    var rate: Double = 200

    @Flag(help: "Leave out the fields no hashtag consumer reads: about 1 KB a tweet instead of 2.")
    var compact = false

    func run() throws {
        try reportingErrors {
            guard tweets >= 0 else { throw FlowError(.invalidJob, "--tweets must not be negative") }
            // Slower than one tweet in 1000 s, or faster than a million a second, the event clock's
            // microsecond steps would leave the years the engine supports or round to nothing.
            guard (0.001...1_000_000).contains(rate) else {
                throw FlowError(.invalidJob, "--rate \(rate) is out of range; give 0.001 to 1000000 tweets per second")
            }
            var configuration = TweetLogGenerator.Configuration(tweets: tweets, seed: seed)
            configuration.tweetsPerSecond = rate
            configuration.compact = compact
            do {
                let summary = try TweetLogGenerator(configuration).write(toPath: out)
                if out != "-" {
                    printError("wrote \(summary.tweets) tweets, \(summary.deleteNotices) delete and \(summary.limitNotices) limit notices, \(summary.malformedLines) malformed lines (\(summary.bytes) bytes) to \(out)")
                }
            } catch let error as TweetLogGenerator.IOError {
                throw FlowError(.output, "cannot write \(out): \(error.description)")
            }
        }
    }
}
