/* dealwright-bench-serve — a load generator for `dealwright serve` on the same machine.
 *
 * Sets up a scratch copy of the example workspace and an integration token, starts the
 * server (rate limit off, its request log to /dev/null) on a free loopback port, then:
 *   1. POST /v1/leads for SECONDS from THREADS keep-alive connections, every lead new (its
 *      own external_id and e-mail), each answered 202 only after its transaction committed;
 *      the server's control plane works on them at the same time;
 *   2. GET /v1/deals/{id} for SECONDS over the deals just created, the agents still working
 *      on them (a deal read early is small: few documents yet);
 *   3. once the agents are idle (no step for a second, from /metrics), GET again: every deal
 *      now has its documents (8-30 kB of JSON each).
 * Prints requests per second and latency percentiles of each, then stops the server with
 * SIGTERM and checks that every lead answered 202 is in the store.
 *
 * usage: dealwright-bench-serve [DEALWRIGHT-BINARY] [--seconds S] [--threads N]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *dw_bin = "build-bench/src/dealwright";
static char ws[256], token[128];
static int port;
static double seconds = 5;
static int nthreads = 8;
static atomic_long lead_seq;
static int64_t n_deals;

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void die(const char *what) {
    fprintf(stderr, "dealwright-bench-serve: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(3);
}

/* Run a command and return the first line of its stdout (static buffer). */
static const char *run_line(const char *cmd) {
    static char line[512];
    FILE *p = popen(cmd, "r");
    if (!p)
        die(cmd);
    line[0] = '\0';
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    while (fgetc(p) != EOF) {
    }
    if (pclose(p) != 0)
        die(cmd);
    line[strcspn(line, "\n")] = '\0';
    return line;
}

static int connect_server(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* One request on a keep-alive connection; returns the status, the body in body. */
static int request(int fd, const char *method, const char *path, const char *json, char *body,
                   size_t body_size) {
    char req[4096];
    size_t blen = json ? strlen(json) : 0;
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     method, path, token, blen, json ? json : "");
    if (n <= 0 || (size_t)n >= sizeof req || write(fd, req, (size_t)n) != n)
        return -1;
    char buf[65536];
    size_t len = 0;
    char *hdr_end = NULL;
    while (!hdr_end) {
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        buf[len] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
    }
    int status = atoi(buf + 9);
    const char *cl = strcasestr(buf, "Content-Length:");
    size_t want = cl && cl < hdr_end ? (size_t)strtoul(cl + 15, NULL, 10) : 0;
    size_t have = len - (size_t)(hdr_end + 4 - buf);
    while (have < want) {
        if (len >= sizeof buf - 1)
            return -1;
        ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        have += (size_t)r;
    }
    buf[len] = '\0';
    snprintf(body, body_size, "%s", hdr_end + 4);
    return status;
}

struct worker {
    pthread_t t;
    bool post;
    int64_t *lat; /* microseconds */
    size_t n, cap;
    long ok, bad;
    int bad_status[8]; /* the first few statuses that were not the one wanted (-1: I/O) */
    char bad_body[160];
    int64_t until;
};

static void *work(void *arg) {
    struct worker *w = arg;
    int fd = connect_server();
    char body[4096], lead[1024], path[64];
    unsigned seed = (unsigned)(uintptr_t)w;
    while (now_us() < w->until) {
        int status;
        int64_t t0 = now_us();
        if (w->post) {
            long i = atomic_fetch_add(&lead_seq, 1);
            snprintf(lead, sizeof lead,
                     "{\"source\":\"web_form\",\"external_id\":\"bench-%ld\","
                     "\"received_at\":\"2026-11-24T09:00:00Z\","
                     "\"contact\":{\"name\":\"Bench %ld\",\"email\":\"buyer%ld@bench%ld.example\","
                     "\"company\":\"Bench %ld GmbH\",\"country\":\"DE\"},"
                     "\"subject\":\"Edge gateways\",\"message\":\"We need 40 edge gateways "
                     "with LTE failover for our plants in Germany, delivery by March.\"}",
                     i, i, i, i % 500, i % 500);
            status = request(fd, "POST", "/v1/leads", lead, body, sizeof body);
        } else {
            snprintf(path, sizeof path, "/v1/deals/%lld",
                     (long long)(1 + rand_r(&seed) % (n_deals > 0 ? n_deals : 1)));
            status = request(fd, "GET", path, NULL, body, sizeof body);
        }
        int64_t us = now_us() - t0;
        if (status < 0) {
            close(fd);
            fd = connect_server();
            if (w->bad < 8)
                w->bad_status[w->bad] = -1;
            w->bad++;
            continue;
        }
        if (status == (w->post ? 202 : 200))
            w->ok++;
        else {
            if (w->bad < 8)
                w->bad_status[w->bad] = status;
            if (!w->bad_body[0])
                snprintf(w->bad_body, sizeof w->bad_body, "%.150s", body);
            w->bad++;
        }
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof *w->lat);
            if (!w->lat)
                die("memory");
        }
        w->lat[w->n++] = us;
    }
    close(fd);
    return NULL;
}

/* The server's count of agent steps, from /metrics; -1 when it cannot be read. */
static long agent_steps(void) {
    int fd = connect_server();
    static char body[4096];
    int status = request(fd, "GET", "/metrics", NULL, body, sizeof body);
    close(fd);
    const char *p = status == 200 ? strstr(body, "\ndealwright_agent_steps_total ") : NULL;
    return p ? atol(p + strlen("\ndealwright_agent_steps_total ")) : -1;
}

/* Wait (up to two minutes) until the agents have worked off the backlog: no step for 1 s. */
static double wait_agents_idle(void) {
    int64_t t0 = now_us();
    long last = -2;
    int still = 0;
    while (now_us() - t0 < 120 * 1000000LL && still < 4) {
        long n = agent_steps();
        still = n >= 0 && n == last ? still + 1 : 0;
        last = n;
        usleep(250 * 1000);
    }
    return (double)(now_us() - t0) / 1e6;
}

static int cmp64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static long phase(const char *name, bool post) {
    struct worker *w = calloc((size_t)nthreads, sizeof *w);
    int64_t t0 = now_us(), until = t0 + (int64_t)(seconds * 1e6);
    for (int i = 0; i < nthreads; i++) {
        w[i].post = post;
        w[i].until = until;
        pthread_create(&w[i].t, NULL, work, &w[i]);
    }
    size_t total = 0;
    long ok = 0, bad = 0;
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].t, NULL);
        total += w[i].n;
        ok += w[i].ok;
        bad += w[i].bad;
    }
    double el = (double)(now_us() - t0) / 1e6;
    int64_t *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nthreads; i++) {
        memcpy(all + k, w[i].lat, w[i].n * sizeof *all);
        k += w[i].n;
        free(w[i].lat);
    }
    qsort(all, total, sizeof *all, cmp64);
#define PCT(p) (total ? (double)all[(size_t)((double)(total - 1) * (p))] / 1000.0 : 0.0)
    printf("%-22s %2d conns %5.1f s: %8.0f req/s ok, %ld not ok; latency p50 %.2f  p99 %.2f  "
           "max %.2f ms\n",
           name, nthreads, el, (double)ok / el, bad, PCT(0.50), PCT(0.99), PCT(1.0));
    for (int i = 0; i < nthreads; i++)
        for (long j = 0; j < w[i].bad && j < 8; j++)
            printf("    not ok: %s%s\n", w[i].bad_status[j] < 0 ? "connection lost" : "",
                   w[i].bad_status[j] < 0 ? "" : w[i].bad_body);
    free(all);
    free(w);
    return ok;
}

/* Make a scratch copy of the example workspace in a new directory from TMPL (a mkdtemp
 * template, rewritten in place; the caller removes the directory), its path in `ws`, and
 * an integration token for USER in `token`. Used by soak.c too. */
static void make_workspace(char *tmpl, const char *user) {
    if (!mkdtemp(tmpl))
        die("mkdtemp");
    snprintf(ws, sizeof ws, "%s/ws", tmpl);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' init '%s' >/dev/null && echo ok", dw_bin, ws);
    run_line(cmd);
    snprintf(cmd, sizeof cmd,
             "'%s' -w '%s' token create --user %s --role integration 2>/dev/null | tail -1", dw_bin,
             ws, user);
    snprintf(token, sizeof token, "%s", run_line(cmd));
}

/* Start `dealwright serve` on `ws` (rate limit off, its request log to /dev/null) on a free
 * loopback port, put in `port`, and return its pid; the caller stops it. Only the first
 * line of its stdout (the address) is read; the pipe stays open. Used by soak.c too. */
static pid_t start_server(void) {
    int out[2];
    if (pipe(out) < 0)
        die("pipe");
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        dup2(out[1], 1);
        FILE *devnull = freopen("/dev/null", "w", stderr);
        (void)devnull;
        close(out[0]);
        execl(dw_bin, dw_bin, "-w", ws, "serve", "--listen", "127.0.0.1:0", "--rate", "0",
              (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    FILE *so = fdopen(out[0], "r");
    char line[512];
    if (!so || !fgets(line, sizeof line, so))
        die("starting the server");
    const char *p = strstr(line, "127.0.0.1:");
    port = p ? atoi(p + 10) : 0;
    if (!port)
        die("the server's port");
    return pid;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            nthreads = atoi(argv[++i]);
        else if (argv[i][0] != '-')
            dw_bin = argv[i];
        else {
            fprintf(stderr, "usage: dealwright-bench-serve [DEALWRIGHT] [--seconds S] "
                            "[--threads N]\n");
            return 2;
        }
    }
    if (seconds <= 0 || nthreads < 1 || nthreads > 256)
        return 2;
    signal(SIGPIPE, SIG_IGN);
    char tmpl[] = "/tmp/dw-bench-serve-XXXXXX";
    make_workspace(tmpl, "bench");
    char cmd[1024];
    pid_t pid = start_server();

    printf("dealwright serve on the same machine (%ld CPUs), durable commits (WAL, "
           "synchronous=FULL: an fsync per commit), agents running\n",
           sysconf(_SC_NPROCESSORS_ONLN));
    long accepted = phase("POST /v1/leads", true);
    n_deals = accepted;
    phase("GET /v1/deals/{id}", false);
    double waited = wait_agents_idle();
    printf("(the agents worked off the backlog in %.0f s more; %ld steps in all)\n", waited,
           agent_steps());
    phase("GET, agents idle", false);

    kill(pid, SIGTERM);
    int st = 0;
    waitpid(pid, &st, 0);
    snprintf(cmd, sizeof cmd,
             "sqlite3 '%s/.dealwright/state.db' \"SELECT count(*) FROM leads WHERE external_id "
             "LIKE 'bench-%%'\"",
             ws);
    long stored = atol(run_line(cmd));
    printf("server stopped by SIGTERM (exit %d); %ld leads answered 202, %ld stored\n",
           WIFEXITED(st) ? WEXITSTATUS(st) : -1, accepted, stored);
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && echo ok", tmpl);
    run_line(cmd);
    return stored == accepted && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
