/* SPDX-License-Identifier: MIT */
/*
 * Amounts of money in text (issue 10), so that a deal's value comes from
 * its evidence instead of a CRM field: "Offerte 2026-014 – € 12.500,-",
 * "Quotation Q-17 EUR 12,500.00", "12.500 euro".  Dutch (12.500,50) and
 * English (12,500.50) number formats.  Pure; bounded by the text.
 */
#ifndef SC_MONEY_H
#define SC_MONEY_H

#include <stdbool.h>
#include <stddef.h>

/* Amounts above this are no amount (a reference number, a phone number). */
#define MONEY_MAX	1e10

/*
 * Parses the number at the start of s (spaces skipped), in either format:
 * with both '.' and ',' the last one is the decimal mark; with one kind
 * only, it groups thousands when every group after it has 3 digits, else
 * it is the decimal mark (1 or 2 digits); ",-" and ",--" mean no cents.
 * *end (when not NULL) is set after it.  False when there is none.
 */
bool	money_number(const char *s, double *value, const char **end);

/*
 * Finds the first amount in text that a currency mark (€, EUR, euro)
 * stands next to, before or after the number.  False when there is none.
 */
bool	money_find(const char *text, double *value);

/*
 * Parses a hashtag's or an option's amount: one number in either format,
 * with at most one currency mark (€, EUR, euro) before or after it, and
 * nothing else ("€ 12.500", "12.500,-", "EUR 12,500.00", "12500").  False
 * for anything else, so that "#value acme.nl 12.500 of 15.000" is no
 * amount rather than a guess.
 */
bool	money_amount(const char *s, double *value);

/*
 * The amount a deal's signal sets, by its kind's name: an offer's amount
 * in its subject (offer_sent), or the value of a value signal (a #value
 * hashtag or salescycle set --value, stored as "12500.00").  Signals read
 * in time order, the newest that sets one wins.  False when the signal
 * sets none.
 */
bool	money_signal_value(const char *kind, const char *subject,
	    const char *value, double *amount);

#endif
