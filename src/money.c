/* SPDX-License-Identifier: MIT */
/*
 * Amounts of money in text (money.h).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "money.h"

/* A number longer than this is no amount. */
#define MONEY_TOKEN_MAX	32

/* Skips spaces, including the UTF-8 no-break space that subjects carry. */
static const char *
money_skip_space(const char *s)
{
	for (;;) {
		if (*s == ' ' || *s == '\t')
			s++;
		else if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0)
			s += 2;
		else
			return s;
	}
}

/* True when every group of digits after the first separator has 3 digits. */
static bool
money_grouped(const char *t, size_t n, char sep)
{
	size_t i, run = 0, first = 0;
	bool seen = false;

	for (i = 0; i < n; i++) {
		if (t[i] == sep) {
			if (!seen)
				first = run;
			else if (run != 3)
				return false;
			seen = true;
			run = 0;
		} else
			run++;
	}
	return seen && first >= 1 && first <= 3 && run == 3;
}

bool
money_number(const char *s, double *value, const char **end)
{
	char t[MONEY_TOKEN_MAX + 1], clean[MONEY_TOKEN_MAX + 2];
	const char *p = money_skip_space(s), *dot, *comma, *mark = NULL;
	size_t n = 0, i, k = 0, before;
	bool whole = false;
	double v;

	if (!isdigit((unsigned char)*p))
		return false;
	/* Digits, and separators that a digit follows. */
	while (isdigit((unsigned char)p[n]) ||
	    ((p[n] == '.' || p[n] == ',') && isdigit((unsigned char)p[n + 1]))) {
		if (n == MONEY_TOKEN_MAX)
			return false;
		t[n] = p[n];
		n++;
	}
	t[n] = '\0';
	p += n;
	/* "12.500,-" and "12.500,--": whole units. */
	if ((p[0] == ',' || p[0] == '.') && p[1] == '-') {
		p += p[2] == '-' ? 3 : 2;
		whole = true;
	}
	dot = strrchr(t, '.');
	comma = strrchr(t, ',');
	if (dot != NULL && comma != NULL)
		mark = dot > comma ? dot : comma;
	else if (dot != NULL || comma != NULL) {
		const char *last = dot != NULL ? dot : comma;

		/* One kind only: thousands when grouped by 3, else decimals. */
		if (!money_grouped(t, n, *last)) {
			if (whole || strchr(t, *last) != last ||
			    strlen(last + 1) > 2)
				return false;
			mark = last;
		}
	}
	if (mark != NULL && (whole || strlen(mark + 1) > 2))
		return false;
	before = mark != NULL ? (size_t)(mark - t) : n;
	/* The grouping before the decimal mark must group by 3. */
	if (before < n || (dot != NULL && comma != NULL)) {
		char g = mark == dot ? ',' : '.';

		if (memchr(t, g, before) != NULL && !money_grouped(t, before, g))
			return false;
	}
	for (i = 0; i < n; i++) {
		if (isdigit((unsigned char)t[i]))
			clean[k++] = t[i];
		else if (t + i == mark)
			clean[k++] = '.';
		else if (i > before || t[i] == *(mark != NULL ? mark : "\0"))
			return false;
	}
	clean[k] = '\0';
	v = strtod(clean, NULL);
	if (!(v > 0) || v > MONEY_MAX)
		return false;
	*value = v;
	if (end != NULL)
		*end = p;
	return true;
}

/* The length of a currency mark at s, 0 if none. */
static size_t
money_mark(const char *text, const char *s)
{
	size_t n;

	if ((unsigned char)s[0] == 0xe2 && (unsigned char)s[1] == 0x82 &&
	    (unsigned char)s[2] == 0xac)
		return 3;
	if (s > text && isalpha((unsigned char)s[-1]))
		return 0;
	if (strncasecmp(s, "euro", 4) == 0)
		n = 4;
	else if (strncasecmp(s, "eur", 3) == 0)
		n = 3;
	else
		return 0;
	return isalpha((unsigned char)s[n]) ? 0 : n;
}

bool
money_find(const char *text, double *value)
{
	const char *s, *b, *start, *end;
	size_t m;

	for (s = text; *s != '\0'; s++) {
		if ((m = money_mark(text, s)) == 0)
			continue;
		if (money_number(s + m, value, NULL))
			return true;
		/* The number before the mark: "12.500 euro", "12.500,- EUR". */
		b = s;
		while (b > text && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		start = b;
		while (start > text && (isdigit((unsigned char)start[-1]) ||
		    start[-1] == '.' || start[-1] == ',' || start[-1] == '-'))
			start--;
		while (start < b && !isdigit((unsigned char)*start))
			start++;
		if (start < b && money_number(start, value, &end) && end == b)
			return true;
		s += m - 1;
	}
	return false;
}

bool
money_amount(const char *s, double *value)
{
	const char *p, *end;
	size_t m;
	bool marked;

	if (s == NULL)
		return false;
	p = money_skip_space(s);
	m = money_mark(p, p);
	marked = m > 0;
	p = money_skip_space(p + m);
	if (!money_number(p, value, &end))
		return false;
	p = money_skip_space(end);
	if (!marked && (m = money_mark(s, p)) > 0)
		p = money_skip_space(p + m);
	return *p == '\0';
}

bool
money_signal_value(const char *kind, const char *subject, const char *value,
    double *amount)
{
	if (kind == NULL)
		return false;
	if (strcmp(kind, "offer_sent") == 0)
		return subject != NULL && money_find(subject, amount);
	if (strcmp(kind, "value") == 0)
		return money_amount(value, amount);
	return false;
}
