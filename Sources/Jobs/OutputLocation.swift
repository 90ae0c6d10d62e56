import Flow
import Foundation

/// Checks, before the first record is read, that a file can be created where the job will write
/// it: the path is not a folder, and its folder exists and is writable. Found only when the run
/// ends, such a mistake would cost the whole run.
public enum OutputLocation {
    /// What is wrong with writing `what` (e.g. "output file") at `path`, as a sentence without
    /// its place; nil when nothing is.
    public static func problem(_ path: String, what: String) -> String? {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return "the \(what) \(path) is a folder; give the path of a file"
        }
        let folder = (path as NSString).deletingLastPathComponent
        let parent = folder.isEmpty ? "." : folder
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isFolder), isFolder.boolValue else {
            return "the folder \(parent) of the \(what) \(path) does not exist; create it or choose another path"
        }
        guard FileManager.default.isWritableFile(atPath: parent) else {
            return "the folder \(parent) of the \(what) \(path) is not writable; choose another path"
        }
        return nil
    }
}

extension BuildContext {
    /// Checks an output file's location, unless the job is only being checked.
    func checkOutput(_ path: String?, what: String, at location: FileLocation) throws {
        guard !checkOnly, let path, !path.isEmpty, path != "-", !path.hasPrefix("http://"), !path.hasPrefix("https://") else { return }
        if let problem = OutputLocation.problem(path, what: what) { throw FlowError(.output, "\(problem)", at: location) }
    }
}
