/// Samples read from Prometheus's text exposition format, as `flowrun top` scrapes them from a
/// running job. Comments and lines that are not samples are skipped, never trusted: the text
/// comes from a peer over the network.
public struct PrometheusText: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double

        public init(name: String, labels: [String: String], value: Double) {
            self.name = name
            self.labels = labels
            self.value = value
        }
    }

    public private(set) var samples: [Sample] = []
    /// Lines that were neither samples, comments nor blank.
    public private(set) var skippedLines = 0

    /// The longest line read (1 MiB); a longer one is skipped.
    public static let maximumLineBytes = 1 << 20

    public init(_ text: String) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.first == "#" { continue }
            if trimmed.utf8.count <= Self.maximumLineBytes, let sample = Self.sample(Substring(trimmed)) {
                samples.append(sample)
            } else {
                skippedLines += 1
            }
        }
    }

    /// The sum of the samples named `name` whose labels include `labels` (nil if there is none).
    public func total(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }

    /// `name{label="value",…} value [timestamp]`.
    static func sample(_ line: Substring) -> Sample? {
        var rest = line.utf8[...]
        let nameEnd = rest.firstIndex { !isNameByte($0) } ?? rest.endIndex
        guard nameEnd > rest.startIndex, let name = String(rest[..<nameEnd]) else { return nil }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == UInt8(ascii: "{") {
            rest = rest.dropFirst()
            while true {
                rest = rest.drop { $0 == UInt8(ascii: " ") }
                if rest.first == UInt8(ascii: "}") { rest = rest.dropFirst(); break }
                let keyEnd = rest.firstIndex { !isNameByte($0) } ?? rest.endIndex
                guard keyEnd > rest.startIndex, let key = String(rest[..<keyEnd]) else { return nil }
                rest = rest[keyEnd...]
                guard rest.first == UInt8(ascii: "="), rest.dropFirst().first == UInt8(ascii: "\"") else { return nil }
                rest = rest.dropFirst(2)
                guard let (value, afterValue) = quoted(rest) else { return nil }
                labels[key] = value
                rest = afterValue.drop { $0 == UInt8(ascii: " ") }
                if rest.first == UInt8(ascii: ",") { rest = rest.dropFirst() }
            }
        }
        let fields = rest.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
        guard (1...2).contains(fields.count), let text = String(fields[0]), let value = number(text) else { return nil }
        return Sample(name: name, labels: labels, value: value)
    }

    /// A label value up to its closing quote, unescaping `\\`, `\"` and `\n`; and what follows it.
    private static func quoted(_ text: Substring.UTF8View.SubSequence) -> (String, Substring.UTF8View.SubSequence)? {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") { return (String(decoding: bytes, as: UTF8.self), text[text.index(after: index)...]) }
            if byte == UInt8(ascii: "\\") {
                index = text.index(after: index)
                guard index < text.endIndex else { return nil }
                bytes.append(text[index] == UInt8(ascii: "n") ? UInt8(ascii: "\n") : text[index])
            } else {
                bytes.append(byte)
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
    }

    private static func number(_ text: String) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
