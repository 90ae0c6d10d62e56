// FLOW_TARGET_CLONES compiles a function for AVX-512 (x86-64-v4), for AVX2 (x86-64-v3) and for
// baseline x86-64, the loader choosing through a resolver. ThreadSanitizer instruments that
// resolver, which the loader runs before the sanitizer is set up (the process dies at start):
// under it, baseline code only.
#pragma once
#if defined(__x86_64__) && !(defined(__has_feature) && __has_feature(thread_sanitizer))
#define FLOW_TARGET_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FLOW_TARGET_CLONES
#endif
