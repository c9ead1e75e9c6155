/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry for mail_parse: any bytes as one RFC 5322 message, and
 * the same bytes as the header fields an IMAP server returns
 * (mail_apply_header).  Each string of a summary is read once, so that a
 * field left pointing into freed or unterminated memory shows up under
 * ASan.  Warnings are not printed.  Seeds: tests/data/mail/.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "log.h"
#include "mail.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Sums the lengths of a string list's elements. */
static size_t
fuzz_mail_strlist(const struct strlist *l)
{
	size_t i, sum = 0;

	for (i = 0; i < l->n; i++)
		sum += strlen(l->v[i]);
	return sum;
}

/* Sums the lengths of an address list's names and addresses. */
static size_t
fuzz_mail_addrs(const struct mail_addr_list *l)
{
	size_t i, sum = 0;

	for (i = 0; i < l->n; i++)
		sum += strlen(l->v[i].addr) +
		    (l->v[i].name != NULL ? strlen(l->v[i].name) : 0);
	return sum;
}

/* Reads every string of a summary once and frees it. */
static void
fuzz_mail_read(struct mail_summary *sp)
{
	struct mail_summary	s = *sp;
	volatile size_t		sum;

	sum = strlen(s.subject) +
	    (s.message_id != NULL ? strlen(s.message_id) : 0) +
	    (s.in_reply_to != NULL ? strlen(s.in_reply_to) : 0) +
	    fuzz_mail_addrs(&s.from) + fuzz_mail_addrs(&s.to) +
	    fuzz_mail_addrs(&s.cc) + fuzz_mail_strlist(&s.attachments) +
	    fuzz_mail_strlist(&s.references) +
	    fuzz_mail_strlist(&s.hashtags) +
	    fuzz_mail_strlist(&s.calendar_parts) +
	    fuzz_mail_strlist(&s.calendar_sections);
	(void)sum;
	mail_summary_free(sp);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mail_summary	s;
	struct err		err;

	log_level = LOG_LVL_ERROR;
	memset(&s, 0, sizeof s);
	mail_apply_header(&s, (const char *)data, size);
	fuzz_mail_read(&s);
	if (mail_parse((const char *)data, size, &s, &err) == 0)
		fuzz_mail_read(&s);
	return 0;
}
