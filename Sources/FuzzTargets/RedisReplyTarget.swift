import CHiredis
@testable import Redis

/// Bytes from a Redis server: parsed by hiredis's reader with the bounds every connection
/// installs, then copied into ``RedisReply`` as every Redis operator reads its replies.
enum RedisReplyTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let reader = redisReaderCreate() else { return nil }
        defer { redisReaderFree(reader) }
        BoundedRedisReplies.install(on: reader)
        guard let base = bytes.baseAddress, redisReaderFeed(reader, base.assumingMemoryBound(to: CChar.self), bytes.count) == REDIS_OK else { return nil }
        while true {
            var raw: UnsafeMutableRawPointer?
            guard redisReaderGetReply(reader, &raw) == REDIS_OK, let raw else { return nil }
            _ = RedisReply(raw.assumingMemoryBound(to: redisReply.self))
            freeReplyObject(raw)
        }
    }
}
