/* SPDX-License-Identifier: MIT */
/* struct err helpers (err.h). */
#include <stdarg.h>
#include <stdio.h>

#include "err.h"

int
err_set(struct err *err, enum err_class cls, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->cls = cls;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_clear(struct err *err)
{
	err->cls = ERR_NONE;
	err->msg[0] = '\0';
}
