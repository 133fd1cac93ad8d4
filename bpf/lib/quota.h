/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stateful objects of generated code (translator/codegen_obj.c): named
 * counters, named quotas and the quotas of rules, one ARRAY map per
 * generation named "bnft_obj" (a set map of the generation, pinned as
 * g<N>/s<i>). Each value carries its state and its identity, so a listing
 * reads live values from the pins alone (bnft_live_refresh_objects()).
 *
 * Generated code updates v0/v1 with atomic adds:
 *   counter: v0 += 1, v1 += len
 *   quota:   consumed = (v1 += len); over = consumed > v0 (nft_quota.c,
 *            nft_overquota(): atomic64_add_return then `>`); `quota N`
 *            goes on while !over, `quota over N` while over. Bytes are
 *            counted whatever the verdict, as the kernel does.
 * len is skb->len at the hook: the L3 length (TC: skb->len minus the link
 * header), the whole frame at netdev egress.
 * Named limits live in bnft_limits (bpf/lib/limit.h), one slot per object.
 */
#ifndef BNFT_BPF_QUOTA_H
#define BNFT_BPF_QUOTA_H

#include <linux/types.h>

#define BNFT_OBJ_MAP "bnft_obj"
#define BNFT_OBJ_NAMELEN 128

/* kind */
#define BNFT_OBJ_COUNTER 1	/* named counter: v0 packets, v1 bytes */
#define BNFT_OBJ_QUOTA 2	/* named quota: v0 quota, v1 consumed */
#define BNFT_OBJ_RULE_QUOTA 3	/* quota statement of a rule (chain, handle, nth) */

#define BNFT_OBJ_F_INV 0x1	/* quota over */

struct bnft_obj {
	__u64 v0;
	__u64 v1;
	__u32 kind;
	__u32 flags;
	__u32 family;
	__u32 nth;	/* rule quota: index among the rule's quota statements */
	__u64 handle;	/* rule quota: rule handle */
	char table[BNFT_OBJ_NAMELEN];
	char name[BNFT_OBJ_NAMELEN];	/* object name, or the rule's chain */
};

#endif
