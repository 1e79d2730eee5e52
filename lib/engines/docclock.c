/* Quote validity and slot holds: see docclock.h. */
#include <stdio.h>
#include <string.h>

#include "engines/docclock.h"

static int64_t day_of(dw_time_t t) {
    return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

dw_time_t dw_offer_valid_until(const struct dw_workspace *ws, dw_time_t written) {
    int days = ws && ws->policies.quote_valid_days > 0 ? ws->policies.quote_valid_days : 30;
    return (day_of(written) + days) * 86400;
}

bool dw_offer_expired(const char *valid_until, dw_time_t now) {
    dw_time_t t;
    char buf[32];
    if (!valid_until)
        return true;
    if (strlen(valid_until) == 10) {
        snprintf(buf, sizeof buf, "%sT00:00:00Z", valid_until);
        valid_until = buf;
    }
    if (dw_time_parse(valid_until, &t) < 0)
        return true;
    return day_of(now) > day_of(t);
}

int dw_quote_valid_until(const struct dw_workspace *ws, const json_t *quote, dw_time_t *ret) {
    dw_time_t created;
    const char *s = dw_json_str(quote, "created_at");
    if (!s || dw_time_parse(s, &created) < 0)
        return -DW_EINVAL;
    int days = ws && ws->policies.quote_valid_days > 0 ? ws->policies.quote_valid_days : 30;
    *ret = (day_of(created) + days) * 86400;
    return 0;
}

bool dw_quote_expired(const struct dw_workspace *ws, const json_t *quote, dw_time_t now) {
    dw_time_t until;
    if (dw_quote_valid_until(ws, quote, &until) < 0)
        return true;
    return day_of(now) > day_of(until);
}
