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

/* Appends e to ix, which is the last index in the newest chunk; a full
 * chunk: a new one, where ix's entries so far move. */
static int store_push(struct bnft_ix_store *st, struct bnft_rule_ix *ix, struct nftnl_expr *e,
		      uint8_t kind)
{
	struct bnft_ix_chunk *c = st->chunks;

	if (!c || c->used == c->cap) {
		size_t cap = IX_CHUNK > 2 * (ix->nex + 1) ? IX_CHUNK : 2 * (ix->nex + 1);
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
	c->ex[c->used] = e;
	c->kind[c->used++] = kind;
	ix->nex++;
	return 0;
}

static int ix_push(struct bnft_ix_store *st, struct bnft_rule_ix *ix, struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	size_t h = ((uintptr_t)name >> 3) % (sizeof(st->name) / sizeof(st->name[0]));
	enum bnft_xk k;

	if (name && st->name[h] == name) {
		k = st->name_kind[h];
	} else {
		k = bnft_xk_of(name);
		st->name[h] = name;
		st->name_kind[h] = (uint8_t)k;
	}
	ix->flags |= expr_flags(e, k);
	return store_push(st, ix, e, (uint8_t)k);
}

int bnft_rule_ix_add(struct bnft_ix_store *st, const struct nftnl_rule *r,
		     struct bnft_rule_ix *ix)
{
	return bnft_rule_ix_add_many(st, &r, 1, &ix);
}

/* Expression lists of IX_LANES rules are walked side by side, IX_DEPTH
 * expressions deep: each step of a list walk waits for memory, and the
 * lanes' waits overlap. */
#define IX_LANES 16
#define IX_DEPTH 8

int bnft_rule_ix_add_many(struct bnft_ix_store *st, const struct nftnl_rule *const *r, size_t n,
			  struct bnft_rule_ix *const *out)
{
	struct nftnl_expr_iter *it[IX_LANES];
	struct nftnl_expr *tmp[IX_LANES][IX_DEPTH];
	uint8_t cnt[IX_LANES];
	bool end[IX_LANES];
	size_t base;
	int err = 0;

	for (base = 0; base < n && !err; base += IX_LANES) {
		size_t m = n - base < IX_LANES ? n - base : IX_LANES, i, d;

		for (i = 0; i < m; i++) {
			it[i] = nftnl_expr_iter_create(r[base + i]);
			cnt[i] = 0;
			end[i] = !it[i];
			if (!it[i])
				err = -ENOMEM;
		}
		for (d = 0; d < IX_DEPTH && !err; d++)
			for (i = 0; i < m; i++) {
				struct nftnl_expr *e;

				if (end[i])
					continue;
				e = nftnl_expr_iter_next(it[i]);
				if (e) {
					tmp[i][cnt[i]++] = e;
					/* the attributes (a cmp's after its 64
					 * data bytes) for whoever reads them */
					__builtin_prefetch((const char *)e + 64);
					__builtin_prefetch((const char *)e + 128);
				} else {
					end[i] = true;
				}
			}
		for (i = 0; i < m; i++) {
			struct bnft_rule_ix *ix = out[base + i];
			struct nftnl_expr *e;
			uint32_t k;

			memset(ix, 0, sizeof(*ix));
			ix->r = r[base + i];
			for (k = 0; !err && k < cnt[i]; k++)
				err = ix_push(st, ix, tmp[i][k]);
			while (!err && !end[i] && (e = nftnl_expr_iter_next(it[i])))
				err = ix_push(st, ix, e);
			if (it[i])
				nftnl_expr_iter_destroy(it[i]);
		}
	}
	return err;
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
