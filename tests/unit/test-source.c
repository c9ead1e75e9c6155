/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of source.c, the layer the drivers share: the poll loop
 * driven by a scripted driver (each collection's outcome, discovery
 * again once a poll, the names done skipped, the first failure
 * returned, a failed batch dropped), the discovery cache as rows, numeric
 * cursors, the doctor reporter, the driver table, the cache of kept
 * connections and the words for a want of descriptors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "helpers.h"
#include "mail.h"
#include "pipeline.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

/* A driver whose collections and outcomes a test scripts. */
struct script {
	const char	*lists[2][4];	/* the first and the rediscovered list */
	int		 listed;	/* discoveries made */
	bool		 second;	/* discovered again after a sync */
	bool		 broken;	/* discovery fails */
	time_t		 cached;	/* what load says: when, or 0 */
	char		 outcome[8];	/* per call of sync: o, s, g or x */
	size_t		 calls;
	char		 synced[128];	/* the names synced, space-separated */
	bool		 pend;		/* leave a batch pending when failing */
	struct mail_summary mail;	/* borrowed: what is left pending */
};

static time_t
script_load(void *arg)
{
	struct script	*sc = arg;

	return sc->cached;
}

static int
script_discover(void *arg, struct err *err)
{
	struct script	*sc = arg;

	if (sc->broken)
		return err_set(err, ERR_TEMP, "no list");
	sc->listed++;
	sc->second = sc->calls > 0;
	return 0;
}

/* The list in use: the first until it was discovered again. */
static const char *const *
script_list(const struct script *sc)
{
	return sc->lists[sc->second ? 1 : 0];
}

static size_t
script_count(void *arg)
{
	const char *const	*l = script_list(arg);
	size_t			 n = 0;

	while (n < 4 && l[n] != NULL)
		n++;
	return n;
}

static const char *
script_name(void *arg, size_t i)
{
	return script_list(arg)[i];
}

static enum source_status
script_sync(void *arg, size_t i, struct pipeline *p, struct err *err)
{
	struct script	*sc = arg;
	char		 o = sc->outcome[sc->calls++];
	size_t		 len = strlen(sc->synced);

	snprintf(sc->synced + len, sizeof sc->synced - len, "%s%s",
	    len > 0 ? " " : "", script_name(arg, i));
	/* A good one commits: whatever is pending then is written. */
	if (o == 'o' || o == '\0')
		return source_commit(p, NULL, 0, err) < 0 ? SOURCE_STOP :
		    SOURCE_OK;
	/* A failed one leaves a message from a customer uncommitted. */
	if (sc->pend)
		pipeline_mail(p, "anna", &sc->mail, false, "half-done");
	err_set(err, ERR_TEMP, "%s failed", script_name(arg, i));
	return o == 's' ? SOURCE_SKIP : o == 'g' ? SOURCE_GONE : SOURCE_STOP;
}

static const char *
script_canon(const char *s)
{
	return strcasecmp(s, "inbox") == 0 ? "INBOX" : s;
}

static const struct source_sync_ops script_ops = {
	.load = script_load,
	.discover = script_discover,
	.count = script_count,
	.name = script_name,
	.sync = script_sync,
	.max_age = 3600,
	.canon = script_canon,
};

/* A store and config for a poll, and a customer's message. */
struct fixture {
	struct config	 cfg;
	struct store	*st;
	struct source	 src;
	struct mail_summary mail;
};

static int
setup(void **state)
{
	struct fixture	*f = xcalloc(1, sizeof *f);
	struct err	 err;
	char		 path[512];
	static int	 n;

	config_defaults(&f->cfg);
	strlist_add(&f->cfg.internal_domains, "brightline.nl");
	test_add_person(&f->cfg, "anna", "anna@brightline.nl");
	mail_addr_list_add(&f->mail.from, "Jan", "jan@acme.nl");
	mail_addr_list_add(&f->mail.to, NULL, "anna@brightline.nl");
	f->mail.subject = xstrdup("Vraag");
	f->mail.message_id = xstrdup("m1@acme.nl");
	f->mail.date = util_now() - 86400;
	f->mail.date_valid = true;
	snprintf(path, sizeof path, "%s/source-%d.db", test_tmpdir(), n++);
	if (store_open(path, 0, &f->st, &err) != 0)
		fail_msg("store_open: %s", err.msg);
	f->src.type = SOURCE_IMAP;
	f->src.name = "imap:anna";
	f->src.key = "anna";
	f->src.salesperson = "anna";
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	store_close(f->st);
	config_free(&f->cfg);
	mail_summary_free(&f->mail);
	free(f);
	test_tmpdir_cleanup();
	return 0;
}

/* Runs a scripted poll; returns source_sync's result. */
static int
run(struct fixture *f, struct script *sc, struct err *err)
{
	volatile sig_atomic_t	stop = 0;

	err_clear(err);
	return source_sync(&script_ops, sc, &f->cfg, &f->src, f->st, &stop,
	    err);
}

static void
test_source_sync_outcomes(void **state)
{
	static const struct {
		const char	*outcome;
		time_t		 cached;	/* 0: none; 1: fresh; 2: stale */
		bool		 pend;
		int		 rc;
		int		 listed;
		const char	*synced;
		const char	*err;
	} rows[] = {
		/* All well, from a fresh cache: nothing discovered. */
		{ "ooo", 1, false, 0, 0, "INBOX Sent Archief", "" },
		/* No cache, a stale one: discovered first. */
		{ "ooo", 0, false, 0, 1, "INBOX Sent Archief", "" },
		{ "ooo", 2, false, 0, 1, "INBOX Sent Archief", "" },
		/* One fails: the others still go; its error is the poll's. */
		{ "osso", 1, true, -1, 0, "INBOX Sent Archief",
		  "Sent failed" },
		{ "oso", 1, true, -1, 0, "INBOX Sent Archief", "Sent failed" },
		/* Stop ends the poll at once. */
		{ "ox", 1, true, -1, 0, "INBOX Sent", "Sent failed" },
		/*
		 * Gone: the list is made again and the loop goes on with
		 * what is new (inbox is INBOX, done already).
		 */
		{ "ogoo", 1, true, 0, 1, "INBOX Sent Verzonden Archief", "" },
		/* Gone in a list made in this poll: a failure like any other. */
		{ "ogo", 0, true, -1, 1, "INBOX Sent Archief", "Sent failed" },
		/* Gone twice: discovered again once only. */
		{ "oggo", 1, true, -1, 1, "INBOX Sent Verzonden Archief",
		  "Verzonden failed" },
	};
	struct fixture	*f = *state;
	struct script	 sc;
	struct pipeline	*p;
	struct err	 err;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		print_message("# %s\n", rows[i].outcome);
		memset(&sc, 0, sizeof sc);
		sc.lists[0][0] = "INBOX";
		sc.lists[0][1] = "Sent";
		sc.lists[0][2] = "Archief";
		sc.lists[1][0] = "inbox";
		sc.lists[1][1] = "Verzonden";
		sc.lists[1][2] = "Archief";
		sc.cached = rows[i].cached == 0 ? 0 : rows[i].cached == 1 ?
		    util_now() - 10 : util_now() - 7200;
		snprintf(sc.outcome, sizeof sc.outcome, "%s", rows[i].outcome);
		sc.pend = rows[i].pend;
		sc.mail = f->mail;
		rc = run(f, &sc, &err);
		assert_int_equal(rc, rows[i].rc);
		assert_int_equal(sc.listed, rows[i].listed);
		assert_string_equal(sc.synced, rows[i].synced);
		assert_string_equal(err.msg, rows[i].err);
		/* What a failed collection left pending was never written. */
		assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
		    "signals WHERE item = ?", "half-done"), 0);
	}
	/* That message does give a signal when its batch is committed. */
	p = pipeline_new(&f->cfg, f->st, f->src.name);
	pipeline_mail(p, "anna", &f->mail, false, "half-done");
	assert_int_equal(source_commit(p, NULL, 0, &err), 1);
	pipeline_free(p);
	assert_int_equal(test_query_int(f->st, "SELECT count(*) FROM "
	    "signals WHERE item = ?", "half-done"), 1);
}

/* A discovery that fails fails the poll; while stopping it fails nothing. */
static void
test_source_sync_discovery_fails(void **state)
{
	struct fixture		*f = *state;
	struct script		 sc;
	struct err		 err;
	volatile sig_atomic_t	 stop = 1;

	memset(&sc, 0, sizeof sc);
	sc.broken = true;
	assert_int_equal(run(f, &sc, &err), -1);
	assert_string_equal(err.msg, "no list");
	assert_int_equal(source_sync(&script_ops, &sc, &f->cfg, &f->src, f->st,
	    &stop, &err), 0);
	assert_string_equal(sc.synced, "");
}

/* The discovery cache as rows: back as it went, or not at all. */
static void
test_source_cache(void **state)
{
	static const char *const fields[] = { "url", "name" };
	struct fixture		*f = *state;
	struct source_cache	 c = { fields, 2, { NULL, 0, 0, NULL }, 0 };
	struct source_cache	 in = { fields, 2, { NULL, 0, 0, NULL }, 0 };
	struct err		 err;
	time_t			 now = util_now();
	char			*rows;

	in.when = now - 100;
	strlist_add(&in.values, "https://dav/cal/");
	strlist_add(&in.values, "Werk\nmet een regel erbij");
	strlist_add(&in.values, "https://dav/prive/");
	strlist_add(&in.values, "Priv\xc3\xa9");
	source_cache_save(f->st, &f->src, "https://dav/\tWerk", &in);
	assert_int_equal(source_cache_count(&in), 2);

	assert_int_equal(source_cache_load(f->st, &f->src, "https://dav/\tWerk",
	    3600, 10, &c), 0);
	assert_int_equal(c.when, now - 100);
	assert_int_equal(source_cache_count(&c), 2);
	assert_string_equal(c.values.v[1], "Werk\nmet een regel erbij");
	assert_string_equal(c.values.v[3], "Priv\xc3\xa9");
	/* The key is stored as a hash, not as the settings. */
	rows = test_dump(f->st, "SELECT value FROM cursors WHERE name = 'key'");
	assert_null(strstr(rows, "dav"));
	free(rows);
	/* Made for other settings, too old, too many: none. */
	assert_int_equal(source_cache_load(f->st, &f->src, "https://dav/",
	    3600, 10, &c), -1);
	assert_int_equal(c.values.n, 0);
	assert_int_equal(source_cache_load(f->st, &f->src, "https://dav/\tWerk",
	    60, 10, &c), -1);
	assert_int_equal(source_cache_load(f->st, &f->src, "https://dav/\tWerk",
	    3600, 1, &c), -1);
	/* A row missing: none. */
	assert_int_equal(store_cursor_set(f->st, f->src.name, "discovery",
	    "name.1", NULL, &err), 0);
	assert_int_equal(source_cache_load(f->st, &f->src, "https://dav/\tWerk",
	    3600, 10, &c), -1);
	/* Saved again, then dropped: none. */
	source_cache_save(f->st, &f->src, "k", &in);
	assert_int_equal(source_cache_load(f->st, &f->src, "k", 3600, 10, &c),
	    0);
	source_cache_drop(f->st, &f->src);
	assert_int_equal(source_cache_load(f->st, &f->src, "k", 3600, 10, &c),
	    -1);
	/* From the future: none. */
	in.when = now + 1000;
	source_cache_save(f->st, &f->src, "k", &in);
	assert_int_equal(source_cache_load(f->st, &f->src, "k", 3600, 10, &c),
	    -1);
	strlist_clear(&in.values);
	strlist_clear(&c.values);
}

static void
test_source_cursor_num(void **state)
{
	static const struct {
		const char		*value;
		unsigned long long	 want;
	} rows[] = {
		{ NULL, 0 }, { "42", 42 }, { "4294967296", 4294967296ULL },
		{ "", 0 }, { "12x", 0 }, { "-1", 0 },
		{ "99999999999999999999999", 0 },
	};
	struct fixture	*f = *state;
	struct err	 err;
	uint64_t	 n;
	size_t		 i;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_int_equal(store_cursor_set(f->st, f->src.name, "INBOX",
		    "uidnext", rows[i].value, &err), 0);
		assert_int_equal(source_cursor_num(f->st, &f->src, "INBOX",
		    "uidnext", &n, &err), 0);
		if (n != rows[i].want && !(rows[i].value != NULL &&
		    rows[i].value[0] == '-'))
			fail_msg("row %zu: %llu", i, (unsigned long long)n);
	}
}

/* Doctor's findings are counted; nothing is said while polling. */
static void
say(void *arg, bool ok, const char *fmt, ...)
{
	struct buf	*b = arg;
	va_list		 ap;
	char		 line[256];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_printf(b, "%s %s\n", ok ? "ok" : "FAIL", line);
}

static void
test_source_report(void **state)
{
	struct buf		b = { NULL, 0, 0 };
	struct source_report	r = { say, &b, 0 };
	struct source_report	quiet = { NULL, NULL, 0 };
	struct err		err;

	(void)state;
	err_clear(&err);
	source_note(&r, true, "connected to %s", "host");
	assert_int_equal(source_report_end(&r, &err), 0);
	source_note(&r, false, "login failed");
	source_note(&r, false, "no \\Sent");
	assert_int_equal(source_report_end(&r, &err), -1);
	assert_string_equal(err.msg, "2 problems found");
	buf_append(&b, "", 0);
	assert_string_equal(b.data, "ok connected to host\nFAIL login failed\n"
	    "FAIL no \\Sent\n");
	/* A failure already said stays the error. */
	err_set(&err, ERR_FINAL, "bad url");
	assert_int_equal(source_report_end(&r, &err), -1);
	assert_string_equal(err.msg, "bad url");
	source_note(&quiet, false, "unheard");
	assert_int_equal(quiet.nfail, 1);
	buf_free(&b);
}

/* The driver table: every source type and section has its driver. */
static void
test_source_drivers(void **state)
{
	static const struct {
		enum source_type type;
		const char	*section;
		bool		 secret;
	} rows[] = {
		{ SOURCE_IMAP, "imap", false },
		{ SOURCE_CALDAV, "caldav", false },
		{ SOURCE_ICS, "ics", true },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_non_null(source_ops_for(rows[i].type));
		assert_ptr_equal(source_ops_by_section(rows[i].section),
		    source_ops_for(rows[i].type));
		assert_int_equal(source_ops_for(rows[i].type)->secret_url,
		    rows[i].secret);
		assert_non_null(source_ops_for(rows[i].type)->schemes[0]);
	}
	assert_null(source_ops_by_section("smtp"));
	assert_null(source_ops_by_section("IMAP"));
}

/* A driver state for the connection cache: whether it is connected. */
struct fake_conn {
	bool	open;
	int	disconnects;
	int	closes;
};

static bool
fake_connected(void *arg)
{
	return ((struct fake_conn *)arg)->open;
}

static void
fake_disconnect(void *arg)
{
	struct fake_conn *c = arg;

	c->open = false;
	c->disconnects++;
}

static void
fake_close(void *arg)
{
	struct fake_conn *c = arg;

	c->open = false;
	c->closes++;
}

static const struct source_ops fake_keeping_ops = {
	.close = fake_close,
	.connected = fake_connected,
	.disconnect = fake_disconnect,
};

/* Like HTTP: nothing worth keeping between polls. */
static const struct source_ops fake_http_ops = {
	.close = fake_close,
	.disconnect = fake_disconnect,
};

/*
 * The cache of kept connections: bounded, the least recently used closed
 * first, a slot taken for a poll out of reach, nothing kept with --once
 * or by a driver that keeps nothing, a lower bound applied at once.
 */
static void
test_source_pool(void **state)
{
	struct source_pool	pool;
	struct fake_conn	c[5];
	struct source_slot	sl[5];
	size_t			i;

	(void)state;
	memset(c, 0, sizeof c);
	memset(sl, 0, sizeof sl);
	source_pool_init(&pool, 2);
	for (i = 0; i < 5; i++) {
		sl[i].state = &c[i];
		sl[i].ops = &fake_keeping_ops;
	}
	/* Three polls: the first, least recently used, is closed. */
	for (i = 0; i < 3; i++) {
		source_pool_take(&pool, &sl[i]);
		c[i].open = true;
		source_pool_put(&pool, &sl[i], true);
	}
	assert_int_equal(pool.nidle, 2);
	assert_false(c[0].open);
	assert_true(c[1].open && c[2].open);
	assert_int_equal(pool.evicted, 1);
	/* 1 polled again (reused): now 2 is the oldest and goes next. */
	source_pool_take(&pool, &sl[1]);
	assert_int_equal(pool.nidle, 1);
	source_pool_put(&pool, &sl[1], true);
	source_pool_take(&pool, &sl[3]);
	c[3].open = true;
	source_pool_put(&pool, &sl[3], true);
	assert_false(c[2].open);
	assert_true(c[1].open && c[3].open);
	/* A poll that lost its connection is not kept. */
	source_pool_take(&pool, &sl[1]);
	c[1].open = false;
	source_pool_put(&pool, &sl[1], true);
	assert_int_equal(pool.nidle, 1);
	/* --once: closed after its poll. */
	source_pool_take(&pool, &sl[4]);
	c[4].open = true;
	source_pool_put(&pool, &sl[4], false);
	assert_false(c[4].open);
	assert_int_equal(pool.nidle, 1);
	/* A driver with nothing worth keeping: disconnected after each poll. */
	sl[0].ops = &fake_http_ops;
	source_pool_take(&pool, &sl[0]);
	c[0].open = true;
	source_pool_put(&pool, &sl[0], true);
	assert_false(c[0].open);
	assert_int_equal(pool.nidle, 1);
	/* A lower bound closes what is beyond it at once. */
	source_pool_set_max(&pool, 0);
	assert_false(c[3].open);
	assert_int_equal(pool.nidle, 0);
	/* Release frees the driver state, kept or not. */
	source_pool_set_max(&pool, 3);
	c[2].open = true;
	source_pool_put(&pool, &sl[2], true);
	source_pool_release(&pool, &sl[2]);
	assert_null(sl[2].state);
	assert_int_equal(c[2].closes, 1);
	assert_int_equal(pool.nidle, 0);
	source_pool_destroy(&pool);
	for (i = 0; i < 5; i++)
		assert_false(c[i].open);
}

/* EMFILE and ENFILE in words: the limit and what to change, never memory. */
static void
test_source_fd_error(void **state)
{
	char	buf[256], want[64];

	(void)state;
	snprintf(want, sizeof want, "too many open files (limit %lu;",
	    source_fd_limit());
	source_fd_error(EMFILE, buf, sizeof buf);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "LimitNOFILE"));
	assert_non_null(strstr(buf, "keep_connections"));
	assert_null(strstr(buf, "memory"));
	source_fd_error(ENFILE, buf, sizeof buf);
	assert_non_null(strstr(buf, "too many open files in the system"));
	assert_null(strstr(buf, "memory"));
	/* The raise gives the hard limit. */
	assert_true(source_fd_raise() >= source_fd_limit());
}

/*
 * An unreachable host and a wrong port are told apart, by the words every
 * driver uses for the connect error, and get different advice.
 */
static void
test_source_connect_words(void **state)
{
	static const struct {
		int		 errnum;
		const char	*words;
		const char	*hint;	/* a part of the hint */
	} rows[] = {
		{ ECONNREFUSED, "connection refused", "check the port" },
		{ EHOSTUNREACH, "host unreachable", "cannot be reached" },
		{ ENETUNREACH, "network unreachable", "cannot be reached" },
		{ ETIMEDOUT, "timed out", "cannot be reached" },
	};
	char		 buf[256], msg[512];
	const char	*hint;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		assert_string_equal(source_connect_error(rows[i].errnum, buf,
		    sizeof buf), rows[i].words);
		snprintf(msg, sizeof msg, "h:1: cannot connect: %s",
		    rows[i].words);
		hint = source_connect_hint(msg);
		assert_non_null(hint);
		if (strstr(hint, rows[i].hint) == NULL)
			fail_msg("%s: %s", rows[i].words, hint);
	}
	hint = source_connect_hint("cannot resolve mail.example.invalid: "
	    "Name or service not known");
	assert_non_null(hint);
	assert_non_null(strstr(hint, "host name"));
	assert_null(strstr(hint, "port"));
	source_connect_error(EMFILE, buf, sizeof buf);
	snprintf(msg, sizeof msg, "h:1: cannot connect: %s", buf);
	assert_null(source_connect_hint(msg));
	assert_null(source_connect_hint("login refused"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_source_sync_outcomes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_sync_discovery_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_cache, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_source_cursor_num, setup,
		    teardown),
		cmocka_unit_test(test_source_report),
		cmocka_unit_test(test_source_drivers),
		cmocka_unit_test(test_source_pool),
		cmocka_unit_test(test_source_fd_error),
		cmocka_unit_test(test_source_connect_words),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
