import Flow
import Foundation

/// A step's settings with parameters substituted, read with typed accessors that report the file
/// and line of a bad value. Every setting must be read: ``checkAllUsed()`` rejects unknown ones.
public struct ResolvedSettings {
    let step: JobFile.Step
    let values: [String: JobFile.Setting]
    private(set) var used: Set<String> = []

    init(step: JobFile.Step, parameters: [String: String]) throws {
        self.step = step
        var values: [String: JobFile.Setting] = [:]
        for (key, setting) in step.settings {
            values[key] = JobFile.Setting(value: try Self.substitute(setting, parameters: parameters), location: setting.location)
        }
        if let argument = step.argument {
            values[""] = JobFile.Setting(value: try Self.substitute(argument, parameters: parameters), location: argument.location)
        }
        self.values = values
    }

    /// Replaces each `${name}` with the parameter's value.
    static func substitute(_ setting: JobFile.Setting, parameters: [String: String]) throws -> String {
        var result = ""
        var rest = Substring(setting.value)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else {
                throw FlowError(.invalidJob, "\"${\" without a closing \"}\"; write ${name}", at: setting.location)
            }
            let name = String(rest[open.upperBound..<close])
            guard let value = parameters[name] else {
                throw FlowError(.invalidJob, "${\(name)} names no parameter; declare it under parameters", at: setting.location)
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    var location: FileLocation { step.location }

    mutating func string(_ key: String) -> String? {
        used.insert(key)
        return values[key]?.value
    }

    mutating func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    mutating func requiredString(_ key: String) throws -> String {
        guard let value = string(key), !value.isEmpty else {
            throw FlowError(.invalidJob, "\(step.operatorName) needs a \(key) setting", at: location)
        }
        return value
    }

    mutating func duration(_ key: String, default defaultValue: String) throws -> Duration {
        let text = string(key) ?? defaultValue
        guard let duration = DurationText.parse(text) else {
            let place = values[key]?.location ?? location
            throw FlowError(.invalidJob, "\(place): \(step.operatorName) \(key) \"\(text)\" is not a duration; \(DurationText.expectation)")
        }
        return duration
    }

    mutating func boolean(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let text = string(key) else { return defaultValue }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off", "": return false
        default:
            let place = values[key]?.location ?? location
            throw FlowError(.invalidJob, "\(place): \(step.operatorName) \(key) \"\(text)\" is not true or false")
        }
    }

    mutating func integer(_ key: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = string(key) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw FlowError(.invalidJob, "\(step.operatorName) \(key) \"\(text)\" must be a whole number from \(range.lowerBound) to \(range.upperBound)", at: values[key]!.location)
        }
        return value
    }

    /// A number from 0 to 1.
    mutating func fraction(_ key: String, default defaultValue: Double) throws -> Double {
        guard let text = string(key) else { return defaultValue }
        guard let value = Double(text), (0...1).contains(value) else {
            throw FlowError(.invalidJob, "\(step.operatorName) \(key) \"\(text)\" must be a number from 0 to 1", at: values[key]!.location)
        }
        return value
    }

    /// Rejects settings the operator does not know.
    func checkAllUsed() throws {
        for key in values.keys.sorted() where !used.contains(key) {
            let what = key.isEmpty ? "a value after its name" : "no setting \"\(key)\""
            let known = used.filter { !$0.isEmpty }.sorted().joined(separator: ", ")
            throw FlowError(.invalidJob, "\(step.operatorName) takes \(what)\(known.isEmpty ? "" : "; its settings are \(known)")", at: values[key]!.location)
        }
    }
}

/// Durations as job files write them: a whole number and a unit (`ms`, `s`, `m`, `h`), e.g. `30m`,
/// from zero to ``maximum``.
public enum DurationText {
    /// The longest duration a setting may hold: 100 years (876,000 hours). Bounding settings keeps
    /// every sum of an event time and a duration far inside `Int64`.
    public static let maximum = Duration.seconds(876_000 * 3600)

    /// What a duration setting must look like, as a sentence's end.
    public static let expectation = "write a whole number and a unit (ms, s, m or h) of at most 876000h, like \"30m\", \"10s\" or \"250ms\""

    /// The duration `text` writes, or nil when it is not one or longer than ``maximum``.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let value = Int64(digits) else { return nil }
        let millisecondsPerUnit: Int64
        switch trimmed.dropFirst(digits.count) {
        case "ms": millisecondsPerUnit = 1
        case "s": millisecondsPerUnit = 1000
        case "m", "min": millisecondsPerUnit = 60_000
        case "h": millisecondsPerUnit = 3_600_000
        default: return nil
        }
        let (milliseconds, overflow) = value.multipliedReportingOverflow(by: millisecondsPerUnit)
        guard !overflow, milliseconds <= maximum.milliseconds else { return nil }
        return .milliseconds(milliseconds)
    }
}

extension DurationText {
    /// The shortest exact way to write `duration` (`30m`, `10s`, `250ms`).
    public static func format(_ duration: Duration) -> String {
        let ms = duration.milliseconds
        if ms != 0 && ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms != 0 && ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }
}
