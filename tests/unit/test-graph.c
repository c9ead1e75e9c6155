/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of graph.c's mapping: a Microsoft Graph event (JSON, shaped
 * as calendarView/delta returns it) becomes the iCalendar VEVENT that
 * event_parse and classify_ical read like any other, so that a meeting
 * classifies the same from Graph as from CalDAV.  Hostile text cannot
 * add properties; a bad event is refused with a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "classify.h"
#include "config.h"
#include "event.h"
#include "graph.h"
#include "helpers.h"
#include "xmalloc.h"

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	free(cfg.timezone);
	cfg.timezone = xstrdup("Europe/Amsterdam");
	strlist_add(&cfg.internal_domains, "brightline.nl");
	test_add_person(&cfg, "anna", "anna@brightline.nl");
	test_add_person(&cfg, "bram", "bram@brightline.nl");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

/* One event's JSON with the members given (a JSON fragment) replacing its own. */
static char *
event_json(const char *members)
{
	static const char base[] = "{\"id\":\"AAMkA-1\",\"iCalUId\":\"uid-1\","
	    "\"type\":\"singleInstance\",\"subject\":\"Kennismaking Acme\","
	    "\"createdDateTime\":\"2026-10-01T08:00:00.1234567Z\","
	    "\"lastModifiedDateTime\":\"2026-10-02T09:00:00Z\","
	    "\"organizer\":{\"emailAddress\":{\"address\":"
	    "\"anna@brightline.nl\"}},\"attendees\":[{\"type\":\"required\","
	    "\"status\":{\"response\":\"accepted\"},\"emailAddress\":"
	    "{\"address\":\"jan@acme.nl\"}}],"
	    "\"start\":{\"dateTime\":\"2026-10-15T10:00:00.0000000\","
	    "\"timeZone\":\"W. Europe Standard Time\"},"
	    "\"end\":{\"dateTime\":\"2026-10-15T11:00:00.0000000\","
	    "\"timeZone\":\"W. Europe Standard Time\"}}";
	json_t *ev, *more;
	char *text, *out;

	ev = json_loads(base, 0, NULL);
	text = xasprintf("{%s}", members);
	more = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(ev);
	assert_non_null(more);
	json_object_update(ev, more);
	text = json_dumps(ev, 0);
	out = xstrdup(text);
	free(text);
	json_decref(ev);
	json_decref(more);
	return out;
}

/* The signals of an event as classify_ical gives them: "kind account; ...". */
static void
classify(const char *members, char *out, size_t len, size_t *nappts,
    struct ical_file *keep)
{
	struct signal_list sigs = { 0 };
	struct appointment_list appts = { 0 };
	struct ical_file f;
	struct err err;
	const char *why = NULL;
	char *json = event_json(members), *text;
	size_t i, n = 0;

	text = graph_event_ical(json, strlen(json),
	    config_salesperson(&cfg, "anna"), &why);
	free(json);
	if (text == NULL)
		fail_msg("refused: %s", why);
	/* The window of 2026 to 2028, as the fuzzer's. */
	if (event_parse(text, strlen(text), 1767225600, 1830297600,
	    cfg.timezone, "graph", &f, &err) != 0)
		fail_msg("event_parse: %s\n%s", err.msg, text);
	free(text);
	classify_ical(&cfg, "anna", &f, "graph:anna", "AAMkA-1", 1767225600,
	    &sigs, &appts);
	out[0] = '\0';
	for (i = 0; i < sigs.n; i++)
		n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s %s",
		    i > 0 ? "; " : "", signal_kind_name(sigs.v[i].kind),
		    sigs.v[i].account != NULL ? sigs.v[i].account : "-");
	*nappts = appts.n;
	signal_list_clear(&sigs);
	appointment_list_clear(&appts);
	if (keep != NULL)
		*keep = f;
	else
		ical_file_free(&f);
}

/* Graph's members as classification reads them. */
static void
test_graph_classify(void **state)
{
	static const struct {
		const char	*what;
		const char	*members;
		const char	*want;
		size_t		 nappts;
	} rows[] = {
		{ "a meeting with a customer", "", "appointment acme.nl", 1 },
		{ "cancelled", "\"isCancelled\":true", "", 0 },
		{ "private", "\"sensitivity\":\"private\"", "", 0 },
		{ "a presentation", "\"subject\":\"Presentatie Acme\"",
		    "demo acme.nl", 1 },
		{ "declined by the owner", "\"responseStatus\":{\"response\":"
		    "\"declined\"}", "", 0 },
		{ "declined by the customer", "\"attendees\":[{\"type\":"
		    "\"required\",\"status\":{\"response\":\"declined\"},"
		    "\"emailAddress\":{\"address\":\"jan@acme.nl\"}}]", "", 0 },
		{ "declined by a colleague", "\"attendees\":[{\"type\":"
		    "\"required\",\"emailAddress\":{\"address\":\"jan@acme.nl\"}},"
		    "{\"type\":\"optional\",\"status\":{\"response\":"
		    "\"declined\"},\"emailAddress\":{\"address\":"
		    "\"bram@brightline.nl\"}}]", "appointment acme.nl", 1 },
		{ "hashtags in bodyPreview", "\"bodyPreview\":\"Tot dan.\\r\\n"
		    "#competitor Exact\\r\\n#verbal\"", "appointment acme.nl; "
		    "competitor acme.nl; verbal_order acme.nl", 1 },
		{ "an injected line stays text", "\"subject\":\"x\\r\\nATTENDEE:"
		    "mailto:evil@globex.com\\r\\nSTATUS:CANCELLED\"",
		    "appointment acme.nl", 1 },
		/* Unattributed: only the summary's words can name an account. */
		{ "a bad address is left out", "\"attendees\":[{\"type\":"
		    "\"required\",\"emailAddress\":{\"address\":\"jan@acme.nl\\r\\n"
		    "ATTENDEE:mailto:x@globex.com\"}}]", "appointment -", 1 },
	};
	char got[512];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		classify(rows[i].members, got, sizeof got, &n, NULL);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", rows[i].what, got,
			    rows[i].want);
		if (n != rows[i].nappts)
			fail_msg("%s: %zu appointments", rows[i].what, n);
	}
}

/* Times: Windows zones, UTC, all day; the stamps; a series' occurrence. */
static void
test_graph_times(void **state)
{
	struct ical_file f;
	char got[512];
	size_t n;

	(void)state;
	/* 10:00 in Amsterdam in October: 08:00 UTC. */
	classify("", got, sizeof got, &n, &f);
	assert_int_equal(f.events[0].start, 1792051200);
	assert_int_equal(f.events[0].end, 1792054800);
	assert_int_equal(f.events[0].created, 1790841600);
	assert_int_equal(f.events[0].last_modified, 1790931600);
	assert_string_equal(f.events[0].uid, "uid-1");
	ical_file_free(&f);
	classify("\"start\":{\"dateTime\":\"2026-10-15T08:00:00.0000000\","
	    "\"timeZone\":\"UTC\"},\"end\":{\"dateTime\":"
	    "\"2026-10-15T09:00:00.0000000\",\"timeZone\":\"UTC\"}", got,
	    sizeof got, &n, &f);
	assert_int_equal(f.events[0].start, 1792051200);
	ical_file_free(&f);
	classify("\"isAllDay\":true,\"start\":{\"dateTime\":"
	    "\"2026-10-15T00:00:00.0000000\",\"timeZone\":\"UTC\"},\"end\":"
	    "{\"dateTime\":\"2026-10-16T00:00:00.0000000\",\"timeZone\":"
	    "\"UTC\"}", got, sizeof got, &n, &f);
	assert_true(f.events[0].all_day);
	assert_string_equal(f.occ[0].day, "2026-10-15");
	ical_file_free(&f);
	/* An occurrence: the GlobalObjectId's date zeroed gives the series. */
	classify("\"type\":\"occurrence\",\"iCalUId\":"
	    "\"040000008200E00074C5B7101A82E00807EA0A0F0000000000000000100000"
	    "00ABABABABABABABABABABABABABABABAB\"", got, sizeof got, &n, &f);
	assert_string_equal(f.events[0].uid,
	    "040000008200E00074C5B7101A82E00800000000000000000000000010000000"
	    "ABABABABABABABABABABABABABABABAB");
	ical_file_free(&f);
}

/* What is refused, and why. */
static void
test_graph_refused(void **state)
{
	static const char *const bad[] = {
		"[]", "{\"id\":\"x\"}", "{\"iCalUId\":\"u\",\"start\":{}}",
		"{\"iCalUId\":\"u\",\"start\":{\"dateTime\":\"2026-13-01T00:00:00\"},"
		"\"end\":{\"dateTime\":\"2026-10-01T00:00:00\"}}",
		"{\"iCalUId\":\"u v\",\"start\":{\"dateTime\":\"2026-10-01T00:00:00\"},"
		"\"end\":{\"dateTime\":\"2026-10-01T01:00:00\"}}",
		"{\"iCalUId\":\"u\",\"start\":{\"dateTime\":\"2026-10-01T00:00:00\","
		"\"timeZone\":\"a\\\"b\"},\"end\":{\"dateTime\":"
		"\"2026-10-01T01:00:00\"}}",
		"not json",
	};
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		why = NULL;
		if (graph_event_ical(bad[i], strlen(bad[i]), NULL, &why) != NULL)
			fail_msg("accepted: %s", bad[i]);
		assert_non_null(why);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_graph_classify),
		cmocka_unit_test(test_graph_times),
		cmocka_unit_test(test_graph_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
