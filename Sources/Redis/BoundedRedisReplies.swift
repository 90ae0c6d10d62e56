import CHiredis

/// hiredis (0.14, Debian's) allocates an array reply's table of elements as soon as it reads the
/// array's header: a server that sends `*1000000000` makes the client allocate 8 GB before any
/// element arrives. Replies read through ``install(on:)`` refuse arrays longer than
/// ``maximumArrayElements``; hiredis then fails the read, and the connection counts as lost.
public enum BoundedRedisReplies {
    /// Far more than any reply Flow asks for (the top N of a sorted set).
    public static let maximumArrayElements: Int32 = 1 << 20

    /// hiredis's own functions, taken from a reader it made.
    private static let defaults: redisReplyObjectFunctions = {
        let reader = redisReaderCreate()!
        defer { redisReaderFree(reader) }
        return reader.pointee.fn.pointee
    }()

    /// hiredis's functions, but for arrays: those past the limit are refused.
    nonisolated(unsafe) private static let bounded: UnsafeMutablePointer<redisReplyObjectFunctions> = {
        let functions = UnsafeMutablePointer<redisReplyObjectFunctions>.allocate(capacity: 1)
        functions.initialize(to: defaults)
        functions.pointee.createArray = { task, elements in
            guard elements <= BoundedRedisReplies.maximumArrayElements else { return nil }
            return BoundedRedisReplies.defaults.createArray?(task, elements) ?? nil
        }
        return functions
    }()

    /// Makes `reader` build replies through the bounded functions.
    public static func install(on reader: UnsafeMutablePointer<redisReader>) {
        reader.pointee.fn = bounded
    }
}
