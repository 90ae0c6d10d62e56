import ArgumentParser
import Flow
import Jobs

/// `flowrun validate FILE`: checks a job file without running it.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a job file: syntax, operators, settings, and the types between steps.")

    @OptionGroup var job: JobOptions

    func run() throws {
        try reportingErrors {
            let (file, _) = try job.build(checkOnly: true)
            print("\(job.file): valid job \"\(file.name)\" with \(file.steps.count) steps")
        }
    }
}

/// `flowrun plan FILE`: prints the tasks a job runs as.
struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the operator graph: tasks, chained operators, parallelism and partitioning.")

    @OptionGroup var job: JobOptions

    func run() throws {
        try reportingErrors {
            let (file, built) = try job.build(checkOnly: true)
            print("job \"\(file.name)\" at parallelism \(job.parallelism)")
            print(built.job.plan())
        }
    }
}
