import Flow
#if canImport(Glibc)
import Glibc
#endif

/// Merges a side file's parts into the file in bounded memory, publishes it and removes the parts.
///
/// A part already in key order (a decoder's rejects, since each decoder sees its chunks in log
/// order) is merged as it is. Another (a window's late records, in arrival order) is first cut
/// into sorted runs of at most `runBytes`, each written to a temporary file beside the output.
/// Then one k-way merge over every run writes the file. Memory: one run while sorting, then a
/// line and a read buffer per run.
struct SideFileMerge {
    let path: String
    var runBytes = 16 << 20

    func publish(parts: [SidePart]) throws {
        var runs: [String] = []
        var temporaryRuns: [String] = []
        defer { for run in temporaryRuns { unlink(run) } }
        for part in parts {
            let partPath = FileOutput.inProgressPath(of: part.path(beside: path))
            if try isSorted(partPath) {
                runs.append(partPath)
            } else {
                let cut = try cutIntoSortedRuns(partPath, firstIndex: temporaryRuns.count)
                temporaryRuns += cut
                runs += cut
            }
        }
        let output = try FileOutput(path: path)
        try merge(runs, into: output)
        try output.publish()
        try removeParts()
    }

    private func isSorted(_ partPath: String) throws -> Bool {
        let reader = try PartLineReader(path: partPath)
        guard var previous = try reader.next() else { return true }
        while let line = try reader.next() {
            if line < previous { return false }
            previous = line
        }
        return true
    }

    /// Writes the part's lines as sorted runs of at most `runBytes` each; returns their paths.
    private func cutIntoSortedRuns(_ partPath: String, firstIndex: Int) throws -> [String] {
        let reader = try PartLineReader(path: partPath)
        var runs: [String] = []
        var lines: [PartLine] = []
        var bytes = 0
        func writeRun() throws {
            let output = try FileOutput(path: "\(path).run-\(firstIndex + runs.count)")
            runs.append(output.temporaryPath)
            lines.sort(by: <)
            for line in lines { try output.write(bytes: line.bytes) }
            output.keepForResume()
            lines.removeAll(keepingCapacity: true)
            bytes = 0
        }
        while let line = try reader.next() {
            bytes += line.json.count + 40
            lines.append(line)
            if bytes >= runBytes { try writeRun() }
        }
        if !lines.isEmpty { try writeRun() }
        return runs
    }

    /// Writes the JSON of every run's lines to `output`, in key order.
    private func merge(_ runs: [String], into output: FileOutput) throws {
        let readers = try runs.map { try PartLineReader(path: $0) }
        var heap = RunHeap()
        for (index, reader) in readers.enumerated() {
            if let line = try reader.next() { heap.push((line, index)) }
        }
        while let (line, index) = heap.pop() {
            try output.write(bytes: line.json)
            if let next = try readers[index].next() { heap.push((next, index)) }
        }
    }

    /// Removes every part of this side file in its folder: the merged ones, and any part or run
    /// a crashed run left that no checkpoint listed. The folder is synced after.
    private func removeParts() throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard let directory = opendir(folder.isEmpty ? "/" : folder) else { return }
        var doomed: [String] = []
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let isPart = entryName.hasPrefix("." + name + ".g") && entryName.hasSuffix(".part.inprogress")
            let isRun = entryName.hasPrefix("." + name + ".run-") && entryName.hasSuffix(".inprogress")
            if isPart || isRun { doomed.append(entryName) }
        }
        closedir(directory)
        for entryName in doomed { unlink((folder.isEmpty ? "" : folder) + "/" + entryName) }
        try DurableFiles.syncFolder(holding: path)
    }
}

/// A binary min-heap of the runs' current lines, for the k-way merge; ties go to the lower run.
private struct RunHeap {
    private var items: [(line: PartLine, run: Int)] = []

    private func precedes(_ a: Int, _ b: Int) -> Bool {
        items[a].line < items[b].line || (!(items[b].line < items[a].line) && items[a].run < items[b].run)
    }

    mutating func push(_ item: (PartLine, Int)) {
        items.append(item)
        var child = items.count - 1
        while child > 0, precedes(child, (child - 1) / 2) {
            items.swapAt(child, (child - 1) / 2)
            child = (child - 1) / 2
        }
    }

    mutating func pop() -> (PartLine, Int)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, precedes(left, smallest) { smallest = left }
            if right < items.count, precedes(right, smallest) { smallest = right }
            guard smallest != parent else { return top }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
