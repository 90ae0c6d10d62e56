import Flow
import Foundation

/// When a rolling file sink finishes a part: whichever comes first.
public struct RollingPolicy: Sendable, Equatable {
    /// Wall-clock time since the part was started.
    public var age: Duration?
    /// Bytes in the part.
    public var bytes: Int?

    public init(age: Duration? = nil, bytes: Int? = nil) {
        self.age = age
        self.bytes = bytes
    }
}

/// Writes records as part files in a folder, for an input that never ends: `part-00000.csv`,
/// `part-00001.csv`, … The part being written is `.part-NNNNN.csv.inprogress`. At a checkpoint,
/// a part older than the policy's age or larger than its size is finished (synced and closed),
/// and published under its name once that checkpoint is complete; the last part is published at
/// the end of the input. The first part starts with the header, so the parts concatenated in
/// order are the file a bounded run writes. Without checkpoints a part rolls and is published
/// as soon as it is old or large enough.
///
/// Exactly once (a two-phase commit): the checkpoint keeps the number and mark of the part being
/// written and the parts it finished. A restore publishes those finished parts (their checkpoint
/// is complete), removes the parts after the one being written (they are written again), and
/// resumes that one cut back to its mark.
public final class RollingFileSink<Record: Sendable>: Sink {
    private let folder: String
    private let fileExtension: String
    private let header: String?
    private let policy: RollingPolicy
    private let line: (Record) -> String
    private let lines: Counter
    private let isCheckpointed: Bool
    private let clock: any WallClock
    /// The part being written (nil until its first line), and its number and start.
    private var part: FileOutput?
    private var partNumber = 0
    private var partStarted = 0.0
    /// The parts each checkpoint finished, published when it completes (on the checkpoint writer's thread).
    private let finishedParts = Locked<[Int64: [Int]]>([:])
    private var resumption: (part: Int, mark: FileOutput.Mark?, finished: [Int], checkpoint: Int64)?

    public init(folder: String, fileExtension: String, header: String?, policy: RollingPolicy, context: SubtaskContext,
                clock: any WallClock = SystemClock(), line: @escaping (Record) -> String) {
        self.folder = folder
        self.fileExtension = fileExtension
        self.header = header
        self.policy = policy
        self.line = line
        self.clock = clock
        lines = context.metrics.counter("output lines")
        isCheckpointed = context.isCheckpointed
        context.onCheckpointComplete { [finishedParts, folder, fileExtension] checkpoint in
            let due = finishedParts.withLock { parts in
                let due = parts.filter { $0.key <= checkpoint }
                for id in due.keys { parts.removeValue(forKey: id) }
                return due.values.flatMap { $0 }
            }
            // A part not published now is published by the next restore or the end of the input.
            for number in due.sorted() { try? FileOutput.publishFinished(path: Self.partPath(folder, number, fileExtension)) }
        }
    }

    /// `folder/part-00042.csv`.
    static func partPath(_ folder: String, _ number: Int, _ fileExtension: String) -> String {
        let digits = String(number)
        return folder + "/part-" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "." + fileExtension
    }

    public var declaredState: [StateDeclaration] { [.splitList("parts")] }

    public func restoreState(from state: RestoredState) throws {
        guard var reader = state.list("parts").first else { return }
        let number = try reader.readInt(), length = try reader.readInt(), checksum = try reader.readInt64()
        let finished = try reader.readArray(of: Int.self)
        guard number >= 0, number < 100_000_000, length >= -1, let checksum = UInt32(exactly: checksum),
              finished.allSatisfy({ $0 >= 0 && $0 < number }) else {
            throw StateReader.Damaged(description: "an impossible part \(number) of \(length) bytes, or finished parts \(finished.prefix(5))")
        }
        resumption = (number, length < 0 ? nil : .init(length: length, checksum: checksum), finished, state.checkpointID)
    }

    public func open() throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw FlowError(.output, "cannot create the output folder \(folder) (\(error.localizedDescription)); check that its parent exists and is writable")
        }
        guard let resumption else {
            removeParts(from: 0)
            return
        }
        for number in resumption.finished { try FileOutput.publishFinished(path: partPath(number)) }
        partNumber = resumption.part
        removeParts(from: resumption.part + (resumption.mark == nil ? 0 : 1))
        if let mark = resumption.mark {
            part = try FileOutput(path: partPath(partNumber), resuming: mark, checkpoint: resumption.checkpoint)
            partStarted = clock.now()
        }
    }

    public func process(_ batch: [Record], into output: Collector<Never>) throws {
        let file = try currentPart()
        for record in batch { try file.write(line(record)) }
        lines.add(batch.count)
        if !isCheckpointed && isDue() {
            try file.publish()
            finishPart()
        }
    }

    public func snapshotState(into snapshot: inout StateSnapshot) throws {
        var finished: [Int] = []
        if let part, isDue() {
            _ = try part.mark()
            part.keepForResume()
            finished.append(partNumber)
            finishPart()
        }
        let mark = try part?.mark()
        if !finished.isEmpty { finishedParts.withLock { $0[snapshot.checkpointID] = finished } }
        var state = StateWriter()
        state.write(partNumber)
        state.write(mark?.length ?? -1)
        state.write(Int64(mark?.checksum ?? 0))
        state.write(finished)
        snapshot.add("parts", state)
        if snapshot.isSavepoint { part?.keepForResume() }
    }

    public func onEndOfInput(into output: Collector<Never>) throws {
        let finished = finishedParts.withLock { parts in
            defer { parts = [:] }
            return parts.values.flatMap { $0 }
        }
        for number in finished.sorted() { try FileOutput.publishFinished(path: partPath(number)) }
        // The header alone, for an input without records: the bounded run's file would hold it.
        if partNumber == 0 && part == nil { _ = try currentPart() }
        try part?.publish()
        part = nil
    }

    deinit {
        // A job with checkpoints that stops early keeps its part for the restore.
        if isCheckpointed { part?.keepForResume() }
    }

    private func currentPart() throws -> FileOutput {
        if let part { return part }
        let file = try FileOutput(path: partPath(partNumber))
        if partNumber == 0, let header { try file.write(header) }
        part = file
        partStarted = clock.now()
        return file
    }

    private func isDue() -> Bool {
        guard let part else { return false }
        if let bytes = policy.bytes, part.length >= bytes { return true }
        if let age = policy.age, clock.now() - partStarted >= age.seconds { return true }
        return false
    }

    private func finishPart() {
        part = nil
        partNumber += 1
    }

    private func partPath(_ number: Int) -> String { Self.partPath(folder, number, fileExtension) }

    /// Removes part `first` and every later one: written after the checkpoint a restore resumes.
    private func removeParts(from first: Int) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let prefix = "part-", suffix = "." + fileExtension
        for name in names {
            let bare = name.hasPrefix(".") && name.hasSuffix(".inprogress") ? String(name.dropFirst().dropLast(".inprogress".count)) : name
            guard bare.hasPrefix(prefix), bare.hasSuffix(suffix),
                  let number = Int(bare.dropFirst(prefix.count).dropLast(suffix.count)), number >= first else { continue }
            FileOutput.remove(path: partPath(number))
        }
    }
}
