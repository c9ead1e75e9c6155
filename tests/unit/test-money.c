/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of money.c: amounts in offer subjects and hashtags, in
 * Dutch and English formats, from a table of what a person reads in them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "money.h"

/* Numbers as they stand after a tag or a currency mark. */
static void
test_money_number(void **state)
{
	static const struct {
		const char	*in;
		double		 want;	/* 0: none */
	} rows[] = {
		{ "12500", 12500 },
		{ " 12.500", 12500 },		/* Dutch thousands */
		{ "12,500", 12500 },		/* English thousands */
		{ "12.500,-", 12500 },
		{ "12.500,--", 12500 },
		{ "12.500,50", 12500.5 },
		{ "12,500.50", 12500.5 },
		{ "1.250.000", 1250000 },
		{ "1,250,000.99", 1250000.99 },
		{ "99,95", 99.95 },
		{ "99.9", 99.9 },
		{ "\xc2\xa0" "750", 750 },	/* after a no-break space */
		{ "12.50.0", 0 },		/* no format */
		{ "1,5.000", 0 },		/* grouping that does not group */
		{ "12.5000", 0 },
		{ "12,345,67", 0 },
		{ "12.500,505", 0 },		/* three decimals */
		{ "0", 0 },
		{ "99999999999", 0 },		/* over MONEY_MAX */
		{ "abc", 0 },
		{ "", 0 },
	};
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		bool ok = money_number(rows[i].in, &v, NULL);

		if (rows[i].want == 0) {
			if (ok)
				fail_msg("'%s' gave %g, want none", rows[i].in, v);
			continue;
		}
		if (!ok || fabs(v - rows[i].want) > 1e-9)
			fail_msg("'%s' gave %s%g, want %g", rows[i].in,
			    ok ? "" : "none ", ok ? v : 0.0, rows[i].want);
	}
}

/* The amount that a currency mark stands next to, in whole subjects. */
static void
test_money_find(void **state)
{
	static const struct {
		const char	*in;
		double		 want;	/* 0: none */
	} rows[] = {
		{ "Offerte 2026-014 \xe2\x80\x93 \xe2\x82\xac 12.500,-", 12500 },
		{ "Quotation Q-17 EUR 12,500.00", 12500 },
		{ "Offerte koelcel 12.500 euro excl. BTW", 12500 },
		{ "Offer 4.250,- EUR", 4250 },
		{ "Prijs: \xe2\x82\xac" "99,95 per maand", 99.95 },
		{ "eur 1.000", 1000 },
		{ "Offerte 2026-014 laboratoriumkoeling", 0 },	/* a number, no mark */
		{ "Europe tour 2026", 0 },			/* "Eur" in a word */
		{ "Neuro 500", 0 },
		{ "\xe2\x82\xac", 0 },
		{ "", 0 },
	};
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		bool ok = money_find(rows[i].in, &v);

		if (rows[i].want == 0) {
			if (ok)
				fail_msg("'%s' gave %g, want none", rows[i].in, v);
			continue;
		}
		if (!ok || fabs(v - rows[i].want) > 1e-9)
			fail_msg("'%s' gave %s%g, want %g", rows[i].in,
			    ok ? "" : "none ", ok ? v : 0.0, rows[i].want);
	}
}

/* A hashtag's or option's amount: a number and at most one mark, nothing else. */
static void
test_money_amount(void **state)
{
	static const struct {
		const char	*in;
		double		 want;	/* 0: none */
	} rows[] = {
		{ "12500", 12500 },
		{ "\xe2\x82\xac 12.500", 12500 },
		{ "\xe2\x82\xac" "12.500,50", 12500.5 },
		{ "12.500,-", 12500 },
		{ "EUR 12,500.00", 12500 },
		{ "12500 euro", 12500 },
		{ "  1.250,75 EUR ", 1250.75 },
		{ "12500.00", 12500 },		/* as a value signal stores it */
		{ "", 0 },
		{ "\xe2\x82\xac", 0 },
		{ "twaalfduizend", 0 },
		{ "12.500 of 15.000", 0 },
		{ "EUR 12.500 EUR", 0 },
		{ "12,50,0", 0 },
		{ "-500", 0 },
		{ "0", 0 },
		{ "99999999999", 0 },		/* above MONEY_MAX */
		{ "123456789012345678901234567890123456789", 0 },
		{ "12500 dollar", 0 },
	};
	size_t i;
	double v;
	bool ok;

	(void)state;
	for (i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		v = 0;
		ok = money_amount(rows[i].in, &v);
		if (ok != (rows[i].want != 0) || (ok && fabs(v - rows[i].want) >
		    1e-9))
			fail_msg("'%s': got %s %f, want %f", rows[i].in,
			    ok ? "yes" : "no", v, rows[i].want);
	}
	assert_false(money_amount(NULL, &v));
}

/* Which signals set a deal's value: an offer's subject, a value signal. */
static void
test_money_signal_value(void **state)
{
	double v = 0;

	(void)state;
	assert_true(money_signal_value("offer_sent",
	    "Offerte 2026-014 \xe2\x80\x93 \xe2\x82\xac 12.500,-", NULL, &v));
	assert_true(fabs(v - 12500) < 1e-9);
	assert_false(money_signal_value("offer_sent", "Offerte 2026-014", NULL,
	    &v));
	assert_false(money_signal_value("offer_sent", NULL, "12500.00", &v));
	assert_true(money_signal_value("value", NULL, "8000.50", &v));
	assert_true(fabs(v - 8000.5) < 1e-9);
	assert_false(money_signal_value("value", NULL, "abc", &v));
	assert_false(money_signal_value("contact", "EUR 500", "500", &v));
	assert_false(money_signal_value(NULL, "EUR 500", "500", &v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_number),
		cmocka_unit_test(test_money_find),
		cmocka_unit_test(test_money_amount),
		cmocka_unit_test(test_money_signal_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
