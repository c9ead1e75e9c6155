/* SPDX-License-Identifier: MIT */
/* Unit tests of printer.c: tables as text, CSV and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer.h"

static const struct column cols[] = {
	{ "name", NULL, COL_STR },
	{ "n", NULL, COL_INT },
	{ "at", NULL, COL_TIME },
	{ "r", NULL, COL_REAL },
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
	    "\"line\nbreak\",-1,,\r\n");
	free(s);
	table_free(&t);
}

static void
test_printer_table_aligns_utf8(void **state)
{
	static const struct column two[] = {
		{ "who", NULL, COL_STR }, { "count", NULL, COL_INT },
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
	json_end_object(&j);
	json_end(&j);
	fclose(f);
	assert_string_equal(out, "{\"a\":[1,{\"b\":null}],\"c\":\"\\u0001\"}\n");
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
		cmocka_unit_test(test_printer_json_nested),
		cmocka_unit_test(test_printer_format_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
