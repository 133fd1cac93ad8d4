// SPDX-License-Identifier: GPL-2.0
/*
 * Packet mangling: payload writes (`ip dscp set`, `ip ttl set`, `tcp dport
 * set`, `ip saddr set` ...) with the checksum updates nft_payload_set_eval()
 * makes, and `meta priority set` / `meta pkttype set`.
 *
 * nft_payload_set_eval(): fsum = csum(old bytes), tsum = csum(new bytes);
 * CSUM_INET: the checksum at base + csum_offset is replaced by the
 * difference (csum_replace_by_diff, as bpf_l3/l4_csum_replace with size 0
 * do); L4CSUM_PSEUDOHDR: the transport checksum (TCP, UDP unless it is 0,
 * UDP-Lite, ICMPv6; not in later fragments) too, with skb->csum kept right
 * for CHECKSUM_COMPLETE (inet_proto_csum_replace_by_diff, which is what
 * bpf_l4_csum_replace(BPF_F_PSEUDO_HDR) calls). Transport-base checksum
 * fixes are skipped for CHECKSUM_PARTIAL skbs by the kernel; the BPF helper
 * without BPF_F_PSEUDO_HDR skips them the same way. Then the bytes are
 * stored; a write beyond the packet ends the rule (NFT_BREAK).
 *
 * The header copies on the stack (codegen_int.h) get the new bytes too, so
 * later matches see the mangled packet as in the kernel.
 */
#include <errno.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "bpf/lib/abi.h"
#include "translator/codegen_stmt.h"

#define MG_OLD SCR_KEY		/* 32 bytes: old bytes, zero padded */
#define MG_NEW (SCR_KEY + 32)	/* 32 bytes: new bytes, zero padded */
#define MG_MAX 28

/* R_SAVE2 = absolute offset of the base (R0/R1 clobbered), or fail. */
static int emit_base_off(struct cg *cg, uint32_t base)
{
	struct emitter *e = cg->e;

	switch (base) {
	case NFT_PAYLOAD_LL_HEADER:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xffff));
		emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
		emit(e, I_MOV64_IMM(R_SAVE2, 0));
		return 0;
	case NFT_PAYLOAD_NETWORK_HEADER:
		emit(e, I_LDX(BPF_W, R_SAVE2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_AND, R_SAVE2, 0xffff));
		return 0;
	case NFT_PAYLOAD_TRANSPORT_HEADER:
		/* no transport header or a later fragment: NFT_BREAK */
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 16));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, BNFT_PF_L4 | BNFT_PF_FRAG));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, BNFT_PF_L4,
			     cg->lbl_rule_fail);
		emit(e, I_LDX(BPF_W, R_SAVE2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
		emit(e, I_ALU32_IMM(BPF_RSH, R_SAVE2, 16));
		return 0;
	}
	return cg_fail(cg, -EOPNOTSUPP, "payload write to base %u is not supported", base);
}

/* R0 = bpf_csum_diff(old, n4, new, n4, 0) */
static void emit_csum_diff(struct cg *cg, uint32_t n4)
{
	struct emitter *e = cg->e;

	emit(e, I_MOV64_REG(BPF_REG_1, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_1, MG_OLD));
	emit(e, I_MOV64_IMM(BPF_REG_2, (int32_t)n4));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, MG_NEW));
	emit(e, I_MOV64_IMM(BPF_REG_4, (int32_t)n4));
	emit(e, I_MOV64_IMM(BPF_REG_5, 0));
	emit_call_helper(e, BPF_FUNC_csum_diff);
}

/* The transport checksum's offset in R3 for the pseudo-header update, or
 * a jump to `skip` (nft_payload_l4csum_offset()). Sets *udp_label users. */
static void emit_l4csum(struct cg *cg, uint32_t skip)
{
	struct emitter *e = cg->e;
	uint32_t tcp = emit_label(e), udp = emit_label(e), icmp6 = emit_label(e),
		 go = emit_label(e);

	emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
	emit(e, I_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_1, 16));
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_1, BNFT_PF_L4 | BNFT_PF_FRAG));
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, BNFT_PF_L4, skip);
	emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xff));
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, IPPROTO_TCP, tcp);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, IPPROTO_UDP, udp);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, IPPROTO_UDPLITE, udp);
	emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, IPPROTO_ICMPV6, icmp6);
	emit_ja(e, skip);
	emit_bind(e, tcp);
	emit(e, I_MOV64_IMM(BPF_REG_3, 16));
	emit(e, I_MOV64_IMM(BPF_REG_5, BPF_F_PSEUDO_HDR));
	emit_ja(e, go);
	emit_bind(e, udp);
	/* UDP with a zero checksum has none to fix (BPF_F_MARK_MANGLED_0
	 * skips a zero sum and never writes one) */
	emit(e, I_MOV64_IMM(BPF_REG_3, 6));
	emit(e, I_MOV64_IMM(BPF_REG_5, BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0));
	emit_ja(e, go);
	emit_bind(e, icmp6);
	emit(e, I_MOV64_IMM(BPF_REG_3, 2));
	emit(e, I_MOV64_IMM(BPF_REG_5, BPF_F_PSEUDO_HDR));
	emit_bind(e, go);
	/* R2 = thoff + csum offset */
	emit(e, I_LDX(BPF_W, BPF_REG_2, R_CTX, CB_OFF(BNFT_CB_OFFS)));
	emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_2, 16));
	emit(e, I_ALU64_REG(BPF_ADD, BPF_REG_2, BPF_REG_3));
}

/*
 * Forward chains run at TC ingress, before ip_forward() decrements the TTL
 * (hop limit): a TTL written there is written one higher, so that the
 * packet leaves with the value the rule set, as in the kernel, whose
 * forward hook runs after the decrement. 255 cannot be raised (the packet
 * leaves with 254). Only for base forward chains (and chains inlined in
 * them); a shared subprogram does not know its hook.
 */
static void emit_fwd_ttl_fixup(struct cg *cg, uint32_t off, uint32_t len)
{
	static const struct {
		uint32_t nfproto, field;
	} f[2] = { { NFPROTO_IPV4, 8 }, { NFPROTO_IPV6, 7 } };
	const struct cg_chain *b = cg->base_chain;
	struct emitter *e = cg->e;
	int k;

	if (cg->in_sub || !b || b->family == NFPROTO_NETDEV || b->hooknum != NF_INET_FORWARD)
		return;
	for (k = 0; k < 2; k++) {
		uint32_t next = emit_label(e);
		int16_t at = (int16_t)(MG_NEW + (int)(f[k].field - off));

		if (f[k].field < off || f[k].field >= off + len)
			continue;
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_CTX, CB_OFF(BNFT_CB_INFO)));
		emit(e, I_ALU32_IMM(BPF_RSH, BPF_REG_0, 8));
		emit(e, I_ALU32_IMM(BPF_AND, BPF_REG_0, 0xff));
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, (int32_t)f[k].nfproto, next);
		emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, at));
		emit_jmp_imm(e, BPF_JMP | BPF_JGE | BPF_K, BPF_REG_1, 255, next);
		emit(e, I_ALU32_IMM(BPF_ADD, BPF_REG_1, 1));
		emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, at));
		emit_bind(e, next);
	}
}

int cg_payload_set(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t base = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_LEN);
	uint32_t ctype = nftnl_expr_is_set(ex, NFTNL_EXPR_PAYLOAD_CSUM_TYPE) ?
				 nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_CSUM_TYPE) : 0;
	uint32_t coff = nftnl_expr_is_set(ex, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET) ?
				nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET) : 0;
	uint32_t cflags = nftnl_expr_is_set(ex, NFTNL_EXPR_PAYLOAD_FLAGS) ?
				  nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_FLAGS) : 0;
	uint32_t n4 = (len + 3) & ~3u, i, skip_l4;
	int so, err;

	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_PAYLOAD_SREG), len);
	if (so < 0)
		return so;
	if (len == 0 || len > MG_MAX)
		return cg_fail(cg, -EOPNOTSUPP, "payload write of %u bytes is not supported", len);
	if (ctype != NFT_PAYLOAD_CSUM_NONE && ctype != NFT_PAYLOAD_CSUM_INET)
		return cg_fail(cg, -EOPNOTSUPP, "%s checksum update is not supported",
			       ctype == NFT_PAYLOAD_CSUM_SCTP ? "sctp" : "this");
	if (cflags & ~NFT_PAYLOAD_L4CSUM_PSEUDOHDR)
		return cg_fail(cg, -EOPNOTSUPP, "payload checksum flags %#x", cflags);
	if (off + len > 0xffff || coff > 0xff)
		return cg_fail(cg, -EOPNOTSUPP, "payload offset %u too large", off);
	err = emit_base_off(cg, base);
	if (err)
		return err;
	/* the new bytes, zero padded to whole words */
	for (i = 0; i < 32; i += 8)
		emit(e, I_ST(BPF_DW, R_SCR, (int16_t)(MG_NEW + i), 0));
	for (i = 0; i < len; i++) {
		emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, (int16_t)(so + (int)i)));
		emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, (int16_t)(MG_NEW + (int)i)));
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER)
		emit_fwd_ttl_fixup(cg, off, len);
	if (ctype == NFT_PAYLOAD_CSUM_INET || cflags) {
		/* old bytes (the write fails where the load does) */
		for (i = 0; i < 32; i += 8)
			emit(e, I_ST(BPF_DW, R_SCR, (int16_t)(MG_OLD + i), 0));
		emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
		emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
		if (off)
			emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, (int32_t)off));
		emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, MG_OLD));
		emit(e, I_MOV64_IMM(BPF_REG_4, (int32_t)len));
		emit_call_helper(e, BPF_FUNC_skb_load_bytes);
		emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
		if (ctype == NFT_PAYLOAD_CSUM_INET) {
			uint32_t done = emit_label(e);

			emit_csum_diff(cg, n4);
			emit(e, I_MOV64_REG(BPF_REG_4, BPF_REG_0));
			emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
			emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
			emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, (int32_t)coff));
			emit(e, I_MOV64_IMM(BPF_REG_3, 0));
			emit(e, I_MOV64_IMM(BPF_REG_5, 0));
			/* transport: skipped for CHECKSUM_PARTIAL like the kernel */
			emit_call_helper(e, base == NFT_PAYLOAD_TRANSPORT_HEADER ?
						    BPF_FUNC_l4_csum_replace :
						    BPF_FUNC_l3_csum_replace);
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
			emit_ja(e, cg->lbl_rule_fail);
			emit_bind(e, done);
		}
		if (cflags & NFT_PAYLOAD_L4CSUM_PSEUDOHDR) {
			uint32_t done = emit_label(e);

			skip_l4 = emit_label(e);
			emit_l4csum(cg, skip_l4);
			/* R2 offset, R5 flags: keep them over csum_diff */
			emit(e, I_STX(BPF_W, R_SCR, BPF_REG_2, SCR_TMP));
			emit(e, I_STX(BPF_W, R_SCR, BPF_REG_5, SCR_TMP + 4));
			emit_csum_diff(cg, n4);
			emit(e, I_MOV64_REG(BPF_REG_4, BPF_REG_0));
			emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
			emit(e, I_LDX(BPF_W, BPF_REG_2, R_SCR, SCR_TMP));
			emit(e, I_MOV64_IMM(BPF_REG_3, 0));
			emit(e, I_LDX(BPF_W, BPF_REG_5, R_SCR, SCR_TMP + 4));
			emit_call_helper(e, BPF_FUNC_l4_csum_replace);
			emit_jmp_imm(e, BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, done);
			emit_ja(e, cg->lbl_rule_fail);
			emit_bind(e, skip_l4);
			emit_bind(e, done);
		}
	}
	/* the bytes themselves */
	emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
	emit(e, I_MOV64_REG(BPF_REG_2, R_SAVE2));
	if (off)
		emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_2, (int32_t)off));
	emit(e, I_MOV64_REG(BPF_REG_3, R_SCR));
	emit(e, I_ALU64_IMM(BPF_ADD, BPF_REG_3, MG_NEW));
	emit(e, I_MOV64_IMM(BPF_REG_4, (int32_t)len));
	emit(e, I_MOV64_IMM(BPF_REG_5, 0));
	emit_call_helper(e, BPF_FUNC_skb_store_bytes);
	emit_jmp_imm(e, BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, cg->lbl_rule_fail);
	/* later matches of this program read the header copies */
	if ((base == NFT_PAYLOAD_NETWORK_HEADER && off + len <= SCR_NH_MAX) ||
	    (base == NFT_PAYLOAD_TRANSPORT_HEADER && off + len <= SCR_TH_MAX)) {
		int c = (base == NFT_PAYLOAD_NETWORK_HEADER ? SCR_NH : SCR_TH) + (int)off;

		for (i = 0; i < len; i++) {
			emit(e, I_LDX(BPF_B, BPF_REG_1, R_SCR, (int16_t)(so + (int)i)));
			emit(e, I_STX(BPF_B, R_SCR, BPF_REG_1, (int16_t)(c + (int)i)));
		}
	}
	return e->err;
}

int cg_meta_set(struct cg *cg, struct nftnl_expr *ex)
{
	struct emitter *e = cg->e;
	uint32_t key = nftnl_expr_get_u32(ex, NFTNL_EXPR_META_KEY);
	int so;

	so = cg_reg_off(cg, nftnl_expr_get_u32(ex, NFTNL_EXPR_META_SREG), 4);
	if (so < 0)
		return so;
	switch (key) {
	case NFT_META_MARK:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_SCR, (int16_t)so));
		emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, SKB_OFF(mark)));
		return 0;
	case NFT_META_PRIORITY:
		emit(e, I_LDX(BPF_W, BPF_REG_0, R_SCR, (int16_t)so));
		emit(e, I_STX(BPF_W, R_CTX, BPF_REG_0, SKB_OFF(priority)));
		return 0;
	case NFT_META_PKTTYPE: {
		/* nft_meta_set_eval: only to host/broadcast/multicast/otherhost
		 * where the packet was not looped back; bpf_skb_change_type
		 * takes the same values */
		uint32_t done = emit_label(e);

		emit(e, I_LDX(BPF_B, BPF_REG_2, R_SCR, (int16_t)so));
		emit_jmp_imm(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_2, 3, done);
		emit(e, I_MOV64_REG(BPF_REG_1, R_CTX));
		emit_call_helper(e, BPF_FUNC_skb_change_type);
		emit_bind(e, done);
		return 0;
	}
	}
	return cg_fail(cg, -EOPNOTSUPP, "meta set of key %u is not supported", key);
}
