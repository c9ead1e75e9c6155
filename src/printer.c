/* SPDX-License-Identifier: MIT */
/*
 * Output of tables as text, CSV or JSON (printer.h).  Text tables align
 * on display width (UTF-8 aware) so that names with accents line up.
 *
 * Strings come from mail, calendars and servers, stored as they were
 * received: whatever the database holds, tables and CSV show control
 * characters and bytes that are not UTF-8 as U+FFFD (util_safe_text),
 * and JSON strings are always valid UTF-8 with every control character
 * escaped.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer.h"
#include "util.h"
#include "xmalloc.h"

/* Tables at full width with every column (--wide): one CLI run, one answer. */
static bool printer_all;

static void	table_keys(struct table *);
static char	*json_format_int(int64_t, char *);

void
printer_wide(bool on)
{
	printer_all = on;
}

int
printer_format_from_name(const char *name, enum format *out)
{
	if (strcmp(name, "table") == 0)
		*out = FORMAT_TABLE;
	else if (strcmp(name, "csv") == 0)
		*out = FORMAT_CSV;
	else if (strcmp(name, "json") == 0)
		*out = FORMAT_JSON;
	else
		return -1;
	return 0;
}

void
table_init(struct table *t, const struct column *cols, size_t ncols, const char *tz)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->ncols = ncols;
	t->tz = tz;
}

/* s made safe for a terminal (util_safe_text).  Caller frees. */
static char *
printer_safe(const char *s)
{
	struct buf b = { 0 };

	util_safe_text(&b, s);
	buf_append(&b, "", 0);
	return b.data;
}

/*
 * The text of a cell for tables (local time) and CSV (UTC), in out (its
 * data, reused from cell to cell: a listing prints millions of them).
 */
static const char *
cell_text(const struct table *t, size_t r, size_t c, enum format fmt,
    struct buf *out)
{
	const struct cell *cell = &t->cells[r * t->ncols + c];
	char tbuf[64], *p;

	buf_reset(out);
	if (cell->null) {
		buf_puts(out, fmt == FORMAT_TABLE ? "-" : "");
		return out->data;
	} else if (t->cols[c].type == COL_INT) {
		p = json_format_int(cell->i, tbuf);
		buf_append(out, p, (size_t)(tbuf + 24 - p));
		return out->data;
	} else if (t->cols[c].type == COL_TIME && fmt != FORMAT_TABLE)
		util_format_utc((time_t)cell->i, tbuf, sizeof tbuf);
	else if (t->cols[c].type == COL_TIME)
		util_day((time_t)cell->i, t->tz, tbuf, sizeof tbuf);
	else if (t->cols[c].type == COL_REAL) {
		if (fmt != FORMAT_TABLE)
			buf_printf(out, "%.2f", cell->r);
		else if (t->cols[c].flags & COL_DECIMAL)
			buf_printf(out, "%.1f", cell->r);
		else	/* Whole, and no "-0" for a small negative. */
			buf_printf(out, "%.0f",
			    fabs(cell->r) < 0.5 ? 0.0 : cell->r);
		return out->data;
	} else {
		util_safe_text(out, cell->s);
		return out->data;
	}
	buf_puts(out, tbuf);
	return out->data;
}

/*
 * Times from 1000-01-02 to 9999-12-30 UTC: a day of a year of four digits
 * in any zone (offsets stay within a day).
 */
#define DAY_TEN_LO	((int64_t)-30610137600LL)
#define DAY_TEN_HI	((int64_t)253402214400LL)

/*
 * The display width of a cell in a text table.  A day ("YYYY-MM-DD") is
 * ten columns wide: measuring the widths does not convert every time to
 * its zone only to count ten.
 */
static size_t
cell_width(const struct table *t, size_t r, size_t c, struct buf *text)
{
	const struct cell *cell = &t->cells[r * t->ncols + c];

	if (t->cols[c].type == COL_TIME && !cell->null &&
	    cell->i >= DAY_TEN_LO && cell->i < DAY_TEN_HI)
		return 10;
	return printer_width(cell_text(t, r, c, FORMAT_TABLE, text));
}

/* Appends a CSV field, quoted when it holds a comma, quote or line break. */
static void
csv_field(const char *s, struct buf *line)
{
	const char *q;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(line, s);
		return;
	}
	buf_append(line, "\"", 1);
	while ((q = strchr(s, '"')) != NULL) {
		buf_append(line, s, (size_t)(q - s) + 1);
		buf_append(line, "\"", 1);
		s = q + 1;
	}
	buf_puts(line, s);
	buf_append(line, "\"", 1);
}

/* Writes a line of CSV at once (a listing has a million). */
static void
csv_line_write(struct buf *line, FILE *f)
{
	buf_append(line, "\r\n", 2);
	fwrite(line->data, 1, line->len, f);
	buf_reset(line);
}

/* Writes one row as CSV; text and line are scratch. */
static void
csv_row(const struct table *t, size_t r, FILE *f, struct buf *text,
    struct buf *line)
{
	size_t c;

	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			buf_append(line, ",", 1);
		csv_field(cell_text(t, r, c, FORMAT_CSV, text), line);
	}
	csv_line_write(line, f);
}

/* Writes the header row of CSV. */
static void
csv_header(const struct table *t, FILE *f)
{
	struct buf line = { 0 };
	size_t c;

	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			buf_append(&line, ",", 1);
		csv_field(t->cols[c].name, &line);
	}
	csv_line_write(&line, f);
	buf_free(&line);
}

/* Prints the rows a streaming table holds, with j the state of its JSON. */
static void
table_stream_rows(const struct table *t, struct json *j)
{
	struct buf text = { 0 }, line = { 0 };
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		if (t->stream_fmt == FORMAT_CSV)
			csv_row(t, r, t->stream, &text, &line);
		else
			json_table_row(j, t, r);
	}
	buf_free(&line);
	buf_free(&text);
}

/*
 * A stream's writing thread: batch is the stream's table with cells of
 * its own (the rows being written) and the stream's JSON state; the two
 * cell arrays are swapped whole at each hand-over.
 */
struct table_writer {
	pthread_t	 tid;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct table	 batch;
	bool		 full;		/* batch holds rows to write */
	bool		 done;		/* no batch follows: the thread ends */
	bool		 joined;
	bool		 pipe_blocked;	/* the caller blocks SIGPIPE */
};

static void *
table_writer_main(void *arg)
{
	struct table_writer *w = arg;
	sigset_t pipe;

	/* A closed pipe ends the program, as when the caller wrote. */
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	if (!w->pipe_blocked)
		pthread_sigmask(SIG_UNBLOCK, &pipe, NULL);
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->full && !w->done)
			pthread_cond_wait(&w->cond, &w->lock);
		if (!w->full)
			break;
		pthread_mutex_unlock(&w->lock);
		table_stream_rows(&w->batch, &w->batch.j);
		pthread_mutex_lock(&w->lock);
		w->full = false;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Starts t's writing thread; none when no thread can be had. */
static void
table_writer_start(struct table *t)
{
	struct table_writer *w = xcalloc(1, sizeof *w);
	sigset_t mask;

	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	w->pipe_blocked = sigismember(&mask, SIGPIPE) == 1;
	w->batch = *t;
	w->batch.cells = NULL;
	w->batch.nrows = w->batch.cap = 0;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	if (!util_thread_start(&w->tid, table_writer_main, w)) {
		pthread_cond_destroy(&w->cond);
		pthread_mutex_destroy(&w->lock);
		free(w);
		return;
	}
	t->writer = w;
}

/* Hands t's rows to its writer once it has written the last batch. */
static void
table_writer_hand(struct table *t)
{
	struct table_writer *w = t->writer;
	struct cell *cells;
	size_t cap;

	pthread_mutex_lock(&w->lock);
	while (w->full)
		pthread_cond_wait(&w->cond, &w->lock);
	cells = w->batch.cells;
	cap = w->batch.cap;
	w->batch.cells = t->cells;
	w->batch.cap = t->cap;
	w->batch.nrows = t->nrows;
	t->cells = cells;
	t->cap = cap;
	t->nrows = 0;
	w->full = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Lets the writer write its last batch and end. */
static void
table_writer_finish(struct table_writer *w)
{
	if (w->joined)
		return;
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->tid, NULL);
	w->joined = true;
}

static void
table_writer_free(struct table_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	table_writer_finish(w);
	for (i = 0; i < w->batch.cap * w->batch.ncols; i++)
		free(w->batch.cells[i].s);
	free(w->batch.cells);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void
table_stream(struct table *t, enum format fmt, FILE *f)
{
	if (fmt == FORMAT_TABLE)
		return;
	t->stream = f;
	t->stream_fmt = fmt;
	if (fmt == FORMAT_CSV)
		csv_header(t, f);
	else {
		table_keys(t);
		json_init(&t->j, f);
		json_begin_array(&t->j);
	}
	table_writer_start(t);
}

/* Prints the rows a streaming table holds and forgets them. */
static void
table_flush(struct table *t)
{
	if (t->writer != NULL) {
		table_writer_hand(t);
		return;
	}
	table_stream_rows(t, &t->j);
	/* The rows' strings stay, for table_str to reuse. */
	t->nrows = 0;
}

void
table_row(struct table *t)
{
	struct cell *c;
	size_t i, old;

	if (t->stream != NULL &&
	    (t->writer == NULL || t->nrows == TABLE_BATCH))
		table_flush(t);
	old = t->cap;
	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 64 : t->cap * 2;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols, sizeof *t->cells);
		memset(t->cells + old * t->ncols, 0,
		    (t->cap - old) * t->ncols * sizeof *t->cells);
	}
	for (i = 0; i < t->ncols; i++) {
		c = &t->cells[t->nrows * t->ncols + i];
		c->null = true;
		c->i = 0;
		c->r = 0;
	}
	t->nrows++;
}

void
table_forget_rows(struct table *t)
{
	t->nrows = 0;
}

static struct cell *
cur(struct table *t, size_t col)
{
	return &t->cells[(t->nrows - 1) * t->ncols + col];
}

void
table_null(struct table *t, size_t col)
{
	struct cell *c = cur(t, col);

	free(c->s);
	c->s = NULL;
	c->size = 0;
	c->null = true;
}

/* Copies s into the cell, into the string it holds when that is large enough. */
void
table_str(struct table *t, size_t col, const char *s)
{
	struct cell *c = cur(t, col);
	size_t n;

	if (s == NULL) {
		table_null(t, col);
		return;
	}
	n = strlen(s);
	if (c->size <= n) {
		free(c->s);
		c->size = n + 1;
		c->s = xmalloc(c->size);
	}
	memcpy(c->s, s, n + 1);
	c->null = false;
}

void
table_int(struct table *t, size_t col, int64_t v)
{
	cur(t, col)->i = v;
	cur(t, col)->null = false;
}

void
table_real(struct table *t, size_t col, double v)
{
	cur(t, col)->r = v;
	cur(t, col)->null = isnan(v);
}

void
table_time(struct table *t, size_t col, time_t v)
{
	cur(t, col)->i = v;
	cur(t, col)->null = v == 0;
}

void
table_free(struct table *t)
{
	size_t i;

	table_writer_free(t->writer);
	for (i = 0; i < t->cap * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	free(t->keys);
	free(t->key_at);
	memset(t, 0, sizeof *t);
}

void
printer_text(FILE *f, const char *s)
{
	char *safe = printer_safe(s != NULL ? s : "");

	fputs(safe, f);
	free(safe);
}

/*
 * Columns a code point takes on a terminal: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide and fullwidth ones and
 * emoji, else 1.  The ranges of wcwidth that names and subjects meet,
 * without depending on the locale.
 */
static size_t
printer_cp_width(uint32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x1ab0 && cp <= 0x1aff) ||
	    (cp >= 0x1dc0 && cp <= 0x1dff) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0x20d0 && cp <= 0x20ff) || (cp >= 0xfe00 && cp <= 0xfe0f) ||
	    (cp >= 0xfe20 && cp <= 0xfe2f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0x303e) ||
	    (cp >= 0x3041 && cp <= 0x33ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xa000 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

size_t
printer_width(const char *s)
{
	size_t w = 0, n;
	uint32_t cp;

	while (*s != '\0') {
		/* Printable ASCII, the common case, without decoding. */
		if ((unsigned char)*s < 0x80) {
			w++;
			s++;
			continue;
		}
		n = util_utf8_next(s, &cp);
		if (n == 0) {
			/* Not UTF-8: one column, as U+FFFD will show it. */
			w++;
			s++;
			continue;
		}
		w += printer_cp_width(cp);
		s += n;
	}
	return w;
}

char *
printer_fit(const char *s, size_t width)
{
	const char *p = s;
	size_t w = 0, n, cw;
	uint32_t cp;

	if (printer_width(s) <= width)
		return xstrdup(s);
	if (width == 0)
		return xstrdup("");
	/* Whole characters while they and the ellipsis fit. */
	while (*p != '\0') {
		n = util_utf8_next(p, &cp);
		cw = n == 0 ? 1 : printer_cp_width(cp);
		if (w + cw > width - 1)
			break;
		w += cw;
		p += n == 0 ? 1 : n;
	}
	/* Combining marks stay with the character they belong to. */
	while (*p != '\0' && (n = util_utf8_next(p, &cp)) > 0 &&
	    printer_cp_width(cp) == 0)
		p += n;
	return xasprintf("%.*s\xe2\x80\xa6", (int)(p - s), s);	/* U+2026 */
}

/* Writes a line shortened to PRINTER_WIDTH and forgets it. */
static void
wrap_flush(FILE *f, struct buf *line)
{
	char *cut = printer_fit(line->data, PRINTER_WIDTH);

	fputs(cut, f);
	fputc('\n', f);
	free(cut);
	line->len = 0;
}

void
printer_wrap(FILE *f, const char *s, size_t indent)
{
	struct buf line = { 0 };
	char *safe = printer_safe(s != NULL ? s : ""), *word, *save = NULL;
	size_t used = 0, w;

	for (word = strtok_r(safe, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		w = printer_width(word);
		if (used > indent && used + 1 + w > PRINTER_WIDTH) {
			wrap_flush(f, &line);
			used = 0;
		}
		if (used == 0) {
			buf_printf(&line, "%*s", (int)indent, "");
			used = indent;
		} else {
			buf_append(&line, " ", 1);
			used++;
		}
		buf_append(&line, word, strlen(word));
		used += w;
	}
	if (used > 0)
		wrap_flush(f, &line);
	buf_free(&line);
	free(safe);
}

/* Whether column c shows in the text table t. */
static bool
column_shown(const struct table *t, size_t c)
{
	size_t r;

	if (printer_all)
		return true;
	if (t->cols[c].flags & COL_WIDE)
		return false;
	if ((t->cols[c].flags & COL_SPARSE) == 0)
		return true;
	for (r = 0; r < t->nrows; r++)
		if (!t->cells[r * t->ncols + c].null)
			return true;
	return false;
}

/*
 * Shortens the COL_FIT columns, leftmost first (an account name before
 * the reason after it), down to their title or PRINTER_FIT_MIN, until
 * the shown columns fit PRINTER_WIDTH.
 */
static void
fit_widths(const struct table *t, const bool *shown, size_t *width)
{
	size_t c, total = 0, nshown = 0, floor, cut;

	for (c = 0; c < t->ncols; c++)
		if (shown[c]) {
			total += width[c];
			nshown++;
		}
	total += nshown > 0 ? 2 * (nshown - 1) : 0;
	for (c = 0; c < t->ncols && total > PRINTER_WIDTH; c++) {
		if (!shown[c] || (t->cols[c].flags & COL_FIT) == 0)
			continue;
		floor = printer_width(t->cols[c].title != NULL ?
		    t->cols[c].title : t->cols[c].name);
		if (floor < PRINTER_FIT_MIN)
			floor = PRINTER_FIT_MIN;
		if (width[c] <= floor)
			continue;
		cut = width[c] - floor;
		if (cut > total - PRINTER_WIDTH)
			cut = total - PRINTER_WIDTH;
		width[c] -= cut;
		total -= cut;
	}
}

/* Appends n spaces to line. */
static void
print_pad(struct buf *line, size_t n)
{
	static const char spaces[] = "                                ";
	size_t k;

	for (; n > 0; n -= k) {
		k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
		buf_append(line, spaces, k);
	}
}

/* Appends a cell's text s of display width w in a column width wide. */
static void
print_cell(struct buf *line, const char *s, size_t w, size_t width,
    bool right, bool last)
{
	char *cut = NULL;

	if (w > width) {
		cut = printer_fit(s, width);
		s = cut;
		w = printer_width(cut);
	}
	if (right)
		print_pad(line, width - w);
	buf_puts(line, s);
	if (!right && !last)
		print_pad(line, width - w);
	free(cut);
}

/* Writes t as a text table: columns as wide as their widest cell. */
static void
print_text(const struct table *t, FILE *f)
{
	size_t *width = xcalloc(t->ncols, sizeof *width);
	bool *shown = xcalloc(t->ncols, sizeof *shown);
	struct buf text = { 0 }, line = { 0 };
	size_t r, c, w, last = 0;
	const char *s;

	for (c = 0; c < t->ncols; c++) {
		shown[c] = column_shown(t, c);
		if (shown[c])
			last = c;
		width[c] = printer_width(t->cols[c].title != NULL ?
		    t->cols[c].title : t->cols[c].name);
	}
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			if (!shown[c])
				continue;
			w = cell_width(t, r, c, &text);
			if (w > width[c])
				width[c] = w;
		}
	if (!printer_all)
		fit_widths(t, shown, width);
	for (c = 0; c < t->ncols; c++) {
		const char *h = t->cols[c].title != NULL ? t->cols[c].title :
		    t->cols[c].name;

		if (!shown[c])
			continue;
		if (line.len > 0)
			buf_append(&line, "  ", 2);
		print_cell(&line, h, printer_width(h), width[c], false,
		    c == last);
	}
	/* Each line written at once: a listing can have a million. */
	for (r = 0; r <= t->nrows; r++) {
		buf_append(&line, "\n", 1);
		fwrite(line.data, 1, line.len, f);
		buf_reset(&line);
		for (c = 0; r < t->nrows && c < t->ncols; c++) {
			if (!shown[c])
				continue;
			if (line.len > 0)
				buf_append(&line, "  ", 2);
			s = cell_text(t, r, c, FORMAT_TABLE, &text);
			print_cell(&line, s, printer_width(s), width[c],
			    t->cols[c].type == COL_INT ||
			    t->cols[c].type == COL_REAL, c == last);
		}
	}
	buf_free(&line);
	buf_free(&text);
	free(shown);
	free(width);
}

static void
print_csv(const struct table *t, FILE *f)
{
	struct buf text = { 0 }, line = { 0 };
	size_t r;

	csv_header(t, f);
	for (r = 0; r < t->nrows; r++)
		csv_row(t, r, f, &text, &line);
	buf_free(&line);
	buf_free(&text);
}

void
table_print(const struct table *t, enum format fmt, FILE *f)
{
	struct json j;
	size_t r;

	if (t->stream != NULL) {
		j = t->j;
		if (t->writer != NULL) {
			table_writer_finish(t->writer);
			j = t->writer->batch.j;
		}
		table_stream_rows(t, &j);
		if (t->stream_fmt == FORMAT_JSON) {
			json_end_array(&j);
			json_end(&j);
		}
		return;
	}
	switch (fmt) {
	case FORMAT_TABLE:
		print_text(t, f);
		break;
	case FORMAT_CSV:
		print_csv(t, f);
		break;
	case FORMAT_JSON:
		json_init(&j, f);
		json_begin_array(&j);
		for (r = 0; r < t->nrows; r++)
			json_table_row(&j, t, r);
		json_end_array(&j);
		json_end(&j);
		break;
	}
}

void
json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof *j);
	j->f = f;
}

/* Writes the comma before a value when one precedes it at this depth. */
static void
json_sep(struct json *j)
{
	if (j->need_comma[j->depth])
		fputc_unlocked(',', j->f);
	j->need_comma[j->depth] = true;
}

static void
json_open(struct json *j, char c)
{
	json_sep(j);
	fputc(c, j->f);
	if (j->depth < 31)
		j->depth++;
	j->need_comma[j->depth] = false;
}

void
json_begin_object(struct json *j)
{
	json_open(j, '{');
}

void
json_begin_array(struct json *j)
{
	json_open(j, '[');
}

void
json_end_object(struct json *j)
{
	fputc('}', j->f);
	j->depth--;
}

void
json_end_array(struct json *j)
{
	fputc(']', j->f);
	j->depth--;
}

/*
 * Bytes on their way to a FILE, so that JSON goes out in a few large
 * writes instead of one per token: 223k deals are 50 MB of it.
 */
struct json_out {
	FILE	*f;
	size_t	 n;
	char	 b[4096];
};

static void
json_out_flush(struct json_out *o)
{
	fwrite_unlocked(o->b, 1, o->n, o->f);
	o->n = 0;
}

static void
json_out_put(struct json_out *o, const char *s, size_t n)
{
	if (n > sizeof o->b - o->n) {
		json_out_flush(o);
		if (n > sizeof o->b) {
			fwrite_unlocked(s, 1, n, o->f);
			return;
		}
	}
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static void
json_out_char(struct json_out *o, char c)
{
	if (o->n == sizeof o->b)
		json_out_flush(o);
	o->b[o->n++] = c;
}

/*
 * The bytes a JSON string holds as they are: printable ASCII but the
 * quote and the backslash.  NUL ends the string; the rest is decoded.
 */
static const unsigned char json_plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * Writes s as a JSON string (RFC 8259), runs of plain bytes at once.
 * Control characters (C0, DEL, C1) and U+2028/U+2029 are escaped; a byte
 * that is not part of valid UTF-8 becomes U+FFFD, so the document parses
 * whatever the database holds.
 */
static void
json_escape(struct json_out *o, const char *s)
{
	const char *p = s, *run = s;
	char esc[8];
	uint32_t cp;
	size_t n;

	json_out_char(o, '"');
	for (;;) {
		/* Plain ASCII first, the common case, without decoding. */
		while (json_plain[(unsigned char)*p])
			p++;
		if (*p == '\0')
			break;
		n = util_utf8_next(p, &cp);
		if (n > 0 && cp >= 0x20 && cp != '"' && cp != '\\' &&
		    (cp < 0x7f || cp > 0x9f) && cp != 0x2028 && cp != 0x2029) {
			p += n;
			continue;
		}
		json_out_put(o, run, (size_t)(p - run));
		p += n > 0 ? n : 1;
		run = p;
		if (n == 0) {
			json_out_put(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			continue;
		}
		switch (cp) {
		case '"':
			json_out_put(o, "\\\"", 2);
			break;
		case '\\':
			json_out_put(o, "\\\\", 2);
			break;
		case '\n':
			json_out_put(o, "\\n", 2);
			break;
		case '\r':
			json_out_put(o, "\\r", 2);
			break;
		case '\t':
			json_out_put(o, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
			json_out_put(o, esc, 6);
		}
	}
	json_out_put(o, run, (size_t)(p - run));
	json_out_char(o, '"');
}

/* Writes s as a JSON string to f. */
static void
json_string(FILE *f, const char *s)
{
	struct json_out o;

	o.f = f;
	o.n = 0;
	json_escape(&o, s);
	json_out_flush(&o);
}

/*
 * Each column's key as json_table_row writes it, escaped once for a JSON
 * stream instead of once per row (459k deals at 10M, nine keys each).
 * Without them (a table printed whole, or no memory for the stream),
 * json_table_row escapes each itself.
 */
static void
table_keys(struct table *t)
{
	size_t c, len;
	FILE *m;

	m = open_memstream(&t->keys, &len);
	if (m == NULL)
		return;
	t->key_at = xreallocarray(NULL, t->ncols + 1, sizeof *t->key_at);
	for (c = 0; c < t->ncols; c++) {
		t->key_at[c] = (size_t)ftell(m);
		json_string(m, t->cols[c].name);
		fputc(':', m);
	}
	t->key_at[t->ncols] = (size_t)ftell(m);
	if (fclose(m) != 0 || t->keys == NULL) {
		free(t->keys);
		free(t->key_at);
		t->keys = NULL;
		t->key_at = NULL;
	}
}

/* Formats v in decimal at the end of buf[24]; returns where it starts. */
static char *
json_format_int(int64_t v, char *buf)
{
	char *p = buf + 24;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return p;
}

void
json_key(struct json *j, const char *k)
{
	json_sep(j);
	json_string(j->f, k);
	fputc(':', j->f);
	/* The value that follows takes no comma of its own. */
	j->need_comma[j->depth] = false;
}

/* After a value, the next key or element needs a comma. */
static void
json_value_done(struct json *j)
{
	j->need_comma[j->depth] = true;
}

void
json_str(struct json *j, const char *s)
{
	json_sep(j);
	if (s == NULL)
		fputs("null", j->f);
	else
		json_string(j->f, s);
	json_value_done(j);
}

void
json_int(struct json *j, int64_t v)
{
	char buf[24], *p = json_format_int(v, buf);

	json_sep(j);
	fwrite_unlocked(p, 1, (size_t)(buf + sizeof buf - p), j->f);
	json_value_done(j);
}

void
json_real(struct json *j, double v)
{
	json_sep(j);
	if (isnan(v) || isinf(v))
		fputs("null", j->f);
	else
		fprintf(j->f, "%.1f", v);
	json_value_done(j);
}

void
json_number(struct json *j, double v)
{
	json_sep(j);
	if (isnan(v) || isinf(v))
		fputs("null", j->f);
	else
		fprintf(j->f, "%.15g", v);
	json_value_done(j);
}

void
json_time(struct json *j, time_t t)
{
	char buf[32];

	if (t == 0) {
		json_null(j);
		return;
	}
	util_format_utc(t, buf, sizeof buf);
	json_str(j, buf);
}

void
json_null(struct json *j)
{
	json_sep(j);
	fputs("null", j->f);
	json_value_done(j);
}

void
json_bool(struct json *j, bool b)
{
	json_sep(j);
	fputs(b ? "true" : "false", j->f);
	json_value_done(j);
}

/*
 * As json_begin_object, a key and value per cell and json_end_object
 * would write it, in one write: this is the loop of every large report.
 */
void
json_table_row(struct json *j, const struct table *t, size_t r)
{
	struct json_out o;
	char buf[32], *p;
	size_t c;

	o.f = j->f;
	o.n = 0;
	if (j->need_comma[j->depth])
		json_out_char(&o, ',');
	j->need_comma[j->depth] = true;
	json_out_char(&o, '{');
	for (c = 0; c < t->ncols; c++) {
		const struct cell *cell = &t->cells[r * t->ncols + c];

		if (c > 0)
			json_out_char(&o, ',');
		if (t->keys != NULL)
			json_out_put(&o, t->keys + t->key_at[c],
			    t->key_at[c + 1] - t->key_at[c]);
		else {
			json_escape(&o, t->cols[c].name);
			json_out_char(&o, ':');
		}
		if (cell->null) {
			json_out_put(&o, "null", 4);
			continue;
		}
		switch (t->cols[c].type) {
		case COL_INT:
			p = json_format_int(cell->i, buf);
			json_out_put(&o, p, (size_t)(buf + 24 - p));
			break;
		case COL_REAL:
			if (isnan(cell->r) || isinf(cell->r))
				json_out_put(&o, "null", 4);
			else
				json_out_put(&o, buf, (size_t)snprintf(buf,
				    sizeof buf, "%.1f", cell->r));
			break;
		case COL_TIME:
			if (cell->i == 0) {
				json_out_put(&o, "null", 4);
				break;
			}
			/* Digits, dashes and colons: nothing to escape. */
			util_format_utc((time_t)cell->i, buf + 1,
			    sizeof buf - 2);
			buf[0] = '"';
			json_out_put(&o, buf, strlen(buf));
			json_out_char(&o, '"');
			break;
		default:
			if (cell->s == NULL)
				json_out_put(&o, "null", 4);
			else
				json_escape(&o, cell->s);
		}
	}
	json_out_char(&o, '}');
	json_out_flush(&o);
}

void
json_end(struct json *j)
{
	fputc('\n', j->f);
}
