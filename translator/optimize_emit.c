// SPDX-License-Identifier: GPL-2.0
/*
 * Optimizer code emission (see translator/optimize.h). Per run:
 *
 *   R7 = NONE
 *   per group: the group's loads (the code generator's own load emitters,
 *              so a load fails exactly as in straight code), inline checks
 *              of constant selectors, the key copied to the scratch key area,
 *              one map lookup; R7 = min(R7, value)
 *   R7 == NONE: fall through to the rule after the run
 *   counter of rule (run base + idx) when the value says it has one
 *   switch on the verdict class: cg_verdict()
 *
 * The analysis of a chain is cached for the whole compile (a chain may be
 * emitted in several programs); its maps are added to the program set once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "translator/codegen_int.h"
#include "translator/optimize.h"

struct opt_cache_ent {
	const struct cg_chain *chain;
	struct bnft_opt_chain *oc;
};

static __thread struct {
	const struct cg *cg;
	const struct bnft_prog_set *ps;
	struct opt_cache_ent *ent;
	size_t n;
} opt_cache;

void bnft_optimize_release(struct cg *cg)
{
	size_t i;

	(void)cg;
	for (i = 0; i < opt_cache.n; i++)
		bnft_opt_chain_free(&opt_cache.ent[i].oc);
	free(opt_cache.ent);
	memset(&opt_cache, 0, sizeof(opt_cache));
}

static int chain_analysis(struct cg *cg, struct cg_chain *c, struct bnft_opt_chain **out)
{
	struct opt_cache_ent *p;
	size_t i;
	int err;

	if (opt_cache.cg != cg || opt_cache.ps != cg->ps) {
		bnft_optimize_release(cg);
		opt_cache.cg = cg;
		opt_cache.ps = cg->ps;
	}
	for (i = 0; i < opt_cache.n; i++)
		if (opt_cache.ent[i].chain == c) {
			*out = opt_cache.ent[i].oc;
			return 0;
		}
	p = realloc(opt_cache.ent, (opt_cache.n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	opt_cache.ent = p;
	p = &opt_cache.ent[opt_cache.n];
	p->chain = c;
	if (c->opt.n == c->nrules) /* parsed while collected */
		err = bnft_opt_analyze_parsed(&c->opt, &p->oc);
	else
		err = bnft_opt_analyze_ix(c->ix, c->nrules, &p->oc);
	if (err)
		return err;
	opt_cache.n++;
	*out = p->oc;
	return 0;
}

/* Largest access width at which both offsets are aligned and fit in rem. */
static unsigned int chunk_sz(int a, int b, unsigned int rem)
{
	unsigned int s;

	for (s = 8; s > 1; s >>= 1)
		if (rem >= s && a % (int)s == 0 && b % (int)s == 0)
			return s;
	return 1;
}

static uint32_t load_dreg(const struct nftnl_expr *e)
{
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	return nftnl_expr_get_u32(e, !strcmp(n, "payload") ? NFTNL_EXPR_PAYLOAD_DREG :
							     NFTNL_EXPR_META_DREG);
}

/* Register bytes [off, off + len) == c, else jump to miss. */
static void emit_const_check(struct emitter *e, int off, const uint8_t *c, unsigned int len,
			     uint32_t miss)
{
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		uint64_t v = 0;

		sz = chunk_sz(off + (int)i, off + (int)i, len - i);
		memcpy(&v, c + i, sz);
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_0, R_SCR, (int16_t)(off + (int)i)));
		if (sz == 8) {
			emit_ld_imm64(e, BPF_REG_1, v);
			emit_jmp_reg(e, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_0, BPF_REG_1, miss);
		} else if (sz == 4) {
			emit_jmp_imm(e, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_0,
				     (int32_t)(uint32_t)v, miss);
		} else {
			emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, (int32_t)v, miss);
		}
	}
}

static void emit_copy_key(struct emitter *e, int soff, int doff, unsigned int len)
{
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		sz = chunk_sz(soff + (int)i, doff + (int)i, len - i);
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_1, R_SCR, (int16_t)(soff + (int)i)));
		emit(e, I_STX(bpf_size_of(sz), R_SCR, BPF_REG_1, (int16_t)(doff + (int)i)));
	}
}

static int group_map(struct cg *cg, struct bnft_opt_group *g)
{
	struct bnft_prog_set *ps = cg->ps;
	struct bnft_map_spec *m;

	if (g->map_index >= 0)
		return g->map_index;
	m = realloc(ps->maps, (ps->nmaps + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	ps->maps = m;
	m = &ps->maps[ps->nmaps];
	*m = g->map;
	snprintf(m->name, sizeof(m->name), "bnft_o%zu", ps->nmaps);
	/* the program set owns the entries now */
	g->map.keys = NULL;
	g->map.values = NULL;
	g->map_index = (int)ps->nmaps++;
	/* exact keys: an open hash table (translator/oht.h) */
	if (m->type == BPF_MAP_TYPE_HASH && !g->lpm && !g->table && m->nelems &&
	    m->nelems >= cg_oht_min_opt()) {
		int err = cg_oht_spec(m, m->value_size, &g->ohtp);

		if (err < 0)
			return err;
		g->oht = !err;
	}
	return g->map_index;
}

/*
 * R0 = leaf of the multibit trie at R0 for the w-byte key in R_SAVE2: per
 * key byte, entry = node[byte]; a leaf (top bit clear, or NONE) ends the
 * walk, otherwise the entry holds the child's byte offset, masked to stay
 * inside the value (the node count is a power of two). At most w dependent
 * loads whatever the rule count.
 */
static void emit_trie_walk(struct emitter *e, const struct bnft_opt_group *g, uint32_t w)
{
	uint32_t done = emit_label(e), level;
	int32_t mask = (int32_t)((g->tsize * BNFT_OPT_TRIE_NODE * 4 - 1) &
				 ~(uint32_t)(BNFT_OPT_TRIE_NODE * 4 - 1));

	emit(e, I_MOV64_IMM(BPF_REG_3, 0));
	for (level = 0; level < w; level++) {
		uint32_t sh = 8 * (w - 1 - level);

		emit(e, I_MOV64_REG(BPF_REG_4, R_SAVE2));
		if (sh)
			emit(e, I_ALU64_IMM(BPF_RSH, BPF_REG_4, (int32_t)sh));
		emit(e, I_ALU64_IMM(BPF_AND, BPF_REG_4, 0xff));
		emit(e, I_ALU64_IMM(BPF_LSH, BPF_REG_4, 2));
		emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_4, BPF_REG_3));
		emit(e, I_MOV64_REG(BPF_REG_5, BPF_REG_0));
		emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_5, BPF_REG_4));
		emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_5, 0));
		if (level + 1 == w)
			break;
		emit_jmp_imm(e, BPF_JMP32 | BPF_JSGE | BPF_K, BPF_REG_1, 0, done);
		emit_jmp_imm(e, BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, -1, done);
		emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_1));
		emit(e, I_ALU64_IMM(BPF_AND, BPF_REG_3, mask));
	}
	emit_bind(e, done);
	emit(e, I_MOV64_REG(BPF_REG_0, BPF_REG_1));
}

/*
 * R0 = value of the segment holding the w-byte field at [R9 + roff] in the
 * range table of map mi (struct: u32 start[P], u32 value[P]). Branch free:
 *   pos = 0; for step = P/2 .. 1: pos += step if start[pos + step] <= key
 * as pos += ((key - start) >> 63 ^ 1) << log2(step) (the sign bit is 1
 * exactly when key < start: both are u32 in 64-bit registers). No jumps and
 * no "x & -(cond)" (which 6.18's verifier forks on), so the verifier walks
 * it once and bounds pos by P - 1.
 */
static void emit_table_search(struct cg *cg, const struct bnft_opt_group *g, int mi, int roff,
			      uint32_t miss)
{
	struct emitter *e = cg->e;
	uint32_t w = g->sel[g->nsel - 1].cmplen, step;

	switch (w) {
	case 1:
		emit(e, I_LDX(BPF_B, R_SAVE2, R_SCR, (int16_t)roff));
		break;
	case 2:
		emit(e, I_LDX(BPF_H, R_SAVE2, R_SCR, (int16_t)roff));
		emit(e, I_BE(R_SAVE2, 16));
		break;
	default: /* 3 or 4: registers are word aligned */
		emit(e, I_LDX(BPF_W, R_SAVE2, R_SCR, (int16_t)roff));
		emit(e, I_BE(R_SAVE2, 32));
		if (w == 3)
			emit(e, I_ALU64_IMM(BPF_RSH, R_SAVE2, 8));
		break;
	}
	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP, 0));
	emit_ld_map(e, BPF_REG_1, mi);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, miss);
	if (g->direct) {
		/* the key is a u8/u16 load; the mask bounds it for the verifier */
		emit(e, I_MOV64_REG(BPF_REG_3, R_SAVE2));
		emit(e, I_ALU64_IMM(BPF_AND, BPF_REG_3, (int32_t)(g->tsize - 1)));
		emit(e, I_ALU64_IMM(BPF_LSH, BPF_REG_3, 2));
		emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_3));
		emit(e, I_LDX(BPF_W, BPF_REG_0, BPF_REG_0, 0));
		return;
	}
	if (g->trie) {
		emit_trie_walk(e, g, w);
		return;
	}
	/* R0 points at start[pos]; per step 7 instructions */
	for (step = g->tsize / 2; step >= 1; step /= 2) {
		int32_t off = (int32_t)step * 4;

		if (off <= 0x7fff) {
			emit(e, I_LDX(BPF_W, BPF_REG_4, BPF_REG_0, (int16_t)off));
		} else {
			emit(e, I_MOV64_REG(BPF_REG_4, BPF_REG_0));
			emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_4, off));
			emit(e, I_LDX(BPF_W, BPF_REG_4, BPF_REG_4, 0));
		}
		emit(e, I_MOV64_REG(BPF_REG_5, R_SAVE2));
		emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_5, BPF_REG_4));
		emit(e, I_ALU64_IMM(BPF_RSH, BPF_REG_5, 63));
		emit(e, I_ALU64_IMM(BPF_XOR, BPF_REG_5, 1));
		emit(e, I_ALU64_IMM(BPF_LSH, BPF_REG_5, __builtin_ctz(step) + 2));
		emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_5));
	}
	/* value[pos] = start[pos + P] */
	if (g->tsize * 4 <= 0x7fff) {
		emit(e, I_LDX(BPF_W, BPF_REG_0, BPF_REG_0, (int16_t)(g->tsize * 4)));
	} else {
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_0, (int32_t)(g->tsize * 4)));
		emit(e, I_LDX(BPF_W, BPF_REG_0, BPF_REG_0, 0));
	}
}

/*
 * One lookup of group g: its loads (a failing load jumps to out, the last
 * one to last_fail), inline constant checks, the key, the lookup, then
 * R7 = min(R7, value) and on to out.
 */
static int emit_group_body(struct cg *cg, struct bnft_opt_group *g, uint32_t last_fail,
			   uint32_t out)
{
	struct emitter *e = cg->e;
	uint32_t i, koff = g->lpm ? SCR_KEY + 4 : SCR_KEY;
	uint32_t nfix = g->interval ? g->nsel - 1 : g->nsel, tbl_roff = 0;
	int err, mi = -1;

	if (g->keyless && g->keyless_value == BNFT_OPT_NONE)
		return 0;
	if (!g->keyless) {
		mi = group_map(cg, g);
		if (mi < 0)
			return mi;
	}
	cg->lbl_rule_end = out;
	for (i = 0; i < g->nsel; i++) {
		const struct nftnl_expr *ld = g->load[i];
		int roff;

		cg->lbl_rule_fail = i + 1 == g->nsel ? last_fail : out;
		cg->cur_expr = nftnl_expr_get_str(ld, NFTNL_EXPR_NAME);
		err = cg_expr(cg, (struct nftnl_expr *)ld);
		if (err)
			return err;
		roff = cg_reg_off(cg, load_dreg(ld), g->sel[i].cmplen);
		if (roff < 0)
			return roff;
		if (i < nfix && g->constant[i]) {
			emit_const_check(e, roff, g->cval[i], g->sel[i].cmplen, out);
			continue;
		}
		if (g->table) {
			/* the only varying field: read from its register */
			tbl_roff = (uint32_t)roff;
			continue;
		}
		emit_copy_key(e, roff, (int)koff, g->sel[i].cmplen);
		koff += g->sel[i].cmplen;
	}
	cg->lbl_rule_fail = out;
	cg->cur_expr = NULL;
	if (g->table) {
		emit_table_search(cg, g, mi, (int)tbl_roff, out);
	} else if (g->keyless) {
		emit(e, I_ALU32_IMM(BPF_MOV, BPF_REG_0, (int32_t)g->keyless_value));
	} else {
		if (g->oht) {
			cg_oht_emit(cg, &g->ohtp, SCR_KEY, mi);
		} else {
			if (g->lpm)
				emit(e, I_ST(BPF_W, R_SCR, SCR_KEY, (int32_t)(g->keylen * 8)));
			emit_ld_map(e, BPF_REG_1, mi);
			emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
			emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_KEY));
			emit_call_helper(e, BPF_FUNC_map_lookup_elem);
		}
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, out);
		emit(e, I_LDX(BPF_W, BPF_REG_0, BPF_REG_0, 0));
	}
	/* R7 = min(R7, R0), unsigned */
	emit_jmp_reg(e, BPF_JMP | BPF_JGE | BPF_X, BPF_REG_0, R_SAVE1, out);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit_ja(e, out);
	return e->err;
}

/* Group g, then, when its wide load fails, its fallbacks widest first. */
static int emit_group(struct cg *cg, struct cg_chain *c, struct bnft_opt_run *run,
		      struct bnft_opt_group *g)
{
	struct emitter *e = cg->e;
	uint32_t out = emit_label(e), fail = g->nfb ? emit_label(e) : out, k;
	int err;

	cg->cur_rule = c->rules[run->start + g->rules[0]];
	cg->cur_ix = &c->ix[run->start + g->rules[0]];
	cg->cur_expr_idx = UINT32_MAX; /* the loads are not at a known position */
	err = emit_group_body(cg, g, fail, out);
	for (k = 0; !err && k < g->nfb; k++) {
		uint32_t next = k + 1 < g->nfb ? emit_label(e) : out;

		emit_bind(e, fail);
		err = emit_group_body(cg, &g->fb[k].groups[0], next, out);
		fail = next;
	}
	emit_bind(e, out);
	return err ? err : e->err;
}

/* Counter of rule (base + idx) when the value in R7 has the counter bit. */
static void emit_run_counter(struct cg *cg, uint32_t base)
{
	struct emitter *e = cg->e;
	uint32_t skip = emit_label(e);

	emit(e, I_MOV64_REG(BPF_REG_1, R_SAVE1));
	emit(e, I_ALU64_IMM(BPF_AND, BPF_REG_1, BNFT_OPT_V_CTR));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, skip);
	emit(e, I_MOV64_REG(BPF_REG_1, R_SAVE1));
	emit(e, I_ALU64_IMM(BPF_RSH, BPF_REG_1, 9));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_1, (int32_t)base));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_TMP));
	cg_frag_counter(cg, skip); /* a first fragment records (codegen_frag.c) */
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_COUNTERS);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, skip);
	/* per-CPU slots, bytes from the network header (as cg_counter) */
	emit(e, I_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(len)));
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
	emit(e, I_ALU32_REG(BPF_SUB, BPF_REG_1, BPF_REG_2));
	emit(e, I_LDX(BPF_DW, BPF_REG_2, BPF_REG_0, 8));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_1));
	emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_2, 8));
	emit_bind(e, skip);
}

/* Rule identities of the run's counters (what cg_counter records). */
static void mark_counters(struct cg *cg, struct cg_chain *c, const struct bnft_opt_run *run)
{
	size_t k;

	for (k = 0; k < run->n; k++) {
		struct bnft_rule_id *rid = &cg->ps->rules[c->first_rule_id + run->start + k];
		const struct bnft_rule_ix *x = &c->ix[run->start + k];
		uint32_t j;

		if (!run->rules[k].counter || (rid->flags & BNFT_RULE_F_COUNTER))
			continue;
		rid->flags |= BNFT_RULE_F_COUNTER;
		for (j = 0; j < x->nex; j++) {
			struct nftnl_expr *ex = x->ex[j];

			if (x->kind[j] != BNFT_XK_COUNTER)
				continue;
			if (nftnl_expr_is_set(ex, NFTNL_EXPR_CTR_PACKETS))
				rid->init_packets = nftnl_expr_get_u64(ex, NFTNL_EXPR_CTR_PACKETS);
			if (nftnl_expr_is_set(ex, NFTNL_EXPR_CTR_BYTES))
				rid->init_bytes = nftnl_expr_get_u64(ex, NFTNL_EXPR_CTR_BYTES);
		}
	}
}

static int emit_run(struct cg *cg, struct cg_chain *c, struct bnft_opt_run *run)
{
	struct emitter *e = cg->e;
	uint32_t end = emit_label(e);
	size_t i;
	int err;

	mark_counters(cg, c, run);
	/* NONE = 0xffffffff, zero-extended like the u32 values loaded */
	emit(e, I_MOV32_IMM(R_SAVE1, -1));
	for (i = 0; i < run->ngroups; i++) {
		err = emit_group(cg, c, run, &run->groups[i]);
		if (err)
			return err;
	}
	cg->cur_rule = c->rules[run->start];
	cg->cur_ix = &c->ix[run->start];
	emit_jmp_imm(e, BPF_JMP32 | BPF_JEQ | BPF_K, R_SAVE1, -1, end);
	if (run->any_counter)
		emit_run_counter(cg, c->first_rule_id + (uint32_t)run->start);
	emit(e, I_MOV64_REG(R_SAVE2, R_SAVE1));
	emit(e, I_ALU64_IMM(BPF_AND, R_SAVE2, 0xff));
	cg->lbl_rule_fail = end;
	cg->lbl_rule_end = end;
	for (i = 0; i < run->nvclass; i++) {
		uint32_t next = emit_label(e), code;
		struct cg_chain *target;

		if (i + 1 < run->nvclass)
			emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, R_SAVE2, (int32_t)i, next);
		err = cg_nft_verdict(cg, run->vclass[i].verdict, run->vclass[i].chain, &code,
				     &target);
		err = err ?: cg_verdict(cg, code, target);
		if (err)
			return err;
		emit_bind(e, next);
	}
	emit_bind(e, end);
	return e->err;
}

int bnft_optimize_rules(struct cg *cg, struct cg_chain *c, size_t r)
{
	struct bnft_opt_chain *oc;
	struct bnft_opt_run *run;
	int err;

	if (!cg->opt_on)
		return 0;
	err = chain_analysis(cg, c, &oc);
	if (err)
		return err;
	if (r >= oc->nrules || oc->run_at[r] < 0)
		return 0;
	run = &oc->runs[oc->run_at[r]];
	err = bnft_opt_build(run);
	if (err == -E2BIG) {
		oc->run_at[r] = -1; /* keys too long: straight code */
		return 0;
	}
	if (err)
		return err;
	if (getenv("BNFT_OPT_DEBUG")) {
		size_t i;

		for (i = 0; i < run->ngroups; i++) {
			const struct bnft_opt_group *g = &run->groups[i];

			fprintf(stderr, "opt: run at %zu (%zu rules) group %zu: %zu rules, %s%s, "
				"key %u bytes, %u entries, value %u bytes, %u fallbacks\n", run->start, run->n, i,
				g->nrules, g->keyless ? "keyless" : g->trie ? "trie" :
				g->direct ? "direct" : g->table ? "range table" :
				g->lpm ? "lpm" : "hash", g->interval ? " (interval)" : "",
				g->keylen, g->map.nelems, g->map.value_size, g->nfb);
		}
	}
	err = emit_run(cg, c, run);
	return err ? err : (int)run->n;
}
