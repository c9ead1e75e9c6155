/* SPDX-License-Identifier: MIT */
/*
 * A test helper, not a program anybody installs: dumps mail summaries as
 * text, so that mime-paths.int can require that the file path and the
 * IMAP path give the same summary for the same message (mail.h).
 *
 *	summary-dump split [-a ARRIVAL] OUTDIR FILE...
 *		writes each message of the files (.eml, or each message of
 *		an mbox, split as `salescycle import` splits it) to
 *		OUTDIR/NNNN.eml and its arrival time (the mbox From_ line's
 *		date, else ARRIVAL, seconds since the epoch) to
 *		OUTDIR/NNNN.date.  A message mail_parse() refuses, or one
 *		holding a NUL byte (no IMAP server stores that), is left
 *		out, as the import and the agent leave it out.
 *	summary-dump file -c CONFIG -o OWNER [-s] FOLDER DIR
 *		the file path: mail_parse() of DIR/NNNN.eml, arrival set,
 *		then seen as the agent sees a message in FOLDER of OWNER's
 *		mailbox (-s: the \Sent folder): the parts of a message the
 *		agent does not fetch (the text and calendar parts of mail
 *		that is not outbound, classify_direction(), or not the
 *		owner's own, classify_owners_own()) are left out, and in
 *		\Sent the Received probe is not sent (received is unknown,
 *		which counts as received).
 *	summary-dump imap -c CONFIG
 *		the IMAP path: polls the first source of CONFIG with the
 *		agent's driver and dumps each summary the driver hands to
 *		the pipeline (this program is linked with
 *		-Wl,--wrap=pipeline_mail), by folder and UID.
 *
 * Each summary is a block headed "== FOLDER N" (N: the message's place
 * in DIR, which is its UID in a folder the test filled in that order);
 * strings are printed with non-printable bytes as \xNN.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "config.h"
#include "log.h"
#include "mail.h"
#include "mbox.h"
#include "pipeline.h"
#include "source.h"
#include "store.h"
#include "util.h"
#include "xmalloc.h"

void	__real_pipeline_mail(struct pipeline *, const char *,
	    const struct mail_summary *, bool, const char *);
void	__wrap_pipeline_mail(struct pipeline *, const char *,
	    const struct mail_summary *, bool, const char *);

/* A summary dumped by the wrapper, with where it came from. */
struct dumped {
	char		*folder;	/* owned */
	unsigned long	 uid;
	char		*text;		/* owned */
};

static struct dumped	*dumped;
static size_t		 ndumped;

static void
usage(void)
{
	fprintf(stderr, "usage: summary-dump split [-a ARRIVAL] OUTDIR FILE...\n"
	    "       summary-dump file -c CONFIG -o OWNER [-s] FOLDER DIR\n"
	    "       summary-dump imap -c CONFIG\n");
	exit(2);
}

/* Appends s with non-printable bytes (and the backslash) as \xNN. */
static void
dump_str(struct buf *b, const char *s)
{
	const unsigned char	*p;

	if (s == NULL) {
		buf_puts(b, "(null)");
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			buf_printf(b, "\\x%02x", *p);
		else
			buf_append(b, (const char *)p, 1);
	}
}

static void
dump_field(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "%s: ", name);
	dump_str(b, value);
	buf_puts(b, "\n");
}

static void
dump_list(struct buf *b, const char *name, const struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		dump_field(b, name, l->v[i]);
}

static void
dump_addrs(struct buf *b, const char *name, const struct mail_addr_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		buf_printf(b, "%s: ", name);
		dump_str(b, l->v[i].name);
		buf_puts(b, " <");
		dump_str(b, l->v[i].addr);
		buf_puts(b, ">\n");
	}
}

static void
dump_time(struct buf *b, const char *name, time_t t)
{
	char	iso[32];

	util_format_utc(t, iso, sizeof iso);
	buf_printf(b, "%s: %s\n", name, t == 0 ? "0" : iso);
}

/* The summary as text, every field but calendar_sections (IMAP's own). */
static char *
dump(const struct mail_summary *m)
{
	struct buf	b = { NULL, 0, 0 };

	dump_field(&b, "message-id", m->message_id);
	dump_time(&b, "date", m->date);
	buf_printf(&b, "date-valid: %s\n", m->date_valid ? "yes" : "no");
	dump_time(&b, "internaldate", m->internaldate);
	dump_addrs(&b, "from", &m->from);
	dump_addrs(&b, "to", &m->to);
	dump_addrs(&b, "cc", &m->cc);
	dump_field(&b, "subject", m->subject);
	dump_list(&b, "attachment", &m->attachments);
	buf_printf(&b, "bulk: 0x%02x\n", m->bulk);
	dump_field(&b, "in-reply-to", m->in_reply_to);
	dump_list(&b, "reference", &m->references);
	dump_list(&b, "hashtag", &m->hashtags);
	dump_list(&b, "calendar", &m->calendar_parts);
	buf_printf(&b, "received: %s\n", m->received ? "yes" : "no");
	buf_append(&b, "", 0);
	return b.data;
}

void
__wrap_pipeline_mail(struct pipeline *p, const char *salesperson,
    const struct mail_summary *m, bool sent_folder, const char *item)
{
	const char	*uid, *validity;
	struct dumped	*d;

	/* The item is FOLDER/UIDVALIDITY/UID; the folder may hold '/'. */
	uid = strrchr(item, '/');
	validity = uid;
	while (validity != NULL && validity > item && validity[-1] != '/')
		validity--;
	if (uid == NULL || validity == NULL || validity <= item + 1) {
		fprintf(stderr, "summary-dump: odd item %s\n", item);
		exit(1);
	}
	dumped = xreallocarray(dumped, ndumped + 1, sizeof *dumped);
	d = &dumped[ndumped++];
	d->folder = xstrndup(item, (size_t)(validity - 1 - item));
	d->uid = strtoul(uid + 1, NULL, 10);
	d->text = dump(m);
	__real_pipeline_mail(p, salesperson, m, sent_folder, item);
}

/* Writes len bytes to path; exits on failure. */
static void
write_file(const char *path, const char *data, size_t len)
{
	FILE	*f = fopen(path, "w");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "summary-dump: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Where split writes. */
struct split {
	const char	*dir;
	time_t		 arrival;	/* for a message without a From_ date */
	unsigned	 n;
};

/* Writes one message and its arrival, unless no path could carry it. */
static void
split_message(struct split *sp, const char *msg, size_t len, time_t arrival,
    const char *what)
{
	struct mail_summary	 m;
	struct err		 err;
	char			 path[4096], date[32];

	if (memchr(msg, '\0', len) != NULL) {
		fprintf(stderr, "summary-dump: %s: holds a NUL byte; left out\n",
		    what);
		return;
	}
	if (mail_parse(msg, len, &m, &err) != 0) {
		fprintf(stderr, "summary-dump: %s: %s; left out\n", what,
		    err.msg);
		return;
	}
	mail_summary_free(&m);
	sp->n++;
	snprintf(path, sizeof path, "%s/%04u.eml", sp->dir, sp->n);
	write_file(path, msg, len);
	snprintf(path, sizeof path, "%s/%04u.date", sp->dir, sp->n);
	snprintf(date, sizeof date, "%lld\n", (long long)(arrival != 0 ?
	    arrival : sp->arrival));
	write_file(path, date, strlen(date));
}

/* The mbox reader's callback: one message of an mbox. */
static int
split_mbox_cb(const char *msg, size_t len, long msgno, off_t offset,
    time_t from_date, void *arg)
{
	char	what[64];

	(void)offset;
	snprintf(what, sizeof what, "message %ld", msgno);
	split_message(arg, msg, len, from_date, what);
	return 0;
}

static int
cmd_split(int argc, char **argv)
{
	struct split	 sp = { NULL, 0, 0 };
	struct err	 err;
	char		*buf;
	size_t		 len;
	bool		 is_mbox;
	int		 c;

	while ((c = getopt(argc, argv, "a:")) != -1) {
		if (c != 'a')
			usage();
		sp.arrival = (time_t)strtoll(optarg, NULL, 10);
	}
	if (argc - optind < 2)
		usage();
	sp.dir = argv[optind++];
	for (; optind < argc; optind++) {
		if (mbox_probe(argv[optind], &is_mbox, &err) != 0) {
			fprintf(stderr, "summary-dump: %s\n", err.msg);
			return 1;
		}
		if (is_mbox) {
			if (mbox_read(argv[optind], split_mbox_cb, &sp,
			    &err) != 0) {
				fprintf(stderr, "summary-dump: %s\n", err.msg);
				return 1;
			}
			continue;
		}
		if (util_read_file(argv[optind], &buf, &len) != 0) {
			fprintf(stderr, "summary-dump: %s: %s\n", argv[optind],
			    strerror(errno));
			return 1;
		}
		split_message(&sp, buf, len, 0, argv[optind]);
		free(buf);
	}
	return 0;
}

/* Loads the configuration; exits on failure. */
static void
load_config(const char *path, struct config *cfg)
{
	struct err	err;

	if (path == NULL)
		usage();
	if (config_load(path, cfg, &err) != 0) {
		fprintf(stderr, "summary-dump: %s\n", err.msg);
		exit(2);
	}
}

/*
 * What the agent reads of a message in a folder of owner's mailbox: the
 * text part (hashtags) of outbound mail that is no bulk mail, and the
 * calendar parts of such mail when it is the owner's own; in \Sent it
 * sends no Received probe, and unknown counts as received.
 */
static void
agent_view(const struct config *cfg, const char *owner, bool sent,
    struct mail_summary *m)
{
	bool	parts;

	if (sent)
		m->received = true;
	parts = m->bulk == 0 &&
	    classify_direction(cfg, m, sent) == DIR_OUTBOUND;
	if (!parts) {
		strlist_clear(&m->hashtags);
		mail_find_hashtags(&m->hashtags, m->subject,
		    strlen(m->subject));
	}
	if (!parts || !classify_owners_own(cfg, owner, m, sent))
		strlist_clear(&m->calendar_parts);
}

static int
cmd_file(int argc, char **argv)
{
	struct mail_summary	 m;
	struct config		 cfg;
	struct err		 err;
	const char		*conf = NULL, *owner = NULL, *folder, *dir;
	char			 path[4096], *buf, *text, *date;
	size_t			 len;
	unsigned		 n;
	bool			 sent = false;
	int			 c, rc = 0;

	while ((c = getopt(argc, argv, "c:o:s")) != -1) {
		switch (c) {
		case 'c':
			conf = optarg;
			break;
		case 'o':
			owner = optarg;
			break;
		case 's':
			sent = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 2 || owner == NULL)
		usage();
	folder = argv[optind];
	dir = argv[optind + 1];
	load_config(conf, &cfg);
	for (n = 1;; n++) {
		snprintf(path, sizeof path, "%s/%04u.eml", dir, n);
		if (access(path, F_OK) != 0)
			break;
		if (util_read_file(path, &buf, &len) != 0) {
			fprintf(stderr, "summary-dump: %s: %s\n", path,
			    strerror(errno));
			rc = 1;
			break;
		}
		if (mail_parse(buf, len, &m, &err) != 0) {
			fprintf(stderr, "summary-dump: %s: %s\n", path, err.msg);
			free(buf);
			rc = 1;
			break;
		}
		free(buf);
		snprintf(path, sizeof path, "%s/%04u.date", dir, n);
		if (util_read_file(path, &date, &len) != 0) {
			fprintf(stderr, "summary-dump: %s: %s\n", path,
			    strerror(errno));
			mail_summary_free(&m);
			rc = 1;
			break;
		}
		mail_set_internaldate(&m, (time_t)strtoll(date, NULL, 10));
		free(date);
		agent_view(&cfg, owner, sent, &m);
		text = dump(&m);
		printf("== %s %u\n%s", folder, n, text);
		free(text);
		mail_summary_free(&m);
	}
	config_free(&cfg);
	return rc;
}

/* Orders dumped summaries by folder (in the order polled), then UID. */
static int
dumped_cmp(const void *a, const void *b)
{
	const struct dumped	*x = a, *y = b;
	size_t			 i, fx = 0, fy = 0;

	for (i = 0; i < ndumped; i++)
		if (strcmp(dumped[i].folder, x->folder) == 0) {
			fx = i;
			break;
		}
	for (i = 0; i < ndumped; i++)
		if (strcmp(dumped[i].folder, y->folder) == 0) {
			fy = i;
			break;
		}
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int
cmd_imap(int argc, char **argv)
{
	const struct source_ops	*ops;
	struct dumped		*sorted;
	struct config		 cfg;
	struct store		*st = NULL;
	struct err		 err;
	const char		*conf = NULL;
	volatile sig_atomic_t	 stop = 0;
	void			*state = NULL;
	size_t			 i;
	int			 c, rc;

	while ((c = getopt(argc, argv, "c:")) != -1) {
		if (c != 'c')
			usage();
		conf = optarg;
	}
	if (argc != optind)
		usage();
	load_config(conf, &cfg);
	if (cfg.nsources == 0 || cfg.sources[0].type != SOURCE_IMAP) {
		fprintf(stderr, "summary-dump: the first source is no [imap]\n");
		return 2;
	}
	if (store_open(cfg.database, 0, &st, &err) != 0) {
		fprintf(stderr, "summary-dump: %s\n", err.msg);
		return 1;
	}
	ops = source_ops_for(SOURCE_IMAP);
	err_clear(&err);
	rc = ops->poll(&state, &cfg, &cfg.sources[0], st, &stop, &err);
	ops->close(state);
	store_close(st);
	if (rc != 0) {
		fprintf(stderr, "summary-dump: poll: %s\n", err.msg);
		return 1;
	}
	/* Sorted on a copy: the comparison looks up folders in dumped. */
	sorted = xcalloc(ndumped + 1, sizeof *sorted);
	memcpy(sorted, dumped, ndumped * sizeof *sorted);
	qsort(sorted, ndumped, sizeof *sorted, dumped_cmp);
	for (i = 0; i < ndumped; i++)
		printf("== %s %lu\n%s", sorted[i].folder, sorted[i].uid,
		    sorted[i].text);
	for (i = 0; i < ndumped; i++) {
		free(dumped[i].folder);
		free(dumped[i].text);
	}
	free(sorted);
	free(dumped);
	config_free(&cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	log_init("summary-dump");
	if (strcmp(argv[1], "split") == 0)
		return cmd_split(argc - 1, argv + 1);
	if (strcmp(argv[1], "file") == 0)
		return cmd_file(argc - 1, argv + 1);
	if (strcmp(argv[1], "imap") == 0)
		return cmd_imap(argc - 1, argv + 1);
	usage();
	return 2;
}
