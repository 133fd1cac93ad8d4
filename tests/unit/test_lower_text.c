// SPDX-License-Identifier: GPL-2.0
/*
 * Lowering through the real front end: nft text -> parse -> evaluate ->
 * lower -> --debug=netlink print. Expected expression lines are what the
 * installed reference (nft 1.0.6 with libnftnl 1.2.4, --debug=netlink, in a
 * scratch network namespace) printed for the same rules; set element lines
 * are in the payload-file format bnft prints ("element KEY [flags 1]").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/lower.h"
#include "tests/unit/text_ir.h"

#define TABLE "table inet t {\nchain c { type filter hook input priority 0; }\n}\n"

/* Parse, evaluate and lower text; return the debug print of all rules. */
static char *lower_text(const char *text)
{
	struct bnft_ir *ir = text_to_ir(text);
	struct outbuf o;
	char *ret;

	if (!ir)
		return NULL;
	outbuf_init(&o);
	bnft_ir_print_debug(ir, &o);
	ret = strdup(o.buf ? o.buf : "");
	bnft_ir_free(&ir);
	outbuf_release(&o);
	return ret;
}

static void expect(const char *rules, const char *want)
{
	char buf[4096];
	char *got;

	snprintf(buf, sizeof(buf), TABLE "%s", rules);
	got = lower_text(buf);
	assert_non_null(got);
	if (strcmp(got, want))
		print_message("got:\n%s\nwant:\n%s\n", got, want);
	assert_string_equal(got, want);
	free(got);
}

/* Adjacent payload matches become one load (nft's payload merge). */
static void test_merge_ports(void **state)
{
	expect("add rule inet t c tcp sport 1 tcp dport 2 counter\n",
	       "inet t c\n"
	       "  [ meta load l4proto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000006 ]\n"
	       "  [ payload load 4b @ transport header + 0 => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x02000100 ]\n"
	       "  [ counter pkts 0 bytes 0 ]\n\n");
}

/* Partial field write: 16-bit read-modify-write for the ip checksum. */
static void test_dscp_set(void **state)
{
	expect("add rule inet t c ip dscp set cs1\n",
	       "inet t c\n"
	       "  [ meta load nfproto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000002 ]\n"
	       "  [ payload load 2b @ network header + 0 => reg 1 ]\n"
	       "  [ bitwise reg 1 = ( reg 1 & 0x000003ff ) ^ 0x00002000 ]\n"
	       "  [ payload write reg 1 => 2b @ network header + 0 csum_type 1 csum_off 10 "
	       "csum_flags 0x0 ]\n\n");
}

/* Interval set: end markers, leading zero end element. */
static void test_interval_set(void **state)
{
	expect("add rule inet t c tcp dport { 22-25, 80 } accept\n",
	       "__set%d t 7\n"
	       "__set%d t 0\n"
	       "\telement 00000000 flags 1\telement 00001600\telement 00001a00 flags 1"
	       "\telement 00005000\telement 00005100 flags 1\n"
	       "inet t c\n"
	       "  [ meta load l4proto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000006 ]\n"
	       "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
	       "  [ lookup reg 1 set __set%d ]\n"
	       "  [ immediate reg 0 accept ]\n\n");
}

/* Concatenation: second member in 32-bit register 9, deps first. */
static void test_concat_set(void **state)
{
	expect("add rule inet t c ip saddr . tcp dport { 10.0.0.1 . 22 } drop\n",
	       "__set%d t 3\n"
	       "__set%d t 0\n"
	       "\telement 0100000a 00001600\n"
	       "inet t c\n"
	       "  [ meta load nfproto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000002 ]\n"
	       "  [ meta load l4proto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000006 ]\n"
	       "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
	       "  [ payload load 2b @ transport header + 2 => reg 9 ]\n"
	       "  [ lookup reg 1 set __set%d ]\n"
	       "  [ immediate reg 0 drop ]\n\n");
}

/* Wildcard interface name, byte-aligned prefix (shorter load), log, limit. */
static void test_prefixes_log_limit(void **state)
{
	expect("add rule inet t c iifname \"eth*\" ip daddr 10.0.0.0/8 log prefix \"x\" "
	       "limit rate 10/second\n",
	       "inet t c\n"
	       "  [ meta load iifname => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00687465 ]\n"
	       "  [ meta load nfproto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000002 ]\n"
	       "  [ payload load 1b @ network header + 16 => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x0000000a ]\n"
	       "  [ log prefix x ]\n"
	       "  [ limit rate 10/second burst 5 type packets flags 0x0 ]\n\n");
}

/* Link layer in inet: iiftype dependency, ether type merged into the
 * ether saddr load, vlan id after the ethernet header. */
static void test_ether_vlan(void **state)
{
	expect("add rule inet t c ether saddr 00:01:02:03:04:05 vlan id 1\n",
	       "inet t c\n"
	       "  [ meta load iiftype => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000001 ]\n"
	       "  [ payload load 8b @ link header + 6 => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x03020100 0x00810504 ]\n"
	       "  [ payload load 2b @ link header + 14 => reg 1 ]\n"
	       "  [ bitwise reg 1 = ( reg 1 & 0x0000ff0f ) ^ 0x00000000 ]\n"
	       "  [ cmp eq reg 1 0x00000100 ]\n\n");
}

static void test_reject_tcp_reset(void **state)
{
	expect("add rule inet t c meta l4proto tcp reject with tcp reset\n",
	       "inet t c\n"
	       "  [ meta load l4proto => reg 1 ]\n"
	       "  [ cmp eq reg 1 0x00000006 ]\n"
	       "  [ reject type 1 code 0 ]\n\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_ports),	   cmocka_unit_test(test_dscp_set),
		cmocka_unit_test(test_interval_set),	   cmocka_unit_test(test_concat_set),
		cmocka_unit_test(test_prefixes_log_limit), cmocka_unit_test(test_ether_vlan),
		cmocka_unit_test(test_reject_tcp_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
