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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "printer.h"
#include "util.h"
#include "xmalloc.h"

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

void
table_row(struct table *t)
{
	size_t i;

	if (t->nrows == t->cap) {
		t->cap = t->cap == 0 ? 64 : t->cap * 2;
		t->cells = xreallocarray(t->cells, t->cap * t->ncols, sizeof *t->cells);
	}
	for (i = 0; i < t->ncols; i++) {
		memset(&t->cells[t->nrows * t->ncols + i], 0, sizeof *t->cells);
		t->cells[t->nrows * t->ncols + i].null = true;
	}
	t->nrows++;
}

static struct cell *
cur(struct table *t, size_t col)
{
	return &t->cells[(t->nrows - 1) * t->ncols + col];
}

void
table_str(struct table *t, size_t col, const char *s)
{
	struct cell *c = cur(t, col);

	free(c->s);
	c->s = xstrdup(s);
	c->null = s == NULL;
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
table_null(struct table *t, size_t col)
{
	struct cell *c = cur(t, col);

	free(c->s);
	c->s = NULL;
	c->null = true;
}

void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i].s);
	free(t->cells);
	memset(t, 0, sizeof *t);
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

void
printer_text(FILE *f, const char *s)
{
	char *safe = printer_safe(s != NULL ? s : "");

	fputs(safe, f);
	free(safe);
}

/* The text of a cell for tables (local time) and CSV (UTC); caller frees. */
static char *
cell_text(const struct table *t, size_t r, size_t c, enum format fmt)
{
	const struct cell *cell = &t->cells[r * t->ncols + c];
	char tbuf[64], day[11];
	struct tm tm;
	time_t tt;

	if (cell->null)
		return xstrdup(fmt == FORMAT_TABLE ? "-" : "");
	switch (t->cols[c].type) {
	case COL_INT:
		return xasprintf("%lld", (long long)cell->i);
	case COL_REAL:
		return xasprintf("%.2f", cell->r);
	case COL_TIME:
		tt = (time_t)cell->i;
		if (fmt != FORMAT_TABLE) {
			util_format_utc(tt, tbuf, sizeof tbuf);
			return xstrdup(tbuf);
		}
		util_day(tt, t->tz, day, sizeof day);
		(void)tm;
		return xstrdup(day);
	default:
		return printer_safe(cell->s);
	}
}

/* Display width of UTF-8 text: continuation bytes take no column. */
static size_t
text_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void
print_text(const struct table *t, FILE *f)
{
	size_t *width = xcalloc(t->ncols, sizeof *width);
	size_t r, c, w;
	char *s;

	for (c = 0; c < t->ncols; c++)
		width[c] = text_width(t->cols[c].title != NULL ?
		    t->cols[c].title : t->cols[c].name);
	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols; c++) {
			s = cell_text(t, r, c, FORMAT_TABLE);
			w = text_width(s);
			if (w > width[c])
				width[c] = w;
			free(s);
		}
	for (c = 0; c < t->ncols; c++) {
		const char *h = t->cols[c].title != NULL ? t->cols[c].title :
		    t->cols[c].name;
		fprintf(f, "%s%s", c > 0 ? "  " : "", h);
		if (c + 1 < t->ncols)
			fprintf(f, "%*s", (int)(width[c] - text_width(h)), "");
	}
	fputc('\n', f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			bool right = t->cols[c].type == COL_INT ||
			    t->cols[c].type == COL_REAL;
			s = cell_text(t, r, c, FORMAT_TABLE);
			w = text_width(s);
			if (c > 0)
				fputs("  ", f);
			if (right)
				fprintf(f, "%*s%s", (int)(width[c] - w), "", s);
			else if (c + 1 < t->ncols)
				fprintf(f, "%s%*s", s, (int)(width[c] - w), "");
			else
				fputs(s, f);
			free(s);
		}
		fputc('\n', f);
	}
	free(width);
}

static void
csv_field(const char *s, FILE *f)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void
print_csv(const struct table *t, FILE *f)
{
	size_t r, c;
	char *s;

	for (c = 0; c < t->ncols; c++) {
		if (c > 0)
			fputc(',', f);
		csv_field(t->cols[c].name, f);
	}
	fputs("\r\n", f);
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			if (c > 0)
				fputc(',', f);
			s = cell_text(t, r, c, FORMAT_CSV);
			csv_field(s, f);
			free(s);
		}
		fputs("\r\n", f);
	}
}

void
table_print(const struct table *t, enum format fmt, FILE *f)
{
	struct json j;
	size_t r;

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
 * Writes s as a JSON string (RFC 8259), runs of plain bytes in one write.
 * Control characters (C0, DEL, C1) and U+2028/U+2029 are escaped; a byte
 * that is not part of valid UTF-8 becomes U+FFFD, so the document parses
 * whatever the database holds.
 */
static void
json_string(FILE *f, const char *s)
{
	const char *p = s, *run = s;
	uint32_t cp;
	size_t n;

	fputc_unlocked('"', f);
	while (*p != '\0') {
		/* Plain ASCII first, the common case, without decoding. */
		if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f &&
		    *p != '"' && *p != '\\') {
			p++;
			continue;
		}
		n = util_utf8_next(p, &cp);
		if (n > 0 && cp >= 0x20 && cp != '"' && cp != '\\' &&
		    (cp < 0x7f || cp > 0x9f) && cp != 0x2028 && cp != 0x2029) {
			p += n;
			continue;
		}
		fwrite_unlocked(run, 1, (size_t)(p - run), f);
		p += n > 0 ? n : 1;
		run = p;
		if (n == 0) {
			fputs("\xef\xbf\xbd", f);	/* U+FFFD */
			continue;
		}
		switch (cp) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			fprintf(f, "\\u%04x", (unsigned)cp);
		}
	}
	fwrite_unlocked(run, 1, (size_t)(p - run), f);
	fputc_unlocked('"', f);
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
	char buf[24], *p = buf + sizeof buf;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	json_sep(j);
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
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

void
json_table_row(struct json *j, const struct table *t, size_t r)
{
	size_t c;

	json_begin_object(j);
	for (c = 0; c < t->ncols; c++) {
		const struct cell *cell = &t->cells[r * t->ncols + c];

		json_key(j, t->cols[c].name);
		if (cell->null) {
			json_null(j);
			continue;
		}
		switch (t->cols[c].type) {
		case COL_INT:
			json_int(j, cell->i);
			break;
		case COL_REAL:
			json_real(j, cell->r);
			break;
		case COL_TIME:
			json_time(j, (time_t)cell->i);
			break;
		default:
			json_str(j, cell->s);
		}
	}
	json_end_object(j);
}

void
json_end(struct json *j)
{
	fputc('\n', j->f);
}
