import Flow
import Glibc
import TweetLog

/// Tweet log lines as Kafka records: keyed by the tweet's id, stamped with its event time, the
/// line itself as the value. Lines that are no tweet (notices, blank or malformed lines, tweets
/// without an id) are left out.
public enum TweetLineRecords {
    public static func records(_ chunks: [LineChunk]) -> [KafkaRecord] {
        let decoder = TweetMessageDecoder()
        var records: [KafkaRecord] = []
        for chunk in chunks where chunk.overlongLineLength == nil {
            chunk.bytes.withUnsafeBufferPointer { bytes in
                var start = 0
                while start < bytes.count {
                    let end = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
                        .map { bytes.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? bytes.count
                    var lineEnd = end
                    if lineEnd > start && bytes[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                    let line = UnsafeBufferPointer(rebasing: bytes[start..<lineEnd])
                    if case .tweet(let tweet) = decoder.decode(line), let id = TweetID.find(in: line) {
                        records.append(KafkaRecord(key: id, value: Array(line), timestamp: tweet.eventTime.milliseconds))
                    }
                    start = end + 1
                }
            }
        }
        return records
    }
}
