import Foundation
import FuzzTargets
import Testing

/// Every input of every fuzz target's corpus (`Fuzz/corpus/<target>/`: seeds from the bundled
/// logs, jobs and checkpoints, and what fuzzing found) runs through its target again: none may
/// trap, and none may show a problem. This is the fuzz suite's replay in every test run.
struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    @Test(arguments: FuzzTarget.allCases)
    func everyCorpusInputPasses(target: FuzzTarget) throws {
        let folder = Self.corpus + "/" + target.rawValue
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count >= 5, "the \(target.rawValue) corpus has only \(names.count) inputs")
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            let problem = data.withUnsafeBytes { target.run($0) }
            #expect(problem == nil, "\(target.rawValue)/\(name): \(problem ?? "")")
        }
    }
}
