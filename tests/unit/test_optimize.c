// SPDX-License-Identifier: GPL-2.0
/*
 * Optimizer analysis against a linear oracle. Random rulesets of the bench
 * families (hosts, prefixes, ports, mixed; values drawn from small spaces so
 * that rules overlap, nest and repeat) go through the real front end
 * (parse, evaluate, lower); the optimizer's runs and structures are built;
 * then random packets (mostly aimed at some rule, then perturbed) are
 * classified twice:
 *   - oracle: an interpreter of the rules' nf_tables expressions (payload,
 *     meta, bitwise, cmp, range, immediate) walking the run in order;
 *   - structures: per group the key the optimizer specifies, looked up by
 *     brute force in the built hash entries / LPM prefixes (longest prefix),
 *     minimum over groups.
 * Both must give the same first rule, verdict and counter flag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/lower.h"
#include "translator/optimize.h"

/* ---- deterministic random ---------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static uint32_t rnd_n(uint32_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- ruleset text --------------------------------------------------------- */

struct sbuf {
	char *s;
	size_t n, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && b->n + (size_t)k < b->cap)
			break;
		b->cap = b->cap ? 2 * b->cap + (size_t)k : 4096;
		b->s = realloc(b->s, b->cap);
		assert_non_null(b->s);
	}
	b->n += (size_t)k;
}

static void addr(char *out, size_t n)
{
	snprintf(out, n, "10.0.%u.%u", rnd_n(4), rnd_n(256));
}

static void verdict(struct sbuf *b)
{
	static const char *const v[] = { "accept", "drop", "return", "goto other", "accept",
					 "drop" };

	if (rnd_n(3) == 0)
		sb_printf(b, " counter");
	sb_printf(b, " %s\n", v[rnd_n(6)]);
}

enum family { F_HOSTS, F_PREFIXES, F_PORTS, F_MIXED, F_PREFIXES6 };

static void rule_text(struct sbuf *b, enum family f)
{
	char a[32];
	uint32_t k = f == F_MIXED ? rnd_n(10) : (uint32_t)f * 3;

	if (f == F_PREFIXES6) {
		/* 16-byte field, loads of 4 to 16 bytes: widened LPM trie */
		static const int plens[] = { 32, 40, 48, 56, 60, 64, 72, 96, 120, 128 };

		sb_printf(b, "ip6 saddr 2001:db8:%x:%x::%x/%d", rnd_n(3), rnd_n(4), rnd_n(3),
			  plens[rnd_n(10)]);
		verdict(b);
		return;
	}
	addr(a, sizeof(a));
	switch (k) {
	case 0:
	case 1:
	case 2:
		sb_printf(b, "ip saddr %s tcp dport %u", a, 1000 + rnd_n(16));
		break;
	case 3:
	case 4:
	case 5: {
		static const int plens[] = { 8, 12, 16, 20, 22, 23, 24, 26, 28, 30, 32 };

		sb_printf(b, "ip saddr %s/%d", a, plens[rnd_n(11)]);
		break;
	}
	case 6:
	case 7:
	case 8: {
		uint32_t lo = 1000 + rnd_n(100);

		switch (rnd_n(5)) {
		case 0:
			sb_printf(b, "tcp dport < %u", lo);
			break;
		case 1:
			sb_printf(b, "tcp dport >= %u", lo);
			break;
		default:
			sb_printf(b, "tcp dport %u-%u", lo, lo + rnd_n(30));
		}
		break;
	}
	default:
		switch (rnd_n(6)) {
		case 0:
			sb_printf(b, "iifname \"eth%u\" ip daddr %s", rnd_n(4), a);
			break;
		case 1:
			sb_printf(b, "iifname \"et*\" udp dport %u", 1000 + rnd_n(16));
			break;
		case 2:
			sb_printf(b, "meta mark 0x%x", rnd_n(4));
			break;
		case 3:
			sb_printf(b, "ip saddr != %s", a); /* not classifiable */
			break;
		case 4:
			sb_printf(b, "ip daddr %s ip saddr %s/24", a, a);
			break;
		default:
			sb_printf(b, "ip saddr %s log", a); /* not classifiable */
		}
	}
	verdict(b);
}

static char *ruleset_text(enum family f, size_t n)
{
	struct sbuf b = { 0 };
	size_t i;

	sb_printf(&b, "table inet t {\n chain other {\n  accept\n }\n"
		      " chain c {\n  type filter hook input priority 0; policy accept;\n");
	for (i = 0; i < n; i++) {
		sb_printf(&b, "  ");
		rule_text(&b, f);
	}
	sb_printf(&b, " }\n}\n");
	return b.s;
}

/* ---- front end ---------------------------------------------------------- */

struct fe {
	struct bnft_ruleset rs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct list_head msgs;
	struct bnft_ir *ir;
	const struct nftnl_rule **rules;
	size_t nrules;
};

static void fe_load(struct fe *fe, const char *text)
{
	struct output_ctx octx = { 0 };
	struct nftnl_rule_list_iter *it;
	struct nftnl_rule *r;

	memset(fe, 0, sizeof(*fe));
	init_list_head(&fe->msgs);
	ruleset_src_init(&fe->src);
	bnft_ruleset_init(&fe->rs);
	parse_ctx_init(&fe->pctx, &fe->src, &fe->msgs);
	if (bnft_parse_buffer(&fe->pctx, text, "<test>") < 0 ||
	    bnft_evaluate(&fe->rs, &fe->src, &fe->msgs, &octx, NULL) < 0 ||
	    bnft_lower(&fe->rs, &fe->ir, &fe->msgs) < 0) {
		struct outbuf o;

		outbuf_init(&o);
		erec_print_list(&o, &fe->msgs);
		print_message("%s", o.buf ? o.buf : "front end failed\n");
		outbuf_release(&o);
		fail();
	}
	it = nftnl_rule_list_iter_create(fe->ir->rules);
	while ((r = nftnl_rule_list_iter_next(it))) {
		if (strcmp(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), "c"))
			continue;
		fe->rules = realloc(fe->rules, (fe->nrules + 1) * sizeof(*fe->rules));
		fe->rules[fe->nrules++] = r;
	}
	nftnl_rule_list_iter_destroy(it);
}

static void fe_free(struct fe *fe)
{
	free(fe->rules);
	bnft_ir_free(&fe->ir);
	erec_free_list(&fe->msgs);
	parse_ctx_release(&fe->pctx);
	ruleset_src_release(&fe->src);
	bnft_ruleset_release(&fe->rs);
}

/* ---- packet model --------------------------------------------------------- */

struct pkt {
	uint8_t ll[64], nh[64], th[64];
	bool th_ok;
	uint8_t meta[64][16];
	bool meta_ok[64];
};

/* Register bytes of a load (zero-padded to whole words); false on failure. */
static bool load(const struct pkt *p, uint32_t kind, uint32_t base, uint32_t off, uint32_t len,
		 uint8_t *out)
{
	const uint8_t *src;

	memset(out, 0, 16);
	if (kind == BNFT_OPT_META) {
		if (base >= 64 || !p->meta_ok[base])
			return false;
		memcpy(out, p->meta[base], 16);
		return true;
	}
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER && !p->th_ok)
		return false;
	src = base == NFT_PAYLOAD_LL_HEADER ? p->ll : base == NFT_PAYLOAD_NETWORK_HEADER ? p->nh :
										     p->th;
	if (off + len > 64 || len > 16)
		return false;
	memcpy(out, src + off, len);
	return true;
}

static bool sel_val(const struct bnft_opt_sel *s, uint8_t *buf, void *arg)
{
	uint8_t r[16];

	if (!load(arg, s->kind, s->base, s->off, s->len, r))
		return false;
	memcpy(buf, r, s->cmplen);
	return true;
}

/* Writes value v (cmplen bytes) where selector s reads it. */
static void pkt_set(struct pkt *p, const struct bnft_opt_sel *s, const uint8_t *v)
{
	if (s->kind == BNFT_OPT_META) {
		memcpy(p->meta[s->base], v, s->cmplen);
		p->meta_ok[s->base] = true;
		return;
	}
	if (s->base == NFT_PAYLOAD_TRANSPORT_HEADER)
		p->th_ok = true;
	memcpy((s->base == NFT_PAYLOAD_LL_HEADER ? p->ll :
		s->base == NFT_PAYLOAD_NETWORK_HEADER ? p->nh : p->th) + s->off,
	       v, s->cmplen);
}

static void pkt_random(struct pkt *p)
{
	uint32_t i;
	uint16_t port = (uint16_t)(990 + rnd_n(130));

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 64; i++) {
		p->ll[i] = (uint8_t)rnd();
		p->nh[i] = (uint8_t)rnd();
		p->th[i] = (uint8_t)rnd();
	}
	p->nh[12] = p->nh[16] = 10;
	p->nh[13] = p->nh[17] = 0;
	p->nh[14] = (uint8_t)rnd_n(4);
	p->nh[18] = (uint8_t)rnd_n(4);
	p->th[2] = (uint8_t)(port >> 8);
	p->th[3] = (uint8_t)port;
	p->th_ok = rnd_n(10) != 0;
	p->meta_ok[NFT_META_NFPROTO] = p->meta_ok[NFT_META_L4PROTO] = true;
	p->meta[NFT_META_NFPROTO][0] = rnd_n(8) ? NFPROTO_IPV4 : NFPROTO_IPV6;
	p->meta[NFT_META_L4PROTO][0] = rnd_n(5) ? 6 : 17;
	p->meta_ok[NFT_META_L4PROTO] = p->th_ok || rnd_n(2);
	p->meta_ok[NFT_META_MARK] = true;
	p->meta[NFT_META_MARK][0] = (uint8_t)rnd_n(5);
	p->meta_ok[NFT_META_IIFNAME] = rnd_n(10) != 0;
	snprintf((char *)p->meta[NFT_META_IIFNAME], 16, rnd_n(5) ? "eth%u" : "other%u", rnd_n(5));
}

/* ---- the oracle: nf_tables expressions interpreted in order ------------- */

static uint8_t *reg_ptr(uint8_t *regs, uint32_t reg)
{
	uint32_t w = reg <= NFT_REG_4 ? reg * 4 : reg - NFT_REG32_00 + 4;

	return regs + w * 4;
}

/* 1 and *v = verdict when the rule matches; 0 when it does not. */
static int rule_eval(const struct nftnl_rule *r, const struct pkt *p, int32_t *v, bool *ctr)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;
	uint8_t regs[20 * 4 + 64] = { 0 };
	int res = 0;

	*ctr = false;
	while ((e = nftnl_expr_iter_next(it))) {
		const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		uint32_t len = 0, l2 = 0, i;

		if (!strcmp(n, "payload") || !strcmp(n, "meta")) {
			bool pl = n[0] == 'p';
			uint32_t dreg = nftnl_expr_get_u32(e, pl ? NFTNL_EXPR_PAYLOAD_DREG :
								   NFTNL_EXPR_META_DREG);
			uint8_t b[16];
			uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);

			if (pl) {
				len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
				if (!load(p, BNFT_OPT_PAYLOAD,
					  nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE),
					  nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET), len, b))
					goto out;
			} else {
				len = key == NFT_META_IIFNAME ? 16 : 4;
				if (!load(p, BNFT_OPT_META, key, 0, 0, b))
					goto out;
			}
			memcpy(reg_ptr(regs, dreg), b, (len + 3) & ~3u);
		} else if (!strcmp(n, "bitwise")) {
			const uint8_t *m = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &l2);
			const uint8_t *x = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &l2);
			uint8_t *s = reg_ptr(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
			uint8_t *d = reg_ptr(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG));

			len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN);
			for (i = 0; i < len; i++)
				d[i] = (uint8_t)((s[i] & m[i]) ^ x[i]);
		} else if (!strcmp(n, "cmp")) {
			const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
			int c = memcmp(reg_ptr(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG)), d,
				       len);
			bool ok = false;

			switch (nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP)) {
			case NFT_CMP_EQ: ok = c == 0; break;
			case NFT_CMP_NEQ: ok = c != 0; break;
			case NFT_CMP_LT: ok = c < 0; break;
			case NFT_CMP_LTE: ok = c <= 0; break;
			case NFT_CMP_GT: ok = c > 0; break;
			case NFT_CMP_GTE: ok = c >= 0; break;
			}
			if (!ok)
				goto out;
		} else if (!strcmp(n, "range")) {
			const uint8_t *lo = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &len);
			const uint8_t *hi = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &len);
			uint8_t *s = reg_ptr(regs, nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
			bool in = memcmp(s, lo, len) >= 0 && memcmp(s, hi, len) <= 0;

			if (in != (nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP) == NFT_RANGE_EQ))
				goto out;
		} else if (!strcmp(n, "counter")) {
			*ctr = true;
		} else if (!strcmp(n, "immediate")) {
			*v = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
			res = 1;
		} else {
			res = -1; /* not something a run may hold */
			goto out;
		}
	}
out:
	nftnl_expr_iter_destroy(it);
	return res;
}

/* ---- the structures, looked up by brute force --------------------------- */

static uint32_t lookup_group(const struct bnft_opt_group *g, const struct pkt *p)
{
	uint8_t key[4 + BNFT_OPT_KEY_MAX];
	const struct bnft_map_spec *m = &g->map;
	uint32_t i, best = BNFT_OPT_NONE, best_len = 0;
	bool found = false;

	if (!bnft_opt_group_key(g, sel_val, (void *)p, key))
		return BNFT_OPT_NONE;
	if (g->keyless)
		return g->keyless_value;
	if (g->table) {
		const uint32_t *start = (const uint32_t *)m->values, *val = start + g->tsize;
		uint32_t w = g->sel[g->nsel - 1].cmplen, kv = 0;

		if (g->direct) {
			for (i = 0; i < w; i++)
				kv = kv << 8 | key[i];
			assert_int_equal(m->value_size, 4u << (8 * w));
			return start[kv];
		}
		if (g->trie) {
			uint32_t off = 0, ent = BNFT_OPT_NONE;

			assert_int_equal(m->value_size, g->tsize * BNFT_OPT_TRIE_NODE * 4);
			assert_true((g->tsize & (g->tsize - 1)) == 0);
			for (i = 0; i < w; i++) {
				assert_true(off + 4u * key[i] < m->value_size);
				memcpy(&ent, m->values + off + 4u * key[i], 4);
				if (!(ent & BNFT_OPT_TRIE_CHILD) || ent == BNFT_OPT_NONE)
					return ent;
				assert_true(i + 1 < w); /* the last level holds leaves */
				off = ent & ~BNFT_OPT_TRIE_CHILD;
				assert_int_equal(off % (BNFT_OPT_TRIE_NODE * 4), 0);
			}
			fail();
		}
		assert_int_equal(m->value_size, 8 * g->tsize);
		assert_int_equal(start[0], 0);
		for (i = 0; i < w; i++)
			kv = kv << 8 | key[i];
		for (i = 0; i < g->tsize; i++) {
			assert_true(i == 0 || start[i] >= start[i - 1]);
			if (start[i] <= kv)
				best = val[i];
		}
		return best;
	}
	for (i = 0; i < m->nelems; i++) {
		const uint8_t *k = m->keys + (size_t)i * m->key_size;
		uint32_t v;

		memcpy(&v, m->values + (size_t)i * 4, 4);
		if (!g->lpm) {
			if (!memcmp(k, key, m->key_size)) {
				assert_false(found); /* hash keys are unique */
				found = true;
				best = v;
			}
			continue;
		}
		{
			uint32_t pl, b;
			bool match = true;

			memcpy(&pl, k, 4);
			assert_true(pl <= g->keylen * 8);
			for (b = 0; b < pl && match; b++)
				match = ((k[4 + b / 8] ^ key[4 + b / 8]) >> (7 - b % 8) & 1) == 0;
			if (!match)
				continue;
			/* LPM prefixes of one trie are disjoint: one match */
			assert_false(found);
			found = true;
			best = v;
			best_len = pl;
		}
	}
	(void)best_len;
	return best;
}

struct stats {
	size_t packets, matched, optimized_rules, runs;
};

static void check_run(const struct fe *fe, struct bnft_opt_run *run, size_t npkts,
		      struct stats *st)
{
	size_t k, i, g;

	assert_int_equal(bnft_opt_build(run), 0);
	for (k = 0; k < npkts; k++) {
		struct pkt p;
		uint32_t got = BNFT_OPT_NONE, want = BNFT_OPT_NONE;
		int32_t wv = 0;
		bool wctr = false;

		pkt_random(&p);
		if (rnd_n(4)) {
			/* aim at one rule of the run, then maybe perturb one field */
			const struct bnft_opt_rule *o = &run->rules[rnd_n((uint32_t)run->n)];

			for (i = 0; i < o->npred; i++) {
				const struct bnft_opt_pred *pr = &o->pred[i];
				uint8_t v[16];
				uint32_t b;

				memcpy(v, pr->lo, pr->sel.cmplen);
				/* a value in [lo, hi]: copy lo, raise trailing bits of hi */
				for (b = 0; b < pr->sel.cmplen; b++)
					if (pr->lo[b] != pr->hi[b]) {
						v[b] = (uint8_t)(pr->lo[b] +
								 rnd_n((uint32_t)(pr->hi[b] - pr->lo[b]) + 1));
						for (b++; b < pr->sel.cmplen; b++)
							v[b] = (uint8_t)rnd();
						if (memcmp(v, pr->hi, pr->sel.cmplen) > 0)
							memcpy(v, pr->hi, pr->sel.cmplen);
						if (memcmp(v, pr->lo, pr->sel.cmplen) < 0)
							memcpy(v, pr->lo, pr->sel.cmplen);
						break;
					}
				if (rnd_n(6) == 0)
					v[pr->sel.cmplen - 1] ^= (uint8_t)(1 + rnd_n(3));
				pkt_set(&p, &pr->sel, v);
			}
		}
		for (i = 0; i < run->n; i++) {
			bool ctr;
			int m = rule_eval(fe->rules[run->start + i], &p, &wv, &ctr);

			assert_true(m >= 0);
			if (m) {
				want = (uint32_t)i;
				wctr = ctr;
				break;
			}
		}
		for (g = 0; g < run->ngroups; g++) {
			uint32_t v = lookup_group(&run->groups[g], &p);

			if (v < got)
				got = v;
		}
		if (want == BNFT_OPT_NONE) {
			assert_int_equal(got, BNFT_OPT_NONE);
		} else {
			if (got == BNFT_OPT_NONE || BNFT_OPT_IDX(got) != want)
				print_message("run at %zu: packet matches rule %u, structures say %d\n",
					      run->start, want,
					      got == BNFT_OPT_NONE ? -1 : (int)BNFT_OPT_IDX(got));
			assert_int_not_equal(got, BNFT_OPT_NONE);
			assert_int_equal(BNFT_OPT_IDX(got), want);
			assert_int_equal(run->vclass[BNFT_OPT_VCLASS(got)].verdict, wv);
			assert_int_equal(!!(got & BNFT_OPT_V_CTR), wctr);
			st->matched++;
		}
		st->packets++;
	}
}

static void check_family(enum family f, size_t nrules, uint64_t seed, size_t npkts,
			 struct stats *st)
{
	struct bnft_opt_chain *oc = NULL;
	struct fe fe;
	char *text;
	size_t r;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	text = ruleset_text(f, nrules);
	fe_load(&fe, text);
	assert_int_equal(fe.nrules, nrules);
	assert_int_equal(bnft_opt_analyze(fe.rules, fe.nrules, &oc), 0);
	for (r = 0; r < oc->nruns; r++) {
		struct bnft_opt_run *run = &oc->runs[r];

		/* runs are in order, disjoint, and only hold classifiable rules */
		assert_int_equal(oc->run_at[run->start], (int32_t)r);
		assert_true(run->n >= BNFT_OPT_MIN_RUN);
		assert_true(run->ngroups <= BNFT_OPT_MAX_GROUPS);
		st->optimized_rules += run->n;
		st->runs++;
		check_run(&fe, run, npkts, st);
	}
	bnft_opt_chain_free(&oc);
	fe_free(&fe);
	free(text);
}

static void family_test(enum family f, const char *name)
{
	struct stats st = { 0 };
	size_t total = 0;
	uint64_t seed;

	for (seed = 1; seed <= 6; seed++) {
		size_t n = seed < 3 ? 12 : seed < 5 ? 150 : 600;

		check_family(f, n, seed + 100 * (uint64_t)f, 1500, &st);
		total += n;
	}
	print_message("%s: %zu of %zu rules in %zu runs, %zu packets, %zu matched a rule\n", name,
		      st.optimized_rules, total, st.runs, st.packets, st.matched);
	/* not vacuous: most rules optimized, many packets hit a rule */
	assert_true(st.optimized_rules * 10 >= total * (f == F_MIXED ? 5 : 9));
	assert_true(st.matched * 5 >= st.packets);
}

static void test_hosts(void **state)
{
	(void)state;
	family_test(F_HOSTS, "hosts");
}

static void test_prefixes(void **state)
{
	(void)state;
	family_test(F_PREFIXES, "prefixes");
}

static void test_ports(void **state)
{
	(void)state;
	family_test(F_PORTS, "ports");
}

static void test_mixed(void **state)
{
	(void)state;
	family_test(F_MIXED, "mixed");
}

static void test_prefixes6(void **state)
{
	(void)state;
	family_test(F_PREFIXES6, "prefixes6");
}

/* Nested prefixes by hand: the LPM value of a prefix is the earliest rule
 * among it and its ancestors; the oracle decides, not this table. */
static void test_nested_prefixes(void **state)
{
	static const char text[] =
		"table inet t {\n chain other {\n  accept\n }\n chain c {\n"
		"  type filter hook input priority 0; policy accept;\n"
		"  ip saddr 10.0.1.0/24 accept\n  ip saddr 10.0.0.0/16 drop\n"
		"  ip saddr 10.0.1.128/25 return\n  ip saddr 10.0.1.7 counter drop\n"
		"  ip saddr 10.0.0.0/8 counter accept\n  ip saddr 10.0.2.0/23 drop\n"
		"  ip saddr 10.0.3.3 accept\n  ip saddr 0.0.0.0/0 drop\n"
		"  ip saddr 10.0.0.0/20 accept\n }\n}\n";
	struct bnft_opt_chain *oc = NULL;
	struct stats st = { 0 };
	struct fe fe;

	(void)state;
	rng_state = 7;
	fe_load(&fe, text);
	assert_int_equal(bnft_opt_analyze(fe.rules, fe.nrules, &oc), 0);
	assert_int_equal(oc->nruns, 1);
	assert_int_equal(oc->runs[0].n, 9);
	check_run(&fe, &oc->runs[0], 4000, &st);
	assert_true(st.matched > 1000);
	bnft_opt_chain_free(&oc);
	fe_free(&fe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nested_prefixes),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_prefixes6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
