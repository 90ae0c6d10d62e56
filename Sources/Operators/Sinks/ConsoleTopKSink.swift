import CWideChar
import Flow
#if canImport(Glibc)
import Glibc
#endif

/// Shows the latest window's top K as a table on the terminal, redrawn at most twice a second so
/// a fast replay does not flood it; the last window is always shown at the end. Written to a pipe
/// or a file, each table shown follows the one before (a live job's windows appear as they
/// fire, at most two a second). Keys are shown through ``TerminalText/visible(_:)``: their
/// control characters appear escaped, never raw.
public final class ConsoleTopKSink: Sink {
    private let keyColumn: String
    private var latestEnd: Int64?
    private var latest: [RankedCount] = []
    private var lastDraw = 0.0
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var drawnLines = 0
    private var drawnEnd: Int64?

    public init(keyColumn: String) { self.keyColumn = TerminalText.visible(keyColumn) }

    public func process(_ batch: [RankedCount], into output: Collector<Never>) {
        for record in batch {
            if record.windowEnd.milliseconds != latestEnd {
                latestEnd = record.windowEnd.milliseconds
                latest.removeAll(keepingCapacity: true)
            }
            latest.append(record)
        }
        let now = Self.now()
        if now - lastDraw >= 0.5 && latestEnd != drawnEnd {
            lastDraw = now
            draw()
        }
    }

    /// The table is a view of the latest results, with nothing to keep in a checkpoint.
    public func onEndOfInput(into output: Collector<Never>) {
        if latestEnd != drawnEnd { draw() }
    }

    private func draw() {
        guard let end = latestEnd else { return }
        drawnEnd = end
        var text = isTerminal && drawnLines > 0 ? "\u{1B}[\(drawnLines)A\u{1B}[J" : ""
        text += "top \(latest.count) for the window ending \(Self.isoTime(end))\n"
        let keys = latest.map { TerminalText.visible($0.key.string) }
        let width = max(Self.columns(keyColumn), keys.map(Self.columns).max() ?? 0)
        text += "rank  \(Self.padded(keyColumn, to: width))  count\n"
        for (record, key) in zip(latest, keys) {
            text += "\(Self.padded(String(record.rank), to: 4))  \(Self.padded(key, to: width))  \(record.value)\n"
        }
        drawnLines = latest.count + 2
        print(text, terminator: "")
        fflush(nil)
    }

    private static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// `2021-01-01T07:30:00.000Z` for an epoch-millisecond time.
    static func isoTime(_ milliseconds: Int64) -> String {
        var seconds = time_t(milliseconds.flooredDivision(by: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = milliseconds - Int64(seconds) * 1000
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)Z"
    }
}

/// The UTF-8 character type, for `wcwidth`, set per call on the calling thread only (nil where
/// the C library lacks it; then every character counts as one column).
private nonisolated(unsafe) let utf8CharacterType = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)

extension ConsoleTopKSink {
    /// The terminal columns `text` takes: two for a wide (East Asian) character, none for a
    /// combining mark, one otherwise, as the C library's `wcwidth` says.
    static func columns(_ text: String) -> Int {
        guard let characterType = utf8CharacterType else { return text.count }
        let previous = uselocale(characterType)
        defer { uselocale(previous) }
        return text.unicodeScalars.reduce(0) { total, scalar in total + max(0, Int(wcwidth(wchar_t(bitPattern: scalar.value)))) }
    }

    static func padded(_ text: String, to width: Int) -> String {
        let missing = width - columns(text)
        return missing > 0 ? text + String(repeating: " ", count: missing) : text
    }
}
