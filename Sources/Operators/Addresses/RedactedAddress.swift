import Foundation

/// Server addresses as they may be printed: with any credentials cut out.
public enum RedactedAddress {
    /// `text` (a URL, or an address as a user typed it) with everything from the start of its
    /// authority (after `scheme://`, or the start when there is none) to the last `@` replaced by
    /// `…`, and shown through ``TerminalText/visible(_:)``: `redis://:pw@host:6379` →
    /// `redis://…@host:6379`, `user:pw@host:6379` → `…@host:6379`.
    ///
    /// The last `@` anywhere counts, so a password holding `/`, `?` or `@` is cut out whole; a path
    /// holding `@` loses more than it must, which only shortens a message.
    public static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return TerminalText.visible(text) }
        let start = text.range(of: "://").map(\.upperBound) ?? text.startIndex
        guard start <= at else { return TerminalText.visible(text) }
        return TerminalText.visible(String(text[..<start]) + "…" + String(text[at...]))
    }
}
