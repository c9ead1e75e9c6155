/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the IMAP driver's files: the transport's lexer
 * (imap-stream.c), the LIST reader's line parser and name set
 * (imap-list.c), URL parsing and modified UTF-7 (imap-url.c), UID sets
 * (imap-sync.c), the mail summary and the text and calendar parts found
 * in a FETCH response that a scripted server writes into a socketpair
 * (imap-summary.c; libetpan parses it exactly as it would a real
 * server's answer), and the decoding of those parts; and the whole
 * driver against a fake server on loopback that answers one message
 * with bytes libetpan cannot parse, or serves invitations anna sent with
 * their parts, and keeps its folder list.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "helpers.h"
#include "imap.h"
#include "imap-fetch.h"
#include "imap-int.h"
#include "imap-list.h"
#include "imap-stream.h"
#include "source.h"
#include "store-int.h"
#include "xmalloc.h"

/* Feeds input to a lexer in one piece or byte by byte; 0 or -1 as feed. */
static int
lex_run(const char *in, const struct imap_lex_limits *lim,
    enum imap_stream_keep keep, bool bytewise, struct imap_lex *lx)
{
	size_t	i, n = strlen(in);

	imap_lex_init(lx, lim);
	lx->keep = keep;
	if (!bytewise)
		return imap_lex_feed(lx, in, n);
	for (i = 0; i < n; i++)
		if (imap_lex_feed(lx, in + i, 1) != 0)
			return -1;
	return 0;
}

/*
 * The lexer refuses what exceeds a bound, whatever the chunks the bytes
 * come in, and lets through what does not: literals skipped as data,
 * parentheses in quoted strings and in status text not counted, a "{n}"
 * in status text announcing no literal.
 */
static void
test_imap_lex_bounds(void **state)
{
	static const struct {
		const char	*in;
		enum imap_stream_keep keep;
		const char	*why;	/* NULL: let through */
		bool		 rest;	/* at rest after it */
	} rows[] = {
		{ "* OK ready\r\n", IMAP_KEEP_ALL, NULL, true },
		{ "* OK ready\r\n* 1 FETCH (UID 1 BODY[1] {5}\r\n((((()\r\n"
		  "A1 OK done\r\n", IMAP_KEEP_ALL, NULL, true },
		{ "* OK ready\r\n* 1 FETCH (UID 1 BODY[1] {5}\r\n((((()\r\n",
		  IMAP_KEEP_ALL, NULL, false },
		{ "* OK ready\r\n* 1 FETCH (X \"(((((((((((((\")\r\nA1 OK x\r\n",
		  IMAP_KEEP_ALL, NULL, true },
		{ "* OK ready\r\nA1 NO ((((((((((((((((( {5}\r\nA2 OK x\r\n",
		  IMAP_KEEP_ALL, NULL, true },
		{ "* OK ready\r\n* 1 FETCH (BODYSTRUCTURE ((((((((((((((((x",
		  IMAP_KEEP_ALL, "parentheses nested more than 16 deep", false },
		{ "* OK ready\r\n* 1 FETCH (BODY[] {4000}\r\n", IMAP_KEEP_ALL,
		  "an answer that would take more than 4096 bytes", false },
		{ "* OK ready\r\n* 1 FETCH (BODY[] {1500000000}\r\n",
		  IMAP_KEEP_ALL, "a literal of more than 6000 bytes", false },
		{ "* OK ready\r\n* OK {99999999}\r\n", IMAP_KEEP_ALL,
		  "a literal of more than 6000 bytes", false },
		{ "* OK ready\r\n* 1 FETCH (UID 1 BODY[] {1500}\r\n",
		  IMAP_KEEP_NO_FETCH, NULL, false },
		{ "* OK [ALERT]\r\n", IMAP_KEEP_ALL, "[ALERT] or [PARSE] "
		  "without text", false },
		{ "* OK ready\r\nA1 NO [parse] \r\n", IMAP_KEEP_ALL,
		  "[ALERT] or [PARSE] without text", false },
		{ "* OK ready\r\nA1 OK [PARSE]\t\xc3\xa9\r\n", IMAP_KEEP_ALL,
		  "[ALERT] or [PARSE] without text", false },
		{ "* OK [ALERT] hi\r\nA1 OK [ALERTS]\r\nA2 OK [ALERT x] \r\n",
		  IMAP_KEEP_ALL, NULL, true },
		{ "* OK ready\r\n0\tOK\t[ PARSE \t ]\t \r\n", IMAP_KEEP_ALL,
		  "[ALERT] or [PARSE] without text", false },
		{ "* OK ready\r\nA1 OK  \t[ALERT]\r\n", IMAP_KEEP_ALL,
		  "[ALERT] or [PARSE] without text", false },
		/* A literal in a response code; blanks before "*" or "+". */
		{ "* OK [BADCHARSET ({8}\r\nx {20}\r\n)] t\r\n"
		  "2 OK [ALERT]\r\n", IMAP_KEEP_ALL,
		  "a literal in a response code", false },
		{ "* OK [PERMANENTFLAGS (\\Seen {3}\r\n", IMAP_KEEP_ALL,
		  "a literal in a response code", false },
		{ "* OK hi\r\n+ \t[BADCHARSET ({3}\r\n", IMAP_KEEP_ALL,
		  "a literal in a response code", false },
		{ "* OK hi\r\n \t+ hello {14}\r\n2 OK [ALERT]\r\n",
		  IMAP_KEEP_ALL, "[ALERT] or [PARSE] without text", false },
		{ "* OK hi\r\n  * OK [ALERT]\r\n", IMAP_KEEP_ALL,
		  "[ALERT] or [PARSE] without text", false },
		/* Outside text only "{n}" or "{n+}" right before the line end. */
		{ "* OK hi\r\n* STATUS {12}ab\r\nx\r\n", IMAP_KEEP_ALL,
		  "a malformed literal", false },
		{ "* OK hi\r\n* STATUS {8} \r\n", IMAP_KEEP_ALL,
		  "a malformed literal", false },
		{ "* OK hi\r\n* STATUS {8}\r\r\n", IMAP_KEEP_ALL,
		  "a malformed literal", false },
		{ "* OK hi\r\n* 1 FETCH (BODY[HEADER.FIELDS ({-1}\r\n",
		  IMAP_KEEP_ALL, "a malformed literal", false },
		{ "* OK hi\r\n* 1 FETCH (UID 1) {1+4}\r\n", IMAP_KEEP_ALL,
		  "a malformed literal", false },
		{ "* OK hi\r\n* 1 FETCH (UID 1) {}\r\n", IMAP_KEEP_ALL,
		  "a malformed literal", false },
		{ "* OK hi\r\n* 1 FETCH (UID 1 {{1}\r\n", IMAP_KEEP_ALL,
		  "a malformed literal", false },
		{ "* OK [ALERT] hi\r\n* OK [X] y {1}\r\n", IMAP_KEEP_ALL,
		  "a literal in a response code", false },
		{ "* OK hi\r\n* 1 FETCH (BODY[] {3+}\r\nabc X \"{\")\r\n"
		  "* 2 FETCH (BODY[] {0}\n)\r\nA1 OK hi {x} {} {1+4}\r\n",
		  IMAP_KEEP_ALL, NULL, true },
		/* PERMANENTFLAGS and BADCHARSET lists, quotes, NUL. */
		{ "* OK [PERMANENTFLAGS (\r\n", IMAP_KEEP_ALL,
		  "a PERMANENTFLAGS list that starts with no flag", false },
		{ "* OK hi\r\n* OK [permanentflags \t( \\]\r\n", IMAP_KEEP_ALL,
		  "a PERMANENTFLAGS list that starts with no flag", false },
		{ "* OK hi\r\n+ [PERMANENTFLAGS (\"1\r\n", IMAP_KEEP_ALL,
		  "a PERMANENTFLAGS list that starts with no flag", false },
		{ "* OK hi\r\n* OK [PERMANENTFLAGS (\\Seen \"x\r\n",
		  IMAP_KEEP_ALL, "a quoted string in a response code", false },
		{ "* OK [BADCHARSET (\"x\r\ny {33}\r\n\")] hi\r\n",
		  IMAP_KEEP_ALL, "a quoted string in a response code", false },
		{ "* OK hi\r\n* STATUS \"INBOX\r\nx {29}\r\n", IMAP_KEEP_ALL,
		  "a line end in a quoted string", false },
		/* libetpan reads a quoted string from it, across the line end. */
		{ "* OK hi\r\n* STATUS N\"IBOX\r\nx {29}\r\n\" (UIDNEXT 1)\r\n"
		  "* OK [ALERT]\r\n", IMAP_KEEP_ALL,
		  "a quote inside an atom", false },
		{ "* OK hi\r\n* 1 FETCH (UID 1 X \"a{19}\r\n", IMAP_KEEP_ALL,
		  "a line end in a quoted string", false },
		/* Codes imap-conn.c and libetpan parse safely pass. */
		{ "* OK [BADCHARSET (UTF-8 x)] hi\r\n+ [BADCHARSET (a)] x\r\n"
		  "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2U+\r\n+\r\n"
		  "+ [ALERT]\r\n+[PARSE] \r\n"
		  "* OK [PERMANENTFLAGS ()] x\r\n"
		  "* OK [PERMANENTFLAGS (\\Answered \\* $Fwd 9 a)] \"x\r\n"
		  "A1 NO [BADCHARSET] no\r\n", IMAP_KEEP_ALL,
		  NULL, true },
		{ "* OK hi\r\n* NO [BADCHARSET (A)] x\r\n", IMAP_KEEP_ALL,
		  "a BADCHARSET list", false },
		{ "* OK hi\r\n* NAMESPACE (({2}\r\nab", IMAP_KEEP_ALL,
		  "a literal in a NAMESPACE response", false },
		{ "* OK hi\r\n* annotation A \"/c\" (\"v\" {3}\r\nab",
		  IMAP_KEEP_ALL, "a literal in an ANNOTATION response", false },
		{ "* OK hi\r\n \t*\tnamespace ((\"\" \"/\")) NIL NIL\r\n"
		  "* 1 FETCH (BODY[] {1}\r\nx)\r\n", IMAP_KEEP_ALL, NULL,
		  false },
		{ "* OK hi\r\nA1 NO [badcharset \t(UTF-8)] no\r\n",
		  IMAP_KEEP_ALL, "a BADCHARSET list", false },
	};
	/* With a NUL: outside a literal refused, in one let through. */
	static const struct {
		const char	*in;
		size_t		 len;
		int		 rc;
	} nul[] = {
		{ "* OK hi\r\n* OK\0 {19}\r\n", 21, -1 },
		{ "* OK hi\r\n* 1 FETCH (UID 1 X \"a\0b\")\r\n", 36, -1 },
		{ "* OK hi\r\n* 1 FETCH (UID 1 X aaaa\0b)\r\n", 37, -1 },
		{ "* OK hi\r\n* 1 FETCH (BODY[] {3}\r\na\0b)\r\n", 38, 0 },
	};
	struct imap_lex_limits	lim = { 8192, 4096, 6000, 16 };
	struct imap_lex		lx;
	size_t			i;
	int			k, rc;

	(void)state;
	/* Empty lines, which libetpan skips, end no answer. */
	imap_lex_init(&lx, &lim);
	assert_int_equal(imap_lex_feed(&lx, "* OK hi\r\n", 9), 0);
	for (i = 0, rc = 0; i < 400 && rc == 0; i++)
		rc = imap_lex_feed(&lx, "* SEARCH 1 2 3 4 5 6 7 8\r\n\r\n", 28);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(lx.why, "more than"));
	for (i = 0; i < sizeof nul / sizeof nul[0]; i++) {
		imap_lex_init(&lx, &lim);
		if (imap_lex_feed(&lx, nul[i].in, nul[i].len) != nul[i].rc)
			fail_msg("NUL row %zu: %s", i, lx.why);
		if (nul[i].rc != 0)
			assert_non_null(strstr(lx.why, "a NUL byte"));
	}
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		for (k = 0; k < 2; k++) {
			rc = lex_run(rows[i].in, &lim, rows[i].keep, k == 1, &lx);
			if (rows[i].why == NULL) {
				if (rc != 0)
					fail_msg("row %zu: refused: %s", i, lx.why);
				assert_int_equal(imap_lex_at_rest(&lx),
				    rows[i].rest);
			} else {
				if (rc != -1)
					fail_msg("row %zu: let through", i);
				if (strstr(lx.why, rows[i].why) == NULL)
					fail_msg("row %zu: %s", i, lx.why);
			}
		}
}

/*
 * An answer with the inner bytes of each quoted string escaped in pairs
 * ("ab" becomes "\\b"): the same number of bytes, which the lexer takes
 * one by one (an escape and the byte after it), never as a run.
 */
static char *
lex_escaped(const char *in)
{
	char	*out = xstrdup(in), *p;
	bool	 quoted = false;
	size_t	 run = 0;

	for (p = out; *p != '\0'; p++) {
		if (*p == '"') {
			assert_int_equal(run % 2, 0);
			quoted = !quoted;
			run = 0;
		} else if (quoted && run++ % 2 == 0)
			*p = '\\';
	}
	return out;
}

/*
 * Quoted strings are counted in runs, not byte by byte: the counts and
 * the state after an answer full of them (parentheses, braces and a
 * carriage return inside) are those of the same answer with each
 * string's bytes escaped, which the lexer reads one at a time; for each
 * kind of keeping, fed whole and byte by byte, after the tagged line,
 * before it and inside a string; and a bound is met at the same byte.
 */
static void
test_imap_lex_quoted_runs(void **state)
{
	static const char in[] =
	    "* OK ready\r\n"
	    "* 1 FETCH (UID 7 BODYSTRUCTURE ((\"TEXT\" \"PLAN\" (\"CHARSET \" "
	    "\"utf-8 \") NIL NIL \"7BIT\" 12 1 NIL NIL NIL NIL)(\"APPLICATION \" "
	    "\"PDF \" (\"NAME\" \"a (b) {5}.pdf \") NIL NIL \"BASE64\" 40 "
	    "NIL (\"attachment\" (\"FILENAME\" \"x\r(((((((((((((((((y\")) NIL) "
	    "\"MIXED \") BODY[HEADER.FIELDS (FROM)] {11}\r\nFrom: a@b\r\n)\r\n"
	    "* 2 FETCH (UID 8 BODYSTRUCTURE (\"TEXT\" \"PLAN\" NIL NIL NIL "
	    "\"7BIT\" 0 0))\r\nA1 OK done\r\n";
	static const enum imap_stream_keep keeps[] = { IMAP_KEEP_ALL,
	    IMAP_KEEP_NO_FETCH, IMAP_KEEP_NONE };
	struct imap_lex_limits	lim = { 1 << 20, 64 * 1024, 4096, 16 };
	struct imap_lex		runs, one;
	char			*plain, *esc;
	size_t			i, cut, k;

	(void)state;
	for (i = 0; i < sizeof keeps / sizeof keeps[0]; i++)
		for (cut = 0; cut < 3; cut++)
			for (k = 0; k < 2; k++) {
				/*
				 * Cut before the tagged line (counts not reset
				 * yet), or inside a string, in the first response.
				 */
				plain = xstrdup(in);
				if (cut == 1)
					*strstr(plain, "A1 OK") = '\0';
				if (cut == 2)
					strstr(plain, "utf-8")[2] = '\0';
				esc = lex_escaped(plain);
				assert_int_equal(lex_run(plain, &lim, keeps[i],
				    k == 1, &runs), 0);
				assert_int_equal(lex_run(esc, &lim, keeps[i],
				    k == 1, &one), 0);
				assert_int_equal(runs.state, one.state);
				assert_int_equal(runs.response, one.response);
				assert_int_equal(runs.kept, one.kept);
				assert_int_equal(runs.cost, one.cost);
				assert_int_equal(runs.untagged, one.untagged);
				assert_int_equal(runs.depth, one.depth);
				assert_int_equal(runs.brace, one.brace);
				if (cut > 0)
					assert_true(runs.response > 0);
				if (cut == 2)
					assert_true(runs.untagged > 0);
				free(esc);
				free(plain);
			}
	/* A bound met inside a quoted string is met all the same. */
	lim.kept = 300;
	esc = lex_escaped(in);
	assert_int_equal(lex_run(in, &lim, IMAP_KEEP_ALL, false, &runs), -1);
	assert_int_equal(lex_run(esc, &lim, IMAP_KEEP_ALL, false, &one), -1);
	assert_string_equal(runs.why, one.why);
	free(esc);
}

/* Whether two lexers say the same of what they were fed. */
static bool
lex_equal(const struct imap_lex *a, const struct imap_lex *b)
{
	return a->state == b->state && a->response == b->response &&
	    a->kept == b->kept && a->cost == b->cost &&
	    a->untagged == b->untagged && a->depth == b->depth &&
	    a->brace == b->brace && a->literal == b->literal &&
	    a->kind == b->kind && a->text == b->text && a->fetch == b->fetch;
}

/*
 * Feeds an input to two lexers, in chunks of a few sizes to one and byte
 * by byte to the other, and asserts after each chunk that they agree:
 * the counts in the middle of a line too, and the bound met, if any.
 */
static void
lex_same(const char *what, const char *in, size_t n,
    const struct imap_lex_limits *lim, enum imap_stream_keep keep)
{
	static const size_t	 sizes[] = { 1, 5, 13, 40, 97, 7, 300 };
	struct imap_lex		 runs, one;
	size_t			 at = 0, len, i, k = 0;
	int			 r1, r2;

	imap_lex_init(&runs, lim);
	imap_lex_init(&one, lim);
	runs.keep = one.keep = keep;
	while (at < n) {
		len = sizes[k++ % (sizeof sizes / sizeof sizes[0])];
		if (len > n - at)
			len = n - at;
		r1 = imap_lex_feed(&runs, in + at, len);
		for (i = 0, r2 = 0; i < len && r2 == 0; i++)
			r2 = imap_lex_feed(&one, in + at + i, 1);
		if (r1 != r2)
			fail_msg("%s (keep %d) at %zu: %d in runs, %d byte by "
			    "byte (%s%s)", what, (int)keep, at, r1, r2,
			    runs.why, one.why);
		if (r1 != 0) {
			assert_string_equal(runs.why, one.why);
			return;
		}
		if (!lex_equal(&runs, &one))
			fail_msg("%s (keep %d) at %zu: the lexers differ", what,
			    (int)keep, at + len);
		at += len;
	}
}

/*
 * Atoms, numbers, blanks and parentheses past a line's third word are
 * taken in runs (imap_lex_tokens), the rest byte by byte: every input of
 * the IMAP and FETCH fuzz corpora, and answers nested to the depth
 * bound and past it, leave the lexer after each chunk as when fed byte
 * by byte (where no run is ever taken), for each kind of keeping, under
 * the default bounds and under small ones that some of them exceed.
 */
static void
test_imap_lex_token_runs(void **state)
{
	static const char *const dirs[] = { "corpus/imap", "corpus/fetch" };
	static const enum imap_stream_keep keeps[] = { IMAP_KEEP_ALL,
	    IMAP_KEEP_NO_FETCH, IMAP_KEEP_NONE };
	struct imap_lex_limits	 lims[2], small = { 8192, 4096, 6000, 16 };
	char			 path[1024], rel[512];
	struct buf		 b = { NULL, 0, 0 };
	struct dirent		*de;
	DIR			*d;
	char			*data;
	size_t			 len, i, j, k, n = 0;

	(void)state;
	imap_lex_limits(&lims[0], IMAP_MAX_RESPONSE);
	lims[1] = small;
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(path, sizeof path, "%s", test_data_path(dirs[i]));
		assert_non_null(d = opendir(path));
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(rel, sizeof rel, "%s/%s", dirs[i], de->d_name);
			data = test_read_data(rel, &len);
			b.len = 0;
			/* A FETCH response alone gets a greeting first. */
			if (i == 1)
				buf_puts(&b, "* OK ready\r\n");
			buf_append(&b, data, len);
			for (j = 0; j < 2; j++)
				for (k = 0; k < 3; k++)
					lex_same(rel, b.data, b.len, &lims[j],
					    keeps[k]);
			free(data);
			n++;
		}
		closedir(d);
	}
	assert_true(n >= 20);
	for (i = 14; i <= 18; i++) {
		b.len = 0;
		buf_puts(&b, "* OK ready\r\n* 1 FETCH (UID 1 X ");
		for (j = 0; j < i; j++)
			buf_puts(&b, "(a 1 ");
		for (j = 0; j < i; j++)
			buf_puts(&b, ")");
		buf_puts(&b, ")\r\nA1 OK done\r\n");
		for (k = 0; k < 3; k++) {
			lex_same("nested", b.data, b.len, &small, keeps[k]);
			lex_same("nested", b.data, b.len, &lims[0], keeps[k]);
		}
	}
	free(b.data);
}

/*
 * What an answer keeps: many small FETCH responses are refused when
 * libetpan would keep them, let through when they are streamed to a
 * handler or read line by line; the count starts again at each tagged
 * line; an answer is bounded in bytes whatever is kept.
 */
static void
test_imap_lex_kept(void **state)
{
	struct imap_lex_limits	 lim = { 1 << 20, 64 * 1024, 4096, 16 };
	struct imap_lex		 lx;
	struct buf		 b = { NULL, 0, 0 };
	char			*again;
	int			 i;

	(void)state;
	buf_puts(&b, "* OK ready\r\n");
	for (i = 0; i < 200; i++)
		buf_printf(&b, "* %d FETCH (UID %d FLAGS (\\Seen))\r\n", i + 1,
		    i + 1);
	buf_puts(&b, "A1 OK done\r\n");
	assert_int_equal(lex_run(b.data, &lim, IMAP_KEEP_ALL, false, &lx), -1);
	assert_non_null(strstr(lx.why, "would take more than"));
	assert_int_equal(lex_run(b.data, &lim, IMAP_KEEP_NO_FETCH, false, &lx),
	    0);
	assert_int_equal(lex_run(b.data, &lim, IMAP_KEEP_NONE, false, &lx), 0);
	/* Twice the answer is twice within the bound, tag by tag. */
	again = xstrdup(b.data + strlen("* OK ready\r\n"));
	buf_puts(&b, again);
	free(again);
	assert_int_equal(lex_run(b.data, &lim, IMAP_KEEP_NO_FETCH, false, &lx),
	    0);
	assert_true(imap_lex_at_rest(&lx));
	/* An answer that never ends is bounded in bytes all the same. */
	buf_reset(&b);
	buf_puts(&b, "* OK ready\r\n");
	while (b.len <= lim.response)
		buf_puts(&b, "* 1 FETCH (FLAGS ())\r\n");
	assert_int_equal(lex_run(b.data, &lim, IMAP_KEEP_NONE, false, &lx), -1);
	assert_non_null(strstr(lx.why, "an answer of more than 1 MiB"));
	buf_free(&b);
}

/* One LIST or XLIST response, parsed as imap_list_run() reads it. */
static void
test_imap_list_entry(void **state)
{
	static const struct {
		const char	*in;
		int		 rc;
		const char	*name;
		char		 delim;
		bool		 noselect, sent;
	} rows[] = {
		{ "* LIST (\\HasNoChildren) \"/\" INBOX\r\n", 1, "INBOX", '/',
		  false, false },
		{ "* LIST (\\Noselect \\HasChildren) \".\" \"a.b\"", 1, "a.b",
		  '.', true, false },
		{ "* list (\\NonExistent) \"/\" x", 1, "x", '/', true, false },
		{ "* XLIST (\\HasNoChildren \\Sent) \"/\" \"[Gmail]/Sent Mail\"\r\n",
		  1, "[Gmail]/Sent Mail", '/', false, true },
		{ "* LIST () NIL Archief", 1, "Archief", '\0', false, false },
		{ "* LIST () \"\\\\\" \"a\\\\b \\\"c\\\"\"", 1, "a\\b \"c\"",
		  '\\', false, false },
		{ "* LIST () \"/\" {15}\r\nVerzonden items\r\n", 1,
		  "Verzonden items", '/', false, false },
		{ "* LIST () \"/\" Sent (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
		  1, "Sent", '/', false, false },
		{ "* LIST () \"/\" \"Caf\xc3\xa9\"", 1, "Caf\xc3\xa9", '/',
		  false, false },
		{ "* OK [ALERT] hello", 0, NULL, 0, false, false },
		{ "* 3 EXISTS", 0, NULL, 0, false, false },
		{ "* LIST (", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" ", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" \"unterminated", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" {40}\r\nshort", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" \"Sent\x1b[2J\"", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" \"bad\xff\"", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" \"c1\xc2\x9b\"", -1, NULL, 0, false, false },
		{ "* LIST () \"/\" x)y", -1, NULL, 0, false, false },
	};
	struct imap_list_entry	e;
	struct buf		b = { NULL, 0, 0 };
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (imap_list_entry(rows[i].in, strlen(rows[i].in), &e) !=
		    rows[i].rc)
			fail_msg("row %zu: not %d", i, rows[i].rc);
		if (rows[i].rc != 1)
			continue;
		assert_string_equal(e.name, rows[i].name);
		assert_int_equal(e.delim, rows[i].delim);
		assert_int_equal(e.noselect, rows[i].noselect);
		assert_int_equal(e.sent, rows[i].sent);
	}
	/* A literal name holding a NUL, and one too long to keep. */
	assert_int_equal(imap_list_entry("* LIST () \"/\" {3}\r\na\0b", 22, &e),
	    -1);
	buf_puts(&b, "* LIST () \"/\" \"");
	for (i = 0; i < IMAP_LIST_NAME_MAX; i++)
		buf_puts(&b, "x");
	buf_puts(&b, "\"");
	assert_int_equal(imap_list_entry(b.data, b.len, &e), -1);
	buf_free(&b);
}

/* Names are told apart exactly, INBOX in any case excepted, at any size. */
static void
test_imap_nameset(void **state)
{
	struct imap_nameset	ns;
	char			name[32];
	int			i;

	(void)state;
	memset(&ns, 0, sizeof ns);
	assert_null(imap_nameset_get(&ns, "INBOX"));
	assert_true(imap_nameset_add(&ns, "Sent"));
	assert_true(imap_nameset_add(&ns, "sent"));
	assert_false(imap_nameset_add(&ns, "Sent"));
	assert_true(imap_nameset_add(&ns, "Inbox"));
	assert_false(imap_nameset_add(&ns, "INBOX"));
	assert_string_equal(imap_nameset_get(&ns, "inbox"), "Inbox");
	assert_string_equal(imap_nameset_get(&ns, "sent"), "sent");
	assert_null(imap_nameset_get(&ns, "SENT"));
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof name, "Folder %d", i);
		assert_true(imap_nameset_add(&ns, name));
	}
	assert_int_equal(ns.names.n, 100003);
	assert_string_equal(imap_nameset_get(&ns, "Folder 77777"),
	    "Folder 77777");
	assert_null(imap_nameset_get(&ns, "Folder 100000"));
	assert_true(imap_list_same("INBOX", "inbox"));
	assert_false(imap_list_same("Sent", "sent"));
	imap_nameset_clear(&ns);
}

/*
 * No descriptor left (EMFILE): the transport says "too many open files",
 * not "out of memory" as libetpan's socket driver did.
 */
static void
test_imap_stream_emfile(void **state)
{
	struct imap_stream_conf	 conf = { 2, 2, IMAP_MAX_RESPONSE };
	struct rlimit		 old, low;
	struct err		 err;
	mailstream		*ms = NULL;
	int			 fd, rc;

	(void)state;
	/* The lowest free descriptor: every one below it is in use. */
	fd = dup(0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)fd;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	rc = imap_stream_connect("127.0.0.1", 9, false, &conf, NULL, &ms, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(rc, -1);
	assert_null(ms);
	assert_int_equal(err.cls, ERR_TEMP);
	if (strstr(err.msg, "cannot connect: too many open files") == NULL)
		fail_msg("%s", err.msg);
}

static void
test_imap_url_parse(void **state)
{
	static const struct {
		const char	*url;
		const char	*host;	/* NULL: must fail */
		unsigned	 port;
		bool		 tls;
	} rows[] = {
		{ "imaps://imap.brightline.nl", "imap.brightline.nl", 993, true },
		{ "imaps://imap.brightline.nl/", "imap.brightline.nl", 993, true },
		{ "imap://127.0.0.1:1143", "127.0.0.1", 1143, false },
		{ "IMAP://mail.example.com", "mail.example.com", 143, false },
		{ "imaps://host:0", NULL, 0, false },
		{ "imaps://host:70000", NULL, 0, false },
		{ "imaps://host:12x", NULL, 0, false },
		{ "imaps://user@host", NULL, 0, false },
		{ "imaps://host/INBOX", NULL, 0, false },
		{ "https://host", NULL, 0, false },
		{ "imaps://", NULL, 0, false },
	};
	struct imap_url	u;
	struct err	err;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		int rc = imap_url_parse(rows[i].url, &u, &err);

		if (rows[i].host == NULL) {
			assert_int_equal(rc, -1);
			assert_int_equal(err.cls, ERR_FINAL);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(u.host, rows[i].host);
		assert_int_equal(u.port, rows[i].port);
		assert_int_equal(u.implicit_tls, rows[i].tls);
	}
}

/* A UID set as IMAP would send it. */
static void
set_string(struct mailimap_set *set, char *out, size_t outlen)
{
	clistiter			*it;
	struct mailimap_set_item	*si;
	size_t				 len = 0;

	out[0] = '\0';
	for (it = clist_begin(set->set_list); it != NULL; it = clist_next(it)) {
		si = clist_content(it);
		if (si->set_first == si->set_last)
			len += snprintf(out + len, outlen - len, "%s%u",
			    len ? "," : "", si->set_first);
		else
			len += snprintf(out + len, outlen - len, "%s%u:%u",
			    len ? "," : "", si->set_first, si->set_last);
	}
}

static void
test_imap_uid_set_runs(void **state)
{
	static const struct {
		uint32_t	 uids[8];
		size_t		 n;
		const char	*want;
	} rows[] = {
		{ { 1, 2, 3, 7 }, 4, "1:3,7" },
		{ { 5 }, 1, "5" },
		{ { 1, 3, 5 }, 3, "1,3,5" },
		{ { 10, 11, 20, 21, 22, 4000000000u }, 6, "10:11,20:22,4000000000" },
	};
	struct mailimap_set	*set;
	char			 buf[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		set = imap_sync_uid_set(rows[i].uids, rows[i].n);
		set_string(set, buf, sizeof buf);
		assert_string_equal(buf, rows[i].want);
		mailimap_set_free(set);
	}
}

static void
test_imap_url_mailbox(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: invalid UTF-8 */
	} rows[] = {
		{ "INBOX", "INBOX" },
		{ "Verzonden items", "Verzonden items" },
		{ "[Gmail]/Sent Mail", "[Gmail]/Sent Mail" },
		{ "a&b", "a&-b" },
		/* RFC 3501 section 5.1.3's examples */
		{ "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
		  "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
		{ "\xc3\x89l\xc3\xa9ments envoy\xc3\xa9s", "&AMk-l&AOk-ments envoy&AOk-s" },
		{ "\xf0\x9f\x98\x80", "&2D3eAA-" },
		{ "bad\xff", NULL },
		{ "\xc0\xaf", NULL },
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		test_assert_str(imap_url_mailbox(rows[i].in), rows[i].want);
	}
}

/* Modified UTF-7 back to UTF-8, as names are shown; bad runs are NULL. */
static void
test_imap_url_mailbox_utf8(void **state)
{
	static const struct {
		const char	*in;
		const char	*want;	/* NULL: not modified UTF-7 */
	} rows[] = {
		{ "INBOX.Sent", "INBOX.Sent" },
		{ "a&-b", "a&b" },
		{ "~peter/mail/&U,BTFw-/&ZeVnLIqe-",
		  "~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
		{ "Mail/&AMk-l&AOk-ments envoy&AOk-s",
		  "Mail/\xc3\x89l\xc3\xa9ments envoy\xc3\xa9s" },
		{ "&2D3eAA-", "\xf0\x9f\x98\x80" },
		{ "&AMk", NULL },		/* no end */
		{ "&AM-", NULL },		/* not a whole unit */
		{ "&AMl-", NULL },		/* bits left that are not zero */
		{ "&2D0-", NULL },		/* a lone high surrogate */
		{ "&3gA-", NULL },		/* a lone low surrogate */
		{ "&AAA-", NULL },		/* NUL */
		{ "&A*k-", NULL },		/* not base64 */
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		test_assert_str(imap_url_mailbox_utf8(rows[i].in),
		    rows[i].want);
}

struct fetched {
	struct mail_summary	sum[4];
	uint32_t		uid[4];
	int			rc[4];
	size_t			n;
	/* what the first message's BODYSTRUCTURE says is worth fetching */
	struct imap_text_part	cal[IMAP_MAX_CALENDARS];
	size_t			ncal;
	struct imap_text_part	text;
	bool			has_text;
};

static void
on_msg(const struct imap_fetch_msg *att, void *arg)
{
	struct fetched	*f = arg;

	if (f->n == 0) {
		f->ncal = imap_summary_calendar_parts(att, f->cal, IMAP_MAX_CALENDARS);
		f->has_text = imap_summary_text_part(att, &f->text);
	}
	if (f->n < 4) {
		f->rc[f->n] = imap_summary(att, &f->sum[f->n], &f->uid[f->n]);
		f->n++;
	}
}

/*
 * Feeds a scripted server answer over a socketpair to the agent's FETCH
 * reader (imap_fetch_run) and collects the summaries it hands over.
 */
static void
fetch_script(const char *answer, struct fetched *f)
{
	mailimap			*imap;
	int				 sv[2], r;
	uint32_t			 one = 1;
	char				 text[256];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(write(sv[1], answer, strlen(answer)),
	    (ssize_t)strlen(answer));
	imap = mailimap_new(0, NULL);
	assert_non_null(imap);
	mailimap_set_timeout(imap, 5);
	r = mailimap_connect(imap, mailstream_socket_open_timeout(sv[0], 5));
	assert_int_equal(r, MAILIMAP_NO_ERROR_NON_AUTHENTICATED);
	/* As if EXAMINE had been answered: FETCH needs the selected state. */
	imap->imap_state = MAILIMAP_STATE_SELECTED;
	memset(f, 0, sizeof *f);
	r = imap_fetch_run(imap, &one, 1, false, on_msg, f, text, sizeof text);
	assert_int_equal(r, MAILIMAP_NO_ERROR);
	mailstream_close(imap->imap_stream);
	imap->imap_stream = NULL;
	mailimap_free(imap);
	close(sv[1]);
}

/* What the server returns of BODY.PEEK[HEADER.FIELDS (MAIL_HEADERS)]. */
#define HDR "Date: Mon, 5 Oct 2026 09:30:00 +0200\r\n" \
	"Subject: =?ISO-8859-1?Q?Offerte_caf=E9_=23verbal?=\r\n" \
	"From: Anna de Vries <anna@brightline.nl>\r\n" \
	"To: =?UTF-8?B?SsOzbg==?= <Jan@ACME.nl>, team: piet@brightline.nl;\r\n" \
	"Cc: klaas@northwind.co.uk\r\n" \
	"In-Reply-To: <prev@acme.nl>\r\nMessage-ID: <abc@brightline.nl>\r\n" \
	"List-Id: Acme news <news.acme.nl>\r\n\r\n"

static void
test_imap_summary_from_fetch(void **state)
{
	struct fetched	 f;
	char		 answer[4096];
	struct mail_summary *s;

	(void)state;
	snprintf(answer, sizeof answer,
	    "* OK ready\r\n"
	    "* 1 FETCH (UID 7 INTERNALDATE \"05-Oct-2026 10:00:00 +0200\" "
	    "BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL "
	    "\"7BIT\" 10 1 NIL NIL NIL NIL)"
	    "(\"APPLICATION\" \"PDF\" (\"NAME\" \"offerte.pdf\") NIL NIL "
	    "\"BASE64\" 100 NIL (\"ATTACHMENT\" (\"FILENAME\" \"offerte-2026.pdf\")) "
	    "NIL NIL)"
	    "(\"TEXT\" \"CALENDAR\" (\"METHOD\" \"REQUEST\") NIL NIL \"7BIT\" 10 1 "
	    "NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" \"x\") NIL NIL NIL) "
	    "BODY[HEADER.FIELDS (DATE SUBJECT FROM TO CC IN-REPLY-TO MESSAGE-ID "
	    "LIST-ID)] {%zu}\r\n" HDR ")\r\n"
	    "* 2 FETCH (FLAGS (\\Seen))\r\n"
	    "1 OK done\r\n", strlen(HDR));
	fetch_script(answer, &f);

	assert_int_equal(f.n, 2);
	assert_int_equal(f.rc[0], 0);
	assert_int_equal(f.uid[0], 7);
	s = &f.sum[0];
	assert_string_equal(s->message_id, "abc@brightline.nl");
	assert_string_equal(s->subject, "Offerte caf\xc3\xa9 #verbal");
	assert_true(s->date_valid);
	assert_int_equal((long long)s->date, 1791185400LL);
	assert_int_equal((long long)s->internaldate, 1791187200LL);
	assert_int_equal(s->from.n, 1);
	assert_string_equal(s->from.v[0].addr, "anna@brightline.nl");
	assert_string_equal(s->from.v[0].name, "Anna de Vries");
	/* The group markers "team:" and ";" are no addresses. */
	assert_int_equal(s->to.n, 2);
	assert_string_equal(s->to.v[0].addr, "jan@acme.nl");
	assert_string_equal(s->to.v[0].name, "J\xc3\xb3n");
	assert_string_equal(s->to.v[1].addr, "piet@brightline.nl");
	assert_int_equal(s->cc.n, 1);
	assert_string_equal(s->cc.v[0].addr, "klaas@northwind.co.uk");
	assert_int_equal(s->attachments.n, 1);
	assert_string_equal(s->attachments.v[0], "offerte-2026.pdf");
	assert_int_equal(s->calendar_sections.n, 1);
	assert_string_equal(s->calendar_sections.v[0], "3");
	assert_true(s->bulk & MAIL_BULK_LIST);
	assert_false(s->bulk & MAIL_BULK_DSN);
	assert_string_equal(s->in_reply_to, "prev@acme.nl");
	assert_true(strlist_contains(&s->hashtags, "#verbal"));

	/*
	 * A FETCH without the header fields (another client's flag change)
	 * is skipped.
	 */
	assert_int_equal(f.rc[1], -1);
	mail_summary_free(&f.sum[0]);
	mail_summary_free(&f.sum[1]);
}

static void
test_imap_summary_dsn_and_bad_date(void **state)
{
	struct fetched	 f;
	struct mail_summary *s;

	(void)state;
	fetch_script(
	    "* OK ready\r\n"
	    "* 3 FETCH (UID 12 INTERNALDATE \"01-Feb-2026 08:00:00 +0000\" "
	    "BODY[HEADER.FIELDS (DATE FROM TO)] {92}\r\nDate: 31 Feb 2026 "
	    "08:00:00 +0000\r\nFrom: MAILER-DAEMON@mx.acme.nl\r\n"
	    "To: anna@brightline.nl\r\n\r\n "
	    "BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL)"
	    "(\"MESSAGE\" \"DELIVERY-STATUS\" NIL NIL NIL \"7BIT\" 1 NIL NIL NIL NIL) "
	    "\"REPORT\" (\"REPORT-TYPE\" \"delivery-status\") NIL NIL NIL))\r\n"
	    "1 OK done\r\n", &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.rc[0], 0);
	assert_int_equal(f.uid[0], 12);
	s = &f.sum[0];
	assert_null(s->message_id);
	assert_string_equal(s->subject, "");
	assert_false(s->date_valid);
	assert_int_equal((long long)s->date, (long long)s->internaldate);
	assert_int_equal((long long)s->internaldate, 1769932800LL);
	assert_string_equal(s->from.v[0].addr, "mailer-daemon@mx.acme.nl");
	assert_true(s->bulk & MAIL_BULK_DSN);
	assert_int_equal(s->attachments.n, 0);
	mail_summary_free(s);
}

/* The text of a part, cut or whole, decoded for its hashtags. */
static void
test_imap_text_hashtags(void **state)
{
	static const struct {
		int		 enc;
		const char	*charset;
		const char	*data;
		const char	*want;	/* NULL: no hashtag */
	} rows[] = {
		{ MAILMIME_MECHANISM_8BIT, "utf-8", "Helaas.\r\n#lost\r\n", "#lost" },
		{ MAILMIME_MECHANISM_QUOTED_PRINTABLE, "iso-8859-1",
		  "Ander caf=E9 gekozen. #l=\r\nost\r\n", "#lost" },
		/* "Akkoord #verbal\r\n" in base64, cut mid-quantum as <0.n> may. */
		{ MAILMIME_MECHANISM_BASE64, "utf-8", "QWtrb29yZCAjdmVyYmFsDQo", "#verbal" },
		{ MAILMIME_MECHANISM_8BIT, "", "> #lost (quoted)\r\n", NULL },
		{ MAILMIME_MECHANISM_8BIT, "utf-8", "#decision 2027-01-15\r\n",
		  "#decision 2027-01-15" },
	};
	struct imap_text_part	tp;
	struct mail_summary	sum;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		memset(&tp, 0, sizeof tp);
		memset(&sum, 0, sizeof sum);
		tp.encoding = rows[i].enc;
		snprintf(tp.charset, sizeof tp.charset, "%s", rows[i].charset);
		imap_summary_hashtags(&sum, &tp, rows[i].data, strlen(rows[i].data));
		if (rows[i].want == NULL)
			assert_int_equal(sum.hashtags.n, 0);
		else {
			assert_int_equal(sum.hashtags.n, 1);
			assert_string_equal(sum.hashtags.v[0], rows[i].want);
		}
		mail_summary_free(&sum);
	}
}

/* BODYSTRUCTURE pieces for the calendar part tests. */
#define BS_PLAIN \
	"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 10 1 " \
	"NIL NIL NIL NIL)"
#define BS_HTML \
	"(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL " \
	"\"QUOTED-PRINTABLE\" 20 1 NIL NIL NIL NIL)"
#define BS_CAL(enc, size) \
	"(\"TEXT\" \"CALENDAR\" (\"CHARSET\" \"utf-8\" \"METHOD\" " \
	"\"REQUEST\") NIL NIL \"" enc "\" " size " 12 NIL NIL NIL NIL)"
#define BS_ICS \
	"(\"APPLICATION\" \"ICS\" (\"NAME\" \"invite.ics\") NIL NIL " \
	"\"BASE64\" 400 NIL (\"ATTACHMENT\" (\"FILENAME\" \"invite.ics\")) " \
	"NIL NIL)"
#define BS_PDF \
	"(\"APPLICATION\" \"PDF\" (\"NAME\" \"offerte.pdf\") NIL NIL " \
	"\"BASE64\" 100 NIL NIL NIL NIL)"
#define BS_ALT(parts) \
	"(" parts " \"ALTERNATIVE\" (\"BOUNDARY\" \"a\") NIL NIL NIL)"
#define BS_MIXED(parts) \
	"(" parts " \"MIXED\" (\"BOUNDARY\" \"m\") NIL NIL NIL)"
#define BS_RFC822(body) \
	"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 900 " \
	"(NIL \"fwd\" NIL NIL NIL NIL NIL NIL NIL NIL) " body " 30 " \
	"NIL NIL NIL NIL)"

/*
 * The calendar parts (text/calendar, application/ics) of a BODYSTRUCTURE,
 * in multipart/alternative, attached and in attached messages, with their
 * section numbers, encodings and sizes; the text part beside them.
 */
static void
test_imap_calendar_parts(void **state)
{
	static const struct {
		const char	*bs;
		const char	*want;	/* "section:encoding:size:charset ..." */
		const char	*text;	/* the hashtag part's section, "" none */
	} rows[] = {
		/* Outlook: the invitation inside the alternative and as a file. */
		{ BS_MIXED(BS_ALT(BS_PLAIN BS_HTML BS_CAL("7BIT", "300")) BS_ICS),
		  "1.3:8bit:300:utf-8 2:base64:400:", "1.1" },
		/* Only the calendar, the whole message. */
		{ BS_CAL("BASE64", "2000"), "1:base64:2000:utf-8", "" },
		{ BS_ALT(BS_PLAIN BS_CAL("QUOTED-PRINTABLE", "500")),
		  "2:qp:500:utf-8", "1" },
		/* A forwarded invitation: multipart and single part inside. */
		{ BS_MIXED(BS_PLAIN BS_RFC822(BS_ALT(BS_PLAIN
		  BS_CAL("7BIT", "300")))), "2.2:8bit:300:utf-8", "1" },
		{ BS_MIXED(BS_PLAIN BS_RFC822(BS_CAL("7BIT", "300"))),
		  "2.1:8bit:300:utf-8", "1" },
		{ BS_MIXED(BS_PLAIN BS_PDF), "", "1" },
		/* Too large to take in: found with its size, skipped by the driver. */
		{ BS_MIXED(BS_HTML BS_CAL("BASE64", "2000000")),
		  "2:base64:2000000:utf-8", "" },
	};
	struct fetched	 f;
	char		 answer[4096], got[256];
	size_t		 i, j, len;
	const char	*enc;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		snprintf(answer, sizeof answer,
		    "* OK ready\r\n"
		    "* 1 FETCH (UID 9 BODY[HEADER.FIELDS (FROM)] {28}\r\n"
		    "From: anna@brightline.nl\r\n\r\n "
		    "BODYSTRUCTURE %s)\r\n1 OK done\r\n", rows[i].bs);
		fetch_script(answer, &f);
		assert_int_equal(f.n, 1);
		assert_int_equal(f.rc[0], 0);
		got[0] = '\0';
		for (j = 0, len = 0; j < f.ncal; j++) {
			enc = f.cal[j].encoding == MAILMIME_MECHANISM_BASE64 ?
			    "base64" : f.cal[j].encoding ==
			    MAILMIME_MECHANISM_QUOTED_PRINTABLE ? "qp" : "8bit";
			snprintf(got + len, sizeof got - len, "%s%s:%s:%u:%s",
			    j > 0 ? " " : "", f.cal[j].section, enc,
			    f.cal[j].size, f.cal[j].charset);
			len = strlen(got);
			/* The summary lists the same sections. */
			assert_string_equal(f.sum[0].calendar_sections.v[j],
			    f.cal[j].section);
		}
		assert_string_equal(got, rows[i].want);
		assert_int_equal(f.sum[0].calendar_sections.n, f.ncal);
		assert_int_equal(f.has_text, rows[i].text[0] != '\0');
		if (f.has_text)
			assert_string_equal(f.text.section, rows[i].text);
		mail_summary_free(&f.sum[0]);
	}
}

/*
 * A fake IMAP server on loopback for the driver: one folder, INBOX, with
 * messages 1..FAKE_N from an external sender; the FETCH answer for
 * fake.bad is not IMAP at all.  With fake.invite set, the messages are
 * invitations anna sent instead (text/plain and text/calendar in
 * multipart/alternative), whose parts it serves too.  It serves
 * connections one after another (the driver reconnects after a parse
 * error) and counts them.
 */
#define FAKE_N	8

struct fake {
	int		 lfd;
	unsigned short	 port;
	uint32_t	 bad;
	bool		 desync;	/* after the bad answer, a line that is none */
	bool		 invite;
	bool		 received;	/* the invitations came in by SMTP */
	char		 start[32];	/* the invitations' DTSTART */
	int		 connections;
	int		 fetches;
	int		 part_fetches;
	char		 parts_cmd[256];	/* the last parts FETCH's items */
	bool		 caps_in_codes;	/* greeting and LOGIN's OK carry them */
	bool		 gone;		/* STATUS answers NO [NONEXISTENT] */
	int		 capabilities;	/* CAPABILITY commands received */
	int		 lists;		/* LIST commands received */
	bool		 stop;
	pthread_t	 th;
};

/* Writes all of a string to fd. */
static void
fake_write(int fd, const char *s)
{
	size_t	len = strlen(s);
	ssize_t	w;

	while (len > 0) {
		w = write(fd, s, len);
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

/* Reads one CRLF-terminated line; false at end of stream. */
static bool
fake_line(int fd, char *buf, size_t len)
{
	size_t	n = 0;
	char	c;

	while (n + 1 < len) {
		if (read(fd, &c, 1) != 1)
			return false;
		if (c == '\n')
			break;
		if (c != '\r')
			buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

/* Whether uid is in an IMAP sequence set such as "1:3,5". */
static bool
fake_in_set(const char *set, uint32_t uid)
{
	unsigned long	a, b;
	char		*ep;

	while (*set != '\0' && *set != ' ') {
		a = b = strtoul(set, &ep, 10);
		if (*ep == ':')
			b = strtoul(ep + 1, &ep, 10);
		if (uid >= a && uid <= b)
			return true;
		set = *ep == ',' ? ep + 1 : ep;
		if (ep == set && *set != ',')
			break;
	}
	return false;
}

/* Answers a UID FETCH of parts 1 and 2 of invitations. */
static void
fake_fetch_parts(struct fake *f, int fd, const char *tag, const char *set)
{
	char		buf[2048], ics[1024];
	uint32_t	u;

	f->part_fetches++;
	snprintf(f->parts_cmd, sizeof f->parts_cmd, "%s", strchr(set, '('));
	for (u = 1; u <= FAKE_N; u++) {
		if (!fake_in_set(set, u))
			continue;
		snprintf(ics, sizeof ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
		    "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:inv-%u@brightline.nl"
		    "\r\nDTSTAMP:20260101T080000Z\r\nDTSTART:%s\r\n"
		    "DURATION:PT1H\r\nSUMMARY:Kennismaking\r\n"
		    "ORGANIZER:mailto:anna@brightline.nl\r\n"
		    "ATTENDEE:mailto:jan@acme.nl\r\nEND:VEVENT\r\n"
		    "END:VCALENDAR\r\n", u, f->start);
		if (strstr(set, "BODY.PEEK[2]") != NULL)
			snprintf(buf, sizeof buf, "* %u FETCH (UID %u BODY[1]<0> "
			    "{4}\r\nHoi\n BODY[2]<0> {%zu}\r\n%s)\r\n", u, u,
			    strlen(ics), ics);
		else
			snprintf(buf, sizeof buf, "* %u FETCH (UID %u BODY[1]<0> "
			    "{4}\r\nHoi\n)\r\n", u, u);
		fake_write(fd, buf);
	}
	snprintf(buf, sizeof buf, "%s OK done\r\n", tag);
	fake_write(fd, buf);
}

/* Answers one UID FETCH: each asked message, the bad one unparsable. */
static void
fake_fetch(struct fake *f, int fd, const char *tag, const char *set)
{
	char		buf[2048], hdr[512];
	uint32_t	u;

	if (strstr(set, "BODY.PEEK[1]<") != NULL) {
		fake_fetch_parts(f, fd, tag, set);
		return;
	}
	f->fetches++;
	for (u = 1; u <= FAKE_N; u++) {
		if (!fake_in_set(set, u))
			continue;
		if (f->invite)
			snprintf(hdr, sizeof hdr, "From: anna@brightline.nl\r\n"
			    "To: Jan <jan@acme.nl>\r\nSubject: Uitnodiging\r\n"
			    "Date: Mon, 5 Oct 2026 09:30:00 +0200\r\n"
			    "Message-ID: <i%u@brightline.nl>\r\n\r\n", u);
		else
			snprintf(hdr, sizeof hdr, "From: Jan <jan@acme.nl>\r\n"
			    "To: anna@brightline.nl\r\nSubject: Vraag %u\r\n"
			    "Date: Mon, 5 Oct 2026 09:30:00 +0200\r\n"
			    "Message-ID: <m%u@acme.nl>\r\n\r\n", u, u);
		if (u == f->bad)
			snprintf(buf, sizeof buf, "* %u FETCH (UID %u BODYSTRUCTURE "
			    "(\"TEXT\" \"x\" ((NIL NIL]]] ((garbage\r\n", u, u);
		else if (f->invite)
			snprintf(buf, sizeof buf, "* %u FETCH (UID %u "
			    "INTERNALDATE \"05-Oct-2026 10:00:00 +0200\" "
			    "BODYSTRUCTURE "
			    "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL "
			    "\"7BIT\" 4 1 NIL NIL NIL NIL)(\"TEXT\" \"CALENDAR\" "
			    "(\"CHARSET\" \"utf-8\" \"METHOD\" \"REQUEST\") NIL NIL "
			    "\"7BIT\" 400 12 NIL NIL NIL NIL) \"ALTERNATIVE\" "
			    "(\"BOUNDARY\" \"a\") NIL NIL NIL) "
			    "BODY[HEADER.FIELDS (RECEIVED)]<0> {1}\r\n%s "
			    "BODY[HEADER.FIELDS (FROM TO SUBJECT DATE MESSAGE-ID)] "
			    "{%zu}\r\n%s)\r\n", u, u, f->received ? "R" : "\r",
			    strlen(hdr), hdr);
		else
			snprintf(buf, sizeof buf, "* %u FETCH (UID %u "
			    "INTERNALDATE \"05-Oct-2026 10:00:00 +0200\" "
			    "BODYSTRUCTURE (\"TEXT\" \"PLAIN\" "
			    "(\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 10 1 NIL NIL "
			    "NIL NIL) BODY[HEADER.FIELDS (FROM TO SUBJECT DATE "
			    "MESSAGE-ID)] {%zu}\r\n%s)\r\n", u, u, strlen(hdr), hdr);
		fake_write(fd, buf);
		if (u == f->bad && f->desync) {
			/* Out of step: the connection is good for nothing. */
			fake_write(fd, "garbage\r\n");
			return;
		}
	}
	snprintf(buf, sizeof buf, "%s OK done\r\n", tag);
	fake_write(fd, buf);
}

/* Serves one connection until LOGOUT or the client hangs up. */
static void
fake_session(struct fake *f, int fd)
{
	char	line[1024], out[1024], tag[64], *cmd;
	size_t	i;

	fake_write(fd, f->caps_in_codes ? "* OK [CAPABILITY IMAP4rev1 "
	    "AUTH=PLAIN] fake ready\r\n" : "* OK fake ready\r\n");
	while (fake_line(fd, line, sizeof line)) {
		cmd = strchr(line, ' ');
		if (cmd == NULL)
			continue;
		snprintf(tag, sizeof tag, "%.*s", (int)(cmd - line), line);
		cmd++;
		if (strncasecmp(cmd, "CAPABILITY", 10) == 0) {
			f->capabilities++;
			snprintf(out, sizeof out, "* CAPABILITY IMAP4rev1\r\n"
			    "%s OK done\r\n", tag);
		} else if (strncasecmp(cmd, "LOGIN", 5) == 0)
			snprintf(out, sizeof out, "%s OK %slogged in\r\n", tag,
			    f->caps_in_codes ? "[CAPABILITY IMAP4rev1 IDLE] " : "");
		else if (strncasecmp(cmd, "LIST", 4) == 0) {
			f->lists++;
			snprintf(out, sizeof out, "* LIST () \"/\" INBOX\r\n"
			    "%s OK done\r\n", tag);
		} else if (strncasecmp(cmd, "STATUS", 6) == 0 && f->gone)
			snprintf(out, sizeof out, "%s NO [NONEXISTENT] no such "
			    "mailbox\r\n", tag);
		else if (strncasecmp(cmd, "STATUS", 6) == 0)
			snprintf(out, sizeof out, "* STATUS INBOX (UIDVALIDITY 42 "
			    "UIDNEXT %d MESSAGES %d)\r\n%s OK done\r\n",
			    FAKE_N + 1, FAKE_N, tag);
		else if (strncasecmp(cmd, "EXAMINE", 7) == 0)
			snprintf(out, sizeof out, "* %d EXISTS\r\n"
			    "* OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT %d] ok\r\n"
			    "%s OK [READ-ONLY] done\r\n", FAKE_N, FAKE_N + 1, tag);
		else if (strncasecmp(cmd, "UID SEARCH", 10) == 0) {
			snprintf(out, sizeof out, "* SEARCH");
			for (i = 1; i <= FAKE_N; i++)
				snprintf(out + strlen(out), sizeof out - strlen(out),
				    " %zu", i);
			snprintf(out + strlen(out), sizeof out - strlen(out),
			    "\r\n%s OK done\r\n", tag);
		} else if (strncasecmp(cmd, "UID FETCH ", 10) == 0) {
			fake_fetch(f, fd, tag, cmd + 10);
			continue;
		} else if (strncasecmp(cmd, "LOGOUT", 6) == 0) {
			snprintf(out, sizeof out, "* BYE\r\n%s OK bye\r\n", tag);
			fake_write(fd, out);
			return;
		} else
			snprintf(out, sizeof out, "%s BAD unknown\r\n", tag);
		fake_write(fd, out);
	}
}

/* The server thread: accepts until told to stop. */
static void *
fake_main(void *arg)
{
	struct fake	*f = arg;
	int		 fd;

	for (;;) {
		fd = accept(f->lfd, NULL, NULL);
		if (fd < 0 || f->stop) {
			if (fd >= 0)
				close(fd);
			return NULL;
		}
		f->connections++;
		fake_session(f, fd);
		close(fd);
	}
}

static void
fake_start(struct fake *f, uint32_t bad, bool invite)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof sa;
	struct tm		tm;
	time_t			start = time(NULL) + 3 * 86400;

	memset(f, 0, sizeof *f);
	f->bad = bad;
	f->invite = invite;
	strftime(f->start, sizeof f->start, "%Y%m%dT100000Z",
	    gmtime_r(&start, &tm));
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(f->lfd >= 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->lfd, 4), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&sa, &len), 0);
	f->port = ntohs(sa.sin_port);
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f)
{
	f->stop = true;
	shutdown(f->lfd, SHUT_RDWR);
	close(f->lfd);
	pthread_join(f->th, NULL);
}

/* One text value of the store. */
static char *
store_text(struct store *st, const char *sql)
{
	sqlite3_stmt	*q;
	char		*v = NULL;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL),
	    SQLITE_OK);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		v = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return v != NULL ? v : xstrdup("(null)");
}

/* Polls the fake server once with a fresh config; returns poll's result. */
static int
poll_fake(struct fake *f, struct store **st, struct config *cfg,
    struct err *err)
{
	volatile sig_atomic_t	 stop = 0;
	void			*state = NULL;
	char			 path[512];
	FILE			*fp;
	int			 rc;

	snprintf(path, sizeof path, "%s/sc.conf", test_tmpdir());
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "[general]\ndatabase = %s/sc.db\n"
	    "internal_domains = brightline.nl\n\n"
	    "[salesperson anna]\nemail = anna@brightline.nl\n\n"
	    "[imap anna]\nurl = imap://127.0.0.1:%u\ntls = none\nuser = anna\n"
	    "password_env = SC_TEST_IMAP_PW\ntimeout = 5\n",
	    test_tmpdir(), f->port);
	fclose(fp);
	setenv("SC_TEST_IMAP_PW", "secret", 1);
	if (config_load(path, cfg, err) != 0)
		fail_msg("config: %s", err->msg);
	if (*st == NULL) {
		snprintf(path, sizeof path, "%s/sc.db", test_tmpdir());
		if (store_open(path, 0, st, err) != 0)
			fail_msg("store: %s", err->msg);
	}
	rc = imap_source_ops.poll(&state, cfg, &cfg->sources[0], *st, &stop,
	    err);
	imap_source_ops.close(state);
	return rc;
}

/*
 * A message whose FETCH answer cannot be parsed is skipped and recorded
 * alone, on the same connection, while the server goes on; when the
 * server falls out of step after it (a line that is no response), the
 * message is found by halving the batch on fresh connections.  Either
 * way the others are stored, the folder's cursor moves past it, and the
 * next poll is quiet.
 */
static void
test_imap_unparsable_message_skipped(void **state)
{
	/* Out of step after the last one, nothing is left to ask again. */
	static const uint32_t	 bads[] = { 5, 1, FAKE_N, 5, 1 };
	struct fake		 f;
	struct store		*st = NULL;
	struct config		 cfg;
	struct err		 err;
	char			*v, want[32];
	size_t			 i;
	bool			 desync;

	(void)state;
	for (i = 0; i < sizeof bads / sizeof bads[0]; i++) {
		desync = i >= 3;
		fake_start(&f, bads[i], false);
		f.desync = desync;
		assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
		/* Out of step, the first connection broke and halving began. */
		if (desync)
			assert_true(f.connections > 1);
		else
			assert_int_equal(f.connections, 1);
		v = store_text(st, "SELECT count(*) FROM signals");
		snprintf(want, sizeof want, "%d", FAKE_N - 1);
		assert_string_equal(v, want);
		free(v);
		snprintf(want, sizeof want, "INBOX/42/%u", bads[i]);
		v = store_text(st, "SELECT group_concat(item) FROM signals");
		assert_null(strstr(v, want));
		free(v);
		v = store_text(st, "SELECT value FROM cursors WHERE "
		    "scope = 'INBOX' AND name = 'uidnext'");
		snprintf(want, sizeof want, "%d", FAKE_N + 1);
		assert_string_equal(v, want);
		free(v);
		v = store_text(st, "SELECT value FROM cursors WHERE "
		    "scope = 'INBOX' AND name = 'skipped'");
		snprintf(want, sizeof want, "%u", bads[i]);
		assert_string_equal(v, want);
		free(v);
		config_free(&cfg);

		/* The next poll finds the folder unchanged: no FETCH at all. */
		f.fetches = 0;
		assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
		assert_int_equal(f.fetches, 0);
		config_free(&cfg);
		fake_stop(&f);
		store_close(st);
		st = NULL;
		test_tmpdir_cleanup();
	}
}

/*
 * Invitations anna sent, filed in her INBOX by her client (no Received
 * header): the text and calendar parts of all messages of the batch come
 * in one UID FETCH, with BODY.PEEK and bounded, and each invitation is
 * an appointment.  The same messages come in by SMTP (a Received header,
 * so anybody may have sent them): only their text part is fetched.
 */
static void
test_imap_invitations_fetched(void **state)
{
	struct fake	 f;
	struct store	*st = NULL;
	struct config	 cfg;
	struct err	 err;
	char		*v, want[32];
	int		 received;

	(void)state;
	for (received = 0; received < 2; received++) {
		fake_start(&f, 0, true);
		f.received = received;
		assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
		assert_int_equal(f.fetches, 1);
		assert_int_equal(f.part_fetches, 1);
		assert_string_equal(f.parts_cmd, received ?
		    "(UID BODY.PEEK[1]<0.4096>)" :
		    "(UID BODY.PEEK[1]<0.4096> BODY.PEEK[2]<0.1048576>)");
		v = store_text(st, "SELECT count(DISTINCT uid) FROM "
		    "appointments WHERE uid LIKE 'inv-%@brightline.nl' AND "
		    "salesperson = 'anna'");
		snprintf(want, sizeof want, "%d", received ? 0 : FAKE_N);
		assert_string_equal(v, want);
		free(v);
		config_free(&cfg);
		fake_stop(&f);
		store_close(st);
		st = NULL;
		test_tmpdir_cleanup();
	}
}

/*
 * A connection on a descriptor above FD_SETSIZE works: the transport
 * waits with poll() (libetpan's socket driver used select(), which
 * cannot take such a descriptor).
 */
static void
test_imap_high_descriptors(void **state)
{
	struct fake	 f;
	struct store	*st = NULL;
	struct config	 cfg;
	struct err	 err;
	struct rlimit	 old, high;
	int		 fds[FD_SETSIZE + 64];
	size_t		 n = 0, i;
	char		*v, want[32];

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	if (old.rlim_max < FD_SETSIZE + 256)
		skip();
	high = old;
	high.rlim_cur = FD_SETSIZE + 256;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &high), 0);
	/* Fill the descriptors up to FD_SETSIZE + 16. */
	while (n < sizeof fds / sizeof fds[0]) {
		fds[n] = dup(0);
		assert_true(fds[n] >= 0);
		if (fds[n++] >= FD_SETSIZE + 16)
			break;
	}
	fake_start(&f, 0, false);
	assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
	v = store_text(st, "SELECT count(*) FROM signals");
	snprintf(want, sizeof want, "%d", FAKE_N);
	assert_string_equal(v, want);
	free(v);
	config_free(&cfg);
	fake_stop(&f);
	store_close(st);
	test_tmpdir_cleanup();
	for (i = 0; i < n; i++)
		close(fds[i]);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
}


/*
 * An idle poll of a new process asks no CAPABILITY when the greeting and
 * LOGIN's OK carry them, and no LIST while the kept folder list is fresh;
 * a folder of that list refused by STATUS makes one new LIST, no more.
 */
/*
 * The kept folder list is rows (source.c): read back by the next poll
 * (no LIST), and refused, so that the folders are listed again, when a
 * row is not what a LIST gives (a control character, an unknown role)
 * or the list is from the future.
 */
static void
test_imap_folders_cache(void **state)
{
	static const struct {
		const char	*name, *value;
	} tamper[] = {
		{ "name.0", "IN\x01" "BOX" },
		{ "name.0", "" },
		{ "role.0", "boss" },
		{ "time", "99999999999" },
		{ "key", "0000000000000000" },
		{ "count", "2" },
	};
	struct fake	 f;
	struct store	*st = NULL;
	struct config	 cfg;
	struct err	 err;
	char		*rows;
	size_t		 i;

	(void)state;
	fake_start(&f, 0, false);
	assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
	assert_int_equal(f.lists, 1);
	config_free(&cfg);
	rows = test_dump(st, "SELECT name, value FROM cursors WHERE scope = "
	    "'discovery' AND name NOT IN ('time', 'key', 'warning') "
	    "ORDER BY name");
	assert_string_equal(rows, "count|1\nname.0|INBOX\nrole.0|folder\n");
	free(rows);
	/* The fake has no Sent folder: that is kept for status. */
	rows = test_dump(st, "SELECT value FROM cursors WHERE scope = "
	    "'discovery' AND name = 'warning'");
	assert_non_null(strstr(rows, "only INBOX is read"));
	free(rows);
	for (i = 0; i < sizeof tamper / sizeof tamper[0]; i++) {
		print_message("# %s = %s\n", tamper[i].name, tamper[i].value);
		f.lists = 0;
		assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
		config_free(&cfg);
		assert_int_equal(f.lists, 0);
		assert_int_equal(store_cursor_set(st, "imap:anna", "discovery",
		    tamper[i].name, tamper[i].value, &err), 0);
		assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
		config_free(&cfg);
		assert_int_equal(f.lists, 1);
	}
	fake_stop(&f);
	store_close(st);
	test_tmpdir_cleanup();
}

static void
test_imap_idle_poll_commands(void **state)
{
	struct fake	 f;
	struct store	*st = NULL;
	struct config	 cfg;
	struct err	 err;

	(void)state;
	fake_start(&f, 0, false);
	assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
	assert_int_equal(f.lists, 1);
	assert_int_equal(f.capabilities, 2);	/* before and after login */
	config_free(&cfg);

	f.lists = f.capabilities = f.fetches = 0;
	f.caps_in_codes = true;
	assert_int_equal(poll_fake(&f, &st, &cfg, &err), 0);
	assert_int_equal(f.lists, 0);
	assert_int_equal(f.capabilities, 0);
	assert_int_equal(f.fetches, 0);
	config_free(&cfg);

	f.gone = true;
	assert_int_equal(poll_fake(&f, &st, &cfg, &err), -1);
	assert_int_equal(f.lists, 1);
	assert_non_null(strstr(err.msg, "INBOX: STATUS"));
	config_free(&cfg);
	fake_stop(&f);
	store_close(st);
	test_tmpdir_cleanup();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The IMAP fuzz corpus (seeds and crash reproducers) replayed through
 * the harness tests/fuzz/fuzz-imap.c, which is linked in: each input is
 * a server's whole stream, read through the transport and libetpan.
 */
/*
 * imap_list_is_text (imap-list.c, which reads FETCH and LIST answers) and
 * the transport's lexer must agree on which lines are status text, or a
 * literal one of them follows and the other does not hides lines from
 * the lexer.  The lexer's answer is seen through a bound: a "{500}" over
 * an answer bound of 200 bytes fails only where it announces a literal.
 */
static void
test_imap_text_agrees(void **state)
{
	static const char *const lines[] = {
		"* OK x", "*\tOK x", "*  OK\tx", " * OK x", "\t+ x", "+x",
		"A1 NO x", "A1 ok x", "a1 Bad", "* BYE x", "* PREAUTH x",
		"* 1 FETCH (UID 1 BODY[] x", "* \"a b\" OK x", "*(OK x",
		"* OKAY x", "A1 \"OK\" x", "\"A1\"OK x", "* LIST () \"/\" x",
		"a\"b OK x", "* \"a\\\" OK\" NO x", "*\rOK x", "* ) NO x",
		"* SEARCH 1 2", "A1 PREAUTH", "x", "", "* OK", "*OK x",
	};
	struct imap_lex_limits	lim = { 200, 1 << 20, 1 << 20, 16 };
	struct imap_lex		lx;
	char			line[128];
	size_t			i;
	bool			lexer;

	(void)state;
	for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		snprintf(line, sizeof line, "%s {500}\r\n", lines[i]);
		imap_lex_init(&lx, &lim);
		assert_int_equal(imap_lex_feed(&lx, "* OK hi\r\n", 9), 0);
		lexer = imap_lex_feed(&lx, line, strlen(line)) == 0;
		/* A line it refuses whatever follows hides nothing. */
		if (!lexer && strstr(lx.why, "a quote inside an atom") != NULL)
			continue;
		if (imap_list_is_text(line, strlen(line)) != lexer)
			fail_msg("\"%s\": the lexer says %s", lines[i],
			    lexer ? "text" : "no text");
	}
}

/*
 * The greeting as the agent reads it, through its transport
 * (imap_conn_greeting): strings in a response code, which libetpan's own
 * mailimap_connect() crashed on, pass; the capabilities of its code are
 * kept; PREAUTH, BYE and what is no greeting are told apart.
 */
static void
test_imap_greeting(void **state)
{
	static const struct {
		const char	*greeting;
		int		 rc;
		const char	*cap;	/* a capability it must list, or NULL */
	} rows[] = {
		{ "* OK [PERMANENTFLAGS (\\Seen $Forwarded \\*)] hi\r\n",
		  MAILIMAP_NO_ERROR_NON_AUTHENTICATED, NULL },
		{ "* OK [BADCHARSET (UTF-8 y)] hi\r\n",
		  MAILIMAP_NO_ERROR_NON_AUTHENTICATED, NULL },
		/* The transport refuses a literal there (see lex_bounds). */
		{ "* OK [BADCHARSET (UTF-8 {1}\r\ny)] hi\r\n",
		  MAILIMAP_ERROR_STREAM, NULL },
		{ "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready\r\n",
		  MAILIMAP_NO_ERROR_NON_AUTHENTICATED, "SASL-IR" },
		{ "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] hi\r\n",
		  MAILIMAP_NO_ERROR_AUTHENTICATED, "IDLE" },
		/* None listed: libetpan keeps a NULL list it then reads. */
		{ "* OK [CAPABILITY] hi\r\n",
		  MAILIMAP_NO_ERROR_NON_AUTHENTICATED, NULL },
		{ "* BYE [PERMANENTFLAGS (a)] go away\r\n",
		  MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION, NULL },
		{ "+ [BADCHARSET (a)] go on\r\n", MAILIMAP_ERROR_PARSE, NULL },
		{ "* OK [PERMANENTFLAGS (a", MAILIMAP_ERROR_STREAM, NULL },
	};
	struct imap_stream_conf	 conf = { 5, 5, IMAP_MAX_RESPONSE };
	mailimap		*imap;
	size_t			 i;
	int			 sv[2], r;
	bool			 has;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(write(sv[1], rows[i].greeting,
		    strlen(rows[i].greeting)), (ssize_t)strlen(rows[i].greeting));
		shutdown(sv[1], SHUT_WR);
		imap = mailimap_new(0, NULL);
		assert_non_null(imap);
		r = imap_conn_greeting(imap, imap_stream_open_fd(sv[0], &conf));
		if (r != rows[i].rc)
			fail_msg("greeting %zu: %d, not %d", i, r, rows[i].rc);
		has = imap_conn_has(imap, rows[i].cap != NULL ? rows[i].cap :
		    "IMAP4rev1");
		if (rows[i].cap != NULL)
			assert_true(has);
		assert_int_equal(imap->imap_state,
		    r == MAILIMAP_NO_ERROR_AUTHENTICATED ?
		    MAILIMAP_STATE_AUTHENTICATED :
		    r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED ?
		    MAILIMAP_STATE_NON_AUTHENTICATED :
		    MAILIMAP_STATE_DISCONNECTED);
		mailstream_close(imap->imap_stream);
		imap->imap_stream = NULL;
		mailimap_free(imap);
		close(sv[1]);
	}
}

static void
test_imap_fuzz_corpus(void **state)
{
	char		 path[1024], rel[512];
	struct dirent	*de;
	DIR		*d;
	char		*buf;
	size_t		 len, n = 0;

	(void)state;
	snprintf(path, sizeof path, "%s", test_data_path("corpus/imap"));
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "corpus/imap/%s", de->d_name);
		buf = test_read_data(rel, &len);
		assert_int_equal(LLVMFuzzerTestOneInput((const uint8_t *)buf,
		    len), 0);
		free(buf);
		n++;
	}
	closedir(d);
	assert_true(n > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imap_lex_bounds),
		cmocka_unit_test(test_imap_lex_kept),
		cmocka_unit_test(test_imap_lex_quoted_runs),
		cmocka_unit_test(test_imap_lex_token_runs),
		cmocka_unit_test(test_imap_list_entry),
		cmocka_unit_test(test_imap_nameset),
		cmocka_unit_test(test_imap_stream_emfile),
		cmocka_unit_test(test_imap_url_parse),
		cmocka_unit_test(test_imap_uid_set_runs),
		cmocka_unit_test(test_imap_url_mailbox),
		cmocka_unit_test(test_imap_url_mailbox_utf8),
		cmocka_unit_test(test_imap_summary_from_fetch),
		cmocka_unit_test(test_imap_summary_dsn_and_bad_date),
		cmocka_unit_test(test_imap_text_hashtags),
		cmocka_unit_test(test_imap_calendar_parts),
		cmocka_unit_test(test_imap_unparsable_message_skipped),
		cmocka_unit_test(test_imap_invitations_fetched),
		cmocka_unit_test(test_imap_folders_cache),
		cmocka_unit_test(test_imap_idle_poll_commands),
		cmocka_unit_test(test_imap_high_descriptors),
		cmocka_unit_test(test_imap_text_agrees),
		cmocka_unit_test(test_imap_greeting),
		cmocka_unit_test(test_imap_fuzz_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
