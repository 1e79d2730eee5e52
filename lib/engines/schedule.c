/* Demo slots from weekly availability.
 *
 * Windows are written in each user's local time; a slot is checked in that local time
 * (weekday and minutes after local midnight) but reported in UTC. The local time is the
 * user's time zone's at that instant (tz database: 09:00 in Berlin is 08:00Z in January and
 * 07:00Z in July), or the fixed utc_offset when no zone is given. Offering one slot per
 * day matters more than it looks: three back-to-back hours on the same morning are not a
 * choice for a customer who is busy that morning.
 */
#include <stdlib.h>
#include <string.h>

#include "engines/schedule.h"
#include "rules/cel.h"

static int64_t day_of(dw_time_t t) {
    return t >= 0 ? t / 86400 : (t - 86399) / 86400;
}

static const struct dw_user *team_user(const struct dw_team *team, const char *id) {
    for (size_t i = 0; id && i < team->n_users; i++)
        if (team->users[i].id && strcmp(team->users[i].id, id) == 0)
            return &team->users[i];
    return NULL;
}

/* Slots held for other deals, sorted by start, for a binary search per candidate. */
struct hold {
    dw_time_t start;
    const char *user;
};
struct holds {
    struct hold *v;
    size_t n;
};

static int cmp_hold(const void *a, const void *b) {
    dw_time_t x = ((const struct hold *)a)->start, y = ((const struct hold *)b)->start;
    return x < y ? -1 : x > y;
}

/* Is user's demo at t (minutes long) clear of every slot held for another deal? A held
 * slot is as long as a demo, so only those starting within one demo length of t matter. */
static bool is_free(const struct holds *h, const char *user, dw_time_t t, int minutes) {
    dw_time_t len = (dw_time_t)minutes * 60;
    size_t lo = 0, hi = h->n;
    while (lo < hi) { /* the first hold starting after t - len */
        size_t mid = lo + (hi - lo) / 2;
        if (h->v[mid].start <= t - len)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < h->n && h->v[i].start < t + len; i++)
        if (strcmp(h->v[i].user, user) == 0)
            return false;
    return true;
}

/* The full local hours at which a demo lies entirely inside one of a's windows (weekday
 * and minutes after local midnight): bit h of fit[weekday] for a start at h:00 local time,
 * worked out once per call instead of for every candidate start. */
struct week_fit {
    uint32_t fit[7];
};

static void week_fit(const struct dw_availability *a, int minutes, struct week_fit *w) {
    memset(w, 0, sizeof *w);
    for (size_t i = 0; i < a->n_windows; i++) {
        const struct dw_window *x = &a->windows[i];
        if (x->weekday < 0 || x->weekday > 6)
            continue;
        for (int h = 0; h < 24; h++)
            if (x->start_min <= h * 60 && h * 60 + minutes <= x->end_min)
                w->fit[x->weekday] |= 1u << h;
    }
}

/* a's offset east of UTC in seconds at instant t: its time zone's, else the fixed one. */
static int64_t offset_at(const struct dw_availability *a, dw_time_t t) {
    int32_t off;
    if (a->time_zone && a->time_zone[0] &&
        cel_tz_offset(a->time_zone, strlen(a->time_zone), t, &off) == 0)
        return off;
    return (int64_t)a->utc_offset_min * 60;
}

/* The offsets at a day's first and last second, for the last availability asked: the
 * engineers of a team mostly share a time zone, and each day is asked for each of them in
 * turn. */
struct day_offsets {
    const struct dw_availability *a; /* NULL: nothing kept */
    int64_t day, first, last;
};

static bool same_zone(const struct dw_availability *x, const struct dw_availability *y) {
    const char *zx = x->time_zone && x->time_zone[0] ? x->time_zone : NULL;
    const char *zy = y->time_zone && y->time_zone[0] ? y->time_zone : NULL;
    if (zx || zy)
        return zx && zy && strcmp(zx, zy) == 0 && x->utc_offset_min == y->utc_offset_min;
    return x->utc_offset_min == y->utc_offset_min;
}

static void day_offsets(struct day_offsets *k, const struct dw_availability *a, int64_t day) {
    if (k->a && k->day == day && (k->a == a || same_zone(k->a, a)))
        return;
    k->a = a;
    k->day = day;
    k->first = offset_at(a, day * 86400);
    k->last = offset_at(a, day * 86400 + 86399);
}

/* Does a demo at t (a full local hour, local = t + off) fit one of a's windows and clash with
 * no hold? */
static bool fits(const struct dw_availability *a, const struct week_fit *w, dw_time_t t,
                 int64_t off, int minutes, const struct holds *held) {
    dw_time_t local = t + off;
    int h = (int)((local - day_of(local) * 86400) / 3600);
    return (w->fit[dw_weekday(local)] >> h & 1u) && is_free(held, a->user, t, minutes);
}

/* The first free start of a's on UTC day `day`, not before `earliest`, on a full local
 * hour. */
static bool first_on_day(const struct dw_availability *a, const struct week_fit *w, int64_t day,
                         dw_time_t earliest, int minutes, const struct holds *held,
                         struct day_offsets *offs, dw_time_t *ret) {
    dw_time_t day_start = day * 86400, day_end = day_start + 86400;
    dw_time_t t = earliest > day_start ? earliest : day_start;
    day_offsets(offs, a, day);
    int64_t off = offs->first;
    if (off == offs->last) {
        /* no change of offset this day (the usual case): full local hours are an hour apart */
        int64_t past = ((t + off) % 3600 + 3600) % 3600;
        if (past)
            t += 3600 - past;
        while (t < day_end) {
            /* straight to the next local hour a demo fits in (the bits of fit[] from this
             * hour on), else to the next local midnight */
            dw_time_t local = t + off;
            int64_t lday = day_of(local);
            int h = (int)((local - lday * 86400) / 3600);
            uint32_t ahead = w->fit[dw_weekday(local)] >> h;
            if (!ahead) {
                t += (dw_time_t)(24 - h) * 3600;
                continue;
            }
            t += (dw_time_t)__builtin_ctz(ahead) * 3600;
            if (t >= day_end)
                break;
            if (is_free(held, a->user, t, minutes)) {
                *ret = t;
                return true;
            }
            t += 3600;
        }
        return false;
    }
    /* the clocks change this day: every quarter hour, with the offset of that instant (a
     * local hour skipped in spring is never offered; one repeated in autumn is offered once,
     * at its first occurrence) */
    int64_t past = (t % 900 + 900) % 900;
    if (past)
        t += 900 - past;
    for (dw_time_t seen = INT64_MIN; t < day_end; t += 900) {
        off = offset_at(a, t);
        dw_time_t local = t + off;
        if ((local % 3600 + 3600) % 3600 || local <= seen)
            continue;
        seen = local;
        if (fits(a, w, t, off, minutes, held)) {
            *ret = t;
            return true;
        }
    }
    return false;
}

static json_t *slot_json(dw_time_t start, int minutes, const struct dw_user *u) {
    char s[32], e[32];
    dw_time_format(start, s, sizeof s);
    dw_time_format(start + (dw_time_t)minutes * 60, e, sizeof e);
    return json_pack("{s:s,s:s,s:s,s:s}", "start", s, "end", e, "user", u->id, "name",
                     u->name && u->name[0] ? u->name : u->id);
}

int dw_demo_slots(const struct dw_team *team, dw_time_t after, int n, const json_t *held,
                  json_t **ret) {
    if (!team || team->demo_minutes <= 0 || team->demo_minutes > 24 * 60)
        return -DW_EINVAL;
    _cleanup_json_ json_t *slots = json_array();
    if (!slots)
        return -DW_ENOMEM;
    struct holds holds = {0};
    size_t nh = json_array_size(held);
    _cleanup_free_ struct hold *hv = nh ? calloc(nh, sizeof *hv) : NULL;
    if (nh && !hv)
        return -DW_ENOMEM;
    bool sorted = true;
    for (size_t i = 0; i < nh; i++) {
        /* {user, start}: the members read in one pass instead of a lookup each */
        const char *u = NULL, *key;
        dw_time_t start = 0;
        json_t *v;
        json_object_foreach((json_t *)json_array_get(held, i), key, v) {
            if (strcmp(key, "user") == 0)
                u = json_is_string(v) ? json_string_value(v) : NULL;
            else if (strcmp(key, "start") == 0)
                start = json_is_integer(v) ? (dw_time_t)json_integer_value(v) : 0;
        }
        if (!u)
            continue;
        sorted = sorted && (holds.n == 0 || hv[holds.n - 1].start <= start);
        hv[holds.n++] = (struct hold){start, u};
    }
    holds.v = hv;
    if (holds.n > 1 && !sorted) /* the store mostly lists them in order already */
        qsort(hv, holds.n, sizeof *hv, cmp_hold);
    _cleanup_free_ struct week_fit *fit = calloc(team->n_availability + 1, sizeof *fit);
    if (!fit)
        return -DW_ENOMEM;
    for (size_t i = 0; i < team->n_availability; i++)
        week_fit(&team->availability[i], team->demo_minutes, &fit[i]);
    dw_time_t earliest = after + (dw_time_t)team->demo_lead_hours * 3600;
    int64_t first_day = day_of(earliest);
    struct day_offsets offs = {0};
    for (int64_t day = first_day; day < first_day + DW_SCHEDULE_DAYS; day++) {
        if (json_array_size(slots) >= (size_t)(n > 0 ? n : 0))
            break;
        const struct dw_user *best_user = NULL;
        dw_time_t best = 0;
        for (size_t i = 0; i < team->n_availability; i++) {
            const struct dw_availability *a = &team->availability[i];
            const struct dw_user *u = team_user(team, a->user);
            dw_time_t t;
            if (!u ||
                !first_on_day(a, &fit[i], day, earliest, team->demo_minutes, &holds, &offs, &t))
                continue;
            if (!best_user || t < best || (t == best && strcmp(u->id, best_user->id) < 0)) {
                best_user = u;
                best = t;
            }
        }
        if (!best_user)
            continue;
        json_t *s = slot_json(best, team->demo_minutes, best_user);
        if (!s || json_array_append_new(slots, s) < 0)
            return -DW_ENOMEM;
    }
    *ret = DW_TAKE_PTR(slots);
    return 0;
}
