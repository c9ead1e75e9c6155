/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka unit tests. */
#ifndef SC_TEST_HELPERS_H
#define SC_TEST_HELPERS_H

#include <stddef.h>
#include <time.h>

struct config;
struct forecast;
struct salesperson;
struct store;

/* The path of a file under tests/data ($SC_DATA, else the source tree); static buffer. */
const char	*test_data_path(const char *rel);

/* Reads tests/data/REL whole; fails the test if missing.  Caller frees. */
char		*test_read_data(const char *rel, size_t *len);

/*
 * An iTIP fixture of tests/data/itip (Outlook, Google, Apple shapes) with
 * its meeting on the UTC date of day, DTSTAMP stamp, SEQUENCE seq, the
 * salesperson's PARTSTAT partstat and the other guest's other (NULL:
 * ACCEPTED and NEEDS-ACTION; "OTHER/ORGANIZER" also sets the organizer's
 * own, else ACCEPTED).  Caller frees.
 */
char		*test_itip(const char *file, time_t day, time_t stamp, int seq,
		    const char *partstat, const char *other);

/* A fresh temporary directory for this test; removed by test_tmpdir_cleanup. */
const char	*test_tmpdir(void);
void		 test_tmpdir_cleanup(void);

/* Appends a salesperson (name = key, one address, may be NULL) to cfg. */
struct salesperson *test_add_person(struct config *, const char *key,
		    const char *email);

/* The first column of the first row as an integer (-1 if no row). */
long long	 test_query_int(struct store *, const char *sql, const char *arg);

/*
 * True when s is valid UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF), checked independently of the code under test.
 */
int		 test_utf8_valid(const char *s);

/* Asserts that got is NULL when want is, else the string want; frees got. */
void		 test_assert_str(char *got, const char *want);

/* Every row of a query, one "a|b|NULL" line per row; caller frees. */
char		*test_dump(struct store *, const char *sql);

/*
 * A sqlite3_trace_v2 callback (SQLITE_TRACE_STMT) that keeps the SQL of
 * each statement a connection starts in the strlist at arg.
 */
int		 test_trace_sql(unsigned type, void *arg, void *p, void *x);

/* A byte of the database's file, and what it held (test_corrupt_page). */
struct test_byte {
	long	 offset;
	int	 was;
};

/*
 * Makes a page of index name unreadable in the database's file (its page
 * type byte): its root, or with last its last leaf in key order (the
 * highest keys); the write-ahead log is checkpointed first, so that a
 * connection opened afterwards reads the page from the file.
 */
struct test_byte test_corrupt_page(struct store *, const char *name,
		    int last);
/* Writes the byte back. */
void		 test_repair_page(struct store *, struct test_byte);

/* Fails unless two forecasts' sums and open deals are the same, bit for bit. */
void		 test_assert_same_forecast(const struct forecast *,
		    const struct forecast *);

#endif
