/* dealwright — the value formats of the API: timestamps, money, public ids, and getters
 * for the JSON the calls return.
 *
 * Timestamps are seconds since the Unix epoch (UTC), written as RFC 3339. Money is int64
 * minor units (cents) and a decimal string in JSON, never a binary float. Public ids are a
 * letter and six or more digits: D-000001 (deal), A- (approval), O- (order), L- (lead),
 * Q- (quote). */
#ifndef DEALWRIGHT_UTIL_H
#define DEALWRIGHT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>

typedef int64_t dw_time_t;
/* "2026-11-20T09:14:00Z" (offsets allowed, a fraction ignored). 0 or -DW_EPARSE. */
DW_EXPORT int dw_time_parse(const char *s, dw_time_t *ret);
/* "2026-11-20T09:14:00Z" into buf (at least 21 bytes). Returns buf. */
DW_EXPORT const char *dw_time_format(dw_time_t t, char *buf, size_t size);
/* "2026-11-20" (at least 11 bytes). */
DW_EXPORT const char *dw_date_format(dw_time_t t, char *buf, size_t size);
/* Monotonic microseconds, for measuring. */
DW_EXPORT int64_t dw_monotonic_us(void);

/* "1234.5" with digits=2 -> 123450; more fraction digits than `digits` is an error; an
 * optional leading '-'; range-checked. */
DW_EXPORT int dw_money_parse(const char *s, int digits, int64_t *ret);
/* 123450, 2 -> "1234.50". buf at least 32 bytes. */
DW_EXPORT const char *dw_money_format(int64_t minor, int digits, char *buf, size_t size);

/* "D-000042" into buf. Returns buf. */
DW_EXPORT const char *dw_id_format(char prefix, int64_t n, char *buf, size_t size);
/* Accepts "D-000001", "d-1" or "1" (when prefix matches or is absent). */
DW_EXPORT int dw_id_parse(char prefix, const char *s, int64_t *ret);

/* True if s[0..n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). On false,
 * *ret_bad_offset (if given) is the byte offset of the first bad byte. */
DW_EXPORT bool dw_utf8_valid(const char *s, size_t n, size_t *ret_bad_offset);

/* Read a whole file (limit bytes at most, else -DW_ETOOBIG; errors name the path). "-"
 * reads stdin. The data is NUL-terminated; the caller frees it. */
DW_EXPORT int dw_read_file(const char *path, size_t limit, char **ret_data, size_t *ret_len,
                           struct dw_error *err);
/* Write atomically (temp file + fsync + rename). */
DW_EXPORT int dw_write_file_atomic(const char *path, const void *data, size_t len,
                                   struct dw_error *err);

/* Getters that tolerate absence: NULL / def when missing or of the wrong type. */
DW_EXPORT const char *dw_json_str(const json_t *obj, const char *key);
DW_EXPORT int64_t dw_json_int(const json_t *obj, const char *key, int64_t def);
DW_EXPORT bool dw_json_bool(const json_t *obj, const char *key, bool def);

#endif
