/* SPDX-License-Identifier: MIT */
/*
 * OAuth 2.0 for the sources: the settings of a source resolved with the
 * provider presets (Microsoft 365, Google), the token endpoint client
 * (refresh tokens, RFC 8628 device authorization, RFC 6749 client
 * credentials, RFC 7523 JWT bearer signed RS256 with GnuTLS), the files
 * that keep the refresh tokens, and a cache of access tokens per source
 * that any driver uses: IMAP for XOAUTH2 and OAUTHBEARER, http.c for
 * Bearer (CalDAV, and Microsoft Graph the same way).
 *
 * A driver asks oauth_client_for(src) for the source's client and
 * oauth_client_token() for an access token whenever it authenticates;
 * when the server refuses one, oauth_client_refused() makes the next call
 * fetch another.  Clients live until the process exits (they are few:
 * one per source and settings), so a driver may keep the pointer across
 * polls and reloads.
 *
 * Tokens never reach a log line, an error, the database, `status` or a
 * command line; buffers that held one are wiped (jansson's too).
 */
#ifndef SC_OAUTH_H
#define SC_OAUTH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "err.h"
#include "source.h"

/* Bytes of a token endpoint's answer, a token file, a key file. */
#define OAUTH_MAX_RESPONSE	(64u * 1024)
/* Bytes of one token (access, refresh, device code). */
#define OAUTH_MAX_TOKEN		16384

struct oauth_client;

/* The name of a flow as oauth_flow = takes it. */
const char	*oauth_flow_name(enum oauth_flow);

/*
 * After parsing: fills what provider = presets (url, auth, flow,
 * endpoints, scope), the user from the salesperson's first address, and
 * the token file beside cfg->database; checks that the settings make one
 * working whole.  -1 with a message (no "PATH:LINE:") in msg otherwise.
 */
int	 oauth_conf_resolve(const struct config *cfg, struct source *src,
	    char *msg, size_t len);

/* Whether the source gets its tokens from OAuth 2.0 settings of its own. */
bool	 oauth_enabled(const struct source *);

/* The client of a source (NULL without OAuth 2.0); lives until exit. */
struct oauth_client *oauth_client_for(const struct source *);

/*
 * An access token: the cached one while it has more than a little time
 * left, else a new one from the token endpoint (a refresh token from the
 * source's token file, rotated ones written back; client credentials; a
 * signed JWT).  A refresh token refused as invalid_grant fails with
 * "sign in again: salescycle login SOURCE", and is not sent again until
 * the file changes.  stop (may be NULL) ends a request in progress.
 * Caller wipes and frees *token (oauth_free_token).  -1 with err.
 */
int	 oauth_client_token(struct oauth_client *, volatile sig_atomic_t *stop,
	    char **token, struct err *);

/* A server refused token: the next oauth_client_token fetches another. */
void	 oauth_client_refused(struct oauth_client *, const char *token);

/* Wipes and frees a token; NULL is ignored. */
void	 oauth_free_token(char *);

/*
 * `salescycle login SOURCE`: the device authorization grant (RFC 8628).
 * Prints where to sign in and the code to out, polls the token endpoint
 * as the server asks until the user signed in, declined, or the code
 * expired, and stores the refresh token in the source's token file
 * (mode 0600, written atomically).  -1 with err.
 */
int	 oauth_login(const struct source *, FILE *out,
	    volatile sig_atomic_t *stop, struct err *);

/*
 * doctor's OAuth 2.0 lines: which flow, where the sign-in is kept, and
 * whether a token can be had now and until when.  Returns 0 when it can.
 */
int	 oauth_doctor(const struct source *, source_say_fn say, void *arg);

/* Pure parts, for the unit tests and the IMAP SASL exchange. */

/* What a token endpoint (or device authorization endpoint) answered. */
struct oauth_reply {
	char		*access_token;		/* owned, wiped */
	char		*refresh_token;		/* owned, wiped */
	char		*token_type;
	long long	 expires_in;		/* seconds; -1 if not given */
	char		*error;			/* printable, bounded */
	char		*error_description;	/* printable, bounded */
	char		*device_code;		/* owned, wiped */
	char		*user_code;		/* printable */
	char		*verification_uri;	/* http(s) URL, printable */
	char		*verification_uri_complete;
	long long	 interval;		/* seconds; -1 if not given */
};

/*
 * Parses a JSON answer (jansson; duplicate keys refused) into r, each
 * field checked: tokens are 1 to OAUTH_MAX_TOKEN visible ASCII
 * characters, texts are made printable and bounded, numbers are
 * integers (or strings of digits, as some servers send expires_in).
 * -1 with err (ERR_WAIT) when it is no JSON object or a field is bad.
 */
int	 oauth_reply_parse(const char *body, size_t len, struct oauth_reply *r,
	    struct err *);
void	 oauth_reply_clear(struct oauth_reply *);

/*
 * base64 (RFC 4648 section 4), or base64url without padding (section
 * 5).  Caller frees.
 */
char	*oauth_base64(const void *data, size_t len, bool url);

/*
 * The signed assertion of RFC 7523 for a Google service account: key_json
 * is the account's JSON key (client_email, private_key in PEM, optional
 * private_key_id), signed RS256 with GnuTLS; iss = client_email, sub,
 * scope, aud, iat = now, exp = now + 1 hour.  *jwt (caller frees with
 * oauth_free_token) and, when iss is not NULL, the client_email (caller
 * frees).  -1 with err (ERR_FINAL: the key is unusable).
 */
int	 oauth_jwt_build(const char *key_json, size_t len, const char *sub,
	    const char *scope, const char *aud, time_t now, char **jwt,
	    char **iss, struct err *);

/*
 * The client assertion of RFC 7523 section 2.2 with which an app proves
 * itself with its certificate instead of a secret (Microsoft's
 * certificate credentials): pem holds the certificate and its RSA key;
 * header x5t = the certificate's SHA-1 thumbprint; iss = sub =
 * client_id, aud = the token endpoint, a random jti, ten minutes of
 * life.  *jwt: caller frees with oauth_free_token.  -1 with err
 * (ERR_FINAL: the file is unusable).
 */
int	 oauth_client_assertion(const char *pem, const char *client_id,
	    const char *aud, time_t now, char **jwt, struct err *);

/*
 * The SASL initial responses, base64-encoded: XOAUTH2 (Google's and
 * Microsoft's) and OAUTHBEARER (RFC 7628 section 3.1, with host and
 * port).  Caller frees with oauth_free_token.
 */
char	*oauth_sasl_xoauth2(const char *user, const char *token);
char	*oauth_sasl_oauthbearer(const char *user, const char *host,
	    unsigned port, const char *token);

/*
 * Writes data to path atomically: a temporary file in the same folder,
 * mode 0600 whatever the umask, written, fsync'ed, renamed over path,
 * and the folder fsync'ed.  Written by root, it keeps the owner of the
 * file it replaces (else of the folder), so that the agent's user can
 * still read it.  -1 with err; path is then as it was.
 */
int	 oauth_file_write(const char *path, const char *data, size_t len,
	    struct err *);

/*
 * Reads a private file (a token file, a key file): a regular file of at
 * most OAUTH_MAX_RESPONSE bytes that group and others cannot read.  what
 * names it in errors.  Caller frees *out with oauth_free_token.  -1 with
 * err (ERR_FINAL when the file is unfit, ERR_WAIT when missing).
 */
int	 oauth_file_read(const char *path, const char *what, char **out,
	    size_t *len, struct err *);

#endif
