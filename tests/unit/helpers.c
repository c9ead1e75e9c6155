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
#include <unistd.h>

#include "helpers.h"
#include "util.h"

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
