// SPDX-License-Identifier: GPL-2.0
/*
 * Optimizer analysis (see translator/optimize.h): which rules are
 * classifiable, how runs and groups are formed, and the first-match
 * structures (hash keys, LPM prefixes) of each group. No code is emitted
 * here (translator/optimize_emit.c does that), so the unit tests check
 * these structures against a linear evaluation of the rules.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "translator/optimize.h"

typedef unsigned __int128 u128;

/* ---- values: big endian byte strings of up to 16 bytes ---------------- */

static u128 val_get(const uint8_t *p, uint32_t n)
{
	u128 v = 0;
	uint32_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void val_put(u128 v, uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = n; i-- > 0;) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static u128 val_max(uint32_t n)
{
	return n >= 16 ? ~(u128)0 : (((u128)1 << (n * 8)) - 1);
}

/* memcpy() of n <= 16 bytes, the usual sizes inline. */
static inline void val_copy(uint8_t *dst, const uint8_t *src, uint32_t n)
{
	switch (n) {
	case 1:
		dst[0] = src[0];
		break;
	case 2:
		memcpy(dst, src, 2);
		break;
	case 4:
		memcpy(dst, src, 4);
		break;
	case 16:
		memcpy(dst, src, 16);
		break;
	default:
		memcpy(dst, src, n);
		break;
	}
}

/* Selectors are 16 bytes without holes (pad is 0): two words. */
static inline bool sel_eq(const struct bnft_opt_sel *a, const struct bnft_opt_sel *b)
{
	uint64_t x[2], y[2];

	_Static_assert(sizeof(*a) == 16, "bnft_opt_sel is two words");
	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return x[0] == y[0] && x[1] == y[1];
}

/* ---- parsing one rule --------------------------------------------------- */

static bool meta_key_ok(uint32_t key, uint32_t *len)
{
	switch (key) {
	case NFT_META_IIFNAME:
	case NFT_META_OIFNAME:
		*len = 16;
		return true;
	case NFT_META_L4PROTO:
	case NFT_META_NFPROTO:
	case NFT_META_PROTOCOL:
	case NFT_META_LEN:
	case NFT_META_MARK:
	case NFT_META_PRIORITY:
	case NFT_META_PKTTYPE:
	case NFT_META_IIF:
	case NFT_META_OIF:
	case NFT_META_IIFTYPE:
	case NFT_META_OIFTYPE:
		*len = 4;
		return true;
	}
	return false;
}

/* Number of leading one bits of a mask that is ones then zeros, or -1. */
static int prefix_bits(const uint8_t *m, uint32_t n)
{
	uint32_t i;
	int bits = 0;
	bool zero = false;

	for (i = 0; i < n; i++) {
		uint8_t b = m[i];
		int k;

		for (k = 7; k >= 0; k--) {
			if (b >> k & 1) {
				if (zero)
					return -1;
				bits++;
			} else {
				zero = true;
			}
		}
	}
	return bits;
}

struct parse_state {
	const struct nftnl_expr *load;
	struct bnft_opt_sel sel;	/* cmplen not yet known */
	uint32_t reg, loadlen;
	bool have_load;
	int mask_bits;			/* -1 none */
	uint32_t mask_len;
};

static const uint8_t *data_of(const struct nftnl_expr *e, uint16_t attr, uint32_t *len)
{
	const uint8_t *d = nftnl_expr_get(e, attr, len); /* NULL when not set */

	if (!d)
		*len = 0;
	return d;
}

/* nftnl_expr_get_u32() without its wrapper: 0 when not set (or not 4
 * bytes long); *set tells which. */
static inline uint32_t get32(const struct nftnl_expr *e, uint16_t attr, bool *set)
{
	uint32_t len = 0;
	const void *d = nftnl_expr_get(e, attr, &len);
	uint32_t v = 0;

	*set = d != NULL;
	if (d && len == sizeof(v))
		memcpy(&v, d, sizeof(v));
	return v;
}

static inline uint32_t u32_of(const struct nftnl_expr *e, uint16_t attr)
{
	bool set;

	return get32(e, attr, &set);
}

/* Adds (intersects) the interval [lo, hi] (cmplen bytes each, big endian)
 * of one selector to the rule. */
static inline __attribute__((always_inline)) int add_pred_bytes(struct bnft_opt_rule *o,
								const struct parse_state *ps,
								uint32_t cmplen, const uint8_t *lo,
								const uint8_t *hi, bool never)
{
	struct bnft_opt_sel s = ps->sel;
	uint32_t i;

	s.cmplen = (uint8_t)cmplen;
	if (never)
		o->never = true;
	for (i = 0; i < o->npred; i++)
		if (sel_eq(&o->pred[i].sel, &s))
			break;
	if (i == o->npred) {
		struct bnft_opt_pred *p = &o->pred[i];

		if (o->npred == BNFT_OPT_MAX_SEL)
			return 0;
		memset(p, 0, sizeof(*p));
		p->sel = s;
		p->load = ps->load;
		p->width = (uint8_t)cmplen;
		val_copy(p->lo, lo, cmplen);
		val_copy(p->hi, hi, cmplen);
		o->npred++;
		return 1;
	}
	{
		u128 l0 = val_get(o->pred[i].lo, cmplen), h0 = val_get(o->pred[i].hi, cmplen);
		u128 l1 = val_get(lo, cmplen), h1 = val_get(hi, cmplen);

		if (l1 > l0)
			l0 = l1;
		if (h1 < h0)
			h0 = h1;
		if (l0 > h0) {
			o->never = true;
			h0 = l0;
		}
		val_put(l0, o->pred[i].lo, cmplen);
		val_put(h0, o->pred[i].hi, cmplen);
	}
	return 1;
}

static int add_pred(struct bnft_opt_rule *o, const struct parse_state *ps, uint32_t cmplen, u128 lo,
		    u128 hi, bool never)
{
	uint8_t l[BNFT_OPT_VAL_MAX], h[BNFT_OPT_VAL_MAX];

	val_put(lo, l, cmplen);
	val_put(hi, h, cmplen);
	return add_pred_bytes(o, ps, cmplen, l, h, never);
}

static int parse_cmp(struct bnft_opt_rule *o, struct parse_state *ps, const struct nftnl_expr *e,
		     const struct bnft_xfact *f)
{
	uint32_t op = f ? f->a : u32_of(e, NFTNL_EXPR_CMP_OP), n = f ? f->len : 0;
	const uint8_t *d = f ? f->data : data_of(e, NFTNL_EXPR_CMP_DATA, &n);
	u128 v, max;

	if (!d || n == 0 || n > BNFT_OPT_VAL_MAX || n > ((ps->loadlen + 3) & ~3u) ||
	    (f ? f->reg : u32_of(e, NFTNL_EXPR_CMP_SREG)) != ps->reg)
		return 0;
	if (op == NFT_CMP_EQ && ps->mask_bits < 0)
		return add_pred_bytes(o, ps, n, d, d, false);
	v = val_get(d, n);
	max = val_max(n);
	if (ps->mask_bits >= 0) {
		u128 low;
		uint32_t bits = (uint32_t)ps->mask_bits;

		if (op != NFT_CMP_EQ || ps->mask_len < n)
			return 0;
		if (bits > n * 8)
			bits = n * 8;
		low = bits == n * 8 ? 0 : (max >> bits);
		return add_pred(o, ps, n, v & ~low, v | low, (v & low) != 0);
	}
	switch (op) {
	case NFT_CMP_EQ:
		return add_pred(o, ps, n, v, v, false);
	case NFT_CMP_LT:
		return add_pred(o, ps, n, 0, v ? v - 1 : 0, v == 0);
	case NFT_CMP_LTE:
		return add_pred(o, ps, n, 0, v, false);
	case NFT_CMP_GT:
		return add_pred(o, ps, n, v == max ? v : v + 1, max, v == max);
	case NFT_CMP_GTE:
		return add_pred(o, ps, n, v, max, false);
	}
	return 0;
}

static int parse_range(struct bnft_opt_rule *o, struct parse_state *ps,
		       const struct nftnl_expr *e)
{
	uint32_t l1, l2;
	const uint8_t *from = data_of(e, NFTNL_EXPR_RANGE_FROM_DATA, &l1);
	const uint8_t *to = data_of(e, NFTNL_EXPR_RANGE_TO_DATA, &l2);
	u128 lo, hi;

	if (!from || !to || l1 != l2 || l1 == 0 || l1 > BNFT_OPT_VAL_MAX ||
	    l1 > ((ps->loadlen + 3) & ~3u) || ps->mask_bits >= 0 ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP) != NFT_RANGE_EQ ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG) != ps->reg)
		return 0;
	lo = val_get(from, l1);
	hi = val_get(to, l1);
	return add_pred(o, ps, l1, lo, lo > hi ? lo : hi, lo > hi);
}

static int parse_bitwise(struct parse_state *ps, const struct nftnl_expr *e)
{
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN), ml, xl, i;
	const uint8_t *m = data_of(e, NFTNL_EXPR_BITWISE_MASK, &ml);
	const uint8_t *x = data_of(e, NFTNL_EXPR_BITWISE_XOR, &xl);

	if (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL)
		return 0;
	if (ps->mask_bits >= 0 || !m || !x || ml < len || xl < len || len == 0 ||
	    len > BNFT_OPT_VAL_MAX || nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG) != ps->reg ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG) != ps->reg)
		return 0;
	for (i = 0; i < len; i++)
		if (x[i])
			return 0;
	ps->mask_bits = prefix_bits(m, len);
	ps->mask_len = len;
	return ps->mask_bits >= 0;
}

int bnft_opt_parse_ix(const struct bnft_rule_ix *x, struct bnft_opt_rule *o,
		      struct bnft_opt_pred *pred)
{
	return bnft_opt_parse_facts(x, NULL, o, pred);
}

bool bnft_optimize_enabled(void)
{
	const char *off = getenv("BNFT_NO_OPTIMIZE");

	return !(off && *off && strcmp(off, "0"));
}

int bnft_opt_parse_facts(const struct bnft_rule_ix *x, const struct bnft_xfact *facts,
			 struct bnft_opt_rule *o, struct bnft_opt_pred *pred)
{
	struct parse_state ps = { .mask_bits = -1 };
	bool done = false;
	uint32_t j;
	int ok = 1;

	memset(o, 0, sizeof(*o));
	o->pred = pred;
	for (j = 0; ok > 0 && j < x->nex; j++) {
		const struct nftnl_expr *e = x->ex[j];
		uint8_t kind = x->kind[j];
		/* the expression's fields as the lowering set them */
		const struct bnft_xfact *f = facts && facts[j].known ? &facts[j] : NULL;

		if (done) {
			ok = 0;
		} else if (kind == BNFT_XK_PAYLOAD) {
			uint32_t base, dreg;
			bool has_dreg = true;

			if (ps.have_load || o->counter) {
				ok = 0;
				break;
			}
			dreg = f ? f->reg : get32(e, NFTNL_EXPR_PAYLOAD_DREG, &has_dreg);
			base = f ? f->a : u32_of(e, NFTNL_EXPR_PAYLOAD_BASE);
			if (!has_dreg || base > NFT_PAYLOAD_TRANSPORT_HEADER ||
			    (!f && nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG))) {
				ok = 0;
				break;
			}
			memset(&ps.sel, 0, sizeof(ps.sel));
			ps.sel.kind = BNFT_OPT_PAYLOAD;
			ps.sel.base = base;
			ps.sel.off = f ? f->b : u32_of(e, NFTNL_EXPR_PAYLOAD_OFFSET);
			ps.sel.len = f ? f->c : u32_of(e, NFTNL_EXPR_PAYLOAD_LEN);
			ps.loadlen = ps.sel.len;
			ps.reg = dreg;
			ps.load = e;
			ps.have_load = ps.sel.len > 0 && ps.sel.len <= BNFT_OPT_VAL_MAX &&
				       ps.sel.off <= 0xffff;
			ps.mask_bits = -1;
			ok = ps.have_load;
		} else if (kind == BNFT_XK_META) {
			uint32_t key, len = 0, dreg = 0;
			bool has_dreg = false;

			if (ps.have_load || o->counter) {
				ok = 0;
				break;
			}
			key = f ? f->a : u32_of(e, NFTNL_EXPR_META_KEY);
			if (meta_key_ok(key, &len)) {
				has_dreg = f != NULL;
				dreg = f ? f->reg : get32(e, NFTNL_EXPR_META_DREG, &has_dreg);
			}
			if (!has_dreg || (!f && nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG))) {
				ok = 0;
				break;
			}
			memset(&ps.sel, 0, sizeof(ps.sel));
			ps.sel.kind = BNFT_OPT_META;
			ps.sel.base = key;
			ps.loadlen = len;
			ps.reg = dreg;
			ps.load = e;
			ps.have_load = true;
			ps.mask_bits = -1;
		} else if (kind == BNFT_XK_BITWISE) {
			ok = ps.have_load ? parse_bitwise(&ps, e) : 0;
		} else if (kind == BNFT_XK_CMP) {
			ok = ps.have_load ? parse_cmp(o, &ps, e, f) : 0;
			ps.have_load = false;
		} else if (kind == BNFT_XK_RANGE) {
			ok = ps.have_load ? parse_range(o, &ps, e) : 0;
			ps.have_load = false;
		} else if (kind == BNFT_XK_COUNTER) {
			if (ps.have_load || o->counter)
				ok = 0;
			o->counter = true;
		} else if (kind == BNFT_XK_IMMEDIATE) {
			int32_t v;

			if (ps.have_load ||
			    (f ? f->reg : u32_of(e, NFTNL_EXPR_IMM_DREG)) != NFT_REG_VERDICT) {
				ok = 0;
				break;
			}
			v = (int32_t)(f ? f->a : u32_of(e, NFTNL_EXPR_IMM_VERDICT));
			if (v != NF_ACCEPT && v != NF_DROP && v != NFT_RETURN && v != NFT_GOTO) {
				ok = 0;
				break;
			}
			o->verdict = v;
			if (v == NFT_GOTO) {
				if (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_CHAIN)) {
					ok = 0;
					break;
				}
				o->chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
			}
			done = true;
		} else {
			ok = 0;
		}
	}
	if (ok > 0 && (!done || ps.have_load))
		ok = 0;
	return ok;
}

int bnft_opt_parse_rule(const struct nftnl_rule *r, struct bnft_opt_rule *o,
			struct bnft_opt_pred *pred)
{
	struct bnft_ix_store st = { 0 };
	struct bnft_rule_ix x;
	int err = bnft_rule_ix_add(&st, r, &x);

	if (!err)
		err = bnft_opt_parse_ix(&x, o, pred);
	bnft_ix_store_release(&st);
	return err;
}

/* ---- runs and groups ---------------------------------------------------- */

/* Bytes [0, n) of a and b equal (n <= 16), the usual sizes inline. */
static inline bool val_eq(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	switch (n) {
	case 1:
		return a[0] == b[0];
	case 2:
		return !memcmp(a, b, 2);
	case 4:
		return !memcmp(a, b, 4);
	case 16:
		return !memcmp(a, b, 16);
	default:
		return !memcmp(a, b, n);
	}
}

static bool pred_point(const struct bnft_opt_pred *p)
{
	return val_eq(p->lo, p->hi, p->sel.cmplen);
}

/* memcmp() order of two selectors: their two words, big endian. */
static inline int cmp_sel(const struct bnft_opt_sel *a, const struct bnft_opt_sel *b)
{
	uint64_t x[2], y[2];
	int i;

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	for (i = 0; i < 2; i++) {
		uint64_t u = __builtin_bswap64(x[i]), v = __builtin_bswap64(y[i]);

		if (u != v)
			return u < v ? -1 : 1;
	}
	return 0;
}

/* Sorts the (at most BNFT_OPT_MAX_SEL) selectors of a rule: insertion
 * sort, as qsort(cmp_sel) (the selectors of a rule differ). */
static void sort_sels(struct bnft_opt_sel *sel, uint32_t n)
{
	uint32_t i, j;

	for (i = 1; i < n; i++) {
		struct bnft_opt_sel x = sel[i];

		for (j = i; j > 0 && cmp_sel(&sel[j - 1], &x) > 0; j--)
			sel[j] = sel[j - 1];
		sel[j] = x;
	}
}

/* The shape of a rule: sorted selectors with the interval one (if any)
 * last; returns the number of non-point selectors. */
static int rule_shape(const struct bnft_opt_rule *o, struct bnft_opt_sel *sel,
		      const struct nftnl_expr **load)
{
	struct bnft_opt_sel iv = { 0 };
	const struct nftnl_expr *ivload = NULL;
	uint32_t i, k = 0;
	int nint = 0;

	for (i = 0; i < o->npred; i++) {
		if (!pred_point(&o->pred[i])) {
			nint++;
			iv = o->pred[i].sel;
			ivload = o->pred[i].load;
			continue;
		}
		sel[k++] = o->pred[i].sel;
	}
	sort_sels(sel, k);
	/* loads follow the sorted selectors */
	for (i = 0; i < k; i++) {
		uint32_t j;

		for (j = 0; j < o->npred; j++)
			if (sel_eq(&o->pred[j].sel, &sel[i]))
				load[i] = o->pred[j].load;
	}
	if (nint == 1) {
		sel[k] = iv;
		load[k] = ivload;
	}
	return nint;
}

static bool same_sels(const struct bnft_opt_sel *a, const struct bnft_opt_sel *b, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (!sel_eq(&a[i], &b[i]))
			return false;
	return true;
}

/* Selector sets equal ignoring order. */
static bool same_set(const struct bnft_opt_group *g, const struct bnft_opt_sel *sel, uint32_t n)
{
	struct bnft_opt_sel x[BNFT_OPT_MAX_SEL], y[BNFT_OPT_MAX_SEL];

	if (g->nsel != n)
		return false;
	memcpy(x, g->sel, n * sizeof(*x));
	memcpy(y, sel, n * sizeof(*y));
	sort_sels(x, n);
	sort_sels(y, n);
	return same_sels(x, y, n);
}

static int group_add_rule(struct bnft_opt_group *g, uint32_t idx)
{
	if (g->nrules == g->rcap) {
		size_t nc = g->rcap ? 2 * g->rcap : 16;
		uint32_t *p = realloc(g->rules, nc * sizeof(*p));

		if (!p)
			return -ENOMEM;
		g->rules = p;
		g->rcap = nc;
	}
	g->rules[g->nrules++] = idx;
	return 0;
}

/* Which group rule o joins: index, ngroups for a new one. */
static size_t find_group(const struct bnft_opt_run *run, const struct bnft_opt_rule *o,
			 struct bnft_opt_sel *sel, const struct nftnl_expr **load, bool *interval,
			 int *bad)
{
	int nint = rule_shape(o, sel, load);
	size_t i;

	*bad = nint > 1;
	*interval = nint == 1;
	if (*bad)
		return 0;
	for (i = 0; i < run->ngroups; i++) {
		const struct bnft_opt_group *g = &run->groups[i];

		if (g->nsel != o->npred)
			continue;
		if (nint == 1 && g->interval && same_sels(g->sel, sel, o->npred))
			return i;
		if (nint == 0 && !g->interval && same_sels(g->sel, sel, o->npred))
			return i;
	}
	if (nint == 0)
		for (i = 0; i < run->ngroups; i++)
			if (run->groups[i].interval && same_set(&run->groups[i], sel, o->npred))
				return i;
	if (nint == 1)
		for (i = 0; i < run->ngroups; i++) {
			struct bnft_opt_group *g = &((struct bnft_opt_run *)run)->groups[i];

			/* a (small: a big one keeps its hash) group of points
			 * on the same selectors becomes an interval group:
			 * points are one-value intervals */
			if (!g->interval && g->nrules <= BNFT_OPT_POINT_TABLE &&
			    same_set(g, sel, o->npred)) {
				memcpy(g->sel, sel, o->npred * sizeof(*sel));
				memcpy(g->load, load, o->npred * sizeof(*load));
				g->interval = true;
				return i;
			}
		}
	return run->ngroups;
}

static size_t find_vclass(const struct bnft_opt_run *run, const struct bnft_opt_rule *o)
{
	size_t i;

	for (i = 0; i < run->nvclass; i++)
		if (run->vclass[i].verdict == o->verdict &&
		    (o->verdict != NFT_GOTO || !strcmp(run->vclass[i].chain, o->chain)))
			break;
	return i;
}

static void run_release(struct bnft_opt_run *run)
{
	size_t i;

	for (i = 0; i < run->ngroups; i++) {
		struct bnft_opt_group *g = &run->groups[i];
		uint32_t k;

		free(g->rules);
		free(g->map.keys);
		free(g->map.values);
		if (g->wide_load)
			nftnl_expr_free(g->wide_load);
		for (k = 0; k < g->nfb; k++)
			run_release(&g->fb[k]);
		free(g->fb);
	}
	free(run->groups);
	if (!run->shared_rules) {
		free(run->rules);
		free(run->preds);
	}
	free(run->value);
	free(run->vclass);
	memset(run, 0, sizeof(*run));
}

/* Whether rule o has the shape of the run's last rule: the same selectors
 * in the same order, points and intervals at the same places (then
 * find_group() gives the same group: it depends on nothing else but
 * groups that adding the last rule left matching it). */
static bool same_shape_as_last(const struct bnft_opt_run *run, const struct bnft_opt_rule *o)
{
	uint32_t i;

	if (!run->last_ok || run->last_npred != o->npred)
		return false;
	for (i = 0; i < o->npred; i++)
		if (!sel_eq(&run->last_sel[i], &o->pred[i].sel) ||
		    run->last_point[i] != pred_point(&o->pred[i]))
			return false;
	return true;
}

static void remember_shape(struct bnft_opt_run *run, const struct bnft_opt_rule *o, size_t g,
			   size_t vc)
{
	uint32_t i;

	run->last_ok = true;
	run->last_npred = o->npred;
	run->last_group = g;
	run->last_vclass = vc;
	for (i = 0; i < o->npred; i++) {
		run->last_sel[i] = o->pred[i].sel;
		run->last_point[i] = pred_point(&o->pred[i]);
	}
}

/* Tries to add rule o (chain index r) to run; 1 added, 0 does not fit. */
static int run_add(struct bnft_opt_run *run, const struct bnft_opt_rule *o)
{
	struct bnft_opt_sel sel[BNFT_OPT_MAX_SEL];
	const struct nftnl_expr *load[BNFT_OPT_MAX_SEL];
	bool interval = false;
	int bad = 0;
	size_t g, vc;
	uint32_t idx = (uint32_t)run->n;
	bool same = same_shape_as_last(run, o);
	void *p;

	if (same) {
		const struct bnft_opt_vclass *lv = &run->vclass[run->last_vclass];

		g = run->last_group;
		vc = lv->verdict == o->verdict &&
				     (o->verdict != NFT_GOTO || !strcmp(lv->chain, o->chain))
			     ? run->last_vclass
			     : find_vclass(run, o);
	} else {
		g = find_group(run, o, sel, load, &interval, &bad);
		vc = find_vclass(run, o);
	}
	if (bad || idx >= (1u << 23))
		return 0;
	if (g == run->ngroups && run->ngroups == BNFT_OPT_MAX_GROUPS)
		return 0;
	if (vc == run->nvclass && run->nvclass == BNFT_OPT_MAX_VCLASS)
		return 0;
	if (run->n == run->cap) {
		size_t nc = run->cap ? 2 * run->cap : 16;

		p = realloc(run->value, nc * sizeof(*run->value));
		if (!p)
			return -ENOMEM;
		run->value = p;
		run->cap = nc;
	}
	if (vc == run->nvclass) {
		p = realloc(run->vclass, (run->nvclass + 1) * sizeof(*run->vclass));
		if (!p)
			return -ENOMEM;
		run->vclass = p;
		run->vclass[run->nvclass].verdict = o->verdict;
		run->vclass[run->nvclass].chain = o->chain;
		run->nvclass++;
	}
	if (g == run->ngroups) {
		struct bnft_opt_group *ng;

		p = realloc(run->groups, (run->ngroups + 1) * sizeof(*run->groups));
		if (!p)
			return -ENOMEM;
		run->groups = p;
		ng = &run->groups[run->ngroups++];
		memset(ng, 0, sizeof(*ng));
		ng->nsel = o->npred;
		memcpy(ng->sel, sel, o->npred * sizeof(*sel));
		memcpy(ng->load, load, o->npred * sizeof(*load));
		ng->interval = interval;
		ng->map_index = -1;
	}
	if (group_add_rule(&run->groups[g], idx))
		return -ENOMEM;
	if (same)
		run->last_vclass = vc;
	else
		remember_shape(run, o, g, vc);
	run->value[run->n] = BNFT_OPT_VALUE(idx, o->counter, vc);
	run->any_counter |= o->counter;
	run->n++;
	return 1;
}

static int chain_push_run(struct bnft_opt_chain *c, struct bnft_opt_run *run)
{
	void *p;

	if (run->n < BNFT_OPT_MIN_RUN) {
		run_release(run);
		return 0;
	}
	p = realloc(c->runs, (c->nruns + 1) * sizeof(*c->runs));
	if (!p) {
		run_release(run);
		return -ENOMEM;
	}
	c->runs = p;
	c->run_at[run->start] = (int32_t)c->nruns;
	c->runs[c->nruns++] = *run;
	memset(run, 0, sizeof(*run));
	return 0;
}

/* rules ahead whose expressions are fetched while one is parsed */
#define OPT_PREFETCH 8

/* ---- widening of prefix loads ------------------------------------------- */

static bool widenable(const struct bnft_opt_pred *p)
{
	return p->sel.kind == BNFT_OPT_PAYLOAD && p->sel.len == p->sel.cmplen;
}

static uint8_t *width_of(struct bnft_opt_widths *ws, const struct bnft_opt_sel *s, bool add)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->e[i].base == s->base && ws->e[i].off == s->off)
			return &ws->e[i].w;
	if (!add || ws->n == 64)
		return NULL;
	ws->e[ws->n].base = s->base;
	ws->e[ws->n].off = s->off;
	ws->e[ws->n].w = 0;
	return &ws->e[ws->n++].w;
}

/* Widens the payload selectors of o to the chain's widest load at their
 * (base, offset) when the rule keeps at most one interval selector. A
 * prefix of the narrow field is an interval of the wide one. */
static void widen_rule(struct bnft_opt_rule *o, struct bnft_opt_widths *ws)
{
	uint8_t want[BNFT_OPT_MAX_SEL];
	uint32_t i, nint = 0, j;

	for (i = 0; i < o->npred; i++) {
		const struct bnft_opt_pred *p = &o->pred[i];
		uint8_t *w = widenable(p) ? width_of(ws, &p->sel, false) : NULL;

		want[i] = w && *w > p->sel.cmplen ? *w : 0;
		if (want[i] || !pred_point(p))
			nint++;
		/* two predicates on one (base, offset) would collide */
		for (j = 0; want[i] && j < o->npred; j++)
			if (j != i && o->pred[j].sel.kind == BNFT_OPT_PAYLOAD &&
			    o->pred[j].sel.base == p->sel.base && o->pred[j].sel.off == p->sel.off)
				return;
	}
	if (nint > 1)
		return;
	for (i = 0; i < o->npred; i++) {
		struct bnft_opt_pred *p = &o->pred[i];
		uint32_t sh = 8 * (want[i] - p->sel.cmplen);
		u128 lo, hi;

		if (!want[i])
			continue;
		lo = val_get(p->lo, p->sel.cmplen) << sh;
		hi = val_get(p->hi, p->sel.cmplen) << sh | (((u128)1 << sh) - 1);
		p->sel.len = p->sel.cmplen = want[i];
		val_put(lo, p->lo, want[i]);
		val_put(hi, p->hi, want[i]);
	}
}

/* Rules [r, ...) of the chain's parsed array are the run's: o is
 * c->parsed[r], already in place (no copy). */
static int run_add_at(struct bnft_opt_chain *c, struct bnft_opt_run *run, size_t r)
{
	if (!run->n) {
		run->start = r;
		run->rules = c->parsed + r;
		run->shared_rules = true;
	}
	return run_add(run, &c->parsed[r]);
}

int bnft_opt_analyze(const struct nftnl_rule *const *rules, size_t n, struct bnft_opt_chain **out)
{
	struct bnft_ix_store st = { 0 };
	struct bnft_rule_ix *ix = calloc(n ? n : 1, sizeof(*ix));
	size_t r;
	int err = ix ? 0 : -ENOMEM;

	for (r = 0; r < n && !err; r++)
		err = bnft_rule_ix_add(&st, rules[r], &ix[r]);
	if (!err)
		err = bnft_opt_analyze_ix(ix, n, out);
	else
		*out = NULL;
	bnft_ix_store_release(&st);
	free(ix);
	return err;
}

/* Predicates are stored in chunks that never move, of 64 predicates at
 * first and twice as many each time up to this many (a rule has at most
 * BNFT_OPT_MAX_SEL): no copy as they grow, little memory for the many
 * small chains of some rulesets. */
#define OPT_PRED_CHUNK 4096

struct bnft_opt_pred_chunk {
	struct bnft_opt_pred_chunk *next;
	size_t used, cap;
	struct bnft_opt_pred pred[];
};

static void pred_chunks_free(struct bnft_opt_pred_chunk *c)
{
	while (c) {
		struct bnft_opt_pred_chunk *next = c->next;

		free(c);
		c = next;
	}
}

/* The widest load per (base, offset) with rule o's. */
static void note_widths(struct bnft_opt_widths *ws, const struct bnft_opt_rule *o)
{
	uint32_t i;

	for (i = 0; i < o->npred; i++) {
		uint8_t *w = widenable(&o->pred[i]) ? width_of(ws, &o->pred[i].sel, true) : NULL;

		if (w && *w && *w != o->pred[i].sel.cmplen)
			ws->mixed = true;
		if (w && *w < o->pred[i].sel.cmplen)
			*w = o->pred[i].sel.cmplen;
	}
}

int bnft_opt_parsed_add(struct bnft_opt_parsed *p, const struct bnft_rule_ix *x)
{
	return bnft_opt_parsed_add_facts(p, x, NULL);
}

int bnft_opt_parsed_add_facts(struct bnft_opt_parsed *p, const struct bnft_rule_ix *x,
			      const struct bnft_xfact *facts)
{
	struct bnft_opt_pred buf[BNFT_OPT_MAX_SEL];
	struct bnft_opt_pred_chunk *c = p->chunks;
	bool room = c && c->cap - c->used >= BNFT_OPT_MAX_SEL;
	struct bnft_opt_rule *o;
	int k;

	if (p->n == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 64;
		void *q = realloc(p->rules, nc * sizeof(*p->rules));

		if (!q)
			return -ENOMEM;
		p->rules = q;
		p->cap = nc;
	}
	/* parsed in place when the chunk has room for any rule's
	 * predicates; else on the stack, and a new chunk when it is
	 * classifiable */
	o = &p->rules[p->n];
	k = bnft_opt_parse_facts(x, facts, o, room ? c->pred + c->used : buf);
	if (k < 0)
		return k;
	p->n++;
	if (!k) {
		o->pred = NULL; /* not classifiable */
		return 0;
	}
	if (!room) {
		size_t cap = !c ? 64 : 2 * c->cap < OPT_PRED_CHUNK ? 2 * c->cap : OPT_PRED_CHUNK;

		c = malloc(sizeof(*c) + cap * sizeof(c->pred[0]));
		if (!c)
			return -ENOMEM;
		c->used = 0;
		c->cap = cap;
		c->next = p->chunks;
		p->chunks = c;
		memcpy(c->pred, buf, o->npred * sizeof(buf[0]));
		o->pred = c->pred;
	}
	c->used += o->npred;
	if (!p->widths) {
		p->widths = calloc(1, sizeof(*p->widths));
		if (!p->widths)
			return -ENOMEM;
	}
	note_widths(p->widths, o);
	return 0;
}

void bnft_opt_parsed_release(struct bnft_opt_parsed *p)
{
	free(p->rules);
	pred_chunks_free(p->chunks);
	free(p->widths);
	memset(p, 0, sizeof(*p));
}

int bnft_opt_analyze_ix(const struct bnft_rule_ix *ix, size_t n, struct bnft_opt_chain **out)
{
	struct bnft_opt_parsed p = { 0 };
	size_t r;
	int err = 0;

	*out = NULL;
	for (r = 0; r < n && !err; r++) {
		if (r + OPT_PREFETCH < n)
			bnft_rule_ix_prefetch(&ix[r + OPT_PREFETCH]);
		err = bnft_opt_parsed_add(&p, &ix[r]);
	}
	if (!err)
		err = bnft_opt_analyze_parsed(&p, out);
	bnft_opt_parsed_release(&p);
	return err;
}

int bnft_opt_analyze_parsed(struct bnft_opt_parsed *p, struct bnft_opt_chain **out)
{
	struct bnft_opt_chain *c = calloc(1, sizeof(*c));
	struct bnft_opt_run run = { 0 };
	size_t n = p->n, r;
	int8_t *ok = NULL;
	int err = 0;

	*out = NULL;
	if (!c) {
		bnft_opt_parsed_release(p);
		return -ENOMEM;
	}
	c->nrules = n;
	c->run_at = malloc((n ? n : 1) * sizeof(*c->run_at));
	ok = malloc(n ? n : 1);
	if (!c->run_at || !ok) {
		free(ok);
		bnft_opt_chain_free(&c);
		bnft_opt_parsed_release(p);
		return -ENOMEM;
	}
	/* the parsed rules and their predicates move to the chain */
	c->parsed = p->rules;
	c->pred_chunks = p->chunks;
	p->rules = NULL;
	p->chunks = NULL;
	if (!c->parsed) {
		c->parsed = malloc(sizeof(*c->parsed));
		if (!c->parsed) {
			free(ok);
			bnft_opt_chain_free(&c);
			bnft_opt_parsed_release(p);
			return -ENOMEM;
		}
	}
	/* the widest load per (base, offset): noted while parsed */
	for (r = 0; r < n; r++) {
		c->run_at[r] = -1;
		ok[r] = (int8_t)(c->parsed[r].pred != NULL);
	}
	for (r = 0; r < n && !err; r++) {
		int k;

		if (!ok[r]) {
			err = chain_push_run(c, &run);
			continue;
		}
		/* (nothing to widen when every load has one length) */
		if (p->widths && p->widths->mixed)
			widen_rule(&c->parsed[r], p->widths);
		k = run_add_at(c, &run, r);
		if (k < 0) {
			err = k;
			break;
		}
		if (k)
			continue;
		/* does not fit: close the run, start a new one here */
		err = chain_push_run(c, &run);
		if (err)
			break;
		k = run_add_at(c, &run, r);
		if (k < 0)
			err = k;
		else if (!k)
			run_release(&run);
	}
	if (!err)
		err = chain_push_run(c, &run);
	run_release(&run);
	free(ok);
	bnft_opt_parsed_release(p);
	if (err) {
		bnft_opt_chain_free(&c);
		return err;
	}
	*out = c;
	return 0;
}

void bnft_opt_chain_free(struct bnft_opt_chain **cp)
{
	struct bnft_opt_chain *c = *cp;
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nruns; i++)
		run_release(&c->runs[i]);
	free(c->runs);
	free(c->run_at);
	free(c->parsed);
	pred_chunks_free(c->pred_chunks);
	free(c);
	*cp = NULL;
}

/* ---- structures ----------------------------------------------------------- */

struct entry_buf {
	struct bnft_map_spec *m;
	size_t cap;
};

static int push_entry(struct entry_buf *b, const uint8_t *key, uint32_t value)
{
	struct bnft_map_spec *m = b->m;

	if (m->nelems == b->cap) {
		size_t nc = b->cap ? 2 * b->cap : 64;
		uint8_t *k = realloc(m->keys, nc * m->key_size);

		if (!k)
			return -ENOMEM;
		m->keys = k;
		k = realloc(m->values, nc * 4);
		if (!k)
			return -ENOMEM;
		m->values = k;
		b->cap = nc;
	}
	memcpy(m->keys + (size_t)m->nelems * m->key_size, key, m->key_size);
	memcpy(m->values + (size_t)m->nelems * 4, &value, 4);
	m->nelems++;
	return 0;
}

/* The predicate of rule o on selector s. */
static const struct bnft_opt_pred *rule_pred(const struct bnft_opt_rule *o,
					     const struct bnft_opt_sel *s)
{
	uint32_t i;

	for (i = 0; i < o->npred; i++)
		if (sel_eq(&o->pred[i].sel, s))
			return &o->pred[i];
	return NULL;
}

struct item {
	u128 lo, hi;
	const uint8_t *point;	/* varying point fields (pointlen bytes) */
	uint32_t value;
};

/* Items are sorted by (point, value) through small keys: the first 8 point
 * bytes as a big-endian number, the value, the item. Values differ between
 * the rules of a group, so the order is total. */
struct item_key {
	uint64_t k8;
	uint32_t value, idx;
};

static __thread uint32_t g_pointlen; /* qsort context: bytes of item.point compared */
static __thread const struct item *g_items;

static int cmp_item_key(const void *a, const void *b)
{
	const struct item_key *x = a, *y = b;

	if (x->k8 != y->k8)
		return x->k8 < y->k8 ? -1 : 1;
	if (g_pointlen > 8) {
		int c = memcmp(g_items[x->idx].point + 8, g_items[y->idx].point + 8,
			       g_pointlen - 8);

		if (c)
			return c;
	}
	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * Points of at most 8 bytes, values ascending in item order (rules are
 * added in order): a stable LSD radix sort on the point bytes gives the
 * (point, value) order in pointlen passes. Returns 1 when it does not
 * apply (the caller sorts with qsort), 0 sorted, -ENOMEM.
 */
static int radix_sort_keys(struct item_key **keysp, size_t n, uint32_t pointlen)
{
	struct item_key *a = *keysp, *b;
	size_t i, cnt[256];
	uint32_t d;

	for (i = 1; i < n; i++)
		if (a[i - 1].value >= a[i].value)
			return 1;
	b = malloc(n * sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (d = 0; d < pointlen; d++) {
		uint32_t sh = 56 - 8 * (pointlen - 1 - d); /* least significant first */
		size_t sum = 0;
		struct item_key *t;

		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i].k8 >> sh) & 0xff]++;
		if (cnt[(a[0].k8 >> sh) & 0xff] == n)
			continue; /* one digit value: the order stays */
		for (i = 0; i < 256; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i].k8 >> sh) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	free(b);
	*keysp = a;
	return 0;
}

/* Sorts items[0, n) by point bytes (memcmp order), then value. */
static int sort_items(struct item **itemsp, size_t n, uint32_t pointlen)
{
	struct item *items = *itemsp;
	struct item_key *keys;
	size_t i;
	bool sorted = true;

	keys = malloc((n ? n : 1) * sizeof(*keys));
	if (!keys)
		return -ENOMEM;
	g_pointlen = pointlen;
	g_items = items;
	for (i = 0; i < n; i++) {
		uint64_t k = 0;
		uint32_t j, m = pointlen < 8 ? pointlen : 8;

		for (j = 0; j < m; j++)
			k |= (uint64_t)items[i].point[j] << (56 - 8 * j);
		keys[i].k8 = k;
		keys[i].value = items[i].value;
		keys[i].idx = (uint32_t)i;
		if (i && sorted && cmp_item_key(&keys[i - 1], &keys[i]) > 0)
			sorted = false;
	}
	if (sorted) {
		free(keys);
		return 0;
	}
	if (pointlen > 8 || radix_sort_keys(&keys, n, pointlen))
		qsort(keys, n, sizeof(*keys), cmp_item_key);
	/* items[j] = old items[keys[j].idx], in place: cycle by cycle, each
	 * cycle's first item saved (placed entries marked) */
	for (i = 0; i < n; i++) {
		struct item first;
		size_t j = i;

		if (keys[i].idx == i || keys[i].idx == UINT32_MAX)
			continue;
		first = items[i];
		for (;;) {
			size_t src = keys[j].idx;

			keys[j].idx = UINT32_MAX;
			if (src == i) {
				items[j] = first;
				break;
			}
			items[j] = items[src];
			j = src;
		}
	}
	free(keys);
	return 0;
}

/* Where the segments of one point tuple go: LPM prefixes, or a list of
 * (start, value) for a range table. */
struct seg_sink {
	struct entry_buf *b;
	uint32_t *start, *value;
	size_t n, cap;
	bool table;
};

static int table_push(struct seg_sink *t, uint32_t start, uint32_t value)
{
	if (t->n && t->value[t->n - 1] == value)
		return 0;
	if (t->n == t->cap) {
		size_t nc = t->cap ? 2 * t->cap : 64;
		uint32_t *a = realloc(t->start, nc * sizeof(*a));

		if (!a)
			return -ENOMEM;
		t->start = a;
		a = realloc(t->value, nc * sizeof(*a));
		if (!a)
			return -ENOMEM;
		t->value = a;
		t->cap = nc;
	}
	t->start[t->n] = start;
	t->value[t->n++] = value;
	return 0;
}

/* Cuts [lo, hi] of a w-byte field into prefixes after `point`. */
static int add_prefixes(struct entry_buf *b, const uint8_t *point, uint32_t plen, u128 lo, u128 hi,
			uint32_t w, uint32_t value)
{
	uint32_t bits = w * 8;
	uint8_t key[4 + BNFT_OPT_KEY_MAX];

	memcpy(key + 4, point, plen);
	for (;;) {
		uint32_t k = 0, pl;
		u128 last;

		while (k < bits && !((lo >> k) & 1)) {
			u128 span = k + 1 >= 128 ? ~(u128)0 : (((u128)1 << (k + 1)) - 1);

			if (lo + span > hi || lo + span < lo)
				break;
			k++;
		}
		pl = plen * 8 + bits - k;
		memcpy(key, &pl, 4);
		val_put(lo, key + 4 + plen, w);
		if (push_entry(b, key, value))
			return -ENOMEM;
		last = lo + (k >= 128 ? ~(u128)0 : (((u128)1 << k) - 1));
		if (last >= hi)
			return 0;
		lo = last + 1;
	}
}

struct heap {
	uint32_t *v; /* item indices, min value first */
	size_t n;
	const struct item *it;
};

static void heap_push(struct heap *h, uint32_t x)
{
	size_t i = h->n++;

	h->v[i] = x;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (h->it[h->v[p]].value <= h->it[h->v[i]].value)
			break;
		x = h->v[p];
		h->v[p] = h->v[i];
		h->v[i] = x;
		i = p;
	}
}

static void heap_pop(struct heap *h)
{
	size_t i = 0;

	h->v[0] = h->v[--h->n];
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		uint32_t x;

		if (l < h->n && h->it[h->v[l]].value < h->it[h->v[m]].value)
			m = l;
		if (r < h->n && h->it[h->v[r]].value < h->it[h->v[m]].value)
			m = r;
		if (m == i)
			return;
		x = h->v[m];
		h->v[m] = h->v[i];
		h->v[i] = x;
		i = m;
	}
}

struct event {
	u128 pos;
	uint32_t item;
	bool end;
};

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return (int)x->end - (int)y->end;
}

/*
 * Events of a field of at most 4 bytes (positions below 2^32): an LSD radix
 * sort on (pos, end), 11 bits a pass. Events of one position and kind may
 * come in any order (the segment walk treats them as a set). Returns 0, or
 * 1 when out of memory (the caller sorts with qsort).
 */
static int sort_events_radix(struct event *ev, size_t n)
{
	uint64_t *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b)), *t;
	struct event *tmp = malloc(n * sizeof(*tmp));
	size_t i, cnt[2048];
	uint32_t sh;

	if (!a || !b || !tmp) {
		free(a);
		free(b);
		free(tmp);
		return 1;
	}
	/* key: pos << 1 | end (33 bits), the event's index in the low 31
	 * (a run has fewer than 2^23 rules, two events each) */
	for (i = 0; i < n; i++)
		a[i] = ((uint64_t)ev[i].pos << 1 | ev[i].end) << 31 | i;
	for (sh = 31; sh < 64; sh += 11) {
		size_t sum = 0;

		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i] >> sh) & 2047]++;
		for (i = 0; i < 2048; i++) {
			size_t c = cnt[i];

			cnt[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i] >> sh) & 2047]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; i < n; i++)
		tmp[i] = ev[a[i] & 0x7fffffff];
	memcpy(ev, tmp, n * sizeof(*ev));
	free(a);
	free(b);
	free(tmp);
	return 0;
}

/* Items [0, n) share one point tuple: disjoint segments, earliest rule. */
static int build_segments(struct seg_sink *b, const struct item *it, size_t n, uint32_t plen,
			  uint32_t w)
{
	struct event *ev = malloc(2 * n * sizeof(*ev));
	struct heap h = { .v = malloc(n * sizeof(uint32_t)), .it = it };
	bool *dead = calloc(n, 1);
	u128 max = val_max(w), seg_lo = 0, seg_hi = 0;
	uint32_t seg_val = BNFT_OPT_NONE;
	size_t ne = 0, i, k;
	int err = 0;

	if (!ev || !h.v || !dead) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ev[ne++] = (struct event){ .pos = it[i].lo, .item = (uint32_t)i };
		if (it[i].hi != max)
			ev[ne++] = (struct event){ .pos = it[i].hi + 1, .item = (uint32_t)i,
						   .end = true };
	}
	if (w > 4 || sort_events_radix(ev, ne))
		qsort(ev, ne, sizeof(*ev), cmp_event);
	for (i = 0; i < ne && !err;) {
		u128 pos = ev[i].pos, next;
		uint32_t v = BNFT_OPT_NONE;

		for (k = i; k < ne && ev[k].pos == pos; k++) {
			if (ev[k].end)
				dead[ev[k].item] = true;
			else
				heap_push(&h, ev[k].item);
		}
		i = k;
		while (h.n && dead[h.v[0]])
			heap_pop(&h);
		if (h.n)
			v = it[h.v[0]].value;
		next = i < ne ? ev[i].pos - 1 : max;
		if (b->table) {
			/* a table tiles the value space: gaps hold NONE */
			if (!b->n && pos > 0)
				err = table_push(b, 0, BNFT_OPT_NONE);
			err = err ?: table_push(b, (uint32_t)pos, v);
			continue;
		}
		/* segment [pos, next] holds v; merge runs of the same value */
		if (seg_val != BNFT_OPT_NONE && (v != seg_val || pos != seg_hi + 1)) {
			err = add_prefixes(b->b, it[0].point, plen, seg_lo, seg_hi, w, seg_val);
			seg_val = BNFT_OPT_NONE;
		}
		if (v != BNFT_OPT_NONE) {
			if (seg_val == BNFT_OPT_NONE)
				seg_lo = pos;
			seg_val = v;
			seg_hi = next;
		}
	}
	if (!err && seg_val != BNFT_OPT_NONE)
		err = add_prefixes(b->b, it[0].point, plen, seg_lo, seg_hi, w, seg_val);
	if (!err && b->table && !b->n)
		err = table_push(b, 0, BNFT_OPT_NONE);
out:
	free(ev);
	free(h.v);
	free(dead);
	return err;
}

struct trie_build {
	uint32_t *nodes;	/* BNFT_OPT_TRIE_MAX_NODES * 256 entries */
	uint32_t nn, w;
	const struct seg_sink *t;
	size_t seg;		/* segment holding the current position */
};

/* Fills node `node` covering [base, base + 256 * span) at depth `level`;
 * -E2BIG when the trie needs too many nodes. Positions only grow, so the
 * segment cursor walks the segments once. */
static int trie_fill(struct trie_build *tb, uint32_t node, uint32_t level, uint64_t base)
{
	uint64_t span = (uint64_t)1 << (8 * (tb->w - 1 - level));
	const struct seg_sink *t = tb->t;
	uint32_t c;
	int err;

	for (c = 0; c < BNFT_OPT_TRIE_NODE; c++) {
		uint64_t lo = base + c * span, hi = lo + span - 1;
		uint32_t child, *ent = &tb->nodes[(size_t)node * BNFT_OPT_TRIE_NODE + c];

		while (tb->seg + 1 < t->n && t->start[tb->seg + 1] <= lo)
			tb->seg++;
		if (tb->seg + 1 == t->n || t->start[tb->seg + 1] > hi) {
			*ent = t->value[tb->seg];
			continue;
		}
		if (tb->nn == BNFT_OPT_TRIE_MAX_NODES)
			return -E2BIG;
		child = tb->nn++;
		*ent = BNFT_OPT_TRIE_CHILD | child * BNFT_OPT_TRIE_NODE * 4;
		err = trie_fill(tb, child, level + 1, lo);
		if (err)
			return err;
	}
	return 0;
}

/* The segments as a multibit trie; 0 built, 1 does not fit (use a range
 * table), -errno. Node 0 is the root; the node count is padded to a power
 * of two so that masked child offsets stay inside the map value. */
static int build_trie(struct bnft_opt_group *g, const struct seg_sink *t, uint32_t w)
{
	struct trie_build tb = { .nn = 1, .w = w, .t = t };
	uint32_t p = 1;
	size_t i;
	int err;

	for (i = 0; i < t->n; i++)
		if (t->value[i] != BNFT_OPT_NONE && (t->value[i] & BNFT_OPT_TRIE_CHILD))
			return 1;
	tb.nodes = calloc((size_t)BNFT_OPT_TRIE_MAX_NODES * BNFT_OPT_TRIE_NODE, 4);
	if (!tb.nodes)
		return -ENOMEM;
	err = trie_fill(&tb, 0, 0, 0);
	if (err) {
		free(tb.nodes);
		return err == -E2BIG ? 1 : err;
	}
	while (p < tb.nn)
		p <<= 1;
	g->map.values = realloc(tb.nodes, (size_t)p * BNFT_OPT_TRIE_NODE * 4);
	if (!g->map.values) {
		free(tb.nodes);
		return -ENOMEM;
	}
	g->map.value_size = p * BNFT_OPT_TRIE_NODE * 4;
	g->trie = true;
	g->tsize = p;
	return 0;
}

/*
 * One interval field of at most 4 bytes and nothing else varying: a range
 * table searched without branches (bounded binary search). One ARRAY entry
 * holds u32 start[P] then u32 value[P], P a power of two; the segments tile
 * the field's value space (gaps hold NONE) and the padding repeats the last
 * segment, so the last start <= key gives the value. Fields of 1 or 2 bytes
 * get a direct table instead: u32 value[256 or 65536], indexed by the key.
 */
static int build_table(struct bnft_opt_group *g, const struct item *items, size_t n, uint32_t w)
{
	struct seg_sink t = { .table = true };
	uint32_t p = 1, i, *v;
	int err = build_segments(&t, items, n, 0, w);

	if (err)
		goto out;
	if (w <= 2) {
		/* direct: one value per key (64k entries at most) */
		uint32_t all = 1u << (8 * w), seg = 0;

		v = calloc(all, sizeof(*v));
		g->map.keys = calloc(1, 4);
		if (!v || !g->map.keys) {
			free(v);
			err = -ENOMEM;
			goto out;
		}
		for (i = 0; i < all; i++) {
			while (seg + 1 < t.n && t.start[seg + 1] <= i)
				seg++;
			v[i] = t.value[seg];
		}
		g->map.values = (uint8_t *)v;
		g->map.value_size = 4 * all;
		g->direct = true;
		g->tsize = all;
		p = all;
		goto done;
	}
	err = build_trie(g, &t, w);
	if (err <= 0) {
		g->map.keys = err ? NULL : calloc(1, 4);
		if (!err && !g->map.keys)
			err = -ENOMEM;
		if (err)
			goto out;
		p = g->tsize;
		goto done;
	}
	err = 0;
	while (p < t.n)
		p <<= 1;
	if (p > BNFT_OPT_TABLE_MAX)
		goto out; /* too large for one map value: LPM trie */
	v = calloc(2 * (size_t)p, sizeof(*v));
	g->map.keys = calloc(1, 4);
	if (!v || !g->map.keys) {
		free(v);
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p; i++) {
		v[i] = i < t.n ? t.start[i] : t.start[t.n - 1];
		v[p + i] = i < t.n ? t.value[i] : t.value[t.n - 1];
	}
	g->map.values = (uint8_t *)v;
	g->map.value_size = 8 * p;
done:
	g->map.type = BPF_MAP_TYPE_ARRAY;
	g->map.key_size = 4;
	g->map.max_entries = 1;
	g->map.nelems = 1;
	g->table = true;
	g->lpm = false;
	g->tsize = p;
	g->built = true;
out:
	free(t.start);
	free(t.value);
	return err;
}

static int build_group_main(struct bnft_opt_run *run, struct bnft_opt_group *g)
{
	struct entry_buf b = { .m = &g->map };
	struct item *items = NULL;
	uint8_t *pts = NULL;
	uint32_t nfix = g->interval ? g->nsel - 1 : g->nsel, pointlen = 0, i, w = 0;
	size_t n = 0, k;
	int err = 0;

	memset(&g->map, 0, sizeof(g->map));
	g->keyless_value = BNFT_OPT_NONE;
	/* constant point selectors: one value over the (matchable) rules,
	 * all selectors in one walk over the rules */
	{
		bool first = true;
		uint32_t nconst = nfix;

		for (i = 0; i < nfix; i++)
			g->constant[i] = true;
		for (k = 0; k < g->nrules && nconst; k++) {
			const struct bnft_opt_rule *o = &run->rules[g->rules[k]];

			if (o->never)
				continue;
			for (i = 0; i < nfix; i++) {
				const struct bnft_opt_pred *p;

				if (!g->constant[i])
					continue;
				p = rule_pred(o, &g->sel[i]);
				if (first) {
					val_copy(g->cval[i], p->lo, g->sel[i].cmplen);
				} else if (!val_eq(g->cval[i], p->lo, g->sel[i].cmplen)) {
					g->constant[i] = false;
					nconst--;
				}
			}
			first = false;
		}
		for (i = 0; i < nfix; i++)
			if (!g->constant[i])
				pointlen += g->sel[i].cmplen;
	}
	if (!g->interval && nfix > 0) {
		/* one varying point field: a direct table (1-2 bytes) or, for
		 * few rules, a short range table (points are intervals) is
		 * cheaper than a hash lookup; many rules keep the hash (one
		 * lookup whatever the size). Move it last, where the interval
		 * field of a group goes. */
		uint32_t nvar = 0, at = 0;

		for (i = 0; i < nfix; i++)
			if (!g->constant[i]) {
				nvar++;
				at = i;
			}
		if (nvar == 1 && (g->sel[at].cmplen <= 2 ||
				  (g->sel[at].cmplen <= 4 && g->nrules <= BNFT_OPT_POINT_TABLE))) {
			struct bnft_opt_sel ts = g->sel[at];
			const struct nftnl_expr *tl = g->load[at];

			for (i = at; i + 1 < g->nsel; i++) {
				g->sel[i] = g->sel[i + 1];
				g->load[i] = g->load[i + 1];
				g->constant[i] = g->constant[i + 1];
				memcpy(g->cval[i], g->cval[i + 1], sizeof(g->cval[i]));
			}
			g->sel[g->nsel - 1] = ts;
			g->load[g->nsel - 1] = tl;
			g->constant[g->nsel - 1] = false;
			g->interval = true;
			nfix--;
			pointlen = 0;
		}
	}
	if (g->interval)
		w = g->sel[g->nsel - 1].cmplen;
	g->keylen = pointlen + w;
	g->lpm = g->interval;
	g->keyless = g->keylen == 0;
	if (g->keylen > BNFT_OPT_KEY_MAX)
		return -E2BIG;
	items = malloc((g->nrules ? g->nrules : 1) * sizeof(*items));
	pts = malloc(g->nrules * pointlen + 1);
	if (!items || !pts) {
		free(items);
		free(pts);
		return -ENOMEM;
	}
	for (k = 0; k < g->nrules; k++) {
		const struct bnft_opt_rule *o = &run->rules[g->rules[k]];
		struct item *x = &items[n];
		uint8_t *pp = pts + n * pointlen;
		uint32_t off = 0;

		if (o->never)
			continue;
		x->point = pp;
		for (i = 0; i < nfix; i++) {
			if (g->constant[i])
				continue;
			memcpy(pp + off, rule_pred(o, &g->sel[i])->lo, g->sel[i].cmplen);
			off += g->sel[i].cmplen;
		}
		x->lo = x->hi = 0;
		if (g->interval) {
			const struct bnft_opt_pred *p = rule_pred(o, &g->sel[g->nsel - 1]);

			x->lo = val_get(p->lo, w);
			x->hi = val_get(p->hi, w);
		}
		x->value = run->value[g->rules[k]];
		n++;
	}
	if (g->keyless) {
		g->keyless_value = n ? items[0].value : BNFT_OPT_NONE;
		g->built = true;
		free(items);
		free(pts);
		return 0;
	}
	err = sort_items(&items, n, pointlen);
	if (err) {
		free(items);
		free(pts);
		return err;
	}
	snprintf(g->map.name, sizeof(g->map.name), "bnft_opt");
	snprintf(g->map.set, sizeof(g->map.set), "(optimizer)");
	g->map.value_size = 4;
	if (g->lpm && pointlen == 0 && w <= 4 && n) {
		err = build_table(g, items, n, w);
		if (err || g->table) {
			free(items);
			free(pts);
			return err;
		}
	}
	if (g->lpm) {
		struct seg_sink sink = { .b = &b };

		g->map.type = BPF_MAP_TYPE_LPM_TRIE;
		g->map.key_size = 4 + g->keylen;
		g->map.flags = BPF_F_NO_PREALLOC;
		for (k = 0; k < n && !err;) {
			size_t e = k;

			while (e < n && !memcmp(items[e].point, items[k].point, pointlen))
				e++;
			err = build_segments(&sink, items + k, e - k, pointlen, w);
			k = e;
		}
	} else {
		g->map.type = BPF_MAP_TYPE_HASH;
		g->map.key_size = g->keylen;
		for (k = 0; k < n && !err; k++)
			if (k == 0 || memcmp(items[k].point, items[k - 1].point, pointlen))
				err = push_entry(&b, items[k].point, items[k].value);
	}
	free(items);
	free(pts);
	if (err)
		return err;
	g->map.max_entries = g->map.nelems ? g->map.nelems : 1;
	g->built = true;
	return 0;
}

static int build_fallbacks(struct bnft_opt_run *run, struct bnft_opt_group *g);

static int build_group(struct bnft_opt_run *run, struct bnft_opt_group *g)
{
	int err = build_group_main(run, g);

	if (!err && g->interval && g->sel[g->nsel - 1].kind == BNFT_OPT_PAYLOAD)
		err = build_fallbacks(run, g);
	return err;
}

/*
 * The interval selector of g was widened (some rules load fewer bytes):
 * the wide load (synthesized when no rule of the group loads all bytes)
 * and, per narrower width, widest first, a one-group run of the rules
 * that load at most that many bytes, keyed on that width.
 */
static int build_fallbacks(struct bnft_opt_run *run, struct bnft_opt_group *g)
{
	uint32_t last = g->nsel - 1, W = g->sel[last].cmplen, k, j;
	const struct nftnl_expr *ld = g->load[last];
	bool have[BNFT_OPT_VAL_MAX + 1] = { false };
	size_t np;
	uint8_t widths[BNFT_OPT_VAL_MAX];
	uint32_t nw = 0;
	int err;

	for (k = 0; k < g->nrules; k++) {
		const struct bnft_opt_pred *p = rule_pred(&run->rules[g->rules[k]], &g->sel[last]);

		if (p && p->width < W)
			have[p->width] = true;
	}
	for (k = W; k-- > 1;)
		if (have[k])
			widths[nw++] = (uint8_t)k;
	if (!nw)
		return 0;
	if (nftnl_expr_get_u32(ld, NFTNL_EXPR_PAYLOAD_LEN) != W) {
		g->wide_load = nftnl_expr_alloc("payload");
		if (!g->wide_load)
			return -ENOMEM;
		nftnl_expr_set_u32(g->wide_load, NFTNL_EXPR_PAYLOAD_BASE, g->sel[last].base);
		nftnl_expr_set_u32(g->wide_load, NFTNL_EXPR_PAYLOAD_OFFSET, g->sel[last].off);
		nftnl_expr_set_u32(g->wide_load, NFTNL_EXPR_PAYLOAD_LEN, W);
		/* loaded, then checked or copied at once: any register
		 * that holds 16 bytes will do */
		nftnl_expr_set_u32(g->wide_load, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
		g->load[last] = g->wide_load;
	}
	g->fb = calloc(nw, sizeof(*g->fb));
	if (!g->fb)
		return -ENOMEM;
	g->nfb = nw;
	for (j = 0; j < nw; j++) {
		struct bnft_opt_run *fr = &g->fb[j];
		struct bnft_opt_group *sg;
		uint32_t w = widths[j], sh = 8 * (W - w);

		size_t nr = 0;

		g->fb_width[j] = (uint8_t)w;
		/* the rules are copied with their predicates: arrays of just
		 * their size, all entries written below */
		for (k = 0, np = 0; k < g->nrules; k++) {
			const struct bnft_opt_rule *o = &run->rules[g->rules[k]];
			const struct bnft_opt_pred *p = rule_pred(o, &g->sel[last]);

			if (p && p->width <= w) {
				np += o->npred;
				nr++;
			}
		}
		fr->rules = malloc((nr ? nr : 1) * sizeof(*fr->rules));
		fr->value = malloc((nr ? nr : 1) * sizeof(*fr->value));
		fr->groups = sg = calloc(1, sizeof(*sg));
		if (!fr->rules || !fr->value || !sg)
			return -ENOMEM;
		fr->ngroups = 1;
		sg->nsel = g->nsel;
		memcpy(sg->sel, g->sel, sizeof(sg->sel));
		memcpy(sg->load, g->load, sizeof(sg->load));
		sg->sel[last].len = sg->sel[last].cmplen = (uint8_t)w;
		sg->interval = true;
		sg->map_index = -1;
		sg->rules = malloc((nr ? nr : 1) * sizeof(*sg->rules));
		if (!sg->rules)
			return -ENOMEM;
		fr->preds = malloc((np ? np : 1) * sizeof(*fr->preds));
		if (!fr->preds)
			return -ENOMEM;
		for (k = 0, np = 0; k < g->nrules; k++) {
			const struct bnft_opt_rule *o = &run->rules[g->rules[k]];
			const struct bnft_opt_pred *p = rule_pred(o, &g->sel[last]);
			struct bnft_opt_rule *x = &fr->rules[fr->n];
			struct bnft_opt_pred *xp;

			if (!p || p->width > w)
				continue;
			if (p->width == w)
				sg->load[last] = p->load;
			*x = *o;
			x->pred = fr->preds + np;
			memcpy(x->pred, o->pred, o->npred * sizeof(*x->pred));
			np += o->npred;
			xp = (struct bnft_opt_pred *)rule_pred(x, &g->sel[last]);
			xp->sel = sg->sel[last];
			val_put(val_get(p->lo, W) >> sh, xp->lo, w);
			val_put(val_get(p->hi, W) >> sh, xp->hi, w);
			fr->value[fr->n] = run->value[g->rules[k]];
			sg->rules[sg->nrules++] = (uint32_t)fr->n;
			fr->n++;
		}
		err = build_group(fr, sg);
		if (err)
			return err;
	}
	return 0;
}

int bnft_opt_build(struct bnft_opt_run *run)
{
	size_t i;
	int err;

	for (i = 0; i < run->ngroups; i++) {
		if (run->groups[i].built)
			continue;
		err = build_group(run, &run->groups[i]);
		if (err)
			return err;
	}
	return 0;
}

bool bnft_opt_group_key(const struct bnft_opt_group *g,
			bool (*val)(const struct bnft_opt_sel *s, uint8_t *buf, void *arg),
			void *arg, uint8_t *key)
{
	uint32_t i, off = g->lpm ? 4 : 0;
	uint8_t buf[BNFT_OPT_VAL_MAX];

	for (i = 0; i < g->nsel; i++) {
		if (!val(&g->sel[i], buf, arg))
			return false;
		if (i < g->nsel - (g->interval ? 1 : 0) && g->constant[i]) {
			if (memcmp(buf, g->cval[i], g->sel[i].cmplen))
				return false;
			continue;
		}
		memcpy(key + off, buf, g->sel[i].cmplen);
		off += g->sel[i].cmplen;
	}
	if (g->lpm) {
		uint32_t bits = g->keylen * 8;

		memcpy(key, &bits, 4);
	}
	return true;
}
