/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of mime.c, from tables: dates (31 February, two-digit years,
 * zones), Message-IDs, charsets, RFC 2047 encoded words, RFC 2231 file
 * names and the transfer encodings of a part.  These are the pieces both
 * the file path and the IMAP path read messages with; mime-paths.int
 * checks that the two paths agree on every fixture.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "helpers.h"
#include "mime.h"

/*
 * The one date conversion of the Date header and INTERNALDATE: RFC 5322
 * section 4.3's two- and three-digit years, no day that does not exist,
 * zones as +HHMM numbers.
 */
static void
test_mime_time(void **state)
{
	static const struct {
		int		 y, mo, d, h, mi, s, zone;
		long long	 want;	/* -1: refused */
	} rows[] = {
		{ 2026, 10, 5, 9, 30, 0, 200, 1791185400LL },
		{ 2026, 10, 5, 7, 30, 0, 0, 1791185400LL },
		{ 2026, 10, 5, 2, 30, 0, -500, 1791185400LL },
		{ 2026, 10, 5, 13, 0, 0, 530, 1791185400LL },
		{ 2026, 10, 5, 5, 0, 0, -230, 1791185400LL },
		/* 31 February is no day, nor is 29 February 2026. */
		{ 2026, 2, 31, 10, 0, 0, 100, -1 },
		{ 2026, 2, 29, 10, 0, 0, 0, -1 },
		{ 2024, 2, 29, 10, 0, 0, 0, 1709200800LL },
		{ 2026, 4, 31, 10, 0, 0, 0, -1 },
		/* "1 Jan 99" is 1999, "1 Jan 26" 2026, "1 Jan 126" 2026. */
		{ 99, 1, 1, 0, 0, 0, 0, 915148800LL },
		{ 26, 1, 1, 0, 0, 0, 0, 1767225600LL },
		{ 126, 1, 1, 0, 0, 0, 0, 1767225600LL },
		{ 49, 1, 1, 0, 0, 0, 0, 2493072000LL },
		{ 50, 1, 1, 0, 0, 0, 0, -631152000LL },
		/* A leap second is a second. */
		{ 2026, 6, 30, 23, 59, 60, 0, 1782864000LL },
		/* Out of range. */
		{ 2026, 13, 1, 0, 0, 0, 0, -1 },
		{ 2026, 0, 1, 0, 0, 0, 0, -1 },
		{ 2026, 1, 0, 0, 0, 0, 0, -1 },
		{ 2026, 1, 1, 24, 0, 0, 0, -1 },
		{ 2026, 1, 1, 0, 60, 0, 0, -1 },
		{ 2026, 1, 1, 0, 0, 61, 0, -1 },
		{ 2026, 1, 1, 0, 0, 0, 2400, -1 },
		{ 2026, 1, 1, 0, 0, 0, 160, -1 },
		{ 2026, 1, 1, 0, 0, 0, -2400, -1 },
		{ 10000, 1, 1, 0, 0, 0, 0, -1 },
		{ 1899, 1, 1, 0, 0, 0, 0, -1 },
	};
	time_t	t;
	size_t	i;
	int	rc;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		t = 0;
		rc = mime_time(rows[i].y, rows[i].mo, rows[i].d, rows[i].h,
		    rows[i].mi, rows[i].s, rows[i].zone, &t);
		if (rows[i].want == -1 && rc == -1)
			continue;
		if (rc != 0 || (long long)t != rows[i].want)
			fail_msg("row %zu: %d, %lld", i, rc, (long long)t);
	}
}

/* One cleaner of Message-IDs for the header and In-Reply-To alike. */
static void
test_mime_msgid(void **state)
{
	static const struct {
		const char	*in, *want;	/* want NULL: none */
	} rows[] = {
		{ "<a@b>", "a@b" },
		{ "  <a@b> ", "a@b" },
		{ "a@b", "a@b" },
		{ "a@b c", "a@b" },
		{ "  a@b\r\n", "a@b" },
		{ "<a@b c>", "a@b c" },
		{ "Your message <a@b> of Monday", "a@b" },
		{ "<>", NULL },
		{ "", NULL },
		{ "   ", NULL },
		{ "<a@b", "<a@b" },
	};
	struct strlist	 ids = { NULL, 0, 0, NULL };
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		test_assert_str(mime_msgid(rows[i].in), rows[i].want);
	assert_null(mime_msgid(NULL));
	mime_msgids(&ids, "garbage <r1@x> <> more <r2@y> <unterminated");
	assert_int_equal(ids.n, 2);
	assert_string_equal(ids.v[0], "r1@x");
	assert_string_equal(ids.v[1], "r2@y");
	strlist_clear(&ids);
}

static const struct {
	const char	*in;
	const char	*want;
} decode_cases[] = {
	{ "=?utf-8?B?T2ZmZXJ0ZQ==?=", "Offerte" },
	{ "=?windows-1252?Q?Offerte_=96_prijsopgave?=",
	    "Offerte \xe2\x80\x93 prijsopgave" },
	{ "=?iso-8859-1?q?caf=E9?=", "caf\xc3\xa9" },
	{ "=?bogus-charset?Q?caf=E9?=", "caf\xc3\xa9" },
	{ "a =?utf-8?Q?b?= =?utf-8?Q?c?= d", "a bc d" },
	{ "raw caf\xe9", "raw caf\xc3\xa9" },
	{ "plain\r\n folded\r\n\tagain", "plain folded again" },
	{ "=?UTF-8?B?4oCY?=\r\n =?UTF-8?B?a29lbA==?=", "\xe2\x80\x98koel" },
	{ "=?utf-8?Q?bad_=FF_byte?=", "bad ? byte" },
	{ "", "" },
	{ "   ", "" },
};

static void
test_mime_decode_header(void **state)
{
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof decode_cases / sizeof decode_cases[0]; i++) {
		got = mime_decode_header(decode_cases[i].in);
		assert_non_null(got);
		assert_string_equal(got, decode_cases[i].want);
		free(got);
	}
	assert_null(mime_decode_header(NULL));
}

static const struct {
	const char	*charset;
	const char	*in;
	size_t		 len;
	const char	*want;
} utf8_cases[] = {
	{ "windows-1252", "\x96", 1, "\xe2\x80\x93" },
	{ "ISO-8859-1", "caf\xe9 \x93x\x94", 8,
	    "caf\xc3\xa9 \xe2\x80\x9cx\xe2\x80\x9d" },
	{ "x-no-such-charset", "caf\xe9", 4, "caf\xc3\xa9" },
	{ NULL, "caf\xc3\xa9", 5, "caf\xc3\xa9" },
	{ "us-ascii", "caf\xe9", 4, "caf\xc3\xa9" },
	{ "utf-8", "a\xff" "b", 3, "a\xef\xbf\xbd" "b" },
	{ "utf-8", "a\0b", 3, "a b" },
	{ "\"UTF-8\"", "\xe2\x82", 2, "\xef\xbf\xbd\xef\xbf\xbd" },
	{ "iso-8859-15", "\xa4", 1, "\xe2\x82\xac" },
	/* ASCII bytes that mean other things: still converted. */
	{ "utf-7", "+AGE-", 5, "a" },
	{ "utf-7", "1 +- 1", 6, "1 + 1" },
};

static void
test_mime_to_utf8(void **state)
{
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		got = mime_to_utf8(utf8_cases[i].charset, utf8_cases[i].in,
		    utf8_cases[i].len);
		assert_string_equal(got, utf8_cases[i].want);
		free(got);
	}
}

/*
 * ASCII text in the charsets that mime_to_utf8 copies without iconv
 * comes out as iconv makes it (NUL bytes as spaces): random texts of
 * every ASCII byte, against iconv itself.
 */
static void
test_mime_to_utf8_ascii(void **state)
{
	static const char *const charsets[] = { NULL, "us-ascii", "utf-8",
	    "UTF8", "iso-8859-1", "ISO-8859-15", "iso-8859-2",
	    "windows-1250", "windows-1252", "windows-1255", "windows-1258",
	    "x-unknown", "x-no-such-charset", "iso-8859-99" };
	char in[64], want[256], *got, *ip, *op;
	size_t c, i, k, len, il, ol;
	unsigned seed = 7;
	iconv_t cd;

	(void)state;
	for (c = 0; c < sizeof charsets / sizeof charsets[0]; c++) {
		for (i = 0; i < 200; i++) {
			seed = seed * 1103515245 + 12345;
			len = (seed >> 16) % sizeof in;
			for (k = 0; k < len; k++) {
				seed = seed * 1103515245 + 12345;
				in[k] = (char)((seed >> 16) % 0x80);
			}
			/* iconv's answer (a name it does not know: UTF-8). */
			cd = iconv_open("UTF-8", charsets[c] != NULL ?
			    charsets[c] : "UTF-8");
			if (cd == (iconv_t)-1)
				cd = iconv_open("UTF-8", "UTF-8");
			assert_true(cd != (iconv_t)-1);
			ip = in;
			il = len;
			op = want;
			ol = sizeof want - 1;
			assert_true(iconv(cd, &ip, &il, &op, &ol) == 0);
			/* Windows-1258 holds a letter back for an accent. */
			assert_true(iconv(cd, NULL, NULL, &op, &ol) == 0);
			iconv_close(cd);
			*op = '\0';
			for (k = 0; k < len; k++)
				if (want[k] == '\0')
					want[k] = ' ';
			got = mime_to_utf8(charsets[c], in, len);
			assert_int_equal(strlen(got), len);
			assert_memory_equal(got, want, len);
			free(got);
		}
	}
}

static const struct {
	const char	*names[4];
	const char	*values[4];
	size_t		 n;
	const char	*want;		/* NULL: no file name */
} param_cases[] = {
	{ { "name" }, { "plain.pdf" }, 1, "plain.pdf" },
	{ { "name", "filename" }, { "type-name.pdf", "disp.pdf" }, 2,
	    "disp.pdf" },
	{ { "FileName" },
	    { "=?utf-8?B?T2ZmZXJ0ZSAyMDI2LTExNCBBY21lLnBkZg==?=" }, 1,
	  "Offerte 2026-114 Acme.pdf" },
	{ { "filename*" }, { "utf-8''%E2%82%AC%20prijs.pdf" }, 1,
	    "\xe2\x82\xac prijs.pdf" },
	{ { "filename*1*", "filename*0*" }, { "%FCck.txt", "iso-8859-1'nl'Gl" },
	    2,
	  "Gl\xc3\xbc" "ck.txt" },
	{ { "name*0", "name*1", "name*2" }, { "a", "b", ".doc" }, 3, "ab.doc" },
	{ { "filename*0*", "filename*2*" }, { "utf-8''x", "z" }, 2, "x" },
	{ { "name*" }, { "no-quotes%20here.pdf" }, 1, "no-quotes here.pdf" },
	{ { "filename" }, { "r\xe9sum\xe9.pdf" }, 1,
	    "r\xc3\xa9sum\xc3\xa9.pdf" },
	{ { "filename" }, { "bad\r\nname.pdf" }, 1, "badname.pdf" },
	{ { "charset", "format" }, { "utf-8", "flowed" }, 2, NULL },
	{ { "filename" }, { "  " }, 1, NULL },
	{ { "filename*99999999999999999999" }, { "x" }, 1, NULL },
	{ { NULL }, { NULL }, 0, NULL },
};

static void
test_mime_param_filename(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof param_cases / sizeof param_cases[0]; i++) {
		test_assert_str(mime_param_filename(param_cases[i].names,
		    param_cases[i].values, param_cases[i].n),
		    param_cases[i].want);
	}
}

/* A part's text decoded from its transfer encoding and charset. */
static void
test_mime_part_text(void **state)
{
	static const struct {
		int		 enc;
		const char	*charset;
		const char	*data;
		size_t		 max;
		const char	*want;	/* NULL: does not decode */
	} rows[] = {
		{ MAILMIME_MECHANISM_8BIT, "utf-8",
		  "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n", 0,
		  "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" },
		/* "SUMMARY:Caf\xc3\xa9\r\n" in base64 */
		{ MAILMIME_MECHANISM_BASE64, "utf-8", "U1VNTUFSWTpDYWbDqQ0K", 0,
		  "SUMMARY:Caf\xc3\xa9\r\n" },
		{ MAILMIME_MECHANISM_BASE64, "utf-8", "U1VNTUFSWTpDYWbDqQ0K", 7,
		  "SUMMARY" },
		{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "iso-8859-1",
		  "SUMMARY:Caf=E9 met een heel lange re=\r\ngel\r\n", 0,
		  "SUMMARY:Caf\xc3\xa9 met een heel lange regel\r\n" },
		{ MAILMIME_MECHANISM_8BIT, "windows-1252",
		  "LOCATION:Caf\xe9\r\n", 0, "LOCATION:Caf\xc3\xa9\r\n" },
		{ MAILMIME_MECHANISM_7BIT, "", "#verbal\r\nmore", 9,
		  "#verbal\r\n" },
		{ MAILMIME_MECHANISM_7BIT, NULL, "caf\xc3\xa9", 0,
		  "caf\xc3\xa9" },
	};
	size_t	 i;
	char	*text;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		text = mime_part_text(rows[i].enc, rows[i].charset,
		    rows[i].data, strlen(rows[i].data), rows[i].max);
		assert_non_null(text);
		assert_string_equal(text, rows[i].want);
		free(text);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_time),
		cmocka_unit_test(test_mime_msgid),
		cmocka_unit_test(test_mime_decode_header),
		cmocka_unit_test(test_mime_to_utf8),
		cmocka_unit_test(test_mime_to_utf8_ascii),
		cmocka_unit_test(test_mime_param_filename),
		cmocka_unit_test(test_mime_part_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
