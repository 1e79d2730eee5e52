/* worker — the control plane alone, beside servers and other workers on one store
 * (docs/internals/scale-out.md): the options, then dw_worker_run of
 * include/dealwright/server.h until SIGTERM or SIGINT. */
#include <errno.h>
#include <stdlib.h>

#include "cli.h"
#include <dealwright/server.h>

static void started(void *ud) {
    const struct dw_worker_opts *o = ud;
    printf("dealwright worker: %u thread%s claiming due deals (lease %d s)\n", o->concurrency,
           o->concurrency == 1 ? "" : "s", o->lease_ms / 1000);
    fflush(stdout);
}

static int number(const char *opt, const char *v, long lo, long hi, long *ret) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < lo || n > hi)
        return cli_usage("%s: expected a number from %ld to %ld, got '%s'", opt, lo, hi, v);
    *ret = n;
    return 0;
}

int cmd_worker(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *conc = cli_opt(&argc, argv, "--concurrency", &bad);
    const char *lease = cli_opt(&argc, argv, "--lease", &bad);
    const char *poll = cli_opt(&argc, argv, "--poll-ms", &bad);
    const char *events = cli_opt(&argc, argv, "--events", &bad);
    const char *attempts = cli_opt(&argc, argv, "--webhook-attempts", &bad);
    const char *backoff = cli_opt(&argc, argv, "--webhook-backoff-ms", &bad);
    (void)argv;
    if (bad || argc != 0)
        return cli_usage("usage: dealwright worker [--concurrency N] [--lease S] [--poll-ms MS] "
                         "[--otlp URL] [--events nats://HOST:PORT] [--webhook-attempts N] "
                         "[--webhook-backoff-ms MS]");
    long n = 1, lease_s = 30, poll_ms = 1000;
    int u;
    if ((conc && (u = number("--concurrency", conc, 1, 64, &n))) ||
        (lease && (u = number("--lease", lease, 1, 3600, &lease_s))) ||
        (poll && (u = number("--poll-ms", poll, 10, 60000, &poll_ms))))
        return u;
    /* the shared webhook consumer (--events) sends with the same rules as serve's: every
     * instance that takes a delivery must give up after the same number of attempts */
    struct dw_webhook_opts hook_opts = {0};
    if ((u = cli_webhook_opts("--webhook-", attempts, backoff, &hook_opts)))
        return u;
    struct dw_worker_opts o = {
        .workspace = cli->workspace,
        .db = cli->db,
        .engine = cli->engine,
        .concurrency = (unsigned)n,
        .lease_ms = (int)lease_s * 1000,
        .poll_ms = (int)poll_ms,
    };
    struct dw_worker_totals t = {0};
    struct dw_error err = {0};
    /* with --events: the outbox publisher and the shared webhook consumer beside the steps */
    struct dw_relay *relay = NULL;
    int r = events ? dw_relay_start(cli->engine, events, &hook_opts, &relay, &err) : 0;
    if (r >= 0)
        r = dw_worker_run(&o, started, &o, &t, &err);
    dw_relay_stop(relay);
    if (r < 0)
        return cli_fail(&err, r);
    fprintf(stderr,
            "dealwright worker: stopped after %llu steps (%llu failed attempts, %llu leases "
            "lost, %llu errors)\n",
            (unsigned long long)t.steps, (unsigned long long)t.failures,
            (unsigned long long)t.leases_lost, (unsigned long long)t.errors);
    return EXIT_OK;
}
