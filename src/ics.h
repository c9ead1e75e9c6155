/* SPDX-License-Identifier: MIT */
/*
 * The ICS URL source ([ics KEY] url = ...): a published iCalendar feed
 * (Outlook "publish calendar", Google's secret address) fetched with
 * If-None-Match/If-Modified-Since, kept as one item per UID so that an
 * event that leaves the feed is removed.  Exported as ics_source_ops
 * (source.h).  A feed's URL is a secret (its key is in the path or the
 * query): messages name the feed by its source and host only, and its
 * cursors are scoped by a hash of the URL, never the URL.
 */
#ifndef SC_ICS_H
#define SC_ICS_H

#include "source.h"

/*
 * A feed larger than this (decoded) is refused: it is held in memory and
 * parsed as a whole, which takes several times its size.
 */
#define ICS_MAX_FEED	(16u * 1024 * 1024)

#endif
