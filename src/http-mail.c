/* SPDX-License-Identifier: MIT */
/*
 * Mail through the libcurl wrapper (http.h): one message to one
 * recipient over SMTP, for the digest.  It shares with http.c the
 * grading of libcurl's errors and the trust settings (http-int.h).  A
 * handle lives for one message: the digest sends a few a week, so there
 * is no connection worth keeping.
 *
 * Time: the timeout bounds the connection (libcurl counts the greeting,
 * EHLO, STARTTLS and AUTH in it) and each wait for an answer after it;
 * the whole message may take four times it.  A server that is down or
 * swallows the connection fails once, within that time, with one message
 * that says so.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "http-int.h"
#include "util.h"

/* A whole message may take this many times the timeout. */
#define HTTP_MAIL_TOTAL_TIMEOUTS	4

/* The message as libcurl reads it. */
struct http_mail_upload {
	const char	*data;		/* borrowed */
	size_t		 len, off;
};

/* libcurl's read callback: the next piece of the message. */
static size_t
http_mail_read(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct http_mail_upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* libcurl's progress callback, called every second: non-zero aborts. */
static int
http_mail_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	const volatile sig_atomic_t *stop = arg;

	(void)dltotal; (void)dlnow; (void)ultotal; (void)ulnow;
	return *stop ? 1 : 0;
}

int
http_mail_send(const struct http_mail *m, const char *msg, long *reply,
    struct err *err)
{
	struct http_mail_upload u = { msg, strlen(msg), 0 };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", addr[300], fdmsg[256];
	enum err_class cls;
	CURLcode rc;
	CURL *c;
	int ret = -1, sock_errno = 0;

	*reply = 0;
	if ((c = curl_easy_init()) == NULL)
		return err_set(err, ERR_TEMP, "cannot start libcurl");
	curl_easy_setopt(c, CURLOPT_URL, m->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)m->timeout);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)m->timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT,
	    (long)m->timeout * HTTP_MAIL_TOTAL_TIMEOUTS);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)(m->starttls ?
	    CURLUSESSL_ALL : CURLUSESSL_NONE));
	http_curl_trust(c, m->ca_file);
	if (m->user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, m->password != NULL ?
		    m->password : "");
	}
	snprintf(addr, sizeof addr, "<%s>", m->from);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	snprintf(addr, sizeof addr, "<%s>", m->to);
	rcpt = curl_slist_append(rcpt, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, http_mail_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	/* A want of descriptors is said so, not as a refused connection. */
	http_watch_sockets(c, &sock_errno);
	if (m->stop != NULL) {
		/* Called every second, also while the server is silent. */
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_mail_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)m->stop);
	}

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, reply);
	if (rc == CURLE_OK)
		ret = 0;
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		err_set(err, ERR_TEMP, "%s: stopped: the program is stopping",
		    m->url);
	else if (http_connect_words(c, rc, m->url, fdmsg, sizeof fdmsg) !=
	    NULL)
		err_set(err, ERR_TEMP, "%s: %s", m->url, fdmsg);
	else if (rc == CURLE_OPERATION_TIMEDOUT && *reply == 0)
		err_set(err, ERR_TEMP, "%s: no answer from the server within "
		    "%d s", m->url, m->timeout);
	else if (http_fd_trouble((int)rc, sock_errno, fdmsg,
	    sizeof fdmsg) != NULL)
		err_set(err, ERR_TEMP, "%s: %s", m->url, fdmsg);
	else {
		cls = http_curl_class(rc);
		if (cls == ERR_TEMP && *reply >= 500)
			cls = ERR_WAIT;
		/* libcurl may quote what the server sent. */
		util_printable(errbuf, errbuf, sizeof errbuf);
		err_set(err, cls, "%s: %s%s%.0ld%s", m->url, errbuf[0] != '\0' ?
		    errbuf : curl_easy_strerror(rc), *reply > 0 ? " (reply " :
		    "", *reply, *reply > 0 ? ")" : "");
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return ret;
}
