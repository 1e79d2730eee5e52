/* store/sqlite — the read cache of one write transaction.
 *
 * The control plane runs a deal's steps one after another inside one write transaction,
 * and each step reads the documents and leads the previous steps wrote: parsing the same
 * JSON text again for every read was a large part of a step's time. Between BEGIN
 * IMMEDIATE and COMMIT no other connection can write, so what this connection wrote or
 * read stays true until it writes again; the cache keeps the documents and the lead list
 * of the deal last touched, as parsed values, and hands out deep copies (callers own and
 * may change what they get) or, to readers that only read (doc_peek, quote_peek: the
 * agents through the gateway), the cached value itself with one more reference; its
 * latest quote revision; and the deal's row as last read or written,
 * so that an update leaving the indexed columns alone (most steps) rewrites no index.
 *
 * It is on only inside a transaction opened by begin (never in a read snapshot or in
 * autocommit, where another process may write between two reads) and is emptied when the
 * transaction or a savepoint ends in a rollback, at commit, and when another deal is
 * touched, so it holds one deal's documents at most. Resetting it also forgets the slot
 * holds kept for the transaction (sqlite_slots.c). Every write of a document or lead
 * goes through sqlite_deals.c, which updates or drops the entry in the same call.
 */
#include <string.h>

#include "sqlite_internal.h"

/* A deep copy, members in the same order. jansson's json_deep_copy() also guards against
 * reference loops, with a table of the containers on the path keyed by their printed
 * address: for these trees (parsed or built by a step, never looped) that made a copy
 * cost as much as parsing the text again. Past a depth no document has, it is used
 * anyway. */
static json_t *copy_tree(const json_t *j, int depth) {
    if (depth > 64)
        return json_deep_copy(j);
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        json_t *o = json_object();
        for (void *it = json_object_iter((json_t *)j); o && it;
             it = json_object_iter_next((json_t *)j, it))
            if (json_object_setn_new_nocheck(
                    o, json_object_iter_key(it), json_object_iter_key_len(it),
                    copy_tree(json_object_iter_value(it), depth + 1)) < 0) {
                json_decref(o);
                return NULL;
            }
        return o;
    }
    case JSON_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < json_array_size(j); i++)
            if (json_array_append_new(a, copy_tree(json_array_get(j, i), depth + 1)) < 0) {
                json_decref(a);
                return NULL;
            }
        return a;
    }
    case JSON_STRING:
        return json_stringn_nocheck(json_string_value(j), json_string_length(j));
    case JSON_INTEGER:
        return json_integer(json_integer_value(j));
    case JSON_REAL:
        return json_real(json_real_value(j));
    default: /* true, false, null: shared singletons */
        return json_incref((json_t *)j);
    }
}

static json_t *tree_copy(const json_t *j) {
    return j ? copy_tree(j, 0) : NULL;
}

static void drop_docs(struct dw__sq_cache *c) {
    for (size_t i = 0; i < c->n_docs; i++)
        json_decref(c->docs[i].doc);
    c->n_docs = 0;
}

static void drop_deal(struct dw__sq_cache *c) {
    drop_docs(c);
    json_decref(c->leads);
    c->leads = NULL;
    json_decref(c->quote);
    c->quote = NULL;
    json_decref(c->approvals);
    c->approvals = NULL;
    c->has_rec = false;
    c->deal_id = 0;
}

void dw__sq_cache_reset(struct dw_sqlite *q, bool on) {
    drop_deal(&q->cache);
    q->cache.has_tail = false;
    q->cache.on = on;
    dw__sq_holds_reset(q);
}

/* The cache for deal_id, emptied first when it held another deal's; NULL when off. */
static struct dw__sq_cache *for_deal(struct dw_sqlite *q, int64_t deal_id) {
    struct dw__sq_cache *c = &q->cache;
    if (!c->on || deal_id <= 0)
        return NULL;
    if (c->deal_id != deal_id) {
        drop_deal(c);
        c->deal_id = deal_id;
    }
    return c;
}

static struct dw__sq_cached_doc *find_doc(struct dw__sq_cache *c, const char *kind) {
    for (size_t i = 0; i < c->n_docs; i++)
        if (strcmp(c->docs[i].kind, kind) == 0)
            return &c->docs[i];
    return NULL;
}

int dw__sq_cache_doc_get(struct dw_sqlite *q, int64_t deal_id, const char *kind, json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    struct dw__sq_cached_doc *d = c ? find_doc(c, kind) : NULL;
    if (!d)
        return DW__SQ_CACHE_MISS;
    if (!d->doc)
        return DW__SQ_CACHE_ABSENT;
    json_t *copy = tree_copy(d->doc);
    if (!copy)
        return DW__SQ_CACHE_MISS; /* the store reads it instead */
    *ret = copy;
    return DW__SQ_CACHE_HIT;
}

void dw__sq_cache_doc_set(struct dw_sqlite *q, int64_t deal_id, const char *kind,
                          const json_t *doc) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c || strlen(kind) >= sizeof c->docs[0].kind)
        return;
    struct dw__sq_cached_doc *d = find_doc(c, kind);
    json_t *copy = doc ? tree_copy(doc) : NULL;
    if (doc && !copy) { /* out of memory: forget the entry, the store has the truth */
        dw__sq_cache_doc_drop(q, deal_id, kind);
        return;
    }
    if (!d) {
        if (c->n_docs == DW_ARRAY_SIZE(c->docs)) {
            json_decref(copy);
            return;
        }
        d = &c->docs[c->n_docs++];
        snprintf(d->kind, sizeof d->kind, "%s", kind);
        d->doc = NULL;
    }
    json_decref(d->doc);
    d->doc = copy;
}

int dw__sq_cache_doc_peek(struct dw_sqlite *q, int64_t deal_id, const char *kind,
                          const json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    struct dw__sq_cached_doc *d = c ? find_doc(c, kind) : NULL;
    if (!d)
        return DW__SQ_CACHE_MISS;
    if (!d->doc)
        return DW__SQ_CACHE_ABSENT;
    *ret = json_incref(d->doc);
    return DW__SQ_CACHE_HIT;
}

/* Cached values are never changed in place (a set replaces the entry with a copy of its
 * own), so one handed out by peek stays what it was for as long as its reader holds it. */
void dw__sq_cache_doc_adopt(struct dw_sqlite *q, int64_t deal_id, const char *kind, json_t *doc) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c || strlen(kind) >= sizeof c->docs[0].kind)
        return;
    struct dw__sq_cached_doc *d = find_doc(c, kind);
    if (!d) {
        if (c->n_docs == DW_ARRAY_SIZE(c->docs))
            return;
        d = &c->docs[c->n_docs++];
        snprintf(d->kind, sizeof d->kind, "%s", kind);
        d->doc = NULL;
    }
    json_decref(d->doc);
    d->doc = json_incref(doc);
}

void dw__sq_cache_doc_drop(struct dw_sqlite *q, int64_t deal_id, const char *kind) {
    struct dw__sq_cache *c = &q->cache;
    if (c->deal_id != deal_id)
        return;
    struct dw__sq_cached_doc *d = find_doc(c, kind);
    if (!d)
        return;
    json_decref(d->doc);
    *d = c->docs[--c->n_docs];
}

/* A cached JSON value of the deal (its leads, its approvals): a copy for the caller, which
 * may change it; a miss when nothing is kept or the copy fails. */
static int slot_get(const json_t *kept, json_t **ret) {
    json_t *copy = kept ? tree_copy(kept) : NULL;
    if (!copy)
        return DW__SQ_CACHE_MISS;
    *ret = copy;
    return DW__SQ_CACHE_HIT;
}

/* Keep a copy of `v` in `slot`, so the caller's later changes do not reach the cache. */
static void slot_set(json_t **slot, const json_t *v) {
    json_decref(*slot);
    *slot = tree_copy(v);
}

int dw__sq_cache_leads_get(struct dw_sqlite *q, int64_t deal_id, json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    return c ? slot_get(c->leads, ret) : DW__SQ_CACHE_MISS;
}

void dw__sq_cache_leads_set(struct dw_sqlite *q, int64_t deal_id, const json_t *leads) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (c)
        slot_set(&c->leads, leads);
}

int dw__sq_cache_leads_peek(struct dw_sqlite *q, int64_t deal_id, const json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c || !c->leads)
        return DW__SQ_CACHE_MISS;
    *ret = json_incref(c->leads);
    return DW__SQ_CACHE_HIT;
}

void dw__sq_cache_leads_adopt(struct dw_sqlite *q, int64_t deal_id, json_t *leads) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c)
        return;
    json_decref(c->leads);
    c->leads = json_incref(leads);
}

void dw__sq_cache_leads_drop(struct dw_sqlite *q) {
    json_decref(q->cache.leads);
    q->cache.leads = NULL;
}

int dw__sq_cache_approvals_get(struct dw_sqlite *q, int64_t deal_id, json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    return c ? slot_get(c->approvals, ret) : DW__SQ_CACHE_MISS;
}

void dw__sq_cache_approvals_set(struct dw_sqlite *q, int64_t deal_id, const json_t *list) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (c)
        slot_set(&c->approvals, list);
}

void dw__sq_cache_approvals_drop(struct dw_sqlite *q) {
    json_decref(q->cache.approvals);
    q->cache.approvals = NULL;
}

const struct dw_deal_rec *dw__sq_cache_deal(struct dw_sqlite *q, int64_t deal_id) {
    const struct dw__sq_cache *c = &q->cache;
    return c->on && c->has_rec && c->deal_id == deal_id ? &c->rec : NULL;
}

void dw__sq_cache_deal_set(struct dw_sqlite *q, const struct dw_deal_rec *rec) {
    struct dw__sq_cache *c = for_deal(q, rec->id);
    if (!c)
        return;
    c->rec = *rec;
    c->has_rec = true;
}

int dw__sq_cache_quote_get(struct dw_sqlite *q, int64_t deal_id, json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c || !c->quote)
        return DW__SQ_CACHE_MISS;
    json_t *copy = tree_copy(c->quote);
    if (!copy)
        return DW__SQ_CACHE_MISS;
    *ret = copy;
    return DW__SQ_CACHE_HIT;
}

void dw__sq_cache_quote_set(struct dw_sqlite *q, int64_t deal_id, const json_t *quote) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c)
        return;
    json_decref(c->quote);
    c->quote = tree_copy(quote);
}

int dw__sq_cache_quote_peek(struct dw_sqlite *q, int64_t deal_id, const json_t **ret) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c || !c->quote)
        return DW__SQ_CACHE_MISS;
    *ret = json_incref(c->quote);
    return DW__SQ_CACHE_HIT;
}

void dw__sq_cache_quote_adopt(struct dw_sqlite *q, int64_t deal_id, json_t *quote) {
    struct dw__sq_cache *c = for_deal(q, deal_id);
    if (!c)
        return;
    json_decref(c->quote);
    c->quote = json_incref(quote);
}

void dw__sq_cache_quote_drop(struct dw_sqlite *q) {
    json_decref(q->cache.quote);
    q->cache.quote = NULL;
}
