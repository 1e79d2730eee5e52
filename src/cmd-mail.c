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
                          json_object_get(sub, "deal"), "status",
                          json_object_get(sub, "status"));
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
