/* SPDX-License-Identifier: MIT */
/*
 * salescycle doctor: the first thing an admin runs.  It reports on the
 * configuration (already loaded by the CLI), on the database (opened
 * read-only when it exists, else whether salescycled can create it) and
 * on every source, which it connects to read-only through the driver's
 * check (source.h): what works, and for what does not, what to fix.
 *
 * The sources are checked in parallel by up to `workers` threads, each
 * network step bounded by the source's timeout (or --timeout); their
 * reports are printed in configuration order as soon as they are
 * complete.  Nothing is written to a server or to the database.
 */
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cmd.h"
#include "digest.h"
#include "http.h"
#include "log.h"
#include "oauth.h"
#include "source.h"
#include "store-query.h"
#include "util.h"
#include "xmalloc.h"

#define DOCTOR_OPT_TIMEOUT	0x100	/* --timeout */
#define DOCTOR_OPT_SEND_TEST	0x101	/* --send-test */
#define DOCTOR_MAX_TIMEOUT	3600

/* One finding. */
struct doctor_line {
	bool	 ok;
	char	*what;		/* owned */
};

/* The findings about one thing: the config, the database or a source. */
struct doctor_block {
	char			*name;	/* owned: "imap:anna" */
	char			*target; /* owned: its path or url */
	const struct source	*src;	/* borrowed; NULL if none */
	struct doctor_line	*lines;	/* owned */
	size_t			 nlines;
	bool			 failed; /* the check returned -1 */
	bool			 done;	/* under doctor_run.lock */
};

/* The source checks in progress. */
struct doctor_run {
	const struct config	*cfg;
	struct doctor_block	*blocks; /* borrowed: the source blocks */
	size_t			 n;
	size_t			 next;	/* next block to check */
	int			 timeout; /* --timeout; 0: the source's */
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
};

/* Whether a block's URLs are secret as a whole (a feed's is its password). */
static bool
doctor_secret_urls(const struct doctor_block *b)
{
	return b->src != NULL && source_ops_for(b->src->type)->secret_url;
}

/*
 * The say callback of the checks: adds a finding to a block, its URLs
 * without credentials (and without the path of a feed).
 */
static void __attribute__((format(printf, 3, 4)))
doctor_say(void *arg, bool ok, const char *fmt, ...)
{
	struct doctor_block	*b = arg;
	va_list			 ap;
	char			*what;

	b->lines = xreallocarray(b->lines, b->nlines + 1, sizeof *b->lines);
	b->lines[b->nlines].ok = ok;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	b->lines[b->nlines].what = util_redacted(what, doctor_secret_urls(b));
	free(what);
	b->nlines++;
}

/* Whether everything in a block works. */
static bool
doctor_block_ok(const struct doctor_block *b)
{
	size_t	i;

	if (b->failed)
		return false;
	for (i = 0; i < b->nlines; i++)
		if (!b->lines[i].ok)
			return false;
	return true;
}

static void
doctor_block_free(struct doctor_block *b)
{
	size_t	i;

	for (i = 0; i < b->nlines; i++)
		free(b->lines[i].what);
	free(b->lines);
	free(b->name);
	free(b->target);
}

/* The configuration: its file, the salespeople and their sources. */
static void
doctor_config(const struct config *cfg, struct doctor_block *b)
{
	struct buf	 people = { NULL, 0, 0 }, srcs = { NULL, 0, 0 };
	size_t		 i, j, n;

	b->name = xstrdup("config");
	b->target = xstrdup(cfg->path);
	doctor_say(b, true, "read %s", cfg->path);
	for (i = 0; i < cfg->npeople; i++) {
		for (j = n = 0; j < cfg->nsources; j++)
			if (strcmp(cfg->sources[j].salesperson,
			    cfg->people[i].key) == 0)
				n++;
		buf_printf(&people, "%s%s (%zu source%s)", i > 0 ? ", " : "",
		    cfg->people[i].key, n, n == 1 ? "" : "s");
	}
	if (cfg->npeople == 0)
		doctor_say(b, false, "no salespeople: add a [salesperson KEY] "
		    "section for each");
	else
		doctor_say(b, true, "%zu %s: %s", cfg->npeople,
		    cfg->npeople == 1 ? "salesperson" : "salespeople",
		    people.data);
	for (i = 0; i < cfg->nsources; i++)
		buf_printf(&srcs, "%s%s", i > 0 ? ", " : "",
		    cfg->sources[i].name);
	if (cfg->nsources == 0)
		doctor_say(b, false, "no sources: add [imap KEY], [caldav KEY] "
		    "or [ics KEY] sections");
	else
		doctor_say(b, true, "%zu source%s: %s", cfg->nsources,
		    cfg->nsources == 1 ? "" : "s", srcs.data);
	if (cfg->internal_domains.n == 0)
		doctor_say(b, false, "no internal_domains: set it in [general] "
		    "to your own domains, or colleagues count as customers");
	buf_free(&people);
	buf_free(&srcs);
}

/* The name of the user running this, for messages. */
static const char *
doctor_user(void)
{
	struct passwd	*pw = getpwuid(geteuid());

	return pw != NULL ? pw->pw_name : "this user";
}

/*
 * With [general] group: whether its members can read the database, its
 * -wal and -shm (0640, that group) and enter their folder.
 */
static void
doctor_group(const struct config *cfg, struct doctor_block *b)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct stat	 sb;
	char		 why[1024], *p;
	size_t		 i;
	bool		 ok = true;

	if (!store_group_can_enter(cfg->database, cfg->group.name,
	    cfg->group.gid, why, sizeof why)) {
		doctor_say(b, false, "%s", why);
		ok = false;
	}
	for (i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
		p = xasprintf("%s%s", cfg->database, suffix[i]);
		if (stat(p, &sb) == 0 && ((sb.st_mode & 07777) !=
		    STORE_MODE_GROUP || sb.st_gid != cfg->group.gid)) {
			doctor_say(b, false, "%s: mode %04o%s, not 0640 for "
			    "the readers' group %s: salescycled sets it when "
			    "it starts", p, (unsigned)(sb.st_mode & 07777),
			    sb.st_gid != cfg->group.gid ? " and another group" :
			    "", cfg->group.name);
			ok = false;
		}
		free(p);
	}
	if (ok)
		doctor_say(b, true, "the readers' group %s can read it",
		    cfg->group.name);
}

/*
 * The database: opened read-only when it exists (schema version and
 * counts), else whether salescycled may create it in its folder.
 */
static void
doctor_database(const struct config *cfg, struct doctor_block *b)
{
	struct store	*st = NULL;
	struct stat	 sb;
	struct err	 err = { 0 };
	struct store_counts n;
	char		*path, *copy, *dir;

	path = xstrdup(cfg->database);
	b->name = xstrdup("database");
	b->target = xstrdup(path);
	if (stat(path, &sb) == 0) {
		if (store_open(path, STORE_READONLY, &st, &err) != 0) {
			doctor_say(b, false, "%s", err.msg);
			goto out;
		}
		if (store_counts(st, &n, &err) != 0)
			doctor_say(b, false, "%s", err.msg);
		else
			doctor_say(b, true, "schema version %lld; %lld signals, "
			    "%lld deals (%lld open), %lld accounts", n.version,
			    n.signals, n.deals, n.open_deals, n.accounts);
		store_close(st);
		if (cfg->group.name != NULL)
			doctor_group(cfg, b);
		goto out;
	}
	if (errno != ENOENT) {
		doctor_say(b, false, "%s: %s", path, strerror(errno));
		goto out;
	}
	copy = xstrdup(path);
	dir = dirname(copy);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		doctor_say(b, false, "not created yet, and its folder %s does "
		    "not exist: create it for the user salescycled runs as",
		    dir);
	else if (access(dir, W_OK | X_OK) != 0)
		doctor_say(b, false, "not created yet, and its folder %s is "
		    "not writable by %s: salescycled creates it there, so it "
		    "must run as a user who may write to that folder", dir,
		    doctor_user());
	else
		doctor_say(b, true, "not created yet: salescycled creates it "
		    "on its first poll; its folder %s is writable by %s", dir,
		    doctor_user());
	free(copy);
out:
	free(path);
}

/* --send-test: mail each digest recipient once the server checks out. */
static bool doctor_send_test;

/* Sends the test mail to each recipient of the digest. */
static void
doctor_smtp_send(struct cmd_ctx *ctx, struct doctor_block *b)
{
	struct digest_recipients r;
	struct err	 err;
	char		 host[256], *msg;
	long		 reply;
	size_t		 i;

	digest_recipients(&ctx->cfg, &r);
	if (r.n == 0)
		doctor_say(b, false, "no one to send a test mail to: give the "
		    "salespeople a manager = or set [digest] to =");
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "this host");
	host[sizeof host - 1] = '\0';
	for (i = 0; i < r.n; i++) {
		err_clear(&err);
		msg = digest_test_message(&ctx->cfg, r.v[i].address, host,
		    ctx->now);
		if (digest_send(&ctx->cfg, r.v[i].address, msg, NULL, &reply,
		    &err) == 0)
			doctor_say(b, true, "test mail sent to %s",
			    r.v[i].address);
		else
			doctor_say(b, false, "test mail to %s: %s",
			    r.v[i].address, err.msg);
		free(msg);
	}
	digest_recipients_free(&r);
}

/*
 * The mail server of the digest ([smtp]): connection, TLS, login, as the
 * digest would use it, without sending; with --send-test, then a short
 * mail to each recipient of the digest.
 */
static void
doctor_smtp(struct cmd_ctx *ctx, struct doctor_block *b)
{
	const struct smtp *s = &ctx->cfg.smtp;
	struct http_mail_info info;
	struct err	 err = { 0 };
	const char	*hint;
	bool		 smtps;
	int		 rc;

	b->name = xstrdup("smtp");
	b->target = xstrdup(s->url != NULL ? s->url : "(none)");
	if (s->url == NULL || s->from == NULL) {
		doctor_say(b, false, "no [smtp] url and from: the digest "
		    "cannot be sent; add an [smtp] section");
		return;
	}
	rc = digest_check(&ctx->cfg, ctx->opt, &info, &err);
	hint = rc != 0 ? http_error_hint(&err) : NULL;
	if (info.connected)
		doctor_say(b, true, "connected to %s", info.server);
	smtps = strncasecmp(s->url, "smtps:", 6) == 0;
	if (info.tls)
		doctor_say(b, true, "TLS (%s): certificate verified",
		    smtps ? "smtps" : "STARTTLS");
	else if (s->tls == TLS_NONE && !smtps && info.connected)
		doctor_say(b, true, "no TLS (tls = none): the login and the "
		    "digest cross the network readable");
	if (rc != 0 && info.login_refused)
		doctor_say(b, false, "login as %s refused: %s; check user = "
		    "and the password", s->user, err.msg);
	else if (rc != 0 && strstr(err.msg, "STARTTLS") != NULL)
		doctor_say(b, false, "%s; the server offers no STARTTLS: use "
		    "smtps:// (port 465), or tls = none on a trusted network",
		    err.msg);
	else if (rc != 0)
		doctor_say(b, false, "%s%s%s", err.msg, hint != NULL ? "; " :
		    "", hint != NULL ? hint : "");
	else if (info.logged_in)
		doctor_say(b, true, "logged in as %s", s->user);
	else
		doctor_say(b, true, "no login (no user =)");
	if (doctor_send_test && rc == 0)
		doctor_smtp_send(ctx, b);
	else if (doctor_send_test)
		doctor_say(b, false, "no test mail sent: the server check "
		    "failed");
}

/* A worker: checks the next source until none is left. */
static void *
doctor_worker(void *arg)
{
	struct doctor_run	*r = arg;
	struct doctor_block	*b;
	struct source		 src;
	struct err		 err;
	int			 rc;

	for (;;) {
		pthread_mutex_lock(&r->lock);
		b = r->next < r->n ? &r->blocks[r->next++] : NULL;
		pthread_mutex_unlock(&r->lock);
		if (b == NULL)
			return NULL;
		/* A shallow copy, for the timeout of --timeout only. */
		src = *b->src;
		if (r->timeout > 0)
			src.timeout = r->timeout;
		err_clear(&err);
		/* Its OAuth 2.0 flow first: which, and whether it works. */
		rc = oauth_enabled(&src) ? oauth_doctor(&src, doctor_say, b) :
		    0;
		if (rc == 0)
			rc = source_ops_for(src.type)->check(r->cfg, &src,
			    doctor_say, b, &err);
		pthread_mutex_lock(&r->lock);
		b->failed = rc != 0;
		if (rc != 0 && b->nlines == 0)
			doctor_say(b, false, "%s", err.msg);
		b->done = true;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
	}
}

/* Prints one block as text: a heading, then "ok" or "FAIL" per finding. */
static void
doctor_print_text(const struct doctor_block *b)
{
	size_t	i;

	/* Findings quote servers: printed safe for the terminal. */
	printer_text(stdout, b->name);
	fputs(": ", stdout);
	printer_text(stdout, b->target);
	putchar('\n');
	for (i = 0; i < b->nlines; i++) {
		printf("  %-4s  ", b->lines[i].ok ? "ok" : "FAIL");
		printer_text(stdout, b->lines[i].what);
		putchar('\n');
	}
	putchar('\n');
	fflush(stdout);
}

/* Prints one block as a JSON object {"source","ok","checks":[...]}. */
static void
doctor_print_json(struct json *j, const struct doctor_block *b)
{
	size_t	i;

	json_begin_object(j);
	json_key(j, "source");
	json_str(j, b->name);
	json_key(j, "ok");
	json_bool(j, doctor_block_ok(b));
	json_key(j, "checks");
	json_begin_array(j);
	for (i = 0; i < b->nlines; i++) {
		json_begin_object(j);
		json_key(j, "ok");
		json_bool(j, b->lines[i].ok);
		json_key(j, "what");
		json_str(j, b->lines[i].what);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

static const struct column doctor_csv_columns[] = {
	{ "source", NULL, COL_STR },
	{ "ok", NULL, COL_STR },
	{ "what", NULL, COL_STR },
};

/* Adds one block's findings to the CSV rows source,ok,what. */
static void
doctor_add_csv(struct table *t, const struct doctor_block *b)
{
	size_t	i;

	for (i = 0; i < b->nlines; i++) {
		table_row(t);
		table_str(t, 0, b->name);
		table_str(t, 1, b->lines[i].ok ? "ok" : "FAIL");
		table_str(t, 2, b->lines[i].what);
	}
}

/*
 * Prints a block in the chosen format as soon as it is complete; CSV
 * rows are gathered in t and printed at the end, with one header.
 */
static void
doctor_print(struct cmd_ctx *ctx, struct json *j, struct table *t,
    const struct doctor_block *b)
{
	switch (ctx->format) {
	case FORMAT_JSON:
		doctor_print_json(j, b);
		break;
	case FORMAT_CSV:
		doctor_add_csv(t, b);
		break;
	default:
		doctor_print_text(b);
		break;
	}
}

static int
cmd_doctor_option(struct cmd_ctx *ctx, int opt, const char *arg)
{
	char	*ep;
	long	 v;

	if (opt == DOCTOR_OPT_SEND_TEST) {
		doctor_send_test = true;
		return 0;
	}
	if (opt != DOCTOR_OPT_TIMEOUT)
		return -1;
	errno = 0;
	v = strtol(arg, &ep, 10);
	if (errno != 0 || ep == arg || *ep != '\0' || v < 1 ||
	    v > DOCTOR_MAX_TIMEOUT) {
		cmd_error("--timeout", "'%s': give seconds from 1 to %d", arg,
		    DOCTOR_MAX_TIMEOUT);
		return -1;
	}
	ctx->opt = (int)v;
	return 0;
}

static int
cmd_doctor_exec(struct cmd_ctx *ctx)
{
	struct doctor_block	 head[2], smtp, *blocks = NULL;
	struct doctor_run	 run;
	struct sigaction	 sa;
	struct json		 j;
	struct table		 t;
	pthread_t		*th = NULL;
	size_t			 n = 0, nth = 0, nbad = 0, i;
	bool			 with_smtp;
	int			 saved_level = log_level;

	/* A server that hangs up must not kill us with SIGPIPE. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Every problem is a FAIL line; the warnings would only repeat them. */
	if (log_level == LOG_LVL_WARN)
		log_level = LOG_LVL_ERROR;

	memset(head, 0, sizeof head);
	doctor_config(&ctx->cfg, &head[0]);
	doctor_database(&ctx->cfg, &head[1]);
	json_init(&j, stdout);
	if (ctx->format == FORMAT_JSON)
		json_begin_array(&j);
	table_init(&t, doctor_csv_columns, 3, NULL);
	for (i = 0; i < 2; i++)
		doctor_print(ctx, &j, &t, &head[i]);

	blocks = xcalloc(ctx->cfg.nsources + 1, sizeof *blocks);
	for (i = 0; i < ctx->cfg.nsources; i++) {
		const struct source *src = &ctx->cfg.sources[i];

		if (ctx->salesperson != NULL &&
		    strcmp(ctx->salesperson, src->salesperson) != 0)
			continue;
		blocks[n].name = xstrdup(src->name);
		blocks[n].target = util_redacted(src->url,
		    source_ops_for(src->type)->secret_url);
		blocks[n].src = src;
		n++;
	}
	memset(&run, 0, sizeof run);
	run.cfg = &ctx->cfg;
	run.blocks = blocks;
	run.n = n;
	run.timeout = ctx->opt;
	pthread_mutex_init(&run.lock, NULL);
	pthread_cond_init(&run.cond, NULL);
	th = xcalloc(ctx->cfg.workers > 0 ? (size_t)ctx->cfg.workers : 1,
	    sizeof *th);
	while (nth < n && nth < (size_t)ctx->cfg.workers) {
		if (pthread_create(&th[nth], NULL, doctor_worker, &run) != 0)
			break;
		nth++;
	}
	if (nth == 0 && n > 0)
		doctor_worker(&run);	/* no thread: check them here */
	for (i = 0; i < n; i++) {
		pthread_mutex_lock(&run.lock);
		while (!blocks[i].done)
			pthread_cond_wait(&run.cond, &run.lock);
		pthread_mutex_unlock(&run.lock);
		doctor_print(ctx, &j, &t, &blocks[i]);
	}
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	/* The digest's mail server, when there is one or a test mail is asked. */
	memset(&smtp, 0, sizeof smtp);
	with_smtp = ctx->cfg.smtp.url != NULL || doctor_send_test;
	if (with_smtp) {
		doctor_smtp(ctx, &smtp);
		doctor_print(ctx, &j, &t, &smtp);
		if (!doctor_block_ok(&smtp))
			nbad++;
	}
	log_level = saved_level;

	for (i = 0; i < 2; i++)
		if (!doctor_block_ok(&head[i]))
			nbad++;
	for (i = 0; i < n; i++)
		if (!doctor_block_ok(&blocks[i]))
			nbad++;
	if (ctx->format == FORMAT_JSON) {
		json_end_array(&j);
		json_end(&j);
	} else if (ctx->format == FORMAT_CSV) {
		table_print(&t, FORMAT_CSV, stdout);
	} else {
		if (nbad == 0)
			printf("everything works: configuration, database%s "
			    "and %zu source%s\n", with_smtp ? ", mail server" :
			    "", n, n == 1 ? "" : "s");
		else
			printf("%zu of %zu need attention (see FAIL above)\n",
			    nbad, n + 2 + (with_smtp ? 1 : 0));
	}
	table_free(&t);
	for (i = 0; i < 2; i++)
		doctor_block_free(&head[i]);
	doctor_block_free(&smtp);
	for (i = 0; i < n; i++)
		doctor_block_free(&blocks[i]);
	free(blocks);
	free(th);
	pthread_cond_destroy(&run.cond);
	pthread_mutex_destroy(&run.lock);
	return nbad == 0 ? EXIT_OK : EXIT_FAIL;
}

static const struct option cmd_doctor_options[] = {
	{ "timeout", required_argument, NULL, DOCTOR_OPT_TIMEOUT },
	{ "send-test", no_argument, NULL, DOCTOR_OPT_SEND_TEST },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_doctor_entry = {
	.name = "doctor",
	.summary = "check the configuration, the database and every source",
	.usage = "[--timeout SECONDS] [--send-test]",
	.flags = 0,
	.options = cmd_doctor_options,
	.shortopts = "",
	.option = cmd_doctor_option,
	.exec = cmd_doctor_exec,
	.help = "Reports on the configuration, on the database (opened read-only;\n"
	    "or whether salescycled can create it) and on every source, which it\n"
	    "connects to read-only: for IMAP DNS, connection, TLS, STARTTLS,\n"
	    "capabilities, login, folders and their message counts; for CalDAV the\n"
	    "discovery path, principal, home set and calendars; for an ICS feed its\n"
	    "answer, content type and events; for the [smtp] server of the digest\n"
	    "connection, TLS and login, sending nothing.  Each finding is \"ok\" or\n"
	    "\"FAIL\" with what to fix.  --salesperson checks only that salesperson's\n"
	    "sources.\n"
	    "\n"
	    "  --timeout SECONDS  bound each network step of a check (default: each\n"
	    "                     source's timeout setting)\n"
	    "  --send-test        then send a short test mail to each recipient of the\n"
	    "                     digest (the managers, or [digest] to)\n"
	    "\n"
	    "Exit status 0 when everything works, 1 otherwise.\n",
};
