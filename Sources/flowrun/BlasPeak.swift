import ArgumentParser
import Bert
import Foundation

/// `flowrun blas-peak`: the single-threaded sgemm rate of this machine's BLAS, the yardstick for
/// the encoder's GFLOP/s.
struct BlasPeak: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "blas-peak", abstract: "Measure single-threaded sgemm GFLOP/s (n×n matrices).")

    @Option(help: "Matrix size.")
    var size: Int = 1024

    func run() {
        print(String(format: "sgemm %d×%d×%d, 1 thread: %.1f GFLOP/s", size, size, size, BlasBenchmark.sgemmGFLOPS(size: size)))
    }
}
