/* dealwright-soak — `make soak`: mixed load on `dealwright serve` for a long time, the
 * server's resident memory sampled, and a verdict on whether it stays flat.
 *
 * Uses the load generator of dealwright-bench-serve (serve_load.c: the scratch workspace,
 * the server on a free loopback port, keep-alive connections) and runs at once:
 *   - lead posts, paced so the store holds DEALS deals when the time is up: the example's
 *     sample leads 1, 7 and 8 as new companies' (one in ten asks for a 15 % discount, one
 *     in twenty-five for 25 %: approvals for people);
 *   - deal reads (GET /v1/deals/{id}) of random deals, two connections, each up to 100 a
 *     second;
 *   - list pages (GET /v1/deals?stage=awaiting_approval&limit=50, GET /v1/approvals);
 *   - approvals decided as the deal desk (POST /v1/approvals/{id}/decision);
 *   - four event-stream clients (GET /v1/events), each reconnecting every minute;
 *   - the funnel report (GET /v1/reports/funnel) once a minute.
 * Every SAMPLE seconds the server's VmRSS goes to a CSV (t_s, rss_kb, anon_kb, file_kb,
 * shmem_kb: its parts, wal_kb: the store's write-ahead log, then leads, reads, lists,
 * decisions, sse_events, reports, errors).
 *
 * Verdict (docs/internals/server.md "Soak"): warm-up is the first max(60 s, 25 % of the
 * run). The reference R0 is the median RSS of the samples in the first tenth of the time
 * after warm-up (at least three samples, k in all). The run passes when the median of
 * every k consecutive samples after warm-up lies within [0.90 R0, 1.10 R0] (a creep moves
 * them; a report's transient peak of a few samples does not), no request failed (an I/O
 * error or a status other than the expected; a decision refused with 409 because the
 * quote moved on counts as expected), the server stops on SIGTERM with exit 0 and every
 * lead answered 202 is in the store.
 *
 * usage: dealwright-soak [DEALWRIGHT] [--seconds S] [--deals N] [--sample S] [--csv FILE]
 */
int serve_load_main(int argc, char **argv);
#define main serve_load_main
#include "serve_load.c"
#undef main

#include <jansson.h>
#include <sys/stat.h>
#include <sys/time.h>

static atomic_long n_leads, n_reads, n_lists, n_decisions, n_sse, n_reports, n_errors;
static atomic_bool stop;
static char desk_token[128];
static long target_deals = 100000;
static double run_seconds = 1800;
static int64_t t_start;

/* One request with a token of choice; a body of any size (kept up to size - 1 bytes). */
static int http(int fd, const char *method, const char *path, const char *tok, const char *json,
                char *body, size_t size) {
    char req[8192];
    size_t blen = json ? strlen(json) : 0;
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     method, path, tok, blen, json ? json : "");
    if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n)
        return -1;
    char head[8192];
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        if (len >= sizeof head - 1)
            return -1;
        ssize_t r = read(fd, head + len, sizeof head - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    int status = atoi(head + 9);
    const char *cl = strcasestr(head, "Content-Length:");
    size_t want = cl && cl < end ? (size_t)strtoull(cl + 15, NULL, 10) : 0;
    size_t have = len - (size_t)(end + 4 - head), kept = have < size - 1 ? have : size - 1;
    memcpy(body, end + 4, kept);
    char sink[65536];
    while (have < want) {
        size_t room = size - 1 - kept;
        char *to = room ? body + kept : sink;
        size_t cap = room ? room : sizeof sink;
        if (cap > want - have)
            cap = want - have;
        ssize_t r = read(fd, to, cap);
        if (r <= 0)
            return -1;
        have += (size_t)r;
        if (room)
            kept += (size_t)r;
    }
    body[kept] = '\0';
    return status;
}

/* A request on a thread's connection, reconnecting after an I/O error; counts failures. */
static int call(int *fd, const char *method, const char *path, const char *tok, const char *json,
                char *body, size_t size, int want) {
    int st = http(*fd, method, path, tok, json, body, size);
    if (st < 0) { /* the server may have closed an idle keep-alive connection: once more */
        close(*fd);
        *fd = connect_server();
        st = http(*fd, method, path, tok, json, body, size);
    }
    if (st < 0) {
        close(*fd);
        *fd = connect_server();
    }
    if (st != want && !(want == 200 && st == 409)) {
        long e = atomic_fetch_add(&n_errors, 1);
        if (e < 10)
            fprintf(stderr, "soak: %s %s: %d %.200s\n", method, path, st, st < 0 ? "" : body);
    }
    return st;
}

static double elapsed(void) {
    return (double)(now_us() - t_start) / 1e6;
}

/* Lead templates: the example's sample leads 1 (within a rep's authority), 7 (a 15 %
 * discount: the manager's band) and 8 (25 %: the deal desk's), each posted as a new
 * company's. */
static json_t *templates[3];

static void load_templates(void) {
    char path[300];
    snprintf(path, sizeof path, "%s/samples/leads.jsonl", ws);
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    static char line[65536];
    for (int n = 1, k = 0; k < 3 && fgets(line, sizeof line, f); n++)
        if (n == 1 || n == 7 || n == 8)
            if (!(templates[k++] = json_loads(line, 0, NULL)))
                die("a sample lead");
    fclose(f);
    if (!templates[2])
        die("the sample leads 1, 7 and 8");
}

static void *poster(void *arg) {
    int fd = connect_server();
    char body[4096], s1[64], s2[96], s3[64];
    while (!atomic_load(&stop)) {
        /* Paced: the count posted follows the line from 0 to target_deals. */
        double due = (double)target_deals * elapsed() / run_seconds;
        long i = atomic_load(&lead_seq);
        if (i >= target_deals || (double)i >= due) {
            usleep(20000);
            continue;
        }
        i = atomic_fetch_add(&lead_seq, 1);
        json_t *lead = json_deep_copy(templates[i % 25 == 0 ? 2 : i % 10 == 0 ? 1 : 0]);
        json_t *contact = json_object_get(lead, "contact");
        snprintf(s1, sizeof s1, "soak-%ld", i);
        snprintf(s2, sizeof s2, "buyer%ld@soak%ld.example", i, i);
        snprintf(s3, sizeof s3, "Soak %ld GmbH", i);
        json_object_set_new(lead, "source", json_string("web_form"));
        json_object_set_new(lead, "external_id", json_string(s1));
        json_object_set_new(contact, "email", json_string(s2));
        json_object_set_new(contact, "company", json_string(s3));
        char *text = json_dumps(lead, JSON_COMPACT);
        json_decref(lead);
        if (!text)
            die("memory");
        if (call(&fd, "POST", "/v1/leads", token, text, body, sizeof body, 202) == 202)
            atomic_fetch_add(&n_leads, 1);
        free(text);
    }
    close(fd);
    return NULL;
}

static void *reader(void *arg) {
    int fd = connect_server();
    char path[64];
    static _Thread_local char body[65536];
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!atomic_load(&stop)) {
        long n = atomic_load(&n_leads);
        if (n < 1) {
            usleep(50000);
            continue;
        }
        snprintf(path, sizeof path, "/v1/deals/%ld", 1 + (long)(rand_r(&seed) % (unsigned)n));
        if (call(&fd, "GET", path, desk_token, NULL, body, sizeof body, 200) == 200)
            atomic_fetch_add(&n_reads, 1);
        usleep(10000);
    }
    close(fd);
    return NULL;
}

static void *lister(void *arg) {
    int fd = connect_server();
    static char body[65536];
    for (long k = 0; !atomic_load(&stop); k++) {
        const char *path = k % 2 ? "/v1/approvals" : "/v1/deals?stage=awaiting_approval&limit=50";
        if (call(&fd, "GET", path, desk_token, NULL, body, sizeof body, 200) == 200)
            atomic_fetch_add(&n_lists, 1);
        usleep(200000);
    }
    close(fd);
    return NULL;
}

/* The deal desk decides what it may: the oldest pending approval it can decide. */
static void *approver(void *arg) {
    int fd = connect_server();
    static char body[1 << 22];
    char path[96], note[160];
    while (!atomic_load(&stop)) {
        if (call(&fd, "GET", "/v1/approvals", desk_token, NULL, body, sizeof body, 200) != 200) {
            usleep(200000);
            continue;
        }
        json_t *list = json_loads(body, 0, NULL);
        size_t i;
        json_t *a;
        const char *id = NULL;
        json_array_foreach(list, i, a) {
            if (json_is_true(json_object_get(a, "can_decide"))) {
                id = json_string_value(json_object_get(a, "id"));
                break;
            }
        }
        if (id) {
            snprintf(path, sizeof path, "/v1/approvals/%s/decision", id);
            snprintf(note, sizeof note, "{\"decision\":\"approve\",\"note\":\"soak\"}");
            if (call(&fd, "POST", path, desk_token, note, body, 4096, 200) == 200)
                atomic_fetch_add(&n_decisions, 1);
        } else {
            usleep(200000); /* nothing to decide now */
        }
        json_decref(list);
    }
    close(fd);
    return NULL;
}

/* An event-stream client: reads frames, counts events, reconnects every minute. */
static void *sse(void *arg) {
    char req[512], buf[16384];
    while (!atomic_load(&stop)) {
        int fd = connect_server();
        struct timeval tv = {.tv_sec = 1};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        int n = snprintf(req, sizeof req,
                         "GET /v1/events?after=latest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "Authorization: Bearer %s\r\n\r\n",
                         desk_token);
        if (write(fd, req, (size_t)n) != n) {
            atomic_fetch_add(&n_errors, 1);
            close(fd);
            continue;
        }
        int64_t until = now_us() + 60 * 1000000LL;
        bool ok = false;
        while (!atomic_load(&stop) && now_us() < until) {
            ssize_t r = read(fd, buf, sizeof buf - 1);
            if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                continue;
            if (r <= 0)
                break;
            buf[r] = '\0';
            if (!ok && strncmp(buf, "HTTP/1.1 200", 12) != 0) {
                atomic_fetch_add(&n_errors, 1);
                break;
            }
            ok = true;
            for (char *p = buf; (p = strstr(p, "\ndata: ")) != NULL; p++)
                atomic_fetch_add(&n_sse, 1);
        }
        close(fd);
    }
    return NULL;
}

static atomic_long report_max_us; /* the slowest funnel report */

static void *reporter(void *arg) {
    int fd = connect_server();
    static char body[65536];
    while (!atomic_load(&stop)) {
        int64_t t0 = now_us();
        if (call(&fd, "GET", "/v1/reports/funnel", desk_token, NULL, body, sizeof body, 200) == 200)
            atomic_fetch_add(&n_reports, 1);
        if (now_us() - t0 > atomic_load(&report_max_us))
            atomic_store(&report_max_us, (long)(now_us() - t0));
        for (int i = 0; i < 600 && !atomic_load(&stop); i++)
            usleep(100000);
    }
    close(fd);
    return NULL;
}

/* The server's memory from /proc: VmRSS and its parts (anonymous: the heap; file: the
 * binary and libraries; shared: SQLite's WAL index), in kB. */
struct mem {
    long rss, anon, file, shmem;
};

static struct mem mem_of(pid_t pid) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    struct mem m = {-1, -1, -1, -1};
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            m.rss = atol(line + 6);
        else if (strncmp(line, "RssAnon:", 8) == 0)
            m.anon = atol(line + 8);
        else if (strncmp(line, "RssFile:", 8) == 0)
            m.file = atol(line + 8);
        else if (strncmp(line, "RssShmem:", 9) == 0)
            m.shmem = atol(line + 9);
    }
    if (f)
        fclose(f);
    return m;
}

static long file_kb(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long)(st.st_size / 1024) : 0;
}

static int cmpl(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double sample = 10;
    const char *csv_path = "soak-rss.csv";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            run_seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--deals") == 0 && i + 1 < argc)
            target_deals = atol(argv[++i]);
        else if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc)
            sample = atof(argv[++i]);
        else if (strcmp(argv[i], "--csv") == 0 && i + 1 < argc)
            csv_path = argv[++i];
        else if (argv[i][0] != '-')
            dw_bin = argv[i];
        else {
            fprintf(stderr, "usage: dealwright-soak [DEALWRIGHT] [--seconds S] [--deals N] "
                            "[--sample S] [--csv FILE]\n");
            return 2;
        }
    }
    if (run_seconds < 60 || target_deals < 1 || sample < 1 || sample > run_seconds / 10) {
        fprintf(stderr, "dealwright-soak: --seconds at least 60, --deals at least 1, --sample "
                        "between 1 s and a tenth of the run\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/dw-soak-XXXXXX";
    make_workspace(tmpl, "soak");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "'%s' -w '%s' token create --user maria --role deal_desk 2>/dev/null | tail -1",
             dw_bin, ws);
    snprintf(desk_token, sizeof desk_token, "%s", run_line(cmd));

    pid_t pid = start_server();
    FILE *csv = fopen(csv_path, "w");
    if (!csv)
        die(csv_path);
    fprintf(csv, "t_s,rss_kb,anon_kb,file_kb,shmem_kb,wal_kb,leads,reads,lists,decisions,"
                 "sse_events,reports,errors\n");
    char wal[300];
    snprintf(wal, sizeof wal, "%s/.dealwright/state.db-wal", ws);
    double warm = run_seconds * 0.25 > 60 ? run_seconds * 0.25 : 60;
    printf("soak: %.0f s, %ld deals, RSS every %.0f s to %s; warm-up %.0f s\n", run_seconds,
           target_deals, sample, csv_path, warm);

    load_templates();
    t_start = now_us();
    pthread_t th[16];
    int nth = 0;
    for (int i = 0; i < 4; i++)
        pthread_create(&th[nth++], NULL, poster, NULL);
    pthread_create(&th[nth++], NULL, reader, (void *)1);
    pthread_create(&th[nth++], NULL, reader, (void *)2);
    pthread_create(&th[nth++], NULL, lister, NULL);
    pthread_create(&th[nth++], NULL, approver, NULL);
    pthread_create(&th[nth++], NULL, reporter, NULL);
    for (int i = 0; i < 4; i++)
        pthread_create(&th[nth++], NULL, sse, NULL);

    size_t cap = (size_t)(run_seconds / sample) + 4, n = 0;
    double *ts = calloc(cap, sizeof *ts);
    long *rss = calloc(cap, sizeof *rss);
    if (!ts || !rss)
        die("memory");
    for (int k = 1; n < cap; k++) {
        double at = sample * k;
        if (at > run_seconds)
            break;
        while (elapsed() < at)
            usleep(50000);
        ts[n] = elapsed();
        struct mem m = mem_of(pid);
        rss[n] = m.rss;
        fprintf(csv, "%.0f,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", ts[n], m.rss, m.anon,
                m.file, m.shmem, file_kb(wal), atomic_load(&n_leads), atomic_load(&n_reads),
                atomic_load(&n_lists), atomic_load(&n_decisions), atomic_load(&n_sse),
                atomic_load(&n_reports), atomic_load(&n_errors));
        fflush(csv);
        printf("%6.0f s  RSS %6.1f MB (heap %6.1f, file-backed %5.1f; WAL %6.1f MB)  leads %7ld  "
               "reads %7ld  lists %6ld  decisions %5ld  events %7ld  errors %ld\n",
               ts[n], (double)rss[n] / 1024, (double)m.anon / 1024,
               (double)(m.file + m.shmem) / 1024, (double)file_kb(wal) / 1024,
               atomic_load(&n_leads), atomic_load(&n_reads), atomic_load(&n_lists),
               atomic_load(&n_decisions), atomic_load(&n_sse), atomic_load(&n_errors));
        fflush(stdout);
        n++;
    }
    atomic_store(&stop, true);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    fclose(csv);

    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/.dealwright/state.db' \"SELECT (SELECT count(*) FROM leads WHERE "
             "external_id LIKE 'soak-%%') || ' ' || (SELECT count(*) FROM deals)\"",
             ws);
    long stored = 0, deals = 0;
    sscanf(run_line(cmd), "%ld %ld", &stored, &deals);

    /* The verdict. */
    size_t first = 0;
    while (first < n && ts[first] < warm)
        first++;
    double ref_until = warm + (run_seconds - warm) * 0.10;
    size_t ref_n = 0;
    while (first + ref_n < n && (ts[first + ref_n] <= ref_until || ref_n < 3))
        ref_n++;
    bool flat = n > first + ref_n;
    long r0 = 0, lo = 0, hi = 0, mlo = 0, mhi = 0;
    long *tmp = malloc((ref_n ? ref_n : 1) * sizeof *tmp);
    if (!tmp)
        die("memory");
    if (flat) {
        memcpy(tmp, rss + first, ref_n * sizeof *tmp);
        qsort(tmp, ref_n, sizeof *tmp, cmpl);
        r0 = mlo = mhi = tmp[ref_n / 2];
        lo = hi = rss[first];
        for (size_t i = first; i < n; i++) {
            lo = rss[i] < lo ? rss[i] : lo;
            hi = rss[i] > hi ? rss[i] : hi;
        }
        /* Every run of ref_n consecutive samples: its median within 10 % of R0. */
        for (size_t i = first; i + ref_n <= n; i++) {
            memcpy(tmp, rss + i, ref_n * sizeof *tmp);
            qsort(tmp, ref_n, sizeof *tmp, cmpl);
            long m = tmp[ref_n / 2];
            mlo = m < mlo ? m : mlo;
            mhi = m > mhi ? m : mhi;
            if ((double)m > 1.10 * (double)r0 || (double)m < 0.90 * (double)r0)
                flat = false;
        }
    }
    free(tmp);
#define PCT_OF_R0(v) (r0 ? 100.0 * (double)((v)-r0) / (double)r0 : 0.0)
    printf("RSS after warm-up: reference R0 %.1f MB (median of the %zu samples to %.0f s); "
           "medians of every %zu consecutive samples %.1f-%.1f MB (%+.1f %% .. %+.1f %%): %s; "
           "single samples %.1f-%.1f MB (%+.1f %% .. %+.1f %%)\n",
           (double)r0 / 1024, ref_n, ref_until, ref_n, (double)mlo / 1024, (double)mhi / 1024,
           PCT_OF_R0(mlo), PCT_OF_R0(mhi), flat ? "flat within 10 %" : "NOT flat within 10 %",
           (double)lo / 1024, (double)hi / 1024, PCT_OF_R0(lo), PCT_OF_R0(hi));
    long errors = atomic_load(&n_errors), accepted = atomic_load(&n_leads);
    bool stopped = WIFEXITED(st) && WEXITSTATUS(st) == 0;
    printf("%ld leads answered 202, %ld stored, %ld deals; %ld reads, %ld list pages, %ld "
           "decisions, %ld events streamed, %ld reports (slowest %.2f s); %ld failed "
           "requests; server exit %d\n",
           accepted, stored, deals, atomic_load(&n_reads), atomic_load(&n_lists),
           atomic_load(&n_decisions), atomic_load(&n_sse), atomic_load(&n_reports),
           (double)atomic_load(&report_max_us) / 1e6, errors, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && echo ok", tmpl);
    run_line(cmd);
    free(ts);
    free(rss);
    bool ok = flat && errors == 0 && stopped && stored == accepted;
    printf("soak: %s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}
