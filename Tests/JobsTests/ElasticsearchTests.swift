import Flow
import Foundation
import Jobs
import Operators
import Testing

/// The Elasticsearch connectors: end to end on both ES-compatible servers (trending hashtags to
/// Redis, movies scored against them from an index back into it, identical to `flowrun score`),
/// and the faults neither server can produce on the repository's stub (429 items, a 503, a dropped
/// connection, refused items, bad credentials, a crash in the middle).
@Suite(.serialized)
struct ElasticsearchTests {
    /// 30 movies, and `flowrun score`'s scores for their texts (title. overview) against two labels.
    final class Movies: Sendable {
        let folder: String
        let file: String
        let ids: [Int]
        /// id → field → score, from `flowrun score`.
        let expected: [Int: [String: Double]]

        init(labels: [String]) throws {
            folder = try Fixtures.scratchFolder()
            file = folder + "/movies.jsonl"
            let lines = try String(contentsOfFile: Fixtures.path("data/movies/tmdb_movies_sample.jsonl"), encoding: .utf8).split(separator: "\n").prefix(30)
            try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            var documents = ""
            var ids: [Int] = []
            for line in lines {
                let movie = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                let id = movie["id"] as! Int
                ids.append(id)
                let text = [movie["title"] as? String ?? "", movie["overview"] as? String ?? ""].filter { !$0.isEmpty }.joined(separator: ". ")
                documents += String(decoding: try JSONSerialization.data(withJSONObject: ["id": id, "text": text]), as: UTF8.self) + "\n"
            }
            self.ids = ids
            try documents.write(toFile: folder + "/texts.jsonl", atomically: true, encoding: .utf8)
            let run = try FlowrunProcess(["score", "--labels", labels.joined(separator: ","), "--input", folder + "/texts.jsonl", "--output", folder + "/scores.jsonl"],
                                         stderrPath: folder + "/score.err").finish()
            guard run.status == 0 else { throw FlowError(.internal, "flowrun score failed: \(run.stderr)") }
            var expected: [Int: [String: Double]] = [:]
            for line in try String(contentsOfFile: folder + "/scores.jsonl", encoding: .utf8).split(separator: "\n") {
                let row = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                expected[row["id"] as! Int, default: [:]]["classification_" + (row["label"] as! String)] = row["score"] as? Double
            }
            self.expected = expected
        }
    }

    static let movies = Result { try Movies(labels: ["space", "christmas"]) }

    private func classify(_ movies: Movies, from source: String, to output: String, extra: [String] = [], environment: [String: String] = [:],
                          name: String) throws -> (status: Int32, stderr: String) {
        try FlowrunProcess(["run", "configs/classify-movies.yaml", "--quiet", "-p", "movies=\(source)", "-p", "output=\(output)",
                            "-p", "dead-letters=\(movies.folder)/\(name)-dead.jsonl", "--checkpoint-dir", movies.folder + "/\(name)-checkpoints"] + extra,
                           stderrPath: movies.folder + "/\(name).err", environment: environment).finish()
    }

    @Test(arguments: ElasticsearchServer.Kind.allCases)
    func trendingToRedisToClassificationToASortedQuery(kind: ElasticsearchServer.Kind) throws {
        let movies = try Self.movies.get()
        let redis = try RedisServer()
        try redis.connection().command(["ZADD", "hashtags", "9", "space", "7", "christmas", "1", "other"])
        let server = try ElasticsearchServer(kind)
        let index = server.url + "/movies"
        let indexer = Process()
        indexer.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        indexer.arguments = ["python3", Fixtures.path("tools/index_movies.py"), index, movies.file]
        indexer.standardOutput = FileHandle.nullDevice
        try indexer.run()
        indexer.waitUntilExit()
        #expect(indexer.terminationStatus == 0)

        let result = try classify(movies, from: index, to: index, extra: ["-p", "redis=\(redis.url)", "-p", "top=2"], name: "e2e-\(kind)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("es updates: 30"), "\(result.stderr)")
        _ = try server.json("POST", "/movies/_refresh")
        let hits = ((try server.json("POST", "/movies/_search", ["size": 100, "_source": ["id", "classification_space", "classification_christmas"]])["hits"]
            as? [String: Any])?["hits"] as? [[String: Any]]) ?? []
        #expect(hits.count == 30)
        for hit in hits {
            let source = hit["_source"] as! [String: Any]
            let id = source["id"] as! Int
            for field in ["classification_space", "classification_christmas"] {
                let stored = (source[field] as? Double) ?? -1
                #expect(abs(stored - movies.expected[id]![field]!) < 2e-6, "\(kind): movie \(id) \(field) is \(stored), flowrun score says \(movies.expected[id]![field]!)")
            }
        }
        // A second run scores nothing again: every movie holds both scores by the same model.
        let again = try classify(movies, from: index, to: index, extra: ["-p", "redis=\(redis.url)", "-p", "top=2"], name: "again-\(kind)")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("documents scored: 0"), "\(again.stderr)")
        #expect(!again.stderr.contains("es updates"), "\(again.stderr)")

        // The search the original sorted by: the best christmas match first.
        let sorted = try server.json("POST", "/movies/_search", ["size": 3, "sort": [["classification_christmas": ["order": "desc"]]], "_source": ["id"]])
        let first = (((sorted["hits"] as? [String: Any])?["hits"] as? [[String: Any]])?.first?["_source"] as? [String: Any])?["id"] as? Int
        #expect(first == movies.expected.max { $0.value["classification_christmas"]! < $1.value["classification_christmas"]! }?.key)
    }

    @Test func retriesAndDeadLettersOnTheFaultStub() throws {
        let movies = try Self.movies.get()
        let rejected = [String(movies.ids[4]), String(movies.ids[17])]
        let stub = try ElasticsearchServer(stubWith: ["--item-429-rounds", "2", "--request-503", "3", "--drop", "4", "--reject-ids", rejected.joined(separator: ",")])
        let result = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space,christmas"], name: "faults")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("es updates: 28, es retries:"), "\(result.stderr)")
        #expect(result.stderr.contains("es dead letters: 2"), "\(result.stderr)")
        let state = try stub.json("GET", "/_stub/applied")
        let applied = state["applied"] as! [String: [String: Any]]
        #expect((state["bulk_requests"] as? Int ?? 0) >= 5, "the faults were not all met")
        #expect(Set(applied.keys) == Set(movies.ids.map(String.init)).subtracting(rejected))
        for (id, fields) in applied {
            #expect(abs(fields["classification_space"] as! Double - movies.expected[Int(id)!]!["classification_space"]!) < 2e-6, "update applied to the wrong document \(id)")
            #expect(fields["classification_model"] is String)
        }
        let letters = try String(contentsOfFile: movies.folder + "/faults-dead.jsonl", encoding: .utf8).split(separator: "\n")
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(letters.map { $0["id"] as! String }.sorted() == rejected.sorted())
        #expect(letters.allSatisfy { $0["status"] as? Int == 400 && $0["type"] as? String == "mapper_parsing_exception" })
    }

    @Test func aCrashInTheMiddleOfClassificationLosesNoUpdate() throws {
        let movies = try Self.movies.get()
        let stub = try ElasticsearchServer(stubWith: [])
        let arguments = ["-p", "labels=space,christmas", "-p", "batch=1", "--checkpoint-interval", "100ms", "--restore", "latest"]
        let crashing = try FlowrunProcess(["run", "configs/classify-movies.yaml", "--quiet", "-p", "movies=\(movies.file)", "-p", "output=\(stub.url)/movies",
                                           "-p", "dead-letters=\(movies.folder)/crash-dead.jsonl", "--checkpoint-dir", movies.folder + "/crash-checkpoints"] + arguments,
                                          stderrPath: movies.folder + "/crash.err")
        // Kill it once some updates are applied and a checkpoint is complete.
        let storage = CheckpointStorage(directory: movies.folder + "/crash-checkpoints")
        var appliedBeforeCrash = 0
        while crashing.process.isRunning
            && (appliedBeforeCrash < 6 || !storage.folders().contains { FileManager.default.fileExists(atPath: $0.path + "/" + CheckpointManifest.fileName) }) {
            Thread.sleep(forTimeInterval: 0.1)
            appliedBeforeCrash = (try stub.json("GET", "/_stub/applied")["applied"] as? [String: Any])?.count ?? 0
        }
        #expect(crashing.send(SIGKILL), "the job ended before it could be killed")
        _ = crashing.finish()
        #expect(appliedBeforeCrash < 30)
        let restored = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: arguments, name: "crash")
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stderr.contains("restoring checkpoint"), "\(restored.stderr)")
        let applied = try stub.json("GET", "/_stub/applied")["applied"] as! [String: [String: Any]]
        #expect(Set(applied.keys) == Set(movies.ids.map(String.init)))
        for (id, fields) in applied {
            for field in ["classification_space", "classification_christmas"] {
                #expect(abs(fields[field] as! Double - movies.expected[Int(id)!]![field]!) < 2e-6, "movie \(id) has a wrong \(field)")
            }
        }
    }

    @Test func badCredentialsAreOneSentenceAndNeverPrinted() throws {
        let movies = try Self.movies.get()
        let stub = try ElasticsearchServer(stubWith: ["--require-auth", "flow:right-secret"])
        let wrong = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space"],
                                 environment: ["ES_USERNAME": "flow", "ES_PASSWORD": "wrong-secret"], name: "auth-wrong")
        #expect(wrong.status == 4)
        #expect(wrong.stderr.split(separator: "\n").count == 1, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("refused the credentials") && !wrong.stderr.contains("secret"), "\(wrong.stderr)")
        let right = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space"],
                                 environment: ["ES_USERNAME": "flow", "ES_PASSWORD": "right-secret"], name: "auth-right")
        #expect(right.status == 0, "\(right.stderr)")
        #expect((try stub.json("GET", "/_stub/applied")["applied"] as? [String: Any])?.count == 30)
    }

    @Test func anUnreachableIndexIsOneSentence() throws {
        let movies = try Self.movies.get()
        let port = RedisServer.freePort()
        let result = try classify(movies, from: movies.file, to: "http://127.0.0.1:\(port)/movies", extra: ["-p", "labels=space"], name: "unreachable")
        #expect(result.status == 4)
        #expect(result.stderr.hasPrefix("flowrun: http://127.0.0.1:\(port)/movies: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }
}
