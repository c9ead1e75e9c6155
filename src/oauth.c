/* SPDX-License-Identifier: MIT */
/*
 * OAuth 2.0 for the sources (oauth.h).
 *
 * Settings: provider = presets per provider and source type (the table
 * below; a Microsoft Graph driver adds its row), oauth_* keys override.
 * The flows: the device authorization grant of RFC 8628 for a
 * salesperson who signs in once (`salescycle login`), after which the
 * refresh token (RFC 6749 section 6) gets access tokens; the client
 * credentials grant (section 4.4) for Microsoft 365 application
 * permissions; the JWT bearer grant of RFC 7523 for a Google service
 * account with domain-wide delegation, the assertion signed RS256
 * (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 section 3.3) by GnuTLS.
 *
 * The token endpoint is reached through http.c like every other HTTP
 * server: the same size caps (OAUTH_MAX_RESPONSE here), timeout and
 * trust, no redirect followed (a secret is in the body).  Answers are
 * JSON, parsed with jansson and checked field by field; jansson allocates
 * through functions that wipe what they free, since its strings hold
 * tokens.
 *
 * Refresh tokens live in one file per source beside the database, mode
 * 0600, replaced atomically (temporary file, fsync, rename).  A refresh
 * holds an OFD lock on the file, re-reads it under the lock and writes
 * a rotated token before letting go, so that the agent and `salescycle
 * doctor` (another process) never both spend the same refresh token.
 * Access tokens stay in memory only, per source, until shortly before
 * they expire.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <jansson.h>

#define LOG_TAG "oauth"
#include "hashset.h"
#include "http.h"
#include "log.h"
#include "oauth.h"
#include "secret.h"
#include "util.h"
#include "xmalloc.h"

/* An access token is renewed this long before it expires (at most). */
#define OAUTH_EARLY_SECS	60
/* Lifetime assumed when the server gives no expires_in (RFC 6749 5.1). */
#define OAUTH_DEFAULT_LIFETIME	3600
/* Longest lifetime believed: a day. */
#define OAUTH_MAX_LIFETIME	86400
/* Device grant: RFC 8628 3.2's default interval, our bounds. */
#define OAUTH_DEVICE_INTERVAL	5
#define OAUTH_DEVICE_MAX_INTERVAL 60
#define OAUTH_DEVICE_MAX_WAIT	1800
/* Lifetime of a JWT assertion (Google accepts at most an hour). */
#define OAUTH_JWT_LIFETIME	3600
/* Printable texts from a server, in bytes. */
#define OAUTH_MAX_TEXT		300
#define OAUTH_MAX_URI		2048
#define OAUTH_MAX_USER_CODE	64

static const char *const oauth_flows[] = {
	[OAUTH_NONE] = "none",
	[OAUTH_DEVICE] = "device",
	[OAUTH_CLIENT_CREDENTIALS] = "client_credentials",
	[OAUTH_SERVICE_ACCOUNT] = "service_account",
};

/*
 * The presets of provider = per source section: the url, the mechanism,
 * the flow and the scopes a salesperson's sign-in (user) or the
 * company's grant (app) asks for.  Google's device flow does not grant
 * the mail or calendar scopes (Google keeps a short list for it), so
 * Google's default is the service account.
 */
static const struct oauth_preset {
	const char	*provider;
	const char	*section;
	const char	*url;		/* "%s": the user */
	const char	*auth;
	enum oauth_flow	 flow;
	const char	*scope_user;
	const char	*scope_app;
} oauth_presets[] = {
	{ "microsoft365", "imap", "imaps://outlook.office365.com",
	    "xoauth2", OAUTH_DEVICE,
	    "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
	    "https://outlook.office365.com/.default" },
	/* /users/ADDRESS serves a signed-in user and the app's grant alike. */
	{ "microsoft365", "graph", "https://graph.microsoft.com/v1.0/users/%s",
	    "bearer", OAUTH_DEVICE,
	    "https://graph.microsoft.com/Calendars.Read offline_access",
	    "https://graph.microsoft.com/.default" },
	{ "google", "imap", "imaps://imap.gmail.com", "xoauth2",
	    OAUTH_SERVICE_ACCOUNT, "https://mail.google.com/",
	    "https://mail.google.com/" },
	{ "google", "caldav",
	    "https://apidata.googleusercontent.com/caldav/v2/%s/user", "bearer",
	    OAUTH_SERVICE_ACCOUNT,
	    "https://www.googleapis.com/auth/calendar.readonly",
	    "https://www.googleapis.com/auth/calendar.readonly" },
};

/* The endpoints of a provider; "%s": the tenant. */
static const struct {
	const char	*provider;
	const char	*device_url;
	const char	*token_url;
} oauth_endpoints[] = {
	{ "microsoft365",
	    "https://login.microsoftonline.com/%s/oauth2/v2.0/devicecode",
	    "https://login.microsoftonline.com/%s/oauth2/v2.0/token" },
	{ "google", "https://oauth2.googleapis.com/device/code",
	    "https://oauth2.googleapis.com/token" },
};

/* A source's client: its settings (copies) and its cached token. */
struct oauth_client {
	struct oauth_client *next;
	char		*key;		/* owned: what it was made for */
	char		*name;		/* owned: "imap:anna" */
	enum oauth_flow	 flow;
	char		*device_url;	/* owned, the rest too */
	char		*token_url;
	char		*client_id;
	struct secret	 secret;
	char		*scope;
	char		*key_file;
	char		*cert_file;
	char		*user;
	char		*token_file;
	char		*ca_file;
	int		 timeout;
	pthread_mutex_t	 lock;		/* one token request at a time */
	char		*access;	/* owned, wiped: the cached token */
	int64_t		 renew_ms;	/* monotonic: renew from then on */
	time_t		 expires;	/* wall clock, for doctor */
	uint64_t	 dead;		/* hash of a refresh token refused; 0 none */
	char		*dead_msg;	/* owned: what was said about it */
};

static pthread_mutex_t oauth_clients_lock = PTHREAD_MUTEX_INITIALIZER;
static struct oauth_client *oauth_clients;	/* live until exit */
static pthread_once_t oauth_json_once = PTHREAD_ONCE_INIT;

/* jansson's allocations carry their size, so that they can be wiped. */
static void *
oauth_json_malloc(size_t n)
{
	size_t	*p;

	if (n > SIZE_MAX - sizeof(max_align_t))
		return NULL;
	p = malloc(n + sizeof(max_align_t));
	if (p == NULL)
		return NULL;
	*p = n;
	return (char *)p + sizeof(max_align_t);
}

/* Wipes and frees what oauth_json_malloc gave. */
static void
oauth_json_free(void *v)
{
	size_t	*p;

	if (v == NULL)
		return;
	p = (size_t *)(void *)((char *)v - sizeof(max_align_t));
	explicit_bzero(v, *p);
	free(p);
}

static void
oauth_json_setup(void)
{
	json_set_alloc_funcs(oauth_json_malloc, oauth_json_free);
}

/* Before any use of jansson: its allocator wipes. */
static void
oauth_json_init(void)
{
	pthread_once(&oauth_json_once, oauth_json_setup);
}

void
oauth_free_token(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

const char *
oauth_flow_name(enum oauth_flow f)
{
	return f <= OAUTH_SERVICE_ACCOUNT ? oauth_flows[f] : "?";
}

char *
oauth_base64(const void *data, size_t len, bool url)
{
	static const char std[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char web[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char		*a = url ? web : std;
	const unsigned char	*p = data;
	char			*out, *o;
	size_t			 i;
	uint32_t		 v;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		fatal("out of memory");
	out = o = xmalloc((len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		*o++ = a[(v >> 6) & 63];
		*o++ = a[v & 63];
	}
	if (i < len) {
		v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 :
		    0);
		*o++ = a[v >> 18];
		*o++ = a[(v >> 12) & 63];
		if (i + 1 < len)
			*o++ = a[(v >> 6) & 63];
		else if (!url)
			*o++ = '=';
		if (!url)
			*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* A token as RFC 6749 appendix A has them, bounded: visible ASCII. */
static bool
oauth_token_ok(const char *s)
{
	size_t	n;

	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return false;
	return n > 0 && n <= OAUTH_MAX_TOKEN;
}

/* A copy of a server's text, printable and at most max bytes. */
static char *
oauth_text(const char *s, size_t max)
{
	char	*out = xmalloc(max + 1);

	return util_printable(s, out, max + 1);
}

/* An http(s) URL without anything a terminal or a log would obey. */
static bool
oauth_uri_ok(const char *s)
{
	size_t	n;

	if (strncasecmp(s, "https://", 8) != 0 &&
	    strncasecmp(s, "http://", 7) != 0)
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if ((unsigned char)s[n] < 0x21 || (unsigned char)s[n] > 0x7e)
			return false;
	return n <= OAUTH_MAX_URI;
}

/* A number of seconds: a JSON integer, or a string of digits. */
static int
oauth_json_seconds(json_t *v, long long *out)
{
	const char	*s;
	char		*ep;
	long long	 n;

	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		if (!isdigit((unsigned char)*s))
			return -1;
		errno = 0;
		n = strtoll(s, &ep, 10);
		if (errno != 0 || *ep != '\0')
			return -1;
	} else
		return -1;
	if (n < 0)
		return -1;
	*out = n;
	return 0;
}

/* An empty reply, ready for oauth_reply_parse and oauth_reply_clear. */
static void
oauth_reply_init(struct oauth_reply *r)
{
	memset(r, 0, sizeof *r);
	r->expires_in = r->interval = -1;
}

void
oauth_reply_clear(struct oauth_reply *r)
{
	oauth_free_token(r->access_token);
	oauth_free_token(r->refresh_token);
	oauth_free_token(r->device_code);
	free(r->token_type);
	free(r->error);
	free(r->error_description);
	free(r->user_code);
	free(r->verification_uri);
	free(r->verification_uri_complete);
	oauth_reply_init(r);
}

int
oauth_reply_parse(const char *body, size_t len, struct oauth_reply *r,
    struct err *err)
{
	static const struct {
		const char	*name;
		size_t		 off;
		enum { F_TOKEN, F_TEXT, F_URI, F_CODE, F_SECONDS } kind;
	} fields[] = {
		{ "access_token", offsetof(struct oauth_reply, access_token),
		    F_TOKEN },
		{ "refresh_token", offsetof(struct oauth_reply, refresh_token),
		    F_TOKEN },
		{ "device_code", offsetof(struct oauth_reply, device_code),
		    F_TOKEN },
		{ "token_type", offsetof(struct oauth_reply, token_type),
		    F_TEXT },
		{ "error", offsetof(struct oauth_reply, error), F_TEXT },
		{ "error_description", offsetof(struct oauth_reply,
		    error_description), F_TEXT },
		{ "user_code", offsetof(struct oauth_reply, user_code), F_CODE },
		{ "verification_uri", offsetof(struct oauth_reply,
		    verification_uri), F_URI },
		/* Google's name of it. */
		{ "verification_url", offsetof(struct oauth_reply,
		    verification_uri), F_URI },
		{ "verification_uri_complete", offsetof(struct oauth_reply,
		    verification_uri_complete), F_URI },
		{ "expires_in", offsetof(struct oauth_reply, expires_in),
		    F_SECONDS },
		{ "interval", offsetof(struct oauth_reply, interval),
		    F_SECONDS },
	};
	json_error_t	 jerr;
	json_t		*root, *v;
	const char	*s;
	char		**str;
	size_t		 i;
	int		 rc = -1;

	oauth_json_init();
	oauth_reply_init(r);
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(err, ERR_WAIT, "not JSON (line %d, column %d)",
		    jerr.line, jerr.column);
	if (!json_is_object(root)) {
		err_set(err, ERR_WAIT, "not a JSON object");
		goto out;
	}
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		v = json_object_get(root, fields[i].name);
		if (v == NULL || json_is_null(v))
			continue;
		if (fields[i].kind == F_SECONDS) {
			if (oauth_json_seconds(v, (long long *)(void *)((char *)r +
			    fields[i].off)) != 0) {
				err_set(err, ERR_WAIT, "%s is not a number of "
				    "seconds", fields[i].name);
				goto out;
			}
			continue;
		}
		if (!json_is_string(v) || json_string_length(v) !=
		    strlen(json_string_value(v))) {
			err_set(err, ERR_WAIT, "%s is not a string",
			    fields[i].name);
			goto out;
		}
		s = json_string_value(v);
		str = (char **)(void *)((char *)r + fields[i].off);
		if (*str != NULL) {
			err_set(err, ERR_WAIT, "%s given twice", fields[i].name);
			goto out;
		}
		switch (fields[i].kind) {
		case F_TOKEN:
			if (!oauth_token_ok(s)) {
				err_set(err, ERR_WAIT, "%s is not a token (1 to "
				    "%d visible ASCII characters)",
				    fields[i].name, OAUTH_MAX_TOKEN);
				goto out;
			}
			*str = xstrdup(s);
			break;
		case F_URI:
			if (!oauth_uri_ok(s)) {
				err_set(err, ERR_WAIT, "%s is not an http(s) "
				    "URL", fields[i].name);
				goto out;
			}
			*str = xstrdup(s);
			break;
		case F_CODE:
			if (strlen(s) > OAUTH_MAX_USER_CODE || *s == '\0') {
				err_set(err, ERR_WAIT, "%s is empty or longer "
				    "than %d bytes", fields[i].name,
				    OAUTH_MAX_USER_CODE);
				goto out;
			}
			*str = oauth_text(s, OAUTH_MAX_USER_CODE);
			break;
		default:
			*str = oauth_text(s, OAUTH_MAX_TEXT);
			break;
		}
	}
	rc = 0;
out:
	json_decref(root);
	if (rc != 0)
		oauth_reply_clear(r);
	return rc;
}

/* Appends key=value, form-encoded (application/x-www-form-urlencoded). */
static void
oauth_form_add(char *out, size_t cap, size_t *len, const char *key,
    const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t	 n = *len;

	if (n > 0 && n < cap)
		out[n++] = '&';
	for (p = (const unsigned char *)key; *p != '\0' && n < cap; p++)
		out[n++] = (char)*p;
	if (n < cap)
		out[n++] = '=';
	for (p = (const unsigned char *)value; *p != '\0' && n + 3 < cap; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~')
			out[n++] = (char)*p;
		else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n < cap ? n : cap - 1] = '\0';
	*len = n;
}

/* Room for a form of these pairs (NULL values are left out). */
static size_t
oauth_form_size(const char *const *kv, size_t n)
{
	size_t	i, sz = 1;

	for (i = 0; i + 1 < n; i += 2)
		if (kv[i + 1] != NULL)
			sz += strlen(kv[i]) + 2 + 3 * strlen(kv[i + 1]);
	return sz;
}

/* A form of key, value pairs; NULL values are left out.  Caller wipes. */
static char *
oauth_form(const char *const *kv, size_t n)
{
	size_t	 cap = oauth_form_size(kv, n), len = 0, i;
	char	*out = xmalloc(cap);

	out[0] = '\0';
	for (i = 0; i + 1 < n; i += 2)
		if (kv[i + 1] != NULL)
			oauth_form_add(out, cap, &len, kv[i], kv[i + 1]);
	return out;
}

/* Collects a token endpoint's answer, within OAUTH_MAX_RESPONSE. */
struct oauth_body {
	char	*data;		/* owned, wiped: OAUTH_MAX_RESPONSE + 1 */
	size_t	 len;
};

static int
oauth_body_cb(const char *data, size_t len, void *arg, struct err *err)
{
	struct oauth_body	*b = arg;

	if (len > OAUTH_MAX_RESPONSE - b->len)
		return err_set(err, ERR_TEMP, "answer larger than %u KiB; "
		    "refused", OAUTH_MAX_RESPONSE >> 10);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

/* The host of a URL, for messages. */
static void
oauth_host(const char *url, char *out, size_t len)
{
	const char	*p = strstr(url, "://");
	size_t		 n;

	p = p != NULL ? p + 3 : url;
	n = strcspn(p, "/?#");
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
}

/*
 * POSTs a form to an endpoint of c and parses the JSON answer into r
 * (whatever its status, which goes to *status): a 2xx body through the
 * callback, an error's from the start http.c keeps of it (RFC 6749 5.2
 * errors are small).  No redirect is followed: the form holds secrets.
 * -1 with err when there is no answer or it is no JSON object.
 */
static int
oauth_post(struct oauth_client *c, const char *url, const char *form,
    volatile sig_atomic_t *stop, struct oauth_reply *r, long *status,
    struct err *err)
{
	struct http_opts	 o;
	struct http_request	 req;
	struct http_response	 resp;
	struct oauth_body	 b;
	struct http		*h;
	struct err		 e;
	char			 host[256];
	int			 rc = -1;

	oauth_host(url, host, sizeof host);
	memset(&o, 0, sizeof o);
	o.max_body = OAUTH_MAX_RESPONSE;
	o.ca_file = c->ca_file;
	o.timeout = c->timeout;
	h = http_new(&o, c->name);
	http_set_stop(h, stop);
	b.data = xmalloc(OAUTH_MAX_RESPONSE + 1);
	b.len = 0;
	b.data[0] = '\0';
	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	req.method = "POST";
	req.url = url;
	req.body = form;
	req.content_type = "application/x-www-form-urlencoded";
	req.no_redirect = true;
	req.cb = oauth_body_cb;
	req.arg = &b;
	*status = 0;
	if (http_request(h, &req, &resp, err) != 0)
		goto out;
	*status = resp.status;
	if (resp.status >= 300 && resp.status < 400) {
		err_set(err, ERR_WAIT, "token endpoint %s redirects (%ld); not "
		    "followed: give its final URL", host, resp.status);
		goto out;
	}
	if (resp.status / 100 != 2) {
		b.len = strlen(resp.error_body);
		memcpy(b.data, resp.error_body, b.len + 1);
	}
	if (oauth_reply_parse(b.data, b.len, r, &e) != 0) {
		if (resp.status == 429 || resp.status >= 500)
			http_status_error(&resp, host, err);
		else
			err_set(err, ERR_WAIT, "token endpoint %s: status %ld, "
			    "answer unusable: %s", host, resp.status, e.msg);
		goto out;
	}
	rc = 0;
out:
	http_response_free(&resp);
	explicit_bzero(b.data, b.len);
	free(b.data);
	http_free(h);
	return rc;
}

/* "invalid_grant: the description", for messages; the error alone if none. */
static void
oauth_error_text(const struct oauth_reply *r, long status, char *out,
    size_t len)
{
	if (r->error == NULL)
		snprintf(out, len, "status %ld without an error code", status);
	else if (r->error_description != NULL)
		snprintf(out, len, "%s: %s", r->error, r->error_description);
	else
		snprintf(out, len, "%s", r->error);
}

/*
 * Takes a successful token answer: the access token (Bearer) and its
 * lifetime into the cache.  -1 with err when it has none.
 */
static int
oauth_take_token(struct oauth_client *c, struct oauth_reply *r,
    struct err *err)
{
	long long	life = r->expires_in;
	long long	early;

	if (r->access_token == NULL)
		return err_set(err, ERR_WAIT, "the token endpoint sent no "
		    "access_token");
	if (r->token_type != NULL && strcasecmp(r->token_type, "bearer") != 0)
		return err_set(err, ERR_WAIT, "the token endpoint sent a "
		    "token of type %s, not Bearer", r->token_type);
	if (life <= 0)
		life = OAUTH_DEFAULT_LIFETIME;
	if (life > OAUTH_MAX_LIFETIME)
		life = OAUTH_MAX_LIFETIME;
	/* Renewed a little early: a fifth of its life, at most a minute. */
	early = life / 5 < OAUTH_EARLY_SECS ? life / 5 : OAUTH_EARLY_SECS;
	oauth_free_token(c->access);
	c->access = r->access_token;
	r->access_token = NULL;
	c->renew_ms = util_monotonic_ms() + (life - early) * 1000;
	c->expires = util_now() + (time_t)life;
	return 0;
}

/* A hash of a refresh token, to know it again without keeping it. */
static uint64_t
oauth_hash(const char *s)
{
	uint64_t	h = hashset_fnv1a(HASHSET_FNV_INIT, s, strlen(s));

	return h != 0 ? h : 1;
}

int
oauth_file_write(const char *path, const char *data, size_t len,
    struct err *err)
{
	const char	*slash = strrchr(path, '/');
	struct stat	 st;
	char		*dir, *tmp;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, dfd, e;

	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	tmp = xasprintf("%s/.%s.XXXXXX", dir, slash == NULL ? path : slash + 1);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		err_set(err, ERR_FINAL, "cannot write in %s: %s", dir,
		    strerror(e));
		goto fail;
	}
	/* mkostemp makes it 0600; said again whatever the umask did. */
	if (fchmod(fd, 0600) != 0)
		goto io;
	/*
	 * root (sudo salescycle doctor or login) keeps the file the agent's
	 * user's: its owner before, else the state folder's owner.
	 */
	if (geteuid() == 0 && (stat(path, &st) == 0 || stat(dir, &st) == 0) &&
	    fchown(fd, st.st_uid, st.st_gid) != 0)
		goto io;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto io;
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto io;
	if (close(fd) != 0) {
		fd = -1;
		goto io;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto io;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		(void)fsync(dfd);
		close(dfd);
	}
	free(tmp);
	free(dir);
	return 0;
io:
	e = errno != 0 ? errno : EIO;
	err_set(err, ERR_FINAL, "cannot write %s: %s", path, strerror(e));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail:
	free(tmp);
	free(dir);
	return -1;
}

/* Reads an open private file; see oauth_file_read. */
static int
oauth_fd_read(int fd, const char *path, const char *what, char **out,
    size_t *len, struct err *err)
{
	struct stat	 st;
	size_t		 got = 0;
	ssize_t		 n;
	char		*data;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return err_set(err, ERR_FINAL, "%s %s is not a regular file",
		    what, path);
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
		return err_set(err, ERR_FINAL, "%s %s can be read by group or "
		    "others: chmod 600 it", what, path);
	if (st.st_size > (off_t)OAUTH_MAX_RESPONSE)
		return err_set(err, ERR_FINAL, "%s %s is larger than %u KiB",
		    what, path, OAUTH_MAX_RESPONSE >> 10);
	data = xmalloc(OAUTH_MAX_RESPONSE + 1);
	for (;;) {
		n = read(fd, data + got, OAUTH_MAX_RESPONSE - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			explicit_bzero(data, got);
			free(data);
			return err_set(err, ERR_FINAL, "cannot read %s %s: %s",
			    what, path, strerror(errno));
		}
		if (n == 0 || got + (size_t)n == OAUTH_MAX_RESPONSE) {
			got += (size_t)n;
			break;
		}
		got += (size_t)n;
	}
	data[got] = '\0';
	*out = data;
	*len = got;
	return 0;
}

int
oauth_file_read(const char *path, const char *what, char **out, size_t *len,
    struct err *err)
{
	int	fd, rc;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, errno == ENOENT ? ERR_WAIT : ERR_FINAL,
		    "cannot open %s %s: %s", what, path, strerror(errno));
	rc = oauth_fd_read(fd, path, what, out, len, err);
	close(fd);
	return rc;
}

/* The sign-in kept in a token file. */
struct oauth_signin {
	char		*refresh_token;	/* owned, wiped */
	time_t		 signed_in;
	time_t		 rotated;	/* 0: never */
};

static void
oauth_signin_clear(struct oauth_signin *si)
{
	oauth_free_token(si->refresh_token);
	memset(si, 0, sizeof *si);
}

/* A string member of a JSON object, or NULL. */
static const char *
oauth_json_str(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * Parses a token file: JSON with the refresh token and for which client
 * and endpoint it was given.  Another client or endpoint than the
 * configured ones is an error that asks for a new sign-in.
 */
static int
oauth_signin_parse(const struct oauth_client *c, const char *data,
    size_t len, struct oauth_signin *si, struct err *err)
{
	json_t		*root;
	const char	*rt, *id, *url;
	int		 rc = -1;

	oauth_json_init();
	memset(si, 0, sizeof *si);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
	rt = oauth_json_str(root, "refresh_token");
	id = oauth_json_str(root, "client_id");
	url = oauth_json_str(root, "token_url");
	if (!json_is_object(root) || rt == NULL || !oauth_token_ok(rt) ||
	    id == NULL || url == NULL) {
		err_set(err, ERR_FINAL, "%s is not a token file of "
		    "salescycle; sign in again: salescycle login %s",
		    c->token_file, c->name);
		goto out;
	}
	if (strcmp(id, c->client_id) != 0 || strcmp(url, c->token_url) != 0) {
		err_set(err, ERR_WAIT, "the sign-in in %s was for another "
		    "oauth_client_id or oauth_token_url; sign in again: "
		    "salescycle login %s", c->token_file, c->name);
		goto out;
	}
	si->refresh_token = xstrdup(rt);
	si->signed_in = (time_t)json_integer_value(json_object_get(root,
	    "signed_in"));
	si->rotated = (time_t)json_integer_value(json_object_get(root,
	    "rotated"));
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* Writes a token file for c (atomically); -1 with err. */
static int
oauth_signin_write(const struct oauth_client *c, const struct oauth_signin *si,
    struct err *err)
{
	json_t	*root;
	char	*text;
	int	 rc;

	oauth_json_init();
	root = json_pack("{s:s, s:s, s:s, s:s*, s:s, s:I, s:I}",
	    "source", c->name, "client_id", c->client_id, "token_url",
	    c->token_url, "scope", c->scope, "refresh_token", si->refresh_token,
	    "signed_in", (json_int_t)si->signed_in, "rotated",
	    (json_int_t)si->rotated);
	if (root == NULL)
		fatal("json_pack failed");
	text = json_dumps(root, JSON_INDENT(2));
	json_decref(root);
	if (text == NULL)
		fatal("json_dumps failed");
	rc = oauth_file_write(c->token_file, text, strlen(text), err);
	oauth_json_free(text);
	return rc;
}

/*
 * Opens the token file and takes its lock (flock: per open file, so
 * threads and processes alike wait), again when the file was replaced
 * while waiting; the wait ends with stop or after the timeout.  Returns
 * the descriptor, or -1 with err.
 */
static int
oauth_lock_file(const struct oauth_client *c, volatile sig_atomic_t *stop,
    struct err *err)
{
	struct timespec	 tick = { 0, 100 * 1000 * 1000 };
	struct stat	 a, b;
	int64_t		 end = util_monotonic_ms() + (int64_t)c->timeout * 1000;
	int		 fd, e;

	for (;;) {
		fd = open(c->token_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			e = errno;
			if (e == ENOENT)
				return err_set(err, ERR_WAIT, "not signed in "
				    "(no %s); sign in: salescycle login %s",
				    c->token_file, c->name);
			return err_set(err, ERR_WAIT, "cannot open %s: %s%s",
			    c->token_file, strerror(e), e == EACCES ?
			    " (run salescycle login as the user salescycled "
			    "runs as)" : "");
		}
		while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			if ((errno != EWOULDBLOCK && errno != EINTR) ||
			    (stop != NULL && *stop) ||
			    util_monotonic_ms() > end) {
				close(fd);
				return err_set(err, ERR_TEMP, "%s is busy "
				    "(another refresh)", c->token_file);
			}
			nanosleep(&tick, NULL);
		}
		if (fstat(fd, &a) == 0 && stat(c->token_file, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);	/* replaced while we waited: the new one */
	}
}

/* Whether the token file still is the one open (and locked) as fd. */
static bool
oauth_file_same(const char *path, int fd)
{
	struct stat	a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Reads the client's secret, if one is configured (NULL if not). */
static int
oauth_secret(const struct oauth_client *c, char **out, struct err *err)
{
	*out = NULL;
	if (!config_secret_set(&c->secret))
		return 0;
	return config_secret(&c->secret, out, err);
}

/* An OAuth error of the token endpoint as a message of the source. */
static int
oauth_fail(const struct oauth_client *c, const struct oauth_reply *r,
    long status, struct err *err)
{
	char	 text[OAUTH_MAX_TEXT * 2 + 16], host[256];

	oauth_host(c->token_url, host, sizeof host);
	oauth_error_text(r, status, text, sizeof text);
	if (r->error != NULL && strcmp(r->error, "invalid_client") == 0)
		return err_set(err, ERR_WAIT, "the token endpoint %s refused "
		    "the client (%s); check oauth_client_id and the client "
		    "secret", host, text);
	if (r->error != NULL && (strcmp(r->error, "unauthorized_client") == 0 ||
	    strcmp(r->error, "invalid_scope") == 0))
		return err_set(err, ERR_WAIT, "the token endpoint %s refused "
		    "(%s); check the app's permissions and admin consent, and "
		    "oauth_scope", host, text);
	if (status == 429 || status >= 500)
		return err_set(err, status >= 500 ? ERR_TEMP : ERR_WAIT,
		    "the token endpoint %s is busy or failing (%ld)",
		    host, status);
	return err_set(err, ERR_WAIT, "the token endpoint %s said %s", host,
	    text);
}

/*
 * The refresh token grant (RFC 6749 section 6), under the token file's
 * lock: a rotated refresh token is written back before the lock goes.
 */
static int
oauth_refresh(struct oauth_client *c, volatile sig_atomic_t *stop,
    struct err *err)
{
	struct oauth_signin	 si;
	struct oauth_reply	 r;
	struct err		 werr;
	char			*data = NULL, *secret = NULL, *form = NULL;
	char			 text[OAUTH_MAX_TEXT * 2 + 16];
	size_t			 len;
	long			 status;
	uint64_t		 h;
	int			 fd, rc = -1;

	memset(&si, 0, sizeof si);
	oauth_reply_init(&r);
	fd = oauth_lock_file(c, stop, err);
	if (fd < 0)
		return -1;
	if (oauth_fd_read(fd, c->token_file, "token file", &data, &len,
	    err) != 0 || oauth_signin_parse(c, data, len, &si, err) != 0)
		goto out;
	h = oauth_hash(si.refresh_token);
	if (c->dead == h) {
		/* Refused before and not signed in since: not sent again. */
		err_set(err, ERR_WAIT, "%s", c->dead_msg);
		goto out;
	}
	if (oauth_secret(c, &secret, err) != 0)
		goto out;
	{
		const char *const kv[] = {
			"grant_type", "refresh_token",
			"refresh_token", si.refresh_token,
			"client_id", c->client_id,
			"client_secret", secret,
			"scope", c->scope,
		};

		form = oauth_form(kv, sizeof kv / sizeof kv[0]);
	}
	if (oauth_post(c, c->token_url, form, stop, &r, &status, err) != 0)
		goto out;
	if (status == 200 && r.access_token != NULL) {
		if (oauth_take_token(c, &r, err) != 0)
			goto out;
		rc = 0;
		if (r.refresh_token == NULL ||
		    strcmp(r.refresh_token, si.refresh_token) == 0)
			goto out;
		/* Rotated (Microsoft does): kept unless a new sign-in came. */
		if (!oauth_file_same(c->token_file, fd))
			goto out;
		oauth_free_token(si.refresh_token);
		si.refresh_token = r.refresh_token;
		r.refresh_token = NULL;
		si.rotated = util_now();
		if (oauth_signin_write(c, &si, &werr) != 0)
			log_error("%s: the refresh token was renewed but cannot "
			    "be kept: %s", c->name, werr.msg);
		else
			log_info("%s: renewed refresh token kept in %s", c->name,
			    c->token_file);
		goto out;
	}
	if (r.error != NULL && strcmp(r.error, "invalid_grant") == 0) {
		oauth_error_text(&r, status, text, sizeof text);
		free(c->dead_msg);
		c->dead_msg = xasprintf("sign in again: salescycle login %s "
		    "(the token endpoint refused the sign-in: %s)",
		    c->name, text);
		c->dead = h;
		err_set(err, ERR_WAIT, "%s", c->dead_msg);
		goto out;
	}
	oauth_fail(c, &r, status, err);
out:
	close(fd);	/* and the lock with it */
	oauth_reply_clear(&r);
	oauth_signin_clear(&si);
	oauth_free_token(form);
	oauth_free_token(secret);
	oauth_free_token(data);
	return rc;
}

/* The client credentials grant (RFC 6749 section 4.4). */
static int
oauth_client_credentials(struct oauth_client *c, volatile sig_atomic_t *stop,
    struct err *err)
{
	struct oauth_reply	 r;
	struct err		 e;
	char			*secret = NULL, *form, *pem, *assertion = NULL;
	size_t			 len;
	long			 status;
	int			 rc = -1;

	oauth_reply_init(&r);
	if (c->cert_file != NULL) {
		/* RFC 7523 section 2.2: the app proves itself with its key. */
		if (oauth_file_read(c->cert_file, "certificate file", &pem,
		    &len, err) != 0)
			return -1;
		rc = oauth_client_assertion(pem, c->client_id, c->token_url,
		    util_now(), &assertion, &e);
		oauth_free_token(pem);
		if (rc != 0)
			return err_set(err, e.cls, "%s: %s", c->cert_file,
			    e.msg);
		rc = -1;
	} else if (oauth_secret(c, &secret, err) != 0)
		return -1;
	if (secret == NULL && assertion == NULL)
		return err_set(err, ERR_FINAL, "client_credentials needs "
		    "oauth_client_secret or oauth_certificate_file");
	{
		const char *const kv[] = {
			"grant_type", "client_credentials",
			"client_id", c->client_id,
			"client_secret", secret,
			"client_assertion_type", assertion == NULL ? NULL :
			    "urn:ietf:params:oauth:client-assertion-type:"
			    "jwt-bearer",
			"client_assertion", assertion,
			"scope", c->scope,
		};

		form = oauth_form(kv, sizeof kv / sizeof kv[0]);
	}
	if (oauth_post(c, c->token_url, form, stop, &r, &status, err) == 0) {
		if (status == 200 && r.access_token != NULL)
			rc = oauth_take_token(c, &r, err);
		else
			oauth_fail(c, &r, status, err);
	}
	oauth_reply_clear(&r);
	oauth_free_token(form);
	oauth_free_token(secret);
	oauth_free_token(assertion);
	return rc;
}

/* The JWT bearer grant (RFC 7523 section 2.1) of a service account. */
static int
oauth_service_account(struct oauth_client *c, volatile sig_atomic_t *stop,
    struct err *err)
{
	struct oauth_reply	 r;
	struct err		 e;
	char			*key = NULL, *jwt = NULL, *form = NULL;
	size_t			 len;
	long			 status;
	int			 rc = -1;

	oauth_reply_init(&r);
	if (oauth_file_read(c->key_file, "key file", &key, &len, err) != 0)
		return -1;
	if (oauth_jwt_build(key, len, c->user, c->scope, c->token_url,
	    util_now(), &jwt, NULL, &e) != 0) {
		err_set(err, e.cls, "%s: %s", c->key_file, e.msg);
		goto out;
	}
	{
		const char *const kv[] = {
			"grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer",
			"assertion", jwt,
		};

		form = oauth_form(kv, sizeof kv / sizeof kv[0]);
	}
	if (oauth_post(c, c->token_url, form, stop, &r, &status, err) == 0) {
		if (status == 200 && r.access_token != NULL)
			rc = oauth_take_token(c, &r, err);
		else
			oauth_fail(c, &r, status, err);
	}
out:
	oauth_reply_clear(&r);
	oauth_free_token(form);
	oauth_free_token(jwt);
	oauth_free_token(key);
	return rc;
}

/* A new access token by the client's flow, into the cache. */
static int
oauth_fetch(struct oauth_client *c, volatile sig_atomic_t *stop,
    struct err *err)
{
	switch (c->flow) {
	case OAUTH_DEVICE:
		return oauth_refresh(c, stop, err);
	case OAUTH_CLIENT_CREDENTIALS:
		return oauth_client_credentials(c, stop, err);
	case OAUTH_SERVICE_ACCOUNT:
		return oauth_service_account(c, stop, err);
	default:
		return err_set(err, ERR_FINAL, "no OAuth 2.0 flow");
	}
}

int
oauth_client_token(struct oauth_client *c, volatile sig_atomic_t *stop,
    char **token, struct err *err)
{
	int	rc = 0;

	*token = NULL;
	pthread_mutex_lock(&c->lock);
	if (c->access == NULL || util_monotonic_ms() >= c->renew_ms) {
		log_debug("%s: asking the token endpoint for an access token",
		    c->name);
		rc = oauth_fetch(c, stop, err);
	}
	if (rc == 0)
		*token = xstrdup(c->access);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void
oauth_client_refused(struct oauth_client *c, const char *token)
{
	pthread_mutex_lock(&c->lock);
	if (c->access != NULL && token != NULL && strcmp(c->access, token) == 0) {
		oauth_free_token(c->access);
		c->access = NULL;
		c->renew_ms = 0;
	}
	pthread_mutex_unlock(&c->lock);
}

bool
oauth_enabled(const struct source *src)
{
	return src->oauth.flow != OAUTH_NONE;
}

/* What a client is made for: the settings, a secret only as its hash. */
static char *
oauth_client_key(const struct source *src)
{
	const struct oauth_conf	*o = &src->oauth;
	const struct secret	*s = &o->client_secret;

	return xasprintf("%s\x1f%d\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s"
	    "\x1f%s\x1f%s\x1f%d\x1f%s\x1f%s\x1f%s\x1f%016llx", src->name,
	    (int)o->flow, o->device_url ? o->device_url : "",
	    o->token_url ? o->token_url : "", o->client_id ? o->client_id : "",
	    o->scope ? o->scope : "", o->key_file ? o->key_file : "",
	    o->cert_file ? o->cert_file : "", src->user ? src->user : "",
	    o->token_file ? o->token_file : "", src->ca_file ? src->ca_file : "",
	    src->timeout, s->command ? s->command : "", s->env ? s->env : "",
	    s->credential ? s->credential : "", (unsigned long long)(s->value != NULL ? oauth_hash(s->value) : 0));
}

struct oauth_client *
oauth_client_for(const struct source *src)
{
	struct oauth_client	*c;
	char			*key;

	if (!oauth_enabled(src))
		return NULL;
	key = oauth_client_key(src);
	pthread_mutex_lock(&oauth_clients_lock);
	for (c = oauth_clients; c != NULL; c = c->next)
		if (strcmp(c->key, key) == 0)
			break;
	if (c != NULL) {
		pthread_mutex_unlock(&oauth_clients_lock);
		free(key);
		return c;
	}
	c = xcalloc(1, sizeof *c);
	c->key = key;
	c->name = xstrdup(src->name);
	c->flow = src->oauth.flow;
	c->device_url = xstrdup(src->oauth.device_url);
	c->token_url = xstrdup(src->oauth.token_url);
	c->client_id = xstrdup(src->oauth.client_id);
	c->secret.command = xstrdup(src->oauth.client_secret.command);
	c->secret.env = xstrdup(src->oauth.client_secret.env);
	c->secret.credential = xstrdup(src->oauth.client_secret.credential);
	c->secret.value = xstrdup(src->oauth.client_secret.value);
	c->secret.owner = xstrdup(src->oauth.client_secret.owner);
	c->scope = xstrdup(src->oauth.scope);
	c->key_file = xstrdup(src->oauth.key_file);
	c->cert_file = xstrdup(src->oauth.cert_file);
	c->user = xstrdup(src->user);
	c->token_file = xstrdup(src->oauth.token_file);
	c->ca_file = xstrdup(src->ca_file);
	c->timeout = src->timeout > 0 ? src->timeout : 60;
	pthread_mutex_init(&c->lock, NULL);
	c->next = oauth_clients;
	oauth_clients = c;
	pthread_mutex_unlock(&oauth_clients_lock);
	return c;
}

/*
 * Imports an RSA private key of at least 2048 bits from PEM (what
 * names it in errors).  Caller deinits *key.  -1 with err (ERR_FINAL).
 */
static int
oauth_rsa_key(const char *pem_text, const char *what, gnutls_privkey_t *key,
    struct err *err)
{
	gnutls_datum_t	pem;
	unsigned	bits = 0;
	int		r;

	if (gnutls_privkey_init(key) < 0)
		fatal("gnutls_privkey_init failed");
	pem.data = (unsigned char *)(uintptr_t)pem_text;
	pem.size = (unsigned)strlen(pem_text);
	r = gnutls_privkey_import_x509_raw(*key, &pem, GNUTLS_X509_FMT_PEM,
	    NULL, 0);
	if (r < 0)
		err_set(err, ERR_FINAL, "%s is no usable PEM key (%s)", what,
		    gnutls_strerror(r));
	else if (gnutls_privkey_get_pk_algorithm(*key, &bits) !=
	    GNUTLS_PK_RSA || bits < 2048)
		err_set(err, ERR_FINAL, "%s is not an RSA key of at least 2048 "
		    "bits (RS256 needs one)", what);
	else
		return 0;
	gnutls_privkey_deinit(*key);
	*key = NULL;
	return -1;
}

/*
 * A JWT of header and claims signed RS256 (RSASSA-PKCS1-v1_5 with
 * SHA-256, RFC 7518 section 3.3) with key.  Caller frees *jwt with
 * oauth_free_token.  -1 with err (ERR_FINAL).
 */
static int
oauth_jwt_sign(gnutls_privkey_t key, json_t *hdr, json_t *claims, char **jwt,
    struct err *err)
{
	gnutls_datum_t	 in, sig = { NULL, 0 };
	char		*h, *cl, *h64, *c64, *input, *s64;
	int		 r;

	*jwt = NULL;
	if (hdr == NULL || claims == NULL)
		fatal("json_pack failed");
	h = json_dumps(hdr, JSON_COMPACT);
	cl = json_dumps(claims, JSON_COMPACT);
	if (h == NULL || cl == NULL)
		fatal("json_dumps failed");
	h64 = oauth_base64(h, strlen(h), true);
	c64 = oauth_base64(cl, strlen(cl), true);
	input = xasprintf("%s.%s", h64, c64);
	in.data = (unsigned char *)input;
	in.size = (unsigned)strlen(input);
	/* RS256: PKCS #1 v1.5 is GnuTLS's default for an RSA key. */
	r = gnutls_privkey_sign_data(key, GNUTLS_DIG_SHA256, 0, &in, &sig);
	if (r < 0)
		err_set(err, ERR_FINAL, "cannot sign with the key (%s)",
		    gnutls_strerror(r));
	else {
		s64 = oauth_base64(sig.data, sig.size, true);
		*jwt = xasprintf("%s.%s", input, s64);
		free(s64);
		gnutls_free(sig.data);
	}
	oauth_json_free(h);
	oauth_json_free(cl);
	free(h64);
	oauth_free_token(c64);
	oauth_free_token(input);
	return *jwt != NULL ? 0 : -1;
}

int
oauth_jwt_build(const char *key_json, size_t len, const char *sub,
    const char *scope, const char *aud, time_t now, char **jwt, char **iss,
    struct err *err)
{
	gnutls_privkey_t	 key = NULL;
	json_t			*root, *hdr = NULL, *claims = NULL;
	const char		*email, *pk, *kid;
	int			 rc = -1;

	oauth_json_init();
	*jwt = NULL;
	if (iss != NULL)
		*iss = NULL;
	root = json_loadb(key_json, len, JSON_REJECT_DUPLICATES, NULL);
	email = oauth_json_str(root, "client_email");
	pk = oauth_json_str(root, "private_key");
	kid = oauth_json_str(root, "private_key_id");
	if (!json_is_object(root) || email == NULL || pk == NULL) {
		err_set(err, ERR_FINAL, "not a service account's JSON key (it "
		    "needs client_email and private_key)");
		goto out;
	}
	if (oauth_rsa_key(pk, "private_key", &key, err) != 0)
		goto out;
	hdr = json_pack("{s:s, s:s, s:s*}", "alg", "RS256", "typ", "JWT",
	    "kid", kid);
	claims = json_pack("{s:s, s:s*, s:s*, s:s, s:I, s:I}", "iss", email,
	    "sub", sub, "scope", scope, "aud", aud, "iat", (json_int_t)now,
	    "exp", (json_int_t)(now + OAUTH_JWT_LIFETIME));
	if (oauth_jwt_sign(key, hdr, claims, jwt, err) != 0)
		goto out;
	if (iss != NULL)
		*iss = xstrdup(email);
	rc = 0;
out:
	if (key != NULL)
		gnutls_privkey_deinit(key);
	json_decref(hdr);
	json_decref(claims);
	json_decref(root);
	return rc;
}

int
oauth_client_assertion(const char *pem, const char *client_id,
    const char *aud, time_t now, char **jwt, struct err *err)
{
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_privkey_t	 key = NULL;
	gnutls_datum_t		 d;
	json_t			*hdr = NULL, *claims = NULL;
	unsigned char		 fp[20], rnd[16];
	size_t			 fplen = sizeof fp;
	char			*x5t = NULL, *jti = NULL;
	int			 r, rc = -1;

	oauth_json_init();
	*jwt = NULL;
	if (gnutls_x509_crt_init(&crt) < 0)
		fatal("gnutls_x509_crt_init failed");
	d.data = (unsigned char *)(uintptr_t)pem;
	d.size = (unsigned)strlen(pem);
	r = gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM);
	if (r < 0) {
		err_set(err, ERR_FINAL, "no PEM certificate in it (%s)",
		    gnutls_strerror(r));
		goto out;
	}
	if (oauth_rsa_key(pem, "its private key", &key, err) != 0)
		goto out;
	/* Microsoft names the certificate by its SHA-1 thumbprint (x5t). */
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA1, fp,
	    &fplen) < 0 || gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof rnd) < 0)
		fatal("gnutls fingerprint or random failed");
	x5t = oauth_base64(fp, fplen, true);
	jti = oauth_base64(rnd, sizeof rnd, true);
	hdr = json_pack("{s:s, s:s, s:s}", "alg", "RS256", "typ", "JWT", "x5t",
	    x5t);
	claims = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I}", "aud", aud,
	    "iss", client_id, "sub", client_id, "jti", jti, "nbf",
	    (json_int_t)now, "iat", (json_int_t)now, "exp",
	    (json_int_t)(now + 600));
	rc = oauth_jwt_sign(key, hdr, claims, jwt, err);
out:
	free(x5t);
	free(jti);
	json_decref(hdr);
	json_decref(claims);
	if (key != NULL)
		gnutls_privkey_deinit(key);
	gnutls_x509_crt_deinit(crt);
	return rc;
}

/* base64 of a SASL message in buf (len bytes), which is then wiped. */
static char *
oauth_sasl_encode(char *buf, size_t len)
{
	char	*out = oauth_base64(buf, len, false);

	explicit_bzero(buf, len);
	free(buf);
	return out;
}

char *
oauth_sasl_xoauth2(const char *user, const char *token)
{
	size_t	 cap = strlen(user) + strlen(token) + 32;
	char	*buf = xmalloc(cap);
	int	 n;

	/* Google's and Microsoft's format: user, Bearer token, ^A-separated. */
	n = snprintf(buf, cap, "user=%s\001auth=Bearer %s\001\001", user, token);
	return oauth_sasl_encode(buf, (size_t)n);
}

char *
oauth_sasl_oauthbearer(const char *user, const char *host, unsigned port,
    const char *token)
{
	size_t		 cap = 3 * strlen(user) + strlen(host) + strlen(token) + 64;
	char		*buf = xmalloc(cap), *a = xmalloc(3 * strlen(user) + 1);
	const char	*p;
	size_t		 n = 0;
	int		 len;

	/* RFC 5801 saslname: "," and "=" in the authzid as =2C and =3D. */
	for (p = user; *p != '\0'; p++) {
		if (*p == ',' || *p == '=') {
			memcpy(a + n, *p == ',' ? "=2C" : "=3D", 3);
			n += 3;
		} else
			a[n++] = *p;
	}
	a[n] = '\0';
	/* RFC 7628 section 3.1: gs2 header, then key=value pairs. */
	len = snprintf(buf, cap, "n,a=%s,\001host=%s\001port=%u\001"
	    "auth=Bearer %s\001\001", a, host, port, token);
	free(a);
	return oauth_sasl_encode(buf, (size_t)len);
}

/* The preset of provider for a section, or NULL. */
static const struct oauth_preset *
oauth_preset(const char *provider, const char *section)
{
	size_t	i;

	for (i = 0; i < sizeof oauth_presets / sizeof oauth_presets[0]; i++)
		if (strcmp(oauth_presets[i].provider, provider) == 0 &&
		    strcmp(oauth_presets[i].section, section) == 0)
			return &oauth_presets[i];
	return NULL;
}

/* A string of a URL template filled in, as the field's new value. */
static void
oauth_fill(char **field, const char *tmpl, const char *arg)
{
	if (*field != NULL)
		return;
	*field = strstr(tmpl, "%s") != NULL ? xasprintf(tmpl, arg) :
	    xstrdup(tmpl);
}

/*
 * Whether a token endpoint's URL may be used: https, or http with tls =
 * none (the loopback tests) only: the form carries secrets.
 */
static bool
oauth_url_ok(const struct source *src, const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0' && strpbrk(url, " \t\r\n") == NULL;
	return src->tls == TLS_NONE && strncasecmp(url, "http://", 7) == 0 &&
	    url[7] != '\0' && strpbrk(url, " \t\r\n") == NULL;
}

/* A value that goes into a URL path or a file name as it is. */
static bool
oauth_plain(const char *s)
{
	return *s != '\0' && strpbrk(s, "/?#% \t\r\n\\") == NULL;
}

/*
 * Whether a key file is there and group or others can read it: refused
 * like a password in the file (its absence is found when it is read).
 */
static bool
oauth_file_public(const char *path, const char *key, char *msg, size_t len)
{
	struct stat	st;

	if (path == NULL || stat(path, &st) != 0 ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) == 0)
		return false;
	snprintf(msg, len, "%s %s can be read by group or others: chmod 600 "
	    "it", key, path);
	return true;
}

int
oauth_conf_resolve(const struct config *cfg, struct source *src, char *msg,
    size_t len)
{
	struct oauth_conf		*o = &src->oauth;
	const struct salesperson	*sp;
	const struct oauth_preset	*pre = NULL;
	const char			*section = source_ops_for(src->type)->section;
	const char			*tenant, *slash;
	bool				 http = strcmp(section, "imap") != 0;
	bool				 any, secret;
	size_t				 i;

	secret = config_secret_set(&o->client_secret);
	any = o->provider != NULL || o->flow_name != NULL ||
	    o->tenant != NULL || o->device_url != NULL ||
	    o->token_url != NULL || o->client_id != NULL || secret ||
	    o->scope != NULL || o->key_file != NULL || o->cert_file != NULL;
	o->flow = OAUTH_NONE;
	if (!any)
		return 0;
	if (strcmp(section, "ics") == 0) {
		snprintf(msg, len, "an ICS feed takes no OAuth 2.0 settings "
		    "(provider, oauth_*)");
		return -1;
	}
	if (src->token.command != NULL || src->token.env != NULL) {
		snprintf(msg, len, "token_command and OAuth 2.0 settings "
		    "(provider, oauth_*): one or the other");
		return -1;
	}
	if (o->provider != NULL) {
		if (strcmp(o->provider, "microsoft365") != 0 &&
		    strcmp(o->provider, "google") != 0) {
			snprintf(msg, len, "bad provider '%s' (microsoft365 or "
			    "google)", o->provider);
			return -1;
		}
		pre = oauth_preset(o->provider, section);
		if (pre == NULL) {
			snprintf(msg, len, "provider = %s has no [%s] (%s)",
			    o->provider, section, strcmp(o->provider,
			    "microsoft365") == 0 ? "Microsoft 365 calendars: "
			    "[graph NAME]" : "Google Workspace: [imap NAME] "
			    "and [caldav NAME]");
			return -1;
		}
	}
	/* The user: the salesperson's first address unless given. */
	sp = config_salesperson(cfg, src->salesperson);
	if (src->user == NULL && sp != NULL && sp->email.n > 0)
		src->user = xstrdup(sp->email.v[0]);
	if (o->flow_name != NULL) {
		for (i = OAUTH_DEVICE; i <= OAUTH_SERVICE_ACCOUNT; i++)
			if (strcmp(o->flow_name, oauth_flows[i]) == 0)
				o->flow = (enum oauth_flow)i;
		if (o->flow == OAUTH_NONE) {
			snprintf(msg, len, "bad oauth_flow '%s' (device, "
			    "client_credentials or service_account)",
			    o->flow_name);
			return -1;
		}
	} else if (pre != NULL)
		o->flow = pre->flow;
	else if (o->key_file != NULL)
		o->flow = OAUTH_SERVICE_ACCOUNT;
	else if ((secret || o->cert_file != NULL) && o->device_url == NULL)
		o->flow = OAUTH_CLIENT_CREDENTIALS;
	else
		o->flow = OAUTH_DEVICE;
	if (pre != NULL) {
		if (src->url == NULL) {
			if (src->user == NULL || !oauth_plain(src->user)) {
				snprintf(msg, len, "provider = %s needs user = "
				    "(the mailbox's address)", o->provider);
				return -1;
			}
			oauth_fill(&src->url, pre->url, src->user);
		}
		if (src->auth == NULL)
			src->auth = xstrdup(pre->auth);
		if (o->scope == NULL)
			o->scope = xstrdup(o->flow == OAUTH_DEVICE ?
			    pre->scope_user : pre->scope_app);
		for (i = 0; i < sizeof oauth_endpoints /
		    sizeof oauth_endpoints[0]; i++) {
			if (strcmp(oauth_endpoints[i].provider, o->provider) != 0)
				continue;
			/* A tenant of its own for the app's grant. */
			tenant = o->tenant != NULL ? o->tenant : "organizations";
			if (strcmp(o->provider, "microsoft365") == 0 &&
			    (!oauth_plain(tenant) || (o->tenant == NULL &&
			    o->flow != OAUTH_DEVICE && o->token_url == NULL))) {
				snprintf(msg, len, "provider = microsoft365 %s "
				    "oauth_tenant = (the directory (tenant) ID "
				    "of the app registration)", o->tenant ==
				    NULL ? "with oauth_flow = client_credentials "
				    "needs" : "has a bad");
				return -1;
			}
			if (o->flow == OAUTH_DEVICE)
				oauth_fill(&o->device_url,
				    oauth_endpoints[i].device_url, tenant);
			oauth_fill(&o->token_url, oauth_endpoints[i].token_url,
			    tenant);
		}
	}
	if (src->auth == NULL)
		src->auth = xstrdup(http ? "bearer" : "xoauth2");
	if (http ? strcmp(src->auth, "bearer") != 0 :
	    strcmp(src->auth, "xoauth2") != 0 &&
	    strcmp(src->auth, "oauthbearer") != 0) {
		snprintf(msg, len, "OAuth 2.0 needs auth = %s, not %s", http ?
		    "bearer" : "xoauth2 or oauthbearer", src->auth);
		return -1;
	}
	if (o->token_url == NULL) {
		snprintf(msg, len, "OAuth 2.0 needs oauth_token_url (or "
		    "provider =)");
		return -1;
	}
	if (!oauth_url_ok(src, o->token_url) ||
	    (o->device_url != NULL && !oauth_url_ok(src, o->device_url))) {
		snprintf(msg, len, "oauth_token_url and oauth_device_url must "
		    "be https:// URLs (http:// only with tls = none)");
		return -1;
	}
	switch (o->flow) {
	case OAUTH_DEVICE:
		if (o->device_url == NULL || o->client_id == NULL) {
			snprintf(msg, len, "oauth_flow = device needs "
			    "oauth_client_id%s", o->device_url == NULL ?
			    " and oauth_device_url" : " (the app registration's "
			    "application (client) ID)");
			return -1;
		}
		break;
	case OAUTH_CLIENT_CREDENTIALS:
		if (o->client_id == NULL || secret == (o->cert_file != NULL)) {
			snprintf(msg, len, "oauth_flow = client_credentials "
			    "needs oauth_client_id and either "
			    "oauth_client_secret (or _command, _env) or "
			    "oauth_certificate_file");
			return -1;
		}
		if (oauth_file_public(o->cert_file, "oauth_certificate_file",
		    msg, len))
			return -1;
		break;
	case OAUTH_SERVICE_ACCOUNT:
		if (o->key_file == NULL) {
			snprintf(msg, len, "oauth_flow = service_account needs "
			    "oauth_key_file (the service account's JSON key)");
			return -1;
		}
		if (oauth_file_public(o->key_file, "oauth_key_file", msg, len))
			return -1;
		if (src->user == NULL) {
			snprintf(msg, len, "oauth_flow = service_account needs "
			    "user = (the address it acts for)");
			return -1;
		}
		break;
	default:
		break;
	}
	if (o->flow == OAUTH_DEVICE && o->token_file == NULL) {
		/* Beside the database: the state directory. */
		slash = strrchr(cfg->database, '/');
		o->token_file = xasprintf("%.*s%soauth-%s-%s.json",
		    slash != NULL ? (int)(slash - cfg->database) : 1,
		    slash != NULL ? cfg->database : ".", "/", section, src->key);
	}
	return 0;
}

/* Sleeps secs seconds, or less when stop is set; false if stopped. */
static bool
oauth_sleep(long long secs, volatile sig_atomic_t *stop)
{
	struct timespec	tick = { 0, 100 * 1000 * 1000 };
	long long	i;

	for (i = 0; i < secs * 10; i++) {
		if (stop != NULL && *stop)
			return false;
		nanosleep(&tick, NULL);
	}
	return stop == NULL || !*stop;
}

/*
 * Polls the token endpoint for the device code until the user signed in
 * (RFC 8628 section 3.4 and 3.5): authorization_pending goes on,
 * slow_down adds five seconds to the interval for good, expired_token
 * and access_denied end it.  The tokens go to r.
 */
static int
oauth_device_poll(struct oauth_client *c, const char *device_code,
    const char *secret, long long interval, long long expires_in,
    volatile sig_atomic_t *stop, struct oauth_reply *r, struct err *err)
{
	const char *const kv[] = {
		"grant_type", "urn:ietf:params:oauth:grant-type:device_code",
		"device_code", device_code,
		"client_id", c->client_id,
		"client_secret", secret,
	};
	char		*form = oauth_form(kv, sizeof kv / sizeof kv[0]);
	int64_t		 end;
	long		 status;
	int		 rc = -1;

	if (expires_in <= 0 || expires_in > OAUTH_DEVICE_MAX_WAIT)
		expires_in = OAUTH_DEVICE_MAX_WAIT;
	end = util_monotonic_ms() + expires_in * 1000;
	for (;;) {
		if (!oauth_sleep(interval, stop)) {
			err_set(err, ERR_TEMP, "sign-in interrupted");
			break;
		}
		oauth_reply_clear(r);
		if (oauth_post(c, c->token_url, form, stop, r, &status,
		    err) != 0)
			break;
		if (status == 200 && r->access_token != NULL) {
			rc = 0;
			break;
		}
		if (r->error != NULL &&
		    (strcmp(r->error, "authorization_pending") == 0 ||
		    strcmp(r->error, "slow_down") == 0)) {
			/* Whatever the server answers, the code expires. */
			if (util_monotonic_ms() >= end) {
				err_set(err, ERR_WAIT, "the code expired "
				    "before the sign-in; run salescycle login "
				    "%s again", c->name);
				break;
			}
			/* RFC 8628 3.5: for this and every later request. */
			if (strcmp(r->error, "slow_down") == 0 &&
			    interval < OAUTH_DEVICE_MAX_INTERVAL) {
				interval += 5;
				if (interval > OAUTH_DEVICE_MAX_INTERVAL)
					interval = OAUTH_DEVICE_MAX_INTERVAL;
				log_debug("%s: asked to slow down: polling "
				    "every %lld s", c->name, interval);
			}
			continue;
		}
		if (r->error != NULL && strcmp(r->error, "expired_token") == 0)
			err_set(err, ERR_WAIT, "the code expired before the "
			    "sign-in; run salescycle login %s again",
			    c->name);
		else if (r->error != NULL &&
		    strcmp(r->error, "access_denied") == 0)
			err_set(err, ERR_WAIT, "the sign-in was declined; "
			    "nothing was stored");
		else
			oauth_fail(c, r, status, err);
		break;
	}
	oauth_free_token(form);
	return rc;
}

int
oauth_login(const struct source *src, FILE *out, volatile sig_atomic_t *stop,
    struct err *err)
{
	struct oauth_client	*c = oauth_client_for(src);
	struct oauth_reply	 d, r;
	struct oauth_signin	 si;
	char			*secret = NULL, *form = NULL;
	long long		 interval;
	long			 status;
	int			 rc = -1;

	memset(&si, 0, sizeof si);
	oauth_reply_init(&d);
	oauth_reply_init(&r);
	if (c == NULL || c->flow != OAUTH_DEVICE)
		return err_set(err, ERR_FINAL, "%s %s", src->name, c == NULL ?
		    "has no OAuth 2.0 settings (provider = or oauth_*)" :
		    "needs no sign-in: its oauth_flow is not device");
	if (oauth_secret(c, &secret, err) != 0)
		return -1;
	{
		const char *const kv[] = {
			"client_id", c->client_id,
			"scope", c->scope,
		};

		form = oauth_form(kv, sizeof kv / sizeof kv[0]);
	}
	/* RFC 8628 3.1 and 3.2: the device code and what to show. */
	if (oauth_post(c, c->device_url, form, stop, &d, &status, err) != 0)
		goto out;
	if (status != 200 || d.device_code == NULL) {
		if (status == 200)
			err_set(err, ERR_WAIT, "the device authorization "
			    "endpoint sent no device_code");
		else
			oauth_fail(c, &d, status, err);
		goto out;
	}
	if (d.user_code == NULL || d.verification_uri == NULL) {
		err_set(err, ERR_WAIT, "the device authorization endpoint "
		    "sent no user_code or verification_uri");
		goto out;
	}
	fprintf(out, "To sign in %s, open %s in a browser and enter the code "
	    "%s\n", c->name, d.verification_uri, d.user_code);
	if (d.verification_uri_complete != NULL)
		fprintf(out, "(or open %s)\n", d.verification_uri_complete);
	fprintf(out, "Waiting for the sign-in...\n");
	fflush(out);
	interval = d.interval > 0 ? d.interval : OAUTH_DEVICE_INTERVAL;
	if (interval > OAUTH_DEVICE_MAX_INTERVAL)
		interval = OAUTH_DEVICE_MAX_INTERVAL;
	if (oauth_device_poll(c, d.device_code, secret, interval, d.expires_in,
	    stop, &r, err) != 0)
		goto out;
	if (r.refresh_token == NULL) {
		err_set(err, ERR_WAIT, "signed in, but the token endpoint "
		    "gave no refresh token (oauth_scope needs offline_access "
		    "for Microsoft 365)");
		goto out;
	}
	pthread_mutex_lock(&c->lock);
	si.refresh_token = r.refresh_token;
	r.refresh_token = NULL;
	si.signed_in = util_now();
	rc = oauth_signin_write(c, &si, err);
	if (rc == 0) {
		/* A new sign-in: whatever was refused before is forgotten. */
		c->dead = 0;
		(void)oauth_take_token(c, &r, err);
		err_clear(err);
	}
	pthread_mutex_unlock(&c->lock);
	if (rc == 0)
		fprintf(out, "Signed in; the refresh token is kept in %s\n",
		    c->token_file);
out:
	oauth_reply_clear(&d);
	oauth_reply_clear(&r);
	oauth_signin_clear(&si);
	oauth_free_token(form);
	oauth_free_token(secret);
	return rc;
}

/* A time as "2026-12-03 10:00 UTC" for doctor. */
static void
oauth_when(time_t t, char *out, size_t len)
{
	struct tm	tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, len, "unknown");
	else
		strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

int
oauth_doctor(const struct source *src, source_say_fn say, void *arg)
{
	struct oauth_client	*c = oauth_client_for(src);
	struct oauth_signin	 si;
	struct err		 err;
	char			 host[256], when[64], when2[64];
	char			*data = NULL, *token = NULL;
	size_t			 len;
	int			 rc = 0;

	if (c == NULL)
		return 0;
	oauth_host(c->token_url, host, sizeof host);
	say(arg, true, "OAuth 2.0: flow %s (%s), token endpoint %s%s%s",
	    oauth_flow_name(c->flow), c->flow == OAUTH_DEVICE ?
	    "a salesperson signs in with salescycle login" :
	    c->flow == OAUTH_CLIENT_CREDENTIALS ?
	    "the app's own permissions, admin consent" :
	    "service account with domain-wide delegation", host,
	    c->user != NULL ? ", for " : "", c->user != NULL ? c->user : "");
	if (c->flow == OAUTH_DEVICE) {
		memset(&si, 0, sizeof si);
		if (oauth_file_read(c->token_file, "token file", &data, &len,
		    &err) != 0) {
			say(arg, false, "not signed in (%s); sign in: "
			    "salescycle login %s", err.msg, c->name);
			return -1;
		}
		if (oauth_signin_parse(c, data, len, &si, &err) != 0) {
			oauth_free_token(data);
			say(arg, false, "%s", err.msg);
			return -1;
		}
		oauth_when(si.signed_in, when, sizeof when);
		oauth_when(si.rotated, when2, sizeof when2);
		say(arg, true, "signed in %s, refresh token in %s%s%s", when,
		    c->token_file, si.rotated > 0 ? ", renewed " : "",
		    si.rotated > 0 ? when2 : "");
		oauth_signin_clear(&si);
		oauth_free_token(data);
	}
	if (oauth_client_token(c, NULL, &token, &err) != 0) {
		say(arg, false, "cannot get an access token: %s", err.msg);
		return -1;
	}
	pthread_mutex_lock(&c->lock);
	oauth_when(c->expires, when, sizeof when);
	pthread_mutex_unlock(&c->lock);
	say(arg, true, "%s works: access token valid until %s",
	    c->flow == OAUTH_DEVICE ? "refresh" : "the grant", when);
	oauth_free_token(token);
	return rc;
}
