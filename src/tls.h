/* SPDX-License-Identifier: MIT */
/*
 * Certificate verification for libetpan's TLS streams.  Debian's libetpan
 * is built with GnuTLS and never verifies the server's certificate, so
 * every TLS connection is checked here, after the handshake and before any
 * credential is sent: the peer's chain against the system trust store plus
 * an optional extra CA file, and the certificate against the host name.
 * This module also sets SNI, which libetpan only sends when asked to.
 */
#ifndef SC_TLS_H
#define SC_TLS_H

#include <libetpan/libetpan.h>

#include "err.h"

/* libetpan connect callback: sets SNI to data (the host name, a char *). */
void	tls_sni_callback(struct mailstream_ssl_context *, void *data);

/*
 * Verifies the peer certificate chain of a TLS stream for host, trusting
 * the system store and ca_file (PEM, may be NULL).  On failure fills err
 * (ERR_WAIT; ERR_FINAL when ca_file cannot be read) naming the
 * certificate and the reason.
 */
int	tls_verify(mailstream *, const char *host, const char *ca_file, struct err *);

#endif
