/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection tracking: data shared by the eBPF side (bpf/lib/ct.h), the
 * code generator, the loader and user-space tools. Plain __u* types only,
 * included from BPF C and from user space. See bpf/lib/CT.md.
 */
#ifndef BNFT_BPF_CT_ABI_H
#define BNFT_BPF_CT_ABI_H

#include <linux/types.h>

/* nft `ct state` bits (NF_CT_STATE_*_BIT as nf_tables loads them). */
#define BNFT_CT_STATE_INVALID 0x01
#define BNFT_CT_STATE_ESTABLISHED 0x02
#define BNFT_CT_STATE_RELATED 0x04
#define BNFT_CT_STATE_NEW 0x08
#define BNFT_CT_STATE_UNTRACKED 0x40

/* nft `ct direction` (IP_CT_DIR_*). */
#define BNFT_CT_DIR_ORIGINAL 0
#define BNFT_CT_DIR_REPLY 1

/* nft `ct status` bits (IPS_* of linux/netfilter/nf_conntrack_common.h). */
#define BNFT_IPS_EXPECTED 0x0001
#define BNFT_IPS_SEEN_REPLY 0x0002
#define BNFT_IPS_ASSURED 0x0004
#define BNFT_IPS_CONFIRMED 0x0008
#define BNFT_IPS_DYING 0x0200

/* TCP conntrack states (enum tcp_conntrack). */
enum bnft_tcp_ct {
	BNFT_TCP_NONE,
	BNFT_TCP_SYN_SENT,
	BNFT_TCP_SYN_RECV,
	BNFT_TCP_ESTABLISHED,
	BNFT_TCP_FIN_WAIT,
	BNFT_TCP_CLOSE_WAIT,
	BNFT_TCP_LAST_ACK,
	BNFT_TCP_TIME_WAIT,
	BNFT_TCP_CLOSE,
	BNFT_TCP_SYN_SENT2,
	BNFT_TCP_MAX,	/* sIV: invalid */
	BNFT_TCP_IGNORE,/* sIG */
	BNFT_TCP_RETRANS = BNFT_TCP_MAX,	/* timeout slots only */
	BNFT_TCP_UNACK,
	BNFT_TCP_TIMEOUT_MAX
};

/*
 * Table key. Both directions of a flow map to ONE entry: the two endpoints
 * are stored in a canonical order (lo < hi, comparing address words then
 * port) and the entry remembers which endpoint sent the first packet.
 * ICMP/ICMPv6 query flows: lo_port = hi_port = identifier, icmp_type/code
 * of the request (echo request for both the request and its reply),
 * icmp_init_hi = 1 when the requesting endpoint is hi (so that A pinging B
 * and B pinging A with the same id stay two flows, as in the kernel).
 * Addresses and ports in network byte order; IPv4 in word 0, rest zero.
 */
struct bnft_ct_key {
	__u32 lo[4];
	__u32 hi[4];
	__u16 lo_port;
	__u16 hi_port;
	__u8 nfproto;	/* NFPROTO_IPV4 / NFPROTO_IPV6 */
	__u8 l4proto;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 icmp_init_hi;
	__u8 pad[3];
};

/* Per-direction TCP window tracking (struct ip_ct_tcp_state). */
struct bnft_ct_tcp_side {
	__u32 td_end;
	__u32 td_maxend;
	__u32 td_maxwin;
	__u32 td_maxack;
	__u8 td_scale;
	__u8 flags;	/* BNFT_TCPF_* */
	__u16 pad;
};

#define BNFT_TCPF_WINDOW_SCALE 0x01
#define BNFT_TCPF_SACK_PERM 0x02
#define BNFT_TCPF_CLOSE_INIT 0x04
#define BNFT_TCPF_BE_LIBERAL 0x08
#define BNFT_TCPF_DATA_UNACK 0x10
#define BNFT_TCPF_MAXACK_SET 0x20
#define BNFT_TCPF_EXP_CHALLENGE_ACK 0x40
#define BNFT_TCPF_SIMULTANEOUS_OPEN 0x80

/* Table value. */
struct bnft_ct_entry {
	__u64 expires;		/* bpf_ktime_get_ns() deadline */
	__u64 stream_ts;	/* UDP: "still active after 2 s" mark */
	__u32 status;		/* BNFT_IPS_* */
	__u32 mark;		/* ct mark */
	__u8 orig_lo;		/* 1: the original direction's source is key.lo */
	__u8 tcp_state;		/* enum bnft_tcp_ct */
	__u8 last_index;
	__u8 last_dir;
	__u8 retrans;
	__u8 last_wscale;
	__u8 last_flags;
	__u8 pad;
	__u16 last_win;
	__u16 pad2;
	__u32 last_seq;
	__u32 last_ack;
	__u32 last_end;
	struct bnft_ct_tcp_side seen[2];
};

/*
 * Per-packet conntrack result: what generated rule code reads. One slot
 * per attach direction in the PERCPU_ARRAY bnft_ct_pkt (key 0: TC ingress,
 * key 1: TC egress; separate so that an egress run nested inside an
 * ingress run by bpf_clone_redirect cannot clobber the ingress slot).
 *
 *   nft                       generated code reads / does
 *   ct state   (4 bytes)      state
 *   ct direction (1 byte)     dir          (NFT_BREAK unless flags & HAVE_CT)
 *   ct status  (4 bytes)      status       (NFT_BREAK unless flags & HAVE_CT)
 *   ct mark    (4 bytes)      mark         (NFT_BREAK unless flags & HAVE_CT)
 *   ct mark set X             see CT.md (bnft_ct_set_mark)
 *   notrack                   see CT.md (bnft_ct_notrack)
 */
struct bnft_ct_pkt {
	__u32 state;		/* BNFT_CT_STATE_* (exactly one bit) */
	__u32 status;		/* BNFT_IPS_* of the entry, 0 when none */
	__u32 mark;
	__u8 dir;		/* BNFT_CT_DIR_* */
	__u8 flags;		/* BNFT_CTP_* */
	__u8 l4proto;
	__u8 hook;		/* BNFT_CT_HOOK_* it was computed for */
	struct bnft_ct_key key;		/* entry of the flow (master if related) */
	struct bnft_ct_entry newent;	/* template, valid when PENDING */
};

#define BNFT_CTP_HAVE_CT 0x01	/* a conntrack is attached (kernel: ct != NULL) */
#define BNFT_CTP_PENDING 0x02	/* new, not confirmed: create on accept */
#define BNFT_CTP_NOTRACK 0x04	/* notrack ran: untracked, nothing created */
#define BNFT_CTP_MARK_SET 0x08	/* ct mark set ran (applied to newent too) */
/* Set by generated code at the start of a base chain that runs before the
 * kernel's conntrack (prerouting/output priority < -200, netdev and inet
 * ingress), cleared by the other base chains: ct expressions there see no
 * conntrack (state invalid, or untracked after notrack; status, mark,
 * direction do not match; ct mark set is a no-op), as in the kernel. */
#define BNFT_CTP_PRECT 0x10
/* A new flow of a forwarded packet (ingress, route class forward): not
 * confirmed at ingress but at egress, after the postrouting chains, like
 * the kernel's confirm at the last hook; the egress run takes the
 * template (with a ct mark set at ingress) from the ingress slot. */
#define BNFT_CTP_DEFER 0x20

/* Where bnft_ct_process() runs (the kernel's conntrack hooks). */
#define BNFT_CT_HOOK_PRE 0	/* TC ingress = PRE_ROUTING: track, mutate */
#define BNFT_CT_HOOK_OUT 1	/* TC egress, locally generated = LOCAL_OUT */
#define BNFT_CT_HOOK_FWD 2	/* TC egress, forwarded: classify only when
				 * the entry exists (it was tracked at ingress) */

#define BNFT_CT_PKT_SLOT_INGRESS 0
#define BNFT_CT_PKT_SLOT_EGRESS 1

/*
 * bnft_ct_cfg: ARRAY, one struct bnft_ct_cfg at key 0. Zero fields mean
 * the kernel's default (the nf_conntrack_* sysctls of a fresh netns).
 * Timeouts in seconds.
 */
struct bnft_ct_cfg {
	__u32 tcp_timeout[BNFT_TCP_TIMEOUT_MAX]; /* index enum bnft_tcp_ct */
	__u32 udp_timeout;		/* 30 */
	__u32 udp_timeout_stream;	/* 120 */
	__u32 icmp_timeout;		/* 30 */
	__u32 icmpv6_timeout;		/* 30 */
	__u32 generic_timeout;		/* 600 */
	__u32 tcp_loose;		/* 0: default 1; 2: force 0 */
	__u32 tcp_be_liberal;		/* 0 default (off), 1 on */
	__u32 tcp_max_retrans;		/* 3 */
};

/* bnft_ct_stats: PERCPU_ARRAY of __u64 counters. */
enum bnft_ct_stat {
	BNFT_CT_STAT_FOUND,	/* packet matched a live entry */
	BNFT_CT_STAT_NEW,	/* packet classified new (pending) */
	BNFT_CT_STAT_INVALID,
	BNFT_CT_STAT_CREATED,	/* entries inserted at confirmation */
	BNFT_CT_STAT_INSERT_FAILED,
	BNFT_CT_STAT_EXPIRED,	/* expired entries found and deleted */
	BNFT_CT_STAT_DELETED,	/* deleted by the TCP machine (RST, reopen) */
	BNFT_CT_STAT_RELATED,
	BNFT_CT_STAT_MAX
};
/*
 * The LRU table evicts silently when full (the kernel's early_drop). The
 * eviction counter is derived: evicted = CREATED - EXPIRED - DELETED -
 * live entries (bnft_ct_count() in user space walks the table).
 */

/* Pin names under the pin root; the entry object owns these maps and a
 * new ruleset generation keeps using them. */
#define BNFT_CT_PIN_TABLE "ct"
#define BNFT_CT_PIN_PKT "ct_pkt"
#define BNFT_CT_PIN_CFG "ct_cfg"
#define BNFT_CT_PIN_STATS "ct_stats"

#define BNFT_CT_DEFAULT_MAX 65536

#endif
