/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for account.c: registrable domains, free-mail keys, internal
 * and ignored domains (subdomains included), invalid addresses, account
 * names, and lookups from several threads at once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "config.h"
#include "helpers.h"

static struct config cfg;

static int
setup(void **state)
{
	(void)state;
	config_defaults(&cfg);
	strlist_add(&cfg.internal_domains, "brightline.nl");
	strlist_add(&cfg.ignore_domains, "bank.nl");
	strlist_add(&cfg.ignore_domains, "leverancier.co.uk");
	strlist_add(&cfg.freemail_domains, "mijnprovider.nl");
	test_add_person(&cfg, "anna", "anna@brightline.nl");
	test_add_person(&cfg, "carla", "carla.sales@gmail.com");
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	config_free(&cfg);
	return 0;
}

static void
test_account_registrable_domains(void **state)
{
	static const struct {
		const char *host;
		const char *want;	/* NULL: none */
	} rows[] = {
		{ "acme.nl", "acme.nl" },
		{ "Sales.ACME.nl", "acme.nl" },
		{ "eu.northwind.co.uk", "northwind.co.uk" },
		{ "northwind.co.uk", "northwind.co.uk" },
		{ "a.b.c.example.com", "example.com" },
		{ "acme.nl.", "acme.nl" },
		{ "b\xc3\xbc" "cher.de", "b\xc3\xbc" "cher.de" },
		{ "co.uk", NULL },
		{ "nl", NULL },
		{ "", NULL },
		{ "acme..nl", NULL },
		{ ".acme.nl", NULL },
		{ "acme.nl/x", NULL },
		{ "[192.0.2.1]", NULL },
		/* 63 bytes (kept), 64 and 70 (past what a kept lookup holds). */
		{ "relay-relay-relay-relay-relay-relay-relay-relay.northwind.co.uk",
		  "northwind.co.uk" },
		{ "relay-relay-relay-relay-relay-relay-relay-relayx.northwind.co.uk",
		  "northwind.co.uk" },
		{ "relay-relay-relay-relay-relay-relay-relay-relay-relay-rela.example.com",
		  "example.com" },
	};
	const size_t n = sizeof rows / sizeof *rows;
	char out[256], host[64], want[64];
	size_t i, r;
	bool ok;

	(void)state;
	/* Three passes, the later ones from the lookups kept (account.c). */
	for (i = 0; i < 3 * n; i++) {
		r = i / n == 1 ? n - 1 - i % n : i % n;
		ok = account_registrable(rows[r].host, out, sizeof out);
		if (rows[r].want == NULL) {
			if (ok)
				fail_msg("%s: got %s, want none", rows[r].host,
				    out);
		} else {
			if (!ok)
				fail_msg("%s: no registrable domain",
				    rows[r].host);
			assert_string_equal(out, rows[r].want);
		}
	}
	/* Too small an output buffer is a failure, not a truncation. */
	assert_false(account_registrable("acme.nl", out, 4));
	/* More hosts than are kept: each still gets its own. */
	for (i = 0; i < 2000; i++) {
		snprintf(host, sizeof host, "%s.k%zu.%s", i % 2 ? "eu" : "mail",
		    i % 700, i % 3 ? "co.uk" : "nl");
		snprintf(want, sizeof want, "k%zu.%s", i % 700, i % 3 ? "co.uk" :
		    "nl");
		assert_true(account_registrable(host, out, sizeof out));
		assert_string_equal(out, want);
	}
}

static void
test_account_classify_addresses(void **state)
{
	static const struct {
		const char *addr;
		enum addr_class want;
		const char *key;
	} rows[] = {
		{ "jan@acme.nl", ADDR_EXTERNAL, "acme.nl" },
		{ "Jan@Sales.ACME.nl", ADDR_EXTERNAL, "acme.nl" },
		{ "j@eu.northwind.co.uk", ADDR_EXTERNAL, "northwind.co.uk" },
		{ "x@brightline.nl.evil.com", ADDR_EXTERNAL, "evil.com" },
		/* Free-mail: keyed by the whole address, lower-cased. */
		{ "Piet.J@Gmail.com", ADDR_EXTERNAL, "piet.j@gmail.com" },
		{ "klant@ziggo.nl", ADDR_EXTERNAL, "klant@ziggo.nl" },
		{ "fan@hotmail.co.uk", ADDR_EXTERNAL, "fan@hotmail.co.uk" },
		{ "vr@mijnprovider.nl", ADDR_EXTERNAL, "vr@mijnprovider.nl" },
		/* Internal: our domain and subdomains, salespeople anywhere. */
		{ "info@brightline.nl", ADDR_INTERNAL, "" },
		{ "anna@mail.BrightLine.nl", ADDR_INTERNAL, "" },
		{ "carla.sales@gmail.com", ADDR_INTERNAL, "" },
		/* Ignored, subdomains too. */
		{ "alerts@bank.nl", ADDR_IGNORED, "" },
		{ "x@secure.bank.nl", ADDR_IGNORED, "" },
		{ "inkoop@eu.leverancier.co.uk", ADDR_IGNORED, "" },
		/* Invalid. */
		{ "", ADDR_INVALID, "" },
		{ "no-at-sign", ADDR_INVALID, "" },
		{ "@acme.nl", ADDR_INVALID, "" },
		{ "jan@", ADDR_INVALID, "" },
		{ "jan@co.uk", ADDR_INVALID, "" },
		{ "jan@localhost", ADDR_INVALID, "" },
		{ "jan@acme..nl", ADDR_INVALID, "" },
		{ "jan de vries@acme.nl", ADDR_INVALID, "" },
		{ "undisclosed-recipients:;", ADDR_INVALID, "" },
	};
	char key[330];
	enum addr_class got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		snprintf(key, sizeof key, "junk");
		got = account_classify(&cfg, rows[i].addr, key, sizeof key);
		if (got != rows[i].want)
			fail_msg("%s: class %d, want %d", rows[i].addr, got,
			    rows[i].want);
		if (got == ADDR_EXTERNAL)
			assert_string_equal(key, rows[i].key);
		else
			assert_string_equal(key, "");
	}
	assert_int_equal(account_classify(&cfg, NULL, key, sizeof key),
	    ADDR_INVALID);
	/* A key that does not fit is refused rather than cut. */
	assert_int_equal(account_classify(&cfg, "jan@acme.nl", key, 5),
	    ADDR_INVALID);
}

static void
test_account_freemail_list(void **state)
{
	char reg[256];
	size_t n;

	(void)state;
	for (n = 0; account_freemail_builtin[n] != NULL; n++) {
		/* Each entry is a lower-case registrable domain. */
		const char *domain = account_freemail_builtin[n];

		assert_true(account_registrable(domain, reg, sizeof reg));
		assert_string_equal(reg, domain);
		assert_true(account_is_freemail(NULL, domain));
		/* Sorted, as account_freemail_has searches it. */
		if (n > 0)
			assert_true(strcmp(account_freemail_builtin[n - 1],
			    domain) < 0);
	}
	assert_true(n >= 30);
	assert_true(account_is_freemail(&cfg, "GMAIL.com"));
	assert_true(account_is_freemail(&cfg, "live.nl"));
	assert_true(account_is_freemail(&cfg, "mijnprovider.nl"));
	assert_false(account_is_freemail(NULL, "mijnprovider.nl"));
	assert_false(account_is_freemail(&cfg, "acme.nl"));
	assert_false(account_is_freemail(&cfg, "gmail.com.acme.nl"));
	assert_false(account_is_freemail(&cfg, ""));
}

static void
test_account_names_of_keys(void **state)
{
	static const struct {
		const char *key;
		const char *want;	/* names joined by '|' */
	} rows[] = {
		{ "acme.nl", "acme|acme.nl" },
		{ "northwind.co.uk", "northwind|northwind.co.uk" },
		{ "ibm.com", "ibm.com" },
		/* Characters, not bytes, are counted: 4 and 3 here. */
		{ "abc\xc3\xa9.nl", "abc\xc3\xa9|abc\xc3\xa9.nl" },
		{ "ab\xc3\xa9.nl", "ab\xc3\xa9.nl" },
		{ "jan@gmail.com", "" },
		{ "", "" },
	};
	struct strlist names = { 0 };
	char got[256];
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof *rows; i++) {
		account_names(rows[i].key, &names);
		got[0] = '\0';
		for (j = 0; j < names.n; j++)
			snprintf(got + strlen(got), sizeof got - strlen(got),
			    "%s%s", j > 0 ? "|" : "", names.v[j]);
		if (strcmp(got, rows[i].want) != 0)
			fail_msg("%s: names '%s', want '%s'", rows[i].key, got,
			    rows[i].want);
		strlist_clear(&names);
	}
	/* Names already in the list are not added twice. */
	strlist_add(&names, "acme");
	account_names("acme.nl", &names);
	assert_int_equal(names.n, 2);
	strlist_clear(&names);
}

static void *
classify_many(void *arg)
{
	static const char *const addrs[] = {
		"jan@sales.acme.nl", "j@eu.northwind.co.uk", "x@gmail.com",
		"a@brightline.nl", "b@bank.nl",
	};
	static const char *const keys[] = {
		"acme.nl", "northwind.co.uk", "x@gmail.com", "", "",
	};
	char key[330];
	size_t i;

	(void)arg;
	for (i = 0; i < 5000; i++) {
		account_classify(&cfg, addrs[i % 5], key, sizeof key);
		if (strcmp(key, keys[i % 5]) != 0)
			return (void *)1;
	}
	return NULL;
}

static void
test_account_threads_agree(void **state)
{
	pthread_t t[4];
	void *ret;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, classify_many,
		    NULL), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_account_registrable_domains),
		cmocka_unit_test(test_account_classify_addresses),
		cmocka_unit_test(test_account_freemail_list),
		cmocka_unit_test(test_account_names_of_keys),
		cmocka_unit_test(test_account_threads_agree),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
