/* lead add — submit leads: one JSON object, or JSON Lines (one lead a line) for bulk import.
 *
 * The whole input is read and checked before anything is stored: a malformed line, an
 * unknown field, an oversized message or invalid UTF-8 anywhere is reported as FILE:LINE:COL
 * (and the field) and nothing is stored; otherwise all leads are stored in one transaction. */
#include <string.h>

#include "agents/agent.h"
#include "cli.h"

#define LEADS_MAX_FILE (256u << 20)
#define LEADS_MAX_COUNT 1000000

static int parse_line(const char *path, int lineno, const char *s, size_t n, json_t *out,
                      struct dw_error *err) {
    if (n > DW_LEAD_MAX_BYTES)
        return dw_error_at(err, -DW_ETOOBIG, path, lineno, 1, "lead is %zu bytes, the limit is %d",
                           n, DW_LEAD_MAX_BYTES);
    size_t bad;
    if (!dw_utf8_valid(s, n, &bad))
        return dw_error_at(err, -DW_EINVAL, path, lineno, (int)bad + 1, "invalid UTF-8");
    json_error_t je;
    json_t *j = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return dw_error_at(err, -DW_EPARSE, path, lineno + je.line - 1,
                           je.column > 0 ? je.column : 1, "%s", je.text);
    if (json_array_size(out) >= LEADS_MAX_COUNT) {
        json_decref(j);
        return dw_error_at(err, -DW_ETOOBIG, path, lineno, 1, "more than %d leads in one import",
                           LEADS_MAX_COUNT);
    }
    json_array_append_new(out, j);
    return 0;
}

int cli_read_leads(const char *path, json_t **ret, struct dw_error *err) {
    char *data;
    size_t len;
    int r = dw_read_file(path, LEADS_MAX_FILE, &data, &len, err);
    if (r < 0)
        return r;
    json_t *out = json_array();
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    /* A single object may span lines; JSON Lines has one object a line. Decide by whether
     * the whole input parses as one value. */
    json_error_t je;
    json_t *whole = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (whole && json_is_object(whole) && len <= DW_LEAD_MAX_BYTES) {
        json_array_append_new(out, whole);
    } else {
        json_decref(whole);
        int lineno = 1;
        for (size_t off = 0; off < len && r >= 0;) {
            const char *nl = memchr(data + off, '\n', len - off);
            size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
            const char *s = data + off;
            size_t k = 0;
            while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r'))
                k++;
            if (k < n)
                r = parse_line(name, lineno, s, n, out, err);
            off += n + 1;
            lineno++;
        }
    }
    free(data);
    if (r < 0) {
        json_decref(out);
        return r;
    }
    if (json_array_size(out) == 0) {
        json_decref(out);
        return dw_error_at(err, -DW_EINVAL, name, 1, 1, "no lead in the input");
    }
    *ret = out;
    return 0;
}

/* The line of the i-th lead in the input (skipping blank lines), for error messages. */
static int line_of(const char *path, size_t index) {
    char *data;
    size_t len;
    if (strcmp(path, "-") == 0 || dw_read_file(path, LEADS_MAX_FILE, &data, &len, NULL) < 0)
        return (int)index + 1;
    size_t seen = 0;
    int line = 1;
    for (size_t off = 0; off < len; line++) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (data + off)) : len - off;
        bool blank = true;
        for (size_t k = 0; k < n; k++)
            blank &= data[off + k] == ' ' || data[off + k] == '\t' || data[off + k] == '\r';
        if (!blank && seen++ == index)
            break;
        off += n + 1;
    }
    free(data);
    return line;
}

int cmd_lead_add(struct cli *cli, int argc, char **argv) {
    if (argc > 1)
        return cli_usage("usage: dealwright lead add [FILE|-]");
    const char *path = argc == 1 ? argv[0] : "-";
    struct dw_error err = {0};
    _cleanup_json_ json_t *leads = NULL, *res = NULL;
    int r = cli_read_leads(path, &leads, &err);
    if (r < 0)
        return cli_fail(&err, r);
    r = dw_leads_submit(cli->engine, leads, &res, &err);
    if (r < 0) {
        if (err.field[0] && err.line > 0) {
            /* dw_leads_submit numbers leads from 1 in err.line; say where in the file */
            char field[sizeof err.field];
            snprintf(field, sizeof field, "%s", err.field);
            int line = json_array_size(leads) > 1 ? line_of(path, (size_t)err.line - 1) : 1;
            fprintf(stderr, "dealwright: %s:%d: field '%s': %s\n",
                    strcmp(path, "-") == 0 ? "<stdin>" : path, line, field, err.msg);
            return cli_error_exit(&err, err.code);
        }
        return cli_fail(&err, r);
    }
    if (cli->json) {
        cli_print_json(res);
        return EXIT_OK;
    }
    size_t i;
    json_t *o;
    json_array_foreach(res, i, o) {
        const char *st = dw_json_str(o, "status");
        if (strcmp(st, "created") == 0)
            printf("%s\n", dw_json_str(o, "deal"));
        else
            printf("%s\t(%s)\n", dw_json_str(o, "deal"), st);
    }
    return EXIT_OK;
}
