@testable import Elasticsearch
import Foundation
import Testing

/// Every shape a `_bulk` item can take ends as applied, retried or refused with a reason; none is
/// passed over (issue 14).
struct BulkItemOutcomeTests {
    private func outcome(_ json: String, kind: String = "update") throws -> BulkItemOutcome {
        BulkItemOutcome(item: try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]), kind: kind)
    }

    @Test func wellFormedItems() throws {
        #expect(try outcome(#"{"update": {"_id": "1", "status": 200, "result": "updated"}}"#) == .applied)
        #expect(try outcome(#"{"index": {"_id": "1", "status": 201}}"#, kind: "index") == .applied)
        #expect(try outcome(#"{"update": {"status": 429, "error": {"type": "es_rejected_execution_exception"}}}"#) == .retry)
        #expect(try outcome(#"{"update": {"status": 503}}"#) == .retry)
        #expect(try outcome(#"{"update": {"status": 404, "error": {"type": "document_missing_exception", "reason": "[1]: document missing"}}}"#)
            == .refused(status: 404, type: "document_missing_exception", reason: "[1]: document missing"))
        #expect(try outcome(#"{"update": {"status": 409, "error": "conflict"}}"#) == .refused(status: 409, type: "", reason: "\"conflict\""))
    }

    @Test(arguments: [#"{"update": "odd"}"#, #"{"update": {}}"#, #"{"update": {"status": "200"}}"#, #"{"update": {"status": 2000}}"#,
                      #"{"update": {"status": true}}"#, #"{"index": {"status": 200}}"#, #"{"update": {"status": 200}, "index": {"status": 200}}"#,
                      #""text""#, "42", "null", "[]", #"{"update": {"status": 302}}"#])
    func malformedItemsAreRefusedWithTheItemAsReason(json: String) throws {
        guard case .refused(let status, let type, let reason) = try outcome(json) else {
            Issue.record("\(json) was not refused")
            return
        }
        if json.contains("302") {
            #expect(status == 302 && reason.contains("without an error"))
        } else {
            #expect(status == 0 && type == BulkItemOutcome.malformedType && reason.contains("malformed"), "\(reason)")
        }
    }
}
