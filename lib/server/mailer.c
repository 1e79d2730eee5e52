/* The mail sender (runtime.h): the outbox sent through the workspace's SMTP relay by a thread
 * of its own, on its own engine, so that a slow relay delays neither requests, agent steps nor
 * webhooks. Each pass is dw_mail_send_due (include/dealwright/mail.h): claimed before it is
 * sent, marked after, so a CLI `mail send` at the same time never sends a message twice. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "server/runtime.h"

#define PASS_MAX 20 /* messages a pass sends before it looks at `stopping` again */

struct dw_mailer {
    struct dw_engine *e;
    struct dw_smtp_auth auth; /* the caller's strings, valid until dw_mailer_join */
    pthread_t thread;
    atomic_bool stopping;
};

static void *mailer_main(void *arg) {
    struct dw_mailer *m = arg;
    while (!atomic_load(&m->stopping)) {
        struct dw_error err = {0};
        json_t *res = NULL;
        int r = dw_mail_send_due(m->e, &m->auth, PASS_MAX, &res, &err);
        json_decref(res);
        if (r < 0) {
            char buf[1024];
            fprintf(stderr, "dealwright serve: mail: %s\n", dw_error_format(&err, buf, sizeof buf));
        }
        for (int i = 0; i < 10 && !atomic_load(&m->stopping); i++)
            usleep(100 * 1000);
    }
    return NULL;
}

struct dw_mailer *dw_mailer_start(struct dw_engine *e, const struct dw_smtp_auth *auth) {
    struct dw_mailer *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->e = e;
    if (auth)
        m->auth = *auth;
    if (pthread_create(&m->thread, NULL, mailer_main, m) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void dw_mailer_stop(struct dw_mailer *m) {
    if (m)
        atomic_store(&m->stopping, true);
}

void dw_mailer_join(struct dw_mailer *m) {
    if (!m)
        return;
    pthread_join(m->thread, NULL);
    free(m);
}
