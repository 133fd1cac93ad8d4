// SPDX-License-Identifier: GPL-2.0
/*
 * Reassembly emulation for IPv4 input chains (bpf/lib/frag.h has the model
 * and the map layouts). The kernel judges and counts a fragmented IPv4
 * datagram once at LOCAL_IN, reassembled; bnft at TC sees its fragments.
 * Code emitted here:
 *   cg_frag_point()    before the first input chain of the ingress program:
 *                      per-datagram state, later fragments take the stored
 *                      verdict, the first one goes on to the input chains;
 *   cg_frag_counter()  in every counter: a first fragment under judgement
 *                      records the counter instead of counting;
 *   cg_frag_exit()     at the program's exits: stores the verdict and the
 *                      recorded counters (or counts them, complete);
 *   cg_frag_patch_hdr() the network header copy shows the reassembled
 *                      frag_off (DF kept, MF and offset cleared) and, when
 *                      the datagram is complete already, its length.
 * All of it is runtime-gated on the fragment bits, so unfragmented traffic
 * pays a few instructions at the point and per counter.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/frag.h"
#include "translator/codegen_int.h"

_Static_assert(sizeof(struct bnft_frag_key) == BNFT_FRAG_KEY_SIZE, "frag key layout");
_Static_assert(sizeof(struct bnft_frag_state) == BNFT_FRAG_STATE_SIZE, "frag state layout");

#define ST_OFF(f) ((int16_t)offsetof(struct bnft_frag_state, f))
#define CUR_ST ((int16_t)offsetof(struct bnft_frag_cur, st))
#define PF_DEFRAG_CB ((int32_t)BNFT_PF_DEFRAG << 16)
/* scratch words outside any rule: [4, 8) of the counter key slot holds
 * the byte count being added, [8, 12) a verdict */
#define SCR_BYTES (SCR_TMP + 4)
#define SCR_VERD SCR_KEY

static int add_map(struct cg *cg, const char *name, uint32_t type, uint32_t ks, uint32_t vs,
		   uint32_t max)
{
	struct bnft_prog_set *ps = cg->ps;
	struct bnft_map_spec *m = realloc(ps->maps, (ps->nmaps + 1) * sizeof(*m));

	if (!m)
		return -ENOMEM;
	ps->maps = m;
	m = &ps->maps[ps->nmaps];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->type = type;
	m->key_size = ks;
	m->value_size = vs;
	m->max_entries = max;
	return (int)ps->nmaps++;
}

int cg_frag_init(struct cg *cg)
{
	size_t i;
	int m;

	cg->frag_on = false;
	for (i = 0; i < cg->nchains; i++) {
		const struct cg_chain *c = &cg->chains[i];

		if (c->base && c->hooknum == NF_INET_LOCAL_IN &&
		    (c->family == NFPROTO_IPV4 || c->family == NFPROTO_INET))
			break;
	}
	if (i == cg->nchains)
		return 0;
	m = add_map(cg, "bnft_frag", BPF_MAP_TYPE_LRU_HASH, BNFT_FRAG_KEY_SIZE,
		    BNFT_FRAG_STATE_SIZE, BNFT_FRAG_ENTRIES);
	if (m < 0)
		return m;
	cg->frag_map = m;
	m = add_map(cg, "bnft_fragcur", BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct bnft_frag_cur),
		    1);
	if (m < 0)
		return m;
	cg->frag_cur_map = m;
	cg->frag_on = true;
	return 0;
}

/* R0 = the per-CPU scratch or jump to `fail`. Clobbers R1-R5. */
static void lookup_cur(struct cg *cg, uint32_t fail)
{
	struct emitter *e = cg->e;

	emit(e, I_ST(BPF_W, R_SCR, SCR_BYTES, 0));
	emit_ld_map(e, BPF_REG_1, cg->frag_cur_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_BYTES));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, fail);
}

/* One packet and [R_SCR + SCR_BYTES] bytes to each counter id recorded in
 * the bnft_frag_state at base + off (base: R7 or R8). */
static void add_datagram(struct cg *cg, uint8_t base, int16_t off)
{
	struct emitter *e = cg->e;
	uint32_t end = emit_label(e);
	int i;

	for (i = 0; i < BNFT_FRAG_MAX_CTRS; i++) {
		uint32_t next = emit_label(e);

		emit(e, I_LDX(BPF_B, BPF_REG_1, base, (int16_t)(off + ST_OFF(n))));
		emit_jmp_imm(e, BPF_JMP | BPF_JLE | BPF_K, BPF_REG_1, i, end);
		emit(e, I_LDX(BPF_W, BPF_REG_1, base, (int16_t)(off + ST_OFF(ids) + 4 * i)));
		emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_TMP));
		emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_COUNTERS);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
		emit_call_helper(e, BPF_FUNC_map_lookup_elem);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, next);
		emit(e, I_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
		emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_BYTES));
		emit(e, I_LDX(BPF_DW, BPF_REG_2, BPF_REG_0, 8));
		emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_1));
		emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_2, 8));
		emit_bind(e, next);
	}
	emit_bind(e, end);
}

static void test_defrag_flag(struct cg *cg, uint32_t notset)
{
	struct emitter *e = cg->e;

	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, PF_DEFRAG_CB));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, notset);
}

void cg_frag_patch_hdr(struct cg *cg)
{
	struct emitter *e = cg->e;
	uint32_t done = emit_label(e);

	if (!cg->frag_on)
		return;
	test_defrag_flag(cg, done);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH_LEN));
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 20, done);
	/* frag_off &= htons(IP_DF) on the copy (bytes in packet order) */
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 6));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0x0040));
	emit(e, I_STX(BPF_H, R_SCR, BPF_REG_1, SCR_NH + 6));
	lookup_cur(cg, done);
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_FRAG_F_COMPLETE));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, done);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(end)));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_STX(BPF_H, R_SCR, BPF_REG_1, SCR_NH + 2));
	emit_bind(e, done);
}

void cg_frag_counter(struct cg *cg, uint32_t done)
{
	struct emitter *e = cg->e;
	uint32_t normal = emit_label(e);

	if (!cg->frag_on || cg->egress)
		return;
	test_defrag_flag(cg, normal);
	lookup_cur(cg, normal);
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(n)));
	/* more counters than recorded: this one counts the fragment now */
	emit_jmp_imm(e, BPF_JMP | BPF_JGE | BPF_K, BPF_REG_1, BNFT_FRAG_MAX_CTRS, normal);
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_1));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, 1));
	emit(e, I_STX(BPF_B, BPF_REG_0, BPF_REG_2, CUR_ST + ST_OFF(n)));
	emit(e, I_ALU64_IMM(BPF_LSH, BPF_REG_1, 2));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_0, BPF_REG_1));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_TMP));
	emit(e, I_STX(BPF_W, BPF_REG_0, BPF_REG_1, CUR_ST + ST_OFF(ids)));
	emit_ja(e, done);
	emit_bind(e, normal);
}

void cg_frag_exit(struct cg *cg, uint32_t verdict)
{
	struct emitter *e = cg->e;
	uint32_t out = emit_label(e), keep = emit_label(e);
	int i;

	if (!cg->frag_on || !cg->frag_live || cg->egress)
		return;
	test_defrag_flag(cg, out);
	/* once per packet, whatever exit follows */
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, ~PF_DEFRAG_CB));
	emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, CB_OFF(BNFT_CB_INFO)));
	lookup_cur(cg, out);
	emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_0));
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, out);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit(e, I_ST(BPF_B, R_SAVE1, ST_OFF(verdict), (int32_t)verdict));
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SAVE2, CUR_ST + ST_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_FRAG_F_COMPLETE));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, keep);
	/* the first fragment completed the datagram: count it, free the
	 * queue */
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE2, CUR_ST + ST_OFF(end)));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_BYTES));
	add_datagram(cg, R_SAVE2, CUR_ST);
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_map_delete_elem);
	emit_ja(e, out);
	emit_bind(e, keep);
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SAVE2, CUR_ST + ST_OFF(n)));
	emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_1, ST_OFF(n)));
	for (i = 0; i < BNFT_FRAG_MAX_CTRS; i++) {
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE2, (int16_t)(CUR_ST + ST_OFF(ids) + 4 * i)));
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, (int16_t)(ST_OFF(ids) + 4 * i)));
	}
	emit_bind(e, out);
}

/* Flags byte of the state in R7: R0 = flags | bits, stored. */
static void set_flags(struct cg *cg, int32_t bits)
{
	struct emitter *e = cg->e;

	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_0, bits));
	emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_0, ST_OFF(flags)));
}

int cg_frag_point(struct cg *cg)
{
	struct emitter *e = cg->e;
	uint32_t normal = emit_label(e), have = emit_label(e), fresh = emit_label(e);
	uint32_t not_first = emit_label(e), add = emit_label(e), mf = emit_label(e);
	uint32_t setlast = emit_label(e), dead = emit_label(e), incomplete = emit_label(e);
	uint32_t first_complete = emit_label(e), first_go = emit_label(e);
	uint32_t first_set = emit_label(e), vexit = emit_label(e), vscr = emit_label(e);
	int16_t k;

	if (!cg->frag_on)
		return 0;
	cg->frag_live = true;
	/* IPv4, locally delivered, header valid, a fragment (MF or offset) */
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, 8));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xff));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, NFPROTO_IPV4, normal);
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, 24));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, BNFT_RC_LOCAL, normal);
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, BNFT_PF_L4 << 16));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, normal);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH_LEN));
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 20, normal);
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 6));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0x3fff));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, normal);

	/* R8 = per-CPU scratch; its key = this datagram's */
	lookup_cur(cg, normal);
	emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_0));
	emit(e, I_MOV64_IMM(BPF_REG_1, 0));
	for (k = 0; k < BNFT_FRAG_KEY_SIZE; k += 8)
		emit(e, I_STX(BPF_DW, R_SAVE2, BPF_REG_1, k));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH + 12));
	emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, offsetof(struct bnft_frag_key, saddr)));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH + 16));
	emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, offsetof(struct bnft_frag_key, daddr)));
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 4));
	emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, offsetof(struct bnft_frag_key, id)));
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, SCR_NH + 9));
	emit(e, I_STX(BPF_B, R_SAVE2, BPF_REG_1, offsetof(struct bnft_frag_key, proto)));
	emit(e, I_ST(BPF_B, R_SAVE2, offsetof(struct bnft_frag_key, family), 4));

	/* R7 = the datagram's state, created (or restarted when older than
	 * the kernel's ipfrag_time) as needed */
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, have);
	emit(e, I_MOV64_IMM(BPF_REG_1, 0));
	for (k = 0; k < BNFT_FRAG_STATE_SIZE; k += 8)
		emit(e, I_STX(BPF_DW, R_SAVE2, BPF_REG_1, (int16_t)(CUR_ST + k)));
	emit_call_helper(e, BPF_FUNC_ktime_get_ns);
	emit(e, I_STX(BPF_DW, R_SAVE2, BPF_REG_0, CUR_ST + ST_OFF(ts)));
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SAVE2));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, CUR_ST));
	emit(e, I_MOV64_IMM(BPF_REG_4, BPF_ANY));
	emit_call_helper(e, BPF_FUNC_map_update_elem);
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, normal);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit_ja(e, fresh);
	emit_bind(e, have);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	emit_call_helper(e, BPF_FUNC_ktime_get_ns);
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SAVE1, ST_OFF(ts)));
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_0));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_2, BPF_REG_1));
	emit_ld_imm64(e, BPF_REG_3, BNFT_FRAG_TIMEOUT_NS);
	emit_jmp_reg(e, BPF_JMP | BPF_JLE | BPF_X, BPF_REG_2, BPF_REG_3, fresh);
	emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_0, ST_OFF(ts)));
	emit(e, I_MOV64_IMM(BPF_REG_1, 0));
	for (k = ST_OFF(got); k < ST_OFF(ids); k += 8)
		emit(e, I_STX(BPF_DW, R_SAVE1, BPF_REG_1, k));
	emit_bind(e, fresh);

	/* R1 frag_off, R2 data offset, R3 header length, R4 data length,
	 * R5 data end of this fragment (no helper calls until they are
	 * used up) */
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 6));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_1));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0x1fff));
	emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_2, 3));
	emit(e, I_LDX(BPF_B, BPF_REG_3, R_SCR, SCR_NH));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_3, 0xf));
	emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_3, 2));
	emit(e, I_LDX(BPF_H, BPF_REG_4, R_SCR, SCR_NH + 2));
	emit(e, I_BE(BPF_REG_4, 16));
	emit(e, I_ALU32_REG(BPF_SUB, BPF_REG_4, BPF_REG_3));
	emit(e, I_MOV64_REG(BPF_REG_5, BPF_REG_2));
	emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_5, BPF_REG_4));
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(flags)));
	emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_0, BNFT_FRAG_F_DEAD, vexit);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, not_first);
	/* a second first fragment: a duplicate, which the kernel drops and
	 * forgets (inet_frag_queue_insert: IPFRAG_DUP) */
	emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_0, BNFT_FRAG_F_FIRST, vexit);
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_0, BNFT_FRAG_F_FIRST));
	emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_0, ST_OFF(flags)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_3, ST_OFF(hdrlen)));
	emit_ja(e, add);
	emit_bind(e, not_first);
	/* an exact duplicate of a later fragment seen before: ignored */
	emit(e, I_MOV64_REG(BPF_REG_0, BPF_REG_2));
	emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_0, 16));
	emit(e, I_ALU32_REG(BPF_OR, BPF_REG_0, BPF_REG_4));
	for (k = 0; k < BNFT_FRAG_SEEN; k++) {
		emit(e, I_LDX(BPF_W, BPF_REG_3, R_SAVE1, (int16_t)(ST_OFF(seen) + 4 * k)));
		emit_jmp_reg(e, BPF_JMP | BPF_JEQ | BPF_X, BPF_REG_3, BPF_REG_0, vexit);
	}
	for (k = 0; k < BNFT_FRAG_SEEN; k++) {
		uint32_t used = emit_label(e);

		emit(e, I_LDX(BPF_W, BPF_REG_3, R_SAVE1, (int16_t)(ST_OFF(seen) + 4 * k)));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, used);
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_0, (int16_t)(ST_OFF(seen) + 4 * k)));
		emit_ja(e, add);
		emit_bind(e, used);
	}
	emit_bind(e, add);
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_SAVE1, ST_OFF(got)));
	emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_0, BPF_REG_4));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_0, ST_OFF(got)));
	emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_1, 0x2000, mf);
	/* the last fragment: a second one with another end kills the queue */
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(flags)));
	emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_0, BNFT_FRAG_F_LAST, setlast);
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_0, BNFT_FRAG_F_LAST));
	emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_0, ST_OFF(flags)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_5, ST_OFF(end)));
	emit_ja(e, mf);
	emit_bind(e, setlast);
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_SAVE1, ST_OFF(end)));
	emit_jmp_reg(e, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_0, BPF_REG_5, dead);
	emit_bind(e, mf);
	/* complete: first and last in, got == end; got > end: overlap */
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(flags)));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_FRAG_F_LAST));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, incomplete);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, ST_OFF(got)));
	emit(e, I_LDX(BPF_W, BPF_REG_4, R_SAVE1, ST_OFF(end)));
	emit_jmp_reg(e, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_1, BPF_REG_4, dead);
	emit_jmp_reg(e, BPF_JMP | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_4, incomplete);
	{
		uint32_t complete = emit_label(e);

		emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_0, BNFT_FRAG_F_FIRST, complete);
		emit_ja(e, incomplete);
		emit_bind(e, complete);
	}
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, first_complete);
	/* a later fragment completes it: count the datagram into the first
	 * fragment's counters, free the state, take its verdict */
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(verdict)));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_0, SCR_VERD));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, ST_OFF(hdrlen)));
	emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_1, BPF_REG_4));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_BYTES));
	add_datagram(cg, R_SAVE1, 0);
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_map_delete_elem);
	emit_ja(e, vscr);

	emit_bind(e, dead);
	set_flags(cg, BNFT_FRAG_F_DEAD);
	emit_ja(e, vexit);

	emit_bind(e, incomplete);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, vexit);
	emit(e, I_ST(BPF_B, R_SAVE2, CUR_ST + ST_OFF(flags), 0));
	emit_ja(e, first_set);
	emit_bind(e, first_complete);
	emit(e, I_ST(BPF_B, R_SAVE2, CUR_ST + ST_OFF(flags), BNFT_FRAG_F_COMPLETE));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, ST_OFF(hdrlen)));
	emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_1, BPF_REG_4));
	emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, CUR_ST + ST_OFF(end)));
	emit_bind(e, first_set);
	/* the first fragment stands for the datagram in the input chains */
	emit(e, I_ST(BPF_B, R_SAVE2, CUR_ST + ST_OFF(n), 0));
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_0, PF_DEFRAG_CB));
	emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, CB_OFF(BNFT_CB_INFO)));
	cg_frag_patch_hdr(cg);
	emit_ja(e, first_go);

	/* not judged here: the verdict stored by the first fragment (none
	 * yet: pass, the stack's reassembly holds it) */
	emit_bind(e, vexit);
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(verdict)));
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_0, SCR_VERD));
	emit_bind(e, vscr);
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_SCR, SCR_VERD));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, BNFT_FRAG_V_DROP, cg->lbl_drop);
	cg_accept_exit(cg);
	emit_bind(e, first_go);
	emit_bind(e, normal);
	return e->err;
}
