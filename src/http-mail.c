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
 *
 * doctor's check (http_mail_check) goes as far as sending would, greeting,
 * STARTTLS and login, and then says NOOP instead of MAIL FROM.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

/*
 * A handle for one session with the mail server: its URL, time limits,
 * TLS (required STARTTLS on smtp:// unless tls = none), trust, login and
 * stop flag.  Caller frees with curl_easy_cleanup().
 */
static CURL *
http_mail_handle(const struct http_mail *m, char *errbuf, int *sock_errno)
{
	CURL	*c;

	if ((c = curl_easy_init()) == NULL)
		return NULL;
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
	/* A want of descriptors is said so, not as a refused connection. */
	http_watch_sockets(c, sock_errno);
	if (m->stop != NULL) {
		/* Called every second, also while the server is silent. */
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, http_mail_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)m->stop);
	}
	return c;
}

/* The error of a failed session, named by the URL, graded for the caller. */
static int
http_mail_error(CURL *c, const struct http_mail *m, CURLcode rc, long reply,
    char *errbuf, int sock_errno, struct err *err)
{
	enum err_class cls;
	char fdmsg[256];

	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return err_set(err, ERR_TEMP, "%s: stopped: the program is "
		    "stopping", m->url);
	if (http_connect_words(c, rc, m->url, fdmsg, sizeof fdmsg) != NULL)
		return err_set(err, ERR_TEMP, "%s: %s", m->url, fdmsg);
	if (rc == CURLE_OPERATION_TIMEDOUT && reply == 0)
		return err_set(err, ERR_TEMP, "%s: no answer from the server "
		    "within %d s", m->url, m->timeout);
	if (http_fd_trouble((int)rc, sock_errno, fdmsg, sizeof fdmsg) != NULL)
		return err_set(err, ERR_TEMP, "%s: %s", m->url, fdmsg);
	cls = http_curl_class(rc);
	if (cls == ERR_TEMP && reply >= 500)
		cls = ERR_WAIT;
	/* libcurl may quote what the server sent. */
	util_printable(errbuf, errbuf, CURL_ERROR_SIZE);
	return err_set(err, cls, "%s: %s%s%.0ld%s", m->url, errbuf[0] != '\0' ?
	    errbuf : curl_easy_strerror(rc), reply > 0 ? " (reply " : "",
	    reply, reply > 0 ? ")" : "");
}

int
http_mail_send(const struct http_mail *m, const char *msg, long *reply,
    struct err *err)
{
	struct http_mail_upload u = { msg, strlen(msg), 0 };
	struct curl_slist *rcpt = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", addr[300];
	CURLcode rc;
	CURL *c;
	int ret = -1, sock_errno = 0;

	*reply = 0;
	if ((c = http_mail_handle(m, errbuf, &sock_errno)) == NULL)
		return err_set(err, ERR_TEMP, "cannot start libcurl");
	snprintf(addr, sizeof addr, "<%s>", m->from);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	snprintf(addr, sizeof addr, "<%s>", m->to);
	rcpt = curl_slist_append(rcpt, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, http_mail_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);

	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		ret = 0;
	else {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, reply);
		http_mail_error(c, m, rc, *reply, errbuf, sock_errno, err);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return ret;
}

/* libcurl's write callback for the answer to NOOP: not needed. */
static size_t
http_mail_discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
	(void)ptr; (void)arg;
	return size * nmemb;
}

int
http_mail_check(const struct http_mail *m, struct http_mail_info *info,
    struct err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	const char *ip = NULL;
	curl_off_t connected = 0;
	CURLcode rc;
	CURL *c;
	long port = 0, reply = 0;
	bool tls;
	int ret = -1, sock_errno = 0;

	memset(info, 0, sizeof *info);
	if ((c = http_mail_handle(m, errbuf, &sock_errno)) == NULL)
		return err_set(err, ERR_TEMP, "cannot start libcurl");
	/* No MAIL FROM, no RCPT: greeting, EHLO, STARTTLS, AUTH, NOOP, QUIT. */
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_mail_discard);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	if (curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected) ==
	    CURLE_OK && connected > 0 &&
	    curl_easy_getinfo(c, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK &&
	    ip != NULL && *ip != '\0') {
		curl_easy_getinfo(c, CURLINFO_PRIMARY_PORT, &port);
		info->connected = true;
		snprintf(info->server, sizeof info->server, "%s:%ld", ip, port);
	}
	tls = m->starttls || strncasecmp(m->url, "smtps:", 6) == 0;
	if (rc == CURLE_OK) {
		info->tls = tls;
		info->logged_in = m->user != NULL;
		ret = 0;
	} else {
		/* A refused login comes after TLS, which therefore worked. */
		info->tls = tls && (rc == CURLE_LOGIN_DENIED ||
		    rc == CURLE_AUTH_ERROR);
		info->login_refused = rc == CURLE_LOGIN_DENIED ||
		    rc == CURLE_AUTH_ERROR;
		http_mail_error(c, m, rc, reply, errbuf, sock_errno, err);
	}
	curl_easy_cleanup(c);
	return ret;
}
