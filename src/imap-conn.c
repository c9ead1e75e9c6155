/* SPDX-License-Identifier: MIT */
/*
 * The IMAP connection: it connects through the transport (imap-stream.c,
 * with deadlines and bounds), verifies the certificate (tls.c) before
 * anything is sent, with implicit TLS or required STARTTLS (nothing the
 * server sent after its OK to STARTTLS is taken: CVE-2020-15953), asks
 * the capabilities only when the greeting's or LOGIN's response code did
 * not carry them (RFC 3501 sections 7.1 and 6.2.3), and logs in with
 * LOGIN, PLAIN or XOAUTH2, the secret wiped after.  It reads the greeting
 * and answers continuation requests itself: libetpan parses those without
 * its parser's context, and a string in a response code crashed it.  It
 * grades failures: a broken connection is dropped and never reused
 * (ERR_TEMP), a refusal is the server's word (ERR_WAIT).  Every step is a
 * finding for doctor.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#define LOG_TAG "imap"
#include "imap-int.h"
#include "imap-stream.h"
#include "oauth.h"
#include "util.h"
#include "xmalloc.h"

/*
 * A command and its answer may take this many times the source's timeout
 * (which bounds each wait for data), a poll's session sixty times: an
 * hour by default, after which the folders left wait for the next poll.
 */
#define IMAP_COMMAND_TIMEOUTS	10
#define IMAP_SESSION_TIMEOUTS	60
/* Seconds LOGOUT may take. */
#define IMAP_LOGOUT_SECS	5

/* libetpan's error codes in words. */
static const char *
imap_conn_strerror(int r)
{
	switch (r) {
	case MAILIMAP_ERROR_STREAM:
		return "connection lost or timed out";
	case MAILIMAP_ERROR_PARSE:
		return "unparsable server response";
	case MAILIMAP_ERROR_FATAL:
		return "the server closed the connection (BYE)";
	case MAILIMAP_ERROR_CONNECTION_REFUSED:
		return "connection refused";
	case MAILIMAP_ERROR_MEMORY:
		return "out of memory";
	case MAILIMAP_ERROR_SSL:
		return "TLS handshake failed";
	case MAILIMAP_ERROR_BAD_STATE:
		return "command not allowed in this state";
	default:
		return "command refused";
	}
}

/* True when an error leaves the connection unusable. */
static bool
imap_conn_fatal_error(int r)
{
	return r == MAILIMAP_ERROR_STREAM || r == MAILIMAP_ERROR_PARSE ||
	    r == MAILIMAP_ERROR_FATAL || r == MAILIMAP_ERROR_CONNECTION_REFUSED ||
	    r == MAILIMAP_ERROR_MEMORY || r == MAILIMAP_ERROR_SSL ||
	    r == MAILIMAP_ERROR_BAD_STATE;
}

/*
 * The server's text for the last tagged response, with the atom of its
 * response code ("[UNAVAILABLE] ..."), which libetpan keeps apart, made
 * safe to show; a placeholder when there is none.
 */
const char *
imap_conn_response(const struct imap_session *s, char *out, size_t len)
{
	const struct mailimap_response_info	*ri;
	const char				*text = NULL, *atom = NULL;
	char					 raw[512];

	if (s->imap != NULL) {
		text = s->imap->imap_response;
		ri = s->imap->imap_response_info;
		if (ri != NULL && ri->rsp_atom != NULL && *ri->rsp_atom != '\0')
			atom = ri->rsp_atom;
	}
	if (text != NULL && *text == '\0')
		text = NULL;
	snprintf(raw, sizeof raw, "%s%s%s%s", atom != NULL ? "[" : "",
	    atom != NULL ? atom : "", atom != NULL ? "] " : "",
	    text != NULL ? text : atom != NULL ? "" : "no reason given");
	return util_printable(raw, out, len);
}

/* Drops the connection; LOGOUT only when polite (the connection works). */
void
imap_conn_close(struct imap_session *s, bool polite)
{
	if (s->imap == NULL)
		return;
	if (polite && s->imap->imap_stream != NULL) {
		/* A few seconds at most: the answer changes nothing. */
		imap_stream_arm(s->imap->imap_stream, s->stop,
		    util_monotonic_ms() + IMAP_LOGOUT_SECS * 1000,
		    IMAP_LOGOUT_SECS);
		mailimap_logout(s->imap);
	}
	/* mailimap_free() would send LOGOUT and wait for the answer. */
	if (s->imap->imap_stream != NULL) {
		mailstream_close(s->imap->imap_stream);
		s->imap->imap_stream = NULL;
	}
	mailimap_free(s->imap);
	s->imap = NULL;
	s->listed = 0;
}

/*
 * Fills err for a failed command; a broken connection is dropped (never
 * reused after a parse error) and graded ERR_TEMP.
 */
int
imap_conn_fail(struct imap_session *s, int r, const char *what, struct err *err)
{
	const char	*why = NULL;
	char		 text[512];

	if (s->imap != NULL)
		imap_stream_failure(s->imap->imap_stream, &why);
	if (why != NULL || imap_conn_fatal_error(r)) {
		err_set(err, ERR_TEMP, "%s: %s: %s", s->url.host, what,
		    why != NULL ? why : imap_conn_strerror(r));
		s->lost = true;
		imap_conn_close(s, false);
		return -1;
	}
	return err_set(err, ERR_WAIT, "%s: %s: %s", s->url.host, what,
	    imap_conn_response(s, text, sizeof text));
}

/* Protocol trace at debug level: commands only, authentication redacted. */
static void
imap_conn_logger(mailimap *imap, int type, const char *str, size_t size,
    void *arg)
{
	struct imap_session	*s = arg;

	(void)imap;
	if (type == MAILSTREAM_LOG_TYPE_DATA_SENT_PRIVATE ||
	    (type == MAILSTREAM_LOG_TYPE_DATA_SENT && s->in_auth)) {
		imap_log(LOG_LVL_DEBUG, s, "C: (authentication, %zu bytes)", size);
		return;
	}
	if (type != MAILSTREAM_LOG_TYPE_DATA_SENT)
		return;
	while (size > 0 && (str[size - 1] == '\n' || str[size - 1] == '\r'))
		size--;
	imap_log(LOG_LVL_DEBUG, s, "C: %.*s", (int)(size > 300 ? 300 : size),
	    str);
}

/*
 * libetpan's stream logger hands the session's logger what passes; what
 * mailimap_connect() sets up, imap_conn_greeting() does for itself.
 */
static void
imap_conn_stream_logger(mailstream *ms, int type, const char *str,
    size_t size, void *arg)
{
	mailimap	*imap = arg;

	(void)ms;
	if (imap->imap_logger != NULL)
		imap->imap_logger(imap, type, str, size,
		    imap->imap_logger_context);
}

/* Exported by libetpan; its header, mailimap_parser.h, is not installed. */
int	mailimap_greeting_parse(mailstream *, MMAPString *,
	    struct mailimap_parser_context *, size_t *,
	    struct mailimap_greeting **, size_t, progress_function *);

int
imap_conn_greeting(mailimap *imap, mailstream *ms)
{
	struct mailimap_parser_context	*ctx;
	struct mailimap_greeting	*g = NULL;
	struct mailimap_resp_text_code	*code;
	size_t				 indx = 0;
	int				 r;

	if (imap->imap_state != MAILIMAP_STATE_DISCONNECTED)
		return MAILIMAP_ERROR_BAD_STATE;
	imap->imap_stream = ms;
	mailstream_set_logger(ms, imap_conn_stream_logger, imap);
	if (imap->imap_connection_info == NULL &&
	    (imap->imap_connection_info = mailimap_connection_info_new()) ==
	    NULL)
		return MAILIMAP_ERROR_MEMORY;
	if (mailimap_read_line(imap) == NULL)
		return MAILIMAP_ERROR_STREAM;
	ctx = mailimap_parser_context_new(imap);
	if (ctx == NULL)
		return MAILIMAP_ERROR_MEMORY;
	r = mailimap_greeting_parse(ms, imap->imap_stream_buffer, ctx, &indx,
	    &g, imap->imap_progr_rate, imap->imap_progr_fun);
	mailimap_parser_context_free(ctx);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	if (g->gr_type == MAILIMAP_GREETING_RESP_COND_BYE) {
		mailimap_greeting_free(g);
		return MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION;
	}
	/* RFC 3501 section 7.1: the greeting may list the capabilities. */
	code = g->gr_data.gr_auth->rsp_text != NULL ?
	    g->gr_data.gr_auth->rsp_text->rsp_code : NULL;
	if (code != NULL &&
	    code->rc_type == MAILIMAP_RESP_TEXT_CODE_CAPABILITY_DATA) {
		if (imap->imap_connection_info->imap_capability != NULL)
			mailimap_capability_data_free(
			    imap->imap_connection_info->imap_capability);
		imap->imap_connection_info->imap_capability =
		    code->rc_data.rc_cap_data;
		code->rc_data.rc_cap_data = NULL;
	}
	r = g->gr_data.gr_auth->rsp_type == MAILIMAP_RESP_COND_AUTH_PREAUTH ?
	    MAILIMAP_NO_ERROR_AUTHENTICATED :
	    MAILIMAP_NO_ERROR_NON_AUTHENTICATED;
	imap->imap_state = r == MAILIMAP_NO_ERROR_AUTHENTICATED ?
	    MAILIMAP_STATE_AUTHENTICATED : MAILIMAP_STATE_NON_AUTHENTICATED;
	mailimap_greeting_free(g);
	return r;
}

bool
imap_conn_has(mailimap *imap, const char *cap)
{
	struct mailimap_capability_data	*caps;

	if (imap == NULL || imap->imap_connection_info == NULL)
		return false;
	caps = imap->imap_connection_info->imap_capability;
	/* "* CAPABILITY" with none leaves the list NULL. */
	if (caps == NULL || caps->cap_list == NULL)
		return false;
	return mailimap_has_extension(imap, cap) != 0;
}

/* The capabilities the server announced last, or NULL if none are known. */
static struct mailimap_capability_data *
imap_conn_caps(const struct imap_session *s)
{
	if (s->imap == NULL || s->imap->imap_connection_info == NULL)
		return NULL;
	return s->imap->imap_connection_info->imap_capability;
}

/*
 * Forgets the capabilities: after STARTTLS (RFC 3501 section 6.2.1 says
 * what was said before TLS is not to be trusted) and before logging in,
 * so that the tagged OK's [CAPABILITY] is told from the old list.
 */
static void
imap_conn_caps_forget(struct imap_session *s)
{
	struct mailimap_capability_data	*caps = imap_conn_caps(s);

	if (caps == NULL)
		return;
	mailimap_capability_data_free(caps);
	s->imap->imap_connection_info->imap_capability = NULL;
}

/*
 * Sends CAPABILITY and reads the answer, which libetpan files in the
 * connection info.  Not mailimap_capability(): it copies that list, and
 * libetpan 1.9.4 dereferences it unchecked, so an OK without a
 * * CAPABILITY line would crash it.  These are the exported steps it is
 * made of.
 */
static int
imap_conn_capability_cmd(mailimap *imap)
{
	static const char		 cmd[] = "CAPABILITY\r\n";
	struct mailimap_response	*resp = NULL;
	int				 r, state;

	r = mailimap_send_current_tag(imap);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	if (mailstream_write(imap->imap_stream, cmd, sizeof cmd - 1) !=
	    (ssize_t)(sizeof cmd - 1) || mailstream_flush(imap->imap_stream) != 0 ||
	    mailimap_read_line(imap) == NULL)
		return MAILIMAP_ERROR_STREAM;
	r = mailimap_parse_response(imap, &resp);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	state = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->
	    rsp_type;
	mailimap_response_free(resp);
	return state == MAILIMAP_RESP_COND_STATE_OK ? MAILIMAP_NO_ERROR :
	    MAILIMAP_ERROR_CAPABILITY;
}

/*
 * Asks CAPABILITY unless the server listed them in a response code (the
 * greeting's, or the tagged OK of LOGIN's) since they were last forgotten.
 * A server that answers without any leaves the list empty.
 */
static int
imap_conn_capability(struct imap_session *s, struct err *err)
{
	int	r;

	if (imap_conn_caps(s) != NULL)
		return 0;
	r = imap_conn_capability_cmd(s->imap);
	if (r != MAILIMAP_NO_ERROR)
		return imap_conn_fail(s, r, "CAPABILITY", err);
	return 0;
}

/* The known capabilities as one line ("IMAP4rev1 IDLE AUTH=PLAIN"). */
static void
imap_conn_caps_text(const struct imap_session *s, char *out, size_t len)
{
	struct mailimap_capability_data	*caps = imap_conn_caps(s);
	struct mailimap_capability	*c;
	clistiter			*it;
	const char			*name;
	char				 safe[256];
	size_t				 n = 0;

	out[0] = '\0';
	if (caps == NULL || caps->cap_list == NULL)
		return;
	for (it = clist_begin(caps->cap_list); it != NULL && n + 1 < len;
	    it = clist_next(it)) {
		c = clist_content(it);
		if (c == NULL)
			continue;
		name = c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE ?
		    c->cap_data.cap_auth_type : c->cap_data.cap_name;
		snprintf(out + n, len - n, "%s%s%s", n > 0 ? " " : "",
		    c->cap_type == MAILIMAP_CAPABILITY_AUTH_TYPE ? "AUTH=" : "",
		    util_printable(name != NULL ? name : "", safe,
		    sizeof safe));
		n = strlen(out);
	}
}

/* Writes the pieces, then CRLF, and flushes; false when the stream failed. */
static bool
imap_conn_send(mailstream *ms, const char *const *pieces, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (mailstream_write(ms, pieces[i], strlen(pieces[i])) !=
		    (ssize_t)strlen(pieces[i]))
			return false;
	return mailstream_write(ms, "\r\n", 2) == 2 &&
	    mailstream_flush(ms) == 0;
}

/*
 * AUTHENTICATE PLAIN, XOAUTH2 or OAUTHBEARER, ir base64-encoded: as the
 * initial response of RFC 4959 when the server offers SASL-IR (sasl_ir,
 * as its capabilities said before they were forgotten for the login),
 * else after its continuation request, which is not parsed (libetpan parses one
 * without its parser context, and a string in its response code crashed
 * it).  A refusal comes as another continuation (OAuth: with the server's
 * JSON error); it is answered with the dummy response of RFC 7628 section
 * 3.2.3 (an empty line for XOAUTH2) or, for PLAIN, the "*" that cancels
 * (RFC 3501 section 6.2.2), and the tagged NO or BAD follows.  Not
 * mailimap_authenticate() nor mailimap_oauth2_authenticate(): both parse
 * that continuation so, the latter leaves the token in memory it frees and
 * knows neither OAUTHBEARER nor servers without SASL-IR.
 */
static int
imap_conn_sasl_ir(struct imap_session *s, const char *mech, const char *ir,
    bool sasl_ir)
{
	struct mailimap_response	*resp = NULL;
	mailimap			*imap = s->imap;
	const char			*dummy;
	const char			*cmd[] = { "AUTHENTICATE ", mech, " ", ir };
	char				*line;
	bool				 sent;
	int				 r, state;

	r = mailimap_send_current_tag(imap);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	s->in_auth = true;
	sent = imap_conn_send(imap->imap_stream, cmd, sasl_ir ? 4 : 2);
	s->in_auth = false;
	if (!sent)
		return MAILIMAP_ERROR_STREAM;
	line = mailimap_read_line(imap);
	if (line == NULL)
		return MAILIMAP_ERROR_STREAM;
	if (!sasl_ir && line[0] == '+') {
		/* RFC 3501 6.2.2: the response to the server's continuation. */
		s->in_auth = true;
		sent = imap_conn_send(imap->imap_stream, &ir, 1);
		s->in_auth = false;
		if (!sent)
			return MAILIMAP_ERROR_STREAM;
		line = mailimap_read_line(imap);
		if (line == NULL)
			return MAILIMAP_ERROR_STREAM;
	}
	if (line[0] == '+') {
		dummy = strcmp(mech, "OAUTHBEARER") == 0 ? "AQ==" :
		    strcmp(mech, "PLAIN") == 0 ? "*" : "";
		if (!imap_conn_send(imap->imap_stream, &dummy, 1) ||
		    mailimap_read_line(imap) == NULL)
			return MAILIMAP_ERROR_STREAM;
	}
	r = mailimap_parse_response(imap, &resp);
	if (r != MAILIMAP_NO_ERROR)
		return r;
	state = resp->rsp_resp_done->rsp_data.rsp_tagged->rsp_cond_state->
	    rsp_type;
	mailimap_response_free(resp);
	if (state != MAILIMAP_RESP_COND_STATE_OK)
		return MAILIMAP_ERROR_LOGIN;
	imap->imap_state = MAILIMAP_STATE_AUTHENTICATED;
	return MAILIMAP_NO_ERROR;
}

/*
 * Logs in with an access token of the source's OAuth 2.0 client.  A
 * token refused by the server is dropped from the cache, and the login
 * tried once more when the token endpoint gives another (a cached one
 * may have been revoked, or its server clock be ahead of ours).
 */
static int
imap_conn_oauth(struct imap_session *s, const struct source *src,
    const char *mech, struct err *err)
{
	struct oauth_client	*c = oauth_client_for(src);
	const char		*user = src->user != NULL ? src->user : "";
	char			*token = NULL, *ir, *last = NULL;
	bool			 sasl_ir;
	int			 attempt, r = MAILIMAP_ERROR_LOGIN;

	sasl_ir = imap_conn_has(s->imap, "SASL-IR");
	for (attempt = 0; attempt < 2; attempt++) {
		if (oauth_client_token(c, s->stop, &token, err) != 0) {
			oauth_free_token(last);
			return -1;
		}
		if (last != NULL && strcmp(last, token) == 0)
			break;	/* the same one: no use */
		ir = strcmp(mech, "OAUTHBEARER") == 0 ?
		    oauth_sasl_oauthbearer(user, s->url.host, s->url.port,
		    token) : oauth_sasl_xoauth2(user, token);
		imap_conn_caps_forget(s);
		r = imap_conn_sasl_ir(s, mech, ir, sasl_ir);
		oauth_free_token(ir);
		if (r != MAILIMAP_ERROR_LOGIN)
			break;
		log_info("%s: %s refused the access token; asking for another",
		    s->tag, s->url.host);
		oauth_client_refused(c, token);
		oauth_free_token(last);
		last = token;
		token = NULL;
	}
	oauth_free_token(token);
	oauth_free_token(last);
	return r;
}

/*
 * The initial response of SASL PLAIN (RFC 4616), base64-encoded: no
 * authorization identity, then the user and the secret.  Caller frees
 * with oauth_free_token, which wipes it.
 */
static char *
imap_conn_plain_ir(const char *user, const char *secret)
{
	size_t	 ulen = strlen(user), slen = strlen(secret);
	size_t	 n = ulen + slen + 2;
	char	*raw = xmalloc(n), *ir;

	raw[0] = '\0';
	memcpy(raw + 1, user, ulen);
	raw[ulen + 1] = '\0';
	memcpy(raw + ulen + 2, secret, slen);
	ir = oauth_base64(raw, n, false);
	explicit_bzero(raw, n);
	free(raw);
	return ir;
}

/* Logs in with the configured or best mechanism; the secret is wiped after. */
static int
imap_conn_login(struct imap_session *s, const struct source *src,
    struct err *err)
{
	bool		 xoauth2, plain = false, sasl_ir;
	char		*secret = NULL, *ir, text[512];
	const char	*user = src->user != NULL ? src->user : "";
	const char	*mech;
	int		 r;

	if (oauth_enabled(src)) {
		mech = strcmp(src->auth, "oauthbearer") == 0 ? "OAUTHBEARER" :
		    "XOAUTH2";
		r = imap_conn_oauth(s, src, mech, err);
		if (r == -1) {
			source_note(&s->rep, false, "%s", err->msg);
			return -1;
		}
		goto done;
	}
	xoauth2 = src->auth != NULL ? strcasecmp(src->auth, "xoauth2") == 0 :
	    (src->token.command != NULL || src->token.env != NULL ||
	    src->token.value != NULL);
	if (config_secret(xoauth2 ? &src->token : &src->password, &secret,
	    err) != 0) {
		source_note(&s->rep, false, "%s: %s", xoauth2 ? "token" :
		    "password", err->msg);
		return -1;
	}
	if (secret == NULL)
		secret = xstrdup("");
	if (!xoauth2) {
		plain = src->auth != NULL ? strcasecmp(src->auth, "plain") == 0 :
		    imap_conn_has(s->imap, "LOGINDISABLED");
		if (!plain && imap_conn_has(s->imap, "LOGINDISABLED")) {
			explicit_bzero(secret, strlen(secret));
			free(secret);
			err_set(err, ERR_FINAL, "%s: the server disables "
			    "LOGIN; set auth = plain or xoauth2", s->url.host);
			source_note(&s->rep, false, "%s", err->msg);
			return -1;
		}
	}
	mech = xoauth2 ? "XOAUTH2" : plain ? "AUTHENTICATE PLAIN" : "LOGIN";
	sasl_ir = imap_conn_has(s->imap, "SASL-IR");
	/* RFC 3501 6.2.3: the tagged OK may carry the new capabilities. */
	imap_conn_caps_forget(s);
	if (xoauth2 || plain) {
		ir = xoauth2 ? oauth_sasl_xoauth2(user, secret) :
		    imap_conn_plain_ir(user, secret);
		r = imap_conn_sasl_ir(s, xoauth2 ? "XOAUTH2" : "PLAIN", ir,
		    sasl_ir);
		oauth_free_token(ir);
	} else {
		s->in_auth = true;
		r = mailimap_login(s->imap, user, secret);
		s->in_auth = false;
	}
	explicit_bzero(secret, strlen(secret));
	free(secret);
done:
	if (r != MAILIMAP_NO_ERROR && r != MAILIMAP_NO_ERROR_AUTHENTICATED) {
		if (imap_conn_fatal_error(r))
			imap_conn_fail(s, r, "login", err);
		else
			err_set(err, ERR_WAIT, "%s: login as %s failed: %s",
			    s->url.host, user, imap_conn_response(s, text,
			    sizeof text));
		source_note(&s->rep, false, "%s (%s); check user = and the "
		    "%s of [imap %s]", err->msg, mech, oauth_enabled(src) ?
		    "OAuth 2.0 settings and the app's permissions" : "password",
		    src->key);
		return -1;
	}
	source_note(&s->rep, true, "logged in as %s (%s)", user, mech);
	return 0;
}

/* The transport's bounds for a source (imap-stream.h). */
static void
imap_conn_transport_conf(const struct source *src,
    struct imap_stream_conf *conf)
{
	memset(conf, 0, sizeof *conf);
	conf->timeout = src->timeout > 0 ? src->timeout : 60;
	conf->command_timeout = conf->timeout * IMAP_COMMAND_TIMEOUTS;
	conf->max_response = IMAP_MAX_RESPONSE;
}

/* Verifies the certificate of a TLS stream, with a hint when it fails. */
static int
imap_conn_verify(struct imap_session *s, const struct source *src,
    mailstream *ms, const char **hint, struct err *err)
{
	if (imap_stream_verify(ms, s->url.host, src->ca_file, err) != 0) {
		if (err->cls == ERR_FINAL)
			*hint = "fix ca_file =";
		else if (strstr(err->msg, "does not match") != NULL)
			*hint = "put the name the certificate is made out to in "
			    "url =";
		else if (strstr(err->msg, "expired") != NULL)
			*hint = "the server's certificate must be renewed";
		else if (strstr(err->msg, "not activated") != NULL)
			*hint = "the certificate is not valid yet: check the "
			    "clocks";
		else
			*hint = "set ca_file = to the CA that signed it (or to "
			    "the certificate itself when it is self-signed)";
		return -1;
	}
	source_note(&s->rep, true, "TLS: certificate verified for %s (%s%s)",
	    s->url.host, src->ca_file != NULL ? "ca_file " :
	    "system trust store", src->ca_file != NULL ? src->ca_file : "");
	return 0;
}

/*
 * Connects, verifies TLS before anything else is sent and logs in.  The
 * capabilities of the greeting are used when it has them; they are asked
 * again after STARTTLS (RFC 3501 section 6.2.1), and after login unless
 * the tagged OK carried them.
 */
int
imap_conn_open(struct imap_session *s, const struct source *src,
    struct err *err)
{
	struct imap_stream_conf	 conf;
	mailstream		*ms = NULL;
	char			 caps[1024];
	const char		*hint = NULL, *why;
	bool			 preauth;
	int			 r;

	if (s->url.implicit_tls && src->tls == TLS_NONE) {
		err_set(err, ERR_FINAL, "tls = none needs an imap:// url");
		source_note(&s->rep, false, "%s", err->msg);
		return -1;
	}
	s->imap = mailimap_new(0, NULL);
	if (s->imap == NULL)
		fatal("out of memory");
	if (log_level >= LOG_LVL_DEBUG)
		mailimap_set_logger(s->imap, imap_conn_logger, s);
	imap_conn_transport_conf(src, &conf);
	if (imap_stream_connect(s->url.host, s->url.port, s->url.implicit_tls,
	    &conf, s->stop, &ms, err) != 0) {
		if (strstr(err->msg, "TLS handshake") != NULL)
			hint = "is this port imaps (993) or imap with STARTTLS "
			    "(143)?";
		else
			hint = source_connect_hint(err->msg);
		goto fail;
	}
	source_note(&s->rep, true, "connected to %s:%u%s", s->url.host,
	    (unsigned)s->url.port, s->url.implicit_tls ? " with TLS (imaps)" :
	    "");
	/* The certificate is checked before even the greeting is read. */
	if (s->url.implicit_tls && imap_conn_verify(s, src, ms, &hint,
	    err) != 0) {
		mailstream_close(ms);
		goto fail;
	}
	imap_stream_arm(ms, s->stop, s->session_end, s->session_secs);
	r = imap_conn_greeting(s->imap, ms);
	if (r != MAILIMAP_NO_ERROR_AUTHENTICATED &&
	    r != MAILIMAP_NO_ERROR_NON_AUTHENTICATED) {
		imap_stream_failure(ms, &why);
		err_set(err, ERR_TEMP, "%s:%u: no IMAP greeting: %s", s->url.host,
		    (unsigned)s->url.port, why != NULL ? why :
		    r == MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION ?
		    "the server refused the connection (BYE)" :
		    imap_conn_strerror(r));
		hint = "is this an IMAP port? (timeout =)";
		goto fail;
	}
	preauth = r == MAILIMAP_NO_ERROR_AUTHENTICATED;

	if (!s->url.implicit_tls && src->tls != TLS_NONE) {
		if (preauth) {
			err_set(err, ERR_WAIT, "%s: the server sent PREAUTH "
			    "before STARTTLS; refusing an unencrypted session",
			    s->url.host);
			goto fail;
		}
		if (imap_conn_capability(s, err) != 0)
			goto fail;
		if (!imap_conn_has(s->imap, "STARTTLS")) {
			err_set(err, ERR_WAIT, "%s: the server does not offer "
			    "STARTTLS", s->url.host);
			hint = "use an imaps:// url, or tls = none only on "
			    "loopback";
			goto fail;
		}
		r = mailimap_starttls(s->imap);
		if (r != MAILIMAP_NO_ERROR) {
			imap_conn_fail(s, r, "STARTTLS", err);
			goto fail;
		}
		/*
		 * Anything the server sent after its OK would be taken as
		 * said under TLS (CVE-2020-15953): refused.
		 */
		if (imap_stream_buffered(s->imap->imap_stream)) {
			err_set(err, ERR_WAIT, "%s: STARTTLS: the server sent "
			    "more after its OK; refusing the connection",
			    s->url.host);
			goto fail;
		}
		if (imap_stream_starttls(s->imap->imap_stream, s->url.host,
		    err) != 0)
			goto fail;
		imap_conn_caps_forget(s);
		source_note(&s->rep, true, "STARTTLS negotiated");
		if (imap_conn_verify(s, src, s->imap->imap_stream, &hint,
		    err) != 0)
			goto fail;
	}
	if (src->tls == TLS_NONE)
		source_note(&s->rep, true, "TLS: none (tls = none): the "
		    "password crosses the network unencrypted");
	if (imap_conn_capability(s, err) != 0)
		goto fail;
	if (s->rep.say != NULL) {
		imap_conn_caps_text(s, caps, sizeof caps);
		source_note(&s->rep, true, "capabilities: %s", caps);
	}
	if (!preauth) {
		if (imap_conn_login(s, src, err) != 0) {
			imap_conn_close(s, false);
			return -1;
		}
		if (imap_conn_capability(s, err) != 0)
			goto fail;
		if (s->rep.say != NULL) {
			imap_conn_caps_text(s, caps, sizeof caps);
			source_note(&s->rep, true, "capabilities after login: "
			    "%s", caps);
		}
	} else
		source_note(&s->rep, true, "pre-authenticated by the server "
		    "(PREAUTH)");
	s->condstore = imap_conn_has(s->imap, "CONDSTORE");
	s->fresh = true;
	imap_log(LOG_LVL_INFO, s, "connected to %s:%u%s", s->url.host,
	    (unsigned)s->url.port, src->tls == TLS_NONE ? " without TLS" : "");
	return 0;
fail:
	util_trim(err->msg);	/* GnuTLS ends its reasons with a space */
	source_fail(&s->rep, err->msg, hint);
	imap_conn_close(s, false);
	return -1;
}

/*
 * libetpan 1.9.4 only hands FETCH responses to the message handler when
 * a progress callback is set (mailimap_parse_response() otherwise takes
 * the path that collects them all in a list), so this one does nothing.
 */
static void
imap_conn_progress(size_t current, size_t maximum, void *arg)
{
	(void)current;
	(void)maximum;
	(void)arg;
}

/*
 * Sets the streaming handler of the connection (again after a reconnect),
 * and tells the transport, whose bounds count a streamed FETCH as freed
 * once handled.
 */
void
imap_conn_stream_to(struct imap_session *s, mailimap_msg_att_handler *h,
    void *arg)
{
	imap_stream_keep(s->imap->imap_stream, h != NULL ? IMAP_KEEP_NO_FETCH :
	    IMAP_KEEP_ALL);
	mailimap_set_msg_att_handler(s->imap, h, arg);
	mailimap_set_progress_callback(s->imap, NULL, h != NULL ?
	    imap_conn_progress : NULL, NULL);
}

/*
 * Whether a failed command's answer was at fault rather than the
 * connection: libetpan could not parse it, or the transport refused it
 * for exceeding a bound.  why gets which.
 */
bool
imap_conn_bad_answer(struct imap_session *s, int r, char *why, size_t len)
{
	const char	*bound = NULL;

	if (s->imap != NULL && imap_stream_failure(s->imap->imap_stream,
	    &bound) == IMAP_STREAM_BOUND) {
		snprintf(why, len, "%s", bound);
		return true;
	}
	if (r == MAILIMAP_ERROR_PARSE && bound == NULL) {
		snprintf(why, len, "unparsable server response");
		return true;
	}
	return false;
}

/*
 * Starts a session: the stop flag (may be NULL) and the deadline of this
 * poll, or doctor's check, for the connection kept and those opened.
 */
void
imap_conn_arm(struct imap_session *s, const struct source *src,
    volatile sig_atomic_t *stop)
{
	s->stop = stop;
	s->session_secs = (int)SOURCE_TEST_HOOK("SALESCYCLE_TEST_SESSION_SECS",
	    (long)(src->timeout > 0 ? src->timeout : 60) *
	    IMAP_SESSION_TIMEOUTS);
	s->session_end = util_monotonic_ms() + (int64_t)s->session_secs * 1000;
	if (s->imap != NULL)
		imap_stream_arm(s->imap->imap_stream, s->stop, s->session_end,
		    s->session_secs);
}

struct imap_session *
imap_conn_new(const struct source *src, struct err *err)
{
	struct imap_session	*s = xcalloc(1, sizeof *s);

	if (imap_url_parse(src->url, &s->url, err) != 0) {
		free(s);
		return NULL;
	}
	s->tag = xasprintf("imap[%s]", src->key);
	s->sent = -1;
	return s;
}

void
imap_conn_free(struct imap_session *s)
{
	if (s == NULL)
		return;
	imap_conn_close(s, true);
	strlist_clear(&s->folders);
	strlist_clear(&s->missing);
	free(s->tag);
	free(s);
}
