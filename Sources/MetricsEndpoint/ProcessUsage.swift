#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The process's CPU time and resident memory, for `process_cpu_seconds_total` and
/// `process_resident_memory_bytes`.
struct ProcessUsage {
    var cpuSeconds: Double
    var residentBytes: Int

    static func now() -> ProcessUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        return ProcessUsage(cpuSeconds: cpu, residentBytes: residentBytes() ?? usage.ru_maxrss * 1024)
    }

    /// The resident set now, from `/proc/self/statm` (its second field, in pages).
    private static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages.multipliedReportingOverflow(by: Int(sysconf(Int32(_SC_PAGESIZE)))).partialValue
    }
}
