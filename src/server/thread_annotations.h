// Clang thread-safety analysis annotations (no-ops on other compilers).
// They belong in src/core/ once a second module wants them.
#pragma once

#if defined(__clang__)
#define VIGIL_TSA(x) __attribute__((x))
#else
#define VIGIL_TSA(x)
#endif

#define GUARDED_BY(x) VIGIL_TSA(guarded_by(x))
#define REQUIRES(...) VIGIL_TSA(requires_capability(__VA_ARGS__))
#define EXCLUDES(...) VIGIL_TSA(locks_excluded(__VA_ARGS__))
