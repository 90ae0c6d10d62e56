import Foundation

/// A file (or standard output for "-") written with plain POSIX calls.
struct TweetLogOutput {
    let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    init(path: String) throws {
        self.path = path
        if path == "-" {
            descriptor = STDOUT_FILENO
            ownsDescriptor = false
        } else {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            ownsDescriptor = true
            if descriptor < 0 { throw TweetLogGenerator.IOError(path: path, operation: "open", code: errno) }
        }
    }

    /// Writes all of `bytes`, retrying partial writes and interrupts.
    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw TweetLogGenerator.IOError(path: path, operation: "write", code: errno)
                }
                offset += written
            }
        }
    }

    func finish() throws {
        guard ownsDescriptor else { return }
        if close(descriptor) != 0 {
            throw TweetLogGenerator.IOError(path: path, operation: "close", code: errno)
        }
    }
}
