import Elasticsearch
import Flow
import FlowTesting
import Foundation
import Operators
import Redis
import Scoring
import Testing

/// What a job file or a server can send the Elasticsearch connectors (issue 14): bulk answers of
/// an unexpected shape, dead letters before the checkpoint that covers them, labels of any script
/// and labels that become one field, index names that are no index name, credentials in the URL.
@Suite(.serialized)
struct ElasticsearchHostileInputTests {
    /// A scratch folder with the first `count` movies of the sample as `movies.jsonl`, and their ids.
    private func movies(_ count: Int) throws -> (folder: String, file: String, ids: [String]) {
        let folder = try Fixtures.scratchFolder()
        let lines = try String(contentsOfFile: Fixtures.path("data/movies/tmdb_movies_sample.jsonl"), encoding: .utf8).split(separator: "\n").prefix(count)
        try (lines.joined(separator: "\n") + "\n").write(toFile: folder + "/movies.jsonl", atomically: true, encoding: .utf8)
        let ids = try lines.map { String((try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["id"] as! Int) }
        return (folder, folder + "/movies.jsonl", ids)
    }

    private func indexMovies(_ file: String, into index: String, folder: String, name: String) throws -> (status: Int32, stderr: String) {
        try FlowrunProcess(["run", "configs/index-movies.yaml", "--quiet", "-p", "movies=\(file)", "-p", "index=\(index)",
                            "-p", "dead-letters=\(folder)/\(name)-dead.jsonl", "--checkpoint-dir", folder + "/\(name)-checkpoints"],
                           stderrPath: folder + "/\(name).err").finish()
    }

    private func classify(_ file: String, to output: String, labels: String, folder: String, name: String, extra: [String] = []) throws -> (status: Int32, stderr: String) {
        try FlowrunProcess(["run", "configs/classify-movies.yaml", "--quiet", "-p", "movies=\(file)", "-p", "output=\(output)", "-p", "labels=\(labels)",
                            "-p", "dead-letters=\(folder)/\(name)-dead.jsonl", "--checkpoint-dir", folder + "/\(name)-checkpoints"] + extra,
                           stderrPath: folder + "/\(name).err").finish()
    }

    private func deadLetters(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    // MARK: - Bulk answers

    @Test func aResponseLargerThanTheLimitEndsTheRequestInOneSentence() throws {
        let stub = try ElasticsearchServer(stubWith: [])
        let client = ElasticsearchClient(try ElasticsearchEndpoint(url: stub.url + "/movies"))
        #expect(try client.send("GET", "/").status == 200)
        client.maximumResponseBytes = 16
        let error = #expect(throws: FlowError.self) { try client.send("GET", "/") }
        #expect(error?.message.contains("answered with more than 16 bytes") == true, "\(String(describing: error))")
    }

    @Test func malformedItemsAreDeadLetteredWithAReason() throws {
        let (folder, file, ids) = try movies(30)
        let odd = [ids[3], ids[20]]
        let stub = try ElasticsearchServer(stubWith: ["--odd-ids", odd.joined(separator: ",")])
        let run = try indexMovies(file, into: stub.url + "/movies", folder: folder, name: "odd")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("es indexed: 28"), "\(run.stderr)")
        #expect(run.stderr.contains("es dead letters: 2"), "\(run.stderr)")
        let letters = try deadLetters(folder + "/odd-dead.jsonl")
        #expect(letters.map { $0["id"] as! String }.sorted() == odd.sorted())
        #expect(letters.allSatisfy { ($0["reason"] as? String ?? "").contains("malformed") }, "\(letters)")
    }

    @Test func anAnswerWithTooFewItemsIsAFailedRequestAndSentAgain() throws {
        let (folder, file, ids) = try movies(30)
        let stub = try ElasticsearchServer(stubWith: ["--short-reply", "1"])
        let run = try indexMovies(file, into: stub.url + "/movies", folder: folder, name: "short")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("es indexed: 30, es retries: "), "\(run.stderr)")
        let state = try stub.json("GET", "/_stub/applied")
        #expect(Set((state["applied"] as? [String: Any] ?? [:]).keys) == Set(ids))
        #expect(state["bulk_requests"] as? Int ?? 0 >= 2)
    }

    /// Refused actions leave the sink as dead letters on its side output, each before the
    /// checkpoint that covers it, so the dead-letter file's sink (a ``SideFileSink``, exactly once
    /// through restores) keeps them with that checkpoint.
    @Test func deadLettersGoToTheSideOutputBeforeTheCheckpointThatCoversThem() throws {
        let folder = try Fixtures.scratchFolder()
        let stub = try ElasticsearchServer(stubWith: ["--reject-ids", "2,5"])
        let file = DeadLetterFile(path: folder + "/dead.jsonl")
        var settings = ElasticsearchBulkSettings(endpoint: try ElasticsearchEndpoint(url: stub.url + "/movies", environment: [:]), deadLetters: file)
        settings.flushActions = 1
        let chosen = settings
        func documents(_ ids: ClosedRange<Int>) -> [Document] { ids.map { Document(idJSON: "\($0)", text: "", sourceJSON: "{\"id\":\($0)}") } }
        let recorder = SideOutputRecorder(file.records!)
        let sink = try OperatorHarness { context in try ElasticsearchIndexSink(settings: chosen, indexBody: nil, context: context) }
        try sink.process(documents(1...3))
        try sink.snapshot()
        try sink.process(documents(4...6))
        try sink.finish()
        let seen = recorder.emitted.map { element -> String in
            switch element {
            case .record(let letter): letter.id
            case .checkpoint(let id): "checkpoint \(id)"
            case .watermark: "watermark"
            case .endOfInput: "end"
            }
        }
        #expect(seen == ["2", "checkpoint 1", "5", "end"])
        #expect(recorder.records.allSatisfy { $0.status == 400 && $0.action.contains("\"_id\":\"\($0.id)\"") }, "\(recorder.records)")
        #expect(sink.metrics.value("es dead letters") == 2)
        #expect(sink.metrics.value("es indexed") == 4)
    }

    // MARK: - Field names

    @Test func labelsOfAnyScriptKeepTheirLettersInFieldNames() throws {
        let (folder, file, ids) = try movies(3)
        let output = folder + "/scores.jsonl"
        let run = try classify(file, to: output, labels: "日本,中国", folder: folder, name: "cjk")
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == ids.count)
        for row in rows {
            #expect(row.contains("\"classification_日本\":") && row.contains("\"classification_中国\":"), "\(row)")
        }
    }

    @Test(arguments: ["Space,space", "#Space,space", "a.b,ab", "model,x"])
    func labelsThatBecomeOneFieldAreRefusedBeforeTheFirstRecord(labels: String) throws {
        let (folder, file, _) = try movies(3)
        let output = folder + "/scores.jsonl"
        let run = try classify(file, to: output, labels: labels, folder: folder, name: "collision")
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        let names = labels.split(separator: ",")
        #expect(run.stderr.contains("\"\(names[0])\"") && (names[1] == "x" || run.stderr.contains("\"\(names[1])\"")), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func hashtagsFromRedisThatBecomeOneFieldAreRefused() throws {
        let (folder, file, _) = try movies(3)
        let redis = try RedisServer()
        #expect(try redis.connection().command(["ZADD", "hashtags", "9", "Space", "7", "space"]) == .integer(2))
        let stub = try ElasticsearchServer(stubWith: [])
        let run = try classify(file, to: stub.url + "/movies", labels: "", folder: folder, name: "redis-collision", extra: ["-p", "redis=\(redis.url)"])
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("\"Space\"") && run.stderr.contains("\"space\""), "\(run.stderr)")
        #expect((try stub.json("GET", "/_stub/applied")["bulk_requests"] as? Int) == 0)
    }

    /// Both dialect servers take field names of other scripts (and the stub's update keeps them).
    @Test(arguments: ElasticsearchServer.Kind.allCases)
    func theServersAcceptFieldNamesOfOtherScripts(kind: ElasticsearchServer.Kind) throws {
        let (folder, file, ids) = try movies(3)
        let server = try ElasticsearchServer(kind)
        let index = server.url + "/movies"
        #expect(try indexMovies(file, into: index, folder: folder, name: "index").status == 0)
        let run = try classify(index, to: index, labels: "日本,中国,Ελλάδα,हिन्दी,space", folder: folder, name: "scripts")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("es updates: 3"), "\(run.stderr)")
        _ = try server.json("POST", "/movies/_refresh")
        let fields = ["classification_日本", "classification_中国", "classification_ελλάδα", "classification_हिन्दी", "classification_space"]
        let hits = ((try server.json("POST", "/movies/_search", ["size": 10])["hits"] as? [String: Any])?["hits"] as? [[String: Any]]) ?? []
        #expect(Set(hits.compactMap { $0["_id"] as? String }) == Set(ids))
        for hit in hits {
            let source = hit["_source"] as? [String: Any] ?? [:]
            for field in fields { #expect(source[field] is Double, "\(kind): \(field) missing in \(source.keys.sorted())") }
        }
        let sorted = try server.json("POST", "/movies/_search", ["size": 1, "sort": [["classification_日本": ["order": "desc"]]]])
        #expect((((sorted["hits"] as? [String: Any])?["hits"] as? [[String: Any]]) ?? []).count == 1, "\(kind): \(sorted)")
    }

    // MARK: - Addresses

    @Test(arguments: ["movies%3Fpretty%26x=1", "Movies", "_movies", "a%20b", "..", "a:b", String(repeating: "x", count: 256)])
    func anIndexNameThatBreaksTheRulesIsOneSentence(index: String) throws {
        let (folder, file, _) = try movies(3)
        let stub = try ElasticsearchServer(stubWith: [])
        let run = try indexMovies(file, into: "\(stub.url)/\(index)", folder: folder, name: "index-name")
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("index name"), "\(run.stderr)")
        #expect((try stub.json("GET", "/_stub/applied")["paths"] as? [String] ?? []).allSatisfy { $0 == "GET /" })
    }

    @Test func indexNamesArePercentEncodedInPaths() throws {
        let (folder, file, ids) = try movies(3)
        let stub = try ElasticsearchServer(stubWith: [])
        let run = try indexMovies(file, into: "\(stub.url)/caf%C3%A9%25", folder: folder, name: "encoded")
        #expect(run.status == 0, "\(run.stderr)")
        let state = try stub.json("GET", "/_stub/applied")
        #expect((state["paths"] as? [String] ?? []).contains("PUT /caf%C3%A9%25"), "\(state["paths"] ?? [])")
        #expect(Set((state["applied"] as? [String: Any] ?? [:]).keys) == Set(ids))
    }

    @Test(arguments: ["http://flow:hunter2@127.0.0.1:1/Movies", "http://flow:hunter2@127.0.0.1:1/movies", "flow:hunter2@127.0.0.1:1/movies"])
    func credentialsInAnIndexAddressAreNeverPrinted(address: String) throws {
        let (folder, file, _) = try movies(3)
        let run = try indexMovies(file, into: address, folder: folder, name: "credentials")
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(!run.stderr.contains("hunter2"), "\(run.stderr)")
    }
}
