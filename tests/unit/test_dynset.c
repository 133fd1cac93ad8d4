// SPDX-License-Identifier: GPL-2.0
/*
 * Set element timeouts and datapath set updates (translator/
 * codegen_dynset.c) through BPF_PROG_TEST_RUN of the entry program: the
 * verdicts of later packets show what earlier packets left in the set.
 * Expected behaviour is nft_dynset_eval()'s (checked against nft 1.0.6
 * on the 6.18 kernel by tests/tier-dynsets.sh with real traffic).
 * Timeouts are a few hundred ms; the margins are 100 ms or more.
 *
 * Needs root (BPF, unshare); skips otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <cmocka.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "tests/unit/test_codegen_lib.h"
#include "translator/codegen.h"
#include "translator/lower.h"

static struct bnft_live *lv;
static char cerr_msg[1024];

/* 0, or the compile error (message in cerr_msg). */
static int load(const char *text)
{
	struct bnft_err cerr;
	struct bnft_ir *ir = NULL;
	int err;

	cerr_msg[0] = 0;
	err = tl_front(text, &ir);
	if (err) {
		snprintf(cerr_msg, sizeof(cerr_msg), "front end failed");
		return err;
	}
	err = tl_load(ir, &lv, &cerr);
	if (err)
		snprintf(cerr_msg, sizeof(cerr_msg), "%s", cerr.msg);
	bnft_ir_free(&ir);
	return err;
}

static int tcp(const char *src, uint16_t dport)
{
	struct tl_pkt p;

	tl_ip4(&p, src, "10.0.0.1", IPPROTO_TCP, 40000, dport, 0);
	return tl_run(lv, &p, false, 1);
}

static void msleep(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

#define HDR "table ip t {\n"
#define CHAIN "chain c { type filter hook prerouting priority 0; policy accept;\n"

static void test_add(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set m { type ipv4_addr; flags dynamic; }\n" CHAIN
				  "ip saddr @m drop\n"
				  "add @m { ip saddr }\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.1.0.1", 80), ACC); /* added */
	assert_int_equal(tcp("10.1.0.1", 80), DRP); /* found */
	assert_int_equal(tcp("10.1.0.2", 80), ACC);
	assert_int_equal(tcp("10.1.0.2", 81), DRP);
}

static void test_concat_delete(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set c { type ipv4_addr . inet_service; flags dynamic; }\n" CHAIN
				  "tcp dport 9 delete @c { ip saddr . tcp dport }\n"
				  "tcp dport 9 delete @c { ip saddr . 80 }\n"
				  "ip saddr . tcp dport @c drop\n"
				  "add @c { ip saddr . tcp dport }\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.1.0.1", 80), ACC);
	assert_int_equal(tcp("10.1.0.1", 80), DRP);
	assert_int_equal(tcp("10.1.0.1", 81), ACC); /* other port: other element */
	assert_int_equal(tcp("10.1.0.2", 80), ACC);
	/* the delete of 10.1.0.1 . 80 (and of 10.1.0.1 . 9, absent) */
	assert_int_equal(tcp("10.1.0.1", 9), ACC);
	assert_int_equal(tcp("10.1.0.1", 80), ACC); /* re-added */
	assert_int_equal(tcp("10.1.0.1", 81), DRP); /* untouched */
	assert_int_equal(tcp("10.1.0.2", 80), DRP);
}

static void test_add_timeout(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set b { type ipv4_addr; flags timeout; }\n" CHAIN
				  "ip saddr @b drop\n"
				  "tcp dport 23 add @b { ip saddr timeout 300ms }\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.1.0.1", 80), ACC);
	assert_int_equal(tcp("10.1.0.1", 23), ACC); /* added, 300 ms */
	assert_int_equal(tcp("10.1.0.1", 80), DRP);
	msleep(150);
	assert_int_equal(tcp("10.1.0.1", 80), DRP);
	msleep(250);
	assert_int_equal(tcp("10.1.0.1", 80), ACC); /* expired */
	assert_int_equal(tcp("10.1.0.1", 23), ACC); /* added again */
	assert_int_equal(tcp("10.1.0.1", 80), DRP);
}

/* update pushes the expiry of a present element, add does not */
static void test_update_refresh(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set u { type ipv4_addr; flags timeout; timeout 400ms; }\n"
				  "set a { type ipv4_addr; flags timeout; timeout 400ms; }\n" CHAIN
				  "tcp dport 1 update @u { ip saddr }\n"
				  "tcp dport 1 add @a { ip saddr }\n"
				  "tcp dport 2 ip saddr @u drop\n"
				  "tcp dport 3 ip saddr @a drop\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.1.0.1", 1), ACC);
	msleep(250);
	assert_int_equal(tcp("10.1.0.1", 1), ACC); /* u: until 650 ms, a: 400 ms */
	msleep(250);
	assert_int_equal(tcp("10.1.0.1", 2), DRP);
	assert_int_equal(tcp("10.1.0.1", 3), ACC);
}

static void test_static_timeout(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set s { type ipv4_addr; flags timeout; timeout 1h;\n"
				  "elements = { 10.1.0.1 timeout 300ms, 10.1.0.2,\n"
				  "10.1.0.3 timeout 1h expires 200ms }; }\n" CHAIN
				  "ip saddr @s drop\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.1.0.1", 80), DRP);
	assert_int_equal(tcp("10.1.0.2", 80), DRP);
	assert_int_equal(tcp("10.1.0.3", 80), DRP);
	msleep(250);
	assert_int_equal(tcp("10.1.0.3", 80), ACC); /* expires 200ms */
	assert_int_equal(tcp("10.1.0.1", 80), DRP);
	msleep(150);
	assert_int_equal(tcp("10.1.0.1", 80), ACC);
	assert_int_equal(tcp("10.1.0.2", 80), DRP); /* the set's 1h */
}

/* interval set with timeouts: an LPM trie, expiry on lookup */
static void test_interval_timeout(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set r { type ipv4_addr; flags interval,timeout;\n"
				  "elements = { 10.2.0.0/16 timeout 200ms, 10.3.0.0/16 }; }\n" CHAIN
				  "ip saddr @r drop\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.2.3.4", 80), DRP);
	assert_int_equal(tcp("10.3.3.4", 80), DRP);
	msleep(300);
	assert_int_equal(tcp("10.2.3.4", 80), ACC);
	assert_int_equal(tcp("10.3.3.4", 80), DRP);
}

static void test_elem_limit(void **state)
{
	int i, acc = 0;

	(void)state;
	assert_int_equal(load(HDR "set l { type ipv4_addr; flags dynamic; }\n" CHAIN
				  "add @l { ip saddr limit rate 1/minute burst 3 packets } accept\n"
				  "drop\n"
				  "}\n}\n"),
			 0);
	for (i = 0; i < 6; i++)
		acc += tcp("10.1.0.1", 80) == ACC;
	assert_int_equal(acc, 3);
	assert_int_equal(tcp("10.1.0.2", 80), ACC); /* its own bucket */
}

/* a full set stops the rule (the kernel's NFT_BREAK) */
static void test_full(void **state)
{
	(void)state;
	assert_int_equal(load(HDR "set f { type ipv4_addr; size 2; flags dynamic; }\n" CHAIN
				  "add @f { ip saddr } accept\n"
				  "drop\n"
				  "}\n}\n"),
			 0);
	assert_int_equal(tcp("10.1.0.1", 80), ACC);
	assert_int_equal(tcp("10.1.0.2", 80), ACC);
	assert_int_equal(tcp("10.1.0.3", 80), DRP);
	assert_int_equal(tcp("10.1.0.1", 80), ACC); /* present: no insert */
}

static int tcp6(const char *src, uint16_t dport)
{
	struct tl_pkt p;

	tl_ip6(&p, src, "fd00::1", IPPROTO_TCP, 40000, dport, NULL, 0);
	return tl_run(lv, &p, false, 1);
}

/* IPv6 . port keys updated from a chain called from two rules (a BPF
 * subprogram), with a map of data */
static void test_ip6_subprogram(void **state)
{
	(void)state;
	assert_int_equal(load("table inet t {\n"
			      "set c6 { type ipv6_addr . inet_service; flags dynamic,timeout; timeout 1h; }\n"
			      "map pm { type ipv6_addr : inet_service; flags dynamic; }\n"
			      "chain c { type filter hook prerouting priority 0; policy accept;\n"
			      "ip6 saddr . tcp dport @c6 drop\n"
			      "tcp dport 1-100 jump s\n"
			      "tcp dport 101-200 jump s\n"
			      "ip6 saddr . tcp dport vmap { fd00::9 . 300 : drop }\n"
			      "tcp dport 400 ip6 saddr map @pm 150 drop\n"
			      "}\n"
			      "chain s { add @c6 { ip6 saddr . tcp dport }\n"
			      "update @pm { ip6 saddr : tcp dport }\n"
			      "}\n"
			      "}\n"),
			 0);
	assert_int_equal(tcp6("fd00::2", 50), ACC);
	assert_int_equal(tcp6("fd00::2", 50), DRP);
	assert_int_equal(tcp6("fd00::2", 51), ACC);
	assert_int_equal(tcp6("fd00::3", 150), ACC);
	assert_int_equal(tcp6("fd00::3", 150), DRP);
	/* pm: fd00::2 -> 50 (first add; update keeps the data), fd00::3 -> 150 */
	assert_int_equal(tcp6("fd00::3", 400), DRP);
	assert_int_equal(tcp6("fd00::2", 400), ACC);
	assert_int_equal(tcp6("fd00::4", 400), ACC); /* no element */
}

static void test_refused(void **state)
{
	(void)state;
	assert_int_not_equal(load(HDR "set r { type ipv4_addr; flags interval; }\n" CHAIN
				      "add @r { ip saddr }\n"
				      "}\n}\n"),
			     0);
	assert_non_null(strstr(cerr_msg, "set r: interval"));
	assert_non_null(strstr(cerr_msg, "chain c"));
}

static int setup(void **state)
{
	(void)state;
	return tl_private_netns();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_concat_delete),
		cmocka_unit_test(test_add_timeout),
		cmocka_unit_test(test_update_refresh),
		cmocka_unit_test(test_static_timeout),
		cmocka_unit_test(test_interval_timeout),
		cmocka_unit_test(test_elem_limit),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_ip6_subprogram),
		cmocka_unit_test(test_refused),
	};

	if (geteuid() != 0) {
		printf("test_dynset: skipped (needs root)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, NULL);
}
