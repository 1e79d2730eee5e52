/* dealwright — the command line.
 *
 * `dealwright [-w WORKSPACE] [--db PATH] COMMAND ...`. The table of commands below is the
 * whole surface; each entry says what the core must set up before the command runs
 * (CMD_ENGINE: load the workspace and open the store). Adding a command is adding a
 * cmd-*.c function and a line here (docs/ARCHITECTURE.md has the checklist).
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const struct cmd commands[] = {
    {"init", "DIR", "new workspace from the built-in example", 0, cmd_init},
    {"validate", "", "check the workspace; each problem as FILE:LINE:COL: message", 0,
     cmd_validate},
    {"lead add", "[FILE|-]", "submit a lead (JSON) or many (JSON Lines); prints the deal ids",
     CMD_ENGINE, cmd_lead_add},
    {"run", "", "run the agents until nothing is runnable", CMD_ENGINE, cmd_run},
    {"deals", "[--stage S] [--limit N --after C]", "list deals", CMD_ENGINE, cmd_deals},
    {"deal show", "ID|--all", "one deal, whole (--all: every deal, as a JSON array)", CMD_ENGINE,
     cmd_deal_show},
    {"deal proposal", "ID", "the proposal's Markdown, as the customer reads it", CMD_ENGINE,
     cmd_deal_proposal},
    {"approvals", "[--limit N] [--after C]", "pending approvals", CMD_ENGINE, cmd_approvals},
    {"approve", "ID --as USER [--note T]", "grant an approval", CMD_ENGINE, cmd_approve},
    {"reject", "ID --as USER --reason T", "reject an approval", CMD_ENGINE, cmd_reject},
    {"accept", "DEAL [--revision N] [--as USER] [--customer NAME]",
     "record the customer's acceptance; creates "
     "the order",
     CMD_ENGINE, cmd_accept},
    {"quote discount", "DEAL PCT --as USER", "set a deal's discount: a new quote revision",
     CMD_ENGINE, cmd_quote_discount},
    {"quote diff", "DEAL R1 R2", "what changed between two quote revisions (lines, totals)",
     CMD_ENGINE, cmd_quote_diff},
    {"price", "--solution FILE [--currency X]",
     "price a solution with the price books; prints the quote as JSON (also --country CC, "
     "--discount PCT, --term N)",
     0, cmd_price},
    {"audit verify", "[--checkpoint FILE [--key FILE | --public-key FILE]]",
     "check the audit hash chain (and that it still holds a signed checkpoint)", CMD_ENGINE,
     cmd_audit_verify},
    {"audit checkpoint", "[--key FILE] [--out FILE]",
     "sign the audit chain's head (Ed25519; the key is made on first use)", CMD_ENGINE,
     cmd_audit_checkpoint},
    {"audit show", "DEAL", "a deal's audit trail", CMD_ENGINE, cmd_audit_show},
    {"audit list", "[--action A] [--after SEQ] [--limit N]", "the whole audit chain, oldest first",
     CMD_ENGINE, cmd_audit_list},
    {"events list", "[--type T] [--after SEQ] [--limit N]", "the event log, oldest first",
     CMD_ENGINE, cmd_events_list},
    {"stats", "", "counts: deals by stage, leads, approvals pending, orders, runnable, parked",
     CMD_ENGINE, cmd_stats},
    {"privacy purge", "[--dry-run]", "redact personal data past the retention period", CMD_ENGINE,
     cmd_privacy_purge},
    {"cel eval", "'EXPR' [--rule K] [--var N=JSON]",
     "evaluate a CEL condition; prints the result as JSON", 0, cmd_cel_eval},
    {"extract", "FILE|- [--at TIME]", "the requirements of a lead (JSON) or a message (text)", 0,
     cmd_extract},
    {"eval extraction", "[--set DIR] [--misses]",
     "precision, recall and F1 per field on labelled messages", 0, cmd_eval_extraction},
    {"eval scenarios", "[--set DIR] [--only NAME] [--keep]",
     "whole deals against a deal desk's expectations; every miss named, exit 1 on any", 0,
     cmd_eval_scenarios},
    {"score train", "--csv FILE --target COL --positive V [--exclude C,..]",
     "train the deal-scoring model; stores a new version", CMD_ENGINE, cmd_score_train},
    {"score eval", "--csv FILE --target COL --positive V [--folds K]",
     "k-fold cross-validated AUC of that training", 0, cmd_score_eval},
    {"score show", "[--version N]", "the scoring model in use", CMD_ENGINE, cmd_score_show},
    {"ask", "\"QUESTION\" [--max N]", "answer from the knowledge documents, with citations", 0,
     cmd_ask},
    {"configure", "--requirements FILE [--select SKU=N]",
     "configure from a requirements document; the configuration or the conflict as JSON", 0,
     cmd_configure},
    {"serve", "[--listen ADDR] [--rate N] [...]", "the HTTP API with the agents running behind it",
     CMD_ENGINE, cmd_serve},
    {"token create", "--user U --role R", "a new API token; the secret is shown once", CMD_ENGINE,
     cmd_token_create},
    {"token list", "", "API tokens (never their secrets)", CMD_ENGINE, cmd_token_list},
    {"token revoke", "ID", "revoke an API token", CMD_ENGINE, cmd_token_revoke},
    {"webhook add", "--url URL --events TYPE,... [--secret S]",
     "subscribe a URL to events; a made secret is shown once", CMD_ENGINE, cmd_webhook_add},
    {"webhook list", "", "webhook subscriptions (never their secrets)", CMD_ENGINE,
     cmd_webhook_list},
    {"webhook remove", "ID", "end a webhook subscription", CMD_ENGINE, cmd_webhook_remove},
    {"webhook deliveries", "[--status S] [--limit N --after C]",
     "webhook deliveries and their state", CMD_ENGINE, cmd_webhook_deliveries},
    {"webhook replay", "DELIVERY|--dead", "send dead-lettered deliveries again", CMD_ENGINE,
     cmd_webhook_replay},
    {"webhook deliver", "[--attempts N] [--backoff-ms MS]",
     "one delivery pass (what serve does in the background)", CMD_ENGINE, cmd_webhook_deliver},
    {"agents", "", "the agents in pipeline order: needs, products, tools", 0, cmd_agents},
    {"demo", "[DIR]", "the main job on the example: workspace, sample leads, run, summary", 0,
     cmd_demo},
    {NULL, NULL, NULL, 0, NULL},
};

static void usage(FILE *f) {
    fprintf(f, "usage: dealwright [-w WORKSPACE] [--db PATH] COMMAND [ARGS] [--json]\n\n");
    for (const struct cmd *c = commands; c->name; c++)
        fprintf(f, "  %-16s %-32s %s\n", c->name, c->args, c->help);
    fprintf(f, "\nExit codes: 0 ok, 1 a check failed, 2 bad usage or input, 3 internal error.\n");
}

int cli_exit_code(int code) {
    switch (code < 0 ? -code : code) {
    case DW_OK:
        return EXIT_OK;
    case DW_EVALIDATE:
    case DW_EINTEGRITY:
        return EXIT_CHECK;
    case DW_EINVAL:
    case DW_EPARSE:
    case DW_ETOOBIG:
    case DW_ENOENT:
    case DW_EEXIST:
    case DW_EPERM:
    case DW_ESTATE:
        return EXIT_USAGE;
    default:
        return EXIT_INTERNAL;
    }
}

int cli_fail(const struct dw_error *err, int code) {
    char buf[1024];
    if (err && err->code)
        fprintf(stderr, "dealwright: %s\n", dw_error_format(err, buf, sizeof buf));
    else
        fprintf(stderr, "dealwright: %s\n", dw_strerror(code));
    return cli_exit_code(err && err->code ? err->code : code);
}

int cli_usage(const char *fmt, ...) {
    va_list ap;
    fputs("dealwright: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

int cli_parse_long(const char *s, long min, long max, long *ret) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max)
        return -1;
    *ret = v;
    return 0;
}

void cli_page_next(const json_t *page, const char *cmd, int limit, const char *opt,
                   const char *val) {
    const char *next = page ? dw_json_str(page, "next") : NULL;
    if (!next)
        return;
    fprintf(stderr, "next page: dealwright %s --limit %d --after %s", cmd,
            limit ? limit : DW_PAGE_DEFAULT, next);
    if (opt && val && *val)
        fprintf(stderr, " %s %s", opt, val);
    fputc('\n', stderr);
}

void cli_print_json(const json_t *j) {
    json_dumpf(j, stdout,
               JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    fputc('\n', stdout);
}

static void drop_args(int *argc, char **argv, int at, int n) {
    memmove(argv + at, argv + at + n, (size_t)(*argc - at - n + 1) * sizeof *argv);
    *argc -= n;
}

const char *cli_opt(int *argc, char **argv, const char *name, bool *bad) {
    size_t n = strlen(name);
    for (int i = 0; i < *argc; i++) {
        if (strncmp(argv[i], name, n) != 0)
            continue;
        if (argv[i][n] == '=') {
            const char *v = argv[i] + n + 1;
            drop_args(argc, argv, i, 1);
            return v;
        }
        if (argv[i][n] == '\0') {
            if (i + 1 >= *argc) {
                *bad = true;
                return NULL;
            }
            const char *v = argv[i + 1];
            drop_args(argc, argv, i, 2);
            return v;
        }
    }
    return NULL;
}

bool cli_flag(int *argc, char **argv, const char *name) {
    for (int i = 0; i < *argc; i++)
        if (strcmp(argv[i], name) == 0) {
            drop_args(argc, argv, i, 1);
            return true;
        }
    return false;
}

static bool progress_drawn;

void cli_progress(void *ud, int64_t done, int64_t total, int64_t steps) {
    (void)ud;
    if (!isatty(STDERR_FILENO) || total <= 0)
        return;
    enum { WIDTH = 30 };
    int fill = (int)(done * WIDTH / total);
    char cells[WIDTH + 1];
    for (int i = 0; i < WIDTH; i++)
        cells[i] = i < fill ? '#' : '.';
    cells[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %3d%%  %lld/%lld deals, %lld steps ", cells, (int)(done * 100 / total),
            (long long)done, (long long)total, (long long)steps);
    progress_drawn = true;
}

void cli_progress_done(void) {
    if (progress_drawn)
        fprintf(stderr, "\r%*s\r", 72, "");
    progress_drawn = false;
}

static const struct cmd *find_cmd(int argc, char **argv, int *ret_words) {
    for (const struct cmd *c = commands; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        if (!sp) {
            if (strcmp(argv[0], c->name) == 0) {
                *ret_words = 1;
                return c;
            }
        } else if (argc >= 2 && strncmp(argv[0], c->name, (size_t)(sp - c->name)) == 0 &&
                   argv[0][sp - c->name] == '\0' && strcmp(argv[1], sp + 1) == 0) {
            *ret_words = 2;
            return c;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    /* glibc's fast bins off: freeing a large document (a 1,000-line quote is tens of
     * thousands of small blocks) makes every free that reaches the top of the heap
     * consolidate them, and the next document's allocations pay again. With them off, small
     * blocks still go through the per-thread cache and the ordinary bins: pricing 1,000
     * lines drops from 5.2-5.6 ms to 4.7-4.8 ms p50 and its p99 from 8-11 to 5.2-5.4 ms
     * (bench/README.md "Pricing"). A process-wide setting, so it is the program's to make,
     * here in main(), not the library's: a program that embeds the library keeps its own
     * allocator tuning (and pays the pricing figure above unless it makes the same call). */
    mallopt(M_MXFAST, 0);
    struct cli cli = {.workspace = "."};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if ((strcmp(argv[i], "-w") == 0 || strcmp(argv[i], "--workspace") == 0) && i + 1 < argc)
            cli.workspace = argv[++i];
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            cli.db = argv[++i];
        else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            printf("dealwright 0.1.0\n");
            return EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            cli.json = true;
        } else {
            return cli_usage("unknown option '%s' (see dealwright --help)", argv[i]);
        }
    }
    if (i >= argc) {
        usage(stderr);
        return EXIT_USAGE;
    }
    int words = 0;
    const struct cmd *c = find_cmd(argc - i, argv + i, &words);
    if (!c)
        return cli_usage("unknown command '%s' (see dealwright --help)", argv[i]);
    int cargc = argc - i - words;
    char **cargv = argv + i + words;
    cli.json |= cli_flag(&cargc, cargv, "--json");
    if (cli_flag(&cargc, cargv, "--help")) {
        printf("usage: dealwright %s %s\n  %s\n", c->name, c->args, c->help);
        return EXIT_OK;
    }
    struct dw_error err = {0};
    if (c->flags & CMD_ENGINE) {
        struct dw_diags diags = {0};
        int r = cli_engine_open(&cli, cli.workspace, &cli.engine, &diags, &err);
        if (r < 0) {
            for (size_t k = 0; k < diags.n; k++)
                fprintf(stderr, "%s:%d:%d: %s\n", diags.v[k].file, diags.v[k].line, diags.v[k].col,
                        diags.v[k].msg);
            dw_diags_release(&diags);
            int code = cli_fail(&err, r);
            return r == -DW_EVALIDATE ? EXIT_CHECK : code;
        }
        dw_diags_release(&diags);
    }
    int rc = c->fn(&cli, cargc, cargv);
    dw_engine_close(cli.engine);
    fflush(stdout);
    return rc;
}
