// SPDX-License-Identifier: GPL-2.0
/*
 * `ct count [over] N` (nft_connlimit without a set): nf_conncount's list
 * of connections per expression, emulated with two maps of the
 * generation:
 *
 *   slots: ARRAY of CL_SLOTS + 1 struct cl_slot; a slot holds the
 *          conntrack key (struct bnft_ct_key, the flow's entry in bnft_ct)
 *          of one listed connection (free when key.nfproto == 0), the CPU
 *          and time it was added; slot CL_SLOTS holds the list count.
 *   tmp:   PERCPU_ARRAY of 1 struct cl_tmp: the evaluation's scratch
 *          (kept in a map, not on the stack, so that the verifier prunes
 *          the loop's states: the values are unknown scalars there).
 *
 * Per evaluation, as __nf_conncount_add(): walk the list; a listed
 * connection whose entry is gone (expired, deleted, evicted) is removed
 * when this CPU added it or it is 2 jiffies old (else it may be a flow
 * still unconfirmed on another CPU: kept), a TCP connection in TIME_WAIT
 * or CLOSE is removed; stop after more than CONNCOUNT_GC_MAX_NODES (8)
 * removals; the packet's own connection found in the list ends the walk
 * without adding. Otherwise it is added. Then the rule breaks when
 * (count > N) ^ over, as nft_connlimit_do_eval.
 *
 * Differences (bpf/lib/CT.md): at most CL_SLOTS connections are listed
 * (beyond, a connection is counted for its packet but not kept); the
 * kernel's "already walked in this jiffy" shortcut (which adds a
 * connection again without looking) is not reproduced; a packet without
 * a conntrack counts once, transiently, as the kernel's stale tuple would
 * until the next walk; updates from two CPUs are not serialised.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>

#include "bpf/lib/ct_abi.h"
#include "translator/codegen_connlimit.h"
#include "translator/codegen_int.h"

#define CL_SLOTS 64
#define CL_GC_MAX 8			/* CONNCOUNT_GC_MAX_NODES */
#define CL_STALE_NS (8ull * 1000000)	/* 2 jiffies at HZ=250 */

struct cl_slot {
	struct bnft_ct_key key;
	__u32 cpu;
	__u64 added;
};

struct cl_tmp {
	__u64 now;
	__u32 count;
	__u32 free;
	__u32 collect;
	__u32 cpu;
};

#define SL_OFF(f) ((int16_t)offsetof(struct cl_slot, f))
#define KEY_OFF(f) ((int16_t)offsetof(struct bnft_ct_key, f))
#define TMP_OFF(f) ((int16_t)offsetof(struct cl_tmp, f))
#define CTP_KEY ((int16_t)offsetof(struct bnft_ct_pkt, key))
#define ENT_OFF(f) ((int16_t)offsetof(struct bnft_ct_entry, f))
/* stack: the packet's struct bnft_ct_pkt pointer and a slot pointer */
#define SCR_CL_P (SCR_KEY)
#define SCR_CL_SLOT (SCR_KEY + 8)

/* R0 = &map[idx] (idx an immediate), or jump to fail when NULL. */
static void cl_lookup_imm(struct cg *cg, int map, int32_t idx, uint32_t fail)
{
	struct emitter *e = cg->e;

	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP, idx));
	emit_ld_map(e, BPF_REG_1, map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, fail);
}

/* Jumps to `differ` unless the key at R1 + o1 equals the key at R2 + o2. */
static void cl_key_cmp(struct cg *cg, int16_t o1, int16_t o2, uint32_t differ)
{
	struct emitter *e = cg->e;
	int16_t w;

	for (w = 0; w < (int16_t)sizeof(struct bnft_ct_key); w += 4) {
		emit(e, I_LDX(BPF_W, BPF_REG_3, BPF_REG_1, o1 + w));
		emit(e, I_LDX(BPF_W, BPF_REG_4, BPF_REG_2, o2 + w));
		emit_jmp_reg(e, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_3, BPF_REG_4, differ);
	}
}

int cg_connlimit(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t limit = nftnl_expr_get_u32(ex, NFTNL_EXPR_CONNLIMIT_COUNT);
	uint32_t flags = nftnl_expr_is_set(ex, NFTNL_EXPR_CONNLIMIT_FLAGS) ?
				 nftnl_expr_get_u32(ex, NFTNL_EXPR_CONNLIMIT_FLAGS) : 0;
	uint32_t fail = cg->lbl_rule_fail;
	uint32_t loop, next, add, nostore, dup, cmp, notfound, evict, skipfree;
	int slots, tmp;

	if (!cg->uses_ct)
		return cg_fail(cg, -EINVAL, "ct count without conntrack");
	slots = cg_map_add(cg, "bnft_cl_slots", BPF_MAP_TYPE_ARRAY, 4, sizeof(struct cl_slot),
			   CL_SLOTS + 1);
	if (slots < 0)
		return slots;
	tmp = cg_map_add(cg, "bnft_cl_tmp", BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct cl_tmp), 1);
	if (tmp < 0)
		return tmp;
	loop = emit_label(e);
	next = emit_label(e);
	add = emit_label(e);
	nostore = emit_label(e);
	dup = emit_label(e);
	cmp = emit_label(e);
	notfound = emit_label(e);
	evict = emit_label(e);
	skipfree = emit_label(e);

	/* the packet's conntrack result, spilled */
	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP,
		     cg->egress ? BNFT_CT_PKT_SLOT_EGRESS : BNFT_CT_PKT_SLOT_INGRESS));
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_CT_PKT);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, fail);
	emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_0, SCR_CL_P));
	/* R7 = tmp; now, cpu, free = ~0, collect = 0 */
	cl_lookup_imm(cg, tmp, 0, fail);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit_call_helper(e, BPF_FUNC_ktime_get_ns);
	emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_0, TMP_OFF(now)));
	emit_call_helper(e, BPF_FUNC_get_smp_processor_id);
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_0, TMP_OFF(cpu)));
	emit(e, I_ST(BPF_W, R_SAVE1, TMP_OFF(free), -1));
	emit(e, I_ST(BPF_W, R_SAVE1, TMP_OFF(collect), 0));
	/* no conntrack (invalid, untracked, before the conntrack hook): the
	 * packet's tuple counts once and is gone at the next walk */
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SCR, SCR_CL_P));
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_1, (int16_t)offsetof(struct bnft_ct_pkt, flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_CTP_HAVE_CT | BNFT_CTP_PRECT));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, BNFT_CTP_HAVE_CT, nostore);

	/* for (R8 = 0; R8 < CL_SLOTS; R8++) */
	emit(e, I_MOV64_IMM(R_SAVE2, 0));
	emit_bind(e, loop);
	emit_jmp_imm(e, BPF_JMP | BPF_JGE | BPF_K, R_SAVE2, CL_SLOTS, add);
	emit(e, I_STX(BPF_W, R_SCR, R_SAVE2, SCR_TMP));
	emit_ld_map(e, BPF_REG_1, slots);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, next);
	emit(e, I_STX(BPF_DW, R_SCR, BPF_REG_0, SCR_CL_SLOT));
	/* a free slot: remember the first one */
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, SL_OFF(key) + KEY_OFF(nfproto)));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, skipfree);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, TMP_OFF(free)));
	emit_jmp_imm(e, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_1, -1, next);
	emit(e, I_STX(BPF_W, R_SAVE1, R_SAVE2, TMP_OFF(free)));
	emit_ja(e, next);
	emit_bind(e, skipfree);
	/* more than CL_GC_MAX removed: no more walking (look for a free slot) */
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, TMP_OFF(collect)));
	emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_1, CL_GC_MAX, next);
	/* its conntrack entry, alive? */
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_CT);
	emit(e, I_LDX(BPF_DW, BPF_REG_2, R_SCR, SCR_CL_SLOT));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, notfound);
	emit(e, I_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, ENT_OFF(expires)));
	emit(e, I_LDX(BPF_DW, BPF_REG_2, R_SAVE1, TMP_OFF(now)));
	emit_jmp_reg(e, BPF_JMP | BPF_JGE | BPF_X, BPF_REG_2, BPF_REG_1, notfound);
	/* found: the packet's own connection ends the walk */
	emit(e, I_LDX(BPF_B, BPF_REG_5, BPF_REG_0, ENT_OFF(tcp_state)));
	{
		uint32_t other = emit_label(e);

		emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SCR, SCR_CL_SLOT));
		emit(e, I_LDX(BPF_DW, BPF_REG_2, R_SCR, SCR_CL_P));
		cl_key_cmp(cg, SL_OFF(key), CTP_KEY, other);
		emit_ja(e, dup);
		emit_bind(e, other);
	}
	/* a closed TCP connection (TIME_WAIT, CLOSE) is dropped from the list */
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SCR, SCR_CL_SLOT));
	emit(e, I_LDX(BPF_B, BPF_REG_2, BPF_REG_1, SL_OFF(key) + KEY_OFF(l4proto)));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 6, next);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_5, BNFT_TCP_TIME_WAIT, evict);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_5, BNFT_TCP_CLOSE, evict);
	emit_ja(e, next);

	/* not found: removed if this CPU added it or it is old enough; a
	 * young one of another CPU may be unconfirmed: the packet's own
	 * connection then ends the walk */
	emit_bind(e, notfound);
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SCR, SCR_CL_SLOT));
	emit(e, I_LDX(BPF_W, BPF_REG_2, BPF_REG_1, SL_OFF(cpu)));
	emit(e, I_LDX(BPF_W, BPF_REG_3, R_SAVE1, TMP_OFF(cpu)));
	emit_jmp_reg(e, BPF_JMP | BPF_JEQ | BPF_X, BPF_REG_2, BPF_REG_3, evict);
	emit(e, I_LDX(BPF_DW, BPF_REG_2, BPF_REG_1, SL_OFF(added)));
	emit(e, I_LDX(BPF_DW, BPF_REG_3, R_SAVE1, TMP_OFF(now)));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_3, BPF_REG_2));
	emit_ld_imm64(e, BPF_REG_2, CL_STALE_NS);
	emit_jmp_reg(e, BPF_JMP | BPF_JGE | BPF_X, BPF_REG_3, BPF_REG_2, evict);
	emit(e, I_LDX(BPF_DW, BPF_REG_2, R_SCR, SCR_CL_P));
	cl_key_cmp(cg, SL_OFF(key), CTP_KEY, next);
	emit_ja(e, dup);

	/* remove: free the slot, count - 1, collect + 1 */
	emit_bind(e, evict);
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SCR, SCR_CL_SLOT));
	emit(e, I_ST(BPF_B, BPF_REG_1, SL_OFF(key) + KEY_OFF(nfproto), 0));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, TMP_OFF(collect)));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, TMP_OFF(collect)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, TMP_OFF(free)));
	{
		uint32_t had = emit_label(e);

		emit_jmp_imm(e, BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_1, -1, had);
		emit(e, I_STX(BPF_W, R_SAVE1, R_SAVE2, TMP_OFF(free)));
		emit_bind(e, had);
	}
	cl_lookup_imm(cg, slots, CL_SLOTS, next);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	{
		uint32_t zero = emit_label(e);

		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, zero);
		emit(e, I_ALU32_IMM(BPF_SUB, BPF_REG_1, 1));
		emit(e, I_STX(BPF_W, BPF_REG_0, BPF_REG_1, 0));
		emit_bind(e, zero);
	}

	emit_bind(e, next);
	emit(e, I_ALU64_IMM(BPF_ADD, R_SAVE2, 1));
	emit_ja(e, loop);

	/* add the packet's connection to a free slot; count + 1 */
	emit_bind(e, add);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, TMP_OFF(free)));
	emit_jmp_imm(e, BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, -1, nostore);
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_TMP));
	emit_ld_map(e, BPF_REG_1, slots);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, nostore);
	emit(e, I_LDX(BPF_DW, BPF_REG_2, R_SCR, SCR_CL_P));
	{
		int16_t w;

		for (w = 0; w < (int16_t)sizeof(struct bnft_ct_key); w += 4) {
			emit(e, I_LDX(BPF_W, BPF_REG_3, BPF_REG_2, CTP_KEY + w));
			emit(e, I_STX(BPF_W, BPF_REG_0, BPF_REG_3, SL_OFF(key) + w));
		}
	}
	emit(e, I_LDX(BPF_W, BPF_REG_3, R_SAVE1, TMP_OFF(cpu)));
	emit(e, I_STX(BPF_W, BPF_REG_0, BPF_REG_3, SL_OFF(cpu)));
	emit(e, I_LDX(BPF_DW, BPF_REG_3, R_SAVE1, TMP_OFF(now)));
	emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_3, SL_OFF(added)));
	cl_lookup_imm(cg, slots, CL_SLOTS, fail);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(e, I_STX(BPF_W, BPF_REG_0, BPF_REG_1, 0));
	emit(e, I_MOV64_REG(BPF_REG_5, BPF_REG_1));
	emit_ja(e, cmp);

	/* counted, not kept: count + 1 */
	emit_bind(e, nostore);
	cl_lookup_imm(cg, slots, CL_SLOTS, fail);
	emit(e, I_LDX(BPF_W, BPF_REG_5, BPF_REG_0, 0));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_5, 1));
	emit_ja(e, cmp);

	/* already listed: the count as it is */
	emit_bind(e, dup);
	cl_lookup_imm(cg, slots, CL_SLOTS, fail);
	emit(e, I_LDX(BPF_W, BPF_REG_5, BPF_REG_0, 0));

	/* NFT_BREAK when (count > limit) ^ invert */
	emit_bind(e, cmp);
	if (flags & NFT_CONNLIMIT_F_INV)
		emit_jmp_imm(e, BPF_JMP | BPF_JLE | BPF_K, BPF_REG_5, (int32_t)limit, fail);
	else
		emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_5, (int32_t)limit, fail);
	return e->err;
}
