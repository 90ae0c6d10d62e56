import Flow

extension ElasticsearchClient {
    /// The answers that ask to try again later: too many requests, a gateway's error, the server
    /// unavailable, a gateway's timeout.
    static let tryLaterStatuses: Set<Int> = [429, 502, 503, 504]

    /// Sends the request `request` makes until the server gives an answer other than "try later",
    /// retrying those answers and transport failures (``ElasticsearchUnavailable``) as `policy` says.
    ///
    /// - Returns: The last answer, which is still a "try later" one when the retries ran out on those.
    /// - Throws: One sentence for refused credentials (401, 403); ``RetryPolicy/Exhausted`` whose
    ///   last error is an ``ElasticsearchUnavailable`` when no answer came; what `request` throws otherwise.
    func send(retrying policy: RetryPolicy, _ request: () throws -> Response) throws -> Response {
        do {
            return try policy.run(retryingIf: { $0 is ElasticsearchUnavailable || $0 is AskedToTryLater }) {
                let response = try request()
                if Self.tryLaterStatuses.contains(response.status) { throw AskedToTryLater(response: response) }
                if response.status == 401 || response.status == 403 { throw refusedCredentials(response) }
                return response
            }
        } catch let exhausted as RetryPolicy.Exhausted {
            guard let tryLater = exhausted.lastError as? AskedToTryLater else { throw exhausted }
            return tryLater.response
        }
    }

    /// The sentence for an answer that refused the credentials.
    func refusedCredentials(_ response: Response) -> FlowError {
        FlowError(.external, "\(endpoint) refused the credentials (\(response.status): \(response.errorReason)); check ES_USERNAME and ES_PASSWORD, or ES_API_KEY")
    }
}

/// A "try later" answer, retried like a transport failure.
private struct AskedToTryLater: Error {
    var response: ElasticsearchClient.Response
}
