/* Calendar invitations with libical: the VCALENDAR is built as components and properties
 * and serialised by libical, which escapes text, quotes parameters and folds lines; the
 * time zone comes from libical's copy of the tz database, cut to the demo's years so the
 * invitation stays small (a whole zone's history is kilobytes of rules no client needs).
 *
 * Times: DTSTART and DTEND are the organiser's local wall-clock time with a TZID naming the
 * VTIMEZONE beside them, so a calendar shows the engineer's hour and converts it for the
 * customer; DTSTAMP is UTC. Without a time zone name the fixed offset of team.yaml becomes
 * a VTIMEZONE of its own ("UTC+0100") with one STANDARD observance.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "channels/ics.h"

/* A display name for a CN parameter: no quotes (a parameter value cannot hold one) and no
 * control characters; at most 120 bytes. */
static void clean_name(const char *s, char *out, size_t size) {
    size_t n = 0;
    for (; s && *s && n + 1 < size && n < 120; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '"')
            continue;
        out[n++] = (char)c;
    }
    out[n] = '\0';
}

static bool plain_address(const char *s) {
    if (!s || !*s || strlen(s) > 254)
        return false;
    const char *at = strchr(s, '@');
    if (!at || at == s || !at[1] || strchr(at + 1, '@'))
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || strchr("\"<>,;:()[]\\", *s))
            return false;
    return true;
}

static icalproperty *person(bool organizer, const char *name, const char *email) {
    char uri[300], cn[128];
    snprintf(uri, sizeof uri, "mailto:%s", email);
    icalproperty *p = organizer ? icalproperty_new_organizer(uri) : icalproperty_new_attendee(uri);
    clean_name(name, cn, sizeof cn);
    if (cn[0])
        icalproperty_add_parameter(p, icalparameter_new_cn(cn));
    if (!organizer) {
        icalproperty_add_parameter(p, icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
        icalproperty_add_parameter(p, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
        icalproperty_add_parameter(p, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
        icalproperty_add_parameter(p, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
    }
    return p;
}

static icalproperty *text(icalproperty *p, const char *lang) {
    if (lang && *lang)
        icalproperty_add_parameter(p, icalparameter_new_language(lang));
    return p;
}

/* A VTIMEZONE of one fixed offset, named "UTC+0100" (no colon: a TZID parameter with one
 * must be quoted, which some clients mishandle). */
static icalcomponent *fixed_zone(int off_min, char *tzid, size_t size) {
    int a = off_min < 0 ? -off_min : off_min;
    snprintf(tzid, size, "UTC%c%02d%02d", off_min < 0 ? '-' : '+', a / 60, a % 60);
    icalcomponent *std = icalcomponent_new(ICAL_XSTANDARD_COMPONENT);
    struct icaltimetype t0 = icaltime_from_string("19700101T000000");
    icalcomponent_add_property(std, icalproperty_new_dtstart(t0));
    icalcomponent_add_property(std, icalproperty_new_tzoffsetfrom(off_min * 60));
    icalcomponent_add_property(std, icalproperty_new_tzoffsetto(off_min * 60));
    icalcomponent_add_property(std, icalproperty_new_tzname(tzid));
    icalcomponent *vtz = icalcomponent_new(ICAL_VTIMEZONE_COMPONENT);
    icalcomponent_add_property(vtz, icalproperty_new_tzid(tzid));
    icalcomponent_add_component(vtz, std);
    return vtz;
}

/* A local wall-clock time with TZID tzid. */
static icalproperty *local_time(bool start, dw_time_t t, icaltimezone *zone, int off_min,
                                const char *tzid) {
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    struct icaltimetype tt;
    if (zone) {
        tt = icaltime_convert_to_zone(icaltime_from_timet_with_zone((time_t)t, 0, utc), zone);
    } else {
        tt = icaltime_from_timet_with_zone((time_t)(t + (dw_time_t)off_min * 60), 0, utc);
    }
    tt.zone = NULL; /* floating: the TZID parameter says whose time it is */
    tt.is_date = 0;
    icalproperty *p = start ? icalproperty_new_dtstart(tt) : icalproperty_new_dtend(tt);
    icalproperty_add_parameter(p, icalparameter_new_tzid(tzid));
    return p;
}

int dw_ics_build(const struct dw_ics_event *ev, char **ret, struct dw_error *err) {
    if (!ev->uid || !*ev->uid)
        return dw_error_field(err, -DW_EINVAL, "uid", "is required");
    if (!plain_address(ev->organizer_email))
        return dw_error_field(err, -DW_EINVAL, "organizer",
                              "the presenter has no usable e-mail address");
    if (!plain_address(ev->attendee_email))
        return dw_error_field(err, -DW_EINVAL, "attendee",
                              "the customer's contact has no usable e-mail address");
    if (ev->minutes <= 0 || ev->minutes > 24 * 60)
        return dw_error_field(err, -DW_EINVAL, "minutes", "must be 1 to 1440");
    icaltimezone *zone = NULL;
    char tzid[80];
    icalcomponent *vtz;
    if (ev->tz && *ev->tz) {
        zone = icaltimezone_get_builtin_timezone(ev->tz);
        if (!zone)
            return dw_error_field(err, -DW_EINVAL, "time_zone", "unknown time zone '%s'", ev->tz);
        vtz = icalcomponent_new_clone(icaltimezone_get_component(zone));
        if (!vtz)
            return -DW_ENOMEM;
        icaltimezone *utc = icaltimezone_get_utc_timezone();
        /* from a year before the demo: clients need only the rules around it */
        struct icaltimetype from =
            icaltime_from_timet_with_zone((time_t)(ev->start - 366 * 86400), 0, utc);
        icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 1);
        snprintf(tzid, sizeof tzid, "%s", ev->tz);
        icalproperty *p = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
        if (p) /* libical names its zones /freeassociation.sourceforge.net/NAME */
            icalproperty_set_tzid(p, tzid);
    } else {
        vtz = fixed_zone(ev->utc_offset_min, tzid, sizeof tzid);
    }

    icalcomponent *cal = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
    icalcomponent_add_property(cal, icalproperty_new_prodid("-//dealwright//demo booking//EN"));
    icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
    icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
    icalcomponent_add_property(
        cal, icalproperty_new_method(ev->cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST));
    icalcomponent_add_component(cal, vtz);

    icalcomponent *e = icalcomponent_new(ICAL_VEVENT_COMPONENT);
    icalcomponent_add_property(e, icalproperty_new_uid(ev->uid));
    icalcomponent_add_property(e, icalproperty_new_sequence(ev->sequence));
    icaltimezone *utc = icaltimezone_get_utc_timezone();
    icalcomponent_add_property(
        e, icalproperty_new_dtstamp(icaltime_from_timet_with_zone((time_t)ev->stamp, 0, utc)));
    icalcomponent_add_property(e, local_time(true, ev->start, zone, ev->utc_offset_min, tzid));
    icalcomponent_add_property(e, local_time(false, ev->start + (dw_time_t)ev->minutes * 60, zone,
                                             ev->utc_offset_min, tzid));
    icalcomponent_add_property(e, person(true, ev->organizer_name, ev->organizer_email));
    icalcomponent_add_property(e, person(false, ev->attendee_name, ev->attendee_email));
    if (ev->summary)
        icalcomponent_add_property(e, text(icalproperty_new_summary(ev->summary), ev->language));
    if (ev->description)
        icalcomponent_add_property(
            e, text(icalproperty_new_description(ev->description), ev->language));
    icalcomponent_add_property(
        e, icalproperty_new_status(ev->cancel ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    icalcomponent_add_property(e, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
    icalcomponent_add_component(cal, e);

    char *s = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    if (!s)
        return dw_error_set(err, -DW_ENOMEM, "out of memory");
    *ret = strdup(s);
    icalmemory_free_buffer(s);
    return *ret ? 0 : -DW_ENOMEM;
}

/* ---- the texts, in the customer's language --------------------------------------------- */

/* SUMMARY: summary + company. DESCRIPTION: what + " (" + deal + "), " + by + presenter +
 * ". " + length + minutes + unit. */
static const struct {
    const char *lang, *summary, *what, *by, *length, *unit;
} texts[] = {
    {"en", "Product demo: ", "A demonstration of the solution proposed to you", "presented by ",
     "Length: ", " minutes."},
    {"de", "Produktdemo: ", "Vorführung der Ihnen angebotenen Lösung", "präsentiert von ",
     "Dauer: ", " Minuten."},
    {"fr", "Démonstration produit : ", "Démonstration de la solution qui vous a été proposée",
     "présentée par ", "Durée : ", " minutes."},
    {"es", "Demostración del producto: ", "Demostración de la solución que le hemos propuesto",
     "presentada por ", "Duración: ", " minutos."},
    {"it", "Demo del prodotto: ", "Dimostrazione della soluzione che le abbiamo proposto",
     "presentata da ", "Durata: ", " minuti."},
    {"nl", "Productdemo: ", "Demonstratie van de oplossing die wij u hebben voorgesteld",
     "gepresenteerd door ", "Duur: ", " minuten."},
};

int dw_ics_texts(const char *lang, const char *company, const char *deal_ref, const char *presenter,
                 int minutes, char **ret_summary, char **ret_description, const char **ret_lang) {
    size_t k = 0;
    for (size_t i = 0; lang && i < DW_ARRAY_SIZE(texts); i++)
        if (strcmp(texts[i].lang, lang) == 0)
            k = i;
    char *sum = NULL, *desc = NULL;
    if (asprintf(&sum, "%s%s", texts[k].summary, company && *company ? company : "dealwright") < 0)
        sum = NULL;
    if (asprintf(&desc, "%s (%s), %s%s. %s%d%s", texts[k].what, deal_ref, texts[k].by, presenter,
                 texts[k].length, minutes, texts[k].unit) < 0)
        desc = NULL;
    if (!sum || !desc) {
        free(sum);
        free(desc);
        return -DW_ENOMEM;
    }
    *ret_summary = sum;
    *ret_description = desc;
    *ret_lang = texts[k].lang;
    return 0;
}
