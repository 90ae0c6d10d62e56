import ArgumentParser
import Flow
import Logging

/// How `flowrun` writes its messages to standard error: as text for people (the default), or as
/// one JSON object a line for log collectors.
enum LogFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case human, json
}

/// Every message `flowrun run` writes to standard error (progress, notices, the summary, errors)
/// passes through here: as written for people, or through swift-log's ``JSONLogHandler`` with the
/// job's name, its leading line break and "flowrun: " left out.
enum Messages {
    private static let logger = Locked<Logger?>(nil)

    /// Switches to JSON lines labelled with `job` (before the job is built, its file's name).
    static func useJSON(job: String) {
        var made = Logger(label: "flowrun") { _ in JSONLogHandler() }
        made[metadataKey: "job"] = .string(job)
        logger.withLock { $0 = made }
    }

    /// Names the job in every later JSON line.
    static func name(job: String) {
        logger.withLock { $0?[metadataKey: "job"] = .string(job) }
    }

    /// Whether messages are JSON lines.
    static var isJSON: Bool { logger.withLock { $0 != nil } }

    /// Writes `text` as it stands, or as a JSON line at `level`.
    static func write(_ text: String, level: Logger.Level = .info, operator operatorID: String? = nil) {
        guard let logger = logger.withLock({ $0 }) else { return printError(text) }
        var message = Substring(text)
        while message.first == "\n" { message.removeFirst() }
        if message.hasPrefix("flowrun: ") { message.removeFirst("flowrun: ".count) }
        logger.log(level: level, "\(message)", metadata: operatorID.map { ["operator": .string($0)] })
    }
}
