/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Glue between the fixed entry programs, the generated rule programs and
 * the stateful helpers (ct.h, reject.h). Include once in the entry object
 * (bpf/bnft_entry.bpf.c) and wrap the bodies in SEC("tc") programs that
 * the loader puts into fixed slots of bnft_progs (see bpf/lib/CT.md):
 *
 *   SEC("tc") int bnft_ct_accept(struct __sk_buff *skb)
 *   { return bnft_ct_accept_body(skb); }
 *   SEC("tc") int bnft_reject(struct __sk_buff *skb)
 *   { return bnft_reject_body(skb); }
 *
 * and, in bnft_entry() after parsing, when the generation uses conntrack:
 *
 *   bnft_ct_entry_hook(skb, &pi, egress);
 */
#ifndef BNFT_BPF_CT_PROGS_H
#define BNFT_BPF_CT_PROGS_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "lib/abi.h"
#include "lib/parse.h"
#include "lib/ct.h"
#include "lib/reject.h"

/* skb->cb word the generated code fills before tail-calling the reject
 * program: bits 0-7 BNFT_REJECT_* type, 8-15 code, 16-23 BNFT_REJECT_F_*.
 * (A proposal: cb[3] and cb[4] belong to generated code per abi.h.) */
#ifndef BNFT_CB_REJECT
#define BNFT_CB_REJECT 4
#endif

/* The header view the entry program left in skb->cb (abi.h layout). */
static __always_inline void bnft_pinfo_from_cb(const struct __sk_buff *skb,
					       struct bnft_pinfo *pi)
{
	__u32 offs = skb->cb[BNFT_CB_OFFS], info = skb->cb[BNFT_CB_INFO];

	pi->nhoff = offs & 0xffff;
	pi->thoff = offs >> 16;
	pi->l4proto = info & 0xff;
	pi->nfproto = (info >> 8) & 0xff;
	pi->flags = (info >> 16) & 0xff;
	pi->rclass = info >> 24;
	pi->oif = skb->cb[BNFT_CB_OIF];
}

/* Conntrack hook of a TC attach point: ingress = PRE_ROUTING, egress of a
 * locally generated packet = LOCAL_OUT, egress of a forwarded one =
 * classify only (it was tracked at ingress). */
static __always_inline int bnft_ct_key_eq(const struct bnft_ct_key *a, const struct bnft_ct_key *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	int i;

#pragma unroll
	for (i = 0; i < (int)(sizeof(*a) / 4); i++)
		if (x[i] != y[i])
			return 0;
	return 1;
}

/*
 * Egress of a forwarded packet: its ingress run left its result in the
 * ingress slot of this CPU (the forward path runs in the same softirq,
 * TC ingress -> ip_forward -> TC egress). A notrack there makes it
 * untracked here too; a new flow deferred there (BNFT_CTP_DEFER) is
 * confirmed here, with the template of ingress (ct mark set there).
 */
static __always_inline void bnft_ct_fwd_from_ingress(struct bnft_ct_pkt *p)
{
	struct bnft_ct_pkt *q = bnft_ct_pkt_get(0);

	if (!q || !(q->flags & (BNFT_CTP_NOTRACK | BNFT_CTP_DEFER)) ||
	    !bnft_ct_key_eq(&q->key, &p->key))
		return;
	if (q->flags & BNFT_CTP_NOTRACK) {
		bnft_ct_notrack(p);
		return;
	}
	if (!(p->flags & BNFT_CTP_PENDING))
		return;
	__builtin_memcpy(&p->newent, &q->newent, sizeof(p->newent));
	p->mark = q->newent.mark;
	p->flags |= q->flags & BNFT_CTP_MARK_SET;
	q->flags &= ~BNFT_CTP_DEFER;
}

static __always_inline struct bnft_ct_pkt *bnft_ct_entry_hook(struct __sk_buff *skb,
							      const struct bnft_pinfo *pi,
							      int egress)
{
	__u32 hook = BNFT_CT_HOOK_PRE;
	struct bnft_ct_pkt *p;

	if (egress)
		hook = skb->ingress_ifindex ? BNFT_CT_HOOK_FWD : BNFT_CT_HOOK_OUT;
	p = bnft_ct_process(skb, pi, hook);
	if (!p)
		return p;
	if (hook == BNFT_CT_HOOK_PRE && (p->flags & BNFT_CTP_PENDING) &&
	    pi->rclass == BNFT_RC_FORWARD)
		p->flags |= BNFT_CTP_DEFER;
	else if (hook == BNFT_CT_HOOK_FWD)
		bnft_ct_fwd_from_ingress(p);
	return p;
}

/* Tail-called on accept at the end of a generated program: confirms a
 * new flow (creates its entry) and lets the packet pass. */
static __always_inline int bnft_ct_accept_body(struct __sk_buff *skb)
{
	int egress = (skb->cb[BNFT_CB_INFO] >> 16) & BNFT_PF_EGRESS;
	struct bnft_ct_pkt *p = bnft_ct_pkt_get(egress);

	if (p)
		bnft_ct_confirm(p);
	return TC_ACT_OK;
}

/* Tail-called by a `reject` statement: builds and sends the reply; the
 * packet itself is consumed, so no conntrack entry is created. */
static __always_inline int bnft_reject_body(struct __sk_buff *skb)
{
	struct bnft_pinfo pi = {};
	__u32 a = skb->cb[BNFT_CB_REJECT];

	__u32 flags = (a >> 16) & 0xff;

	bnft_pinfo_from_cb(skb, &pi);
	if (pi.flags & BNFT_PF_EGRESS)
		flags |= BNFT_REJECT_F_LOCAL;
	return bnft_reject(skb, &pi, a & 0xff, (a >> 8) & 0xff, flags);
}

#endif
