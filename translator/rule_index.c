// SPDX-License-Identifier: GPL-2.0
/* Expression index of rules (see translator/rule_index.h). */
#include <errno.h>
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

static int store_push(struct bnft_ix_store *st, struct nftnl_expr *e, uint8_t kind)
{
	if (st->n == st->cap) {
		size_t nc = st->cap ? 2 * st->cap : 1024;
		void *p = realloc(st->ex, nc * sizeof(*st->ex));

		if (!p)
			return -ENOMEM;
		st->ex = p;
		p = realloc(st->kind, nc);
		if (!p)
			return -ENOMEM;
		st->kind = p;
		st->cap = nc;
	}
	st->ex[st->n] = e;
	st->kind[st->n++] = kind;
	return 0;
}

int bnft_rule_ix_add(struct bnft_ix_store *st, const struct nftnl_rule *r,
		     struct bnft_rule_ix *ix)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	int err = 0;

	memset(ix, 0, sizeof(*ix));
	if (!it)
		return -ENOMEM;
	ix->r = r;
	ix->first = st->n;
	while (!err && (e = nftnl_expr_iter_next(it))) {
		enum bnft_xk k = bnft_xk_of(nftnl_expr_get_str(e, NFTNL_EXPR_NAME));

		ix->flags |= expr_flags(e, k);
		err = store_push(st, e, (uint8_t)k);
	}
	nftnl_expr_iter_destroy(it);
	ix->nex = (uint32_t)(st->n - ix->first);
	return err;
}

void bnft_rule_ix_fix(const struct bnft_ix_store *st, struct bnft_rule_ix *ix)
{
	ix->ex = st->ex ? st->ex + ix->first : NULL;
	ix->kind = st->kind ? st->kind + ix->first : NULL;
}

void bnft_ix_store_release(struct bnft_ix_store *st)
{
	free(st->ex);
	free(st->kind);
	memset(st, 0, sizeof(*st));
}

uint32_t bnft_rule_ix_count(const struct bnft_rule_ix *ix, uint32_t pos, enum bnft_xk kind)
{
	uint32_t i, k = 0;

	for (i = 0; i < pos && i < ix->nex; i++)
		k += ix->kind[i] == kind;
	return k;
}
