// SPDX-License-Identifier: GPL-2.0
/*
 * Reassembly emulation (bpf/lib/frag.h has the model and the map layouts).
 * Where the kernel's chains see a fragmented datagram reassembled, bnft at
 * TC sees its fragments. Two places, as in the kernel:
 *   - IPv4 input chains: ip_local_deliver() reassembles before LOCAL_IN
 *     (always); the "input point" stands before the first input chain and
 *     takes IPv4 fragments routed to this host;
 *   - with conntrack in the ruleset (a ct expression), nf_defrag_ipv4/6
 *     reassemble at PRE_ROUTING priority -400 (NF_IP_PRI_CONNTRACK_DEFRAG),
 *     so every chain after it sees datagrams (for the families of the
 *     tables with ct: ip, ip6, or both for inet/netdev); the "early point"
 *     stands before the first prerouting chain of priority > -400 (or the
 *     first input/forward chain) and takes fragments of those families.
 *     IPv6 reassembles nowhere else before a hook (the fragment header is
 *     an upper-layer handler, after LOCAL_IN).
 * Code emitted here:
 *   cg_frag_before_chain() the points: per-datagram state, later fragments
 *                      take the stored verdict, the first one goes on;
 *   cg_frag_counter()  in every counter: a first fragment under judgement
 *                      records the counter instead of counting;
 *   cg_frag_exit()     at the program's exits: stores the verdict and the
 *                      recorded counters (or counts them, complete);
 *   cg_frag_patch_hdr() the network header copy shows what the reassembled
 *                      datagram has: IPv4 frag_off (DF kept, MF and offset
 *                      cleared), IPv6 next header without the fragment
 *                      header (when it follows the fixed header), and the
 *                      length when the datagram is complete already.
 * All of it is runtime-gated on the fragment bits, so unfragmented traffic
 * pays a few instructions at a point and per counter.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/pkt_cls.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/frag.h"
#include "translator/codegen_int.h"

_Static_assert(sizeof(struct bnft_frag_key) == BNFT_FRAG_KEY_SIZE, "frag key layout");
_Static_assert(sizeof(struct bnft_frag_state) == BNFT_FRAG_STATE_SIZE, "frag state layout");

#define ST_OFF(f) ((int16_t)offsetof(struct bnft_frag_state, f))
#define CUR_ST ((int16_t)offsetof(struct bnft_frag_cur, st))
#define PF_DEFRAG_CB ((int32_t)BNFT_PF_DEFRAG << 16)
/* scratch words outside any rule: [4, 8) of the counter key slot holds
 * the byte count being added, [8, 12) a verdict; at a point [16, 24) the
 * IPv6 fragment header, [24, 28) its offset from the network header,
 * [28, 32) the extension header type being walked */
#define SCR_BYTES (SCR_TMP + 4)
#define SCR_VERD SCR_KEY
#define SCR_FH (SCR_KEY + 8)
#define SCR_FHOFF (SCR_KEY + 16)
#define SCR_XTYPE (SCR_KEY + 20)
/* NF_IP_PRI_CONNTRACK_DEFRAG / NF_IP6_PRI_CONNTRACK_DEFRAG */
#define PRI_DEFRAG (-400)
/* extension headers walked to find the fragment header */
#define FRAG_EXT_WALK 4

#define PT_EARLY 0x1
#define PT_INPUT 0x2
#define PT_EGRESS 0x4
#define PT_COMMIT 0x8
#define PF_FRAGSKIP_CB ((int32_t)BNFT_PF_FRAGSKIP << 16)

/* nf_ct_netns_get() of a table with a ct expression turns nf_defrag on
 * for its family: bit 0 IPv4, bit 1 IPv6 (inet and netdev: both). */
static uint8_t defrag_families(struct cg *cg)
{
	uint8_t fams = 0;
	size_t i, r;

	for (i = 0; i < cg->nchains; i++) {
		const struct cg_chain *c = &cg->chains[i];
		uint8_t f = c->family == NFPROTO_IPV4 ? 1 : c->family == NFPROTO_IPV6 ? 2 : 3;

		for (r = 0; r < c->nrules && (fams & f) != f; r++)
			if (c->ix[r].flags & BNFT_RF_CT)
				fams |= f;
	}
	return fams;
}

int cg_frag_init(struct cg *cg)
{
	size_t i;
	int m;

	cg->frag_on = false;
	cg->frag_input = false;
	cg->frag_egress = false;
	cg->frag_ct = defrag_families(cg);
	if (!(cg->frag_ct & 1))
		for (i = 0; i < cg->nchains; i++) {
			const struct cg_chain *c = &cg->chains[i];

			if (c->base && c->hooknum == NF_INET_LOCAL_IN &&
			    (c->family == NFPROTO_IPV4 || c->family == NFPROTO_INET))
				cg->frag_input = true;
		}
	for (i = 0; i < cg->nchains; i++) {
		const struct cg_chain *c = &cg->chains[i];

		if (c->base && (c->hooknum == NF_INET_LOCAL_OUT || c->hooknum == NF_INET_POST_ROUTING) &&
		    c->family != NFPROTO_NETDEV)
			cg->frag_egress = true;
	}
	if (!cg->frag_ct && !cg->frag_input && !cg->frag_egress)
		return 0;
	m = cg_map_add(cg, "bnft_frag", BPF_MAP_TYPE_LRU_HASH, BNFT_FRAG_KEY_SIZE,
		       BNFT_FRAG_STATE_SIZE, BNFT_FRAG_ENTRIES);
	if (m < 0)
		return m;
	cg->frag_map = m;
	m = cg_map_add(cg, "bnft_fragcur", BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		       sizeof(struct bnft_frag_cur), 1);
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
	uint32_t done = emit_label(e), v6 = emit_label(e), len6 = emit_label(e);

	if (!cg->frag_on)
		return;
	test_defrag_flag(cg, done);
	lookup_cur(cg, done);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH_LEN));
	emit(e, I_LDX(BPF_B, BPF_REG_2, BPF_REG_0, offsetof(struct bnft_frag_key, family)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0x7f));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 6, v6);
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 20, done);
	/* frag_off &= htons(IP_DF) on the copy (bytes in packet order) */
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 6));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0x0040));
	emit(e, I_STX(BPF_H, R_SCR, BPF_REG_1, SCR_NH + 6));
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_FRAG_F_COMPLETE));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, done);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(end)));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_STX(BPF_H, R_SCR, BPF_REG_1, SCR_NH + 2));
	emit_ja(e, done);
	/* IPv6: the fragment header is gone from the reassembled datagram
	 * (nf_ct_frag6_reasm): the next header of the fixed header is its */
	emit_bind(e, v6);
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 40, done);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(hdrlen)));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 40, len6);
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(nh)));
	emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, SCR_NH + 6));
	emit_bind(e, len6);
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_FRAG_F_COMPLETE));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, done);
	emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, CUR_ST + ST_OFF(end)));
	emit(e, I_ALU32_IMM(BPF_SUB, BPF_REG_1, 40));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_STX(BPF_H, R_SCR, BPF_REG_1, SCR_NH + 4));
	emit_bind(e, done);
}

void cg_frag_counter(struct cg *cg, uint32_t done)
{
	struct emitter *e = cg->e;
	uint32_t normal = emit_label(e);

	if (!cg->frag_on)
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

/* A fragment dropped at egress is consumed (TC_ACT_STOLEN), not shot:
 * ip_fragment() stops sending the rest of a datagram when the driver
 * returns an error, and the kernel counted the whole datagram in its
 * output/postrouting chains before fragmenting it, so bnft needs the
 * later fragments to count their bytes. */
static void emit_stolen(struct cg *cg)
{
	emit(cg->e, I_MOV64_IMM(BPF_REG_0, TC_ACT_STOLEN));
	emit_exit(cg->e);
}

void cg_frag_exit(struct cg *cg, uint32_t verdict)
{
	struct emitter *e = cg->e;
	uint32_t out = emit_label(e), keep = emit_label(e);
	bool stolen = cg->egress && verdict == BNFT_FRAG_V_DROP;
	uint32_t done = stolen ? emit_label(e) : out;
	int i;

	if (!cg->frag_on || !cg->frag_live)
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
	emit_ja(e, done);
	emit_bind(e, keep);
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SAVE2, CUR_ST + ST_OFF(n)));
	emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_1, ST_OFF(n)));
	for (i = 0; i < BNFT_FRAG_MAX_CTRS; i++) {
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE2, (int16_t)(CUR_ST + ST_OFF(ids) + 4 * i)));
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_1, (int16_t)(ST_OFF(ids) + 4 * i)));
	}
	if (stolen) {
		emit_bind(e, done);
		emit_stolen(cg);
	}
	emit_bind(e, out);
}

/* IPv6: the fragment header's offset from the network header to
 * SCR_FHOFF and the header itself to SCR_FH (extension headers before it
 * walked), or jump to `none`. R1 holds the fixed header's next header. */
static void find_frag6(struct cg *cg, uint32_t found, uint32_t none)
{
	struct emitter *e = cg->e;
	int k;

	emit(e, I_MOV64_IMM(BPF_REG_2, 40));
	for (k = 0; k < FRAG_EXT_WALK; k++) {
		uint32_t ext = emit_label(e), ah = emit_label(e), len = emit_label(e);

		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, IPPROTO_FRAGMENT, found);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, IPPROTO_HOPOPTS, ext);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, IPPROTO_ROUTING, ext);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, IPPROTO_DSTOPTS, ext);
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, IPPROTO_AH, none);
		emit_bind(e, ext);
		emit(e, I_STX(BPF_W, R_SCR, BPF_REG_2, SCR_FHOFF));
		emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, SCR_XTYPE));
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xffff));
		emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_2, BPF_REG_1));
		emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
		emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, SCR_FH));
		emit(e, I_MOV64_IMM(BPF_REG_4, 2));
		emit_call_helper(e, BPF_FUNC_skb_load_bytes);
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, none);
		emit(e, I_LDX(BPF_B, BPF_REG_3, R_SCR, SCR_FH + 1));
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_XTYPE));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, IPPROTO_AH, ah);
		emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_3, 1));
		emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_3, 3));
		emit_ja(e, len);
		emit_bind(e, ah);
		emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_3, 2));
		emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_3, 2));
		emit_bind(e, len);
		emit(e, I_LDX(BPF_W, BPF_REG_2, R_SCR, SCR_FHOFF));
		emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_2, BPF_REG_3));
		emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, SCR_FH));
	}
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, IPPROTO_FRAGMENT, found);
	emit_ja(e, none);
}

/* Later fragments at egress go on without the output and postrouting
 * chains (cg_frag_gate), to the netdev egress chains, which see every
 * fragment. */
static void skip_chains(struct cg *cg, uint32_t go)
{
	struct emitter *e = cg->e;

	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_0, PF_FRAGSKIP_CB));
	emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, CB_OFF(BNFT_CB_INFO)));
	emit_ja(e, go);
}

void cg_frag_gate(struct cg *cg, uint32_t skip)
{
	struct emitter *e = cg->e;

	if (!(cg->frag_pts & PT_EGRESS))
		return;
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, PF_FRAGSKIP_CB));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, skip);
}

static int emit_point(struct cg *cg, int kind)
{
	bool early = kind == PT_EARLY, egress = kind == PT_EGRESS;
	struct emitter *e = cg->e;
	uint32_t normal = emit_label(e), have = emit_label(e), fresh = emit_label(e);
	uint32_t not_first = emit_label(e), add = emit_label(e), mf = emit_label(e);
	uint32_t setlast = emit_label(e), dead = emit_label(e), incomplete = emit_label(e);
	uint32_t first_complete = emit_label(e), first_go = emit_label(e);
	uint32_t first_set = emit_label(e), vexit = emit_label(e), vscr = emit_label(e);
	uint32_t v4 = emit_label(e), v6 = emit_label(e), found6 = emit_label(e);
	uint32_t state = emit_label(e), c6 = emit_label(e), computed = emit_label(e);
	int16_t k;

	cg->frag_live = true;
	/* a valid header (transport info found), a family this point takes */
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_PF_L4 << 16));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, normal);
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, 8));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xff));
	if (early) {
		if (cg->frag_ct & 1)
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, NFPROTO_IPV4, v4);
		if (cg->frag_ct & 2)
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, NFPROTO_IPV6, v6);
		emit_ja(e, normal);
	} else if (egress) {
		/* fragmented by this host's stack after postrouting (locally
		 * generated); with nf_defrag forwarded ones too, which the
		 * kernel reassembles before its chains */
		uint32_t v4l = emit_label(e), v6l = emit_label(e);

		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(ingress_ifindex)));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, NFPROTO_IPV4, v4l);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, NFPROTO_IPV6, v6l);
		emit_ja(e, normal);
		emit_bind(e, v4l);
		if (!(cg->frag_ct & 1))
			emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, normal);
		emit_ja(e, v4);
		emit_bind(e, v6l);
		if (!(cg->frag_ct & 2))
			emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, normal);
		emit_ja(e, v6);
	} else {
		/* IPv4 routed to this host */
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, NFPROTO_IPV4, normal);
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 24));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, BNFT_RC_LOCAL, normal);
	}

	/* IPv4: a fragment has MF or an offset; R8 = per-CPU scratch, its
	 * key = this datagram's (ip_defrag: saddr, daddr, id, protocol) */
	emit_bind(e, v4);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH_LEN));
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 20, normal);
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 6));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0x3fff));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, normal);
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
	/* egress datagrams apart from received ones of the same key */
	emit(e, I_ST(BPF_B, R_SAVE2, offsetof(struct bnft_frag_key, family), egress ? 0x84 : 4));
	emit_ja(e, state);

	/* IPv6: a fragment header with an offset or M (an atomic fragment is
	 * not queued); key (nf_ct_frag6_gather): saddr, daddr, id */
	emit_bind(e, v6);
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_NH_LEN));
	emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_1, 40, normal);
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, SCR_NH + 6));
	find_frag6(cg, found6, normal);
	emit_bind(e, found6);
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_2, SCR_FHOFF));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xffff));
	emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_2, BPF_REG_1));
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, SCR_FH));
	emit(e, I_MOV64_IMM(BPF_REG_4, 8));
	emit_call_helper(e, BPF_FUNC_skb_load_bytes);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, normal);
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_FH + 2));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xfff9));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, normal);
	/* the fragment's data must lie inside the payload length */
	emit(e, I_LDX(BPF_H, BPF_REG_1, R_SCR, SCR_NH + 4));
	emit(e, I_BE(BPF_REG_1, 16));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, 40));
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_SCR, SCR_FHOFF));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_2, 8));
	emit_jmp_reg(e, BPF_JMP | BPF_JLT | BPF_X, BPF_REG_1, BPF_REG_2, normal);
	lookup_cur(cg, normal);
	emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_0));
	for (k = 0; k < 32; k += 4) {
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, (int16_t)(SCR_NH + 8 + k)));
		emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, k));
	}
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SCR, SCR_FH + 4));
	emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, offsetof(struct bnft_frag_key, id)));
	emit(e, I_ST(BPF_W, R_SAVE2, offsetof(struct bnft_frag_key, proto), (egress ? 0x86 : 6) << 8));

	emit_bind(e, state);
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

	/* R1 MF (0x2000), R2 data offset, R3 header length (IPv6: the
	 * unfragmentable part, the fixed header included), R4 data length,
	 * R5 data end of this fragment (no helper calls until they are used
	 * up) */
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE2, offsetof(struct bnft_frag_key, family)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0x7f));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 6, c6);
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
	emit_ja(e, computed);
	emit_bind(e, c6);
	emit(e, I_LDX(BPF_H, BPF_REG_2, R_SCR, SCR_FH + 2));
	emit(e, I_BE(BPF_REG_2, 16));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_2));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 1));
	emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_1, 13));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xfff8));
	emit(e, I_LDX(BPF_W, BPF_REG_3, R_SCR, SCR_FHOFF));
	emit(e, I_LDX(BPF_H, BPF_REG_4, R_SCR, SCR_NH + 4));
	emit(e, I_BE(BPF_REG_4, 16));
	emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_4, 40 - 8));
	emit(e, I_ALU32_REG(BPF_SUB, BPF_REG_4, BPF_REG_3));
	emit_bind(e, computed);
	emit(e, I_MOV64_REG(BPF_REG_5, BPF_REG_2));
	emit(e, I_ALU32_REG(BPF_ADD, BPF_REG_5, BPF_REG_4));
	emit(e, I_LDX(BPF_B, BPF_REG_0, R_SAVE1, ST_OFF(flags)));
	emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_0, BNFT_FRAG_F_DEAD, vexit);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, not_first);
	/* a second first fragment: a duplicate, which the kernel drops and
	 * forgets (inet_frag_queue_insert: IPFRAG_DUP) */
	emit_jmp_imm(e, BPF_JMP | BPF_JSET | BPF_K, BPF_REG_0, BNFT_FRAG_F_FIRST, cg->lbl_drop);
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_0, BNFT_FRAG_F_FIRST));
	emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_0, ST_OFF(flags)));
	emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_3, ST_OFF(hdrlen)));
	emit_ja(e, add);
	emit_bind(e, not_first);
	/* an exact duplicate of a later fragment seen before: dropped */
	emit(e, I_MOV64_REG(BPF_REG_0, BPF_REG_2));
	emit(e, I_ALU32_IMM(BPF_LSH, BPF_REG_0, 16));
	emit(e, I_ALU32_REG(BPF_OR, BPF_REG_0, BPF_REG_4));
	for (k = 0; k < BNFT_FRAG_SEEN; k++) {
		emit(e, I_LDX(BPF_W, BPF_REG_3, R_SAVE1, (int16_t)(ST_OFF(seen) + 4 * k)));
		emit_jmp_reg(e, BPF_JMP | BPF_JEQ | BPF_X, BPF_REG_3, BPF_REG_0, cg->lbl_drop);
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

	/* overlap: the kernel discards the queue (this fragment too, but it
	 * passes, so that the stack's own queue of the datagram goes the
	 * same way); fragments after it start a new one */
	emit_bind(e, dead);
	emit_ld_map(e, BPF_REG_1, cg->frag_map);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_map_delete_elem);
	if (egress)
		skip_chains(cg, normal);
	else
		cg_accept_exit(cg);

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
	/* the first fragment stands for the datagram in the chains */
	emit(e, I_ST(BPF_B, R_SAVE2, CUR_ST + ST_OFF(n), 0));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_SAVE1, ST_OFF(hdrlen)));
	emit(e, I_STX(BPF_W, R_SAVE2, BPF_REG_1, CUR_ST + ST_OFF(hdrlen)));
	emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, SCR_FH));
	emit(e, I_STX(BPF_B, R_SAVE2, BPF_REG_1, CUR_ST + ST_OFF(nh)));
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
	if (egress) {
		uint32_t pass = emit_label(e);

		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, BNFT_FRAG_V_DROP, pass);
		emit_stolen(cg);
		emit_bind(e, pass);
	} else {
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, BNFT_FRAG_V_DROP,
			     cg->lbl_drop);
	}
	if (egress)
		skip_chains(cg, normal);
	else
		cg_accept_exit(cg);
	emit_bind(e, first_go);
	emit_bind(e, normal);
	return e->err;
}

int cg_frag_before_chain(struct cg *cg, const struct cg_chain *c)
{
	bool early, input, egress;
	int err = 0;

	if (!cg->frag_on)
		return 0;
	if (c->family == NFPROTO_NETDEV || (c->family == NFPROTO_INET && c->hooknum == NF_INET_INGRESS)) {
		/* netdev egress chains see fragments: the first one's
		 * judgement by output/postrouting ends before them */
		if (cg->egress && (cg->frag_pts & PT_EGRESS) && !(cg->frag_pts & PT_COMMIT)) {
			cg->frag_pts |= PT_COMMIT;
			cg_frag_exit(cg, BNFT_FRAG_V_ACCEPT);
		}
		return cg->e->err;
	}
	if (cg->egress) {
		egress = cg->frag_egress &&
			 (c->hooknum == NF_INET_LOCAL_OUT || c->hooknum == NF_INET_POST_ROUTING);
		if (egress && !(cg->frag_pts & PT_EGRESS)) {
			cg->frag_pts |= PT_EGRESS;
			err = emit_point(cg, PT_EGRESS);
		}
		return err;
	}
	early = cg->frag_ct && ((c->hooknum == NF_INET_PRE_ROUTING && c->prio > PRI_DEFRAG) ||
				c->hooknum == NF_INET_LOCAL_IN || c->hooknum == NF_INET_FORWARD);
	input = cg->frag_input && c->hooknum == NF_INET_LOCAL_IN;
	if (early && !(cg->frag_pts & PT_EARLY)) {
		cg->frag_pts |= PT_EARLY;
		err = emit_point(cg, PT_EARLY);
	}
	if (!err && input && !(cg->frag_pts & PT_INPUT)) {
		cg->frag_pts |= PT_INPUT;
		err = emit_point(cg, PT_INPUT);
	}
	return err;
}

/*
 * Later fragments and the kernel's fast payload path: nft_do_chain() runs a
 * payload load of 1, 2 or 4 bytes at an offset aligned to its length
 * through nft_payload_fast_eval(), which checks only that a transport
 * protocol is set (NFT_PKTINFO_L4PROTO), not pkt->fragoff, and reads from
 * skb->data + thoff when the bytes are in the linear area (else the slow
 * path breaks, as for other loads). On a later fragment thoff is:
 *   IPv4: network header + ihl * 4, i.e. the fragment's data;
 *   IPv6: 0, ipv6_find_hdr() returns before setting it, i.e. the fixed
 *         header (udp dport reads the flow label), always linear there
 *         after ipv6_rcv(); in netdev ingress chains only when linear (no
 *         pull yet), in netdev egress ones the MAC header (skb->data).
 * Emitted before the load's normal code; returns the label that code must
 * bind at its end (0: nothing emitted).
 */
uint32_t cg_frag_th_quirk(struct cg *cg, uint32_t off, uint32_t len, int doff)
{
	struct emitter *e = cg->e;
	bool netdev = cg->cur_chain && (cg->cur_chain->family == NFPROTO_NETDEV ||
					(cg->cur_chain->family == NFPROTO_INET &&
					 cg->cur_chain->base && cg->cur_chain->hooknum == NF_INET_INGRESS));
	uint32_t done, normal, v4, lin, load;

	if ((len != 1 && len != 2 && len != 4) || off % len || off > 0xff00)
		return 0;
	done = emit_label(e);
	normal = emit_label(e);
	v4 = emit_label(e);
	lin = emit_label(e);
	load = emit_label(e);
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, 16));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_PF_L4 | BNFT_PF_FRAG));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, BNFT_PF_L4 | BNFT_PF_FRAG, normal);
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 8));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xff));
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, NFPROTO_IPV4, v4);
	if (netdev && cg->egress) {
		/* nf_hook_egress: skb->data is the MAC header */
		emit(e, I_MOV64_IMM(BPF_REG_2, (int32_t)off));
		emit_ja(e, lin);
	} else {
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
		if (off)
			emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_2, (int32_t)off));
		/* netdev ingress: no header pulled yet, linear or not */
		emit_ja(e, off + len <= 40 && !netdev ? load : lin);
	}
	emit_bind(e, v4);
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_2, 16));
	if (off)
		emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_2, (int32_t)off));
	/* linear in the kernel: the data area at TC holds the bytes */
	emit_bind(e, lin);
	emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_2, 0x7fff, cg->lbl_rule_fail);
	emit(e, I_LDX(BPF_W, BPF_REG_3, R_CTX, SKB_OFF(data)));
	emit(e, I_LDX(BPF_W, BPF_REG_4, R_CTX, SKB_OFF(data_end)));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_3, BPF_REG_2));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, (int32_t)len));
	emit_jmp_reg(e, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_3, BPF_REG_4, cg->lbl_rule_fail);
	emit_bind(e, load);
	emit(e, I_ST(BPF_W, R_SCR, (int16_t)(doff & ~3), 0));
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, doff));
	emit(e, I_MOV64_IMM(BPF_REG_4, (int32_t)len));
	emit_call_helper(e, BPF_FUNC_skb_load_bytes);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	emit_ja(e, done);
	emit_bind(e, normal);
	return done;
}
