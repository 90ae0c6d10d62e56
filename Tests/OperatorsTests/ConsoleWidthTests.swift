@testable import Operators
import Testing

struct ConsoleWidthTests {
    @Test(arguments: [("abc", 3), ("さんタク", 8), ("0101_쿤생일", 11), ("cafe\u{301}", 4), ("", 0)])
    func wideCharactersTakeTwoColumnsAndCombiningMarksNone(text: String, columns: Int) {
        #expect(ConsoleTopKSink.columns(text) == columns)
    }

    @Test func paddingFillsToTheSameColumn() {
        #expect(ConsoleTopKSink.padded("タグ", to: 6) == "タグ  ")
        #expect(ConsoleTopKSink.padded("tag", to: 6) == "tag   ")
        #expect(ConsoleTopKSink.padded("longer", to: 3) == "longer")
    }
}
