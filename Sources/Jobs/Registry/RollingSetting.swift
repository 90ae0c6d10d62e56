import Flow
import Foundation
import Operators

/// The `rolling` setting of a file sink: a part's age (`1m`, `30s`) or size (`64MB`, `512KB`,
/// `1GB`, `4096B`) at which it is finished.
enum RollingSetting {
    static let expectation = "write an age such as 1m or 30s, or a size such as 64MB, 512KB or 1GB"

    /// The policy `text` writes, or nil when it is neither an age nor a size.
    static func parse(_ text: String) -> RollingPolicy? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let units: [(suffix: String, bytes: Int)] = [("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)]
        for (suffix, bytes) in units where trimmed.uppercased().hasSuffix(suffix) {
            guard let count = Int(trimmed.dropLast(suffix.count)), count > 0 else { return nil }
            let (size, overflow) = count.multipliedReportingOverflow(by: bytes)
            return overflow ? nil : .init(bytes: size)
        }
        guard let age = DurationText.parse(trimmed), age > .zero else { return nil }
        return .init(age: age)
    }
}
