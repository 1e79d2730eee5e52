/* dealwright-bench's extraction figures (bench.c runs them): the extraction engine
 * measured on its own, with the snapshot's prepared extractor and with the vocabulary
 * prepared on every call, so this file uses the library's internals (tests/lint/
 * check_layers.py names it). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agents/agent.h"
#include "engines/extract.h"
#include "workspace/workspace.h"

int bench_extract(const char *dir, const struct dw_workspace *ws);

/* The labelled tuning messages (tests/data/extraction) are found under the source tree:
 * $DW_SOURCE_ROOT, else the folder the bench was built from. */
#ifndef DW_BENCH_SOURCE_ROOT
#define DW_BENCH_SOURCE_ROOT "."
#endif

/* CPU time of this thread: the machine may be shared, and the goal is per core. */
static int64_t thread_cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Messages of about 600 bytes in the six languages, built from the tuning split of the
 * labelled messages (tests/data/extraction; the held-out split is never read here): for
 * each message in file-name order, the next messages of its language are appended as
 * further paragraphs until it reaches 600 bytes, the last one cut at a line, sentence or
 * word end at or before byte 600. Real inbound mail of that size is a few paragraphs of
 * one buyer's words, often with a greeting, a table or a signature, which is what these
 * are. Returns the count; the texts in out[] (caller frees). */
#define TYPICAL_BYTES 600
static size_t typical_messages(char **out, size_t cap, size_t *ret_bytes) {
    const char *root = getenv("DW_SOURCE_ROOT");
    char dir[1024], path[1536];
    snprintf(dir, sizeof dir, "%s/tests/data/extraction",
             root && *root ? root : DW_BENCH_SOURCE_ROOT);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[512];
    size_t nn = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && nn < DW_ARRAY_SIZE(names)) {
        size_t l = strlen(de->d_name);
        if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
            names[nn++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, by_name);
    json_t *msgs = json_array(); /* [lang, message] in name order */
    for (size_t k = 0; k < nn; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        json_t *o = names[k] ? json_load_file(path, 0, NULL) : NULL;
        const char *lang = dw_json_str(o, "lang"), *m = dw_json_str(o, "message");
        if (lang && m)
            json_array_append_new(msgs, json_pack("[s,s]", lang, m));
        json_decref(o);
        free(names[k]);
    }
    size_t n = 0, bytes = 0, nm = json_array_size(msgs);
    for (size_t k = 0; k < nm && n < cap; k++) {
        const char *lang = json_string_value(json_array_get(json_array_get(msgs, k), 0));
        char *t = malloc(TYPICAL_BYTES + 1);
        if (!t)
            break;
        size_t len = 0;
        for (size_t j = k, seen = 0; len < TYPICAL_BYTES && seen < nm; j = (j + 1) % nm, seen++) {
            json_t *e = json_array_get(msgs, j);
            if (strcmp(json_string_value(json_array_get(e, 0)), lang) != 0)
                continue;
            const char *m = json_string_value(json_array_get(e, 1));
            size_t ml = strlen(m), room = TYPICAL_BYTES - len - (len ? 2 : 0);
            if (len && TYPICAL_BYTES - len <= 2)
                break;
            if (ml > room) { /* cut at a line, a sentence or a word, at a character */
                size_t cut = room;
                while (cut > 0 && m[cut] != '\n' && !(m[cut - 1] == '.' && m[cut] == ' '))
                    cut--;
                if (cut < room / 2)
                    for (cut = room; cut > 0 && m[cut] != ' '; cut--)
                        ;
                while (cut > 0 && ((unsigned char)m[cut] & 0xC0) == 0x80)
                    cut--;
                ml = cut;
            }
            if (len && ml)
                memcpy(t + len, "\n\n", 2), len += 2;
            memcpy(t + len, m, ml);
            len += ml;
            if (ml == 0 || len >= TYPICAL_BYTES - 40)
                break;
        }
        t[len] = '\0';
        out[n++] = t;
        bytes += len;
    }
    json_decref(msgs);
    *ret_bytes = bytes;
    return n;
}

/* Each message of msgs[0..n) extracted again and again for at least `us` microseconds of
 * this thread's CPU time: messages a second. */
static double rate_of(const struct dw_extractor *x, char *const *msgs, size_t n, int64_t us) {
    dw_time_t at = 1795000000;
    struct dw_error err = {0};
    int64_t done = 0, t0 = thread_cpu_us(), t1 = t0;
    while (n && t1 - t0 < us) {
        for (size_t k = 0; k < n; k++) {
            json_t *r = NULL;
            if (dw_extractor_run(x, msgs[k], strlen(msgs[k]), at, &r, &err) == 0)
                json_decref(r);
        }
        done += (int64_t)n;
        t1 = thread_cpu_us();
    }
    return n ? (double)done / ((double)(t1 - t0) / 1e6) : 0;
}

/* DW_BENCH_EXTRACT_ONCE set: each typical message extracted once and its result printed
 * (one line of sorted JSON each), to count the extractor's instructions with callgrind
 * (--toggle-collect=dw_extractor_run) and to compare two builds' results. */
static int extract_once(const struct dw_extractor *x, dw_time_t at) {
    char *typ[512];
    size_t tbytes = 0, nt = typical_messages(typ, DW_ARRAY_SIZE(typ), &tbytes);
    struct dw_error err = {0};
    for (size_t k = 0; k < nt; k++) {
        json_t *r = NULL;
        if (dw_extractor_run(x, typ[k], strlen(typ[k]), at, &r, &err) == 0) {
            char *s = json_dumps(r, JSON_SORT_KEYS | JSON_COMPACT);
            printf("%s\n", s ? s : "null");
            free(s);
            json_decref(r);
        } else
            printf("error\n");
        free(typ[k]);
    }
    printf("%zu messages of %zu bytes on average\n", nt, nt ? tbytes / nt : 0);
    return 0;
}

/* Extraction on one core: the example's sample messages, each extracted again and again for
 * about two seconds of this thread's CPU time with the workspace's prepared extractor, then a
 * while with dw_extract() preparing the vocabulary on every call (as the extractor did before
 * it was kept with the snapshot), for comparison. */
int bench_extract(const char *dir, const struct dw_workspace *ws) {
    char path[512], buf[1024];
    struct dw_error err = {0};
    snprintf(path, sizeof path, "%s/samples/leads.jsonl", dir);
    char *data = NULL;
    size_t len;
    if (dw_read_file(path, 4u << 20, &data, &len, &err) < 0) {
        fprintf(stderr, "extract: %s\n", dw_error_format(&err, buf, sizeof buf));
        return 3;
    }
    json_t *leads = json_array();
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *lead = json_loads(line, 0, NULL);
        if (lead)
            json_array_append_new(leads, lead);
    }
    free(data);
    const char *msgs[256];
    size_t n = 0, bytes = 0, i;
    json_t *l;
    json_array_foreach(leads, i, l) {
        const char *m = dw_json_str(l, "message");
        if (m && n < 256) {
            msgs[n++] = m;
            bytes += strlen(m);
        }
    }
    const struct dw_extractor *x = dw_ws_extractor(ws, &err);
    if (!x || n == 0) {
        json_decref(leads);
        return 3;
    }
    dw_time_t at = 1795000000;
    if (getenv("DW_BENCH_EXTRACT_ONCE")) { /* each typical message once, its result printed */
        json_decref(leads);
        return extract_once(x, at);
    }
    int64_t done = 0, t0 = thread_cpu_us(), t1 = t0;
    while (t1 - t0 < 2000000) {
        for (size_t k = 0; k < n; k++) {
            json_t *r = NULL;
            if (dw_extractor_run(x, msgs[k], strlen(msgs[k]), at, &r, &err) < 0) {
                fprintf(stderr, "extract: %s\n", dw_error_format(&err, buf, sizeof buf));
                json_decref(leads);
                return 3;
            }
            json_decref(r);
        }
        done += (int64_t)n;
        t1 = thread_cpu_us();
    }
    double rate = (double)done / ((double)(t1 - t0) / 1e6);
    printf("extraction: %.0f messages/s on one core (goal >= 5000), %zu sample messages of "
           "%zu bytes on average, prepared vocabulary\n",
           rate, n, bytes / n);

    /* typical e-mails of about 600 bytes: two sample messages as two paragraphs of one */
    char *pairs[256];
    size_t np = 0, pbytes = 0;
    for (size_t k = 0; k < n && np < 256; k++) {
        const char *b2 = msgs[(k + 1) % n];
        size_t la = strlen(msgs[k]), lb = strlen(b2);
        pairs[np] = malloc(la + lb + 3);
        if (!pairs[np])
            break;
        memcpy(pairs[np], msgs[k], la);
        memcpy(pairs[np] + la, "\n\n", 2);
        memcpy(pairs[np] + la + 2, b2, lb + 1);
        pbytes += la + lb + 2;
        np++;
    }
    if (np)
        printf("extraction: %.0f messages/s on one core (goal >= 10000), %zu messages of %zu "
               "bytes on average (two samples each), prepared vocabulary\n",
               rate_of(x, pairs, np, 2000000), np, pbytes / np);
    for (size_t k = 0; k < np; k++)
        free(pairs[k]);

    /* typical e-mails of about 600 bytes in the six languages (typical_messages()) */
    char *typ[512];
    size_t tbytes = 0, nt = typical_messages(typ, DW_ARRAY_SIZE(typ), &tbytes);
    if (nt)
        printf("extraction: %.0f messages/s on one core (goal >= 10000), %zu messages of %zu "
               "bytes on average in six languages (tuning messages joined and cut to %d "
               "bytes), prepared vocabulary\n",
               rate_of(x, typ, nt, 2000000), nt, tbytes / nt, TYPICAL_BYTES);
    else
        printf("extraction: no tuning messages under %s (set DW_SOURCE_ROOT)\n",
               DW_BENCH_SOURCE_ROOT);
    for (size_t k = 0; k < nt; k++)
        free(typ[k]);

    /* the vocabulary prepared on every call */
    struct dw_vocab_term *terms =
        calloc(ws->n_capabilities + ws->n_standards + ws->n_units + 1, sizeof *terms);
    if (!terms) {
        json_decref(leads);
        return 3;
    }
    size_t k = 0;
    const struct dw_term *lists[] = {ws->capabilities, ws->standards, ws->units};
    size_t counts[] = {ws->n_capabilities, ws->n_standards, ws->n_units};
    for (size_t li = 0; li < 3; li++)
        for (size_t t = 0; t < counts[li]; t++)
            terms[k++] =
                (struct dw_vocab_term){.name = lists[li][t].name,
                                       .synonyms = (const char *const *)lists[li][t].synonyms,
                                       .n_synonyms = lists[li][t].n_synonyms};
    struct dw_extract_vocab vocab = {.capabilities = terms,
                                     .n_capabilities = ws->n_capabilities,
                                     .standards = terms + ws->n_capabilities,
                                     .n_standards = ws->n_standards,
                                     .units = terms + ws->n_capabilities + ws->n_standards,
                                     .n_units = ws->n_units,
                                     .default_currency = ws->home_currency};
    done = 0;
    t0 = t1 = thread_cpu_us();
    while (t1 - t0 < 1000000) {
        for (size_t m = 0; m < n; m++) {
            json_t *r = NULL;
            if (dw_extract(msgs[m], strlen(msgs[m]), at, &vocab, &r, &err) == 0)
                json_decref(r);
        }
        done += (int64_t)n;
        t1 = thread_cpu_us();
    }
    printf("extraction: %.0f messages/s with the vocabulary prepared on every call\n",
           (double)done / ((double)(t1 - t0) / 1e6));
    free(terms);
    json_decref(leads);
    return 0;
}
