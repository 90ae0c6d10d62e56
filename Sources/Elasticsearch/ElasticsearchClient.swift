import CCurl
import Flow
import Foundation
import Operators

/// Where an Elasticsearch or OpenSearch index is, parsed from `http(s)://HOST:PORT/INDEX` (the
/// index name percent-decoded, then checked against ``ElasticsearchIndexName``'s rules), with
/// credentials from the environment only (a URL holding some is refused): `ES_USERNAME`/`ES_PASSWORD` (basic auth) or
/// `ES_API_KEY` (Elasticsearch's `ApiKey` header, the base64 `encoded` form). Never printed. For
/// HTTPS with a certificate of the server's own authority (as Elasticsearch 8 makes at install),
/// `ES_CA_CERT` names that authority's PEM file.
public struct ElasticsearchEndpoint: Sendable, CustomStringConvertible {
    public var baseURL: String
    public var index: String
    public var username: String?
    public var password: String?
    public var apiKey: String?
    public var certificateAuthority: String?
    /// How long one request may take in all before it is abandoned (and retried).
    public var timeout: Duration = .seconds(30)
    public var connectTimeout: Duration = .seconds(5)

    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let shown = RedactedAddress.redacted(url)
        guard let components = URLComponents(string: url), let scheme = components.scheme, scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty else {
            throw FlowError(.invalidJob, "\(shown) is not an Elasticsearch address; write http://HOST:PORT/INDEX")
        }
        guard components.user == nil && components.password == nil else {
            throw FlowError(.invalidJob, "\(shown) holds credentials; write http://HOST:PORT/INDEX and set ES_USERNAME and ES_PASSWORD (or ES_API_KEY) instead")
        }
        var index = components.path
        if index.hasPrefix("/") { index.removeFirst() }
        guard !index.isEmpty else {
            throw FlowError(.invalidJob, "\(shown) names no index; write http://HOST:PORT/INDEX")
        }
        if let problem = ElasticsearchIndexName.problem(with: index) {
            throw FlowError(.invalidJob, "\(shown) names the index \(TerminalText.quoted(index)), which \(problem); an index name is lowercase, at most 255 bytes, without \\ / * ? \" < > | , # : or spaces, and does not start with -, _ or +")
        }
        baseURL = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        self.index = index
        username = environment["ES_USERNAME"]
        password = environment["ES_PASSWORD"]
        apiKey = environment["ES_API_KEY"]
        certificateAuthority = environment["ES_CA_CERT"]
    }

    public var description: String { "\(baseURL)/\(TerminalText.visible(index))" }

    /// The index as the first segment of a request path, percent-encoded: `/movies`, `/caf%C3%A9`.
    public var indexPath: String { "/" + index.addingPercentEncoding(withAllowedCharacters: Self.unreserved)! }

    /// RFC 3986's unreserved characters, the only ones a path segment may hold as they are.
    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
}

/// The server could not be reached, timed out, dropped the connection, or gave an answer that
/// does not match the request: worth retrying.
public struct ElasticsearchUnavailable: Error, CustomStringConvertible {
    public var description: String
}

/// An HTTP client for Elasticsearch and OpenSearch on one reused libcurl handle (keep-alive
/// connections, timeouts, HTTPS, basic auth or API key). One per task thread.
public final class ElasticsearchClient {
    public let endpoint: ElasticsearchEndpoint
    private let handle: UnsafeMutableRawPointer
    private var received = Data()
    private var responseTooLarge = false

    /// The largest response body read: a server sending more (a broken proxy, a hostile peer)
    /// ends the request with one sentence instead of growing memory without bound.
    public var maximumResponseBytes = 256 << 20

    public struct Response: Sendable {
        public var status: Int
        public var body: Data

        /// The body as a JSON object (nil when it is not one).
        public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }

        /// The server's reason for an error, from `error.root_cause[0].reason`, `error.reason` or a string `error`.
        public var errorReason: String {
            guard let error = json?["error"] else { return String(decoding: body.prefix(300), as: UTF8.self) }
            if let text = error as? String { return text }
            guard let object = error as? [String: Any] else { return "\(error)" }
            if let causes = object["root_cause"] as? [[String: Any]], let reason = causes.first?["reason"] as? String { return reason }
            return (object["reason"] as? String) ?? (object["type"] as? String) ?? "\(object)"
        }
    }

    public init(_ endpoint: ElasticsearchEndpoint) {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        self.endpoint = endpoint
        handle = curl_easy_init()
    }

    deinit { curl_easy_cleanup(handle) }

    /// Sends one request; a transport failure throws ``ElasticsearchUnavailable``, any HTTP status returns.
    public func send(_ method: String, _ path: String, json body: Any? = nil) throws -> Response {
        let bytes = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        return try send(method, path, body: bytes, contentType: "application/json")
    }

    public func send(_ method: String, _ path: String, body: Data?, contentType: String) throws -> Response {
        curl_easy_reset(handle)
        received = Data()
        responseTooLarge = false
        let url = endpoint.baseURL + path
        var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: \(contentType)")
        headers = curl_slist_append(headers, "Accept: application/json")
        if let apiKey = endpoint.apiKey { headers = curl_slist_append(headers, "Authorization: ApiKey \(apiKey)") }
        defer { curl_slist_free_all(headers) }
        flow_curl_set_string(handle, CURLOPT_URL, url)
        flow_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, method)
        flow_curl_set_slist(handle, CURLOPT_HTTPHEADER, headers)
        flow_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(endpoint.timeout.milliseconds))
        flow_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(endpoint.connectTimeout.milliseconds))
        flow_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        if let authority = endpoint.certificateAuthority { flow_curl_set_string(handle, CURLOPT_CAINFO, authority) }
        if let username = endpoint.username, let password = endpoint.password {
            flow_curl_set_long(handle, CURLOPT_HTTPAUTH, 1) // CURLAUTH_BASIC
            flow_curl_set_string(handle, CURLOPT_USERNAME, username)
            flow_curl_set_string(handle, CURLOPT_PASSWORD, password)
        }
        flow_curl_set_write_function(handle) { pointer, size, count, context in
            let client = Unmanaged<ElasticsearchClient>.fromOpaque(context!).takeUnretainedValue()
            guard size * count <= client.maximumResponseBytes - client.received.count else {
                client.responseTooLarge = true
                return 0  // libcurl stops the transfer
            }
            client.received.append(UnsafeRawPointer(pointer!).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        flow_curl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        let result: CURLcode = (body ?? Data()).withUnsafeBytes { raw in
            if body != nil {
                flow_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, raw.count)
                flow_curl_set_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
            return curl_easy_perform(handle)
        }
        if result == CURLE_PEER_FAILED_VERIFICATION || result == CURLE_SSL_CACERT_BADFILE {
            let hint = endpoint.certificateAuthority == nil ? "set ES_CA_CERT to the PEM file of the authority that signed it" : "check that ES_CA_CERT names the authority that signed it"
            throw FlowError(.external, "\(endpoint.baseURL) presented a certificate that cannot be trusted (\(String(cString: curl_easy_strerror(result)))); \(hint)")
        }
        if responseTooLarge {
            throw FlowError(.external, "\(method) \(endpoint.baseURL)\(path) answered with more than \(maximumResponseBytes) bytes, more than Flow reads of one response; check the address, or lower page-size")
        }
        guard result == CURLE_OK else {
            throw ElasticsearchUnavailable(description: "\(method) \(endpoint.baseURL)\(path) failed: \(String(cString: curl_easy_strerror(result)))")
        }
        var status = 0
        flow_curl_response_code(handle, &status)
        return Response(status: status, body: received)
    }
}
