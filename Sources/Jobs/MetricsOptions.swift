import Flow

/// Where a job's metrics are served: `--metrics-port` and `--metrics-address`, over the job
/// file's `metrics: {port, address}` section. Nothing is served unless one of them names a port.
public struct MetricsOptions: Sendable {
    /// The port from the command line (0: any free one).
    public var port: Int?
    /// The address from the command line (default 127.0.0.1: this machine only).
    public var address: String?

    public static let defaultAddress = "127.0.0.1"

    public init() {}

    /// Where to listen.
    public struct Endpoint: Sendable, Equatable {
        public var address: String
        public var port: Int
    }

    /// The endpoint the options and `file` ask for, or nil when neither names a port.
    func endpoint(for file: JobFile, parameters: [String: String]) throws -> Endpoint? {
        var port = self.port
        var address = self.address
        if let section = file.metrics {
            var settings = try ResolvedSettings(step: section, parameters: parameters)
            if settings.string("port") != nil, port == nil {
                port = try settings.integer("port", default: 0, range: 0...65535)
            }
            let fileAddress = settings.string("address", default: "")
            if address == nil && !fileAddress.isEmpty { address = fileAddress }
            try settings.checkAllUsed()
        }
        guard let port else { return nil }
        guard (0...65535).contains(port) else {
            throw FlowError(.invalidJob, "--metrics-port \(port) is out of range; use 1 to 65535, or 0 for any free port")
        }
        return Endpoint(address: address ?? Self.defaultAddress, port: port)
    }
}
