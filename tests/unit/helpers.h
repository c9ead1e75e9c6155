/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka unit tests. */
#ifndef SC_TEST_HELPERS_H
#define SC_TEST_HELPERS_H

#include <stddef.h>

/* The path of a file under tests/data ($SC_DATA, else the source tree); static buffer. */
const char	*test_data_path(const char *rel);

/* Reads tests/data/REL whole; fails the test if missing.  Caller frees. */
char		*test_read_data(const char *rel, size_t *len);

/* A fresh temporary directory for this test; removed by test_tmpdir_cleanup. */
const char	*test_tmpdir(void);
void		 test_tmpdir_cleanup(void);

#endif
