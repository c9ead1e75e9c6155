/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for the metadata FETCH parser (imap-fetch.c): any bytes
 * as one untagged response, as imap_fetch_run hands it over (its line
 * and literals read whole), parsed in place from a buffer of exactly
 * that size (so that ASan sees a read past it), then made a summary and
 * searched for the text and calendar parts, as imap-sync.c does with
 * each response.  The transport's lexer is not in front here: the
 * parser's own bounds must hold for any input.  test-fetch replays
 * tests/data/corpus/fetch/ through this function in make check.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "imap.h"
#include "imap-fetch.h"
#include "log.h"
#include "mail.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_fetch	 f = { 0 };
	struct imap_fetch_msg	 m;
	struct imap_text_part	 text, cal[IMAP_MAX_CALENDARS];
	struct mail_summary	 sum;
	uint32_t		 uid;
	char			*buf;

	log_level = LOG_LVL_ERROR;
	/* One response: the transport bounds it far above this. */
	if (size > 1 << 20)
		return 0;
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	if (imap_fetch_parse(&f, buf, size, &m) == 1) {
		(void)imap_summary_text_part(&m, &text);
		(void)imap_summary_calendar_parts(&m, cal, IMAP_MAX_CALENDARS);
		if (imap_summary(&m, &sum, &uid) == 0)
			mail_summary_free(&sum);
	}
	imap_fetch_clear(&f);
	free(buf);
	return 0;
}
