/* Calendar invitations (channels layer): one demo as an iCalendar object (RFC 5545) for
 * the scheduling exchange of RFC 5546 (iTIP), made with libical.
 *
 * Thread-safety: reentrant (libical loads a time zone once, under its own lock).
 */
#ifndef DW_ICS_H
#define DW_ICS_H

#include "base/base.h"

struct dw_ics_event {
    bool cancel;        /* METHOD:CANCEL and STATUS:CANCELLED, else REQUEST / CONFIRMED */
    const char *uid;    /* stable for one booking */
    int sequence;       /* 0 first, one more on every change */
    dw_time_t start;    /* seconds since the epoch */
    int minutes;        /* length */
    dw_time_t stamp;    /* DTSTAMP: when this version of the booking was written */
    const char *tz;     /* the organiser's IANA time zone, or NULL: ... */
    int utc_offset_min; /* ... a fixed offset then, as the VTIMEZONE "UTC+0100" */
    const char *organizer_name, *organizer_email; /* the engineer who presents */
    const char *attendee_name, *attendee_email;   /* the customer's contact */
    const char *language; /* of SUMMARY and DESCRIPTION (LANGUAGE parameter), may be NULL */
    const char *summary, *description;
};

/* The invitation as text (CRLF lines, folded at 75 octets): a VCALENDAR with METHOD, a
 * VTIMEZONE for the organiser's zone (cut to the years around the demo) and one VEVENT
 * (UID, SEQUENCE, DTSTAMP, DTSTART and DTEND with TZID, ORGANIZER, ATTENDEE with RSVP,
 * SUMMARY, DESCRIPTION, STATUS). Names are cleaned of quotes and control characters; nothing
 * but the two people and the texts given goes in. *ret is malloc'd. -DW_EINVAL names the
 * field that is missing or unknown (an unknown time zone). */
int dw_ics_build(const struct dw_ics_event *ev, char **ret, struct dw_error *err);

/* The texts of a demo invitation in language lang (en de fr es it nl; others get English):
 * SUMMARY naming the company, DESCRIPTION naming the deal reference, the presenter and the
 * length. *ret_lang is the language used. Both malloc'd. */
int dw_ics_texts(const char *lang, const char *company, const char *deal_ref, const char *presenter,
                 int minutes, char **ret_summary, char **ret_description, const char **ret_lang);

#endif
