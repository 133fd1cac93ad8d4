// SPDX-License-Identifier: GPL-2.0
/*
 * Code generator driver: collects chains and rules from the IR, orders the
 * base chains of every hook, emits one program per TC attach point with
 * the reachable non-base chains as bpf-to-bpf subprograms.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/pkt_cls.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/frag.h"
#include "translator/codegen_int.h"
#include "translator/codegen_stmt.h"
#include "translator/ir_rules.h"
#include "translator/optimize.h"

/* BPF allows 8 call frames; the main program is one of them. */
#define CG_MAX_DEPTH 7

static void cg_strlcpy(char *dst, const char *src, size_t n)
{
	snprintf(dst, n, "%s", src ? src : "");
}

int cg_fail(struct cg *cg, int err, const char *fmt, ...)
{
	struct bnft_err *e = cg->err;
	char what[256];
	va_list ap;

	if (!e)
		return err;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	memset(e, 0, sizeof(*e));
	if (cg->cur_chain) {
		e->family = (int)cg->cur_chain->family;
		cg_strlcpy(e->table, cg->cur_chain->table, sizeof(e->table));
		cg_strlcpy(e->chain, cg->cur_chain->name, sizeof(e->chain));
	}
	if (cg->cur_rule)
		e->handle = nftnl_rule_get_u64(cg->cur_rule, NFTNL_RULE_HANDLE);
	cg_strlcpy(e->expr, cg->cur_expr, sizeof(e->expr));
	if (cg->cur_chain && cg->cur_rule)
		snprintf(e->msg, sizeof(e->msg), "table %s chain %s rule handle %llu%s%s: %s",
			 e->table, e->chain, (unsigned long long)e->handle,
			 e->expr[0] ? " expression " : "", e->expr, what);
	else if (cg->cur_chain)
		snprintf(e->msg, sizeof(e->msg), "table %s chain %s: %s", e->table, e->chain,
			 what);
	else
		snprintf(e->msg, sizeof(e->msg), "%s", what);
	return err;
}

struct cg_chain *cg_find_chain(struct cg *cg, uint32_t family, const char *table,
			       const char *name)
{
	size_t i;

	for (i = 0; i < cg->nchains; i++) {
		struct cg_chain *c = &cg->chains[i];

		if (c->family == family && !strcmp(c->table, table) && !strcmp(c->name, name))
			return c;
	}
	return NULL;
}

uint32_t cg_expr_nth(struct cg *cg, const struct nftnl_expr *ex, enum bnft_xk kind)
{
	const struct bnft_rule_ix *x = cg->cur_ix;
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	uint32_t k = 0;

	/* the expression being emitted: its position is known */
	if (x && x->r == cg->cur_rule && cg->cur_expr_idx < x->nex &&
	    x->ex[cg->cur_expr_idx] == ex)
		return bnft_rule_ix_count(x, cg->cur_expr_idx, kind);
	it = cg->cur_rule ? nftnl_expr_iter_create(cg->cur_rule) : NULL;
	while (it && (e = nftnl_expr_iter_next(it)) && e != ex)
		if (bnft_xk_of(nftnl_expr_get_str(e, NFTNL_EXPR_NAME)) == kind)
			k++;
	if (it)
		nftnl_expr_iter_destroy(it);
	return k;
}

/* ---- collecting ------------------------------------------------------ */

static int collect_chains(struct cg *cg)
{
	struct nftnl_chain_list_iter *it;
	struct nftnl_chain *c;
	size_t n = 0, cap = 0;
	int err = 0;

	it = nftnl_chain_list_iter_create(cg->ir->chains);
	if (!it)
		return -ENOMEM;
	while ((c = nftnl_chain_list_iter_next(it))) {
		struct cg_chain *cc;

		if (n == cap) {
			void *p = realloc(cg->chains, (cap = cap ? 2 * cap : 16) * sizeof(*cc));

			if (!p) {
				err = -ENOMEM;
				break;
			}
			cg->chains = p;
		}
		cc = &cg->chains[n];
		memset(cc, 0, sizeof(*cc));
		cc->c = c;
		cc->table = nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE);
		cc->name = nftnl_chain_get_str(c, NFTNL_CHAIN_NAME);
		cc->family = nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
		cc->order = (uint32_t)n;
		cc->id = (uint32_t)n;
		cc->depth = -1;
		if (!cc->table || !cc->name) {
			err = cg_fail(cg, -EINVAL, "chain without table or name in the IR");
			break;
		}
		cc->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
		if (cc->base) {
			cc->hooknum = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
			cc->prio = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
			cc->policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) ?
					     nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) :
					     NF_ACCEPT;
			cc->type = nftnl_chain_is_set(c, NFTNL_CHAIN_TYPE) ?
					   nftnl_chain_get_str(c, NFTNL_CHAIN_TYPE) :
					   "filter";
		}
		n++;
	}
	nftnl_chain_list_iter_destroy(it);
	cg->nchains = n;
	return err;
}

/* Rules collected at a time (rule_index.c walks their expressions side by
 * side). */
#define CG_RULE_BATCH 64

/* Appends rule r, of handle `handle`, to chain cc. */
static int chain_add_rule(struct cg_chain *cc, const struct nftnl_rule *r, uint64_t handle)
{
	if (cc->nrules == cc->rcap) {
		size_t nc = cc->rcap ? 2 * cc->rcap : 16;
		const struct nftnl_rule **p = realloc(cc->rules, nc * sizeof(*p));
		struct bnft_rule_ix *x;
		uint64_t *h;

		if (!p)
			return -ENOMEM;
		cc->rules = p;
		x = realloc(cc->ix, nc * sizeof(*x));
		if (!x)
			return -ENOMEM;
		cc->ix = x;
		h = realloc(cc->handles, nc * sizeof(*h));
		if (!h)
			return -ENOMEM;
		cc->handles = h;
		cc->rcap = nc;
	}
	cc->handles[cc->nrules] = handle;
	cc->rules[cc->nrules++] = r;
	return 0;
}

/* Appends rule r to its chain (the previous rule's chain is tried first:
 * rules come chain by chain). */
static int collect_rule(struct cg *cg, struct nftnl_rule *r, struct cg_chain **last)
{
	uint32_t len;
	/* nftnl_rule_get_str() is this call behind two more */
	const char *t = nftnl_rule_get_data(r, NFTNL_RULE_TABLE, &len);
	const char *ch = nftnl_rule_get_data(r, NFTNL_RULE_CHAIN, &len);
	uint32_t fam = nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY);
	struct cg_chain *cc = *last;

	if (!t || !ch || !cc || cc->family != fam || strcmp(cc->name, ch) || strcmp(cc->table, t))
		cc = (t && ch) ? cg_find_chain(cg, fam, t, ch) : NULL;
	if (!cc)
		return cg_fail(cg, -EINVAL, "rule for missing chain %s %s", t ? t : "?",
			       ch ? ch : "?");
	*last = cc;
	return chain_add_rule(cc, r, nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
}

/* The rules as the lowering recorded them (ir_rules.h): no rule or
 * expression object is read, and the optimizer's parse of a chain's rules
 * comes along. Returns 1, 0 when there is no record or it does not fit
 * the chains (the rules are walked then), or -errno. */
static int collect_lowered(struct cg *cg)
{
	struct bnft_ir_rules *lr = cg->ir->lowered;
	struct cg_chain *cc = NULL;
	uint32_t last = UINT32_MAX;
	size_t i;
	int err;

	if (!lr || lr->nchains != cg->nchains)
		return 0;
	for (i = 0; i < cg->nchains; i++)
		if (lr->chain[i] != cg->chains[i].c)
			return 0;
	for (i = 0; i < lr->n; i++) {
		const struct bnft_ir_rule *x = &lr->v[i];

		if (x->chain != last) {
			const struct cg_chain *k = &cg->chains[x->chain];

			/* the first chain of the name, as for a walked rule */
			cc = cg_find_chain(cg, k->family, k->table, k->name);
			last = x->chain;
		}
		err = chain_add_rule(cc, x->ix.r, x->handle);
		if (err)
			return err;
		cc->ix[cc->nrules - 1] = x->ix;
	}
	/* a chain's parse fits when it has all of the chain's rules (not so
	 * when a chain of the same name took them) */
	for (i = 0; cg->opt_on && lr->opt && i < cg->nchains; i++) {
		if (lr->opt[i].n != cg->chains[i].nrules)
			continue;
		cg->chains[i].opt = lr->opt[i];
		memset(&lr->opt[i], 0, sizeof(lr->opt[i]));
	}
	return 1;
}

static int collect_rules(struct cg *cg)
{
	const struct nftnl_rule *batch[CG_RULE_BATCH];
	struct bnft_rule_ix *out[CG_RULE_BATCH];
	struct cg_chain *where[CG_RULE_BATCH];
	size_t slot[CG_RULE_BATCH];
	struct nftnl_rule_list_iter *it;
	struct cg_chain *last = NULL;
	struct nftnl_rule *r = NULL;
	size_t i;
	int err = 0;

	err = collect_lowered(cg);
	if (err < 0)
		return err;
	if (err)
		goto ids;
	it = nftnl_rule_list_iter_create(cg->ir->rules);
	if (!it)
		return -ENOMEM;
	do {
		size_t n = 0;

		while (!err && n < CG_RULE_BATCH && (r = nftnl_rule_list_iter_next(it))) {
			err = collect_rule(cg, r, &last);
			batch[n] = r;
			where[n] = last;
			slot[n++] = last ? last->nrules - 1 : 0;
		}
		if (err)
			break;
		/* the chains' arrays do not move any more in this batch */
		for (i = 0; i < n; i++)
			out[i] = &where[i]->ix[slot[i]];
		err = bnft_rule_ix_add_many(&cg->ixs, batch, n, out);
		/* their expressions are in the cache now */
		for (i = 0; !err && cg->opt_on && i < n; i++)
			err = bnft_opt_parsed_add(&where[i]->opt, out[i]);
	} while (!err && r);
	nftnl_rule_list_iter_destroy(it);
	if (err)
		return err;

ids:
	/* Counter ids and identities for every rule. */
	for (i = 0; i < cg->nchains; i++)
		cg->ps->nrules += cg->chains[i].nrules;
	cg->ps->nchains = cg->nchains;
	cg->ps->chains = calloc(cg->nchains ? cg->nchains : 1, sizeof(*cg->ps->chains));
	cg->ps->rules = calloc(cg->ps->nrules ? cg->ps->nrules : 1, sizeof(*cg->ps->rules));
	if (!cg->ps->chains || !cg->ps->rules)
		return -ENOMEM;
	cg->ps->nrules = 0;
	for (i = 0; i < cg->nchains; i++) {
		struct cg_chain *cc = &cg->chains[i];
		struct bnft_chain_id *ci = &cg->ps->chains[i];
		size_t k;

		ci->family = cc->family;
		cg_strlcpy(ci->table, cc->table, sizeof(ci->table));
		cg_strlcpy(ci->chain, cc->name, sizeof(ci->chain));
		cc->first_rule_id = (uint32_t)cg->ps->nrules;
		for (k = 0; k < cc->nrules; k++) {
			struct bnft_rule_id *ri = &cg->ps->rules[cg->ps->nrules++];

			ri->chain = (uint32_t)i;
			ri->handle = cc->handles[k];
		}
	}
	return 0;
}

/* ---- hooks and stages ---------------------------------------------- */

enum cg_stage {
	ST_NETDEV_INGRESS,
	ST_PREROUTING,
	ST_INPUT,
	ST_FORWARD,
	ST_OUTPUT,
	ST_POSTROUTING,
	ST_NETDEV_EGRESS,
	ST_NONE,
};

/* Which stage a base chain belongs to, or a refusal. */
static int chain_stage(struct cg *cg, struct cg_chain *c, enum cg_stage *st)
{
	cg->cur_chain = c;
	if (strcmp(c->type, "filter") && strcmp(c->type, "route"))
		return cg_fail(cg, -EOPNOTSUPP, "chain type %s is not supported", c->type);
	switch (c->family) {
	case NFPROTO_IPV4:
	case NFPROTO_IPV6:
	case NFPROTO_INET:
		switch (c->hooknum) {
		case NF_INET_PRE_ROUTING: *st = ST_PREROUTING; return 0;
		case NF_INET_LOCAL_IN: *st = ST_INPUT; return 0;
		case NF_INET_FORWARD: *st = ST_FORWARD; return 0;
		case NF_INET_LOCAL_OUT: *st = ST_OUTPUT; return 0;
		case NF_INET_POST_ROUTING: *st = ST_POSTROUTING; return 0;
		case NF_INET_INGRESS:
			if (c->family == NFPROTO_INET) {
				*st = ST_NETDEV_INGRESS;
				return 0;
			}
			break;
		}
		break;
	case NFPROTO_NETDEV:
		if (c->hooknum == NF_NETDEV_INGRESS) {
			*st = ST_NETDEV_INGRESS;
			return 0;
		}
		if (c->hooknum == NF_NETDEV_EGRESS) {
			*st = ST_NETDEV_EGRESS;
			return 0;
		}
		break;
	default:
		return cg_fail(cg, -EOPNOTSUPP, "family %u is not supported", c->family);
	}
	return cg_fail(cg, -EOPNOTSUPP, "hook %u of family %u is not supported", c->hooknum,
		       c->family);
}

static int resolve_devices(struct cg *cg, struct cg_chain *c)
{
	const char *const *devs = NULL;
	const char *one[2] = { NULL, NULL };
	size_t i;

	if (nftnl_chain_is_set(c->c, NFTNL_CHAIN_DEVICES))
		devs = nftnl_chain_get_array(c->c, NFTNL_CHAIN_DEVICES);
	else if (nftnl_chain_is_set(c->c, NFTNL_CHAIN_DEV)) {
		one[0] = nftnl_chain_get_str(c->c, NFTNL_CHAIN_DEV);
		devs = one;
	}
	if (!devs || !devs[0]) {
		cg->cur_chain = c;
		return cg_fail(cg, -EOPNOTSUPP, "ingress/egress chain without device");
	}
	/* Devices that do not exist in this netns never match (nft itself
	 * refuses such chains; a migrated ruleset may name a device that
	 * lives elsewhere). */
	for (i = 0; devs[i] && c->nifindex < 8; i++) {
		int idx = (int)if_nametoindex(devs[i]);

		if (idx > 0)
			c->ifindex[c->nifindex++] = idx;
	}
	if (devs[i])
		return cg_fail(cg, -EOPNOTSUPP, "more than 8 devices on one chain");
	c->ifany = c->nifindex == 0;
	return 0;
}

/* Chains with exactly one call site (jump/goto, or one verdict of a map)
 * are emitted inline there (emit_inline()). */
static int mark_inline(struct cg *cg)
{
	size_t i, k;
	int err = 0;

	for (i = 0; i < cg->nchains; i++)
		cg->chains[i].fanin = 0;
	for (i = 0; i < cg->nchains && !err; i++) {
		struct cg_chain *c = &cg->chains[i];
		size_t r;

		for (r = 0; r < c->nrules; r++) {
			const struct bnft_rule_ix *x = &c->ix[r];
			uint32_t j;

			if (!(x->flags & (BNFT_RF_JUMP | BNFT_RF_VMAP)))
				continue;
			for (j = 0; j < x->nex; j++) {
				struct nftnl_expr *e = x->ex[j];

				if (x->kind[j] == BNFT_XK_IMMEDIATE &&
				    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
					struct cg_chain *t = cg_find_chain(
						cg, c->family, c->table,
						nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN));

					if (t)
						t->fanin++;
				} else if (x->kind[j] == BNFT_XK_LOOKUP &&
					   nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
					   nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) ==
						   NFT_REG_VERDICT) {
					const char *sn = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
					struct cg_set *s = sn ? cg_find_set(cg, c->family, c->table,
									    sn) : NULL;

					for (k = 0; s && k < s->nverdicts; k++)
						if (s->verdicts[k].code == BNFT_V_JUMP ||
						    s->verdicts[k].code == BNFT_V_GOTO)
							cg->chains[s->verdicts[k].chain].fanin++;
					/* scanned sets emit a call site per element */
					for (k = 0; s && s->scan && k < s->nverdicts; k++)
						if (s->verdicts[k].code == BNFT_V_JUMP ||
						    s->verdicts[k].code == BNFT_V_GOTO)
							cg->chains[s->verdicts[k].chain].fanin += 2;
				}
			}
		}
	}
	for (i = 0; i < cg->nchains; i++)
		cg->chains[i].inl = !cg->chains[i].base && cg->chains[i].fanin == 1;
	return err;
}

/* Any ct or notrack expression: the entry must track connections. */
static bool ruleset_uses_ct(struct cg *cg)
{
	size_t i, r;

	for (i = 0; i < cg->nchains; i++)
		for (r = 0; r < cg->chains[i].nrules; r++)
			if (cg->chains[i].ix[r].flags & BNFT_RF_TRACK)
				return true;
	return false;
}

static int cmp_chain_prio(const void *a, const void *b)
{
	const struct cg_chain *x = *(struct cg_chain *const *)a, *y = *(struct cg_chain *const *)b;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* ---- reachability and depth ---------------------------------------- */

static int mark_depth(struct cg *cg, struct cg_chain *c)
{
	size_t i;
	int err, d = 0;

	if (c->depth >= 0)
		return c->depth;
	if (c->depth == -2) {
		cg->cur_chain = c;
		return cg_fail(cg, -ELOOP, "chain jumps lead back to itself");
	}
	c->depth = -2;
	err = cg_chain_targets(cg, c);
	for (i = 0; !err && i < c->ntargets; i++) {
		struct cg_chain *t = c->targets[i];
		int sub = mark_depth(cg, t);

		if (sub < 0)
			err = sub;
		else if (sub + (t->inl ? 0 : 1) > d)
			d = sub + (t->inl ? 0 : 1);
	}
	if (err)
		return err;
	c->depth = d;
	return d;
}

static void mark_reach(struct cg *cg, struct cg_chain *c)
{
	size_t i;

	if (c->reach)
		return;
	c->reach = true;
	if (cg_chain_targets(cg, c))
		return;
	for (i = 0; i < c->ntargets; i++)
		mark_reach(cg, c->targets[i]);
}

static int add_target(struct cg_chain *c, struct cg_chain *t)
{
	struct cg_chain **p;
	size_t i;

	for (i = 0; i < c->ntargets; i++)
		if (c->targets[i] == t)
			return 0;
	p = realloc(c->targets, (c->ntargets + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->targets = p;
	p[c->ntargets++] = t;
	return 0;
}

/* Chains this chain jumps or goes to: immediates and verdict maps, in rule
 * order, each once; computed on the first call. */
int cg_chain_targets(struct cg *cg, struct cg_chain *c)
{
	size_t r;
	int err = 0;

	if (c->targets_state)
		return c->targets_state < 0 ? c->targets_state : 0;
	for (r = 0; !err && r < c->nrules; r++) {
		const struct bnft_rule_ix *x = &c->ix[r];
		uint32_t j;

		if (!(x->flags & (BNFT_RF_JUMP | BNFT_RF_VMAP)))
			continue;
		for (j = 0; !err && j < x->nex; j++) {
			struct nftnl_expr *e = x->ex[j];

			if (x->kind[j] == BNFT_XK_IMMEDIATE &&
			    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
				const char *ch = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
				struct cg_chain *t = cg_find_chain(cg, c->family, c->table, ch);

				if (!t) {
					cg->cur_chain = c;
					cg->cur_rule = c->rules[r];
					cg->cur_expr = "immediate";
					err = cg_fail(cg, -EINVAL, "jump to missing chain %s", ch);
				} else {
					err = add_target(c, t);
				}
			} else if (x->kind[j] == BNFT_XK_LOOKUP &&
				   nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
				   nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) == NFT_REG_VERDICT) {
				const char *sn = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
				struct cg_set *s = sn ? cg_find_set(cg, c->family, c->table, sn) : NULL;
				size_t k;

				for (k = 0; s && k < s->nverdicts; k++)
					if (s->verdicts[k].code == BNFT_V_JUMP ||
					    s->verdicts[k].code == BNFT_V_GOTO)
						err = err ?: add_target(c,
								&cg->chains[s->verdicts[k].chain]);
			}
		}
	}
	c->targets_state = err ? err : 1;
	return err;
}

/* ---- emission -------------------------------------------------------- */

/* The end of the current chain's body as a jump target: back to the site
 * of an inlined jump/goto, else the function's own end. */
static void emit_chain_return(struct cg *cg)
{
	struct emitter *e = cg->e;

	if (cg->inline_ret) {
		emit_ja(e, cg->inline_ret);
	} else if (cg->in_sub) {
		emit(e, I_MOV64_IMM(BPF_REG_0, BNFT_V_CONTINUE));
		emit_exit(e);
	} else {
		emit_ja(e, cg->lbl_chain_policy);
	}
}

static int emit_rules(struct cg *cg, struct cg_chain *c);

/* A chain jumped to from one place only is emitted in place instead of as
 * a subprogram: no code is duplicated and no BPF call frame is used, so
 * nft's jump depth of 16 fits in BPF's 8 frames for chains of jumps. */
static int emit_inline(struct cg *cg, struct cg_chain *t, uint32_t code)
{
	struct emitter *e = cg->e;
	struct cg_chain *chain = cg->cur_chain;
	const struct nftnl_rule *rule = cg->cur_rule;
	const struct bnft_rule_ix *ix = cg->cur_ix;
	uint32_t expr_idx = cg->cur_expr_idx;
	const char *expr = cg->cur_expr;
	uint32_t rule_id = cg->cur_rule_id, nctr = cg->rule_ncounters;
	uint32_t fail = cg->lbl_rule_fail, end = cg->lbl_rule_end, outer = cg->inline_ret;
	uint32_t ret = emit_label(e);
	int err;

	cg->inline_ret = ret;
	cg->inline_depth++;
	err = emit_rules(cg, t);
	emit_ja(e, ret); /* falling off the chain returns */
	cg->inline_depth--;
	cg->cur_chain = chain;
	cg->cur_rule = rule;
	cg->cur_ix = ix;
	cg->cur_expr_idx = expr_idx;
	cg->cur_expr = expr;
	cg->cur_rule_id = rule_id;
	cg->rule_ncounters = nctr;
	cg->lbl_rule_fail = fail;
	cg->lbl_rule_end = end;
	cg->inline_ret = outer;
	if (err)
		return err;
	emit_bind(e, ret);
	if (code == BNFT_V_JUMP)
		emit_ja(e, cg->lbl_rule_end);
	else
		emit_chain_return(cg); /* goto: the caller's chain ends here */
	return e->err;
}

int cg_verdict(struct cg *cg, uint32_t code, struct cg_chain *target)
{
	struct emitter *e = cg->e;
	uint32_t cont;

	switch (code) {
	case BNFT_V_CONTINUE:
		return 0;
	case BNFT_V_ACCEPT:
	case BNFT_V_DROP:
		if (cg->in_sub) {
			emit(e, I_MOV64_IMM(BPF_REG_0, (int32_t)code));
			emit_exit(e);
		} else {
			emit_ja(e, code == BNFT_V_ACCEPT ? cg->lbl_chain_accept : cg->lbl_drop);
		}
		return 0;
	case BNFT_V_RETURN:
		emit_chain_return(cg);
		return 0;
	case BNFT_V_JUMP:
	case BNFT_V_GOTO:
		if (target && target->inl)
			return emit_inline(cg, target, code);
		if (!target || !target->sub_label)
			return cg_fail(cg, -EINVAL, "jump target chain not emitted");
		emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit_call_label(e, target->sub_label);
		/* where the callee's CONTINUE leads: the next rule after a
		 * jump; after a goto, the end of this chain */
		cont = code == BNFT_V_JUMP ? cg->lbl_rule_end : cg->inline_ret;
		if (cg->in_sub) {
			if (cont)
				emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0,
					     BNFT_V_CONTINUE, cont);
			emit_exit(e);
		} else {
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, BNFT_V_ACCEPT,
				     cg->lbl_chain_accept);
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, BNFT_V_DROP,
				     cg->lbl_drop);
			emit_ja(e, cont ? cont : cg->lbl_chain_policy);
		}
		return 0;
	}
	return cg_fail(cg, -EOPNOTSUPP, "verdict %u is not supported", code);
}

/* A chunk of generated code grows to about this many instructions before
 * the rest of a base chain moves to a continuation program reached by a
 * tail call: jumps stay inside 16-bit offsets even after the verifier
 * expands instructions (inlined map lookups, context rewrites; 28000 was
 * too many), and every program stays well inside the verifier's limits. */
#define CG_CHUNK_INSNS 16000
/* Tail calls a packet may take: 33 in all, one of them the entry's, one a
 * reject's. */
#define CG_MAX_CHAIN_PROGS 32

static int chunk_split(struct cg *cg);

static int emit_sub_chain(struct cg *cg, struct cg_chain *c);
static int prog_add(struct cg *cg, struct emitter *e, const char *name, uint32_t slot);

static int emit_rules(struct cg *cg, struct cg_chain *c)
{
	size_t r;
	int err = 0;

	cg->cur_chain = c;
	for (r = 0; !err && r < c->nrules; r++) {
		uint32_t j;

		if (!cg->in_sub && !cg->inline_depth &&
		    cg->e->n - cg->chunk_start > CG_CHUNK_INSNS && r > 0) {
			err = chunk_split(cg);
			if (err)
				break;
			cg->cur_chain = c;
		}
		{
			int k = cg->trace ? 0 : bnft_optimize_rules(cg, c, r);

			if (k < 0) {
				err = k;
				break;
			}
			if (k > 0) {
				r += (size_t)k - 1;
				continue;
			}
		}
		cg->cur_rule = c->rules[r];
		cg->cur_ix = &c->ix[r];
		cg->cur_rule_id = c->first_rule_id + (uint32_t)r;
		cg->rule_ncounters = 0;
		cg->lbl_rule_fail = emit_label(cg->e);
		cg->lbl_rule_end = cg->lbl_rule_fail;
		for (j = 0; !err && j < c->ix[r].nex; j++) {
			struct nftnl_expr *ex = c->ix[r].ex[j];

			cg->cur_expr_idx = j;
			cg->cur_expr = nftnl_expr_get_str(ex, NFTNL_EXPR_NAME);
			err = cg_expr(cg, ex);
		}
		cg->cur_expr = NULL;
		if (!err)
			cg_trace_rule_end(cg);
		emit_bind(cg->e, cg->lbl_rule_fail);
	}
	cg->cur_rule = NULL;
	cg->cur_ix = NULL;
	return err ?: cg->e->err;
}

static void emit_cb_field(struct emitter *e, uint8_t reg, int cb, int shift, int32_t mask)
{
	emit(e, I_LDX(BPF_W, reg, R_CTX, CB_OFF(cb)));
	if (shift)
		emit(e, I_ALU32_IMM(BPF_RSH, reg, shift));
	if (mask)
		emit(e, I_ALU32_IMM(BPF_AND, reg, mask));
}

/* Jumps to `skip` when the packet does not enter chain c. */
static void emit_chain_gate(struct cg *cg, struct cg_chain *c, enum cg_stage st, uint32_t skip)
{
	struct emitter *e = cg->e;
	uint32_t in;
	size_t i;

	if (c->family == NFPROTO_IPV4 || c->family == NFPROTO_IPV6) {
		emit_cb_field(e, BPF_REG_0, BNFT_CB_INFO, 8, 0xff);
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, (int32_t)c->family, skip);
	} else if (c->family == NFPROTO_INET) {
		in = emit_label(e);
		emit_cb_field(e, BPF_REG_0, BNFT_CB_INFO, 8, 0xff);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, NFPROTO_IPV4, in);
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, NFPROTO_IPV6, skip);
		emit_bind(e, in);
	}
	if (st == ST_INPUT || st == ST_FORWARD) {
		emit_cb_field(e, BPF_REG_0, BNFT_CB_INFO, 24, 0xff);
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0,
			     st == ST_INPUT ? BNFT_RC_LOCAL : BNFT_RC_FORWARD, skip);
	}
	if (st == ST_INPUT) {
		/* IPv4 reassembles before LOCAL_IN (ip_local_deliver): the
		 * input chains judge a datagram once. Here the first fragment
		 * stands for it (dropping it kills the reassembly); later
		 * fragments pass. Byte counts and length matches see the
		 * first fragment, not the datagram. IPv6 reassembles after
		 * LOCAL_IN, so its fragments are judged one by one there too. */
		uint32_t go = emit_label(e);

		emit_cb_field(e, BPF_REG_0, BNFT_CB_INFO, 8, 0);
		emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xff));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, NFPROTO_IPV4, go);
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, BNFT_PF_FRAG << 8));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, skip);
		emit_bind(e, go);
	} else if (st == ST_OUTPUT) {
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(ingress_ifindex)));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, skip);
		cg_frag_gate(cg, skip); /* codegen_frag.c */
	} else if (st == ST_POSTROUTING) {
		cg_frag_gate(cg, skip);
	} else if (st == ST_NETDEV_INGRESS || st == ST_NETDEV_EGRESS) {
		in = emit_label(e);
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(ifindex)));
		for (i = 0; i < c->nifindex; i++)
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, c->ifindex[i], in);
		emit_ja(e, skip);
		emit_bind(e, in);
	}
}

/* Tail call to slot (of this generation: the loader adds the generation's
 * base to the immediate); if the slot is empty, drop (fail closed). */
static void emit_tail_call(struct cg *cg, uint32_t slot)
{
	struct emitter *e = cg->e;

	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit_ld_map(e, BPF_REG_2, BNFT_MAPREF_PROGS);
	if (!e->dead && !e->err) {
		uint32_t *g = realloc(cg->genrefs, (cg->ngenrefs + 1) * sizeof(*g));

		if (!g) {
			e->err = -ENOMEM;
			return;
		}
		cg->genrefs = g;
		cg->genrefs[cg->ngenrefs++] = (uint32_t)e->n;
	}
	emit(e, I_MOV64_IMM(BPF_REG_3, (int32_t)slot));
	emit_call_helper(e, BPF_FUNC_tail_call);
	emit(e, I_MOV64_IMM(BPF_REG_0, TC_ACT_SHOT));
	emit_exit(e);
}

static uint32_t start_slot(struct cg *cg, size_t idx)
{
	if (!cg->slot_of[idx])
		cg->slot_of[idx] = cg->next_slot++;
	return cg->slot_of[idx];
}

/* Where "continue with the next base chain" leads from chain idx. */
void cg_accept_exit(struct cg *cg)
{
	struct emitter *e = cg->e;

	cg_frag_exit(cg, BNFT_FRAG_V_ACCEPT);
	if (cg->uses_ct) {
		/* bnft_ct_accept confirms the flow and returns TC_ACT_OK */
		emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
		emit_ld_map(e, BPF_REG_2, BNFT_MAPREF_PROGS);
		emit(e, I_MOV64_IMM(BPF_REG_3, BNFT_SLOT_CT_ACCEPT));
		emit_call_helper(e, BPF_FUNC_tail_call);
	}
	emit(e, I_MOV64_IMM(BPF_REG_0, TC_ACT_OK));
	emit_exit(e);
}

static void emit_to_next_chain(struct cg *cg)
{
	if (cg->cur_idx + 1 < cg->norder)
		emit_tail_call(cg, start_slot(cg, cg->cur_idx + 1));
	else
		cg_accept_exit(cg);
}

static void emit_chain_end(struct cg *cg, struct cg_chain *c)
{
	struct emitter *e = cg->e;

	emit_bind(e, cg->lbl_chain_policy);
	cg_trace_policy(cg, c);
	if (c->policy == NF_DROP)
		emit_ja(e, cg->lbl_drop);
	emit_bind(e, cg->lbl_chain_accept);
}

/*
 * The header cache of a packet that ends inside it (r4 = bytes from the
 * header to the end, 1 to the cache size; r2 = the header's offset): when
 * those bytes are all in the linear area (a short linear packet: a TCP ACK,
 * a small datagram), copy them directly in 8-byte words, the last word
 * ending at the packet's end (stored byte by byte: its stack offset is not
 * constant), instead of calling bpf_skb_load_bytes (about 10 ns). Falls
 * through (to the helper) when they are not, or r4 < 8.
 */
static void emit_hdr_cache_short(struct cg *cg, bool th, uint32_t done)
{
	struct emitter *e = cg->e;
	uint32_t helper = emit_label(e), last = emit_label(e);
	int size = th ? SCR_TH_MAX : SCR_NH_MAX, k;
	int16_t base = th ? SCR_TH : SCR_NH;

	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_4, 8, helper);
	emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_2, 0x7fff, helper);
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(data)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(data_end)));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
	for (k = 0; k + 8 < size; k += 8) {
		emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_4, k + 8, last);
		emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_0));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, k + 8));
		emit_jmp_reg(e, BPF_JMP | BPF_JGT, BPF_REG_3, BPF_REG_1, helper);
		emit(e, I_LDX(BPF_DW, BPF_REG_3, BPF_REG_0, (int16_t)k));
		emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_3, (int16_t)(base + k)));
	}
	emit_bind(e, last);
	/* the word [r4 - 8, r4) */
	emit(e, I_MOV64_REG(BPF_REG_5, BPF_REG_4));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_5, -8));
	emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_0));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_5));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, 8));
	emit_jmp_reg(e, BPF_JMP | BPF_JGT, BPF_REG_3, BPF_REG_1, helper);
	emit(e, I_LDX(BPF_DW, BPF_REG_3, BPF_REG_3, -8));
	/* byte stores: a variable stack offset must be aligned to the size */
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_5, R_SCR));
	for (k = 0; k < 8; k++) {
		/* the word's lowest byte first: its first byte on a little
		 * endian host (the program runs where it is compiled) */
		int at = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? k : 7 - k;

		if (k)
			emit(e, I_ALU64_IMM(BPF_RSH, BPF_REG_3, 8));
		emit(e, I_STX(BPF_B, BPF_REG_5, BPF_REG_3, (int16_t)(base + at)));
	}
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_4, th ? SCR_TH_LEN : SCR_NH_LEN));
	emit_ja(e, done);
	emit_bind(e, helper);
}

/* Copies the start of the network (or transport) header to its cache on
 * the stack and stores how many bytes are valid (0 if none). */
static void emit_hdr_cache(struct cg *cg, bool th)
{
	struct emitter *e = cg->e;
	uint32_t done = emit_label(e), none = emit_label(e);
	int16_t len_off = th ? SCR_TH_LEN : SCR_NH_LEN;

	if (th) {
		/* No transport header or a later fragment: nothing to load. */
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 16));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, BNFT_PF_L4 | BNFT_PF_FRAG));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, BNFT_PF_L4, none);
	}
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	if (th)
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_2, 16));
	else
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
	{
		/* Fast path: the whole cache lies in the linear area, copy it
		 * with direct packet reads (no helper call). */
		uint32_t slow = emit_label(e);
		int size = th ? SCR_TH_MAX : SCR_NH_MAX, k;

		emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_2, 0x7fff, slow);
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(data)));
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(data_end)));
		emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_2));
		emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_0));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, size));
		emit_jmp_reg(e, BPF_JMP | BPF_JGT, BPF_REG_3, BPF_REG_1, slow);
		for (k = 0; k < size; k += 8) {
			emit(e, I_LDX(BPF_DW, BPF_REG_3, BPF_REG_0, (int16_t)k));
			emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_3, (int16_t)((th ? SCR_TH : SCR_NH) + k)));
		}
		emit(e, I_ST(BPF_W, R_SCR, len_off, size));
		emit_ja(e, done);
		emit_bind(e, slow);
	}
	/* len = min(skb->len - off, cache size), nothing when <= 0 */
	emit(e, I_LDX(BPF_W, BPF_REG_4, R_CTX, SKB_OFF(len)));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_4, BPF_REG_2));
	emit_jmp_imm(e, BPF_JMP | BPF_JSLE | BPF_K, BPF_REG_4, 0, none);
	{
		uint32_t fits = emit_label(e);

		emit_jmp_imm(e, BPF_JMP | BPF_JLE | BPF_K, BPF_REG_4, th ? SCR_TH_MAX : SCR_NH_MAX,
			     fits);
		emit(e, I_MOV64_IMM(BPF_REG_4, th ? SCR_TH_MAX : SCR_NH_MAX));
		emit_bind(e, fits);
	}
	emit_hdr_cache_short(cg, th, done);
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_4, len_off));
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, th ? SCR_TH : SCR_NH));
	emit_call_helper(e, BPF_FUNC_skb_load_bytes);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
	emit_bind(e, none);
	emit(e, I_ST(BPF_W, R_SCR, len_off, 0));
	emit_bind(e, done);
}

/* Forward chains see what ip_forward()/ip6_forward() hand to the hook: TTL
 * (hop limit) already decremented, the IPv4 checksum updated as
 * ip_decrease_ttl() does. Applied to the network header copy only, when
 * the packet is on the forward path. */
static void emit_fwd_ttl(struct cg *cg)
{
	struct emitter *e = cg->e;
	uint32_t done = emit_label(e), v6 = emit_label(e), ok = emit_label(e);

	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, 24));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, BNFT_RC_FORWARD, done);
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 8));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xff));
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_SCR, SCR_NH_LEN));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, NFPROTO_IPV4, v6);
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_2, 20, done);
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, SCR_NH + 8));
	emit(e, I_ALU32_IMM(BPF_SUB, BPF_REG_1, 1));
	emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, SCR_NH + 8));
	/* check += htons(0x0100); check += check >= 0xffff */
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 10));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, 0x0001));
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 0xffff, ok);
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, 1));
	emit_bind(e, ok);
	emit(e, I_STX(BPF_H, R_SCR, BPF_REG_1, SCR_NH + 10));
	emit_ja(e, done);
	emit_bind(e, v6);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, NFPROTO_IPV6, done);
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_2, 8, done);
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, SCR_NH + 7));
	emit(e, I_ALU32_IMM(BPF_SUB, BPF_REG_1, 1));
	emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, SCR_NH + 7));
	emit_bind(e, done);
}

static int chunk_open(struct cg *cg, uint32_t slot)
{
	struct emitter *e = cg->e;
	int16_t off;
	size_t i;

	emit_init(e);
	emit_label(e); /* label 0 means "none" in cg_chain.sub_label */
	cg->chunk_slot = slot;
	for (i = 0; i < cg->nchains; i++)
		cg->chains[i].sub_label = cg->chains[i].reach && !cg->chains[i].base ?
						  emit_label(e) : 0;
	/* Prologue: ctx in R6, zeroed scratch area addressed by R9. */
	emit(e, I_MOV64_REG(R_CTX, BPF_REG_1));
	emit(e, I_MOV64_REG(R_SCR, BPF_REG_10));
	emit(e, I_ALU64_IMM(BPF_ADD, R_SCR, -SCR_SIZE));
	emit(e, I_MOV64_IMM(BPF_REG_0, 0));
	for (off = 0; off < SCR_ZERO; off += 8)
		emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_0, off));
	emit_hdr_cache(cg, false);
	emit_hdr_cache(cg, true);
	if (cg->fwd_ttl)
		emit_fwd_ttl(cg);
	if (cg->frag_live)
		cg_frag_patch_hdr(cg);
	cg->lbl_drop = emit_label(e);
	cg->chunk_start = e->n;
	return e->err;
}

/* Ends the current program (code emitted so far falls into `tail`, which
 * the caller has emitted), adds the drop exit and the subprograms. */
static int chunk_close(struct cg *cg)
{
	struct emitter *e = cg->e;
	bool progress;
	char name[16];
	size_t i;
	int err = 0;

	emit_bind(e, cg->lbl_drop);
	cg_frag_exit(cg, BNFT_FRAG_V_DROP);
	emit(e, I_MOV64_IMM(BPF_REG_0, TC_ACT_SHOT));
	emit_exit(e);
	/* Only the chains this program calls, directly or through each
	 * other (a chunk of a split chain may call none): a fixpoint over
	 * label references. */
	for (i = 0; i < cg->nchains; i++)
		cg->chains[i].emitted = false;
	for (progress = true; progress && !err;) {
		progress = false;
		for (i = 0; i < cg->nchains && !err; i++) {
			struct cg_chain *c = &cg->chains[i];

			if (c->emitted || !c->sub_label || !e->label_refs[c->sub_label])
				continue;
			c->emitted = progress = true;
			err = emit_sub_chain(cg, c);
		}
	}
	cg->in_sub = false;
	if (err)
		return err;
	err = emit_finish(e);
	if (err)
		return cg_fail(cg, err, "%s program: code generation failed (%s)", cg->prog_name,
			       err == -E2BIG ? "too large" : "internal label error");
	if (cg->chunk_slot < BNFT_SLOT_FIRST_CONT)
		snprintf(name, sizeof(name), "%s", cg->prog_name);
	else
		snprintf(name, sizeof(name), "bnft_c%u", cg->chunk_slot & 0xffff);
	err = prog_add(cg, e, name, cg->chunk_slot);
	emit_release(e);
	return err;
}

/* Mid-chain split: the rest of the current base chain continues in a new
 * program. Labels of this chunk that name the chain's end get stubs. */
static int chunk_split(struct cg *cg)
{
	struct cg_chain *c = cg->cur_chain;
	uint32_t cont = cg->next_slot++;
	int err;

	emit_tail_call(cg, cont);
	emit_chain_end(cg, c);
	emit_to_next_chain(cg);
	err = chunk_close(cg);
	if (err)
		return err;
	err = chunk_open(cg, cont);
	cg->in_sub = false;
	cg->lbl_chain_accept = emit_label(cg->e);
	cg->lbl_chain_policy = emit_label(cg->e);
	return err ?: cg->e->err;
}

static int emit_base_chain(struct cg *cg, struct cg_chain *c, enum cg_stage st)
{
	struct emitter *e = cg->e;
	int err;

	cg->in_sub = false;
	cg->base_chain = c;
	cg->lbl_chain_accept = emit_label(e);
	cg->lbl_chain_policy = emit_label(e);
	emit_chain_gate(cg, c, st, cg->lbl_chain_accept);
	err = cg_ct_base_enter(cg, c);
	err = err ?: emit_rules(cg, c);
	if (err)
		return err;
	if (c->policy != NF_DROP && c->policy != NF_ACCEPT)
		return cg_fail(cg, -EOPNOTSUPP, "chain policy %u is not supported", c->policy);
	emit_chain_end(cg, cg->cur_chain);
	return cg->e->err;
}

static int emit_sub_chain(struct cg *cg, struct cg_chain *c)
{
	struct emitter *e = cg->e;
	int err;

	cg->in_sub = true;
	/* Calls to this chain may come from subprograms emitted later: the
	 * entry is live whatever the reference count says now. */
	emit_bind(e, c->sub_label);
	e->dead = false;
	emit(e, I_MOV64_REG(R_CTX, BPF_REG_1));
	emit(e, I_MOV64_REG(R_SCR, BPF_REG_2));
	err = emit_rules(cg, c);
	if (err)
		return err;
	emit(e, I_MOV64_IMM(BPF_REG_0, BNFT_V_CONTINUE));
	emit_exit(e);
	return e->err;
}

static int prog_add(struct cg *cg, struct emitter *e, const char *name, uint32_t slot)
{
	struct bnft_prog_set *ps = cg->ps;
	struct bnft_prog_spec *p;
	size_t i;

	p = realloc(ps->progs, (ps->nprogs + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	ps->progs = p;
	p = &ps->progs[ps->nprogs];
	memset(p, 0, sizeof(*p));
	cg_strlcpy(p->name, name, sizeof(p->name));
	p->slot = slot;
	p->maprefs = calloc(e->nmaps ? e->nmaps : 1, sizeof(*p->maprefs));
	p->genrefs = calloc(cg->ngenrefs ? cg->ngenrefs : 1, sizeof(*p->genrefs));
	if (!p->maprefs || !p->genrefs) {
		free(p->maprefs);
		free(p->genrefs);
		return -ENOMEM;
	}
	for (i = 0; i < e->nmaps; i++) {
		p->maprefs[i].insn = e->maps[i].insn;
		p->maprefs[i].ref = e->maps[i].ref;
	}
	p->nmaprefs = e->nmaps;
	memcpy(p->genrefs, cg->genrefs, cg->ngenrefs * sizeof(*p->genrefs));
	p->ngenrefs = cg->ngenrefs;
	cg->ngenrefs = 0;
	p->insns = e->insns; /* hand over */
	p->ninsns = e->n;
	e->insns = NULL;
	ps->nprogs++;
	return 0;
}

static int emit_program(struct cg *cg, struct cg_chain **base, size_t nbase,
			const enum cg_stage *stages, bool egress, const char *name,
			uint32_t slot)
{
	struct emitter e;
	struct {
		struct cg_chain *c;
		enum cg_stage st;
	} *order;
	size_t i, k, n = 0, nprogs0 = cg->ps->nprogs;
	int err = 0;

	cg->e = &e;
	cg->egress = egress;
	cg->prog_name = name;
	order = calloc(nbase + 1, sizeof(*order));
	cg->slot_of = calloc(nbase + 1, sizeof(*cg->slot_of));
	if (!order || !cg->slot_of) {
		free(order);
		return -ENOMEM;
	}
	for (k = 0; stages[k] != ST_NONE && !err; k++)
		for (i = 0; i < nbase && !err; i++) {
			enum cg_stage st;

			err = chain_stage(cg, base[i], &st);
			if (!err && st == stages[k] && !base[i]->ifany) {
				order[n].c = base[i];
				order[n++].st = st;
			}
		}
	cg->norder = n;
	cg->fwd_ttl = false;
	cg->frag_live = false;
	cg->frag_pts = 0;
	for (i = 0; i < cg->nchains; i++)
		cg->chains[i].reach = false;
	for (i = 0; i < nbase; i++)
		mark_reach(cg, base[i]);

	if (!err)
		err = chunk_open(cg, slot);
	for (i = 0; i < n && !err; i++) {
		cg->cur_idx = i;
		if (cg->slot_of[i] && e.n > cg->chunk_start) {
			/* Something tail-calls the start of this chain: it
			 * must begin a program. */
			emit_tail_call(cg, cg->slot_of[i]);
			err = chunk_close(cg);
			err = err ?: chunk_open(cg, cg->slot_of[i]);
		}
		if (!err && order[i].st == ST_FORWARD && !cg->fwd_ttl) {
			/* from here on, programs see the decremented TTL */
			cg->fwd_ttl = true;
			emit_fwd_ttl(cg);
		}
		if (!err)
			err = cg_frag_before_chain(cg, order[i].c); /* codegen_frag.c */
		if (!err)
			err = emit_base_chain(cg, order[i].c, order[i].st);
	}
	if (!err) {
		cg->cur_idx = n ? n - 1 : 0;
		cg_accept_exit(cg);
		err = chunk_close(cg);
		/* with conntrack the entry's tail call goes through the ct
		 * program, and accept ends in one more into bnft_ct_accept */
		if (!err && cg->ps->nprogs - nprogs0 > CG_MAX_CHAIN_PROGS - (cg->uses_ct ? 2 : 0))
			err = cg_fail(cg, -E2BIG,
				      "%s: %zu programs needed, more than the %d tail calls a "
				      "packet may take (rules need the set optimizer)",
				      name, cg->ps->nprogs - nprogs0,
				      CG_MAX_CHAIN_PROGS - (cg->uses_ct ? 2 : 0));
	} else {
		emit_release(&e);
	}
	cg->cur_chain = NULL;
	free(order);
	free(cg->slot_of);
	cg->slot_of = NULL;
	free(cg->genrefs);
	cg->genrefs = NULL;
	cg->ngenrefs = 0;
	cg->e = NULL;
	return err;
}

void bnft_prog_set_free(struct bnft_prog_set **psp)
{
	struct bnft_prog_set *ps = *psp;
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->nprogs; i++) {
		free(ps->progs[i].insns);
		free(ps->progs[i].maprefs);
		free(ps->progs[i].genrefs);
	}
	for (i = 0; i < ps->nmaps; i++) {
		free(ps->maps[i].keys);
		free(ps->maps[i].values);
	}
	free(ps->progs);
	free(ps->limits);
	free(ps->maps);
	free(ps->rules);
	free(ps->chains);
	free(ps);
	*psp = NULL;
}

size_t bnft_prog_set_insns(const struct bnft_prog_set *ps)
{
	size_t i, n = 0;

	for (i = 0; ps && i < ps->nprogs; i++)
		n += ps->progs[i].ninsns;
	return n;
}

int bnft_compile(const struct bnft_ir *ir, struct bnft_prog_set **out, struct bnft_err *errp)
{
	static const enum cg_stage in_stages[] = { ST_NETDEV_INGRESS, ST_PREROUTING, ST_INPUT,
						   ST_FORWARD, ST_NONE };
	static const enum cg_stage eg_stages[] = { ST_OUTPUT, ST_POSTROUTING, ST_NETDEV_EGRESS,
						   ST_NONE };
	struct cg_chain **in = NULL, **eg = NULL;
	size_t nin = 0, neg = 0, i;
	struct cg cg = { .ir = ir, .err = errp, .next_slot = BNFT_SLOT_FIRST_CONT };
	int err;

	if (errp)
		memset(errp, 0, sizeof(*errp));
	cg.ps = calloc(1, sizeof(*cg.ps));
	if (!cg.ps)
		return -ENOMEM;
	cg.opt_on = bnft_optimize_enabled();
	err = collect_chains(&cg);
	if (!err)
		err = collect_rules(&cg);
	if (!err)
		err = cg_sets_init(&cg);
	if (!err)
		err = cg_trace_init(&cg);
	if (!err)
		err = mark_inline(&cg);
	if (!err)
		err = cg_frag_init(&cg);
	if (!err && ruleset_uses_ct(&cg)) {
		cg.uses_ct = true;
		cg.ps->gen_flags |= BNFT_GF_CT;
	}
	if (!err) {
		in = calloc(cg.nchains + 1, sizeof(*in));
		eg = calloc(cg.nchains + 1, sizeof(*eg));
		if (!in || !eg)
			err = -ENOMEM;
	}
	for (i = 0; !err && i < cg.nchains; i++) {
		struct cg_chain *c = &cg.chains[i];
		enum cg_stage st;

		if (!c->base)
			continue;
		err = chain_stage(&cg, c, &st);
		if (!err && (st == ST_NETDEV_INGRESS || st == ST_NETDEV_EGRESS))
			err = resolve_devices(&cg, c);
		if (!err) {
			int d = mark_depth(&cg, c);

			if (d < 0) {
				err = d;
			} else if (d > CG_MAX_DEPTH) {
				cg.cur_chain = c;
				err = cg_fail(&cg, -ELOOP, "chains nest deeper than %d jumps",
					      CG_MAX_DEPTH);
			}
		}
		if (err < 0)
			break;
		err = 0;
		if (st <= ST_FORWARD) {
			in[nin++] = c;
			if (st == ST_INPUT || st == ST_FORWARD)
				cg.ps->gen_flags |= BNFT_GF_ROUTE;
		} else {
			eg[neg++] = c;
		}
	}
	if (!err) {
		qsort(in, nin, sizeof(*in), cmp_chain_prio);
		qsort(eg, neg, sizeof(*eg), cmp_chain_prio);
	}
	if (!err && nin) {
		err = emit_program(&cg, in, nin, in_stages, false, "bnft_ingress",
				   BNFT_SLOT_INGRESS);
		cg.ps->gen_flags |= BNFT_GF_INGRESS;
	}
	if (!err && neg) {
		err = emit_program(&cg, eg, neg, eg_stages, true, "bnft_egress",
				   BNFT_SLOT_EGRESS);
		cg.ps->gen_flags |= BNFT_GF_EGRESS;
	}
	if (!err)
		err = cg_objs_unreferenced(&cg);
	if (err && errp && !errp->msg[0])
		snprintf(errp->msg, sizeof(errp->msg), "compile failed: %s", strerror(-err));

	free(in);
	free(eg);
	for (i = 0; i < cg.nchains; i++) {
		free(cg.chains[i].rules);
		free(cg.chains[i].ix);
		free(cg.chains[i].handles);
		free(cg.chains[i].targets);
		bnft_opt_parsed_release(&cg.chains[i].opt);
	}
	free(cg.chains);
	bnft_ix_store_release(&cg.ixs);
	cg_sets_free(&cg);
	bnft_optimize_release(&cg);
	free(cg.limit_rule);
	cg_stmts_free(&cg);
	if (err) {
		bnft_prog_set_free(&cg.ps);
		return err;
	}
	*out = cg.ps;
	return 0;
}
