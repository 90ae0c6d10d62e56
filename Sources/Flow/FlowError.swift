/// An error a user can cause or an external system can produce, with one sentence that names the
/// thing, where it is, and what to do.
///
/// Bad records are not errors: they are counted and set aside. Broken invariants are
/// preconditions. `flowrun` maps ``Code`` to its exit code.
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

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
