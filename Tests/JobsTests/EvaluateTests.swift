import FlowTesting
import Foundation
import Testing

/// `flowrun evaluate` against an independent, plain Python reference
/// (`Tests/Fixtures/reference/ranking_metrics_reference.py`) on the bundled TMDB sample: seeded
/// random scores with many ties, in both score shapes, judged by the movies' keywords (complete
/// judgments) and by a sparse graded CSV with a label column restricted to one genre; and its
/// refusals of bad input, one sentence each.
struct EvaluateTests {
    static let movies = Fixtures.path("data/movies/tmdb_movies_sample.jsonl")
    static let labels = ["murder", "christmas", "high school", "#Magic", "alien", "sport"]

    struct Figures: Decodable, Equatable {
        struct Label: Decodable {
            var label: String
            var candidates: Int
            var judged: Int
            var relevant: Int
            var ndcg: Double
            var condensed_ndcg: Double
            var average_precision: Double?
            var condensed_average_precision: Double?
            var r_precision: Double?
        }

        var labels: [Label]

        static func == (left: Figures, right: Figures) -> Bool {
            func close(_ a: Double?, _ b: Double?) -> Bool { a == nil ? b == nil : b.map { abs(a! - $0) < 1e-12 } ?? false }
            return left.labels.count == right.labels.count && zip(left.labels, right.labels).allSatisfy { a, b in
                a.label == b.label && a.candidates == b.candidates && a.judged == b.judged && a.relevant == b.relevant
                    && close(a.ndcg, b.ndcg) && close(a.condensed_ndcg, b.condensed_ndcg)
                    && close(a.average_precision, b.average_precision) && close(a.condensed_average_precision, b.condensed_average_precision)
                    && close(a.r_precision, b.r_precision)
            }
        }
    }

    /// The sample's movie ids.
    static func movieIDs() throws -> [Int] {
        try String(contentsOfFile: movies, encoding: .utf8).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object?["id"] as? Int)
        }
    }

    /// Seeded scores with two decimals (so ties are many): as `flowrun score` writes them, and as
    /// the classification job does.
    static func writeScores(_ folder: String, ids: [Int]) throws {
        var random = SplitMix64(seed: 21)
        var rows = "", wide = ""
        for id in ids {
            var fields = ["\"id\": \(id)"]
            for label in labels {
                let score = Double(Int.random(in: 0...100, using: &random)) / 100
                rows += "{\"id\": \(id), \"label\": \"\(label)\", \"score\": \(score)}\n"
                fields.append("\"classification_\(label.lowercased().filter { $0.isLetter || $0.isNumber })\": \(score)")
            }
            wide += "{" + fields.joined(separator: ", ") + "}\n"
        }
        try rows.write(toFile: folder + "/rows.jsonl", atomically: true, encoding: .utf8)
        try (wide + "not json\n{\"label\": \"no id\"}\n").write(toFile: folder + "/wide.jsonl", atomically: true, encoding: .utf8)
    }

    static func figures(_ arguments: [String], folder: String) throws -> (flow: Figures, reference: Figures, stderr: String) {
        let run = try FlowrunProcess(["evaluate"] + arguments + ["--json", folder + "/flow.json"], stderrPath: folder + "/evaluate.err").finish()
        try #require(run.status == 0, "\(run.stderr)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.path("Tests/Fixtures/reference/ranking_metrics_reference.py")] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let flow = try JSONDecoder().decode(Figures.self, from: Fixtures.read(folder + "/flow.json"))
        return (flow, try JSONDecoder().decode(Figures.self, from: data), run.stderr)
    }

    @Test(arguments: ["rows.jsonl", "wide.jsonl"])
    func keywordJudgmentsGiveTheReferencesFigures(scores: String) throws {
        let folder = try Fixtures.scratchFolder()
        try Self.writeScores(folder, ids: try Self.movieIDs())
        let (flow, reference, stderr) = try Self.figures(["--scores", folder + "/" + scores, "--labels", Self.labels.joined(separator: ","),
                                                          "--documents", Self.movies, "--relevant-field", "keywords"], folder: folder)
        #expect(flow == reference)
        #expect(flow.labels.allSatisfy { $0.candidates == 1410 && $0.judged == 1410 && $0.relevant > 0 })
        if scores == "wide.jsonl" {
            #expect(stderr.contains("2 lines of scores \(folder)/wide.jsonl could not be read and were skipped (first: line 1411)"), "\(stderr)")
        }
    }

    /// TMDB's keywords stop at movies released in 2016; with --unjudged-when-empty the movies
    /// without keywords are unjudged rather than irrelevant, and the condensed figures leave them out.
    @Test func moviesWithoutKeywordsAreUnjudgedWhenAsked() throws {
        let folder = try Fixtures.scratchFolder()
        try Self.writeScores(folder, ids: try Self.movieIDs())
        let keyworded = try String(contentsOfFile: Self.movies, encoding: .utf8).split(separator: "\n").filter { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return !((object?["keywords"] as? [String]) ?? []).isEmpty
        }.count
        let (flow, reference, _) = try Self.figures(["--scores", folder + "/rows.jsonl", "--labels", Self.labels.joined(separator: ","),
                                                     "--documents", Self.movies, "--relevant-field", "keywords", "--unjudged-when-empty"], folder: folder)
        #expect(flow == reference)
        #expect(keyworded > 0 && keyworded < 1410)
        #expect(flow.labels.allSatisfy { $0.candidates == 1410 && $0.judged == keyworded && $0.relevant > 0 })
        #expect(flow.labels.allSatisfy { $0.condensed_average_precision! > $0.average_precision! }, "leaving unjudged movies out lifts every relevant one's rank")
    }

    @Test func sparseGradedJudgmentsOfSeveralLabelsInOneGenreGiveTheReferencesFigures() throws {
        let folder = try Fixtures.scratchFolder()
        let ids = try Self.movieIDs()
        try Self.writeScores(folder, ids: ids)
        var random = SplitMix64(seed: 7)
        var csv = "label,document_id,relevance\n"
        for label in ["murder", "christmas"] {
            for id in ids where Int.random(in: 0..<10, using: &random) == 0 {
                csv += "\(label),\(id),\(Int.random(in: 0...3, using: &random))\n"
            }
        }
        try csv.write(toFile: folder + "/judgments.csv", atomically: true, encoding: .utf8)
        let (flow, reference, _) = try Self.figures(["--scores", folder + "/rows.jsonl", "--labels", "murder,christmas", "--judgments", folder + "/judgments.csv",
                                                     "--documents", Self.movies, "--where", "genres=Family", "--k", "5"], folder: folder)
        #expect(flow == reference)
        #expect(flow.labels.allSatisfy { $0.judged < $0.candidates && $0.condensed_ndcg != $0.ndcg }, "sparse judgments make condensed NDCG differ")
    }

    @Test func badInputIsRefusedInOneSentence() throws {
        let folder = try Fixtures.scratchFolder()
        try Self.writeScores(folder, ids: try Self.movieIDs())
        let cases: [(arguments: [String], status: Int32, message: String)] = [
            (["--scores", folder + "/rows.jsonl", "--labels", "unicorn", "--documents", Self.movies, "--relevant-field", "keywords"], 2, "holds no score for the label \"unicorn\""),
            (["--scores", folder + "/rows.jsonl", "--labels", "murder"], 2, "give the judgments either as --judgments FILE.csv or as --relevant-field"),
            (["--scores", folder + "/missing.jsonl", "--labels", "murder", "--documents", Self.movies, "--relevant-field", "keywords"], 3, "cannot read scores"),
            (["--scores", folder + "/rows.jsonl", "--labels", "murder", "--judgments", Fixtures.path("data/movies/judgments_christmas.csv"), "--unjudged-when-empty"], 2,
             "--unjudged-when-empty applies to judgments from a field"),
            (["--scores", folder + "/rows.jsonl", "--labels", "murder,alien", "--judgments", Fixtures.path("data/movies/judgments_christmas.csv")], 2, "have no label column"),
        ]
        for (arguments, status, message) in cases {
            let run = try FlowrunProcess(["evaluate"] + arguments, stderrPath: folder + "/bad.err").finish()
            #expect(run.status == status, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message) && run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        }
    }
}
