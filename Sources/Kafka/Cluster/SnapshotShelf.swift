#if canImport(Glibc)
import Glibc
#endif
import Flow
import Foundation

/// Snapshots of one partition's state (a key group, or the merge) in the folder all workers
/// share, named by the offset they resume at: `<folder>/<offset, 20 digits>.state`.
///
/// A state is a function of its partition's records up to its offset, so two workers that write
/// a snapshot at the same offset write the same bytes, and a worker that lost its partition but
/// has not noticed yet cannot write a wrong one. The newest `retain` are kept.
struct SnapshotShelf {
    let folder: String
    var retain = 3

    init(folder: String) { self.folder = folder }

    /// The newest snapshot's bytes and offset, or nil when there is none.
    func newest() throws -> (offset: Int64, bytes: [UInt8])? {
        guard let offset = offsets().last else { return nil }
        let path = self.path(offset)
        do {
            return (offset, try BoundedFileRead.read(path, maximum: 1 << 30))
        } catch {
            throw FlowError(.missingInput, "cannot read the snapshot \(path) (\(error)); check the shared checkpoint folder")
        }
    }

    /// Writes `bytes` as the snapshot at `offset`, synced with its folder (the caller commits the
    /// offset next, so the file must outlive a crash of the machine), and drops the oldest beyond
    /// `retain`.
    func write(_ bytes: [UInt8], offset: Int64) throws {
        if access(folder, F_OK) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw FlowError(.output, "cannot create the checkpoint folder \(folder) (\(error.localizedDescription)); check that the shared checkpoint folder is writable")
            }
        }
        try DurableFiles.write(bytes, to: path(offset))
        try DurableFiles.syncFolder(folder)
        for old in offsets().dropLast(retain) { unlink(path(old)) }
    }

    func path(_ offset: Int64) -> String {
        let digits = String(offset)
        return "\(folder)/\(String(repeating: "0", count: max(0, 20 - digits.count)))\(digits).state"
    }

    /// The offsets of the snapshots in the folder, oldest first.
    func offsets() -> [Int64] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var found: [Int64] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            guard name.hasSuffix(".state"), !name.hasPrefix("."), let offset = Int64(name.dropLast(6)), offset >= 0 else { continue }
            found.append(offset)
        }
        return found.sorted()
    }
}

