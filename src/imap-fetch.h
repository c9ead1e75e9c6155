/* SPDX-License-Identifier: MIT */
/*
 * The metadata UID FETCH read outside libetpan's parser, as isync reads
 * IMAP with its own: the command goes out with libetpan's tag counter,
 * each response is read into one buffer that is reused (imap-list.c
 * does the same for LIST), and the items the summary needs (UID,
 * INTERNALDATE, BODYSTRUCTURE, the header fields and the Received probe)
 * are parsed in place: strings are decoded where they lie, literals are
 * pointed at, and the parts of a BODYSTRUCTURE go into arrays kept from
 * one message to the next.  libetpan built about a hundred structures
 * and strings per message only to have them freed again, which took
 * more than half of a first sync.  Everything else (LOGIN, EXAMINE,
 * STATUS, SEARCH, the parts FETCH) stays with libetpan.
 *
 * Hostile input is bounded twice: the transport's lexer (imap-stream.h)
 * bounds an answer's bytes and nesting before anything is read here, and
 * the parser bounds what it keeps of one response (IMAP_FETCH_MAX_PARTS,
 * IMAP_FETCH_MAX_PARAMS, IMAP_FETCH_MAX_DEPTH), whatever it is fed.  A
 * FETCH response that does not parse is handed over marked bad (with its
 * UID when it came before the fault), so that the message alone is
 * skipped; the answer around it is read on.
 */
#ifndef SC_IMAP_FETCH_H
#define SC_IMAP_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libetpan/libetpan.h>

/* Parts of one BODYSTRUCTURE kept, at most; more make the response bad. */
#define IMAP_FETCH_MAX_PARTS	1024
/* MIME parameters of one BODYSTRUCTURE kept, at most. */
#define IMAP_FETCH_MAX_PARAMS	4096
/*
 * Parentheses nested in one response: the transport's bound
 * (imap_lex_limits), so that no answer it lets through is refused here.
 */
#define IMAP_FETCH_MAX_DEPTH	100

/* What a part of a BODYSTRUCTURE is, as libetpan tells them apart. */
enum imap_fetch_kind {
	IMAP_PART_MULTI,	/* multipart: its parts follow it */
	IMAP_PART_TEXT,		/* "TEXT" subtype fields lines */
	IMAP_PART_MSG,		/* "MESSAGE" "RFC822": its body follows it */
	IMAP_PART_BASIC,	/* anything else */
};

/* A name and value of a MIME parameter, decoded, NUL-terminated. */
struct imap_fetch_param {
	const char	*name;
	const char	*value;
};

/*
 * One part, in the order of the BODYSTRUCTURE (depth first): a
 * multipart's parts, and a message's body, come right after it, and
 * next is the index of the part after all of them.
 */
struct imap_fetch_part {
	enum imap_fetch_kind kind;
	int		 basic;		/* MAILIMAP_MEDIA_BASIC_* of a basic part */
	const char	*subtype;	/* "" for NIL */
	const char	*dsp;		/* disposition type; NULL without one */
	size_t		 param, nparam;	/* the fields' parameters in params[] */
	size_t		 dparam, ndparam; /* the disposition's */
	int		 encoding;	/* MAILMIME_MECHANISM_* (8BIT for others) */
	uint32_t	 size;		/* octets */
	size_t		 nchild;	/* parts of a multipart; 1 or 0 of a message */
	size_t		 next;
};

/*
 * One FETCH response, pointing into the response buffer (valid until the
 * next response is read) and into the arrays of struct imap_fetch.
 */
struct imap_fetch_msg {
	uint32_t	 seq;
	uint32_t	 uid;		/* 0: none came */
	bool		 bad;		/* did not parse; uid as far as it came */
	char		 why[96];	/* of a bad one */
	bool		 has_date;	/* INTERNALDATE, as libetpan splits it */
	int		 year, month, day, hour, min, sec, zone;
	bool		 has_hdr;	/* a BODY[...] section other than the probe */
	const char	*hdr;		/* NULL for NIL */
	size_t		 hdrlen;
	bool		 has_probe;	/* BODY[HEADER.FIELDS (RECEIVED)] */
	const char	*probe;
	size_t		 probelen;
	const struct imap_fetch_part *parts;	/* NULL: no BODYSTRUCTURE */
	size_t		 nparts;
	const struct imap_fetch_param *params;
};

/* The parser's arrays, kept from one response to the next. */
struct imap_fetch {
	struct imap_fetch_part	*parts;
	size_t			 nparts, partcap;
	struct imap_fetch_param	*params;
	size_t			 nparams, paramcap;
};

/*
 * Parses one untagged response (its literals inline as they came, the
 * line end included or not) in place: resp is written to.  Returns 1 for
 * a FETCH response (out->bad when it does not parse), 0 for any other
 * response.  Free f's arrays with imap_fetch_clear.
 */
int	imap_fetch_parse(struct imap_fetch *f, char *resp, size_t len,
	    struct imap_fetch_msg *out);

void	imap_fetch_clear(struct imap_fetch *);

/* Called for each FETCH response of the answer; arg is the caller's. */
typedef void (*imap_fetch_fn)(const struct imap_fetch_msg *, void *arg);

/*
 * Sends UID FETCH of uids[0..n) (sorted, as imap_sync_uid_set takes
 * them) for the metadata on a session with a folder selected: with probe,
 * BODY.PEEK[HEADER.FIELDS (RECEIVED)]<0.1>, then UID, INTERNALDATE,
 * BODYSTRUCTURE and BODY.PEEK[HEADER.FIELDS (MAIL_HEADERS)].  Reads the
 * answer, calling fn for each FETCH response.  Returns a MAILIMAP_ code:
 * NO_ERROR, ERROR_UID_FETCH (NO; its text, made printable, in text),
 * ERROR_PROTOCOL (BAD; text too), ERROR_FATAL (BYE), ERROR_STREAM or
 * ERROR_PARSE (a line that is no response); after the last three the
 * connection is not to be used again.
 */
int	imap_fetch_run(mailimap *, const uint32_t *uids, size_t n, bool probe,
	    imap_fetch_fn fn, void *arg, char *text, size_t textlen);

#endif
