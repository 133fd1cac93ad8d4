// SPDX-License-Identifier: GPL-2.0
/*
 * One emitter per nf_tables expression kind, dispatched from one switch in
 * cg_expr(); unknown kinds are refused by name. Register data follows the
 * kernel byte for byte: payload bytes in packet order, host-order integers
 * for meta keys, and the last partial 32-bit word of a store zeroed (what
 * nft_payload_eval / nft_reg_store8/16 do), so concatenated keys and
 * cross-width compares see what the kernel sees.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/ct_abi.h"
#include "bpf/lib/frag.h"
#include "bpf/lib/limit.h"

/* From bpf/lib/reject.h, which is BPF C only: the reject types are nftnl's
 * NFTNL_EXPR_REJECT_TYPE values. */
#define BNFT_REJECT_ICMPX_UNREACH 2
#define BNFT_REJECT_F_NETDEV 0x1
#define BNFT_REJECT_F_PRE 0x4
#define BNFT_REJECT_F_FWD 0x8
#include "translator/codegen_int.h"
#include "translator/codegen_connlimit.h"
#include "translator/codegen_stmt.h"

int cg_reg_off(struct cg *cg, uint32_t reg, uint32_t len)
{
	uint32_t w;

	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		w = reg * 4;
	else if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		w = reg - NFT_REG32_00 + 4;
	else
		return cg_fail(cg, -EINVAL, "invalid register %u", reg);
	if (len == 0 || w * 4 + len > REG_WORD_END * 4)
		return cg_fail(cg, -EINVAL, "register %u cannot hold %u bytes", reg, len);
	return SCR_REGS + (int)w * 4;
}

/* Largest access width at which both offsets are aligned and fit in rem. */
static unsigned int chunk(int a, int b, unsigned int rem)
{
	unsigned int s;

	for (s = 8; s > 1; s >>= 1)
		if (rem >= s && a % (int)s == 0 && b % (int)s == 0)
			return s;
	return 1;
}

static uint64_t le_val(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	memcpy(&v, p, n); /* host order, as a load from memory gives it */
	return v;
}

static uint64_t be_val(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Compare R0 (width sz, already loaded) with v; jump to label on `op`. */
static void jmp_const(struct emitter *e, uint8_t op, unsigned int sz, uint64_t v, uint32_t label)
{
	if (sz == 8) {
		emit_ld_imm64(e, BPF_REG_1, v);
		emit_jmp_reg(e, BPF_JMP | op, BPF_REG_0, BPF_REG_1, label);
	} else if (sz == 4) {
		emit_jmp_imm(e, BPF_JMP32 | op | BPF_K, BPF_REG_0, (int32_t)(uint32_t)v, label);
	} else {
		emit_jmp_imm(e, BPF_JMP | op | BPF_K, BPF_REG_0, (int32_t)v, label);
	}
}

/* memcmp(reg, data, len) == 0 (or != 0 when neq); else jump to fail. */
static void emit_eq(struct cg *cg, int off, const uint8_t *data, unsigned int len, bool neq,
		    uint32_t fail)
{
	struct emitter *e = cg->e;
	uint32_t match = neq ? emit_label(e) : 0;
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		sz = chunk(off + (int)i, off + (int)i, len - i);
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_0, R_SCR, (int16_t)(off + (int)i)));
		jmp_const(e, BPF_JNE, sz, le_val(data + i, sz), neq ? match : fail);
	}
	if (neq) {
		emit_ja(e, fail);
		emit_bind(e, match);
	}
}

/* memcmp(reg, data, len) <0 / ==0 / >0 -> jump to lt / eq / gt. */
static void emit_bcmp(struct cg *cg, int off, const uint8_t *data, unsigned int len, uint32_t lt,
		      uint32_t eq, uint32_t gt)
{
	struct emitter *e = cg->e;
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		sz = chunk(off + (int)i, off + (int)i, len - i);
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_0, R_SCR, (int16_t)(off + (int)i)));
		if (sz > 1)
			emit(e, I_BE(BPF_REG_0, (int32_t)sz * 8));
		jmp_const(e, BPF_JLT, sz, be_val(data + i, sz), lt);
		jmp_const(e, BPF_JGT, sz, be_val(data + i, sz), gt);
	}
	emit_ja(e, eq);
}

/* Zero the partial last word of a len-byte store at off (kernel does). */
static void emit_zero_tail(struct cg *cg, int off, unsigned int len)
{
	if (len % 4)
		emit(cg->e, I_ST(BPF_W, R_SCR, (int16_t)(off + (int)(len / 4) * 4), 0));
}

/* Copy len bytes from [src + soff] to scratch [R9 + doff]; clobbers R1. */
static void emit_copy(struct cg *cg, uint8_t src, int soff, int doff, unsigned int len)
{
	struct emitter *e = cg->e;
	unsigned int i, sz;

	for (i = 0; i < len; i += sz) {
		sz = chunk(soff + (int)i, doff + (int)i, len - i);
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_1, src, (int16_t)(soff + (int)i)));
		emit(e, I_STX(bpf_size_of(sz), R_SCR, BPF_REG_1, (int16_t)(doff + (int)i)));
	}
}

static const uint8_t *expr_data(struct cg *cg, struct nftnl_expr *ex, uint16_t attr,
				uint32_t *len)
{
	const void *p;

	*len = 0;
	if (!nftnl_expr_is_set(ex, attr))
		return NULL;
	p = nftnl_expr_get(ex, attr, len);
	return p;
}

/* skb->len as the kernel's hooks see it: from the network header, except
 * at netdev egress (nf_hook_egress runs with the MAC header in place). */
static bool netdev_egress(const struct cg *cg)
{
	return cg->egress && cg->cur_chain->family == NFPROTO_NETDEV;
}

/* ---- payload -------------------------------------------------------- */

static int cg_payload(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t base, off, len, dreg, qdone = 0;
	int doff;

	if (nftnl_expr_is_set(ex, NFTNL_EXPR_PAYLOAD_SREG))
		return cg_payload_set(cg, ex); /* codegen_mangle.c */
	base = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_BASE);
	off = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_OFFSET);
	len = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_LEN);
	dreg = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_DREG);
	doff = cg_reg_off(cg, dreg, len);
	if (doff < 0)
		return doff;
	if (off > 0xffff)
		return cg_fail(cg, -EOPNOTSUPP, "payload offset %u too large", off);
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER)
		qdone = cg_frag_th_quirk(cg, off, len, doff); /* codegen_frag.c */
	if ((base == NFT_PAYLOAD_NETWORK_HEADER && off + len <= SCR_NH_MAX) ||
	    (base == NFT_PAYLOAD_TRANSPORT_HEADER && off + len <= SCR_TH_MAX)) {
		bool th = base == NFT_PAYLOAD_TRANSPORT_HEADER;

		/* From the header cache: the cache holds min(cache size,
		 * bytes to the end of the packet), so a load the kernel
		 * would fail (beyond the packet) fails here too. */
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_SCR, th ? SCR_TH_LEN : SCR_NH_LEN));
		emit_jmp_imm(e, BPF_JMP | BPF_JLT | BPF_K, BPF_REG_0, (int32_t)(off + len),
			     cg->lbl_rule_fail);
		emit_zero_tail(cg, doff, len);
		emit_copy(cg, R_SCR, (th ? SCR_TH : SCR_NH) + (int)off, doff, len);
		if (qdone)
			emit_bind(e, qdone);
		return 0;
	}
	switch (base) {
	case NFT_PAYLOAD_LL_HEADER:
		/* No MAC header (tun-like device): the kernel breaks. */
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xffff));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
		emit(e, I_MOV64_IMM(BPF_REG_2, (int32_t)off));
		break;
	case NFT_PAYLOAD_NETWORK_HEADER:
		emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
		if (off)
			emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_2, (int32_t)off));
		break;
	case NFT_PAYLOAD_TRANSPORT_HEADER:
		/* No transport header or a later fragment: the kernel breaks. */
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 16));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, BNFT_PF_L4 | BNFT_PF_FRAG));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, BNFT_PF_L4,
			     cg->lbl_rule_fail);
		emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_2, 16));
		if (off)
			emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_2, (int32_t)off));
		break;
	default:
		return cg_fail(cg, -EOPNOTSUPP, "payload base %u is not supported", base);
	}
	emit_zero_tail(cg, doff, len);
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, doff));
	emit(e, I_MOV64_IMM(BPF_REG_4, (int32_t)len));
	emit_call_helper(e, BPF_FUNC_skb_load_bytes);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	if (qdone)
		emit_bind(e, qdone);
	return 0;
}

/* ---- meta ------------------------------------------------------------ */

/* Leaves the input (iif) or output (oif) ifindex in R0, or jumps to fail
 * when the hook has no such device. */
static void emit_ifindex(struct cg *cg, bool out)
{
	struct emitter *e = cg->e;

	if (!out && cg->egress) {
		emit_ja(e, cg->lbl_rule_fail);
		return;
	}
	if (out && !cg->egress) {
		/* Only the forward path knows its output device. */
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_OIF)));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
		return;
	}
	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(ifindex)));
}

/* R0 = ifindex -> R0 = struct bnft_ifinfo * or fail. */
static void emit_ifinfo(struct cg *cg)
{
	struct emitter *e = cg->e;

	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_0, SCR_TMP));
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_IFINFO);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
}

static int cg_meta(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t key = nftnl_expr_get_u32(ex, NFTNL_EXPR_META_KEY);
	uint32_t fam = cg->cur_chain->family;
	int doff;

	if (nftnl_expr_is_set(ex, NFTNL_EXPR_META_SREG)) {
		int soff;

		if (key == NFT_META_NFTRACE)
			return cg_trace_set(cg, ex); /* codegen_trace.c */
		if (key != NFT_META_MARK)
			return cg_meta_set(cg, ex); /* codegen_mangle.c */
		soff = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_META_SREG), 4);
		if (soff < 0)
			return soff;
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_SCR, (int16_t)soff));
		emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, SKB_OFF(mark)));
		return 0;
	}
	doff = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_META_DREG),
			  key == NFT_META_IIFNAME || key == NFT_META_OIFNAME ? 16 : 4);
	if (doff < 0)
		return doff;
	switch (key) {
	case NFT_META_L4PROTO:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
		emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_PF_L4 << 16));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, cg->lbl_rule_fail);
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xff));
		break;
	case NFT_META_NFPROTO:
		if (fam == NFPROTO_INET) {
			emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
			emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 8));
			emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xff));
		} else {
			emit(e, I_MOV32_IMM(BPF_REG_0, (int32_t)fam));
		}
		break;
	case NFT_META_PROTOCOL:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(protocol)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xffff));
		break;
	case NFT_META_LEN:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(len)));
		if (netdev_egress(cg))
			break;
		emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, 0xffff));
		emit(e, I_ALU32_REG(BPF_SUB, BPF_REG_0, BPF_REG_1));
		break;
	case NFT_META_MARK:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(mark)));
		break;
	case NFT_META_PRIORITY:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(priority)));
		break;
	case NFT_META_PKTTYPE:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, SKB_OFF(pkt_type)));
		break;
	case NFT_META_IIF:
	case NFT_META_OIF:
		emit_ifindex(cg, key == NFT_META_OIF);
		break;
	case NFT_META_IIFNAME:
	case NFT_META_OIFNAME:
		emit_ifindex(cg, key == NFT_META_OIFNAME);
		emit_ifinfo(cg);
		emit_copy(cg, BPF_REG_0, 0, doff, 16);
		return 0;
	case NFT_META_IIFTYPE:
	case NFT_META_OIFTYPE:
		emit_ifindex(cg, key == NFT_META_OIFTYPE);
		emit_ifinfo(cg);
		emit(e, I_LDX(BPF_H, BPF_REG_0, BPF_REG_0,
			      (int16_t)offsetof(struct bnft_ifinfo, type)));
		break;
	case NFT_META_CPU:
		emit_call_helper(e, BPF_FUNC_get_smp_processor_id);
		break;
	case NFT_META_PRANDOM:
		emit_call_helper(e, BPF_FUNC_get_prandom_u32);
		break;
	default:
		return cg_fail(cg, -EOPNOTSUPP, "meta key %u is not supported", key);
	}
	/* 8/16/32-bit values: a 32-bit store leaves the word exactly as
	 * nft_reg_store8/16 or a u32 store does on a little-endian host. */
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_0, (int16_t)doff));
	return 0;
}

/* ---- cmp / range ---------------------------------------------------- */

static int cg_cmp(struct cg *cg, struct nftnl_expr *ex)
{
	uint32_t op = nftnl_expr_get_u32(ex, NFTNL_EXPR_CMP_OP), len;
	const uint8_t *d = expr_data(cg, ex, NFTNL_EXPR_CMP_DATA, &len);
	uint32_t match, fail = cg->lbl_rule_fail;
	int off;

	if (!d)
		return cg_fail(cg, -EINVAL, "cmp without data");
	off = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_CMP_SREG), len);
	if (off < 0)
		return off;
	switch (op) {
	case NFT_CMP_EQ:
	case NFT_CMP_NEQ:
		emit_eq(cg, off, d, len, op == NFT_CMP_NEQ, fail);
		return 0;
	case NFT_CMP_LT:
	case NFT_CMP_LTE:
	case NFT_CMP_GT:
	case NFT_CMP_GTE:
		match = emit_label(cg->e);
		emit_bcmp(cg, off, d, len,
			  op == NFT_CMP_LT || op == NFT_CMP_LTE ? match : fail,
			  op == NFT_CMP_LTE || op == NFT_CMP_GTE ? match : fail,
			  op == NFT_CMP_GT || op == NFT_CMP_GTE ? match : fail);
		emit_bind(cg->e, match);
		return 0;
	}
	return cg_fail(cg, -EOPNOTSUPP, "cmp op %u is not supported", op);
}

static int cg_range(struct cg *cg, struct nftnl_expr *ex)
{
	uint32_t op = nftnl_expr_get_u32(ex, NFTNL_EXPR_RANGE_OP), l1, l2;
	const uint8_t *from = expr_data(cg, ex, NFTNL_EXPR_RANGE_FROM_DATA, &l1);
	const uint8_t *to = expr_data(cg, ex, NFTNL_EXPR_RANGE_TO_DATA, &l2);
	uint32_t fail = cg->lbl_rule_fail, mid, match;
	int off;

	if (!from || !to || l1 != l2)
		return cg_fail(cg, -EINVAL, "range with inconsistent bounds");
	off = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_RANGE_SREG), l1);
	if (off < 0)
		return off;
	if (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ)
		return cg_fail(cg, -EOPNOTSUPP, "range op %u is not supported", op);
	mid = emit_label(cg->e);
	match = emit_label(cg->e);
	if (op == NFT_RANGE_EQ) {
		emit_bcmp(cg, off, from, l1, fail, mid, mid);
		emit_bind(cg->e, mid);
		emit_bcmp(cg, off, to, l1, match, match, fail);
	} else {
		emit_bcmp(cg, off, from, l1, match, mid, mid);
		emit_bind(cg->e, mid);
		emit_bcmp(cg, off, to, l1, fail, fail, match);
	}
	emit_bind(cg->e, match);
	return 0;
}

/* ---- bitwise / byteorder ---------------------------------------------- */

static int cg_bitwise(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t len = nftnl_expr_get_u32(ex, NFTNL_EXPR_BITWISE_LEN), ml, xl, op = 0;
	uint32_t words = (len + 3) / 4, i;
	uint8_t mask[64] = { 0 }, xor[64] = { 0 };
	const uint8_t *m, *x;
	int so, dof;

	if (nftnl_expr_is_set(ex, NFTNL_EXPR_BITWISE_OP))
		op = nftnl_expr_get_u32(ex, NFTNL_EXPR_BITWISE_OP);
	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_BITWISE_SREG), words * 4);
	dof = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_BITWISE_DREG), words * 4);
	if (so < 0 || dof < 0)
		return so < 0 ? so : dof;
	if (op == NFT_BITWISE_LSHIFT || op == NFT_BITWISE_RSHIFT) {
		uint32_t dl, sh;
		const uint8_t *d = expr_data(cg, ex, NFTNL_EXPR_BITWISE_DATA, &dl);

		if (!d || dl != 4)
			return cg_fail(cg, -EINVAL, "shift without amount");
		memcpy(&sh, d, 4);
		if (sh == 0 || sh >= 32)
			return cg_fail(cg, -EINVAL, "shift by %u", sh);
		/* nft_bitwise_eval_[lr]shift: host-order u32 words with carry. */
		emit(e, I_MOV64_IMM(BPF_REG_2, 0)); /* carry */
		for (i = 0; i < words; i++) {
			uint32_t w = op == NFT_BITWISE_LSHIFT ? words - 1 - i : i;

			emit(e, I_LDX(BPF_W, BPF_REG_0, R_SCR, (int16_t)(so + (int)w * 4)));
			emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
			emit(e, I_ALU32_IMM(op == NFT_BITWISE_LSHIFT ? BPF_LSH : BPF_RSH, BPF_REG_0,
					    (int32_t)sh));
			emit(e, I_ALU32_REG(BPF_OR, BPF_REG_0, BPF_REG_2));
			emit(e, I_STX(BPF_W, R_SCR, BPF_REG_0, (int16_t)(dof + (int)w * 4)));
			emit(e, I_ALU32_IMM(op == NFT_BITWISE_LSHIFT ? BPF_RSH : BPF_LSH,
					    BPF_REG_1, (int32_t)(32 - sh)));
			emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_1));
		}
		return 0;
	}
	if (op != NFT_BITWISE_BOOL)
		return cg_fail(cg, -EOPNOTSUPP, "bitwise op %u is not supported", op);
	m = expr_data(cg, ex, NFTNL_EXPR_BITWISE_MASK, &ml);
	x = expr_data(cg, ex, NFTNL_EXPR_BITWISE_XOR, &xl);
	if (!m || !x || ml > 64 || xl > 64)
		return cg_fail(cg, -EINVAL, "bitwise without mask/xor");
	memcpy(mask, m, ml);
	memcpy(xor, x, xl);
	/* Whole words, like nft_bitwise_eval_bool(); mask/xor zero-padded. */
	for (i = 0; i < words * 4;) {
		unsigned int sz = chunk(so + (int)i, dof + (int)i, words * 4 - i);
		uint64_t mv = le_val(mask + i, sz), xv = le_val(xor + i, sz);

		if (sz == 8 && mv == UINT64_MAX && xv == 0 && so == dof) {
			i += sz;
			continue;
		}
		emit(e, I_LDX(bpf_size_of(sz), BPF_REG_0, R_SCR, (int16_t)(so + (int)i)));
		if (sz == 8) {
			emit_ld_imm64(e, BPF_REG_1, mv);
			emit(e, I_ALU64_REG(BPF_AND, BPF_REG_0, BPF_REG_1));
			if (xv) {
				emit_ld_imm64(e, BPF_REG_1, xv);
				emit(e, I_ALU64_REG(BPF_XOR, BPF_REG_0, BPF_REG_1));
			}
		} else {
			emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, (int32_t)(uint32_t)mv));
			if (xv)
				emit(e, I_ALU32_IMM(BPF_XOR, BPF_REG_0, (int32_t)(uint32_t)xv));
		}
		emit(e, I_STX(bpf_size_of(sz), R_SCR, BPF_REG_0, (int16_t)(dof + (int)i)));
		i += sz;
	}
	return 0;
}

static int cg_byteorder(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t len = nftnl_expr_get_u32(ex, NFTNL_EXPR_BYTEORDER_LEN);
	uint32_t size = nftnl_expr_get_u32(ex, NFTNL_EXPR_BYTEORDER_SIZE), i;
	int so, dof;

	if (size != 2 && size != 4 && size != 8)
		return cg_fail(cg, -EINVAL, "byteorder size %u", size);
	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_BYTEORDER_SREG), len);
	dof = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_BYTEORDER_DREG), len);
	if (so < 0 || dof < 0)
		return so < 0 ? so : dof;
	if (size == 8 && ((so | dof) & 7))
		return cg_fail(cg, -EOPNOTSUPP, "unaligned 64-bit byteorder");
	/* hton and ntoh are the same swap on a little-endian host. */
	for (i = 0; i + size <= len; i += size) {
		emit(e, I_LDX(bpf_size_of(size), BPF_REG_0, R_SCR, (int16_t)(so + (int)i)));
		emit(e, I_BE(BPF_REG_0, (int32_t)size * 8));
		emit(e, I_STX(bpf_size_of(size), R_SCR, BPF_REG_0, (int16_t)(dof + (int)i)));
	}
	return 0;
}

/* ---- immediate / verdicts -------------------------------------------- */

int cg_nft_verdict(struct cg *cg, int32_t v, const char *chain, uint32_t *code,
		   struct cg_chain **target)
{
	*target = NULL;
	switch (v) {
	case NF_ACCEPT: *code = BNFT_V_ACCEPT; return 0;
	case NF_DROP: *code = BNFT_V_DROP; return 0;
	case NFT_CONTINUE: *code = BNFT_V_CONTINUE; return 0;
	case NFT_RETURN: *code = BNFT_V_RETURN; return 0;
	case NFT_JUMP:
	case NFT_GOTO:
		*code = v == NFT_JUMP ? BNFT_V_JUMP : BNFT_V_GOTO;
		*target = chain ? cg_find_chain(cg, cg->cur_chain->family, cg->cur_chain->table,
						chain) : NULL;
		if (!*target)
			return cg_fail(cg, -EINVAL, "jump to missing chain %s",
				       chain ? chain : "?");
		return 0;
	}
	return cg_fail(cg, -EOPNOTSUPP, "verdict %d is not supported", v);
}

static int cg_immediate(struct cg *cg, struct nftnl_expr *ex)
{
	uint32_t dreg = nftnl_expr_get_u32(ex, NFTNL_EXPR_IMM_DREG), len, i, sz, code;
	struct cg_chain *target;
	const uint8_t *d;
	int off, err;

	if (dreg == NFT_REG_VERDICT) {
		const char *ch = nftnl_expr_is_set(ex, NFTNL_EXPR_IMM_CHAIN) ?
					 nftnl_expr_get_str(ex, NFTNL_EXPR_IMM_CHAIN) : NULL;
		int32_t v = (int32_t)nftnl_expr_get_u32(ex, NFTNL_EXPR_IMM_VERDICT);

		if (v == NFT_BREAK) {
			emit_ja(cg->e, cg->lbl_rule_fail);
			return 0;
		}
		err = cg_nft_verdict(cg, v, ch, &code, &target);
		return err ?: cg_verdict(cg, code, target);
	}
	d = expr_data(cg, ex, NFTNL_EXPR_IMM_DATA, &len);
	if (!d)
		return cg_fail(cg, -EINVAL, "immediate without data");
	off = cg_reg_off(cg, dreg, len);
	if (off < 0)
		return off;
	emit_zero_tail(cg, off, len);
	for (i = 0; i < len; i += sz) {
		sz = chunk(off + (int)i, off + (int)i, len - i);
		if (sz == 8)
			sz = 4;
		emit(cg->e, I_ST(bpf_size_of(sz), R_SCR, (int16_t)(off + (int)i),
				 (int32_t)(uint32_t)le_val(d + i, sz)));
	}
	return 0;
}

/* ---- counter ------------------------------------------------------------ */

static int cg_counter(struct cg *cg, struct nftnl_expr *ex)
{
	struct bnft_rule_id *rid = &cg->ps->rules[cg->cur_rule_id];
	struct emitter *e = cg->e;
	uint32_t skip;

	/* One counter slot per rule (a rule may be emitted into both the
	 * ingress and the egress program: count per emission). */
	if (++cg->rule_ncounters > 1)
		return cg_fail(cg, -EOPNOTSUPP, "more than one counter in a rule");
	skip = emit_label(e);
	rid->flags |= BNFT_RULE_F_COUNTER;
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_CTR_PACKETS))
		rid->init_packets = nftnl_expr_get_u64(ex, NFTNL_EXPR_CTR_PACKETS);
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_CTR_BYTES))
		rid->init_bytes = nftnl_expr_get_u64(ex, NFTNL_EXPR_CTR_BYTES);
	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP, (int32_t)cg->cur_rule_id));
	cg_frag_counter(cg, skip);
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_COUNTERS);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, skip);
	/* Per-CPU slots: plain adds, no atomics. Bytes as nft counts them:
	 * from the network header. */
	emit(e, I_LDX(BPF_DW, BPF_REG_1, BPF_REG_0, 0));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));
	emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_1, 0));
	emit(e, I_LDX(BPF_W, BPF_REG_1, R_CTX, SKB_OFF(len)));
	if (!netdev_egress(cg)) {
		emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, 0xffff));
		emit(e, I_ALU32_REG(BPF_SUB, BPF_REG_1, BPF_REG_2));
	}
	emit(e, I_LDX(BPF_DW, BPF_REG_2, BPF_REG_0, 8));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_1));
	emit(e, I_STX(BPF_DW, BPF_REG_0, BPF_REG_2, 8));
	emit_bind(e, skip);
	return 0;
}

/* ---- lookup ------------------------------------------------------------ */

static int cg_lookup(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	const char *name = nftnl_expr_get_str(ex, NFTNL_EXPR_LOOKUP_SET);
	uint32_t flags = nftnl_expr_is_set(ex, NFTNL_EXPR_LOOKUP_FLAGS) ?
				 nftnl_expr_get_u32(ex, NFTNL_EXPR_LOOKUP_FLAGS) : 0;
	bool has_dreg = nftnl_expr_is_set(ex, NFTNL_EXPR_LOOKUP_DREG);
	uint32_t dreg = has_dreg ? nftnl_expr_get_u32(ex, NFTNL_EXPR_LOOKUP_DREG) : 0;
	struct cg_set *s;
	int so, mi;
	size_t i;

	s = name ? cg_find_set(cg, cg->cur_chain->family, cg->cur_chain->table, name) : NULL;
	if (!s)
		return cg_fail(cg, -EINVAL, "lookup in missing set %s", name ? name : "?");
	if (s->scan) {
		so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_LOOKUP_SREG), s->key_len);
		if (so < 0)
			return so;
		return cg_set_scan(cg, s, so, has_dreg, dreg, flags & NFT_LOOKUP_F_INV);
	}
	mi = cg_set_map(cg, s);
	if (mi < 0)
		return mi;
	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_LOOKUP_SREG), s->key_len);
	if (so < 0)
		return so;
	if (has_dreg && (flags & NFT_LOOKUP_F_INV))
		return cg_fail(cg, -EINVAL, "inverted lookup with a destination");
	if (s->oht) {
		cg_oht_lookup(cg, s, so, mi);
	} else if (s->lpm) {
		emit(e, I_ST(BPF_W, R_SCR, SCR_KEY, (int32_t)s->key_len * 8));
		emit_copy(cg, R_SCR, so, SCR_KEY + 4, s->key_len);
		emit_ld_map(e, BPF_REG_1, mi);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_KEY));
	} else {
		emit_ld_map(e, BPF_REG_1, mi);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, so));
	}
	if (!s->oht)
		emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	if (s->dset)
		cg_dset_lookup_live(cg, s, s->lpm ? SCR_KEY : so, mi);
	if (!has_dreg) {
		emit_jmp_imm(e, BPF_JMP | ((flags & NFT_LOOKUP_F_INV) ? BPF_JNE : BPF_JEQ) | BPF_K,
			     BPF_REG_0, 0, cg->lbl_rule_fail);
		return 0;
	}
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	if (dreg == NFT_REG_VERDICT) {
		if (s->data_type != NFT_DATA_VERDICT)
			return cg_fail(cg, -EINVAL, "verdict lookup in a data map");
		emit(e, I_LDX(BPF_W, R_SAVE1, BPF_REG_0, 0));
		emit(e, I_LDX(BPF_W, R_SAVE2, BPF_REG_0, 4));
		for (i = 0; i < s->nverdicts; i++) {
			const struct bnft_vmap_val *v = &s->verdicts[i];
			uint32_t skip = emit_label(e);
			int err;

			emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, R_SAVE1, (int32_t)v->code, skip);
			if (v->code == BNFT_V_JUMP || v->code == BNFT_V_GOTO)
				emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, R_SAVE2,
					     (int32_t)v->chain, skip);
			cg_trace_rule_verdict(cg, v->code, v->code == BNFT_V_JUMP ||
								   v->code == BNFT_V_GOTO ?
								   &cg->chains[v->chain] : NULL);
			err = cg_verdict(cg, v->code, v->code == BNFT_V_JUMP ||
						      v->code == BNFT_V_GOTO ?
						      &cg->chains[v->chain] : NULL);
			if (err)
				return err;
			/* A continue/jump falls through to the next rule. */
			emit_ja(e, cg->lbl_rule_end);
			emit_bind(e, skip);
		}
		emit_ja(e, cg->lbl_rule_fail);
		return 0;
	}
	if (s->data_type == NFT_DATA_VERDICT)
		return cg_fail(cg, -EINVAL, "data lookup in a verdict map");
	{
		int dof = cg_reg_off(cg, dreg, s->data_len);

		if (dof < 0)
			return dof;
		emit_zero_tail(cg, dof, s->data_len);
		emit_copy(cg, BPF_REG_0, 0, dof, s->data_len);
	}
	return 0;
}

/* ---- conntrack (bpf/lib/CT.md) ------------------------------------------ */

#define CTP_OFF(f) ((int16_t)offsetof(struct bnft_ct_pkt, f))

/* R0 = this attach point's struct bnft_ct_pkt (never NULL after this). */
static void emit_ct_pkt(struct cg *cg)
{
	struct emitter *e = cg->e;

	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP,
		     cg->egress ? BNFT_CT_PKT_SLOT_EGRESS : BNFT_CT_PKT_SLOT_INGRESS));
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_CT_PKT);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
}

/* No conntrack on the packet, or a chain that runs before the kernel's
 * conntrack (BNFT_CTP_PRECT): the kernel breaks (status, mark, dir). */
static void emit_ct_need(struct cg *cg, uint32_t fail)
{
	struct emitter *e = cg->e;

	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CTP_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_CTP_HAVE_CT | BNFT_CTP_PRECT));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, BNFT_CTP_HAVE_CT, fail);
}

/* Does base chain c run before the kernel's conntrack hook (priority
 * NF_IP_PRI_CONNTRACK, -200, at prerouting and output), or at an ingress
 * hook, where no packet has a conntrack yet? */
static bool ct_chain_before_conntrack(const struct cg_chain *c)
{
	if (c->family == NFPROTO_NETDEV)
		return c->hooknum == NF_NETDEV_INGRESS;
	if (c->hooknum == NF_INET_INGRESS)
		return true;
	return (c->hooknum == NF_INET_PRE_ROUTING || c->hooknum == NF_INET_LOCAL_OUT) &&
	       c->prio < -200;
}

/* At the start of every base chain of a ruleset that uses conntrack:
 * set BNFT_CTP_PRECT in this attach point's struct bnft_ct_pkt for a
 * chain before the conntrack hook, clear it for the others (bnft tracks
 * before its first chain; the flag makes ct expressions of earlier
 * chains behave as the kernel's do there). */
int cg_ct_base_enter(struct cg *cg, struct cg_chain *c)
{
	struct emitter *e = cg->e;
	uint32_t done;

	if (!cg->uses_ct)
		return 0;
	done = emit_label(e);
	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP,
		     cg->egress ? BNFT_CT_PKT_SLOT_EGRESS : BNFT_CT_PKT_SLOT_INGRESS));
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_CT_PKT);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CTP_OFF(flags)));
	if (ct_chain_before_conntrack(c))
		emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_1, BNFT_CTP_PRECT));
	else
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, ~BNFT_CTP_PRECT & 0xff));
	emit(e, I_STX(BPF_B, BPF_REG_0, BPF_REG_1, CTP_OFF(flags)));
	emit_bind(e, done);
	return e->err;
}

static int cg_ct(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t key = nftnl_expr_get_u32(ex, NFTNL_EXPR_CT_KEY);
	int off;

	if (nftnl_expr_is_set(ex, NFTNL_EXPR_CT_DIR))
		return cg_fail(cg, -EOPNOTSUPP, "ct key %u with a direction is not supported", key);
	if (nftnl_expr_is_set(ex, NFTNL_EXPR_CT_SREG)) {
		uint32_t done = emit_label(e), other = emit_label(e);

		if (key != NFT_CT_MARK)
			return cg_fail(cg, -EOPNOTSUPP, "ct set of key %u is not supported", key);
		off = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_CT_SREG), 4);
		if (off < 0)
			return off;
		emit_ct_pkt(cg);
		emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
		emit_ct_need(cg, done);
		/* mark on the packet's view, flag MARK_SET */
		emit(e, I_LDX(BPF_W, BPF_REG_3, R_SCR, (int16_t)off));
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_3, CTP_OFF(mark)));
		emit(e, I_LDX(BPF_B, BPF_REG_1, R_SAVE1, CTP_OFF(flags)));
		emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_1, BNFT_CTP_MARK_SET));
		emit(e, I_STX(BPF_B, R_SAVE1, BPF_REG_1, CTP_OFF(flags)));
		/* a pending flow gets it in its template, a known one in the table */
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_CTP_PENDING));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, other);
		emit(e, I_STX(BPF_W, R_SAVE1, BPF_REG_3,
			      (int16_t)(offsetof(struct bnft_ct_pkt, newent) +
					offsetof(struct bnft_ct_entry, mark))));
		emit_ja(e, done);
		emit_bind(e, other);
		emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_CT);
		emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE1));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, CTP_OFF(key)));
		emit_call_helper(e, BPF_FUNC_map_lookup_elem);
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
		emit(e, I_LDX(BPF_W, BPF_REG_3, R_SCR, (int16_t)off));
		emit(e, I_STX(BPF_W, BPF_REG_0, BPF_REG_3,
			      (int16_t)offsetof(struct bnft_ct_entry, mark)));
		emit_bind(e, done);
		return 0;
	}
	off = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_CT_DREG), 4);
	if (off < 0)
		return off;
	switch (key) {
	case NFT_CT_STATE: {
		/* before the conntrack hook: untracked after notrack, else
		 * invalid (nft_ct_get_eval without a conntrack) */
		uint32_t have = emit_label(e), st = emit_label(e);

		emit_ct_pkt(cg);
		emit(e, I_LDX(BPF_B, BPF_REG_2, BPF_REG_0, CTP_OFF(flags)));
		emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0, CTP_OFF(state)));
		emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_2));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_3, BNFT_CTP_PRECT));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_3, 0, st);
		emit(e, I_MOV64_IMM(BPF_REG_1, BNFT_CT_STATE_UNTRACKED));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_2, BNFT_CTP_NOTRACK));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, have);
		emit(e, I_MOV64_IMM(BPF_REG_1, BNFT_CT_STATE_INVALID));
		emit_bind(e, have);
		emit_bind(e, st);
		break;
	}
	case NFT_CT_STATUS:
	case NFT_CT_MARK:
		emit_ct_pkt(cg);
		emit_ct_need(cg, cg->lbl_rule_fail);
		emit(e, I_LDX(BPF_W, BPF_REG_1, BPF_REG_0,
			      key == NFT_CT_MARK ? CTP_OFF(mark) : CTP_OFF(status)));
		break;
	case NFT_CT_DIRECTION:
		emit_ct_pkt(cg);
		emit_ct_need(cg, cg->lbl_rule_fail);
		emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CTP_OFF(dir)));
		break;
	default:
		return cg_fail(cg, -EOPNOTSUPP, "ct key %u is not supported", key);
	}
	emit(e, I_STX(BPF_W, R_SCR, BPF_REG_1, (int16_t)off));
	return 0;
}

static int cg_notrack(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;

	(void)ex;
	emit_ct_pkt(cg);
	emit(e, I_ST(BPF_W, BPF_REG_0, CTP_OFF(state), BNFT_CT_STATE_UNTRACKED));
	emit(e, I_ST(BPF_W, BPF_REG_0, CTP_OFF(status), 0));
	emit(e, I_ST(BPF_W, BPF_REG_0, CTP_OFF(mark), 0));
	emit(e, I_ST(BPF_B, BPF_REG_0, CTP_OFF(dir), 0));
	/* flags = (flags & PRECT) | NOTRACK */
	emit(e, I_LDX(BPF_B, BPF_REG_1, BPF_REG_0, CTP_OFF(flags)));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_CTP_PRECT));
	emit(e, I_ALU32_IMM(BPF_OR, BPF_REG_1, BNFT_CTP_NOTRACK));
	emit(e, I_STX(BPF_B, BPF_REG_0, BPF_REG_1, CTP_OFF(flags)));
	return 0;
}

/* reject: parameters in cb[4], tail call into the fixed reply builder; the
 * packet is consumed. */
static int cg_reject(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t type = nftnl_expr_get_u32(ex, NFTNL_EXPR_REJECT_TYPE);
	uint32_t code = nftnl_expr_is_set(ex, NFTNL_EXPR_REJECT_CODE) ?
				nftnl_expr_get_u8(ex, NFTNL_EXPR_REJECT_CODE) : 0;
	uint32_t flags = cg->cur_chain->family == NFPROTO_NETDEV ? BNFT_REJECT_F_NETDEV : 0;
	/* the hook of the base chain (ICMP source and quote differ at
	 * prerouting and forward); unknown inside shared subprograms */
	const struct cg_chain *bc = cg->cur_chain->base ? cg->cur_chain :
				    cg->in_sub ? NULL : cg->base_chain;

	if (!flags && bc && bc->family != NFPROTO_NETDEV && bc->hooknum != NF_INET_INGRESS) {
		if (bc->hooknum == NF_INET_PRE_ROUTING)
			flags |= BNFT_REJECT_F_PRE;
		else if (bc->hooknum == NF_INET_FORWARD)
			flags |= BNFT_REJECT_F_FWD;
	}

	if (type > BNFT_REJECT_ICMPX_UNREACH)
		return cg_fail(cg, -EOPNOTSUPP, "reject type %u is not supported", type);
	emit(e, I_MOV64_IMM(BPF_REG_0, (int32_t)(type | code << 8 | flags << 16)));
	emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, CB_OFF(BNFT_CB_REJECT)));
	cg_trace_rule_verdict(cg, BNFT_V_DROP, NULL); /* nft traces a reject as drop */
	cg_frag_exit(cg, BNFT_FRAG_V_DROP);
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit_ld_map(e, BPF_REG_2, BNFT_MAPREF_PROGS);
	emit(e, I_MOV64_IMM(BPF_REG_3, BNFT_SLOT_REJECT));
	emit_call_helper(e, BPF_FUNC_tail_call);
	if (cg->in_sub) {
		emit(e, I_MOV64_IMM(BPF_REG_0, BNFT_V_DROP));
		emit_exit(e);
	} else {
		emit_ja(e, cg->lbl_drop);
	}
	return 0;
}

/* ---- limit (bpf/lib/limit.h, nft_limit_eval) ------------------------------ */

/* The slot of this statement: one per rule and limit; a rule emitted in
 * both programs keeps its slot. */
static int limit_slot(struct cg *cg, uint64_t tokens_max, uint32_t key, uint32_t *slot)
{
	struct bnft_prog_set *ps = cg->ps;
	struct bnft_limit_init *l;
	size_t i;

	for (i = 0; i < ps->nlimits; i++)
		if (cg->limit_rule[i] == key) {
			*slot = ps->limits[i].slot;
			return 0;
		}
	if (ps->nlimits >= BNFT_LIMITS_PER_GEN)
		return cg_fail(cg, -E2BIG, "more than %d limit statements",
			       BNFT_LIMITS_PER_GEN);
	l = realloc(ps->limits, (ps->nlimits + 1) * sizeof(*l));
	if (!l)
		return -ENOMEM;
	ps->limits = l;
	{
		uint32_t *r = realloc(cg->limit_rule, (ps->nlimits + 1) * sizeof(*r));

		if (!r)
			return -ENOMEM;
		cg->limit_rule = r;
	}
	cg->limit_rule[ps->nlimits] = key;
	l[ps->nlimits].slot = (uint32_t)ps->nlimits;
	l[ps->nlimits].tokens_max = tokens_max;
	*slot = (uint32_t)ps->nlimits++;
	return 0;
}

#define LIM_OFF(f) ((int16_t)offsetof(struct bnft_limit_state, f))

/* The slot key of a limit statement: the rule id for the first limit of
 * its rule, plus (k << 24) for the k-th more (each limit has its own
 * bucket, as each nft_limit expression has its own state; named limit
 * objects use keys with bit 31 set). The same for every emission of the
 * rule. */
static uint32_t limit_key(struct cg *cg, const struct nftnl_expr *ex)
{
	uint32_t k = cg_expr_nth(cg, ex, BNFT_XK_LIMIT);

	return cg->cur_rule_id | (k & 0x7f) << 24;
}

static int cg_limit(struct cg *cg, struct nftnl_expr *ex)
{
	return cg_limit_emit(cg, nftnl_expr_get_u64(ex, NFTNL_EXPR_LIMIT_RATE),
			     nftnl_expr_get_u64(ex, NFTNL_EXPR_LIMIT_UNIT),
			     nftnl_expr_get_u32(ex, NFTNL_EXPR_LIMIT_BURST),
			     nftnl_expr_get_u32(ex, NFTNL_EXPR_LIMIT_TYPE),
			     nftnl_expr_is_set(ex, NFTNL_EXPR_LIMIT_FLAGS) ?
				     nftnl_expr_get_u32(ex, NFTNL_EXPR_LIMIT_FLAGS) : 0,
			     limit_key(cg, ex));
}

int cg_limit_emit(struct cg *cg, uint64_t rate, uint64_t unit, uint32_t burst, uint32_t type,
		  uint32_t flags, uint32_t key)
{
	struct emitter *e = cg->e;
	struct bnft_limit_params p;
	uint32_t slot = 0, l1 = emit_label(e), l2 = emit_label(e), l3 = emit_label(e),
		 l4 = emit_label(e);
	int err;

	err = bnft_limit_params_init(&p, rate, unit, burst, type, flags);
	if (err)
		return cg_fail(cg, err, "limit parameters out of range");
	err = limit_slot(cg, p.tokens_max, key, &slot);
	if (err)
		return err;
	/* R8 = cost (bytes: nsecs * len / rate), R7 = now */
	if (p.bytes) {
		/* skb->len at the hook (the whole frame at netdev egress) */
		cg_emit_skb_len(cg, R_SAVE2);
		emit_ld_imm64(e, BPF_REG_1, p.nsecs);
		emit(e, I_ALU64_REG(BPF_MUL, R_SAVE2, BPF_REG_1));
		emit_ld_imm64(e, BPF_REG_1, p.rate);
		emit(e, I_ALU64_REG(BPF_DIV, R_SAVE2, BPF_REG_1));
	} else {
		emit_ld_imm64(e, R_SAVE2, p.cost);
	}
	emit(e, I_STX(BPF_DW, R_SCR, R_SAVE2, SCR_TMP));
	emit_call_helper(e, BPF_FUNC_ktime_get_ns);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_0));
	/* R8 = the bucket (its slot in this generation: patched at load) */
	if (!e->dead && !e->err) {
		uint32_t *g = realloc(cg->genrefs, (cg->ngenrefs + 1) * sizeof(*g));

		if (!g)
			return -ENOMEM;
		cg->genrefs = g;
		cg->genrefs[cg->ngenrefs++] = (uint32_t)e->n;
	}
	emit(e, I_ST(BPF_W, R_SCR, SCR_TMP + 8, (int32_t)slot));
	emit_ld_map(e, BPF_REG_1, BNFT_MAPREF_LIMITS);
	emit(e, I_MOV64_REG(BPF_REG_2, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, SCR_TMP + 8));
	emit_call_helper(e, BPF_FUNC_map_lookup_elem);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	emit(e, I_MOV64_REG(R_SAVE2, BPF_REG_0));
	emit(e, I_MOV64_REG(BPF_REG_1, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_spin_lock);
	/* now = max(now, last): a CPU that read the clock earlier must not
	 * move last backwards */
	emit(e, I_LDX(BPF_DW, BPF_REG_1, R_SAVE2, LIM_OFF(last)));
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE1));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_2, BPF_REG_1));
	emit_jmp_imm(e, BPF_JMP | BPF_JSGE | BPF_K, BPF_REG_2, 0, l1);
	emit(e, I_MOV64_REG(R_SAVE1, BPF_REG_1));
	emit_bind(e, l1);
	/* tokens = min(tokens + now - last, max) */
	emit(e, I_LDX(BPF_DW, BPF_REG_3, R_SAVE2, LIM_OFF(tokens)));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_3, R_SAVE1));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_3, BPF_REG_1));
	emit_ld_imm64(e, BPF_REG_4, p.tokens_max);
	emit_jmp_reg(e, BPF_JMP | BPF_JLE, BPF_REG_3, BPF_REG_4, l2);
	emit(e, I_MOV64_REG(BPF_REG_3, BPF_REG_4));
	emit_bind(e, l2);
	emit(e, I_STX(BPF_DW, R_SAVE2, R_SAVE1, LIM_OFF(last)));
	/* delta = tokens - cost: take it if >= 0 */
	emit(e, I_LDX(BPF_DW, BPF_REG_5, R_SCR, SCR_TMP));
	emit(e, I_MOV64_REG(BPF_REG_2, BPF_REG_3));
	emit(e, I_ALU64_REG(BPF_SUB, BPF_REG_2, BPF_REG_5));
	emit_jmp_imm(e, BPF_JMP | BPF_JSLT | BPF_K, BPF_REG_2, 0, l3);
	emit(e, I_STX(BPF_DW, R_SAVE2, BPF_REG_2, LIM_OFF(tokens)));
	emit(e, I_MOV64_IMM(R_SAVE1, 1));
	emit_ja(e, l4);
	emit_bind(e, l3);
	emit(e, I_STX(BPF_DW, R_SAVE2, BPF_REG_3, LIM_OFF(tokens)));
	emit(e, I_MOV64_IMM(R_SAVE1, 0));
	emit_bind(e, l4);
	emit(e, I_MOV64_REG(BPF_REG_1, R_SAVE2));
	emit_call_helper(e, BPF_FUNC_spin_unlock);
	/* `limit rate` goes on with a token, `limit rate over` without */
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, R_SAVE1, p.invert ? 1 : 0, cg->lbl_rule_fail);
	return 0;
}

int cg_expr(struct cg *cg, struct nftnl_expr *ex)
{
	const char *n = cg->cur_expr;

	if (!strcmp(n, "payload"))
		return cg_payload(cg, ex);
	if (!strcmp(n, "meta"))
		return cg_meta(cg, ex);
	if (!strcmp(n, "cmp"))
		return cg_cmp(cg, ex);
	if (!strcmp(n, "range"))
		return cg_range(cg, ex);
	if (!strcmp(n, "bitwise"))
		return cg_bitwise(cg, ex);
	if (!strcmp(n, "byteorder"))
		return cg_byteorder(cg, ex);
	if (!strcmp(n, "immediate"))
		return cg_trace_verdict(cg, ex) ?: cg_immediate(cg, ex);
	if (!strcmp(n, "counter"))
		return cg_counter(cg, ex);
	if (!strcmp(n, "lookup"))
		return cg_lookup(cg, ex);
	if (!strcmp(n, "ct"))
		return cg_ct(cg, ex);
	if (!strcmp(n, "notrack"))
		return cg_notrack(cg, ex);
	if (!strcmp(n, "reject"))
		return cg_reject(cg, ex);
	if (!strcmp(n, "limit"))
		return cg_limit(cg, ex);
	if (!strcmp(n, "connlimit"))
		return cg_connlimit(cg, ex);
	if (!strcmp(n, "log"))
		return cg_log(cg, ex);
	if (!strcmp(n, "quota"))
		return cg_quota(cg, ex);
	if (!strcmp(n, "objref"))
		return cg_objref(cg, ex);
	if (!strcmp(n, "dynset"))
		return cg_dynset(cg, ex);
	return cg_fail(cg, -EOPNOTSUPP, "expression %s is not supported", n);
}
