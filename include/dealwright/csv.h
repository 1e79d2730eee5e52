/* dealwright — CSV in and out: leads from a CRM's export, and deals and quotes for
 * spreadsheets and CRM re-import (docs/internals/csv.md). */
#ifndef DEALWRIGHT_CSV_H
#define DEALWRIGHT_CSV_H

#include <stddef.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* The most data rows one CSV import may hold. */
#define DW_LEADS_CSV_MAX_ROWS 50000

/* Leads from a CSV export of a CRM (a HubSpot contact or lead export, a Salesforce lead
 * report or Data Loader export: their column names are recognised), one lead a row, as
 * dw_leads_submit takes them: source "crm", external_id the CRM's record id (so importing
 * the same export again changes nothing). UTF-8 with or without a byte-order mark, CRLF or
 * LF, quoted fields with the delimiter and line breaks, ',' ';' or TAB detected.
 * map (may be NULL) names other columns: "field=Column,field=Column" for the fields
 * external_id, name, first_name, last_name, email, phone, company, country, title,
 * subject, message, received_at ("field=" leaves a recognised column out).
 * Every row is checked before anything is returned; errors are FILE:LINE:COL (the cell):
 * an unknown field or column in map, no column for external_id or message, a bad e-mail
 * address or country, an empty message, an unreadable date, a field over its limit, more
 * than DW_LEADS_CSV_MAX_ROWS rows. *ret is a new array of leads; *ret_kind (may be NULL)
 * says whose layout it recognised: "hubspot", "salesforce" or "csv". */
DW_EXPORT int dw_leads_parse_csv(const char *name, const char *data, size_t len, const char *map,
                                 json_t **ret, const char **ret_kind, struct dw_error *err);
/* The same for a file ("-" reads stdin). */
DW_EXPORT int dw_leads_read_csv(const char *path, const char *map, json_t **ret,
                                const char **ret_kind, struct dw_error *err);

/* Every deal, one row each, or every quote line of each deal's current quote revision,
 * as format "csv" (RFC 4180: a header row, CRLF, a UTF-8 byte-order mark for spreadsheet
 * applications, a cell that starts with = + - @ TAB or CR prefixed with ' so no
 * spreadsheet runs it as a formula) or "json" (an array of objects with the same keys).
 * Money as decimal strings from the integer minor units. The columns are listed in
 * docs/internals/csv.md. *ret is malloc'd text of *ret_len bytes. */
DW_EXPORT int dw_deals_export(struct dw_engine *e, const char *format, char **ret, size_t *ret_len,
                              struct dw_error *err);
DW_EXPORT int dw_quotes_export(struct dw_engine *e, const char *format, char **ret, size_t *ret_len,
                               struct dw_error *err);

#endif
