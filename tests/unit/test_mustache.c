/* Unit tests for the Mustache renderer (lib/rules/mustache.c): the behaviour our
 * templates rely on and the error and limit paths that the spec suite does not cover.
 * The full spec runs separately as the mustache-conformance test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/mustache.h"

/* Renders tmpl against the JSON text `data` with partials from the JSON text `partials`
 * (may be NULL) and returns the output, failing the test on any error. Caller frees. */
static char *render_ok(const char *tmpl, const char *data, const char *partials) {
    json_error_t jerr;
    json_t *d = json_loads(data, JSON_DECODE_ANY, &jerr);
    assert_non_null(d);
    json_t *p = partials ? json_loads(partials, 0, &jerr) : NULL;
    if (partials)
        assert_non_null(p);
    struct dw_mustache_opts opts = {.partials = p};
    struct dw_error err = {0};
    char *out = NULL;
    int r = dw_mustache_render(tmpl, strlen(tmpl), d, &opts, &out, &err);
    if (r != 0)
        print_error("render failed: %s: %d:%d: %s\n", dw_errname(r), err.line, err.col, err.msg);
    assert_int_equal(r, 0);
    assert_non_null(out);
    /* parsed once and rendered twice (a workspace's kept template): the same text each time */
    struct dw_mustache_tmpl *c = NULL;
    assert_int_equal(dw_mustache_compile(tmpl, strlen(tmpl), &c, &err), 0);
    for (int i = 0; i < 2; i++) {
        char *again = NULL;
        assert_int_equal(dw_mustache_render_tmpl(c, d, &opts, &again, &err), 0);
        assert_string_equal(again, out);
        free(again);
    }
    dw_mustache_tmpl_free(c);
    json_decref(d);
    json_decref(p);
    return out;
}

#define assert_render(tmpl, data, partials, expected)                                              \
    do {                                                                                           \
        char *out_ = render_ok(tmpl, data, partials);                                              \
        assert_string_equal(out_, expected);                                                       \
        free(out_);                                                                                \
    } while (0)

/* Renders expecting failure with `code`; returns the error for further checks. */
static struct dw_error render_fail(const char *tmpl, const char *partials,
                                   const struct dw_mustache_opts *base, int code) {
    json_t *p = partials ? json_loads(partials, 0, NULL) : NULL;
    struct dw_mustache_opts opts = base ? *base : (struct dw_mustache_opts){0};
    if (p)
        opts.partials = p;
    json_t *d = json_pack("{s:[i,i,i], s:s}", "list", 1, 2, 3, "s", "xxxxxxxxxx");
    struct dw_error err = {0};
    char *out = (char *)"untouched";
    int r = dw_mustache_render(tmpl, strlen(tmpl), d, &opts, &out, &err);
    assert_int_equal(r, code);
    assert_int_equal(err.code, code);
    assert_string_equal(out, "untouched"); /* ret_out is set only on success */
    assert_true(err.msg[0] != '\0');
    /* a compiled template fails the same way, at its parse or at its render */
    struct dw_mustache_tmpl *c = NULL;
    struct dw_error e2 = {0};
    int r2 = dw_mustache_compile(tmpl, strlen(tmpl), &c, &e2);
    if (r2 == 0) {
        r2 = dw_mustache_render_tmpl(c, d, &opts, &out, &e2);
        dw_mustache_tmpl_free(c);
    }
    assert_int_equal(r2, code);
    assert_string_equal(out, "untouched");
    assert_string_equal(e2.msg, err.msg);
    assert_int_equal(e2.line, err.line);
    assert_int_equal(e2.col, err.col);
    json_decref(d);
    json_decref(p);
    return err;
}

static void test_escaping(void **state) {
    (void)state;
    const char *data = "{\"x\": \"a&b <i> \\\"q\\\" 's'\"}";
    assert_render("{{x}}", data, NULL, "a&amp;b &lt;i&gt; &quot;q&quot; &#39;s&#39;");
    assert_render("{{{x}}}", data, NULL, "a&b <i> \"q\" 's'");
    assert_render("{{& x }}", data, NULL, "a&b <i> \"q\" 's'");
    /* The template's own text is never escaped, and data is never re-parsed. */
    assert_render("<b>{{y}}</b>", "{\"y\": \"{{x}}\"}", NULL, "<b>{{x}}</b>");
}

/* Markdown mode: customer text cannot become a link, emphasis, heading, list item, table
 * cell break or autolink; triple braces stay raw; partials escape the same way. */
static void test_escaping_markdown(void **state) {
    (void)state;
    json_error_t je;
    json_t *d = json_loads("{\"n\": \"Bob [Pay](https://evil.example/pay) **ok**\","
                           " \"c\": \"# 50% off\\n- 1. x | y\", \"w\": \"www.evil.example\"}",
                           0, &je);
    json_t *p = json_pack("{s:s}", "sig", "{{n}}");
    struct dw_mustache_opts opts = {.partials = p, .escape = DW_MUSTACHE_MARKDOWN};
    struct dw_error err = {0};
    char *out = NULL;
    const char *t = "{{n}}\n{{c}}\n{{w}}\n{{{n}}}\n{{> sig}}";
    assert_int_equal(dw_mustache_render(t, strlen(t), d, &opts, &out, &err), 0);
    assert_string_equal(out, "Bob \\[Pay\\]\\(https\\://evil\\.example/pay\\) \\*\\*ok\\*\\*\n"
                             "\\# 50% off \\- 1\\. x \\| y\n"
                             "www\\.evil\\.example\n"
                             "Bob [Pay](https://evil.example/pay) **ok**\n"
                             "Bob \\[Pay\\]\\(https\\://evil\\.example/pay\\) \\*\\*ok\\*\\*");
    free(out);
    opts.escape = (enum dw_mustache_escape)7;
    assert_int_equal(dw_mustache_render(t, strlen(t), d, &opts, &out, &err), -DW_EINVAL);
    json_decref(d);
    json_decref(p);
}

static void test_values(void **state) {
    (void)state;
    assert_render("{{i}} {{r}} {{w}} {{n}}|{{t}} {{f}}",
                  "{\"i\": -42, \"r\": 1.210, \"w\": 2.0, \"n\": null, \"t\": true, \"f\": false}",
                  NULL, "-42 1.21 2 |true false");
    assert_render("{{{o}}} {{a}}", "{\"o\": {\"k\": [1, \"v\"]}, \"a\": [\"<\"]}", NULL,
                  "{\"k\":[1,\"v\"]} [&quot;&lt;&quot;]");
}

static void test_dotted_names(void **state) {
    (void)state;
    const char *data = "{\"deal\": {\"customer\": {\"name\": \"Acme\"}}, \"name\": \"outer\","
                       " \"c\": {\"x\": \"wrong\"}, \"b\": {\"c\": {\"x\": \"wrong\"}}}";
    assert_render("{{deal.customer.name}}", data, NULL, "Acme");
    /* The first key is found up the stack, the rest only inside it. */
    assert_render("{{#deal}}{{customer.name}}/{{name}}{{/deal}}", data, NULL, "Acme/outer");
    /* A broken chain is empty; it does not fall back to an outer "c". */
    assert_render("[{{deal.c.x}}][{{b.c.y}}][{{deal.customer.name.more}}]", data, NULL, "[][][]");
    assert_render("{{#deal.customer}}{{name}}{{/deal.customer}}", data, NULL, "Acme");
}

static void test_sections(void **state) {
    (void)state;
    /* Lists iterate, with the implicit iterator and outer names reachable. */
    assert_render("{{#items}}{{sku}}x{{qty}}{{cur}};{{/items}}",
                  "{\"cur\": \"EUR\", \"items\": [{\"sku\": \"A\", \"qty\": 2},"
                  " {\"sku\": \"B\", \"qty\": 1, \"cur\": \"USD\"}]}",
                  NULL, "Ax2EUR;Bx1USD;");
    assert_render("{{#l}}<{{.}}>{{/l}}", "{\"l\": [\"a\", 1, 1.5]}", NULL, "<a><1><1.5>");
    /* An object is pushed once. */
    assert_render("{{#o}}{{k}}{{/o}}", "{\"o\": {\"k\": \"v\"}}", NULL, "v");
    /* Truthiness follows the spec's !!data: "" and 0 are falsey, {} is truthy. */
    const char *data = "{\"t\": true, \"f\": false, \"n\": null, \"e\": [], \"s\": \"\","
                       " \"z\": 0, \"zr\": 0.0, \"o\": {}, \"one\": 1, \"str\": \"x\"}";
    assert_render("{{#t}}t{{/t}}{{#f}}f{{/f}}{{#n}}n{{/n}}{{#e}}e{{/e}}{{#s}}s{{/s}}"
                  "{{#z}}z{{/z}}{{#zr}}zr{{/zr}}{{#o}}o{{/o}}{{#one}}1{{/one}}"
                  "{{#str}}{{.}}{{/str}}{{#missing}}m{{/missing}}",
                  data, NULL, "to1x");
    /* Standalone section lines disappear, inline ones keep their whitespace. */
    assert_render("Items:\n  {{#l}}\n  - {{.}}\n  {{/l}}\nEnd {{#t}} yes {{/t}}\n",
                  "{\"l\": [1, 2], \"t\": true}", NULL, "Items:\n  - 1\n  - 2\nEnd  yes \n");
}

static void test_inverted(void **state) {
    (void)state;
    const char *data = "{\"f\": false, \"e\": [], \"l\": [1], \"s\": \"\", \"o\": {}}";
    assert_render("{{^f}}F{{/f}}{{^e}}E{{/e}}{{^l}}L{{/l}}{{^s}}S{{/s}}{{^o}}O{{/o}}"
                  "{{^nope}}N{{/nope}}",
                  data, NULL, "FESN");
    assert_render("{{#l}}has{{/l}}{{^l}}none{{/l}}", "{\"l\": []}", NULL, "none");
}

static void test_partials(void **state) {
    (void)state;
    const char *partials = "{\"line\": \"- {{name}}\\n\", \"block\": \"<ul>\\n{{#items}}\\n"
                           "  {{>line}}\\n{{/items}}\\n</ul>\\n\", \"text\": \"a\\nb\\n\"}";
    const char *data = "{\"items\": [{\"name\": \"x\\ny\"}, {\"name\": \"z\"}]}";
    /* Indentation composes through nested standalone partials; data is never indented. */
    assert_render("<div>\n    {{>block}}\n</div>\n", data, partials,
                  "<div>\n    <ul>\n      - x\ny\n      - z\n    </ul>\n</div>\n");
    /* An inline partial tag is not indented, not even inside an indented partial. */
    assert_render("  >{{>text}}|", "{}", partials, "  >a\nb\n|");
    assert_render("  {{>outer}}\n", "{}",
                  "{\"outer\": \"[{{>text}}]\\nend\\n\","
                  " \"text\": \"a\\nb\"}",
                  "  [a\nb]\n  end\n");
    /* A missing partial is empty (the spec), and the partial sees the caller's context. */
    assert_render("[{{>nope}}]{{#items}}{{>line}}{{/items}}", data, partials, "[]- x\ny\n- z\n");
}

static void test_set_delimiters(void **state) {
    (void)state;
    const char *data = "{\"x\": \"<v>\", \"l\": [1, 2]}";
    assert_render("{{x}} {{=<% %>=}}<%x%> {{x}} <%{x}%> <%#l%><%.%><%/l%><%={{ }}=%> {{x}}", data,
                  NULL, "&lt;v&gt; &lt;v&gt; {{x}} <v> 12 &lt;v&gt;");
    /* A standalone delimiter change disappears with its line. */
    assert_render("a\n  {{=| |=}}\n|x|\n", data, NULL, "a\n&lt;v&gt;\n");
    /* Delimiters do not leak into or out of a partial. */
    assert_render("{{=[ ]=}}[>p][x]", data, "{\"p\": \"{{x}}{{=| |=}}|x|\"}",
                  "&lt;v&gt;&lt;v&gt;&lt;v&gt;");
}

static void assert_syntax_error(const char *tmpl, int line, int col, const char *needle) {
    struct dw_error err = {0};
    int r = dw_mustache_check(tmpl, strlen(tmpl), &err);
    assert_int_equal(r, -DW_EPARSE);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.file, "");
    if (!strstr(err.msg, needle))
        print_error("message '%s' lacks '%s'\n", err.msg, needle);
    assert_non_null(strstr(err.msg, needle));
    /* Rendering reports the same error at the same place. */
    struct dw_error err2 = render_fail(tmpl, NULL, NULL, -DW_EPARSE);
    assert_int_equal(err2.line, line);
    assert_int_equal(err2.col, col);
}

static void test_syntax_errors(void **state) {
    (void)state;
    assert_syntax_error("Hello\n  {{#items}}\n{{name}}\n", 2, 3, "unclosed section 'items'");
    assert_syntax_error("{{#a}}\n {{#b}}\n {{/a}}\n{{/b}}", 3, 2,
                        "does not match section 'b' opened at 2:2");
    assert_syntax_error("x\n\n   {{/a}}", 3, 4, "without an open section");
    assert_syntax_error("é {{name", 1, 3, "unclosed tag");
    assert_syntax_error("ab\n{{{x}}", 2, 1, "unclosed tag");
    assert_syntax_error("a {{ }}", 1, 3, "empty tag");
    assert_syntax_error("{{a b}}", 1, 1, "whitespace");
    assert_syntax_error("{{a..b}}", 1, 1, "dotted name");
    assert_syntax_error("\n{{=<% %>}}", 2, 1, "unclosed tag");
    assert_syntax_error("{{=}}", 1, 1, "unclosed tag"); /* the sigil is not the '=' closer */
    assert_syntax_error("{{{}}", 1, 1, "unclosed tag");
    assert_syntax_error("{{{}}}", 1, 1, "empty tag");
    assert_syntax_error("{{=<%=}}", 1, 1, "invalid delimiters");
    assert_syntax_error("{{<parent}}{{/parent}}", 1, 1, "not supported");

    struct dw_error err = {0};
    const char *fine = "{{#a}}{{b}}{{/a}} {{! {{#x}} is only a comment }}";
    assert_int_equal(dw_mustache_check(fine, strlen(fine), &err), 0);
    assert_int_equal(dw_mustache_check(NULL, 0, &err), 0);

    /* An error inside a partial names the partial; line:col are in the partial. */
    err = render_fail("{{>p}}", "{\"p\": \"ok\\n  {{#x}}\"}", NULL, -DW_EPARSE);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 3);
    assert_non_null(strstr(err.msg, "partial 'p'"));
}

static void test_limits(void **state) {
    (void)state;
    /* "xxxxxxxxxx" three times is 30 bytes: exactly at the limit passes, one less fails. */
    json_t *d = json_pack("{s:s}", "s", "xxxxxxxxxx");
    struct dw_mustache_opts opts = {.max_output = 30};
    char *out = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_mustache_render("{{s}}{{s}}{{s}}", 15, d, &opts, &out, &err), 0);
    assert_int_equal(strlen(out), 30);
    free(out);
    json_decref(d);
    opts.max_output = 29;
    render_fail("{{s}}{{s}}{{s}}", NULL, &opts, -DW_ETOOBIG);
    /* The limit applies to the escaped bytes: ten '&' become 50 bytes. */
    d = json_pack("{s:s}", "amp", "&&&&&&&&&&");
    opts.max_output = 50;
    assert_int_equal(dw_mustache_render("{{amp}}", 7, d, &opts, &out, &err), 0);
    assert_string_equal(out, "&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;&amp;");
    free(out);
    opts.max_output = 49;
    out = NULL;
    assert_int_equal(dw_mustache_render("{{amp}}", 7, d, &opts, &out, &err), -DW_ETOOBIG);
    assert_null(out);
    assert_int_equal(err.code, -DW_ETOOBIG);
    json_decref(d);

    /* A partial that includes itself stops at the depth limit instead of the stack. */
    err = render_fail("{{>self}}", "{\"self\": \"a{{>self}}\"}", NULL, -DW_ETOOBIG);
    assert_non_null(strstr(err.msg, "64"));
    /* Sections count too: three levels pass with max_depth 3, four do not. */
    struct dw_mustache_opts shallow = {.max_depth = 3};
    d = json_pack("{s:b}", "t", 1);
    const char *three = "{{#t}}{{#t}}{{#t}}x{{/t}}{{/t}}{{/t}}";
    assert_int_equal(dw_mustache_render(three, strlen(three), d, &shallow, &out, &err), 0);
    assert_string_equal(out, "x");
    free(out);
    json_decref(d);
    render_fail("{{#list}}{{#list}}{{#list}}{{#list}}x{{/list}}{{/list}}{{/list}}{{/list}}", NULL,
                &shallow, -DW_ETOOBIG);
    /* Partials and sections share the budget. */
    render_fail("{{#list}}{{>p}}{{/list}}", "{\"p\": \"{{#list}}{{>q}}{{/list}}\", \"q\": \"x\"}",
                &shallow, -DW_ETOOBIG);
}

/* Found by fuzz_mustache: eleven sections nested over a six-item list are 6^11 visits with
 * almost no output; the step limit stops it in well under a second. */
static void test_work_limit(void **state) {
    (void)state;
    const char *tmpl = "{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}{{#l}}x"
                       "{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}{{/l}}";
    json_t *d = json_pack("{s:[i,i,i,i,i,i]}", "l", 1, 2, 3, 4, 5, 6);
    char *out = NULL;
    struct dw_error err = {0};
    int64_t t0 = dw_monotonic_us();
    assert_int_equal(dw_mustache_render(tmpl, strlen(tmpl), d, NULL, &out, &err), -DW_ETOOBIG);
    assert_true(dw_monotonic_us() - t0 < 5000000);
    assert_null(out);
    assert_non_null(strstr(err.msg, "steps"));
    /* a template within the limit renders */
    struct dw_mustache_opts o = {.max_steps = 100};
    assert_int_equal(dw_mustache_render("{{#l}}x{{/l}}", 13, d, &o, &out, &err), 0);
    assert_string_equal(out, "xxxxxx");
    free(out);
    out = NULL;
    o.max_steps = 5;
    assert_int_equal(dw_mustache_render("{{#l}}x{{/l}}", 13, d, &o, &out, &err), -DW_ETOOBIG);
    json_decref(d);
}

static void test_bad_arguments(void **state) {
    (void)state;
    char *out = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_mustache_render("x", 1, NULL, NULL, NULL, &err), -DW_EINVAL);
    json_t *notobj = json_array();
    struct dw_mustache_opts opts = {.partials = notobj};
    assert_int_equal(dw_mustache_render("x", 1, NULL, &opts, &out, &err), -DW_EINVAL);
    json_decref(notobj);
    render_fail("{{>p}}", "{\"p\": 1}", NULL, -DW_EINVAL);
    /* No opts and no data: renders literal text, names are empty. */
    assert_int_equal(dw_mustache_render("a{{b}}c", 7, NULL, NULL, &out, NULL), 0);
    assert_string_equal(out, "ac");
    free(out);
    /* len, not NUL, ends the template. */
    assert_int_equal(dw_mustache_render("ab{{x}}", 2, NULL, NULL, &out, NULL), 0);
    assert_string_equal(out, "ab");
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),      cmocka_unit_test(test_escaping_markdown),
        cmocka_unit_test(test_values),        cmocka_unit_test(test_dotted_names),
        cmocka_unit_test(test_sections),      cmocka_unit_test(test_inverted),
        cmocka_unit_test(test_partials),      cmocka_unit_test(test_set_delimiters),
        cmocka_unit_test(test_syntax_errors), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bad_arguments), cmocka_unit_test(test_work_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
