// SPDX-License-Identifier: GPL-2.0
/*
 * nft tracing (bpf/lib/trace.h): `meta nftrace set 1` marks the packet;
 * marked packets report every rule that matched (with its verdict) and
 * every base chain policy they reach into the generation's ring buffer.
 * Nothing is emitted for rulesets without `meta nftrace set`.
 *
 * Events follow nft_do_chain(): a rule is reported when all its matches
 * held (verdict continue when it has none), before its verdict is
 * applied. Not reported (yet): verdicts from verdict maps (the rule shows
 * no event), reject/queue-like terminal statements, explicit `return`
 * chains' RETURN events.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/trace.h"
#include "translator/codegen_int.h"

#define EV_OFF(f) ((int16_t)offsetof(struct bnft_trace_ev, f))

int cg_trace_init(struct cg *cg)
{
	size_t i, r;
	int m;

	for (i = 0; i < cg->nchains && !cg->trace; i++)
		for (r = 0; r < cg->chains[i].nrules && !cg->trace; r++)
			cg->trace = cg->chains[i].ix[r].flags & BNFT_RF_NFTRACE;
	if (!cg->trace)
		return 0;
	m = cg_map_add(cg, "bnft_trace", BPF_MAP_TYPE_RINGBUF, 0, 0, BNFT_TRACE_RINGBUF_SIZE);
	if (m < 0)
		return m;
	cg->trace_map = m;
	m = cg_map_add(cg, "bnft_trid", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 1);
	if (m < 0)
		return m;
	cg->trid_map = m;
	return 0;
}

/* R0 = this CPU's trace id slot or NULL. */
static void emit_trid(struct cg *cg)
{
	struct emitter *e = cg->e;

	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP, 0));
	emit_ld_map(e, BPF_REG_1, cg->trid_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
}

/* meta nftrace set <reg> */
int cg_trace_set(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t off_l = emit_label(e), done = emit_label(e);
	int soff = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_META_SREG), 1);

	if (soff < 0)
		return soff;
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SCR, (int16_t)soff));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 1));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, off_l);
	/* already traced: same id */
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_1));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, BNFT_PF_TRACE << 16));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, done);
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_1, BNFT_PF_TRACE << 16));
	emit(e, I_STX(BPF_W, R_CTX, BPF_REG_1, CB_OFF(BNFT_CB_INFO)));
	emit_trid(cg);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit_call_helper(e, BPF_FUNC_get_prandom_u32);
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_0, 0));
	emit_ja(e, done);
	emit_bind(e, off_l);
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, ~(int32_t)(BNFT_PF_TRACE << 16)));
	emit(e, I_STX(BPF_W, R_CTX, BPF_REG_1, CB_OFF(BNFT_CB_INFO)));
	emit_bind(e, done);
	return 0;
}

/* One event when the packet is traced; clobbers R0-R5, R7. */
static void emit_event(struct cg *cg, uint32_t type, uint32_t chain, uint32_t verdict,
		       uint32_t target, uint64_t handle)
{
	struct emitter *e = cg->e;
	uint32_t skip = emit_label(e), noid = emit_label(e), nocopy = emit_label(e),
		 cap = emit_label(e);
	uint32_t base = cg->in_sub ? BNFT_TRACE_NO_CHAIN :
				     cg->base_chain ? cg->base_chain->id : chain;

	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_PF_TRACE << 16));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, skip);
	emit_ld_map(e, BPF_REG_1, cg->trace_map);
	emit(e, I_MOV64_IMM(BPF_REG_2, sizeof(struct bnft_trace_ev)));
	emit(e, I_MOV64_IMM(BPF_REG_3, 0));
	emit_call_helper(e, BPF_FUNC_ringbuf_reserve);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, skip);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(magic), (int32_t)BNFT_TRACE_MAGIC));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(type), (int32_t)type));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(chain), (int32_t)chain));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(base), (int32_t)base));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(verdict), (int32_t)verdict));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(target), (int32_t)target));
	emit_ld_imm64(e, BPF_REG_1, handle);
	emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_1, EV_OFF(handle)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(ifindex)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(ifindex)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(ingress_ifindex)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(iif)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(len)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(len)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(offs)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(info)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(mark)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(mark)));
	emit(e, I_ST(BPF_W, R_SAVE1, EV_OFF(id), 0));
	emit_trid(cg);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, noid);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, EV_OFF(id)));
	emit_bind(e, noid);
	/* the packet's first bytes */
	emit(e, I_LDX(BPF_W, BPF_REG_4, R_CTX, SKB_OFF(len)));
	emit_jmp_imm(e, BPF_JMP | BPF_JLE | BPF_K, BPF_REG_4, BNFT_TRACE_CAP, cap);
	emit(e, I_MOV64_IMM(BPF_REG_4, BNFT_TRACE_CAP));
	emit_bind(e, cap);
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_4, EV_OFF(caplen)));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_4, 0, nocopy);
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_IMM(BPF_REG_2, 0));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SAVE1));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, EV_OFF(pkt)));
	emit_call_helper(e, BPF_FUNC_skb_load_bytes);
	emit_bind(e, nocopy);
	emit(e, I_MOV64_REG(BPF_REG_1, R_SAVE1));
	emit(e, I_MOV64_IMM(BPF_REG_2, 0));
	emit_call_helper(e, BPF_FUNC_ringbuf_submit);
	emit_bind(e, skip);
}

static uint64_t rule_handle(struct cg *cg)
{
	return cg->cur_rule && nftnl_rule_is_set(cg->cur_rule, NFTNL_RULE_HANDLE) ?
		       nftnl_rule_get_u64(cg->cur_rule, NFTNL_RULE_HANDLE) :
		       0;
}

/* Before an immediate: a verdict is reported with the rule. */
int cg_trace_verdict(struct cg *cg, struct nftnl_expr *ex)
{
	struct cg_chain *t = NULL;
	uint32_t code;
	int err;

	if (!cg->trace || !cg->cur_rule || !nftnl_expr_is_set(ex, NFTNL_EXPR_IMM_DREG) ||
	    nftnl_expr_get_u32(ex, NFTNL_EXPR_IMM_DREG) != NFT_REG_VERDICT)
		return 0;
	err = cg_nft_verdict(cg, (int32_t)nftnl_expr_get_u32(ex, NFTNL_EXPR_IMM_VERDICT),
			     nftnl_expr_is_set(ex, NFTNL_EXPR_IMM_CHAIN) ?
				     nftnl_expr_get_str(ex, NFTNL_EXPR_IMM_CHAIN) :
				     NULL,
			     &code, &t);
	if (err)
		return err;
	emit_event(cg, BNFT_TRACE_RULE, cg->cur_chain->id, code, t ? t->id : 0, rule_handle(cg));
	cg->trace_done = cg->cur_rule;
	return 0;
}

/* After the last expression of a rule (all matched): continue. */
void cg_trace_rule_end(struct cg *cg)
{
	/* (a chain emitted in place at a jump has its own rules in between) */
	if (cg->trace && cg->cur_rule && cg->trace_done != cg->cur_rule)
		emit_event(cg, BNFT_TRACE_RULE, cg->cur_chain->id, BNFT_V_CONTINUE, 0,
			   rule_handle(cg));
}

/* At a base chain's policy. */
void cg_trace_policy(struct cg *cg, struct cg_chain *c)
{
	if (cg->trace)
		emit_event(cg, BNFT_TRACE_POLICY, c->id,
			   c->policy == NF_DROP ? BNFT_V_DROP : BNFT_V_ACCEPT, 0, 0);
}

/* A verdict the rule reaches another way (verdict map, reject). */
void cg_trace_rule_verdict(struct cg *cg, uint32_t code, struct cg_chain *target)
{
	if (!cg->trace || !cg->cur_rule)
		return;
	emit_event(cg, BNFT_TRACE_RULE, cg->cur_chain->id, code, target ? target->id : 0,
		   rule_handle(cg));
	cg->trace_done = cg->cur_rule;
}
