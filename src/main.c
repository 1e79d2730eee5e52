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

/* Options shared by several commands. */
#define OPT_LIMIT                                                                                  \
    {                                                                                              \
        "--limit", "N",                                                                            \
            "a page of at most N items (1-1000); the next page's command is printed on stderr", 0  \
    }
#define OPT_AFTER                                                                                  \
    { "--after", "CURSOR", "the page after CURSOR (given with the previous page)", 0 }
/* Traces: the commands that run the control plane or call out (docs/internals/tracing.md). A
 * command whose table has it gets its engine's tracer from it or DW_OTLP (open_tracer). */
#define OPT_OTLP                                                                                   \
    {                                                                                              \
        "--otlp", "URL",                                                                           \
            "export traces to this OpenTelemetry collector (OTLP/HTTP, http://HOST:4318; "         \
            "default: $DW_OTLP)",                                                                  \
            0                                                                                      \
    }
#define OPT_END                                                                                    \
    { NULL, NULL, NULL, 0 }

const struct cli_option cli_global_options[] = {
    {"-w", "DIR",
     "the workspace (also --workspace; default: $DW_WORKSPACE, or the first folder from here up "
     "holding dealwright.yaml)",
     0},
    {"--db", "PATH|URL",
     "the state database: a path, sqlite:PATH or postgres://USER@HOST:PORT/DB (password in "
     "PGPASSWORD or ~/.pgpass; default: $DW_DB, else WORKSPACE/.dealwright/state.db)",
     0},
    {"--json", NULL, "print JSON instead of text (anywhere on the line)", 0},
    {"--help", NULL, "help on the command (also -h)", 0},
    {"--version", NULL, "the version of dealwright", 0},
    OPT_END,
};

static const struct cli_option deals_opts[] = {
    {"--stage", "STAGE",
     "only deals in STAGE (new, qualifying, needs_info, disqualified, scoping, pricing, "
     "awaiting_approval, proposal_ready, ordered, lost)",
     0},
    OPT_LIMIT,
    OPT_AFTER,
    OPT_END,
};
static const struct cli_option approvals_opts[] = {
    {"--status", "STATUS",
     "which approvals: pending (the default), approved, rejected, or all (void ones too)", 0},
    OPT_LIMIT,
    OPT_AFTER,
    OPT_END,
};
static const struct cli_option approve_opts[] = {
    {"--as", "USER", "the approver: a user of team.yaml whose role may decide", OPT_REQUIRED},
    {"--note", "TEXT", "a note kept with the decision", 0},
    OPT_OTLP,
    OPT_END,
};
static const struct cli_option reject_opts[] = {
    {"--as", "USER", "the approver: a user of team.yaml whose role may decide", OPT_REQUIRED},
    {"--reason", "TEXT", "why, kept with the decision and shown to the deal's owner", OPT_REQUIRED},
    OPT_OTLP,
    OPT_END,
};
static const struct cli_option export_opts[] = {
    {"--format", "FORMAT", "csv (the default) or json", 0},
    {"-o", "FILE", "write it here (default: stdout)", 0},
    OPT_END,
};

static const struct cli_option run_opts[] = {
    OPT_OTLP,
    OPT_END,
};
static const struct cli_option lead_add_opts[] = {
    {"--map", "FIELD=COLUMN,...",
     "a CSV's columns for the lead's fields (external_id, name, first_name, last_name, email, "
     "phone, company, country, title, subject, message, received_at)",
     0},
    OPT_OTLP,
    OPT_END,
};

static const struct cli_option book_opts[] = {
    {"--as", "USER", "who books it: a team.yaml user with a role of demo.book_roles", OPT_REQUIRED},
    {"--cancel", NULL, "cancel the deal's booked demo (no SLOT)", 0},
    OPT_END,
};

static const struct cli_option ics_opts[] = {
    {"-o", "FILE", "write the invitation here (default: stdout)", 0},
    OPT_END,
};

static const struct cli_option accept_opts[] = {
    {"--revision", "N", "the quote revision accepted (default: the latest)", 0},
    {"--as", "USER", "the seller who records it, a team.yaml user (the audit actor)", 0},
    {"--customer", "NAME", "who signed at the buyer", 0},
    OPT_OTLP,
    OPT_END,
};
static const struct cli_option discount_opts[] = {
    {"--as", "USER", "who sets it, a team.yaml user; beyond their band it needs approval",
     OPT_REQUIRED},
    OPT_OTLP,
    OPT_END,
};
static const struct cli_option price_opts[] = {
    {"--solution", "FILE", "the solution to price: {\"lines\": [{\"sku\", \"quantity\"}]}",
     OPT_REQUIRED},
    {"--currency", "CODE", "the price book's currency (default: the company's)", 0},
    {"--country", "CC", "the buyer's country (ISO 3166 alpha-2), for regional prices and tax", 0},
    {"--discount", "PCT", "a discount in percent", 0},
    {"--term", "MONTHS", "the subscription term, 1-600 months", 0},
    OPT_END,
};
static const struct cli_option verify_opts[] = {
    {"--checkpoint", "FILE", "also check that the chain still holds this signed checkpoint", 0},
    {"--key", "FILE", "the signing key whose public half checks the checkpoint", 0},
    {"--public-key", "FILE", "the public key that checks the checkpoint", 0},
    OPT_END,
};
static const struct cli_option checkpoint_opts[] = {
    {"--key", "FILE",
     "the Ed25519 signing key (default: ~/.config/dealwright/audit-signing.key, made on first use)",
     0},
    {"--out", "FILE", "write the checkpoint here (default: stdout)", 0},
    OPT_END,
};
static const struct cli_option purge_opts[] = {
    {"--dry-run", NULL, "list the deals past the retention period; change nothing", 0},
    OPT_END,
};
static const struct cli_option cel_opts[] = {
    {"--rule", "KIND", "check the condition as a rule of KIND (quote or qualify) reads it", 0},
    {"--var", "NAME=JSON", "a variable the condition reads; repeat for more", OPT_MULTI},
    OPT_END,
};
static const struct cli_option extract_opts[] = {
    {"--at", "TIME", "when the message was received (RFC 3339), for relative dates", 0},
    OPT_END,
};
static const struct cli_option eval_extraction_opts[] = {
    {"--set", "DIR", "the labelled messages (default: tests/data/extraction)", 0},
    {"--misses", NULL, "list every miss", 0},
    {"--holdout", NULL,
     "score against the held-out goal (90 %); implied when the set has a HOLDOUT file", 0},
    {"--floors", "FILE",
     "exit by these minimum F1 per language and field instead of the goal (JSON)", 0},
    {"--model", NULL, "also read each message with the model of models.yaml; compare", 0},
    OPT_END,
};
static const struct cli_option eval_scenarios_opts[] = {
    {"--set", "DIR", "the scenarios (default: tests/data/scenarios)", 0},
    {"--only", "NAME", "run only the scenario NAME", 0},
    {"--keep", NULL, "keep each scenario's scratch workspace", 0},
    {"--models", "FILE", "a models.yaml put into each scenario's workspace: agents use a model", 0},
    OPT_END,
};
#define SCORE_OPTS                                                                                 \
    {"--csv", "FILE", "the deal history, one closed deal a row", OPT_REQUIRED},                    \
        {"--target", "COLUMN", "the column holding the outcome", OPT_REQUIRED},                    \
        {"--positive", "VALUE", "the outcome counted as a win", OPT_REQUIRED},                     \
        {"--exclude", "COL,...", "columns not to learn from", 0},                                  \
        {"--delimiter", "D", "the column separator: , or ; or tab (default: guessed)", 0},         \
        {"--rounds", "N", "boosting rounds", 0},                                                   \
        {"--max-depth", "N", "the depth of each tree", 0}, {"--eta", "X", "the learning rate", 0}, \
        {"--min-child-weight", "X", "the least weight in a leaf", 0},                              \
        {"--subsample", "X", "the share of rows each tree sees (0-1]", 0},                         \
        {"--colsample", "X", "the share of columns each tree sees (0-1]", 0}, {                    \
        "--threads", "N", "threads to train with", 0                                               \
    }
static const struct cli_option score_train_opts[] = {SCORE_OPTS, OPT_END};
static const struct cli_option score_eval_opts[] = {
    SCORE_OPTS,
    {"--folds", "K", "cross-validation folds, 2-20 (default 10)", 0},
    OPT_END,
};
static const struct cli_option score_show_opts[] = {
    {"--version", "N", "that model version (default: the one in use)", 0},
    OPT_END,
};
static const struct cli_option ask_opts[] = {
    {"--max", "N", "at most N answers, 1-50", 0},
    {"--answer", NULL, "compose an answer with citations (models.yaml task answers), checked", 0},
    OPT_END,
};
static const struct cli_option configure_opts[] = {
    {"--requirements", "FILE", "the requirements (JSON, as `extract --json` prints them)",
     OPT_REQUIRED},
    {"--select", "SKU=N", "force N of SKU; repeat for more", OPT_MULTI},
    {"--best-effort", NULL, "on a conflict, the closest configuration and what it misses", 0},
    OPT_END,
};
static const struct cli_option serve_opts[] = {
    {"--listen", "ADDR", "HOST:PORT or [IPv6]:PORT (default 127.0.0.1:8080; port 0: any free one)",
     0},
    {"--rate", "N", "requests a second per token before 429", 0},
    {"--webhook-attempts", "N",
     "delivery attempts before a webhook delivery is dead, 1-100 (this process only; "
     "default: dealwright.yaml webhooks.attempts)",
     0},
    {"--webhook-backoff-ms", "MS",
     "the first retry delay, doubled each attempt (this process only; default: "
     "dealwright.yaml webhooks.backoff_ms)",
     0},
    {"--max-connections", "N", "connections open at once", 0},
    {"--per-address", "N", "connections open at once from one client address", 0},
    {"--header-timeout", "S", "seconds a client has to send its request headers", 0},
    OPT_OTLP,
    {"--events", "URL",
     "nats://HOST:PORT: publish events to NATS JetStream, share webhook "
     "delivery and event streams with the other instances",
     0},
    {"--no-worker", NULL, "answer the API only: separate `dealwright worker`s run the agents", 0},
    OPT_END,
};
static const struct cli_option worker_opts[] = {
    {"--concurrency", "N", "threads claiming due deals, each with its own connection (1-64)", 0},
    {"--lease", "S", "seconds a claimed deal stays this worker's without a heartbeat (default 30)",
     0},
    {"--poll-ms", "MS", "how often an idle thread looks for due deals (default 1000)", 0},
    OPT_OTLP,
    {"--events", "URL",
     "nats://HOST:PORT: publish events to NATS JetStream and share webhook "
     "delivery with the other instances",
     0},
    {"--webhook-attempts", "N",
     "with --events: attempts per webhook delivery before it is dead (as serve's; default: "
     "dealwright.yaml webhooks.attempts)",
     0},
    {"--webhook-backoff-ms", "MS",
     "with --events: the first retry's delay, doubling after (as serve's; default: "
     "dealwright.yaml webhooks.backoff_ms)",
     0},
    OPT_END,
};
static const struct cli_option token_create_opts[] = {
    {"--user", "USER", "who holds it: a team.yaml user, or a machine name for integration",
     OPT_REQUIRED},
    {"--role", "ROLE", "its authority: one role the user holds (integration for machines)",
     OPT_REQUIRED},
    OPT_END,
};
static const struct cli_option webhook_add_opts[] = {
    {"--url", "URL", "where to POST the events (http or https)", OPT_REQUIRED},
    {"--events", "TYPE,...", "event types to send; a trailing * matches a family (approval.*)",
     OPT_REQUIRED},
    {"--secret", "S", "the signing secret (default: one is made and shown once)", 0},
    OPT_END,
};
static const struct cli_option deal_show_opts[] = {
    {"--all", NULL, "every deal, whole, as one JSON array (instead of ID)", 0},
    OPT_END,
};
static const struct cli_option deal_proposal_opts[] = {
    {"--format", "FORMAT", "md (the default), html (a self-contained page) or pdf", 0},
    {"-o", "FILE", "write it to FILE (atomically) instead of stdout", 0},
    OPT_END,
};
static const struct cli_option deal_link_opts[] = {
    {"--days", "N", "the link is valid for N days, 1-90 (default 14)", 0},
    {"--as", "USER", "who makes the link (a team.yaml user; audited)", 0},
    {"--base", "URL", "the server's public URL, printed before /p/TOKEN", 0},
    {"--revoke", NULL, "withdraw every open link of the deal", 0},
    {"--list", NULL, "the deal's links and their states (never their tokens)", 0},
    OPT_END,
};
static const struct cli_option model_ask_opts[] = {
    {"--task", "TASK", "extraction, drafting or answers: the models.yaml task", OPT_REQUIRED},
    {"--schema", "FILE", "the answer's JSON Schema (an object)", OPT_REQUIRED},
    {"--vars", "FILE", "the prompt template's data, a JSON object (customer text as data)", 0},
    {"--deal", "DEAL", "journal the call under this deal (asking again replays the answer)", 0},
    OPT_END,
};
static const struct cli_option audit_list_opts[] = {
    {"--action", "ACTION", "only records of this action (deal.accept, step_failed, ...)", 0},
    {"--after", "SEQ", "only records after this sequence number", 0},
    {"--limit", "N", "at most N records", 0},
    OPT_END,
};
static const struct cli_option events_list_opts[] = {
    {"--type", "TYPE", "only events of this type (lead.received, deal.stage_changed, ...)", 0},
    {"--after", "SEQ", "only events after this sequence number", 0},
    {"--limit", "N", "at most N events", 0},
    OPT_END,
};
static const struct cli_option deliveries_opts[] = {
    {"--status", "STATUS", "only deliveries pending, delivered or dead", 0},
    OPT_LIMIT,
    OPT_AFTER,
    OPT_END,
};
static const struct cli_option deal_mail_opts[] = {
    {"--kind", "KIND", "reply (the clarifying questions) or proposal (the proposal letter)", 0},
    {"-o", "FILE", "write the message to FILE.eml instead of stdout", 0},
    {"--queue", NULL, "put it in the outbox for `mail send` instead", 0},
    OPT_END,
};
static const struct cli_option mail_send_opts[] = {
    {"--max", "N", "send at most N messages (default 100)", 0},
    OPT_OTLP,
    OPT_END,
};
static const struct cli_option mail_outbox_opts[] = {
    {"--status", "STATUS", "only messages pending, sending, sent or dead", 0},
    OPT_END,
};
static const struct cli_option replay_opts[] = {
    {"--dead", NULL, "every dead-lettered delivery", 0},
    OPT_END,
};
static const struct cli_option deliver_opts[] = {
    {"--attempts", "N", "attempts before a delivery is dead, 1-100", 0},
    {"--backoff-ms", "MS", "the first retry delay, doubled each attempt", 0},
    OPT_OTLP,
    OPT_END,
};

const struct cmd commands[] = {
    {"init", "DIR", "new workspace from the built-in example", 0, cmd_init, NULL,
     "dealwright init acme"},
    {"validate", "", "check the workspace; each problem as FILE:LINE:COL: message", CMD_WORKSPACE,
     cmd_validate, NULL, "dealwright validate"},
    {"lead add", "[FILE|-]",
     "submit a lead (JSON), many (JSON Lines, or a CRM's CSV export), or mail (FILE.eml, a "
     "folder, a maildir); prints the deal ids",
     CMD_ENGINE, cmd_lead_add, lead_add_opts, "dealwright lead add samples/leads.jsonl"},
    {"run", "", "run the agents until nothing is runnable", CMD_ENGINE, cmd_run, run_opts,
     "dealwright run"},
    {"deals", "", "list deals", CMD_ENGINE, cmd_deals, deals_opts,
     "dealwright deals --stage awaiting_approval"},
    {"deal show", "ID", "one deal, whole", CMD_ENGINE, cmd_deal_show, deal_show_opts,
     "dealwright deal show D-000001"},
    {"deal proposal", "ID", "the proposal as the customer reads it: Markdown, HTML or PDF",
     CMD_ENGINE, cmd_deal_proposal, deal_proposal_opts,
     "dealwright deal proposal D-000001 --format pdf -o proposal.pdf"},
    {"deal link", "ID",
     "a signed, expiring link for the customer to accept, decline or ask for "
     "changes",
     CMD_ENGINE, cmd_deal_link, deal_link_opts,
     "dealwright deal link D-000001 --days 14 --base https://deals.example.com"},
    {"deals export", "", "every deal, one row each, for spreadsheets and CRMs (CSV or JSON)",
     CMD_ENGINE, cmd_deals_export, export_opts,
     "dealwright deals export --format csv -o deals.csv"},
    {"quotes export", "", "every current quote's lines, one row each (CSV or JSON)", CMD_ENGINE,
     cmd_quotes_export, export_opts, "dealwright quotes export -o quotes.csv"},
    {"deal book", "DEAL [SLOT]", "book an offered demo slot for the customer (or --cancel)",
     CMD_ENGINE, cmd_deal_book, book_opts, "dealwright deal book D-000001 1 --as sven"},
    {"deal ics", "DEAL", "the deal's calendar invitation for its booked demo (iCalendar)",
     CMD_ENGINE, cmd_deal_ics, ics_opts, "dealwright deal ics D-000001 -o demo.ics"},
    {"deal mail", "ID", "the deal's mail (reply or proposal letter) as a MIME message", CMD_ENGINE,
     cmd_deal_mail, deal_mail_opts,
     "dealwright deal mail D-000001 --kind proposal -o proposal.eml"},
    {"mail send", "", "send the outbox through the workspace's SMTP relay", CMD_ENGINE,
     cmd_mail_send, mail_send_opts, "dealwright mail send --max 20"},
    {"mail outbox", "", "outgoing mail and its state", CMD_ENGINE, cmd_mail_outbox,
     mail_outbox_opts, "dealwright mail outbox --status dead"},
    {"approvals", "", "approvals, pending ones unless --status says otherwise", CMD_ENGINE,
     cmd_approvals, approvals_opts, "dealwright approvals --status all --limit 20"},
    {"approve", "ID", "grant an approval", CMD_ENGINE, cmd_approve, approve_opts,
     "dealwright approve A-000001 --as maria --note \"volume justifies it\""},
    {"reject", "ID", "reject an approval", CMD_ENGINE, cmd_reject, reject_opts,
     "dealwright reject A-000002 --as maria --reason \"too deep for this volume\""},
    {"accept", "DEAL", "record the customer's acceptance; creates the order", CMD_ENGINE,
     cmd_accept, accept_opts, "dealwright accept D-000001 --as lukas --customer \"Jane Roe\""},
    {"quote discount", "DEAL PCT", "set a deal's discount: a new quote revision", CMD_ENGINE,
     cmd_quote_discount, discount_opts, "dealwright quote discount D-000003 12 --as lukas"},
    {"quote diff", "DEAL R1 R2", "what changed between two quote revisions (lines, totals)",
     CMD_ENGINE, cmd_quote_diff, NULL, "dealwright quote diff D-000003 1 2"},
    {"price", "", "price a solution with the price books; prints the quote as JSON", CMD_WORKSPACE,
     cmd_price, price_opts, "dealwright price --solution solution.json --currency CHF --term 36"},
    {"audit verify", "", "check the audit hash chain (and that it still holds a signed checkpoint)",
     CMD_ENGINE, cmd_audit_verify, verify_opts,
     "dealwright audit verify --checkpoint cp.json --public-key key.pub"},
    {"audit checkpoint", "", "sign the audit chain's head (Ed25519; the key is made on first use)",
     CMD_ENGINE, cmd_audit_checkpoint, checkpoint_opts,
     "dealwright audit checkpoint --out cp.json"},
    {"audit show", "DEAL", "a deal's audit trail", CMD_ENGINE, cmd_audit_show, NULL,
     "dealwright audit show D-000001"},
    {"model check", "[PROVIDER]",
     "ask each provider of models.yaml a tiny structured question: model, latency, structured "
     "output",
     CMD_ENGINE, cmd_model_check, NULL, "dealwright model check local"},
    {"model ask", "PROMPT",
     "ask the task's model with prompts/PROMPT.mustache through the governed path; prints the "
     "answer",
     CMD_ENGINE, cmd_model_ask, model_ask_opts,
     "dealwright model ask extract --task extraction --schema s.json --vars v.json"},
    {"model calls", "DEAL", "a deal's model-call journal (masked requests, answers, verdicts)",
     CMD_ENGINE, cmd_model_calls, NULL, "dealwright model calls D-000001 --json"},
    {"audit list", "", "the whole audit chain, oldest first", CMD_ENGINE, cmd_audit_list,
     audit_list_opts, "dealwright audit list --action deal.accept --json"},
    {"events list", "", "the event log, oldest first", CMD_ENGINE, cmd_events_list,
     events_list_opts, "dealwright events list --type deal.stage_changed --json"},
    {"stats", "", "counts: deals by stage, leads, approvals pending, orders, runnable, parked",
     CMD_ENGINE, cmd_stats, NULL, "dealwright stats --json"},
    {"privacy purge", "", "redact personal data past the retention period", CMD_ENGINE,
     cmd_privacy_purge, purge_opts, "dealwright privacy purge --dry-run"},
    {"cel eval", "EXPR", "evaluate a CEL condition; prints the result as JSON", 0, cmd_cel_eval,
     cel_opts,
     "dealwright cel eval 'quote.discount_pct <= 10.0' --var 'quote={\"discount_pct\": 12.5}'"},
    {"extract", "FILE|-", "the requirements of a lead (JSON) or a message (text)", CMD_WORKSPACE,
     cmd_extract, extract_opts, "dealwright extract message.txt --at 2026-11-20T09:14:00Z"},
    {"eval extraction", "", "precision, recall and F1 per field and language on labelled messages",
     CMD_WORKSPACE, cmd_eval_extraction, eval_extraction_opts,
     "dealwright eval extraction --set tests/data/extraction --misses"},
    {"eval scenarios", "",
     "whole deals against a deal desk's expectations; every miss named, exit 1 on any", 0,
     cmd_eval_scenarios, eval_scenarios_opts,
     "dealwright eval scenarios --set tests/data/scenarios --only NAME"},
    {"score train", "", "train the deal-scoring model; stores a new version", CMD_ENGINE,
     cmd_score_train, score_train_opts,
     "dealwright score train --csv samples/deal-history.csv --target outcome --positive won"},
    {"score eval", "", "k-fold cross-validated AUC of that training", 0, cmd_score_eval,
     score_eval_opts,
     "dealwright score eval --csv samples/deal-history.csv --target outcome --positive won"},
    {"score show", "", "the scoring model in use", CMD_ENGINE, cmd_score_show, score_show_opts,
     "dealwright score show --version 1"},
    {"ask", "QUESTION", "answer from the knowledge documents, with citations", CMD_WORKSPACE,
     cmd_ask, ask_opts, "dealwright ask \"Are you ISO 27001 certified?\" --max 3"},
    {"configure", "",
     "configure from a requirements document; the configuration or the conflict as JSON",
     CMD_WORKSPACE, cmd_configure, configure_opts,
     "dealwright configure --requirements req.json --select NW-AP-650X=4"},
    {"serve", "", "the HTTP API with the agents running behind it", CMD_ENGINE, cmd_serve,
     serve_opts, "dealwright serve --listen 127.0.0.1:8080 --rate 50"},
    {"worker", "", "run the agents beside other workers and servers on one store (leases)",
     CMD_ENGINE, cmd_worker, worker_opts, "dealwright worker --concurrency 2"},
    {"token create", "", "a new API token; the secret is shown once", CMD_ENGINE, cmd_token_create,
     token_create_opts, "dealwright token create --user webform --role integration"},
    {"token list", "", "API tokens (never their secrets)", CMD_ENGINE, cmd_token_list, NULL,
     "dealwright token list"},
    {"token revoke", "ID", "revoke an API token", CMD_ENGINE, cmd_token_revoke, NULL,
     "dealwright token revoke 3"},
    {"webhook add", "", "subscribe a URL to events; a made secret is shown once", CMD_ENGINE,
     cmd_webhook_add, webhook_add_opts,
     "dealwright webhook add --url https://crm.example/hook --events "
     "deal.stage_changed,approval.*"},
    {"webhook list", "", "webhook subscriptions (never their secrets)", CMD_ENGINE,
     cmd_webhook_list, NULL, "dealwright webhook list"},
    {"webhook remove", "ID", "end a webhook subscription", CMD_ENGINE, cmd_webhook_remove, NULL,
     "dealwright webhook remove 2"},
    {"webhook deliveries", "", "webhook deliveries and their state", CMD_ENGINE,
     cmd_webhook_deliveries, deliveries_opts, "dealwright webhook deliveries --status dead"},
    {"webhook replay", "[DELIVERY]",
     "send dead-lettered deliveries again (one, or all with --dead)", CMD_ENGINE,
     cmd_webhook_replay, replay_opts, "dealwright webhook replay --dead"},
    {"webhook deliver", "", "one delivery pass (what serve does in the background)", CMD_ENGINE,
     cmd_webhook_deliver, deliver_opts, "dealwright webhook deliver --attempts 3"},
    {"agents", "", "the agents in pipeline order: needs, products, tools", 0, cmd_agents, NULL,
     "dealwright agents"},
    {"demo", "[DIR]", "the main job on the example: workspace, sample leads, run, summary", 0,
     cmd_demo, NULL, "dealwright demo"},
    {NULL, NULL, NULL, 0, NULL, NULL, NULL},
};

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
        return EXIT_INPUT;
    case DW_ENOENT:
        return EXIT_NOTFOUND;
    case DW_EEXIST:
    case DW_EPERM:
    case DW_ESTATE:
        return EXIT_REFUSED;
    default:
        return EXIT_INTERNAL;
    }
}

int cli_workspace_exit(int r) {
    return r == -DW_EVALIDATE || r == -DW_ENOENT ? EXIT_WORKSPACE : cli_exit_code(r);
}

int cli_bad_input(const char *fmt, ...) {
    va_list ap;
    fputs("dealwright: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_INPUT;
}

int cli_error_exit(const struct dw_error *err, int code) {
    int c = err && err->code ? err->code : code;
    /* a name in a field of the input that does not exist (an unknown SKU in a solution) is
     * bad input data, not a missing deal */
    if (err && err->field[0] && (c == -DW_ENOENT || c == DW_ENOENT))
        return EXIT_INPUT;
    return cli_exit_code(c);
}

int cli_fail(const struct dw_error *err, int code) {
    char buf[1024];
    if (err && err->code)
        fprintf(stderr, "dealwright: %s\n", dw_error_format(err, buf, sizeof buf));
    else
        fprintf(stderr, "dealwright: %s\n", dw_strerror(code));
    return cli_error_exit(err, code);
}

/* The command being run, for the errors of cli_opt() and the pointer to its help. */
static const struct cmd *current;

int cli_usage(const char *fmt, ...) {
    va_list ap;
    fputs("dealwright: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (current)
        fprintf(stderr, "(see 'dealwright help %s')\n", current->name);
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

/* The options of the command line, parsed against the command's table by parse_args(). */
struct parsed_opt {
    const struct cli_option *opt;
    const char *value; /* NULL for a flag */
    bool taken;        /* returned by cli_opt() already */
};
static struct parsed_opt *parsed;
static size_t n_parsed;

static const struct cli_option *declared(const char *name) {
    for (const struct cli_option *o = current ? current->opts : NULL; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    fprintf(stderr, "dealwright: internal error: '%s' is not an option of '%s'\n", name,
            current ? current->name : "?");
    return NULL;
}

const char *cli_opt(int *argc, char **argv, const char *name, bool *bad) {
    (void)argc, (void)argv;
    if (!declared(name)) {
        *bad = true;
        return NULL;
    }
    for (size_t i = 0; i < n_parsed; i++)
        if (!parsed[i].taken && strcmp(parsed[i].opt->name, name) == 0) {
            parsed[i].taken = true;
            return parsed[i].value;
        }
    return NULL;
}

bool cli_flag(int *argc, char **argv, const char *name) {
    (void)argc, (void)argv;
    if (!declared(name))
        return false;
    for (size_t i = 0; i < n_parsed; i++)
        if (strcmp(parsed[i].opt->name, name) == 0)
            return true;
    return false;
}

/* --otlp URL (else DW_OTLP) on a command whose table declares it: the tracer its engine
 * exports to, closed (flushed) when the command ends. One line in a command's option table,
 * OPT_OTLP, is all a command needs. */
static int open_tracer(struct cli *cli, struct dw_error *err) {
    bool has = false;
    for (const struct cli_option *o = current ? current->opts : NULL; o && o->name; o++)
        has |= strcmp(o->name, "--otlp") == 0;
    if (!has)
        return 0;
    const char *url = NULL;
    for (size_t i = 0; i < n_parsed; i++)
        if (strcmp(parsed[i].opt->name, "--otlp") == 0)
            url = parsed[i].value;
    return cli_tracer_open(cli, url, err);
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

/* The option of opts named by the first len bytes of name, or NULL. */
static const struct cli_option *lookup(const struct cli_option *opts, const char *name,
                                       size_t len) {
    for (const struct cli_option *o = opts; o && o->name; o++)
        if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
            return o;
    return NULL;
}

/* "--name" wants a value and the next word is another option, or there is none. */
static bool value_missing(int k, int argc, char **argv) {
    return k + 1 >= argc || (argv[k + 1][0] == '-' && argv[k + 1][1] == '-' && argv[k + 1][2]);
}

static int unknown_option(const struct cmd *c, const char *arg, size_t len) {
    const char *cands[64];
    size_t n = 0;
    for (const struct cli_option *o = c ? c->opts : cli_global_options; o && o->name && n < 60; o++)
        cands[n++] = o->name;
    if (c) {
        cands[n++] = "--json";
        cands[n++] = "--help";
    } else {
        cands[n++] = "--workspace";
    }
    char name[128], hint[256];
    snprintf(name, sizeof name, "%.*s", (int)(len < 100 ? len : 100), arg);
    cli_suggest(name, cands, n, hint, sizeof hint);
    if (c &&
        (strcmp(name, "-w") == 0 || strcmp(name, "--workspace") == 0 || strcmp(name, "--db") == 0))
        return cli_usage("option '%s' goes before the command: dealwright %s DIR %s ...", name,
                         name, c->name);
    if (c)
        return cli_usage(
            "unknown option '%s' for '%s'%s%s", name, c->name, hint,
            !hint[0] && name[1] != '-' ? " (an argument that starts with '-' goes after --)" : "");
    return cli_usage("unknown option '%s'%s (see 'dealwright help')", name, hint);
}

/* Parse the words after the command against its option table into `parsed`; the
 * positional arguments into *ret_argv. */
static int parse_args(struct cli *cli, const struct cmd *c, int argc, char **argv, int *ret_argc,
                      char ***ret_argv) {
    char **pos = calloc((size_t)argc + 1, sizeof *pos);
    parsed = calloc((size_t)argc + 1, sizeof *parsed);
    if (!pos || !parsed) {
        free(pos);
        return cli_fail(NULL, -DW_ENOMEM);
    }
    int npos = 0;
    bool only_pos = false;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            pos[npos++] = argv[k];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            cli->json = true;
            continue;
        }
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        const struct cli_option *o = lookup(c->opts, a, len);
        if (!o) {
            free(pos);
            return unknown_option(c, a, len);
        }
        const char *value = NULL;
        if (!o->arg && eq) {
            free(pos);
            return cli_usage("option '%s' takes no value", o->name);
        }
        if (o->arg) {
            if (eq)
                value = eq + 1;
            else if (value_missing(k, argc, argv)) {
                free(pos);
                return cli_usage("option '%s' needs a value (%s)", o->name, o->arg);
            } else
                value = argv[++k];
        }
        if (!(o->flags & OPT_MULTI))
            for (size_t i = 0; i < n_parsed; i++)
                if (parsed[i].opt == o) {
                    free(pos);
                    return cli_usage("option '%s' given twice", o->name);
                }
        parsed[n_parsed++] = (struct parsed_opt){.opt = o, .value = value};
    }
    for (const struct cli_option *o = c->opts; o && o->name; o++) {
        if (!(o->flags & OPT_REQUIRED))
            continue;
        bool given = false;
        for (size_t i = 0; i < n_parsed; i++)
            given |= parsed[i].opt == o;
        if (!given) {
            free(pos);
            return cli_usage("'%s' needs %s %s", c->name, o->name, o->arg ? o->arg : "");
        }
    }
    *ret_argc = npos;
    *ret_argv = pos;
    return EXIT_OK;
}

static bool has_marker(const char *dir) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/dealwright.yaml", dir) >= sizeof path)
        return false;
    return access(path, F_OK) == 0;
}

/* The workspace, as git finds its repository: -w DIR, else $DW_WORKSPACE, else the
 * current folder or the nearest one above it holding dealwright.yaml. */
static int find_workspace(struct cli *cli, char *buf, size_t size) {
    if (cli->workspace) {
        if (has_marker(cli->workspace))
            return EXIT_OK;
        fprintf(stderr,
                "dealwright: not a dealwright workspace: %s has no dealwright.yaml "
                "(from -w)\n",
                cli->workspace);
        return EXIT_WORKSPACE;
    }
    const char *env = getenv("DW_WORKSPACE");
    if (env && *env) {
        cli->workspace = env;
        if (has_marker(env))
            return EXIT_OK;
        fprintf(stderr,
                "dealwright: not a dealwright workspace: %s has no dealwright.yaml "
                "(from DW_WORKSPACE)\n",
                env);
        return EXIT_WORKSPACE;
    }
    if (!getcwd(buf, size)) {
        fprintf(stderr, "dealwright: cannot read the current folder: %s\n", strerror(errno));
        return EXIT_WORKSPACE;
    }
    char start[4096];
    snprintf(start, sizeof start, "%s", buf);
    for (bool first = true;; first = false) {
        if (has_marker(buf)) {
            cli->workspace = first ? "." : buf;
            return EXIT_OK;
        }
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf) {
            if (buf[1] && has_marker("/")) {
                cli->workspace = "/";
                return EXIT_OK;
            }
            break;
        }
        *slash = '\0';
    }
    fprintf(stderr,
            "dealwright: not in a dealwright workspace: no dealwright.yaml in %s or any folder "
            "above it\n(give -w DIR or set DW_WORKSPACE; 'dealwright init DIR' makes one)\n",
            start);
    return EXIT_WORKSPACE;
}

static int unknown_subcommand(const char *family, const char *word) {
    const char *cands[32];
    size_t n = 0, len = strlen(family);
    for (const struct cmd *k = commands; k->name && n < 32; k++)
        if (strncmp(k->name, family, len) == 0 && k->name[len] == ' ')
            cands[n++] = k->name + len + 1;
    char hint[256];
    cli_suggest(word, cands, n, hint, sizeof hint);
    return cli_usage("unknown subcommand '%s' for '%s'%s (see 'dealwright help %s')", word, family,
                     hint, family);
}

static int version(void) {
    printf("dealwright %s\n", dw_version());
    return EXIT_OK;
}

/* help [TOPIC|COMMAND [SUB]] */
static int help(int argc, char **argv) {
    static char help_word[] = "help";
    static char *help_argv[] = {help_word, NULL};
    if (argc == 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0))
        argv = help_argv;
    if (argc == 0) {
        cli_help_overview(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[0], "exit-codes") == 0) {
        cli_help_exit_codes(stdout);
        return EXIT_OK;
    }
    static const char *const builtin[][2] = {
        {"help", "usage: dealwright help [COMMAND [SUBCOMMAND] | exit-codes]\n\nThe commands; "
                 "one command's options, each with a sentence, and an example;\na family's "
                 "subcommands; what each exit code means.\n"},
        {"version", "usage: dealwright version (or --version)\n\nThe version of dealwright.\n"},
        {"completion", "usage: dealwright completion bash\n\nThe bash completion script, made "
                       "from the command table. Installed as\nshare/bash-completion/completions/"
                       "dealwright; for this shell only:\n\n  source <(dealwright completion "
                       "bash)\n"},
    };
    for (size_t k = 0; k < DW_ARRAY_SIZE(builtin); k++)
        if (strcmp(argv[0], builtin[k][0]) == 0) {
            fputs(builtin[k][1], stdout);
            return EXIT_OK;
        }
    const struct cmd *c = cli_find(argv[0], NULL);
    if (!c && cli_is_family(argv[0])) {
        if (argc == 1)
            return cli_help_family(stdout, argv[0]);
        if (!(c = cli_find(argv[0], argv[1])))
            return unknown_subcommand(argv[0], argv[1]);
    }
    if (!c) {
        const char *cands[128];
        size_t n = 0;
        for (const struct cmd *k = commands; k->name && n < 120; k++)
            cands[n++] = k->name;
        cands[n++] = "exit-codes";
        char hint[256];
        cli_suggest(argv[0], cands, n, hint, sizeof hint);
        return cli_usage("no help on '%s'%s (see 'dealwright help')", argv[0], hint);
    }
    cli_help_command(stdout, c);
    return EXIT_OK;
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
    struct cli cli = {0};
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        const char *eq = a[1] == '-' ? strchr(a, '=') : NULL;
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        bool is_w = (len == 2 && strncmp(a, "-w", 2) == 0) ||
                    (len == 11 && strncmp(a, "--workspace", 11) == 0);
        bool is_db = len == 4 && strncmp(a, "--db", 4) == 0;
        if (is_w || is_db) {
            const char *v = eq ? eq + 1 : NULL;
            if (!v) {
                if (value_missing(i, argc, argv))
                    return cli_usage("option '%.*s' needs a value (%s)", (int)len, a,
                                     is_w ? "DIR" : "PATH");
                v = argv[++i];
            }
            if (!*v)
                return cli_usage("option '%.*s' needs a value, not an empty one", (int)len, a);
            *(is_w ? &cli.workspace : &cli.db) = v;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help_overview(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            return version();
        } else if (strcmp(a, "--json") == 0) {
            cli.json = true;
        } else {
            return unknown_option(NULL, a, len);
        }
    }
    if (i >= argc) {
        cli_help_overview(stderr);
        return EXIT_USAGE;
    }
    const char *w1 = argv[i];
    static char completion_word[] = "completion";
    if (strcmp(w1, "help") == 0)
        return help(argc - i - 1, argv + i + 1);
    if (strcmp(w1, "version") == 0)
        return version();
    if (strcmp(w1, "completion") == 0) {
        if (i + 1 < argc && (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0))
            return help(1, (char *[]){completion_word, NULL});
        if (i + 2 != argc || strcmp(argv[i + 1], "bash") != 0)
            return cli_usage("usage: dealwright completion bash (the only shell supported)");
        cli_completion_bash(stdout);
        return EXIT_OK;
    }
    int words = 1;
    /* a command of two words first: `deals export` beside `deals` */
    const struct cmd *c = i + 1 < argc ? cli_find(w1, argv[i + 1]) : NULL;
    if (c)
        words = 2;
    else
        c = cli_find(w1, NULL);
    if (!c && cli_is_family(w1)) {
        const char *w2 = i + 1 < argc ? argv[i + 1] : NULL;
        if (!w2) {
            cli_help_family(stderr, w1);
            return EXIT_USAGE;
        }
        if (strcmp(w2, "--help") == 0 || strcmp(w2, "-h") == 0)
            return cli_help_family(stdout, w1);
        if (!(c = cli_find(w1, w2)))
            return unknown_subcommand(w1, w2);
        words = 2;
    }
    if (!c) {
        const char *cands[128];
        size_t n = 0;
        for (const struct cmd *k = commands; k->name && n < 120; k++) {
            const char *sp = strchr(k->name, ' ');
            static char fam[128][32];
            if (sp && n < 128 && (size_t)(sp - k->name) < sizeof fam[0]) {
                snprintf(fam[n], sizeof fam[n], "%.*s", (int)(sp - k->name), k->name);
                cands[n] = fam[n];
            } else {
                cands[n] = k->name;
            }
            n++;
        }
        cands[n++] = "help";
        cands[n++] = "version";
        cands[n++] = "completion";
        char hint[256];
        cli_suggest(w1, cands, n, hint, sizeof hint);
        return cli_usage("unknown command '%s'%s (see 'dealwright help')", w1, hint);
    }
    current = c;
    int cargc = argc - i - words;
    char **cargv = argv + i + words;
    for (int k = 0; k < cargc && strcmp(cargv[k], "--") != 0; k++)
        if (strcmp(cargv[k], "--help") == 0 || strcmp(cargv[k], "-h") == 0) {
            cli_help_command(stdout, c);
            return EXIT_OK;
        }
    char **pos = NULL;
    int npos = 0;
    int rc = parse_args(&cli, c, cargc, cargv, &npos, &pos);
    if (rc != EXIT_OK)
        return rc;
    char cwd[4096];
    if ((c->flags & (CMD_ENGINE | CMD_WORKSPACE)) &&
        (rc = find_workspace(&cli, cwd, sizeof cwd)) != EXIT_OK) {
        free(pos);
        return rc;
    }
    if (!cli.workspace)
        cli.workspace = ".";
    struct dw_error err = {0};
    if (c->flags & CMD_ENGINE) {
        struct dw_diags diags = {0};
        int r = open_tracer(&cli, &err);
        if (r < 0) {
            cli_fail(&err, r);
            free(pos);
            free(parsed);
            return EXIT_USAGE;
        }
        r = cli_engine_open(&cli, cli.workspace, &cli.engine, &diags, &err);
        if (r < 0) {
            for (size_t k = 0; k < diags.n; k++)
                fprintf(stderr, "%s:%d:%d: %s\n", diags.v[k].file, diags.v[k].line, diags.v[k].col,
                        diags.v[k].msg);
            dw_diags_release(&diags);
            cli_fail(&err, r);
            dw_tracer_close(cli.tracer);
            free(pos);
            free(parsed);
            return cli_workspace_exit(r);
        }
        dw_diags_release(&diags);
    }
    rc = c->fn(&cli, npos, pos);
    dw_engine_close(cli.engine);
    dw_tracer_close(cli.tracer); /* after the engine: the spans it made are posted */
    free(pos);
    free(parsed);
    fflush(stdout);
    return rc;
}
