/* dealwright — workspaces: the company's catalog, price books, policies, team and
 * documents, loaded from a directory of YAML, Markdown and Mustache files into an
 * immutable, hashed snapshot (docs/internals/workspace.md). A snapshot is
 * reference-counted and never changes after load: any number of threads may read it. */
#ifndef DEALWRIGHT_WORKSPACE_H
#define DEALWRIGHT_WORKSPACE_H

#include <jansson.h>

#include <dealwright/error.h>
#include <dealwright/export.h>

struct dw_workspace;

/* Initialise the library (libsodium) once; thread-safe, and every call that needs it calls
 * it too. 0 or -DW_EINTERNAL. */
DW_EXPORT int dw_init(void);

/* Load and validate the workspace at root. On success *ret is a new snapshot (refcount 1).
 * On failure every problem found is in diags (FILE:LINE:COL, file relative to root) and
 * -DW_EVALIDATE is returned; other failures (unreadable root) return their code with diags
 * holding one entry. */
DW_EXPORT int dw_workspace_load(const char *root, struct dw_workspace **ret,
                                struct dw_diags *diags);
DW_EXPORT struct dw_workspace *dw_workspace_ref(struct dw_workspace *ws);
/* Drops a reference, frees at zero; returns NULL. */
DW_EXPORT struct dw_workspace *dw_workspace_unref(struct dw_workspace *ws);
/* The snapshot's SHA-256 (hex) over every file it read: every decision records it. */
DW_EXPORT const char *dw_workspace_hash(const struct dw_workspace *ws);
/* What the snapshot holds: {hash, items, pricebooks, users, documents} (the counts of
 * catalog items, price books, team users and knowledge documents). */
DW_EXPORT int dw_workspace_summary(const struct dw_workspace *ws, json_t **ret,
                                   struct dw_error *err);

/* Write the example workspace that ships with the library (docs/internals/workspace.md)
 * into dir, created with its parents when missing. Returns the number of files written;
 * -DW_EEXIST when dir is not a directory or already holds a workspace (dealwright.yaml). */
DW_EXPORT int dw_workspace_write_example(const char *dir, struct dw_error *err);

#endif
