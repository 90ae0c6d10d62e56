import FuzzTargets
#if canImport(Glibc)
import Glibc
#endif

/// The target `FLOW_FUZZ_TARGET` names (see ``FuzzTarget``), read once.
nonisolated(unsafe) let target: FuzzTarget = {
    let name = getenv("FLOW_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set FLOW_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    if let problem = target.run(UnsafeRawBufferPointer(start: start, count: count)) { fatalError(problem) }
    return 0
}

typealias TestOneInput = @convention(c) (UnsafeRawPointer, Int) -> CInt
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<CInt>,
               _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
               _ callback: TestOneInput) -> CInt

/// SwiftPM links an executable target's entry point as `<target>_main`; libFuzzer's driver takes over.
@_cdecl("FlowFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc, values = argv
    return runDriver(&count, &values, fuzzOne)
}
