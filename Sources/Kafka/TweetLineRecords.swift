import Flow
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
                bytes.forEachLine { line, _, _ in
                    if case .tweet(let tweet) = decoder.decode(line), let id = TweetID.find(in: line) {
                        records.append(KafkaRecord(key: id, value: Array(line), timestamp: tweet.eventTime.milliseconds))
                    }
                }
            }
        }
        return records
    }
}
