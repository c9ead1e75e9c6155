/* SPDX-License-Identifier: MIT */
/*
 * The ICS URL source ([ics KEY] url = ...): a published iCalendar feed
 * (Outlook "publish calendar", Google's secret address) fetched with
 * If-None-Match/If-Modified-Since, kept as one item per UID so that an
 * event that leaves the feed is removed.  Exported as ics_source_ops
 * (source.h).
 */
#ifndef SC_ICS_H
#define SC_ICS_H

#include "source.h"

/* A feed larger than this is refused. */
#define ICS_MAX_FEED	(64u * 1024 * 1024)

#endif
