/// Strict UTF-8 validation, as Python's and Swift's decoders define it: no overlong forms, no
/// encoded surrogates, nothing above U+10FFFF. ASCII runs are checked eight bytes at a time.
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            // Skip ASCII eight bytes at a time; unaligned loads are fine on the platforms we run on.
            while i + 8 <= count, UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
            guard i < count else { return true }
            let lead = base[i]
            if lead < 0x80 { i += 1; continue }
            guard let length = sequenceLength(lead: lead, base: base, at: i, count: count) else { return false }
            i += length
        }
        return true
    }

    /// The length of the valid multi-byte sequence starting at `i`, or nil.
    private static func sequenceLength(lead: UInt8, base: UnsafePointer<UInt8>, at i: Int, count: Int) -> Int? {
        func isContinuation(_ offset: Int) -> Bool { i + offset < count && base[i + offset] & 0xC0 == 0x80 }
        switch lead {
        case 0xC2...0xDF:
            return isContinuation(1) ? 2 : nil
        case 0xE0...0xEF:
            guard isContinuation(1), isContinuation(2) else { return nil }
            let second = base[i + 1]
            if lead == 0xE0 && second < 0xA0 { return nil } // overlong
            if lead == 0xED && second > 0x9F { return nil } // surrogate
            return 3
        case 0xF0...0xF4:
            guard isContinuation(1), isContinuation(2), isContinuation(3) else { return nil }
            let second = base[i + 1]
            if lead == 0xF0 && second < 0x90 { return nil } // overlong
            if lead == 0xF4 && second > 0x8F { return nil } // above U+10FFFF
            return 4
        default:
            return nil
        }
    }
}
