import CCurl
import Flow
import Foundation

/// One `GET` on a reused libcurl handle, for `flowrun top`: the status and at most
/// ``maximumBytes`` of body (a peer sending more ends the request with one sentence).
final class HTTPGet {
    private let handle: UnsafeMutableRawPointer
    private var received = Data()
    private var tooLarge = false
    let maximumBytes: Int
    let timeout: Duration

    init(maximumBytes: Int = 16 << 20, timeout: Duration = .seconds(5)) {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        handle = curl_easy_init()
        self.maximumBytes = maximumBytes
        self.timeout = timeout
    }

    deinit { curl_easy_cleanup(handle) }

    /// The status and body of `GET url`; a transport failure or an oversized body throws a ``FlowError``.
    func callAsFunction(_ url: String) throws -> (status: Int, body: Data) {
        curl_easy_reset(handle)
        received = Data()
        tooLarge = false
        flow_curl_set_string(handle, CURLOPT_URL, url)
        flow_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout.milliseconds))
        flow_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        flow_curl_set_write_function(handle) { pointer, size, count, context in
            let get = Unmanaged<HTTPGet>.fromOpaque(context!).takeUnretainedValue()
            guard size * count <= get.maximumBytes - get.received.count else {
                get.tooLarge = true
                return 0
            }
            get.received.append(UnsafeRawPointer(pointer!).assumingMemoryBound(to: UInt8.self), count: size * count)
            return size * count
        }
        flow_curl_set_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(self).toOpaque())
        let result = curl_easy_perform(handle)
        if tooLarge { throw FlowError(.external, "\(url) answered with more than \(maximumBytes) bytes; is it a flowrun metrics endpoint?") }
        guard result == CURLE_OK else {
            throw FlowError(.external, "cannot read \(url): \(String(cString: curl_easy_strerror(result))); check that the job runs with --metrics-port and the address")
        }
        var status = 0
        flow_curl_response_code(handle, &status)
        return (status, received)
    }
}
