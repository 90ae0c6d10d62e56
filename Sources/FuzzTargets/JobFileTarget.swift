import Flow
import Jobs

/// A job file: parsed and built as `flowrun validate` does (inputs not opened). Any text may be
/// refused with a ``FlowError``; none may trap.
enum JobFileTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        do {
            _ = try JobBuilder().build(try JobFileParser.parse(text: text, path: "fuzz.yaml"), checkOnly: true)
        } catch is FlowError {
        } catch {
            return "a job file raised \(error) instead of a FlowError"
        }
        return nil
    }
}
