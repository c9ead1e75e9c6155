/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of printer.c: tables as text, CSV and JSON, printed whole or
 * streamed, and what they make of control characters and bytes that are
 * not UTF-8.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "printer.h"
#include "util.h"

static const struct column cols[] = {
	{ "name", NULL, COL_STR, 0 },
	{ "n", NULL, COL_INT, 0 },
	{ "at", NULL, COL_TIME, 0 },
	{ "r", NULL, COL_REAL, 0 },
};

/* Prints t in fmt into a string; caller frees. */
static char *
render(const struct table *t, enum format fmt)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	table_print(t, fmt, f);
	fclose(f);
	return out;
}

static void
fill(struct table *t)
{
	table_init(t, cols, 4, "Europe/Amsterdam");
	table_row(t);
	table_str(t, 0, "Zoë \"Z\", BV");
	table_int(t, 1, 42);
	table_time(t, 2, 1792504980);	/* 2026-10-20T14:03:00Z */
	table_real(t, 3, 5.0);
	table_row(t);
	table_str(t, 0, "line\nbreak");
	table_int(t, 1, -1);
	table_time(t, 2, 0);
	table_real(t, 3, NAN);
}

static void
test_printer_json(void **state)
{
	struct table t;
	char *s;

	fill(&t);
	s = render(&t, FORMAT_JSON);
	assert_string_equal(s,
	    "[{\"name\":\"Zoë \\\"Z\\\", BV\",\"n\":42,\"at\":\"2026-10-20T14:03:00Z\",\"r\":5.0},"
	    "{\"name\":\"line\\nbreak\",\"n\":-1,\"at\":null,\"r\":null}]\n");
	free(s);
	table_free(&t);
}

static void
test_printer_csv_quotes(void **state)
{
	struct table t;
	char *s;

	fill(&t);
	s = render(&t, FORMAT_CSV);
	assert_string_equal(s,
	    "name,n,at,r\r\n"
	    "\"Zoë \"\"Z\"\", BV\",42,2026-10-20T14:03:00Z,5.00\r\n"
	    "line break,-1,,\r\n");
	free(s);
	table_free(&t);
}

static void
test_printer_table_aligns_utf8(void **state)
{
	static const struct column two[] = {
		{ "who", NULL, COL_STR, 0 }, { "count", NULL, COL_INT, 0 },
	};
	struct table t;
	char *s;

	table_init(&t, two, 2, "UTC");
	table_row(&t);
	table_str(&t, 0, "Zoë");
	table_int(&t, 1, 7);
	table_row(&t);
	table_str(&t, 0, "anna");
	table_int(&t, 1, 12);
	s = render(&t, FORMAT_TABLE);
	/* "Zoë" is three columns wide although it is four bytes. */
	assert_string_equal(s,
	    "who   count\n"
	    "Zoë       7\n"
	    "anna     12\n");
	free(s);
	table_free(&t);
}

/*
 * Days in a text table line up whatever their width: a year of five
 * digits widens the column, a time not known shows "-".
 */
static void
test_printer_table_days(void **state)
{
	static const struct column two[] = {
		{ "at", NULL, COL_TIME, 0 }, { "n", NULL, COL_INT, 0 },
	};
	struct table t;
	char *s;

	(void)state;
	table_init(&t, two, 2, "Europe/Amsterdam");
	table_row(&t);
	table_time(&t, 0, 1792504980);		/* 2026-10-20T14:03:00Z */
	table_int(&t, 1, 1);
	table_row(&t);
	table_time(&t, 0, 253402300800LL);	/* 10000-01-01T00:00:00Z */
	table_int(&t, 1, 22);
	table_row(&t);
	table_time(&t, 0, 0);
	table_int(&t, 1, 333);
	s = render(&t, FORMAT_TABLE);
	assert_string_equal(s,
	    "at           n\n"
	    "2026-10-20     1\n"
	    "10000-01-01   22\n"
	    "-            333\n");
	free(s);
	table_free(&t);
}

/* Shortening never cuts a character and counts what a terminal shows. */
static void
test_printer_fit(void **state)
{
	static const struct {
		const char	*in;
		size_t		 width;
		const char	*out;
	} cases[] = {
		{ "abcdef", 6, "abcdef" },
		{ "abcdef", 4, "abc\xe2\x80\xa6" },
		{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3,
		    "\xc3\xa9\xc3\xa9\xe2\x80\xa6" },	/* ééééé */
		/* 日本語テキスト: two columns each. */
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86", 6,
		    "\xe6\x97\xa5\xe6\x9c\xac\xe2\x80\xa6" },
		{ "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x83\x86", 4,
		    "\xe6\x97\xa5\xe2\x80\xa6" },
		/* e + COMBINING ACUTE, three times: the mark stays with its e. */
		{ "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 2, "e\xcc\x81\xe2\x80\xa6" },
		{ "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 3, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" },
		{ "abc", 0, "" },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		s = printer_fit(cases[i].in, cases[i].width);
		assert_string_equal(s, cases[i].out);
		assert_true(printer_width(s) <= cases[i].width);
		free(s);
	}
	assert_int_equal(printer_width("\xe6\x97\xa5\xe6\x9c\xac"), 4);
	assert_int_equal(printer_width("e\xcc\x81"), 1);
	assert_int_equal(printer_width("Zo\xc3\xab"), 3);
}

/* The longest line of s, in display columns. */
static size_t
widest_line(const char *s)
{
	size_t max = 0, w;
	char *copy = strdup(s), *line, *save = NULL;

	assert_non_null(copy);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		w = printer_width(line);
		if (w > max)
			max = w;
	}
	free(copy);
	return max;
}

/*
 * A text table fits PRINTER_WIDTH: wide-only and empty sparse columns
 * left out, a COL_FIT column shortened; numbers whole unless COL_DECIMAL.
 * --wide shows everything whole; CSV is untouched by either.
 */
static void
test_printer_table_fits(void **state)
{
	static const struct column fitcols[] = {
		{ "name", NULL, COL_STR, COL_FIT },
		{ "days", NULL, COL_REAL, 0 },
		{ "expected", NULL, COL_REAL, COL_DECIMAL },
		{ "ref", NULL, COL_STR, COL_WIDE },
		{ "value", NULL, COL_REAL, COL_SPARSE },
	};
	char name[301];
	struct table t;
	char *s;

	memset(name, 0, sizeof name);
	for (size_t i = 0; i < 100; i++)
		memcpy(name + 3 * i, "\xc3\xa9x", 3);	/* "éx" */
	table_init(&t, fitcols, 5, "UTC");
	table_row(&t);
	table_str(&t, 0, name);
	table_real(&t, 1, 24.83);
	table_real(&t, 2, 3.14);
	table_str(&t, 3, "<message-id@host>");
	table_real(&t, 4, NAN);
	table_row(&t);
	table_str(&t, 0, "short");
	table_real(&t, 1, -0.2);
	table_real(&t, 2, 0.0);
	table_str(&t, 3, "r2");
	table_real(&t, 4, NAN);
	s = render(&t, FORMAT_TABLE);
	assert_int_equal(widest_line(s), PRINTER_WIDTH);
	assert_non_null(strstr(s, "x\xc3\xa9\xe2\x80\xa6    25       3.1\n"));
	assert_non_null(strstr(s, "short"));
	assert_non_null(strstr(s, "     0       0.0\n"));	/* not "-0" */
	assert_null(strstr(s, "ref"));
	assert_null(strstr(s, "value"));
	free(s);

	printer_wide(true);
	s = render(&t, FORMAT_TABLE);
	printer_wide(false);
	assert_non_null(strstr(s, name));
	assert_non_null(strstr(s, "<message-id@host>"));
	assert_non_null(strstr(s, "value"));
	assert_int_equal(widest_line(s), 200 + 2 + 4 + 2 + 8 + 2 + 17 + 2 + 5);
	free(s);

	s = render(&t, FORMAT_CSV);
	assert_non_null(strstr(s, "24.83,3.14,<message-id@host>,\r\n"));
	free(s);
	table_free(&t);
}

static void
test_printer_json_nested(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct json j;

	json_init(&j, f);
	json_begin_object(&j);
	json_key(&j, "a");
	json_begin_array(&j);
	json_int(&j, 1);
	json_begin_object(&j);
	json_key(&j, "b");
	json_null(&j);
	json_end_object(&j);
	json_end_array(&j);
	json_key(&j, "c");
	json_str(&j, "\x01");
	/* Amounts and fractions whole, not rounded to one decimal. */
	json_key(&j, "d");
	json_number(&j, 1234567.89);
	json_key(&j, "e");
	json_number(&j, 0.25);
	json_key(&j, "f");
	json_number(&j, NAN);
	json_end_object(&j);
	json_end(&j);
	fclose(f);
	assert_string_equal(out, "{\"a\":[1,{\"b\":null}],\"c\":\"\\u0001\","
	    "\"d\":1234567.89,\"e\":0.25,\"f\":null}\n");
	free(out);
}

/* Hostile strings as a database may hold them, and what each format makes of them. */
static const struct {
	const char	*in;
	const char	*text;	/* table and CSV */
	const char	*json;	/* the JSON string, quotes included */
} hostile[] = {
	/* Clear the screen; set the window title (OSC ... BEL). */
	{ "\x1b[2J", "\xef\xbf\xbd[2J", "\"\\u001b[2J\"" },
	{ "\x1b]0;pwned\x07x", "\xef\xbf\xbd]0;pwned\xef\xbf\xbdx",
	    "\"\\u001b]0;pwned\\u0007x\"" },
	/* CSI as a C1 code point, and as the raw 8-bit byte (not UTF-8). */
	{ "a\xc2\x9b" "31m", "a\xef\xbf\xbd" "31m", "\"a\\u009b31m\"" },
	{ "a\x9b" "31m", "a\xef\xbf\xbd" "31m", "\"a\xef\xbf\xbd" "31m\"" },
	{ "del\x7f", "del\xef\xbf\xbd", "\"del\\u007f\"" },
	{ "tab\there", "tab here", "\"tab\\there\"" },
	/* Invalid UTF-8: a stray byte, an overlong '/', a surrogate, a cut sequence. */
	{ "ok\xff", "ok\xef\xbf\xbd", "\"ok\xef\xbf\xbd\"" },
	{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },
	{ "end\xe2\x82", "end\xef\xbf\xbd\xef\xbf\xbd",
	    "\"end\xef\xbf\xbd\xef\xbf\xbd\"" },
	/* Valid text stays as it is; U+2028 is escaped in JSON only. */
	{ "Zoë € \xf0\x9d\x84\x9e", "Zoë € \xf0\x9d\x84\x9e",
	    "\"Zoë € \xf0\x9d\x84\x9e\"" },
	{ "a\xe2\x80\xa8" "b", "a\xe2\x80\xa8" "b", "\"a\\u2028b\"" },
};

static void
test_printer_hostile_strings(void **state)
{
	static const struct column one[] = { { "s", NULL, COL_STR, 0 } };
	struct table t;
	char want[256], *s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		table_init(&t, one, 1, "UTC");
		table_row(&t);
		table_str(&t, 0, hostile[i].in);

		s = render(&t, FORMAT_TABLE);
		snprintf(want, sizeof want, "s\n%s\n", hostile[i].text);
		if (strcmp(s, want) != 0)
			fail_msg("row %zu: table \"%s\", want \"%s\"", i, s, want);
		free(s);

		s = render(&t, FORMAT_CSV);
		snprintf(want, sizeof want, "s\r\n%s\r\n", hostile[i].text);
		if (strcmp(s, want) != 0)
			fail_msg("row %zu: CSV \"%s\", want \"%s\"", i, s, want);
		free(s);

		s = render(&t, FORMAT_JSON);
		snprintf(want, sizeof want, "[{\"s\":%s}]\n", hostile[i].json);
		if (strcmp(s, want) != 0)
			fail_msg("row %zu: JSON \"%s\", want \"%s\"", i, s, want);
		free(s);
		table_free(&t);
	}
}

/*
 * The rows of a streamed table, one at a time; strings that grow, shrink
 * and turn null, so that reused cells show what they hold now.
 */
static void
fill_many(struct table *t, FILE *stream, enum format fmt, size_t rows)
{
	static const char *const names[] = {
		"a", "longer name, with \"quotes\"", NULL, "b\x01c", "",
		"Zoë", NULL, "the longest name of all of them, by far",
	};
	size_t i;

	table_init(t, cols, 4, "Europe/Amsterdam");
	if (stream != NULL)
		table_stream(t, fmt, stream);
	for (i = 0; i < rows; i++) {
		table_row(t);
		/* Some rows leave the name unset: null, whatever came before. */
		if (i % 7 != 3)
			table_str(t, 0,
			    names[i % (sizeof names / sizeof names[0])]);
		if (i % 3 != 0)
			table_int(t, 1, (int64_t)i * 1000 - 7);
		table_time(t, 2, i % 4 == 0 ? 0 : 1792504980 + (time_t)i);
		table_real(t, 3, i % 5 == 0 ? NAN : (double)i / 4);
	}
}

/*
 * A JSON stream writes each key as escaped once for the table: names
 * that need escaping come out as a whole table's do.
 */
static void
test_printer_stream_keys(void **state)
{
	static const struct column odd[] = {
		{ "say \"hi\"", NULL, COL_STR, 0 },
		{ "back\\slash\x01", NULL, COL_INT, 0 },
	};
	struct table t;
	char *got = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	f = open_memstream(&got, &len);
	assert_non_null(f);
	table_init(&t, odd, 2, "UTC");
	table_stream(&t, FORMAT_JSON, f);
	table_row(&t);
	table_str(&t, 0, "x");
	table_int(&t, 1, 7);
	table_row(&t);
	table_print(&t, FORMAT_JSON, f);
	table_free(&t);
	fclose(f);
	assert_string_equal(got, "[{\"say \\\"hi\\\"\":\"x\","
	    "\"back\\\\slash\\u0001\":7},"
	    "{\"say \\\"hi\\\"\":null,\"back\\\\slash\\u0001\":null}]\n");
	free(got);
}

/* Streams rows rows in fmt and checks them against the table printed whole. */
static void
check_stream(enum format fmt, size_t rows)
{
	struct table whole, streamed;
	char *want, *got = NULL;
	size_t len = 0;
	FILE *f;

	fill_many(&whole, NULL, fmt, rows);
	want = render(&whole, fmt);
	f = open_memstream(&got, &len);
	assert_non_null(f);
	fill_many(&streamed, f, fmt, rows);
	/* CSV and JSON are out before the end: nothing is held whole. */
	if (fmt != FORMAT_TABLE) {
		assert_true(streamed.nrows <= TABLE_BATCH);
		assert_true(util_one_thread ? streamed.writer == NULL :
		    streamed.writer != NULL);
	}
	table_print(&streamed, fmt, f);
	fclose(f);
	assert_string_equal(got, want);
	free(want);
	free(got);
	table_free(&whole);
	table_free(&streamed);
}

/*
 * A streamed table prints what the same table printed whole does, a few
 * rows or many batches of them, on one thread or with a writing thread
 * (every CSV and JSON stream has one): it holds a batch at most.
 */
static void
test_printer_stream(void **state)
{
	static const enum format fmts[] = { FORMAT_CSV, FORMAT_JSON,
	    FORMAT_TABLE };
	size_t i, pass;
	(void)state;

	for (pass = 0; pass < 2; pass++) {
		util_one_thread = pass == 0;
		for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
			check_stream(fmts[i], 24);
			check_stream(fmts[i], 10 * TABLE_BATCH + 3);
		}
	}
	util_one_thread = false;
}

/*
 * A stream freed without table_print (a query that failed half way) has
 * written the batches handed over, and only whole rows of them.
 */
static void
test_printer_stream_abandoned(void **state)
{
	struct table whole, streamed;
	char *want, *got = NULL;
	size_t len = 0;
	FILE *f;
	(void)state;

	fill_many(&whole, NULL, FORMAT_CSV, 3 * TABLE_BATCH + 5);
	want = render(&whole, FORMAT_CSV);
	f = open_memstream(&got, &len);
	assert_non_null(f);
	fill_many(&streamed, f, FORMAT_CSV, 3 * TABLE_BATCH + 5);
	assert_non_null(streamed.writer);
	table_free(&streamed);
	fclose(f);
	assert_true(len > 0 && len < strlen(want));
	assert_memory_equal(got, want, len);
	assert_string_equal(got + len - 2, "\r\n");
	free(want);
	free(got);
	table_free(&whole);
}

/*
 * A reader that closes the pipe ends the program while a stream is
 * written, as when the caller wrote (salescycle transitions | head): the
 * writing thread takes SIGPIPE.  Else the child would stream every row
 * into the closed pipe and exit.
 */
static void
test_printer_stream_closed_pipe(void **state)
{
	struct table t;
	sigset_t pipe_only;
	int fds[2], status;
	pid_t pid;
	FILE *f;
	(void)state;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&pipe_only);
		sigaddset(&pipe_only, SIGPIPE);
		pthread_sigmask(SIG_UNBLOCK, &pipe_only, NULL);
		if ((f = fdopen(fds[1], "w")) == NULL)
			_exit(2);
		fill_many(&t, f, FORMAT_JSON, 100 * TABLE_BATCH);
		_exit(0);
	}
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGPIPE);
}

/* printer_text, for the lines commands print themselves. */
static void
test_printer_text(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	(void)state;

	assert_non_null(f);
	printer_text(f, "INBOX\x1b[2J\r\n");
	printer_text(f, NULL);
	fclose(f);
	assert_string_equal(out, "INBOX\xef\xbf\xbd[2J  ");
	free(out);
}

static void
test_printer_format_names(void **state)
{
	enum format f;

	assert_int_equal(printer_format_from_name("json", &f), 0);
	assert_int_equal(f, FORMAT_JSON);
	assert_int_equal(printer_format_from_name("csv", &f), 0);
	assert_int_equal(f, FORMAT_CSV);
	assert_int_equal(printer_format_from_name("xml", &f), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printer_json),
		cmocka_unit_test(test_printer_csv_quotes),
		cmocka_unit_test(test_printer_table_aligns_utf8),
		cmocka_unit_test(test_printer_table_days),
		cmocka_unit_test(test_printer_fit),
		cmocka_unit_test(test_printer_table_fits),
		cmocka_unit_test(test_printer_json_nested),
		cmocka_unit_test(test_printer_format_names),
		cmocka_unit_test(test_printer_hostile_strings),
		cmocka_unit_test(test_printer_text),
		cmocka_unit_test(test_printer_stream),
		cmocka_unit_test(test_printer_stream_abandoned),
		cmocka_unit_test(test_printer_stream_closed_pipe),
		cmocka_unit_test(test_printer_stream_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
