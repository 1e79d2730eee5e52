/* Growable buffers, files and text helpers. Every buffer has a hard limit so a hostile
 * input can never grow memory without bound. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"

#define DW_BUF_DEFAULT_LIMIT ((size_t)64 << 20)

void dw_buf_init(struct dw_buf *b, size_t limit) {
    *b = (struct dw_buf){.limit = limit ? limit : DW_BUF_DEFAULT_LIMIT};
}

static int buf_reserve(struct dw_buf *b, size_t extra) {
    if (!b->limit)
        b->limit = DW_BUF_DEFAULT_LIMIT;
    if (extra > b->limit || b->len > b->limit - extra)
        return -DW_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return -DW_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int dw_buf_append(struct dw_buf *b, const void *p, size_t n) {
    int r = buf_reserve(b, n);
    if (r < 0)
        return r;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int dw_buf_puts(struct dw_buf *b, const char *s) {
    return dw_buf_append(b, s, strlen(s));
}
int dw_buf_putc(struct dw_buf *b, char c) {
    return dw_buf_append(b, &c, 1);
}

int dw_buf_vprintf(struct dw_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return -DW_EINVAL;
    int r = buf_reserve(b, (size_t)n);
    if (r < 0)
        return r;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int dw_buf_printf(struct dw_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = dw_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return r;
}

char *dw_buf_steal(struct dw_buf *b) {
    char *p = b->data ? b->data : strdup("");
    size_t limit = b->limit;
    *b = (struct dw_buf){.limit = limit};
    return p;
}

void dw_buf_release(struct dw_buf *b) {
    free(b->data);
    size_t limit = b->limit;
    *b = (struct dw_buf){.limit = limit};
}

int dw_read_file(const char *path, size_t limit, char **ret_data, size_t *ret_len,
                 struct dw_error *err) {
    bool is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return dw_error_at(err, errno == ENOENT ? -DW_ENOENT : -DW_EIO, path, 0, 0,
                           "cannot open: %s", strerror(errno));
    struct dw_buf b;
    dw_buf_init(&b, limit);
    char chunk[65536];
    int r = 0;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            r = dw_error_at(err, -DW_EIO, path, 0, 0, "read failed: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        r = dw_buf_append(&b, chunk, (size_t)n);
        if (r < 0) {
            r = dw_error_at(err, r, path, 0, 0, "larger than the limit of %zu bytes", limit);
            break;
        }
    }
    if (!is_stdin)
        close(fd);
    if (r < 0) {
        dw_buf_release(&b);
        return r;
    }
    *ret_len = b.len;
    *ret_data = dw_buf_steal(&b);
    return 0;
}

int dw_write_file_atomic(const char *path, const void *data, size_t len, struct dw_error *err) {
    char tmp[4096];
    int r = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (r < 0 || (size_t)r >= sizeof tmp)
        return dw_error_at(err, -DW_EINVAL, path, 0, 0, "path too long");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return dw_error_at(err, -DW_EIO, path, 0, 0, "cannot create: %s", strerror(errno));
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return dw_error_at(err, -DW_EIO, path, 0, 0, "write failed: %s", strerror(e));
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return dw_error_at(err, -DW_EIO, path, 0, 0, "cannot write: %s", strerror(e));
    }
    return 0;
}

bool dw_utf8_valid(const char *s, size_t n, size_t *ret_bad_offset) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* most text is ASCII: eight bytes at a time while none of them has its top bit, then
         * (little-endian, where the lowest bit set is the first byte) on to the first that has */
        while (i + 8 <= n) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            x &= 0x8080808080808080ull;
            if (x) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                i += (size_t)__builtin_ctzll(x) / 8;
#endif
                break;
            }
            i += 8;
        }
        if (i >= n)
            break;
        unsigned c = p[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
            i += 2; /* a two-byte sequence (é, ü, ß): from 0xC2 on none is overlong */
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            goto bad;
        }
        if (i + len > n)
            goto bad;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                goto bad;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            goto bad;
        i += len;
    }
    return true;
bad:
    if (ret_bad_offset)
        *ret_bad_offset = i;
    return false;
}

char *dw_strdup_lower(const char *s) {
    char *d = strdup(s);
    if (d)
        for (char *p = d; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    return d;
}

bool dw_streq_ci(const char *a, const char *b) {
    return strcasecmp(a, b) == 0;
}

char *dw_strtrim(char *s) {
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    char *b = s;
    while (*b && isspace((unsigned char)*b))
        b++;
    if (b != s)
        memmove(s, b, strlen(b) + 1);
    return s;
}
