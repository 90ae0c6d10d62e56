import Bert
import Flow
import Foundation
import Testing

/// A model folder's config.json comes from outside: sizes that could make no model (a zero that
/// would divide, sizes that would allocate without bound) and ambiguous labels are refused in one
/// sentence naming the file, never a trap.
struct BertConfigTests {
    static let tiny = BertParityTests.fixtures + "/tiny/config.json"

    /// The tiny fixture's config with `edit` applied, written to a scratch file.
    private func config(_ edit: (inout [String: Any]) -> Void) throws -> String {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.tiny))) as! [String: Any]
        edit(&object)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-config-\(UUID().uuidString).json").path
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func theFixtureLoads() throws {
        #expect(try BertConfig.load(Self.tiny).heads == 4)
    }

    @Test(arguments: [
        ("num_attention_heads", 0, "num_attention_heads 0 is outside 1...4096"),
        ("hidden_size", -32, "hidden_size -32 is outside"),
        ("hidden_size", 1 << 40, "hidden_size 1099511627776 is outside"),
        ("num_hidden_layers", 0, "num_hidden_layers 0 is outside"),
        ("num_attention_heads", 5, "hidden_size 32 is not a multiple of num_attention_heads 5"),
    ])
    func impossibleSizesAreRefused(key: String, value: Int, expected: String) throws {
        let path = try config { $0[key] = value }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: FlowError.self) { try BertConfig.load(path) }
        #expect(error?.message.hasPrefix("\(path): \(expected)") == true, "\(String(describing: error))")
    }

    @Test func aLabelIndexNamedTwiceIsRefused() throws {
        let path = try config { $0["id2label"] = ["0": "contradiction", "00": "entailment", "1": "neutral"] }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = #expect(throws: FlowError.self) { try BertConfig.load(path) }
        #expect(error?.message == "\(path): id2label names label 0 twice; give a BERT model folder with --model")
    }
}
