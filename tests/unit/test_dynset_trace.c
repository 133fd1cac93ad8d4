// SPDX-License-Identifier: GPL-2.0
/*
 * nft tracing in the datapath (translator/codegen_trace.c, bpf/lib/
 * trace.h) through BPF_PROG_TEST_RUN: the events a traced packet leaves
 * in the generation's ring buffer follow nft_do_chain() (a rule event per
 * rule that matched, with its verdict; a policy event), untraced packets
 * leave none, every event of one packet carries the same trace id and the
 * packet's first bytes. The printed form is checked against `nft monitor
 * trace` by tests/tier-dynsets.sh.
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
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <cmocka.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/trace.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "tests/unit/test_codegen_lib.h"
#include "translator/codegen.h"
#include "translator/lower.h"

static struct bnft_live *lv;

#define MAX_EV 64
static struct bnft_trace_ev evs[MAX_EV];
static size_t nev;

static int load(const char *text)
{
	struct bnft_err cerr;
	struct bnft_ir *ir = NULL;
	int err = tl_front(text, &ir);

	if (err)
		return err;
	err = tl_load(ir, &lv, &cerr);
	if (err)
		print_message("compile/load: %s\n", cerr.msg);
	bnft_ir_free(&ir);
	return err;
}

/* The newest ring buffer named bnft_trace with an id above `after`. */
static int find_ring(uint32_t after)
{
	uint32_t id = after, best = 0;

	while (!bpf_map_get_next_id(id, &id)) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_RINGBUF &&
		    !strcmp(info.name, "bnft_trace"))
			best = id;
		close(fd);
	}
	return best ? bpf_map_get_fd_by_id(best) : -1;
}

static int on_ev(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= sizeof(struct bnft_trace_ev) && nev < MAX_EV)
		memcpy(&evs[nev++], data, sizeof(struct bnft_trace_ev));
	return 0;
}

static struct ring_buffer *rb;

static void drain(void)
{
	nev = 0;
	ring_buffer__consume(rb);
}

static int tcp(const char *src, uint16_t dport, struct tl_pkt *p)
{
	tl_ip4(p, src, "10.0.0.1", IPPROTO_TCP, 40000, dport, 0);
	return tl_run(lv, p, false, 1);
}

static void expect(size_t i, uint32_t type, uint32_t chain, uint32_t verdict)
{
	assert_true(i < nev);
	assert_int_equal(evs[i].magic, BNFT_TRACE_MAGIC);
	assert_int_equal(evs[i].type, type);
	assert_int_equal(evs[i].chain, chain);
	assert_int_equal(evs[i].verdict, verdict);
}

static void test_trace_events(void **state)
{
	uint32_t base = 0;
	struct tl_pkt p;
	size_t i;
	int fd;

	(void)state;
	/* a baseline map id: only maps created by this load count */
	bpf_map_get_next_id(0, &base);
	while (!bpf_map_get_next_id(base, &base))
		;
	assert_int_equal(load("table ip t {\n"
			      "chain c { type filter hook prerouting priority 0; policy drop;\n"
			      "ip saddr 10.1.0.1 meta nftrace set 1\n"
			      "tcp dport 22 accept\n"
			      "tcp dport 23 jump s\n"
			      "tcp dport 24 jump s2\n"
			      "tcp dport 24 jump s2\n"
			      "tcp dport vmap { 25 : accept, 26 : drop }\n"
			      "}\n"
			      "chain s { counter\n}\n"
			      "chain s2 { tcp dport 24 return\n}\n"
			      "}\n"),
			 0);
	fd = find_ring(base);
	assert_true(fd >= 0);
	rb = ring_buffer__new(fd, on_ev, NULL, NULL);
	assert_non_null(rb);
	drain();

	/* traced, accepted by a rule */
	assert_int_equal(tcp("10.1.0.1", 22, &p), ACC);
	drain();
	assert_int_equal(nev, 2);
	expect(0, BNFT_TRACE_RULE, 0, BNFT_V_CONTINUE);
	expect(1, BNFT_TRACE_RULE, 0, BNFT_V_ACCEPT);
	assert_int_equal(evs[0].id, evs[1].id);
	assert_int_equal(evs[0].base, 0);
	assert_int_equal(evs[0].caplen, p.len);
	assert_memory_equal(evs[0].pkt, p.b, p.len);
	assert_int_equal(evs[0].offs & 0xffff, 14);
	assert_true(evs[0].handle != evs[1].handle);

	/* not traced */
	assert_int_equal(tcp("10.1.0.2", 22, &p), ACC);
	drain();
	assert_int_equal(nev, 0);

	/* jump, a rule in the called chain, back, policy drop */
	assert_int_equal(tcp("10.1.0.1", 23, &p), DRP);
	drain();
	assert_int_equal(nev, 4);
	expect(0, BNFT_TRACE_RULE, 0, BNFT_V_CONTINUE);
	expect(1, BNFT_TRACE_RULE, 0, BNFT_V_JUMP);
	assert_int_equal(evs[1].target, 1);
	expect(2, BNFT_TRACE_RULE, 1, BNFT_V_CONTINUE);
	expect(3, BNFT_TRACE_POLICY, 0, BNFT_V_DROP);
	for (i = 1; i < nev; i++)
		assert_int_equal(evs[i].id, evs[0].id);

	/* a chain called twice (a BPF subprogram): return verdicts, no
	 * base chain known inside it */
	assert_int_equal(tcp("10.1.0.1", 24, &p), DRP);
	drain();
	assert_int_equal(nev, 6);
	expect(1, BNFT_TRACE_RULE, 0, BNFT_V_JUMP);
	expect(2, BNFT_TRACE_RULE, 2, BNFT_V_RETURN);
	assert_int_equal(evs[2].base, BNFT_TRACE_NO_CHAIN);
	expect(3, BNFT_TRACE_RULE, 0, BNFT_V_JUMP);
	expect(4, BNFT_TRACE_RULE, 2, BNFT_V_RETURN);
	expect(5, BNFT_TRACE_POLICY, 0, BNFT_V_DROP);

	/* verdict map */
	assert_int_equal(tcp("10.1.0.1", 26, &p), DRP);
	drain();
	assert_int_equal(nev, 2);
	expect(1, BNFT_TRACE_RULE, 0, BNFT_V_DROP);

	/* a new packet, a new id */
	{
		uint32_t id = evs[0].id;

		assert_int_equal(tcp("10.1.0.1", 25, &p), ACC);
		drain();
		assert_int_equal(nev, 2);
		expect(1, BNFT_TRACE_RULE, 0, BNFT_V_ACCEPT);
		assert_int_not_equal(evs[0].id, id);
	}
	ring_buffer__free(rb);
	close(fd);
}

/* no nftrace in the ruleset: no ring buffer, no trace code */
static void test_no_trace_no_cost(void **state)
{
	uint32_t base = 0;

	(void)state;
	bpf_map_get_next_id(0, &base);
	while (!bpf_map_get_next_id(base, &base))
		;
	assert_int_equal(load("table ip t {\n"
			      "chain c { type filter hook prerouting priority 0;\n"
			      "tcp dport 22 accept\n"
			      "}\n"
			      "}\n"),
			 0);
	assert_int_equal(find_ring(base), -1);
}

static int setup(void **state)
{
	(void)state;
	return tl_private_netns();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_events),
		cmocka_unit_test(test_no_trace_no_cost),
	};

	if (geteuid() != 0) {
		printf("test_dynset_trace: skipped (needs root)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, NULL);
}
