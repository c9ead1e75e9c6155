/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the pure parts of oauth.c: token endpoint answers parsed
 * field by field (duplicate keys, tokens with spaces, numbers as strings,
 * server text made printable), base64 and base64url, the SASL initial
 * responses of XOAUTH2 and OAUTHBEARER, token files written 0600 whatever
 * the umask and refused when others can read them, the RS256 assertion
 * of a service account (checked with GnuTLS's verifier), and the provider
 * presets and checks of the settings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "config.h"
#include "helpers.h"
#include "oauth.h"
#include "xmalloc.h"

/* Decodes base64 or base64url (no padding needed); caller frees. */
static char *
b64_decode(const char *in, size_t *outlen)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	char		*out = calloc(1, strlen(in) + 1);
	const char	*p;
	uint32_t	 v = 0;
	int		 bits = 0, d;
	size_t		 n = 0;

	assert_non_null(out);
	for (p = in; *p != '\0' && *p != '='; p++) {
		if (*p == '+' || *p == '-')
			d = 62;
		else if (*p == '/' || *p == '_')
			d = 63;
		else {
			assert_non_null(strchr(a, *p));
			d = (int)(strchr(a, *p) - a);
		}
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (char)(v >> bits & 0xff);
		}
	}
	*outlen = n;
	return out;
}

static void
test_oauth_reply_parse(void **state)
{
	struct oauth_reply	r;
	struct err		err;
	static const char ok[] = "{\"access_token\":\"eyJ0.a-b_c~d+e/f=\","
	    "\"token_type\":\"Bearer\",\"expires_in\":\"3599\","
	    "\"refresh_token\":\"M.R3_BAY\",\"scope\":\"x\",\"ext\":[1,2]}";
	static const char *const bad[] = {
		"",
		"[]",
		"{\"access_token\":\"a\",\"access_token\":\"b\"}",
		"{\"access_token\":\"with space\"}",
		"{\"access_token\":\"\"}",
		"{\"access_token\":42}",
		"{\"access_token\":\"a\\u0000b\"}",
		"{\"expires_in\":-5}",
		"{\"expires_in\":\"12s\"}",
		"{\"verification_uri\":\"javascript:alert(1)\"}",
		"{\"user_code\":\"\"}",
	};
	size_t	i;
	(void)state;

	assert_int_equal(oauth_reply_parse(ok, strlen(ok), &r, &err), 0);
	assert_string_equal(r.access_token, "eyJ0.a-b_c~d+e/f=");
	assert_string_equal(r.refresh_token, "M.R3_BAY");
	assert_string_equal(r.token_type, "Bearer");
	assert_int_equal(r.expires_in, 3599);
	assert_int_equal(r.interval, -1);
	assert_null(r.error);
	oauth_reply_clear(&r);

	/* Error texts reach terminals and logs: made printable. */
	static const char e[] = "{\"error\":\"invalid_grant\","
	    "\"error_description\":\"AADSTS70000\\u001b[31m\\nrevoked\"}";
	assert_int_equal(oauth_reply_parse(e, strlen(e), &r, &err), 0);
	assert_string_equal(r.error, "invalid_grant");
	assert_null(strchr(r.error_description, '\033'));
	assert_null(strchr(r.error_description, '\n'));
	oauth_reply_clear(&r);

	/* Google's device answer names its URL verification_url. */
	static const char g[] = "{\"device_code\":\"AH-1\",\"user_code\":"
	    "\"GQVQ-JKEC\",\"verification_url\":\"https://www.google.com/"
	    "device\",\"expires_in\":1800,\"interval\":5}";
	assert_int_equal(oauth_reply_parse(g, strlen(g), &r, &err), 0);
	assert_string_equal(r.verification_uri, "https://www.google.com/device");
	assert_int_equal(r.interval, 5);
	oauth_reply_clear(&r);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (oauth_reply_parse(bad[i], strlen(bad[i]), &r, &err) == 0)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(err.cls, ERR_WAIT);
		assert_null(r.access_token);
	}
}

static void
test_oauth_base64(void **state)
{
	static const struct {
		const char	*in, *std, *url;
	} rows[] = {
		/* RFC 4648 section 10. */
		{ "", "", "" },
		{ "f", "Zg==", "Zg" },
		{ "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" },
		{ "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
		{ "\xfb\xff\xbf", "+/+/", "-_-_" },
	};
	char	*s;
	size_t	 i;
	(void)state;

	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		s = oauth_base64(rows[i].in, strlen(rows[i].in), false);
		assert_string_equal(s, rows[i].std);
		free(s);
		s = oauth_base64(rows[i].in, strlen(rows[i].in), true);
		assert_string_equal(s, rows[i].url);
		free(s);
	}
}

static void
test_oauth_sasl(void **state)
{
	static const char xo[] = "user=anna@brightline.nl\001auth=Bearer "
	    "tok.en\001\001";
	static const char ob[] = "n,a=a=2Cb=3Dc@x.nl,\001host=imap.example"
	    "\001port=993\001auth=Bearer tok.en\001\001";
	char	*s, *d;
	size_t	 n;
	(void)state;

	s = oauth_sasl_xoauth2("anna@brightline.nl", "tok.en");
	d = b64_decode(s, &n);
	assert_int_equal(n, sizeof xo - 1);
	assert_memory_equal(d, xo, n);
	free(d);
	oauth_free_token(s);
	/* RFC 7628 3.1 with RFC 5801's escapes of "," and "=". */
	s = oauth_sasl_oauthbearer("a,b=c@x.nl", "imap.example", 993, "tok.en");
	d = b64_decode(s, &n);
	assert_int_equal(n, sizeof ob - 1);
	assert_memory_equal(d, ob, n);
	free(d);
	oauth_free_token(s);
}

static void
test_oauth_files(void **state)
{
	struct stat	 st;
	struct err	 err;
	char		 path[512];
	char		*data;
	size_t		 len;
	mode_t		 old;
	(void)state;

	snprintf(path, sizeof path, "%s/oauth-imap-anna.json", test_tmpdir());
	old = umask(0);
	assert_int_equal(oauth_file_write(path, "{\"a\":1}", 7, &err), 0);
	assert_int_equal(oauth_file_write(path, "{\"b\":22}", 8, &err), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(oauth_file_read(path, "token file", &data, &len,
	    &err), 0);
	assert_int_equal(len, 8);
	assert_string_equal(data, "{\"b\":22}");
	oauth_free_token(data);
	/* Readable by others: refused, and the message says what to do. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(oauth_file_read(path, "token file", &data, &len,
	    &err), -1);
	assert_int_equal(err.cls, ERR_FINAL);
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_null(data);
	/* Replaced by root: still the agent's user's (sudo salescycle doctor). */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 4321, 4321), 0);
		assert_int_equal(oauth_file_write(path, "{}", 2, &err), 0);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_uid, 4321);
		assert_int_equal(st.st_gid, 4321);
	}
	unlink(path);
	assert_int_equal(oauth_file_read(path, "token file", &data, &len,
	    &err), -1);
	assert_int_equal(err.cls, ERR_WAIT);
	/* A folder that is not there: an error, nothing left behind. */
	snprintf(path, sizeof path, "%s/none/x.json", test_tmpdir());
	assert_int_equal(oauth_file_write(path, "x", 1, &err), -1);
}

/* A JSON key of a service account with a new RSA key of bits; caller frees. */
static char *
sa_key(unsigned bits, gnutls_pubkey_t *pub)
{
	gnutls_x509_privkey_t	 x;
	gnutls_privkey_t	 k;
	gnutls_datum_t		 pem;
	struct buf		 b = { 0 };
	char			*p;

	assert_int_equal(gnutls_x509_privkey_init(&x), 0);
	assert_int_equal(gnutls_x509_privkey_generate(x, GNUTLS_PK_RSA, bits,
	    0), 0);
	assert_int_equal(gnutls_x509_privkey_export2(x, GNUTLS_X509_FMT_PEM,
	    &pem), 0);
	assert_int_equal(gnutls_privkey_init(&k), 0);
	assert_int_equal(gnutls_privkey_import_x509(k, x,
	    GNUTLS_PRIVKEY_IMPORT_COPY), 0);
	assert_int_equal(gnutls_pubkey_init(pub), 0);
	assert_int_equal(gnutls_pubkey_import_privkey(*pub, k, 0, 0), 0);
	/* The PEM in a JSON string: its line feeds as \n. */
	buf_puts(&b, "{\"type\":\"service_account\",\"client_email\":"
	    "\"sc@brightline.iam.gserviceaccount.com\",\"private_key_id\":"
	    "\"k1\",\"private_key\":\"");
	for (p = (char *)pem.data; p < (char *)pem.data + pem.size; p++)
		if (*p == '\n')
			buf_puts(&b, "\\n");
		else
			buf_append(&b, p, 1);
	buf_append(&b, "\"}", 3);	/* with its NUL */
	gnutls_free(pem.data);
	gnutls_privkey_deinit(k);
	gnutls_x509_privkey_deinit(x);
	return b.data;
}

static void
test_oauth_jwt(void **state)
{
	gnutls_pubkey_t	 pub;
	gnutls_datum_t	 data, sig;
	struct err	 err;
	char		*key, *jwt, *iss, *h, *c, *s, *dot1, *dot2;
	size_t		 hn, cn, sn;
	(void)state;

	key = sa_key(2048, &pub);
	assert_int_equal(oauth_jwt_build(key, strlen(key), "anna@brightline.nl",
	    "https://mail.google.com/", "https://oauth2.googleapis.com/token",
	    1700000000, &jwt, &iss, &err), 0);
	assert_string_equal(iss, "sc@brightline.iam.gserviceaccount.com");
	dot1 = strchr(jwt, '.');
	assert_non_null(dot1);
	dot2 = strchr(dot1 + 1, '.');
	assert_non_null(dot2);
	assert_null(strchr(dot2 + 1, '.'));
	*dot1 = '\0';
	*dot2 = '\0';
	h = b64_decode(jwt, &hn);
	c = b64_decode(dot1 + 1, &cn);
	s = b64_decode(dot2 + 1, &sn);
	assert_string_equal(h, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
	assert_string_equal(c, "{\"iss\":\"sc@brightline.iam.gserviceaccount.com\","
	    "\"sub\":\"anna@brightline.nl\",\"scope\":\"https://mail.google.com/\","
	    "\"aud\":\"https://oauth2.googleapis.com/token\",\"iat\":1700000000,"
	    "\"exp\":1700003600}");
	/* RS256 over "header.claims", as a verifier checks it. */
	*dot1 = '.';
	data.data = (unsigned char *)jwt;
	data.size = (unsigned)strlen(jwt);
	sig.data = (unsigned char *)s;
	sig.size = (unsigned)sn;
	assert_int_equal(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256,
	    0, &data, &sig), 0);
	/* One bit of the claims changed: the signature no longer holds. */
	jwt[strlen(jwt) - 2] ^= 1;
	assert_true(gnutls_pubkey_verify_data2(pub, GNUTLS_SIGN_RSA_SHA256, 0,
	    &data, &sig) < 0);
	free(h);
	free(c);
	free(s);
	free(iss);
	oauth_free_token(jwt);
	gnutls_pubkey_deinit(pub);
	free(key);

	/* Too small a key, or no key at all: the key is unusable. */
	key = sa_key(1024, &pub);
	assert_int_equal(oauth_jwt_build(key, strlen(key), "a@b", "s", "aud",
	    1700000000, &jwt, NULL, &err), -1);
	assert_int_equal(err.cls, ERR_FINAL);
	assert_non_null(strstr(err.msg, "2048"));
	gnutls_pubkey_deinit(pub);
	free(key);
	assert_int_equal(oauth_jwt_build("{\"client_email\":\"x\"}", 20, "a@b",
	    "s", "aud", 1700000000, &jwt, NULL, &err), -1);
	assert_non_null(strstr(err.msg, "private_key"));
}

/* Loads a config of one salesperson and text; 0 or -1 with err. */
static int
load(const char *text, mode_t mode, struct config *cfg, struct err *err)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof path, "%s/oauth.conf", test_tmpdir());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[general]\ndatabase = /var/lib/sc/sc.db\n"
	    "[salesperson anna]\nemail = anna@brightline.nl\n%s", text);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return config_load(path, cfg, err);
}

static void
test_oauth_presets(void **state)
{
	static const struct {
		const char	*text;
		const char	*msg;	/* NULL: it loads */
	} bad[] = {
		{ "[imap anna]\nprovider = yahoo\n", "bad provider 'yahoo'" },
		{ "[caldav anna]\nprovider = microsoft365\noauth_client_id = x\n",
		    "provider = microsoft365 has no [caldav]" },
		{ "[imap anna]\nprovider = microsoft365\noauth_client_id = x\n"
		    "oauth_flow = client_credentials\noauth_client_secret = s\n",
		    "needs oauth_tenant" },
		{ "[imap anna]\nprovider = microsoft365\n",
		    "oauth_flow = device needs oauth_client_id" },
		{ "[imap anna]\nprovider = google\noauth_flow = sideways\n",
		    "bad oauth_flow 'sideways'" },
		{ "[imap anna]\nurl = imaps://h\nauth = bearer\n"
		    "oauth_token_url = https://t/\noauth_client_id = x\n"
		    "oauth_device_url = https://d/\n",
		    "OAuth 2.0 needs auth = xoauth2 or oauthbearer" },
		{ "[imap anna]\nurl = imaps://h\noauth_client_id = x\n"
		    "oauth_device_url = http://d/\noauth_token_url = http://t/\n",
		    "must be https:// URLs" },
		{ "[imap anna]\nurl = imaps://h\ntoken_command = t\n"
		    "oauth_token_url = https://t/\n", "one or the other" },
		{ "[ics anna]\nurl = https://h/c.ics\noauth_client_id = x\n",
		    "an ICS feed takes no OAuth 2.0 settings" },
		{ "[imap anna]\nurl = imaps://h\nauth = xoauth2\n",
		    "auth = xoauth2 needs 'token_command' or OAuth 2.0" },
		{ "[imap anna]\nprovider = google\n",
		    "oauth_flow = service_account needs oauth_key_file" },
	};
	struct config	 cfg;
	struct err	 err;
	struct source	*s;
	char		 keypath[512];
	size_t		 i;
	(void)state;

	/* Microsoft 365: the salesperson signs in; the tenant in the URLs. */
	assert_int_equal(load("[imap anna]\nprovider = microsoft365\n"
	    "oauth_tenant = brightline.nl\noauth_client_id = 1234\n", 0600, &cfg,
	    &err), 0);
	s = &cfg.sources[0];
	assert_string_equal(s->url, "imaps://outlook.office365.com");
	assert_string_equal(s->user, "anna@brightline.nl");
	assert_string_equal(s->auth, "xoauth2");
	assert_int_equal(s->oauth.flow, OAUTH_DEVICE);
	assert_string_equal(s->oauth.scope, "https://outlook.office.com/"
	    "IMAP.AccessAsUser.All offline_access");
	assert_string_equal(s->oauth.device_url, "https://login.microsoftonline"
	    ".com/brightline.nl/oauth2/v2.0/devicecode");
	assert_string_equal(s->oauth.token_url, "https://login.microsoftonline"
	    ".com/brightline.nl/oauth2/v2.0/token");
	assert_string_equal(s->oauth.token_file,
	    "/var/lib/sc/oauth-imap-anna.json");
	assert_true(oauth_enabled(s));
	config_free(&cfg);

	/* Microsoft Graph: the user's calendars, Calendars.Read. */
	assert_int_equal(load("[graph anna]\nprovider = microsoft365\n"
	    "oauth_client_id = 1234\n", 0600, &cfg, &err), 0);
	s = &cfg.sources[0];
	assert_string_equal(s->url, "https://graph.microsoft.com/v1.0/users/"
	    "anna@brightline.nl");
	assert_string_equal(s->auth, "bearer");
	assert_string_equal(s->oauth.scope, "https://graph.microsoft.com/"
	    "Calendars.Read offline_access");
	assert_string_equal(s->oauth.token_file,
	    "/var/lib/sc/oauth-graph-anna.json");
	config_free(&cfg);

	/* The app's own permissions: the .default scope, no token file. */
	assert_int_equal(load("[imap anna]\nprovider = microsoft365\n"
	    "oauth_tenant = t1\noauth_client_id = 1234\noauth_flow = "
	    "client_credentials\noauth_client_secret_env = X\n", 0600, &cfg,
	    &err), 0);
	s = &cfg.sources[0];
	assert_string_equal(s->oauth.scope,
	    "https://outlook.office365.com/.default");
	assert_null(s->oauth.device_url);
	assert_null(s->oauth.token_file);
	config_free(&cfg);

	/* Google CalDAV: the user's calendar URL, a service account. */
	snprintf(keypath, sizeof keypath, "%s/sa.json", test_tmpdir());
	{
		char	 text[1024];
		FILE	*f = fopen(keypath, "w");

		assert_non_null(f);
		fputs("{}", f);
		fclose(f);
		assert_int_equal(chmod(keypath, 0600), 0);
		snprintf(text, sizeof text, "[caldav anna]\nprovider = google\n"
		    "oauth_key_file = %s\n", keypath);
		assert_int_equal(load(text, 0600, &cfg, &err), 0);
		s = &cfg.sources[0];
		assert_string_equal(s->url, "https://apidata.googleusercontent"
		    ".com/caldav/v2/anna@brightline.nl/user");
		assert_string_equal(s->auth, "bearer");
		assert_int_equal(s->oauth.flow, OAUTH_SERVICE_ACCOUNT);
		assert_string_equal(s->oauth.token_url,
		    "https://oauth2.googleapis.com/token");
		config_free(&cfg);
		/* Readable by others: refused like a password in the file. */
		assert_int_equal(chmod(keypath, 0640), 0);
		assert_int_equal(load(text, 0600, &cfg, &err), -1);
		assert_non_null(strstr(err.msg, "chmod 600"));
	}

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (load(bad[i].text, 0600, &cfg, &err) == 0) {
			config_free(&cfg);
			fail_msg("accepted: %s", bad[i].text);
		}
		if (strstr(err.msg, bad[i].msg) == NULL)
			fail_msg("%s: got \"%s\", want \"%s\"", bad[i].text,
			    err.msg, bad[i].msg);
	}
	/* A client secret in a file others can read: refused. */
	assert_int_equal(load("[imap anna]\nprovider = microsoft365\n"
	    "oauth_client_id = x\noauth_client_secret = s3cret\n", 0644, &cfg,
	    &err), -1);
	assert_non_null(strstr(err.msg, "'oauth_client_secret' in a file "
	    "readable by group or others"));
	assert_null(strstr(err.msg, "s3cret"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oauth_reply_parse),
		cmocka_unit_test(test_oauth_base64),
		cmocka_unit_test(test_oauth_sasl),
		cmocka_unit_test(test_oauth_files),
		cmocka_unit_test(test_oauth_jwt),
		cmocka_unit_test(test_oauth_presets),
	};
	int	rc;

	rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_tmpdir_cleanup();
	return rc;
}
