import Operators
import Testing

/// Text from outside reaches the terminal with its control characters escaped (issue 14).
struct TerminalTextTests {
    @Test(arguments: [("plain", "plain"), ("日本", "日本"), ("cafe\u{301}", "cafe\u{301}"), ("a\u{1B}[2J", "a\\u{1B}[2J"), ("\u{9B}31m", "\\u{9B}31m"),
                      ("tab\there", "tab\\u{9}here"), ("\u{202E}gnp.exe", "\\u{202E}gnp.exe"), ("line\u{2028}break", "line\\u{2028}break"), ("del\u{7F}", "del\\u{7F}")])
    func unsafeCharactersAreEscaped(text: String, shown: String) {
        #expect(TerminalText.visible(text) == shown)
    }
}
