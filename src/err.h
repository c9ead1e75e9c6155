/* SPDX-License-Identifier: MIT */
/*
 * Error reporting for fallible calls.  A function that can fail returns int
 * (0 ok, -1 failed) and fills a caller-owned struct err.  The class tells
 * the caller what to do (isync's grading); the message says what happened.
 */
#ifndef SC_ERR_H
#define SC_ERR_H

enum err_class {
	ERR_NONE = 0,
	ERR_TEMP,	/* network trouble: retry at the next poll */
	ERR_WAIT,	/* auth or server refuses: back off exponentially */
	ERR_FINAL,	/* config or unsupported: disabled until SIGHUP */
	ERR_DATA,	/* bad input data: skip the item, go on */
};

struct err {
	enum err_class	cls;
	char		msg[512];
};

/* Sets the class and a printf-style message; returns -1 for "return err_set(...)". */
int	err_set(struct err *, enum err_class, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	err_clear(struct err *);

#endif
