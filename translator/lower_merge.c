// SPDX-License-Identifier: GPL-2.0
/*
 * Expressions of the rule being lowered are buffered in units (one per
 * statement or dependency) so that adjacent payload matches can be merged
 * into one load and compare before they go into the rule, like nft's
 * payload_try_merge: equality matches only, a run ends at any statement
 * that is not a match, the merged match stays at the place of the first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>

#include "translator/lower_int.h"

/* The kind of nle: noted when it was made (lower_alloc), else asked. The
 * newest first: an address freed and made again is the newest there. */
static uint8_t made_kind(struct lower_ctx *ctx, const struct nftnl_expr *nle)
{
	unsigned int i;

	for (i = 1; i <= LOWER_MADE_RING; i++) {
		unsigned int k = (ctx->nmade - i) % LOWER_MADE_RING;

		if (ctx->made[k].e == nle)
			return ctx->made[k].kind;
	}
	return (uint8_t)bnft_xk_of(nftnl_expr_get_str(nle, NFTNL_EXPR_NAME));
}

void lower_add(struct lower_ctx *ctx, struct nftnl_expr *nle)
{
	if (!nle) {
		ctx->nerrs++;
		return;
	}
	if (ctx->capturing) {
		if (ctx->capture)
			nftnl_expr_free(nle);
		else
			ctx->capture = nle;
		return;
	}
	if (!ctx->un)
		lower_unit_begin(ctx, false);
	if (ctx->en == ctx->ecap) {
		unsigned int cap = ctx->ecap ? ctx->ecap * 2 : 32;
		struct nftnl_expr **eb = realloc(ctx->ebuf, cap * sizeof(*eb));
		unsigned int *eu = realloc(ctx->eunit, cap * sizeof(*eu));
		uint8_t *ek = realloc(ctx->ekind, cap * sizeof(*ek));
		struct bnft_xfact *ef = realloc(ctx->efact, cap * sizeof(*ef));

		if (eb)
			ctx->ebuf = eb;
		if (eu)
			ctx->eunit = eu;
		if (ek)
			ctx->ekind = ek;
		if (ef)
			ctx->efact = ef;
		if (!eb || !eu || !ek || !ef) {
			nftnl_expr_free(nle);
			ctx->nerrs++;
			return;
		}
		ctx->ecap = cap;
	}
	ctx->ebuf[ctx->en] = nle;
	ctx->ekind[ctx->en] = made_kind(ctx, nle);
	ctx->efact[ctx->en].known = false;
	ctx->eunit[ctx->en] = ctx->un - 1;
	ctx->en++;
}

void lower_note_load(struct lower_ctx *ctx, const struct nftnl_expr *nle, uint32_t reg, uint32_t a,
		     uint32_t b, uint32_t c)
{
	struct bnft_xfact *f;

	if (!ctx->en || ctx->ebuf[ctx->en - 1] != nle)
		return;
	f = &ctx->efact[ctx->en - 1];
	f->known = true;
	f->len = 0;
	f->reg = reg;
	f->a = a;
	f->b = b;
	f->c = c;
}

void lower_note_cmp(struct lower_ctx *ctx, const struct nftnl_expr *nle, uint32_t reg, uint32_t op,
		    const void *data, unsigned int len)
{
	struct bnft_xfact *f;

	if (len > sizeof(f->data))
		return; /* longer than any reader of facts wants */
	lower_note_load(ctx, nle, reg, op, 0, 0);
	if (!ctx->en || ctx->ebuf[ctx->en - 1] != nle)
		return;
	f = &ctx->efact[ctx->en - 1];
	f->len = (uint8_t)len;
	if (len)
		memcpy(f->data, data, len);
}

const uint8_t *lower_flushed_kinds(struct lower_ctx *ctx)
{
	return ctx->ekind;
}

const struct bnft_xfact *lower_flushed_facts(struct lower_ctx *ctx)
{
	return ctx->efact;
}

void lower_unit_begin(struct lower_ctx *ctx, bool is_expr)
{
	if (ctx->un == ctx->ucap) {
		unsigned int cap = ctx->ucap ? ctx->ucap * 2 : 16;
		struct lower_unit *u = realloc(ctx->units, cap * sizeof(*u));

		if (!u) {
			ctx->nerrs++;
			return;
		}
		ctx->units = u;
		ctx->ucap = cap;
	}
	ctx->units[ctx->un].is_expr = is_expr;
	ctx->units[ctx->un].removed = false;
	ctx->un++;
}

struct merge_cand {
	unsigned int unit, ld, cmp; /* unit index, expression indexes */
	uint32_t base, off, len;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct merge_cand *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return 0;
}

/* nft's payload_can_merge: adjacent, at most one register; a load wider
 * than a word only when one of the two already was. */
static bool can_merge(const struct merge_cand *a, const struct merge_cand *b)
{
	uint32_t total = a->len + b->len;

	if (a->base != b->base || a->off + a->len != b->off || total > 16)
		return false;
	return total <= 4 || a->len > 4 || b->len > 4;
}

/* Whether expression e is of kind `kind`. libnftnl returns its ops' name
 * for NFTNL_EXPR_NAME, one pointer per kind: the pointer seen last for
 * this kind saves the string compare (*seen is per kind and thread). */
static bool expr_is(const struct nftnl_expr *e, const char *kind, const char **seen)
{
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (n == *seen)
		return true;
	if (!n || strcmp(n, kind))
		return false;
	*seen = n;
	return true;
}

/* A unit that is exactly "payload load => reg 1; cmp eq reg 1 data". */
static bool unit_mergeable(struct lower_ctx *ctx, unsigned int u, unsigned int first,
			   struct merge_cand *c)
{
	static _Thread_local const char *payload_name, *cmp_name;
	struct nftnl_expr *ld, *cmp;

	if (first + 1 >= ctx->en || ctx->eunit[first + 1] != u ||
	    (first + 2 < ctx->en && ctx->eunit[first + 2] == u))
		return false;
	ld = ctx->ebuf[first];
	cmp = ctx->ebuf[first + 1];
	if (ctx->efact[first].known && ctx->efact[first + 1].known) {
		const struct bnft_xfact *l = &ctx->efact[first], *k = &ctx->efact[first + 1];

		if (ctx->ekind[first] != BNFT_XK_PAYLOAD || ctx->ekind[first + 1] != BNFT_XK_CMP ||
		    l->reg != NFT_REG_1 || k->a != NFT_CMP_EQ || k->reg != NFT_REG_1)
			return false;
		c->unit = u;
		c->ld = first;
		c->cmp = first + 1;
		c->base = l->a;
		c->off = l->b;
		c->len = l->c;
		return true;
	}
	if (!expr_is(ld, "payload", &payload_name) || !expr_is(cmp, "cmp", &cmp_name) ||
	    !nftnl_expr_is_set(ld, NFTNL_EXPR_PAYLOAD_DREG) ||
	    nftnl_expr_get_u32(ld, NFTNL_EXPR_PAYLOAD_DREG) != NFT_REG_1 ||
	    nftnl_expr_get_u32(cmp, NFTNL_EXPR_CMP_OP) != NFT_CMP_EQ ||
	    nftnl_expr_get_u32(cmp, NFTNL_EXPR_CMP_SREG) != NFT_REG_1)
		return false;
	c->unit = u;
	c->ld = first;
	c->cmp = first + 1;
	c->base = nftnl_expr_get_u32(ld, NFTNL_EXPR_PAYLOAD_BASE);
	c->off = nftnl_expr_get_u32(ld, NFTNL_EXPR_PAYLOAD_OFFSET);
	c->len = nftnl_expr_get_u32(ld, NFTNL_EXPR_PAYLOAD_LEN);
	return true;
}

/* Sorts c[0, n) by (base, offset) keeping equal ones in order, as glibc's
 * qsort (a merge sort) did: by insertion when there are few (a rule has a
 * handful; qsort's call costs more than the sort). */
static void sort_cands(struct merge_cand *c, unsigned int n)
{
	unsigned int i, j;

	if (n > 8) {
		qsort(c, n, sizeof(*c), cand_cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		struct merge_cand t = c[i];

		for (j = i; j > 0 && cand_cmp(&c[j - 1], &t) > 0; j--)
			c[j] = c[j - 1];
		c[j] = t;
	}
}

static void merge_run(struct lower_ctx *ctx, struct merge_cand *c, unsigned int n)
{
	struct merge_cand *a;
	unsigned int i;

	if (n < 2)
		return;
	sort_cands(c, n);
	a = &c[0];
	for (i = 1; i < n; i++) {
		struct merge_cand *b = &c[i];
		uint8_t data[32];
		const void *d;
		uint32_t la, lb;

		if (!can_merge(a, b)) {
			a = b;
			continue;
		}
		d = nftnl_expr_get(ctx->ebuf[a->cmp], NFTNL_EXPR_CMP_DATA, &la);
		memcpy(data, d, la);
		d = nftnl_expr_get(ctx->ebuf[b->cmp], NFTNL_EXPR_CMP_DATA, &lb);
		memcpy(data + la, d, lb);
		a->len += b->len;
		/* the merged match stays where the first of them was in the rule */
		if (b->unit < a->unit) {
			ctx->units[a->unit].removed = true;
			a->unit = b->unit;
			a->ld = b->ld;
			a->cmp = b->cmp;
		} else {
			ctx->units[b->unit].removed = true;
		}
		nftnl_expr_set_u32(ctx->ebuf[a->ld], NFTNL_EXPR_PAYLOAD_OFFSET, a->off);
		nftnl_expr_set_u32(ctx->ebuf[a->ld], NFTNL_EXPR_PAYLOAD_LEN, a->len);
		ctx->efact[a->ld].b = a->off;
		ctx->efact[a->ld].c = a->len;
		nftnl_expr_set(ctx->ebuf[a->cmp], NFTNL_EXPR_CMP_DATA, data, la + lb);
		if (la + lb <= sizeof(ctx->efact[a->cmp].data)) {
			memcpy(ctx->efact[a->cmp].data, data, la + lb);
			ctx->efact[a->cmp].len = (uint8_t)(la + lb);
		} else {
			ctx->efact[a->cmp].known = false;
		}
	}
}

unsigned int lower_flush_rule(struct lower_ctx *ctx)
{
	struct merge_cand *c = ctx->mcand;
	unsigned int i, nc = 0, u, first = 0, kept;

	if (ctx->un + 1 > ctx->mcap) {
		unsigned int cap = ctx->un + 1 > 2 * ctx->mcap ? ctx->un + 1 : 2 * ctx->mcap;

		c = realloc(ctx->mcand, cap * sizeof(*c));
		if (c) {
			ctx->mcand = c;
			ctx->mcap = cap;
		}
	}

	for (u = 0; c && u < ctx->un; u++) {
		while (first < ctx->en && ctx->eunit[first] < u)
			first++;
		if (!ctx->units[u].is_expr) {
			merge_run(ctx, c, nc);
			nc = 0;
			continue;
		}
		if (first < ctx->en && ctx->eunit[first] == u && unit_mergeable(ctx, u, first, &c[nc]))
			nc++;
	}
	if (c)
		merge_run(ctx, c, nc);
	for (i = 0, kept = 0; i < ctx->en; i++) {
		if (ctx->units[ctx->eunit[i]].removed) {
			nftnl_expr_free(ctx->ebuf[i]);
		} else {
			nftnl_rule_add_expr(ctx->nlr, ctx->ebuf[i]);
			if (kept != i) {
				ctx->ekind[kept] = ctx->ekind[i];
				ctx->efact[kept] = ctx->efact[i];
				ctx->ebuf[kept] = ctx->ebuf[i];
			}
			kept++;
		}
	}
	ctx->en = 0;
	ctx->un = 0;
	return kept;
}
