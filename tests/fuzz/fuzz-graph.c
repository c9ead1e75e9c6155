/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for graph_event_ical: any bytes as one Microsoft Graph
 * event (JSON), and the iCalendar object it becomes parsed by
 * event_parse within the window of fuzz-event.c, as the Graph source
 * does with every event of a page.  Seeds: tests/data/corpus/graph/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "graph.h"
#include "log.h"

#define FUZZ_FROM	1767225600	/* 2026-01-01T00:00:00Z */
#define FUZZ_TO		1830297600	/* 2028-01-01T00:00:00Z */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ical_file	 f;
	struct err		 err;
	const char		*why;
	char			*text;

	log_level = LOG_LVL_ERROR;
	text = graph_event_ical((const char *)data, size, NULL, &why);
	if (text == NULL)
		return (0);
	if (event_parse(text, strlen(text), FUZZ_FROM, FUZZ_TO,
	    "Europe/Amsterdam", "fuzz", &f, &err) == 0)
		ical_file_free(&f);
	free(text);
	return (0);
}
