/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The contract between the fixed entry programs (bpf/bnft_entry.bpf.c), the
 * code generator (translator/codegen*.c) and the loader (daemon/lib/load*.c).
 * Included from BPF C and from user space: plain constants and __u32 only.
 *
 * Per packet the entry program parses the headers once and leaves the result
 * in skb->cb[] (the 20 bytes TC programs may use), reads the active generation
 * word and tail-calls the generated program of that generation for its hook.
 * skb->cb survives tail calls: the generated program reads it back.
 */
#ifndef BNFT_BPF_ABI_H
#define BNFT_BPF_ABI_H

#include <linux/types.h>

/* ---- skb->cb[] layout written by the entry program -------------------- */

/* cb[0]: bits 0-15 network header offset from skb->data (MAC header on TC),
 *        bits 16-31 transport header offset from skb->data. */
#define BNFT_CB_OFFS 0
/* cb[1]: bits 0-7 l4proto, bits 8-15 nfproto (NFPROTO_IPV4/IPV6, 0 other),
 *        bits 16-23 BNFT_PF_* flags, bits 24-31 route class (BNFT_RC_*). */
#define BNFT_CB_INFO 1
/* cb[2]: output ifindex found by the FIB lookup (forward path), else 0. */
#define BNFT_CB_OIF 2
/* cb[3]: the program-array slot the conntrack program continues with
 * (entry -> bnft_ct_track -> generated), ~0 when no generated program
 * runs at this attach point. The generated program does not use it. */
#define BNFT_CB_NEXT 3
/* cb[4]: a reject's parameters for the fixed reject program (ct_progs.h). */
#define BNFT_CB_REJECT 4

#define BNFT_PF_L4 0x01		/* transport header found (nft: tprot set) */
#define BNFT_PF_FRAG 0x02	/* fragment offset != 0: no transport loads */
#define BNFT_PF_EGRESS 0x04	/* running at TC egress */
/* also taken: 0x20 and 0x80 (bpf/lib/frag.h), 0x40 (bpf/lib/trace.h) */

#define BNFT_RC_UNKNOWN 0	/* no FIB lookup was asked for */
#define BNFT_RC_LOCAL 1		/* input: destination is this host */
#define BNFT_RC_FORWARD 2	/* forward: routed to cb[2] */
#define BNFT_RC_NONE 3		/* the kernel drops it before input/forward */

/* ---- maps shared by entry and generated programs ---------------------- */

/* bnft_conf: ARRAY of __u32. Key 0 is the active generation (0 or 1); key
 * 1 + gen holds that generation's BNFT_GF_* flags. The loader writes the
 * flags of the inactive generation first, then flips key 0: one 32-bit word,
 * so a packet sees either the old or the new generation, never a mix. */
#define BNFT_CONF_ACTIVE 0
#define BNFT_CONF_FLAGS(gen) (1 + (gen))
#define BNFT_CONF_ENTRIES 4

#define BNFT_GF_INGRESS 0x01	/* a generated ingress program is present */
#define BNFT_GF_EGRESS 0x02	/* a generated egress program is present */
#define BNFT_GF_ROUTE 0x04	/* ingress needs the input/forward split */
#define BNFT_GF_CT 0x08		/* the generation uses conntrack: the entry
				 * tracks every IP packet at both attach
				 * points (confirming itself where no
				 * generated program runs) */

/* bnft_progs: PROG_ARRAY. Generation g owns [g * BNFT_PROGS_PER_GEN,
 * (g + 1) * BNFT_PROGS_PER_GEN). Slot 0 of a generation is the ingress
 * root, slot 1 the egress root, the rest continuation programs of large
 * rulesets split by tail calls. */
#define BNFT_PROGS_PER_GEN 512
/* Fixed programs of the entry object, outside the generations (bpf/lib/
 * CT.md): conntrack confirmation on accept, reject reply builder. */
#define BNFT_SLOT_FIXED_BASE (2 * BNFT_PROGS_PER_GEN)
#define BNFT_SLOT_CT_ACCEPT (BNFT_SLOT_FIXED_BASE + 0)
#define BNFT_SLOT_REJECT (BNFT_SLOT_FIXED_BASE + 1)
#define BNFT_SLOT_CT_TRACK (BNFT_SLOT_FIXED_BASE + 2)
#define BNFT_PROGS_ENTRIES (BNFT_SLOT_FIXED_BASE + 8)
#define BNFT_SLOT_INGRESS 0
#define BNFT_SLOT_EGRESS 1
#define BNFT_SLOT_FIRST_CONT 2

/* bnft_ifinfo: HASH ifindex -> struct bnft_ifinfo, filled by the loader for
 * every interface of the netns: nft iifname/oifname/iiftype need the name,
 * and the entry program needs the link header length. */
#define BNFT_IFNAMSIZ 16
struct bnft_ifinfo {
	char name[BNFT_IFNAMSIZ];
	__u16 type;	/* ARPHRD_* */
	__u16 hdrlen;	/* bytes from skb->data to the network header on TC */
	__u32 pad;
};
#define BNFT_IFINFO_ENTRIES 4096

/* bnft_ifhdr: ARRAY indexed by ifindex % BNFT_IFHDR_ENTRIES, the link
 * header length again, for the per-packet path: an array lookup is inlined
 * by the verifier where a hash lookup is a call. A slot whose ifindex does
 * not match falls back to bnft_ifinfo. */
#define BNFT_IFHDR_ENTRIES 4096
struct bnft_ifhdr {
	__u32 ifindex;
	__u32 hdrlen;
};

/* bnft_limits: ARRAY of struct bnft_limit_state (bpf/lib/limit.h, with a
 * spin lock, so it lives in the entry object that has BTF). Generation g
 * owns [g * BNFT_LIMITS_PER_GEN, (g + 1) * BNFT_LIMITS_PER_GEN): the same
 * stride as the program array, so one load-time patch serves both. */
#define BNFT_LIMITS_PER_GEN BNFT_PROGS_PER_GEN
#define BNFT_LIMITS_ENTRIES (2 * BNFT_LIMITS_PER_GEN)

/* Per-rule counters: PERCPU_ARRAY indexed by rule counter id. */
struct bnft_counter {
	__u64 packets;
	__u64 bytes;
};

/* Verdict maps: value layout of a map whose data is a verdict. */
struct bnft_vmap_val {
	__u32 code;	/* BNFT_V_* */
	__u32 chain;	/* chain id for BNFT_V_JUMP / BNFT_V_GOTO */
};

/* Verdicts inside generated code (returned by chain subprograms). */
#define BNFT_V_CONTINUE 0	/* fall off / return: back to the caller */
#define BNFT_V_ACCEPT 1
#define BNFT_V_DROP 2
#define BNFT_V_JUMP 3
#define BNFT_V_GOTO 4
#define BNFT_V_RETURN 5

#endif
