/* SPDX-License-Identifier: MIT */
/*
 * A streaming mbox reader: hands one message at a time to a callback, with
 * memory bounded by the largest message (messages above MBOX_MSG_MAX are
 * skipped with a warning).  Messages are split on "From " at the start of
 * a line (mboxo and mboxrd); ">From " lines are un-escaped by one '>'
 * (mboxrd).  CRLF files and a missing final newline are handled.  The
 * reader does not judge message content: mail_parse does.
 */
#ifndef SC_MBOX_H
#define SC_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "err.h"

#define MBOX_MSG_MAX	(64 * 1024 * 1024)

/*
 * Called for each message: msg[0..len) is the message without its From_
 * line and without the empty line that separates it from the next one
 * (valid only during the call, not NUL-terminated); msgno counts messages
 * from 1; offset is the byte offset of the From_ line in the file;
 * from_date is the From_ line's date (UTC, the message's internaldate), 0
 * if it does not parse.  Returns 0 to go on, anything else to stop.
 */
typedef int (*mbox_cb)(const char *msg, size_t len, long msgno, off_t offset,
    time_t from_date, void *arg);

/*
 * Reads the mbox at path and calls cb for each message.  Returns 0 when
 * the file was read to its end, the callback's value when it stopped the
 * reading, or -1 with err (ERR_DATA) when the file cannot be opened or
 * read.  Oversized messages and text before the first From_ line are
 * skipped with a warning naming the file (and the message number).
 */
int	mbox_read(const char *path, mbox_cb cb, void *arg, struct err *err);

/*
 * True when data looks like an mbox (starts with "From ", after a UTF-8
 * byte-order mark if any), not one message.
 */
bool	mbox_is_mbox(const char *data, size_t len);

/*
 * Sets *is_mbox for the file at path by its first bytes.  Returns 0, or -1
 * with err (ERR_DATA) when the file cannot be read.
 */
int	mbox_probe(const char *path, bool *is_mbox, struct err *err);

/* The date of a From_ line ("From sender Tue Mar  3 10:00:00 2026"), 0 if none. */
time_t	mbox_from_date(const char *line, size_t len);

#endif
