/* SPDX-License-Identifier: MIT */
/*
 * Certificate verification of the IMAP transport's TLS sessions
 * (imap-stream.c): every TLS connection is checked here, after the
 * handshake and before any credential is sent: the peer's chain against
 * the system trust store plus an optional extra CA file, and the
 * certificate against the host name.
 */
#ifndef SC_TLS_H
#define SC_TLS_H

#include <gnutls/gnutls.h>

#include "err.h"

/*
 * Verifies the peer certificate chain of a TLS session for host, trusting
 * the system store and ca_file (PEM, may be NULL).  On failure fills err
 * (ERR_WAIT; ERR_FINAL when ca_file cannot be read) naming the
 * certificate and the reason.
 */
int	tls_verify(gnutls_session_t, const char *host, const char *ca_file,
	    struct err *);

#endif
