/* The dealwright command line: shared state and helpers of the commands (src/cmd-*.c).
 * Commands are thin: they parse arguments, call the library's public API
 * (include/dealwright.h), and print. They report errors once, here at the edge. */
#ifndef DW_CLI_H
#define DW_CLI_H

#include <stdio.h>

#include "dealwright.h"

/* Exit codes (BLUEPRINT.md "CLI"). */
enum { EXIT_OK = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

struct cli {
    const char *workspace;    /* -w, default "." */
    const char *db;           /* --db (else DW_DB), default WORKSPACE/.dealwright/state.db */
    bool json;                /* --json anywhere on the line */
    struct dw_engine *engine; /* opened for commands with CMD_ENGINE */
};

enum cmd_flags {
    CMD_ENGINE = 1 << 0, /* open the workspace and the store first */
};

struct cmd {
    const char *name; /* one or two words: "run", "lead add" */
    const char *args;
    const char *help;
    unsigned flags;
    int (*fn)(struct cli *cli, int argc, char **argv);
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
/* After a page of a list (dw_deals_page...): when there is a next one, the command that shows
 * it, on stderr ("next page: dealwright deals --limit 50 --after d32"), so that stdout holds
 * only the list. */
void cli_page_next(const json_t *page, const char *cmd, int limit, const char *opt,
                   const char *val);
/* Print JSON (pretty) to stdout. */
void cli_print_json(const json_t *j);
/* Options of the form --name VALUE / --name=VALUE; returns NULL if absent, sets *bad on a
 * missing value. Removes the consumed arguments from argv. */
const char *cli_opt(int *argc, char **argv, const char *name, bool *bad);
bool cli_flag(int *argc, char **argv, const char *name);
/* Progress bar on stderr when it is a terminal. */
void cli_progress(void *ud, int64_t done, int64_t total, int64_t steps);
void cli_progress_done(void);

/* The environment a surface reads for the library (src/cli-env.c): DW_NOW into *ret (0 when
 * unset; -DW_EINVAL naming it when it is not a time), the engine options from the
 * environment and cli->db (--db before DW_DB), and an engine opened with them. */
int cli_now(dw_time_t *ret, struct dw_error *err);
int cli_engine_opts(const struct cli *cli, struct dw_engine_opts *o, struct dw_error *err);
int cli_engine_open(const struct cli *cli, const char *ws_root, struct dw_engine **ret,
                    struct dw_diags *diags, struct dw_error *err);

/* The example workspace compiled into the binary (src/example.c, generated). */
struct example_file {
    const char *path;
    const unsigned char *data;
    size_t len;
};
extern const struct example_file example_files[];
extern const size_t example_n_files;
/* The browser console (console/, compiled into src/console.c) that `serve` answers at /. */
extern const struct example_file console_files[];
extern const size_t console_n_files;
/* Write the example into dir (created; must not exist or be empty). */
int cli_write_example(const char *dir, struct dw_error *err);
/* Parse a file of leads (one JSON object, or JSON Lines) into an array; errors as
 * FILE:LINE:COL. */
int cli_read_leads(const char *path, json_t **ret, struct dw_error *err);
/* The summary table of the demo and `deals`. */
int cli_print_summary(struct dw_engine *e, struct dw_error *err);

#endif
