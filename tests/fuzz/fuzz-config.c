/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for config_load: config_load reads a path, so the input
 * is written to a memfd made once per process and read back through
 * /proc/self/fd.  The memfd is mode 0600, as an admin's file with a
 * 'password' key must be, so that the whole file is parsed and checked.
 * Nothing is run: secrets are only stored by config_load.  Seeds:
 * tests/data/conf/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	fuzz_fd = -1;
static char	fuzz_path[64];

/* Makes the private memfd the input goes through, once. */
static void
fuzz_config_open(void)
{
	fuzz_fd = memfd_create("fuzz-config", MFD_CLOEXEC);
	if (fuzz_fd == -1 || fchmod(fuzz_fd, 0600) != 0) {
		perror("fuzz-config: memfd");
		abort();
	}
	snprintf(fuzz_path, sizeof fuzz_path, "/proc/self/fd/%d", fuzz_fd);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	cfg;
	struct err	err;
	size_t		done = 0;
	ssize_t		n;

	log_level = LOG_LVL_ERROR;
	if (fuzz_fd == -1)
		fuzz_config_open();
	if (ftruncate(fuzz_fd, 0) != 0)
		abort();
	while (done < size) {
		n = pwrite(fuzz_fd, data + done, size - done, (off_t)done);
		if (n <= 0)
			abort();
		done += (size_t)n;
	}
	if (config_load(fuzz_path, &cfg, &err) == 0)
		config_free(&cfg);
	return 0;
}
