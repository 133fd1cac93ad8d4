// SPDX-License-Identifier: GPL-2.0
/*
 * Set elements with state (bpf/lib/dynset.h): timeouts and updates from
 * the datapath.
 *
 * A set with `flags timeout`, `flags dynamic`, or that a rule updates
 * (`add/update/delete @set { key [timeout T] [limit ...] [counter] }`,
 * nft_dynset) keeps a struct bnft_dset_hdr in front of every map value.
 * Lookups treat an element whose expiry time has passed as absent (and
 * delete it from hash maps). The dynset statement follows
 * nft_dynset_eval():
 *   add:    a missing (or expired) element is inserted with the
 *           statement's timeout, else the set's; a present one is left.
 *   update: as add, and a present element's expiry is pushed to
 *           now + timeout.
 *   delete: the element is removed; the rule goes on either way.
 * A full set (map at its size) stops the rule, as the kernel's
 * NFT_BREAK. Per-element statements (limit, counter) run on the element
 * found or inserted; a limit without a token stops the rule.
 * Interval sets cannot be updated from the datapath (as in the kernel,
 * whose interval set types have no update operation).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/dynset.h"
#include "bpf/lib/limit.h"
#include "translator/codegen_int.h"

#define HDR_SIZE ((uint16_t)sizeof(struct bnft_dset_hdr))
/* Scratch bytes [0, DSET_VAL_MAX) hold a new value: the temporary and the
 * LPM key area, both free between expressions. */
#define DSET_VAL_MAX 72

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct cg_set *dynset_set(struct cg *cg, const struct cg_chain *c, struct nftnl_expr *ex)
{
	const char *name = nftnl_expr_get_str(ex, NFTNL_EXPR_DYNSET_SET_NAME);

	return name ? cg_find_set(cg, c->family, c->table, name) : NULL;
}

struct stmt_walk {
	struct cg *cg;
	struct cg_set *s;
	int err;
};

static int note_stmt(struct nftnl_expr *se, void *data)
{
	struct stmt_walk *w = data;
	const char *n = nftnl_expr_get_str(se, NFTNL_EXPR_NAME);

	if (!strcmp(n, "limit")) {
		if (!w->s->dset_limit)
			w->s->dset_limit = se;
		return 0;
	}
	if (!strcmp(n, "counter")) {
		w->s->dset_counter = true;
		return 0;
	}
	w->err = cg_fail(w->cg, -EOPNOTSUPP, "set %s: %s statements on elements are not supported",
			 w->s->name, n);
	return -1;
}

static int each_stmt(struct nftnl_expr *ex, int (*cb)(struct nftnl_expr *, void *), void *data)
{
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_EXPR)) {
		struct nftnl_expr *se = (struct nftnl_expr *)nftnl_expr_get(ex, NFTNL_EXPR_DYNSET_EXPR,
									     NULL);

		return se ? cb(se, data) : 0;
	}
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_EXPRESSIONS))
		return nftnl_expr_expr_foreach(ex, cb, data);
	return 0;
}

int cg_dynset_init(struct cg *cg)
{
	size_t i, r;

	for (i = 0; i < cg->nsets; i++) {
		struct cg_set *s = &cg->sets[i];

		if (s->flags & (NFT_SET_TIMEOUT | NFT_SET_EVAL))
			s->dset = true;
	}
	for (i = 0; i < cg->nchains; i++) {
		struct cg_chain *c = &cg->chains[i];

		for (r = 0; r < c->nrules; r++) {
			const struct bnft_rule_ix *x = &c->ix[r];
			uint32_t j;

			if (!(x->flags & BNFT_RF_DYNSET))
				continue;
			for (j = 0; j < x->nex; j++) {
				struct nftnl_expr *ex = x->ex[j];
				struct stmt_walk w = { .cg = cg };

				if (x->kind[j] != BNFT_XK_DYNSET)
					continue;
				w.s = dynset_set(cg, c, ex);
				if (!w.s)
					continue; /* refused where it is compiled */
				w.s->dset = w.s->dset_dyn = true;
				if (each_stmt(ex, note_stmt, &w) && w.err)
					return w.err;
			}
		}
	}
	for (i = 0; i < cg->nsets; i++) {
		struct cg_set *s = &cg->sets[i];
		uint16_t off = HDR_SIZE;

		if (!s->dset)
			continue;
		if (s->dset_limit) {
			s->dset_lim_off = off;
			off += sizeof(struct bnft_dset_limit);
		}
		if (s->dset_counter) {
			s->dset_ctr_off = off;
			off += sizeof(struct bnft_dset_counter);
		}
		s->dset_data_off = off;
	}
	return 0;
}

static int elem_counter(struct nftnl_expr *ex, void *data)
{
	struct bnft_dset_counter *c = data;

	if (!strcmp(nftnl_expr_get_str(ex, NFTNL_EXPR_NAME), "counter")) {
		c->packets = nftnl_expr_get_u64(ex, NFTNL_EXPR_CTR_PACKETS);
		c->bytes = nftnl_expr_get_u64(ex, NFTNL_EXPR_CTR_BYTES);
	}
	return 0;
}

/* Header of a static element: it expires `expires` (remaining ms, carried
 * over from a live set) or its timeout, or the set's, after now. A
 * counter on the element (carried over too) starts at its values. */
void cg_dset_elem_hdr(struct cg_set *s, const struct bnft_elem *e, uint8_t *out)
{
	struct bnft_dset_hdr h = { 0 };
	/* timeouts, expiration, counters: only libnftnl elements have them */
	struct nftnl_set_elem *el = e->nl;
	uint64_t set_to = nftnl_set_is_set(s->s, NFTNL_SET_TIMEOUT) ?
				  nftnl_set_get_u64(s->s, NFTNL_SET_TIMEOUT) : 0;
	uint64_t to = el && nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_TIMEOUT) ?
			      nftnl_set_elem_get_u64(el, NFTNL_SET_ELEM_TIMEOUT) : 0;
	uint64_t left = el && nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_EXPIRATION) ?
				nftnl_set_elem_get_u64(el, NFTNL_SET_ELEM_EXPIRATION) : 0;

	h.timeout = to;
	if (to == UINT64_MAX) /* timeout never */
		left = 0;
	else if (!left)
		left = to ? to : set_to;
	if (left && (s->flags & NFT_SET_TIMEOUT))
		h.expires = mono_ns() + left * 1000000ull;
	h.data_off = s->dset_data_off;
	h.lim_off = s->dset_lim_off;
	h.ctr_off = s->dset_ctr_off;
	memcpy(out, &h, sizeof(h));
	if (s->dset_ctr_off) {
		struct bnft_dset_counter c = { 0 };

		if (el)
			nftnl_set_elem_expr_foreach(el, elem_counter, &c);
		memcpy(out + s->dset_ctr_off, &c, sizeof(c));
	}
}

/* After a lookup's map_lookup_elem: R0 = NULL for a missing or expired
 * element, else the element's data. Clobbers R1-R5, R7. */
void cg_dset_lookup_live(struct cg *cg, struct cg_set *s, int keyoff, int mi)
{
	struct emitter *e = cg->e;
	uint32_t done = emit_label(e), ok = emit_label(e);

	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	if (s->flags & NFT_SET_TIMEOUT) {
		emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SAVE1, 0));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, ok);
		emit_call_helper(e, BPF_FUNC_ktime_get_ns);
		emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SAVE1, 0));
		emit_jmp_reg(e, BPF_JMP | BPF_JLT, BPF_REG_0, BPF_REG_1, ok);
		if (!s->lpm) {
			emit_ld_map(e, BPF_REG_1, mi);
			emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
			emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, keyoff));
			emit_call_helper(e, BPF_FUNC_map_delete_elem);
		}
		emit(e, I_MOV64_IMM(BPF_REG_0, 0));
		emit_ja(e, done);
	}
	emit_bind(e, ok);
	emit(e, I_MOV64_REG(BPF_REG_0, R_SAVE1));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_0, s->dset_data_off));
	emit_bind(e, done);
}

/* Per-element limit on the element at R7 (nft_limit_eval without the
 * lock); goes to `fail` when the rule must stop. */
static int emit_elem_limit(struct cg *cg, struct cg_set *s, uint32_t next, uint32_t fail)
{
	struct emitter *e = cg->e;
	const struct nftnl_expr *ex = s->dset_limit;
	struct bnft_limit_params p;
	int16_t tk = (int16_t)s->dset_lim_off, ls = (int16_t)(s->dset_lim_off + 8);
	uint32_t l1 = emit_label(e), l2 = emit_label(e), l3 = emit_label(e);
	int err;

	err = bnft_limit_params_init(&p, nftnl_expr_get_u64(ex, NFTNL_EXPR_LIMIT_RATE),
				     nftnl_expr_get_u64(ex, NFTNL_EXPR_LIMIT_UNIT),
				     nftnl_expr_get_u32(ex, NFTNL_EXPR_LIMIT_BURST),
				     nftnl_expr_get_u32(ex, NFTNL_EXPR_LIMIT_TYPE),
				     nftnl_expr_is_set(ex, NFTNL_EXPR_LIMIT_FLAGS) ?
					     nftnl_expr_get_u32(ex, NFTNL_EXPR_LIMIT_FLAGS) : 0);
	if (err)
		return cg_fail(cg, err, "set %s: limit parameters out of range", s->name);
	emit_call_helper(e, BPF_FUNC_ktime_get_ns);
	/* R0 = max(now, last) */
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SAVE1, ls));
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_0));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_2, BPF_REG_1));
	emit_jmp_imm(e, BPF_JMP | BPF_JSGE | BPF_K, BPF_REG_2, 0, l1);
	emit(e, I_MOV64_REG(BPF_REG_0, BPF_REG_1));
	emit_bind(e, l1);
	/* R3 = min(tokens + now - last, max) */
	emit(e, I_LDX(BPF_DW, BPF_REG_3, R_SAVE1, tk));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_0));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_3, BPF_REG_1));
	emit_ld_imm64(e, BPF_REG_4, p.tokens_max);
	emit_jmp_reg(e, BPF_JMP | BPF_JLE, BPF_REG_3, BPF_REG_4, l2);
	emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_4));
	emit_bind(e, l2);
	emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_0, ls));
	/* R5 = cost */
	if (p.bytes) {
		emit(e, I_LDX(BPF_W, BPF_REG_5, R_CTX, SKB_OFF(len)));
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xffff));
		emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_5, BPF_REG_1));
		emit_ld_imm64(e, BPF_REG_1, p.nsecs);
		emit(e, I_ALU64_REG(BPF_MUL, BPF_REG_5, BPF_REG_1));
		emit_ld_imm64(e, BPF_REG_1, p.rate);
		emit(e, I_ALU64_REG(BPF_DIV, BPF_REG_5, BPF_REG_1));
	} else {
		emit_ld_imm64(e, BPF_REG_5, p.cost);
	}
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_3));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_2, BPF_REG_5));
	emit_jmp_imm(e, BPF_JMP | BPF_JSLT | BPF_K, BPF_REG_2, 0, l3);
	/* a token */
	emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_2, tk));
	if (p.invert)
		emit_ja(e, fail);
	else
		emit_ja(e, next);
	emit_bind(e, l3);
	/* none */
	emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_3, tk));
	if (!p.invert)
		emit_ja(e, fail);
	return 0;
}

static void emit_elem_counter(struct cg *cg, struct cg_set *s)
{
	struct emitter *e = cg->e;
	int16_t off = (int16_t)s->dset_ctr_off;

	emit(e, I_MOV64_IMM(BPF_REG_1, 1));
	emit(e, insn_make(BPF_STX | BPF_DW | BPF_ATOMIC, R_SAVE1, BPF_REG_1, off, BPF_ADD));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(len)));
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
	emit(e, I_ALU32_REG(BPF_SUB, BPF_REG_1, BPF_REG_2));
	emit(e, insn_make(BPF_STX | BPF_DW | BPF_ATOMIC, R_SAVE1, BPF_REG_1, (int16_t)(off + 8),
			  BPF_ADD));
}

/* Copies len bytes [R9 + soff] -> [R9 + doff]; clobbers R1. */
static void scr_copy(struct cg *cg, int soff, int doff, unsigned int len)
{
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		sz = len - i >= 4 && !((soff + (int)i) % 4) && !((doff + (int)i) % 4) ? 4 :
		     len - i >= 2 && !((soff + (int)i) % 2) && !((doff + (int)i) % 2) ? 2 : 1;
		emit(cg->e, I_LDX(bpf_size_of(sz), BPF_REG_1, R_SCR, (int16_t)(soff + (int)i)));
		emit(cg->e, I_STX(bpf_size_of(sz), R_SCR, BPF_REG_1, (int16_t)(doff + (int)i)));
	}
}

struct stmt_kinds {
	bool limit, counter;
};

static int note_kind(struct nftnl_expr *se, void *data)
{
	struct stmt_kinds *k = data;
	const char *n = nftnl_expr_get_str(se, NFTNL_EXPR_NAME);

	k->limit |= !strcmp(n, "limit");
	k->counter |= !strcmp(n, "counter");
	return 0;
}

int cg_dynset(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	struct cg_set *s = dynset_set(cg, cg->cur_chain, ex);
	uint32_t op = nftnl_expr_get_u32(ex, NFTNL_EXPR_DYNSET_OP);
	uint64_t set_to, to_ms;
	uint32_t insert, found, stmts, done, vsize, i;
	bool timeouts, has_stmts, has_data;
	int so, dof = -1, mi;

	if (!s)
		return cg_fail(cg, -EINVAL, "set statement on missing set %s",
			       nftnl_expr_get_str(ex, NFTNL_EXPR_DYNSET_SET_NAME) ?: "?");
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_FLAGS) &&
	    (nftnl_expr_get_u32(ex, NFTNL_EXPR_DYNSET_FLAGS) & NFT_DYNSET_F_INV))
		return cg_fail(cg, -EOPNOTSUPP, "inverted set statements are not supported");
	if (op > NFT_DYNSET_OP_DELETE)
		return cg_fail(cg, -EOPNOTSUPP, "set statement operation %u", op);
	if (s->flags & (NFT_SET_INTERVAL | NFT_SET_OBJECT) || s->scan)
		return cg_fail(cg, -EOPNOTSUPP,
			       "set %s: interval and object sets cannot be updated from the packet path",
			       s->name);
	if ((s->flags & NFT_SET_MAP) && s->data_type == NFT_DATA_VERDICT)
		return cg_fail(cg, -EOPNOTSUPP,
			       "set %s: verdict maps cannot be updated from the packet path",
			       s->name);
	timeouts = s->flags & NFT_SET_TIMEOUT;
	set_to = nftnl_set_is_set(s->s, NFTNL_SET_TIMEOUT) ?
			 nftnl_set_get_u64(s->s, NFTNL_SET_TIMEOUT) : 0;
	to_ms = nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_TIMEOUT) ?
			nftnl_expr_get_u64(ex, NFTNL_EXPR_DYNSET_TIMEOUT) : 0;
	if (to_ms && !timeouts)
		return cg_fail(cg, -EOPNOTSUPP, "set %s: timeout on a set without flags timeout",
			       s->name);
	if (!to_ms)
		to_ms = set_to;
	if (to_ms > UINT64_MAX / 1000000ull)
		return cg_fail(cg, -ERANGE, "set %s: timeout out of range", s->name);
	mi = cg_set_map(cg, s);
	if (mi < 0)
		return mi;
	vsize = cg->ps->maps[mi].value_size;
	if (vsize > DSET_VAL_MAX)
		return cg_fail(cg, -EOPNOTSUPP,
			       "set %s: elements of %u bytes cannot be added from the packet path",
			       s->name, vsize);
	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_DYNSET_SREG_KEY), s->key_len);
	if (so < 0)
		return so;
	has_data = nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_SREG_DATA);
	if ((s->flags & NFT_SET_MAP) && op != NFT_DYNSET_OP_DELETE && !has_data)
		return cg_fail(cg, -EINVAL, "set %s: map update without data", s->name);
	if (has_data && (s->flags & NFT_SET_MAP)) {
		dof = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_DYNSET_SREG_DATA),
				 s->data_len);
		if (dof < 0)
			return dof;
	}
	has_stmts = nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_EXPR) ||
		    nftnl_expr_is_set(ex, NFTNL_EXPR_DYNSET_EXPRESSIONS);
	if (has_stmts && op == NFT_DYNSET_OP_DELETE)
		return cg_fail(cg, -EOPNOTSUPP, "statements in a delete set statement");

	insert = emit_label(e);
	found = emit_label(e);
	stmts = emit_label(e);
	done = emit_label(e);
	emit_ld_map(e, BPF_REG_1, mi);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, so));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, insert);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	if (timeouts) {
		emit_call_helper(e, BPF_FUNC_ktime_get_ns);
		emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_0));
		emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SAVE1, 0));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, found);
		emit_jmp_reg(e, BPF_JMP | BPF_JLT, R_SAVE2, BPF_REG_1, found);
		/* expired: absent (a delete removes the stale entry) */
		if (op != NFT_DYNSET_OP_DELETE)
			emit_ja(e, insert);
	}
	emit_bind(e, found);
	if (op == NFT_DYNSET_OP_DELETE) {
		emit_ld_map(e, BPF_REG_1, mi);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, so));
		emit_call_helper(e, BPF_FUNC_map_delete_elem);
		emit_bind(e, insert);
		emit_ja(e, done);
	} else {
		if (op == NFT_DYNSET_OP_UPDATE && timeouts && to_ms) {
			emit_ld_imm64(e, BPF_REG_1, to_ms * 1000000ull);
			emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_1, R_SAVE2));
			emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_1, 0));
		}
		emit_ja(e, has_stmts ? stmts : done);
		/* a new element */
		emit_bind(e, insert);
		for (i = 0; i < vsize; i += 8)
			emit(e, I_ST(BPF_DW, R_SCR, (int16_t)(SCR_TMP + i), 0));
		if ((timeouts && to_ms) || s->dset_limit) {
			emit_call_helper(e, BPF_FUNC_ktime_get_ns);
			emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_0));
		}
		if (timeouts && to_ms) {
			emit_ld_imm64(e, BPF_REG_1, to_ms * 1000000ull);
			emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_1, R_SAVE2));
			emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_1, SCR_TMP));
			emit_ld_imm64(e, BPF_REG_1, to_ms);
			emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_1, SCR_TMP + 8));
		}
		emit(e, I_ST(BPF_W, R_SCR, SCR_TMP + 16,
			     (int32_t)(s->dset_data_off | (uint32_t)s->dset_lim_off << 16)));
		emit(e, I_ST(BPF_W, R_SCR, SCR_TMP + 20,
			     (int32_t)(s->dset_ctr_off | (uint32_t)BNFT_DSET_F_DP << 16)));
		if (dof >= 0)
			scr_copy(cg, dof, SCR_TMP + s->dset_data_off, s->data_len);
		if (s->dset_limit) {
			struct bnft_limit_params p;
			const struct nftnl_expr *l = s->dset_limit;

			if (bnft_limit_params_init(
				    &p, nftnl_expr_get_u64(l, NFTNL_EXPR_LIMIT_RATE),
				    nftnl_expr_get_u64(l, NFTNL_EXPR_LIMIT_UNIT),
				    nftnl_expr_get_u32(l, NFTNL_EXPR_LIMIT_BURST),
				    nftnl_expr_get_u32(l, NFTNL_EXPR_LIMIT_TYPE), 0))
				return cg_fail(cg, -ERANGE, "set %s: limit parameters out of range",
					       s->name);
			emit_ld_imm64(e, BPF_REG_1, p.tokens_max);
			emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_1, (int16_t)s->dset_lim_off));
			emit(e, I_STX(BPF_DW, R_SCR, R_SAVE2, (int16_t)(s->dset_lim_off + 8)));
		}
		emit_ld_map(e, BPF_REG_1, mi);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, so));
		emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, SCR_TMP));
		emit(e, I_MOV64_IMM(BPF_REG_4, BPF_ANY));
		emit_call_helper(e, BPF_FUNC_map_update_elem);
		/* set full: the rule stops (NFT_BREAK) */
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
		if (has_stmts) {
			emit_ld_map(e, BPF_REG_1, mi);
			emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
			emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, so));
			emit_call_helper(e, BPF_FUNC_map_lookup_elem);
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
			emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
		}
		emit_ja(e, has_stmts ? stmts : done);
	}
	if (has_stmts) {
		struct stmt_kinds k = { 0 };

		emit_bind(e, stmts);
		each_stmt(ex, note_kind, &k);
		if (k.counter)
			emit_elem_counter(cg, s);
		if (k.limit) {
			int err;

			err = emit_elem_limit(cg, s, done, cg->lbl_rule_fail);
			if (err)
				return err;
		}
	}
	emit_bind(e, done);
	return e->err;
}
