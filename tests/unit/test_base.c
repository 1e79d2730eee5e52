/* Unit tests of the base layer: money, rounding, percentages, time, ids, UTF-8, buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/ac.h"
#include "base/base.h"

static void money_parse_format(void **state) {
    (void)state;
    int64_t v;
    char buf[40];
    assert_int_equal(dw_money_parse("1234.5", 2, &v), 0);
    assert_int_equal(v, 123450);
    assert_string_equal(dw_money_format(v, 2, buf, sizeof buf), "1234.50");
    assert_int_equal(dw_money_parse("-0.07", 2, &v), 0);
    assert_string_equal(dw_money_format(v, 2, buf, sizeof buf), "-0.07");
    assert_int_equal(dw_money_parse("12", 0, &v), 0);
    assert_string_equal(dw_money_format(v, 0, buf, sizeof buf), "12");
    assert_int_equal(dw_money_parse("1.234", 2, &v), -DW_EPARSE); /* more precision than cents */
    assert_int_equal(dw_money_parse("1e3", 2, &v), -DW_EPARSE);
    assert_int_equal(dw_money_parse("", 2, &v), -DW_EPARSE);
    assert_int_equal(dw_money_parse("99999999999999999999", 2, &v), -DW_ETOOBIG);
    assert_string_equal(dw_money_format(INT64_MIN, 2, buf, sizeof buf), "-92233720368547758.08");
    /* as snprintf() wrote it: zero amounts, no digits, three digits, cut to the buffer */
    assert_string_equal(dw_money_format(0, 2, buf, sizeof buf), "0.00");
    assert_string_equal(dw_money_format(-5, 0, buf, sizeof buf), "-5");
    assert_string_equal(dw_money_format(1005, 3, buf, sizeof buf), "1.005");
    assert_string_equal(dw_money_format(123450, 2, buf, 4), "123");
    assert_string_equal(dw_money_format(INT64_MAX, 0, buf, sizeof buf), "9223372036854775807");
}

static void half_even(void **state) {
    (void)state;
    int64_t r;
    /* 0.5 minor units round to the even neighbour, both ways */
    assert_int_equal(dw_muldiv_half_even(25, 1, 10, &r), 0);
    assert_int_equal(r, 2);
    assert_int_equal(dw_muldiv_half_even(35, 1, 10, &r), 0);
    assert_int_equal(r, 4);
    assert_int_equal(dw_muldiv_half_even(-25, 1, 10, &r), 0);
    assert_int_equal(r, -2);
    assert_int_equal(dw_muldiv_half_even(26, 1, 10, &r), 0);
    assert_int_equal(r, 3);
    /* 15 % of 1234.55 = 185.1825 -> 185.18 */
    assert_int_equal(dw_muldiv_half_even(123455, 1500, 10000, &r), 0);
    assert_int_equal(r, 18518);
    assert_int_equal(dw_muldiv_half_even(INT64_MAX, 3, 1, &r), -DW_ETOOBIG);
    assert_int_equal(dw_muldiv_half_even(1, 1, 0, &r), -DW_EINVAL);
}

static void percentages(void **state) {
    (void)state;
    int32_t bp;
    char buf[16];
    assert_int_equal(dw_pct_parse("12.5%", &bp), 0);
    assert_int_equal(bp, 1250);
    assert_string_equal(dw_pct_format(bp, buf, sizeof buf), "12.5");
    assert_int_equal(dw_pct_parse("10", &bp), 0);
    assert_string_equal(dw_pct_format(bp, buf, sizeof buf), "10");
    assert_string_equal(dw_pct_format(1001, buf, sizeof buf), "10.01");
    assert_int_equal(dw_pct_parse("100.01", &bp), -DW_EINVAL);
    assert_int_equal(dw_pct_parse("-1", &bp), -DW_EINVAL);
    assert_int_equal(dw_pct_parse("abc", &bp), -DW_EPARSE);
}

static void time_parse_format(void **state) {
    (void)state;
    dw_time_t t;
    char buf[32];
    assert_int_equal(dw_time_parse("2026-11-20T09:14:00Z", &t), 0);
    assert_string_equal(dw_time_format(t, buf, sizeof buf), "2026-11-20T09:14:00Z");
    assert_int_equal(dw_time_parse("2026-11-20T10:14:00+01:00", &t), 0);
    assert_string_equal(dw_time_format(t, buf, sizeof buf), "2026-11-20T09:14:00Z");
    assert_int_equal(dw_time_parse("2024-02-29", &t), 0);
    assert_string_equal(dw_date_format(t, buf, sizeof buf), "2024-02-29");
    assert_int_equal(dw_time_parse("2026-02-29", &t), -DW_EPARSE);
    assert_int_equal(dw_time_parse("2026-11-20T09:14:00", &t), -DW_EPARSE); /* no zone */
    assert_int_equal(dw_time_parse("2026-11-20T09:14:00.123Z", &t), 0);
    assert_int_equal(dw_time_parse("1969-12-31T23:59:59Z", &t), 0);
    assert_int_equal(t, -1);
    assert_string_equal(dw_time_format(t, buf, sizeof buf), "1969-12-31T23:59:59Z");
    assert_int_equal(dw_time_parse("2026-11-23T00:00:00Z", &t), 0);
    assert_int_equal(dw_weekday(t), 0); /* a Monday */
    /* the formatter's own digits against printf's, across years, months and the clock */
    const char *stamps[] = {"0001-01-01T00:00:00Z", "0999-09-09T09:09:09Z", "2000-02-29T23:59:59Z",
                            "2027-12-31T12:30:05Z", "9999-12-31T23:59:59Z"};
    for (size_t i = 0; i < sizeof stamps / sizeof *stamps; i++) {
        assert_int_equal(dw_time_parse(stamps[i], &t), 0);
        assert_string_equal(dw_time_format(t, buf, sizeof buf), stamps[i]);
    }
    char small[8]; /* too small for the whole: cut as snprintf cuts */
    assert_string_equal(dw_time_format(0, small, sizeof small), "1970-01");
}

static void ids(void **state) {
    (void)state;
    char buf[16];
    int64_t v;
    assert_string_equal(dw_id_format('D', 1, buf, sizeof buf), "D-000001");
    assert_int_equal(dw_id_parse('D', "D-000042", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(dw_id_parse('D', "d-7", &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(dw_id_parse('D', "A-000001", &v), -DW_EINVAL);
    assert_int_equal(dw_id_parse('D', "D-0", &v), -DW_EINVAL);
    assert_int_equal(dw_id_parse('D', "D-99999999999999999999", &v), -DW_EINVAL);
}

static void id_macro(void **state) {
    (void)state;
    char msg[64];
    snprintf(msg, sizeof msg, "%s and %s", DW_ID('D', 42), DW_ID('A', 1234567));
    assert_string_equal(msg, "D-000042 and A-1234567");
    assert_string_equal(DW_ID('Q', INT64_MAX), "Q-9223372036854775807");
    assert_string_equal(DW_ID('Q', INT64_MIN), "Q--9223372036854775808"); /* fits DW_ID_MAX */
}

/* FNV-1a reference values (the published test vectors for "" and "a" and "foobar"). */
static void fnv1a(void **state) {
    (void)state;
    assert_int_equal(dw_fnv1a32("", 0), 0x811c9dc5u);
    assert_int_equal(dw_fnv1a32("a", 1), 0xe40c292cu);
    assert_int_equal(dw_fnv1a32("foobar", 6), 0xbf9cf968u);
    assert_true(dw_fnv1a64("", 0) == 0xcbf29ce484222325ull);
    assert_true(dw_fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull);
    assert_true(dw_fnv1a64("foobar", 6) == 0x85944171f73967e8ull);
    assert_int_equal(dw_fnv1a32("foobarX", 6), dw_fnv1a32("foobar", 6)); /* n bytes only */
}

static void grow(void **state) {
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    assert_int_equal(DW_GROW(v, cap, 0), 0); /* nothing needed, nothing allocated */
    assert_null(v);
    assert_int_equal(cap, 0);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(DW_GROW(v, cap, (size_t)i + 1), 0);
        assert_true(cap >= (size_t)i + 1);
        v[i] = i;
    }
    size_t before = cap;
    assert_true(before < 2048); /* doubling, not one element at a time nor wildly more */
    assert_int_equal(DW_GROW(v, cap, 5000), 0); /* a jump past twice the capacity */
    assert_true(cap >= 5000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i); /* contents kept */
    /* need * elem overflows: refused, array and capacity unchanged */
    int *old = v;
    before = cap;
    assert_int_equal(DW_GROW(v, cap, SIZE_MAX / 2), -DW_ENOMEM);
    assert_ptr_equal(v, old);
    assert_int_equal(cap, before);
    assert_int_equal(dw_grow((void **)&v, &cap, SIZE_MAX, 1), -DW_ENOMEM);
    assert_int_equal(cap, before);
    assert_int_equal(v[999], 999);
    free(v);
}

static void utf8(void **state) {
    (void)state;
    size_t bad;
    assert_true(dw_utf8_valid("caf\xc3\xa9", 5, NULL));
    assert_false(dw_utf8_valid("caf\xe9 x", 6, &bad));
    assert_int_equal(bad, 3);
    assert_false(dw_utf8_valid("\xc0\xaf", 2, NULL));         /* overlong */
    assert_false(dw_utf8_valid("\xed\xa0\x80", 3, NULL));     /* surrogate */
    assert_false(dw_utf8_valid("\xf4\x90\x80\x80", 4, NULL)); /* > U+10FFFF */
    assert_true(dw_utf8_valid("\xf0\x9f\x98\x80", 4, NULL));
    /* past eight ASCII bytes read at once: the bad byte's offset, a sequence cut at the end */
    assert_true(dw_utf8_valid("Sehr geehrte Damen, gr\xc3\xbc\xc3\x9f", 26, NULL));
    assert_false(dw_utf8_valid("Sehr geehrte Damen und Herren \xe9 x", 33, &bad));
    assert_int_equal(bad, 30);
    assert_false(dw_utf8_valid("Sehr geehrte Damen und Herren \xc3", 31, &bad));
    assert_int_equal(bad, 30);
    /* two-byte sequences: the first and last, an overlong one, a bad second byte */
    assert_true(dw_utf8_valid("Gr\xc3\xbc\xc3\x9f \xc2\x80 \xdf\xbf Ende der Zeile", 27, NULL));
    assert_false(dw_utf8_valid("Sehr geehrte \xc1\xbf", 15, &bad));
    assert_int_equal(bad, 13);
    assert_false(dw_utf8_valid("Sehr geehrte Gr\xc3\xbc\xc3( x", 21, &bad));
    assert_int_equal(bad, 17);
}

static void buffers(void **state) {
    (void)state;
    struct dw_buf b;
    dw_buf_init(&b, 8);
    assert_int_equal(dw_buf_puts(&b, "abcd"), 0);
    assert_int_equal(dw_buf_printf(&b, "%d", 123), 0);
    assert_string_equal(b.data, "abcd123");
    assert_int_equal(dw_buf_puts(&b, "xy"), -DW_ETOOBIG);
    assert_string_equal(b.data, "abcd123"); /* unchanged on failure */
    dw_buf_release(&b);
}

static void hashing(void **state) {
    (void)state;
    char h[DW_SHA256_HEX];
    assert_int_equal(dw_base_init(), 0);
    dw_sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    json_t *a = json_pack("{s:i,s:s}", "b", 1, "a", "x");
    json_t *b = json_pack("{s:s,s:i}", "a", "x", "b", 1);
    char ha[DW_SHA256_HEX], hb[DW_SHA256_HEX];
    dw_json_hash(a, ha);
    dw_json_hash(b, hb);
    assert_string_equal(ha, hb); /* canonical: key order does not matter */
    json_decref(a);
    json_decref(b);

    /* dw_json_canonical writes exactly jansson's sorted compact dump, which the audit
     * chain's hashes and stored texts are defined by: escapes, UTF-8, nesting, large
     * objects (sorted by qsort past 32 keys), integers at the edges, and reals (jansson's
     * own text) */
    const char *cases[] = {
        "{\"z\":1,\"a\":[true,false,null,{}],\"m\":{\"y\":\"\\\"q\\\\\\u0001\\n\\t\\b\\f\\r/\"}}",
        "{\"b\":\"Grüße – 東京 \\u2028\",\"a\":-9223372036854775808,\"c\":9223372036854775807}",
        "[[],{},\"\",0,-1]",
        "{\"r\":1.5,\"a\":[0.1,-2e-300]}",
        "\"text\"",
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *v = json_loads(cases[i], JSON_DECODE_ANY, NULL);
        assert_non_null(v);
        char *want = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        char *got = dw_json_canonical(v);
        assert_string_equal(got, want);
        free(want);
        free(got);
        want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY); /* and unsorted */
        got = dw_json_compact(v);
        assert_string_equal(got, want);
        free(want);
        free(got);
        json_decref(v);
    }
    json_t *big = json_object(); /* 40 keys in reverse order */
    for (int k = 40; k > 0; k--) {
        char key[16];
        snprintf(key, sizeof key, "k%02d", k);
        json_object_set_new(big, key, json_integer(k));
    }
    char *want = json_dumps(big, JSON_COMPACT | JSON_SORT_KEYS);
    char *got = dw_json_canonical(big);
    assert_string_equal(got, want);
    free(want);
    free(got);
    json_decref(big);

    /* strings are scanned eight bytes at a time: a character to escape at every position of
     * strings of every length around the word size, and strings past the stream's buffer,
     * written and hashed as jansson's dump is */
    const char special[] = {'"', '\\', '\n', 0x01, 0x1f, '/', 0x7f};
    for (size_t len = 0; len <= 40; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t k = 0; k < sizeof special; k++) {
                char str[48];
                memset(str, 'a', len);
                if (at < len)
                    str[at] = special[k];
                json_t *v = json_stringn(str, len);
                char *want_s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
                char *got_s = dw_json_canonical(v);
                assert_string_equal(got_s, want_s);
                char hw[DW_SHA256_HEX], hg[DW_SHA256_HEX];
                dw_sha256_hex(want_s, strlen(want_s), hw);
                dw_json_hash(v, hg);
                assert_string_equal(hg, hw);
                free(want_s);
                free(got_s);
                json_decref(v);
            }
    size_t long_len = 20000;
    char *text = malloc(long_len);
    assert_non_null(text);
    for (size_t i = 0; i < long_len; i++)
        text[i] = i % 997 == 0 ? '\n' : (char)('a' + i % 26);
    for (int escaped = 0; escaped < 2; escaped++) {
        json_t *v = json_pack("[s%,s%]", text + (escaped ? 0 : 1), (size_t)996, text,
                              escaped ? long_len : (size_t)996);
        char *want_l = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        char *got_l = dw_json_canonical(v);
        assert_string_equal(got_l, want_l);
        char hw[DW_SHA256_HEX], hg[DW_SHA256_HEX];
        dw_sha256_hex(want_l, strlen(want_l), hw);
        dw_json_hash(v, hg);
        assert_string_equal(hg, hw);
        free(want_l);
        free(got_l);
        json_decref(v);
    }
    free(text);
}

static void errors(void **state) {
    (void)state;
    struct dw_error err = {0};
    char buf[256];
    assert_int_equal(dw_error_at(&err, -DW_EPARSE, "a.yaml", 3, 7, "bad %s", "thing"), -DW_EPARSE);
    assert_string_equal(dw_error_format(&err, buf, sizeof buf), "a.yaml:3:7: bad thing");
    dw_error_field(&err, DW_EINVAL, "contact.email", "nope");
    assert_int_equal(err.code, -DW_EINVAL);
    assert_string_equal(dw_error_format(&err, buf, sizeof buf), "field 'contact.email': nope");
    assert_string_equal(dw_errname(-DW_ETOOBIG), "ETOOBIG");
    assert_true(dw_error_is_transient(-DW_EBUSY));
    assert_false(dw_error_is_transient(-DW_EINVAL));
}

/* The Aho–Corasick automaton (lib/base/ac.c) finds exactly what one strstr() a pattern finds:
 * random pattern lists (overlapping, nested, repeated, empty, multi-byte UTF-8) over random
 * texts of a small alphabet, so patterns occur often and inside each other. */
static uint64_t ac_rng = 88172645463325252ull;
static unsigned ac_rnd(unsigned n) {
    ac_rng ^= ac_rng << 13;
    ac_rng ^= ac_rng >> 7;
    ac_rng ^= ac_rng << 17;
    return (unsigned)(ac_rng % n);
}

static void aho_corasick(void **state) {
    (void)state;
    static const char *const alphabet[] = {"a", "b", "c", "ab", " ", "\xc3\xa9", "\xc3\xa8"};
    for (int round = 0; round < 300; round++) {
        char pool[70][16];
        const char *pats[70];
        size_t n = 1 + ac_rnd(70);
        for (size_t k = 0; k < n; k++) {
            if (k > 0 && ac_rnd(10) == 0) { /* a repeated pattern */
                pats[k] = pats[ac_rnd((unsigned)k)];
                continue;
            }
            size_t len = 0, parts = ac_rnd(5); /* 0: the empty pattern */
            for (size_t p = 0; p < parts; p++) {
                const char *a = alphabet[ac_rnd(DW_ARRAY_SIZE(alphabet))];
                memcpy(pool[k] + len, a, strlen(a));
                len += strlen(a);
            }
            pool[k][len] = '\0';
            pats[k] = pool[k];
        }
        struct dw_ac *ac = NULL;
        assert_int_equal(dw_ac_new(pats, n, &ac), 0);
        for (int t = 0; t < 20; t++) {
            char text[200];
            size_t len = 0, parts = ac_rnd(60);
            for (size_t p = 0; p < parts; p++) {
                const char *a = alphabet[ac_rnd(DW_ARRAY_SIZE(alphabet))];
                memcpy(text + len, a, strlen(a));
                len += strlen(a);
            }
            text[len] = '\0';
            uint64_t found[2] = {0, 0};
            size_t added = dw_ac_scan(ac, text, len, found), want = 0;
            for (size_t k = 0; k < n; k++) {
                bool in = strstr(text, pats[k]) != NULL;
                want += in;
                if (in != ((found[k / 64] >> (k % 64)) & 1))
                    fail_msg("pattern '%s' in '%s': strstr %d, automaton %d", pats[k], text, in,
                             !in);
            }
            assert_int_equal(added, want);
        }
        dw_ac_free(ac);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(money_parse_format),
        cmocka_unit_test(half_even),
        cmocka_unit_test(percentages),
        cmocka_unit_test(time_parse_format),
        cmocka_unit_test(ids),
        cmocka_unit_test(id_macro),
        cmocka_unit_test(fnv1a),
        cmocka_unit_test(grow),
        cmocka_unit_test(utf8),
        cmocka_unit_test(buffers),
        cmocka_unit_test(hashing),
        cmocka_unit_test(errors),
        cmocka_unit_test(aho_corasick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
