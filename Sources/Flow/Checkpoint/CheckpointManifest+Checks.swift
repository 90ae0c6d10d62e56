extension CheckpointManifest {
    /// Checks every claim of the manifest before any snapshot is read: ids and sizes within the
    /// limits, file names that are exactly the snapshot names of their operator and subtask (so
    /// none points outside the folder), and every subtask of each operator with the key groups it
    /// owned. Throws the first problem in words.
    public func check() throws(LoadedCheckpoint.Unusable) {
        let name = Self.fileName
        guard format == Self.format else { throw .init(description: "\(name) is not a Flow checkpoint manifest") }
        guard version == Self.formatVersion else {
            throw .init(description: "\(name) has format version \(version), but this Flow reads version \(Self.formatVersion)")
        }
        guard checkpoint >= 1 else { throw .init(description: "\(name) names checkpoint \(checkpoint), but ids start at 1") }
        guard checkpoint <= CheckpointStorage.maximumID else {
            throw .init(description: "\(name) names checkpoint \(checkpoint), beyond the largest id \(CheckpointStorage.maximumID)")
        }
        guard maxParallelism >= 1, maxParallelism <= Self.maximumKeyGroups else {
            throw .init(description: "\(name) claims \(maxParallelism) key groups, not 1 to \(Self.maximumKeyGroups)")
        }
        var names = Set<String>()
        var state = 0
        for file in files {
            try file.check()
            guard names.insert(file.name).inserted else { throw .init(description: "\(name) lists \(file.name) twice") }
            state += file.uncompressedBytes
        }
        guard state <= Self.maximumStateSize else {
            throw .init(description: "\(name) claims \(state) bytes of state, more than the \(Self.maximumStateSize) a checkpoint may hold")
        }
        for (operatorID, parts) in Dictionary(grouping: files, by: \.operatorID).sorted(by: { $0.key < $1.key }) {
            try checkSubtasks(of: operatorID, parts)
        }
        for (operatorID, values) in counters.sorted(by: { $0.key < $1.key }) {
            guard File.isOperatorID(operatorID) else { throw .init(description: "\(name) has counters of an impossible operator \"\(operatorID)\"") }
            for (counter, value) in values where counter.utf8.count > 200 || !(0...StateReader.maximumCounter).contains(value) {
                throw .init(description: "\(name) gives operator \(operatorID) an impossible counter \"\(counter.prefix(40))\" = \(value)")
            }
        }
    }

    /// The key groups subtask `subtask` of an operator with `parallelism` subtasks owned, as the manifest writes them.
    public func keyGroups(subtask: Int, parallelism: Int) -> String {
        let range = KeyGroupRange(subtask: subtask, parallelism: parallelism, maxParallelism: maxParallelism)
        return "\(range.lowerBound)..<\(range.upperBound)"
    }

    private func checkSubtasks(of operatorID: String, _ parts: [File]) throws(LoadedCheckpoint.Unusable) {
        let subtasks = parts.map(\.subtask).sorted()
        guard subtasks == Array(0..<parts.count), parts.count <= maxParallelism else {
            throw .init(description: "\(Self.fileName) lists operator \(operatorID) for subtasks \(subtasks), not for each of 0..<\(parts.count)")
        }
        for file in parts where file.keyGroups != keyGroups(subtask: file.subtask, parallelism: parts.count) {
            throw .init(description: "\(Self.fileName) gives \(file.name) the key groups \(file.keyGroups), not \(keyGroups(subtask: file.subtask, parallelism: parts.count))")
        }
    }
}

extension CheckpointManifest.File {
    /// An operator identity is a job step's name or `id:` (`window`, `tweet-log.decode`): ASCII
    /// letters, digits, `-`, `_` and `.`, starting with a letter or digit, at most 100 characters.
    public static func isOperatorID(_ text: String) -> Bool {
        guard let first = text.utf8.first, first.isASCIILetterOrDigit, text.utf8.count <= 100 else { return false }
        return text.utf8.allSatisfy { $0.isASCIILetterOrDigit || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    func check() throws(LoadedCheckpoint.Unusable) {
        let manifest = CheckpointManifest.fileName
        guard Self.isOperatorID(operatorID) else { throw .init(description: "\(manifest) names an impossible operator \"\(operatorID)\"") }
        let expected = "\(operatorID).\(subtask).snap"
        guard subtask >= 0, name == expected else {
            throw .init(description: "\(manifest) names the file \(name), which is not \(expected), the snapshot of operator \(operatorID) subtask \(subtask)")
        }
        guard bytes >= 18, bytes <= SnapshotFile.maximumFileSize else {
            throw .init(description: "\(manifest) gives \(name) an impossible size of \(bytes) bytes")
        }
        guard uncompressedBytes >= 0, uncompressedBytes <= SnapshotFile.maximumStateSize else {
            throw .init(description: "\(manifest) claims \(uncompressedBytes) bytes of state for \(name), more than the \(SnapshotFile.maximumStateSize) a snapshot may hold")
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetterOrDigit: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
