/* SPDX-License-Identifier: MIT */
/*
 * The mail summary: what classification needs of one message, and nothing
 * else (no body is kept).  It is filled from an RFC 5322 message read from
 * a file (mail_parse, libetpan's MIME parser) and, by the IMAP path, from
 * the header fields of MAIL_HEADERS (mail_apply_header, the same reader of
 * headers), BODYSTRUCTURE and the parts it fetches, decoded by mime.c, so
 * that both paths give the same summary for the same message.  Pure
 * functions: bytes in, struct out.  They are fuzzing targets.
 */
#ifndef SC_MAIL_H
#define SC_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "xmalloc.h"

struct mail_addr {
	char	*name;		/* owned, UTF-8 display name, may be NULL */
	char	*addr;		/* owned, lower-cased "local@domain" */
};

struct mail_addr_list {
	struct mail_addr *v;	/* owned */
	size_t		  n;
	size_t		  cap;
};

/* Markers of bulk and automatic mail (DESIGN section 5). */
#define MAIL_BULK_LIST		0x01	/* List-Id or List-Unsubscribe or List-Post */
#define MAIL_BULK_PRECEDENCE	0x02	/* Precedence: bulk, list or junk */
#define MAIL_BULK_AUTOSUBMITTED	0x04	/* Auto-Submitted other than "no" */
#define MAIL_BULK_AUTOREPLY	0x08	/* X-Autoreply, X-Autorespond, Exchange rules agent */
#define MAIL_BULK_DSN		0x10	/* multipart/report, message/delivery-status */

/*
 * The header fields a summary is made of: what the IMAP path fetches with
 * BODY.PEEK[HEADER.FIELDS (...)] for mail_apply_header.
 */
#define MAIL_HEADERS \
	"MESSAGE-ID", "DATE", "FROM", "TO", "CC", "SUBJECT", \
	"LIST-ID", "LIST-UNSUBSCRIBE", "LIST-POST", "PRECEDENCE", \
	"AUTO-SUBMITTED", "X-AUTOREPLY", "X-AUTORESPOND", \
	"X-MS-EXCHANGE-GENERATED-MESSAGE-SOURCE", "IN-REPLY-TO", "REFERENCES", \
	"CONTENT-TYPE"

struct mail_summary {
	char		*message_id;	/* owned, without angle brackets; NULL if none */
	time_t		 date;		/* Date header; else internaldate */
	bool		 date_valid;	/* Date header parsed and plausible */
	time_t		 internaldate;	/* IMAP INTERNALDATE or mbox From_ line; 0 if unknown */
	struct mail_addr_list from;
	struct mail_addr_list to;
	struct mail_addr_list cc;
	char		*subject;	/* owned, decoded to UTF-8; "" if none */
	struct strlist	 attachments;	/* decoded file names, UTF-8 */
	unsigned	 bulk;		/* MAIL_BULK_* */
	char		*in_reply_to;	/* owned, without angle brackets */
	struct strlist	 references;
	struct strlist	 hashtags;	/* "#verbal", "#decision 2027-01-15" from subject and first text part */
	struct strlist	 calendar_parts; /* iCalendar text of text/calendar parts (files only) */
	struct strlist	 calendar_sections; /* IMAP section numbers of text/calendar parts ("2", "1.2") */
	bool		 received;	/* a Received header: it crossed SMTP (IMAP: or unknown) */
};

/*
 * Parses one message into out (which it clears first; internaldate is 0
 * and date is 0 when the Date header is missing, bad or implausible: see
 * mail_set_internaldate).  Returns 0, or -1 with err (class ERR_DATA) when
 * the bytes are not a message at all (empty, no header field); a message
 * with some bad headers still parses (those fields stay empty).  Lines and
 * header fields are cut at 64 KiB and MIME nesting at 32 levels before
 * parsing, so any input finishes in bounded time.  Free out with
 * mail_summary_free.
 */
int	mail_parse(const char *buf, size_t len, struct mail_summary *out, struct err *err);
void	mail_summary_free(struct mail_summary *);

/*
 * Sets the arrival time (IMAP INTERNALDATE, the mbox From_ date; 0 or one
 * before 1990: unknown) and settles the date: a Date header before 1990
 * or more than a day after the arrival (after now, when that is unknown)
 * is not valid, and then the arrival dates the message.  Both the file
 * and the IMAP path call it once their summary holds the Date header,
 * so that they agree; mail_parse calls it with 0.
 */
void	mail_set_internaldate(struct mail_summary *, time_t);

/*
 * Fills the header fields of a summary from a header block (up to its
 * empty line, cut as mail_parse cuts it): Message-ID, Date, From, To, Cc,
 * Subject and its hashtags, the bulk markers and the thread headers, read
 * exactly as mail_parse reads a message's header.  The IMAP path's answer
 * of BODY.PEEK[HEADER.FIELDS (MAIL_HEADERS)] goes here; call
 * mail_set_internaldate afterwards.
 */
void	mail_apply_header(struct mail_summary *, const char *hdr, size_t len);

/*
 * Adds the hashtags found in text (UTF-8) to list, each once: "#verbal",
 * "#lost", and "#decision VALUE", "#competitor VALUE", "#need VALUE",
 * "#problem VALUE", whose value runs to the end of the line.  Tag names
 * are lower-cased; quoted lines ("> ...") are skipped.  The list holds
 * at most 100: a text of megabytes could give a million, each compared
 * with those before it.
 */
void	mail_find_hashtags(struct strlist *list, const char *text, size_t len);

void	mail_addr_list_add(struct mail_addr_list *, const char *name, const char *addr);
void	mail_addr_list_clear(struct mail_addr_list *);

#endif
