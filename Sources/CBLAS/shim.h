#include <cblas.h>

// Not in cblas.h: stops OpenBLAS's worker threads (started when the library loads). Flow runs
// BLAS single-threaded on its own workers, so the pool only spins idle.
void blas_thread_shutdown_(void);
