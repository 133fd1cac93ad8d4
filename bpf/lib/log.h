/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nft `log` from TC: one fixed-size record per logged packet in a BPF ring
 * buffer (bnft_log, pinned as <root>/log), read by the daemon, which
 * prints it the way nf_log_syslog does ("<prefix>IN=.. OUT=.. MAC=..
 * SRC=.. DST=.. LEN=.. ...") at the record's syslog level, or hands it to
 * NFLOG group listeners for `log group N`.
 *
 * Record (struct bnft_log_rec, little endian as the host, 192 bytes):
 *   magic 'BNLG' (0x474c4e42), version 1
 *   tstamp      bpf_ktime_get_ns() (CLOCK_MONOTONIC)
 *   prefix_id   index of the prefix string in the generation's prefix
 *               table (the daemon knows the strings; nft prefixes are at
 *               most 127 bytes, they are not copied per packet)
 *   rule_id     counter id of the logging rule (bnft_rule_id)
 *   ifindex     skb->ifindex (input device at ingress, output at egress)
 *   iif         skb->ingress_ifindex (0 for locally generated)
 *   len         skb->len - nhoff (the kernel's LEN= is the IP total length;
 *               this is the L3 length incl. padding)
 *   nhoff/thoff network/transport header offsets in pkt[] (thoff 0: none)
 *   level       syslog level (nft: emerg 0 .. debug 7, default warn 4)
 *   flags       NF_LOG_* (TCPSEQ 0x01, TCPOPT 0x02, IPOPT 0x04, UID 0x08,
 *               MACDECODE 0x20) plus BNFT_LOGF_GROUP 0x80 for `log group`
 *   hook        NF_INET_* hook (PRE_ROUTING 0 .. POST_ROUTING 4, netdev
 *               ingress 0 / egress 1 with nfproto NFPROTO_NETDEV 5)
 *   nfproto     packet family (NFPROTO_IPV4 2 / IPV6 10)
 *   group, snaplen, qthreshold   `log group N snaplen S queue-threshold Q`
 *   mark        skb->mark
 *   caplen      bytes valid in pkt[]
 *   pkt[128]    the packet from the MAC header on (TC sees it)
 */
#ifndef BNFT_BPF_LOG_H
#define BNFT_BPF_LOG_H

#include <linux/types.h>

#define BNFT_LOG_MAGIC 0x474c4e42
#define BNFT_LOG_VERSION 1
#define BNFT_LOG_CAP 128
#define BNFT_LOGF_GROUP 0x80
#define BNFT_LOG_RINGBUF_SIZE (256 * 1024)

struct bnft_log_rec {
	__u32 magic;
	__u16 version;
	__u16 caplen;
	__u64 tstamp;
	__u32 prefix_id;
	__u32 rule_id;
	__u32 ifindex;
	__u32 iif;
	__u32 len;
	__u16 nhoff;
	__u16 thoff;
	__u8 level;
	__u8 flags;
	__u8 hook;
	__u8 nfproto;
	__u16 group;
	__u16 qthreshold;
	__u32 snaplen;
	__u32 mark;
	__u32 pad;
	__u8 pkt[BNFT_LOG_CAP];
};

/* What a `log` statement carries (the NFTNL_EXPR_LOG_* attributes, the
 * prefix replaced by its id). */
struct bnft_log_args {
	__u32 prefix_id;
	__u32 rule_id;
	__u8 level;
	__u8 flags;
	__u8 hook;
	__u8 nfproto;
	__u16 group;
	__u16 qthreshold;
	__u32 snaplen;
};


/*
 * Records of generated code (translator/codegen_log.c), version 2: the
 * statement's constant part (prefix, level, flags, hook) lives in the
 * generation's log table, an ARRAY map named "bnft_logm" indexed by `stmt`;
 * the ring is the generation's RINGBUF map named "bnft_log". Both are set
 * maps of the generation (pinned g<N>/s<i>), so a reader needs only the pin
 * root (daemon/lib/logd.c).
 */
#define BNFT_LOG_EV_VERSION 2
#define BNFT_LOG_EV_RING_SIZE (256 * 1024)
#define BNFT_LOG_MAP_RING "bnft_log"
#define BNFT_LOG_MAP_META "bnft_logm"
#define BNFT_LOG_PREFIXLEN 128	/* NF_LOG_PREFIXLEN */

struct bnft_log_ev {
	__u32 magic;
	__u16 version;	/* BNFT_LOG_EV_VERSION */
	__u16 caplen;	/* bytes valid in pkt[] */
	__u32 stmt;	/* index in bnft_logm */
	__u32 ifindex;	/* skb->ifindex */
	__u32 iif;	/* skb->ingress_ifindex */
	__u32 oif;	/* skb->cb[BNFT_CB_OIF]: output device of a forwarded packet */
	__u32 len;	/* skb->len (from the MAC header on TC) */
	__u32 mark;	/* skb->mark when logged */
	__u32 offs;	/* skb->cb[BNFT_CB_OFFS] */
	__u32 info;	/* skb->cb[BNFT_CB_INFO] */
	__u32 uid;	/* socket uid (flags skuid, egress), ~0 none */
	__u32 protocol;	/* skb->protocol (network order in the low 16 bits) */
	__u8 pkt[BNFT_LOG_CAP];	/* the packet from skb->data (MAC header) */
};

/* Where the statement runs, as nf_log sees it (in/out devices). */
#define BNFT_LOGST_IN 0		/* prerouting, input, ingress: IN=dev OUT= */
#define BNFT_LOGST_FWD 1	/* forward: IN=dev OUT=oif, TTL decremented */
#define BNFT_LOGST_OUT 2	/* output, postrouting: IN= OUT=dev */
#define BNFT_LOGST_NETDEV_OUT 3	/* netdev egress: OUT=dev, IP header not at 0 */
#define BNFT_LOGST_RUNTIME 4	/* a shared chain: IN at ingress, OUT at egress */
#define BNFT_LOGST_ROUTE 5	/* a chain shared by input/forward/output: FWD
				 * for a forwarded packet at ingress (route
				 * class), IN for others, OUT at egress */

struct bnft_log_meta {
	char prefix[BNFT_LOG_PREFIXLEN];
	__u32 level;	/* syslog level 0..7 */
	__u32 flags;	/* NF_LOG_* */
	__u32 stage;	/* BNFT_LOGST_* */
	__u32 family;	/* NFPROTO_* of the table */
	__u64 handle;	/* rule handle */
	__u64 lost;	/* records the datapath could not write (ring full) */
};

#ifdef __BPF__
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BNFT_LOG_RINGBUF_SIZE);
} bnft_log SEC(".maps");

/*
 * Emits one record; returns 0, or -1 when the ring is full (the kernel's
 * printk path would not lose it; ours counts as dropped: the reader sees
 * a gap only through the caller's counter).
 */
static __always_inline int bnft_log_emit(struct __sk_buff *skb, const struct bnft_log_args *a,
					 __u32 nhoff, __u32 thoff)
{
	struct bnft_log_rec *r;
	__u32 cap = skb->len;

	r = bpf_ringbuf_reserve(&bnft_log, sizeof(*r), 0);
	if (!r)
		return -1;
	r->magic = BNFT_LOG_MAGIC;
	r->version = BNFT_LOG_VERSION;
	r->tstamp = bpf_ktime_get_ns();
	r->prefix_id = a->prefix_id;
	r->rule_id = a->rule_id;
	r->ifindex = skb->ifindex;
	r->iif = skb->ingress_ifindex;
	r->len = skb->len - nhoff;
	r->nhoff = nhoff;
	r->thoff = thoff;
	r->level = a->level;
	r->flags = a->flags;
	r->hook = a->hook;
	r->nfproto = a->nfproto;
	r->group = a->group;
	r->qthreshold = a->qthreshold;
	r->snaplen = a->snaplen;
	r->mark = skb->mark;
	r->pad = 0;
	r->caplen = 0;
	if (cap >= BNFT_LOG_CAP) {
		if (!bpf_skb_load_bytes(skb, 0, r->pkt, BNFT_LOG_CAP))
			r->caplen = BNFT_LOG_CAP;
	} else {
		asm volatile("" : "+r"(cap)); /* keep the bounds below for the verifier */
		cap &= BNFT_LOG_CAP - 1;
		if (cap && !bpf_skb_load_bytes(skb, 0, r->pkt, cap))
			r->caplen = cap;
	}
	bpf_ringbuf_submit(r, 0);
	return 0;
}
#endif

#endif
