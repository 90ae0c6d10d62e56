import CBLAS

/// OpenBLAS's own threads. Flow runs every BLAS call single-threaded on its own workers (one
/// encoder per worker), so the pool OpenBLAS starts when it loads would only spin idle, taking
/// CPU from jobs that never touch BLAS.
public enum BlasThreads {
    /// Makes OpenBLAS single-threaded and stops its worker threads.
    public static func stopPool() {
        openblas_set_num_threads(1)
        blas_thread_shutdown_()
    }
}
