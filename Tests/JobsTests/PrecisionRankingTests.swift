import Foundation
import Testing

/// bf16 and int8 scoring rank the movies as fp32 does: on the development labels
/// (`data/movies/ranking-labels`, judged by the sample's TMDB keywords), `flowrun score --precision
/// bf16` gives mean NDCG@10 and MAP within 0.005 of `--precision fp32`'s (int8 within 0.02), as
/// `flowrun evaluate` measures them. On a CPU without their dot products they are refused in one sentence,
/// and without either `auto` scores as fp32 does.
struct PrecisionRankingTests {
    struct Means: Decodable {
        struct Mean: Decodable { var ndcg: Double; var map: Double }
        var mean: Mean
    }

    private static func labels() throws -> String {
        try ["dev.txt", "themes-dev.txt"].flatMap { name in
            try String(contentsOfFile: Fixtures.path("data/movies/ranking-labels/" + name), encoding: .utf8).split(separator: "\n")
        }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: ",")
    }

    /// The sample's movies as `flowrun score` reads them: "TITLE. OVERVIEW" (never the keywords,
    /// which are the judgments).
    private static func documents(_ folder: String) throws -> String {
        var text = ""
        for line in try String(contentsOfFile: Fixtures.path("data/movies/tmdb_movies_sample.jsonl"), encoding: .utf8).split(separator: "\n") {
            let movie = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            let words = [movie["title"] as? String, movie["overview"] as? String].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ". ")
            let document = try JSONSerialization.data(withJSONObject: ["id": movie["id"]!, "text": words], options: [.sortedKeys])
            text += String(decoding: document, as: UTF8.self) + "\n"
        }
        let path = folder + "/documents.jsonl"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private static func score(_ precision: String, documents: String, labels: String, folder: String) throws -> (status: Int32, stderr: String, means: Means?) {
        let scores = "\(folder)/scores-\(precision).jsonl"
        let run = try FlowrunProcess(["score", "--labels", labels, "--input", documents, "--output", scores, "--precision", precision, "--workers", "2", "--batch-size", "8"],
                                     stderrPath: "\(folder)/score-\(precision).err").finish()
        guard run.status == 0 else { return (run.status, run.stderr, nil) }
        let evaluation = try FlowrunProcess(["evaluate", "--scores", scores, "--labels", labels, "--documents", Fixtures.path("data/movies/tmdb_movies_sample.jsonl"),
                                             "--relevant-field", "keywords", "--json", "\(folder)/figures-\(precision).json"],
                                            stderrPath: "\(folder)/evaluate-\(precision).err").finish()
        try #require(evaluation.status == 0, "\(evaluation.stderr)")
        return (run.status, run.stderr, try JSONDecoder().decode(Means.self, from: Fixtures.read("\(folder)/figures-\(precision).json")))
    }

    @Test func reducedPrecisionsRankTheDevelopmentLabelsAsFP32Does() throws {
        let folder = try Fixtures.scratchFolder()
        let documents = try Self.documents(folder), labels = try Self.labels()
        let exact = try Self.score("fp32", documents: documents, labels: labels, folder: folder)
        try #require(exact.status == 0, "\(exact.stderr)")
        #expect(exact.stderr.contains("fp32)"), "\(exact.stderr)")
        let fp32 = try #require(exact.means).mean
        var ran = 0
        // bf16 to the 0.005; int8, an opt-in that `auto` does not pick for this model, to 0.02.
        for (precision, instructions, bound) in [("bf16", "bf16 dot products (AVX512_BF16)", 0.005), ("int8", "int8 dot products (AVX-512 VNNI)", 0.02)] {
            let reduced = try Self.score(precision, documents: documents, labels: labels, folder: folder)
            guard reduced.status == 0 else {
                #expect(reduced.status == 2)
                #expect(reduced.stderr == "flowrun: --precision \(precision) needs a CPU with \(instructions), which this one lacks; use fp32 or auto\n")
                continue
            }
            ran += 1
            let means = try #require(reduced.means).mean
            #expect(try Fixtures.read("\(folder)/scores-\(precision).jsonl") != Fixtures.read("\(folder)/scores-fp32.jsonl"), "\(precision) changed no score, so it did not run")
            #expect(abs(means.ndcg - fp32.ndcg) <= bound, "NDCG@10 \(means.ndcg) in \(precision), \(fp32.ndcg) in fp32")
            #expect(abs(means.map - fp32.map) <= bound, "MAP \(means.map) in \(precision), \(fp32.map) in fp32")
            print("development labels on the sample: NDCG@10 \(fp32.ndcg) fp32, \(means.ndcg) \(precision); MAP \(fp32.map) fp32, \(means.map) \(precision)")
        }
        if ran == 0 {
            let automatic = try Self.score("auto", documents: documents, labels: labels, folder: folder)
            #expect(automatic.stderr.contains("fp32)"), "\(automatic.stderr)")
            #expect(try Fixtures.read("\(folder)/scores-auto.jsonl") == Fixtures.read("\(folder)/scores-fp32.jsonl"))
        }
    }
}
