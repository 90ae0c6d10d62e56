import Foundation
import Testing

/// The console table shows what a tweet's hashtags hold, but never sends their control
/// characters to the terminal (issue 14): they appear escaped, as `\u{1B}`.
struct ConsoleEscapeTests {
    @Test func controlCharactersInHashtagsAreShownEscaped() throws {
        let folder = try Fixtures.scratchFolder()
        let tag = "red\u{1B}[31mX\u{7}\u{9B}2J\u{202E}"
        let tweet = try JSONSerialization.data(withJSONObject: ["timestamp_ms": 1_609_459_200_000, "entities": ["hashtags": [["text": tag]]]])
        try (String(decoding: tweet, as: UTF8.self) + "\n").write(toFile: folder + "/escape.jsonl", atomically: true, encoding: .utf8)
        let run = try FlowrunProcess(["run", "configs/trending-hashtags.yaml", "--quiet", "-p", "input=\(folder)/escape.jsonl", "--checkpoint-dir", folder + "/checkpoints"],
                                     stderrPath: folder + "/escape.err", stdoutPath: folder + "/escape.out").finish()
        #expect(run.status == 0, "\(run.stderr)")
        let shown = try String(contentsOfFile: folder + "/escape.out", encoding: .utf8)
        #expect(shown.contains("red\\u{1B}[31mx\\u{7}\\u{9B}2j\\u{202E}"), "\(shown)")
        #expect(!shown.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n") || (0x7F...0x9F).contains($0.value) || $0 == "\u{202E}" }, "\(shown)")
    }
}
