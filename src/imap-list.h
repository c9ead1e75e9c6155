/* SPDX-License-Identifier: MIT */
/*
 * LIST and XLIST answers read line by line, outside libetpan's parser.
 * libetpan 1.9.4 keeps every parsed LIST response of an answer until its
 * tagged line, about 540 bytes a folder: an account of 80,000 folders
 * would cost 43 MB before the first name is looked at.  Here each
 * response is parsed as it arrives (RFC 3501 section 7.2.2, with RFC 5258
 * extended data ignored) and only the names are kept, in a hash set that
 * compares them exactly (mailbox names are case-sensitive; INBOX is the
 * one exception, RFC 3501 section 5.1).  The transport's bounds
 * (imap-stream.h) apply all the same.
 */
#ifndef SC_IMAP_LIST_H
#define SC_IMAP_LIST_H

#include <stdbool.h>
#include <stddef.h>

#include <libetpan/libetpan.h>

#include "hashset.h"
#include "xmalloc.h"

/* Longest mailbox name kept, in bytes; longer ones are skipped. */
#define IMAP_LIST_NAME_MAX	1024

/* One LIST or XLIST response. */
struct imap_list_entry {
	char	name[IMAP_LIST_NAME_MAX];	/* as the server spells it */
	char	delim;				/* '\0' for NIL */
	bool	noselect;			/* \Noselect or \NonExistent */
	bool	sent;				/* \Sent (RFC 6154, XLIST) */
};

/*
 * Parses one untagged response ("* LIST (flags) delim name", with its
 * literals inline as they came, the line end included or not) into out.
 * Returns 1 for a LIST or XLIST response, 0 for any other response, and
 * -1 for a LIST response that is malformed or names a mailbox that holds
 * a NUL or is longer than IMAP_LIST_NAME_MAX.
 */
int	imap_list_entry(const char *resp, size_t len, struct imap_list_entry *out);

/* A set of names, exact but for INBOX, in insertion order. */
struct imap_nameset {
	struct strlist	 names;		/* owned */
	struct hashset	 set;		/* of names, borrowed from names */
};

/* The form a mailbox name is compared in: INBOX in any case is "INBOX". */
const char *imap_list_canon(const char *);

/* Whether two names are the same mailbox: exactly, but for INBOX. */
bool	imap_list_same(const char *, const char *);

/* Adds a name (copied); false when it was there already. */
bool	imap_nameset_add(struct imap_nameset *, const char *name);
/* The set's spelling of a name, NULL if it is not there. */
const char *imap_nameset_get(const struct imap_nameset *, const char *name);
void	imap_nameset_clear(struct imap_nameset *);

/* Called for each LIST entry; arg is the caller's. */
/*
 * Whether a response's line (its first, up to its LF) is status text:
 * OK, NO, BAD, BYE or PREAUTH as its second word, or a continuation
 * request.  Then a "{n}" at its end announces no literal.  The same
 * decision as the transport's lexer (imap_lex, which libetpan's parser
 * agrees with): blanks before the first word skipped, words ended by SP,
 * TAB, CR or a parenthesis, a quoted string one word.  test-imap checks
 * that the two agree.
 */
bool	imap_list_is_text(const char *line, size_t len);

typedef void (*imap_list_fn)(const struct imap_list_entry *, void *arg);

/* Called for each untagged response of a command; arg is the caller's. */
typedef void (*imap_list_line_fn)(char *line, size_t len, void *arg);

/*
 * Sends the command line cmd (without tag, ending in CRLF) under the
 * session's next tag and reads its answer, a response at a time (a line
 * and the literals it announces, each bounded by the transport), calling
 * fn for each untagged one (fn may change the line in place).  Returns
 * MAILIMAP_NO_ERROR for OK, no for NO, MAILIMAP_ERROR_PROTOCOL for BAD
 * (text gets the server's text of these two, printable), ERROR_FATAL
 * (BYE), ERROR_STREAM or ERROR_PARSE.  imap_list_run and imap-fetch.c
 * read their answers so.
 */
int	imap_list_command(mailimap *, const char *cmd, int no,
	    imap_list_line_fn fn, void *arg, char *text, size_t textlen);

/*
 * Sends cmd ("LIST" or "XLIST") with reference "" and pattern "*" on an
 * authenticated session and reads its answer, calling fn for each entry.
 * Malformed entries are counted in *bad and skipped.  Returns a
 * MAILIMAP_ code: NO_ERROR, ERROR_LIST (NO, its text in text), ERROR_
 * PROTOCOL (BAD), ERROR_FATAL (BYE), ERROR_STREAM or ERROR_PARSE; after
 * the last three the connection is not to be used again.
 */
int	imap_list_run(mailimap *, const char *cmd, imap_list_fn fn, void *arg,
	    size_t *bad, char *text, size_t textlen);

#endif
