/* audit verify, audit checkpoint, audit show — check the tamper-evident chain (against a
 * signed checkpoint too); sign the chain's head; a deal's trail. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The signing key's file when --key is not given: $XDG_CONFIG_HOME/dealwright/audit-signing.key
 * (~/.config/...): the operator's, outside the workspace and its store. */
static const char *default_key(char *buf, size_t n) {
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    if (xdg && *xdg == '/')
        snprintf(buf, n, "%s/dealwright/audit-signing.key", xdg);
    else if (home && *home == '/')
        snprintf(buf, n, "%s/.config/dealwright/audit-signing.key", home);
    else
        return NULL;
    return buf;
}

static int broken(struct cli *cli, int64_t count, int64_t bad, const struct dw_error *err) {
    char buf[1024];
    dw_error_format(err, buf, sizeof buf);
    if (cli->json) {
        json_t *j = json_pack("{s:b,s:I,s:I,s:s}", "ok", 0, "checked", (json_int_t)count, "bad_seq",
                              (json_int_t)bad, "error", buf);
        cli_print_json(j);
        json_decref(j);
    }
    fprintf(stderr, "dealwright: audit chain BROKEN at record %lld: %s\n", (long long)bad, buf);
    return EXIT_CHECK;
}

static int verify_checkpoint(struct cli *cli, const char *path, const char *key,
                             const char *pubkey) {
    struct dw_error err = {0};
    unsigned char pk[DW_AUDIT_PK_BYTES];
    char def[4096];
    int r;
    if (pubkey) {
        r = dw_audit_pubkey_load(pubkey, pk, &err);
    } else {
        if (!key && !(key = default_key(def, sizeof def)))
            return cli_usage("audit verify --checkpoint: give --public-key FILE or --key FILE");
        struct dw_audit_key k;
        r = dw_audit_key_load(key, false, &k, NULL, &err);
        if (r == 0)
            memcpy(pk, k.pk, sizeof pk);
        dw_audit_key_clear(&k);
    }
    if (r < 0)
        return cli_fail(&err, r);
    _cleanup_free_ char *text = NULL;
    size_t len = 0;
    if ((r = dw_read_file(path, 64 * 1024, &text, &len, &err)) < 0)
        return cli_fail(&err, r);
    json_error_t je;
    _cleanup_json_ json_t *cp = json_loads(text, 0, &je);
    if (!cp) {
        fprintf(stderr, "dealwright: %s:%d:%d: not JSON: %s\n", path, je.line, je.column, je.text);
        return EXIT_INPUT;
    }
    _cleanup_json_ json_t *res = NULL;
    int64_t bad = 0;
    r = dw_audit_checkpoint_verify(cli->engine, cp, pk, &res, &bad, &err);
    if (r == -DW_EINTEGRITY)
        return broken(cli, 0, bad, &err);
    if (r < 0) {
        if (!err.file[0])
            snprintf(err.file, sizeof err.file, "%s", path);
        return cli_fail(&err, r);
    }
    if (cli->json) {
        json_object_set_new(res, "ok", json_true());
        cli_print_json(res);
    } else {
        printf("audit chain intact: %lld records verified; it holds record %lld as signed at %s\n",
               (long long)dw_json_int(res, "checked", 0),
               (long long)dw_json_int(res, "checkpoint_seq", 0),
               dw_json_str(res, "checkpoint_at") ? dw_json_str(res, "checkpoint_at") : "?");
    }
    return EXIT_OK;
}

int cmd_audit_verify(struct cli *cli, int argc, char **argv) {
    bool bad_opt = false;
    const char *cp = cli_opt(&argc, argv, "--checkpoint", &bad_opt);
    const char *key = cli_opt(&argc, argv, "--key", &bad_opt);
    const char *pub = cli_opt(&argc, argv, "--public-key", &bad_opt);
    if (bad_opt || argc != 0 || ((key || pub) && !cp) || (key && pub))
        return cli_usage("usage: dealwright audit verify [--checkpoint FILE [--key FILE | "
                         "--public-key FILE]]");
    if (cp)
        return verify_checkpoint(cli, cp, key, pub);
    struct dw_error err = {0};
    int64_t count = 0, bad = 0;
    int r = dw_audit_verify(cli->engine, &count, &bad, &err);
    if (r == -DW_EINTEGRITY)
        return broken(cli, count, bad, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        json_t *j = json_pack("{s:b,s:I}", "ok", 1, "checked", (json_int_t)count);
        cli_print_json(j);
        json_decref(j);
    } else {
        printf("audit chain intact: %lld records verified\n", (long long)count);
    }
    return EXIT_OK;
}

int cmd_audit_checkpoint(struct cli *cli, int argc, char **argv) {
    bool bad = false;
    const char *key = cli_opt(&argc, argv, "--key", &bad);
    const char *out = cli_opt(&argc, argv, "--out", &bad);
    if (bad || argc != 0)
        return cli_usage("usage: dealwright audit checkpoint [--key FILE] [--out FILE]");
    char def[4096];
    if (!key && !(key = default_key(def, sizeof def)))
        return cli_usage("audit checkpoint: no $HOME or $XDG_CONFIG_HOME; give --key FILE");
    struct dw_error err = {0};
    struct dw_audit_key k;
    bool created = false;
    int r = dw_audit_key_load(key, true, &k, &created, &err);
    if (r < 0)
        return cli_fail(&err, r);
    _cleanup_json_ json_t *cp = NULL;
    r = dw_audit_checkpoint(cli->engine, &k, &cp, &err);
    dw_audit_key_clear(&k);
    if (r < 0)
        return cli_fail(&err, r);
    if (created)
        fprintf(stderr,
                "dealwright: made the signing key %s (mode 0600) and its public key %s.pub\n", key,
                key);
    _cleanup_free_ char *text = json_dumps(cp, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!text)
        return cli_fail(&err, -DW_ENOMEM);
    if (out) {
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", text) < 0)
            return cli_fail(&err, -DW_ENOMEM);
        if ((r = dw_write_file_atomic(out, line, strlen(line), &err)) < 0)
            return cli_fail(&err, r);
        printf("checkpoint of record %lld (hash %.12s...) signed into %s\n",
               (long long)dw_json_int(cp, "seq", 0), dw_json_str(cp, "hash"), out);
    } else {
        printf("%s\n", text);
    }
    return EXIT_OK;
}

int cmd_audit_show(struct cli *cli, int argc, char **argv) {
    int64_t id;
    if (argc != 1 || dw_id_parse('D', argv[0], &id) < 0)
        return cli_usage("usage: dealwright audit show DEAL [--json]");
    struct dw_error err = {0};
    _cleanup_json_ json_t *list = NULL;
    int r = dw_audit_show(cli->engine, id, &list, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (cli->json) {
        cli_print_json(list);
        return EXIT_OK;
    }
    size_t i;
    json_t *a;
    json_array_foreach(list, i, a) {
        const char *h = dw_json_str(a, "hash");
        printf("%6lld %s %-22s %-18s %.12s\n", (long long)dw_json_int(a, "seq", 0),
               dw_json_str(a, "at"), dw_json_str(a, "actor"), dw_json_str(a, "action"), h ? h : "");
    }
    /* the deal's model calls (journaled apart from the chain; the step records name them) */
    _cleanup_json_ json_t *calls = NULL;
    if (dw_model_calls(cli->engine, id, &calls, &err) == 0 && json_array_size(calls)) {
        printf("model calls:\n");
        json_array_foreach(calls, i, a) cli_print_model_call(a);
    }
    return EXIT_OK;
}
