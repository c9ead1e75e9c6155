/* SPDX-License-Identifier: MIT */
/*
 * The IMAP transport under libetpan (see imap-stream.h): a mailstream_low
 * driver over a socket of our own, TLS with GnuTLS, poll() with deadlines
 * and the stop flag, and a bounded IMAP lexer in front of libetpan's
 * parser.  libetpan's own socket driver waits in select(), which breaks
 * on descriptors above FD_SETSIZE, opens a cancel pipe per connection,
 * and knows only a per-read timeout; its GnuTLS stream never verified
 * certificates.  This module owns all of that, so that nothing a server
 * sends or withholds can hold a worker, or memory, without bound.
 *
 * It does not parse IMAP beyond what the bounds need: libetpan does.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define LOG_TAG "imap"
#include "imap-stream.h"
#include "log.h"
#include "source.h"
#include "tls.h"
#include "util.h"
#include "xmalloc.h"

/*
 * What libetpan keeps of an answer, as measured on 1.9.4 with glibc's
 * allocator: the text in its buffer, and parsed, a copy of the text, 64
 * bytes a token (a number in a SEARCH answer costs a list cell and its
 * own allocation) and 256 an untagged response (half a dozen structures
 * and list cells).  Literals are held once, outside the buffer.
 */
#define IMAP_LEX_TOKEN_COST	64
#define IMAP_LEX_RESPONSE_COST	256

/* Longest wait in poll() before the stop flag is looked at again. */
#define IMAP_STREAM_TICK_MS	250

enum {
	IMAP_LEX_BOL,		/* at the start of a line */
	IMAP_LEX_SPACE,		/* between tokens */
	IMAP_LEX_WORD,		/* in an atom, number or {n} */
	IMAP_LEX_QUOTED,	/* in a quoted string */
	IMAP_LEX_QUOTED_ESC,	/* after a backslash in one */
	IMAP_LEX_LITERAL,	/* in the bytes of a literal */
	IMAP_LEX_FAILED,
};

/*
 * What a line is: untagged, tagged (which ends an answer), a continuation
 * request, or empty (which libetpan skips inside an answer: it ends none).
 */
enum { IMAP_LEX_UNTAGGED, IMAP_LEX_TAGGED, IMAP_LEX_CONT, IMAP_LEX_EMPTY };

/*
 * Where the response code of status text is: at the plus of a
 * continuation request, about to start, in its atom, past its atom, past
 * an [ALERT] or [PARSE] that text must follow, at the first flag of a
 * PERMANENTFLAGS list or the atom of its backslash, in the list of
 * PERMANENTFLAGS or BADCHARSET, or none of these.
 */
enum { IMAP_CODE_NONE, IMAP_CODE_PLUS, IMAP_CODE_START, IMAP_CODE_ATOM,
    IMAP_CODE_AFTER, IMAP_CODE_NEEDTEXT, IMAP_CODE_FLAG,
    IMAP_CODE_FLAG_BACKSLASH, IMAP_CODE_LIST };

/* Where a "{n}" that may end the line is: none, digits, "}", "}\r". */
enum { IMAP_BRACE_NONE, IMAP_BRACE_DIGITS, IMAP_BRACE_CLOSED,
    IMAP_BRACE_CR };

void
imap_lex_limits(struct imap_lex_limits *lim, uint64_t max_response)
{
	/*
	 * What libetpan keeps of an answer is the larger part of the memory
	 * it costs, so it gets the smaller bound; one untagged response (a
	 * message's FETCH, its literals held until the handler has it) a
	 * quarter.  The depth is far beyond any real BODYSTRUCTURE (MIME
	 * nesting is cut at 32 in mail.c) and far below what overflows a
	 * thread's stack in libetpan's recursive descent.
	 */
	lim->response = max_response;
	lim->kept = max_response / 2;
	lim->untagged = max_response / 4;
	lim->depth = 100;
}

void
imap_lex_init(struct imap_lex *lx, const struct imap_lex_limits *lim)
{
	memset(lx, 0, sizeof *lx);
	lx->lim = *lim;
	lx->state = IMAP_LEX_BOL;
	lx->greeting = true;
}

bool
imap_lex_at_rest(const struct imap_lex *lx)
{
	return lx->state == IMAP_LEX_BOL && lx->response == 0;
}

/* Fails the lexer with a reason; returns -1. */
static int __attribute__((format(printf, 2, 3)))
imap_lex_fail(struct imap_lex *lx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(lx->why, sizeof lx->why, fmt, ap);
	va_end(ap);
	lx->state = IMAP_LEX_FAILED;
	return -1;
}

/* A size for a message: "16 MiB", or bytes when it is no whole MiB. */
static const char *
imap_lex_size(uint64_t n, char *out, size_t len)
{
	if (n >= 1024 * 1024 && n % (1024 * 1024) == 0)
		snprintf(out, len, "%llu MiB", (unsigned long long)(n >> 20));
	else
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
	return out;
}

/* Checks the answer so far, and n more bytes announced, against the bounds. */
static int
imap_lex_check(struct imap_lex *lx, uint64_t n)
{
	char	size[32];

	if (lx->depth > lx->lim.depth)
		return imap_lex_fail(lx, "parentheses nested more than %u deep",
		    lx->lim.depth);
	if (lx->response + n > lx->lim.response)
		return imap_lex_fail(lx, "an answer of more than %s",
		    imap_lex_size(lx->lim.response, size, sizeof size));
	if (lx->kind == IMAP_LEX_UNTAGGED && lx->untagged + n > lx->lim.untagged)
		return imap_lex_fail(lx, "one response of more than %s",
		    imap_lex_size(lx->lim.untagged, size, sizeof size));
	if (lx->kept + lx->cost + n > lx->lim.kept)
		return imap_lex_fail(lx, "an answer that would take more than "
		    "%s of memory to parse", imap_lex_size(lx->lim.kept, size,
		    sizeof size));
	return 0;
}

/*
 * A word is over.  The second word of a line decides whether the rest is
 * text: after OK, NO, BAD, BYE and PREAUTH (RFC 3501 section 7.1) comes
 * resp-text, where libetpan reads no literal and no nesting; the third
 * word of an untagged response tells a FETCH.
 */
static void
imap_lex_word_end(struct imap_lex *lx)
{
	static const char *const status[] = { "OK", "NO", "BAD", "BYE",
	    "PREAUTH" };
	/* Responses whose parsers in libetpan fail a literal (see brace). */
	static const char *const noliteral[] = { "NAMESPACE",
	    "ANNOTATION" };
	size_t	i;

	/* A word too long for the buffer is none of these. */
	lx->wbuf[lx->wlen < sizeof lx->wbuf ? lx->wlen : 0] = '\0';
	if (lx->word == 1 && lx->kind != IMAP_LEX_CONT)
		for (i = 0; i < sizeof status / sizeof status[0]; i++)
			if (strcasecmp(lx->wbuf, status[i]) == 0) {
				lx->text = true;
				lx->code = IMAP_CODE_START;
			}
	if (lx->word == 2 && lx->kind == IMAP_LEX_UNTAGGED &&
	    strcasecmp(lx->wbuf, "FETCH") == 0)
		lx->fetch = true;
	if (lx->word == 1 && lx->kind == IMAP_LEX_UNTAGGED)
		for (i = 0; i < sizeof noliteral / sizeof noliteral[0]; i++)
			if (strcasecmp(lx->wbuf, noliteral[i]) == 0)
				lx->noliteral = noliteral[i];
	lx->word++;
	lx->wlen = 0;
	lx->state = IMAP_LEX_SPACE;
}

/*
 * A line ends (LF outside a literal): a literal follows when it ended in
 * "{n}" outside text, else the line is complete, and with it an untagged
 * response, or the whole answer with its tagged line (or the greeting).
 */
static int
imap_lex_line_end(struct imap_lex *lx)
{
	bool	announced = lx->brace == IMAP_BRACE_CLOSED ||
		    lx->brace == IMAP_BRACE_CR;

	if (announced && !lx->text) {
		if (imap_lex_check(lx, lx->number) != 0)
			return -1;
		lx->brace = IMAP_BRACE_NONE;
		lx->literal = lx->number;
		lx->state = lx->literal > 0 ? IMAP_LEX_LITERAL : IMAP_LEX_SPACE;
		return 0;
	}
	/*
	 * In text libetpan reads no literal (one in a response code was
	 * refused at its "{"): its size is bounded all the same.
	 */
	if (announced && lx->number > lx->lim.untagged)
		return imap_lex_fail(lx, "a literal of %llu bytes in text",
		    (unsigned long long)lx->number);
	if (lx->kind == IMAP_LEX_TAGGED || lx->greeting) {
		lx->response = lx->kept = 0;
		lx->greeting = false;
	} else if (lx->kind == IMAP_LEX_UNTAGGED && (lx->keep == IMAP_KEEP_ALL ||
	    (lx->keep == IMAP_KEEP_NO_FETCH && !lx->fetch)))
		lx->kept += lx->cost;
	lx->cost = lx->untagged = 0;
	lx->depth = 0;
	lx->brace = IMAP_BRACE_NONE;
	lx->state = IMAP_LEX_BOL;
	return 0;
}

/* An ASCII letter, whatever the locale. */
static bool
imap_lex_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Follows the response code at the start of status text or of a
 * continuation request, and refuses what libetpan 1.9.4 would crash on:
 * - [ALERT] or [PARSE] of a response (not of a continuation request) with
 *   no text after it (an empty line end, or a byte that is no TEXT-CHAR):
 *   it copies that text with strdup() unchecked;
 * - a PERMANENTFLAGS list whose first flag does not parse (and no ")"
 *   follows): it frees the NULL list; a list must start with ")", a
 *   letter, a digit, "$" or a backslash and a letter or "*";
 * - a BADCHARSET list in a response (not in the greeting, which
 *   imap-conn.c reads, nor in a continuation request): where a second
 *   comes it frees the new list and keeps it; none answers the agent's
 *   commands;
 * - a quote in the list of PERMANENTFLAGS or BADCHARSET, up to the ")"
 *   that ends it: it reads quoted strings (and literals, refused by
 *   imap_lex_brace) across line ends, where the lexer would lose the
 *   lines; no server quotes there.
 * As libetpan (built with UNSTRICT_SYNTAX) does, blanks (SP, TAB) before
 * the "[" and around the code's atom are skipped.
 */
static int
imap_lex_code(struct imap_lex *lx, unsigned char c)
{
	bool	blank = c == ' ' || c == '\t';

	switch (lx->code) {
	case IMAP_CODE_PLUS:
		lx->code = IMAP_CODE_START;	/* c is the "+" */
		break;
	case IMAP_CODE_START:
		if (blank)
			break;
		lx->coded = c == '[';
		lx->code = lx->coded ? IMAP_CODE_ATOM : IMAP_CODE_NONE;
		lx->wlen = 0;
		break;
	case IMAP_CODE_ATOM:
	case IMAP_CODE_AFTER:
		if (c == ']') {
			lx->wbuf[lx->wlen < sizeof lx->wbuf ? lx->wlen : 0] =
			    '\0';
			lx->code = lx->kind != IMAP_LEX_CONT &&
			    (strcasecmp(lx->wbuf, "ALERT") == 0 ||
			    strcasecmp(lx->wbuf, "PARSE") == 0) ?
			    IMAP_CODE_NEEDTEXT : IMAP_CODE_NONE;
		} else if (blank) {
			if (lx->wlen > 0)
				lx->code = IMAP_CODE_AFTER;
		} else if (lx->code == IMAP_CODE_AFTER) {
			lx->wbuf[lx->wlen < sizeof lx->wbuf ? lx->wlen : 0] =
			    '\0';
			if (c != '(')	/* atom SP text */
				lx->code = IMAP_CODE_NONE;
			else if (strcasecmp(lx->wbuf, "PERMANENTFLAGS") == 0)
				lx->code = IMAP_CODE_FLAG;
			else if (strcasecmp(lx->wbuf, "BADCHARSET") != 0)
				lx->code = IMAP_CODE_NONE;
			else if (lx->greeting || lx->kind == IMAP_LEX_CONT)
				lx->code = IMAP_CODE_LIST;
			else
				return imap_lex_fail(lx, "a BADCHARSET list "
				    "(libetpan 1.9.4 frees the wrong one of "
				    "two)");
		} else {
			if (lx->wlen < sizeof lx->wbuf - 1)
				lx->wbuf[lx->wlen] = (char)c;
			lx->wlen++;
		}
		break;
	case IMAP_CODE_NEEDTEXT:
		if (blank)
			break;
		if (c == 0 || c >= 0x80 || c == '\r' || c == '\n')
			return imap_lex_fail(lx, "an [ALERT] or [PARSE] without "
			    "text (libetpan would crash on it)");
		lx->code = IMAP_CODE_NONE;
		break;
	case IMAP_CODE_FLAG:
		if (blank)
			break;
		if (c == '\\') {
			lx->code = IMAP_CODE_FLAG_BACKSLASH;
			break;
		}
		if (c != ')' && c != '$' && !imap_lex_alpha(c) &&
		    (c < '0' || c > '9'))
			return imap_lex_fail(lx, "a PERMANENTFLAGS list that "
			    "starts with no flag (libetpan would crash on it)");
		lx->code = c == ')' ? IMAP_CODE_NONE : IMAP_CODE_LIST;
		break;
	case IMAP_CODE_FLAG_BACKSLASH:
		if (c != '*' && !imap_lex_alpha(c))
			return imap_lex_fail(lx, "a PERMANENTFLAGS list that "
			    "starts with no flag (libetpan would crash on it)");
		lx->code = IMAP_CODE_LIST;
		break;
	case IMAP_CODE_LIST:
		if (c == '"')
			return imap_lex_fail(lx, "a quoted string in a "
			    "response code");
		/* With no quote nor literal, the first ")" ends the list. */
		if (c == ')')
			lx->code = IMAP_CODE_NONE;
		break;
	}
	return 0;
}

/*
 * Tracks a "{n}" (or "{n+}", RFC 7888) that may end the line.  Outside
 * text only that form, right before the line end, is let through:
 * libetpan also reads a literal whose "}" blanks or other bytes follow
 * (servers' quirks it works around), or "{-1}", and its bytes would
 * pass the lexer as lines.  In text libetpan reads none, except in a
 * response code (a BADCHARSET string, a PERMANENTFLAGS keyword), where
 * the lexer cannot tell where the code ends: a "{" there is refused.
 */
static int
imap_lex_brace(struct imap_lex *lx, unsigned char c)
{
	char	size[32];

	if (c == '{' && lx->coded)
		return imap_lex_fail(lx, "a literal in a response code");
	/*
	 * libetpan 1.9.4 frees a list it never set when a string read of
	 * NAMESPACE or ANNOTATION (ANNOTATEMORE) fails past a literal (the
	 * connection lost there, or refused): no server sends those strings
	 * as literals.
	 */
	if (c == '{' && lx->noliteral != NULL)
		return imap_lex_fail(lx, "a literal in a%s %s response",
		    lx->noliteral[0] == 'A' ? "n" : "", lx->noliteral);
	if (c == '{' && (lx->text || lx->brace == IMAP_BRACE_NONE)) {
		lx->brace = IMAP_BRACE_DIGITS;
		lx->number = 0;
		lx->digits = lx->plus = false;
		return 0;
	}
	switch (lx->brace) {
	case IMAP_BRACE_NONE:
		return 0;
	case IMAP_BRACE_DIGITS:
		if (c >= '0' && c <= '9' && !lx->plus) {
			lx->number = lx->number * 10 + (c - '0');
			lx->digits = true;
			/* Refused while the digits come, before an overflow. */
			if (lx->number > lx->lim.untagged)
				return imap_lex_fail(lx, "a literal of more "
				    "than %s", imap_lex_size(lx->lim.untagged,
				    size, sizeof size));
			return 0;
		}
		if (c == '+' && lx->digits && !lx->plus) {
			lx->plus = true;
			return 0;
		}
		if (c == '}' && lx->digits) {
			lx->brace = IMAP_BRACE_CLOSED;
			return 0;
		}
		break;
	case IMAP_BRACE_CLOSED:
		if (c == '\r') {
			lx->brace = IMAP_BRACE_CR;
			return 0;
		}
		break;
	case IMAP_BRACE_CR:
		break;
	}
	if (!lx->text)
		return imap_lex_fail(lx, "a malformed literal (\"{\" outside "
		    "\"{n}\" at a line end)");
	lx->brace = IMAP_BRACE_NONE;
	return 0;
}

/* One byte outside a literal. */
static int
imap_lex_byte(struct imap_lex *lx, unsigned char c)
{
	/*
	 * libetpan (UNSTRICT_SYNTAX) skips blanks before the "*" or "+" too:
	 * the line is what its first other byte says.
	 */
	if (lx->state == IMAP_LEX_BOL && (c == ' ' || c == '\t')) {
		lx->response++;
		if (lx->keep != IMAP_KEEP_NONE) {
			lx->kept++;
			lx->cost++;
		}
		return 0;
	}
	if (lx->state == IMAP_LEX_BOL) {
		lx->kind = c == '*' ? IMAP_LEX_UNTAGGED : c == '+' ?
		    IMAP_LEX_CONT : c == '\r' || c == '\n' ? IMAP_LEX_EMPTY :
		    IMAP_LEX_TAGGED;
		lx->text = lx->kind == IMAP_LEX_CONT;
		lx->code = lx->kind == IMAP_LEX_CONT ? IMAP_CODE_PLUS :
		    IMAP_CODE_NONE;
		lx->coded = false;
		lx->fetch = false;
		lx->noliteral = NULL;
		lx->word = 0;
		lx->wlen = 0;
		lx->depth = 0;
		lx->brace = IMAP_BRACE_NONE;
		if (lx->kind == IMAP_LEX_UNTAGGED)
			lx->cost += IMAP_LEX_RESPONSE_COST;
		lx->state = IMAP_LEX_SPACE;
	}
	lx->response++;
	if (lx->keep != IMAP_KEEP_NONE) {
		lx->kept++;	/* libetpan's buffer holds the text */
		lx->cost++;	/* and its parsed form a copy */
	}
	if (lx->kind == IMAP_LEX_UNTAGGED)
		lx->untagged++;
	if (lx->text && imap_lex_code(lx, c) != 0)
		return -1;
	/*
	 * RFC 3501 allows NUL in literals only, and libetpan's parsers end
	 * their view of a line at one while the lexer would read on; a
	 * quoted string ends before the line does (libetpan would read it
	 * across the line end, the lexer not).
	 */
	if (c == '\0')
		return imap_lex_fail(lx, "a NUL byte outside a literal");
	if (c == '\n' && !lx->text && (lx->state == IMAP_LEX_QUOTED ||
	    lx->state == IMAP_LEX_QUOTED_ESC))
		return imap_lex_fail(lx, "a line end in a quoted string");
	if (c == '\n') {
		if (lx->state == IMAP_LEX_WORD)
			imap_lex_word_end(lx);
		return imap_lex_check(lx, 0) != 0 ? -1 : imap_lex_line_end(lx);
	}
	/* The counts are checked at line ends and at the end of each chunk. */
	/* A "{n}" counts outside quoted strings, and in text (see line_end). */
	if (lx->text || (lx->state != IMAP_LEX_QUOTED &&
	    lx->state != IMAP_LEX_QUOTED_ESC)) {
		if (imap_lex_brace(lx, c) != 0)
			return -1;
	} else
		lx->brace = IMAP_BRACE_NONE;
	if (lx->text)
		return 0;
	switch (lx->state) {
	case IMAP_LEX_QUOTED:
		if (c == '\\')
			lx->state = IMAP_LEX_QUOTED_ESC;
		else if (c == '"')
			lx->state = IMAP_LEX_SPACE;
		break;
	case IMAP_LEX_QUOTED_ESC:
		lx->state = IMAP_LEX_QUOTED;
		break;
	default:
		/* libetpan takes a TAB for a SP (UNSTRICT_SYNTAX). */
		if (c == ' ' || c == '\t' || c == '(' || c == ')' || c == '\r') {
			if (lx->state == IMAP_LEX_WORD)
				imap_lex_word_end(lx);
			if (c == '(' && ++lx->depth > lx->lim.depth)
				return imap_lex_check(lx, 0);
			else if (c == ')' && lx->depth > 0)
				lx->depth--;
			break;
		}
		if (lx->state == IMAP_LEX_SPACE) {
			lx->cost += IMAP_LEX_TOKEN_COST;
			if (c == '"') {
				lx->word++;
				lx->state = IMAP_LEX_QUOTED;
				break;
			}
			lx->state = IMAP_LEX_WORD;
		} else if (c == '"')
			/*
			 * No atom holds one (RFC 3501); libetpan reads a
			 * quoted string from it, across line ends, where
			 * the lexer would see a literal hiding a line.
			 */
			return imap_lex_fail(lx, "a quote inside an atom");
		if (lx->wlen < sizeof lx->wbuf - 1)
			lx->wbuf[lx->wlen] = (char)c;
		lx->wlen++;
		break;
	}
	return 0;
}

/*
 * Takes the bytes of atoms, numbers and the blanks and parentheses
 * between them in a run, from p up to the first byte that may change
 * more than the counts: a line end, a quoted string's start, a "{", or a
 * parenthesis past the depth bound (imap_lex_byte takes those).  Only
 * past a line's third word, outside text and braces: the first three
 * words decide what the line is, and the words after count only for
 * the estimate (a token cost each).  Returns how many bytes it took.
 * Most of a FETCH answer outside quoted strings and literals is such
 * bytes, and the lexer took 10% of a first sync byte by byte.
 */
static size_t
imap_lex_tokens(struct imap_lex *lx, const unsigned char *p,
    const unsigned char *end)
{
	const unsigned char	*q;
	uint64_t		 tokens = 0;
	unsigned		 depth = lx->depth;
	int			 st = lx->state;

	for (q = p; q < end; q++) {
		switch (*q) {
		case '\n':
		case '{':
		case '\0':
			goto out;
		case '"':
			goto out;	/* a string's start, or refused */
		case ' ':
		case '\t':
		case '\r':
			st = IMAP_LEX_SPACE;
			continue;
		case '(':
			if (depth + 1 > lx->lim.depth)
				goto out;
			depth++;
			st = IMAP_LEX_SPACE;
			continue;
		case ')':
			if (depth > 0)
				depth--;
			st = IMAP_LEX_SPACE;
			continue;
		}
		if (st == IMAP_LEX_SPACE) {
			tokens++;
			st = IMAP_LEX_WORD;
		}
	}
out:
	if (q == p)
		return 0;
	lx->response += (size_t)(q - p);
	if (lx->keep != IMAP_KEEP_NONE) {
		lx->kept += (size_t)(q - p);
		lx->cost += (size_t)(q - p);
	}
	if (lx->kind == IMAP_LEX_UNTAGGED)
		lx->untagged += (size_t)(q - p);
	lx->cost += tokens * IMAP_LEX_TOKEN_COST;
	lx->depth = depth;
	lx->state = st;
	/* Only the first words are ever looked at (imap_lex_word_end). */
	lx->wlen = 0;
	return (size_t)(q - p);
}

int
imap_lex_feed(struct imap_lex *lx, const char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)buf;
	const unsigned char	*end = p + len, *q;
	size_t			 n;

	while (p < end) {
		if (lx->state == IMAP_LEX_FAILED)
			return -1;
		if (lx->state == IMAP_LEX_LITERAL) {
			n = (size_t)(end - p);
			if (n > lx->literal)
				n = (size_t)lx->literal;
			/* Announced and checked at the "{n}"; counted now. */
			lx->response += n;
			lx->cost += n;
			if (lx->kind == IMAP_LEX_UNTAGGED)
				lx->untagged += n;
			lx->literal -= n;
			p += n;
			if (lx->literal == 0)
				lx->state = IMAP_LEX_SPACE;
			continue;
		}
		if (lx->state == IMAP_LEX_QUOTED && !lx->text) {
			/*
			 * The bytes of a quoted string up to its end, an
			 * escape or a line end only count, as imap_lex_byte
			 * counts them one by one: most of a BODYSTRUCTURE,
			 * and the lexer took 7% of a first sync byte by byte.
			 */
			for (q = p; q < end && *q != '"' && *q != '\\' &&
			    *q != '\n' && *q != '\0'; q++)
				;
			if (q > p) {
				n = (size_t)(q - p);
				lx->response += n;
				if (lx->keep != IMAP_KEEP_NONE) {
					lx->kept += n;
					lx->cost += n;
				}
				if (lx->kind == IMAP_LEX_UNTAGGED)
					lx->untagged += n;
				/* lx->brace is none inside the string already. */
				p = q;
				continue;
			}
		}
		/* A lone byte goes byte by byte (the tests compare so). */
		if ((lx->state == IMAP_LEX_SPACE || lx->state == IMAP_LEX_WORD) &&
		    !lx->text && lx->word >= 3 &&
		    lx->brace == IMAP_BRACE_NONE && end - p > 1) {
			n = imap_lex_tokens(lx, p, end);
			if (n > 0) {
				p += n;
				continue;
			}
		}
		if (imap_lex_byte(lx, *p++) != 0)
			return -1;
	}
	/*
	 * Before any of the chunk is handed up: what it adds to the answer
	 * is only in the caller's buffer yet, and a literal's size was
	 * checked at its announcement.
	 */
	if (lx->state != IMAP_LEX_FAILED && imap_lex_check(lx, 0) != 0)
		return -1;
	return lx->state == IMAP_LEX_FAILED ? -1 : 0;
}

/* The driver's connection. */
struct imap_stream {
	int			 fd;		/* owned */
	gnutls_session_t	 tls;		/* owned; NULL while plain */
	gnutls_certificate_credentials_t cred;	/* owned */
	int			 timeout;	/* seconds without progress */
	int			 command_timeout;
	int64_t			 exchange_end;	/* ms: this command's deadline */
	int64_t			 session_end;	/* ms: the session's, 0 = none */
	int			 exchange_secs;	/* for the message */
	int			 session_secs;
	volatile sig_atomic_t	*stop;		/* borrowed, may be NULL */
	struct imap_lex		 lex;
	enum imap_stream_fail	 fail;
	char			 why[160];
};

/* Fails the stream with a reason; returns -1. */
static int __attribute__((format(printf, 3, 4)))
imap_stream_fail(struct imap_stream *s, enum imap_stream_fail f,
    const char *fmt, ...)
{
	va_list	ap;

	if (s->fail != IMAP_STREAM_OK)
		return -1;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof s->why, fmt, ap);
	va_end(ap);
	s->fail = f;
	return -1;
}

/*
 * Waits until the socket is ready for events, at most the source's
 * timeout, and never past the command's or the session's deadline or a
 * stop request; -1 with the stream failed otherwise.
 */
static int
imap_stream_wait(struct imap_stream *s, short events)
{
	struct pollfd	pfd;
	int64_t		now, idle_end, end;
	int		r;

	now = util_monotonic_ms();
	idle_end = now + (int64_t)s->timeout * 1000;
	for (;;) {
		if (s->stop != NULL && *s->stop)
			return imap_stream_fail(s, IMAP_STREAM_STOPPED,
			    "stopped");
		now = util_monotonic_ms();
		if (s->session_end != 0 && now >= s->session_end)
			return imap_stream_fail(s, IMAP_STREAM_DEADLINE,
			    "the session took longer than %d s",
			    s->session_secs);
		if (now >= s->exchange_end)
			return imap_stream_fail(s, IMAP_STREAM_DEADLINE,
			    "no complete answer within %d s", s->exchange_secs);
		if (now >= idle_end)
			return imap_stream_fail(s, IMAP_STREAM_TIMEOUT,
			    "nothing came for %d s", s->timeout);
		end = idle_end < s->exchange_end ? idle_end : s->exchange_end;
		if (s->session_end != 0 && s->session_end < end)
			end = s->session_end;
		if (end - now > IMAP_STREAM_TICK_MS)
			end = now + IMAP_STREAM_TICK_MS;
		pfd.fd = s->fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(end - now));
		if (r > 0)
			return 0;	/* ready, or an error the call will see */
		if (r < 0 && errno != EINTR)
			return imap_stream_fail(s, IMAP_STREAM_IO, "poll: %s",
			    strerror(errno));
	}
}

/* Starts the deadline of an exchange (a command, the greeting, a handshake). */
static void
imap_stream_deadline(struct imap_stream *s, int secs)
{
	s->exchange_secs = secs;
	s->exchange_end = util_monotonic_ms() + (int64_t)secs * 1000;
}

/* GnuTLS writes through this: no SIGPIPE when the server is gone. */
static ssize_t
imap_stream_push(gnutls_transport_ptr_t p, const void *buf, size_t len)
{
	struct imap_stream	*s = p;

	return send(s->fd, buf, len, MSG_NOSIGNAL);
}

/* GnuTLS reads through this. */
static ssize_t
imap_stream_pull(gnutls_transport_ptr_t p, void *buf, size_t len)
{
	struct imap_stream	*s = p;

	return recv(s->fd, buf, len, 0);
}

/* The driver's read: bytes only after the lexer has let them through. */
static ssize_t
imap_stream_read(mailstream_low *low, void *buf, size_t count)
{
	struct imap_stream	*s = low->data;
	ssize_t			 n;

	if (s->fail != IMAP_STREAM_OK)
		return -1;
	for (;;) {
		if (s->tls == NULL || gnutls_record_check_pending(s->tls) == 0) {
			if (imap_stream_wait(s, POLLIN) != 0)
				return -1;
		}
		if (s->tls != NULL) {
			n = gnutls_record_recv(s->tls, buf, count);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
				continue;
			if (n < 0)
				return imap_stream_fail(s, IMAP_STREAM_TLS,
				    "TLS: %s", gnutls_strerror((int)n));
		} else {
			n = recv(s->fd, buf, count, 0);
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR))
				continue;
			if (n < 0)
				return imap_stream_fail(s, IMAP_STREAM_IO,
				    "connection lost (%s)", strerror(errno));
		}
		if (n == 0)
			return imap_stream_fail(s, IMAP_STREAM_IO,
			    "connection lost (closed by the server)");
		if (imap_lex_feed(&s->lex, buf, (size_t)n) != 0)
			return imap_stream_fail(s, IMAP_STREAM_BOUND,
			    "answer refused: %s", s->lex.why);
		return n;
	}
}

/* The driver's write; a write between answers starts a command's deadline. */
static ssize_t
imap_stream_write(mailstream_low *low, const void *buf, size_t count)
{
	struct imap_stream	*s = low->data;
	ssize_t			 n;

	if (s->fail != IMAP_STREAM_OK)
		return -1;
	if (imap_lex_at_rest(&s->lex))
		imap_stream_deadline(s, s->command_timeout);
	for (;;) {
		if (s->tls != NULL) {
			n = gnutls_record_send(s->tls, buf, count);
			if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED) {
				if (imap_stream_wait(s,
				    gnutls_record_get_direction(s->tls) ?
				    POLLOUT : POLLIN) != 0)
					return -1;
				continue;
			}
			if (n < 0)
				return imap_stream_fail(s, IMAP_STREAM_TLS,
				    "TLS: %s", gnutls_strerror((int)n));
			return n;
		}
		n = send(s->fd, buf, count, MSG_NOSIGNAL);
		if (n >= 0)
			return n;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
			if (imap_stream_wait(s, POLLOUT) != 0)
				return -1;
			continue;
		}
		return imap_stream_fail(s, IMAP_STREAM_IO, "connection lost (%s)",
		    strerror(errno));
	}
}

/* The driver's close: a TLS close_notify if it goes out at once, then the socket. */
static int
imap_stream_close(mailstream_low *low)
{
	struct imap_stream	*s = low->data;

	if (s->tls != NULL && s->fail == IMAP_STREAM_OK)
		(void)gnutls_bye(s->tls, GNUTLS_SHUT_WR);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return 0;
}

static int
imap_stream_get_fd(mailstream_low *low)
{
	struct imap_stream	*s = low->data;

	return s->fd;
}

/* The driver's free: the connection, and the mailstream_low itself. */
static void
imap_stream_free(mailstream_low *low)
{
	struct imap_stream	*s = low->data;

	if (s->fd >= 0)
		close(s->fd);
	if (s->tls != NULL)
		gnutls_deinit(s->tls);
	if (s->cred != NULL)
		gnutls_certificate_free_credentials(s->cred);
	free(s);
	low->data = NULL;
	free(low);
}

static mailstream_low_driver imap_stream_driver = {
	.mailstream_read = imap_stream_read,
	.mailstream_write = imap_stream_write,
	.mailstream_close = imap_stream_close,
	.mailstream_get_fd = imap_stream_get_fd,
	.mailstream_free = imap_stream_free,
};

/* Our connection behind a mailstream, or NULL if it is not one of ours. */
static struct imap_stream *
imap_stream_of(mailstream *ms)
{
	mailstream_low	*low;

	if (ms == NULL || (low = mailstream_get_low(ms)) == NULL ||
	    low->driver != &imap_stream_driver)
		return NULL;
	return low->data;
}

/* Wraps a connected non-blocking socket (taken over) into a mailstream. */
static mailstream *
imap_stream_wrap(int fd, const struct imap_stream_conf *conf,
    volatile sig_atomic_t *stop)
{
	struct imap_stream	*s;
	struct imap_lex_limits	 lim;
	mailstream_low		*low;
	mailstream		*ms;

	s = xcalloc(1, sizeof *s);
	s->fd = fd;
	s->timeout = conf->timeout > 0 ? conf->timeout : 60;
	s->command_timeout = conf->command_timeout > 0 ?
	    conf->command_timeout : s->timeout;
	s->stop = stop;
	imap_lex_limits(&lim, conf->max_response > 0 ? conf->max_response :
	    IMAP_MAX_RESPONSE);
	imap_lex_init(&s->lex, &lim);
	/* The greeting has the source's timeout, like a connect. */
	imap_stream_deadline(s, s->timeout);
	low = mailstream_low_new(s, &imap_stream_driver);
	if (low == NULL)
		fatal("out of memory");
	ms = mailstream_new(low, 8192);
	if (ms == NULL)
		fatal("out of memory");
	return ms;
}

mailstream *
imap_stream_open_fd(int fd, const struct imap_stream_conf *conf)
{
	int	fl;

	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	return imap_stream_wrap(fd, conf, NULL);
}

/*
 * Connects a non-blocking socket to one address before end (ms); returns
 * the socket, or -1 with errno set (ETIMEDOUT at the deadline, EINTR when
 * stopped).
 */
static int
imap_stream_dial(const struct addrinfo *ai, int64_t end,
    volatile sig_atomic_t *stop)
{
	struct pollfd	pfd;
	socklen_t	len;
	int64_t		now, wait;
	int		fd, e, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	for (;;) {
		if (stop != NULL && *stop) {
			close(fd);
			errno = EINTR;
			return -1;
		}
		now = util_monotonic_ms();
		if (now >= end) {
			close(fd);
			errno = ETIMEDOUT;
			return -1;
		}
		wait = end - now < IMAP_STREAM_TICK_MS ? end - now :
		    IMAP_STREAM_TICK_MS;
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)wait);
		if (r < 0 && errno != EINTR) {
			e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (r > 0)
			break;
	}
	e = 0;
	len = sizeof e;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
		e = errno;
	if (e != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The TLS handshake over the stream's socket, within the source's timeout. */
static int
imap_stream_handshake(struct imap_stream *s, const char *host, struct err *err)
{
	unsigned char	addr[sizeof(struct in6_addr)];
	int		r;

	if (gnutls_certificate_allocate_credentials(&s->cred) < 0 ||
	    gnutls_init(&s->tls, GNUTLS_CLIENT | GNUTLS_NONBLOCK) < 0)
		fatal("out of memory");
	if (gnutls_set_default_priority(s->tls) < 0 ||
	    gnutls_credentials_set(s->tls, GNUTLS_CRD_CERTIFICATE,
	    s->cred) < 0)
		return err_set(err, ERR_TEMP, "%s: TLS: cannot set up a session",
		    host);
	/* SNI for host names; RFC 6066 section 3 forbids IP literals. */
	if (inet_pton(AF_INET, host, addr) != 1 &&
	    inet_pton(AF_INET6, host, addr) != 1 &&
	    gnutls_server_name_set(s->tls, GNUTLS_NAME_DNS, host,
	    strlen(host)) < 0)
		log_warn("%s: cannot set the TLS server name", host);
	gnutls_transport_set_ptr(s->tls, s);
	gnutls_transport_set_push_function(s->tls, imap_stream_push);
	gnutls_transport_set_pull_function(s->tls, imap_stream_pull);
	imap_stream_deadline(s, s->timeout);
	for (;;) {
		r = gnutls_handshake(s->tls);
		if (r == 0)
			break;
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
			if (imap_stream_wait(s, gnutls_record_get_direction(
			    s->tls) ? POLLOUT : POLLIN) != 0)
				return err_set(err, ERR_TEMP, "%s: TLS handshake: "
				    "%s", host, s->why);
			continue;
		}
		if (!gnutls_error_is_fatal(r))
			continue;	/* a warning alert */
		/* Not counted as the stream's failure: nothing was read yet. */
		return err_set(err, ERR_TEMP, "%s: TLS handshake failed: %s",
		    host, gnutls_strerror(r));
	}
	/* The greeting (implicit TLS) has its own timeout after this. */
	imap_stream_deadline(s, s->timeout);
	return 0;
}

int
imap_stream_connect(const char *host, uint16_t port, bool tls,
    const struct imap_stream_conf *conf, volatile sig_atomic_t *stop,
    mailstream **out, struct err *err)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct imap_stream *s;
	mailstream	*ms;
	char		 service[8], why[256];
	int64_t		 end;
	int		 fd = -1, r, e = ECONNREFUSED;

	*out = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof service, "%u", (unsigned)port);
	r = getaddrinfo(host, service, &hints, &res);
	if (r != 0)
		return err_set(err, ERR_TEMP, "cannot resolve %s: %s", host,
		    r == EAI_SYSTEM ? source_connect_error(errno, why,
		    sizeof why) :
		    gai_strerror(r));
	end = util_monotonic_ms() + (int64_t)(conf->timeout > 0 ?
	    conf->timeout : 60) * 1000;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = imap_stream_dial(ai, end, stop);
		if (fd >= 0)
			break;
		e = errno;
		/* No point trying the other addresses. */
		if (e == EMFILE || e == ENFILE || e == EINTR || e == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (e == EINTR)
			return err_set(err, ERR_TEMP, "%s:%u: stopped", host,
			    (unsigned)port);
		return err_set(err, ERR_TEMP, "%s:%u: cannot connect: %s", host,
		    (unsigned)port, source_connect_error(e, why,
		    sizeof why));
	}
	ms = imap_stream_wrap(fd, conf, stop);
	s = imap_stream_of(ms);
	if (tls && imap_stream_handshake(s, host, err) != 0) {
		err->cls = ERR_TEMP;
		mailstream_close(ms);
		return -1;
	}
	*out = ms;
	return 0;
}

int
imap_stream_starttls(mailstream *ms, const char *host, struct err *err)
{
	struct imap_stream	*s = imap_stream_of(ms);

	if (s == NULL || s->tls != NULL || s->fail != IMAP_STREAM_OK)
		return err_set(err, ERR_TEMP, "%s: STARTTLS on a broken "
		    "connection", host);
	return imap_stream_handshake(s, host, err);
}

int
imap_stream_verify(mailstream *ms, const char *host, const char *ca_file,
    struct err *err)
{
	struct imap_stream	*s = imap_stream_of(ms);

	if (s == NULL || s->tls == NULL)
		return err_set(err, ERR_WAIT, "%s: TLS: no TLS session", host);
	return tls_verify(s->tls, host, ca_file, err);
}

bool
imap_stream_buffered(mailstream *ms)
{
	return ms != NULL && ms->read_buffer_len > 0;
}

void
imap_stream_arm(mailstream *ms, volatile sig_atomic_t *stop, int64_t end,
    int secs)
{
	struct imap_stream	*s = imap_stream_of(ms);

	if (s == NULL)
		return;
	s->stop = stop;
	s->session_end = end;
	s->session_secs = secs;
}

void
imap_stream_keep(mailstream *ms, enum imap_stream_keep keep)
{
	struct imap_stream	*s = imap_stream_of(ms);

	if (s != NULL)
		s->lex.keep = keep;
}

enum imap_stream_fail
imap_stream_failure(mailstream *ms, const char **why)
{
	struct imap_stream	*s = imap_stream_of(ms);

	if (why != NULL)
		*why = s != NULL && s->fail != IMAP_STREAM_OK ? s->why : NULL;
	return s != NULL ? s->fail : IMAP_STREAM_OK;
}

void
imap_stream_refuse(mailstream *ms, const char *why)
{
	struct imap_stream	*s = imap_stream_of(ms);

	if (s != NULL)
		(void)imap_stream_fail(s, IMAP_STREAM_BOUND,
		    "answer refused: %s", why);
}
