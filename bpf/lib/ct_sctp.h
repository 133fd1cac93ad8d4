/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCTP connection tracking, the kernel's nf_conntrack_proto_sctp on the
 * packet's first CT_SCTP_CHUNKS chunks: do_basic_checks(), sctp_new(),
 * the verification tag checks (RFC 9260 8.5, 8.5.1) and the state table
 * of sctp_conntracks[][][], ASSURED on reaching ESTABLISHED, per-state
 * timeouts (the sysctl defaults; bnft_ct_cfg has no SCTP fields).
 * Included by ct.h; the entry's TCP fields hold the SCTP state:
 *   tcp_state        enum ct_sctp_state
 *   seen[dir].td_end vtag[dir] (network order)
 *   seen[dir].flags  CT_SCTP_INIT: init[dir]
 *   last_flags       CT_SCTP_HB_FAILED (SCTP_FLAG_HEARTBEAT_VTAG_FAILED)
 *   last_dir         its last_dir
 * Not reproduced: chunks after the CT_SCTP_CHUNKS-th, the CRC32c check of
 * nf_conntrack_checksum.
 */
#ifndef BNFT_BPF_CT_SCTP_H
#define BNFT_BPF_CT_SCTP_H

#define CT_SCTP_CHUNKS 4

enum ct_sctp_state {
	SC_NO,	/* NONE */
	SC_CL,	/* CLOSED */
	SC_CW,	/* COOKIE_WAIT */
	SC_CE,	/* COOKIE_ECHOED */
	SC_ES,	/* ESTABLISHED */
	SC_SS,	/* SHUTDOWN_SENT */
	SC_SR,	/* SHUTDOWN_RECD */
	SC_SA,	/* SHUTDOWN_ACK_SENT */
	SC_HS,	/* HEARTBEAT_SENT */
	SC_IV,	/* SCTP_CONNTRACK_MAX: invalid */
};

/* chunk types (SCTP_CID_*) */
#define SCID_DATA 0
#define SCID_INIT 1
#define SCID_INIT_ACK 2
#define SCID_HEARTBEAT 4
#define SCID_HEARTBEAT_ACK 5
#define SCID_ABORT 6
#define SCID_SHUTDOWN 7
#define SCID_SHUTDOWN_ACK 8
#define SCID_ERROR 9
#define SCID_COOKIE_ECHO 10
#define SCID_COOKIE_ACK 11
#define SCID_SHUTDOWN_COMPLETE 14

#define CT_SCTP_INIT 0x01
#define CT_SCTP_HB_FAILED 0x01

/* What the tracker reads from the packet (ct_sctp_read). */
struct ct_sctp {
	__u32 vtag;		/* common header's verification tag */
	__u32 init_tag;		/* of the INIT / INIT ACK chunk */
	__u32 map;		/* chunk types < 32 present */
	__u8 n;			/* chunks read */
	__u8 bad;		/* do_basic_checks() failed */
	__u8 type[CT_SCTP_CHUNKS];
	__u8 flags[CT_SCTP_CHUNKS];
	__u8 pad[2];
};

#define SCB(t) (1u << (t))

/* sctp_conntracks[dir][chunk index][state] */
static const __u8 bnft_sctp_conntracks[2][11][9] = {
	{
		/*                 NO     CL     CW     CE     ES     SS     SR     SA     HS */
		/* init */       { SC_CL, SC_CL, SC_CW, SC_CE, SC_ES, SC_CL, SC_CL, SC_SA, SC_CW },
		/* init_ack */   { SC_CL, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_CL },
		/* abort */      { SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL },
		/* shutdown */   { SC_CL, SC_CL, SC_CW, SC_CE, SC_SS, SC_SS, SC_SR, SC_SA, SC_CL },
		/* shut_ack */   { SC_SA, SC_CL, SC_CW, SC_CE, SC_ES, SC_SA, SC_SA, SC_SA, SC_SA },
		/* error */      { SC_CL, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_CL },
		/* cookie_echo */{ SC_CL, SC_CL, SC_CE, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_CL },
		/* cookie_ack */ { SC_CL, SC_CL, SC_CW, SC_ES, SC_ES, SC_SS, SC_SR, SC_SA, SC_CL },
		/* shut_comp */  { SC_CL, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_CL, SC_CL },
		/* heartbeat */  { SC_HS, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_HS },
		/* hb_ack */     { SC_CL, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_HS },
	},
	{
		/* init */       { SC_IV, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_IV },
		/* init_ack */   { SC_IV, SC_CW, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_IV },
		/* abort */      { SC_IV, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_CL, SC_IV },
		/* shutdown */   { SC_IV, SC_CL, SC_CW, SC_CE, SC_SR, SC_SS, SC_SR, SC_SA, SC_IV },
		/* shut_ack */   { SC_IV, SC_CL, SC_CW, SC_CE, SC_ES, SC_SA, SC_SA, SC_SA, SC_IV },
		/* error */      { SC_IV, SC_CL, SC_CW, SC_CL, SC_ES, SC_SS, SC_SR, SC_SA, SC_IV },
		/* cookie_echo */{ SC_IV, SC_CL, SC_CE, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_IV },
		/* cookie_ack */ { SC_IV, SC_CL, SC_CW, SC_ES, SC_ES, SC_SS, SC_SR, SC_SA, SC_IV },
		/* shut_comp */  { SC_IV, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_CL, SC_IV },
		/* heartbeat */  { SC_IV, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_HS },
		/* hb_ack */     { SC_IV, SC_CL, SC_CW, SC_CE, SC_ES, SC_SS, SC_SR, SC_SA, SC_ES },
	},
};

/* Default timeouts in seconds, sctp_timeouts[] (NONE: CLOSED's). */
static const __u32 bnft_sctp_timeouts[9] = {
	10, 10, 3, 3, 210, 3, 3, 3, 30,
};

/* sctp_new_state(): -1 for a chunk type that keeps the state */
static __always_inline int ct_sctp_index(__u8 type)
{
	switch (type) {
	case SCID_INIT: return 0;
	case SCID_INIT_ACK: return 1;
	case SCID_ABORT: return 2;
	case SCID_SHUTDOWN: return 3;
	case SCID_SHUTDOWN_ACK: return 4;
	case SCID_ERROR: return 5;
	case SCID_COOKIE_ECHO: return 6;
	case SCID_COOKIE_ACK: return 7;
	case SCID_SHUTDOWN_COMPLETE: return 8;
	case SCID_HEARTBEAT: return 9;
	case SCID_HEARTBEAT_ACK: return 10;
	}
	return -1;
}

static __always_inline __u32 ct_sctp_next(__u32 dir, __u8 type, __u32 cur)
{
	int i = ct_sctp_index(type);

	if (i < 0)
		return cur;
	if (cur > SC_HS)
		return SC_IV;
	return bnft_sctp_conntracks[dir & 1][i > 10 ? 10 : i][cur];
}

/*
 * Reads the common header and up to CT_SCTP_CHUNKS chunk headers
 * (do_basic_checks): a zero-length chunk, COOKIE ECHO/ACK not first, or
 * anything after INIT / INIT ACK / SHUTDOWN COMPLETE is bad, and so is a
 * packet without chunks. end: the end of the IP packet from skb->data.
 */
static __always_inline int ct_sctp_read(struct __sk_buff *skb, __u32 thoff, __u32 end,
					struct ct_sctp *s, __u16 *sport, __u16 *dport)
{
	__u32 hdr[3], off = thoff + 12;
	__u8 flag = 0;
	int i;

	if (bpf_skb_load_bytes(skb, thoff, hdr, sizeof(hdr)) < 0)
		return -1;
	*sport = ((__u16 *)hdr)[0];
	*dport = ((__u16 *)hdr)[1];
	s->vtag = hdr[1];
#pragma unroll
	for (i = 0; i < CT_SCTP_CHUNKS; i++) {
		__u8 ch[8];
		__u16 len;

		if (off + 4 > end || bpf_skb_load_bytes(skb, off, ch, 4) < 0)
			break;
		len = (__u16)ch[2] << 8 | ch[3];
		if (ch[0] == SCID_INIT || ch[0] == SCID_INIT_ACK ||
		    ch[0] == SCID_SHUTDOWN_COMPLETE)
			flag = 1;
		if (((ch[0] == SCID_COOKIE_ACK || ch[0] == SCID_COOKIE_ECHO || flag) && i) || !len)
			s->bad = 1;
		s->type[i] = ch[0];
		s->flags[i] = ch[1];
		if (ch[0] < 32)
			s->map |= SCB(ch[0]);
		if ((ch[0] == SCID_INIT || ch[0] == SCID_INIT_ACK) && !s->init_tag) {
			if (bpf_skb_load_bytes(skb, off + 4, &s->init_tag, 4) < 0)
				s->bad = 1;
		}
		s->n = i + 1;
		off += ((__u32)len + 3) & ~3u;
	}
	if (!s->n)
		s->bad = 1;
	return 0;
}

/* nf_conntrack_sctp_packet() (with sctp_new() for an unconfirmed entry). */
static __always_inline int ct_sctp_packet(struct bnft_ct_entry *e, const struct ct_sctp *s,
					  __u32 dir, __u32 confirmed, __u64 now)
{
	__u32 d = dir & 1, o = !d, old = SC_NO, ns = SC_NO;
	int i, ignore = 0;

	if (s->bad)
		return CT_INVALID;
	if (!confirmed) {
		if (s->map & (SCB(SCID_ABORT) | SCB(SCID_SHUTDOWN_COMPLETE) | SCB(SCID_COOKIE_ACK)))
			return CT_INVALID;
		e->seen[0].td_end = e->seen[1].td_end = 0;
		e->seen[0].flags = e->seen[1].flags = 0;
		e->last_flags = 0;
		e->last_dir = 0;
#pragma unroll
		for (i = 0; i < CT_SCTP_CHUNKS; i++) {
			__u32 st;

			if (i >= s->n)
				break;
			st = ct_sctp_next(0, s->type[i], SC_NO);
			if (st == SC_NO || st == SC_IV)
				return CT_INVALID;
			if (s->type[i] == SCID_INIT) {
				if (s->vtag)
					return CT_INVALID;
				e->seen[1].td_end = s->init_tag;
			} else if (s->type[i] == SCID_HEARTBEAT) {
				e->seen[0].td_end = s->vtag;
			} else {
				e->seen[1].td_end = s->vtag;
			}
		}
		e->tcp_state = SC_NO;
	}
	/* the verification tag (8.5) */
	if (!(s->map & (SCB(SCID_INIT) | SCB(SCID_SHUTDOWN_COMPLETE) | SCB(SCID_COOKIE_ECHO) |
			SCB(SCID_ABORT) | SCB(SCID_SHUTDOWN_ACK) | SCB(SCID_HEARTBEAT) |
			SCB(SCID_HEARTBEAT_ACK))) &&
	    s->vtag != e->seen[d].td_end)
		return CT_INVALID;
#pragma unroll
	for (i = 0; i < CT_SCTP_CHUNKS; i++) {
		__u8 t;

		if (i >= s->n)
			break;
		t = s->type[i];
		if (t == SCID_INIT) {
			if (s->vtag)
				return CT_INVALID;
		} else if (t == SCID_ABORT || t == SCID_SHUTDOWN_COMPLETE) {
			/* own vtag, or the peer's with the T bit */
			if (s->vtag != e->seen[(s->flags[i] & 1) ? o : d].td_end)
				return CT_INVALID;
		} else if (t == SCID_COOKIE_ECHO) {
			if (s->vtag != e->seen[d].td_end)
				return CT_INVALID;
		} else if (t == SCID_COOKIE_ACK) {
			e->seen[0].flags &= ~CT_SCTP_INIT;
			e->seen[1].flags &= ~CT_SCTP_INIT;
		} else if (t == SCID_HEARTBEAT) {
			if (!e->seen[d].td_end) {
				e->seen[d].td_end = s->vtag;
			} else if (s->vtag != e->seen[d].td_end) {
				if ((s->map & SCB(SCID_DATA)) || ignore)
					return CT_INVALID;
				e->last_flags |= CT_SCTP_HB_FAILED;
				e->last_dir = d;
				ignore = 1;
				continue;
			} else if (e->last_flags & CT_SCTP_HB_FAILED) {
				e->last_flags &= ~CT_SCTP_HB_FAILED;
			}
		} else if (t == SCID_HEARTBEAT_ACK) {
			if (!e->seen[d].td_end) {
				e->seen[d].td_end = s->vtag;
			} else if (s->vtag != e->seen[d].td_end) {
				if ((s->map & SCB(SCID_DATA)) || ignore)
					return CT_INVALID;
				if (!(e->last_flags & CT_SCTP_HB_FAILED) || e->last_dir == d)
					return CT_INVALID;
				e->last_flags &= ~CT_SCTP_HB_FAILED;
				e->seen[d].td_end = s->vtag;
				e->seen[o].td_end = 0;
			} else if (e->last_flags & CT_SCTP_HB_FAILED) {
				e->last_flags &= ~CT_SCTP_HB_FAILED;
			}
		}
		old = e->tcp_state;
		ns = ct_sctp_next(d, t, old);
		if (ns == SC_IV)
			return CT_INVALID;
		if (t == SCID_INIT) {
			if ((e->seen[d].flags & CT_SCTP_INIT) && (e->seen[o].flags & CT_SCTP_INIT))
				e->seen[o].flags &= ~CT_SCTP_INIT;
			e->seen[d].flags |= CT_SCTP_INIT;
			e->seen[o].td_end = s->init_tag;
			/* an INIT retransmit in CLOSED does not renew the timeout */
			if (ns == SC_CL && old == SC_CL && confirmed)
				ignore = 1;
		} else if (t == SCID_INIT_ACK) {
			__u32 v = e->seen[o].td_end;

			if (!(e->seen[o].flags & CT_SCTP_INIT) && v && v != s->init_tag)
				return CT_INVALID;
			if ((e->seen[d].flags & CT_SCTP_INIT) && (e->seen[o].flags & CT_SCTP_INIT) &&
			    v != s->init_tag)
				return CT_INVALID;
			e->seen[o].td_end = s->init_tag;
		}
		e->tcp_state = ns;
		if (old != ns && ns == SC_ES)
			e->status |= BNFT_IPS_ASSURED;
	}
	if (ignore)
		return CT_OK;
	e->expires = now + (__u64)bnft_sctp_timeouts[ns < 9 ? ns : 0] * CT_NSEC;
	return CT_OK;
}

#endif
