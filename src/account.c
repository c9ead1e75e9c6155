/* SPDX-License-Identifier: MIT */
/*
 * Addresses to account keys (DESIGN section 3).  An account is the
 * registrable domain of an address, found with libpsl's builtin Public
 * Suffix List and lower-cased, so that sales.acme.nl and acme.nl are one
 * customer.  Addresses at free-mail providers are keyed by the whole
 * address, since gmail.com is not a customer.  Internal and ignored
 * domains, and the salespeople's own addresses, are never accounts; the
 * configured domains are compared on their registrable domain too, so a
 * subdomain of an internal domain is internal.  International domain
 * names are used as given (UTF-8, lower-cased in ASCII only).
 *
 * Everything here is a lookup in read-only data (psl_builtin() returns a
 * static context), so it is safe to call from several threads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "account.h"
#include "hashset.h"
#include "util.h"

/* Longest domain name (RFC 1035) and address (RFC 5321 path limit). */
#define DOMAIN_MAX	255
#define ADDR_MAX	320

/* Sorted by strcmp: account_freemail_has searches it. */
const char *const account_freemail_builtin[] = {
	"aol.com", "btinternet.com", "caiway.nl", "casema.nl", "chello.nl",
	"fastmail.com", "free.fr", "freenet.de", "gmail.com", "gmx.at",
	"gmx.ch", "gmx.com", "gmx.de", "gmx.net", "googlemail.com",
	"hetnet.nl", "home.nl", "hotmail.be", "hotmail.co.uk", "hotmail.com",
	"hotmail.de", "hotmail.fr", "hotmail.nl", "icloud.com", "kpnmail.nl",
	"kpnplanet.nl", "laposte.net", "libero.it", "live.be", "live.co.uk",
	"live.com", "live.nl", "mac.com", "mail.com", "mail.ru", "me.com",
	"msn.com", "online.nl", "orange.fr", "outlook.be", "outlook.com",
	"outlook.de", "outlook.nl", "planet.nl", "pm.me", "proton.me",
	"protonmail.com", "quicknet.nl", "skynet.be", "solcon.nl",
	"t-online.de", "tele2.nl", "telenet.be", "tutanota.com",
	"upcmail.nl", "versatel.nl", "web.de", "xs4all.nl", "yahoo.co.uk",
	"yahoo.com", "yahoo.nl", "yandex.com", "ymail.com", "zeelandnet.nl",
	"ziggo.nl", "zoho.com", "zonnet.nl",
	NULL
};

/*
 * Checks that a host name is made of non-empty labels of letters, digits,
 * hyphens and UTF-8 bytes, and copies it lower-cased (one trailing dot
 * dropped) into out.
 */
static bool
account_host_copy(const char *host, char *out, size_t outlen)
{
	size_t len, i;
	unsigned char c, prev = '.';

	len = strlen(host);
	if (len > 0 && host[len - 1] == '.')
		len--;
	if (len == 0 || len > DOMAIN_MAX || len >= outlen)
		return false;
	for (i = 0; i < len; i++) {
		c = (unsigned char)host[i];
		if (c == '.') {
			if (prev == '.')
				return false;
		} else if (!(c >= 0x80 || c == '-' || (c >= '0' && c <= '9') ||
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return false;
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') :
		    (char)c;
		prev = c;
	}
	if (prev == '.')
		return false;
	out[len] = '\0';
	return true;
}

/*
 * The registrable domains looked up last, per thread, direct-mapped by a
 * hash of the host: classifying one message asks for those of its
 * addresses and of every configured domain several times over, and
 * libpsl's lookup was the largest part of classifying (8% of a first
 * sync of 20,000 messages).  A pure function of the host, so an entry
 * is never stale; a thread's own, so no lock.  512 slots: with 64, the
 * 300 customer domains of the IMAP bench pushed each other out and most
 * lookups went to libpsl.  A slot keeps a host of up to 63 bytes and
 * where in it its registrable domain starts (a suffix of it), 33 KB a
 * thread: glibc clears a thread's static TLS when it starts, so every
 * byte here is resident in every thread; a longer host goes to libpsl.
 */
#define ACCOUNT_REG_SLOTS	512
#define ACCOUNT_REG_HOST	64

struct account_reg_slot {
	char	host[ACCOUNT_REG_HOST];	/* lower-cased; "" while empty */
	short	reg;			/* offset of it in host; -1: none */
};

static __thread struct account_reg_slot account_reg_cache[ACCOUNT_REG_SLOTS];

/* The registrable domain of the lower-cased host, from libpsl; NULL if none. */
static const char *
account_psl(const char *lower)
{
	const psl_ctx_t *psl;

	if ((psl = psl_builtin()) == NULL)
		return NULL;
	return psl_registrable_domain(psl, lower);
}

bool
account_registrable(const char *host, char *out, size_t outlen)
{
	char lower[DOMAIN_MAX + 1];
	struct account_reg_slot *slot;
	const char *reg;
	size_t len, n;

	if (host == NULL || !account_host_copy(host, lower, sizeof lower))
		return false;
	len = strlen(lower);
	if (len >= ACCOUNT_REG_HOST)
		reg = account_psl(lower);
	else {
		slot = &account_reg_cache[hashset_fnv1a(HASHSET_FNV_INIT,
		    lower, len) % ACCOUNT_REG_SLOTS];
		if (strcmp(slot->host, lower) != 0) {
			reg = account_psl(lower);
			memcpy(slot->host, lower, len + 1);
			/* A suffix of the host, as libpsl answers. */
			slot->reg = reg != NULL && reg >= lower &&
			    reg < lower + len ? (short)(reg - lower) : -1;
		}
		reg = slot->reg >= 0 ? slot->host + slot->reg : NULL;
	}
	/* memcpy: snprintf's "%s" was 40% of this function. */
	n = reg != NULL ? strlen(reg) : 0;
	if (n == 0 || n >= outlen)
		return false;
	memcpy(out, reg, n + 1);
	return true;
}

/*
 * True when a configured domain list holds the domain, both compared on
 * their registrable domain (an entry that has none, like a bare public
 * suffix, is compared as written).
 */
static bool
account_domain_listed(const struct strlist *list, const char *host,
    const char *reg)
{
	char ereg[DOMAIN_MAX + 1];
	size_t i;

	for (i = 0; i < list->n; i++) {
		if (strcasecmp(list->v[i], host) == 0)
			return true;
		if (account_registrable(list->v[i], ereg, sizeof ereg) &&
		    strcmp(ereg, reg) == 0)
			return true;
	}
	return false;
}

static int
account_domain_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Whether the built-in list holds the (lower-case) domain: a binary
 * search, the list being sorted (test-account checks), where comparing
 * with each of its entries twice was a third of classifying an address.
 */
static bool
account_freemail_has(const char *domain)
{
	return bsearch(&domain, account_freemail_builtin,
	    sizeof account_freemail_builtin /
	    sizeof account_freemail_builtin[0] - 1,
	    sizeof account_freemail_builtin[0], account_domain_cmp) != NULL;
}

bool
account_is_freemail(const struct config *cfg, const char *domain)
{
	char host[DOMAIN_MAX + 1], reg[DOMAIN_MAX + 1];

	if (domain == NULL || !account_host_copy(domain, host, sizeof host))
		return false;
	if (!account_registrable(host, reg, sizeof reg))
		snprintf(reg, sizeof reg, "%s", host);
	if (account_freemail_has(host) || account_freemail_has(reg))
		return true;
	return cfg != NULL &&
	    account_domain_listed(&cfg->freemail_domains, host, reg);
}

enum addr_class
account_classify(const struct config *cfg, const char *addr, char *key,
    size_t keylen)
{
	char host[DOMAIN_MAX + 1], reg[DOMAIN_MAX + 1];
	const char *at;
	size_t locallen;

	if (keylen > 0)
		key[0] = '\0';
	if (addr == NULL)
		return ADDR_INVALID;
	at = strrchr(addr, '@');
	if (at == NULL || at == addr || strlen(addr) > ADDR_MAX)
		return ADDR_INVALID;
	locallen = (size_t)(at - addr);
	if (memchr(addr, ' ', locallen) != NULL)
		return ADDR_INVALID;
	if (!account_host_copy(at + 1, host, sizeof host) ||
	    !account_registrable(host, reg, sizeof reg))
		return ADDR_INVALID;

	if (cfg != NULL) {
		if (config_salesperson_by_email(cfg, addr) != NULL ||
		    account_domain_listed(&cfg->internal_domains, host, reg))
			return ADDR_INTERNAL;
		if (account_domain_listed(&cfg->ignore_domains, host, reg))
			return ADDR_IGNORED;
	}

	if (account_is_freemail(cfg, host)) {
		if (locallen + 1 + strlen(host) >= keylen)
			return ADDR_INVALID;
		snprintf(key, keylen, "%.*s@%s", (int)locallen, addr, host);
		util_lower(key);
	} else {
		if (strlen(reg) >= keylen)
			return ADDR_INVALID;
		snprintf(key, keylen, "%s", reg);
	}
	return ADDR_EXTERNAL;
}

/* The number of UTF-8 characters in the first n bytes of s. */
static size_t
account_utf8_chars(const char *s, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	}
	return count;
}

void
account_names(const char *key, struct strlist *out)
{
	const char *dot;
	char *label;

	if (key == NULL || *key == '\0' || strchr(key, '@') != NULL)
		return;
	dot = strchr(key, '.');
	if (dot != NULL && account_utf8_chars(key, (size_t)(dot - key)) >= 4) {
		label = xstrndup(key, (size_t)(dot - key));
		if (strlist_contains(out, label))
			free(label);
		else
			strlist_take(out, label);
	}
	if (!strlist_contains(out, key))
		strlist_add(out, key);
}
