// SPDX-License-Identifier: GPL-2.0
/*
 * daemon/lib/ctcfg.c: the netns's sysctls into struct bnft_ct_cfg and
 * struct bnft_reject_cfg (from a fake /proc/sys tree), BNFT_CT_MAX, and
 * the real /proc/sys of a fresh netns giving the kernel's defaults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "daemon/lib/ctcfg.h"

static char dir[64];

static void put(const char *rel, const char *val)
{
	char p[256], d[256], *s;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	snprintf(d, sizeof(d), "%s", p);
	for (s = d + strlen(dir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(d, 0700);
		*s = '/';
	}
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/bnft-ctcfg-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* No sysctl files (no nf_conntrack, no ipv6): everything default. */
static void test_missing(void **state)
{
	struct bnft_ct_cfg ct;
	struct bnft_rj_cfg rj;
	static const struct bnft_ct_cfg zero;

	(void)state;
	assert_int_equal(bnft_ctcfg_read("/nonexistent-bnft", &ct, &rj), 0);
	assert_memory_equal(&ct, &zero, sizeof(ct));
	assert_int_equal(rj.valid, 0);
}

static void test_values(void **state)
{
	struct bnft_ct_cfg ct;
	struct bnft_rj_cfg rj;

	(void)state;
	put("net/netfilter/nf_conntrack_tcp_timeout_syn_sent", "7");
	put("net/netfilter/nf_conntrack_tcp_timeout_established", "3600");
	put("net/netfilter/nf_conntrack_tcp_timeout_close", "0");
	put("net/netfilter/nf_conntrack_tcp_timeout_max_retrans", "99");
	put("net/netfilter/nf_conntrack_tcp_timeout_unacknowledged", "98");
	put("net/netfilter/nf_conntrack_udp_timeout", "2");
	put("net/netfilter/nf_conntrack_udp_timeout_stream", "9");
	put("net/netfilter/nf_conntrack_icmp_timeout", "5");
	put("net/netfilter/nf_conntrack_icmpv6_timeout", "6");
	put("net/netfilter/nf_conntrack_generic_timeout", "11");
	put("net/netfilter/nf_conntrack_tcp_loose", "0");
	put("net/netfilter/nf_conntrack_tcp_be_liberal", "1");
	put("net/netfilter/nf_conntrack_tcp_max_retrans", "5");
	put("net/ipv4/icmp_ratelimit", "250");
	put("net/ipv4/icmp_ratemask", "6168");
	put("net/ipv6/icmp/ratelimit", "0");
	put("net/ipv6/icmp/ratemask", "0-1,3-127");
	assert_int_equal(bnft_ctcfg_read(dir, &ct, &rj), 0);
	assert_int_equal(ct.tcp_timeout[BNFT_TCP_SYN_SENT], 7);
	assert_int_equal(ct.tcp_timeout[BNFT_TCP_ESTABLISHED], 3600);
	assert_int_equal(ct.tcp_timeout[BNFT_TCP_CLOSE], 1); /* 0: expire at once */
	assert_int_equal(ct.tcp_timeout[BNFT_TCP_RETRANS], 99);
	assert_int_equal(ct.tcp_timeout[BNFT_TCP_UNACK], 98);
	assert_int_equal(ct.tcp_timeout[BNFT_TCP_SYN_RECV], 0); /* file missing */
	assert_int_equal(ct.udp_timeout, 2);
	assert_int_equal(ct.udp_timeout_stream, 9);
	assert_int_equal(ct.icmp_timeout, 5);
	assert_int_equal(ct.icmpv6_timeout, 6);
	assert_int_equal(ct.generic_timeout, 11);
	assert_int_equal(ct.tcp_loose, 2);
	assert_int_equal(ct.tcp_be_liberal, 1);
	assert_int_equal(ct.tcp_max_retrans, 5);
	assert_int_equal(rj.valid, 1);
	assert_int_equal(rj.icmp_ratelimit_ms, 250);
	assert_int_equal(rj.icmpv6_ratelimit_ms, 0);
	assert_int_equal(rj.icmpv6_plen, 64);

	/* loose on = the default; masks without destination unreachable */
	put("net/netfilter/nf_conntrack_tcp_loose", "1");
	put("net/netfilter/nf_conntrack_tcp_be_liberal", "0");
	put("net/ipv4/icmp_ratemask", "6160"); /* 0x1810: no type 3 */
	put("net/ipv6/icmp/ratelimit", "1000");
	put("net/ipv6/icmp/ratemask", "0,3-127");
	assert_int_equal(bnft_ctcfg_read(dir, &ct, &rj), 0);
	assert_int_equal(ct.tcp_loose, 0);
	assert_int_equal(ct.tcp_be_liberal, 0);
	assert_int_equal(rj.icmp_ratelimit_ms, 0);
	assert_int_equal(rj.icmpv6_ratelimit_ms, 0);
	put("net/ipv6/icmp/ratemask", "1");
	assert_int_equal(bnft_ctcfg_read(dir, &ct, &rj), 0);
	assert_int_equal(rj.icmpv6_ratelimit_ms, 1000);
}

static void test_ct_max(void **state)
{
	int ex;

	(void)state;
	setenv("BNFT_CT_MAX", "1234", 1);
	assert_int_equal(bnft_ct_max_entries(&ex), 1234);
	assert_int_equal(ex, 1);
	setenv("BNFT_CT_MAX", "12x", 1); /* not a number: ignored */
	assert_int_not_equal(bnft_ct_max_entries(&ex), 12);
	assert_int_equal(ex, 0);
	unsetenv("BNFT_CT_MAX");
	assert_true(bnft_ct_max_entries(&ex) > 0);
	assert_int_equal(ex, 0);
}

/* This process's netns (a fresh one under the tiers or the host's): the
 * real files parse, and ct_cfg agrees with what they say. */
static void test_proc(void **state)
{
	struct bnft_ct_cfg ct;
	struct bnft_rj_cfg rj;
	FILE *f = fopen("/proc/sys/net/netfilter/nf_conntrack_udp_timeout", "r");
	unsigned v;

	(void)state;
	assert_int_equal(bnft_ctcfg_read("/proc/sys", &ct, &rj), 0);
	if (!f)
		skip();
	assert_int_equal(fscanf(f, "%u", &v), 1);
	fclose(f);
	assert_int_equal(ct.udp_timeout, v ? v : 1);
	assert_int_equal(rj.valid, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_ct_max),
		cmocka_unit_test(test_proc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
