import Flow
#if canImport(Glibc)
import Glibc
#endif

/// One line of a side-file part: `FIRST SECOND JSON\n`, two integer sort keys and the line of
/// the side file. Lines order by the keys, then by the JSON's bytes.
struct PartLine {
    var first: Int64
    var second: Int64
    /// The side file's line, line feed included.
    var json: [UInt8]

    static func < (a: PartLine, b: PartLine) -> Bool {
        if a.first != b.first { return a.first < b.first }
        if a.second != b.second { return a.second < b.second }
        return a.json.lexicographicallyPrecedes(b.json)
    }

    /// Parses `bytes` (one line with its line feed); nil if it is not a part line.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        func integer() -> Int64? {
            var value: Int64 = 0
            let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]), index - start < 18 {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            guard index > start, index < bytes.count, bytes[index] == UInt8(ascii: " ") else { return nil }
            index += 1
            return negative ? -value : value
        }
        guard let first = integer(), let second = integer(), bytes.last == UInt8(ascii: "\n") else { return nil }
        self.first = first
        self.second = second
        json = Array(bytes[index...])
    }

    /// The part line's bytes, as ``SidePartWriter`` wrote them.
    var bytes: [UInt8] { Array("\(first) \(second) ".utf8) + json }
}

/// Reads the part lines of a file one at a time.
final class PartLineReader {
    let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var line: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    private var number = 0

    init(path: String) throws {
        guard let file = fopen(path, "rb") else {
            throw FlowError(.output, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.file = file
    }

    /// The next line; nil at the end of the file.
    func next() throws -> PartLine? {
        let count = getline(&line, &capacity, file)
        guard count >= 0 else {
            guard ferror(file) == 0 else { throw FlowError(.output, "cannot read \(path): \(String(cString: strerror(errno)))") }
            return nil
        }
        number += 1
        let parsed = line!.withMemoryRebound(to: UInt8.self, capacity: count) { PartLine(UnsafeBufferPointer(start: $0, count: count)) }
        guard let parsed else { throw FlowError(.output, "\(path) is damaged at line \(number)") }
        return parsed
    }

    deinit {
        fclose(file)
        free(line)
    }
}
