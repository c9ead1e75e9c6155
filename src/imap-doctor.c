/* SPDX-License-Identifier: MIT */
/*
 * The IMAP driver's check for `salescycle doctor`: what the host name
 * resolves to (so that a DNS failure is told from a refused connection),
 * then the same connection and discovery as a poll (imap-conn.c,
 * imap-folders.c), each step a finding, and the message counts of the
 * folders by STATUS.  No EXAMINE and no store: nothing is read beyond
 * the counts.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "imap"
#include "imap-int.h"
#include "xmalloc.h"

/*
 * Reports what the URL's host name resolves to, so that a DNS failure is
 * told from a refused connection.  False when it does not resolve.
 */
static bool
imap_doctor_dns(struct imap_session *s)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	unsigned char	 bin[sizeof(struct in6_addr)];
	char		 addr[INET6_ADDRSTRLEN], list[256];
	const void	*a;
	size_t		 n = 0, len;
	int		 r;

	if (inet_pton(AF_INET, s->url.host, bin) == 1 ||
	    inet_pton(AF_INET6, s->url.host, bin) == 1)
		return true;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(s->url.host, NULL, &hints, &res);
	if (r != 0) {
		source_note(&s->rep, false, "DNS: cannot resolve %s: %s; check "
		    "the host name in url =", s->url.host, gai_strerror(r));
		return false;
	}
	list[0] = '\0';
	for (ai = res; ai != NULL && n < 4; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET)
			a = &((const struct sockaddr_in *)(const void *)
			    ai->ai_addr)->sin_addr;
		else if (ai->ai_family == AF_INET6)
			a = &((const struct sockaddr_in6 *)(const void *)
			    ai->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(ai->ai_family, a, addr, sizeof addr) == NULL ||
		    strstr(list, addr) != NULL)
			continue;
		len = strlen(list);
		snprintf(list + len, sizeof list - len, "%s%s", n > 0 ? ", " :
		    "", addr);
		n++;
	}
	freeaddrinfo(res);
	source_note(&s->rep, true, "DNS: %s is %s", s->url.host, list);
	return true;
}

/*
 * The driver's check (salescycle doctor): DNS, connection, TLS, login,
 * folders and their message counts by STATUS, each step reported.  No
 * EXAMINE, no store: nothing is read beyond the counts.
 */
int
imap_doctor_check(const struct config *cfg, const struct source *src,
    source_say_fn say, void *arg, struct err *err)
{
	struct source_report	 rep = { say, arg, 0 };
	struct imap_session	*s;
	uint32_t		 validity, uidnext, messages;
	uint64_t		 modseq;
	size_t			 i;
	char			*shown;
	int			 rc;

	(void)cfg;
	s = imap_conn_new(src, err);
	if (s == NULL) {
		source_note(&rep, false, "%s", err->msg);
		return source_report_end(&rep, err);
	}
	s->rep = rep;
	imap_conn_arm(s, src, NULL);
	if (!imap_doctor_dns(s) || imap_conn_open(s, src, err) != 0 ||
	    imap_folders_list(s, src, err) != 0)
		goto out;
	for (i = 0; i < s->folders.n && s->imap != NULL; i++) {
		shown = imap_url_mailbox_shown(s->folders.v[i]);
		if (imap_sync_status(s, s->folders.v[i], shown, &validity,
		    &uidnext, &messages, &modseq, err) != 0)
			source_note(&s->rep, false, "%s", err->msg);
		else
			source_note(&s->rep, true,
			    "%s%s: %u message%s (UIDVALIDITY %u, "
			    "UIDNEXT %u)", shown, (long)i == s->sent ?
			    " (\\Sent)" : "", messages, messages == 1 ? "" :
			    "s", validity, uidnext);
		free(shown);
	}
out:
	rc = source_report_end(&s->rep, err);
	imap_conn_free(s);
	return rc;
}
