/* fuzz-workspace — the workspace loader (lib/workspace/) on hostile YAML.
 *
 * The input is one YAML file. Its first byte picks which: 'p' for policies.yaml, anything
 * else for catalog.yaml; the rest is the file's content. LLVMFuzzerInitialize copies the
 * example workspace (DW_SOURCE_ROOT/example, else the compiled-in DW_EXAMPLE_DIR) into a
 * temporary directory once; each run overwrites the one file and calls dw_workspace_load()
 * on the directory, so everything but that file is the valid example. When the chosen file
 * changes between runs the other one is put back first, so a run never sees the previous
 * run's input and a crash reproduces from its input alone.
 *
 * Checked: no crash, leak or UB; success and failure are both fine, but failure must come
 * with at least one diagnostic and success with none of the outputs missing.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "workspace/workspace.h"

#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern char **environ;

enum { CATALOG, POLICIES, N_FILES };
static const char *const file_names[N_FILES] = {"catalog.yaml", "policies.yaml"};

static char root[4096];
static char paths[N_FILES][4200];
static char *originals[N_FILES];
static size_t original_lens[N_FILES];
static int dirty = -1; /* the file holding a fuzz input, or -1 */

static int run(char *const argv[]) {
    pid_t pid;
    int status;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

static void remove_root(void) {
    char *argv[] = {"rm", "-rf", root, NULL};
    if (root[0])
        run(argv);
}

static int write_all(const char *path, const void *data, size_t size) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    const char *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        p += n;
        size -= (size_t)n;
    }
    return close(fd);
}

static int read_all(const char *path, char **ret, size_t *ret_len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len == cap) {
            char *nb = realloc(buf, cap = cap ? 2 * cap : 65536);
            if (!nb) {
                free(buf);
                fclose(f);
                return -1;
            }
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    *ret = buf;
    *ret_len = len;
    return 0;
}

static void fail(const char *what) {
    fprintf(stderr, "fuzz-workspace: %s\n", what);
    remove_root();
    exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    if (dw_base_init() < 0)
        fail("dw_base_init failed");
    char example[4096];
    fuzz_example_root(example, sizeof example);

    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof root, "%s/dw-fuzz-ws.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(root)) {
        root[0] = '\0';
        fail("cannot create a temporary directory");
    }
    atexit(remove_root);

    char from[4200];
    snprintf(from, sizeof from, "%s/.", example);
    char *cp[] = {"cp", "-R", from, root, NULL};
    if (run(cp) < 0)
        fail("cannot copy the example workspace (set DW_SOURCE_ROOT)");

    for (int i = 0; i < N_FILES; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", root, file_names[i]);
        if (read_all(paths[i], &originals[i], &original_lens[i]) < 0)
            fail("the example workspace lacks catalog.yaml or policies.yaml");
    }

    /* The copy must load, or every run would only exercise the failure path. */
    struct dw_workspace *ws = NULL;
    struct dw_diags diags = {0};
    if (dw_workspace_load(root, &ws, &diags) < 0) {
        for (size_t i = 0; i < diags.n; i++)
            fprintf(stderr, "%s:%d:%d: %s\n", diags.v[i].file, diags.v[i].line, diags.v[i].col,
                    diags.v[i].msg);
        fail("the example workspace does not load");
    }
    dw_workspace_unref(ws);
    dw_diags_release(&diags);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    int which = data[0] == 'p' ? POLICIES : CATALOG;
    if (dirty >= 0 && dirty != which &&
        write_all(paths[dirty], originals[dirty], original_lens[dirty]) < 0)
        fail("cannot restore a workspace file");
    if (write_all(paths[which], data + 1, size - 1) < 0)
        fail("cannot write the workspace file");
    dirty = which;

    struct dw_workspace *ws = NULL;
    struct dw_diags diags = {0};
    int r = dw_workspace_load(root, &ws, &diags);
    if (r < 0 && (ws || diags.n == 0))
        __builtin_trap(); /* failure without a diagnostic, or with a snapshot */
    if (r == 0 && !ws)
        __builtin_trap();
    if (dw_workspace_unref(ws) != NULL)
        __builtin_trap();
    dw_diags_release(&diags);
    return 0;
}
