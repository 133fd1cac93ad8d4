// SPDX-License-Identifier: GPL-2.0
/*
 * Codegen on hand-built IR (libnftnl objects as nft would lower them),
 * executed by the kernel with BPF_PROG_TEST_RUN through the real entry
 * program. Runs in a private network namespace.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "test_codegen_lib.h"
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

static struct bnft_ir *ir;
static struct bnft_live *lv;
static uint64_t next_handle = 10;

static int setup(void **state)
{
	(void)state;
	next_handle = 10;
	return bnft_ir_new(&ir);
}

static int teardown(void **state)
{
	(void)state;
	bnft_ir_free(&ir);
	return 0;
}

static void add_chain(uint32_t fam, const char *table, const char *name, int hook, int prio,
		      int policy)
{
	struct nftnl_chain *c = nftnl_chain_alloc();

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, fam);
	if (hook >= 0) {
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, (uint32_t)policy);
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	}
	nftnl_chain_list_add_tail(c, ir->chains);
}

static struct nftnl_rule *rule(uint32_t fam, const char *table, const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, fam);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, next_handle++);
	nftnl_rule_list_add_tail(r, ir->rules);
	return r;
}

static struct nftnl_expr *expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	nftnl_rule_add_expr(r, e);
	return e;
}

static void payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = expr(r, "payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
}

static void meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = expr(r, "meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

static void cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr(r, "cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static void cmp8(struct nftnl_rule *r, uint8_t v)
{
	cmp(r, NFT_CMP_EQ, &v, 1);
}

static void cmp16be(struct nftnl_rule *r, uint32_t op, uint16_t v)
{
	uint16_t be = htons(v);

	cmp(r, op, &be, 2);
}

static void bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	struct nftnl_expr *e = expr(r, "bitwise");
	uint8_t zero[16] = { 0 };

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

static void verdict(struct nftnl_rule *r, int v, const char *chain)
{
	struct nftnl_expr *e = expr(r, "immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}

static struct nftnl_expr *counter(struct nftnl_rule *r)
{
	return expr(r, "counter");
}

static void l4(struct nftnl_rule *r, uint8_t proto)
{
	meta(r, NFT_META_L4PROTO);
	cmp8(r, proto);
}

static void dport(struct nftnl_rule *r)
{
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
}

/* An anonymous set of 16-bit ports, or an interval set when ranges. */
static struct nftnl_set *port_set(uint32_t fam, const char *table, const char *name,
				  const uint16_t *ports, size_t n, bool interval)
{
	struct nftnl_set *s = nftnl_set_alloc();
	size_t i;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, fam);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 2);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS,
			  NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | (interval ? NFT_SET_INTERVAL : 0));
	/* interval: ports are [start, end) pairs, end flagged */
	for (i = 0; i < n; i++) {
		struct nftnl_set_elem *el = nftnl_set_elem_alloc();
		uint16_t be = htons(ports[i]);

		nftnl_set_elem_set(el, NFTNL_SET_ELEM_KEY, &be, 2);
		if (interval && (i & 1))
			nftnl_set_elem_set_u32(el, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
		nftnl_set_elem_add(s, el);
	}
	nftnl_set_list_add_tail(s, ir->sets);
	return s;
}

static void lookup(struct nftnl_rule *r, const char *set, bool inv, bool vmap)
{
	struct nftnl_expr *e = expr(r, "lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	if (inv)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	if (vmap)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
}

static void load_ok(void)
{
	struct bnft_err e;
	int err = tl_load(ir, &lv, &e);

	if (err)
		fprintf(stderr, "load: %d %s\n", err, e.msg);
	assert_int_equal(err, 0);
}

static int tcp4(const char *src, uint16_t dp)
{
	struct tl_pkt p;

	tl_ip4(&p, src, "127.0.0.1", IPPROTO_TCP, 40000, dp, 0);
	return tl_run(lv, &p, false, 1);
}

/* tcp dport 22 accept; policy drop (input, lo destination). */
static void test_tcp_dport_policy_drop(void **state)
{
	struct nftnl_rule *r;
	struct tl_pkt p;

	(void)state;
	add_chain(NFPROTO_IPV4, "filter", "input", NF_INET_LOCAL_IN, 0, NF_DROP);
	r = rule(NFPROTO_IPV4, "filter", "input");
	l4(r, IPPROTO_TCP);
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 22);
	verdict(r, NF_ACCEPT, NULL);
	load_ok();
	assert_int_equal(tcp4("10.1.1.1", 22), ACC);
	assert_int_equal(tcp4("10.1.1.1", 23), DRP);
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_UDP, 40000, 22, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	/* ip chain: IPv6 untouched */
	tl_ip6(&p, "::1", "::1", IPPROTO_TCP, 1, 23, NULL, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	/* IPv4 input judges datagrams: the first fragment (MF, offset 0)
	 * stands for it, later fragments of a datagram not judged yet pass
	 * (the kernel reassembles before LOCAL_IN and never completes a
	 * datagram whose head was dropped). A datagram is (saddr, daddr, id,
	 * protocol), as in ip_defrag: each one gets its own id here
	 * (translator/codegen_frag.c). */
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_TCP, 40000, 23, 0x2000);
	p.b[14 + 5] = 1;
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_TCP, 40000, 22, 0x2000);
	p.b[14 + 5] = 2;
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_TCP, 40000, 23, 100);
	p.b[14 + 5] = 3;
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
}

/* ip saddr 10.0.0.0/8 drop via bitwise + cmp; policy accept. */
static void test_prefix_bitwise(void **state)
{
	uint8_t mask[4] = { 255, 0, 0, 0 }, net[4] = { 10, 0, 0, 0 };
	struct nftnl_rule *r;

	(void)state;
	add_chain(NFPROTO_IPV4, "filter", "pre", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	r = rule(NFPROTO_IPV4, "filter", "pre");
	payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	bitwise(r, mask, 4);
	cmp(r, NFT_CMP_EQ, net, 4);
	verdict(r, NF_DROP, NULL);
	load_ok();
	assert_int_equal(tcp4("10.200.1.1", 1), DRP);
	assert_int_equal(tcp4("11.0.0.1", 1), ACC);
	assert_int_equal(tcp4("9.255.255.255", 1), ACC);
}

/* Prerouting sees every fragment; a later one has no transport header,
 * but the kernel's fast payload path (2 aligned bytes) reads its data at
 * the transport offset anyway (translator/codegen_frag.c). */
static void test_fragment_prerouting(void **state)
{
	struct nftnl_rule *r;
	struct tl_pkt p;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "pre", NF_INET_PRE_ROUTING, 0, NF_DROP);
	r = rule(NFPROTO_IPV4, "t", "pre");
	l4(r, IPPROTO_TCP);
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 22);
	verdict(r, NF_ACCEPT, NULL);
	load_ok();
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_TCP, 40000, 22, 0x2000);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_TCP, 40000, 23, 100);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip4(&p, "10.1.1.1", "127.0.0.1", IPPROTO_TCP, 40000, 22, 100);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
}

/* neq, lt/gt ordering on multi-byte big-endian values, range expr. */
static void test_cmp_ops_and_range(void **state)
{
	struct nftnl_rule *r;
	struct nftnl_expr *e;
	uint16_t lo = htons(1000), hi = htons(2000);

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "c", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	r = rule(NFPROTO_IPV4, "t", "c"); /* tcp dport 1000-2000 drop */
	l4(r, IPPROTO_TCP);
	dport(r);
	e = expr(r, "range");
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, NFT_RANGE_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &lo, 2);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &hi, 2);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "t", "c"); /* tcp dport > 60000 drop */
	l4(r, IPPROTO_TCP);
	dport(r);
	cmp16be(r, NFT_CMP_GT, 60000);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "t", "c"); /* tcp dport < 5 drop */
	l4(r, IPPROTO_TCP);
	dport(r);
	cmp16be(r, NFT_CMP_LT, 5);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "t", "c"); /* tcp dport != 7 accept, 7 falls to drop */
	l4(r, IPPROTO_TCP);
	dport(r);
	cmp16be(r, NFT_CMP_NEQ, 7);
	verdict(r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_IPV4, "t", "c");
	verdict(r, NF_DROP, NULL);
	load_ok();
	assert_int_equal(tcp4("1.1.1.1", 999), ACC);
	assert_int_equal(tcp4("1.1.1.1", 1000), DRP);
	assert_int_equal(tcp4("1.1.1.1", 1500), DRP);
	assert_int_equal(tcp4("1.1.1.1", 2000), DRP);
	assert_int_equal(tcp4("1.1.1.1", 2001), ACC);
	assert_int_equal(tcp4("1.1.1.1", 256), ACC); /* byte order: 0x0100 */
	assert_int_equal(tcp4("1.1.1.1", 60000), ACC);
	assert_int_equal(tcp4("1.1.1.1", 60001), DRP);
	assert_int_equal(tcp4("1.1.1.1", 4), DRP);
	assert_int_equal(tcp4("1.1.1.1", 5), ACC);
	assert_int_equal(tcp4("1.1.1.1", 7), DRP);
}

/* tcp dport { 22, 80, 443 } accept, then != set drop. */
static void test_anon_set(void **state)
{
	static const uint16_t ports[] = { 22, 80, 443 };
	struct nftnl_rule *r;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "c", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	port_set(NFPROTO_IPV4, "t", "__set0", ports, 3, false);
	r = rule(NFPROTO_IPV4, "t", "c");
	l4(r, IPPROTO_TCP);
	dport(r);
	lookup(r, "__set0", true, false);
	verdict(r, NF_DROP, NULL);
	load_ok();
	assert_int_equal(tcp4("1.1.1.1", 22), ACC);
	assert_int_equal(tcp4("1.1.1.1", 80), ACC);
	assert_int_equal(tcp4("1.1.1.1", 443), ACC);
	assert_int_equal(tcp4("1.1.1.1", 444), DRP);
	assert_int_equal(tcp4("1.1.1.1", 0), DRP);
}

/* Interval set with ranges that are not prefixes -> LPM. */
static void test_interval_set(void **state)
{
	/* [100, 201) [1000, 1001) [65000, -) */
	static const uint16_t iv[] = { 100, 201, 1000, 1001, 65000 };
	struct nftnl_rule *r;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "c", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	port_set(NFPROTO_IPV4, "t", "__set1", iv, 5, true);
	r = rule(NFPROTO_IPV4, "t", "c");
	l4(r, IPPROTO_TCP);
	dport(r);
	lookup(r, "__set1", false, false);
	verdict(r, NF_DROP, NULL);
	load_ok();
	assert_int_equal(tcp4("1.1.1.1", 99), ACC);
	assert_int_equal(tcp4("1.1.1.1", 100), DRP);
	assert_int_equal(tcp4("1.1.1.1", 157), DRP);
	assert_int_equal(tcp4("1.1.1.1", 200), DRP);
	assert_int_equal(tcp4("1.1.1.1", 201), ACC);
	assert_int_equal(tcp4("1.1.1.1", 999), ACC);
	assert_int_equal(tcp4("1.1.1.1", 1000), DRP);
	assert_int_equal(tcp4("1.1.1.1", 1001), ACC);
	assert_int_equal(tcp4("1.1.1.1", 64999), ACC);
	assert_int_equal(tcp4("1.1.1.1", 65000), DRP);
	assert_int_equal(tcp4("1.1.1.1", 65535), DRP);
}

/* jump / return / goto between chains, verdict map. */
static void test_jump_goto_vmap(void **state)
{
	struct nftnl_set *s;
	struct nftnl_rule *r;
	struct {
		uint16_t port;
		int v;
		const char *chain;
	} el[] = { { 1, NF_ACCEPT, NULL }, { 2, NF_DROP, NULL }, { 3, NFT_JUMP, "sub" },
		   { 4, NFT_GOTO, "sub" } };
	size_t i;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "base", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	add_chain(NFPROTO_IPV4, "t", "sub", -1, 0, 0);
	add_chain(NFPROTO_IPV4, "t", "sub2", -1, 0, 0);
	s = nftnl_set_alloc();
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "t");
	nftnl_set_set_str(s, NFTNL_SET_NAME, "__map0");
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV4);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 2);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 0);
	for (i = 0; i < 4; i++) {
		struct nftnl_set_elem *e = nftnl_set_elem_alloc();
		uint16_t be = htons(el[i].port);

		nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &be, 2);
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)el[i].v);
		if (el[i].chain)
			nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, el[i].chain);
		nftnl_set_elem_add(s, e);
	}
	nftnl_set_list_add_tail(s, ir->sets);
	/* base: tcp sport vmap {...}; tcp sport 5 jump sub2; tcp sport 3 drop;
	 *       tcp sport 4 drop */
	r = rule(NFPROTO_IPV4, "t", "base");
	l4(r, IPPROTO_TCP);
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2);
	lookup(r, "__map0", false, true);
	r = rule(NFPROTO_IPV4, "t", "base");
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2);
	cmp16be(r, NFT_CMP_EQ, 5);
	verdict(r, NFT_JUMP, "sub2");
	r = rule(NFPROTO_IPV4, "t", "base");
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2);
	cmp16be(r, NFT_CMP_EQ, 3);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "t", "base");
	payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2);
	cmp16be(r, NFT_CMP_EQ, 4);
	verdict(r, NF_DROP, NULL);
	/* sub: dport 9 drop; return */
	r = rule(NFPROTO_IPV4, "t", "sub");
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 9);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "t", "sub");
	verdict(r, NFT_RETURN, NULL);
	/* sub2: dport 8 accept; goto sub */
	r = rule(NFPROTO_IPV4, "t", "sub2");
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 8);
	verdict(r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_IPV4, "t", "sub2");
	verdict(r, NFT_GOTO, "sub");
	load_ok();
	struct tl_pkt p;
#define T(sp, dp, want)                                                             \
	do {                                                                        \
		tl_ip4(&p, "1.1.1.1", "127.0.0.1", IPPROTO_TCP, sp, dp, 0);         \
		assert_int_equal(tl_run(lv, &p, false, 1), want);                   \
	} while (0)
	T(1, 9, ACC);	/* vmap accept */
	T(2, 1, DRP);	/* vmap drop */
	T(3, 9, DRP);	/* jump sub: dport 9 drop */
	T(3, 1, DRP);	/* jump sub returns, next rules: sport 3 drop */
	T(4, 1, ACC);	/* goto sub returns to base's end: policy accept */
	T(4, 9, DRP);
	T(5, 8, ACC);	/* jump sub2: accept */
	T(5, 9, DRP);	/* jump sub2 -> goto sub -> drop */
	T(5, 1, ACC);	/* sub returns to after the jump in base -> policy */
	T(6, 1, ACC);	/* vmap miss */
#undef T
}

/* Two base chains on one hook: ordered by priority, accept continues. */
static void test_priorities(void **state)
{
	struct nftnl_rule *r;

	(void)state;
	/* listed first but priority 10: runs second */
	add_chain(NFPROTO_IPV4, "t", "late", NF_INET_PRE_ROUTING, 10, NF_ACCEPT);
	add_chain(NFPROTO_INET, "u", "early", NF_INET_PRE_ROUTING, -10, NF_ACCEPT);
	r = rule(NFPROTO_IPV4, "t", "late");
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 80);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_INET, "u", "early");
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 80);
	counter(r);
	verdict(r, NF_ACCEPT, NULL); /* accept in the first chain does not stop the second */
	load_ok();
	assert_int_equal(tcp4("1.1.1.1", 80), DRP);
	assert_int_equal(tcp4("1.1.1.1", 81), ACC);
}

struct ctr_seen {
	uint64_t handle, packets, bytes;
	int n;
};

static int ctr_cb(const struct bnft_counter_row *row, void *data)
{
	struct ctr_seen *s = data;

	s->handle = row->handle;
	s->packets = row->packets;
	s->bytes = row->bytes;
	s->n++;
	return 0;
}

static int ctr_first_cb(const struct bnft_counter_row *row, void *data)
{
	ctr_cb(row, data);
	return 1; /* stop: the walk returns this */
}

static void test_counter_and_iifname(void **state)
{
	struct nftnl_rule *r;
	struct ctr_seen seen = { 0 };
	char name[16] = "lo";
	int i;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "in", NF_INET_LOCAL_IN, 0, NF_DROP);
	r = rule(NFPROTO_IPV4, "t", "in"); /* handle 10 */
	meta(r, NFT_META_IIFNAME);
	cmp(r, NFT_CMP_EQ, name, 16);
	/* starts from the values the IR carries (nft -f "counter packets
	 * 100 bytes 1000") */
	nftnl_expr_set_u64(counter(r), NFTNL_EXPR_CTR_PACKETS, 100);
	verdict(r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_IPV4, "t", "in"); /* handle 11: never reached */
	nftnl_expr_set_u64(counter(r), NFTNL_EXPR_CTR_BYTES, 1000);
	load_ok();
	for (i = 0; i < 3; i++)
		assert_int_equal(tcp4("1.1.1.1", 80), ACC);
	assert_int_equal(bnft_live_counters_fd(lv, ctr_cb, &seen), 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.handle, 11);
	assert_int_equal(seen.packets, 0);
	assert_int_equal(seen.bytes, 1000);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(bnft_live_counters_fd(lv, ctr_first_cb, &seen), 1);
	assert_int_equal(seen.handle, 10);
	assert_int_equal(seen.packets, 103);
	assert_int_equal(seen.bytes, 3 * 40); /* IP + TCP, no MAC header */
}

static void test_ipv6_exthdrs(void **state)
{
	static const uint8_t hop_dst[] = { 0, 60 };
	static const uint8_t frag[] = { 44 };
	struct nftnl_rule *r;
	struct tl_pkt p;

	(void)state;
	add_chain(NFPROTO_INET, "t", "c", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	r = rule(NFPROTO_INET, "t", "c"); /* meta l4proto tcp tcp dport 22 drop */
	l4(r, IPPROTO_TCP);
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 22);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_INET, "t", "c"); /* meta nfproto ipv6 meta l4proto udp drop */
	meta(r, NFT_META_NFPROTO);
	cmp8(r, NFPROTO_IPV6);
	l4(r, IPPROTO_UDP);
	verdict(r, NF_DROP, NULL);
	load_ok();
	tl_ip6(&p, "2001:db8::1", "::1", IPPROTO_TCP, 1, 22, NULL, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip6(&p, "2001:db8::1", "::1", IPPROTO_TCP, 1, 22, hop_dst, 2);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip6(&p, "2001:db8::1", "::1", IPPROTO_TCP, 1, 23, hop_dst, 2);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	/* first fragment (offset 0): transport header present */
	tl_ip6(&p, "2001:db8::1", "::1", IPPROTO_TCP, 1, 22, frag, 1);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip6(&p, "2001:db8::1", "::1", IPPROTO_UDP, 1, 22, hop_dst, 2);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip4(&p, "1.1.1.1", "127.0.0.1", IPPROTO_UDP, 1, 22, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	tl_ip4(&p, "1.1.1.1", "127.0.0.1", IPPROTO_TCP, 1, 22, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
}

static void test_refuses_unsupported(void **state)
{
	struct bnft_prog_set *ps = NULL;
	struct nftnl_rule *r;
	struct bnft_err e;

	(void)state;
	add_chain(NFPROTO_IPV4, "filter", "input", NF_INET_LOCAL_IN, 0, NF_ACCEPT);
	r = rule(NFPROTO_IPV4, "filter", "input"); /* handle 10 */
	expr(r, "queue");
	verdict(r, NF_ACCEPT, NULL);
	assert_int_equal(bnft_compile(ir, &ps, &e), -EOPNOTSUPP);
	assert_null(ps);
	assert_string_equal(e.table, "filter");
	assert_string_equal(e.chain, "input");
	assert_int_equal(e.handle, 10);
	assert_string_equal(e.expr, "queue");
	assert_non_null(strstr(e.msg, "queue"));
}

static void test_refuses_nat_chain(void **state)
{
	struct bnft_prog_set *ps = NULL;
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct bnft_err e;

	(void)state;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, "nat");
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "post");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_IPV4);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 100);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
	nftnl_chain_list_add_tail(c, ir->chains);
	assert_int_equal(bnft_compile(ir, &ps, &e), -EOPNOTSUPP);
	assert_string_equal(e.chain, "post");
}

/* Egress: output only for locally generated packets. */
static void test_output_chain(void **state)
{
	struct nftnl_rule *r;
	struct tl_pkt p;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "out", NF_INET_LOCAL_OUT, 0, NF_ACCEPT);
	r = rule(NFPROTO_IPV4, "t", "out");
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 53);
	verdict(r, NF_DROP, NULL);
	load_ok();
	tl_ip4(&p, "127.0.0.1", "127.0.0.1", IPPROTO_UDP, 1, 53, 0);
	assert_int_equal(tl_run(lv, &p, true, 1), DRP);
	tl_ip4(&p, "127.0.0.1", "127.0.0.1", IPPROTO_UDP, 1, 54, 0);
	assert_int_equal(tl_run(lv, &p, true, 1), ACC);
	/* ingress is not affected */
	tl_ip4(&p, "127.0.0.1", "127.0.0.1", IPPROTO_UDP, 1, 53, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
}

/* Swaps: the generation word flips; counters carry over on request. */
static void test_swap_keeps_counters(void **state)
{
	struct bnft_prog_set *ps = NULL;
	struct ctr_seen seen = { 0 };
	struct bnft_load_stats st;
	struct nftnl_rule *r;
	struct bnft_err e;
	uint32_t gen0;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "c", NF_INET_PRE_ROUTING, 0, NF_ACCEPT);
	r = rule(NFPROTO_IPV4, "t", "c"); /* handle 10: tcp dport 80 counter drop */
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 80);
	counter(r);
	verdict(r, NF_DROP, NULL);
	load_ok();
	assert_int_equal(tcp4("1.1.1.1", 80), DRP);
	assert_int_equal(tcp4("1.1.1.1", 80), DRP);
	assert_int_equal(bnft_compile(ir, &ps, &e), 0);
	assert_int_equal(bnft_live_load_opts(lv, ps, BNFT_LOAD_KEEP_COUNTERS, &st), 0);
	gen0 = st.gen;
	assert_int_equal(tcp4("1.1.1.1", 80), DRP);
	assert_int_equal(bnft_live_counters_fd(lv, ctr_cb, &seen), 0);
	assert_int_equal(seen.packets, 3);
	/* without the flag the counter restarts from the IR's value */
	assert_int_equal(bnft_live_load(lv, ps, &st), 0);
	assert_int_not_equal(st.gen, gen0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(bnft_live_counters_fd(lv, ctr_cb, &seen), 0);
	assert_int_equal(seen.packets, 0);
	bnft_prog_set_free(&ps);
}

/* A base chain long enough to be split into tail-called programs, with a
 * second base chain after it and jumps/accepts crossing the splits. */
static void test_split_long_chain(void **state)
{
	const int n = 1500;

	/* The optimizer would turn this run into one lookup: test the split. */
	setenv("BNFT_NO_OPTIMIZE", "1", 1);
	struct nftnl_rule *r;
	uint8_t addr[4];
	int i;

	(void)state;
	add_chain(NFPROTO_IPV4, "t", "big", NF_INET_PRE_ROUTING, 0, NF_DROP);
	add_chain(NFPROTO_IPV4, "t", "after", NF_INET_PRE_ROUTING, 10, NF_ACCEPT);
	add_chain(NFPROTO_IPV4, "t", "sub", -1, 0, 0);
	for (i = 0; i < n; i++) {
		/* ip saddr 10.0.x.y tcp dport 1000+i counter accept */
		r = rule(NFPROTO_IPV4, "t", "big");
		addr[0] = 10;
		addr[1] = 0;
		addr[2] = (uint8_t)(i >> 8);
		addr[3] = (uint8_t)i;
		payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
		cmp(r, NFT_CMP_EQ, addr, 4);
		l4(r, IPPROTO_TCP);
		dport(r);
		cmp16be(r, NFT_CMP_EQ, (uint16_t)(1000 + i));
		counter(r);
		verdict(r, i == 700 ? NFT_JUMP : NF_ACCEPT, i == 700 ? "sub" : NULL);
	}
	r = rule(NFPROTO_IPV4, "t", "big"); /* last: 9.9.9.9 accept */
	addr[0] = addr[1] = addr[2] = addr[3] = 9;
	payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
	cmp(r, NFT_CMP_EQ, addr, 4);
	verdict(r, NF_ACCEPT, NULL);
	r = rule(NFPROTO_IPV4, "t", "sub"); /* sub: dport 1700 drop, else return */
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 1700);
	verdict(r, NF_DROP, NULL);
	r = rule(NFPROTO_IPV4, "t", "after"); /* after: dport 1001 drop */
	dport(r);
	cmp16be(r, NFT_CMP_EQ, 1001);
	verdict(r, NF_DROP, NULL);
	load_ok();
	{
		struct bnft_prog_set *ps = NULL;
		struct bnft_err e;

		assert_int_equal(bnft_compile(ir, &ps, &e), 0);
		assert_true(ps->nprogs >= 2); /* really split */
		bnft_prog_set_free(&ps);
	}
	unsetenv("BNFT_NO_OPTIMIZE");
	assert_int_equal(tcp4("10.0.0.0", 1000), ACC);	   /* first rule */
	assert_int_equal(tcp4("10.0.0.1", 1001), DRP);	   /* accepted, then "after" drops */
	assert_int_equal(tcp4("10.0.2.188", 1700), DRP);   /* rule 700 jumps, sub drops */
	assert_int_equal(tcp4("10.0.5.219", 2499), ACC);   /* rule 1499, after the split */
	assert_int_equal(tcp4("10.0.5.219", 2498), DRP);   /* no rule: policy drop */
	assert_int_equal(tcp4("9.9.9.9", 1001), DRP);	   /* last rule accepts, after drops */
	assert_int_equal(tcp4("9.9.9.9", 1002), ACC);
}

static int group_teardown(void **state)
{
	(void)state;
	bnft_live_close(&lv);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_dport_policy_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_bitwise, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragment_prerouting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmp_ops_and_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_anon_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interval_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jump_goto_vmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priorities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counter_and_iifname, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_exthdrs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_unsupported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_nat_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_output_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_split_long_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_keeps_counters, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("[  SKIPPED ] test_codegen needs root (BPF_PROG_TEST_RUN)\n");
		return 0;
	}
	if (tl_private_netns()) {
		printf("[  FAILED  ] 1 test(s): cannot create a private netns\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
