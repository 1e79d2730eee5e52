/* What the fuzz targets share: where the example workspace is. */
#ifndef DW_FUZZ_UTIL_H
#define DW_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>

#ifndef DW_EXAMPLE_DIR
#define DW_EXAMPLE_DIR "example"
#endif

/* The example workspace: DW_SOURCE_ROOT/example when the variable is set (meson test sets
 * it), else the folder compiled in. */
static inline void fuzz_example_root(char *out, size_t n) {
    const char *src = getenv("DW_SOURCE_ROOT");
    if (src && src[0])
        snprintf(out, n, "%s/example", src);
    else
        snprintf(out, n, "%s", DW_EXAMPLE_DIR);
}

#endif
