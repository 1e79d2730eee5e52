/* The command line's environment: what the library does not read itself.
 *
 * The library has no global clock, no failpoints and no default database of its own; these
 * are engine options (struct dw_engine_opts). The command line, a surface, takes them from
 * the environment:
 *
 *   DW_NOW         pin the clock (RFC 3339): tests, the demo and reproducible runs
 *   DW_FAILPOINTS  make agents fail ("pricing=2,proposal=fatal"): the retry and parking tests
 *   DW_DB          the store (a path or URL) when --db is not given
 *   DW_OTLP        the OpenTelemetry collector traces go to when --otlp is not given (on the
 *                  commands that take --otlp)
 *   (key_env)      a language-model provider's key: the variable models.yaml names, read
 *                  only when a provider needs its key (never logged, never stored)
 *
 * Empty counts as unset.
 */
#include <stdlib.h>

#include "cli.h"

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

int cli_now(dw_time_t *ret, struct dw_error *err) {
    const char *pin = env("DW_NOW");
    *ret = 0;
    if (pin && dw_time_parse(pin, ret) < 0)
        return dw_error_field(err, -DW_EINVAL, "DW_NOW",
                              "'%s' is not an RFC 3339 time (2026-11-24T12:00:00Z)", pin);
    return 0;
}

const char *cli_model_key(void *ud, const char *name) {
    (void)ud;
    return env(name);
}

int cli_engine_opts(const struct cli *cli, struct dw_engine_opts *o, struct dw_error *err) {
    *o = (struct dw_engine_opts){
        .db = cli->db ? cli->db : env("DW_DB"),
        .failpoints = env("DW_FAILPOINTS"),
        .model_key = cli_model_key,
    };
    return cli_now(&o->now_pin, err);
}

int cli_tracer_open(struct cli *cli, const char *url, struct dw_error *err) {
    if (!url)
        url = env("DW_OTLP");
    if (!url)
        return 0;
    return dw_tracer_open(url, NULL, &cli->tracer, err);
}

int cli_engine_open(const struct cli *cli, const char *ws_root, struct dw_engine **ret,
                    struct dw_diags *diags, struct dw_error *err) {
    struct dw_engine_opts o;
    int r = cli_engine_opts(cli, &o, err);
    if (r >= 0 && (r = dw_engine_open_opts(ws_root, &o, ret, diags, err)) >= 0)
        dw_engine_set_tracer(*ret, cli->tracer);
    return r;
}
