/// Appends operator state as bytes: LEB128 varints (signed ones zigzag-encoded), and byte strings
/// as a varint length followed by the bytes. `docs/checkpoint-format.md` describes the encoding.
public struct StateWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(unsigned value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func write(_ value: Int64) {
        write(unsigned: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func write(_ value: Int) { write(Int64(value)) }

    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(bytes value: some Collection<UInt8>) {
        write(unsigned: UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func write(_ value: String) { write(bytes: Array(value.utf8)) }

    public mutating func write(_ value: some StateCodable) { value.encode(to: &self) }

    public mutating func write<Element: StateCodable>(_ values: [Element]) {
        write(values.count)
        for value in values { value.encode(to: &self) }
    }
}

/// Reads what a ``StateWriter`` wrote; any inconsistency (a truncated or damaged state) throws.
public struct StateReader {
    /// The largest count a checkpoint may hold: 2^53, exact in any JSON reader.
    public static let maximumCounter = 1 << 53

    private let bytes: [UInt8]
    private var position = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { position == bytes.count }

    /// Thrown when the bytes end early or hold an impossible value.
    public struct Damaged: Error, CustomStringConvertible {
        public var description: String

        /// An operator's own check of restored state failed: `description` says what is impossible.
        public init(description: String) { self.description = description }
    }

    public mutating func readUnsigned() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw Damaged(description: "state ends inside a number") }
            guard shift < 64 else { throw Damaged(description: "a number in the state is too long") }
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    public mutating func readInt64() throws -> Int64 {
        let raw = try readUnsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func readInt() throws -> Int { Int(try readInt64()) }

    /// A count of things done so far (records, lines, bytes): from 0 to 2^53, so that counting
    /// on from it cannot overflow.
    public mutating func readCounter() throws -> Int {
        let value = try readInt64()
        guard (0...Int64(Self.maximumCounter)).contains(value) else { throw Damaged(description: "a count in the state (\(value)) is impossible") }
        return Int(value)
    }

    /// A time in milliseconds (an event time, a window bound, a watermark): within
    /// ``EventTime/plausibleMilliseconds``, or one of the ends of `Int64` (the watermark before
    /// the first record and after the last).
    public mutating func readEventTime() throws -> Int64 {
        try Self.checkedEventTime(try readInt64())
    }

    /// `milliseconds` if it is a time ``readEventTime()`` accepts.
    public static func checkedEventTime(_ milliseconds: Int64) throws -> Int64 {
        guard EventTime.plausibleMilliseconds.contains(milliseconds) || milliseconds == .min || milliseconds == .max else {
            throw Damaged(description: "a time in the state (\(milliseconds) ms) is impossible")
        }
        return milliseconds
    }

    /// A count of following items, checked against the bytes left so a damaged length cannot
    /// make a reader allocate without bound.
    public mutating func readCount() throws -> Int {
        let count = try readInt()
        guard count >= 0, count <= bytes.count - position else { throw Damaged(description: "a count in the state is impossible (\(count))") }
        return count
    }

    public mutating func readBool() throws -> Bool {
        guard position < bytes.count else { throw Damaged(description: "state ends inside a flag") }
        position += 1
        switch bytes[position - 1] {
        case 0: return false
        case 1: return true
        default: throw Damaged(description: "a flag in the state is neither 0 nor 1")
        }
    }

    public mutating func readBytes() throws -> [UInt8] {
        let length = try readUnsigned()
        guard length <= UInt64(bytes.count - position) else { throw Damaged(description: "a length in the state runs past its end (\(length))") }
        let count = Int(length)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    public mutating func readString() throws -> String {
        let raw = try readBytes()
        guard let text = String(validating: raw, as: UTF8.self) else { throw Damaged(description: "a string in the state is not UTF-8") }
        return text
    }

    public mutating func read<Value: StateCodable>(_ type: Value.Type = Value.self) throws -> Value {
        try Value(from: &self)
    }

    public mutating func readArray<Element: StateCodable>(of type: Element.Type = Element.self) throws -> [Element] {
        let count = try readCount()
        var values: [Element] = []
        // The count is only bounded by the bytes left, and an element may be far wider in memory.
        values.reserveCapacity(min(count, 4096))
        for _ in 0..<count { values.append(try Element(from: &self)) }
        return values
    }
}

/// A value that can be written into and read back from a checkpoint.
public protocol StateCodable {
    func encode(to writer: inout StateWriter)
    init(from reader: inout StateReader) throws
}

extension Int64: StateCodable {
    public func encode(to writer: inout StateWriter) { writer.write(self) }
    public init(from reader: inout StateReader) throws { self = try reader.readInt64() }
}

extension Int: StateCodable {
    public func encode(to writer: inout StateWriter) { writer.write(self) }
    public init(from reader: inout StateReader) throws { self = try reader.readInt() }
}

extension String: StateCodable {
    public func encode(to writer: inout StateWriter) { writer.write(self) }
    public init(from reader: inout StateReader) throws { self = try reader.readString() }
}

extension KeyString: StateCodable {
    public func encode(to writer: inout StateWriter) { writer.write(string) }
    public init(from reader: inout StateReader) throws { self.init(try reader.readString()) }
}

extension Optional: StateCodable where Wrapped: StateCodable {
    public func encode(to writer: inout StateWriter) {
        writer.write(self != nil)
        if let value = self { value.encode(to: &writer) }
    }

    public init(from reader: inout StateReader) throws {
        self = try reader.readBool() ? try Wrapped(from: &reader) : nil
    }
}
