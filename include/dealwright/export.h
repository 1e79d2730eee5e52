/* dealwright — which symbols the shared library exports.
 *
 * The library is built with -fvisibility=hidden; a function of the public API is declared
 * with DW_EXPORT so that it, and only it, is visible to programs that link libdealwright. */
#ifndef DEALWRIGHT_EXPORT_H
#define DEALWRIGHT_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define DW_EXPORT __attribute__((visibility("default")))
#else
#define DW_EXPORT
#endif

#endif
