/* SPDX-License-Identifier: MIT */
/*
 * What the files of the IMAP driver share and nobody else uses: the
 * session a driver keeps between polls, its log macro and the calls
 * from one file of the driver into another.  The files, one concern
 * each:
 *
 *	imap.c		the driver table, poll and close
 *	imap-conn.c	connection, TLS, capabilities, login (the transport
 *			under it: imap-stream.c, tls.c)
 *	imap-folders.c	discovery: LIST (read by imap-list.c), roles, the
 *			configured folders, and the list kept in the store
 *	imap-sync.c	the sync engine: STATUS, EXAMINE, UID SEARCH, the
 *			FETCHes in batches, cursors, retries
 *	imap-fetch.c	the metadata UID FETCH, read and parsed outside
 *			libetpan
 *	imap-summary.c	a FETCH response made a mail summary
 *	imap-queue.c	the summaries handed to the pipeline on a queue's
 *			thread (source-queue.c), with IMAP's bounds
 *	imap-url.c	imap:// URLs and mailbox names in modified UTF-7
 *	imap-doctor.c	doctor's check, DNS included
 */
#ifndef SC_IMAP_INT_H
#define SC_IMAP_INT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "config.h"
#include "err.h"
#include "imap.h"
#include "log.h"
#include "pipeline.h"
#include "source.h"
#include "source-queue.h"
#include "store.h"
#include "xmalloc.h"

/* Bytes of a text part fetched for its hashtags (BODY.PEEK[n]<0.4096>). */
#define IMAP_TEXT_MAX		4096

/* Log with the session's tag ("imap[anna]"); the level is checked first. */
#define imap_log(lvl, s, ...) do {					\
	if (log_level >= (lvl))						\
		log_msg((lvl), (s)->tag, __VA_ARGS__);			\
} while (0)

/* What a driver keeps between polls of one source. */
struct imap_session {
	mailimap	*imap;		/* owned; NULL while disconnected */
	char		*tag;		/* owned: "imap[anna]" */
	struct imap_url	 url;
	bool		 in_auth;	/* the logger redacts what is sent */
	bool		 lost;		/* the connection broke in this poll */
	/*
	 * The connection was made in this poll: the UIDVALIDITY it reads
	 * is a new session's (a kept one says nothing of renumbering).
	 */
	bool		 fresh;
	bool		 condstore;
	struct strlist	 folders;	/* mailbox names to poll, server spelling */
	long		 sent;		/* index of the \Sent folder in folders, -1 */
	/* Why no Sent folder was chosen and what to set; "" when one was. */
	char		 sent_warning[1024];
	struct strlist	 missing;	/* configured folders the server lacks */
	time_t		 listed;	/* when folders were resolved */
	volatile sig_atomic_t *stop;	/* borrowed for a poll; may be NULL */
	int64_t		 session_end;	/* the poll's deadline, in ms */
	int		 session_secs;	/* and how long it was given */
	struct source_report rep;	/* doctor's; say NULL while polling */
	const struct config *cfg;	/* borrowed for a poll */
	const struct source *src;	/* borrowed for a poll */
	struct store	*store;		/* borrowed for a poll */
};

/* imap-conn.c */

/*
 * A new session for src, not connected yet; NULL with err (ERR_FINAL)
 * when its url is bad.  Free with imap_conn_free.
 */
struct imap_session *imap_conn_new(const struct source *, struct err *);

/* Logs out and frees a session; NULL is ignored. */
void	imap_conn_free(struct imap_session *);

/*
 * Arms the session for a poll or a check: the stop flag (may be NULL) and
 * its deadline, for the connection kept and those opened.
 */
void	imap_conn_arm(struct imap_session *, const struct source *,
	    volatile sig_atomic_t *stop);

/*
 * Connects, verifies TLS before anything else is sent and logs in; -1
 * with err (and a doctor's finding) otherwise, disconnected.
 */
int	imap_conn_open(struct imap_session *, const struct source *,
	    struct err *);

/*
 * Reads the greeting of a new connection ms into imap, which takes the
 * stream, as mailimap_connect() does, but parsed with a parser context:
 * libetpan 1.9.4 parses the greeting without one and its quoted-string
 * and literal parsers read it unchecked, so any string in a response code
 * (a flag keyword of PERMANENTFLAGS, a BADCHARSET list) crashed it.  A
 * [CAPABILITY] code is kept, as libetpan keeps it.  Returns
 * MAILIMAP_NO_ERROR_AUTHENTICATED (PREAUTH) or _NON_AUTHENTICATED, or an
 * error: MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION for a BYE.
 */
int	imap_conn_greeting(mailimap *, mailstream *);

/*
 * Whether the server's last capabilities list cap.  Not
 * mailimap_has_extension() alone: libetpan 1.9.4 files "* CAPABILITY"
 * with none as a NULL list, which it then reads unchecked.
 */
bool	imap_conn_has(mailimap *, const char *cap);

/* Drops the connection; LOGOUT only when polite (the connection works). */
void	imap_conn_close(struct imap_session *, bool polite);

/*
 * Fills err for a failed command (r: libetpan's code; what: the command);
 * a broken connection is dropped (never reused after a parse error),
 * s->lost set and the error graded ERR_TEMP.  Returns -1.
 */
int	imap_conn_fail(struct imap_session *, int r, const char *what,
	    struct err *);

/* The server's text for the last tagged response, made safe to show. */
const char *imap_conn_response(const struct imap_session *, char *out,
	    size_t len);

/*
 * Streams FETCH responses to h (NULL: collect them as libetpan does) and
 * tells the transport, whose bounds count a streamed FETCH as freed once
 * handled.
 */
void	imap_conn_stream_to(struct imap_session *, mailimap_msg_att_handler *h,
	    void *arg);

/*
 * Whether a failed command's answer was at fault rather than the
 * connection (unparsable, or beyond a bound of the transport); why gets
 * which.
 */
bool	imap_conn_bad_answer(struct imap_session *, int r, char *why,
	    size_t len);

/* imap-folders.c */

/*
 * Resolves the folders to poll into s->folders (with s->sent, s->missing
 * and s->listed); -1 with err and a doctor's finding when LIST fails.
 */
int	imap_folders_list(struct imap_session *, const struct source *,
	    struct err *);

/* Takes the folder list kept in the store, if fresh (s->listed then set). */
void	imap_folders_load(struct imap_session *, const struct source *,
	    struct store *);

/* Keeps the folder list in the store, or forgets it when one is missing. */
void	imap_folders_save(struct imap_session *, const struct source *,
	    struct store *);

/* imap-summary.c */

/* BODY.PEEK[section]<0.max>: a part's first max bytes, never setting \Seen. */
struct mailimap_fetch_att *imap_summary_section_att(const char *section,
	    uint32_t max);

/* The part number of a BODY[section] answer ("1.2"); "" for any other. */
void	imap_summary_answer_section(const struct mailimap_section *,
	    char *out, size_t len);

/* imap-trace.c (test hook) */

#ifdef SC_TEST_HOOKS
/* The phases traced; see imap-trace.c. */
enum imap_trace_what {
	IMAP_TRACE_SEARCH, IMAP_TRACE_META, IMAP_TRACE_PARTS, IMAP_TRACE_ROOM,
	IMAP_TRACE_CLASSIFY, IMAP_TRACE_COMMIT, IMAP_TRACE_IDLE, IMAP_TRACE_N
};

/* A phase in progress: its start on the clocks of imap-trace.c. */
struct imap_trace_span {
	bool		on;
	long long	wall, cpu, runq;
};

/* Starts phase what on this thread. */
void	imap_trace_begin(struct imap_trace_span *, enum imap_trace_what what);

/* Ends a phase: its wall and CPU time are added to what's sums. */
void	imap_trace_end(struct imap_trace_span *, enum imap_trace_what what);

/* Logs the sums of a folder's sync (with SALESCYCLE_TEST_TRACE) and clears them. */
void	imap_trace_report(const struct imap_session *, const char *folder);

#define IMAP_TRACE_BEGIN(sp, what)	imap_trace_begin((sp), (what))
#define IMAP_TRACE_END(sp, what)	imap_trace_end((sp), (what))
#define IMAP_TRACE_REPORT(s, folder)	imap_trace_report((s), (folder))
#else
struct imap_trace_span {
	char	unused;
};
#define IMAP_TRACE_BEGIN(sp, what)	((void)(sp))
#define IMAP_TRACE_END(sp, what)	((void)(sp))
#define IMAP_TRACE_REPORT(s, folder)	((void)(s))
#endif

/* imap-queue.c */

/* What the queue's functions of a folder's sync get besides an item. */
struct imap_queue_arg {
	bool			sent;	/* a folder of sent mail */
#ifdef SC_TEST_HOOKS
	/* The queue's phases in progress, each on one thread. */
	struct imap_trace_span	span[SOURCE_QUEUE_PHASES];
#endif
};

/*
 * Starts the thread that hands summaries of a folder (of sent mail or
 * not) to p and commits (source_queue_commit).  p, salesperson and arg
 * (filled here) are borrowed and must outlive source_queue_finish.  NULL
 * with err when no thread can be made.
 */
struct source_queue *imap_queue_start(struct pipeline *p,
	    const char *salesperson, bool sent, struct imap_queue_arg *arg,
	    struct err *);

/* Queues a message, *sum taken over (left empty); waits while full. */
void	imap_queue_mail(struct source_queue *, const char *item,
	    struct mail_summary *sum);

/* imap-sync.c */

/* One poll of the folders, on the session's connection (source_sync). */
int	imap_sync_poll(struct imap_session *, const struct config *,
	    const struct source *, struct store *, volatile sig_atomic_t *stop,
	    struct err *);

/* STATUS of a folder: what the server sent of the counts; -1 with err. */
int	imap_sync_status(struct imap_session *, const char *folder,
	    const char *shown, uint32_t *validity, uint32_t *uidnext,
	    uint32_t *messages, uint64_t *modseq, struct err *);

/* imap-doctor.c */

/* The driver's check for `salescycle doctor` (source.h). */
int	imap_doctor_check(const struct config *, const struct source *,
	    source_say_fn say, void *arg, struct err *);

#endif
