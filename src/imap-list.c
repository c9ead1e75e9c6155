/* SPDX-License-Identifier: MIT */
/*
 * LIST and XLIST answers read line by line (see imap-list.h).  The
 * command goes out with libetpan's own tag counter, and the answer is
 * read with libetpan's stream reader into a buffer of ours that holds
 * one response at a time, so a list costs what its names cost.  The
 * grammar is RFC 3501's mailbox-list:
 *
 *	"*" SP ("LIST" / "XLIST") SP "(" [flags] ")" SP (quoted-char / NIL)
 *	    SP mailbox [SP extended-data]
 *
 * where mailbox is an atom, a quoted string or a literal.  Names holding
 * control characters or invalid UTF-8 are refused here, so that no name
 * a server makes up can reach a log line, an error or a terminal raw.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_TAG "imap"
#include "imap-list.h"
#include "imap-stream.h"
#include "log.h"
#include "util.h"
#include "xmalloc.h"

/* Flags of one LIST response looked at, at most. */
#define IMAP_LIST_MAX_FLAGS	64
/* Bytes read from a literal at a time. */
#define IMAP_LIST_CHUNK		65536
/* Bytes of one response read here: the transport's bound of one untagged. */
#define IMAP_LIST_MAX		(IMAP_MAX_RESPONSE / 4)

/* A cursor over one response. */
struct imap_list_p {
	const char	*p;
	const char	*end;
};

/* Whether the next bytes are word, ignoring ASCII case; consumed if so. */
static bool
imap_list_word(struct imap_list_p *lp, const char *word)
{
	size_t	n = strlen(word);

	if ((size_t)(lp->end - lp->p) < n || strncasecmp(lp->p, word, n) != 0)
		return false;
	lp->p += n;
	return true;
}

/* True when [s, s+n) is UTF-8 without control characters (C0, DEL, C1). */
static bool
imap_list_clean(const unsigned char *s, size_t n)
{
	size_t		i, k, len;
	uint32_t	cp;

	for (i = 0; i < n; i += len) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			return false;
		if (s[i] < 0x80) {
			len = 1;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			len = 2;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			len = 3;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			len = 4;
			cp = s[i] & 0x07;
		} else
			return false;
		if (i + len > n)
			return false;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
	}
	return true;
}

/* Reads the mailbox name: an atom, a quoted string or a literal. */
static int
imap_list_mailbox(struct imap_list_p *lp, char *out, size_t outlen)
{
	const char	*p = lp->p;
	size_t		 n = 0;
	unsigned long	 lit;
	char		*ep;

	if (p >= lp->end)
		return -1;
	if (*p == '"') {
		for (p++; p < lp->end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < lp->end)
				p++;
			if (*p == '\r' || *p == '\n' || n + 1 >= outlen)
				return -1;
			out[n++] = *p;
		}
		if (p >= lp->end)
			return -1;
		lp->p = p + 1;
	} else if (*p == '{') {
		errno = 0;
		lit = strtoul(p + 1, &ep, 10);
		if (errno != 0 || ep == p + 1 || ep >= lp->end)
			return -1;
		if (*ep == '+')
			ep++;
		if (ep >= lp->end || *ep++ != '}')
			return -1;
		if (ep < lp->end && *ep == '\r')
			ep++;
		if (ep >= lp->end || *ep++ != '\n')
			return -1;
		if (lit + 1 > outlen || lit > (size_t)(lp->end - ep))
			return -1;
		memcpy(out, ep, lit);
		n = lit;
		lp->p = ep + lit;
	} else {
		while (p < lp->end && *p != ' ' && *p != '\r' && *p != '\n' &&
		    *p != '(' && *p != ')' && *p != '"') {
			if (n + 1 >= outlen)
				return -1;
			out[n++] = *p++;
		}
		lp->p = p;
	}
	if (n == 0 || !imap_list_clean((const unsigned char *)out, n))
		return -1;
	out[n] = '\0';
	return 0;
}

int
imap_list_entry(const char *resp, size_t len, struct imap_list_entry *out)
{
	struct imap_list_p	 lp = { resp, resp + len };
	const char		*flag;
	size_t			 nflags = 0, flen;

	memset(out, 0, sizeof *out);
	if (!imap_list_word(&lp, "* "))
		return 0;
	if (!imap_list_word(&lp, "LIST ") && !imap_list_word(&lp, "XLIST "))
		return 0;
	if (!imap_list_word(&lp, "("))
		return -1;
	for (;;) {
		while (lp.p < lp.end && *lp.p == ' ')
			lp.p++;
		if (lp.p >= lp.end)
			return -1;
		if (*lp.p == ')') {
			lp.p++;
			break;
		}
		if (++nflags > IMAP_LIST_MAX_FLAGS)
			return -1;
		flag = lp.p;
		while (lp.p < lp.end && *lp.p != ' ' && *lp.p != ')' &&
		    *lp.p != '\r' && *lp.p != '\n')
			lp.p++;
		flen = (size_t)(lp.p - flag);
		if (flen == 0)
			return -1;
		if ((flen == 9 && strncasecmp(flag, "\\Noselect", 9) == 0) ||
		    (flen == 12 && strncasecmp(flag, "\\NonExistent", 12) == 0))
			out->noselect = true;
		else if (flen == 5 && strncasecmp(flag, "\\Sent", 5) == 0)
			out->sent = true;
	}
	if (!imap_list_word(&lp, " "))
		return -1;
	if (imap_list_word(&lp, "NIL"))
		out->delim = '\0';
	else if (lp.end - lp.p >= 4 && lp.p[0] == '"' && lp.p[1] == '\\' &&
	    lp.p[3] == '"') {
		out->delim = lp.p[2];
		lp.p += 4;
	} else if (lp.end - lp.p >= 3 && lp.p[0] == '"' && lp.p[2] == '"' &&
	    lp.p[1] != '\\') {
		out->delim = lp.p[1];
		lp.p += 3;
	} else
		return -1;
	if (!imap_list_word(&lp, " "))
		return -1;
	if (imap_list_mailbox(&lp, out->name, sizeof out->name) != 0)
		return -1;
	/* RFC 5258 extended data may follow; the line end must. */
	if (lp.p < lp.end && *lp.p != ' ' && *lp.p != '\r' && *lp.p != '\n')
		return -1;
	return 1;
}

const char *
imap_list_canon(const char *name)
{
	return strcasecmp(name, "INBOX") == 0 ? "INBOX" : name;
}

bool
imap_list_same(const char *a, const char *b)
{
	return strcmp(imap_list_canon(a), imap_list_canon(b)) == 0;
}

const char *
imap_nameset_get(const struct imap_nameset *ns, const char *name)
{
	return hashset_get(&ns->set, name);
}

bool
imap_nameset_add(struct imap_nameset *ns, const char *name)
{
	ns->set.canon = imap_list_canon;
	if (hashset_get(&ns->set, name) != NULL)
		return false;
	strlist_add(&ns->names, name);
	hashset_add(&ns->set, ns->names.v[ns->names.n - 1]);
	return true;
}

void
imap_nameset_clear(struct imap_nameset *ns)
{
	strlist_clear(&ns->names);
	hashset_clear(&ns->set);
}

/* What ends a word for the lexer (imap_lex_byte) besides the line end. */
static bool
imap_list_blank(char c)
{
	return c == ' ' || c == '\t' || c == '(' || c == ')' || c == '\r';
}

bool
imap_list_is_text(const char *s, size_t len)
{
	static const char *const status[] = { "OK", "NO", "BAD", "BYE",
	    "PREAUTH" };
	const char	*p = s, *end = s + len, *w;
	size_t		 i, n, word = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '+')
		return true;
	while (p < end && *p != '\n') {
		if (imap_list_blank(*p)) {
			p++;
			continue;
		}
		if (*p == '"') {
			/* A quoted word, to its end or the line's. */
			for (p++; p < end && *p != '"' && *p != '\n'; p++)
				if (*p == '\\' && p + 1 < end && p[1] != '\n')
					p++;
			if (p < end && *p == '"')
				p++;
			word++;
			continue;
		}
		for (w = p; p < end && *p != '\n' && !imap_list_blank(*p); p++)
			;
		if (word == 1) {
			n = (size_t)(p - w);
			for (i = 0; i < sizeof status / sizeof status[0]; i++)
				if (n == strlen(status[i]) &&
				    strncasecmp(w, status[i], n) == 0)
					return true;
			return false;
		}
		word++;
	}
	return false;
}

/*
 * The n of a "{n}" (or "{n+}") that ends the line in buf, if it does,
 * looking only at the line's part read after the offset from: bytes of
 * a literal before it are data ("{8}" inside a literal announces
 * nothing, and the lexer, imap-stream.c, reads it so).
 */
static bool
imap_list_literal(const MMAPString *buf, size_t from, size_t *n)
{
	const char	*s = buf->str + from, *p = buf->str + buf->len, *d;
	size_t		 v = 0;

	if (p > s && p[-1] == '\n')
		p--;
	if (p > s && p[-1] == '\r')
		p--;
	if (p == s || *--p != '}')
		return false;
	if (p > s && p[-1] == '+')
		p--;
	if (p == s || p[-1] < '0' || p[-1] > '9')
		return false;
	for (d = p; d > s && d[-1] >= '0' && d[-1] <= '9'; d--)
		;
	if (d == s || d[-1] != '{')
		return false;
	/* Leading zeros count for nothing, as for the lexer; too big: all. */
	for (; d < p; d++)
		v = v > (SIZE_MAX - 9) / 10 ? SIZE_MAX : v * 10 +
		    (size_t)(*d - '0');
	*n = v;
	return true;
}

/* Fails the stream for a response past IMAP_LIST_MAX; -1. */
static int
imap_list_refuse(mailstream *ms)
{
	char	why[64];

	snprintf(why, sizeof why, "one response of more than %llu MiB",
	    (unsigned long long)(IMAP_LIST_MAX >> 20));
	imap_stream_refuse(ms, why);
	return -1;
}

/*
 * Reads one response into buf: its first line, and for each literal it
 * announces, the literal and the rest of the line.  -1 when the stream
 * fails, or the response grows past IMAP_LIST_MAX: the transport bounds
 * what its lexer sees as one response, but where this reader and the
 * lexer disagree on a literal (a literal glued to the first word, which
 * the lexer reads as text), each of its lines is a response of its own
 * there (a server sent 972 MB into one buffer so).
 */
static int
imap_list_read(mailstream *ms, MMAPString *buf)
{
	char	chunk[IMAP_LIST_CHUNK];
	size_t	n, want, from = 0;
	ssize_t	r;
	bool	text;

	if (mailstream_read_line(ms, buf) == NULL)
		return -1;
	text = imap_list_is_text(buf->str, buf->len);
	while (!text && imap_list_literal(buf, from, &n)) {
		if (n > IMAP_LIST_MAX || buf->len > IMAP_LIST_MAX - n)
			return imap_list_refuse(ms);
		while (n > 0) {
			want = n < sizeof chunk ? n : sizeof chunk;
			r = mailstream_read(ms, chunk, want);
			if (r <= 0)
				return -1;
			if (mmap_string_append_len(buf, chunk, (size_t)r) == NULL)
				fatal("out of memory");
			n -= (size_t)r;
		}
		from = buf->len;
		if (mailstream_read_line_append(ms, buf) == NULL)
			return -1;
		if (buf->len > IMAP_LIST_MAX)
			return imap_list_refuse(ms);
	}
	/* A line cut by the end of the stream is not a response. */
	return buf->len > 0 && buf->str[buf->len - 1] == '\n' ? 0 : -1;
}

/*
 * The code of a tagged line after its tag (t): MAILIMAP_NO_ERROR for OK,
 * no for NO, MAILIMAP_ERROR_PROTOCOL for BAD (text gets the server's
 * text of these two), MAILIMAP_ERROR_PARSE for anything else.
 */
static int
imap_list_tagged(const char *t, int no, char *text, size_t textlen)
{
	size_t	len;
	int	r;

	if (strncasecmp(t, "OK", 2) == 0)
		return MAILIMAP_NO_ERROR;
	if (strncasecmp(t, "NO", 2) == 0)
		r = no;
	else if (strncasecmp(t, "BAD", 3) == 0)
		r = MAILIMAP_ERROR_PROTOCOL;
	else
		return MAILIMAP_ERROR_PARSE;
	t += r == MAILIMAP_ERROR_PROTOCOL ? 3 : 2;
	if (*t == ' ')
		t++;
	len = strcspn(t, "\r\n");
	snprintf(text, textlen, "%.*s", (int)len, t);
	return r;
}

int
imap_list_command(mailimap *imap, const char *cmd, int no,
    imap_list_line_fn fn, void *arg, char *text, size_t textlen)
{
	MMAPString	*buf;
	mailstream	*ms = imap->imap_stream;
	char		 tag[16];
	size_t		 len = strlen(cmd), taglen;
	int		 r;

	text[0] = '\0';
	r = mailimap_send_current_tag(imap);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	if (mailstream_write(ms, cmd, len) != (ssize_t)len ||
	    mailstream_flush(ms) != 0)
		return MAILIMAP_ERROR_STREAM;
	/* mailimap_send_current_tag() sent the tag so. */
	taglen = (size_t)snprintf(tag, sizeof tag, "%d ", imap->imap_tag);
	buf = mmap_string_new("");
	if (buf == NULL)
		fatal("out of memory");
	imap_stream_keep(ms, IMAP_KEEP_NONE);
	for (;;) {
		if (imap_list_read(ms, buf) != 0) {
			r = MAILIMAP_ERROR_STREAM;
			break;
		}
		if (buf->len >= taglen && strncmp(buf->str, tag, taglen) == 0) {
			r = imap_list_tagged(buf->str + taglen, no, text,
			    textlen);
			util_printable(text, text, textlen);
			break;
		}
		if (strncasecmp(buf->str, "* BYE", 5) == 0) {
			r = MAILIMAP_ERROR_FATAL;
			break;
		}
		if (strncmp(buf->str, "* ", 2) != 0) {
			r = MAILIMAP_ERROR_PARSE;
			break;
		}
		fn(buf->str, buf->len, arg);
	}
	imap_stream_keep(ms, IMAP_KEEP_ALL);
	mmap_string_free(buf);
	return r;
}

/* What imap_list_run's lines hand to each entry. */
struct imap_list_run {
	imap_list_fn	 fn;
	void		*arg;
	size_t		*bad;
};

/* One untagged response of LIST: an entry, a bad one, or another kind. */
static void
imap_list_run_line(char *line, size_t len, void *arg)
{
	struct imap_list_run	*run = arg;
	struct imap_list_entry	 e;

	switch (imap_list_entry(line, len, &e)) {
	case 1:
		run->fn(&e, run->arg);
		break;
	case -1:
		(*run->bad)++;
		break;
	}
}

int
imap_list_run(mailimap *imap, const char *cmd, imap_list_fn fn, void *arg,
    size_t *bad, char *text, size_t textlen)
{
	struct imap_list_run	 run = { fn, arg, bad };
	char			 line[32];

	text[0] = '\0';
	if (imap->imap_state != MAILIMAP_STATE_AUTHENTICATED &&
	    imap->imap_state != MAILIMAP_STATE_SELECTED)
		return MAILIMAP_ERROR_BAD_STATE;
	snprintf(line, sizeof line, "%s \"\" \"*\"\r\n", cmd);
	return imap_list_command(imap, line, MAILIMAP_ERROR_LIST,
	    imap_list_run_line, &run, text, textlen);
}
