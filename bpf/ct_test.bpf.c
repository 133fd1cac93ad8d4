// SPDX-License-Identifier: GPL-2.0
/*
 * Test harness for bpf/lib/ct.h and bpf/lib/reject.h, driven by
 * tests/unit/test_ct*.c and test_reject*.c through BPF_PROG_TEST_RUN.
 * Not attached anywhere by bnft itself.
 *
 * ct_test: skb->cb[0] = BNFT_CT_HOOK_*, cb[1] = CTT_* actions, cb[2] = mark
 * for CTT_SET_MARK. The per-packet result is copied to ct_test_out[0].
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/abi.h"
#define BNFT_PARSE_HELPER_ONLY /* lib/parse.h */
#include "lib/parse.h"
#include "lib/ct.h"

char LICENSE[] SEC("license") = "GPL";

#define CTT_ACCEPT 0x1	/* confirm at the end (verdict accept) */
#define CTT_SET_MARK 0x2
#define CTT_NOTRACK 0x4

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bnft_ct_pkt);
} ct_test_out SEC(".maps");

static __always_inline void test_parse(struct __sk_buff *skb, struct bnft_pinfo *pi)
{
	struct ipv6hdr ip6h;
	struct iphdr iph;

	pi->nhoff = ETH_HLEN;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		pi->nfproto = NFPROTO_IPV4;
		parse_ipv4(skb, pi, &iph);
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		pi->nfproto = NFPROTO_IPV6;
		parse_ipv6(skb, pi, &ip6h);
	}
}

SEC("tc")
int ct_test(struct __sk_buff *skb)
{
	struct bnft_pinfo pi = {};
	struct bnft_ct_pkt *p, *out;
	__u32 hook = skb->cb[0], act = skb->cb[1], zero = 0;

	if (hook > BNFT_CT_HOOK_FWD)
		return TC_ACT_SHOT;
	test_parse(skb, &pi);
	p = bnft_ct_process(skb, &pi, hook);
	if (!p)
		return TC_ACT_SHOT;
	if (act & CTT_NOTRACK)
		bnft_ct_notrack(p);
	if (act & CTT_SET_MARK)
		bnft_ct_set_mark(p, skb->cb[2]);
	out = bpf_map_lookup_elem(&ct_test_out, &zero);
	if (out)
		__builtin_memcpy(out, p, sizeof(*out));
	if (!(act & CTT_ACCEPT))
		return TC_ACT_SHOT;
	bnft_ct_confirm(p);
	return TC_ACT_OK;
}

/* ---- reject -------------------------------------------------------- */
#include "lib/reject.h"
#include "lib/ct_progs.h"

/* The fixed tail-call programs of ct_progs.h, loaded here so that the
 * verifier checks them with every test run. */
SEC("tc")
int ct_accept_prog(struct __sk_buff *skb)
{
	return bnft_ct_accept_body(skb);
}

SEC("tc")
int reject_prog(struct __sk_buff *skb)
{
	return bnft_reject_body(skb);
}

struct reject_test_cfg {
	__u32 type;	/* BNFT_REJECT_* */
	__u32 code;
	__u32 flags;	/* BNFT_REJECT_F_* */
	__u32 l4proto;	/* only packets of this protocol ... */
	__u32 dport;	/* ... to this port (host order) are rejected */
	__u32 hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct reject_test_cfg);
} reject_test_cfg SEC(".maps");

SEC("tc")
int reject_test(struct __sk_buff *skb)
{
	struct reject_test_cfg *cfg;
	struct bnft_pinfo pi = {};
	__u32 zero = 0;
	__u16 ports[2];

	cfg = bpf_map_lookup_elem(&reject_test_cfg, &zero);
	if (!cfg)
		return TC_ACT_OK;
	test_parse(skb, &pi);
	if (!(pi.flags & BNFT_PF_L4) || pi.l4proto != cfg->l4proto || (pi.flags & BNFT_PF_FRAG))
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, pi.thoff, ports, sizeof(ports)) < 0)
		return TC_ACT_OK;
	if (bpf_ntohs(ports[1]) != cfg->dport)
		return TC_ACT_OK;
	__sync_fetch_and_add(&cfg->hits, 1);
	/* at egress (local sender) the reply goes back into this host */
	return bnft_reject(skb, &pi, cfg->type, cfg->code,
			   cfg->flags | (skb->ingress_ifindex ? 0 : BNFT_REJECT_F_LOCAL));
}

/* ---- limit / quota ---------------------------------------------------- */
#include "lib/limit.h"

struct limit_test_cfg {
	struct bnft_limit_params lp;
	__u32 mode;	/* 0 limit, 1 quota */
	__u32 dport;	/* UDP destination port evaluated (host order) */
	__u32 total;
	__u32 matched;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct limit_test_cfg);
} limit_test_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bnft_limit_state);
} limit_test_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bnft_quota_state);
} quota_test_state SEC(".maps");

SEC("tc")
int limit_test(struct __sk_buff *skb)
{
	struct limit_test_cfg *cfg;
	struct bnft_limit_state *ls;
	struct bnft_quota_state *qs;
	struct bnft_pinfo pi = {};
	__u32 zero = 0, len;
	__u16 ports[2];
	int ok;

	cfg = bpf_map_lookup_elem(&limit_test_cfg, &zero);
	ls = bpf_map_lookup_elem(&limit_test_state, &zero);
	qs = bpf_map_lookup_elem(&quota_test_state, &zero);
	if (!cfg || !ls || !qs)
		return TC_ACT_OK;
	test_parse(skb, &pi);
	if (!(pi.flags & BNFT_PF_L4) || pi.l4proto != IPPROTO_UDP)
		return TC_ACT_OK;
	if (bpf_skb_load_bytes(skb, pi.thoff, ports, sizeof(ports)) < 0 ||
	    bpf_ntohs(ports[1]) != cfg->dport)
		return TC_ACT_OK;
	len = skb->len - pi.nhoff;
	ok = cfg->mode ? bnft_quota_eval(qs, len) : bnft_limit_eval(ls, &cfg->lp, len);
	__sync_fetch_and_add(&cfg->total, 1);
	if (ok)
		__sync_fetch_and_add(&cfg->matched, 1);
	return TC_ACT_SHOT;
}

/* ---- log -------------------------------------------------------------- */
#include "lib/log.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bnft_log_args);
} log_test_args SEC(".maps");

SEC("tc")
int log_test(struct __sk_buff *skb)
{
	struct bnft_log_args *a;
	struct bnft_pinfo pi = {};
	__u32 zero = 0;

	a = bpf_map_lookup_elem(&log_test_args, &zero);
	if (!a)
		return TC_ACT_SHOT;
	test_parse(skb, &pi);
	if (bnft_log_emit(skb, a, pi.nhoff, (pi.flags & BNFT_PF_L4) ? pi.thoff : 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}
