/* SPDX-License-Identifier: MIT */
/*
 * The mbox reader (mbox.h).  The file is read in blocks and cut into
 * lines by a small state machine: only the first MBOX_HEAD bytes of each
 * line are held apart (enough to recognise and date a From_ line), the
 * rest goes straight into the current message, so a 1 GB line costs no
 * more memory than the message limit.  It does not parse messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_TAG "mbox"
#include "log.h"
#include "mbox.h"
#include "mime.h"
#include "xmalloc.h"

#define MBOX_BLOCK	(64 * 1024)
#define MBOX_HEAD	1024	/* bytes of a line kept to judge it */
/* The UTF-8 byte-order mark some editors put at the start of a file. */
#define MBOX_BOM	"\xef\xbb\xbf"
#define MBOX_BOM_LEN	3

struct mbox_reader {
	const char	*path;		/* borrowed */
	mbox_cb		 cb;
	void		*arg;
	struct buf	 msg;		/* owned: the current message */
	bool		 have_msg;	/* a From_ line opened msg */
	bool		 skip;		/* msg is over MBOX_MSG_MAX */
	bool		 junk;		/* text before the first From_ line */
	long		 msgno;
	off_t		 msg_off;
	time_t		 date;
	char		 head[MBOX_HEAD];
	size_t		 headlen;
	off_t		 head_off;
	bool		 in_line;	/* past the head of a long line */
	bool		 discard;	/* dropping the rest of a From_ line */
	int		 stop;		/* the callback's non-zero answer */
};

/* Parses n decimal digits at s into *v; false if they are not digits. */
static bool
mbox_digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	if (n == 0 || n > 4)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

time_t
mbox_from_date(const char *line, size_t len)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char tmp[256], *tok[16], *save = NULL, *t;
	int ntok = 0, i, mon = -1, day = 0, hh = 0, mm = 0, ss = 0, year = -1;
	int zone = 0, z;
	time_t r;

	if (len >= sizeof tmp)
		len = sizeof tmp - 1;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	for (t = strtok_r(tmp, " \t\r\n", &save); t != NULL && ntok < 16;
	    t = strtok_r(NULL, " \t\r\n", &save))
		tok[ntok++] = t;
	/* "From" SENDER [weekday] MONTH DAY HH:MM[:SS] [zone] YEAR [zone] */
	for (i = 2; i < ntok && mon < 0; i++) {
		const char *m;

		m = strlen(tok[i]) == 3 ? strcasestr(months, tok[i]) : NULL;
		if (m != NULL && (m - months) % 3 == 0)
			mon = (m - months) / 3;
	}
	if (mon < 0 || i + 1 >= ntok ||
	    !mbox_digits(tok[i], strlen(tok[i]), &day))
		return 0;
	t = tok[i + 1];
	if (strlen(t) < 5 || t[2] != ':' || !mbox_digits(t, 2, &hh) ||
	    !mbox_digits(t + 3, 2, &mm))
		return 0;
	if (t[5] == ':' && !mbox_digits(t + 6, strlen(t + 6), &ss))
		return 0;
	for (i += 2; i < ntok; i++) {
		t = tok[i];
		if (strlen(t) == 4 && mbox_digits(t, 4, &z))
			year = z;
		else if (strlen(t) == 5 && (t[0] == '+' || t[0] == '-') &&
		    mbox_digits(t + 1, 4, &z))
			zone = t[0] == '-' ? -z : z;
	}
	/* The one conversion of dates (mime.c): no 31 February here either. */
	if (year < 1970 || mime_time(year, mon + 1, day, hh, mm, ss, zone,
	    &r) != 0)
		return 0;
	return r;
}

/* Hands the current message to the callback (if there is one) and ends it. */
static void
mbox_flush(struct mbox_reader *r)
{
	struct buf *m = &r->msg;

	if (!r->have_msg || r->skip) {
		r->have_msg = false;
		return;
	}
	r->have_msg = false;
	/* Drop the empty line that separates it from the next From_ line. */
	if (m->len >= 4 && memcmp(m->data + m->len - 4, "\r\n\r\n", 4) == 0)
		m->len -= 2;
	else if (m->len >= 2 && memcmp(m->data + m->len - 2, "\n\n", 2) == 0)
		m->len -= 1;
	if (m->len == 0 || (m->len <= 2 && strspn(m->data, "\r\n") == m->len)) {
		log_warn("%s: message %ld: empty, skipped", r->path, r->msgno);
		return;
	}
	r->stop = r->cb(m->data, m->len, r->msgno, r->msg_off, r->date, r->arg);
}

/* Adds bytes to the current message, or notes them as junk before the first. */
static void
mbox_append(struct mbox_reader *r, const char *p, size_t n)
{
	size_t i;

	if (!r->have_msg) {
		for (i = 0; i < n && !r->junk; i++)
			if (p[i] != '\r' && p[i] != '\n' && p[i] != ' ' &&
			    p[i] != '\t')
				r->junk = true;
		return;
	}
	if (r->skip)
		return;
	if (r->msg.len + n > MBOX_MSG_MAX) {
		log_warn("%s: message %ld: larger than %d MiB, skipped",
		    r->path, r->msgno, MBOX_MSG_MAX / (1024 * 1024));
		r->skip = true;
		buf_reset(&r->msg);
		return;
	}
	buf_append(&r->msg, p, n);
}

/*
 * Judges a line by its head: a From_ line starts a message, any other line
 * goes into the current one (un-escaped if it is ">From ", mboxrd).
 * complete says whether the head holds the whole line.
 */
static void
mbox_line(struct mbox_reader *r, bool complete)
{
	const char *h = r->head;
	size_t n = r->headlen, gt;

	r->headlen = 0;
	r->in_line = !complete;
	if (n >= 5 && memcmp(h, "From ", 5) == 0) {
		mbox_flush(r);
		if (r->junk && r->msgno == 0)
			log_warn("%s: text before the first From line skipped",
			    r->path);
		r->junk = false;
		buf_reset(&r->msg);
		r->have_msg = true;
		r->skip = false;
		r->msgno++;
		r->msg_off = r->head_off;
		r->date = mbox_from_date(h, n);
		r->discard = !complete;
		return;
	}
	gt = strspn(h, ">");
	if (gt > 0 && gt < n && n - gt >= 5 &&
	    memcmp(h + gt, "From ", 5) == 0) {
		h++;
		n--;
	}
	mbox_append(r, h, n);
}

/* Feeds one block of the file through the line state machine. */
static void
mbox_feed(struct mbox_reader *r, const char *b, size_t n, off_t pos)
{
	const char *nl;
	size_t i = 0, k, room;

	while (i < n && r->stop == 0) {
		if (r->in_line) {
			nl = memchr(b + i, '\n', n - i);
			k = nl != NULL ? (size_t)(nl - (b + i)) + 1 : n - i;
			if (!r->discard)
				mbox_append(r, b + i, k);
			i += k;
			if (nl != NULL)
				r->in_line = r->discard = false;
			continue;
		}
		if (r->headlen == 0)
			r->head_off = pos + (off_t)i;
		room = sizeof r->head - 1 - r->headlen;
		k = n - i < room ? n - i : room;
		nl = memchr(b + i, '\n', k);
		if (nl != NULL)
			k = (size_t)(nl - (b + i)) + 1;
		memcpy(r->head + r->headlen, b + i, k);
		r->headlen += k;
		r->head[r->headlen] = '\0';
		i += k;
		if (nl != NULL || r->headlen == sizeof r->head - 1)
			mbox_line(r, nl != NULL);
	}
}

int
mbox_read(const char *path, mbox_cb cb, void *arg, struct err *err)
{
	struct mbox_reader r = { .path = path, .cb = cb, .arg = arg };
	char *block;
	off_t pos = 0;
	size_t n;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "re")) == NULL)
		return err_set(err, ERR_DATA, "%s: %s", path, strerror(errno));
	block = xmalloc(MBOX_BLOCK);
	while (r.stop == 0 && (n = fread(block, 1, MBOX_BLOCK, f)) > 0) {
		/* A byte-order mark is no part of the first From_ line. */
		if (pos == 0 && n >= MBOX_BOM_LEN &&
		    memcmp(block, MBOX_BOM, MBOX_BOM_LEN) == 0)
			mbox_feed(&r, block + MBOX_BOM_LEN, n - MBOX_BOM_LEN,
			    MBOX_BOM_LEN);
		else
			mbox_feed(&r, block, n, pos);
		pos += (off_t)n;
	}
	if (ferror(f))
		rc = err_set(err, ERR_DATA, "%s: read error", path);
	else if (r.stop == 0) {
		if (r.headlen > 0 && !r.in_line)
			mbox_line(&r, false);
		if (r.junk && r.msgno == 0)
			log_warn("%s: no From line, nothing read", path);
		mbox_flush(&r);
	}
	if (rc == 0)
		rc = r.stop;
	buf_free(&r.msg);
	free(block);
	fclose(f);
	return rc;
}

bool
mbox_is_mbox(const char *data, size_t len)
{
	if (len >= MBOX_BOM_LEN && memcmp(data, MBOX_BOM, MBOX_BOM_LEN) == 0) {
		data += MBOX_BOM_LEN;
		len -= MBOX_BOM_LEN;
	}
	return len >= 5 && memcmp(data, "From ", 5) == 0;
}

int
mbox_probe(const char *path, bool *is_mbox, struct err *err)
{
	char head[MBOX_BOM_LEN + 5];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		return err_set(err, ERR_DATA, "%s: %s", path, strerror(errno));
	n = fread(head, 1, sizeof head, f);
	if (ferror(f)) {
		fclose(f);
		return err_set(err, ERR_DATA, "%s: read error", path);
	}
	fclose(f);
	*is_mbox = mbox_is_mbox(head, n);
	return 0;
}
