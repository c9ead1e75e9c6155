/* SPDX-License-Identifier: MIT */
/*
 * Tests of config.c and secret.c: every key of a full fixture, defaults,
 * value syntaxes (lists, durations, booleans, days), [rules] and [phases]
 * overrides, a table of bad files with their exact "FILE:LINE: ..." error,
 * the password file-mode rule, the shipped example, and config_secret().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "classify.h"
#include "config.h"
#include "helpers.h"
#include "secret.h"
#include "util.h"

/* Writes text to NAME in the temp dir with mode; returns the path (static). */
static const char *
write_conf(const char *name, const char *text, mode_t mode)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", test_tmpdir(), name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void
assert_list(const struct strlist *l, const char *const *want, size_t n)
{
	size_t i;

	assert_int_equal(l->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(l->v[i], want[i]);
}

#define LIST(l, ...) do {						\
	static const char *const want_[] = { __VA_ARGS__ };		\
	assert_list((l), want_, sizeof want_ / sizeof want_[0]);	\
} while (0)

static void
test_config_full(void **state)
{
	struct config cfg;
	struct err err;
	const struct source *s;
	(void)state;

	if (config_load(test_data_path("conf/full.conf"), &cfg, &err) != 0)
		fail_msg("%s", err.msg);

	assert_string_equal(cfg.database, "/srv/sc/test.db");
	assert_string_equal(cfg.timezone, "Europe/Amsterdam");
	LIST(&cfg.internal_domains, "brightline.nl", "brightline.com");
	LIST(&cfg.ignore_domains, "bank.nl", "leverancier.nl");
	LIST(&cfg.freemail_domains, "mijnmail.nl");
	assert_int_equal(cfg.stale_after_days, 90);
	assert_int_equal(cfg.reopen_after_days, 3);
	assert_int_equal(cfg.backfill_days, 30);
	assert_int_equal(cfg.silence_days, 10);
	assert_int_equal(cfg.usual_quiet_days, 21);
	assert_int_equal(cfg.confirmation_days, 10);
	assert_int_equal(cfg.retention_days, 730);
	assert_int_equal(cfg.workers, 2);
	assert_false(cfg.store_subjects);
	assert_int_equal(cfg.working_days, 0x2f);	/* mon-thu, sat */

	assert_int_equal(cfg.npeople, 2);
	assert_string_equal(cfg.people[0].key, "anna");
	assert_string_equal(cfg.people[0].name, "Anna de Vries");
	LIST(&cfg.people[0].email, "anna@brightline.nl",
	    "a.devries@brightline.nl");
	assert_string_equal(cfg.people[0].manager, "piet@brightline.nl");
	assert_int_equal(cfg.people[0].line, 22);
	assert_string_equal(cfg.people[1].name, "bram");	/* the key */
	assert_null(cfg.people[1].manager);

	assert_int_equal(cfg.nsources, 4);
	s = &cfg.sources[0];
	assert_int_equal(s->type, SOURCE_IMAP);
	assert_string_equal(s->key, "anna");
	assert_string_equal(s->name, "imap:anna");
	assert_string_equal(s->salesperson, "anna");
	assert_string_equal(s->url, "imaps://imap.brightline.nl");
	assert_string_equal(s->user, "anna@brightline.nl");
	assert_string_equal(s->password.command, "printf 'x#y\\n'");
	assert_null(s->password.env);
	assert_string_equal(s->token.command, "oauth2-token anna");
	assert_string_equal(s->auth, "xoauth2");
	assert_int_equal(s->tls, TLS_NONE);
	assert_string_equal(s->ca_file, "/etc/ssl/test-ca.pem");
	LIST(&s->folders, "INBOX", "Verzonden items");
	assert_int_equal(s->poll_interval, 300);
	assert_int_equal(s->timeout, 90);
	assert_int_equal(s->line, 30);

	s = &cfg.sources[1];
	assert_string_equal(s->name, "imap:anna-2");
	assert_string_equal(s->salesperson, "anna");
	assert_string_equal(s->password.env, "ANNA2_PW");
	assert_int_equal(s->tls, TLS_DEFAULT);
	assert_int_equal(s->poll_interval, 300);
	assert_int_equal(s->timeout, 60);

	s = &cfg.sources[2];
	assert_int_equal(s->type, SOURCE_CALDAV);
	assert_string_equal(s->user, "bram");
	assert_string_equal(s->password.env, "BRAM_DAV");
	LIST(&s->calendars, "Werk", "Afspraken");
	assert_int_equal(s->poll_interval, 3600);
	assert_int_equal(s->timeout, 30);

	s = &cfg.sources[3];
	assert_int_equal(s->type, SOURCE_ICS);
	assert_string_equal(s->name, "ics:bram");
	assert_string_equal(s->salesperson, "bram");

	assert_string_equal(cfg.smtp.url, "smtps://smtp.brightline.nl");
	assert_string_equal(cfg.smtp.user, "salescycle@brightline.nl");
	assert_string_equal(cfg.smtp.password.command, "pass show smtp");
	assert_string_equal(cfg.smtp.from, "salescycle@brightline.nl");
	assert_int_equal(cfg.smtp.tls, TLS_DEFAULT);
	assert_string_equal(cfg.smtp.ca_file, "/etc/ssl/smtp-ca.pem");
	assert_string_equal(cfg.digest.schedule, "mon 08:05");
	assert_string_equal(cfg.digest.period, "week");
	LIST(&cfg.digest.to, "piet@brightline.nl", "directie@brightline.nl");

	assert_float_equal(cfg.targets.appointments_per_day, 2.5, 1e-9);
	assert_float_equal(cfg.targets.offers_per_week, 4, 1e-9);
	assert_float_equal(cfg.targets.conversion[1], 0.3, 1e-9);
	assert_float_equal(cfg.targets.conversion[2], 0.5, 1e-9);
	assert_float_equal(cfg.targets.conversion[0], 0, 1e-9);
	assert_float_equal(cfg.targets.prior_win[2], 0.25, 1e-9);
	assert_float_equal(cfg.targets.prior_win[3], 0.9, 1e-9);
	config_free(&cfg);
}

static void
test_config_defaults(void **state)
{
	struct config cfg, def;
	struct rules rules;
	struct err err;
	(void)state;

	config_defaults(&def);
	if (config_load(test_data_path("conf/minimal.conf"), &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(def.database, LOCALSTATEDIR
	    "/lib/salescycle/salescycle.db");
	assert_string_equal(cfg.database, def.database);
	assert_string_equal(cfg.timezone, util_system_tz());
	assert_string_equal(cfg.currency, "EUR");
	assert_int_equal(cfg.stale_after_days, 120);
	assert_int_equal(cfg.reopen_after_days, 7);
	assert_int_equal(cfg.backfill_days, 365);
	assert_int_equal(cfg.silence_days, 14);
	assert_int_equal(cfg.usual_quiet_days, 14);
	assert_int_equal(cfg.confirmation_days, 14);
	assert_int_equal(cfg.retention_days, 0);
	assert_int_equal(cfg.workers, 4);
	assert_int_equal(cfg.keep_connections, 32);
	assert_true(cfg.store_subjects);
	assert_int_equal(cfg.working_days, 0x1f);
	assert_int_equal(cfg.internal_domains.n, 0);
	assert_null(cfg.smtp.url);
	assert_null(cfg.digest.schedule);

	assert_int_equal(cfg.npeople, 1);
	assert_string_equal(cfg.people[0].name, "carla");
	assert_int_equal(cfg.nsources, 1);
	assert_string_equal(cfg.sources[0].salesperson, "carla");
	assert_int_equal(cfg.sources[0].poll_interval, 300);
	assert_int_equal(cfg.sources[0].timeout, 60);
	assert_int_equal(cfg.sources[0].tls, TLS_DEFAULT);
	assert_null(cfg.sources[0].auth);

	/* Rules untouched by the file are the classifier's defaults. */
	memset(&rules, 0, sizeof rules);
	classify_default_rules(&rules);
	assert_true(rules.offer_subject.n > 0);
	assert_list(&cfg.rules.offer_subject, (const char *const *)
	    rules.offer_subject.v, rules.offer_subject.n);
	assert_list(&cfg.rules.order_attachment, (const char *const *)
	    rules.order_attachment.v, rules.order_attachment.n);
	assert_int_equal(cfg.rules.verbal_phrase.n, 0);
	strlist_clear(&rules.offer_subject);
	strlist_clear(&rules.offer_attachment);
	strlist_clear(&rules.order_subject);
	strlist_clear(&rules.order_attachment);
	strlist_clear(&rules.call_summary);
	strlist_clear(&rules.demo_summary);
	strlist_clear(&rules.reply_prefix);
	strlist_clear(&rules.forward_prefix);
	strlist_clear(&rules.noreply_sender);
	strlist_clear(&rules.autoreply_subject);
	strlist_clear(&rules.verbal_phrase);
	strlist_clear(&rules.lost_phrase);
	config_free(&cfg);
	config_free(&def);
}

/* DESIGN section 4: the default cycle and where each kind enters it. */
static void
test_config_phases_default(void **state)
{
	static const struct {
		enum signal_kind kind;
		const char	*phase;
	} rows[] = {
		{ SIG_TARGET, "selection" }, { SIG_CALL, "selection" },
		{ SIG_APPOINTMENT, "suspect" }, { SIG_DEMO, "prospect" },
		{ SIG_OFFER_SENT, "offer" }, { SIG_VERBAL_ORDER, "closing" },
		{ SIG_ORDER_CONFIRMED, "closing" }, { SIG_LOST, NULL },
		{ SIG_CONTACT, NULL }, { SIG_DECISION, NULL },
		{ SIG_MANUAL, NULL },
	};
	struct config cfg;
	size_t i;
	(void)state;

	config_defaults(&cfg);
	assert_int_equal(cfg.phases.n, 5);
	assert_string_equal(cfg.phases.name[0], "selection");
	assert_string_equal(cfg.phases.name[4], "closing");
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		if (rows[i].phase == NULL)
			assert_int_equal(cfg.phases.enters[rows[i].kind],
			    PHASE_NONE);
		else
			assert_string_equal(cfg.phases.name[
			    cfg.phases.enters[rows[i].kind]], rows[i].phase);
	}
	assert_int_equal(config_phase_index(&cfg, "Offer"), 3);
	assert_int_equal(config_phase_index(&cfg, "quote"), PHASE_NONE);
	config_free(&cfg);
}

static void
test_config_phases_custom(void **state)
{
	struct config cfg;
	struct err err;
	(void)state;

	if (config_load(test_data_path("conf/full.conf"), &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.phases.n, 4);
	assert_int_equal(config_phase_index(&cfg, "lead"), 0);
	assert_int_equal(config_phase_index(&cfg, "deal"), 3);
	assert_int_equal(config_phase_index(&cfg, "offer"), PHASE_NONE);
	assert_int_equal(cfg.phases.enters[SIG_TARGET], 0);
	assert_int_equal(cfg.phases.enters[SIG_APPOINTMENT], 1);
	assert_int_equal(cfg.phases.enters[SIG_DEMO], PHASE_NONE);
	assert_int_equal(cfg.phases.enters[SIG_OFFER_SENT], 2);
	assert_int_equal(cfg.phases.enters[SIG_ORDER_CONFIRMED], 3);
	assert_int_equal(cfg.phases.enters[SIG_LOST], PHASE_NONE);
	config_free(&cfg);
}

static void
test_config_rules_replace(void **state)
{
	struct config cfg;
	struct err err;
	(void)state;

	if (config_load(test_data_path("conf/full.conf"), &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	LIST(&cfg.rules.offer_subject, "aanbieding", "prijsopgave");
	LIST(&cfg.rules.offer_attachment, "aanbieding*.pdf");
	LIST(&cfg.rules.order_subject, "akkoord");
	LIST(&cfg.rules.order_attachment, "akkoord*");
	LIST(&cfg.rules.call_summary, "belafspraak");
	LIST(&cfg.rules.demo_summary, "workshop");
	LIST(&cfg.rules.reply_prefix, "re");
	LIST(&cfg.rules.forward_prefix, "fwd");
	LIST(&cfg.rules.noreply_sender, "robot*");
	LIST(&cfg.rules.autoreply_subject, "op vakantie");
	LIST(&cfg.rules.verbal_phrase, "we gaan akkoord");
	assert_int_equal(cfg.rules.lost_phrase.n, 0);
	config_free(&cfg);
}

/*
 * [rules] languages chooses whose defaults apply, after or before a list
 * set in the file, which stays as set.
 */
static void
test_config_rules_languages(void **state)
{
	static const char *const texts[] = {
		"[rules]\nlanguages = DE, fr\norder_subject = akkoord\n",
		"[rules]\norder_subject = akkoord\nlanguages = de, fr\n",
	};
	struct config cfg;
	struct err err;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		if (config_load(write_conf("lang.conf", texts[i], 0600), &cfg,
		    &err) != 0)
			fail_msg("%s", err.msg);
		LIST(&cfg.rules.languages, "de", "fr");
		LIST(&cfg.rules.order_subject, "akkoord");
		assert_true(strlist_contains(&cfg.rules.offer_subject,
		    "angebot"));
		assert_true(strlist_contains(&cfg.rules.offer_subject,
		    "devis"));
		assert_false(strlist_contains(&cfg.rules.offer_subject,
		    "offerte"));
		assert_false(strlist_contains(&cfg.rules.offer_subject,
		    "quotation"));
		assert_true(strlist_contains(&cfg.rules.autoreply_subject,
		    "réponse automatique"));
		assert_false(strlist_contains(&cfg.rules.autoreply_subject,
		    "out of office"));
		config_free(&cfg);
	}
}

/* One key in a small valid file; the check reads the parsed field. */
struct value_row {
	const char	*section;
	const char	*line;
	int		 want;
};

static int
load_value(const struct value_row *row, int which)
{
	struct config cfg;
	struct err err;
	char text[512];
	int got = -1;

	snprintf(text, sizeof text, "[salesperson a]\nemail = a@x.nl\n"
	    "[%s]\n%s\n", row->section, row->line);
	if (config_load(write_conf("value.conf", text, 0600), &cfg, &err) != 0)
		fail_msg("%s: %s", row->line, err.msg);
	switch (which) {
	case 0:
		got = cfg.sources[0].poll_interval;
		break;
	case 1:
		got = cfg.store_subjects;
		break;
	case 2:
		got = (int)cfg.working_days;
		break;
	}
	config_free(&cfg);
	return got;
}

/*
 * The configuration accepts a manager, an [smtp] from and a [digest] to
 * exactly when the digest can send to it: one address check for both.
 * "boss(sales)@acme.nl" and the like were accepted here and refused at
 * send time.
 */
static void
test_config_addresses_sendable(void **state)
{
	static const char *const addrs[] = {
		"boss@acme.nl", "o'brien@acme.nl", "boss(sales)@acme.nl",
		"boss[1]@acme.nl", "boss:x@acme.nl", "bo\\ss@acme.nl",
		"boss@acme.nl\x7f", "boss\x01@acme.nl", "boss", "@acme.nl",
		"a@b@acme.nl", "<boss@acme.nl>", "pi\xff" "et@acme.nl",
	};
	static const char *const keys[] = { "manager", "from", "to" };
	struct config cfg;
	struct err err;
	char text[512], line[128];
	size_t i, k;
	int rc;

	(void)state;
	for (k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		for (i = 0; i < sizeof addrs / sizeof addrs[0]; i++) {
			snprintf(line, sizeof line, "%s = %s", keys[k], addrs[i]);
			snprintf(text, sizeof text, "[salesperson a]\n"
			    "email = a@x.nl\n%s\n[smtp]\nurl = smtp://h\n%s\n"
			    "[digest]\nschedule = mon 08:00\n%s\n",
			    k == 0 ? line : "", k == 1 ? line : "from = s@x.nl",
			    k == 2 ? line : "");
			rc = config_load(write_conf("addr.conf", text, 0600),
			    &cfg, &err);
			if ((rc == 0) != util_valid_address(addrs[i]))
				fail_msg("%s: config %s (%s), send %s", line,
				    rc == 0 ? "accepts" : "refuses",
				    rc == 0 ? "" : err.msg,
				    util_valid_address(addrs[i]) ? "accepts" :
				    "refuses");
			if (rc == 0)
				config_free(&cfg);
		}
	}
}

static void
test_config_durations(void **state)
{
	static const struct value_row rows[] = {
		{ "imap a", "url = imaps://h\npoll_interval = 300", 300 },
		{ "imap a", "url = imaps://h\npoll_interval = 45s", 45 },
		{ "imap a", "url = imaps://h\npoll_interval = 5m", 300 },
		{ "imap a", "url = imaps://h\npoll_interval = 1h", 3600 },
		{ "imap a", "url = imaps://h\npoll_interval = 2d", 172800 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(load_value(&rows[i], 0), rows[i].want);
}

static void
test_config_booleans(void **state)
{
	static const struct value_row rows[] = {
		{ "general", "store_subjects = yes", 1 },
		{ "general", "store_subjects = No", 0 },
		{ "general", "store_subjects = true", 1 },
		{ "general", "store_subjects = false", 0 },
		{ "general", "store_subjects = on", 1 },
		{ "general", "store_subjects = OFF", 0 },
		{ "general", "store_subjects = 1", 1 },
		{ "general", "store_subjects = 0", 0 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(load_value(&rows[i], 1), rows[i].want);
}

static void
test_config_working_days(void **state)
{
	static const struct value_row rows[] = {
		{ "general", "working_days = mon..fri", 0x1f },
		{ "general", "working_days = mon-fri", 0x1f },
		{ "general", "working_days = Monday, wednesday, FRI", 0x15 },
		{ "general", "working_days = sun..thu", 0x4f },
		{ "general", "working_days = sat, sun", 0x60 },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++)
		assert_int_equal(load_value(&rows[i], 2), rows[i].want);
}

struct bad_row {
	const char	*what;
	mode_t		 mode;
	const char	*text;
	int		 line;
	const char	*msg;	/* start of the message after "FILE:LINE: " */
};

static const struct bad_row bad_rows[] = {
	{ "unknown key", 0600, "[general]\ncolour = blue\n", 2,
	    "unknown key 'colour'" },
	{ "unknown language", 0600, "[rules]\nlanguages = nl, es\n", 2,
	    "unknown language 'es' in 'languages' (nl, en, de, fr)" },
	{ "no language", 0600, "[rules]\nlanguages = ,\n", 2,
	    "'languages' needs one or more of nl, en, de, fr" },
	{ "unknown section", 0600, "[general]\n\n[colours]\n", 3,
	    "unknown section [colours]" },
	{ "bad number", 0600, "[general]\nworkers = 4x\n", 2,
	    "bad number '4x' for 'workers'" },
	{ "number out of range", 0600, "[general]\nworkers = 0\n", 2,
	    "bad number '0' for 'workers'" },
	{ "negative bound", 0600, "[general]\nkeep_connections = -1\n", 2,
	    "bad number '-1' for 'keep_connections'" },
	{ "negative number", 0600, "[general]\nstale_after_days = -1\n", 2,
	    "bad number '-1' for 'stale_after_days'" },
	{ "bad duration", 0600, "[salesperson a]\nemail = a@x.nl\n[imap a]\n"
	    "url = imaps://h\npoll_interval = 5 min\n", 5,
	    "bad duration '5 min' for 'poll_interval'" },
	{ "zero duration", 0600, "[salesperson a]\nemail = a@x.nl\n[imap a]\n"
	    "url = imaps://h\ntimeout = 0\n", 5,
	    "bad duration '0' for 'timeout'" },
	{ "bad boolean", 0600, "[general]\nstore_subjects = maybe\n", 2,
	    "bad boolean 'maybe' for 'store_subjects'" },
	{ "bad days", 0600, "[general]\nworking_days = mon..fry\n", 2,
	    "bad days 'mon..fry'" },
	{ "password in 0644 file", 0644, "[salesperson a]\nemail = a@x.nl\n"
	    "[imap a]\nurl = imaps://h\npassword = hunter2\n", 5,
	    "'password' in a file readable by group or others" },
	{ "password in 0640 file", 0640, "[smtp]\nurl = smtp://h\n"
	    "from = a@x.nl\npassword = hunter2\n", 4,
	    "'password' in a file readable by group or others" },
	{ "two password sources", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[imap a]\nurl = imaps://h\npassword_env = X\n"
	    "password_command = y\n",
	    6, "'password_command': only one of" },
	{ "undefined salesperson by key", 0600, "[salesperson anna]\n"
	    "email = a@x.nl\n\n[imap bram]\nurl = imaps://h\n", 4,
	    "[imap bram]: salesperson 'bram' is not defined" },
	{ "undefined salesperson by key", 0600, "[salesperson anna]\n"
	    "email = a@x.nl\n[ics anna-2]\nsalesperson = ana\n"
	    "url = https://h/x.ics\n", 3,
	    "[ics anna-2]: salesperson 'ana' is not defined" },
	{ "duplicate section", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[salesperson a]\nemail = b@x.nl\n", 3,
	    "duplicate section [salesperson a]" },
	{ "duplicate singleton", 0600, "[general]\nworkers = 2\n[general]\n", 3,
	    "duplicate section [general]" },
	{ "duplicate key", 0600, "[general]\nworkers = 2\nworkers = 3\n", 3,
	    "duplicate key 'workers'" },
	{ "bad timezone", 0600, "[general]\ntimezone = Mars/Olympus_Mons\n", 2,
	    "unknown time zone 'Mars/Olympus_Mons'" },
	{ "bad currency", 0600, "[general]\ncurrency = euro\n", 2,
	    "bad currency 'euro'" },
	{ "currency sign", 0600, "[general]\ncurrency = \xe2\x82\xac\n", 2,
	    "bad currency" },
	{ "currency digits", 0600, "[general]\ncurrency = E1R\n", 2,
	    "bad currency 'E1R'" },
	{ "repeated phase", 0600, "[phases]\norder = a, b, A\n", 2,
	    "phase 'A' repeats in 'order'" },
	{ "phase not in order", 0600, "[phases]\ndemo = showroom\n", 2,
	    "'demo' enters phase 'showroom', which is not in the phase order" },
	{ "default phase missing", 0600, "[phases]\n\norder = lead, won\n", 3,
	    "'target' enters phase 'selection', which is not in the phase "
	    "order" },
	{ "kind without a phase", 0600, "[phases]\nlost = closing\n", 2,
	    "'lost' does not move a deal to a phase" },
	{ "too many phases", 0600, "[phases]\norder = a,b,c,d,e,f,g,h,i,j,k,l,"
	    "m,n,o,p,q\n", 2, "'order' needs 1 to 16 phases" },
	{ "unknown target phase", 0600, "[targets]\nconversion_nope = 0.3\n", 2,
	    "unknown phase 'nope'" },
	{ "bad fraction", 0600, "[targets]\nprior_offer = 130%\n", 2,
	    "bad fraction '130%' for 'prior_offer'" },
	{ "missing url", 0600, "[salesperson a]\nemail = a@x.nl\n[caldav a]\n"
	    "user = a\n", 3, "[caldav a] needs 'url'" },
	{ "bad url scheme", 0600, "[imap a]\nurl = https://h\n", 2,
	    "bad url 'https://h' (imap:// or imaps://)" },
	{ "key of another source type", 0600,
	    "[caldav a]\nfolders = INBOX\n", 2,
	    "unknown key 'folders'" },
	{ "caldav key in imap", 0600, "[imap a]\ncalendars = Werk\n", 2,
	    "unknown key 'calendars'" },
	{ "imap key in ics", 0600, "[ics a]\nfolders = INBOX\n", 2,
	    "unknown key 'folders'" },
	{ "bad caldav url scheme", 0600, "[caldav a]\nurl = imaps://h\n", 2,
	    "bad url 'imaps://h' (http:// or https://)" },
	{ "bad smtp url scheme", 0600, "[smtp]\nurl = imaps://h\n", 2,
	    "bad url 'imaps://h' (smtp:// or smtps://)" },
	{ "unknown source type", 0600, "[pop3 a]\nurl = pop3://h\n", 1,
	    "unknown section [pop3]" },
	{ "plain http ics", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[ics a]\nurl = http://x.nl/a.ics\n", 3,
	    "[ics a]: url is plain http: use https://, or tls = none" },
	{ "bad auth", 0600, "[imap a]\nauth = cram-md5\n", 2,
	    "bad auth 'cram-md5'" },
	{ "xoauth2 without token", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[imap a]\nurl = imaps://h\nauth = xoauth2\n", 3,
	    "[imap a]: auth = xoauth2 needs 'token_command'" },
	{ "plain http caldav", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[caldav a]\nurl = http://dav.x.nl/\n", 3,
	    "[caldav a]: url is plain http: use https://, or tls = none" },
	{ "password in url", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[caldav a]\nurl = https://a:secret@dav.x.nl/\n", 4,
	    "url with user or password in it" },
	/* A password with '/' ends the host early: its port is no number. */
	{ "password with a slash in url", 0600,
	    "[caldav a]\nurl = https://a:S3cr/et@dav.x.nl/\n", 2,
	    "bad url, not shown as it holds '@' (http:// or https:// and a "
	    "port of digits" },
	/* ... or holds digits first: the host seems one word with a port. */
	{ "password of digits and a slash in url", 0600,
	    "[caldav a]\nurl = https://a:2024S3cr/x@dav.x.nl/\n", 2,
	    "bad url, not shown as it holds '@'" },
	{ "password of digits and a hash in url", 0600,
	    "[caldav a]\nurl = https://a:12#S3cr@dav.x.nl/\n", 2,
	    "bad url, not shown as it holds '@'" },
	{ "bad url with a password", 0600,
	    "[imap a]\nurl = imaps//a:S3cr3t@h\n", 2,
	    "bad url, not shown as it holds '@' (imap:// or imaps://" },
	{ "port no number", 0600, "[caldav a]\nurl = https://h:x/\n", 2,
	    "bad url 'https://h:x/' (http:// or https://)" },
	{ "file ics", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[ics a]\nurl = file:///tmp/a.ics\n", 4,
	    "bad url 'file:///tmp/a.ics' (http:// or https://)" },
	{ "bad address", 0600, "[salesperson a]\nemail = anna\n", 2,
	    "bad address 'anna' in 'email'" },
	{ "salesperson without email", 0600, "[general]\n[salesperson a]\n"
	    "name = A\n", 2, "[salesperson a] needs 'email'" },
	{ "address used twice", 0600, "[salesperson a]\nemail = a@x.nl\n"
	    "[salesperson b]\nemail = A@x.nl\n", 3,
	    "address a@x.nl of [salesperson b] is also salesperson a's" },
	{ "bad schedule", 0600, "[digest]\nschedule = friday 25:00\n", 2,
	    "bad schedule 'friday 25:00'" },
	{ "schedule without smtp", 0600,
	    "[digest]\nschedule = daily 07:30\n", 2,
	    "a digest schedule needs an [smtp] section" },
	{ "smtp without from", 0600, "\n[smtp]\nurl = smtp://h\n", 2,
	    "[smtp] needs 'from'" },
	{ "no equals sign", 0600, "[general]\njust some words\n", 2,
	    "expected KEY = VALUE or [SECTION]" },
	{ "key before any section", 0600, "workers = 2\n", 1,
	    "'workers' before the first section" },
	{ "section without key", 0600, "# x\n[imap]\n", 2,
	    "[imap] needs a key: [imap NAME]" },
	{ "singleton with key", 0600, "[general main]\n", 1,
	    "[general] takes no key" },
	{ "bad section key", 0600, "[salesperson an/na]\n", 1,
	    "bad key 'an/na'" },
	{ "unclosed section", 0600, "[general\n", 1,
	    "bad section header (missing ']')" },
	{ "unknown group", 0600, "[general]\ngroup = no-such-group-here\n", 2,
	    "unknown group 'no-such-group-here'" },
	{ "bad group number", 0600, "[general]\ngroup = 12x\n", 2,
	    "bad group '12x'" },
	{ "empty value", 0600, "[general]\ndatabase =\n", 2,
	    "'database' needs a value" },
};

static void
test_config_bad(void **state)
{
	struct config cfg;
	struct err err;
	char want[1024];
	const char *path;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bad_rows / sizeof bad_rows[0]; i++) {
		path = write_conf("bad.conf", bad_rows[i].text,
		    bad_rows[i].mode);
		snprintf(want, sizeof want, "%s:%d: %s", path, bad_rows[i].line,
		    bad_rows[i].msg);
		if (config_load(path, &cfg, &err) != -1)
			fail_msg("%s: accepted", bad_rows[i].what);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s: got \"%s\", want \"%s...\"",
			    bad_rows[i].what, err.msg, want);
		/* No row's password is shown. */
		assert_null(strstr(err.msg, "S3cr"));
		assert_int_equal(err.cls, ERR_FINAL);
		assert_null(cfg.path);		/* freed on error */
		assert_null(cfg.people);
	}
}

/*
 * An address in a url's path (a server's principal, a calendar named by
 * its owner) is no password: such urls load, with a port or without.
 */
static void
test_config_url_path_at(void **state)
{
	static const char *const urls[] = {
		"https://dav.fastmail.com/dav/calendars/user/anna@fastmail.com/",
		"https://radicale.example:5232/anna@x.nl/werk/",
		"https://localhost:5232/anna@x.nl/",
		"https://127.0.0.1:5232/anna@x.nl/",
		"https://[::1]:5232/anna@x.nl/",
	};
	struct config cfg;
	struct err err;
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		snprintf(text, sizeof text, "[salesperson a]\nemail = a@x.nl\n"
		    "[caldav a]\nurl = %s\nuser = a\n", urls[i]);
		if (config_load(write_conf("at.conf", text, 0600), &cfg,
		    &err) != 0)
			fail_msg("%s: %s", urls[i], err.msg);
		config_free(&cfg);
	}
}

/*
 * Lines of any sane length: inih's own buffer (200 bytes in Debian's
 * build) once cut them off.  An absurd line and a NUL byte are errors
 * with FILE:LINE.
 */
static void
test_config_long_lines(void **state)
{
	static const char nul[] = "[general]\ndatabase = /var/lib/sc.db\0.old\n";
	struct config cfg;
	struct err err;
	struct buf text = { 0 }, url = { 0 }, list = { 0 };
	char want[1100];
	const char *path;
	FILE *f;
	size_t i;
	(void)state;

	/* An Outlook-like feed URL of 420 characters and a long list. */
	buf_puts(&url, "https://outlook.office365.com/owa/calendar/"
	    "0123456789abcdef0123456789abcdef@brightline.nl/");
	for (i = 0; i < 10; i++)
		buf_puts(&url, "a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6");
	buf_puts(&url, "/calendar.ics");
	for (i = 0; i < 40; i++)
		buf_printf(&list, "%sdomain%zu.example.nl", i > 0 ? ", " : "",
		    i);
	buf_printf(&text, "[general]\ninternal_domains = %s\n"
	    "[salesperson anna]\nemail = anna@brightline.nl\n"
	    "[ics anna]\nurl   :   %s   # the published calendar\n",
	    list.data, url.data);
	path = write_conf("long.conf", text.data, 0600);
	if (config_load(path, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(url.len > 400);
	assert_string_equal(cfg.sources[0].url, url.data);
	assert_int_equal(cfg.internal_domains.n, 40);
	assert_string_equal(cfg.internal_domains.v[39], "domain39.example.nl");
	config_free(&cfg);

	/* The same long value twice is a duplicate key on its own line. */
	buf_reset(&text);
	buf_printf(&text, "[salesperson anna]\nemail = anna@brightline.nl\n"
	    "[ics anna]\nurl = %s\nurl = %s\n", url.data, url.data);
	path = write_conf("long.conf", text.data, 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	snprintf(want, sizeof want, "%s:5: duplicate key 'url'", path);
	assert_string_equal(err.msg, want);

	/* A long line without '=' is named as such. */
	buf_reset(&text);
	buf_puts(&text, "[general]\n");
	for (i = 0; i < 30; i++)
		buf_puts(&text, "just some words ");
	buf_puts(&text, "\n");
	path = write_conf("long.conf", text.data, 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	snprintf(want, sizeof want, "%s:2: expected KEY = VALUE or [SECTION]",
	    path);
	assert_string_equal(err.msg, want);

	/* 100 kB on one line is no configuration. */
	buf_reset(&text);
	buf_puts(&text, "[general]\n\ndatabase = /x/");
	for (i = 0; i < 100000; i++)
		buf_append(&text, "a", 1);
	buf_puts(&text, "\n");
	path = write_conf("long.conf", text.data, 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	snprintf(want, sizeof want, "%s:3: line too long", path);
	if (strncmp(err.msg, want, strlen(want)) != 0)
		fail_msg("got \"%s\", want \"%s...\"", err.msg, want);

	/* A NUL byte would cut the value short: an error on its line. */
	path = write_conf("nul.conf", "", 0600);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(nul, 1, sizeof nul - 1, f);
	fclose(f);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	snprintf(want, sizeof want, "%s:2: NUL byte in the line", path);
	assert_string_equal(err.msg, want);

	buf_free(&text);
	buf_free(&url);
	buf_free(&list);
}

/* [general] group by name or number, and core_dumps; both off by default. */
static void
test_config_group_and_core_dumps(void **state)
{
	struct config cfg;
	struct err err;
	const char *path;
	(void)state;

	path = write_conf("g.conf", "[general]\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_null(cfg.group.name);
	assert_false(cfg.core_dumps);
	config_free(&cfg);

	path = write_conf("g.conf", "[general]\ngroup = root\ncore_dumps = yes\n",
	    0600);
	if (config_load(path, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.group.name, "root");
	assert_int_equal(cfg.group.gid, 0);
	assert_true(cfg.core_dumps);
	config_free(&cfg);

	path = write_conf("g.conf", "[general]\ngroup = 4242\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.group.gid, 4242);
	config_free(&cfg);
}

/* The same 'password' line is accepted once the file is private. */
static void
test_config_password_private(void **state)
{
	struct config cfg;
	struct err err;
	char *pw = NULL;
	const char *path;
	(void)state;

	path = write_conf("private.conf", "[salesperson a]\nemail = a@x.nl\n"
	    "[imap a]\nurl = imaps://h\npassword = hunter2 # not a comment?\n",
	    0600);
	if (config_load(path, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.sources[0].password.value, "hunter2");
	assert_int_equal(config_secret(&cfg.sources[0].password, &pw, &err), 0);
	assert_string_equal(pw, "hunter2");
	free(pw);
	config_free(&cfg);

	chmod(path, 0644);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_null(strstr(err.msg, "hunter2"));
}

static void
test_config_missing_file(void **state)
{
	struct config cfg;
	struct err err;
	char path[512];
	(void)state;

	snprintf(path, sizeof path, "%s/does-not-exist.conf", test_tmpdir());
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_int_equal(strncmp(err.msg, path, strlen(path)), 0);
	assert_int_equal(config_load(test_tmpdir(), &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

/* The shipped example loads, from a private copy (it has a password). */
static void
test_config_example(void **state)
{
	struct config cfg;
	struct err err;
	char *text;
	const char *path;
	(void)state;

	text = test_read_data("../../contrib/salescycle.conf.example", NULL);
	path = write_conf("example.conf", text, 0600);
	free(text);
	if (config_load(path, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cfg.npeople, 3);
	assert_non_null(config_salesperson(&cfg, "carla"));
	assert_string_equal(config_salesperson(&cfg, "bram")->manager,
	    "piet@brightline.nl");
	assert_true(cfg.nsources >= 3);
	assert_non_null(cfg.smtp.url);
	assert_non_null(cfg.digest.schedule);
	config_free(&cfg);
}

static void
test_config_lookup(void **state)
{
	struct config cfg;
	struct err err;
	(void)state;

	if (config_load(test_data_path("conf/full.conf"), &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(config_salesperson(&cfg, "bram")->key, "bram");
	assert_null(config_salesperson(&cfg, "carla"));
	assert_null(config_salesperson(&cfg, NULL));
	assert_string_equal(config_salesperson_by_email(&cfg,
	    "A.DeVries@Brightline.NL")->key, "anna");
	assert_string_equal(config_salesperson_by_email(&cfg,
	    "bram@brightline.nl")->key, "bram");
	assert_null(config_salesperson_by_email(&cfg, "piet@brightline.nl"));
	config_free(&cfg);
}

static void
test_config_default_path(void **state)
{
	const char *p;
	(void)state;

	setenv("SALESCYCLE_CONFIG", "/tmp/x.conf", 1);
	assert_string_equal(config_default_path(), "/tmp/x.conf");
	unsetenv("SALESCYCLE_CONFIG");
	p = config_default_path();
	assert_string_equal(p, SYSCONFDIR "/salescycle.conf");
}

struct secret_row {
	const char	*command;
	int		 rc;
	const char	*out;	/* rc 0: the secret; rc -1: the message */
};

static void
test_config_secret_command(void **state)
{
	static const struct secret_row rows[] = {
		{ "printf 's3cret\\nsecond line\\n'", 0, "s3cret" },
		{ "printf 'no newline'", 0, "no newline" },
		{ "printf 'crlf\\r\\n'", 0, "crlf" },
		{ "echo leaked; exit 3", -1, "[imap anna]: command exited with "
		    "status 3" },
		{ "true", -1, "[imap anna]: command printed nothing" },
		{ "kill -TERM $$", -1,
		    "[imap anna]: command killed by signal 15" },
	};
	struct secret s = { .owner = "[imap anna]" };
	struct err err;
	char *out;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s.command = (char *)rows[i].command;
		out = (char *)"unset";
		err_clear(&err);
		assert_int_equal(config_secret(&s, &out, &err), rows[i].rc);
		if (rows[i].rc == 0) {
			assert_string_equal(out, rows[i].out);
			free(out);
		} else {
			assert_null(out);
			assert_string_equal(err.msg, rows[i].out);
			assert_int_equal(err.cls, ERR_WAIT);
			assert_null(strstr(err.msg, "leaked"));
		}
	}
}

static void
test_config_secret_timeout(void **state)
{
	struct err err;
	char *out = NULL;
	time_t start = time(NULL);
	(void)state;

	/* The background sleep keeps stdout open: the group must be killed. */
	assert_int_equal(secret_command("sleep 20 & echo partial; sleep 20",
	    "[smtp]", 300, &out, &err), -1);
	assert_null(out);
	assert_string_equal(err.msg, "[smtp]: command timed out after 300 ms");
	assert_true(time(NULL) - start < 10);
}

/* A command is given up when the program stops (SIGTERM), not at its timeout. */
static void
test_config_secret_stop(void **state)
{
	static volatile sig_atomic_t stop;
	struct err err;
	char *out = NULL;
	(void)state;

	secret_set_stop(&stop);
	stop = 1;
	assert_int_equal(secret_command("echo late; sleep 20", "[imap anna]",
	    30000, &out, &err), -1);
	assert_null(out);
	assert_int_equal(err.cls, ERR_TEMP);
	assert_string_equal(err.msg, "[imap anna]: command stopped: the "
	    "program is stopping");
	stop = 0;
	assert_int_equal(secret_command("echo pw", "[imap anna]", 30000, &out,
	    &err), 0);
	assert_string_equal(out, "pw");
	free(out);
	secret_set_stop(NULL);
}

static void
test_config_secret_env(void **state)
{
	struct secret s = { .env = "SC_TEST_SECRET", .owner = "[caldav bram]" };
	struct secret none = { .owner = "[ics x]" };
	struct err err;
	char *out = NULL;
	(void)state;

	setenv("SC_TEST_SECRET", "from-env", 1);
	assert_int_equal(config_secret(&s, &out, &err), 0);
	assert_string_equal(out, "from-env");
	free(out);
	unsetenv("SC_TEST_SECRET");
	assert_int_equal(config_secret(&s, &out, &err), -1);
	assert_null(out);
	assert_string_equal(err.msg, "[caldav bram]: environment variable "
	    "SC_TEST_SECRET is not set");
	assert_int_equal(config_secret(&none, &out, &err), 0);
	assert_null(out);
}

static int
teardown_group(void **state)
{
	(void)state;
	test_tmpdir_cleanup();
	return 0;
}

/* A relative database path is relative to the configuration's folder. */
static void
test_config_database_relative(void **state)
{
	struct config cfg;
	struct err err;
	const char *path;
	char want[1024];
	(void)state;

	path = write_conf("rel.conf", "[general]\ndatabase = sub/sc.db\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	snprintf(want, sizeof want, "%s/sub/sc.db", test_tmpdir());
	assert_string_equal(cfg.database, want);
	config_free(&cfg);
	path = write_conf("abs.conf", "[general]\ndatabase = /var/x.db\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_string_equal(cfg.database, "/var/x.db");
	config_free(&cfg);
}

/* [general] currency: a three-letter code, upper-cased. */
static void
test_config_currency(void **state)
{
	struct config cfg;
	struct err err;
	char path[512];
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/currency.conf", test_tmpdir());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[general]\ncurrency = usd\n[salesperson anna]\n"
	    "email = anna@brightline.nl\n", f);
	fclose(f);
	if (config_load(path, &cfg, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(cfg.currency, "USD");
	config_free(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_full),
		cmocka_unit_test(test_config_addresses_sendable),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_currency),
		cmocka_unit_test(test_config_database_relative),
		cmocka_unit_test(test_config_phases_default),
		cmocka_unit_test(test_config_phases_custom),
		cmocka_unit_test(test_config_rules_replace),
		cmocka_unit_test(test_config_rules_languages),
		cmocka_unit_test(test_config_durations),
		cmocka_unit_test(test_config_booleans),
		cmocka_unit_test(test_config_working_days),
		cmocka_unit_test(test_config_bad),
		cmocka_unit_test(test_config_url_path_at),
		cmocka_unit_test(test_config_long_lines),
		cmocka_unit_test(test_config_group_and_core_dumps),
		cmocka_unit_test(test_config_password_private),
		cmocka_unit_test(test_config_missing_file),
		cmocka_unit_test(test_config_example),
		cmocka_unit_test(test_config_lookup),
		cmocka_unit_test(test_config_default_path),
		cmocka_unit_test(test_config_secret_command),
		cmocka_unit_test(test_config_secret_timeout),
		cmocka_unit_test(test_config_secret_stop),
		cmocka_unit_test(test_config_secret_env),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_group);
}
