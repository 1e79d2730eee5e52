/* serve — the HTTP API (docs/internals/server.md): the options, then the server of
 * lib/server/ (include/dealwright/server.h) until SIGTERM or SIGINT. */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include <dealwright/server.h>

#define CONN_MAX 1024    /* connections (each a thread); --max-connections */
#define CONN_PER_ADDR 64 /* connections from one address; --per-address */
#define HEAD_TIMEOUT 10  /* seconds to receive a request's headers; --header-timeout */

/* The API's description (api/openapi.yaml, embedded), served at /v1/openapi.json. */
extern const char dw_serve_openapi[];

static void started(const char *url, void *ud) {
    (void)ud;
    printf("dealwright serving on %s (API at /v1, description at /v1/openapi.json)\n", url);
    fflush(stdout);
}

int cmd_serve(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *listen = cli_opt(&argc, argv, "--listen", &bad);
    const char *rate = cli_opt(&argc, argv, "--rate", &bad);
    const char *attempts = cli_opt(&argc, argv, "--webhook-attempts", &bad);
    const char *backoff = cli_opt(&argc, argv, "--webhook-backoff-ms", &bad);
    const char *max_conns = cli_opt(&argc, argv, "--max-connections", &bad);
    const char *per_addr = cli_opt(&argc, argv, "--per-address", &bad);
    const char *head_timeout = cli_opt(&argc, argv, "--header-timeout", &bad);
    const char *events = cli_opt(&argc, argv, "--events", &bad);
    bool no_worker = cli_flag(&argc, argv, "--no-worker");
    (void)argv;
    if (bad || argc != 0)
        return cli_usage("usage: dealwright serve [--listen HOST:PORT] [--rate N] "
                         "[--max-connections N] [--per-address N] [--header-timeout S] "
                         "[--webhook-attempts N] [--webhook-backoff-ms MS] [--otlp URL] "
                         "[--no-worker] [--events nats://HOST:PORT]");
    struct {
        const char *opt, *val;
        unsigned def, lo, hi;
        unsigned v;
    } lim[] = {{"--max-connections", max_conns, CONN_MAX, 16, 16384, 0},
               {"--per-address", per_addr, CONN_PER_ADDR, 1, 16384, 0},
               {"--header-timeout", head_timeout, HEAD_TIMEOUT, 1, 3600, 0}};
    for (size_t i = 0; i < DW_ARRAY_SIZE(lim); i++) {
        lim[i].v = lim[i].def;
        if (!lim[i].val)
            continue;
        char *end;
        errno = 0;
        long v = strtol(lim[i].val, &end, 10);
        if (errno || *end || end == lim[i].val || v < (long)lim[i].lo || v > (long)lim[i].hi)
            return cli_usage("%s: expected a number from %u to %u, got '%s'", lim[i].opt, lim[i].lo,
                             lim[i].hi, lim[i].val);
        lim[i].v = (unsigned)v;
    }
    struct dw_webhook_opts hook_opts = {0};
    int u = cli_webhook_opts("--webhook-", attempts, backoff, &hook_opts);
    if (u)
        return u;
    struct dw_error check = {0};
    if (dw_server_check(&(struct dw_server_opts){.listen = listen, .workspace = "."}, &check) < 0)
        return cli_usage("--listen: expected HOST:PORT or [IPv6]:PORT (127.0.0.1:8080, "
                         "[::1]:8080), got '%s'",
                         listen);
    double per_sec = 50;
    if (rate) {
        char *end;
        per_sec = strtod(rate, &end);
        if (*end || end == rate || per_sec < 0 || per_sec > 1e7)
            return cli_usage("--rate: requests per second per token (0 = no limit), got '%s'",
                             rate);
    }
    struct dw_server_opts o = {
        .workspace = cli->workspace,
        .db = cli->db,
        .engine = cli->engine,
        .listen = listen,
        .rate = per_sec,
        .max_connections = lim[0].v,
        .per_address = lim[1].v,
        .header_timeout = lim[2].v,
        .webhook_attempts = hook_opts.max_attempts,
        .webhook_backoff_ms = hook_opts.backoff_ms,
        .openapi = dw_serve_openapi,
        .n_console = console_n_files,
        .events = events,
        .no_worker = no_worker,
    };
    /* the relay's credentials, from the variables dealwright.yaml names (src/cmd-mail.c) */
    struct dw_smtp_auth auth = {0};
    if (dw_mail_relay(dw_engine_workspace(cli->engine))) {
        if (cli_smtp_auth(dw_engine_workspace(cli->engine), &auth) < 0)
            return EXIT_INPUT;
        o.smtp_auth = &auth;
    }
    struct dw_server_file *console = calloc(console_n_files + 1, sizeof *console);
    if (!console)
        return EXIT_INTERNAL;
    for (size_t i = 0; i < console_n_files; i++)
        console[i] = (struct dw_server_file){console_files[i].path, console_files[i].data,
                                             console_files[i].len};
    o.console = console;
    /* A thread per connection: glibc would give the threads up to 8 malloc arenas per core,
     * each keeping its own high-water mark, and the heap creeps up for a long time under
     * steady load (make soak: +17 % in five minutes). Two per core keeps it flat at the
     * same throughput (docs/internals/server.md "Soak"). A setting of the process: the
     * binary's to make, not the library's. */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    mallopt(M_ARENA_MAX, (int)(cpus < 1 ? 2 : cpus > 4 ? 8 : 2 * cpus));
    struct dw_error err = {0};
    int r = dw_server_run(&o, started, NULL, &err);
    free(console);
    if (r < 0)
        return cli_fail(&err, r);
    return EXIT_OK;
}
