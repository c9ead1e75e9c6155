/* SPDX-License-Identifier: MIT */
/*
 * Addresses to account keys (DESIGN section 3): the registrable domain
 * via libpsl, lower-cased; free-mail addresses keyed by the full address;
 * internal and ignored domains (compared on the registrable domain) are
 * never accounts.
 */
#ifndef SC_ACCOUNT_H
#define SC_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

enum addr_class { ADDR_INVALID, ADDR_INTERNAL, ADDR_IGNORED, ADDR_EXTERNAL };

/*
 * Classifies an address and, for ADDR_EXTERNAL, writes its account key to
 * key (keylen bytes).  Thread-safe.
 */
enum addr_class	account_classify(const struct config *, const char *addr, char *key, size_t keylen);

/* The registrable domain of a host name ("eu.northwind.co.uk" -> "northwind.co.uk"). */
bool		account_registrable(const char *host, char *out, size_t outlen);

bool		account_is_freemail(const struct config *, const char *domain);

/*
 * The names used to match an account in text: the first label of its
 * domain when at least 4 characters long ("acme" for acme.nl), plus the
 * domain itself.  Free-mail keys (full addresses) have no names.
 */
void		account_names(const char *key, struct strlist *out);

/* The built-in free-mail list, NULL-terminated. */
extern const char *const account_freemail_builtin[];

#endif
