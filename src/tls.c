/* SPDX-License-Identifier: MIT */
/*
 * Server certificate checks for the IMAP transport's GnuTLS sessions.
 * The handshake (imap-stream.c) trusts nothing by itself; tls_verify()
 * takes the chain the server sent and verifies it with a GnuTLS trust
 * list (system store plus ca_file), including the host name and the TLS
 * server key purpose.  (libetpan 1.9.4's own GnuTLS stream, used before,
 * never looked at the certificate: sync-techniques.md section 2.)  It
 * does not pin certificates and does not cache trust lists between
 * connections.
 */
#include <stdio.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define LOG_TAG "tls"
#include "log.h"
#include "tls.h"
#include "util.h"

#define TLS_MAX_CHAIN 16

/*
 * Names a certificate by its subject for error messages, made safe to
 * show: the server chose it.
 */
static void
tls_subject(gnutls_x509_crt_t crt, char *out, size_t outlen)
{
	gnutls_datum_t	dn = { NULL, 0 };
	char		raw[512];

	if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0 || dn.data == NULL) {
		snprintf(out, outlen, "(no subject)");
		return;
	}
	snprintf(raw, sizeof raw, "%.*s", (int)dn.size, (const char *)dn.data);
	gnutls_free(dn.data);
	util_printable(raw, out, outlen);
}

int
tls_verify(gnutls_session_t s, const char *host, const char *ca_file,
    struct err *err)
{
	const gnutls_datum_t		*chain;
	unsigned int			 nchain = 0;
	gnutls_x509_crt_t		 crts[TLS_MAX_CHAIN];
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_typed_vdata_st		 vdata[2];
	gnutls_datum_t			 why = { NULL, 0 };
	unsigned int			 n = 0, i, status = 0;
	char				 subject[256];
	int				 r, rc = -1;

	chain = gnutls_certificate_get_peers(s, &nchain);
	if (chain == NULL || nchain == 0) {
		err_set(err, ERR_WAIT, "%s: TLS: the server sent no certificate",
		    host);
		goto out;
	}
	for (i = 0; i < nchain && n < TLS_MAX_CHAIN; i++) {
		if (gnutls_x509_crt_init(&crts[n]) < 0)
			break;
		if (gnutls_x509_crt_import(crts[n], &chain[i],
		    GNUTLS_X509_FMT_DER) < 0) {
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
	return rc;
}
