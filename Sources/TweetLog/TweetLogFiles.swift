import Flow
import Foundation

/// The files a tweet-log input names: one file, every file of a folder in name order, or `-`.
public enum TweetLogFiles {
    /// The files of `path`; throws one clear sentence if it is missing or an empty folder.
    public static func list(_ path: String) throws -> [String] {
        if path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FlowError(.missingInput, "tweet log \(path) does not exist; give an existing file or folder as input")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { !$0.hasPrefix(".") }
            .filter { name in
                var isDir: ObjCBool = false
                return FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDir) && !isDir.boolValue
            }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !names.isEmpty else {
            throw FlowError(.missingInput, "folder \(path) holds no tweet log files; put .jsonl, .jsonl.gz or .jsonl.zst files in it")
        }
        return names.map { path + "/" + $0 }
    }
}
