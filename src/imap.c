/* SPDX-License-Identifier: MIT */
/*
 * The IMAP source driver (libetpan), imap_source_ops: the session kept
 * between polls (its connection is reused while the shared cache keeps
 * it, source_pool, and reopened once when it broke while kept), the
 * driver's own configuration keys, and the table.  The
 * work is done by the other imap-*.c files (imap-int.h lists them).
 *
 * An idle poll costs LOGIN, one STATUS per folder and LOGOUT: the
 * capabilities come from the greeting's and LOGIN's response codes when
 * the server sends them there, and the resolved folder list is kept in
 * the store, so LIST is sent again only after IMAP_RELIST_SECS or when a
 * folder of the list is refused by STATUS.
 */
#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
#include "imap-int.h"
#include "imap-stream.h"
#include "xmalloc.h"

/* The driver's poll: a broken kept connection is reopened once. */
static int
imap_poll(void **state, const struct config *cfg, const struct source *src,
    struct store *st, volatile sig_atomic_t *stop, struct err *err)
{
	struct imap_session	*s = *state;
	bool			 reused;
	int			 r;

	if (s == NULL) {
		s = imap_conn_new(src, err);
		if (s == NULL)
			return -1;
		*state = s;
	}
	imap_conn_arm(s, src, stop);
	reused = s->imap != NULL;
	r = imap_sync_poll(s, cfg, src, st, stop, err);
	if (r != 0 && reused && s->lost && !*stop) {
		imap_log(LOG_LVL_INFO, s, "kept connection broke (%s); "
		    "reconnecting", err->msg);
		err_clear(err);
		r = imap_sync_poll(s, cfg, src, st, stop, err);
	}
	/* Kept between polls, the connection watches no flag of this one. */
	s->stop = NULL;
	s->session_end = 0;
	if (s->imap != NULL)
		imap_stream_arm(s->imap->imap_stream, NULL, 0, 0);
	return r;
}

/* Logs out and frees the session. */
static void
imap_close(void *state)
{
	imap_conn_free(state);
}

/* Whether the session holds a connection (one descriptor). */
static bool
imap_connected(void *state)
{
	const struct imap_session	*s = state;

	return s->imap != NULL;
}

/* The cache closes the connection: LOGOUT; the next poll connects again. */
static void
imap_disconnect(void *state)
{
	imap_conn_close(state, true);
}

/* [imap KEY]'s own keys, besides source_keys. */
static const struct config_key imap_keys[] = {
	CONFIG_KEY("folders", CONFIG_LIST, source, folders),
	CONFIG_KEY_END
};

static const char *const imap_schemes[] = { "imap", "imaps", NULL };

const struct source_ops imap_source_ops = {
	.type = SOURCE_IMAP,
	.section = "imap",
	.schemes = imap_schemes,
	.keys = imap_keys,
	.poll = imap_poll,
	.close = imap_close,
	.connected = imap_connected,
	.disconnect = imap_disconnect,
	.check = imap_doctor_check,
};
