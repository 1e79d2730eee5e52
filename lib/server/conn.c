/* The connection policy and the gate (docs/internals/server.md "Connections", "Malformed
 * requests"). */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "server/internal.h"

/* ---- the connection policy (docs "Connections") --------------------------------------- */

/* Each connection is a thread, so connections that never finish a request must not be able
 * to hold them all: an address may hold at most per_addr; the last sixteenth of the slots
 * goes only to addresses holding fewer than CONN_FEW (a prober, a person, a new client);
 * and a watchdog cuts a connection that has not sent a whole request head head_timeout
 * seconds after it opened (or after its previous answer), or a body BODY_TIMEOUT seconds
 * after its head — a deadline for the whole head, where libmicrohttpd's own timeout only
 * counts idle time and a client trickling a byte at a time never reaches it. */

/* The peer's address as 16 bytes: an IPv6 one as it is, an IPv4 one as ::ffff:a.b.c.d. */
static struct in6_addr conn_addr(const struct sockaddr *sa) {
    struct in6_addr a = IN6ADDR_ANY_INIT;
    if (sa && sa->sa_family == AF_INET6) {
        a = ((const struct sockaddr_in6 *)sa)->sin6_addr;
    } else if (sa && sa->sa_family == AF_INET) {
        a.s6_addr[10] = a.s6_addr[11] = 0xff;
        memcpy(&a.s6_addr[12], &((const struct sockaddr_in *)sa)->sin_addr, 4);
    }
    return a;
}

/* The table of watched connections: the accept gate lists a connection when it takes it,
 * libmicrohttpd's notification when it starts one itself; both unlist it when it ends. */
static void conn_list(struct server *sv, struct conn *cn) {
    pthread_mutex_lock(&sv->conn_mu);
    cn->prev = NULL;
    cn->next = sv->conns;
    if (sv->conns)
        sv->conns->prev = cn;
    sv->conns = cn;
    sv->n_conns++;
    pthread_mutex_unlock(&sv->conn_mu);
}

static void conn_unlist(struct server *sv, struct conn *cn) {
    pthread_mutex_lock(&sv->conn_mu);
    if (cn->prev)
        cn->prev->next = cn->next;
    else
        sv->conns = cn->next;
    if (cn->next)
        cn->next->prev = cn->prev;
    sv->n_conns--;
    pthread_mutex_unlock(&sv->conn_mu);
}

/* May a new connection from a come in? */
static bool admit(struct server *sv, const struct in6_addr *a) {
    pthread_mutex_lock(&sv->conn_mu);
    unsigned mine = 0;
    for (struct conn *cn = sv->conns; cn; cn = cn->next)
        mine += IN6_ARE_ADDR_EQUAL(&cn->addr, a);
    unsigned reserved = sv->conn_max / 16;
    bool ok = mine < sv->per_addr && sv->n_conns < sv->conn_max &&
              (sv->n_conns + reserved < sv->conn_max || mine < CONN_FEW);
    pthread_mutex_unlock(&sv->conn_mu);
    if (!ok)
        atomic_fetch_add(&sv->conns_refused, 1);
    return ok;
}

/* libmicrohttpd's accept policy: the gate admitted the connection already; this holds for
 * whatever else might hand it one. */
enum MHD_Result srv_on_accept(void *cls, const struct sockaddr *addr, socklen_t len) {
    (void)len;
    struct in6_addr a = conn_addr(addr);
    return admit(cls, &a) ? MHD_YES : MHD_NO;
}

void srv_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                       enum MHD_ConnectionNotificationCode code) {
    struct server *sv = cls;
    struct conn *cn = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        if (!(cn = calloc(1, sizeof *cn)))
            return; /* not watched; the idle timeout still applies */
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cn->fd = ci ? ci->connect_fd : -1;
        ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        cn->addr = conn_addr(ci ? ci->client_addr : NULL);
        cn->wire = UINT64_MAX;
        pthread_mutex_lock(&sv->conn_mu); /* what the gate saw of the first request */
        for (struct handoff **h = &sv->handoff; *h; h = &(*h)->next)
            if ((*h)->fd == cn->fd) {
                struct handoff *f = *h;
                *h = f->next;
                cn->wire = f->wire;
                free(f);
                break;
            }
        pthread_mutex_unlock(&sv->conn_mu);
        cn->state = C_HEAD;
        cn->since_us = srv_mono_us();
        conn_list(sv, cn);
        *socket_context = cn;
        return;
    }
    if (!cn) /* closed: libmicrohttpd closes the socket after this returns */
        return;
    conn_unlist(sv, cn);
    free(cn);
    *socket_context = NULL;
}

unsigned srv_conns_open(struct server *sv) {
    pthread_mutex_lock(&sv->conn_mu);
    unsigned n = sv->n_conns;
    pthread_mutex_unlock(&sv->conn_mu);
    return n;
}

/* false when the connection has been cut (its client was told 408 or 503): what it sent is
 * not acted on */
bool srv_conn_set(struct server *sv, struct MHD_Connection *c, enum conn_state st) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *cn = ci ? ci->socket_context : NULL;
    if (!cn)
        return true;
    pthread_mutex_lock(&sv->conn_mu);
    bool live = cn->state != C_CUT;
    if (live) {
        cn->prev_requests += st == C_HEAD;
        cn->state = st;
        cn->since_us = srv_mono_us();
    }
    pthread_mutex_unlock(&sv->conn_mu);
    return live;
}

/* Answers sent on a connection the watchdog or SIGTERM cuts. Their Content-Length is
 * written out; the assertions keep it equal to the body's (the 408 once said 74 for 75 bytes,
 * and a client read JSON without its last brace). */
#define TIMEOUT_BODY                                                                               \
    "{\"error\":{\"code\":\"timeout\",\"message\":\"the request did not arrive in time\"}}"
#define TIMEOUT_408                                                                                \
    "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nConnection: close\r\n"      \
    "Content-Length: 75\r\n\r\n" TIMEOUT_BODY
_Static_assert(sizeof TIMEOUT_BODY - 1 == 75, "the 408's Content-Length");
#define STOPPING_BODY                                                                              \
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"the server is stopping; try again "        \
    "later\"}}"
#define STOPPING_503                                                                               \
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: "           \
    "close\r\nContent-Length: 84\r\n\r\n" STOPPING_BODY
_Static_assert(sizeof STOPPING_BODY - 1 == 84, "the 503's Content-Length");

/* SIGTERM: a request whose head or body is still arriving has not been acted on and will not
 * be; its client is told so and the connection cut, so that a slow client does not hold the
 * stop for the time given to requests being answered. A request cut this way is not acted
 * on even when its last byte was already in (srv_conn_set). */
void srv_cut_arriving(struct server *sv) {
    pthread_mutex_lock(&sv->conn_mu);
    for (struct conn *cn = sv->conns; cn; cn = cn->next) {
        if (cn->fd < 0 || (cn->state != C_HEAD && cn->state != C_BODY))
            continue;
        if (cn->state == C_BODY || !cn->prev_requests) /* a kept-alive one at rest just closes */
            (void)!send(cn->fd, STOPPING_503, sizeof STOPPING_503 - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        shutdown(cn->fd, SHUT_RDWR);
        cn->state = C_CUT;
    }
    pthread_mutex_unlock(&sv->conn_mu);
}

/* Every 200 ms: cut the connections past their deadline. The entry is removed (under
 * conn_mu) before libmicrohttpd closes the socket, so the descriptor is still this
 * connection's; shutdown() wakes its thread, which then closes it. */
void *srv_watchdog_main(void *arg) {
    struct server *sv = arg;
    while (!atomic_load(&sv->stopping)) {
        usleep(200 * 1000);
        int64_t now = srv_mono_us();
        pthread_mutex_lock(&sv->conn_mu);
        for (struct conn *cn = sv->conns; cn; cn = cn->next) {
            int64_t limit = cn->state == C_HEAD || cn->state == C_GATE
                                ? (int64_t)sv->head_timeout * 1000000
                            : cn->state == C_BODY ? (int64_t)BODY_TIMEOUT * 1000000
                                                  : 0;
            if (!limit || cn->fd < 0 || now - cn->since_us <= limit)
                continue;
            /* a request half sent is told why (a kept-alive connection at rest just closes) */
            if (cn->state == C_BODY || !cn->prev_requests)
                (void)!send(cn->fd, TIMEOUT_408, sizeof TIMEOUT_408 - 1,
                            MSG_DONTWAIT | MSG_NOSIGNAL);
            shutdown(cn->fd, SHUT_RDWR);
            cn->state = C_CUT;
            atomic_fetch_add(&sv->conns_cut, 1);
        }
        pthread_mutex_unlock(&sv->conn_mu);
    }
    return NULL;
}

/* ---- the gate: a connection's first request head, before libmicrohttpd ----------------- */

/* The server accepts connections itself and hands each to libmicrohttpd once its first
 * request head has arrived whole (read with MSG_PEEK, so that libmicrohttpd reads it
 * again). What libmicrohttpd would refuse with a page of HTML — an HTTP version other than
 * 1.0 and 1.1, a Content-Length that is not a number, a head beyond its memory pool — is
 * answered here as JSON; so is a connection the policy refuses (503). While it waits, a
 * connection is in the policy's record as C_GATE: counted for its address, and cut by the
 * watchdog at the header deadline. A later request on a kept-alive connection is checked on
 * the connection's thread (srv_gate_next; docs "Malformed requests"). */

#define GATE_PEEK (64u << 10)

static const char *status_reason(unsigned status) {
    switch (status) {
    case 400:
        return "Bad Request";
    case 408:
        return "Request Timeout";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Error";
    }
}

/* Answer a JSON error on fd. What the client sent is read first, so that the close that
 * follows is not a reset that loses the answer. */
static void gate_answer(int fd, unsigned status, const char *field, const char *msg) {
    char sink[4096];
    while (recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0)
        ;
    json_t *e =
        json_pack("{s:{s:s,s:s}}", "error", "code",
                  status == 505 ? "http_version_not_supported" : srv_status_code_name(status),
                  "message", msg);
    if (e && field)
        json_object_set_new(json_object_get(e, "error"), "field", json_string(field));
    char *body = e ? json_dumps(e, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(e);
    char out[1024];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\nCache-Control: "
                     "no-store\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
                     status, status_reason(status), body ? strlen(body) : 0, body ? body : "");
    free(body);
    if (n > 0 && (size_t)n < sizeof out)
        (void)!send(fd, out, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* Answer a JSON error on a connection libmicrohttpd never saw, and close it. */
static void gate_refuse(int fd, unsigned status, const char *field, const char *msg) {
    gate_answer(fd, status, field, msg);
    shutdown(fd, SHUT_WR);
    close(fd);
}

/* A whole head h[0..n): 0 when libmicrohttpd may have it (*body the length of its body,
 * UINT64_MAX for a chunked one), else the status to answer with *field and msg. */
static unsigned gate_check(const char *h, size_t n, const char **field, char *msg, size_t len,
                           uint64_t *body) {
    *field = NULL;
    const char *eol = memchr(h, '\n', n);
    size_t ll = (size_t)(eol - h);
    if (ll && h[ll - 1] == '\r')
        ll--;
    const char *sp1 = memchr(h, ' ', ll), *sp2 = NULL;
    for (const char *p = h + ll; p > h; p--)
        if (p[-1] == ' ') {
            sp2 = p - 1;
            break;
        }
    if (!sp1 || sp2 == sp1) {
        snprintf(msg, len, "the request line is not METHOD TARGET HTTP/1.1");
        return 400;
    }
    const char *v = sp2 + 1;
    size_t vl = (size_t)(h + ll - v);
    if (!(vl == 8 && (memcmp(v, "HTTP/1.1", 8) == 0 || memcmp(v, "HTTP/1.0", 8) == 0))) {
        bool looks = vl == 8 && memcmp(v, "HTTP/", 5) == 0 && isdigit((unsigned char)v[5]) &&
                     v[6] == '.' && isdigit((unsigned char)v[7]);
        snprintf(msg, len, "%s",
                 looks ? "only HTTP/1.0 and HTTP/1.1 are spoken here"
                       : "the request line is not METHOD TARGET HTTP/1.1");
        return looks ? 505 : 400;
    }
    if ((size_t)(sp2 - sp1 - 1) > URI_MAX) {
        snprintf(msg, len, "the request target is longer than %u bytes", URI_MAX);
        return 414;
    }
    if (n - ll > HEAD_MAX) {
        snprintf(msg, len, "the request's headers are larger than %u bytes", HEAD_MAX);
        return 431;
    }
    const char *cl = NULL;
    size_t cll = 0;
    bool te = false;
    for (const char *p = eol + 1; p < h + n;) {
        const char *e = memchr(p, '\n', (size_t)(h + n - p));
        size_t l = (size_t)((e ? e : h + n) - p);
        if (l && p[l - 1] == '\r')
            l--;
        if (!l)
            break;
        const char *colon = memchr(p, ':', l);
        if (!colon || colon == p) {
            snprintf(msg, len, "a header line without a name and a colon");
            return 400;
        }
        size_t nl = (size_t)(colon - p);
        const char *val = colon + 1, *end = p + l;
        while (val < end && (*val == ' ' || *val == '\t'))
            val++;
        while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (nl == 14 && strncasecmp(p, "Content-Length", 14) == 0) {
            size_t vn = (size_t)(end - val);
            bool digits = vn >= 1 && vn <= 18;
            for (size_t i = 0; digits && i < vn; i++)
                digits = isdigit((unsigned char)val[i]);
            if (!digits || (cl && (cll != vn || memcmp(cl, val, vn) != 0))) {
                *field = "Content-Length";
                snprintf(msg, len, "Content-Length must be one number of bytes");
                return 400;
            }
            cl = val, cll = vn;
        } else if (nl == 17 && strncasecmp(p, "Transfer-Encoding", 17) == 0)
            te = true;
        p = e ? e + 1 : h + n;
    }
    if (cl && te) {
        *field = "Content-Length";
        snprintf(msg, len, "a request has Content-Length or Transfer-Encoding, not both");
        return 400;
    }
    *body = te ? UINT64_MAX : cl ? strtoull(cl, NULL, 10) : 0;
    return 0;
}

/* The end of the head in h[0..n) (after its blank line), or 0 while it is not whole. */
static size_t head_end(const char *h, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (h[i] != '\n')
            continue;
        if (h[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && h[i + 1] == '\r' && h[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Does h[0..n) begin like a request line (a method, a space)? Not yet known counts as yes. */
static bool request_start(const char *h, size_t n) {
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)h[i]) || strchr("!#$%&'*+-.^_`|~", h[i])) && h[i])
        i++;
    return i == n || (i > 0 && h[i] == ' ');
}

/* The next request head of a kept-alive connection, before libmicrohttpd reads it: called on
 * the connection's thread once an answer is complete, it waits (MSG_PEEK) until the head is
 * whole and answers what libmicrohttpd would refuse with a page of HTML as JSON, as the gate
 * does for a first head. It steps aside when libmicrohttpd has read past the requests it
 * answered (pipelined requests: the bytes the socket received, less those waiting in it, are
 * not the bytes of the requests so far), when a body's length is not known (chunked), and
 * when what arrives does not begin like a request line. The head deadline and SIGTERM cut
 * the wait as they cut a head libmicrohttpd reads. */
void srv_gate_next(struct server *sv, struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct conn *cn = ci ? ci->socket_context : NULL;
    if (!cn || cn->fd < 0 || cn->wire == UINT64_MAX)
        return;
    int fd = cn->fd, queued = 0;
    struct tcp_info ti = {0};
    socklen_t tl = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) < 0 ||
        tl < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received ||
        ioctl(fd, FIONREAD, &queued) < 0 || ti.tcpi_bytes_received - (uint64_t)queued != cn->wire) {
        cn->wire = UINT64_MAX;
        return;
    }
    char *buf = NULL;
    bool lowat = false;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN | POLLRDHUP};
        int pr = poll(&p, 1, 200);
        pthread_mutex_lock(&sv->conn_mu);
        bool cut = cn->state == C_CUT;
        pthread_mutex_unlock(&sv->conn_mu);
        if (cut || atomic_load(&sv->stopping))
            break;
        if (pr <= 0)
            continue;
        if (!buf && !(buf = malloc(GATE_PEEK)))
            break;
        ssize_t n = recv(fd, buf, GATE_PEEK, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0)
            break;
        size_t skip = 0;
        while (skip < (size_t)n && (buf[skip] == '\r' || buf[skip] == '\n'))
            skip++;
        if (!request_start(buf + skip, (size_t)n - skip)) {
            cn->wire = UINT64_MAX;
            break;
        }
        size_t end = head_end(buf + skip, (size_t)n - skip);
        if (!end && (size_t)n < GATE_PEEK && !(p.revents & (POLLRDHUP | POLLHUP | POLLERR))) {
            int want = (int)n + 1;
            lowat = setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof want) == 0 || lowat;
            continue;
        }
        if (!end && (size_t)n < GATE_PEEK)
            break; /* the client is gone: libmicrohttpd sees it too */
        const char *field = NULL;
        char msg[120];
        uint64_t body = 0;
        unsigned st;
        if (!end) {
            bool line = memchr(buf, '\n', (size_t)n) != NULL;
            st = line ? 431 : 414;
            snprintf(msg, sizeof msg, "%s",
                     line ? "the request head is larger than 64 KiB"
                          : "the request line is longer than 64 KiB");
        } else
            st = gate_check(buf + skip, end, &field, msg, sizeof msg, &body);
        if (!st) {
            cn->wire = body == UINT64_MAX ? body : cn->wire + skip + end + body;
            break;
        }
        gate_answer(fd, st, field, msg);
        pthread_mutex_lock(&sv->conn_mu);
        shutdown(fd, SHUT_RDWR);
        cn->state = C_CUT;
        pthread_mutex_unlock(&sv->conn_mu);
        break;
    }
    if (lowat) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
    }
    free(buf);
}

int srv_gate_prepare(struct server *sv) {
    sv->gate_pfd = calloc((size_t)sv->conn_max + 1, sizeof *sv->gate_pfd);
    sv->gate_pend = calloc(sv->conn_max ? sv->conn_max : 1, sizeof *sv->gate_pend);
    sv->gate_buf = malloc(GATE_PEEK);
    if (sv->gate_pfd && sv->gate_pend && sv->gate_buf)
        return 0;
    srv_gate_release(sv);
    return -DW_ENOMEM;
}

void srv_gate_release(struct server *sv) {
    free(sv->gate_pfd);
    free(sv->gate_pend);
    free(sv->gate_buf);
    sv->gate_pfd = NULL;
    sv->gate_pend = NULL;
    sv->gate_buf = NULL;
}

void *srv_gate_main(void *arg) {
    struct server *sv = arg;
    size_t cap = sv->conn_max;
    struct pollfd *pfd = sv->gate_pfd;
    struct conn **pend = sv->gate_pend;
    char *buf = sv->gate_buf;
    size_t np = 0;
    /* A descriptor kept in reserve: when accept() finds none left (EMFILE), it is given up for
     * the moment it takes to accept the waiting connection and tell it 503, so that the
     * client is answered and the gate does not spin on a listening socket it cannot empty. */
    int spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int64_t listen_after = 0; /* accept nothing before (srv_mono_us) after a failed accept */
    while (!atomic_load(&sv->stopping)) {
        /* while every slot of the gate is taken, or after accept() failed, the listening
         * socket is not watched: it would wake the gate at once, again and again */
        bool listening = np < cap && srv_mono_us() >= listen_after;
        pfd[0] = (struct pollfd){.fd = listening ? sv->listen_fd : -1, .events = POLLIN};
        for (size_t i = 0; i < np; i++)
            pfd[i + 1] = (struct pollfd){.fd = pend[i]->fd, .events = POLLIN | POLLRDHUP};
        if (poll(pfd, np + 1, 200) <= 0)
            continue;
        for (size_t i = np; i-- > 0;) {
            short re = pfd[i + 1].revents;
            if (!re)
                continue;
            struct conn *cn = pend[i];
            ssize_t n = recv(cn->fd, buf, GATE_PEEK, MSG_PEEK | MSG_DONTWAIT);
            /* empty lines before the request line are ignored (RFC 9112, 2.2), as
             * libmicrohttpd does */
            size_t skip = 0;
            while (n > 0 && skip < (size_t)n && (buf[skip] == '\r' || buf[skip] == '\n'))
                skip++;
            size_t end = n > 0 ? head_end(buf + skip, (size_t)n - skip) : 0;
            if (!end && n > 0 && (size_t)n < GATE_PEEK && !(re & (POLLRDHUP | POLLHUP | POLLERR))) {
                int want = (int)n + 1; /* wake when more has come, not again for the same */
                setsockopt(cn->fd, SOL_SOCKET, SO_RCVLOWAT, &want, sizeof want);
                continue;
            }
            pend[i] = pend[--np];
            conn_unlist(sv, cn);
            if (!end && (n <= 0 || (size_t)n < GATE_PEEK)) { /* gone, or cut by the watchdog */
                close(cn->fd);
            } else if (!end) {
                bool line = memchr(buf, '\n', (size_t)n) != NULL;
                gate_refuse(cn->fd, line ? 431 : 414, NULL,
                            line ? "the request head is larger than 64 KiB"
                                 : "the request line is longer than 64 KiB");
            } else {
                const char *field;
                char msg[120];
                uint64_t body;
                unsigned st = gate_check(buf + skip, end, &field, msg, sizeof msg, &body);
                if (st) {
                    gate_refuse(cn->fd, st, field, msg);
                } else {
                    int one = 1;
                    setsockopt(cn->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
                    struct sockaddr_storage sa = {0};
                    socklen_t sl = sizeof sa;
                    if (getpeername(cn->fd, (struct sockaddr *)&sa, &sl) < 0) {
                        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
                        *s6 = (struct sockaddr_in6){.sin6_family = AF_INET6, .sin6_addr = cn->addr};
                        sl = sizeof *s6;
                    }
                    /* the bytes of the first request, for srv_gate_next */
                    struct handoff *f = malloc(sizeof *f);
                    if (f) {
                        *f = (struct handoff){cn->fd, body == UINT64_MAX ? body : skip + end + body,
                                              NULL};
                        pthread_mutex_lock(&sv->conn_mu);
                        f->next = sv->handoff;
                        sv->handoff = f;
                        pthread_mutex_unlock(&sv->conn_mu);
                    }
                    if (MHD_add_connection(sv->mhd, cn->fd, (struct sockaddr *)&sa, sl) !=
                            MHD_YES &&
                        f) {
                        pthread_mutex_lock(&sv->conn_mu);
                        for (struct handoff **h = &sv->handoff; *h; h = &(*h)->next)
                            if (*h == f) {
                                *h = f->next;
                                free(f);
                                break;
                            }
                        pthread_mutex_unlock(&sv->conn_mu);
                    }
                }
            }
            free(cn);
        }
        while ((pfd[0].revents & POLLIN) && np < cap) {
            struct sockaddr_storage sa;
            socklen_t sl = sizeof sa;
            int fd =
                accept4(sv->listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0 && (errno == EMFILE || errno == ENFILE) && spare >= 0) {
                close(spare);
                fd = accept4(sv->listen_fd, (struct sockaddr *)&sa, &sl,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (fd >= 0) {
                    atomic_fetch_add(&sv->conns_refused, 1);
                    gate_refuse(fd, 503, NULL,
                                "the server has no file descriptor left for "
                                "another connection; try again later");
                }
                spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
                listen_after = srv_mono_us() + 100 * 1000;
                break;
            }
            if (fd < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                    errno != ECONNABORTED)
                    listen_after = srv_mono_us() + 100 * 1000; /* ENOBUFS, ENOMEM, EMFILE */
                break;
            }
            struct conn *cn = NULL;
            struct in6_addr a = conn_addr((struct sockaddr *)&sa);
            if (!admit(sv, &a) || !(cn = calloc(1, sizeof *cn))) {
                gate_refuse(fd, 503, NULL,
                            "too many connections (from this address); try again later");
                continue;
            }
            cn->fd = fd;
            cn->addr = a;
            cn->state = C_GATE;
            cn->since_us = srv_mono_us();
            conn_list(sv, cn);
            pend[np++] = cn;
        }
    }
    /* stopping: a connection whose head had not arrived whole is told so, not reset */
    for (size_t i = 0; i < np; i++) {
        conn_unlist(sv, pend[i]);
        gate_refuse(pend[i]->fd, 503, NULL, "the server is stopping; try again later");
        free(pend[i]);
    }
    if (spare >= 0)
        close(spare);
    close(sv->listen_fd);
    srv_gate_release(sv);
    return NULL;
}
