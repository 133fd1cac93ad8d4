/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nft tracing (`meta nftrace set 1`, `nft monitor trace`) from TC.
 *
 * `meta nftrace set 1` sets BNFT_PF_TRACE in skb->cb[BNFT_CB_INFO] (bits
 * 16-23, the BNFT_PF_* flags) and draws the packet's trace id into
 * bnft_trid (a one-slot PERCPU_ARRAY of the generation). From then on,
 * generated code writes one struct bnft_trace_ev into the generation's
 * ring buffer bnft_trace for every event nf_tables would report:
 *   BNFT_TRACE_RULE    a rule all of whose matches held, with its verdict
 *                      (continue when it has none; jump/goto with target)
 *   BNFT_TRACE_POLICY  the packet reached a base chain's policy
 * Both maps are generation maps (pinned g<N>/s<i>, found by name); the
 * reader is compat/lib/trace.c (`bnft monitor trace`).
 *
 * The flag lives in cb for one run of the TC program (ingress or egress):
 * unlike the kernel's skb->nf_trace it does not carry over from the
 * ingress hooks to the egress ones of the same packet.
 */
#ifndef BNFT_BPF_TRACE_H
#define BNFT_BPF_TRACE_H

#include <linux/types.h>

#define BNFT_PF_TRACE 0x40	/* cb[BNFT_CB_INFO] bits 16-23 */

#define BNFT_TRACE_MAGIC 0x52544e42	/* 'BNTR' */
#define BNFT_TRACE_RULE 1
#define BNFT_TRACE_POLICY 2
#define BNFT_TRACE_CAP 128
#define BNFT_TRACE_RINGBUF_SIZE (256 * 1024)
#define BNFT_TRACE_NO_CHAIN 0xffffffffu

struct bnft_trace_ev {
	__u32 magic;
	__u32 id;	/* the packet's trace id */
	__u32 type;	/* BNFT_TRACE_* */
	__u32 chain;	/* chain id (bnft_prog_set.chains index) */
	__u32 base;	/* base chain the code runs under, BNFT_TRACE_NO_CHAIN
			 * when unknown at compile time (a called chain) */
	__u32 verdict;	/* BNFT_V_* */
	__u32 target;	/* chain id of a jump/goto */
	__u32 ifindex;	/* skb->ifindex */
	__u64 handle;	/* rule handle (RULE) */
	__u32 iif;	/* skb->ingress_ifindex */
	__u32 len;	/* skb->len */
	__u32 offs;	/* cb[BNFT_CB_OFFS]: network | transport offset << 16 */
	__u32 info;	/* cb[BNFT_CB_INFO] */
	__u32 mark;
	__u32 caplen;	/* bytes valid in pkt */
	__u8 pkt[BNFT_TRACE_CAP];	/* from skb->data (the MAC header) */
};

#endif
