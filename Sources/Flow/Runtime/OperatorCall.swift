/// Runs one of operator `id`'s own calls (a hook, a poll, its restore), so that what it throws
/// names the operator: the one place errors are wrapped on their way out of an operator.
///
/// A ``FlowError`` gains the operator's id, unless an operator further down the chain already
/// gave it one. Other errors pass through unchanged (a cancelled exchange is how a failure
/// elsewhere stops this subtask; a damaged state is translated by the restore): the executor
/// turns what is left into an internal ``FlowError`` at the subtask's boundary.
@inline(__always)
func callingOperator<Result>(_ id: String, _ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as FlowError {
        throw error.raised(byOperator: id)
    }
}
