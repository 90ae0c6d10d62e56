import Flow
import Foundation
import Operators
import Synchronization

/// The malformed lines of a tweet log, written as JSON Lines: `{"file":…,"line":…,"reason":…,"text":…}`.
/// Lines longer than 64 KiB are cut.
///
/// Each decoder subtask appends its entries to its own part on disk as it makes them (a
/// ``SideFile``); a checkpoint keeps only where the parts stand. At the end of input the parts
/// are merged by file and line into the file, so it is the same at every parallelism.
public final class RejectFile: Sendable {
    let side: SideFile

    /// Where the file goes; nil keeps only the count.
    public var path: String? { side.path }

    public init(path: String?) { side = SideFile(path: path, what: "reject file") }

    /// The file's line for a malformed line.
    static func json(fileName: String, line: Int, reason: String, text: UnsafeBufferPointer<UInt8>) -> String {
        let cut = UnsafeBufferPointer(rebasing: text[..<min(text.count, 65_536)])
        return "{\"file\":\(JSONText.quoted(fileName)),\"line\":\(line),\"reason\":\(JSONText.quoted(reason)),\"text\":\(JSONText.quoted(String(decoding: cut, as: UTF8.self)))}\n"
    }

    /// Merges the decoders' parts into the file and publishes it (only if a path was given).
    public func write() throws { try side.publish() }
}
