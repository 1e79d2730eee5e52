/* Demo bookings: the customer takes one of the slots the scheduling agent offered, and the
 * deal carries the calendar invitation for it (include/dealwright/booking.h).
 *
 * A booking is a row of the store's bookings table, one per deal. The store counts it as a
 * slot held for as long as it has not begun, whatever the deal's stage, so no other deal is
 * offered it (lib/engines/schedule.c skips held slots); its unique index on (engineer,
 * start) makes two deals booking the same hour at once end with one booking. Here, inside
 * the transaction, a slot another deal holds or booked (the offer's own hold lapses after
 * DW_SLOT_HOLD_DAYS, so another deal may hold it since) is refused before that.
 *
 * The invitation is made on demand from the booking (lib/channels/ics.c): its DTSTAMP is
 * the booking's last change, so the same booking always gives the same bytes, and mail
 * built later attaches exactly what `deal ics` shows. UID: the deal and the number of its
 * booking, kept across rebookings (RFC 5546: a change is the same event with a higher
 * SEQUENCE) and new after a cancellation.
 */
#include <string.h>

#include "channels/ics.h"
#include "control/internal.h"

/* May user (acting in role, when given) book demos? A role of team.yaml demo.book_roles. */
static int may_book(const struct dw_workspace *ws, const char *user, const char *role,
                    const struct dw_user **ret, struct dw_error *err) {
    const struct dw_user *u = user ? dw_ws_user(ws, user) : NULL;
    if (!u)
        return dw_error_set(err, -DW_EPERM, "'%s' is not a user of this workspace (team.yaml)",
                            user ? user : "");
    if (role && !dw_user_has_role(u, role))
        return dw_error_set(err, -DW_EPERM, "%s does not hold the role '%s' (team.yaml)", u->id,
                            role);
    const struct dw_team *t = &ws->team;
    for (size_t i = 0; i < t->n_book_roles; i++) {
        if (role ? strcmp(role, t->book_roles[i]) == 0 : dw_user_has_role(u, t->book_roles[i])) {
            *ret = u;
            return 0;
        }
    }
    char roles[256] = "";
    for (size_t i = 0, n = 0; i < t->n_book_roles && n < sizeof roles; i++)
        n += (size_t)snprintf(roles + n, sizeof roles - n, "%s%s", i ? ", " : "", t->book_roles[i]);
    return dw_error_set(err, -DW_EPERM,
                        "%s%s%s may not book demos: team.yaml demo.book_roles allows %s", u->id,
                        role ? " as " : "", role ? role : "", roles);
}

static const struct dw_user *team_user(const struct dw_workspace *ws, const char *id) {
    return id ? dw_ws_user(ws, id) : NULL;
}

/* The UID's right-hand side: the company's mail domain (the first team.yaml user's), so
 * that two companies' D-000001 never meet in one calendar. */
static const char *uid_domain(const struct dw_workspace *ws) {
    const char *at = ws->team.n_users ? strrchr(ws->team.users[0].email, '@') : NULL;
    return at && at[1] && strlen(at + 1) < 64 ? at + 1 : "dealwright.invalid";
}

/* The booking as the API shows it. */
static json_t *booking_view(const struct dw_engine *e, int64_t deal_id, const json_t *b,
                            bool changed) {
    char start[32], end[32], at[32], uid[96];
    dw_time_t t = dw_json_int(b, "start", 0);
    int minutes = (int)dw_json_int(b, "minutes", 0);
    const char *user = dw_json_str(b, "user");
    const struct dw_user *u = team_user(e->ws, user);
    snprintf(uid, sizeof uid, "%s-%d.demo@%s", DW_ID('D', deal_id),
             (int)dw_json_int(b, "number", 1), uid_domain(e->ws));
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:b}", "deal", DW_ID('D', deal_id), "status",
        dw_json_str(b, "status"), "start", dw_time_format(t, start, sizeof start), "end",
        dw_time_format(t + (dw_time_t)minutes * 60, end, sizeof end), "user", user, "name",
        u && u->name && *u->name ? u->name : user, "uid", uid, "sequence",
        (json_int_t)dw_json_int(b, "sequence", 0), "number",
        (json_int_t)dw_json_int(b, "number", 1), "booked_by", dw_json_str(b, "booked_by"),
        "updated_at", dw_time_format(dw_json_int(b, "updated_at", 0), at, sizeof at), "changed",
        changed);
}

/* The offered slot `slot` names: its number (1-based) or its start. */
static int find_slot(const json_t *slots, const char *slot, int64_t deal_id, const json_t **ret,
                     struct dw_error *err) {
    if (!slot || !*slot || strlen(slot) > 40)
        return dw_error_field(err, -DW_EINVAL, "slot",
                              "give the slot's number in the offer or its start time");
    size_t n = json_array_size(slots);
    char *end = NULL;
    long k = strtol(slot, &end, 10);
    if (end && *end == '\0' && end != slot) {
        if (k < 1 || (size_t)k > n)
            return dw_error_field(err, -DW_ENOENT, "slot",
                                  "%s offers %zu slot%s; there is no slot %ld", DW_ID('D', deal_id),
                                  n, n == 1 ? "" : "s", k);
        *ret = json_array_get(slots, (size_t)k - 1);
        return 0;
    }
    dw_time_t t;
    if (dw_time_parse(slot, &t) < 0)
        return dw_error_field(err, -DW_EINVAL, "slot",
                              "'%s' is neither a slot number nor an RFC 3339 time", slot);
    size_t i;
    json_t *s;
    json_array_foreach(slots, i, s) {
        dw_time_t st;
        if (dw_time_parse(dw_json_str(s, "start"), &st) == 0 && st == t) {
            *ret = s;
            return 0;
        }
    }
    return dw_error_field(err, -DW_ENOENT, "slot", "%s was not offered a slot starting at %s",
                          DW_ID('D', deal_id), slot);
}

static bool ended(enum dw_stage s) {
    return s == DW_STAGE_ORDERED || s == DW_STAGE_LOST || s == DW_STAGE_DISQUALIFIED;
}

/* A booking's change recorded: the event and the audit record carry data (stolen); view
 * (stolen) is handed to ret once both are written. */
static int recorded(struct dw_engine *e, int64_t deal_id, const char *actor, const char *event,
                    const char *action, json_t *view, json_t *data, json_t **ret,
                    struct dw_error *err) {
    int r = -DW_ENOMEM;
    if (data && (r = dw__event(e, deal_id, event, json_deep_copy(data), err)) >= 0) {
        r = dw__audit(e, deal_id, actor, action, data, err);
        data = NULL; /* dw__audit took it */
    }
    json_decref(data);
    if (r < 0) {
        json_decref(view);
        return r;
    }
    *ret = view;
    return 0;
}

static int book(struct dw_engine *e, int64_t deal_id, const char *slot, const char *actor_id,
                json_t **ret, struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    if (ended(d.stage))
        return dw_error_set(err, -DW_ESTATE, "%s is %s; only an open deal can book a demo",
                            DW_ID('D', deal_id), dw_stage_name(d.stage));
    _cleanup_json_ json_t *sched = NULL, *old = NULL, *held = NULL, *b = NULL;
    if ((r = s->ops->doc_get(s, deal_id, "schedule", &sched, err)) == -DW_ENOENT)
        return dw_error_set(err, -DW_ESTATE, "%s has not been offered demo slots yet",
                            DW_ID('D', deal_id));
    if (r < 0)
        return r;
    const json_t *pick = NULL;
    if ((r = find_slot(json_object_get(sched, "slots"), slot, deal_id, &pick, err)) < 0)
        return r;
    dw_time_t start, end_t, now = dw__now(e);
    const char *user = dw_json_str(pick, "user");
    if (!user || dw_time_parse(dw_json_str(pick, "start"), &start) < 0 ||
        dw_time_parse(dw_json_str(pick, "end"), &end_t) < 0 || end_t <= start)
        return dw_error_set(err, -DW_EINTERNAL, "%s's offered slot is malformed",
                            DW_ID('D', deal_id));
    int minutes = (int)((end_t - start) / 60);
    char when[32];
    dw_time_format(start, when, sizeof when);
    if (start <= now)
        return dw_error_set(err, -DW_ESTATE,
                            "the slot at %s has begun or passed; the deal "
                            "needs new slots",
                            when);
    if (!team_user(e->ws, user))
        return dw_error_set(err, -DW_ESTATE,
                            "the slot's presenter '%s' is no longer in "
                            "team.yaml",
                            user);

    r = s->ops->booking_get(s, deal_id, &old, err);
    if (r < 0 && r != -DW_ENOENT)
        return r;
    bool was_booked = old && strcmp(dw_json_str(old, "status"), "booked") == 0;
    if (was_booked && dw_json_int(old, "start", 0) == start &&
        strcmp(dw_json_str(old, "user"), user) == 0) {
        *ret = booking_view(e, deal_id, old, false); /* booked already: nothing changes */
        return *ret ? 0 : -DW_ENOMEM;
    }
    /* another open deal's hold or another deal's booking overlapping the demo */
    if ((r = s->ops->slots_held(s, deal_id, now, &held, err)) < 0)
        return r;
    size_t i;
    json_t *h;
    json_array_foreach(held, i, h) {
        dw_time_t hs = dw_json_int(h, "start", 0);
        const char *hu = dw_json_str(h, "user");
        if (hu && strcmp(hu, user) == 0 && hs < end_t && start < hs + (dw_time_t)minutes * 60)
            return dw_error_set(err, -DW_ESTATE,
                                "%s's demo at %s is held or booked for another deal; the "
                                "deal needs new slots",
                                user, when);
    }
    int number = old ? (int)dw_json_int(old, "number", 1) : 0;
    int sequence = old ? (int)dw_json_int(old, "sequence", 0) : 0;
    if (was_booked)
        sequence++; /* a rebooking: the same event, moved */
    else
        number++, sequence = 0; /* a new booking: a new event */
    b = json_pack("{s:s,s:I,s:i,s:s,s:i,s:i,s:s,s:I}", "user", user, "start", (json_int_t)start,
                  "minutes", minutes, "status", "booked", "number", number, "sequence", sequence,
                  "booked_by", actor_id, "updated_at", (json_int_t)now);
    if (!b)
        return -DW_ENOMEM;
    if ((r = s->ops->booking_put(s, deal_id, b, err)) < 0)
        return r == -DW_EEXIST ? dw_error_set(err, -DW_ESTATE,
                                              "%s's demo at %s was just booked for another "
                                              "deal; the deal needs new slots",
                                              user, when)
                               : r;
    /* the offer's other slots go back to the other deals */
    if ((r = s->ops->slots_free(s, deal_id, err)) < 0)
        return r;
    char actor[160];
    snprintf(actor, sizeof actor, "user:%s", actor_id);
    json_t *view = booking_view(e, deal_id, b, true);
    if (!view)
        return -DW_ENOMEM;
    json_t *data =
        json_pack("{s:s,s:s,s:s,s:O,s:O,s:b}", "start", when, "user", user, "uid",
                  dw_json_str(view, "uid"), "sequence", json_object_get(view, "sequence"), "number",
                  json_object_get(view, "number"), "rebooked", was_booked);
    return recorded(e, deal_id, actor, "demo.booked", "deal.book", view, data, ret, err);
}

static int cancel(struct dw_engine *e, int64_t deal_id, const char *actor_id, json_t **ret,
                  struct dw_error *err);

/* book and cancel as dw__txn_run bodies: a redo drops what the last try answered. */
struct book_args {
    int64_t deal_id;
    const char *slot, *user;
    json_t *out;
};

static int book_tx(struct dw_engine *e, void *ud, struct dw_error *err) {
    struct book_args *a = ud;
    json_decref(a->out);
    a->out = NULL;
    return book(e, a->deal_id, a->slot, a->user, &a->out, err);
}

static int cancel_tx(struct dw_engine *e, void *ud, struct dw_error *err) {
    struct book_args *a = ud;
    json_decref(a->out);
    a->out = NULL;
    return cancel(e, a->deal_id, a->user, &a->out, err);
}

int dw_deal_book(struct dw_engine *e, int64_t deal_id, const char *slot, const char *user,
                 const char *role, json_t **ret, struct dw_error *err) {
    const struct dw_user *u;
    int r = may_book(e->ws, user, role, &u, err);
    if (r < 0)
        return r;
    struct book_args a = {deal_id, slot, u->id, NULL};
    if ((r = dw__txn_run(e, book_tx, &a, err)) < 0) {
        json_decref(a.out);
        return r;
    }
    *ret = a.out;
    return 0;
}

static int cancel(struct dw_engine *e, int64_t deal_id, const char *actor_id, json_t **ret,
                  struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *b = NULL;
    r = s->ops->booking_get(s, deal_id, &b, err);
    if (r == -DW_ENOENT || (r == 0 && strcmp(dw_json_str(b, "status"), "booked") != 0))
        return dw_error_set(err, -DW_ESTATE, "%s has no booked demo to cancel",
                            DW_ID('D', deal_id));
    if (r < 0)
        return r;
    dw_time_t now = dw__now(e);
    json_object_set_new(b, "status", json_string("cancelled"));
    json_object_set_new(b, "sequence", json_integer(dw_json_int(b, "sequence", 0) + 1));
    json_object_set_new(b, "booked_by", json_string(actor_id));
    json_object_set_new(b, "updated_at", json_integer(now));
    if ((r = s->ops->booking_put(s, deal_id, b, err)) < 0)
        return r;
    char actor[160], when[32];
    snprintf(actor, sizeof actor, "user:%s", actor_id);
    json_t *view = booking_view(e, deal_id, b, true);
    if (!view)
        return -DW_ENOMEM;
    json_t *data = json_pack("{s:s,s:s,s:s,s:O}", "start",
                             dw_time_format(dw_json_int(b, "start", 0), when, sizeof when), "user",
                             dw_json_str(b, "user"), "uid", dw_json_str(view, "uid"), "sequence",
                             json_object_get(view, "sequence"));
    return recorded(e, deal_id, actor, "demo.cancelled", "deal.book_cancel", view, data, ret, err);
}

int dw_deal_book_cancel(struct dw_engine *e, int64_t deal_id, const char *user, const char *role,
                        json_t **ret, struct dw_error *err) {
    const struct dw_user *u;
    int r = may_book(e->ws, user, role, &u, err);
    if (r < 0)
        return r;
    struct book_args a = {deal_id, NULL, u->id, NULL};
    if ((r = dw__txn_run(e, cancel_tx, &a, err)) < 0) {
        json_decref(a.out);
        return r;
    }
    *ret = a.out;
    return 0;
}

int dw_deal_booking(struct dw_engine *e, int64_t deal_id, json_t **ret, struct dw_error *err) {
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *b = NULL;
    if ((r = e->store->ops->booking_get(e->store, deal_id, &b, err)) < 0)
        return r;
    *ret = booking_view(e, deal_id, b, false);
    if (!*ret)
        return -DW_ENOMEM;
    json_object_del(*ret, "changed"); /* a booking's answer only */
    return 0;
}

/* ---- the invitation -------------------------------------------------------------------- */

static const struct dw_availability *availability_of(const struct dw_team *t, const char *user) {
    for (size_t i = 0; i < t->n_availability; i++)
        if (t->availability[i].user && strcmp(t->availability[i].user, user) == 0)
            return &t->availability[i];
    return NULL;
}

int dw_deal_invitation(struct dw_engine *e, int64_t deal_id, char **ret_ics, struct dw_error *err) {
    struct dw_store *s = e->store;
    struct dw_deal_rec d;
    int r = dw__deal_get(e, deal_id, &d, err);
    if (r < 0)
        return r;
    _cleanup_json_ json_t *b = NULL, *leads = NULL, *contact = NULL, *proposal = NULL, *view = NULL;
    if ((r = s->ops->booking_get(s, deal_id, &b, err)) < 0)
        return r;
    if ((r = s->ops->leads_for_deal(s, deal_id, &leads, err)) < 0)
        return r;
    if ((r = s->ops->doc_get(s, deal_id, "proposal", &proposal, err)) < 0 && r != -DW_ENOENT)
        return r;
    contact = dw__deal_contact(leads);
    view = booking_view(e, deal_id, b, false);
    if (!contact || !view)
        return -DW_ENOMEM;
    const char *user = dw_json_str(b, "user");
    const struct dw_user *u = team_user(e->ws, user);
    if (!u)
        return dw_error_set(err, -DW_ESTATE, "the demo's presenter '%s' is no longer in team.yaml",
                            user);
    const struct dw_availability *a = availability_of(&e->ws->team, user);
    const char *lang = dw_json_str(proposal, "document_language");
    if (!lang)
        lang = e->ws->language;
    int minutes = (int)dw_json_int(b, "minutes", 0);
    _cleanup_free_ char *summary = NULL, *description = NULL;
    const char *used;
    if ((r = dw_ics_texts(lang, e->ws->company_name, DW_ID('D', deal_id),
                          u->name && *u->name ? u->name : u->id, minutes, &summary, &description,
                          &used)) < 0)
        return r;
    struct dw_ics_event ev = {
        .cancel = strcmp(dw_json_str(b, "status"), "cancelled") == 0,
        .uid = dw_json_str(view, "uid"),
        .sequence = (int)dw_json_int(b, "sequence", 0),
        .start = dw_json_int(b, "start", 0),
        .minutes = minutes,
        .stamp = dw_json_int(b, "updated_at", 0),
        .tz = a ? a->time_zone : NULL,
        .utc_offset_min = a ? a->utc_offset_min : 0,
        .organizer_name = u->name,
        .organizer_email = u->email,
        .attendee_name = dw_json_str(contact, "name"),
        .attendee_email = dw_json_str(contact, "email"),
        .language = used,
        .summary = summary,
        .description = description,
    };
    return dw_ics_build(&ev, ret_ics, err);
}
