/* SPDX-License-Identifier: MIT */
/*
 * The IMAP source (libetpan): connects with verified TLS, logs in, finds
 * the folders to watch and reads new messages strictly read-only (STATUS,
 * EXAMINE, UID SEARCH and UID FETCH of metadata with BODY.PEEK, and of
 * outbound mail's text part for its hashtags and its calendar parts for
 * the invitations in it), handing mail summaries to the pipeline with the
 * folder's cursor.  The driver itself is imap_source_ops (source.h), its
 * files are listed in imap-int.h; the pure helpers below (imap-url.c,
 * imap-summary.c, imap-sync.c) are exported for the tests and fuzzers.
 */
#ifndef SC_IMAP_H
#define SC_IMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "err.h"
#include "mail.h"

/* imap-url.c */

struct imap_url {
	char		host[256];
	uint16_t	port;
	bool		implicit_tls;	/* imaps:// */
};

/*
 * Parses "imaps://host[:port][/]" or "imap://host[:port][/]"; ERR_FINAL
 * on error.
 */
int	imap_url_parse(const char *url, struct imap_url *, struct err *);

/*
 * A UTF-8 mailbox name in IMAP's modified UTF-7 (RFC 3501 section 5.1.3),
 * as a URL and the server name it; NULL if the input is not valid UTF-8.
 * Caller frees.
 */
char	*imap_url_mailbox(const char *utf8);

/*
 * A mailbox name in modified UTF-7 as UTF-8, to show it as `folders =`
 * takes it; NULL if it is not valid modified UTF-7.  Caller frees.
 */
char	*imap_url_mailbox_utf8(const char *mutf7);
/* A folder's name for people: as UTF-8, else as the server spells it. */
char	*imap_url_mailbox_shown(const char *mutf7);

/* imap-summary.c */

struct imap_fetch_msg;

/*
 * Fills a mail summary from one FETCH response as imap-fetch.c parsed it
 * (UID, INTERNALDATE, BODYSTRUCTURE, the HEADER.FIELDS (MAIL_HEADERS)
 * section, read by mail_apply_header as mail_parse reads a file's header,
 * and the Received probe); *uid gets the UID (0 if none came).  Returns
 * -1 when the response did not parse or lacks a UID or the header
 * section (an unsolicited FETCH); out is then empty.  Free out with
 * mail_summary_free.
 */
int	imap_summary(const struct imap_fetch_msg *, struct mail_summary *out,
	    uint32_t *uid);

/* Bytes of a calendar part fetched (BODY.PEEK[n]<0.1048576>); larger: skipped. */
#define IMAP_CALENDAR_MAX	(1024 * 1024)
/* Calendar parts read of one message. */
#define IMAP_MAX_CALENDARS	8

/* Longest IMAP part number kept, with its NUL; deeper parts are not read. */
#define IMAP_SECTION_MAX	64

/* Where a part to fetch lies: its hashtag text or a calendar part. */
struct imap_text_part {
	char		section[IMAP_SECTION_MAX];	/* part number: "1.2" */
	int		encoding;	/* MAILMIME_MECHANISM_* */
	char		charset[64];	/* "" when the part has none */
	uint32_t	size;		/* encoded size from BODYSTRUCTURE */
};

/*
 * Finds in a FETCH response's BODYSTRUCTURE the first text/plain part that
 * is no attachment and has no file name, depth first and into attached
 * messages: the part mail_parse() reads hashtags from.  False if none.
 */
bool	imap_summary_text_part(const struct imap_fetch_msg *,
	    struct imap_text_part *);

/*
 * Finds in a FETCH response's BODYSTRUCTURE the text/calendar and
 * application/ics parts, depth first, inside multipart/alternative and
 * attached messages too, as mail_parse() collects calendar_parts.  Fills
 * out[0..max) and returns how many there are (which may exceed max).
 */
size_t	imap_summary_calendar_parts(const struct imap_fetch_msg *,
	    struct imap_text_part *out, size_t max);

/* Decodes a text part (mime_part_text) and adds its hashtags to sum. */
void	imap_summary_hashtags(struct mail_summary *sum,
	    const struct imap_text_part *, const char *data, size_t len);

/* imap-folders.c */

/* The folder list (kept in the store) is made again after this many seconds. */
#define IMAP_RELIST_SECS	3600

/* imap-sync.c */

/*
 * At most this many UIDs per UID FETCH, one commit each.  A commit
 * writes most pages of the indexes on random keys (refs, Message-IDs)
 * whatever its size, so 500 rewrote them 40 times in a first sync of
 * 20,000 messages; 2,000 held 3 MB more at once (summaries awaiting
 * their parts, the pending signals).
 */
#define IMAP_BATCH		1000

/*
 * A UID set of the runs in uids[0..n) (sorted ascending, no duplicates,
 * no 0), so that "1,2,3,7" is sent as "1:3,7".  Caller frees with
 * mailimap_set_free().
 */
struct mailimap_set *imap_sync_uid_set(const uint32_t *uids, size_t n);

#endif
