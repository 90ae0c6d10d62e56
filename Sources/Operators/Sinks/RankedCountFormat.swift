import Flow

/// How ranked counts are written as text.
public enum RankedCountFormat: String, Sendable, CaseIterable {
    case csv
    case jsonl

    /// The header line, if the format has one.
    public func header(keyColumn: String) -> String? {
        self == .csv ? "window_end_ms,rank,\(keyColumn),count\n" : nil
    }

    public func line(_ record: RankedCount, keyColumn: String) -> String {
        switch self {
        case .csv:
            "\(record.windowEnd.milliseconds),\(record.rank),\(Self.csvField(record.key.string)),\(record.value)\n"
        case .jsonl:
            "{\"window_end_ms\":\(record.windowEnd.milliseconds),\"rank\":\(record.rank),\(JSONText.quoted(keyColumn)):\(JSONText.quoted(record.key.string)),\"count\":\(record.value)}\n"
        }
    }

    /// The header line of every key's count per window, if the format has one.
    public func countsHeader(keyColumn: String) -> String? {
        self == .csv ? "window_start_ms,window_end_ms,\(keyColumn),count\n" : nil
    }

    public func line(_ record: KeyedCount, keyColumn: String) -> String {
        switch self {
        case .csv:
            "\(record.windowStart.milliseconds),\(record.windowEnd.milliseconds),\(Self.csvField(record.key.string)),\(record.value)\n"
        case .jsonl:
            "{\"window_start_ms\":\(record.windowStart.milliseconds),\"window_end_ms\":\(record.windowEnd.milliseconds),\(JSONText.quoted(keyColumn)):\(JSONText.quoted(record.key.string)),\"count\":\(record.value)}\n"
        }
    }

    /// RFC 4180: quoted only when it holds a comma, a quote or a line break; quotes doubled.
    static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
