// SPDX-License-Identifier: GPL-2.0
/*
 * Reassembly emulation (translator/codegen_frag.c, bpf/lib/frag.h) with
 * BPF_PROG_TEST_RUN through the entry program: rulesets loaded with the
 * real `nft -f` into this test's private netns, dumped, compiled; crafted
 * IPv4 fragments; counters read back. The kernel counts a datagram once,
 * with its reassembled length, in the chains that see it reassembled
 * (input; output/postrouting before the stack fragments it). The diff
 * tier (tests/diff, rulesets 70-77) checks the same against the kernel.
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

#define STOLEN TC_ACT_STOLEN

static void load(const char *rules)
{
	struct bnft_ir *ir = NULL;
	struct bnft_err e;
	FILE *f = popen("nft flush ruleset && nft -f -", "w");
	int err;

	assert_non_null(f);
	fputs(rules, f);
	assert_int_equal(pclose(f), 0);
	assert_int_equal(bnft_kdump_new(&ir), 0);
	err = tl_load(ir, &lv, &e);
	if (err)
		fprintf(stderr, "load: %d %s\n", err, e.msg);
	assert_int_equal(err, 0);
	bnft_ir_free(&ir);
}

/* One fragment of an IPv4 datagram 10.1.1.1 -> 127.0.0.1 with id `id`:
 * data bytes [off, off + len) of a datagram whose data starts with a UDP
 * header to port dport; data length `total`. */
static void frag4(struct tl_pkt *p, uint16_t id, uint16_t dport, unsigned int off,
		  unsigned int len, unsigned int total)
{
	uint8_t data[2048], *ip;

	assert_true(total <= sizeof(data) && off + len <= total);
	memset(data, 0, sizeof(data));
	*(uint16_t *)data = htons(40000);
	*(uint16_t *)(data + 2) = htons(dport);
	*(uint16_t *)(data + 4) = htons((uint16_t)total);
	tl_eth(p, ETH_P_IP);
	ip = p->b + 14;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	*(uint16_t *)(ip + 2) = htons((uint16_t)(20 + len));
	*(uint16_t *)(ip + 4) = htons(id);
	*(uint16_t *)(ip + 6) = htons((uint16_t)((off + len < total ? 0x2000 : 0) | off / 8));
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "10.1.1.1", ip + 12);
	inet_pton(AF_INET, "127.0.0.1", ip + 16);
	*(uint16_t *)(ip + 10) = tl_csum(ip, 20);
	memcpy(ip + 20, data + off, len);
	p->len = 14 + 20 + len;
}

static int run4(uint16_t id, uint16_t dport, unsigned int off, unsigned int len,
		unsigned int total, bool egress)
{
	struct tl_pkt p;

	frag4(&p, id, dport, off, len, total);
	return tl_run(lv, &p, egress, 1);
}

struct rows {
	uint64_t packets[8], bytes[8];
	int n;
};

static int row_cb(const struct bnft_counter_row *row, void *data)
{
	struct rows *r = data;

	if (r->n < 8) {
		r->packets[r->n] = row->packets;
		r->bytes[r->n] = row->bytes;
	}
	r->n++;
	return 0;
}

static void counters(struct rows *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(bnft_live_counters_fd(lv, row_cb, r), 0);
}

static const char *input_rules = "table ip t {\n"
				 "	chain in {\n"
				 "		type filter hook input priority 0; policy accept;\n"
				 "		udp dport 53 counter drop\n"
				 "		ip frag-off & 0x3fff != 0 counter drop\n"
				 "		counter\n"
				 "	}\n"
				 "}\n";

/* In order and reversed: one packet of 20 + data bytes per datagram,
 * counted in the rule its first fragment hits, whichever comes last; the
 * input chains see frag_off of the reassembled datagram (0). */
static void test_input_datagram(void **state)
{
	struct rows r;

	(void)state;
	if (!have_nft)
		skip();
	load(input_rules);
	/* id 1, dport 53: dropped, later fragments too */
	assert_int_equal(run4(1, 53, 0, 104, 300, false), DRP);
	assert_int_equal(run4(1, 53, 104, 104, 300, false), DRP);
	counters(&r);
	assert_int_equal(r.packets[0], 0); /* not complete yet */
	assert_int_equal(run4(1, 53, 208, 92, 300, false), DRP);
	/* id 2, dport 80, reversed: later ones pass (no verdict yet) */
	assert_int_equal(run4(2, 80, 208, 92, 300, false), ACC);
	assert_int_equal(run4(2, 80, 104, 104, 300, false), ACC);
	assert_int_equal(run4(2, 80, 0, 104, 300, false), ACC);
	counters(&r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.packets[0], 1);
	assert_int_equal(r.bytes[0], 320);
	assert_int_equal(r.packets[1], 0); /* frag-off reads 0 */
	assert_int_equal(r.packets[2], 1);
	assert_int_equal(r.bytes[2], 320);
}

/* A missing fragment: never counted. An overlap: the kernel drops the
 * queue, nothing counted, and the key starts a new datagram. Exact
 * duplicates: dropped, the datagram counted once. */
static void test_input_broken(void **state)
{
	struct rows r;

	(void)state;
	if (!have_nft)
		skip();
	load(input_rules);
	assert_int_equal(run4(3, 80, 0, 104, 300, false), ACC);
	assert_int_equal(run4(3, 80, 208, 92, 300, false), ACC); /* 104..208 missing */
	assert_int_equal(run4(4, 80, 0, 104, 300, false), ACC);
	assert_int_equal(run4(4, 80, 96, 112, 300, false), ACC); /* overlaps */
	assert_int_equal(run4(4, 80, 208, 92, 300, false), ACC);
	counters(&r);
	assert_int_equal(r.packets[2], 0);
	assert_int_equal(run4(5, 80, 0, 104, 300, false), ACC);
	assert_int_equal(run4(5, 80, 0, 104, 300, false), DRP);	  /* duplicate first */
	assert_int_equal(run4(5, 80, 208, 92, 300, false), ACC);
	assert_int_equal(run4(5, 80, 208, 92, 300, false), DRP);  /* duplicate last */
	assert_int_equal(run4(5, 80, 104, 104, 300, false), ACC); /* completes */
	counters(&r);
	assert_int_equal(r.packets[2], 1);
	assert_int_equal(r.bytes[2], 320);
}

/* Output: the stack fragments after postrouting, TC egress sees the
 * fragments in order; a drop consumes them (TC_ACT_STOLEN) so that
 * ip_fragment() goes on and the whole datagram is counted. */
static void test_output_datagram(void **state)
{
	struct rows r;

	(void)state;
	if (!have_nft)
		skip();
	load("table ip t {\n"
	     "	chain out {\n"
	     "		type filter hook output priority 0; policy accept;\n"
	     "		udp dport 53 counter drop\n"
	     "		counter\n"
	     "	}\n"
	     "	chain post {\n"
	     "		type filter hook postrouting priority 0; policy accept;\n"
	     "		counter\n"
	     "	}\n"
	     "}\n");
	assert_int_equal(run4(6, 53, 0, 104, 300, true), STOLEN);
	assert_int_equal(run4(6, 53, 104, 104, 300, true), STOLEN);
	assert_int_equal(run4(6, 53, 208, 92, 300, true), STOLEN);
	assert_int_equal(run4(7, 80, 0, 104, 300, true), ACC);
	assert_int_equal(run4(7, 80, 104, 104, 300, true), ACC);
	assert_int_equal(run4(7, 80, 208, 92, 300, true), ACC);
	counters(&r);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.packets[0], 1);
	assert_int_equal(r.bytes[0], 320);
	assert_int_equal(r.packets[1], 1);
	assert_int_equal(r.bytes[1], 320);
	assert_int_equal(r.packets[2], 1);
	assert_int_equal(r.bytes[2], 320);
}

static int group_teardown(void **state)
{
	(void)state;
	bnft_live_close(&lv);
	if (system("nft flush ruleset >/dev/null 2>&1")) {
		/* the private netns goes away with the process anyway */
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_datagram),
		cmocka_unit_test(test_input_broken),
		cmocka_unit_test(test_output_datagram),
	};

	if (geteuid() != 0) {
		printf("[  SKIPPED ] test_frag needs root (BPF_PROG_TEST_RUN)\n");
		return 0;
	}
	if (tl_private_netns()) {
		printf("[  FAILED  ] 1 test(s): cannot create a private netns\n");
		return 1;
	}
	have_nft = system("nft --version >/dev/null 2>&1") == 0;
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
