/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for event_parse: any bytes as an iCalendar object,
 * expanded within a fixed window (2026-01-01 to 2028-01-01) in a fixed
 * zone with DST, so that recurrence and zone conversion are exercised;
 * and for event_reduce, whose output is parsed again (the store keeps
 * it for invitations).
 * Warnings are counted but not printed.  Seeds: tests/data/ics/, and
 * tests/data/corpus/event/bound-* for the bounds on what an object may
 * cost (event_parse_text, event_check_zones, event_rule_cost).
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    tests/fuzz/fuzz-event.c src/event.c src/winzones.c \
 *	    src/libsalescycle.a $(pkg-config --libs libical libetpan) ...
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "xmalloc.h"

#define FUZZ_FROM	1767225600	/* 2026-01-01T00:00:00Z */
#define FUZZ_TO		1830297600	/* 2028-01-01T00:00:00Z */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keeps a SUMMARY as it is. */
static char *
fuzz_summary(const char *text, void *arg)
{
	(void)arg;
	return (xstrdup(text));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ical_file	f;
	struct err		err;
	char			*red;

	log_level = LOG_LVL_ERROR;
	if (event_parse((const char *)data, size, FUZZ_FROM, FUZZ_TO,
	    "Europe/Amsterdam", "fuzz", &f, &err) == 0)
		ical_file_free(&f);
	if (event_reduce((const char *)data, size, "fuzz", "x@example.com",
	    fuzz_summary, NULL, size % 2 == 0, &red, &err) == 0) {
		if (event_parse(red, strlen(red), FUZZ_FROM, FUZZ_TO,
		    "Europe/Amsterdam", "fuzz", &f, &err) == 0)
			ical_file_free(&f);
		free(red);
	}
	return (0);
}
