/* Unit tests of the channels layer's CSV and calendar parts: leads from CSV rows (dates,
 * --map, errors at their cell), tables out (quoting, the formula guard, JSON), and the
 * iCalendar invitation (fixed-offset zone, cancellation, cleaned names, refusals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "channels/csv_out.h"
#include "channels/ics.h"
#include "engines/csv.h"
#include <dealwright/csv.h>

static json_t *leads(const char *text, const char *map, struct dw_error *err, int *ret) {
    json_t *out = NULL;
    *ret = dw_leads_parse_csv("t.csv", text, strlen(text), map, &out, NULL, err);
    return out;
}

static void csv_dates(void **state) {
    (void)state;
    struct dw_error err = {0};
    int r;
    /* a day above 12 settles D/M for the whole column */
    json_t *l = leads("Record ID,Email,Create Date,Message\n"
                      "1,a@b.example,03/04/2026,hello\n"
                      "2,c@d.example,25/04/2026 10:30,hello\n",
                      NULL, &err, &r);
    assert_int_equal(r, 0);
    assert_string_equal(dw_json_str(json_array_get(l, 0), "received_at"), "2026-04-03T00:00:00Z");
    assert_string_equal(dw_json_str(json_array_get(l, 1), "received_at"), "2026-04-25T10:30:00Z");
    json_decref(l);
    /* no row settles it: refused at the cell */
    l = leads("Record ID,Create Date,Message\n1,03/04/2026,hello\n", NULL, &err, &r);
    assert_int_equal(r, -DW_EINVAL);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 3);
    /* both orders in one column */
    l = leads("Record ID,Create Date,Message\n1,13/04/2026,a\n2,04/13/2026,b\n", NULL, &err, &r);
    assert_int_equal(r, -DW_EINVAL);
    assert_non_null(strstr(err.msg, "mixes"));
    /* day.month.year, and February 30th */
    l = leads("Record ID;Create Date;Message\n1;24.11.2026 09:05;a\n", NULL, &err, &r);
    assert_int_equal(r, 0);
    assert_string_equal(dw_json_str(json_array_get(l, 0), "received_at"), "2026-11-24T09:05:00Z");
    json_decref(l);
    l = leads("Record ID,Create Date,Message\n1,2026-02-30,a\n", NULL, &err, &r);
    assert_int_equal(r, -DW_EINVAL);
}

static void csv_map_and_names(void **state) {
    (void)state;
    struct dw_error err = {0};
    int r;
    const char *text = "Id,First Name,Last Name,Notes,Create Date\n"
                       "x-1,Ana,Núñez,\"line one\nline two\",never\n";
    /* received_at= leaves the unreadable date column out; the name joins first and last */
    json_t *l = leads(text, "external_id=id, message=Notes, received_at=", &err, &r);
    assert_int_equal(r, 0);
    json_t *one = json_array_get(l, 0);
    assert_string_equal(dw_json_str(one, "external_id"), "x-1");
    assert_string_equal(dw_json_str(json_object_get(one, "contact"), "name"), "Ana Núñez");
    assert_string_equal(dw_json_str(one, "message"), "line one\nline two");
    assert_null(json_object_get(one, "received_at"));
    json_decref(l);
    l = leads(text, "message=Nope", &err, &r);
    assert_int_equal(r, -DW_EINVAL);
    assert_non_null(strstr(err.msg, "no column 'Nope'"));
    l = leads(text, "colour=Notes", &err, &r);
    assert_int_equal(r, -DW_EINVAL);
    assert_string_equal(err.field, "--map");
}

static void csv_cell_positions(void **state) {
    (void)state;
    const char *text = "a,b,c\n\"x\ny\",\"p,q\",z\n";
    struct dw_error err = {0};
    struct dw_csv *t = NULL;
    assert_int_equal(dw_csv_parse("t.csv", text, strlen(text), 0, &t, &err), 0);
    int line, col;
    dw_csv_cell_pos(t, text, strlen(text), 0, 1, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 4);
    dw_csv_cell_pos(t, text, strlen(text), 0, 2, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 10);
    dw_csv_free(t);
}

static void csv_out_cells(void **state) {
    (void)state;
    static const char *const cols[] = {"name", "total"};
    static const bool numeric[] = {false, true};
    struct dw_csv_out o;
    struct dw_error err = {0};
    assert_int_equal(dw_csv_out_begin(&o, "csv", cols, 2, &err), 0);
    assert_int_equal(dw_csv_out_row(&o, (const char *[]){"=1+1", "-5.00"}, numeric), 0);
    assert_int_equal(dw_csv_out_row(&o, (const char *[]){"a, \"b\"", NULL}, numeric), 0);
    assert_int_equal(dw_csv_out_row(&o, (const char *[]){"@x", "+3"}, numeric), 0);
    char *s;
    size_t n;
    assert_int_equal(dw_csv_out_finish(&o, &s, &n), 0);
    assert_string_equal(s, "\xEF\xBB\xBFname,total\r\n\"'=1+1\",-5.00\r\n\"a, \"\"b\"\"\",\r\n"
                           "\"'@x\",+3\r\n");
    free(s);
    assert_int_equal(dw_csv_out_begin(&o, "json", cols, 2, &err), 0);
    assert_int_equal(dw_csv_out_row(&o, (const char *[]){"=1", NULL}, numeric), 0);
    assert_int_equal(dw_csv_out_finish(&o, &s, &n), 0);
    json_t *j = json_loads(s, 0, NULL);
    assert_string_equal(dw_json_str(json_array_get(j, 0), "name"), "=1");
    assert_true(json_is_null(json_object_get(json_array_get(j, 0), "total")));
    json_decref(j);
    free(s);
    assert_int_equal(dw_csv_out_begin(&o, "xml", cols, 2, &err), -DW_EINVAL);
}

static void ics_fixed_zone_and_cancel(void **state) {
    (void)state;
    struct dw_ics_event ev = {
        .uid = "D-000001-1.demo@example.com",
        .sequence = 2,
        .start = 1795680000, /* 2026-11-26T08:00:00Z */
        .minutes = 45,
        .stamp = 1795521600,
        .utc_offset_min = 60,
        .organizer_name = "Sven \"the\" Ek",
        .organizer_email = "sven@example.com",
        .attendee_name = "Jana\tHartmann",
        .attendee_email = "jana@customer.example",
        .language = "en",
        .summary = "Product demo: Acme",
        .description = "A demo.",
        .cancel = true,
    };
    char *s = NULL;
    struct dw_error err = {0};
    assert_int_equal(dw_ics_build(&ev, &s, &err), 0);
    assert_non_null(strstr(s, "METHOD:CANCEL\r\n"));
    assert_non_null(strstr(s, "STATUS:CANCELLED\r\n"));
    assert_non_null(strstr(s, "TZID:UTC+0100\r\n"));
    assert_non_null(strstr(s, "DTSTART;TZID=UTC+0100:20261126T090000\r\n"));
    assert_non_null(strstr(s, "DTEND;TZID=UTC+0100:20261126T094500\r\n"));
    assert_non_null(strstr(s, "SEQUENCE:2\r\n"));
    assert_non_null(strstr(s, "CN=Sven the Ek"));
    assert_non_null(strstr(s, "CN=JanaHartmann"));
    free(s);
    ev.attendee_email = "not an address";
    assert_int_equal(dw_ics_build(&ev, &s, &err), -DW_EINVAL);
    assert_string_equal(err.field, "attendee");
    ev.attendee_email = "jana@customer.example";
    ev.tz = "Mars/Olympus_Mons";
    assert_int_equal(dw_ics_build(&ev, &s, &err), -DW_EINVAL);
    assert_string_equal(err.field, "time_zone");
}

static void ics_texts(void **state) {
    (void)state;
    char *sum, *desc;
    const char *lang;
    assert_int_equal(dw_ics_texts("fr", "Acme", "D-000007", "Sven Ek", 60, &sum, &desc, &lang), 0);
    assert_string_equal(sum, "Démonstration produit : Acme");
    assert_string_equal(lang, "fr");
    assert_non_null(strstr(desc, "D-000007"));
    assert_non_null(strstr(desc, "60 minutes"));
    free(sum);
    free(desc);
    assert_int_equal(dw_ics_texts("pt", "Acme", "D-1", "X", 30, &sum, &desc, &lang), 0);
    assert_string_equal(lang, "en"); /* no Portuguese texts: English */
    free(sum);
    free(desc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_dates),
        cmocka_unit_test(csv_map_and_names),
        cmocka_unit_test(csv_cell_positions),
        cmocka_unit_test(csv_out_cells),
        cmocka_unit_test(ics_fixed_zone_and_cancel),
        cmocka_unit_test(ics_texts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
