/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nft `limit` and `quota` as net/netfilter/nft_limit.c and nft_quota.c
 * compute them. Usable from BPF C and from user space (the parameter
 * computation is plain C; the loader/codegen calls
 * bnft_limit_params_init() with the NFTNL_EXPR_LIMIT_* attributes).
 *
 * limit: a token bucket in nanoseconds of credit.
 *   packets: cost = unit * 1e9 / rate, bucket = cost * burst (burst 0 ->
 *            5, NFT_LIMIT_PKT_BURST_DEFAULT)
 *   bytes:   cost = unit * 1e9 * len / rate, bucket = unit * 1e9 *
 *            (rate + burst) / rate
 *   per packet: tokens = min(tokens + now - last, bucket); last = now;
 *   if tokens >= cost: tokens -= cost, the rule goes on (`limit rate`) or
 *   stops (`limit rate over`); else the opposite.
 *   State starts full (tokens = bucket, last = load time) and is per rule
 *   expression (per named limit object), so a new ruleset starts afresh,
 *   as in the kernel where every rule of a new transaction is new.
 * quota: consumed += len; over = consumed > quota (`>` as measured on the
 *   6.18 kernel here; older kernels used `>=`); `quota N` goes on while
 *   !over, `quota over N` while over.
 * len is the packet's L3 length (the kernel's skb->len at its hooks), i.e.
 * skb->len - network header offset on TC.
 */
#ifndef BNFT_BPF_LIMIT_H
#define BNFT_BPF_LIMIT_H

#include <linux/types.h>
#include <linux/errno.h>

#define BNFT_LIMIT_PKTS 0	/* NFT_LIMIT_PKTS */
#define BNFT_LIMIT_BYTES 1	/* NFT_LIMIT_PKT_BYTES */
#define BNFT_LIMIT_F_INV 0x1	/* NFT_LIMIT_F_INV: `over` */
#define BNFT_QUOTA_F_INV 0x1	/* NFT_QUOTA_F_INV: `over` */
#define BNFT_LIMIT_PKT_BURST_DEFAULT 5

/* Constant per expression (the kernel's nft_limit_priv). */
struct bnft_limit_params {
	__u64 tokens_max;
	__u64 cost;	/* packets: ns per packet */
	__u64 nsecs;	/* unit in ns */
	__u64 rate;
	__u32 bytes;	/* BNFT_LIMIT_BYTES */
	__u32 invert;
};

/* Mutable per expression: value of an ARRAY map (one slot per limit), so
 * the spin lock is allowed. */
#ifdef __BPF__
struct bnft_limit_state {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 last;
	__u64 tokens;
};
#else
struct bnft_limit_state {
	__u32 lock;	/* struct bpf_spin_lock */
	__u32 pad;
	__u64 last;
	__u64 tokens;
};
#endif

struct bnft_quota_state {
	__u64 quota;
	__u64 consumed;	/* NFTA_QUOTA_CONSUMED, `used` */
	__u32 invert;
	__u32 pad;
};

/* nft_limit_init(): 0, -EINVAL (rate 0) or -EOVERFLOW. */
static inline int bnft_limit_params_init(struct bnft_limit_params *p, __u64 rate, __u64 unit,
					 __u32 burst, __u32 type, __u32 flags)
{
	__u64 nsecs, rate_with_burst, tokens;

	if (!rate)
		return -EINVAL;
	if (__builtin_mul_overflow(unit, 1000000000ULL, &nsecs))
		return -EOVERFLOW;
	if (type == BNFT_LIMIT_PKTS && burst == 0)
		burst = BNFT_LIMIT_PKT_BURST_DEFAULT;
	if (__builtin_add_overflow(rate, (__u64)burst, &rate_with_burst))
		return -EOVERFLOW;
	if (type == BNFT_LIMIT_PKTS) {
		if (__builtin_mul_overflow(nsecs / rate, (__u64)burst, &tokens))
			return -EOVERFLOW;
	} else {
		__u64 tmp;

		if (__builtin_mul_overflow(nsecs, rate_with_burst, &tmp))
			return -EOVERFLOW;
		tokens = tmp / rate;
	}
	if (flags & ~BNFT_LIMIT_F_INV)
		return -EOPNOTSUPP;
	p->tokens_max = tokens;
	p->nsecs = nsecs;
	p->rate = rate;
	p->cost = nsecs / rate;
	p->bytes = type == BNFT_LIMIT_BYTES;
	p->invert = !!(flags & BNFT_LIMIT_F_INV);
	return 0;
}

/* Initial state: full bucket; now = CLOCK_MONOTONIC ns of the load. */
static inline void bnft_limit_state_init(struct bnft_limit_state *s,
					 const struct bnft_limit_params *p, __u64 now)
{
	s->last = now;
	s->tokens = p->tokens_max;
}

#ifdef __BPF__
#include <bpf/bpf_helpers.h>

/* nft_limit_eval(): 1 when the rule goes on, 0 on NFT_BREAK. */
static __always_inline int bnft_limit_eval(struct bnft_limit_state *s,
					   const struct bnft_limit_params *p, __u32 len)
{
	__u64 cost = p->cost, now, tokens;
	__s64 delta;
	int ok;

	if (p->bytes)
		cost = p->nsecs * len / p->rate;
	/* no helper calls under a BPF spin lock: the clock is read just
	 * before; a CPU that read it earlier must not move last backwards */
	now = bpf_ktime_get_ns();
	bpf_spin_lock(&s->lock);
	if ((__s64)(now - s->last) < 0)
		now = s->last;
	tokens = s->tokens + now - s->last;
	if (tokens > p->tokens_max)
		tokens = p->tokens_max;
	s->last = now;
	delta = tokens - cost;
	if (delta >= 0) {
		s->tokens = delta;
		ok = 1;
	} else {
		s->tokens = tokens;
		ok = 0;
	}
	bpf_spin_unlock(&s->lock);
	return ok ^ p->invert;
}

/* nft_quota_do_eval(): 1 when the rule goes on, 0 on NFT_BREAK. */
static __always_inline int bnft_quota_eval(struct bnft_quota_state *q, __u32 len)
{
	__u64 consumed;

	/* atomic add; the re-read may see another CPU's add too (BPF v1
	 * has no fetching add) */
	__sync_fetch_and_add(&q->consumed, len);
	consumed = q->consumed;
	return !((consumed > q->quota) ^ !!q->invert);
}
#endif

#endif
