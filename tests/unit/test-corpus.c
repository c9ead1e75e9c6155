/* SPDX-License-Identifier: MIT */
/*
 * Replays the fuzzing corpora tests/data/corpus/<parser>/ (seeds and every
 * crash reproducer the fuzzers found) through the parsers the way the
 * harnesses in tests/fuzz/ call them, so that each crash stays a
 * regression test of `make check` (and of the sanitizer build in CI).
 * Beyond not crashing, each result must keep the parser's contract: a
 * failure has the documented class and a message, a success a
 * well-formed result.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "davxml.h"
#include "event.h"
#include "graph.h"
#include "helpers.h"
#include "http.h"
#include "log.h"
#include "mail.h"
#include "oauth.h"
#include "xmalloc.h"

/* The window and zone of tests/fuzz/fuzz-event.c. */
#define CORPUS_FROM	1767225600	/* 2026-01-01T00:00:00Z */
#define CORPUS_TO	1830297600	/* 2028-01-01T00:00:00Z */

typedef void (*corpus_fn)(const char *name, const char *buf, size_t len);

/* Calls fn on every file of tests/data/corpus/DIR; fails if there is none. */
static void
corpus_replay(const char *dir, corpus_fn fn)
{
	char rel[512], path[1024];
	struct dirent *de;
	size_t len, n = 0;
	char *buf;
	DIR *d;

	snprintf(rel, sizeof rel, "corpus/%s", dir);
	snprintf(path, sizeof path, "%s", test_data_path(rel));
	d = opendir(path);
	if (d == NULL)
		fail_msg("cannot open corpus %s", path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "corpus/%s/%s", dir, de->d_name);
		buf = test_read_data(rel, &len);
		fn(de->d_name, buf, len);
		free(buf);
		n++;
	}
	closedir(d);
	if (n == 0)
		fail_msg("corpus %s is empty", path);
}

/* Checks that every address of a list has its address part. */
static void
corpus_check_addrs(const char *name, const struct mail_addr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].addr == NULL)
			fail_msg("%s: address %zu without addr", name, i);
}

/* Checks a summary's strings and frees it. */
static void
corpus_check_summary(const char *name, struct mail_summary *s)
{
	if (s->subject == NULL)
		fail_msg("%s: read without a subject string", name);
	corpus_check_addrs(name, &s->from);
	corpus_check_addrs(name, &s->to);
	corpus_check_addrs(name, &s->cc);
	mail_summary_free(s);
}

static void
corpus_mail(const char *name, const char *buf, size_t len)
{
	struct mail_summary s;
	struct err err;

	/* The same bytes as header fields from an IMAP server. */
	memset(&s, 0, sizeof s);
	mail_apply_header(&s, buf, len);
	corpus_check_summary(name, &s);
	if (mail_parse(buf, len, &s, &err) != 0) {
		if (err.cls != ERR_DATA || err.msg[0] == '\0')
			fail_msg("%s: failed with class %d '%s'", name, err.cls,
			    err.msg);
		return;
	}
	corpus_check_summary(name, &s);
}

/* Keeps a SUMMARY as it is, as fuzz-event.c does. */
static char *
corpus_summary(const char *text, void *arg)
{
	(void)arg;
	return xstrdup(text);
}

/*
 * The reduction of an object (fuzz-event.c calls it too) parses again to
 * the same events and occurrences: nothing classification reads is lost.
 */
static void
corpus_reduce(const char *name, const char *buf, size_t len,
    const struct ical_file *f)
{
	struct ical_file g;
	struct err err;
	char *red;
	size_t i;

	if (event_reduce(buf, len, name, NULL, corpus_summary, NULL, false, &red,
	    &err) != 0) {
		if (err.cls != ERR_DATA || err.msg[0] == '\0')
			fail_msg("%s: reduce failed with class %d '%s'", name,
			    err.cls, err.msg);
		return;
	}
	if (event_parse(red, strlen(red), CORPUS_FROM, CORPUS_TO,
	    "Europe/Amsterdam", name, &g, &err) != 0)
		fail_msg("%s: its reduction does not parse: %s", name, err.msg);
	if (g.nevents != f->nevents || g.nocc != f->nocc)
		fail_msg("%s: reduced to %zu events, %zu occurrences, not %zu, "
		    "%zu", name, g.nevents, g.nocc, f->nevents, f->nocc);
	for (i = 0; i < g.nocc; i++)
		if (g.occ[i].start != f->occ[i].start)
			fail_msg("%s: occurrence %zu moved", name, i);
	ical_file_free(&g);
	free(red);
}

static void
corpus_event(const char *name, const char *buf, size_t len)
{
	struct ical_file f;
	struct err err;
	size_t i;

	if (event_parse(buf, len, CORPUS_FROM, CORPUS_TO, "Europe/Amsterdam",
	    name, &f, &err) != 0) {
		if (err.cls != ERR_DATA || err.msg[0] == '\0')
			fail_msg("%s: failed with class %d '%s'", name, err.cls,
			    err.msg);
		return;
	}
	for (i = 0; i < f.nocc; i++) {
		if (f.occ[i].event >= f.nevents)
			fail_msg("%s: occurrence %zu names event %zu of %zu",
			    name, i, f.occ[i].event, f.nevents);
		if (i > 0 && f.occ[i].start < f.occ[i - 1].start)
			fail_msg("%s: occurrence %zu out of order", name, i);
	}
	corpus_reduce(name, buf, len, &f);
	ical_file_free(&f);
}

/* What one pass of the multistatus parser saw. */
struct corpus_dav {
	const char	*name;
	unsigned long	 calls;
	int		 rc;
};

static int
corpus_dav_cb(const struct dav_response *r, void *arg, struct err *err)
{
	struct corpus_dav *cd = arg;

	if (r->href == NULL)
		fail_msg("%s: response without href", cd->name);
	if (r->calendar_data != NULL &&
	    r->calendar_data_len > DAVXML_MAX_DATA)
		fail_msg("%s: calendar-data over the cap", cd->name);
	cd->calls++;
	return 0;
}

/* Parses buf in two pieces cut at cut, as fuzz-davxml.c does. */
static void
corpus_dav_pass(struct corpus_dav *cd, const char *buf, size_t len, size_t cut)
{
	struct davxml *x;
	struct err err;

	x = davxml_new(corpus_dav_cb, cd);
	cd->rc = davxml_feed(x, buf, cut, false, &err);
	if (cd->rc == 0)
		cd->rc = davxml_feed(x, buf + cut, len - cut, true, &err);
	if (cd->rc != 0 && (err.cls != ERR_DATA || err.msg[0] == '\0'))
		fail_msg("%s: failed with class %d '%s'", cd->name, err.cls,
		    err.msg);
	davxml_free(x);
}

static void
corpus_davxml(const char *name, const char *buf, size_t len)
{
	struct corpus_dav split = { .name = name }, whole = { .name = name };

	corpus_dav_pass(&split, buf, len,
	    len > 0 ? (unsigned char)buf[0] % (len + 1) : 0);
	corpus_dav_pass(&whole, buf, len, len);
	/* Where the network cuts a document must not change what it says. */
	if (split.rc != whole.rc || split.calls != whole.calls)
		fail_msg("%s: split parse gave %d/%lu, whole %d/%lu", name,
		    split.rc, split.calls, whole.rc, whole.calls);
}

static void
corpus_config(const char *name, const char *buf, size_t len)
{
	struct config cfg;
	struct err err;
	char path[1024];
	int fd;

	/* Private, as fuzz-config.c's memfd is, so 'password' is accepted. */
	snprintf(path, sizeof path, "%s/corpus.conf", test_tmpdir());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_not_equal(fd, -1);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
	if (config_load(path, &cfg, &err) != 0) {
		if (err.cls != ERR_FINAL ||
		    strncmp(err.msg, path, strlen(path)) != 0)
			fail_msg("%s: failed with class %d '%s'", name, err.cls,
			    err.msg);
		return;
	}
	if (cfg.path == NULL || strcmp(cfg.path, path) != 0)
		fail_msg("%s: config path not kept", name);
	config_free(&cfg);
}

/* One answer of a token endpoint, as fuzz-oauth.c parses it. */
static void
corpus_oauth(const char *name, const char *buf, size_t len)
{
	struct oauth_reply r;
	struct err err;

	if (oauth_reply_parse(buf, len, &r, &err) != 0) {
		if (err.cls != ERR_WAIT || err.msg[0] == '\0')
			fail_msg("%s: failed with class %d '%s'", name, err.cls,
			    err.msg);
		if (strcmp(name, "duplicate-key") != 0 &&
		    strcmp(name, "nul-in-token") != 0)
			fail_msg("%s: refused: %s", name, err.msg);
		return;
	}
	if (strcmp(name, "duplicate-key") == 0 ||
	    strcmp(name, "nul-in-token") == 0)
		fail_msg("%s: accepted", name);
	if (r.error_description != NULL &&
	    strpbrk(r.error_description, "\033\007\r\n") != NULL)
		fail_msg("%s: control characters kept", name);
	oauth_reply_clear(&r);
}

static void
test_corpus_oauth(void **state)
{
	(void)state;
	corpus_replay("oauth", corpus_oauth);
}

static void
test_corpus_mail(void **state)
{
	corpus_replay("mail", corpus_mail);
}

static void
test_corpus_event(void **state)
{
	corpus_replay("event", corpus_event);
}

/*
 * One input of fuzz-graph.c: an event's JSON to iCalendar and parsed;
 * what is refused says why, what is made parses.
 */
static void
corpus_graph(const char *name, const char *buf, size_t len)
{
	struct ical_file f;
	struct err err;
	const char *why = NULL;
	char *text;

	text = graph_event_ical(buf, len, NULL, &why);
	if (text == NULL) {
		if (why == NULL)
			fail_msg("%s: refused without a reason", name);
		return;
	}
	if (event_parse(text, strlen(text), CORPUS_FROM, CORPUS_TO,
	    "Europe/Amsterdam", name, &f, &err) != 0)
		fail_msg("%s: its iCalendar does not parse: %s", name, err.msg);
	if (f.nevents != 1)
		fail_msg("%s: %zu events, not one", name, f.nevents);
	ical_file_free(&f);
	free(text);
}

static void
test_corpus_graph(void **state)
{
	corpus_replay("graph", corpus_graph);
}

static void
test_corpus_davxml(void **state)
{
	corpus_replay("davxml", corpus_davxml);
}

/* The decoder's sink of the davgzip replay: the parser. */
static int
corpus_dav_feed(const char *data, size_t len, void *arg, struct err *err)
{
	return davxml_feed(arg, data, len, false, err);
}

/*
 * One input of fuzz-davgzip.c, decoded and parsed the way that harness
 * does; *cd gets the result.
 */
static void
corpus_davgzip_pass(struct corpus_dav *cd, const char *buf, size_t len)
{
	static const char *const codings[] = { "gzip", "deflate", NULL, "x-gzip" };
	struct http_decoder *d;
	struct davxml *x;
	struct err err = { 0 };
	size_t step, off, n;

	cd->rc = 0;
	if (len < 1)
		return;
	step = 1 + ((size_t)((unsigned char)buf[0] >> 2) * 263) % 16384;
	d = http_decoder_new(codings[(unsigned char)buf[0] & 3], HTTP_MAX_BODY,
	    &err);
	assert_non_null(d);
	x = davxml_new(corpus_dav_cb, cd);
	for (off = 1; off < len && cd->rc == 0; off += n) {
		n = len - off < step ? len - off : step;
		cd->rc = http_decoder_feed(d, buf + off, n, corpus_dav_feed, x,
		    &err);
	}
	if (cd->rc == 0)
		cd->rc = http_decoder_finish(d, &err);
	if (cd->rc == 0)
		cd->rc = davxml_feed(x, NULL, 0, true, &err);
	if (cd->rc != 0 && (err.cls == ERR_NONE || err.msg[0] == '\0'))
		fail_msg("%s: failed with class %d '%s'", cd->name, err.cls,
		    err.msg);
	if (http_decoder_total(d) > HTTP_MAX_BODY)
		fail_msg("%s: decoded past the cap", cd->name);
	davxml_free(x);
	http_decoder_free(d);
}

/*
 * Beyond not crashing: a fixture compressed (gzip-, deflate-, members-,
 * plain-NAME) says what tests/data/dav/NAME.xml says, and every bomb- is
 * refused at a limit.
 */
static void
corpus_davgzip(const char *name, const char *buf, size_t len)
{
	static const char *const prefixes[] = { "gzip-", "deflate-", "members-",
	    "plain-" };
	struct corpus_dav got = { .name = name }, want = { .name = name };
	char rel[256], *doc;
	size_t i, n, dlen;

	corpus_davgzip_pass(&got, buf, len);
	if (strncmp(name, "bomb-", 5) == 0 && strcmp(name, "bomb-blank") != 0 &&
	    got.rc == 0)
		fail_msg("%s: not refused", name);
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) != 0)
			continue;
		snprintf(rel, sizeof rel, "dav/%s.xml", name + n);
		doc = test_read_data(rel, &dlen);
		corpus_dav_pass(&want, doc, dlen, dlen);
		free(doc);
		if (got.rc != want.rc || got.calls != want.calls)
			fail_msg("%s: decoded gave %d/%lu, plain %d/%lu", name,
			    got.rc, got.calls, want.rc, want.calls);
	}
}

static void
test_corpus_davgzip(void **state)
{
	(void)state;
	corpus_replay("davgzip", corpus_davgzip);
}

static void
test_corpus_config(void **state)
{
	corpus_replay("config", corpus_config);
}

static int
setup_group(void **state)
{
	log_level = LOG_LVL_ERROR;
	return 0;
}

static int
teardown_group(void **state)
{
	test_tmpdir_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_mail),
		cmocka_unit_test(test_corpus_event),
		cmocka_unit_test(test_corpus_graph),
		cmocka_unit_test(test_corpus_davxml),
		cmocka_unit_test(test_corpus_davgzip),
		cmocka_unit_test(test_corpus_config),
		cmocka_unit_test(test_corpus_oauth),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
