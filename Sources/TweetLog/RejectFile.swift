import Flow
import Operators

/// The malformed lines of a tweet log, written as JSON Lines: `{"file":…,"line":…,"reason":…,"text":…}`
/// (lines longer than 64 KiB cut), merged by file and line so the file is the same at every
/// parallelism: the decoders' side output.
public typealias RejectFile = SideFileOutput<RejectedLine>

extension SideFileOutput where Record == RejectedLine {
    /// The reject file at `path` (nil: malformed lines are only counted).
    public convenience init(path: String?) {
        self.init(path: path, what: "reject file", name: "rejected lines")
    }
}
