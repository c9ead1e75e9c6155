/* SPDX-License-Identifier: MIT */
/*
 * One printer behind every command's output (notmuch's sprinter): a table
 * of typed columns printed as an aligned text table, CSV (RFC 4180) or a
 * JSON array of objects, and a small streaming JSON writer for the shapes
 * that are not flat (funnel, deal).  Times print as ISO 8601 UTC in CSV
 * and JSON, and in the configured zone in tables.
 */
#ifndef SC_PRINTER_H
#define SC_PRINTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

enum format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

int	printer_format_from_name(const char *, enum format *);

enum col_type { COL_STR, COL_INT, COL_REAL, COL_TIME, COL_DAY };

/*
 * How a column shows in a text table, which fits PRINTER_WIDTH columns
 * unless printer_wide(true): CSV and JSON always have every column with
 * its whole value.  A COL_REAL shows as a whole number in tables (days,
 * percentages, money) unless COL_DECIMAL.
 */
#define COL_WIDE	0x01	/* only with --wide */
#define COL_FIT		0x02	/* shortened with an ellipsis when the table is too wide */
#define COL_SPARSE	0x04	/* only when some row has a value */
#define COL_DECIMAL	0x08	/* one decimal */

#define PRINTER_WIDTH	100	/* display columns of a table by default */
#define PRINTER_FIT_MIN	12	/* a COL_FIT column is shortened down to this */

struct column {
	const char	*name;	/* JSON key and CSV header */
	const char	*title;	/* table header; NULL = name */
	enum col_type	 type;
	int		 flags;	/* COL_WIDE, COL_FIT, COL_SPARSE, COL_DECIMAL */
};

/* Whether text tables show every column at full width (--wide). */
void	printer_wide(bool);
/* The display width of UTF-8 text: wide characters 2, combining marks 0. */
size_t	printer_width(const char *);
/*
 * s shortened to at most width display columns, ending in "…" when it
 * was longer, never cutting a character; a copy either way.  Caller frees.
 */
char	*printer_fit(const char *s, size_t width);

struct cell {
	bool		 null;
	char		*s;	/* owned: COL_STR, COL_DAY (a stream keeps it while null) */
	size_t		 size;	/* bytes allocated for s */
	int64_t		 i;	/* COL_INT, COL_TIME */
	double		 r;	/* COL_REAL */
};

/* Streaming JSON, compact, one document per writer. */
struct json {
	FILE	*f;
	int	 depth;
	bool	 need_comma[32];
};

struct table {
	const struct column *cols;	/* borrowed */
	size_t		 ncols;
	struct cell	*cells;		/* owned, nrows * ncols */
	size_t		 nrows;
	size_t		 cap;
	const char	*tz;		/* borrowed: zone for COL_TIME in tables */
	FILE		*stream;	/* borrowed: printing rows as they come */
	enum format	 stream_fmt;
	struct json	 j;		/* of a JSON stream */
	char		*keys;		/* owned: each column's "name": of a JSON stream */
	size_t		*key_at;	/* owned: where each starts in keys, ncols + 1 */
	struct table_writer *writer;	/* owned: a stream's thread; NULL: none */
};

void	table_init(struct table *, const struct column *, size_t ncols, const char *tz);
/*
 * Prints the rows of a table too large to hold (every deal) as they come:
 * after table_stream, CSV and JSON print the rows a batch at a time, on
 * a thread of their own while the next are filled in (one after the
 * other when no thread can be had), and the last at table_print, which
 * must then be given the same format and file; until then nothing else
 * writes to that file.  A text table needs every row for its widths and
 * is held whole as without table_stream.
 */
void	table_stream(struct table *, enum format, FILE *);
/*
 * The rows a stream holds at most: formatting and writing them was half
 * of `transitions --format json` over 2M transitions, which the thread
 * reading the next ones now spends on the database.
 */
#define TABLE_BATCH	256
/* Starts a new row; the setters fill its cells by column index. */
void	table_row(struct table *);
void	table_str(struct table *, size_t col, const char *);	/* NULL -> null */
void	table_int(struct table *, size_t col, int64_t);
void	table_real(struct table *, size_t col, double);
void	table_time(struct table *, size_t col, time_t);		/* 0 -> null */
void	table_null(struct table *, size_t col);
/*
 * Forgets a table's rows, which its caller printed itself (one at a time,
 * json_table_row): their strings stay for table_str to reuse.
 */
void	table_forget_rows(struct table *);
void	table_print(const struct table *, enum format, FILE *);
/* Writes s (NULL: nothing) for a terminal: see util_safe_text. */
void	printer_text(FILE *, const char *);
/*
 * Writes s for a terminal in lines of at most PRINTER_WIDTH columns, each
 * starting with indent spaces, broken at spaces (a word too long for a
 * line is shortened with an ellipsis).
 */
void	printer_wrap(FILE *, const char *s, size_t indent);
void	table_free(struct table *);

void	json_init(struct json *, FILE *);
void	json_begin_object(struct json *);
void	json_end_object(struct json *);
void	json_begin_array(struct json *);
void	json_end_array(struct json *);
void	json_key(struct json *, const char *);
void	json_str(struct json *, const char *);		/* NULL -> null */
void	json_int(struct json *, int64_t);
void	json_real(struct json *, double);		/* one decimal */
void	json_number(struct json *, double);		/* 15 significant digits */
void	json_time(struct json *, time_t);		/* 0 -> null */
void	json_null(struct json *);
void	json_bool(struct json *, bool);
/* Writes the cells of row r of a table as an object. */
void	json_table_row(struct json *, const struct table *, size_t r);
void	json_end(struct json *);	/* final newline */

#endif
