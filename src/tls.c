/* SPDX-License-Identifier: MIT */
/*
 * Server certificate checks for libetpan's GnuTLS streams.  libetpan 1.9.4
 * as built by Debian completes the handshake without looking at the
 * certificate at all (sync-techniques.md section 2), so tls_verify()
 * takes the chain the server sent from mailstream_get_certificate_chain()
 * and verifies it with a GnuTLS trust list (system store plus ca_file),
 * including the host name and the TLS server key purpose.  It does not
 * pin certificates and does not cache trust lists between connections.
 */
#include <arpa/inet.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define LOG_TAG "tls"
#include "log.h"
#include "tls.h"

#define TLS_MAX_CHAIN 16

/* Sends SNI for host names; RFC 6066 section 3 forbids IP literals. */
void
tls_sni_callback(struct mailstream_ssl_context *ctx, void *data)
{
	const char		*host = data;
	unsigned char		 addr[sizeof(struct in6_addr)];

	if (host == NULL || inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1)
		return;
	if (mailstream_ssl_set_server_name(ctx, (char *)host) != 0)
		log_warn("%s: cannot set the TLS server name", host);
}

/* Names a certificate by its subject for error messages. */
static void
tls_subject(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
	gnutls_datum_t	dn = { NULL, 0 };

	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0 || dn.data == NULL) {
		snprintf(out, outlen, "(no subject)");
		return;
	}
	snprintf(out, outlen, "%.*s", (int)dn.size, (const char *)dn.data);
	gnutls_free(dn.data);
}

int
tls_verify(mailstream *s, const char *host, const char *ca_file,
    struct err *err)
{
	carray				*chain;
	gnutls_x509_crt_t		 crts[TLS_MAX_CHAIN];
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_typed_vdata_st		 vdata[2];
	gnutls_datum_t			 why = { NULL, 0 };
	unsigned int			 n = 0, i, status = 0;
	char				 subject[256];
	int				 r, rc = -1;

	chain = mailstream_get_certificate_chain(s);
	if (chain == NULL || carray_count(chain) == 0) {
		err_set(err, ERR_WAIT, "%s: TLS: the server sent no certificate",
		    host);
		goto out;
	}
	for (i = 0; i < carray_count(chain) && n < TLS_MAX_CHAIN; i++) {
		MMAPString	*der = carray_get(chain, i);
		gnutls_datum_t	 d = { (unsigned char *)der->str, (unsigned)der->len };

		if (gnutls_x509_crt_init(&crts[n]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[n], &d, GNUTLS_X509_FMT_DER) < 0) {
			gnutls_x509_crt_deinit(crts[n]);
			err_set(err, ERR_WAIT, "%s: TLS: certificate %u of the "
			    "server's chain cannot be parsed", host, i);
			goto out;
		}
		n++;
	}
	if (n == 0) {
		err_set(err, ERR_WAIT, "%s: TLS: no usable certificate", host);
		goto out;
	}
	tls_subject(crts[0], subject, sizeof subject);

	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		err_set(err, ERR_TEMP, "%s: TLS: cannot create a trust list", host);
		goto out;
	}
	r = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
	if (r < 0)
		log_warn("cannot load the system trust store: %s",
		    gnutls_strerror(r));
	if (ca_file != NULL) {
		r = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL,
		    GNUTLS_X509_FMT_PEM, 0, 0);
		if (r <= 0) {
			err_set(err, ERR_FINAL, "%s: TLS: ca_file %s: %s", host,
			    ca_file, r < 0 ? gnutls_strerror(r) :
			    "no certificate in it");
			goto out;
		}
	}

	memset(vdata, 0, sizeof vdata);
	vdata[0].type = GNUTLS_DT_DNS_HOSTNAME;
	vdata[0].data = (unsigned char *)host;
	vdata[1].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vdata[1].data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER;
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, n, vdata, 2, 0,
	    &status, NULL);
	if (r < 0) {
		err_set(err, ERR_WAIT, "%s: TLS: cannot verify certificate "
		    "\"%s\": %s", host, subject, gnutls_strerror(r));
		goto out;
	}
	if (status != 0) {
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &why, 0) < 0)
			why.data = NULL;
		err_set(err, ERR_WAIT, "%s: TLS: certificate \"%s\" refused: %s",
		    host, subject, why.data != NULL ? (const char *)why.data :
		    "not trusted");
		gnutls_free(why.data);
		goto out;
	}
	log_debug("%s: certificate \"%s\" verified", host, subject);
	rc = 0;
out:
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	if (chain != NULL)
		mailstream_certificate_chain_free(chain);
	return rc;
}
