/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for what an IMAP server sends: any bytes as the whole
 * stream of one connection, read through the agent's transport
 * (imap-stream.c: the same lexer and bounds, before libetpan sees a
 * byte) into the parsers the IMAP driver uses: the greeting
 * (imap_conn_greeting), then the answers to the metadata UID FETCH
 * (imap-fetch.c, whose handler makes a summary and finds the text and
 * calendar parts, as imap-sync.c does), a STATUS and a UID SEARCH
 * (libetpan) and a LIST (imap-list.c), each taking what the input has
 * left, until it ends or an answer leaves the connection unusable (as the
 * agent drops it then).  Results are freed as the driver frees them (libetpan hands
 * them over unevenly on errors), so a double free or leak shows up under
 * ASan.  test-imap replays tests/data/corpus/imap/ through this function
 * in make check.  Seeds: tests/data/corpus/imap/.
 */
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <libetpan/libetpan.h>

#include "imap.h"
#include "imap-fetch.h"
#include "imap-int.h"
#include "imap-list.h"
#include "imap-stream.h"
#include "log.h"
#include "mail.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What fits a socketpair's buffer, written before anything is read. */
#define FUZZ_IMAP_MAX	65536

/* The message handler: a summary and the parts, as imap-sync.c makes them. */
static void
fuzz_imap_message(const struct imap_fetch_msg *att, void *arg)
{
	struct mail_summary	sum;
	struct imap_text_part	text, cal[IMAP_MAX_CALENDARS];
	uint32_t		uid;
	size_t			*n = arg;

	(*n)++;
	(void)imap_summary_text_part(att, &text);
	(void)imap_summary_calendar_parts(att, cal, IMAP_MAX_CALENDARS);
	if (imap_summary(att, &sum, &uid) == 0)
		mail_summary_free(&sum);
}

/* A LIST entry: its name is read once. */
static void
fuzz_imap_entry(const struct imap_list_entry *e, void *arg)
{
	size_t	*n = arg;

	*n += strlen(e->name);
}


/*
 * Whether the connection is still good for another command, as the driver
 * decides (imap_conn_fatal_error): never after the stream failed, and never
 * after an answer libetpan could not parse, which leaves it out of step
 * with the stream (the agent drops the connection then).
 */
static bool
fuzz_imap_alive(mailimap *imap, int r)
{
	return imap_stream_failure(imap->imap_stream, NULL) == IMAP_STREAM_OK &&
	    r != MAILIMAP_ERROR_STREAM && r != MAILIMAP_ERROR_PARSE &&
	    r != MAILIMAP_ERROR_FATAL && r != MAILIMAP_ERROR_MEMORY &&
	    r != MAILIMAP_ERROR_BAD_STATE;
}

/* Reads the commands' answers from the stream, as the driver does. */
static void
fuzz_imap_session(mailimap *imap)
{
	struct mailimap_status_att_list		*sl;
	struct mailimap_mailbox_data_status	*ms = NULL;
	struct mailimap_search_key		*key;
	clist					*res = NULL;
	uint64_t				 modseq = 0;
	uint32_t				 uids[] = { 1, 2, 3 };
	size_t					 n = 0, bad = 0;
	char					 text[256];
	int					 r;

	/* The capabilities, as the driver asks them after each answer. */
	(void)imap_conn_has(imap, "CONDSTORE");
	/* As if EXAMINE had been answered. */
	imap->imap_state = MAILIMAP_STATE_SELECTED;
	r = imap_fetch_run(imap, uids, 3, true, fuzz_imap_message, &n, text,
	    sizeof text);
	if (!fuzz_imap_alive(imap, r))
		return;

	sl = mailimap_status_att_list_new_empty();
	mailimap_status_att_list_add(sl, MAILIMAP_STATUS_ATT_UIDVALIDITY);
	mailimap_status_att_list_add(sl, MAILIMAP_STATUS_ATT_UIDNEXT);
	mailimap_status_att_list_add(sl, MAILIMAP_STATUS_ATT_HIGHESTMODSEQ);
	r = mailimap_status(imap, "INBOX", sl, &ms);
	mailimap_status_att_list_free(sl);
	/* Set on a NO too; NULL on an OK without * STATUS. */
	if (ms != NULL)
		mailimap_mailbox_data_status_free(ms);
	if (!fuzz_imap_alive(imap, r))
		return;
	(void)imap_conn_has(imap, "CONDSTORE");

	key = mailimap_search_key_new_uid(mailimap_set_new_interval(1, 0));
	res = NULL;
	r = mailimap_uid_search_modseq(imap, NULL, key, &res, &modseq);
	mailimap_search_key_free(key);
	if (res != NULL)
		mailimap_search_result_free(res);
	if (!fuzz_imap_alive(imap, r))
		return;

	imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	(void)imap_list_run(imap, "LIST", fuzz_imap_entry, &n, &bad, text,
	    sizeof text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imap_stream_conf	 conf = { 1, 1, IMAP_MAX_RESPONSE };
	mailimap		*imap;
	mailstream		*ms;
	int			 sv[2];

	log_level = LOG_LVL_ERROR;
	if (size > FUZZ_IMAP_MAX)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return 0;
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	/* The end of the input is the server hanging up. */
	shutdown(sv[1], SHUT_WR);
	ms = imap_stream_open_fd(sv[0], &conf);
	imap = mailimap_new(0, NULL);
	if (imap == NULL) {
		mailstream_close(ms);
		close(sv[1]);
		return 0;
	}
	if (imap_conn_greeting(imap, ms) == MAILIMAP_NO_ERROR_NON_AUTHENTICATED ||
	    imap->imap_state == MAILIMAP_STATE_AUTHENTICATED)
		fuzz_imap_session(imap);
	/* As imap_disconnect(): mailimap_free() would send LOGOUT. */
	if (imap->imap_stream != NULL) {
		mailstream_close(imap->imap_stream);
		imap->imap_stream = NULL;
	}
	mailimap_free(imap);
	close(sv[1]);
	return 0;
}
