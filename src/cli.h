/* The dealwright command line: shared state and helpers of the commands (src/cmd-*.c).
 * Commands are thin: they parse arguments, call the library's public API
 * (include/dealwright/, nothing else of lib/), and print. They report errors once, here at the
 * edge. */
#ifndef DW_CLI_H
#define DW_CLI_H

#include <stdio.h>
#include <stdlib.h>

#include <dealwright/dealwright.h>

/* Scope-bound cleanup for the commands (gcc and clang): a variable marked so is freed
 * (json_decref'd) when it goes out of scope. */
static inline void cli__freep(void *p) {
    free(*(void **)p);
}
static inline void cli__json_decrefp(json_t **p) {
    if (*p)
        json_decref(*p);
}
#ifndef _cleanup_free_
#define _cleanup_free_ __attribute__((cleanup(cli__freep)))
#endif
#ifndef _cleanup_json_
#define _cleanup_json_ __attribute__((cleanup(cli__json_decrefp)))
#endif
#ifndef DW_TAKE_PTR /* hand over ownership out of a _cleanup_ variable */
#define DW_TAKE_PTR(p)                                                                             \
    ({                                                                                             \
        __typeof__(p) dw__tmp = (p);                                                               \
        (p) = NULL;                                                                                \
        dw__tmp;                                                                                   \
    })
#endif
#ifndef DW_ARRAY_SIZE
#define DW_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* Exit codes: the four of the CLI contract (BLUEPRINT.md, `dealwright help exit-codes`,
 * README.md), the same in every command. Scripts depend on them, so the kinds of failure a
 * command can meet are named here but share the contract's codes: usage, workspace, input,
 * not-found and refused are all "bad usage or bad input" (2), and the message on stderr says
 * which. cli_exit_code() maps the library's DW_E* codes onto them. */
enum {
    EXIT_OK = 0,        /* done */
    EXIT_CHECK = 1,     /* a check answered no: audit chain broken, evaluation below goal... */
    EXIT_USAGE = 2,     /* the command line: unknown command or option, missing value */
    EXIT_WORKSPACE = 2, /* no workspace found, or it does not validate */
    EXIT_INPUT = 2,     /* bad input data: a file or value given is malformed or too big */
    EXIT_NOTFOUND = 2,  /* what was named (deal, approval, token, file) does not exist */
    EXIT_REFUSED = 2,   /* refused: the current state, a policy or a permission forbids it */
    EXIT_INTERNAL = 3,  /* the environment or a bug: I/O, store busy, out of memory */
};

struct cli {
    const char *workspace;    /* -w, $DW_WORKSPACE, or found from the current folder up */
    const char *db;           /* --db (else DW_DB), default WORKSPACE/.dealwright/state.db */
    bool json;                /* --json anywhere on the line */
    struct dw_engine *engine; /* opened for commands with CMD_ENGINE */
};

enum cmd_flags {
    CMD_ENGINE = 1 << 0,    /* open the workspace and the store first */
    CMD_WORKSPACE = 1 << 1, /* needs a workspace (found before the command runs) */
};

enum opt_flags {
    OPT_REQUIRED = 1 << 0, /* the command cannot run without it */
    OPT_MULTI = 1 << 1,    /* may be given more than once; cli_opt() returns each in turn */
};

/* One option of a command: "--name ARG" (arg NULL: a flag), one sentence of help. */
struct cli_option {
    const char *name;
    const char *arg;
    const char *help;
    unsigned flags;
};

/* One command: its words, positional arguments, a one-line summary, an example, and every
 * option. The table (src/main.c) is the whole surface: parsing, help, did-you-mean and
 * the bash completion all read it, so an option that is not in it does not exist. */
struct cmd {
    const char *name; /* one or two words: "run", "lead add" */
    const char *args; /* positional arguments: "ID", "[FILE|-]" */
    const char *help;
    unsigned flags;
    int (*fn)(struct cli *cli, int argc, char **argv);
    const struct cli_option *opts; /* ends with {NULL}; NULL for none */
    const char *example;           /* a command line that runs on the example workspace */
};

extern const struct cmd commands[];

/* The commands (src/cmd-*.c). */
int cmd_init(struct cli *, int, char **);
int cmd_validate(struct cli *, int, char **);
int cmd_lead_add(struct cli *, int, char **);
int cmd_run(struct cli *, int, char **);
int cmd_deals(struct cli *, int, char **);
int cmd_deal_show(struct cli *, int, char **);
int cmd_deal_proposal(struct cli *, int, char **);
int cmd_deal_link(struct cli *, int, char **);
int cmd_deal_book(struct cli *, int, char **);
int cmd_deal_ics(struct cli *, int, char **);
int cmd_deals_export(struct cli *, int, char **);
int cmd_quotes_export(struct cli *, int, char **);
/* lead add of a CSV file (src/cmd-csv.c) */
int cli_lead_add_csv(struct cli *cli, const char *path, const char *map);
int cmd_approvals(struct cli *, int, char **);
int cmd_approve(struct cli *, int, char **);
int cmd_reject(struct cli *, int, char **);
int cmd_accept(struct cli *, int, char **);
int cmd_quote_discount(struct cli *, int, char **);
int cmd_quote_diff(struct cli *, int, char **);
int cmd_price(struct cli *, int, char **);
int cmd_audit_verify(struct cli *, int, char **);
int cmd_audit_checkpoint(struct cli *, int, char **);
int cmd_audit_show(struct cli *, int, char **);
int cmd_model_check(struct cli *, int, char **);
int cmd_model_calls(struct cli *, int, char **);
int cmd_model_ask(struct cli *, int, char **);
void cli_print_model_call(const json_t *call); /* cmd-model.c */
int cmd_demo(struct cli *, int, char **);
int cmd_privacy_purge(struct cli *, int, char **);
int cmd_agents(struct cli *, int, char **);
int cmd_cel_eval(struct cli *, int, char **);
int cmd_extract(struct cli *, int, char **);
int cmd_eval_extraction(struct cli *, int, char **);
int cmd_eval_scenarios(struct cli *, int, char **);
int cmd_score_train(struct cli *, int, char **);
int cmd_score_eval(struct cli *, int, char **);
int cmd_score_show(struct cli *, int, char **);
int cmd_ask(struct cli *, int, char **);
int cmd_configure(struct cli *, int, char **);
int cmd_serve(struct cli *, int, char **);
int cmd_worker(struct cli *, int, char **);
int cmd_token_create(struct cli *, int, char **);
int cmd_token_list(struct cli *, int, char **);
int cmd_token_revoke(struct cli *, int, char **);
int cmd_webhook_add(struct cli *, int, char **);
int cmd_webhook_list(struct cli *, int, char **);
int cmd_webhook_remove(struct cli *, int, char **);
int cmd_webhook_deliveries(struct cli *, int, char **);
int cmd_webhook_replay(struct cli *, int, char **);
int cmd_webhook_deliver(struct cli *, int, char **);
int cmd_events_list(struct cli *, int, char **);
int cmd_audit_list(struct cli *, int, char **);
int cmd_stats(struct cli *, int, char **);
/* mail (src/cmd-mail.c) */
int cli_lead_add_mail(struct cli *cli, const char *path, const char *data, size_t len);
int cmd_deal_mail(struct cli *, int, char **);
int cmd_mail_send(struct cli *, int, char **);
int cmd_mail_outbox(struct cli *, int, char **);
/* The relay's user and password from the variables the workspace names; -1 (printed) when
 * one is named and not set. */
int cli_smtp_auth(const struct dw_workspace *ws, struct dw_smtp_auth *ret);
/* deal show --all: every deal, whole, as one JSON array (src/cmd-state.c) */
int cli_deals_show_all(struct cli *cli, int argc);

/* Print an error as "dealwright: message" and return the exit code for its class. */
int cli_fail(const struct dw_error *err, int code);
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A decimal integer in [min, max], the whole string; -1 otherwise. */
int cli_parse_long(const char *s, long min, long max, long *ret);
struct dw_webhook_opts;
int cli_webhook_opts(const char *prefix, const char *attempts, const char *backoff,
                     struct dw_webhook_opts *o);
int cli_exit_code(int code);
/* The exit code of a failed call: cli_exit_code() of its error, except that a name in a
 * field of the input that does not exist is bad input (EXIT_INPUT). */
int cli_error_exit(const struct dw_error *err, int code);
/* After a page of a list (dw_deals_page...): when there is a next one, the command that shows
 * it, on stderr ("next page: dealwright deals --limit 50 --after d32"), so that stdout holds
 * only the list. */
void cli_page_next(const json_t *page, const char *cmd, int limit, const char *opt,
                   const char *val);
/* Print JSON (pretty) to stdout. */
void cli_print_json(const json_t *j);
/* The options main() parsed from the command line against the command's table: the value
 * of --name (each in turn for an OPT_MULTI option), NULL when absent. argc and argv are the
 * positional arguments only and are left as they are; *bad is set when name is not in the
 * command's table (a programming error, also reported). */
const char *cli_opt(int *argc, char **argv, const char *name, bool *bad);
bool cli_flag(int *argc, char **argv, const char *name);
/* The exit code of a failed workspace load (r < 0): EXIT_WORKSPACE for an invalid one. */
int cli_workspace_exit(int r);
/* Print a bad-input error ("dealwright: message") and return EXIT_INPUT. */
int cli_bad_input(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Text in columns (src/cli-text.c). The display width of UTF-8 text: wide East Asian
 * characters count 2, combining marks 0, invalid bytes 1 (shown as '?'). */
int cli_text_width(const char *s);
/* Print s in a column of `width` display cells, padded with spaces (right-aligned with
 * right), cut at a character boundary with '…' when wider; control characters and
 * invalid UTF-8 shown as '?'. NULL prints "-". */
void cli_cell(FILE *f, const char *s, int width, bool right);
/* Text that came from outside (a customer's words, an account's name) written for a
 * terminal: control characters (C0, DEL, C1: escape sequences among them) and invalid
 * UTF-8 as '?', so printed text cannot move the cursor, recolour or retitle the terminal.
 * Line breaks and tabs are kept with keep_lines, spaces otherwise. */
void cli_put_text(FILE *f, const char *s, bool keep_lines);

/* Help, did-you-mean and completion from the table (src/cli-help.c). */
const struct cmd *cli_find(const char *w1, const char *w2);
bool cli_is_family(const char *word);
void cli_help_overview(FILE *f);
void cli_help_command(FILE *f, const struct cmd *c);
int cli_help_family(FILE *f, const char *family);
void cli_help_exit_codes(FILE *f);
/* The closest candidates to typed (Damerau-Levenshtein), as "; did you mean 'x'?", or "". */
void cli_suggest(const char *typed, const char *const *cands, size_t n, char *buf, size_t size);
void cli_completion_bash(FILE *f);
extern const struct cli_option cli_global_options[];
/* Progress bar on stderr when it is a terminal. */
void cli_progress(void *ud, int64_t done, int64_t total, int64_t steps);
void cli_progress_done(void);

/* The environment a surface reads for the library (src/cli-env.c): DW_NOW into *ret (0 when
 * unset; -DW_EINVAL naming it when it is not a time), the engine options from the
 * environment and cli->db (--db before DW_DB), and an engine opened with them. */
int cli_now(dw_time_t *ret, struct dw_error *err);
int cli_engine_opts(const struct cli *cli, struct dw_engine_opts *o, struct dw_error *err);
/* A model provider's key: the environment variable models.yaml names (struct
 * dw_engine_opts.model_key). */
const char *cli_model_key(void *ud, const char *name);
/* `eval extraction --model` (src/cmd-eval-model.c): the labelled files read by the rules and
 * by the rules plus the workspace's model, side by side. */
int cli_eval_extraction_model(struct cli *cli, const char *dir, const char *const *files, size_t n,
                              bool verbose);
int cli_engine_open(const struct cli *cli, const char *ws_root, struct dw_engine **ret,
                    struct dw_diags *diags, struct dw_error *err);

/* A file compiled into the binary (src/console.c, generated by src/embed.py). */
struct example_file {
    const char *path;
    const unsigned char *data;
    size_t len;
};
/* The browser console (console/, compiled into src/console.c) that `serve` answers at /. */
extern const struct example_file console_files[];
extern const size_t console_n_files;
/* The summary table of the demo and `deals`. */
int cli_print_summary(struct dw_engine *e, struct dw_error *err);

#endif
