/* dealwright — the public API of the engine library: include this, or the headers of the
 * parts a program uses. Build with `pkg-config --cflags --libs dealwright`.
 *
 * The library turns inbound sales leads into qualified deals, configurations, exact
 * quotes, proposals, demo slots and orders, with agents under a control plane that enforces
 * the workspace's policies, asks people for approvals and keeps a tamper-evident audit
 * chain. The CLI and the server are thin users of these calls (docs/ARCHITECTURE.md
 * "Public API").
 *
 * Conventions: 0 (or a count) on success, a negative DW_E* code on failure with the
 * detail for people in the caller's struct dw_error (error.h); returned json_t are new
 * references the caller owns; money is integer minor units, decimal strings in JSON. */
#ifndef DEALWRIGHT_DEALWRIGHT_H
#define DEALWRIGHT_DEALWRIGHT_H

#include <dealwright/export.h>
#include <dealwright/version.h>
#include <dealwright/error.h>
#include <dealwright/util.h>
#include <dealwright/workspace.h>
#include <dealwright/engine.h>
#include <dealwright/leads.h>
#include <dealwright/deals.h>
#include <dealwright/approvals.h>
#include <dealwright/quotes.h>
#include <dealwright/orders.h>
#include <dealwright/audit.h>
#include <dealwright/tokens.h>
#include <dealwright/webhooks.h>
#include <dealwright/reports.h>
#include <dealwright/scoring.h>
#include <dealwright/server.h>
#include <dealwright/rules.h>
#include <dealwright/extract.h>
#include <dealwright/knowledge.h>
#include <dealwright/configure.h>
#include <dealwright/booking.h>
#include <dealwright/csv.h>
#include <dealwright/documents.h>
#include <dealwright/mail.h>
#include <dealwright/models.h>
#include <dealwright/trace.h>
#include <dealwright/events.h>

#endif
