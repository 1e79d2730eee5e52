/* Knowledge documents (knowledge/NAME.md) and templates (templates/NAME.mustache).
 *
 * A knowledge document is YAML front matter between two `---` lines, then Markdown. The
 * Markdown is cut into passages at each ATX heading (`#` to `######`, outside fenced code
 * blocks); a passage keeps its heading path ("Edge Gateway 100 > Throughput"), an anchor
 * (the slug of its own heading, made unique within the document), its body trimmed, and
 * the line of its heading. Text before the first heading becomes a passage headed by the
 * document's title with an empty anchor. Setext headings (underlined with === or ---) are
 * body text, on purpose: a `---` line is too easily a horizontal rule.
 *
 * Front matter is parsed as YAML with a line offset, so its errors point into the .md file.
 * Templates are only syntax-checked here (dw_mustache_check); they are rendered by agents.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rules/mustache.h"
#include "workspace/ws-internal.h"

#define MAX_HEADING_LEVEL 6

/* ---- lines ------------------------------------------------------------------------------ */

struct line {
    const char *s; /* start */
    size_t len;    /* without the newline (and without a trailing \r) */
    size_t next;   /* offset of the next line */
};

static bool next_line(const char *data, size_t len, size_t off, struct line *ret) {
    if (off >= len)
        return false;
    const char *nl = memchr(data + off, '\n', len - off);
    size_t end = nl ? (size_t)(nl - data) : len;
    ret->s = data + off;
    ret->len = end - off;
    ret->next = nl ? end + 1 : len;
    if (ret->len && ret->s[ret->len - 1] == '\r')
        ret->len--;
    return true;
}

static bool line_is(const struct line *l, const char *word) {
    size_t n = l->len;
    while (n && (l->s[n - 1] == ' ' || l->s[n - 1] == '\t'))
        n--;
    return n == strlen(word) && memcmp(l->s, word, n) == 0;
}

/* ---- Markdown ------------------------------------------------------------------------- */

/* An ATX heading: up to three spaces, 1-6 '#', then a blank or the end of the line. On
 * success the heading text (closing #s and blanks removed) is s[*ret_start..*ret_end). */
static int heading_level(const struct line *l, size_t *ret_start, size_t *ret_end) {
    size_t i = 0;
    while (i < l->len && i < 3 && l->s[i] == ' ')
        i++;
    size_t hashes = 0;
    while (i + hashes < l->len && l->s[i + hashes] == '#')
        hashes++;
    if (hashes == 0 || hashes > MAX_HEADING_LEVEL)
        return 0;
    i += hashes;
    if (i < l->len && l->s[i] != ' ' && l->s[i] != '\t')
        return 0;
    size_t end = l->len;
    while (end > i && (l->s[end - 1] == ' ' || l->s[end - 1] == '\t'))
        end--;
    size_t close = end;
    while (close > i && l->s[close - 1] == '#')
        close--;
    if (close < end && (close == i || l->s[close - 1] == ' ' || l->s[close - 1] == '\t'))
        end = close;
    while (i < end && (l->s[i] == ' ' || l->s[i] == '\t'))
        i++;
    while (end > i && (l->s[end - 1] == ' ' || l->s[end - 1] == '\t'))
        end--;
    if (end == i)
        return 0; /* an empty heading is not worth a passage */
    *ret_start = i;
    *ret_end = end;
    return (int)hashes;
}

/* A code fence: up to three spaces, then ``` or ~~~ (at least three). */
static char fence_char(const struct line *l) {
    size_t i = 0;
    while (i < l->len && i < 3 && l->s[i] == ' ')
        i++;
    if (i + 3 <= l->len && (l->s[i] == '`' || l->s[i] == '~') && l->s[i + 1] == l->s[i] &&
        l->s[i + 2] == l->s[i])
        return l->s[i];
    return 0;
}

/* Lower-case slug: letters and digits kept (non-ASCII bytes too), blanks and '-' become
 * one '-', everything else dropped. Caller frees. */
static char *slugify(const char *s, size_t n) {
    char *out = malloc(n + sizeof "section");
    if (!out)
        return NULL;
    size_t k = 0;
    bool dash = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch >= 0x80) {
            if (dash && k)
                out[k++] = '-';
            dash = false;
            out[k++] = (char)ch;
        } else if (ch >= 'A' && ch <= 'Z') {
            if (dash && k)
                out[k++] = '-';
            dash = false;
            out[k++] = (char)(ch | 0x20);
        } else if (ch == ' ' || ch == '-' || ch == '\t') {
            dash = true;
        }
    }
    if (k == 0) {
        memcpy(out, "section", sizeof "section");
        return out;
    }
    out[k] = '\0';
    return out;
}

/* ---- passages ------------------------------------------------------------------------ */

struct draft { /* a passage before its text is known */
    char *heading;
    char *slug; /* the heading's slug before it was made unique */
    char *anchor;
    int line;
    size_t body, end; /* byte range of the body in the file */
};

struct drafts {
    struct draft *v;
    size_t n, cap;
};

static void drafts_release(struct drafts *d) {
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].heading);
        free(d->v[i].slug);
        free(d->v[i].anchor);
    }
    free(d->v);
}

static struct draft *drafts_push(struct drafts *d) {
    if (DW_GROW(d->v, d->cap, d->n + 1) < 0)
        return NULL;
    d->v[d->n] = (struct draft){0};
    return &d->v[d->n++];
}

static bool anchor_taken(const struct drafts *d, const char *a) {
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].anchor && strcmp(d->v[i].anchor, a) == 0)
            return true;
    return false;
}

/* "slug", or "slug-N" when the document already used it: N starts at the number of earlier
 * headings with the same slug, so a document repeating one heading stays linear. */
static char *unique_anchor(const struct drafts *d, const char *slug) {
    size_t seen = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i].slug && strcmp(d->v[i].slug, slug) == 0)
            seen++;
    if (!seen && !anchor_taken(d, slug))
        return strdup(slug);
    for (size_t k = seen ? seen : 1;; k++) {
        char *a = NULL;
        if (asprintf(&a, "%s-%zu", slug, k) < 0)
            return NULL;
        if (!anchor_taken(d, a))
            return a;
        free(a);
    }
}

/* Join the open headings of levels 1..level with " > ". */
static char *heading_path(char *const stack[MAX_HEADING_LEVEL + 1], int level) {
    struct dw_buf b;
    dw_buf_init(&b, 0);
    bool first = true;
    for (int i = 1; i <= level; i++) {
        if (!stack[i])
            continue;
        if ((!first && dw_buf_puts(&b, " > ") < 0) || dw_buf_puts(&b, stack[i]) < 0) {
            dw_buf_release(&b);
            return NULL;
        }
        first = false;
    }
    return dw_buf_steal(&b);
}

static int scan_passages(struct dw__ws_ctx *c, const char *data, size_t len, size_t off,
                         int line_no, const char *title, struct drafts *d) {
    char *stack[MAX_HEADING_LEVEL + 1] = {NULL};
    char fence = 0;
    struct line l;
    struct draft *cur = drafts_push(d); /* text before the first heading */
    if (!cur)
        return -DW_ENOMEM;
    cur->heading = strdup(title ? title : "");
    cur->anchor = strdup("");
    cur->line = line_no;
    cur->body = off;
    int r = 0;
    for (; next_line(data, len, off, &l); off = l.next, line_no++) {
        char fc = fence_char(&l);
        if (fc && (!fence || fence == fc)) {
            fence = fence ? 0 : fc;
            continue;
        }
        size_t hs, he;
        int level = fence ? 0 : heading_level(&l, &hs, &he);
        if (!level)
            continue;
        if (d->n > DW_WS_MAX_ITEMS) {
            dw__ws_diag(c, line_no, 1, "more than %d passages in one document", DW_WS_MAX_ITEMS);
            r = -DW_ETOOBIG;
            break;
        }
        d->v[d->n - 1].end = (size_t)(l.s - data);
        for (int i = level; i <= MAX_HEADING_LEVEL; i++) {
            free(stack[i]);
            stack[i] = NULL;
        }
        stack[level] = strndup(l.s + hs, he - hs);
        struct draft *p = drafts_push(d);
        if (!stack[level] || !p) {
            r = -DW_ENOMEM;
            break;
        }
        p->heading = heading_path(stack, level);
        char *slug = slugify(l.s + hs, he - hs);
        p->anchor = slug ? unique_anchor(d, slug) : NULL;
        p->slug = slug;
        p->line = line_no;
        p->body = l.next;
        if (!p->heading || !p->anchor) {
            r = -DW_ENOMEM;
            break;
        }
    }
    if (r == 0)
        d->v[d->n - 1].end = len;
    for (int i = 0; i <= MAX_HEADING_LEVEL; i++)
        free(stack[i]);
    return r;
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

static void build_passages(struct dw__ws_ctx *c, const char *data, const struct drafts *d,
                           struct dw_document *doc) {
    doc->passages = dw__ws_array(c->w, d->n, sizeof *doc->passages);
    if (!doc->passages)
        return;
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++) {
        const struct draft *p = &d->v[i];
        const char *body = data + p->body;
        size_t n = p->end > p->body ? p->end - p->body : 0;
        if (i == 0 && blank(body, n))
            continue; /* nothing before the first heading */
        struct dw_passage *out = &doc->passages[k++];
        out->heading = dw__ws_strdup(c->w, p->heading);
        out->anchor = dw__ws_strdup(c->w, p->anchor);
        out->line = p->line;
        while (n && (*body == ' ' || *body == '\t' || *body == '\r' || *body == '\n')) {
            body++;
            n--;
        }
        while (n && (body[n - 1] == ' ' || body[n - 1] == '\t' || body[n - 1] == '\r' ||
                     body[n - 1] == '\n'))
            n--;
        out->text = dw__ws_strndup(c->w, body, n);
    }
    doc->n_passages = k;
}

/* ---- front matter --------------------------------------------------------------------- */

static bool check_about(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                        void *arg) {
    if (!c->have_catalog || dw__names_has(&c->skus, value))
        return true;
    const char *hint = dw__closest(value, c->skus.v, c->skus.n);
    if (hint)
        dw__y_err(c, r, "about: unknown sku '%s' (did you mean '%s'?)", value, hint);
    else
        dw__y_err(c, r, "about: unknown sku '%s'", value);
    return false;
}

static bool check_doc_capability(struct dw__ws_ctx *c, const struct dw__yref *r, const char *value,
                                 void *arg) {
    if (!c->have_catalog || dw__names_has(&c->capabilities, value))
        return true;
    const char *hint = dw__closest(value, c->capabilities.v, c->capabilities.n);
    if (hint)
        dw__y_err(c, r, "capabilities: unknown capability '%s' (did you mean '%s'?)", value, hint);
    else
        dw__y_err(c, r, "capabilities: unknown capability '%s'", value);
    return false;
}

static void parse_front_matter(struct dw__ws_ctx *c, const struct dw__yref *root,
                               struct dw_document *doc) {
    if (dw__y_is_null(root)) {
        dw__y_err(c, root, "missing required key 'title' in front matter");
        return;
    }
    struct dw__yfield f[] = {DW__REQ("title"), DW__OPT("about"), DW__OPT("capabilities"),
                             DW__OPT("language")};
    if (!dw__y_fields(c, root, "front matter", f, DW_ARRAY_SIZE(f)))
        return;
    const struct dw__yref *v;
    if ((v = DW__YGET(f, "title")) && dw__y_str(c, v, "title", &doc->title) && !doc->title[0])
        dw__y_err(c, v, "title: must not be empty");
    if ((v = DW__YGET(f, "language")) && dw__y_str(c, v, "language", &doc->language) &&
        doc->language && !dw_ws_language_known(doc->language))
        dw__y_err(c, v, "language: '%s' is not a supported language (en, de, fr, es, it, nl, pt)",
                  doc->language);
    if ((v = DW__YGET(f, "about")))
        dw__y_strlist(c, v, "about", check_about, NULL, &doc->about, &doc->n_about);
    if ((v = DW__YGET(f, "capabilities")))
        dw__y_strlist(c, v, "capabilities", check_doc_capability, NULL, &doc->capabilities,
                      &doc->n_capabilities);
}

static void load_document(struct dw__ws_ctx *c, const char *rel, struct dw_document *doc) {
    const char *data;
    size_t len;
    doc->path = dw__ws_strdup(c->w, rel);
    doc->title = "";
    doc->language = c->ws->language;
    if (dw__ws_read(c, rel, true, &data, &len) < 0)
        return;
    size_t start = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0; /* a BOM */
    struct line l;
    if (!next_line(data, len, start, &l) || !line_is(&l, "---")) {
        dw__ws_diag(c, 1, 1,
                    "a knowledge document starts with front matter between --- "
                    "lines (with at least a title)");
        return;
    }
    size_t fm_start = l.next, off = l.next;
    int line_no = 2;
    bool closed = false;
    while (next_line(data, len, off, &l)) {
        off = l.next;
        line_no++;
        if (line_is(&l, "---") || line_is(&l, "...")) {
            closed = true;
            break;
        }
    }
    if (!closed) {
        dw__ws_diag(c, 1, 1, "front matter is not closed by a --- line");
        return;
    }
    size_t fm_len = (size_t)(l.s - data) - fm_start;
    struct dw__ydoc yd;
    struct dw__yref root;
    c->line_offset = 1;
    if (dw__y_parse(c, data + fm_start, fm_len, &yd, &root) == 0)
        parse_front_matter(c, &root, doc);
    dw__ydoc_release(&yd);
    c->line_offset = 0;

    struct drafts d = {0};
    int r = scan_passages(c, data, len, off, line_no, doc->title, &d);
    if (r == -DW_ENOMEM)
        c->w->oom = true;
    else if (r == 0)
        build_passages(c, data, &d, doc);
    drafts_release(&d);
}

const char *const dw_ws_languages[] = {"en", "de", "fr", "es", "it", "nl", "pt", NULL};

bool dw_ws_language_known(const char *code) {
    for (size_t i = 0; code && dw_ws_languages[i]; i++)
        if (strcmp(code, dw_ws_languages[i]) == 0)
            return true;
    return false;
}

void dw__load_knowledge(struct dw__ws_ctx *c) {
    struct dw_workspace *ws = c->ws;
    if (!ws->language)
        ws->language = "en";
    char **files = NULL;
    size_t n = 0;
    if (dw__ws_list(c, "knowledge", ".md", &files, &n) < 0)
        return;
    ws->documents = dw__ws_array(c->w, n, sizeof *ws->documents);
    if (ws->documents) {
        for (size_t i = 0; i < n; i++)
            load_document(c, files[i], &ws->documents[i]);
        ws->n_documents = n;
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

/* ---- templates ------------------------------------------------------------------------- */

/* The output format a template escapes {{name}} for, from its file name. */
static int template_escape(const char *rel) {
    size_t l = strlen(rel), e = strlen(".html.mustache");
    return l > e && strcmp(rel + l - e, ".html.mustache") == 0 ? DW_MUSTACHE_HTML
                                                               : DW_MUSTACHE_MARKDOWN;
}

static int load_template(struct dw__ws_ctx *c, const char *rel, bool required,
                         struct dw_template *t) {
    const char *data;
    size_t len;
    t->path = dw__ws_strdup(c->w, rel);
    t->text = required ? "" : NULL;
    t->escape = template_escape(rel);
    int r = dw__ws_read(c, rel, required, &data, &len);
    if (r < 0)
        return r;
    t->text = dw__ws_strndup(c->w, data, len);
    t->len = len;
    struct dw_error err = {0};
    r = dw_mustache_check(data, len, &err);
    if (r < 0) {
        dw__ws_diag(c, err.line > 0 ? err.line : 1, err.col > 0 ? err.col : 1, "template error: %s",
                    err.msg[0] ? err.msg : dw_strerror(r));
        return r;
    }
    return 0;
}

/* Every DIR/partials/NAME.mustache into `into` as NAME (replacing one of the same name). */
static void load_partials(struct dw__ws_ctx *c, const char *dir, json_t *into) {
    char sub[256], **files = NULL;
    size_t n = 0;
    snprintf(sub, sizeof sub, "%s/partials", dir);
    if (dw__ws_list(c, sub, ".mustache", &files, &n) < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        struct dw_template t = {0};
        if (load_template(c, files[i], true, &t) < 0)
            continue;
        const char *base = files[i] + strlen(sub) + 1;
        _cleanup_free_ char *name = strndup(base, strlen(base) - strlen(".mustache"));
        if (!name || json_object_set_new(into, name, json_stringn(t.text, t.len)) < 0)
            c->w->oom = true;
    }
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

/* templates/ may hold, besides the company language's templates and partials/, one
 * directory per language (a code of dw_ws_languages) with proposal.mustache,
 * reply.mustache and partials/. Anything else there is a mistake worth naming. */
static void check_template_dirs(struct dw__ws_ctx *c) {
    char path[4096];
    snprintf(path, sizeof path, "%s/templates", c->root);
    DIR *d = opendir(path);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (de->d_name[0] == '.' || fstatat(dirfd(d), de->d_name, &st, 0) < 0)
            continue;
        char rel[512];
        snprintf(rel, sizeof rel, "templates/%s", de->d_name);
        if (S_ISREG(st.st_mode) && strcmp(de->d_name, "proposal.mustache") != 0 &&
            strcmp(de->d_name, "reply.mustache") != 0) {
            dw__ws_set_file(c, rel);
            dw__ws_diag(c, 1, 1,
                        "unknown template: templates/ holds proposal.mustache, reply.mustache, "
                        "partials/ and a directory per further language (templates/de/...)");
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(de->d_name, "partials") == 0)
                continue;
            dw__ws_set_file(c, rel);
            if (!dw_ws_language_known(de->d_name))
                dw__ws_diag(c, 1, 1,
                            "'%s' is not a language code (en, de, fr, es, it, nl, pt); a "
                            "language's templates go in templates/CODE/",
                            de->d_name);
            /* inside: only the two documents and partials/ */
            char lpath[4096 + 512];
            snprintf(lpath, sizeof lpath, "%s/%s", path, de->d_name);
            DIR *ld = opendir(lpath);
            struct dirent *le;
            while (ld && (le = readdir(ld)) != NULL) {
                if (le->d_name[0] == '.' || strcmp(le->d_name, "partials") == 0 ||
                    strcmp(le->d_name, "proposal.mustache") == 0 ||
                    strcmp(le->d_name, "reply.mustache") == 0)
                    continue;
                char lrel[800];
                snprintf(lrel, sizeof lrel, "%s/%s", rel, le->d_name);
                dw__ws_set_file(c, lrel);
                dw__ws_diag(c, 1, 1,
                            "unknown template: a language's directory holds proposal.mustache, "
                            "reply.mustache and partials/");
            }
            if (ld)
                closedir(ld);
        }
    }
    closedir(d);
}

void dw__load_templates(struct dw__ws_ctx *c) {
    struct dw_workspace *ws = c->ws;
    load_template(c, "templates/proposal.mustache", true, &ws->proposal_template);
    load_template(c, "templates/reply.mustache", true, &ws->reply_template);

    ws->partials = json_object();
    if (!ws->partials) {
        c->w->oom = true;
        return;
    }
    load_partials(c, "templates", ws->partials);
    check_template_dirs(c);

    size_t k = 0;
    for (size_t i = 0; dw_ws_languages[i] && k < DW_WS_TEMPLATE_SETS; i++) {
        const char *lang = dw_ws_languages[i];
        char dir[64], rel[128];
        snprintf(dir, sizeof dir, "templates/%s", lang);
        struct dw_template_set *set = &ws->template_sets[k];
        snprintf(rel, sizeof rel, "%s/proposal.mustache", dir);
        load_template(c, rel, false, &set->proposal);
        snprintf(rel, sizeof rel, "%s/reply.mustache", dir);
        load_template(c, rel, false, &set->reply);
        if (!set->proposal.text && !set->reply.text)
            continue;
        set->language = lang;
        set->partials = json_deep_copy(ws->partials);
        if (!set->partials) {
            c->w->oom = true;
            return;
        }
        load_partials(c, dir, set->partials);
        k++;
    }
}

const struct dw_template *dw_ws_template(const struct dw_workspace *ws, const char *name,
                                         const char *lang, const json_t **ret_partials,
                                         const char **ret_lang) {
    bool proposal = strcmp(name, "proposal") == 0;
    for (size_t i = 0; lang && i < DW_WS_TEMPLATE_SETS; i++) {
        const struct dw_template_set *set = &ws->template_sets[i];
        if (!set->language || strcmp(set->language, lang) != 0)
            continue;
        const struct dw_template *t = proposal ? &set->proposal : &set->reply;
        if (!t->text)
            break;
        *ret_partials = set->partials;
        *ret_lang = set->language;
        return t;
    }
    *ret_partials = ws->partials;
    *ret_lang = ws->language ? ws->language : "en";
    return proposal ? &ws->proposal_template : &ws->reply_template;
}
