/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection tracking for the TC datapath, modelled on nf_conntrack
 * (nf_conntrack_core.c resolve_normal_ct/nf_conntrack_in, proto_tcp.c,
 * proto_udp.c, proto_icmp.c, proto_icmpv6.c, nf_conntrack_inet_error).
 * Contract and limits: bpf/lib/CT.md.
 *
 * Use from an entry program, after header parsing:
 *   p = bnft_ct_process(skb, &pi, BNFT_CT_HOOK_PRE);   // per packet
 *   ... generated rules read p->state / dir / status / mark ...
 *   on accept at the end of the last chain: bnft_ct_confirm(p);
 * A packet that is dropped never creates an entry (kernel: confirmation
 * happens only when the packet leaves the last hook with accept).
 */
#ifndef BNFT_BPF_CT_H
#define BNFT_BPF_CT_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/netfilter.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/abi.h"
#include "lib/parse.h"
#include "lib/ct_abi.h"

#ifndef BNFT_CT_MAX
#define BNFT_CT_MAX BNFT_CT_DEFAULT_MAX
#endif

/* The table; the loader may change max_entries before load and must reuse
 * the pinned map (<root>/ct) when it loads a new entry object. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BNFT_CT_MAX);
	__type(key, struct bnft_ct_key);
	__type(value, struct bnft_ct_entry);
} bnft_ct SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, struct bnft_ct_pkt);
} bnft_ct_pkt SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bnft_ct_cfg);
} bnft_ct_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BNFT_CT_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} bnft_ct_stats SEC(".maps");

#define CT_NSEC 1000000000ULL

#define ct_before(a, b) ((__s32)((__u32)(a) - (__u32)(b)) < 0)
#define ct_after(a, b) ct_before(b, a)

/* Verdicts of the protocol handlers. */
#define CT_OK 0		/* valid: packet gets its ctinfo, entry updated */
#define CT_IGNORE 1	/* kernel NF_ACCEPT without state change */
#define CT_INVALID 2	/* kernel -NF_ACCEPT: no ct on the packet */
#define CT_REPEAT 3	/* kill the entry, track as a new flow */
#define CT_KILL 4	/* packet keeps its ctinfo, entry is deleted */

/* TCP flag set index (enum tcp_bit_set). */
#define TCP_SYN_SET 0
#define TCP_SYNACK_SET 1
#define TCP_FIN_SET 2
#define TCP_ACK_SET 3
#define TCP_RST_SET 4
#define TCP_NONE_SET 5

#define sNO BNFT_TCP_NONE
#define sSS BNFT_TCP_SYN_SENT
#define sSR BNFT_TCP_SYN_RECV
#define sES BNFT_TCP_ESTABLISHED
#define sFW BNFT_TCP_FIN_WAIT
#define sCW BNFT_TCP_CLOSE_WAIT
#define sLA BNFT_TCP_LAST_ACK
#define sTW BNFT_TCP_TIME_WAIT
#define sCL BNFT_TCP_CLOSE
#define sS2 BNFT_TCP_SYN_SENT2
#define sIV BNFT_TCP_MAX
#define sIG BNFT_TCP_IGNORE

/* tcp_conntracks[dir][index][state] of Linux 6.x, flattened:
 * [dir * 60 + index * 10 + state], padded to 128 for a masked index. */
static const __u8 bnft_tcp_conntracks[128] = {
	/* ORIGINAL  sNO, sSS, sSR, sES, sFW, sCW, sLA, sTW, sCL, sS2 */
	/*syn*/	     sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2,
	/*synack*/   sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR,
	/*fin*/	     sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
	/*ack*/	     sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV,
	/*rst*/	     sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
	/*none*/     sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
	/* REPLY */
	/*syn*/	     sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2,
	/*synack*/   sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR,
	/*fin*/	     sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
	/*ack*/	     sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG,
	/*rst*/	     sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
	/*none*/     sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
};

/* Keeps the verifier's view of a masked index (clang drops a mask it can
 * prove redundant, the verifier cannot always follow that proof). */
#define ct_bound(v, mask)                                                                          \
	({                                                                                         \
		__u32 __v = (v);                                                                   \
		asm volatile("" : "+r"(__v));                                                      \
		__v & (mask);                                                                      \
	})

static __always_inline __u8 ct_tcp_next(__u32 dir, __u32 index, __u32 state)
{
	if (index > 5 || state > 9)
		return sIV;
	return bnft_tcp_conntracks[ct_bound((dir & 1) * 60 + index * 10 + state, 127)];
}

/* Default timeouts in seconds (tcp_timeouts[] and the sysctl defaults). */
static const __u32 bnft_tcp_timeouts[16] = {
	[sNO] = 120,	/* "new" = SYN_SENT */
	[sSS] = 120, [sSR] = 60, [sES] = 432000, [sFW] = 120, [sCW] = 60,
	[sLA] = 30, [sTW] = 120, [sCL] = 10, [sS2] = 120,
	[BNFT_TCP_RETRANS] = 300, [BNFT_TCP_UNACK] = 300,
};

/* Everything about the packet the trackers need. */
struct ct_pkt {
	__u32 src[4];
	__u32 dst[4];
	__u32 l3len;	/* IP total length (kernel skb->len at the hook) */
	__u32 thoff;	/* from skb->data */
	__u32 dataoff;	/* transport offset inside the IP packet */
	__u8 nfproto;
	__u8 l4proto;
	__u8 hook;
	__u8 pad;
	__u64 now;
	struct bnft_ct_cfg *cfg;
};

struct ct_tcp {
	__u32 seq, ack_seq, end;
	__u16 win;
	__u8 syn, ack, fin, rst;
	__u8 index;
	__u8 optlen;
	__u8 opt_scale, opt_flags;	/* parsed options (SYN only) */
};

static __always_inline void ct_stat(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&bnft_ct_stats, &idx);

	if (v)
		*v += 1;
}

static __always_inline __u64 ct_secs(__u32 cfgval, __u32 def)
{
	return (__u64)(cfgval ? cfgval : def) * CT_NSEC;
}

static __always_inline __u64 ct_tcp_timeout(const struct bnft_ct_cfg *cfg, __u32 state)
{
	__u32 i;

	if (state >= BNFT_TCP_TIMEOUT_MAX)
		state = 0;
	i = ct_bound(state, 15);
	if (i >= BNFT_TCP_TIMEOUT_MAX)
		i = 0;
	return ct_secs(cfg->tcp_timeout[i], bnft_tcp_timeouts[i]);
}

/* ---- keys ---------------------------------------------------------- */

/* -1, 0, 1 comparing two (address, port) endpoints. */
static __always_inline int ct_ep_cmp(const __u32 *a, __u16 pa, const __u32 *b, __u16 pb)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		if (a[i] != b[i])
			return bpf_ntohl(a[i]) < bpf_ntohl(b[i]) ? -1 : 1;
	}
	if (pa == pb)
		return 0;
	return bpf_ntohs(pa) < bpf_ntohs(pb) ? -1 : 1;
}

/* Fills k from a tuple src -> dst; returns 1 when src is the lo endpoint. */
static __always_inline int ct_key_fill(struct bnft_ct_key *k, __u8 nfproto, __u8 l4proto,
				       const __u32 *src, __u16 sport, const __u32 *dst,
				       __u16 dport)
{
	int src_lo = ct_ep_cmp(src, sport, dst, dport) <= 0;
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		k->lo[i] = src_lo ? src[i] : dst[i];
		k->hi[i] = src_lo ? dst[i] : src[i];
	}
	k->lo_port = src_lo ? sport : dport;
	k->hi_port = src_lo ? dport : sport;
	k->nfproto = nfproto;
	k->l4proto = l4proto;
	k->icmp_type = 0;
	k->icmp_code = 0;
	k->icmp_init_hi = 0;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	return src_lo;
}

/* ICMP query types: request type of a query/reply, -1 if not a query.
 * *is_req tells which side it is (invmap[] of proto_icmp.c/icmpv6.c). */
static __always_inline int ct_icmp_query(__u8 nfproto, __u8 type, int *is_req)
{
	*is_req = 1;
	if (nfproto == NFPROTO_IPV4) {
		switch (type) {
		case 8: case 13: case 15: case 17:	/* echo, timestamp, info, mask */
			return type;
		case 0:
			*is_req = 0;
			return 8;
		case 14: case 16: case 18:
			*is_req = 0;
			return type - 1;
		}
		return -1;
	}
	switch (type) {
	case 128: case 139:	/* echo request, node information query */
		return type;
	case 129: case 140:
		*is_req = 0;
		return type - 1;
	}
	return -1;
}

static __always_inline int ct_icmp_is_error(__u8 nfproto, __u8 type)
{
	if (nfproto == NFPROTO_IPV4)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	return type < 128;
}

/* ICMPv6 types the kernel marks untracked (noct_valid_new[]). */
static __always_inline int ct_icmp6_untracked(__u8 type)
{
	return (type >= 130 && type <= 136) || type == 143 || type == 151 || type == 152;
}

/* ---- TCP ------------------------------------------------------------ */

static __always_inline __u8 ct_tcp_index(const struct ct_tcp *t)
{
	if (t->rst)
		return TCP_RST_SET;
	if (t->syn)
		return t->ack ? TCP_SYNACK_SET : TCP_SYN_SET;
	if (t->fin)
		return TCP_FIN_SET;
	if (t->ack)
		return TCP_ACK_SET;
	return TCP_NONE_SET;
}

/* tcp_valid_flags[]: PSH, ECE, CWR always valid. */
static __always_inline int ct_tcp_flags_valid(__u8 f)
{
	f &= 0x37; /* FIN SYN RST ACK URG; PSH, ECE, CWR dropped */
	switch (f) {
	case 0x02: case 0x22: case 0x12:	/* SYN, SYN|URG, SYN|ACK */
	case 0x04: case 0x14:			/* RST, RST|ACK */
	case 0x11: case 0x31:			/* FIN|ACK, FIN|ACK|URG */
	case 0x10: case 0x30:			/* ACK, ACK|URG */
		return 1;
	}
	return 0;
}

/* tcp_options(): window scale and SACK-permitted of a SYN. */
static __always_inline void ct_tcp_options(struct __sk_buff *skb, __u32 off, struct ct_tcp *t)
{
	__u8 buf[64] = {};
	__u32 len = t->optlen, i, skip = 0;

	t->opt_scale = 0;
	t->opt_flags = 0;
	len = ct_bound(len, 63);
	if (len < 1 || len > 40)
		return;
	if (bpf_skb_load_bytes(skb, off, buf, len) < 0)
		return;
	for (i = 0; i < 40; i++) {
		__u8 op, sz;

		if (i >= len)
			break;
		if (skip) {
			skip--;
			continue;
		}
		op = buf[i & 63];
		if (op == 0)
			break;
		if (op == 1)
			continue;
		if (i + 1 >= len)
			break;
		sz = buf[(i + 1) & 63];
		if (sz < 2 || i + sz > len)
			break;
		if (op == 4 && sz == 2) {
			t->opt_flags |= BNFT_TCPF_SACK_PERM;
		} else if (op == 3 && sz == 3) {
			__u8 s = buf[(i + 2) & 63];

			t->opt_scale = s > 14 ? 14 : s;
			t->opt_flags |= BNFT_TCPF_WINDOW_SCALE;
		}
		skip = sz - 1;
	}
}

/* tcp_options() applied to a side: nothing changes without options. */
static __always_inline void ct_tcp_apply_options(struct bnft_ct_tcp_side *s,
						 const struct ct_tcp *t)
{
	if (!t->optlen)
		return;
	s->td_scale = t->opt_scale;
	s->flags = (s->flags & BNFT_TCPF_BE_LIBERAL) | t->opt_flags;
}

static __always_inline void ct_tcp_init_sender(struct bnft_ct_entry *e, __u32 dir,
					       const struct ct_tcp *t)
{
	struct bnft_ct_tcp_side *sender = &e->seen[dir & 1];
	struct bnft_ct_tcp_side *receiver = &e->seen[!dir];

	sender->td_end = t->end;
	sender->td_maxend = t->end;
	sender->td_maxwin = t->win ? t->win : 1;
	ct_tcp_apply_options(sender, t);
	if (dir == BNFT_CT_DIR_REPLY && !((sender->flags & BNFT_TCPF_WINDOW_SCALE) &&
					  (receiver->flags & BNFT_TCPF_WINDOW_SCALE))) {
		sender->td_scale = 0;
		receiver->td_scale = 0;
	}
}

#define CT_MAXACKWINDOW(s) ((s)->td_maxwin > 66000 ? (s)->td_maxwin : 66000)

/* tcp_in_window() without SACK blocks (sack = ack) and NAT offsets. */
static __always_inline int ct_tcp_in_window(const struct bnft_ct_cfg *cfg, struct bnft_ct_entry *e,
					    __u32 dir, const struct ct_tcp *t)
{
	struct bnft_ct_tcp_side *sender = &e->seen[dir & 1];
	struct bnft_ct_tcp_side *receiver = &e->seen[!dir];
	__u32 seq = t->seq, ack = t->ack_seq, sack = t->ack_seq, end = t->end;
	__u32 win = t->win, swin;
	int liberal = (sender->flags & BNFT_TCPF_BE_LIBERAL) || cfg->tcp_be_liberal == 1;
	int in_recv_win;

	if (sender->td_maxwin == 0) {
		if (t->syn) {
			ct_tcp_init_sender(e, dir, t);
			if (!t->ack)
				return CT_OK;
		} else {
			sender->td_end = end;
			swin = win << (sender->td_scale & 15);
			sender->td_maxwin = swin ? swin : 1;
			sender->td_maxend = end + sender->td_maxwin;
			if (receiver->td_maxwin == 0)
				receiver->td_end = receiver->td_maxend = sack;
			else if (sack == receiver->td_end + 1)
				receiver->td_end++;
		}
	} else if (t->syn && ct_after(end, sender->td_end) &&
		   (e->tcp_state == sSS || e->tcp_state == sSR)) {
		ct_tcp_init_sender(e, dir, t);
		if (dir == BNFT_CT_DIR_REPLY && !t->ack)
			return CT_OK;
	}

	if (!t->ack) {
		ack = sack = receiver->td_end;
	} else if (t->rst && ack == 0) {
		ack = sack = receiver->td_end;
	}
	if (t->rst && seq == 0 && e->tcp_state == sSS)
		seq = end = sender->td_end;

	if (!ct_before(seq, sender->td_maxend + 1)) {
		__u32 overshot = end - sender->td_maxend + 1;
		int ack_ok = ct_after(sack, receiver->td_end - CT_MAXACKWINDOW(sender) - 1);

		in_recv_win = receiver->td_maxwin &&
			      ct_after(end, sender->td_end - receiver->td_maxwin - 1);
		if (in_recv_win && ack_ok && overshot <= receiver->td_maxwin &&
		    ct_before(sack, receiver->td_end + 1)) {
			sender->td_end = end;
			sender->flags |= BNFT_TCPF_DATA_UNACK;
			return liberal ? CT_OK : CT_IGNORE;
		}
		return liberal ? CT_OK : CT_INVALID;
	}
	if (!ct_before(sack, receiver->td_end + 1))
		return liberal ? CT_OK : CT_INVALID;
	in_recv_win = !receiver->td_maxwin ||
		      ct_after(end, sender->td_end - receiver->td_maxwin - 1);
	if (!in_recv_win)
		return liberal ? CT_OK : CT_IGNORE;
	if (!ct_after(sack, receiver->td_end - CT_MAXACKWINDOW(sender) - 1))
		return liberal ? CT_OK : CT_IGNORE;

	if (!t->syn)
		win <<= (sender->td_scale & 15);
	swin = win + (sack - ack);
	if (sender->td_maxwin < swin)
		sender->td_maxwin = swin;
	if (ct_after(end, sender->td_end)) {
		sender->td_end = end;
		sender->flags |= BNFT_TCPF_DATA_UNACK;
	}
	if (t->ack) {
		if (!(sender->flags & BNFT_TCPF_MAXACK_SET)) {
			sender->td_maxack = ack;
			sender->flags |= BNFT_TCPF_MAXACK_SET;
		} else if (ct_after(ack, sender->td_maxack)) {
			sender->td_maxack = ack;
		}
	}
	if (receiver->td_maxwin != 0 && ct_after(end, sender->td_maxend))
		receiver->td_maxwin += end - sender->td_maxend;
	if (ct_after(sack + win, receiver->td_maxend - 1)) {
		receiver->td_maxend = sack + win;
		if (win == 0)
			receiver->td_maxend++;
	}
	if (ack == receiver->td_end)
		receiver->flags &= ~BNFT_TCPF_DATA_UNACK;

	if (t->index == TCP_ACK_SET) {
		if (e->last_dir == dir && e->last_seq == seq && e->last_ack == ack &&
		    e->last_end == end && e->last_win == t->win) {
			if (e->retrans < 255)
				e->retrans++;
		} else {
			e->last_dir = dir;
			e->last_seq = seq;
			e->last_ack = ack;
			e->last_end = end;
			e->last_win = t->win;
			e->retrans = 0;
		}
	}
	return CT_OK;
}

/* tcp_new(): initialise an unconfirmed entry; CT_INVALID refuses it. */
static __always_inline int ct_tcp_new(const struct bnft_ct_cfg *cfg, struct bnft_ct_entry *e,
				      const struct ct_tcp *t)
{
	__u8 ns = ct_tcp_next(0, t->index, sNO);

	if (ns >= sIV)
		return CT_INVALID;
	__builtin_memset(&e->seen, 0, sizeof(e->seen));
	e->seen[0].td_end = t->end;
	e->seen[0].td_maxwin = t->win ? t->win : 1;
	if (ns == sSS) {
		e->seen[0].td_maxend = t->end;
		ct_tcp_apply_options(&e->seen[0], t);
	} else {
		if (cfg->tcp_loose == 2)
			return CT_INVALID;
		e->seen[0].td_maxend = t->end + e->seen[0].td_maxwin;
		e->seen[0].flags = BNFT_TCPF_SACK_PERM | BNFT_TCPF_BE_LIBERAL;
		e->seen[1].flags = BNFT_TCPF_SACK_PERM | BNFT_TCPF_BE_LIBERAL;
	}
	e->last_index = TCP_NONE_SET;
	return CT_OK;
}

static __always_inline int ct_tcp_established(const struct bnft_ct_entry *e)
{
	return e->tcp_state == sES && (e->status & BNFT_IPS_ASSURED);
}

/* nf_conntrack_tcp_packet(). */
static __always_inline int ct_tcp_packet(const struct bnft_ct_cfg *cfg, __u64 now,
					 struct bnft_ct_entry *e, __u32 dir, const struct ct_tcp *t)
{
	__u8 old = e->tcp_state, ns;
	__u32 index = t->index;
	int skip_window = 0, res;
	__u64 timeout;

	if (old > sS2)
		return CT_INVALID;
	ns = ct_tcp_next(dir, index, old);

	switch (ns) {
	case sSS:
		if (old < sTW)
			break;
		if (((e->seen[dir & 1].flags | e->seen[!dir].flags) & BNFT_TCPF_CLOSE_INIT) ||
		    (e->last_dir == dir && e->last_index == TCP_RST_SET))
			return CT_REPEAT;
		/* fallthrough */
	case sIG:
		if (index == TCP_SYNACK_SET && e->last_index == TCP_SYN_SET &&
		    e->last_dir != dir && t->ack_seq == e->last_end) {
			struct bnft_ct_tcp_side *ls = &e->seen[e->last_dir & 1];

			old = sSS;
			ns = sSR;
			ls->td_end = e->last_end;
			ls->td_maxend = e->last_end;
			ls->td_maxwin = e->last_win ? e->last_win : 1;
			ls->td_scale = e->last_wscale;
			e->last_flags &= ~BNFT_TCPF_EXP_CHALLENGE_ACK;
			ls->flags = e->last_flags;
			__builtin_memset(&e->seen[dir & 1], 0, sizeof(e->seen[0]));
			e->seen[dir & 1].flags = 0;
			break;
		}
		e->last_index = index;
		e->last_dir = dir;
		e->last_seq = t->seq;
		e->last_end = t->end;
		e->last_win = t->win;
		if (index == TCP_SYN_SET && dir == BNFT_CT_DIR_ORIGINAL) {
			e->last_flags = 0;
			e->last_wscale = 0;
			if (t->opt_flags & BNFT_TCPF_WINDOW_SCALE) {
				e->last_flags |= BNFT_TCPF_WINDOW_SCALE;
				e->last_wscale = t->opt_scale;
			}
			if (t->opt_flags & BNFT_TCPF_SACK_PERM)
				e->last_flags |= BNFT_TCPF_SACK_PERM;
			if (old == sLA)
				e->last_flags |= BNFT_TCPF_EXP_CHALLENGE_ACK;
		}
		if (old == sSS && index == TCP_ACK_SET && dir == BNFT_CT_DIR_REPLY)
			e->last_ack = t->ack_seq;
		return CT_IGNORE;
	case sIV:
		return CT_INVALID;
	case sTW:
		if (old == sLA && index == TCP_ACK_SET && e->last_dir != dir &&
		    e->last_index == TCP_SYN_SET &&
		    (e->last_flags & BNFT_TCPF_EXP_CHALLENGE_ACK)) {
			e->last_flags &= ~BNFT_TCPF_EXP_CHALLENGE_ACK;
			return CT_IGNORE;
		}
		break;
	case sS2:
		e->last_flags |= BNFT_TCPF_SIMULTANEOUS_OPEN;
		break;
	case sSR:
		if (dir == BNFT_CT_DIR_REPLY && index == TCP_ACK_SET &&
		    (e->last_flags & BNFT_TCPF_SIMULTANEOUS_OPEN))
			ns = sES;
		break;
	case sCL:
		if (index != TCP_RST_SET)
			break;
		if (old == sFW || old == sLA || old == sTW || old == sCL || old == sCW) {
			skip_window = 1; /* tcp_can_early_drop() */
			break;
		}
		if ((e->seen[!dir].flags & BNFT_TCPF_MAXACK_SET) &&
		    e->last_index != TCP_SYN_SET) {
			if (t->seq == 0 && !ct_tcp_established(e))
				break;
			if (ct_before(t->seq, e->seen[!dir].td_maxack))
				return CT_INVALID;
			if (!ct_tcp_established(e) || t->seq == e->seen[!dir].td_maxack)
				break;
			if (e->last_index == TCP_ACK_SET && e->last_dir == dir &&
			    t->seq == e->last_end)
				break;
			ns = old;
		}
		if ((((e->status & BNFT_IPS_SEEN_REPLY) && e->last_index == TCP_SYN_SET) ||
		     (!(e->status & BNFT_IPS_ASSURED) && e->last_index == TCP_ACK_SET)) &&
		    t->ack_seq == e->last_end) {
			skip_window = 1;
			break;
		}
		if (old == sSS && e->last_index == TCP_ACK_SET &&
		    e->last_dir == BNFT_CT_DIR_REPLY && t->seq == e->last_ack)
			skip_window = 1;
		break;
	default:
		break;
	}

	if (!skip_window) {
		res = ct_tcp_in_window(cfg, e, dir, t);
		if (res != CT_OK)
			return res;
	}

	e->last_index = index;
	e->last_dir = dir;
	e->tcp_state = ns;
	if (old != ns && ns == sFW)
		e->seen[dir & 1].flags |= BNFT_TCPF_CLOSE_INIT;

	timeout = ct_tcp_timeout(cfg, ns);
	if (e->retrans >= (cfg->tcp_max_retrans ? cfg->tcp_max_retrans : 3) &&
	    timeout > ct_tcp_timeout(cfg, BNFT_TCP_RETRANS))
		timeout = ct_tcp_timeout(cfg, BNFT_TCP_RETRANS);
	else if (index == TCP_RST_SET)
		timeout = ct_tcp_timeout(cfg, sCL);
	else if (((e->seen[0].flags | e->seen[1].flags) & BNFT_TCPF_DATA_UNACK) &&
		 timeout > ct_tcp_timeout(cfg, BNFT_TCP_UNACK))
		timeout = ct_tcp_timeout(cfg, BNFT_TCP_UNACK);
	else if (e->last_win == 0 && timeout > ct_tcp_timeout(cfg, BNFT_TCP_RETRANS))
		timeout = ct_tcp_timeout(cfg, BNFT_TCP_RETRANS);

	if (!(e->status & BNFT_IPS_SEEN_REPLY)) {
		if (t->rst)
			return CT_KILL;
		if (index == TCP_SYN_SET && old == sSS)
			return CT_OK; /* no refresh on SYN retransmit */
		if (ns == sES && timeout > ct_tcp_timeout(cfg, BNFT_TCP_UNACK))
			timeout = ct_tcp_timeout(cfg, BNFT_TCP_UNACK);
	} else if (!(e->status & BNFT_IPS_ASSURED) && (old == sSR || old == sES) && ns == sES) {
		e->status |= BNFT_IPS_ASSURED;
	}
	e->expires = now + timeout;
	return CT_OK;
}


#include "lib/ct_sctp.h"

/* What one protocol step needs besides the entry. */
struct ct_l4 {
	__u64 now;
	union {			/* by l4proto */
		struct ct_tcp t;
		struct ct_sctp s;
	};
	__u8 l4proto;
	__u8 nfproto;
	__u8 query;	/* ICMP query flow */
	__u8 is_req;	/* ICMP request (valid_new[]) */
	__u32 pad;
};

/*
 * The l4proto->packet() step (plus tcp_new() for an unconfirmed entry) on
 * e: a table entry or the unconfirmed template. A BPF global function, so
 * the verifier checks it once instead of at every call site.
 */
__attribute__((noinline)) int bnft_ct_l4_step(struct bnft_ct_entry *e, const struct ct_l4 *l,
					      const struct bnft_ct_cfg *cfg, __u32 dir,
					      __u32 confirmed)
{
	int res = CT_OK;

	if (!e || !l || !cfg)
		return CT_INVALID;
	switch (l->l4proto) {
	case IPPROTO_TCP:
		if (!confirmed)
			res = ct_tcp_new(cfg, e, &l->t);
		if (res == CT_OK)
			res = ct_tcp_packet(cfg, l->now, e, dir, &l->t);
		return res;
	case IPPROTO_SCTP:
		return ct_sctp_packet(e, &l->s, dir, confirmed, l->now);
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
		if (e->status & BNFT_IPS_SEEN_REPLY) {
			__u64 extra = ct_secs(cfg->udp_timeout, 30);
			int stream = 0;

			if ((__s64)(l->now - e->stream_ts) > 0) {
				extra = ct_secs(cfg->udp_timeout_stream, 120);
				stream = !(e->status & BNFT_IPS_ASSURED);
			}
			e->expires = l->now + extra;
			if (stream)
				e->status |= BNFT_IPS_ASSURED;
		} else {
			e->expires = l->now + ct_secs(cfg->udp_timeout, 30);
		}
		return CT_OK;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (l->query) {
			if (!confirmed && !l->is_req)
				return CT_INVALID; /* valid_new[] */
			e->expires = l->now + (l->nfproto == NFPROTO_IPV4 ?
					       ct_secs(cfg->icmp_timeout, 30) :
					       ct_secs(cfg->icmpv6_timeout, 30));
			return CT_OK;
		}
		break;
	}
	e->expires = l->now + ct_secs(cfg->generic_timeout, 600);
	return CT_OK;
}

static __always_inline int ct_tcp_read(struct __sk_buff *skb, const struct ct_pkt *pk,
				       struct ct_tcp *t, __u16 *sport, __u16 *dport)
{
	struct tcphdr th;
	__u32 doff, paylen;
	__u8 flags;

	if (bpf_skb_load_bytes(skb, pk->thoff, &th, sizeof(th)) < 0)
		return -1;
	doff = th.doff * 4;
	/* tcp_error(): truncated or bad flag combination is invalid. */
	if (doff < sizeof(th) || pk->l3len < pk->dataoff + doff)
		return -1;
	flags = ((__u8 *)&th)[13];
	if (!ct_tcp_flags_valid(flags))
		return -1;
	t->syn = th.syn;
	t->ack = th.ack;
	t->fin = th.fin;
	t->rst = th.rst;
	t->seq = bpf_ntohl(th.seq);
	t->ack_seq = bpf_ntohl(th.ack_seq);
	t->win = bpf_ntohs(th.window);
	paylen = pk->l3len - pk->dataoff - doff;
	t->end = t->seq + paylen + t->syn + t->fin;
	t->index = ct_tcp_index(t);
	t->optlen = doff - sizeof(th);
	t->opt_scale = 0;
	t->opt_flags = 0;
	if (t->syn)
		ct_tcp_options(skb, pk->thoff + sizeof(th), t);
	*sport = th.source;
	*dport = th.dest;
	return 0;
}

/* ---- per packet ----------------------------------------------------- */

static __always_inline void ct_set_result(struct bnft_ct_pkt *p, __u32 state, __u32 dir,
					  __u32 status, __u32 mark, __u8 flags)
{
	p->state = state;
	p->dir = dir;
	p->status = status;
	p->mark = mark;
	p->flags = flags;
}

static __always_inline void ct_invalid(struct bnft_ct_pkt *p)
{
	ct_set_result(p, BNFT_CT_STATE_INVALID, 0, 0, 0, 0);
	ct_stat(BNFT_CT_STAT_INVALID);
}

/* Looks an entry up, deleting it when expired. */
static __always_inline struct bnft_ct_entry *ct_lookup(const struct ct_pkt *pk,
						       struct bnft_ct_key *k)
{
	struct bnft_ct_entry *e = bpf_map_lookup_elem(&bnft_ct, k);

	if (e && (__s64)(e->expires - pk->now) <= 0) {
		bpf_map_delete_elem(&bnft_ct, k);
		ct_stat(BNFT_CT_STAT_EXPIRED);
		return NULL;
	}
	return e;
}

/*
 * ICMP / ICMPv6 error: related to the flow of the quoted packet
 * (nf_conntrack_inet_error). off is the offset of the quoted IP header.
 */
static __always_inline void ct_icmp_error(struct __sk_buff *skb, const struct ct_pkt *pk,
					  struct bnft_ct_pkt *p, __u32 off)
{
	__u32 isrc[4] = {}, idst[4] = {};
	__u16 isport = 0, idport = 0;
	__u8 iproto, l4[8];
	__u32 ioff;
	struct bnft_ct_entry *e;
	int src_lo, is_req = 0, qt = -1, i;
	__u32 dir;

	if (pk->nfproto == NFPROTO_IPV4) {
		struct iphdr ih;

		if (bpf_skb_load_bytes(skb, off, &ih, sizeof(ih)) < 0 || ih.version != 4 ||
		    ih.ihl < 5)
			goto invalid;
		if (bpf_ntohs(ih.frag_off) & 0x1fff)
			goto invalid;
		isrc[0] = ih.saddr;
		idst[0] = ih.daddr;
		iproto = ih.protocol;
		ioff = off + ih.ihl * 4;
	} else {
		struct ipv6hdr ih;

		if (bpf_skb_load_bytes(skb, off, &ih, sizeof(ih)) < 0 || ih.version != 6)
			goto invalid;
		__builtin_memcpy(isrc, &ih.saddr, 16);
		__builtin_memcpy(idst, &ih.daddr, 16);
		iproto = ih.nexthdr;
		ioff = off + sizeof(ih);
		/* ipv6_skip_exthdr() over a few extension headers */
#pragma unroll
		for (i = 0; i < 4; i++) {
			__u8 h[2];

			if (iproto != IPPROTO_HOPOPTS && iproto != IPPROTO_ROUTING &&
			    iproto != IPPROTO_DSTOPTS)
				break;
			if (bpf_skb_load_bytes(skb, ioff, h, 2) < 0)
				goto invalid;
			iproto = h[0];
			ioff += ((__u32)h[1] + 1) * 8;
		}
	}
	if (bpf_skb_load_bytes(skb, ioff, l4, sizeof(l4)) < 0)
		goto invalid;
	if (iproto == IPPROTO_TCP || iproto == IPPROTO_UDP || iproto == IPPROTO_UDPLITE ||
	    iproto == IPPROTO_SCTP || iproto == IPPROTO_DCCP) {
		isport = *(__u16 *)&l4[0];
		idport = *(__u16 *)&l4[2];
	} else if ((pk->nfproto == NFPROTO_IPV4 && iproto == IPPROTO_ICMP) ||
		   (pk->nfproto == NFPROTO_IPV6 && iproto == IPPROTO_ICMPV6)) {
		qt = ct_icmp_query(pk->nfproto, l4[0], &is_req);
		if (qt < 0)
			goto invalid; /* error about an error, or no inverse */
		isport = idport = *(__u16 *)&l4[4];
	}
	src_lo = ct_key_fill(&p->key, pk->nfproto, iproto, isrc, isport, idst, idport);
	if (qt >= 0) {
		p->key.icmp_type = qt;
		p->key.icmp_code = l4[1];
		p->key.icmp_init_hi = is_req ? !src_lo : src_lo;
	}
	e = ct_lookup(pk, &p->key);
	if (!e)
		goto invalid;
	/* The quoted packet went in direction d; the error goes back. */
	dir = (src_lo == e->orig_lo) ? BNFT_CT_DIR_REPLY : BNFT_CT_DIR_ORIGINAL;
	/* The error must be addressed to the quoted packet's source. */
#pragma unroll
	for (i = 0; i < 4; i++)
		if (pk->dst[i] != isrc[i])
			goto invalid;
	ct_set_result(p, BNFT_CT_STATE_RELATED, dir, e->status, e->mark, BNFT_CTP_HAVE_CT);
	ct_stat(BNFT_CT_STAT_RELATED);
	return;
invalid:
	ct_invalid(p);
}

/* Fills the packet's header view; -1 when conntrack cannot see the packet. */
static __always_inline int ct_pkt_init(struct __sk_buff *skb, const struct bnft_pinfo *pi,
				       struct ct_pkt *pk)
{
	__u32 key = 0;

	pk->cfg = bpf_map_lookup_elem(&bnft_ct_cfg, &key);
	if (!pk->cfg)
		return -1;
	pk->nfproto = pi->nfproto;
	pk->l4proto = pi->l4proto;
	pk->thoff = pi->thoff;
	pk->dataoff = pi->thoff - pi->nhoff;
	pk->now = bpf_ktime_get_ns();
	if (pi->nfproto == NFPROTO_IPV4) {
		struct iphdr ih;

		if (bpf_skb_load_bytes(skb, pi->nhoff, &ih, sizeof(ih)) < 0)
			return -1;
		pk->src[0] = ih.saddr;
		pk->dst[0] = ih.daddr;
		pk->src[1] = pk->src[2] = pk->src[3] = 0;
		pk->dst[1] = pk->dst[2] = pk->dst[3] = 0;
		pk->l3len = bpf_ntohs(ih.tot_len);
	} else if (pi->nfproto == NFPROTO_IPV6) {
		struct ipv6hdr ih;

		if (bpf_skb_load_bytes(skb, pi->nhoff, &ih, sizeof(ih)) < 0)
			return -1;
		__builtin_memcpy(pk->src, &ih.saddr, 16);
		__builtin_memcpy(pk->dst, &ih.daddr, 16);
		pk->l3len = bpf_ntohs(ih.payload_len) + sizeof(ih);
	} else {
		return -1;
	}
	return 0;
}

/*
 * nf_conntrack_in(): classifies the packet into p. hook is one of
 * BNFT_CT_HOOK_*. Existing entries are updated in place (as the kernel
 * does at PRE_ROUTING/LOCAL_OUT even when the packet is dropped later);
 * a new flow is only prepared in p->newent (BNFT_CTP_PENDING) and created
 * by bnft_ct_confirm().
 */
static __always_inline void bnft_ct_track(struct __sk_buff *skb, const struct bnft_pinfo *pi,
					  __u32 hook, struct bnft_ct_pkt *p)
{
	struct bnft_ct_entry *e, *ne = &p->newent;
	struct ct_pkt pk;
	struct ct_l4 l = {};
	__u16 sport = 0, dport = 0;
	__u8 itype = 0, icode = 0;
	int src_lo, res, is_req = 0, qt = -1, confirmed;
	__u32 dir, state;

	p->hook = hook;
	p->l4proto = pi->l4proto;
	if (ct_pkt_init(skb, pi, &pk) < 0 || !(pi->flags & BNFT_PF_L4) ||
	    (pi->flags & BNFT_PF_FRAG)) {
		ct_invalid(p);
		return;
	}
	pk.hook = hook;

	switch (pk.l4proto) {
	case IPPROTO_TCP:
		if (ct_tcp_read(skb, &pk, &l.t, &sport, &dport) < 0) {
			ct_invalid(p);
			return;
		}
		break;
	case IPPROTO_SCTP:
		if (ct_sctp_read(skb, pk.thoff, pk.thoff - pk.dataoff + pk.l3len, &l.s, &sport,
				 &dport) < 0) {
			ct_invalid(p);
			return;
		}
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP: {
		__u16 ports[2];

		if (bpf_skb_load_bytes(skb, pk.thoff, ports, sizeof(ports)) < 0) {
			ct_invalid(p);
			return;
		}
		sport = ports[0];
		dport = ports[1];
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 ih[8];

		if ((pk.l4proto == IPPROTO_ICMP) != (pk.nfproto == NFPROTO_IPV4))
			break; /* ICMP in IPv6 or ICMPv6 in IPv4: generic */
		if (bpf_skb_load_bytes(skb, pk.thoff, ih, sizeof(ih)) < 0) {
			ct_invalid(p);
			return;
		}
		itype = ih[0];
		icode = ih[1];
		if (pk.nfproto == NFPROTO_IPV4 && itype > 18) { /* NR_ICMP_TYPES */
			ct_invalid(p);
			return;
		}
		if (pk.nfproto == NFPROTO_IPV6 && ct_icmp6_untracked(itype)) {
			ct_set_result(p, BNFT_CT_STATE_UNTRACKED, 0, 0, 0, 0);
			return;
		}
		if (ct_icmp_is_error(pk.nfproto, itype)) {
			ct_icmp_error(skb, &pk, p, pk.thoff + 8);
			return;
		}
		qt = ct_icmp_query(pk.nfproto, itype, &is_req);
		if (qt < 0) { /* no inverse tuple: init_conntrack() fails */
			ct_invalid(p);
			return;
		}
		sport = dport = *(__u16 *)&ih[4];
		break;
	}
	default:
		break;
	}

	src_lo = ct_key_fill(&p->key, pk.nfproto, pk.l4proto, pk.src, sport, pk.dst, dport);
	if (qt >= 0) {
		p->key.icmp_type = qt;
		p->key.icmp_code = icode;
		p->key.icmp_init_hi = is_req ? !src_lo : src_lo;
	}
	l.now = pk.now;
	l.l4proto = pk.l4proto;
	l.nfproto = pk.nfproto;
	l.query = qt >= 0;
	l.is_req = is_req;

	e = ct_lookup(&pk, &p->key);
	if (e) {
		dir = (src_lo == e->orig_lo) ? BNFT_CT_DIR_ORIGINAL : BNFT_CT_DIR_REPLY;
		state = (dir == BNFT_CT_DIR_REPLY || (e->status & BNFT_IPS_SEEN_REPLY)) ?
				BNFT_CT_STATE_ESTABLISHED :
				(e->status & BNFT_IPS_EXPECTED) ? BNFT_CT_STATE_RELATED :
								  BNFT_CT_STATE_NEW;
		if (hook == BNFT_CT_HOOK_FWD) {
			/* Tracked at ingress already: classify only. */
			ct_set_result(p, state, dir, e->status, e->mark, BNFT_CTP_HAVE_CT);
			ct_stat(BNFT_CT_STAT_FOUND);
			return;
		}
		res = bnft_ct_l4_step(e, &l, pk.cfg, dir, 1);
		if (res != CT_REPEAT) {
			if (res == CT_INVALID) {
				ct_invalid(p);
				return;
			}
			if (dir == BNFT_CT_DIR_REPLY)
				e->status |= BNFT_IPS_SEEN_REPLY;
			ct_set_result(p, state, dir, e->status, e->mark, BNFT_CTP_HAVE_CT);
			ct_stat(BNFT_CT_STAT_FOUND);
			if (res == CT_KILL) {
				bpf_map_delete_elem(&bnft_ct, &p->key);
				ct_stat(BNFT_CT_STAT_DELETED);
			}
			return;
		}
		/* Reopened closed connection: kill it, track as new. */
		bpf_map_delete_elem(&bnft_ct, &p->key);
		ct_stat(BNFT_CT_STAT_DELETED);
	}

	/* init_conntrack(): a fresh, unconfirmed entry */
	__builtin_memset(ne, 0, sizeof(*ne));
	ne->orig_lo = src_lo;
	ne->stream_ts = pk.now + 2 * CT_NSEC;
	confirmed = 0;
	res = bnft_ct_l4_step(ne, &l, pk.cfg, BNFT_CT_DIR_ORIGINAL, confirmed);
	if (res == CT_INVALID || res == CT_REPEAT) {
		ct_invalid(p);
		return;
	}
	ct_set_result(p, BNFT_CT_STATE_NEW, BNFT_CT_DIR_ORIGINAL, 0, 0,
		      BNFT_CTP_HAVE_CT | BNFT_CTP_PENDING);
	ct_stat(BNFT_CT_STAT_NEW);
}

/* Slot of the per-packet result for an attach direction. */
static __always_inline struct bnft_ct_pkt *bnft_ct_pkt_get(int egress)
{
	__u32 slot = egress ? BNFT_CT_PKT_SLOT_EGRESS : BNFT_CT_PKT_SLOT_INGRESS;

	return bpf_map_lookup_elem(&bnft_ct_pkt, &slot);
}

/* The entry program's one call; NULL only if the scratch map is missing. */
static __always_inline struct bnft_ct_pkt *bnft_ct_process(struct __sk_buff *skb,
							   const struct bnft_pinfo *pi, __u32 hook)
{
	struct bnft_ct_pkt *p = bnft_ct_pkt_get(hook != BNFT_CT_HOOK_PRE);

	if (p)
		bnft_ct_track(skb, pi, hook, p);
	return p;
}

/* __nf_conntrack_confirm(): creates the pending entry; call it only when
 * the packet leaves the last chain of the hook with accept. */
static __always_inline int bnft_ct_confirm(struct bnft_ct_pkt *p)
{
	long err;

	if (!(p->flags & BNFT_CTP_PENDING) || (p->flags & (BNFT_CTP_NOTRACK | BNFT_CTP_DEFER)))
		return 0;
	p->flags &= ~BNFT_CTP_PENDING;
	p->newent.status |= BNFT_IPS_CONFIRMED;
	err = bpf_map_update_elem(&bnft_ct, &p->key, &p->newent, BPF_NOEXIST);
	if (err) {
		ct_stat(BNFT_CT_STAT_INSERT_FAILED);
		return (int)err;
	}
	ct_stat(BNFT_CT_STAT_CREATED);
	return 0;
}

/* nft `ct mark set`: no-op without a conntrack (nft_ct_set_eval). */
static __always_inline void bnft_ct_set_mark(struct bnft_ct_pkt *p, __u32 mark)
{
	struct bnft_ct_entry *e;

	if (!(p->flags & BNFT_CTP_HAVE_CT))
		return;
	p->mark = mark;
	p->flags |= BNFT_CTP_MARK_SET;
	if (p->flags & BNFT_CTP_PENDING) {
		p->newent.mark = mark;
		return;
	}
	e = bpf_map_lookup_elem(&bnft_ct, &p->key);
	if (e)
		e->mark = mark;
}

/* nft `notrack`: the packet is untracked and creates nothing. */
static __always_inline void bnft_ct_notrack(struct bnft_ct_pkt *p)
{
	p->state = BNFT_CT_STATE_UNTRACKED;
	p->status = 0;
	p->mark = 0;
	p->dir = 0;
	p->flags = (p->flags & BNFT_CTP_PRECT) | BNFT_CTP_NOTRACK;
}

#endif
