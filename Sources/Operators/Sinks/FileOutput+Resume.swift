import Flow
#if canImport(Glibc)
import Glibc
#endif

extension FileOutput {
    /// Continues the in-progress file of a restored run, after checking that it is the file the
    /// checkpoint owns: at least `mark.length` bytes whose CRC-32 is `mark.checksum`. A missing,
    /// shorter or different file is refused in one sentence and left as it is, never cut or padded.
    /// A run that ended after publishing continues from the published file, checked the same way.
    /// Reading the checked bytes costs one pass over them.
    public convenience init(path: String, resuming mark: Mark, checkpoint: Int64) throws {
        let temporaryPath = Self.inProgressPath(of: path)
        let isPublished = access(temporaryPath, F_OK) != 0 && access(path, F_OK) == 0
        let candidate = isPublished ? path : temporaryPath
        let fd = open(candidate, O_RDWR | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0, let file = fdopen(fd, "r+b") else {
            throw FlowError(.output, "cannot resume output file \(path): its in-progress file \(temporaryPath) is missing (\(String(cString: strerror(errno)))); restore with the output it was written to, or start without --restore")
        }
        do {
            try Self.check(file, named: candidate, output: path, against: mark, checkpoint: checkpoint)
            if isPublished {
                guard rename(path, temporaryPath) == 0 else {
                    throw FlowError(.output, "cannot move \(path) back to \(temporaryPath) to resume it: \(String(cString: strerror(errno)))")
                }
                try DurableFiles.syncFolder(holding: path)
            }
            guard ftruncate(fileno(file), off_t(mark.length)) == 0, fseeko(file, off_t(mark.length), SEEK_SET) == 0 else {
                throw FlowError(.output, "cannot cut \(temporaryPath) back to its checkpointed length: \(String(cString: strerror(errno)))")
            }
        } catch {
            fclose(file)
            throw error
        }
        self.init(path: path, file: file, checksum: mark.checksum, length: mark.length)
    }

    /// The file must be a regular file of at least `mark.length` bytes whose first `mark.length` have the CRC-32 `mark.checksum`.
    private static func check(_ file: UnsafeMutablePointer<FILE>, named name: String, output: String, against mark: Mark, checkpoint: Int64) throws {
        let refusal = "cannot resume the output \(output): \(name)"
        let advice = "move it away and restore again, or start without --restore"
        var status = stat()
        guard fstat(fileno(file), &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw FlowError(.output, "\(refusal) is not a regular file; \(advice)")
        }
        guard Int(status.st_size) >= mark.length else {
            throw FlowError(.output, "\(refusal) has \(status.st_size) bytes, fewer than the \(mark.length) checkpoint \(checkpoint) wrote, so it is not the file that checkpoint owns; \(advice)")
        }
        guard try checksum(of: file, length: mark.length, name: name) == mark.checksum else {
            throw FlowError(.output, "\(refusal) is not the file checkpoint \(checkpoint) wrote (its first \(mark.length) bytes differ); \(advice)")
        }
    }

    /// CRC-32 of the first `length` bytes, read in 1 MiB pieces.
    private static func checksum(of file: UnsafeMutablePointer<FILE>, length: Int, name: String) throws -> UInt32 {
        var crc: UInt32 = 0
        var left = length
        var piece = [UInt8](repeating: 0, count: min(length, 1 << 20))
        while left > 0 {
            let count = piece.withUnsafeMutableBytes { fread($0.baseAddress, 1, min(left, $0.count), file) }
            guard count > 0 else { throw FlowError(.output, "cannot read \(name) to check it: \(String(cString: strerror(errno)))") }
            crc = piece.withUnsafeBytes { CRC32.update(crc, UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            left -= count
        }
        return crc
    }
}
