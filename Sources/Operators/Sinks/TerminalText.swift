/// Text from outside (hashtags, labels, server replies) made safe to show on a terminal: control
/// characters, line and paragraph separators, and the bidirectional controls that reorder what
/// follows are written as escapes (`\u{1B}`), so no input can move the cursor, clear the screen,
/// retitle the window or disguise a line.
public enum TerminalText {
    /// `text` with every unsafe character written as `\u{HEX}`; everything else, wide and
    /// combining characters included, is kept.
    public static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar) {
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// `text` visible and in double quotes, for naming a value in a message: `"Space"`.
    public static func quoted(_ text: String) -> String { "\"\(visible(text))\"" }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return bidirectionalControls.contains(scalar.value)
        }
    }

    /// ALM, LRM, RLM, the embeddings and overrides (LRE…RLO), and the isolates (LRI…PDI).
    private static let bidirectionalControls: Set<UInt32> = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069]
}
