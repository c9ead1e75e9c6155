/* SPDX-License-Identifier: MIT */
/*
 * The configuration file (DESIGN section 8, man/salescycle.conf.5), parsed
 * with inih into struct config.  config_load() reports the first error as
 * "FILE:LINE: what is wrong"; the programs exit 2 on it.  All strings in
 * struct config are owned by it and freed by config_free().
 */
#ifndef SC_CONFIG_H
#define SC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"
#include "model.h"
#include "xmalloc.h"

enum source_type { SOURCE_IMAP, SOURCE_CALDAV, SOURCE_ICS, SOURCE_GRAPH };

/*
 * The kinds of value a configuration key takes; config.c parses and
 * checks each.  Key tables are config.c's for its sections and the
 * drivers' for their own keys of a source section (source.h).
 */
enum config_type {
	CONFIG_STRING,		/* char *, not empty */
	CONFIG_LIST,		/* struct strlist, replaces the default */
	CONFIG_DOMAINS,		/* struct strlist of lower-cased domains */
	CONFIG_ADDRESSES,	/* struct strlist of lower-cased addresses */
	CONFIG_ADDRESS,		/* char *, a lower-cased mail address */
	CONFIG_INT,		/* int within min..max */
	CONFIG_DURATION,	/* int seconds: "300", "5m", "1h" */
	CONFIG_BOOL,
	CONFIG_WEEKDAYS,	/* unsigned, bit 0 = Monday */
	CONFIG_TIMEZONE,	/* char *, a zone libical knows */
	CONFIG_SCHEDULE,	/* struct digest: schedule and period */
	CONFIG_URL,		/* char *, scheme checked against the section */
	CONFIG_AUTH,		/* char *: plain, login, xoauth2, oauthbearer, bearer */
	CONFIG_TLS,		/* enum tls_mode */
	CONFIG_COMMAND,		/* struct secret: command */
	CONFIG_ENV,		/* struct secret: env */
	CONFIG_PASSWORD,	/* struct secret: value, private file only */
	CONFIG_CREDENTIAL,	/* struct secret: credential (systemd) */
	CONFIG_SALESPERSON,	/* char *, a salesperson key (checked later) */
	CONFIG_GROUP,		/* struct config_group: a name or number */
};

/* One key of a section: its name, type and place in the section's struct. */
struct config_key {
	const char	*name;
	enum config_type type;
	size_t		 off;		/* into the section's struct */
	int		 min, max;	/* CONFIG_INT */
};

#define CONFIG_KEY(n, t, st, f)	{ n, t, offsetof(struct st, f), 0, 0 }
#define CONFIG_KEY_END		{ NULL, 0, 0, 0, 0 }
enum tls_mode { TLS_DEFAULT, TLS_NONE };	/* TLS_DEFAULT: imaps/https or required STARTTLS */

/* Where a secret comes from; at most one of these is set. */
struct secret {
	char	*command;	/* password_command / token_command: first line of its output */
	char	*env;		/* password_env: name of the environment variable */
	char	*value;		/* password: only from a file not readable by group/others */
	char	*credential;	/* password_credential: a file of $CREDENTIALS_DIRECTORY */
	char	*owner;		/* "[imap anna]": names the source in errors, never the secret */
};

/* How a source gets OAuth 2.0 tokens of its own (oauth.h). */
enum oauth_flow {
	OAUTH_NONE = 0,			/* none: a password, or token_command */
	OAUTH_DEVICE,			/* RFC 8628 sign-in, then refresh tokens */
	OAUTH_CLIENT_CREDENTIALS,	/* RFC 6749 4.4: application permissions */
	OAUTH_SERVICE_ACCOUNT,		/* RFC 7523 JWT bearer: domain-wide delegation */
};

/* A source's OAuth 2.0 settings: the oauth_* keys and provider. */
struct oauth_conf {
	char		*provider;	/* "microsoft365", "google"; NULL: none */
	char		*flow_name;	/* oauth_flow as written; NULL: preset */
	char		*tenant;	/* Microsoft: the tenant's ID or domain */
	char		*device_url;
	char		*token_url;
	char		*client_id;
	struct secret	 client_secret;	/* optional for a public client */
	char		*scope;
	char		*key_file;	/* service account's JSON key */
	char		*cert_file;	/* the app's certificate and key (PEM) */
	/* Set by oauth_conf_resolve() after parsing: */
	enum oauth_flow	 flow;
	char		*token_file;	/* OAUTH_DEVICE: the refresh token's file */
};

struct salesperson {
	char		*key;
	char		*name;
	struct strlist	 email;		/* lower-cased addresses */
	char		*manager;	/* address, may be NULL */
	int		 line;		/* where it was defined */
};

struct source {
	enum source_type type;
	char		*key;		/* section key: [imap anna-2] -> "anna-2" */
	char		*name;		/* "imap:anna-2" */
	char		*salesperson;	/* salesperson key (default: the section key) */
	char		*url;
	char		*user;
	struct secret	 password;
	struct secret	 token;		/* token_command for XOAUTH2 / bearer */
	char		*auth;		/* "plain", "login", "xoauth2", "oauthbearer",
					   "bearer"; NULL = best offered */
	enum tls_mode	 tls;
	char		*ca_file;
	/* The drivers' own keys (source.h): */
	struct strlist	 folders;	/* imap: empty = INBOX and \Sent */
	struct strlist	 calendars;	/* caldav: display names; empty = all */
	struct oauth_conf oauth;	/* imap, caldav: OAuth 2.0 of its own */
	int		 poll_interval;	/* seconds, default 300 */
	int		 timeout;	/* seconds, default 60 */
	int		 line;
};

/* Pattern lists of DESIGN section 5; each replaces the default when set. */
struct rules {
	struct strlist	offer_subject;
	struct strlist	offer_attachment;	/* globs on file names */
	struct strlist	order_subject;
	struct strlist	order_attachment;
	struct strlist	call_summary;
	struct strlist	demo_summary;
	struct strlist	reply_prefix;		/* "re", "antw", "aw", "sv", "vs" */
	struct strlist	forward_prefix;		/* "fwd", "fw", "doorst", "wg" */
	struct strlist	noreply_sender;		/* globs on the local part: noreply, no-reply, mailer-daemon ... */
	struct strlist	autoreply_subject;	/* "out of office", "afwezig", "automatic reply" ... */
	struct strlist	verbal_phrase;		/* inbound phrases; empty (off) by default */
	struct strlist	lost_phrase;		/* inbound phrases; empty (off) by default */
	struct strlist	languages;		/* nl, en, de, fr: whose defaults apply; empty = all */
	unsigned	configured;		/* lists set in [rules] (rules.c), kept whatever the languages */
};

struct phases {
	size_t		 n;
	char		*name[MAX_PHASES];		/* owned, in cycle order */
	int		 enters[SIG__COUNT];		/* phase index or PHASE_NONE */
};

struct targets {
	double		 appointments_per_day;	/* 0 = unset */
	double		 offers_per_week;
	double		 conversion[MAX_PHASES];	/* 0 = unset, else 0..1 */
	double		 prior_win[MAX_PHASES];		/* forecast priors, 0..1 */
};

struct smtp {
	char		*url;
	char		*user;
	struct secret	 password;
	char		*from;
	enum tls_mode	 tls;
	char		*ca_file;
	int		 timeout;	/* seconds: connecting, each answer; 30 */
	int		 line;
};

struct digest {
	char		*schedule;	/* "mon 08:00", "daily 07:30"; NULL = off */
	struct strlist	 to;
	char		*period;	/* "week" or "day", derived from schedule */
};

/* [general] group: who may read the database besides its owner. */
struct config_group {
	char		*name;		/* as configured; NULL: nobody (0600) */
	gid_t		 gid;		/* valid when name is set */
};

struct config {
	char		*path;
	char		*database;
	char		*timezone;
	struct strlist	 internal_domains;
	struct strlist	 ignore_domains;
	struct strlist	 freemail_domains;	/* added to the built-in list */
	int		 stale_after_days;	/* 120 */
	int		 reopen_after_days;	/* 7 */
	int		 backfill_days;		/* 365 */
	int		 silence_days;		/* 14 */
	int		 usual_quiet_days;	/* 14: a phase's usual quiet spell without history */
	int		 confirmation_days;	/* 14: a verbal order's wait for its confirmation */
	int		 retention_days;	/* 0 = keep */
	int		 workers;		/* 4 */
	int		 keep_connections;	/* idle ones kept: 32 (source.h) */
	bool		 store_subjects;	/* yes */
	unsigned	 working_days;		/* bit 0 = Monday ... bit 6 = Sunday; default Mon-Fri */
	struct config_group group;		/* 0640 for it, else 0600 */
	bool		 core_dumps;		/* no: not dumpable */

	struct salesperson *people;	/* owned array */
	size_t		 npeople;
	struct source	*sources;	/* owned array */
	size_t		 nsources;

	struct rules	 rules;
	struct phases	 phases;
	struct targets	 targets;
	struct smtp	 smtp;
	struct digest	 digest;
};

/* Fills defaults only (no file): what the programs use when there is no config. */
void	config_defaults(struct config *);

/*
 * Parses path into cfg (which it initialises).  On error fills err->msg
 * with "PATH:LINE: what is wrong" (cls ERR_FINAL) and returns -1; cfg is
 * then freed already.
 */
int	config_load(const char *path, struct config *cfg, struct err *err);
void	config_free(struct config *);

/* The default config path: $SALESCYCLE_CONFIG or SYSCONFDIR/salescycle.conf. */
const char *config_default_path(void);

const struct salesperson *config_salesperson(const struct config *, const char *key);
/* The salesperson whose address this is (case-insensitive), or NULL. */
const struct salesperson *config_salesperson_by_email(const struct config *, const char *addr);

/* Phase index by name, or PHASE_NONE. */
int	config_phase_index(const struct config *, const char *name);

/*
 * Reads a secret: the first line of the command's output (run with
 * /bin/sh -c like isync's PassCmd: the admin wrote it; it never holds
 * data from mail or calendars), the environment variable, or the value.
 * Never logged.  Caller frees *out with free(); *out is NULL when no
 * secret is configured.  Errors (class ERR_WAIT) name the owner, not the
 * secret.  Implemented in secret.c.
 */
int	config_secret(const struct secret *, char **out, struct err *);

/* Whether any of a secret's sources is configured. */
bool	config_secret_set(const struct secret *);

#endif
