import Flow

/// Retries work on a Redis connection that broke: exponential backoff from `initialDelay`,
/// doubling up to `maximumDelay` (which also caps the first delay), at most `attempts` tries in
/// all; then one sentence and an error.
public struct RedisRetry: Sendable {
    public var attempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(attempts: Int = 8, initialDelay: Duration = .milliseconds(100), maximumDelay: Duration = .seconds(5)) {
        self.attempts = attempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// Runs `body` until it succeeds; `body` gets a connection, made afresh after each failure.
    public func run<T>(connection: inout RedisConnection?, endpoint: RedisEndpoint, _ body: (RedisConnection) throws -> T) throws -> T {
        var delay = min(initialDelay, maximumDelay)
        var lastProblem = ""
        for attempt in 1...max(1, attempts) {
            do {
                let open = try connection ?? RedisConnection(endpoint)
                connection = open
                return try body(open)
            } catch let lost as RedisConnectionLost {
                connection?.close()
                connection = nil
                lastProblem = lost.description
                guard attempt < attempts else { break }
                CurrentThread.sleep(for: delay)
                delay = delay.doubled(upTo: maximumDelay)
            }
        }
        throw FlowError(.external, "Redis at \(endpoint) is unreachable after \(attempts) attempts (\(lastProblem)); check that the server runs and the address is right")
    }
}
