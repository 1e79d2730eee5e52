/* Writing the example workspace that ships with the library to a directory
 * (include/dealwright/workspace.h): `dealwright init`, the demo, the benchmarks and
 * embedders that want a workspace to start from. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base.h"
#include "control/example.h"
#include <dealwright/workspace.h>

static int mkdir_p(char *path, mode_t mode) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int r = mkdir(path, mode);
        *p = '/';
        if (r < 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int dw_workspace_write_example(const char *dir, struct dw_error *err) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return dw_error_set(err, -DW_EEXIST, "%s exists and is not a directory", dir);
        char probe[4096];
        snprintf(probe, sizeof probe, "%s/dealwright.yaml", dir);
        if (access(probe, F_OK) == 0)
            return dw_error_set(err, -DW_EEXIST, "%s already holds a workspace", dir);
    }
    for (size_t i = 0; i < example_n_files; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%s", dir, example_files[i].path);
        if (n < 0 || (size_t)n >= sizeof path)
            return dw_error_set(err, -DW_EINVAL, "the path %s is too long", dir);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        if (mkdir_p(path, 0755) < 0)
            return dw_error_set(err, -DW_EIO, "cannot create %s: %s", path, strerror(errno));
        *slash = '/';
        int r = dw_write_file_atomic(path, example_files[i].data, example_files[i].len, err);
        if (r < 0)
            return r;
    }
    return (int)example_n_files;
}
