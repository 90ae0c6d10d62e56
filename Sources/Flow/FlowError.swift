/// An error a user can cause or an external system can produce, with one sentence that names the
/// thing, where it is, and what to do.
///
/// Bad records are not errors: they are counted and set aside. Broken invariants are
/// preconditions. `flowrun` maps ``Code`` to its exit code and prints ``description``: the
/// sentence behind where it arose (the job file's line, the operator).
public struct FlowError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure; decides the exit code.
    public enum Code: Sendable {
        /// The job file or a command-line argument is wrong.
        case invalidJob
        /// An input file or folder is missing or unreadable.
        case missingInput
        /// An output could not be written.
        case output
        /// A server or another external system failed.
        case external
        /// A bug in Flow.
        case `internal`
    }

    public var code: Code
    /// One sentence: what, where, what to do.
    public var message: String
    /// The line of the file the user wrote that the error is about (a job file's step), if any.
    public var location: FileLocation?
    /// The operator (its id in the job) that raised the error, once the runtime has seen it.
    public var operatorID: String?
    /// The error underneath, when this one translates another.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, at location: FileLocation? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.location = location
        self.cause = cause
    }

    /// `file:line: operator id: message`, with the parts that are known.
    public var description: String {
        var text = ""
        if let location { text += "\(location): " }
        if let operatorID { text += "operator \(operatorID): " }
        return text + message
    }

    /// This error as raised by operator `id`, unless an operator further down the chain raised it.
    func raised(byOperator id: String) -> FlowError {
        var located = self
        if located.operatorID == nil { located.operatorID = id }
        return located
    }
}

/// A line of a file the user wrote, for error messages: `configs/trending.yaml:14`.
public struct FileLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}
