// SPDX-License-Identifier: GPL-2.0
/* Expression index of rules (see translator/rule_index.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <linux/netfilter/nf_tables.h>

#include "translator/rule_index.h"

enum bnft_xk bnft_xk_of(const char *n)
{
	static const struct {
		const char *name;
		enum bnft_xk kind;
	} names[] = {
		{ "payload", BNFT_XK_PAYLOAD },	    { "meta", BNFT_XK_META },
		{ "cmp", BNFT_XK_CMP },		    { "range", BNFT_XK_RANGE },
		{ "bitwise", BNFT_XK_BITWISE },	    { "byteorder", BNFT_XK_BYTEORDER },
		{ "immediate", BNFT_XK_IMMEDIATE }, { "counter", BNFT_XK_COUNTER },
		{ "lookup", BNFT_XK_LOOKUP },	    { "ct", BNFT_XK_CT },
		{ "notrack", BNFT_XK_NOTRACK },	    { "reject", BNFT_XK_REJECT },
		{ "limit", BNFT_XK_LIMIT },	    { "connlimit", BNFT_XK_CONNLIMIT },
		{ "log", BNFT_XK_LOG },		    { "quota", BNFT_XK_QUOTA },
		{ "objref", BNFT_XK_OBJREF },	    { "dynset", BNFT_XK_DYNSET },
	};
	size_t i;

	for (i = 0; n && i < sizeof(names) / sizeof(names[0]); i++)
		if (n[0] == names[i].name[0] && !strcmp(n, names[i].name))
			return names[i].kind;
	return BNFT_XK_OTHER;
}

static uint32_t expr_flags(const struct nftnl_expr *e, enum bnft_xk k)
{
	switch (k) {
	case BNFT_XK_IMMEDIATE:
		return nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN) ? BNFT_RF_JUMP : 0;
	case BNFT_XK_LOOKUP:
		return nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
				       nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) ==
					       NFT_REG_VERDICT ?
			       BNFT_RF_VMAP :
			       0;
	case BNFT_XK_CT:
		return BNFT_RF_CT | BNFT_RF_TRACK;
	case BNFT_XK_NOTRACK:
	case BNFT_XK_CONNLIMIT:
		return BNFT_RF_TRACK;
	case BNFT_XK_META:
		return nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG) &&
				       nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY) ==
					       NFT_META_NFTRACE ?
			       BNFT_RF_NFTRACE :
			       0;
	case BNFT_XK_DYNSET:
		return BNFT_RF_DYNSET;
	case BNFT_XK_LIMIT:
		return BNFT_RF_LIMIT;
	case BNFT_XK_QUOTA:
		return BNFT_RF_QUOTA;
	default:
		return 0;
	}
}

#define IX_CHUNK 65536

struct bnft_ix_chunk {
	struct bnft_ix_chunk *next;
	size_t used, cap;
	struct nftnl_expr **ex;
	uint8_t *kind;
};

/* Makes room for `need` more entries of ix, which is the last index in the
 * newest chunk (or empty): a full chunk gets a successor, where ix's
 * entries so far move. */
static int store_reserve(struct bnft_ix_store *st, struct bnft_rule_ix *ix, size_t need)
{
	struct bnft_ix_chunk *c = st->chunks;

	if (!c || c->cap - c->used < need) {
		size_t want = 2 * (ix->nex + need);
		size_t cap = IX_CHUNK > want ? IX_CHUNK : want;
		struct bnft_ix_chunk *nc = malloc(sizeof(*nc) + cap * (sizeof(*nc->ex) + 1));

		if (!nc)
			return -ENOMEM;
		nc->ex = (struct nftnl_expr **)(nc + 1);
		nc->kind = (uint8_t *)(nc->ex + cap);
		nc->cap = cap;
		nc->used = ix->nex;
		if (ix->nex) {
			memcpy(nc->ex, ix->ex, ix->nex * sizeof(*ix->ex));
			memcpy(nc->kind, ix->kind, ix->nex);
			c->used -= ix->nex;
		}
		nc->next = c;
		st->chunks = c = nc;
		ix->ex = c->ex;
		ix->kind = c->kind;
	}
	if (!ix->nex) {
		ix->ex = c->ex + c->used;
		ix->kind = c->kind + c->used;
	}
	return 0;
}

/* The kind of expression e (names are cached by pointer: one per kind). */
static inline enum bnft_xk kind_of(struct bnft_ix_store *st, const struct nftnl_expr *e)
{
	uint32_t len;
	const char *name = nftnl_expr_get(e, NFTNL_EXPR_NAME, &len);
	size_t h = ((uintptr_t)name >> 3) % (sizeof(st->name) / sizeof(st->name[0]));
	enum bnft_xk k;

	if (name && st->name[h] == name)
		return (enum bnft_xk)st->name_kind[h];
	k = bnft_xk_of(name);
	st->name[h] = name;
	st->name_kind[h] = (uint8_t)k;
	return k;
}

int bnft_rule_ix_append(struct bnft_ix_store *st, struct bnft_rule_ix *ix,
			struct nftnl_expr *const *e, const uint8_t *kinds, uint32_t n)
{
	struct bnft_ix_chunk *c;
	uint32_t j, flags = 0;
	int err = n ? store_reserve(st, ix, n) : 0;

	if (err || !n)
		return err;
	c = st->chunks;
	for (j = 0; j < n; j++) {
		enum bnft_xk k = kinds ? (enum bnft_xk)kinds[j] : kind_of(st, e[j]);

		ix->ex[ix->nex + j] = e[j];
		ix->kind[ix->nex + j] = (uint8_t)k;
		if (k >= BNFT_XK_IMMEDIATE || k == BNFT_XK_META)
			flags |= expr_flags(e[j], k);
	}
	c->used += n;
	ix->nex += n;
	ix->flags |= flags;
	return 0;
}

int bnft_rule_ix_add(struct bnft_ix_store *st, const struct nftnl_rule *r,
		     struct bnft_rule_ix *ix)
{
	return bnft_rule_ix_add_many(st, &r, 1, &ix);
}

/* Expressions gathered by nftnl_expr_foreach() (no iterator allocated per
 * rule), IX_BATCH at a time. */
#define IX_BATCH 32

struct ix_walk {
	struct bnft_ix_store *st;
	struct bnft_rule_ix *ix;
	struct nftnl_expr *buf[IX_BATCH];
	uint32_t n;
	int err;
};

static int ix_walk_cb(struct nftnl_expr *e, void *data)
{
	struct ix_walk *w = data;

	w->buf[w->n++] = e;
	if (w->n == IX_BATCH) {
		w->err = bnft_rule_ix_append(w->st, w->ix, w->buf, NULL, w->n);
		w->n = 0;
		if (w->err)
			return -1;
	}
	return 0;
}

int bnft_rule_ix_add_many(struct bnft_ix_store *st, const struct nftnl_rule *const *r, size_t n,
			  struct bnft_rule_ix *const *out)
{
	struct ix_walk w = {.st = st};
	size_t i;

	for (i = 0; i < n && !w.err; i++) {
		struct bnft_rule_ix *ix = out[i];

		memset(ix, 0, sizeof(*ix));
		ix->r = r[i];
		w.ix = ix;
		w.n = 0;
		/* the callback only reads the rule */
		nftnl_expr_foreach((struct nftnl_rule *)r[i], ix_walk_cb, &w);
		if (!w.err && w.n)
			w.err = bnft_rule_ix_append(st, ix, w.buf, NULL, w.n);
	}
	return w.err;
}

void bnft_ix_store_release(struct bnft_ix_store *st)
{
	while (st->chunks) {
		struct bnft_ix_chunk *c = st->chunks;

		st->chunks = c->next;
		free(c);
	}
	memset(st, 0, sizeof(*st));
}

uint32_t bnft_rule_ix_count(const struct bnft_rule_ix *ix, uint32_t pos, enum bnft_xk kind)
{
	uint32_t i, k = 0;

	for (i = 0; i < pos && i < ix->nex; i++)
		k += ix->kind[i] == kind;
	return k;
}
