import Flow
import Operators

/// A malformed line of a tweet log: the side output of the decoders, written to the reject file.
public struct RejectedLine: SideFileRecord, Equatable {
    /// The log file's position among the files read, and its name.
    public var fileIndex: Int
    public var fileName: String
    /// The line's number in its file, from 1.
    public var line: Int
    /// Why it is malformed, in words.
    public var reason: String
    /// The line, cut at 64 KiB (invalid UTF-8 replaced).
    public var text: String

    /// The longest text a rejected line keeps.
    public static let maxTextBytes = 65_536

    public init(fileIndex: Int, fileName: String, line: Int, reason: String, text: UnsafeBufferPointer<UInt8>) {
        self.fileIndex = fileIndex
        self.fileName = fileName
        self.line = line
        self.reason = reason
        self.text = String(decoding: UnsafeBufferPointer(rebasing: text[..<min(text.count, Self.maxTextBytes)]), as: UTF8.self)
    }

    public var sortKeys: (first: Int64, second: Int64) { (Int64(fileIndex), Int64(line)) }

    public var jsonLine: String {
        "{\"file\":\(JSONText.quoted(fileName)),\"line\":\(line),\"reason\":\(JSONText.quoted(reason)),\"text\":\(JSONText.quoted(text))}\n"
    }
}
