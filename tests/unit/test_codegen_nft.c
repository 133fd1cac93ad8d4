// SPDX-License-Identifier: GPL-2.0
/*
 * Codegen on IR lowered by the real nft: each case loads a ruleset with
 * `nft -f` into this test's private network namespace, dumps it through
 * translator/kdump.c, compiles, and checks verdicts of crafted packets with
 * BPF_PROG_TEST_RUN through the entry program. Skips when nft is missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "test_codegen_lib.h"
#include "translator/kdump.h"

static struct bnft_live *lv;
static bool have_nft;

static int nft_load(const char *rules)
{
	FILE *f = popen("nft flush ruleset && nft -f -", "w");

	if (!f)
		return -errno;
	fputs(rules, f);
	return pclose(f) == 0 ? 0 : -EINVAL;
}

static void load(const char *rules)
{
	struct bnft_ir *ir = NULL;
	struct bnft_err e;
	int err;

	assert_int_equal(nft_load(rules), 0);
	assert_int_equal(bnft_kdump_new(&ir), 0);
	err = tl_load(ir, &lv, &e);
	if (err)
		fprintf(stderr, "load: %d %s\n", err, e.msg);
	assert_int_equal(err, 0);
	bnft_ir_free(&ir);
}

static int refuse(const char *rules, struct bnft_err *e)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_ir *ir = NULL;
	int err;

	assert_int_equal(nft_load(rules), 0);
	assert_int_equal(bnft_kdump_new(&ir), 0);
	err = bnft_compile(ir, &ps, e);
	bnft_prog_set_free(&ps);
	bnft_ir_free(&ir);
	return err;
}

static int v4(uint8_t proto, const char *src, const char *dst, uint16_t sp, uint16_t dp)
{
	struct tl_pkt p;

	tl_ip4(&p, src, dst, proto, sp, dp, 0);
	return tl_run(lv, &p, false, 1);
}

static int v6(uint8_t proto, const char *src, uint16_t dp)
{
	struct tl_pkt p;

	tl_ip6(&p, src, "::1", proto, 1000, dp, NULL, 0);
	return tl_run(lv, &p, false, 1);
}

static int teardown(void **state)
{
	(void)state;
	return 0;
}

#define SKIP_NO_NFT()                                 \
	do {                                          \
		if (!have_nft)                        \
			skip();                       \
	} while (0)

static void test_server_input(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table inet filter {\n"
	     " chain input {\n"
	     "  type filter hook input priority 0; policy drop;\n"
	     "  iif lo tcp dport 9 drop\n"
	     "  tcp dport { 22, 80, 443 } counter accept\n"
	     "  ip saddr 10.0.0.0/8 counter drop\n"
	     "  ip6 saddr 2001:db8::/32 drop\n"
	     "  meta l4proto { icmp, ipv6-icmp } accept\n"
	     "  udp dport 1000-2000 accept\n"
	     " }\n"
	     "}\n");
	assert_int_equal(v4(IPPROTO_TCP, "10.1.1.1", "127.0.0.1", 1, 22), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "10.1.1.1", "127.0.0.1", 1, 23), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "11.1.1.1", "127.0.0.1", 1, 9), DRP);
	assert_int_equal(v4(IPPROTO_ICMP, "10.1.1.1", "127.0.0.1", 0, 8), DRP);
	assert_int_equal(v4(IPPROTO_ICMP, "11.1.1.1", "127.0.0.1", 0, 8), ACC);
	assert_int_equal(v4(IPPROTO_UDP, "11.1.1.1", "127.0.0.1", 1, 1000), ACC);
	assert_int_equal(v4(IPPROTO_UDP, "11.1.1.1", "127.0.0.1", 1, 2001), DRP);
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8::1", 443), ACC);
	assert_int_equal(v6(IPPROTO_UDP, "2001:db8::1", 1500), DRP);
	assert_int_equal(v6(IPPROTO_UDP, "2001:db9::1", 1500), ACC);
	assert_int_equal(v6(IPPROTO_ICMPV6, "2001:db9::1", 128), ACC);
}

static void test_icmp_types(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table ip filter {\n"
	     " chain input {\n"
	     "  type filter hook input priority 0; policy accept;\n"
	     "  icmp type echo-request counter drop\n"
	     "  icmp type { timestamp-request, address-mask-request } counter drop\n"
	     "  icmp type 3 icmp code 0 counter accept\n"
	     " }\n"
	     "}\n");
	assert_int_equal(v4(IPPROTO_ICMP, "1.1.1.1", "127.0.0.1", 0, 8), DRP);
	assert_int_equal(v4(IPPROTO_ICMP, "1.1.1.1", "127.0.0.1", 0, 13), DRP);
	assert_int_equal(v4(IPPROTO_ICMP, "1.1.1.1", "127.0.0.1", 0, 17), DRP);
	assert_int_equal(v4(IPPROTO_ICMP, "1.1.1.1", "127.0.0.1", 0, 2), ACC);
	assert_int_equal(v4(IPPROTO_ICMP, "1.1.1.1", "127.0.0.1", 0, 4), ACC);
	assert_int_equal(v4(IPPROTO_ICMP, "1.1.1.1", "127.0.0.1", 0, 3), ACC);
}

static void test_named_sets_maps(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table ip t {\n"
	     " set bad { type ipv4_addr; flags interval;\n"
	     "  elements = { 10.0.0.0/8, 192.168.1.10-192.168.1.20, 172.16.0.1 } }\n"
	     " map ports { type inet_service : verdict; elements = { 22 : accept, 23 : drop } }\n"
	     " map mk { type ipv4_addr : mark; elements = { 1.2.3.4 : 7 } }\n"
	     " chain c {\n"
	     "  type filter hook prerouting priority 0; policy accept;\n"
	     "  ip saddr @bad drop\n"
	     "  meta mark set ip saddr map @mk\n"
	     "  meta mark 7 tcp dport 99 drop\n"
	     "  tcp dport vmap @ports\n"
	     "  ip saddr . tcp dport { 5.5.5.5 . 80, 6.6.6.6 . 81 } drop\n"
	     " }\n"
	     "}\n");
	assert_int_equal(v4(IPPROTO_TCP, "10.9.9.9", "1.1.1.1", 1, 1), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "192.168.1.9", "1.1.1.1", 1, 1), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "192.168.1.10", "1.1.1.1", 1, 1), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "192.168.1.20", "1.1.1.1", 1, 1), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "192.168.1.21", "1.1.1.1", 1, 1), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "172.16.0.1", "1.1.1.1", 1, 1), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "172.16.0.2", "1.1.1.1", 1, 1), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.2.3.4", "1.1.1.1", 1, 99), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.2.3.5", "1.1.1.1", 1, 99), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.2.3.5", "1.1.1.1", 1, 23), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.2.3.5", "1.1.1.1", 1, 22), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "5.5.5.5", "1.1.1.1", 1, 80), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "5.5.5.5", "1.1.1.1", 1, 81), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "6.6.6.6", "1.1.1.1", 1, 81), DRP);
}

static void test_ip6_interval_and_prefix(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table ip6 t {\n"
	     " chain c {\n"
	     "  type filter hook prerouting priority 0; policy accept;\n"
	     "  ip6 saddr { 2001:db8::/64, 2001:db8:1::5-2001:db8:1::9 } drop\n"
	     "  ip6 saddr fe80::/10 tcp dport 1-1023 drop\n"
	     " }\n"
	     "}\n");
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8::ffff", 1), DRP);
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8:0:1::", 1), ACC);
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8:1::4", 1), ACC);
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8:1::5", 1), DRP);
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8:1::9", 1), DRP);
	assert_int_equal(v6(IPPROTO_TCP, "2001:db8:1::a", 1), ACC);
	assert_int_equal(v6(IPPROTO_TCP, "fe80::1", 1023), DRP);
	assert_int_equal(v6(IPPROTO_TCP, "fe80::1", 1024), ACC);
	assert_int_equal(v6(IPPROTO_TCP, "fec0::1", 80), ACC);
}

/* Chains defined before their callers, three levels deep. */
static void test_nested_jumps(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table inet filter {\n"
	     " chain c3 {\n  udp dport 3 counter drop\n  counter return\n }\n"
	     " chain c2 {\n  udp dport 2 drop\n  udp dport 3-5 jump c3\n  udp dport 4 drop\n }\n"
	     " chain c1 {\n  udp dport 1 drop\n  udp dport 2-10 jump c2\n  udp dport 5 drop\n }\n"
	     " chain input {\n  type filter hook input priority 0; policy accept;\n"
	     "  meta l4proto udp jump c1\n  udp dport 6 drop\n }\n"
	     "}\n");
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 1), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 2), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 3), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 4), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 5), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 6), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 7), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "127.0.0.1", 1, 6), ACC);
}

/* netdev ingress on lo before inet input; meta protocol; sctp is not tcp. */
static void test_netdev_ingress(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table netdev filter {\n"
	     " chain ingress1 {\n"
	     "  type filter hook ingress device \"lo\" priority -100; policy accept;\n"
	     "  tcp dport 22 counter drop\n"
	     "  meta protocol ip6 udp dport 53 counter drop\n"
	     " }\n"
	     "}\n"
	     "table inet filter {\n"
	     " chain input {\n"
	     "  type filter hook input priority 0; policy accept;\n"
	     "  udp dport 54 drop\n"
	     " }\n"
	     "}\n");
	assert_int_equal(v6(IPPROTO_SCTP, "fd00::1", 22), ACC);
	assert_int_equal(v6(IPPROTO_TCP, "fd00::1", 22), DRP);
	assert_int_equal(v4(IPPROTO_SCTP, "1.1.1.1", "127.0.0.1", 1, 22), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "127.0.0.1", 1, 22), DRP);
	assert_int_equal(v6(IPPROTO_UDP, "fd00::1", 53), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "127.0.0.1", 1, 53), ACC);
	assert_int_equal(v6(IPPROTO_UDP, "fd00::1", 54), DRP);
}

/* Concatenated intervals: inline range scan. */
static void test_concat_intervals(void **state)
{
	(void)state;
	SKIP_NO_NFT();
	load("table ip t {\n"
	     " chain c {\n"
	     "  type filter hook prerouting priority 0; policy accept;\n"
	     "  ip saddr . tcp dport { 10.0.0.0/8 . 22-25, 192.168.1.1 . 80 } drop\n"
	     "  ip saddr . tcp dport vmap { 1.1.1.0/24 . 1000-2000 : drop, 2.2.2.2 . 53 : accept }\n"
	     "  tcp dport 53 drop\n"
	     "  ip saddr . tcp dport != { 3.3.3.3 . 1-100 } tcp dport 7 drop\n"
	     " }\n"
	     "}\n");
	assert_int_equal(v4(IPPROTO_TCP, "10.2.3.4", "1.1.1.1", 1, 22), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "10.2.3.4", "1.1.1.1", 1, 25), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "10.2.3.4", "1.1.1.1", 1, 26), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "11.2.3.4", "1.1.1.1", 1, 22), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "192.168.1.1", "1.1.1.1", 1, 80), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "192.168.1.2", "1.1.1.1", 1, 80), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.77", "1.1.1.1", 1, 1500), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.2.77", "1.1.1.1", 1, 1500), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "2.2.2.2", "1.1.1.1", 1, 53), ACC); /* vmap accept */
	assert_int_equal(v4(IPPROTO_TCP, "2.2.2.3", "1.1.1.1", 1, 53), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "3.3.3.3", "1.1.1.1", 1, 7), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "3.3.3.4", "1.1.1.1", 1, 7), DRP);
}

/* Input vs forward split by the FIB: with forwarding on, a packet routed
 * out of a veth runs the forward chain (with its oif), a local one input. */
static void test_input_forward_split(void **state)
{
	struct tl_pkt p;
	FILE *f;

	(void)state;
	SKIP_NO_NFT();
	assert_int_equal(system("ip link add bnftd0 type veth peer name bnftd1 && ip link set bnftd0 up && "
				"ip link set bnftd1 up && "
				"ip addr add 10.9.0.1/16 dev bnftd0"), 0);
	f = fopen("/proc/sys/net/ipv4/ip_forward", "w");
	assert_non_null(f);
	fputs("1", f);
	fclose(f);
	load("table ip t {\n"
	     " chain in { type filter hook input priority 0; policy accept;\n"
	     "  tcp dport 1 drop\n }\n"
	     " chain fw { type filter hook forward priority 0; policy accept;\n"
	     "  tcp dport 2 drop\n  oifname \"bnftd0\" tcp dport 3 drop\n"
	     "  ip ttl 63 tcp dport 4 drop\n }\n"
	     "}\n");
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "127.0.0.1", 1, 1), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "127.0.0.1", 1, 2), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "127.0.0.1", 1, 3), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "10.9.0.1", 1, 1), DRP); /* local addr */
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "10.9.0.5", 1, 1), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "10.9.0.5", 1, 2), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "10.9.0.5", 1, 3), DRP);
	/* the forward hook sees the TTL decremented (64 -> 63) */
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "10.9.0.5", 1, 4), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "127.0.0.1", 1, 4), ACC);
	/* TTL 1 expires before the forward hook: no forward chain runs */
	tl_ip4(&p, "1.1.1.1", "10.9.0.5", IPPROTO_TCP, 1, 2, 0);
	p.b[14 + 8] = 1;
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	p.b[14 + 8] = 2;
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	f = fopen("/proc/sys/net/ipv4/ip_forward", "w");
	if (f) {
		fputs("0", f);
		fclose(f);
	}
	assert_int_equal(system("ip link del bnftd0"), 0);
}

/* Egress: postrouting sees every packet, oifname is the device. */
static void test_postrouting_egress(void **state)
{
	struct tl_pkt p;

	(void)state;
	SKIP_NO_NFT();
	load("table inet t {\n"
	     " chain post { type filter hook postrouting priority 0; policy accept;\n"
	     "  oifname \"lo\" udp dport 53 drop\n  meta iif 1 udp dport 54 drop\n }\n"
	     "}\n");
	tl_ip4(&p, "127.0.0.1", "127.0.0.1", IPPROTO_UDP, 1, 53, 0);
	assert_int_equal(tl_run(lv, &p, true, 1), DRP);
	tl_ip6(&p, "::1", "::1", IPPROTO_UDP, 1, 53, NULL, 0);
	assert_int_equal(tl_run(lv, &p, true, 1), DRP);
	/* no input device in postrouting: "meta iif" never matches */
	tl_ip4(&p, "127.0.0.1", "127.0.0.1", IPPROTO_UDP, 1, 54, 0);
	assert_int_equal(tl_run(lv, &p, true, 1), ACC);
	/* not an ingress hook */
	tl_ip4(&p, "127.0.0.1", "127.0.0.1", IPPROTO_UDP, 1, 53, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
}

/* Conntrack: new flows accepted by the rules are confirmed, replies and
 * later packets are established, unknown mid-flow packets invalid. */
static void test_conntrack(void **state)
{
	struct tl_pkt p;

	(void)state;
	SKIP_NO_NFT();
	load("table inet filter {\n"
	     " chain input {\n"
	     "  type filter hook input priority 0; policy drop;\n"
	     "  ct state established,related accept\n"
	     "  ct state invalid drop\n"
	     "  tcp dport 22 ct state new accept\n"
	     "  udp dport 53 accept\n"
	     " }\n"
	     "}\n");
	/* SYN to 22: new, accepted, confirmed */
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_TCP, 40000, 22, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	/* the SYN-ACK leaves through egress (no egress rules: tracked there) */
	tl_ip4(&p, "127.0.0.1", "10.5.5.5", IPPROTO_TCP, 22, 40000, 0);
	p.b[14 + 20 + 13] = 0x12; /* SYN|ACK */
	p.b[14 + 20 + 8] = 0; /* ack number 1 */
	p.b[14 + 20 + 11] = 1;
	assert_int_equal(tl_run(lv, &p, true, 1), ACC);
	/* SYN to 23: new, no rule: policy drop, no entry */
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_TCP, 40001, 23, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	/* a bare ACK of an unknown flow: invalid */
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_TCP, 40002, 24, 0);
	p.b[14 + 20 + 13] = 0x10;
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	/* UDP query accepted, the reply direction established afterwards */
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_UDP, 5353, 53, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_UDP, 5353, 54, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	/* an outgoing flow (tracked at egress, no rules there) lets its
	 * reply in; the same packet without that flow is dropped */
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_UDP, 7000, 6000, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), DRP);
	tl_ip4(&p, "127.0.0.1", "10.5.5.5", IPPROTO_UDP, 6000, 7000, 0);
	assert_int_equal(tl_run(lv, &p, true, 1), ACC);
	tl_ip4(&p, "10.5.5.5", "127.0.0.1", IPPROTO_UDP, 7000, 6000, 0);
	assert_int_equal(tl_run(lv, &p, false, 1), ACC);
}

/* limit: a full bucket of `burst` packets, then the rate (2/s: nothing
 * refills within this test's microseconds). */
static void test_limit(void **state)
{
	int i;

	(void)state;
	SKIP_NO_NFT();
	load("table ip t {\n"
	     " chain c {\n"
	     "  type filter hook prerouting priority 0; policy accept;\n"
	     "  tcp dport 80 limit rate 2/second burst 3 packets accept\n"
	     "  tcp dport 80 drop\n"
	     "  tcp dport 81 limit rate over 2/second burst 3 packets drop\n"
	     " }\n"
	     "}\n");
	for (i = 0; i < 3; i++)
		assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 80), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 80), DRP);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 80), DRP);
	for (i = 0; i < 3; i++)
		assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 81), ACC);
	assert_int_equal(v4(IPPROTO_TCP, "1.1.1.1", "2.2.2.2", 1, 81), DRP);
}

/* nft allows 16 nested jumps, BPF 8 call frames: chains jumped to from one
 * place are emitted in place. */
static void test_deep_jumps(void **state)
{
	char rules[4096];
	size_t n = 0;
	int i;

	(void)state;
	SKIP_NO_NFT();
	n += (size_t)snprintf(rules + n, sizeof(rules) - n, "table ip t {\n");
	for (i = 1; i <= 12; i++) {
		n += (size_t)snprintf(rules + n, sizeof(rules) - n,
				      " chain c%d {\n  udp dport %d drop\n", i, i);
		if (i < 12)
			n += (size_t)snprintf(rules + n, sizeof(rules) - n, "  %s c%d\n",
					      i == 6 ? "goto" : "jump", i + 1);
		n += (size_t)snprintf(rules + n, sizeof(rules) - n,
				      "  udp dport %d drop\n }\n", 100 + i);
	}
	snprintf(rules + n, sizeof(rules) - n,
		 " chain in {\n  type filter hook prerouting priority 0; policy accept;\n"
		 "  meta l4proto udp jump c1\n  udp dport 200 drop\n }\n}\n");
	load(rules);
	for (i = 1; i <= 12; i++)
		assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, (uint16_t)i), DRP);
	/* returns come back after every jump; c6 went to c7 with goto, so
	 * c7's return lands in c5 and c6's last rule never runs */
	for (i = 1; i <= 12; i++)
		assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, (uint16_t)(100 + i)),
				 i == 6 ? ACC : DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, 200), DRP);
	assert_int_equal(v4(IPPROTO_UDP, "1.1.1.1", "2.2.2.2", 1, 201), ACC);
}

static void test_refusals(void **state)
{
	struct bnft_err e;

	(void)state;
	SKIP_NO_NFT();
	assert_int_equal(refuse("table inet f { chain i { type filter hook input priority 0;\n"
				" ct original ip saddr 1.2.3.4 accept\n }\n}\n", &e),
			 -EOPNOTSUPP);
	assert_string_equal(e.expr, "ct");
	assert_string_equal(e.chain, "i");
	assert_true(e.handle > 0);
	/* quota and log are compiled now (tests/unit/test_stmt.c); log group
	 * and tcp option writes are not */
	assert_int_equal(refuse("table inet f { chain i { type filter hook input priority 0;\n"
				" tcp dport 22 tcp option maxseg size set 1400\n }\n}\n", &e),
			 -EOPNOTSUPP);
	assert_string_equal(e.expr, "exthdr");
	assert_int_equal(refuse("table inet f { chain i { type filter hook input priority 0;\n"
				" tcp dport 22 log group 1 accept\n }\n}\n", &e),
			 -EOPNOTSUPP);
	assert_string_equal(e.expr, "log");
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
		cmocka_unit_test_teardown(test_server_input, teardown),
		cmocka_unit_test_teardown(test_icmp_types, teardown),
		cmocka_unit_test_teardown(test_named_sets_maps, teardown),
		cmocka_unit_test_teardown(test_ip6_interval_and_prefix, teardown),
		cmocka_unit_test_teardown(test_nested_jumps, teardown),
		cmocka_unit_test_teardown(test_netdev_ingress, teardown),
		cmocka_unit_test_teardown(test_concat_intervals, teardown),
		cmocka_unit_test_teardown(test_input_forward_split, teardown),
		cmocka_unit_test_teardown(test_postrouting_egress, teardown),
		cmocka_unit_test_teardown(test_conntrack, teardown),
		cmocka_unit_test_teardown(test_limit, teardown),
		cmocka_unit_test_teardown(test_deep_jumps, teardown),
		cmocka_unit_test_teardown(test_refusals, teardown),
	};

	if (geteuid() != 0) {
		printf("[  SKIPPED ] test_codegen_nft needs root\n");
		return 0;
	}
	if (tl_private_netns()) {
		printf("[  FAILED  ] 1 test(s): cannot create a private netns\n");
		return 1;
	}
	have_nft = system("nft --version >/dev/null 2>&1") == 0;
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
