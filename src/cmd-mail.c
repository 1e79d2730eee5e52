/* Mail at the command line: `lead add` of a mail, a folder of them or a maildir; `deal mail`
 * (the message a deal sends, written to a file or queued for the relay); `mail send` (the
 * outbox through the workspace's SMTP relay) and `mail outbox`.
 *
 * A bounce or an automatic reply is reported and stored as nothing, with exit 0: the input
 * was read correctly, and a mail system that pipes its mail into `lead add` must not treat
 * the answer as a failure and bounce the bounce. A malformed mail anywhere is exit 2 and
 * nothing is stored, for a folder as for one file. The relay's user and password come from
 * the environment variables dealwright.yaml names, read here and handed to the library. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

/* `lead add` of mail: path a file or a folder (data NULL), or data already read (a file or
 * stdin that looked like mail). */
int cli_lead_add_mail(struct cli *cli, const char *path, const char *data, size_t len) {
    struct dw_error err = {0};
    _cleanup_json_ json_t *mails = NULL, *leads = json_array(), *res = NULL;
    int r;
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    if (data) {
        json_t *one = NULL;
        if ((r = dw_mail_parse(data, len, name, &one, &err)) < 0)
            return cli_fail(&err, r);
        mails = json_array();
        json_object_set_new(one, "file", json_string(name));
        json_array_append_new(mails, one);
    } else if ((r = dw_mail_read_path(path, &mails, &err)) < 0) {
        return cli_fail(&err, r);
    }
    size_t i;
    json_t *m;
    json_array_foreach(mails, i, m) {
        if (json_is_object(json_object_get(m, "lead")))
            json_array_append(leads, json_object_get(m, "lead"));
    }
    if (json_array_size(leads) > 0 && (r = dw_leads_submit(cli->engine, leads, &res, &err)) < 0) {
        if (err.field[0] && err.line > 0) {
            /* err.line numbers the leads from 1: say which mail */
            size_t k = 0, want = (size_t)err.line;
            const char *file = name;
            json_array_foreach(mails, i, m) {
                if (json_is_object(json_object_get(m, "lead")) && ++k == want)
                    file = dw_json_str(m, "file");
            }
            fprintf(stderr, "dealwright: %s: field '%s': %s\n", file, err.field, err.msg);
            return cli_error_exit(&err, err.code);
        }
        return cli_fail(&err, r);
    }
    /* one line (or object) per mail, in input order */
    _cleanup_json_ json_t *out = json_array();
    size_t k = 0;
    json_array_foreach(mails, i, m) {
        json_t *o;
        if (json_is_object(json_object_get(m, "lead"))) {
            json_t *sub = json_array_get(res, k++);
            o = json_pack("{s:O,s:s,s:O,s:O,s:O}", "file", json_object_get(m, "file"), "kind",
                          "lead", "lead", json_object_get(sub, "lead"), "deal",
                          json_object_get(sub, "deal"), "status", json_object_get(sub, "status"));
        } else {
            o = json_pack("{s:O,s:O,s:n,s:n,s:O,s:O}", "file", json_object_get(m, "file"), "kind",
                          json_object_get(m, "kind"), "lead", "deal", "status",
                          json_object_get(m, "kind"), "reason", json_object_get(m, "reason"));
        }
        json_array_append_new(out, o);
    }
    if (cli->json) {
        cli_print_json(out);
        return EXIT_OK;
    }
    bool many = json_array_size(out) > 1 || !data;
    json_array_foreach(out, i, m) {
        const char *st = dw_json_str(m, "status");
        const char *deal = dw_json_str(m, "deal");
        if (!deal)
            printf("-\t(%s: %s)", st, dw_json_str(m, "reason"));
        else if (strcmp(st, "created") == 0)
            printf("%s", deal);
        else
            printf("%s\t(%s)", deal, st);
        if (many)
            printf("\t%s", dw_json_str(m, "file"));
        printf("\n");
    }
    return EXIT_OK;
}

/* deal mail ID [--kind reply|proposal] [-o FILE] [--queue]: the message, on stdout or in
 * FILE; --queue puts it in the outbox for `mail send`. */
int cmd_deal_mail(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *kind = cli_opt(&argc, argv, "--kind", &bad);
    const char *out = cli_opt(&argc, argv, "-o", &bad);
    bool queue = cli_flag(&argc, argv, "--queue");
    if (bad || argc != 1)
        return cli_usage(
            "usage: dealwright deal mail ID [--kind reply|proposal] [-o FILE.eml] [--queue]");
    struct dw_error err = {0};
    int r;
    if (queue) {
        _cleanup_json_ json_t *res = NULL;
        if ((r = dw_mail_queue(cli->engine, argv[0], kind, getenv("USER"), &res, &err)) < 0)
            return cli_fail(&err, r);
        if (cli->json)
            cli_print_json(res);
        else
            printf("%s\toutbox %lld\t%s\t%s\n", dw_json_str(res, "deal"),
                   (long long)dw_json_int(res, "id", 0), dw_json_str(res, "message_id"),
                   json_is_true(json_object_get(res, "created")) ? "queued" : "already queued");
        return EXIT_OK;
    }
    _cleanup_free_ char *data = NULL;
    size_t len = 0;
    _cleanup_json_ json_t *meta = NULL;
    if ((r = dw_deal_mail(cli->engine, argv[0], kind, &data, &len, &meta, &err)) < 0)
        return cli_fail(&err, r);
    if (out) {
        if ((r = dw_write_file_atomic(out, data, len, &err)) < 0)
            return cli_fail(&err, r);
        if (cli->json)
            cli_print_json(meta);
        else
            printf("%s\t%s\t%s\n", out, dw_json_str(meta, "message_id"),
                   dw_json_str(meta, "subject"));
        return EXIT_OK;
    }
    if (cli->json) {
        json_object_set_new(meta, "message", json_stringn(data, len));
        cli_print_json(meta);
        return EXIT_OK;
    }
    fwrite(data, 1, len, stdout);
    return EXIT_OK;
}

/* A variable named by mail.smtp: its value, or NULL with the problem printed. */
static const char *secret_env(const char *name, const char *key, bool *bad) {
    if (!name)
        return NULL;
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "dealwright: the environment variable %s (mail.smtp.%s) is not set\n", name,
                key);
        *bad = true;
    }
    return v;
}

int cli_smtp_auth(const struct dw_workspace *ws, struct dw_smtp_auth *ret) {
    const char *user_env, *password_env;
    dw_mail_smtp_env(ws, &user_env, &password_env);
    bool missing = false;
    ret->user = secret_env(user_env, "user_env", &missing);
    ret->password = secret_env(password_env, "password_env", &missing);
    return missing ? -1 : 0;
}

int cmd_mail_send(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *max_s = cli_opt(&argc, argv, "--max", &bad);
    (void)argv;
    long max = 0;
    if (bad || argc != 0 || (max_s && cli_parse_long(max_s, 1, 10000, &max) < 0))
        return cli_usage("usage: dealwright mail send [--max N]");
    struct dw_smtp_auth auth = {0};
    if (cli_smtp_auth(dw_engine_workspace(cli->engine), &auth) < 0)
        return EXIT_INPUT;
    struct dw_error err = {0};
    _cleanup_json_ json_t *res = NULL;
    int r = dw_mail_send_due(cli->engine, &auth, (int)max, &res, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(res);
        return EXIT_OK;
    }
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(res, "items"), i, it) {
        const char *e = dw_json_str(it, "error");
        printf("%lld\t%s\t%s%s%s\n", (long long)dw_json_int(it, "id", 0), dw_json_str(it, "status"),
               dw_json_str(it, "message_id"), e ? "\t" : "", e ? e : "");
    }
    printf("mail: %lld sent, %lld to retry, %lld dead\n", (long long)dw_json_int(res, "sent", 0),
           (long long)dw_json_int(res, "retry", 0), (long long)dw_json_int(res, "dead", 0));
    return EXIT_OK;
}

int cmd_mail_outbox(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *status = cli_opt(&argc, argv, "--status", &bad);
    (void)argv;
    if (bad || argc != 0)
        return cli_usage("usage: dealwright mail outbox [--status pending|sending|sent|dead]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *rows = NULL;
    int r = dw_mail_outbox(cli->engine, status, &rows, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(rows);
        return EXIT_OK;
    }
    size_t i;
    json_t *m;
    printf("ID\tDEAL\tKIND\tSTATUS\tATTEMPTS\tTO\tMESSAGE-ID\n");
    json_array_foreach(rows, i, m) {
        printf("%lld\t%s\t%s\t%s\t%lld\t%s\t%s\n", (long long)dw_json_int(m, "id", 0),
               dw_json_str(m, "deal"), dw_json_str(m, "kind"), dw_json_str(m, "status"),
               (long long)dw_json_int(m, "attempts", 0), dw_json_str(m, "to"),
               dw_json_str(m, "message_id"));
    }
    return EXIT_OK;
}
