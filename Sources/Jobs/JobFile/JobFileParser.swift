import Flow
import Foundation
import Yams

/// Reads a job file (YAML) into a ``JobFile``, reporting problems with the file and line.
public enum JobFileParser {
    /// The largest job file read: far more than any pipeline needs.
    public static let maximumBytes = 1 << 20

    public static func parse(path: String) throws -> JobFile {
        let data: [UInt8]
        do {
            data = try BoundedFileRead.read(path, maximum: maximumBytes, followingLinks: true)
        } catch .missing, .unreadable {
            throw FlowError(.missingInput, "cannot read job file \(path); check the path")
        } catch {
            throw FlowError(.invalidJob, "job file \(path) \(error); give a YAML job file")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw FlowError(.invalidJob, "job file \(path) is not UTF-8 text; save it as UTF-8")
        }
        return try parse(text: text, path: path)
    }

    public static func parse(text: String, path: String) throws -> JobFile {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw FlowError(.invalidJob, "\(path) is empty; a job file needs a pipeline") }
            root = node
        } catch let error as YamlError {
            throw FlowError(.invalidJob, "\(path): not valid YAML (\(yamlProblem(error))); fix the syntax")
        }
        guard let mapping = root.mapping else { throw invalid(path, root, "the top level must be a mapping with name, parameters and pipeline") }
        var name = (path as NSString).lastPathComponent
        var parameters: [JobFile.Parameter] = []
        var steps: [JobFile.Step] = []
        var checkpoint: JobFile.Step?
        var metrics: JobFile.Step?
        var bufferTimeout: JobFile.Setting?
        var idleTimeout: JobFile.Setting?
        for (keyNode, value) in mapping {
            switch keyNode.string ?? "" {
            case "name": name = value.string ?? name
            case "description": break
            case "parameters": parameters = try parseParameters(value, path: path)
            case "pipeline": steps = try parseSteps(value, path: path)
            case "checkpoint": checkpoint = try parseStep("checkpoint", keyNode: keyNode, value: value, path: path)
            case "metrics": metrics = try parseStep("metrics", keyNode: keyNode, value: value, path: path)
            case "buffer-timeout":
                guard let text = value.scalar?.string else { throw invalid(path, value, "buffer-timeout must be a duration such as 5ms, or 0") }
                bufferTimeout = JobFile.Setting(value: text, location: location(path, value))
            case "idle-timeout":
                guard let text = value.scalar?.string else { throw invalid(path, value, "idle-timeout must be a duration such as 30s") }
                idleTimeout = JobFile.Setting(value: text, location: location(path, value))
            case let other: throw invalid(path, keyNode, "unknown top-level key \"\(other)\"; use name, description, parameters, buffer-timeout, idle-timeout, checkpoint, metrics and pipeline")
            }
        }
        guard !steps.isEmpty else { throw FlowError(.invalidJob, "\(path): the job has no pipeline; add a pipeline list of steps") }
        return JobFile(path: path, name: name, parameters: parameters, steps: steps, checkpoint: checkpoint, metrics: metrics,
                       bufferTimeout: bufferTimeout, idleTimeout: idleTimeout)
    }

    private static func parseParameters(_ node: Node, path: String) throws -> [JobFile.Parameter] {
        guard let mapping = node.mapping else { throw invalid(path, node, "parameters must be a mapping of names to {default, help}") }
        return try mapping.map { keyNode, value in
            let name = keyNode.string ?? ""
            if let scalar = value.scalar { return JobFile.Parameter(name: name, defaultValue: scalar.string, help: "") }
            guard let fields = value.mapping else { throw invalid(path, value, "parameter \(name) must be a default value or {default, help}") }
            var parameter = JobFile.Parameter(name: name, defaultValue: "", help: "")
            for (fieldKey, fieldValue) in fields {
                switch fieldKey.string ?? "" {
                case "default": parameter.defaultValue = fieldValue.string ?? ""
                case "help": parameter.help = fieldValue.string ?? ""
                case let other: throw invalid(path, fieldKey, "parameter \(name) has an unknown field \"\(other)\"; use default and help")
                }
            }
            return parameter
        }
    }

    private static func parseSteps(_ node: Node, path: String) throws -> [JobFile.Step] {
        guard let sequence = node.sequence else { throw invalid(path, node, "pipeline must be a list of steps, each \"- operator: {settings}\"") }
        return try sequence.map { item in
            guard let mapping = item.mapping, mapping.count == 1, let (keyNode, value) = mapping.first, let name = keyNode.string else {
                throw invalid(path, item, "each pipeline step must be one operator name with its settings, like \"- top-k: {k: 20}\"")
            }
            return try parseStep(name, keyNode: keyNode, value: value, path: path)
        }
    }

    /// A name with a scalar argument or a mapping of settings (a pipeline step, or the checkpoint section).
    private static func parseStep(_ name: String, keyNode: Node, value: Node, path: String) throws -> JobFile.Step {
        var step = JobFile.Step(operatorName: name, settings: [:], argument: nil, location: location(path, keyNode))
        if let scalar = value.scalar {
            if !scalar.string.isEmpty && scalar.string != "~" && scalar.string != "null" {
                step.argument = JobFile.Setting(value: scalar.string, location: location(path, value))
            }
        } else if let settings = value.mapping {
            for (settingKey, settingValue) in settings {
                guard let key = settingKey.string, let scalar = settingValue.scalar else {
                    throw invalid(path, settingKey, "setting of \(name) must be a plain value")
                }
                step.settings[key] = JobFile.Setting(value: scalar.string, location: location(path, settingValue))
            }
        } else {
            throw invalid(path, value, "the settings of \(name) must be a mapping")
        }
        return step
    }

    static func location(_ path: String, _ node: Node) -> FileLocation {
        FileLocation(file: path, line: node.mark?.line ?? 0)
    }

    private static func invalid(_ path: String, _ node: Node, _ message: String) -> FlowError {
        FlowError(.invalidJob, message, at: location(path, node))
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _): "\(problem) at line \(mark.line)"
        default: "\(error)"
        }
    }
}
