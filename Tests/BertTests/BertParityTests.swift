import Bert
import Foundation
import Testing

/// Flow's tokenizer and encoder against the reference (transformers / sentence-transformers on
/// PyTorch): fixtures made by `Tests/Fixtures/bert/make_fixtures.py`, never by Flow.
struct BertParityTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/bert").path

    static func json(_ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name))) as! [String: Any]
    }

    /// all-MiniLM-L6-v2 as the set-up installs it.
    static let minilm = Result { try BertModel(folder: try ModelDirectory.locate()) }
    static let tiny = Result { try BertModel(folder: fixtures + "/tiny") }

    static func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
    }

    @Test func tokenIdsMatchTheModelsOwnTokenizer() throws {
        let model = try Self.minilm.get()
        let cases = try Self.json("tokenizer_cases.json")["cases"] as! [[String: Any]]
        #expect(cases.count >= 14)
        for testCase in cases {
            let text = testCase["text"] as! String
            let expected = (testCase["ids"] as! [Int]).map(Int32.init)
            if let pair = testCase["pair"] as? String {
                #expect(model.tokenizer.encode(text, pair: pair).ids == expected, "pair: \(text) | \(pair)")
            } else {
                #expect(model.tokenizer.encode(text) == expected, "text: \(text)")
            }
        }
    }

    @Test func embeddingsMatchSentenceTransformersWithin1e4() throws {
        let model = try Self.minilm.get()
        let fixture = try Self.json("minilm_embeddings.json")
        let texts = fixture["texts"] as! [String]
        let expected = fixture["embeddings"] as! [[Double]]
        let embedder = SentenceEmbedder(encoder: BertEncoder(model: model))
        for batchSize in [1, 5] {
            var vectors: [[Float]] = []
            for start in stride(from: 0, to: texts.count, by: batchSize) {
                vectors += embedder.embed(Array(texts[start..<min(start + batchSize, texts.count)]))
            }
            for (index, vector) in vectors.enumerated() {
                #expect(vector.count == 384)
                #expect(Self.maxDifference(vector, expected[index]) < 1e-4, "text \(index) at batch size \(batchSize)")
            }
        }
    }

    @Test func tinyRandomBertMatchesTransformers() throws {
        let model = try Self.tiny.get()
        let fixture = try Self.json("tiny_outputs.json")
        let embedder = SentenceEmbedder(encoder: BertEncoder(model: model))
        let cases = fixture["embeddings"] as! [[String: Any]]
        for testCase in cases {
            let ids = model.tokenizer.encode(testCase["text"] as! String)
            #expect(ids == (testCase["ids"] as! [Int]).map(Int32.init))
            let pooled = embedder.meanPooled([ids])[0]
            #expect(Self.maxDifference(pooled, testCase["mean_pooled"] as! [Double]) < 1e-5, "\(testCase["text"]!)")
        }
        // One padded batch gives each sequence what it gets alone: the mask hides the padding.
        let batch = embedder.meanPooled(cases.map { model.tokenizer.encode($0["text"] as! String) })
        for (index, expected) in (fixture["batch_mean_pooled"] as! [[Double]]).enumerated() {
            #expect(Self.maxDifference(batch[index], expected) < 1e-5)
        }
    }

    @Test func tinyNLIHeadMatchesTransformers() throws {
        let model = try Self.tiny.get()
        #expect(model.hasClassifier)
        let encoder = BertEncoder(model: model)
        for testCase in try Self.json("tiny_outputs.json")["nli"] as! [[String: Any]] {
            let (ids, types) = model.tokenizer.encode(testCase["premise"] as! String, pair: testCase["hypothesis"] as! String)
            #expect(ids == (testCase["ids"] as! [Int]).map(Int32.init))
            #expect(types == (testCase["type_ids"] as! [Int]).map(Int32.init))
            let logits = encoder.classify([ids], types: [types])[0]
            #expect(Self.maxDifference(logits, testCase["logits"] as! [Double]) < 1e-5)
        }
    }
}

/// The same text gives bit-identical embeddings whatever batch it is in, so scores do not depend
/// on batch size or on the worker that computed them.
struct BertDeterminismTests {
    @Test func embeddingsDoNotDependOnTheBatch() throws {
        let model = try BertParityTests.minilm.get()
        let embedder = SentenceEmbedder(encoder: BertEncoder(model: model))
        let texts = (try BertParityTests.json("minilm_embeddings.json")["texts"] as! [String]).filter { !$0.isEmpty }
        let alone = texts.map { embedder.embed([$0])[0] }
        for size in [2, 3, 7, texts.count] {
            for start in stride(from: 0, to: texts.count, by: size) {
                let batch = embedder.embed(Array(texts[start..<min(start + size, texts.count)]))
                for (offset, vector) in batch.enumerated() {
                    #expect(vector == alone[start + offset], "text \(start + offset) differs in a batch of \(size)")
                }
            }
        }
    }
}
