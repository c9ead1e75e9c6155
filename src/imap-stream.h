/* SPDX-License-Identifier: MIT */
/*
 * The IMAP transport under libetpan: a stream driver of our own
 * (mailstream_low) that connects the socket itself (non-blocking, with a
 * deadline, every address getaddrinfo gives), speaks TLS with GnuTLS over
 * it (implicit or after STARTTLS; tls.c verifies the certificate), waits
 * with poll() only, and bounds time and what a server may send:
 *
 * - no data for the source's timeout, a command (or the greeting, or a
 *   TLS handshake) not answered within its deadline, the session's
 *   deadline passed, or the stop flag set: the read or write fails;
 * - every byte handed up to libetpan goes through imap_lex first, a small
 *   IMAP lexer with bounded state that refuses an answer exceeding a
 *   bound before libetpan parses it (libetpan 1.9.4 allocates whatever a
 *   literal announces, keeps every untagged response of an answer until
 *   its tagged line and recurses once per parenthesis), or holding what
 *   libetpan 1.9.4 is known to crash on (imap-stream.c says what).  For
 *   that it finds lines and literals where libetpan does, and refuses
 *   what it could not tell as libetpan would (a malformed literal, a
 *   quoted string across a line end, a NUL).
 *
 * A refused or failed stream stays failed: libetpan then returns an error
 * for the command (MAILIMAP_ERROR_STREAM, sometimes PARSE) and frees what
 * it had parsed; the caller drops the connection and asks
 * imap_stream_failure() what happened.
 */
#ifndef SC_IMAP_STREAM_H
#define SC_IMAP_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libetpan/libetpan.h>

#include "err.h"

/* Bytes of one answer (everything up to its tagged line). */
#define IMAP_MAX_RESPONSE	(64ULL * 1024 * 1024)

/*
 * What of an answer stays in memory until its tagged line: everything
 * (libetpan parses it), everything but FETCH responses (they go to a
 * message handler one by one), or nothing (the caller reads it line by
 * line: imap-list.c).
 */
enum imap_stream_keep { IMAP_KEEP_ALL, IMAP_KEEP_NO_FETCH, IMAP_KEEP_NONE };

/*
 * The bounds of imap_lex.  An answer is what a server sends for one
 * command: untagged responses, continuation requests and the tagged line
 * (the greeting counts as one).
 */
struct imap_lex_limits {
	uint64_t	response;	/* bytes of one answer, literals included */
	uint64_t	kept;		/* estimate of what libetpan holds of it */
	uint64_t	untagged;	/* bytes of one untagged response */
	unsigned	depth;		/* parentheses nested */
};

/* The default bounds for an answer of at most max_response bytes. */
void	imap_lex_limits(struct imap_lex_limits *, uint64_t max_response);

/* The lexer: where it is in the stream and what the answer holds so far. */
struct imap_lex {
	struct imap_lex_limits	lim;
	int		state;		/* IMAP_LEX_* (imap-stream.c) */
	int		kind;		/* the line's: untagged, tagged, continuation */
	bool		text;		/* the rest of the line is text */
	int		code;		/* where its response code is (imap-stream.c) */
	bool		coded;		/* the text starts with a code */
	bool		fetch;		/* the untagged response is a FETCH */
	const char	*noliteral;	/* or one with no literal: its name */
	enum imap_stream_keep keep;	/* what of the answer stays */
	bool		greeting;	/* the first line is the greeting */
	unsigned	word;		/* words finished on this line */
	char		wbuf[16];	/* the current word's start */
	size_t		wlen;
	unsigned	depth;
	int		brace;		/* where a {n} at the line end is */
	uint64_t	number;		/* its n */
	bool		digits;		/* n has a digit */
	bool		plus;		/* and a "+" after them */
	uint64_t	literal;	/* bytes of the literal still to come */
	uint64_t	response;	/* bytes of the answer so far */
	uint64_t	kept;		/* its estimate kept by libetpan */
	uint64_t	cost;		/* the estimate of the untagged response in flight */
	uint64_t	untagged;	/* bytes of the untagged response in flight */
	char		why[128];	/* the bound exceeded */
};

void	imap_lex_init(struct imap_lex *, const struct imap_lex_limits *);

/*
 * Scans the next bytes of the stream.  Returns 0, or -1 when they exceed
 * a bound (lex->why says which; the lexer stays failed).
 */
int	imap_lex_feed(struct imap_lex *, const char *buf, size_t len);

/* True between answers: the last one is complete and nothing came since. */
bool	imap_lex_at_rest(const struct imap_lex *);

/* How a stream failed. */
enum imap_stream_fail {
	IMAP_STREAM_OK = 0,
	IMAP_STREAM_IO,		/* the connection broke or was closed */
	IMAP_STREAM_TIMEOUT,	/* nothing came for the source's timeout */
	IMAP_STREAM_DEADLINE,	/* a command's or the session's deadline passed */
	IMAP_STREAM_STOPPED,	/* the stop flag was set */
	IMAP_STREAM_TLS,	/* TLS failed after the handshake */
	IMAP_STREAM_BOUND,	/* an answer exceeded a bound of imap_lex */
};

struct imap_stream_conf {
	int		 timeout;	/* seconds without progress; connect, handshake, greeting */
	int		 command_timeout; /* seconds for a command and its answer */
	uint64_t	 max_response;	/* bytes of one answer (imap_lex_limits) */
};

/*
 * Connects to host:port (every address it resolves to, in turn, within
 * conf->timeout), ready for mailimap_connect(), which reads the greeting
 * within conf->timeout too.  With tls, the TLS handshake comes first
 * (verify it with imap_stream_verify before anything is sent).  On
 * failure fills err (ERR_TEMP) saying why: cannot resolve, refused,
 * unreachable, timed out, too many open files.  The stream belongs to
 * whoever closes it (mailstream_close, or libetpan once connected).
 */
int	imap_stream_connect(const char *host, uint16_t port, bool tls,
	    const struct imap_stream_conf *, volatile sig_atomic_t *stop,
	    mailstream **out, struct err *);

/* A stream over a connected socket of the caller's (tests, fuzzing); plain. */
mailstream *imap_stream_open_fd(int fd, const struct imap_stream_conf *);

/*
 * The TLS handshake after STARTTLS (whose OK must have been the last
 * thing the server sent: see imap_stream_buffered).  -1 with err.
 */
int	imap_stream_starttls(mailstream *, const char *host, struct err *);

/* Verifies the server's certificate for host (tls_verify). */
int	imap_stream_verify(mailstream *, const char *host, const char *ca_file,
	    struct err *);

/* True when bytes the server sent after the last answer wait in libetpan. */
bool	imap_stream_buffered(mailstream *);

/*
 * Arms the stream for a poll: the stop flag to watch (may be NULL) and
 * the session's deadline, end on util_monotonic_ms() (0: none), secs
 * being how long that session was given (for the message).
 */
void	imap_stream_arm(mailstream *, volatile sig_atomic_t *stop, int64_t end,
	    int secs);

/* What of the answers stays in memory until their tagged lines. */
void	imap_stream_keep(mailstream *, enum imap_stream_keep);

/*
 * How the stream failed, IMAP_STREAM_OK if it did not; *why (may be NULL)
 * gets a sentence.  Not a stream of this module: IMAP_STREAM_OK.
 */
enum imap_stream_fail imap_stream_failure(mailstream *, const char **why);

/*
 * Fails the stream as one of the lexer's bounds does ("answer refused:
 * why"), for a reader above it that counts what the lexer cannot.
 */
void	imap_stream_refuse(mailstream *, const char *why);

#endif
