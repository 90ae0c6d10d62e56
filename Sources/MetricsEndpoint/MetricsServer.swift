import Flow
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The HTTP endpoint of a running job, on Hummingbird: `GET /metrics` (Prometheus text),
/// `GET /healthz` (the process answers) and `GET /ready` (the job runs and, when it takes
/// checkpoints, its last one is recent).
public final class MetricsServer: Sendable {
    /// The port it listens on (the one the system chose when asked for port 0).
    public let port: Int
    private let task: Task<Void, any Error>
    private let finished: DispatchSemaphore

    private init(port: Int, task: Task<Void, any Error>, finished: DispatchSemaphore) {
        self.port = port
        self.task = task
        self.finished = finished
    }

    /// Starts serving and returns once the server listens; throws a ``FlowError`` when it cannot.
    public static func start(address: String, port: Int, export: PrometheusExport, metrics: JobMetrics,
                             readiness: Readiness) throws -> MetricsServer {
        let router = Router()
        router.get("metrics") { _, _ -> Response in
            let body = export.render(metrics)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.get("healthz") { _, _ in "ok\n" }
        router.get("ready") { _, _ -> Response in
            let problem = readiness.problem(metrics)
            return Response(status: problem == nil ? .ok : .serviceUnavailable,
                            body: .init(byteBuffer: ByteBuffer(string: (problem ?? "ready") + "\n")))
        }
        let bound = Bound()
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(address, port: port), serverName: "flowrun"),
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? port)) },
            logger: Logger(label: "flow.metrics", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let finished = DispatchSemaphore(value: 0)
        let task = Task(executorPreference: DedicatedThreadExecutor.metrics) {
            defer { finished.signal() }
            do { try await app.run() } catch {
                bound.resolve(.failure(error))
                throw error
            }
            bound.resolve(.failure(CancellationError()))
        }
        switch bound.wait(seconds: 30) {
        case .success(let listening):
            return MetricsServer(port: listening, task: task, finished: finished)
        case .failure(let error):
            task.cancel()
            throw FlowError(.invalidJob, "cannot serve metrics on \(address):\(port) (\(error)); choose another --metrics-port, or 0 for any free one")
        case nil:
            task.cancel()
            throw FlowError(.invalidJob, "the metrics server on \(address):\(port) did not start within 30 s; choose another --metrics-port")
        }
    }

    /// Stops serving and waits (at most a few seconds) until the port is closed.
    public func stop() {
        task.cancel()
        _ = finished.wait(timeout: .now() + 5)
    }

    /// When `/ready` answers 200: the job has started and not finished, and its last checkpoint
    /// (or its start, before the first) is no older than `checkpointAge`.
    public struct Readiness: Sendable {
        let checkpointAge: Double?
        let lastCheckpoint: @Sendable () -> Double?

        /// - Parameters:
        ///   - checkpointAge: the oldest the last checkpoint may be, in seconds (nil: not checked).
        ///   - lastCheckpoint: when the last checkpoint completed, or the job started (monotonic seconds).
        public init(checkpointAge: Double?, lastCheckpoint: @escaping @Sendable () -> Double?) {
            self.checkpointAge = checkpointAge
            self.lastCheckpoint = lastCheckpoint
        }

        func problem(_ metrics: JobMetrics) -> String? {
            guard metrics.isRunning else { return "not ready: the job is not running" }
            guard let checkpointAge, let last = lastCheckpoint() else { return nil }
            let age = SystemClock.monotonicSeconds() - last
            return age <= checkpointAge ? nil : String(format: "not ready: the last checkpoint is %.0f s old (more than %.0f s)", age, checkpointAge)
        }
    }
}

/// The outcome of starting to listen, handed from the server's task to the thread that waits.
private final class Bound: Sendable {
    private let outcome = Locked<Result<Int, any Error>?>(nil)
    private let resolved = DispatchSemaphore(value: 0)

    func resolve(_ result: Result<Int, any Error>) {
        let first = outcome.withLock { outcome -> Bool in
            guard outcome == nil else { return false }
            outcome = result
            return true
        }
        if first { resolved.signal() }
    }

    func wait(seconds: Double) -> Result<Int, any Error>? {
        guard resolved.wait(timeout: .now() + seconds) == .success else { return nil }
        return outcome.withLock { $0 }
    }
}
