/* dealwright — demo bookings: the customer takes one of the demo slots offered on a deal,
 * and the deal carries a calendar invitation for it (docs/internals/booking.md). */
#ifndef DEALWRIGHT_BOOKING_H
#define DEALWRIGHT_BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <dealwright/engine.h>
#include <dealwright/error.h>
#include <dealwright/export.h>

/* Book the slot `slot` of the deal's offer (its schedule document) for the customer: slot
 * is the slot's number in the offer, from 1, or its start as the offer writes it
 * ("2026-11-24T08:00:00Z"). user is who books it: a team.yaml user holding a role of
 * team.yaml demo.book_roles; role, when not NULL, is the one role they act in (an API
 * token's) and must be one of those. One transaction: the booking is stored, the deal's
 * other offered slots are released, an audit record (deal.book) and an event (demo.booked)
 * are written. Booking the slot already booked changes nothing; booking another one is a
 * rebooking: same UID, SEQUENCE one more. No other deal is offered or can book a booked
 * slot.
 * Result: the booking {deal, status: "booked", start, end, user, name, uid, sequence,
 * number, booked_by, updated_at, changed}.
 * Errors: -DW_ENOENT no such deal, or a slot not in the offer; -DW_ESTATE the deal has no
 * offer, has ended, the slot has begun, or another deal holds or booked the engineer at
 * that time (also when two bookings race: one wins); -DW_EPERM the user or role may not
 * book; -DW_EINVAL a malformed slot. */
DW_EXPORT int dw_deal_book(struct dw_engine *e, int64_t deal_id, const char *slot, const char *user,
                           const char *role, json_t **ret, struct dw_error *err);

/* Cancel the deal's booked demo (same users as booking): status "cancelled", SEQUENCE one
 * more, the invitation becomes a METHOD:CANCEL; the slot is free for other deals again.
 * Audit deal.book_cancel, event demo.cancelled. -DW_ESTATE when nothing is booked. */
DW_EXPORT int dw_deal_book_cancel(struct dw_engine *e, int64_t deal_id, const char *user,
                                  const char *role, json_t **ret, struct dw_error *err);

/* The deal's booking as above, or -DW_ENOENT when it never booked a demo. */
DW_EXPORT int dw_deal_booking(struct dw_engine *e, int64_t deal_id, json_t **ret,
                              struct dw_error *err);

/* The deal's calendar invitation (RFC 5545 text, CRLF lines; the caller frees *ret_ics):
 * METHOD:REQUEST for a booked demo, METHOD:CANCEL once cancelled; ORGANIZER the presenting
 * engineer, ATTENDEE the customer's contact (RSVP), DTSTART/DTEND in the engineer's time
 * zone with its VTIMEZONE, UID stable for the booking, SEQUENCE bumped on each change,
 * SUMMARY and DESCRIPTION in the customer's language. The same booking gives the same
 * bytes. -DW_ENOENT when the deal never booked a demo; -DW_EINVAL when the contact has no
 * e-mail address to invite. */
DW_EXPORT int dw_deal_invitation(struct dw_engine *e, int64_t deal_id, char **ret_ics,
                                 struct dw_error *err);

#endif
