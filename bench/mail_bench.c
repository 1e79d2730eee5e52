/* dealwright-bench-mail [SECONDS] — mails parsed per second (docs/internals/mail.md).
 *
 * The sample mails of tests/data/mail that read (multipart/alternative with
 * quoted-printable, HTML-only in ISO-8859-1, base64 with a PDF listed, a format=flowed reply,
 * a bounce, automatic replies), parsed with dw_mail_parse again and again on one core for
 * SECONDS (2) — MIME, transfer encodings, charsets, HTML as text, the machine checks and the
 * lead — then one mail with a 5 MiB attachment, whose bytes are counted and never kept. The
 * public API alone; run from the source root or with DW_SOURCE_ROOT set. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dealwright/dealwright.h>

#define MAX_MAILS 64

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Parse mails[0..n) round after round for `seconds`; mails per second of wall and CPU time. */
static void run(const char *what, char **mails, size_t *lens, size_t n, double seconds) {
    size_t done = 0, bytes = 0;
    double t0 = now_s(), c0 = cpu_s(), t;
    do {
        for (size_t i = 0; i < n; i++) {
            json_t *out = NULL;
            struct dw_error err = {0};
            if (dw_mail_parse(mails[i], lens[i], "bench", &out, &err) < 0) {
                fprintf(stderr, "dealwright-bench-mail: %s\n", err.msg);
                exit(1);
            }
            json_decref(out);
            bytes += lens[i];
        }
        done += n;
        t = now_s() - t0;
    } while (t < seconds);
    double cpu = cpu_s() - c0;
    printf("%-34s %8.0f mails/s  %7.1f MB/s  (%zu mails, %.0f bytes each, %.2f s, %.0f mails per "
           "CPU second)\n",
           what, done / t, bytes / t / 1e6, done, (double)bytes / done, t, done / cpu);
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    const char *root = getenv("DW_SOURCE_ROOT");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/data/mail", root ? root : ".");
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "dealwright-bench-mail: %s: cannot open (run from the source root)\n", dir);
        return 1;
    }
    char *mails[MAX_MAILS];
    size_t lens[MAX_MAILS], n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < MAX_MAILS) {
        char path[2048];
        size_t l = strlen(de->d_name);
        if (l < 4 || strcmp(de->d_name + l - 4, ".eml") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *data;
        size_t len;
        json_t *probe = NULL;
        struct dw_error err = {0};
        if (dw_read_file(path, DW_MAIL_MAX_BYTES, &data, &len, &err) < 0)
            continue;
        if (dw_mail_parse(data, len, path, &probe, &err) < 0) { /* the malformed samples */
            free(data);
            continue;
        }
        json_decref(probe);
        mails[n] = data;
        lens[n++] = len;
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "dealwright-bench-mail: no sample mail in %s\n", dir);
        return 1;
    }
    run("sample mails (tests/data/mail)", mails, lens, n, seconds);

    /* one proposal-sized mail: text, HTML and a 5 MiB attachment in base64 */
    size_t att = 5u << 20, cap = att * 2 + 4096, k = 0;
    char *big = malloc(cap);
    k += (size_t)snprintf(big + k, cap - k,
                          "From: Olivia Grant <olivia.grant@harbourview-hotels.example>\r\n"
                          "Subject: Floor plans for the 6 hotels\r\nMessage-ID: <big.1@example>\r\n"
                          "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
                          "Content-Type: text/plain; charset=utf-8\r\n\r\nPlans attached: 20 "
                          "access points per hotel.\r\n--XX\r\nContent-Type: application/pdf\r\n"
                          "Content-Disposition: attachment; filename=plans.pdf\r\n"
                          "Content-Transfer-Encoding: base64\r\n\r\n");
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < att / 3 * 4; i++) {
        big[k++] = b64[(i * 7) % 64];
        if (i % 76 == 75) {
            big[k++] = '\r';
            big[k++] = '\n';
        }
    }
    k += (size_t)snprintf(big + k, cap - k, "\r\n--XX--\r\n");
    size_t bl = k;
    run("one mail with a 5 MiB attachment", &big, &bl, 1, seconds);
    free(big);
    for (size_t i = 0; i < n; i++)
        free(mails[i]);
    return 0;
}
