/* SPDX-License-Identifier: MIT */
/*
 * The Microsoft Graph calendar source (graph_source_ops in source.h):
 * calendarView delta, read-only.  What it makes of one event is exposed
 * for the tests.
 */
#ifndef SC_GRAPH_H
#define SC_GRAPH_H

#include <stddef.h>

#include "config.h"

/*
 * The iCalendar object (one VEVENT) that one Graph event (JSON) becomes,
 * as the source hands it to event_parse; owner is the salesperson whose
 * calendar it is (their responseStatus is their PARTSTAT).  NULL, with
 * why, when it is no event or lacks a UID or times.  Caller frees.
 */
char	*graph_event_ical(const char *json, size_t len,
	    const struct salesperson *owner, const char **why);

#endif
