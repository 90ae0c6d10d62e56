import Flow
import Foundation
import Jobs
import Redis
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

    /// Runs configs/index-movies.yaml (bulk `index` actions) and checks that all 30 movies went in.
    private func indexMovies(_ movies: Movies, into index: String, name: String) throws {
        let run = try FlowrunProcess(["run", "configs/index-movies.yaml", "--quiet", "-p", "movies=\(movies.file)", "-p", "index=\(index)",
                                      "-p", "dead-letters=\(movies.folder)/\(name)-dead.jsonl", "--checkpoint-dir", movies.folder + "/\(name)-checkpoints"],
                                     stderrPath: movies.folder + "/\(name).err").finish()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("es indexed: 30"), "\(run.stderr)")
    }

    @Test(arguments: ElasticsearchServer.Kind.allCases)
    func trendingToRedisToClassificationToASortedQuery(kind: ElasticsearchServer.Kind) throws {
        let movies = try Self.movies.get()
        let redis = try RedisServer()
        #expect(try redis.connection().command(["ZADD", "hashtags", "9", "space", "7", "christmas", "1", "other"]) == .integer(3))
        let server = try ElasticsearchServer(kind)
        let index = server.url + "/movies"
        try indexMovies(movies, into: index, name: "index-\(kind)")

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
            #expect(hit["_id"] as? String == String(id))
            for field in ["classification_space", "classification_christmas"] {
                let stored = (source[field] as? Double) ?? -1
                #expect(abs(stored - movies.expected[id]![field]!) < 2e-6, "\(kind): movie \(id) \(field) is \(stored), flowrun score says \(movies.expected[id]![field]!)")
            }
        }
        // A second run scores nothing again: every movie holds both scores by the same model.
        let again = try classify(movies, from: index, to: index, extra: ["-p", "redis=\(redis.url)", "-p", "top=2"], name: "again-\(kind)")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("documents scored: 0"), "\(again.stderr)")
        #expect(again.stderr.contains("es updates: 0,"), "\(again.stderr)")

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
        #expect(result.stderr.contains("es dead letters: 2, es dead letters (400 mapper_parsing_exception): 2"), "\(result.stderr)")
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
        #expect(result.stderr.hasPrefix("flowrun: operator sink: http://127.0.0.1:\(port)/movies: "), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    /// Reading an index is resumed where the checkpoint left it, by point in time (osmem) and by
    /// the scroll fallback (the stub has no point in time): killed after a checkpoint, restored,
    /// the exactly-once output file holds every movie once with `flowrun score`'s scores.
    @Test(arguments: ["osmem", "stub"])
    func readingAnIndexResumesFromTheCheckpoint(server kind: String) throws {
        let movies = try Self.movies.get()
        let server = kind == "osmem" ? try ElasticsearchServer(.osmem) : try ElasticsearchServer(stubWith: ["--documents", movies.file])
        if kind == "osmem" { try indexMovies(movies, into: server.url + "/movies", name: "resume-index") }
        let output = movies.folder + "/resume-\(kind).jsonl"
        let checkpoints = movies.folder + "/resume-\(kind)-checkpoints"
        let arguments = ["run", "configs/classify-movies.yaml", "--quiet", "-p", "movies=\(server.url)/movies", "-p", "output=\(output)", "-p", "labels=space,christmas",
                         "-p", "page-size=1", "--checkpoint-dir", checkpoints, "--checkpoint-interval", "100ms", "--restore", "latest"]
        let crashing = try FlowrunProcess(arguments, stderrPath: movies.folder + "/resume-\(kind)-crash.err")
        let storage = CheckpointStorage(directory: checkpoints)
        while crashing.process.isRunning && storage.folders().filter({ FileManager.default.fileExists(atPath: $0.path + "/" + CheckpointManifest.fileName) }).count < 2 {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(crashing.send(SIGKILL), "the job ended before it could be killed")
        _ = crashing.finish()
        let restored = try FlowrunProcess(arguments, stderrPath: movies.folder + "/resume-\(kind).err").finish()
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stderr.contains("restoring checkpoint"), "\(restored.stderr)")
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(rows.map { $0["id"] as! Int }.sorted() == movies.ids.sorted(), "every movie exactly once")
        for row in rows {
            let id = row["id"] as! Int
            #expect(abs(row["classification_christmas"] as! Double - movies.expected[id]!["classification_christmas"]!) < 2e-6, "movie \(id)")
        }
        if kind == "stub" { #expect((try server.json("GET", "/_stub/applied")["scroll_requests"] as? Int ?? 0) > 30, "the stub was not read by scroll") }
    }

    /// HTTPS with a certificate of the server's own authority (ES_CA_CERT) and an API key
    /// (ES_API_KEY); without the authority, one sentence saying what to set.
    @Test func httpsWithAnAuthorityAndAnAPIKey() throws {
        let movies = try Self.movies.get()
        let certificate = movies.folder + "/stub-cert.pem", key = movies.folder + "/stub-key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        #expect(openssl.terminationStatus == 0)
        let stub = try ElasticsearchServer(stubWith: ["--tls", certificate, key, "--require-api-key", "the-key"], certificateAuthority: certificate)
        #expect(stub.url.hasPrefix("https://"))
        let untrusted = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space"],
                                     environment: ["ES_API_KEY": "the-key"], name: "tls-untrusted")
        #expect(untrusted.status == 4)
        #expect(untrusted.stderr.contains("cannot be trusted") && untrusted.stderr.contains("set ES_CA_CERT"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.split(separator: "\n").count == 1, "\(untrusted.stderr)")
        let wrongKey = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space"],
                                    environment: ["ES_API_KEY": "another-key", "ES_CA_CERT": certificate], name: "tls-wrong-key")
        #expect(wrongKey.status == 4)
        #expect(wrongKey.stderr.contains("refused the credentials") && !wrongKey.stderr.contains("another-key"), "\(wrongKey.stderr)")
        let trusted = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space"],
                                   environment: ["ES_API_KEY": "the-key", "ES_CA_CERT": certificate], name: "tls")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect((try stub.json("GET", "/_stub/applied")["applied"] as? [String: Any])?.count == 30)
    }

    /// A bulk request answered after the timeout is abandoned and sent again; nothing is lost.
    @Test func aSlowAnswerTimesOutAndIsSentAgain() throws {
        let movies = try Self.movies.get()
        let stub = try ElasticsearchServer(stubWith: ["--slow", "1:4"])
        let result = try classify(movies, from: movies.file, to: stub.url + "/movies", extra: ["-p", "labels=space", "-p", "timeout=1s"], name: "slow")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("es updates: 30, es retries:"), "\(result.stderr)")
        let state = try stub.json("GET", "/_stub/applied")
        #expect((state["applied"] as? [String: Any])?.count == 30)
        #expect((state["bulk_requests"] as? Int ?? 0) >= 2)
    }
}
