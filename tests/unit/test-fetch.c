/* SPDX-License-Identifier: MIT */
/*
 * The metadata FETCH parser (imap-fetch.c): what it reads of real
 * answers, that it reads every BODYSTRUCTURE of a table as libetpan's
 * parser does (the parser it replaces), part by part, that hostile input
 * is refused within its bounds with the UID kept for the warning, and
 * the fuzz corpus replayed through tests/fuzz/fuzz-fetch.c (linked in).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "helpers.h"
#include "imap.h"
#include "imap-fetch.h"
#include "mail.h"
#include "xmalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Parses one response from a copy; the copy is kept for the pointers. */
static int
parse(struct imap_fetch *f, const char *resp, struct imap_fetch_msg *m,
    char **copy)
{
	*copy = xstrdup(resp);
	return imap_fetch_parse(f, *copy, strlen(resp), m);
}

/* An answer as Dovecot sends it, read item by item. */
static void
test_fetch_dovecot(void **state)
{
	static const char resp[] =
	    "* 2 FETCH (UID 2 INTERNALDATE \"07-Jan-2026 19:32:43 +0000\" "
	    "BODY[HEADER.FIELDS (RECEIVED)]<0> {1}\r\nR BODYSTRUCTURE "
	    "(((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
	    "\"quoted-printable\" 613 16 NIL NIL NIL NIL)(\"text\" \"html\" "
	    "(\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 839 6 NIL NIL "
	    "NIL NIL) \"alternative\" (\"boundary\" \"----=_Alt\") NIL NIL NIL)"
	    "(\"application\" \"pdf\" (\"name\" \"p.pdf\") NIL NIL \"base64\" "
	    "75736 NIL (\"attachment\" (\"filename\" \"planning.pdf\")) NIL "
	    "NIL) \"mixed\" (\"boundary\" \"----=_Part\") NIL (\"nl-NL\") NIL) "
	    "BODY[HEADER.FIELDS (MESSAGE-ID DATE FROM)] {32}\r\n"
	    "From: klaas@klant278.example\r\n\r\n)\r\n";
	struct imap_fetch	 f = { 0 };
	struct imap_fetch_msg	 m;
	char			*copy;

	(void)state;
	assert_int_equal(parse(&f, resp, &m, &copy), 1);
	assert_false(m.bad);
	assert_int_equal(m.seq, 2);
	assert_int_equal(m.uid, 2);
	assert_true(m.has_date);
	assert_int_equal(m.day, 7);
	assert_int_equal(m.month, 1);
	assert_int_equal(m.year, 2026);
	assert_int_equal(m.hour, 19);
	assert_int_equal(m.sec, 43);
	assert_int_equal(m.zone, 0);
	assert_true(m.has_probe);
	assert_int_equal(m.probelen, 1);
	assert_int_equal(m.probe[0], 'R');
	assert_true(m.has_hdr);
	assert_int_equal(m.hdrlen, 32);
	assert_memory_equal(m.hdr, "From: klaas@klant278.example\r\n\r\n", 32);
	assert_int_equal(m.nparts, 5);
	assert_int_equal(m.parts[0].kind, IMAP_PART_MULTI);
	assert_string_equal(m.parts[0].subtype, "mixed");
	assert_int_equal(m.parts[0].nchild, 2);
	assert_int_equal(m.parts[1].kind, IMAP_PART_MULTI);
	assert_int_equal(m.parts[1].next, 4);
	assert_int_equal(m.parts[2].kind, IMAP_PART_TEXT);
	assert_string_equal(m.parts[2].subtype, "plain");
	assert_int_equal(m.parts[2].encoding,
	    MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	assert_int_equal(m.parts[2].size, 613);
	assert_int_equal(m.parts[2].nparam, 1);
	assert_string_equal(m.params[m.parts[2].param].name, "charset");
	assert_string_equal(m.params[m.parts[2].param].value, "utf-8");
	assert_int_equal(m.parts[4].kind, IMAP_PART_BASIC);
	assert_int_equal(m.parts[4].basic, MAILIMAP_MEDIA_BASIC_APPLICATION);
	assert_string_equal(m.parts[4].dsp, "attachment");
	assert_int_equal(m.parts[4].ndparam, 1);
	assert_string_equal(m.params[m.parts[4].dparam].value, "planning.pdf");
	assert_int_equal(m.parts[4].encoding, MAILMIME_MECHANISM_BASE64);
	assert_int_equal(m.parts[4].next, 5);
	free(copy);
	imap_fetch_clear(&f);
}

/*
 * Strings decoded in place: escapes in quoted strings, a literal with a
 * NUL (cut there, as libetpan's C string is), a literal header section
 * left whole; other items (FLAGS, MODSEQ) are skipped.
 */
static void
test_fetch_strings(void **state)
{
	static const char resp[] =
	    "* 7 FETCH (UID 70 FLAGS (\\Seen \\*) MODSEQ (99) BODYSTRUCTURE "
	    "(\"APPLICATION\" \"PDF\" ({4}\r\nNAME {11}\r\nq\"u\\o\0t.pdf "
	    "\"x\" \"a\\\"b\\\\c\\d\") NIL NIL \"BASE64\" 10 NIL NIL NIL NIL) "
	    "BODY[HEADER.FIELDS (SUBJECT)] \"Subject: a\\\"b\")\r\n";
	struct imap_fetch	 f = { 0 };
	struct imap_fetch_msg	 m;
	char			*copy;

	(void)state;
	copy = xmalloc(sizeof resp);
	memcpy(copy, resp, sizeof resp);
	assert_int_equal(imap_fetch_parse(&f, copy, sizeof resp - 1, &m), 1);
	assert_false(m.bad);
	assert_int_equal(m.uid, 70);
	assert_int_equal(m.nparts, 1);
	assert_int_equal(m.parts[0].basic, MAILIMAP_MEDIA_BASIC_APPLICATION);
	assert_int_equal(m.parts[0].nparam, 2);
	assert_string_equal(m.params[0].name, "NAME");
	assert_string_equal(m.params[0].value, "q\"u\\o");
	assert_string_equal(m.params[1].name, "x");
	/* A backslash before anything but '"' and '\' stays, as in libetpan. */
	assert_string_equal(m.params[1].value, "a\"b\\c\\d");
	assert_true(m.has_hdr);
	assert_int_equal(m.hdrlen, 12);
	assert_memory_equal(m.hdr, "Subject: a\"b", 12);
	assert_false(m.has_date);
	assert_false(m.has_probe);
	free(copy);

	/*
	 * An encoding as an atom (Exchange), and NIL for the media type and
	 * subtype (Apple's mbox), taken as libetpan 1.9.4 takes them (it
	 * leaks a string for each: no twin in test_fetch_as_libetpan).
	 */
	assert_int_equal(parse(&f, "* 1 FETCH (UID 3 BODYSTRUCTURE (NIL NIL "
	    "NIL NIL NIL \"7BIT\" 0 NIL NIL NIL NIL))\r\n", &m, &copy), 1);
	assert_false(m.bad);
	assert_int_equal(m.parts[0].kind, IMAP_PART_BASIC);
	assert_int_equal(m.parts[0].basic, MAILIMAP_MEDIA_BASIC_APPLICATION);
	assert_string_equal(m.parts[0].subtype, "DATA");
	free(copy);
	assert_int_equal(parse(&f, "* 1 FETCH (UID 2 BODYSTRUCTURE (\"IMAGE\" "
	    "\"png\" NIL NIL NIL base64 10 NIL (\"inline\" NIL) NIL NIL))\r\n",
	    &m, &copy), 1);
	assert_false(m.bad);
	assert_int_equal(m.parts[0].basic, MAILIMAP_MEDIA_BASIC_IMAGE);
	assert_int_equal(m.parts[0].encoding, MAILMIME_MECHANISM_BASE64);
	assert_string_equal(m.parts[0].dsp, "inline");
	free(copy);
	imap_fetch_clear(&f);
}

/* Responses that are no FETCH are left alone. */
static void
test_fetch_not_fetch(void **state)
{
	static const char *const rows[] = {
		"* 12 EXISTS\r\n", "* OK [UIDNEXT 9] ok\r\n", "* 3 EXPUNGE\r\n",
		"* SEARCH 1 2\r\n", "* FETCH (UID 1)\r\n", "1 OK done\r\n", "",
	};
	struct imap_fetch	 f = { 0 };
	struct imap_fetch_msg	 m;
	char			*copy;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(parse(&f, rows[i], &m, &copy), 0);
		free(copy);
	}
	imap_fetch_clear(&f);
}

/* A BODYSTRUCTURE nested n deep inside one response. */
static char *
nested(int n)
{
	struct buf	b = { NULL, 0, 0 };
	int		i;

	buf_puts(&b, "* 1 FETCH (UID 5 BODYSTRUCTURE ");
	for (i = 0; i < n; i++)
		buf_puts(&b, "(");
	buf_puts(&b, "\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
	for (i = 1; i < n; i++)
		buf_puts(&b, " \"MIXED\")");
	buf_puts(&b, ")\r\n");
	return b.data;
}

/* n parts, or n parameters of one part, in one BODYSTRUCTURE. */
static char *
wide(int parts, int params)
{
	struct buf	b = { NULL, 0, 0 };
	int		i;

	buf_puts(&b, "* 1 FETCH (UID 6 BODYSTRUCTURE (");
	for (i = 0; i < parts; i++)
		buf_puts(&b, "(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)");
	buf_puts(&b, "(\"TEXT\" \"PLAIN\" (");
	for (i = 0; i < params; i++)
		buf_puts(&b, "\"a\" \"b\" ");
	buf_puts(&b, ") NIL NIL \"7BIT\" 1 1) \"MIXED\"))\r\n");
	return b.data;
}

/*
 * Hostile or broken responses: each is marked bad with a reason, with
 * its UID when that came before the fault, within the parser's bounds
 * (nesting, parts, parameters), and never read past its end.
 */
static void
test_fetch_hostile(void **state)
{
	static const struct {
		const char	*resp;
		uint32_t	 uid;
	} rows[] = {
		{ "* 1 FETCH (UID 3 BODYSTRUCTURE (\"TEXT\" \"x\" ((NIL NIL]]] "
		  "{{garbage\r\n", 3 },
		{ "* 1 FETCH (UID 4 BODY[HEADER] {100}\r\nshort)\r\n", 4 },
		{ "* 1 FETCH (UID 4 BODY[HEADER] {99999999999}\r\n)\r\n", 4 },
		{ "* 1 FETCH (UID 4294967296)\r\n", 0 },
		{ "* 1 FETCH (UID 0)\r\n", 0 },
		{ "* 1 FETCH (UID 5 INTERNALDATE \"5-Okt-2026 10:00:00 +0200\")"
		  "\r\n", 5 },
		{ "* 1 FETCH (UID 5 INTERNALDATE \"05-Oct-2026 10:00:00\")\r\n",
		  5 },
		{ "* 1 FETCH (UID 6 BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL "
		  "NIL \"7BIT\" 1 1)\r\n", 6 },
		{ "* 1 FETCH (UID 6 BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"a\") "
		  "NIL NIL \"7BIT\" 1 1))\r\n", 6 },
		{ "* 1 FETCH (UID 6 BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (NIL NIL) "
		  "NIL NIL \"7BIT\" 1 1))\r\n", 6 },
		{ "* 1 FETCH (UID 7 BODY[HEADER.FIELDS (\"RECEIVED] \"x\")\r\n",
		  7 },
		{ "* 1 FETCH (UID 7 X-ITEM (((\r\n", 7 },
		{ "* 1 FETCH (UID 8) trailing\r\n", 8 },
		{ "* 1 FETCH UID 8\r\n", 0 },
		{ "* 1 FETCH (UID 9 \"unquoted\r\n", 9 },
		{ "* 1 FETCH (UID 9 BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL "
		  "NIL NIL \"7BIT\" 1 (NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL "
		  "\"7BIT\" 1 1)))\r\n", 9 },
	};
	struct imap_fetch	 f = { 0 };
	struct imap_fetch_msg	 m;
	char			*copy, *big;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		/* Exactly the response's bytes: ASan sees a read past them. */
		copy = xmalloc(strlen(rows[i].resp));
		memcpy(copy, rows[i].resp, strlen(rows[i].resp));
		if (imap_fetch_parse(&f, copy, strlen(rows[i].resp), &m) != 1)
			fail_msg("row %zu: not a FETCH", i);
		if (!m.bad)
			fail_msg("row %zu: not bad", i);
		assert_int_equal(m.uid, rows[i].uid);
		assert_non_null(strstr(m.why, "unparsable FETCH response ("));
		free(copy);
	}

	/* Nesting up to the transport's bound is read, deeper is refused. */
	big = nested(IMAP_FETCH_MAX_DEPTH - 2);
	assert_int_equal(imap_fetch_parse(&f, big, strlen(big), &m), 1);
	assert_false(m.bad);
	assert_int_equal(m.nparts, IMAP_FETCH_MAX_DEPTH - 2);
	free(big);
	big = nested(IMAP_FETCH_MAX_DEPTH);
	assert_int_equal(imap_fetch_parse(&f, big, strlen(big), &m), 1);
	assert_true(m.bad);
	assert_int_equal(m.uid, 5);
	assert_non_null(strstr(m.why, "nested too deep"));
	free(big);

	/* Parts and parameters up to their bounds, and one more. */
	big = wide(IMAP_FETCH_MAX_PARTS - 2, IMAP_FETCH_MAX_PARAMS);
	assert_int_equal(imap_fetch_parse(&f, big, strlen(big), &m), 1);
	assert_false(m.bad);
	assert_int_equal(m.nparts, IMAP_FETCH_MAX_PARTS);
	free(big);
	big = wide(IMAP_FETCH_MAX_PARTS - 1, 0);
	assert_int_equal(imap_fetch_parse(&f, big, strlen(big), &m), 1);
	assert_true(m.bad);
	assert_non_null(strstr(m.why, "too many parts"));
	free(big);
	big = wide(1, IMAP_FETCH_MAX_PARAMS + 1);
	assert_int_equal(imap_fetch_parse(&f, big, strlen(big), &m), 1);
	assert_true(m.bad);
	assert_non_null(strstr(m.why, "too many parameters"));
	free(big);
	imap_fetch_clear(&f);
}

/* What libetpan's parse of a BODYSTRUCTURE gave, compared in its handler. */
struct twin {
	const char	*bs;
	bool		 seen;
};

/* Asserts that libetpan's parameter list holds what params[first..n) does. */
static void
same_params(const struct mailimap_body_fld_param *fp,
    const struct imap_fetch_msg *m, size_t first, size_t n)
{
	struct mailimap_single_body_fld_param	*sp;
	clistiter				*it;
	size_t					 i = first;

	if (fp == NULL || fp->pa_list == NULL) {
		assert_int_equal(n, 0);
		return;
	}
	assert_int_equal((size_t)clist_count(fp->pa_list), n);
	for (it = clist_begin(fp->pa_list); it != NULL; it = clist_next(it)) {
		sp = clist_content(it);
		assert_string_equal(sp->pa_name, m->params[i].name);
		assert_string_equal(sp->pa_value, m->params[i].value);
		i++;
	}
}

/* Asserts that libetpan's fields say what part p does. */
static void
same_fields(const struct mailimap_body_fields *bf,
    const struct imap_fetch_msg *m, const struct imap_fetch_part *p)
{
	int	enc = MAILMIME_MECHANISM_8BIT;

	same_params(bf->bd_parameter, m, p->param, p->nparam);
	assert_int_equal(bf->bd_size, p->size);
	if (bf->bd_encoding != NULL &&
	    bf->bd_encoding->enc_type == MAILIMAP_BODY_FLD_ENC_BASE64)
		enc = MAILMIME_MECHANISM_BASE64;
	else if (bf->bd_encoding != NULL && bf->bd_encoding->enc_type ==
	    MAILIMAP_BODY_FLD_ENC_QUOTED_PRINTABLE)
		enc = MAILMIME_MECHANISM_QUOTED_PRINTABLE;
	assert_int_equal(enc, p->encoding);
}

/*
 * Walks libetpan's body and the parts from index *i in step, asserting
 * that they agree on every part: its kind, type and subtype, fields,
 * disposition and children.
 */
static void
same_body(const struct mailimap_body *b, const struct imap_fetch_msg *m,
    size_t *i)
{
	const struct imap_fetch_part		*p;
	const struct mailimap_body_type_1part	*sp;
	const struct mailimap_body_fld_dsp	*dsp = NULL;
	clistiter				*it;

	assert_true(*i < m->nparts);
	p = &m->parts[(*i)++];
	if (b->bd_type == MAILIMAP_BODY_MPART) {
		assert_int_equal(p->kind, IMAP_PART_MULTI);
		assert_string_equal(b->bd_data.bd_body_mpart->bd_media_subtype,
		    p->subtype);
		assert_int_equal((size_t)clist_count(
		    b->bd_data.bd_body_mpart->bd_list), p->nchild);
		for (it = clist_begin(b->bd_data.bd_body_mpart->bd_list);
		    it != NULL; it = clist_next(it))
			same_body(clist_content(it), m, i);
		assert_int_equal(*i, p->next);
		return;
	}
	sp = b->bd_data.bd_body_1part;
	switch (sp->bd_type) {
	case MAILIMAP_BODY_TYPE_1PART_TEXT:
		assert_int_equal(p->kind, IMAP_PART_TEXT);
		assert_string_equal(sp->bd_data.bd_type_text->bd_media_text,
		    p->subtype);
		same_fields(sp->bd_data.bd_type_text->bd_fields, m, p);
		break;
	case MAILIMAP_BODY_TYPE_1PART_MSG:
		assert_int_equal(p->kind, IMAP_PART_MSG);
		assert_int_equal(p->nchild, 1);
		same_fields(sp->bd_data.bd_type_msg->bd_fields, m, p);
		same_body(sp->bd_data.bd_type_msg->bd_body, m, i);
		break;
	default:
		assert_int_equal(p->kind, IMAP_PART_BASIC);
		assert_int_equal(sp->bd_data.bd_type_basic->bd_media_basic->
		    med_type, p->basic);
		assert_string_equal(sp->bd_data.bd_type_basic->bd_media_basic->
		    med_subtype, p->subtype);
		same_fields(sp->bd_data.bd_type_basic->bd_fields, m, p);
		break;
	}
	if (sp->bd_ext_1part != NULL)
		dsp = sp->bd_ext_1part->bd_disposition;
	if (dsp == NULL)
		assert_null(p->dsp);
	else {
		assert_non_null(p->dsp);
		assert_string_equal(dsp->dsp_type, p->dsp);
		same_params(dsp->dsp_attributes, m, p->dparam, p->ndparam);
	}
	assert_int_equal(*i, p->next);
}

/* libetpan's message handler: the same response through imap-fetch.c. */
static void
twin_msg(struct mailimap_msg_att *att, void *arg)
{
	struct twin			*t = arg;
	struct mailimap_msg_att_item	*item;
	struct imap_fetch		 f = { 0 };
	struct imap_fetch_msg		 m;
	clistiter			*it;
	char				*resp;
	size_t				 i = 0;

	resp = xasprintf("* 1 FETCH (UID 1 BODYSTRUCTURE %s)\r\n", t->bs);
	assert_int_equal(imap_fetch_parse(&f, resp, strlen(resp), &m), 1);
	if (m.bad)
		fail_msg("%s: %s", t->bs, m.why);
	for (it = clist_begin(att->att_list); it != NULL; it = clist_next(it)) {
		item = clist_content(it);
		if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
		    item->att_data.att_static->att_type ==
		    MAILIMAP_MSG_ATT_BODYSTRUCTURE) {
			same_body(item->att_data.att_static->att_data.
			    att_bodystructure, &m, &i);
			assert_int_equal(i, m.nparts);
			t->seen = true;
		}
	}
	free(resp);
	imap_fetch_clear(&f);
}

static void
twin_progress(size_t cur, size_t max, void *arg)
{
	(void)cur;
	(void)max;
	(void)arg;
}

/*
 * Every BODYSTRUCTURE of the table read by libetpan (the parser the
 * agent used before) and by imap-fetch.c gives the same parts: Dovecot's
 * and Exchange's shapes, attached messages, reports, escapes and
 * literals, "TEXT" without its line count (a basic part then).
 */
static void
test_fetch_as_libetpan(void **state)
{
	static const char *const rows[] = {
		"(\"text\" \"plain\" (\"charset\" \"utf-8\" \"format\" \"flowed\") "
		"NIL NIL \"8bit\" 308 8 NIL NIL NIL NIL)",
		"(((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL "
		"\"quoted-printable\" 613 16 NIL NIL NIL NIL)(\"text\" \"html\" "
		"(\"charset\" \"utf-8\") NIL NIL \"quoted-printable\" 839 6 NIL NIL "
		"NIL NIL) \"alternative\" (\"boundary\" \"x\") NIL NIL NIL)"
		"(\"application\" \"vnd.ms-excel\" (\"name\" \"p.xlsx\") NIL NIL "
		"\"base64\" 75736 NIL (\"attachment\" (\"filename\" \"p.xlsx\")) "
		"NIL NIL) \"mixed\" (\"boundary\" \"y\") NIL (\"nl-NL\") NIL)",
		"((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL)"
		"(\"MESSAGE\" \"DELIVERY-STATUS\" NIL NIL NIL \"7BIT\" 1 NIL NIL "
		"NIL NIL) \"REPORT\" (\"REPORT-TYPE\" \"delivery-status\") NIL "
		"NIL NIL)",
		"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 4 1 "
		"NIL NIL NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 400 "
		"(\"Mon, 5 Oct 2026 09:30:00 +0200\" \"fwd\" ((\"Jan\" NIL \"jan\" "
		"\"acme.nl\")) NIL NIL NIL NIL NIL NIL \"<x@acme.nl>\") "
		"((\"TEXT\" \"CALENDAR\" (\"METHOD\" \"REQUEST\") NIL NIL "
		"\"BASE64\" 300 4 NIL (\"inline\" NIL) NIL NIL)(\"APPLICATION\" "
		"\"ICS\" NIL NIL NIL \"7BIT\" 30 NIL NIL NIL NIL) \"MIXED\" "
		"(\"BOUNDARY\" \"b\") NIL NIL NIL) 20 NIL NIL NIL NIL) \"MIXED\" "
		"(\"BOUNDARY\" \"a\") NIL NIL NIL)",
		"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 40 (NIL NIL NIL NIL "
		"NIL NIL NIL NIL NIL NIL) (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" "
		"1 1) 3)",
		"(\"APPLICATION\" \"PDF\" (\"NAME\" \"a \\\"b\\\" \\\\c.pdf\") "
		"\"<id@x>\" \"desc\" \"BASE64\" 10 NIL (\"ATTACHMENT\" "
		"(\"FILENAME*\" \"utf-8''%E2%82%AC.pdf\")) \"en\" \"loc\")",
		"(\"APPLICATION\" \"PDF\" ({4}\r\nNAME {5}\r\na.pdf) NIL NIL "
		"\"BASE64\" 10 NIL NIL NIL NIL)",
		"(\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1)",
		"(\"IMAGE\" \"png\" NIL NIL NIL \"7BIT\" 10 NIL (\"inline\" NIL) "
		"NIL NIL)",
		"(\"text\" \"calendar\" (\"charset\" \"utf-8\" \"method\" "
		"\"REQUEST\") NIL NIL \"quoted-printable\" 1200 30)",
		"((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1)(\"TEXT\" \"HTML\" "
		"NIL NIL NIL \"7BIT\" 1 1) \"ALTERNATIVE\")",
		"(\"video\" \"mp4\" NIL NIL NIL \"binary\" 4294967295 NIL NIL NIL "
		"NIL)",
		"(\"audio\" \"x-custom\" (\"a\" \"1\" \"b\" \"2\" \"c\" \"3\") NIL "
		"NIL \"x-uuencode\" 5 \"md5\" NIL NIL NIL (1 (2 \"3\")))",
	};
	mailimap		*imap;
	struct mailimap_set	*set;
	struct mailimap_fetch_type *ft;
	struct twin		 t;
	clist			*res;
	char			*answer;
	int			 sv[2], r;
	uint32_t		 one = 1;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		answer = xasprintf("* OK ready\r\n* 1 FETCH (UID 1 BODYSTRUCTURE "
		    "%s)\r\n1 OK done\r\n", rows[i]);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		assert_int_equal(write(sv[1], answer, strlen(answer)),
		    (ssize_t)strlen(answer));
		imap = mailimap_new(0, NULL);
		assert_non_null(imap);
		mailimap_set_timeout(imap, 5);
		assert_int_equal(mailimap_connect(imap,
		    mailstream_socket_open_timeout(sv[0], 5)),
		    MAILIMAP_NO_ERROR_NON_AUTHENTICATED);
		imap->imap_state = MAILIMAP_STATE_SELECTED;
		t.bs = rows[i];
		t.seen = false;
		mailimap_set_msg_att_handler(imap, twin_msg, &t);
		mailimap_set_progress_callback(imap, NULL, twin_progress, NULL);
		set = imap_sync_uid_set(&one, 1);
		ft = mailimap_fetch_type_new_fetch_att_list_empty();
		mailimap_fetch_type_new_fetch_att_list_add(ft,
		    mailimap_fetch_att_new_uid());
		res = NULL;
		r = mailimap_uid_fetch(imap, set, ft, &res);
		if (r != MAILIMAP_NO_ERROR)
			fail_msg("libetpan refused row %zu: %d", i, r);
		if (!t.seen)
			fail_msg("row %zu: no BODYSTRUCTURE came", i);
		if (res != NULL)
			mailimap_fetch_list_free(res);
		mailimap_fetch_type_free(ft);
		mailimap_set_free(set);
		mailstream_close(imap->imap_stream);
		imap->imap_stream = NULL;
		mailimap_free(imap);
		close(sv[1]);
		free(answer);
	}
}

/*
 * The fetch corpus (seeds and crash reproducers) replayed through the
 * harness tests/fuzz/fuzz-fetch.c, which is linked in.
 */
static void
test_fetch_fuzz_corpus(void **state)
{
	char		 path[1024], rel[512];
	struct dirent	*de;
	DIR		*d;
	char		*buf;
	size_t		 len, n = 0;

	(void)state;
	snprintf(path, sizeof path, "%s", test_data_path("corpus/fetch"));
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "corpus/fetch/%s", de->d_name);
		buf = test_read_data(rel, &len);
		assert_int_equal(LLVMFuzzerTestOneInput((const uint8_t *)buf,
		    len), 0);
		free(buf);
		n++;
	}
	closedir(d);
	assert_true(n >= 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_dovecot),
		cmocka_unit_test(test_fetch_strings),
		cmocka_unit_test(test_fetch_not_fetch),
		cmocka_unit_test(test_fetch_hostile),
		cmocka_unit_test(test_fetch_as_libetpan),
		cmocka_unit_test(test_fetch_fuzz_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
