// SPDX-License-Identifier: GPL-2.0
/*
 * Fresh libnftnl expressions made ahead of a commit (expr_stock.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>

#include "translator/expr_stock.h"

/* The kinds a lowered ruleset is mostly made of (kind_of() picks the
 * candidate by the first letters). */
enum { K_PAYLOAD, K_CMP, K_META, K_IMMEDIATE, K_BITWISE, K_BYTEORDER, K_LOOKUP, K_COUNTER,
       K_RANGE, K_CT };
static const char *const kinds[] = {
	[K_PAYLOAD] = "payload", [K_CMP] = "cmp",	  [K_META] = "meta",
	[K_IMMEDIATE] = "immediate", [K_BITWISE] = "bitwise", [K_BYTEORDER] = "byteorder",
	[K_LOOKUP] = "lookup",	 [K_COUNTER] = "counter", [K_RANGE] = "range",
	[K_CT] = "ct",
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))
/* At most this many expressions in stock (all kinds): ~200 MB */
#define STOCK_MAX (2u << 20)
/* Prefetch distances of a take: the stock's array, the objects. */
#define STOCK_AHEAD_V 16
#define STOCK_AHEAD 2

struct kind_stock {
	struct nftnl_expr **v;
	size_t n, cap;
	size_t took;   /* taken or allocated since the last fill began */
	size_t target; /* what the fill works towards */
};

static _Thread_local struct kind_stock stock[NKINDS];
static _Thread_local const char *seen[NKINDS];

static int kind_of(const char *name)
{
	int k = -1;

	switch (name[0]) {
	case 'p':
		k = K_PAYLOAD;
		break;
	case 'c':
		k = name[1] == 'm' ? K_CMP : name[1] == 'o' ? K_COUNTER : name[1] == 't' ? K_CT : -1;
		break;
	case 'm':
		k = K_META;
		break;
	case 'i':
		k = K_IMMEDIATE;
		break;
	case 'b':
		k = name[1] == 'i' ? K_BITWISE : K_BYTEORDER;
		break;
	case 'l':
		k = K_LOOKUP;
		break;
	case 'r':
		k = K_RANGE;
		break;
	}
	if (k < 0)
		return -1;
	/* callers pass string literals: the one seen last for this kind
	 * saves the compare */
	if (name == seen[k])
		return k;
	if (strcmp(name, kinds[k]))
		return -1;
	seen[k] = name;
	return k;
}

struct nftnl_expr *bnft_expr_take(const char *name)
{
	int k = kind_of(name);
	struct kind_stock *s;

	if (k < 0)
		return nftnl_expr_alloc(name);
	s = &stock[k];
	s->took++;
	if (s->n) {
		/* the stock was made long before: fetch the next entries
		 * and the objects a few takes ahead (a 100k-rule commit
		 * waited on every one) */
		if (s->n > STOCK_AHEAD_V)
			__builtin_prefetch(&s->v[s->n - 1 - STOCK_AHEAD_V]);
		if (s->n > STOCK_AHEAD) {
			const char *o = (const char *)s->v[s->n - 1 - STOCK_AHEAD];

			__builtin_prefetch(o, 1);
			__builtin_prefetch(o + 64, 1);
		}
		return s->v[--s->n];
	}
	return nftnl_expr_alloc(name);
}

bool bnft_expr_stock_wanted(void)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (stock[k].took || stock[k].n != stock[k].target)
			return true;
	return false;
}

/* New targets from what was taken since the last fill began. */
static void retarget(void)
{
	size_t total = 0, k;

	for (k = 0; k < NKINDS; k++)
		total += stock[k].took;
	if (!total)
		return;
	for (k = 0; k < NKINDS; k++) {
		struct kind_stock *s = &stock[k];

		/* over the cap: each kind its share */
		s->target = total <= STOCK_MAX ? s->took : (size_t)((double)s->took * STOCK_MAX / total);
		s->took = 0;
	}
}

bool bnft_expr_stock_fill(size_t budget)
{
	size_t k;

	retarget();
	for (k = 0; k < NKINDS; k++) {
		struct kind_stock *s = &stock[k];

		while (s->n > s->target)
			nftnl_expr_free(s->v[--s->n]);
		if (s->target > s->cap) {
			struct nftnl_expr **v = realloc(s->v, s->target * sizeof(*v));

			if (!v) {
				s->target = s->n;
				continue;
			}
			s->v = v;
			s->cap = s->target;
		}
		while (s->n < s->target && budget) {
			struct nftnl_expr *e = nftnl_expr_alloc(kinds[k]);

			if (!e) {
				s->target = s->n;
				break;
			}
			s->v[s->n++] = e;
			budget--;
		}
		if (!budget)
			break;
	}
	for (k = 0; k < NKINDS; k++)
		if (stock[k].n != stock[k].target)
			return false;
	return true;
}

void bnft_expr_stock_drop(void)
{
	for (size_t k = 0; k < NKINDS; k++) {
		struct kind_stock *s = &stock[k];

		while (s->n)
			nftnl_expr_free(s->v[--s->n]);
		free(s->v);
		memset(s, 0, sizeof(*s));
	}
}
