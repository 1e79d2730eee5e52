/* lead add — submit leads: one JSON object, or JSON Lines (one lead a line) for bulk import;
 * a mail, a folder of mails or a maildir goes to src/cmd-mail.c.
 *
 * The whole input is read and checked before anything is stored: a malformed line, an
 * unknown field, an oversized message or invalid UTF-8 anywhere is reported as FILE:LINE:COL
 * (and the field) and nothing is stored; otherwise all leads are stored in one transaction. */
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

/* The line of the i-th lead in the input (skipping blank lines), for error messages. */
static int line_of(const char *path, size_t index) {
    char *data;
    size_t len;
    if (strcmp(path, "-") == 0 || dw_read_file(path, DW_LEADS_MAX_FILE, &data, &len, NULL) < 0)
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
    bool bad = false;
    const char *map = cli_opt(&argc, argv, "--map", &bad);
    size_t plen = strlen(path);
    if (bad || map || (plen > 4 && strcasecmp(path + plen - 4, ".csv") == 0))
        return bad ? EXIT_USAGE : cli_lead_add_csv(cli, path, map); /* src/cmd-csv.c */
    struct dw_error err = {0};
    _cleanup_json_ json_t *leads = NULL, *res = NULL;
    /* a folder is mail (*.eml, or a maildir); so is a file that starts like a mail */
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
        return cli_lead_add_mail(cli, path, NULL, 0);
    _cleanup_free_ char *data = NULL;
    size_t len;
    int r = dw_read_file(path, DW_LEADS_MAX_FILE, &data, &len, &err);
    if (r < 0)
        return cli_fail(&err, r);
    if (dw_mail_sniff(data, len))
        return cli_lead_add_mail(cli, path, data, len);
    r = dw_leads_read_data(strcmp(path, "-") == 0 ? "<stdin>" : path, data, len, &leads, &err);
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
