@testable import Bert
import Flow
import Testing

/// The lexical part of a score: English plurals folded, words of any script, the label's share
/// saturating with each word's count and averaged over its words; and its blend with the cosine.
struct LabelWordMatchTests {
    @Test(arguments: [
        ("dogs", "dog"), ("glasses", "glass"), ("boxes", "box"), ("witches", "witch"), ("wishes", "wish"),
        ("parties", "partie"), ("party", "partie"), ("day", "day"), ("bus", "bus"), ("iris", "iris"), ("class", "class"), ("gas", "gas"),
    ])
    func pluralsFold(word: String, folded: String) {
        #expect(LabelWordMatch.fold(word) == folded)
    }

    @Test func wordsAreRunsOfLettersAndDigitsOfAnyScript() {
        #expect(LabelWordMatch.words(in: "Dogs, cats & 2 Été-parties; 日本") == ["dog", "cat", "2", "été", "partie", "日本"])
    }

    @Test func theShareSaturatesWithEachWordsCountAndAveragesOverTheLabelsWords() {
        let dog = LabelWordMatch(label: "dog")
        #expect(dog.share(in: "A cat.") == 0)
        #expect(abs(dog.share(in: "The Dogs bark.") - 1 / 2.2) < 1e-12)
        #expect(abs(dog.share(in: "dog dog, DOGS") - 3 / 4.2) < 1e-12)
        let timeTravel = LabelWordMatch(label: "time travel")
        #expect(abs(timeTravel.share(in: "They travel in time, twice in time.") - (2 / 3.2 + 1 / 2.2) / 2) < 1e-12)
        #expect(LabelWordMatch(label: "#").share(in: "anything") == 0)
    }

    @Test func theScoreBlendsTheCosineWithTheLabelsWordsByTheLexicalWeight() throws {
        let model = try BertParityTests.minilm.get()
        let pool = EncoderPool(model: model, workers: 1, batchSize: 4)
        let documents = ["Two dogs wait for their owner at the station.", "A cat sleeps on the windowsill.", "dog"]
        let cosine = try ZeroShotScorer(pool: pool, labels: ["#Dogs"], lexicalWeight: 0).score(documents)
        let blended = try ZeroShotScorer(pool: pool, labels: ["#Dogs"], lexicalWeight: 0.25).score(documents)
        let words = LabelWordMatch(label: "dogs")
        for (index, document) in documents.enumerated() {
            #expect(abs(blended[index][0] - (0.75 * cosine[index][0] + 0.25 * words.share(in: document))) < 1e-12)
        }
        #expect(throws: FlowError.self) { try ZeroShotScorer(pool: pool, labels: ["dog"], lexicalWeight: 1.5) }
    }
}
