/* Aho–Corasick over bytes (ac.h): the patterns' trie, completed into a deterministic
 * automaton over the byte classes the patterns use (every other byte is one class that
 * leads back to the root), so a scan is one table read a byte. A state that ends patterns
 * lists them; its dictionary link is the longest proper suffix state that ends any, so every
 * pattern ending at a position is reported. */
#include <stdlib.h>
#include <string.h>

#include "base/ac.h"
#include "base/base.h"

struct dw_ac {
    uint8_t cls[256];   /* byte -> class; 0: no pattern has the byte */
    size_t ncls;        /* classes, 0 included */
    uint16_t *delta;    /* [state * ncls + class] -> state */
    int32_t *first;     /* state -> first pattern ending there, -1 none */
    int32_t *next_same; /* pattern -> next pattern ending at the same state, -1 none */
    uint16_t *dict;     /* state -> nearest suffix state that ends patterns, 0 none */
    size_t nstates, npats;
    int32_t first_empty; /* the empty patterns (a chain through next_same), -1 none */
    /* delta's moves carry REPORTS on a state that ends or links to patterns, so that a scan
     * looks nothing else up at the other bytes; false when the states need that bit */
    bool tagged;
};

#define REPORTS 0x8000u

void dw_ac_free(struct dw_ac *ac) {
    if (!ac)
        return;
    free(ac->delta);
    free(ac->first);
    free(ac->next_same);
    free(ac->dict);
    free(ac);
}

int dw_ac_new(const char *const *pats, size_t n, struct dw_ac **ret) {
    struct dw_ac *ac = calloc(1, sizeof *ac);
    if (!ac)
        return -DW_ENOMEM;
    ac->npats = n;
    ac->first_empty = -1;
    size_t total = 1;
    for (size_t k = 0; k < n; k++) {
        for (const unsigned char *p = (const unsigned char *)pats[k]; *p; p++)
            if (!ac->cls[*p])
                ac->cls[*p] = (uint8_t)++ac->ncls; /* at most 255 classes: bytes 1..255 */
        total += strlen(pats[k]);
    }
    ac->ncls++;
    if (total > UINT16_MAX) {
        dw_ac_free(ac);
        return -DW_ETOOBIG;
    }
    size_t ns = ac->ncls;
    ac->delta = calloc(total * ns, sizeof *ac->delta); /* 0 = missing while building */
    ac->first = malloc(total * sizeof *ac->first);
    ac->next_same = malloc((n ? n : 1) * sizeof *ac->next_same);
    ac->dict = calloc(total, sizeof *ac->dict);
    uint16_t *fail = calloc(total, sizeof *fail), *queue = malloc(total * sizeof *queue);
    if (!ac->delta || !ac->first || !ac->next_same || !ac->dict || !fail || !queue) {
        free(fail);
        free(queue);
        dw_ac_free(ac);
        return -DW_ENOMEM;
    }
    for (size_t s = 0; s < total; s++)
        ac->first[s] = -1;
    /* the trie; patterns are listed at their state in reverse order of adding, which does
     * not matter: a scan reports a set */
    ac->nstates = 1;
    for (size_t k = 0; k < n; k++) {
        size_t s = 0;
        for (const unsigned char *p = (const unsigned char *)pats[k]; *p; p++) {
            uint16_t *to = &ac->delta[s * ns + ac->cls[*p]];
            if (!*to)
                *to = (uint16_t)ac->nstates++;
            s = *to;
        }
        int32_t *head = s == 0 ? &ac->first_empty : &ac->first[s];
        ac->next_same[k] = *head;
        *head = (int32_t)k;
    }
    /* breadth first: failure links, dictionary links, and the missing moves completed from
     * the failure state's (already complete, being nearer the root) */
    size_t qh = 0, qt = 0;
    for (size_t c = 0; c < ns; c++) {
        uint16_t v = ac->delta[c];
        if (v) {
            fail[v] = 0;
            queue[qt++] = v;
        }
    }
    while (qh < qt) {
        uint16_t u = queue[qh++];
        for (size_t c = 0; c < ns; c++) {
            uint16_t *to = &ac->delta[(size_t)u * ns + c];
            uint16_t f = ac->delta[(size_t)fail[u] * ns + c];
            if (*to) {
                uint16_t v = *to;
                fail[v] = f;
                ac->dict[v] = ac->first[f] >= 0 ? f : ac->dict[f];
                queue[qt++] = v;
            } else {
                *to = f;
            }
        }
    }
    free(fail);
    free(queue);
    ac->tagged = ac->nstates <= REPORTS;
    for (size_t m = 0; ac->tagged && m < ac->nstates * ns; m++) {
        uint16_t v = ac->delta[m];
        if (ac->first[v] >= 0 || ac->dict[v])
            ac->delta[m] = (uint16_t)(v | REPORTS);
    }
    *ret = ac;
    return 0;
}

static size_t mark(const struct dw_ac *ac, int32_t k, uint64_t *found) {
    size_t added = 0;
    for (; k >= 0; k = ac->next_same[k]) {
        uint64_t bit = (uint64_t)1 << (k % 64);
        added += !(found[k / 64] & bit);
        found[k / 64] |= bit;
    }
    return added;
}

size_t dw_ac_scan(const struct dw_ac *ac, const char *s, size_t len, uint64_t *found) {
    size_t added = mark(ac, ac->first_empty, found);
    const unsigned char *u = (const unsigned char *)s;
    size_t ns = ac->ncls, st = 0;
    if (ac->tagged) {
        for (size_t i = 0; i < len; i++) {
            unsigned v = ac->delta[st * ns + ac->cls[u[i]]];
            st = v & ~REPORTS;
            if (!(v & REPORTS))
                continue;
            for (size_t x = ac->first[st] >= 0 ? st : ac->dict[st]; x; x = ac->dict[x])
                added += mark(ac, ac->first[x], found);
        }
        return added;
    }
    for (size_t i = 0; i < len; i++) {
        st = ac->delta[st * ns + ac->cls[u[i]]];
        for (size_t x = ac->first[st] >= 0 ? st : ac->dict[st]; x; x = ac->dict[x])
            added += mark(ac, ac->first[x], found);
    }
    return added;
}
