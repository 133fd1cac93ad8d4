// SPDX-License-Identifier: GPL-2.0
/* The lowering's record of the rules it made (see translator/ir_rules.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "translator/ir_rules.h"

struct bnft_ir_rules *bnft_ir_rules_new(bool opt_on)
{
	struct bnft_ir_rules *lr = calloc(1, sizeof(*lr));

	if (lr)
		lr->opt_on = opt_on;
	return lr;
}

int bnft_ir_rules_chain(struct bnft_ir_rules *lr, const struct nftnl_chain *c)
{
	if (lr->nchains == lr->chain_cap) {
		size_t cap = lr->chain_cap ? 2 * lr->chain_cap : 16;
		const struct nftnl_chain **v = realloc(lr->chain, cap * sizeof(*v));
		struct bnft_opt_parsed *o;

		if (!v)
			return -ENOMEM;
		lr->chain = v;
		if (lr->opt_on) {
			o = realloc(lr->opt, cap * sizeof(*o));
			if (!o)
				return -ENOMEM;
			lr->opt = o;
		}
		lr->chain_cap = cap;
	}
	if (lr->opt_on)
		memset(&lr->opt[lr->nchains], 0, sizeof(lr->opt[0]));
	lr->chain[lr->nchains++] = c;
	return 0;
}

int bnft_ir_rules_add(struct bnft_ir_rules *lr, const struct nftnl_rule *r, uint32_t chain,
		      uint64_t handle, struct nftnl_expr *const *e, const uint8_t *kinds,
		      const struct bnft_xfact *facts, uint32_t n)
{
	struct bnft_ir_rule *x;
	int err;

	if (chain >= lr->nchains)
		return -EINVAL;
	if (lr->n == lr->cap) {
		size_t cap = lr->cap ? 2 * lr->cap : 64;
		struct bnft_ir_rule *v = realloc(lr->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		lr->v = v;
		lr->cap = cap;
	}
	x = &lr->v[lr->n];
	memset(x, 0, sizeof(*x));
	x->ix.r = r;
	x->handle = handle;
	x->chain = chain;
	err = bnft_rule_ix_append(&lr->ixs, &x->ix, e, kinds, n);
	/* the expressions were just made: parsed while in the cache */
	if (!err && lr->opt_on)
		err = bnft_opt_parsed_add_facts(&lr->opt[chain], &x->ix, facts);
	if (err)
		return err;
	lr->n++;
	return 0;
}

void bnft_ir_rules_free(struct bnft_ir_rules **lrp)
{
	struct bnft_ir_rules *lr = *lrp;
	size_t i;

	if (!lr)
		return;
	for (i = 0; lr->opt && i < lr->nchains; i++)
		bnft_opt_parsed_release(&lr->opt[i]);
	free(lr->opt);
	free(lr->chain);
	free(lr->v);
	bnft_ix_store_release(&lr->ixs);
	free(lr);
	*lrp = NULL;
}
