/* run — the control plane works until nothing is runnable; a progress bar on a terminal. */
#include "cli.h"

int cmd_run(struct cli *cli, int argc, char **argv) {
    (void)argv;
    if (argc != 0)
        return cli_usage("usage: dealwright run");
    struct dw_error err = {0};
    struct dw_run_stats st = {0};
    struct dw_run_opts o = {.progress = cli_progress};
    int r = dw_run(cli->engine, &o, &st, &err);
    cli_progress_done();
    if (r < 0) {
        dw_run_stats_release(&st);
        return cli_fail(&err, r);
    }
    if (cli->json) {
        json_t *j = json_pack("{s:I,s:I,s:I,s:I}", "steps", (json_int_t)st.steps, "failures",
                              (json_int_t)st.failures, "parked", (json_int_t)st.parked,
                              "elapsed_us", (json_int_t)st.elapsed_us);
        cli_print_json(j);
        json_decref(j);
    } else {
        printf("%lld steps in %.2f s", (long long)st.steps, (double)st.elapsed_us / 1e6);
        if (st.failures)
            printf(", %lld failed attempts, %lld deals parked", (long long)st.failures,
                   (long long)st.parked);
        printf("\n");
        r = cli_print_summary(cli->engine, &err);
    }
    dw_run_stats_release(&st);
    return r < 0 ? cli_fail(&err, r) : EXIT_OK;
}
