/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka unit tests: fixture paths, temp dirs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analysis.h"
#include "config.h"
#include "helpers.h"
#include "store-int.h"
#include "util.h"
#include "xmalloc.h"

#ifndef SC_SRCDIR
#define SC_SRCDIR "."
#endif

static char tmpdir[256];

const char *
test_data_path(const char *rel)
{
	static char path[1024];
	const char *dir = getenv("SC_DATA");

	if (dir == NULL)
		dir = SC_SRCDIR "/tests/data";
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	return path;
}

char *
test_read_data(const char *rel, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;

	if (util_read_file(test_data_path(rel), &buf, &n) != 0)
		fail_msg("cannot read fixture %s", test_data_path(rel));
	if (len != NULL)
		*len = n;
	return buf;
}

/* Replaces every occurrence of name in *s by value. */
static void
test_subst(char **s, const char *name, const char *value)
{
	struct buf b = { 0 };
	const char *p = *s, *at;
	size_t n = strlen(name);

	while ((at = strstr(p, name)) != NULL) {
		buf_append(&b, p, (size_t)(at - p));
		buf_puts(&b, value);
		p = at + n;
	}
	buf_puts(&b, p);
	free(*s);
	*s = b.data;
}

char *
test_itip(const char *file, time_t day, time_t stamp, int seq,
    const char *partstat, const char *other)
{
	char rel[128], d[16], st[32], sq[16], ot[32];
	const char *slash;
	size_t n;
	struct tm tm;
	char *s;

	snprintf(rel, sizeof rel, "itip/%s", file);
	s = test_read_data(rel, NULL);
	strftime(d, sizeof d, "%Y%m%d", gmtime_r(&day, &tm));
	strftime(st, sizeof st, "%Y%m%dT%H%M%SZ", gmtime_r(&stamp, &tm));
	snprintf(sq, sizeof sq, "%d", seq);
	test_subst(&s, "@DAY@", d);
	test_subst(&s, "@STAMP@", st);
	test_subst(&s, "@SEQ@", sq);
	test_subst(&s, "@PARTSTAT@", partstat != NULL ? partstat : "ACCEPTED");
	/* "OTHER/ORGANIZER": the other guest's and the organizer's. */
	if (other == NULL)
		other = "NEEDS-ACTION";
	slash = strchr(other, '/');
	n = slash != NULL ? (size_t)(slash - other) : strlen(other);
	if (n >= sizeof ot)
		n = sizeof ot - 1;
	memcpy(ot, other, n);
	ot[n] = '\0';
	test_subst(&s, "@OTHER@", ot);
	test_subst(&s, "@ORGSTAT@", slash != NULL ? slash + 1 : "ACCEPTED");
	return s;
}

const char *
test_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof tmpdir, "%s/sc-test-XXXXXX",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL)
		fail_msg("mkdtemp failed");
	return tmpdir;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path);
}

void
test_tmpdir_cleanup(void)
{
	if (tmpdir[0] == '\0')
		return;
	nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

struct salesperson *
test_add_person(struct config *cfg, const char *key, const char *email)
{
	struct salesperson *p;

	cfg->people = xreallocarray(cfg->people, cfg->npeople + 1,
	    sizeof *cfg->people);
	p = &cfg->people[cfg->npeople++];
	memset(p, 0, sizeof *p);
	p->key = xstrdup(key);
	p->name = xstrdup(key);
	if (email != NULL)
		strlist_add(&p->email, email);
	return p;
}

long long
test_query_int(struct store *st, const char *sql, const char *arg)
{
	sqlite3_stmt *s;
	long long v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	if (arg != NULL)
		sqlite3_bind_text(s, 1, arg, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

struct test_byte
test_corrupt_page(struct store *st, const char *name, int last)
{
	sqlite3 *db = store_db(st);
	struct test_byte b;
	long long page, size;
	FILE *fp;

	page = test_query_int(st, last ? "SELECT pageno FROM dbstat"
	    " WHERE name = ?1 AND pagetype = 'leaf' ORDER BY path DESC"
	    " LIMIT 1" : "SELECT rootpage FROM sqlite_master WHERE name = ?1",
	    name);
	size = test_query_int(st, "PRAGMA page_size", NULL);
	assert_true(page > 1 && size > 0);
	assert_int_equal(sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)",
	    NULL, NULL, NULL), SQLITE_OK);
	b.offset = (long)((page - 1) * size);
	fp = fopen(sqlite3_db_filename(db, "main"), "r+b");
	assert_non_null(fp);
	assert_int_equal(fseek(fp, b.offset, SEEK_SET), 0);
	b.was = fgetc(fp);
	assert_true(b.was != EOF && b.was != 0xff);
	assert_int_equal(fseek(fp, b.offset, SEEK_SET), 0);
	assert_int_equal(fputc(0xff, fp), 0xff);
	assert_int_equal(fclose(fp), 0);
	return b;
}

void
test_repair_page(struct store *st, struct test_byte b)
{
	FILE *fp = fopen(sqlite3_db_filename(store_db(st), "main"), "r+b");

	assert_non_null(fp);
	assert_int_equal(fseek(fp, b.offset, SEEK_SET), 0);
	assert_int_equal(fputc(b.was, fp), b.was);
	assert_int_equal(fclose(fp), 0);
}

int
test_trace_sql(unsigned type, void *arg, void *p, void *x)
{
	(void)x;
	if (type == SQLITE_TRACE_STMT)
		strlist_add(arg, sqlite3_sql(p));
	return 0;
}

char *
test_dump(struct store *st, const char *sql)
{
	struct buf b = { 0 };
	sqlite3_stmt *s;
	int i;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL),
	    SQLITE_OK);
	buf_puts(&b, "");
	while (sqlite3_step(s) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(s); i++) {
			const char *v = (const char *)sqlite3_column_text(s, i);

			buf_printf(&b, "%s%s", i > 0 ? "|" : "",
			    v != NULL ? v : "NULL");
		}
		buf_puts(&b, "\n");
	}
	sqlite3_finalize(s);
	return b.data;
}

int
test_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	int n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		p += n + 1;
	}
	return 1;
}

void
test_assert_str(char *got, const char *want)
{
	if (want == NULL)
		assert_null(got);
	else {
		assert_non_null(got);
		assert_string_equal(got, want);
	}
	free(got);
}

void
test_assert_same_forecast(const struct forecast *a, const struct forecast *b)
{
	size_t i;

	assert_int_equal(a->open, b->open);
	assert_int_equal(a->closed, b->closed);
	assert_int_equal(a->won, b->won);
	assert_int_equal(a->ndeals, b->ndeals);
	for (i = 0; i < a->ndeals; i++) {
		assert_string_equal(a->deals[i].account, b->deals[i].account);
		assert_int_equal(a->deals[i].history, b->deals[i].history);
		assert_true(a->deals[i].p_won == b->deals[i].p_won);
		assert_int_equal(a->deals[i].expected_close,
		    b->deals[i].expected_close);
	}
	assert_int_equal(a->new_deals.deals, b->new_deals.deals);
	assert_int_equal(a->growth.deals, b->growth.deals);
	assert_true(a->new_deals.unopened == b->new_deals.unopened);
	assert_true(a->new_deals.expected == b->new_deals.expected);
	assert_true(a->growth.expected == b->growth.expected);
	assert_true(a->total.expected == b->total.expected);
	assert_true(a->total.low == b->total.low);
	assert_true(a->total.high == b->total.high);
	assert_true(a->total.low80 == b->total.low80);
	assert_true(a->total.high80 == b->total.high80);
}
