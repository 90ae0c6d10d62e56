import CBLAS
import Foundation

/// The single-threaded sgemm rate of the BLAS Flow links, for judging the encoder's GFLOP/s.
public enum BlasBenchmark {
    /// The best of five runs of an n×n×n sgemm, in GFLOP/s.
    public static func sgemmGFLOPS(size: Int) -> Double {
        openblas_set_num_threads(1)
        let a = (0..<(size * size)).map { Float($0 % 17) / 17 }, b = a
        var c = [Float](repeating: 0, count: size * size)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = Date()
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(size), Int32(size), Int32(size), 1, a, Int32(size), b, Int32(size), 0, &c, Int32(size))
            best = min(best, Date().timeIntervalSince(start))
        }
        return 2 * pow(Double(size), 3) / best / 1e9
    }
}
