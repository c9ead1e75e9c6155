/* SPDX-License-Identifier: MIT */
/*
 * The configuration file (DESIGN section 8, man/salescycle.conf.5).  inih
 * splits the file into sections and KEY = VALUE pairs; a line reader in
 * front of it counts lines, strips "#" and ";" comments, hands values
 * longer than inih's fixed line buffer past it, rejects NUL bytes and
 * absurd lines, and opens sections (so that empty and duplicate sections
 * are seen too).  The handler dispatches on the section type to a key
 * table {key, type, offset} (redis standardConfig, tmux options-table.c);
 * a source section ([imap KEY], [caldav KEY], [ics KEY]) is its driver's:
 * source.h names it and holds the keys every source takes, the driver
 * its own keys and URL schemes, so that config.c knows no protocol.
 * The first error stops the parse and is reported as
 * "PATH:LINE: what is wrong"; checks that need the whole file ([phases]
 * names, [targets] phases, salespeople referenced by sources) run after
 * parsing and name the line where the item was defined.  Secrets are only
 * stored here; secret.c reads them.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <grp.h>
#include <sys/stat.h>

#include <ini.h>

#include "classify.h"
#include "config.h"
#include "err.h"
#include "oauth.h"
#include "rules.h"
#include "source.h"
#include "util.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

#define CONFIG_KEY_MAX 64	/* longest section key: [imap KEY] */
#define CONFIG_LINE_MAX 65536	/* bytes of a line; longer is a mistake */

enum section {
	SEC_NONE,
	SEC_GENERAL,
	SEC_SALESPERSON,
	SEC_SOURCE,	/* [imap KEY], [caldav KEY], ...: a driver's */
	SEC_RULES,
	SEC_PHASES,
	SEC_TARGETS,
	SEC_SMTP,
	SEC_DIGEST,
};

/* An integer of [general] within lo..hi. */
#define KEY_RANGE(n, f, lo, hi) \
	{ n, CONFIG_INT, offsetof(struct config, f), lo, hi }

static const struct config_key config_general_keys[] = {
	CONFIG_KEY("database", CONFIG_STRING, config, database),
	CONFIG_KEY("timezone", CONFIG_TIMEZONE, config, timezone),
	CONFIG_KEY("currency", CONFIG_CURRENCY, config, currency),
	CONFIG_KEY("language", CONFIG_LANGUAGE, config, language),
	CONFIG_KEY("internal_domains", CONFIG_DOMAINS, config,
	    internal_domains),
	CONFIG_KEY("ignore_domains", CONFIG_DOMAINS, config, ignore_domains),
	CONFIG_KEY("freemail_domains", CONFIG_DOMAINS, config,
	    freemail_domains),
	KEY_RANGE("stale_after_days", stale_after_days, 1, 36500),
	KEY_RANGE("reopen_after_days", reopen_after_days, 0, 36500),
	KEY_RANGE("backfill_days", backfill_days, 0, 36500),
	KEY_RANGE("silence_days", silence_days, 1, 36500),
	KEY_RANGE("usual_quiet_days", usual_quiet_days, 1, 36500),
	KEY_RANGE("confirmation_days", confirmation_days, 1, 36500),
	KEY_RANGE("retention_days", retention_days, 0, 36500),
	KEY_RANGE("workers", workers, 1, 64),
	KEY_RANGE("keep_connections", keep_connections, 0, 1000000),
	CONFIG_KEY("store_subjects", CONFIG_BOOL, config, store_subjects),
	CONFIG_KEY("working_days", CONFIG_WEEKDAYS, config, working_days),
	CONFIG_KEY("group", CONFIG_GROUP, config, group),
	CONFIG_KEY("core_dumps", CONFIG_BOOL, config, core_dumps),
	CONFIG_KEY_END
};

static const struct config_key config_salesperson_keys[] = {
	CONFIG_KEY("name", CONFIG_STRING, salesperson, name),
	CONFIG_KEY("email", CONFIG_ADDRESSES, salesperson, email),
	CONFIG_KEY("manager", CONFIG_ADDRESS, salesperson, manager),
	CONFIG_KEY("language", CONFIG_LANGUAGE, salesperson, language),
	CONFIG_KEY("digest", CONFIG_OPTIN, salesperson, digest),
	CONFIG_KEY_END
};

static const struct config_key config_rules_keys[] = {
	CONFIG_KEY("offer_subject", CONFIG_LIST, rules, offer_subject),
	CONFIG_KEY("offer_attachment", CONFIG_LIST, rules, offer_attachment),
	CONFIG_KEY("order_subject", CONFIG_LIST, rules, order_subject),
	CONFIG_KEY("order_attachment", CONFIG_LIST, rules, order_attachment),
	CONFIG_KEY("call_summary", CONFIG_LIST, rules, call_summary),
	CONFIG_KEY("demo_summary", CONFIG_LIST, rules, demo_summary),
	CONFIG_KEY("reply_prefix", CONFIG_LIST, rules, reply_prefix),
	CONFIG_KEY("forward_prefix", CONFIG_LIST, rules, forward_prefix),
	CONFIG_KEY("noreply_sender", CONFIG_LIST, rules, noreply_sender),
	CONFIG_KEY("autoreply_subject", CONFIG_LIST, rules, autoreply_subject),
	CONFIG_KEY("verbal_phrase", CONFIG_LIST, rules, verbal_phrase),
	CONFIG_KEY("lost_phrase", CONFIG_LIST, rules, lost_phrase),
	CONFIG_KEY_END
};

static const struct config_key config_smtp_keys[] = {
	CONFIG_KEY("url", CONFIG_URL, smtp, url),
	CONFIG_KEY("user", CONFIG_STRING, smtp, user),
	CONFIG_KEY("password_command", CONFIG_COMMAND, smtp, password),
	CONFIG_KEY("password_env", CONFIG_ENV, smtp, password),
	CONFIG_KEY("password", CONFIG_PASSWORD, smtp, password),
	CONFIG_KEY("password_credential", CONFIG_CREDENTIAL, smtp, password),
	CONFIG_KEY("from", CONFIG_ADDRESS, smtp, from),
	CONFIG_KEY("tls", CONFIG_TLS, smtp, tls),
	CONFIG_KEY("ca_file", CONFIG_STRING, smtp, ca_file),
	CONFIG_KEY("timeout", CONFIG_DURATION, smtp, timeout),
	CONFIG_KEY_END
};

static const struct config_key config_digest_keys[] = {
	CONFIG_KEY("schedule", CONFIG_SCHEDULE, digest, schedule),
	CONFIG_KEY("to", CONFIG_ADDRESSES, digest, to),
	CONFIG_KEY("salespeople", CONFIG_BOOL, digest, salespeople),
	CONFIG_KEY("guide_url", CONFIG_URL, digest, guide_url),
	CONFIG_KEY_END
};

static const struct {
	const char	*name;
	enum section	 sect;
	bool		 keyed;
} config_sections[] = {
	{ "general", SEC_GENERAL, false },
	{ "salesperson", SEC_SALESPERSON, true },
	{ "rules", SEC_RULES, false },
	{ "phases", SEC_PHASES, false },
	{ "targets", SEC_TARGETS, false },
	{ "smtp", SEC_SMTP, false },
	{ "digest", SEC_DIGEST, false },
};

/* DESIGN section 4: the default cycle and the phase each kind enters. */
static const char *const config_default_phases[] = {
	"selection", "suspect", "prospect", "offer", "closing"
};

static const struct {
	enum signal_kind kind;
	const char	*phase;
} config_default_enters[] = {
	{ SIG_TARGET, "selection" },
	{ SIG_CALL, "selection" },
	{ SIG_APPOINTMENT, "suspect" },
	{ SIG_DEMO, "prospect" },
	{ SIG_OFFER_SENT, "offer" },
	{ SIG_VERBAL_ORDER, "closing" },
	{ SIG_ORDER_CONFIRMED, "closing" },
};

static const char *const config_weekdays[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun"
};

/* A [targets] conversion_PHASE or prior_PHASE, resolved after parsing. */
struct config_target {
	char		*phase;
	bool		 prior;
	double		 value;
	int		 line;
};

/* State of one parse: inih's user pointer and the reader's stream. */
struct config_parse {
	struct config	*cfg;
	struct err	*err;
	FILE		*fp;
	struct stat	 st;
	char		*linebuf;
	size_t		 linecap;
	int		 line;
	char		*value;		/* owned: a value too long for inih */
	bool		 failed;
	int		 errline;

	enum section	 sect;
	const struct source_ops *ops;	/* SEC_SOURCE: the section's driver */
	size_t		 idx;		/* people[] or sources[] */
	unsigned	 singletons;	/* 1 << section, seen */
	struct strlist	 keys;		/* keys seen in this section */

	int		 order_line;
	char		*enters[SIG__COUNT];	/* [phases] KIND = PHASE */
	int		 enters_line[SIG__COUNT];
	struct config_target *targets;
	size_t		 ntargets;
	int		 schedule_line;
};

/* Records the first error as "PATH:LINE: message". */
static int
config_verror(struct config_parse *p, int line, const char *fmt, va_list ap)
{
	char msg[400];

	if (p->failed)
		return -1;
	vsnprintf(msg, sizeof msg, fmt, ap);
	p->failed = true;
	p->errline = line;
	return err_set(p->err, ERR_FINAL, "%s:%d: %s", p->cfg->path, line, msg);
}

static int __attribute__((format(printf, 3, 4)))
config_error_at(struct config_parse *p, int line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_verror(p, line, fmt, ap);
	va_end(ap);
	return rc;
}

/* An error on the line being parsed. */
static int __attribute__((format(printf, 2, 3)))
config_error(struct config_parse *p, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = config_verror(p, p->line, fmt, ap);
	va_end(ap);
	return rc;
}

/* Truncates s at a "#" or ";" that starts it or follows white space. */
static void
config_strip_comment(char *s)
{
	char *c;

	for (c = s; *c != '\0'; c++) {
		if ((*c == '#' || *c == ';') &&
		    (c == s || c[-1] == ' ' || c[-1] == '\t')) {
			*c = '\0';
			return;
		}
	}
}

/* Section keys: [A-Za-z0-9._-]+, at most CONFIG_KEY_MAX characters. */
static bool
config_valid_key(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONFIG_KEY_MAX)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") == n;
}

/* Phase names: letters, digits, "_" and "-"; "none" is reserved. */
static bool
config_valid_phase(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > CONFIG_KEY_MAX || strcasecmp(s, "none") == 0)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") == n;
}

/* A domain name with a dot and nothing that belongs to an address or URL. */
static bool
config_valid_domain(const char *s)
{
	return *s != '\0' && *s != '.' && strchr(s, '.') != NULL &&
	    strpbrk(s, " \t@/:<>,;\"") == NULL;
}

/* Splits a comma-separated value into trimmed, non-empty items. */
static void
config_split(const char *value, struct strlist *out)
{
	char *copy = xstrdup(value), *item, *save = NULL;

	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		util_trim(item);
		if (*item != '\0')
			strlist_add(out, item);
	}
	free(copy);
}

/* A decimal integer within min..max, nothing else on the value. */
static int
config_parse_int(const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* "300", "30s", "5m", "1h", "1d": a positive number of seconds. */
static int
config_parse_duration(const char *s, int *out)
{
	char *end;
	long v, mult;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || v <= 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else if (strcmp(end, "d") == 0)
		mult = 86400;
	else
		return -1;
	if (v > INT_MAX / mult)
		return -1;
	*out = (int)(v * mult);
	return 0;
}

/* yes/no, true/false, on/off, 1/0 in any case. */
static int
config_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* A non-negative number; with percent, "30%" is 0.3. */
static int
config_parse_number(const char *s, bool percent, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)*s) && *s != '.')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || !isfinite(v) || v < 0)
		return -1;
	if (percent && strcmp(end, "%") == 0)
		v /= 100;
	else if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Day name ("mon" or "monday") to 0..6, or -1. */
static int
config_weekday(const char *s)
{
	static const char *const full[] = { "monday", "tuesday", "wednesday",
	    "thursday", "friday", "saturday", "sunday" };
	int i;

	for (i = 0; i < 7; i++)
		if (strcasecmp(s, config_weekdays[i]) == 0 ||
		    strcasecmp(s, full[i]) == 0)
			return i;
	return -1;
}

/* "mon..fri", "mon-fri, sat", "sun..thu": a bit mask, bit 0 = Monday. */
static int
config_parse_weekdays(const char *value, unsigned *out)
{
	struct strlist items = { 0 };
	unsigned mask = 0;
	char *item, *sep;
	size_t i, seplen;
	int a, b, d, rc = -1;

	config_split(value, &items);
	for (i = 0; i < items.n; i++) {
		item = items.v[i];
		seplen = 2;
		sep = strstr(item, "..");
		if (sep == NULL) {
			sep = strchr(item, '-');
			seplen = 1;
		}
		if (sep != NULL) {
			*sep = '\0';
			a = config_weekday(util_trim(item));
			b = config_weekday(util_trim(sep + seplen));
		} else
			a = b = config_weekday(item);
		if (a < 0 || b < 0)
			goto out;
		for (d = a;; d = (d + 1) % 7) {
			mask |= 1u << d;
			if (d == b)
				break;
		}
	}
	if (mask == 0)
		goto out;
	*out = mask;
	rc = 0;
out:
	strlist_clear(&items);
	return rc;
}

/* "mon 08:00" or "daily 7:30"; stored normalised, with its period. */
static int
config_parse_schedule(const char *value, struct digest *d)
{
	char day[16], clock[8];
	int n = 0, wd, h, m;

	if (sscanf(value, "%15s %7s%n", day, clock, &n) != 2 ||
	    value[n] != '\0')
		return -1;
	n = strlen(clock);
	if ((n != 4 && n != 5) || clock[n - 3] != ':')
		return -1;
	clock[n - 3] = '\0';
	if (config_parse_int(clock, 0, 23, &h) != 0 ||
	    strlen(clock + n - 2) != 2 ||
	    config_parse_int(clock + n - 2, 0, 59, &m) != 0)
		return -1;
	wd = config_weekday(day);
	if (wd < 0 && strcasecmp(day, "daily") != 0)
		return -1;
	free(d->schedule);
	free(d->period);
	d->schedule = xasprintf("%s %02d:%02d", wd < 0 ? "daily" :
	    config_weekdays[wd], h, m);
	d->period = xstrdup(wd < 0 ? "day" : "week");
	return 0;
}

/* True when the authority of a URL holds "user@" or "user:password@". */
static bool
config_url_has_userinfo(const char *url)
{
	const char *auth = strstr(url, "://"), *end;

	if (auth == NULL)
		return false;
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	return memchr(auth, '@', (size_t)(end - auth)) != NULL;
}

/* The URL schemes of [smtp]. */
static const char *const config_smtp_schemes[] = { "smtp", "smtps", NULL };
/* The URL schemes of [digest] guide_url: a page a mail client opens. */
static const char *const config_web_schemes[] = { "https", "http", NULL };

/* The URL schemes the section being parsed takes. */
static const char *const *
config_schemes(const struct config_parse *p)
{
	if (p->sect == SEC_DIGEST)
		return config_web_schemes;
	return p->sect == SEC_SOURCE ? p->ops->schemes : config_smtp_schemes;
}

/*
 * True when the host of the authority [auth, end) (after any user@) has
 * no port or a port of digits: a password holding '/' ends the authority
 * early (https://anna:S3cr/et@host/), where the port read is part of it.
 */
static bool
config_valid_port(const char *auth, const char *end)
{
	const char *host = auth, *p, *port;

	for (p = auth; p < end; p++)
		if (*p == '@')
			host = p + 1;
	if (host < end && *host == '[') {
		port = memchr(host, ']', (size_t)(end - host));
		if (port == NULL)
			return false;
		port++;
		if (port == end)
			return true;
		if (*port != ':')
			return false;
	} else if ((port = memchr(host, ':', (size_t)(end - host))) == NULL)
		return true;
	for (p = port + 1; p < end; p++)
		if (*p < '0' || *p > '9')
			return false;
	return p - port <= 6;
}

/*
 * True when what follows the authority [auth, end) reads as the rest of a
 * user:password@ whose password holds '/', '?' or '#' and starts with
 * digits (https://anna:2024/x@dav.example/): a host of one word without
 * a dot and a port, then '@' before the next '/'.  A path holding '@'
 * after a real host (/dav/calendars/anna@example.com/) is not.
 */
static bool
config_url_split_password(const char *auth, const char *end)
{
	const char *colon = memchr(auth, ':', (size_t)(end - auth)), *p;
	size_t seg;

	if (colon == NULL || *auth == '[' || memchr(auth, '.',
	    (size_t)(colon - auth)) != NULL ||
	    ((size_t)(colon - auth) == 9 && strncasecmp(auth, "localhost",
	    9) == 0))
		return false;
	p = *end == '/' ? end + 1 : end;
	seg = strcspn(p, "/");
	return memchr(p, '@', seg) != NULL;
}

/* Checks the scheme of a source or SMTP URL against its section's. */
static bool
config_valid_url(const char *const *schemes, const char *url)
{
	const char *sep = strstr(url, "://"), *auth, *end;
	size_t n;

	if (sep == NULL || sep[3] == '\0' || strpbrk(url, " \t") != NULL)
		return false;
	auth = sep + 3;
	end = auth + strcspn(auth, "/?#");
	if (!config_valid_port(auth, end) ||
	    config_url_split_password(auth, end))
		return false;
	n = sep - url;
	for (; *schemes != NULL; schemes++)
		if (strlen(*schemes) == n && strncasecmp(url, *schemes, n) == 0)
			return true;
	return false;
}

/* The schemes as a message says them: "imap:// or imaps://". */
static void
config_url_schemes(const char *const *schemes, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (; *schemes != NULL && n + 1 < len; schemes++) {
		snprintf(out + n, len - n, "%s%s://", n > 0 ? (schemes[1] ==
		    NULL ? " or " : ", ") : "", *schemes);
		n = strlen(out);
	}
}

/* [general] group: a group name, or a number; it must exist. */
static int
config_parse_group(struct config_parse *p, const char *value,
    struct config_group *out)
{
	struct group gr, *found = NULL;
	char buf[4096], *end;
	unsigned long id;

	if (isdigit((unsigned char)*value)) {
		errno = 0;
		id = strtoul(value, &end, 10);
		if (errno != 0 || *end != '\0' || id >= (gid_t)-1)
			return config_error(p, "bad group '%s'", value);
		out->gid = (gid_t)id;
	} else {
		if (getgrnam_r(value, &gr, buf, sizeof buf, &found) != 0 ||
		    found == NULL)
			return config_error(p, "unknown group '%s'", value);
		out->gid = found->gr_gid;
	}
	free(out->name);
	out->name = xstrdup(value);
	return 0;
}

/* Stores one value of a key table entry into the section's struct at base. */
static int
config_set(struct config_parse *p, const struct config_key *k, void *base,
    const char *name, const char *value)
{
	char **str = (char **)((char *)base + k->off);
	struct strlist *list = (struct strlist *)((char *)base + k->off);
	struct secret *sec = (struct secret *)((char *)base + k->off);
	int *num = (int *)((char *)base + k->off);
	bool *flag = (bool *)((char *)base + k->off);
	unsigned *mask = (unsigned *)((char *)base + k->off);
	enum tls_mode *tls = (enum tls_mode *)((char *)base + k->off);
	struct strlist items = { 0 };
	char schemes[128];
	size_t i, stem;
	bool yes;

	if (*value == '\0' && k->type != CONFIG_LIST &&
	    k->type != CONFIG_DOMAINS && k->type != CONFIG_ADDRESSES)
		return config_error(p, "'%s' needs a value", name);

	switch (k->type) {
	case CONFIG_STRING:
		free(*str);
		*str = xstrdup(value);
		return 0;
	case CONFIG_LIST:
		strlist_clear(list);
		config_split(value, list);
		return 0;
	case CONFIG_DOMAINS:
	case CONFIG_ADDRESSES:
		config_split(value, &items);
		for (i = 0; i < items.n; i++) {
			util_lower(items.v[i]);
			if (k->type == CONFIG_DOMAINS &&
			    !config_valid_domain(items.v[i])) {
				config_error(p, "bad domain '%s' in '%s'",
				    items.v[i], name);
				strlist_clear(&items);
				return -1;
			}
			if (k->type == CONFIG_ADDRESSES &&
			    !util_valid_address(items.v[i])) {
				config_error(p, "bad address '%s' in '%s'",
				    items.v[i], name);
				strlist_clear(&items);
				return -1;
			}
		}
		strlist_clear(list);
		*list = items;
		return 0;
	case CONFIG_ADDRESS:
		if (!util_valid_address(value))
			return config_error(p, "bad address '%s' in '%s'",
			    value, name);
		free(*str);
		*str = util_lower(xstrdup(value));
		return 0;
	case CONFIG_INT:
		if (config_parse_int(value, k->min, k->max, num) != 0)
			return config_error(p, "bad number '%s' for '%s' "
			    "(%d to %d)", value, name, k->min, k->max);
		return 0;
	case CONFIG_DURATION:
		if (config_parse_duration(value, num) != 0)
			return config_error(p, "bad duration '%s' for "
			    "'%s' (seconds, or a number with s, m, h or d)",
			    value, name);
		return 0;
	case CONFIG_GROUP:
		return config_parse_group(p, value, (struct config_group *)
		    ((char *)base + k->off));
	case CONFIG_BOOL:
		if (config_parse_bool(value, flag) != 0)
			return config_error(p, "bad boolean '%s' for "
			    "'%s' (yes or no)", value, name);
		return 0;
	case CONFIG_OPTIN:
		if (config_parse_bool(value, &yes) != 0)
			return config_error(p, "bad boolean '%s' for "
			    "'%s' (yes or no)", value, name);
		*num = yes ? 1 : 2;
		return 0;
	case CONFIG_LANGUAGE:
		if (strcasecmp(value, "nl") != 0 &&
		    strcasecmp(value, "en") != 0)
			return config_error(p, "bad language '%s' for '%s' "
			    "(nl or en)", value, name);
		free(*str);
		*str = util_lower(xstrdup(value));
		return 0;
	case CONFIG_WEEKDAYS:
		if (config_parse_weekdays(value, mask) != 0)
			return config_error(p, "bad days '%s' for '%s' "
			    "(e.g. mon..fri)", value, name);
		return 0;
	case CONFIG_CURRENCY:
		if (strlen(value) != 3 || !isalpha((unsigned char)value[0]) ||
		    !isalpha((unsigned char)value[1]) ||
		    !isalpha((unsigned char)value[2]))
			return config_error(p, "bad currency '%s' (a three-"
			    "letter code: EUR, USD, GBP)", value);
		free(*str);
		*str = xstrdup(value);
		for (i = 0; i < 3; i++)
			(*str)[i] = (char)toupper((unsigned char)(*str)[i]);
		return 0;
	case CONFIG_TIMEZONE:
		if (util_tz_preload(value) != 0)
			return config_error(p, "unknown time zone '%s'",
			    value);
		free(*str);
		*str = xstrdup(value);
		return 0;
	case CONFIG_SCHEDULE:
		if (config_parse_schedule(value, base) != 0)
			return config_error(p, "bad schedule '%s' (e.g. "
			    "'mon 08:00' or 'daily 07:30')", value);
		p->schedule_line = p->line;
		return 0;
	case CONFIG_URL:
		if (!config_valid_url(config_schemes(p), value)) {
			config_url_schemes(config_schemes(p), schemes,
			    sizeof schemes);
			/* A url with '@' may hold a password: not shown. */
			if (strchr(value, '@') != NULL)
				return config_error(p, "bad url, not shown as "
				    "it holds '@' (%s and a port of digits; a "
				    "user or password goes in user = and "
				    "password_command =)", schemes);
			return config_error(p, "bad url '%s' (%s)", value,
			    schemes);
		}
		/* user:password@ in a url would end up in logs and status. */
		if (config_url_has_userinfo(value))
			return config_error(p, "url with user or password in it: "
			    "use user = and password_command = instead");
		free(*str);
		*str = xstrdup(value);
		return 0;
	case CONFIG_AUTH:
		if (strcasecmp(value, "plain") != 0 &&
		    strcasecmp(value, "login") != 0 &&
		    strcasecmp(value, "xoauth2") != 0 &&
		    strcasecmp(value, "oauthbearer") != 0 &&
		    strcasecmp(value, "bearer") != 0)
			return config_error(p, "bad auth '%s' (plain, "
			    "login, xoauth2, oauthbearer or bearer)", value);
		free(*str);
		*str = util_lower(xstrdup(value));
		return 0;
	case CONFIG_TLS:
		if (strcasecmp(value, "none") == 0)
			*tls = TLS_NONE;
		else if (strcasecmp(value, "default") == 0)
			*tls = TLS_DEFAULT;
		else
			return config_error(p, "bad tls '%s' (default or "
			    "none)", value);
		return 0;
	case CONFIG_COMMAND:
	case CONFIG_ENV:
	case CONFIG_PASSWORD:
	case CONFIG_CREDENTIAL:
		/* The stem of the four keys: password, oauth_client_secret. */
		stem = strlen(name) - (k->type == CONFIG_COMMAND ? 8 :
		    k->type == CONFIG_ENV ? 4 : k->type == CONFIG_CREDENTIAL ?
		    11 : 0);
		if (config_secret_set(sec))
			return config_error(p, "'%s': only one of "
			    "%.*s_command, %.*s_env, %.*s_credential and %.*s",
			    name, (int)stem, name, (int)stem, name, (int)stem,
			    name, (int)stem, name);
		/* A file name in one folder, as systemd's credential IDs. */
		if (k->type == CONFIG_CREDENTIAL &&
		    (strchr(value, '/') != NULL || strcmp(value, ".") == 0 ||
		    strcmp(value, "..") == 0 || strlen(value) > 255))
			return config_error(p, "bad credential name '%s' for "
			    "'%s' (the name given to LoadCredential=, no '/')",
			    value, name);
		if (k->type == CONFIG_PASSWORD &&
		    (p->st.st_mode & (S_IRGRP | S_IROTH)) != 0)
			return config_error(p, "'%s' in a file readable by "
			    "group or others (chmod 600 it, or use "
			    "%s_command or %s_env)", name, name, name);
		if (k->type == CONFIG_COMMAND)
			sec->command = xstrdup(value);
		else if (k->type == CONFIG_ENV)
			sec->env = xstrdup(value);
		else if (k->type == CONFIG_CREDENTIAL)
			sec->credential = xstrdup(value);
		else
			sec->value = xstrdup(value);
		return 0;
	case CONFIG_SALESPERSON:
		if (!config_valid_key(value))
			return config_error(p, "bad salesperson key '%s'",
			    value);
		free(*str);
		*str = xstrdup(value);
		return 0;
	}
	return config_error(p, "'%s': unhandled key type", name);
}

/* Opens [TYPE KEY] at the current line: checks it and creates its struct. */
static int
config_open_section(struct config_parse *p, char *header)
{
	struct config *cfg = p->cfg;
	struct salesperson *sp;
	struct source *src;
	const struct source_ops *ops;
	char *end = header + strlen(header) - 1, *type, *key;
	size_t i, n = sizeof config_sections / sizeof config_sections[0];
	bool keyed;

	if (*end != ']')
		return config_error(p, "bad section header (missing ']')");
	*end = '\0';
	type = util_trim(header + 1);
	key = type + strcspn(type, " \t");
	if (*key != '\0') {
		*key++ = '\0';
		key = util_trim(key);
	}
	for (i = 0; i < n; i++)
		if (strcmp(type, config_sections[i].name) == 0)
			break;
	/* A source section is its driver's (source.h). */
	ops = i == n ? source_ops_by_section(type) : NULL;
	if (i == n && ops == NULL)
		return config_error(p, "unknown section [%s]", type);
	keyed = ops != NULL || config_sections[i].keyed;
	if (keyed && *key == '\0')
		return config_error(p, "[%s] needs a key: [%s NAME]",
		    type, type);
	if (!keyed && *key != '\0')
		return config_error(p, "[%s] takes no key", type);
	if (keyed && !config_valid_key(key))
		return config_error(p, "bad key '%s' (letters, digits, "
		    "'.', '_' and '-', at most %d)", key, CONFIG_KEY_MAX);

	p->sect = ops != NULL ? SEC_SOURCE : config_sections[i].sect;
	p->ops = ops;
	strlist_clear(&p->keys);
	switch (p->sect) {
	case SEC_SALESPERSON:
		if (config_salesperson(cfg, key) != NULL)
			return config_error(p, "duplicate section "
			    "[salesperson %s]", key);
		cfg->people = xreallocarray(cfg->people, cfg->npeople + 1,
		    sizeof *cfg->people);
		p->idx = cfg->npeople++;
		sp = &cfg->people[p->idx];
		memset(sp, 0, sizeof *sp);
		sp->key = xstrdup(key);
		sp->line = p->line;
		return 0;
	case SEC_SOURCE:
		for (i = 0; i < cfg->nsources; i++)
			if (cfg->sources[i].type == ops->type &&
			    strcmp(cfg->sources[i].key, key) == 0)
				return config_error(p, "duplicate "
				    "section [%s %s]", type, key);
		cfg->sources = xreallocarray(cfg->sources, cfg->nsources + 1,
		    sizeof *cfg->sources);
		p->idx = cfg->nsources++;
		src = &cfg->sources[p->idx];
		memset(src, 0, sizeof *src);
		src->type = ops->type;
		src->key = xstrdup(key);
		src->name = xasprintf("%s:%s", type, key);
		src->salesperson = xstrdup(key);
		src->password.owner = xasprintf("[%s %s]", type, key);
		src->token.owner = xasprintf("[%s %s]", type, key);
		src->oauth.client_secret.owner = xasprintf("[%s %s] "
		    "oauth_client_secret", type, key);
		src->tls = TLS_DEFAULT;
		src->poll_interval = 300;
		src->timeout = 60;
		src->line = p->line;
		return 0;
	default:
		if (p->singletons & (1u << p->sect))
			return config_error(p, "duplicate section [%s]",
			    type);
		p->singletons |= 1u << p->sect;
		if (p->sect == SEC_SMTP)
			cfg->smtp.line = p->line;
		return 0;
	}
}

/*
 * inih's reader: one line per call, so p->line is the line the handler is
 * called for.  Returns NULL (end of input) once an error is recorded.
 *
 * inih, as Debian builds it, reads each line into a fixed buffer of
 * INI_MAX_LINE (200) bytes, num here, and cannot be told otherwise at run
 * time; real values are longer (an Outlook ICS URL easily has 300
 * characters).  A longer line reaches inih as "KEY =" only, and the
 * handler takes the value from p->value.  A NUL byte would silently cut
 * a value, so it is an error, as is a line longer than CONFIG_LINE_MAX.
 */
static char *
config_reader(char *str, int num, void *stream)
{
	struct config_parse *p = stream;
	ssize_t len;
	size_t klen;
	char *s, *eq;

	if (p->failed)
		return NULL;
	len = getline(&p->linebuf, &p->linecap, p->fp);
	if (len < 0)
		return NULL;
	p->line++;
	free(p->value);
	p->value = NULL;
	if (memchr(p->linebuf, '\0', (size_t)len) != NULL) {
		config_error(p, "NUL byte in the line");
		return NULL;
	}
	if (len > CONFIG_LINE_MAX) {
		config_error(p, "line too long (%zd bytes, at most %d)", len,
		    CONFIG_LINE_MAX);
		return NULL;
	}
	s = p->linebuf;
	if (p->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	config_strip_comment(s);
	s = util_trim(s);
	if (*s == '[') {
		/* inih needs to see a section; the reader has opened it. */
		snprintf(str, num, "%s\n", strlen(s) + 3 > (size_t)num ?
		    "[-]" : s);
		if (config_open_section(p, s) != 0)
			return NULL;
		return str;
	}
	if (strlen(s) + 3 <= (size_t)num) {
		snprintf(str, num, "%s\n", s);
		return str;
	}
	/* inih splits at the first '=' or ':'; so does this. */
	eq = s + strcspn(s, "=:");
	if (*eq == '\0') {
		config_error(p, "expected KEY = VALUE or [SECTION]");
		return NULL;
	}
	klen = (size_t)(eq - s);
	while (klen > 0 && (s[klen - 1] == ' ' || s[klen - 1] == '\t'))
		klen--;
	if (klen + 3 > (size_t)num) {
		config_error(p, "key too long");
		return NULL;
	}
	p->value = xstrdup(util_trim(eq + 1));
	snprintf(str, num, "%.*s=\n", (int)klen, s);
	return str;
}

/* The entry for name in a key table, or NULL. */
static const struct config_key *
config_find_key(const struct config_key *table, const char *name)
{
	const struct config_key *k;

	for (k = table; k != NULL && k->name != NULL; k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

/*
 * Says "unknown key" with the nearest known key of up to two tables
 * (NULL: none) as "did you mean", when one is within two typos.
 */
static int
config_unknown_key(struct config_parse *p, const char *name,
    const struct config_key *t1, const struct config_key *t2)
{
	const struct config_key *tables[2] = { t1, t2 }, *k;
	const char *best = NULL;
	size_t d, bestd = 3, i;

	for (i = 0; i < 2; i++)
		for (k = tables[i]; k != NULL && k->name != NULL; k++) {
			d = util_edit_distance(name, k->name);
			if (d < bestd && d < strlen(k->name)) {
				bestd = d;
				best = k->name;
			}
		}
	if (best != NULL)
		return config_error(p, "unknown key '%s'; did you mean '%s'?",
		    name, best);
	return config_error(p, "unknown key '%s'", name);
}

/* [phases]: order = LIST, or KIND = PHASE | none (resolved after parsing). */
static int
config_phases_key(struct config_parse *p, const char *name, const char *value)
{
	struct phases *ph = &p->cfg->phases;
	struct strlist names = { 0 };
	size_t i, j;
	int kind, rc = -1;

	if (strcmp(name, "order") == 0) {
		config_split(value, &names);
		if (names.n == 0 || names.n > MAX_PHASES) {
			config_error(p, "'order' needs 1 to %d phases",
			    MAX_PHASES);
			goto out;
		}
		for (i = 0; i < names.n; i++) {
			if (!config_valid_phase(names.v[i])) {
				config_error(p, "bad phase name '%s'",
				    names.v[i]);
				goto out;
			}
			for (j = 0; j < i; j++)
				if (strcasecmp(names.v[i], names.v[j]) == 0) {
					config_error(p, "phase '%s' "
					    "repeats in 'order'", names.v[i]);
					goto out;
				}
		}
		for (i = 0; i < ph->n; i++)
			free(ph->name[i]);
		for (i = 0; i < names.n; i++) {
			ph->name[i] = names.v[i];
			names.v[i] = NULL;
		}
		ph->n = names.n;
		p->order_line = p->line;
		rc = 0;
		goto out;
	}
	kind = signal_kind_from_name(name);
	if (kind < 0)
		return config_error(p, "unknown key '%s' in [phases]",
		    name);
	if (!signal_kind_moves_phase(kind))
		return config_error(p, "'%s' does not move a deal to a "
		    "phase", name);
	if (strcasecmp(value, "none") != 0 && !config_valid_phase(value))
		return config_error(p, "bad phase name '%s'", value);
	free(p->enters[kind]);
	p->enters[kind] = xstrdup(value);
	p->enters_line[kind] = p->line;
	return 0;
out:
	for (i = 0; i < names.n; i++)
		free(names.v[i]);
	free(names.v);
	return rc;
}

/* [targets]: two rates, then conversion_PHASE and prior_PHASE fractions. */
static int
config_targets_key(struct config_parse *p, const char *name, const char *value)
{
	struct targets *t = &p->cfg->targets;
	struct config_target *ct;
	const char *phase;
	bool prior;
	double v;

	if (strcmp(name, "appointments_per_day") == 0 ||
	    strcmp(name, "offers_per_week") == 0) {
		if (config_parse_number(value, false, &v) != 0)
			return config_error(p, "bad number '%s' for "
			    "'%s'", value, name);
		if (name[0] == 'a')
			t->appointments_per_day = v;
		else
			t->offers_per_week = v;
		return 0;
	}
	if (strncmp(name, "conversion_", 11) == 0) {
		phase = name + 11;
		prior = false;
	} else if (strncmp(name, "prior_", 6) == 0) {
		phase = name + 6;
		prior = true;
	} else
		return config_error(p, "unknown key '%s' in [targets]",
		    name);
	if (!config_valid_phase(phase))
		return config_error(p, "bad phase name '%s'", phase);
	if (config_parse_number(value, true, &v) != 0 || v > 1)
		return config_error(p, "bad fraction '%s' for '%s' "
		    "(0 to 1, or 0%% to 100%%)", value, name);
	p->targets = xreallocarray(p->targets, p->ntargets + 1,
	    sizeof *p->targets);
	ct = &p->targets[p->ntargets++];
	ct->phase = xstrdup(phase);
	ct->prior = prior;
	ct->value = v;
	ct->line = p->line;
	return 0;
}

/*
 * [rules] languages = nl, en, de, fr: whose default rules apply (all
 * when the key is absent); lists set in [rules] replace them anyway.
 */
static int
config_rules_languages(struct config_parse *p, const char *value)
{
	struct strlist *langs = &p->cfg->rules.languages;
	size_t i;

	strlist_clear(langs);
	config_split(value, langs);
	for (i = 0; i < langs->n; i++) {
		util_lower(langs->v[i]);
		if (!rules_valid_language(langs->v[i])) {
			config_error(p, "unknown language '%s' in 'languages'"
			    " (%s)", langs->v[i], RULES_LANGUAGES);
			return -1;
		}
	}
	if (langs->n == 0) {
		config_error(p, "'languages' needs one or more of %s",
		    RULES_LANGUAGES);
		return -1;
	}
	return 0;
}

/* The inih handler: one KEY = VALUE of the current section. */
static int
config_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct config_parse *p = user;
	struct config *cfg = p->cfg;
	const struct config_key *table = NULL, *k;
	void *base = NULL;

	(void)section;		/* the reader tracks sections itself */
	if (p->failed)
		return 0;
	if (p->value != NULL)
		value = p->value;	/* inih got "KEY =" only */
	if (p->sect == SEC_NONE) {
		config_error(p, "'%s' before the first section", name);
		return 0;
	}
	if (strlist_contains(&p->keys, name)) {
		config_error(p, "duplicate key '%s'", name);
		return 0;
	}
	strlist_add(&p->keys, name);

	switch (p->sect) {
	case SEC_GENERAL:
		table = config_general_keys;
		base = cfg;
		break;
	case SEC_SALESPERSON:
		table = config_salesperson_keys;
		base = &cfg->people[p->idx];
		break;
	case SEC_SOURCE:
		/* The keys of every source, then the driver's own. */
		table = config_find_key(source_keys, name) != NULL ?
		    source_keys : p->ops->keys;
		base = &cfg->sources[p->idx];
		break;
	case SEC_RULES:
		if (strcmp(name, "languages") == 0)
			return config_rules_languages(p, value) == 0;
		table = config_rules_keys;
		base = &cfg->rules;
		rules_configured(&cfg->rules, name);
		break;
	case SEC_SMTP:
		table = config_smtp_keys;
		base = &cfg->smtp;
		break;
	case SEC_DIGEST:
		table = config_digest_keys;
		base = &cfg->digest;
		break;
	case SEC_PHASES:
		return config_phases_key(p, name, value) == 0;
	case SEC_TARGETS:
		return config_targets_key(p, name, value) == 0;
	case SEC_NONE:
		break;
	}
	k = config_find_key(table, name);
	if (k == NULL) {
		config_unknown_key(p, name, table, p->sect == SEC_SOURCE ?
		    source_keys : NULL);
		return 0;
	}
	return config_set(p, k, base, name, value) == 0;
}

/* Index of a phase name in ph, or PHASE_NONE. */
static int
config_phases_find(const struct phases *ph, const char *name)
{
	size_t i;

	for (i = 0; i < ph->n; i++)
		if (strcasecmp(ph->name[i], name) == 0)
			return (int)i;
	return PHASE_NONE;
}

/* The phase a kind enters by default (DESIGN section 4), or NULL. */
static const char *
config_default_phase(enum signal_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof config_default_enters /
	    sizeof config_default_enters[0]; i++)
		if (config_default_enters[i].kind == kind)
			return config_default_enters[i].phase;
	return NULL;
}

/* Resolves [phases] KIND = PHASE and [targets] phase names. */
static int
config_resolve_phases(struct config_parse *p)
{
	struct config *cfg = p->cfg;
	const char *name;
	size_t i;
	int k, idx, line;

	for (k = 0; k < SIG__COUNT; k++) {
		cfg->phases.enters[k] = PHASE_NONE;
		name = p->enters[k] != NULL ? p->enters[k] :
		    config_default_phase(k);
		if (name == NULL || strcasecmp(name, "none") == 0)
			continue;
		idx = config_phases_find(&cfg->phases, name);
		if (idx == PHASE_NONE) {
			line = p->enters[k] != NULL ? p->enters_line[k] :
			    p->order_line;
			return config_error_at(p, line, "'%s' enters phase "
			    "'%s', which is not in the phase order (set %s = "
			    "PHASE or none in [phases])", signal_kind_name(k),
			    name, signal_kind_name(k));
		}
		cfg->phases.enters[k] = idx;
	}
	for (i = 0; i < p->ntargets; i++) {
		idx = config_phases_find(&cfg->phases, p->targets[i].phase);
		if (idx == PHASE_NONE)
			return config_error_at(p, p->targets[i].line, "unknown "
			    "phase '%s'", p->targets[i].phase);
		if (p->targets[i].prior)
			cfg->targets.prior_win[idx] = p->targets[i].value;
		else
			cfg->targets.conversion[idx] = p->targets[i].value;
	}
	return 0;
}

/* Whole-config checks after parsing (msmtp's check_account). */
static int
config_check(struct config_parse *p)
{
	struct config *cfg = p->cfg;
	const struct salesperson *other;
	const struct source_ops *ops;
	struct salesperson *sp;
	struct source *src;
	char msg[400];
	size_t i, j;

	for (i = 0; i < cfg->npeople; i++) {
		sp = &cfg->people[i];
		if (sp->email.n == 0)
			return config_error_at(p, sp->line, "[salesperson %s] "
			    "needs 'email'", sp->key);
		for (j = 0; j < sp->email.n; j++) {
			other = config_salesperson_by_email(cfg,
			    sp->email.v[j]);
			if (other == sp)
				continue;
			return config_error_at(p, sp->line, "address %s of "
			    "[salesperson %s] is also salesperson %s's",
			    sp->email.v[j], sp->key, other->key);
		}
		if (sp->name == NULL)
			sp->name = xstrdup(sp->key);
	}
	for (i = 0; i < cfg->nsources; i++) {
		src = &cfg->sources[i];
		if (oauth_conf_resolve(cfg, src, msg, sizeof msg) != 0)
			return config_error_at(p, src->line, "%s: %s",
			    src->password.owner, msg);
		if (src->url == NULL)
			return config_error_at(p, src->line, "%s needs 'url'",
			    src->password.owner);
		if (config_salesperson(cfg, src->salesperson) == NULL)
			return config_error_at(p, src->line, "%s: salesperson "
			    "'%s' is not defined (add [salesperson %s])",
			    src->password.owner, src->salesperson,
			    src->salesperson);
		if (src->auth != NULL && (strcmp(src->auth, "xoauth2") == 0 ||
		    strcmp(src->auth, "oauthbearer") == 0 ||
		    strcmp(src->auth, "bearer") == 0) &&
		    src->token.command == NULL && src->token.env == NULL &&
		    !oauth_enabled(src))
			return config_error_at(p, src->line, "%s: auth = "
			    "%s needs 'token_command' or OAuth 2.0 settings "
			    "(provider = or oauth_*)", src->password.owner,
			    src->auth);
		/* No credentials in clear unless asked for. */
		ops = source_ops_for(src->type);
		if (ops->cleartext != NULL && src->tls != TLS_NONE &&
		    strncasecmp(src->url, ops->cleartext,
		    strlen(ops->cleartext)) == 0 &&
		    strncmp(src->url + strlen(ops->cleartext), "://", 3) == 0)
			return config_error_at(p, src->line, "%s: url is plain "
			    "%s: use %ss://, or tls = none to allow it",
			    src->password.owner, ops->cleartext,
			    ops->cleartext);
	}
	if (cfg->smtp.line != 0 && cfg->smtp.url == NULL)
		return config_error_at(p, cfg->smtp.line, "[smtp] needs 'url'");
	if (cfg->smtp.line != 0 && cfg->smtp.from == NULL)
		return config_error_at(p, cfg->smtp.line,
		    "[smtp] needs 'from'");
	if (cfg->digest.schedule != NULL && cfg->smtp.url == NULL)
		return config_error_at(p, p->schedule_line, "a digest schedule "
		    "needs an [smtp] section");
	return config_resolve_phases(p);
}

void
config_defaults(struct config *cfg)
{
	size_t i;

	memset(cfg, 0, sizeof *cfg);
	cfg->database = xstrdup(LOCALSTATEDIR "/lib/salescycle/salescycle.db");
	cfg->timezone = xstrdup(util_system_tz());
	cfg->currency = xstrdup("EUR");
	cfg->stale_after_days = 120;
	cfg->reopen_after_days = 7;
	cfg->backfill_days = 365;
	cfg->silence_days = 14;
	cfg->usual_quiet_days = 14;
	cfg->confirmation_days = 14;
	cfg->retention_days = 0;
	cfg->workers = 4;
	cfg->keep_connections = SOURCE_KEEP_DEFAULT;
	cfg->store_subjects = true;
	cfg->working_days = 0x1f;	/* Monday to Friday */
	classify_default_rules(&cfg->rules);

	cfg->phases.n = sizeof config_default_phases /
	    sizeof config_default_phases[0];
	for (i = 0; i < cfg->phases.n; i++)
		cfg->phases.name[i] = xstrdup(config_default_phases[i]);
	for (i = 0; i < SIG__COUNT; i++)
		cfg->phases.enters[i] = config_default_phase(i) == NULL ?
		    PHASE_NONE : config_phases_find(&cfg->phases,
		    config_default_phase(i));
	cfg->smtp.password.owner = xstrdup("[smtp]");
	cfg->smtp.timeout = 30;
}

/*
 * A relative database path is relative to the configuration file's folder,
 * so the agent and the CLI find the same database wherever they run.
 */
static void
config_resolve_database(struct config *cfg, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *abs;

	if (cfg->database == NULL || cfg->database[0] == '/')
		return;
	if (slash == NULL)
		abs = xasprintf("./%s", cfg->database);
	else
		abs = xasprintf("%.*s/%s", (int)(slash - path), path, cfg->database);
	free(cfg->database);
	cfg->database = abs;
}

int
config_load(const char *path, struct config *cfg, struct err *err)
{
	struct config_parse p;
	size_t i;
	int rc;

	config_defaults(cfg);
	cfg->path = xstrdup(path);
	err_clear(err);
	memset(&p, 0, sizeof p);
	p.cfg = cfg;
	p.err = err;
	p.fp = fopen(path, "r");
	if (p.fp == NULL) {
		err_set(err, ERR_FINAL, "%s: %s", path, strerror(errno));
		p.failed = true;
		goto out;
	}
	if (fstat(fileno(p.fp), &p.st) != 0 || !S_ISREG(p.st.st_mode)) {
		err_set(err, ERR_FINAL, "%s: not a regular file", path);
		p.failed = true;
		goto out;
	}
	rc = ini_parse_stream(config_reader, &p, config_handler, &p);
	if (rc > 0 && (!p.failed || rc < p.errline)) {
		/* inih found a bad line before any error of ours. */
		p.failed = false;
		config_error_at(&p, rc, "expected KEY = VALUE or [SECTION]");
	} else if (rc < 0)
		config_error_at(&p, p.line, "out of memory while parsing");
	if (!p.failed && ferror(p.fp)) {
		err_set(err, ERR_FINAL, "%s: read error", path);
		p.failed = true;
	}
	/* Before the checks: token files go beside the database. */
	if (!p.failed)
		config_resolve_database(cfg, path);
	if (!p.failed)
		config_check(&p);
	/* The defaults of the chosen languages, now that all is read. */
	if (!p.failed)
		rules_defaults(&cfg->rules);
out:
	if (p.fp != NULL)
		fclose(p.fp);
	free(p.linebuf);
	free(p.value);
	strlist_clear(&p.keys);
	for (i = 0; i < SIG__COUNT; i++)
		free(p.enters[i]);
	for (i = 0; i < p.ntargets; i++)
		free(p.targets[i].phase);
	free(p.targets);
	if (p.failed) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* Frees a secret's strings, wiping a password first. */
static void
config_secret_free(struct secret *s)
{
	free(s->command);
	free(s->env);
	free(s->credential);
	if (s->value != NULL)
		explicit_bzero(s->value, strlen(s->value));
	free(s->value);
	free(s->owner);
}

/* Frees a source's OAuth 2.0 settings. */
static void
config_oauth_free(struct oauth_conf *o)
{
	free(o->provider);
	free(o->flow_name);
	free(o->tenant);
	free(o->device_url);
	free(o->token_url);
	free(o->client_id);
	config_secret_free(&o->client_secret);
	free(o->scope);
	free(o->key_file);
	free(o->cert_file);
	free(o->token_file);
	memset(o, 0, sizeof *o);
}

/* Frees what the keys of a driver's table (strings and lists) hold. */
static void
config_free_keys(const struct config_key *k, void *base)
{
	for (; k != NULL && k->name != NULL; k++) {
		switch (k->type) {
		case CONFIG_LIST:
		case CONFIG_DOMAINS:
		case CONFIG_ADDRESSES:
			strlist_clear((struct strlist *)((char *)base +
			    k->off));
			break;
		case CONFIG_STRING:
		case CONFIG_ADDRESS:
		case CONFIG_TIMEZONE:
		case CONFIG_CURRENCY:
		case CONFIG_URL:
		case CONFIG_AUTH:
		case CONFIG_SALESPERSON:
			free(*(char **)((char *)base + k->off));
			break;
		default:
			break;
		}
	}
}

void
config_free(struct config *cfg)
{
	struct rules *r = &cfg->rules;
	struct source *src;
	size_t i;

	free(cfg->path);
	free(cfg->database);
	free(cfg->timezone);
	free(cfg->currency);
	free(cfg->group.name);
	strlist_clear(&cfg->internal_domains);
	strlist_clear(&cfg->ignore_domains);
	strlist_clear(&cfg->freemail_domains);
	for (i = 0; i < cfg->npeople; i++) {
		free(cfg->people[i].key);
		free(cfg->people[i].name);
		strlist_clear(&cfg->people[i].email);
		free(cfg->people[i].manager);
		free(cfg->people[i].language);
	}
	free(cfg->people);
	for (i = 0; i < cfg->nsources; i++) {
		src = &cfg->sources[i];
		free(src->key);
		free(src->name);
		free(src->salesperson);
		free(src->url);
		free(src->user);
		config_secret_free(&src->password);
		config_secret_free(&src->token);
		config_oauth_free(&src->oauth);
		free(src->auth);
		free(src->ca_file);
		config_free_keys(source_ops_for(src->type)->keys, src);
	}
	free(cfg->sources);
	strlist_clear(&r->offer_subject);
	strlist_clear(&r->offer_attachment);
	strlist_clear(&r->order_subject);
	strlist_clear(&r->order_attachment);
	strlist_clear(&r->call_summary);
	strlist_clear(&r->demo_summary);
	strlist_clear(&r->reply_prefix);
	strlist_clear(&r->forward_prefix);
	strlist_clear(&r->noreply_sender);
	strlist_clear(&r->autoreply_subject);
	strlist_clear(&r->verbal_phrase);
	strlist_clear(&r->lost_phrase);
	strlist_clear(&r->languages);
	for (i = 0; i < cfg->phases.n; i++)
		free(cfg->phases.name[i]);
	free(cfg->smtp.url);
	free(cfg->smtp.user);
	config_secret_free(&cfg->smtp.password);
	free(cfg->smtp.from);
	free(cfg->smtp.ca_file);
	free(cfg->digest.schedule);
	strlist_clear(&cfg->digest.to);
	free(cfg->digest.period);
	free(cfg->digest.guide_url);
	free(cfg->language);
	memset(cfg, 0, sizeof *cfg);
}

const char *
config_default_path(void)
{
	const char *env = getenv("SALESCYCLE_CONFIG");

	if (env != NULL && *env != '\0')
		return env;
	return SYSCONFDIR "/salescycle.conf";
}

const char *
config_language(const struct config *cfg, const struct salesperson *sp)
{
	if (sp != NULL && sp->language != NULL)
		return sp->language;
	return cfg->language != NULL ? cfg->language : "en";
}

bool
config_personal_digest(const struct config *cfg, const struct salesperson *sp)
{
	if (sp->email.n == 0)
		return false;	/* nowhere to send it */
	if (sp->digest != 0)
		return sp->digest == 1;
	return cfg->digest.salespeople;
}

const struct salesperson *
config_salesperson(const struct config *cfg, const char *key)
{
	size_t i;

	if (key == NULL)
		return NULL;
	for (i = 0; i < cfg->npeople; i++)
		if (strcmp(cfg->people[i].key, key) == 0)
			return &cfg->people[i];
	return NULL;
}

const struct salesperson *
config_salesperson_by_email(const struct config *cfg, const char *addr)
{
	size_t i;

	if (addr == NULL)
		return NULL;
	for (i = 0; i < cfg->npeople; i++)
		if (strlist_contains(&cfg->people[i].email, addr))
			return &cfg->people[i];
	return NULL;
}

int
config_phase_index(const struct config *cfg, const char *name)
{
	if (name == NULL)
		return PHASE_NONE;
	return config_phases_find(&cfg->phases, name);
}
