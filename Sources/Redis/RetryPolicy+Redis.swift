import Flow

extension RetryPolicy {
    /// The Redis connectors' default: 8 attempts, 100 ms doubling up to 5 s (which also caps a
    /// longer first delay), no jitter, no time budget.
    public static let redis = RetryPolicy(attempts: 8, firstDelay: .milliseconds(100), maximumDelay: .seconds(5))

    /// Runs `body` until it succeeds, retrying lost connections; `body` gets a connection, made
    /// afresh after each failure, and each retry adds one to `retries`. When the retries are
    /// spent, one sentence and an error.
    public func run<T>(connection: inout RedisConnection?, endpoint: RedisEndpoint, countingRetriesIn retries: Counter? = nil,
                       _ body: (RedisConnection) throws -> T) throws -> T {
        do {
            return try run(retryingIf: { $0 is RedisConnectionLost }, willRetry: { _, _ in retries?.add(1) }) {
                do {
                    let open = try connection ?? RedisConnection(endpoint)
                    connection = open
                    return try body(open)
                } catch let lost as RedisConnectionLost {
                    connection?.close()
                    connection = nil
                    throw lost
                }
            }
        } catch let exhausted as Exhausted {
            throw FlowError(.external, "Redis at \(endpoint) is unreachable after \(exhausted.attempts) attempts (\(exhausted.lastError)); check that the server runs and the address is right")
        }
    }
}
