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

#endif
