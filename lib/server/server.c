/* Starting and stopping the server (include/dealwright/server.h).
 *
 * Shutdown. Stop accepting connections, tell clients whose request is still arriving that
 * the server is stopping, wait (up to 10 s) for requests in flight to finish, end event
 * streams, let the worker finish its batch (every batch of steps is its own transaction, so
 * nothing committed is lost and nothing half-done is kept), then close the store. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "server/internal.h"

/* "HOST:PORT" (an IPv4 address, "localhost", "" for any) or "[IPv6]:PORT" into *sa, its
 * length in *len. */
static int parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len) {
    memset(sa, 0, sizeof *sa);
    const char *colon = strrchr(s, ':');
    if (!colon)
        return -1;
    char host[64];
    size_t hl = (size_t)(colon - s);
    bool v6 = hl >= 2 && s[0] == '[' && s[hl - 1] == ']';
    if (v6)
        s++, hl -= 2;
    if (hl >= sizeof host)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || !isdigit((unsigned char)colon[1]) || port > 65535)
        return -1;
    if (v6) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        *len = sizeof *s6;
        return inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 ? 0 : -1;
    }
    if (strcmp(host, "localhost") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    if (!*host)
        snprintf(host, sizeof host, "0.0.0.0");
    struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    *len = sizeof *s4;
    return inet_pton(AF_INET, host, &s4->sin_addr) == 1 ? 0 : -1;
}

static const char *listen_of(const struct dw_server_opts *o) {
    return o->listen ? o->listen : "127.0.0.1:8080";
}

int dw_server_check(const struct dw_server_opts *o, struct dw_error *err) {
    struct sockaddr_storage sa;
    socklen_t sl;
    if (parse_listen(listen_of(o), &sa, &sl) < 0)
        return dw_error_field(err, -DW_EINVAL, "listen",
                              "expected HOST:PORT or [IPv6]:PORT (127.0.0.1:8080, [::1]:8080), "
                              "got '%s'",
                              listen_of(o));
    const struct {
        const char *name;
        unsigned v, lo, hi;
    } lim[] = {{"max_connections", o->max_connections, 16, 16384},
               {"per_address", o->per_address, 1, 16384},
               {"header_timeout", o->header_timeout, 1, 3600}};
    for (size_t i = 0; i < DW_ARRAY_SIZE(lim); i++)
        if (lim[i].v && (lim[i].v < lim[i].lo || lim[i].v > lim[i].hi))
            return dw_error_field(err, -DW_EINVAL, lim[i].name, "%s: a number from %u to %u",
                                  lim[i].name, lim[i].lo, lim[i].hi);
    if (!(o->rate >= 0 && o->rate <= 1e7))
        return dw_error_field(err, -DW_EINVAL, "rate", "rate: requests per second, 0 to 10^7");
    if (!o->workspace && !o->engine)
        return dw_error_field(err, -DW_EINVAL, "workspace", "a workspace is needed");
    return 0;
}

/* a descriptor per connection, and some for the store: raise the soft limit as far as the
 * hard one allows (1,024 is a common soft limit) */
static int fd_budget(struct server *sv, struct dw_error *err) {
    struct rlimit nofile;
    if (getrlimit(RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur >= (rlim_t)sv->conn_max + 256)
        return 0;
    nofile.rlim_cur =
        nofile.rlim_max == RLIM_INFINITY || nofile.rlim_max > (rlim_t)sv->conn_max + 256
            ? (rlim_t)sv->conn_max + 256
            : nofile.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &nofile) != 0)
        getrlimit(RLIMIT_NOFILE, &nofile);
    /* Fewer descriptors than connections: the cap follows the descriptors, keeping
     * FD_RESERVE for the store, the webhooks and the gate's spare, so that a connection
     * past it is answered 503 instead of waiting unaccepted, and a request in progress
     * never finds the store without a descriptor. */
    if (nofile.rlim_cur < (rlim_t)sv->conn_max + FD_RESERVE) {
        if (nofile.rlim_cur < (rlim_t)FD_RESERVE + 16)
            return dw_error_set(err, -DW_EINTERNAL,
                                "only %llu file descriptors (ulimit -n); at least %u are needed",
                                (unsigned long long)nofile.rlim_cur, FD_RESERVE + 16);
        fprintf(stderr,
                "dealwright serve: only %llu file descriptors (ulimit -n): at most %llu "
                "connections instead of %u\n",
                (unsigned long long)nofile.rlim_cur,
                (unsigned long long)(nofile.rlim_cur - FD_RESERVE), sv->conn_max);
        sv->conn_max = (unsigned)(nofile.rlim_cur - FD_RESERVE);
    }
    return 0;
}

/* The engines: the caller's or one opened here (the only workspace load), and the others
 * on its snapshot. */
static int open_engines(struct server *sv, struct dw_error *err) {
    int r = 0;
    if (sv->opts.engine) {
        sv->api = sv->opts.engine;
    } else {
        struct dw_diags diags = {0};
        r = dw_engine_open(sv->opts.workspace, sv->opts.db, &sv->api, &diags, err);
        dw_diags_release(&diags);
        if (r < 0)
            return r;
        sv->api_owned = true;
    }
    struct dw_engine **mine[] = {&sv->worker_engine, &sv->hook_engine, &sv->pump_engine};
    for (size_t i = 0; r >= 0 && i < DW_ARRAY_SIZE(mine); i++)
        r = dw_engine_open_shared(sv->api, NULL, mine[i], err);
    for (int i = 0; r >= 0 && i < READERS; i++)
        r = dw_engine_open_shared(sv->api, NULL, &sv->readers[i].e, err);
    if (r >= 0 && dw_mail_relay(dw_engine_workspace(sv->api)))
        r = dw_engine_open_shared(sv->api, NULL, &sv->mail_engine, err);
    return r;
}

static void close_engines(struct server *sv) {
    dw_engine_close(sv->worker_engine);
    dw_engine_close(sv->hook_engine);
    dw_engine_close(sv->pump_engine);
    dw_engine_close(sv->mail_engine);
    for (int i = 0; i < READERS; i++)
        dw_engine_close(sv->readers[i].e);
    if (sv->api_owned)
        dw_engine_close(sv->api);
}

static void server_free(struct server *sv) {
    close_engines(sv);
    dw_leadq_free(sv->leadq);
    free(sv->buckets);
    for (struct handoff *f = sv->handoff, *n; f; f = n) {
        n = f->next;
        free(f);
    }
    for (int i = 0; i < READERS; i++)
        pthread_mutex_destroy(&sv->readers[i].mu);
    pthread_mutex_destroy(&sv->conn_mu);
    pthread_mutex_destroy(&sv->api_mu);
    pthread_mutex_destroy(&sv->rate_mu);
    free(sv);
}

/* The threads started so far stop (every part asked first, then joined). */
static void threads_stop(struct server *sv) {
    atomic_store(&sv->stopping, true);
    dw_worker_stop(sv->worker);
    dw_hooks_stop(sv->hooks);
    dw_relay_signal(sv->relay);
    dw_mailer_stop(sv->mailer);
    dw_pump_stop(sv->pump);
    if (sv->gating)
        pthread_join(sv->gate, NULL); /* no new connections: it closes the listening socket */
    else if (sv->listen_fd >= 0)
        close(sv->listen_fd);
    sv->gating = false;
    sv->listen_fd = -1;
    if (sv->mhd) {
        srv_cut_arriving(sv);
        for (int i = 0; i < 1000 && atomic_load(&sv->in_flight) > 0; i++)
            usleep(10 * 1000);
    }
    if (sv->watching)
        pthread_join(sv->watchdog, NULL); /* before the connections it watches go */
    sv->watching = false;
    if (sv->mhd)
        MHD_stop_daemon(sv->mhd);
    sv->mhd = NULL;
    dw_worker_join(sv->worker);
    dw_hooks_join(sv->hooks);
    dw_relay_stop(sv->relay);
    sv->relay = NULL;
    dw_mailer_join(sv->mailer);
    dw_pump_join(sv->pump);
    sv->mailer = NULL;
    sv->worker = NULL;
    sv->hooks = NULL;
    sv->pump = NULL;
}

int dw_server_start(const struct dw_server_opts *o, struct dw_server **ret, struct dw_error *err) {
    int r = dw_server_check(o, err);
    if (r < 0)
        return r;
    srv_routes_init();
    struct sockaddr_storage sa;
    socklen_t sl;
    parse_listen(listen_of(o), &sa, &sl);
    struct server *sv = calloc(1, sizeof *sv);
    if (!sv)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    sv->opts = *o;
    sv->listen_fd = -1;
    sv->rate = o->rate;
    sv->burst = o->rate * 2 < 10 ? 10 : o->rate * 2;
    sv->conn_max = o->max_connections ? o->max_connections : CONN_MAX;
    sv->per_addr = o->per_address ? o->per_address : CONN_PER_ADDR;
    sv->head_timeout = o->header_timeout ? o->header_timeout : HEAD_TIMEOUT;
    pthread_mutex_init(&sv->conn_mu, NULL);
    pthread_mutex_init(&sv->api_mu, NULL);
    pthread_mutex_init(&sv->rate_mu, NULL);
    for (int i = 0; i < READERS; i++)
        pthread_mutex_init(&sv->readers[i].mu, NULL);
    if ((r = fd_budget(sv, err)) < 0 || (r = open_engines(sv, err)) < 0) {
        server_free(sv);
        return r;
    }
    if (!(sv->leadq = dw_leadq_new(sv->api, &sv->api_mu))) {
        server_free(sv);
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    }

    /* The listening socket is the server's own: the gate accepts and hands connections to
     * libmicrohttpd once their first head is whole. SO_REUSEADDR lets a restart bind while
     * the last run's connections are in TIME_WAIT; it never lets two servers listen on one
     * port (that would be SO_REUSEPORT): a port in use is an error. An IPv6 socket takes
     * IPv6 only ([::] is not also 0.0.0.0). */
    int one = 1;
    sv->listen_fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (sv->listen_fd < 0 ||
        setsockopt(sv->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        (sa.ss_family == AF_INET6 &&
         setsockopt(sv->listen_fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0) ||
        bind(sv->listen_fd, (struct sockaddr *)&sa, sl) < 0 || listen(sv->listen_fd, 1024) < 0) {
        int e = errno;
        r = dw_error_field(err, e == EADDRINUSE ? -DW_EBUSY : -DW_EINTERNAL, "listen",
                           "cannot listen on %s: %s%s", listen_of(o), strerror(e),
                           e == EADDRINUSE ? " (is another server running on this port?)" : "");
        if (sv->listen_fd >= 0)
            close(sv->listen_fd);
        server_free(sv);
        return r;
    }
    sv->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
            MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC,
        0, srv_on_accept, sv, srv_on_request, sv, MHD_OPTION_EXTERNAL_LOGGER, srv_mhd_log, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, srv_on_completed, sv, MHD_OPTION_NOTIFY_CONNECTION,
        srv_on_connection, sv, MHD_OPTION_URI_LOG_CALLBACK, srv_on_uri, sv,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY, MHD_OPTION_CONNECTION_LIMIT,
        sv->conn_max, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT, MHD_OPTION_END);
    if (!sv->mhd) {
        r = dw_error_set(err, -DW_EINTERNAL, "cannot start libmicrohttpd on %s: %s", listen_of(o),
                         strerror(errno));
        goto fail;
    }
    struct dw_webhook_opts ho = {.max_attempts = o->webhook_attempts,
                                 .backoff_ms = o->webhook_backoff_ms};
    /* with --events the webhook consumer every instance shares replaces the sender */
    if (o->events && (r = dw_relay_start(sv->api, o->events, &ho, &sv->relay, err)) < 0)
        goto fail;
    if (!(sv->pump = dw_pump_start(sv->pump_engine, PUMP_INTERVAL_MS)) ||
        (!o->no_worker &&
         !(sv->worker = dw_worker_start(sv->worker_engine, sv->leadq, sv->pump))) ||
        (!sv->relay && !(sv->hooks = dw_hooks_start(sv->hook_engine, &ho))) ||
        (sv->mail_engine && !(sv->mailer = dw_mailer_start(sv->mail_engine, o->smtp_auth)))) {
        r = dw_error_set(err, -DW_EINTERNAL, "cannot start the server's threads");
        goto fail;
    }
    if (srv_gate_prepare(sv) < 0) {
        r = dw_error_set(err, -DW_ENOMEM, "out of memory for the connection gate");
        goto fail;
    }
    sv->watching = pthread_create(&sv->watchdog, NULL, srv_watchdog_main, sv) == 0;
    if (!sv->watching || pthread_create(&sv->gate, NULL, srv_gate_main, sv) != 0) {
        srv_gate_release(sv);
        r = dw_error_set(err, -DW_EINTERNAL, "cannot start the server's threads");
        goto fail;
    }
    sv->gating = true;
    struct sockaddr_storage bound = sa;
    socklen_t bl = sizeof bound;
    getsockname(sv->listen_fd, (struct sockaddr *)&bound, &bl);
    char host[INET6_ADDRSTRLEN];
    bool v6 = sa.ss_family == AF_INET6;
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&sa;
    const struct sockaddr_in *s4 = (const struct sockaddr_in *)&sa;
    inet_ntop(sa.ss_family, v6 ? (const void *)&s6->sin6_addr : (const void *)&s4->sin_addr, host,
              sizeof host);
    unsigned port = ntohs(v6 ? ((const struct sockaddr_in6 *)&bound)->sin6_port
                             : ((const struct sockaddr_in *)&bound)->sin_port);
    snprintf(sv->url, sizeof sv->url, v6 ? "http://[%s]:%u" : "http://%s:%u", host, port);
    *ret = (struct dw_server *)sv;
    return 0;
fail:
    threads_stop(sv);
    server_free(sv);
    return r;
}

const char *dw_server_url(const struct dw_server *s) {
    return ((const struct server *)s)->url;
}

void dw_server_stop(struct dw_server *s) {
    if (!s)
        return;
    struct server *sv = (struct server *)s;
    threads_stop(sv);
    server_free(sv);
}

void dw__stop_signals_block(sigset_t *sigs) {
    sigemptyset(sigs);
    sigaddset(sigs, SIGTERM);
    sigaddset(sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
}

const char *dw__stop_signal_wait(const sigset_t *sigs) {
    int sig = 0;
    sigwait(sigs, &sig);
    return sig == SIGTERM ? "SIGTERM" : "SIGINT";
}

int dw_server_run(const struct dw_server_opts *o, void (*started)(const char *url, void *ud),
                  void *ud, struct dw_error *err) {
    /* Signals go to the thread that waits for them, not to the server's threads. */
    sigset_t sigs;
    dw__stop_signals_block(&sigs);
    struct dw_server *s = NULL;
    int r = dw_server_start(o, &s, err);
    if (r < 0)
        return r;
    if (started)
        started(dw_server_url(s), ud);
    fprintf(stderr, "dealwright serve: %s: finishing requests and agent steps in flight\n",
            dw__stop_signal_wait(&sigs));
    dw_server_stop(s);
    fprintf(stderr, "dealwright serve: stopped\n");
    return 0;
}
