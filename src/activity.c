/* SPDX-License-Identifier: MIT */
/* What a deal's signals say of its activity (activity.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity.h"

#define DAY	86400

void
activity_init(struct activity *a)
{
	memset(a, 0, sizeof *a);
	a->only_target = true;
	a->entered_by = -1;
}

bool
activity_is_note(int kind)
{
	return kind == SIG_SNOOZE || kind == SIG_VALUE;
}

/*
 * The days of quiet a #snooze asks for: 0 unless 1 to
 * SIGNAL_SNOOZE_MAX_DAYS (classify bounds it; a value written by hand
 * must not postpone a deal for ever).
 */
static time_t
activity_snooze_days(const char *value)
{
	long days = value != NULL ? strtol(value, NULL, 10) : 0;

	return days > 0 && days <= SIGNAL_SNOOZE_MAX_DAYS ? (time_t)days : 0;
}

/* Whether (at, id) comes after (at0, id0). */
static bool
activity_newer(time_t at, int64_t id, time_t at0, int64_t id0)
{
	return at > at0 || (at == at0 && id > id0);
}

void
activity_add(struct activity *a, int kind, int direction, time_t at,
    int64_t id, const char *value)
{
	time_t until;

	if (!activity_is_note(kind) && at > a->last_act)
		a->last_act = at;
	if (a->latest_at == 0 || activity_newer(at, id, a->latest_at,
	    a->latest)) {
		a->latest_at = at;
		a->latest = id;
	}
	if (kind != SIG_TARGET)
		a->only_target = false;
	if (direction == DIR_INBOUND && at > a->last_inbound)
		a->last_inbound = at;
	if (kind == SIG_SNOOZE) {
		until = at + activity_snooze_days(value) * DAY;
		if (until > a->snoozed)
			a->snoozed = until;
	}
	if (kind == SIG_DECISION && value != NULL &&
	    (a->decision_at == 0 || activity_newer(at, id, a->decision_at,
	    a->decision_id))) {
		snprintf(a->decision, sizeof a->decision, "%s", value);
		a->decision_at = at;
		a->decision_id = id;
	}
}

time_t
activity_longest_quiet(const time_t *acts, size_t n, time_t from, time_t to)
{
	time_t prev = from, gap = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (acts[i] < from || acts[i] > to)
			continue;
		if (acts[i] - prev > gap)
			gap = acts[i] - prev;
		prev = acts[i];
	}
	if (to - prev > gap)
		gap = to - prev;
	return gap;
}

void
activity_spells(const time_t *acts, size_t n, const time_t *at, int reached,
    time_t closed, time_t *spell)
{
	time_t left;
	int p;

	for (p = 0; p <= reached; p++) {
		left = p < reached ? at[p + 1] : closed;
		spell[p] = left > at[p] ?
		    activity_longest_quiet(acts, n, at[p], left) : -1;
	}
}

time_t
activity_silence(const time_t *times, size_t n, time_t opened)
{
	time_t prev = opened, gap = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (times[i] - prev > gap)
			gap = times[i] - prev;
		prev = times[i];
	}
	return gap;
}
