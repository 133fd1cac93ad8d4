// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack helpers (bpf/lib/ct.h) executed by the kernel: packet
 * sequences through BPF_PROG_TEST_RUN of bpf/ct_test.bpf.c, asserting the
 * ct state/direction/status/mark the helper computed and the table
 * contents. Needs root (BPF); skips otherwise.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <errno.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/ct_abi.h"
#include "bpf/lib/log.h"
#include "bpf/ct_test.skel.h"
#include "test_ct_pkt.h"

#define CTT_ACCEPT 0x1
#define CTT_SET_MARK 0x2
#define CTT_NOTRACK 0x4

#define HOOK_PRE BNFT_CT_HOOK_PRE
#define HOOK_OUT BNFT_CT_HOOK_OUT
#define HOOK_FWD BNFT_CT_HOOK_FWD

#define EST BNFT_CT_STATE_ESTABLISHED
#define NEW BNFT_CT_STATE_NEW
#define INV BNFT_CT_STATE_INVALID
#define REL BNFT_CT_STATE_RELATED
#define UNT BNFT_CT_STATE_UNTRACKED
#define ORIG BNFT_CT_DIR_ORIGINAL
#define REPL BNFT_CT_DIR_REPLY

static int setup(void **state)
{
	struct ct_test_bpf *s;

	if (!getenv("BNFT_TEST_VERBOSE"))
		libbpf_set_print(NULL);
	s = ct_test_bpf__open_and_load();
	if (!s) {
		fprintf(stderr, "ct_test: cannot load (%s)\n", strerror(errno));
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	ct_test_bpf__destroy(*state);
	return 0;
}

static struct bnft_ct_pkt out;

/* Runs one packet; returns the program's verdict, fills `out`. */
static int run(struct ct_test_bpf *s, const struct tpkt *p, uint32_t hook, uint32_t act,
	       uint32_t mark)
{
	struct __sk_buff ctx = { 0 };
	uint32_t zero = 0;
	int err;

	ctx.cb[0] = hook;
	ctx.cb[1] = act;
	ctx.cb[2] = mark;
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = (uint32_t)p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	err = bpf_prog_test_run_opts(bpf_program__fd(s->progs.ct_test), &o);
	assert_int_equal(err, 0);
	memset(&out, 0xee, sizeof(out));
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.ct_test_out), &zero, &out), 0);
	return (int)o.retval;
}

/* Runs an accepted packet at PRE_ROUTING and checks state and direction. */
#define EXPECT(s, p, st, d)                                                                        \
	do {                                                                                       \
		run(s, p, HOOK_PRE, CTT_ACCEPT, 0);                                                \
		assert_int_equal(out.state, st);                                                   \
		if ((st) != INV && (st) != UNT)                                                    \
			assert_int_equal(out.dir, d);                                              \
	} while (0)

static int table_count(struct ct_test_bpf *s)
{
	struct bnft_ct_key k, nk;
	int fd = bpf_map__fd(s->maps.bnft_ct), n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &nk)) {
		k = nk;
		prev = &k;
		n++;
	}
	return n;
}

static uint64_t stat_sum(struct ct_test_bpf *s, uint32_t idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t v[512], sum = 0;

	assert_true(ncpu > 0 && ncpu <= 512);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.bnft_ct_stats), &idx, v), 0);
	for (i = 0; i < ncpu; i++)
		sum += v[i];
	return sum;
}

static struct tflow flow4(uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct tflow f = { .proto = proto, .sport = sport, .dport = dport };

	f.s4 = htonl(0x0a000001); /* 10.0.0.1 client */
	f.d4 = htonl(0x0a000002); /* 10.0.0.2 server */
	return f;
}

static struct tflow flow6(uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct tflow f = { .v6 = 1, .proto = proto, .sport = sport, .dport = dport };

	inet_pton(AF_INET6, "fd00::1", &f.s6);
	inet_pton(AF_INET6, "fd00::2", &f.d6);
	return f;
}

/* Client ISN 1000, server ISN 5000. */
static void handshake(struct ct_test_bpf *s, const struct tflow *f)
{
	struct tpkt p;

	tp_tcp(&p, f, 0, TH_SYN, 1000, 0, 64240, 0);
	EXPECT(s, &p, NEW, ORIG);
	assert_true(out.flags & BNFT_CTP_PENDING);
	assert_int_equal(out.status, 0);
	tp_tcp(&p, f, 1, TH_SYN | TH_ACK, 5000, 1001, 65160, 0);
	EXPECT(s, &p, EST, REPL);
	assert_int_equal(out.status, BNFT_IPS_CONFIRMED | BNFT_IPS_SEEN_REPLY);
	tp_tcp(&p, f, 0, TH_ACK, 1001, 5001, 502, 0);
	EXPECT(s, &p, EST, ORIG);
	assert_int_equal(out.status,
			 BNFT_IPS_CONFIRMED | BNFT_IPS_SEEN_REPLY | BNFT_IPS_ASSURED);
}

static void tcp_lifecycle(void **state, int v6)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = v6 ? flow6(IPPROTO_TCP, 40000, 80) : flow4(IPPROTO_TCP, 40000, 80);
	struct tpkt p;

	handshake(s, &f);
	assert_int_equal(table_count(s), 1); /* both directions: one entry */
	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 1001, 5001, 502, 100);
	EXPECT(s, &p, EST, ORIG);
	tp_tcp(&p, &f, 1, TH_ACK, 5001, 1101, 509, 0);
	EXPECT(s, &p, EST, REPL);
	/* close: FIN, ACK, FIN, ACK */
	tp_tcp(&p, &f, 0, TH_FIN | TH_ACK, 1101, 5001, 502, 0);
	EXPECT(s, &p, EST, ORIG);
	tp_tcp(&p, &f, 1, TH_FIN | TH_ACK, 5001, 1102, 509, 0);
	EXPECT(s, &p, EST, REPL);
	tp_tcp(&p, &f, 0, TH_ACK, 1102, 5002, 502, 0);
	EXPECT(s, &p, EST, ORIG);
	assert_int_equal(table_count(s), 1);
	/* a new SYN on the closed tuple reopens: new flow (CLOSE_INIT) */
	tp_tcp(&p, &f, 0, TH_SYN, 90000, 0, 64240, 0);
	EXPECT(s, &p, NEW, ORIG);
	assert_true(out.flags & BNFT_CTP_PENDING);
}

static void test_tcp_lifecycle_v4(void **state)
{
	tcp_lifecycle(state, 0);
}

static void test_tcp_lifecycle_v6(void **state)
{
	tcp_lifecycle(state, 1);
}

/* A dropped SYN creates nothing: the SYN-ACK then has no flow and a
 * SYN-ACK cannot start one (sNO -> sIV). */
static void test_tcp_drop_not_confirmed(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40001, 22);
	struct tpkt p;

	tp_tcp(&p, &f, 0, TH_SYN, 1000, 0, 64240, 0);
	assert_int_equal(run(s, &p, HOOK_PRE, 0, 0), 2 /* TC_ACT_SHOT */);
	assert_int_equal(out.state, NEW);
	assert_int_equal(table_count(s), 0);
	tp_tcp(&p, &f, 1, TH_SYN | TH_ACK, 5000, 1001, 65160, 0);
	EXPECT(s, &p, INV, 0);
	assert_int_equal(table_count(s), 0);
	/* SYN retransmitted and accepted this time */
	tp_tcp(&p, &f, 0, TH_SYN, 1000, 0, 64240, 0);
	EXPECT(s, &p, NEW, ORIG);
	assert_int_equal(table_count(s), 1);
	/* the retransmitted SYN is still new (no reply seen) */
	EXPECT(s, &p, NEW, ORIG);
	assert_int_equal(table_count(s), 1);
}

/* nf_conntrack_tcp_loose=1: a mid-stream ACK is picked up as new. */
static void test_tcp_loose_pickup(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40002, 443);
	struct tpkt p;
	uint32_t zero = 0;
	struct bnft_ct_cfg cfg = { 0 };

	tp_tcp(&p, &f, 0, TH_ACK, 777777, 888888, 500, 10);
	EXPECT(s, &p, NEW, ORIG);
	tp_tcp(&p, &f, 1, TH_ACK, 888888, 777787, 500, 0);
	EXPECT(s, &p, EST, REPL);
	/* bare FIN+RST/none flags are invalid (tcp_error) */
	tp_tcp(&p, &f, 0, 0, 777787, 0, 500, 0);
	EXPECT(s, &p, INV, 0);
	tp_tcp(&p, &f, 0, TH_SYN | TH_FIN, 777787, 0, 500, 0);
	EXPECT(s, &p, INV, 0);
	/* loose off (nf_conntrack_tcp_loose=0): no pickup */
	cfg.tcp_loose = 2;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.bnft_ct_cfg), &zero, &cfg, 0), 0);
	f.sport = 40003;
	tp_tcp(&p, &f, 0, TH_ACK, 777777, 888888, 500, 10);
	EXPECT(s, &p, INV, 0);
}

/* Window tracking: data beyond the receiver's window, an ACK for data
 * never sent, and a SYN-ACK from the client are invalid. */
static void test_tcp_invalid(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40004, 80);
	struct tpkt p;

	handshake(s, &f);
	/* server window 65160 << 7 (wscale 7 both ways) */
	tp_tcp(&p, &f, 0, TH_ACK, 1001 + 100000000, 5001, 502, 100);
	EXPECT(s, &p, INV, 0);
	tp_tcp(&p, &f, 1, TH_ACK, 5001, 1001 + 5000000, 509, 0);
	EXPECT(s, &p, INV, 0);
	tp_tcp(&p, &f, 0, TH_SYN | TH_ACK, 1001, 5001, 502, 0);
	EXPECT(s, &p, INV, 0);
	/* the flow itself is still fine */
	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 1001, 5001, 502, 10);
	EXPECT(s, &p, EST, ORIG);
	assert_true(stat_sum(s, BNFT_CT_STAT_INVALID) >= 3);
}

/* RST answering a SYN: the entry dies at once (no reply seen). */
static void test_tcp_rst(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40005, 81);
	struct tpkt p;

	tp_tcp(&p, &f, 0, TH_SYN, 1000, 0, 64240, 0);
	EXPECT(s, &p, NEW, ORIG);
	tp_tcp(&p, &f, 1, TH_RST | TH_ACK, 0, 1001, 0, 0);
	EXPECT(s, &p, EST, REPL);
	/* the only reply is a RST: the kernel deletes the entry at once
	 * (SEEN_REPLY is set only after the TCP machine ran) */
	assert_int_equal(table_count(s), 0);

	/* established flow, RST from the client: stays tracked, CLOSE */
	f.sport = 40006;
	handshake(s, &f);
	tp_tcp(&p, &f, 0, TH_RST | TH_ACK, 1001, 5001, 0, 0);
	EXPECT(s, &p, EST, ORIG);
}

static void udp_flow(void **state, int v6)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = v6 ? flow6(IPPROTO_UDP, 5353, 53) : flow4(IPPROTO_UDP, 5353, 53);
	struct tpkt p;

	tp_udp(&p, &f, 0, 30);
	EXPECT(s, &p, NEW, ORIG);
	EXPECT(s, &p, NEW, ORIG); /* second request, still unreplied */
	tp_udp(&p, &f, 1, 60);
	EXPECT(s, &p, EST, REPL);
	assert_true(out.status & BNFT_IPS_SEEN_REPLY);
	tp_udp(&p, &f, 0, 30);
	EXPECT(s, &p, EST, ORIG);
	assert_int_equal(table_count(s), 1);
	/* a different source port is another flow */
	f.sport = 5354;
	tp_udp(&p, &f, 0, 30);
	EXPECT(s, &p, NEW, ORIG);
	assert_int_equal(table_count(s), 2);
}

static void test_udp_v4(void **state)
{
	udp_flow(state, 0);
}

static void test_udp_v6(void **state)
{
	udp_flow(state, 1);
}

static void test_icmp_echo(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_ICMP, 0x4242, 0);
	struct tflow f6 = flow6(IPPROTO_ICMPV6, 0x4243, 0);
	struct tpkt p;

	tp_icmp(&p, &f, 0, 8, 0, 56);
	EXPECT(s, &p, NEW, ORIG);
	tp_icmp(&p, &f, 1, 0, 0, 56);
	EXPECT(s, &p, EST, REPL);
	/* the peer pinging back with the same id is its own flow */
	tp_icmp(&p, &f, 1, 8, 0, 56);
	EXPECT(s, &p, NEW, ORIG);
	/* unsolicited echo reply: invalid (valid_new[]) */
	f.sport = 0x9999;
	tp_icmp(&p, &f, 1, 0, 0, 56);
	EXPECT(s, &p, INV, 0);
	/* router advertisement has no inverse tuple: invalid */
	tp_icmp(&p, &f, 0, 9, 0, 8);
	EXPECT(s, &p, INV, 0);

	tp_icmp(&p, &f6, 0, 128, 0, 56);
	EXPECT(s, &p, NEW, ORIG);
	tp_icmp(&p, &f6, 1, 129, 0, 56);
	EXPECT(s, &p, EST, REPL);
	/* neighbour solicitation: untracked */
	tp_icmp(&p, &f6, 0, 135, 0, 16);
	EXPECT(s, &p, UNT, 0);
	assert_false(out.flags & BNFT_CTP_HAVE_CT);
}

static void icmp_related(void **state, int v6)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = v6 ? flow6(IPPROTO_UDP, 33434, 33435) : flow4(IPPROTO_UDP, 33434, 33435);
	struct tpkt q, p;
	uint32_t router4 = htonl(0x0a0000fe);
	struct in6_addr router6;
	const void *router = v6 ? (const void *)&router6 : (const void *)&router4;

	inet_pton(AF_INET6, "fd00::fe", &router6);
	tp_udp(&q, &f, 0, 20);
	EXPECT(s, &q, NEW, ORIG);
	/* port unreachable from the server, time exceeded from a router */
	tp_icmp_err(&p, &q, v6, v6 ? (const void *)&f.d6 : (const void *)&f.d4, v6 ? 1 : 3,
		    v6 ? 4 : 3, 1232);
	EXPECT(s, &p, REL, REPL);
	assert_true(out.flags & BNFT_CTP_HAVE_CT);
	tp_icmp_err(&p, &q, v6, router, v6 ? 3 : 11, 0, 548);
	EXPECT(s, &p, REL, REPL);
	/* an error quoting a flow we never saw: invalid */
	f.sport = 1;
	tp_udp(&q, &f, 0, 20);
	tp_icmp_err(&p, &q, v6, router, v6 ? 1 : 3, 3, 548);
	EXPECT(s, &p, INV, 0);
	/* error about the reply direction, sent to the server */
	f.sport = 33434;
	tp_udp(&q, &f, 1, 20);
	tp_icmp_err(&p, &q, v6, router, v6 ? 1 : 3, 1, 548);
	EXPECT(s, &p, REL, ORIG);
	/* quoting a flow but addressed elsewhere: invalid */
	if (!v6) {
		tp_udp(&q, &f, 0, 20);
		tp_icmp_err(&p, &q, 0, router, 3, 3, 548);
		((struct iphdr *)(p.b + ETH_HLEN))->daddr = htonl(0x0a000063);
		EXPECT(s, &p, INV, 0);
	}
}

static void test_icmp_related_v4(void **state)
{
	icmp_related(state, 0);
}

static void test_icmp_related_v6(void **state)
{
	icmp_related(state, 1);
}

/* ICMP error quoting an echo request: related to the ping flow. */
static void test_icmp_related_echo(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_ICMP, 0x77, 0);
	struct tpkt q, p;
	uint32_t router = htonl(0x0a0000fe);

	tp_icmp(&q, &f, 0, 8, 0, 16);
	EXPECT(s, &q, NEW, ORIG);
	tp_icmp_err(&p, &q, 0, &router, 11, 0, 548);
	EXPECT(s, &p, REL, REPL);
}

static void test_mark(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_UDP, 1000, 2000);
	struct tpkt p;

	tp_udp(&p, &f, 0, 10);
	run(s, &p, HOOK_PRE, CTT_ACCEPT | CTT_SET_MARK, 0x2a);
	assert_int_equal(out.mark, 0x2a);
	tp_udp(&p, &f, 1, 10);
	EXPECT(s, &p, EST, REPL);
	assert_int_equal(out.mark, 0x2a); /* mark set on the new entry kept */
	run(s, &p, HOOK_PRE, CTT_SET_MARK, 0x99); /* set then dropped: kept */
	tp_udp(&p, &f, 0, 10);
	EXPECT(s, &p, EST, ORIG);
	assert_int_equal(out.mark, 0x99);
	/* no conntrack: mark set is a no-op */
	f.sport = 1001;
	tp_udp(&p, &f, 0, 10);
	run(s, &p, HOOK_PRE, CTT_ACCEPT | CTT_NOTRACK | CTT_SET_MARK, 0x5);
	assert_int_equal(out.state, UNT);
	assert_int_equal(out.mark, 0);
}

static void test_notrack(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_UDP, 1234, 53);
	struct tpkt p;

	tp_udp(&p, &f, 0, 10);
	run(s, &p, HOOK_PRE, CTT_ACCEPT | CTT_NOTRACK, 0);
	assert_int_equal(out.state, UNT);
	assert_int_equal(table_count(s), 0);
	tp_udp(&p, &f, 1, 10);
	EXPECT(s, &p, NEW, ORIG); /* the reply starts its own flow */
}

/* Forwarded packet seen again at egress: classified, not re-tracked. */
static void test_forward_egress(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40010, 80);
	struct tpkt p;

	tp_tcp(&p, &f, 0, TH_SYN, 1000, 0, 64240, 0);
	EXPECT(s, &p, NEW, ORIG);
	run(s, &p, HOOK_FWD, CTT_ACCEPT, 0);
	assert_int_equal(out.state, NEW);
	tp_tcp(&p, &f, 1, TH_SYN | TH_ACK, 5000, 1001, 65160, 0);
	EXPECT(s, &p, EST, REPL);
	run(s, &p, HOOK_FWD, CTT_ACCEPT, 0);
	assert_int_equal(out.state, EST);
	assert_int_equal(out.dir, REPL);
	tp_tcp(&p, &f, 0, TH_ACK, 1001, 5001, 502, 0);
	EXPECT(s, &p, EST, ORIG);
	/* a flow only egress saw (no ingress tracking): tracked there */
	f.sport = 40011;
	tp_tcp(&p, &f, 0, TH_SYN, 1000, 0, 64240, 0);
	run(s, &p, HOOK_FWD, CTT_ACCEPT, 0);
	assert_int_equal(out.state, NEW);
	assert_int_equal(table_count(s), 2);
	/* locally generated (LOCAL_OUT) uses the egress slot, same table */
	tp_tcp(&p, &f, 1, TH_SYN | TH_ACK, 5000, 1001, 65160, 0);
	run(s, &p, HOOK_OUT, CTT_ACCEPT, 0);
	assert_int_equal(out.state, EST);
	assert_int_equal(out.dir, REPL);
}

static void test_timeout(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_UDP, 7000, 7001);
	struct bnft_ct_cfg cfg = { .udp_timeout = 1 };
	uint32_t zero = 0;
	struct tpkt p;

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.bnft_ct_cfg), &zero, &cfg, 0), 0);
	tp_udp(&p, &f, 0, 10);
	EXPECT(s, &p, NEW, ORIG);
	tp_udp(&p, &f, 1, 10);
	EXPECT(s, &p, EST, REPL);
	usleep(1200 * 1000);
	tp_udp(&p, &f, 1, 10);
	EXPECT(s, &p, NEW, ORIG); /* expired: the old reply starts a new flow */
	assert_true(stat_sum(s, BNFT_CT_STAT_EXPIRED) >= 1);
}

/* Non-TCP/UDP/ICMP protocols: generic tracking by addresses. */
static void test_generic(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(47 /* GRE */, 0, 0);
	struct tpkt p;

	tp_l3(&p, &f, 0, 8);
	EXPECT(s, &p, NEW, ORIG);
	tp_l3(&p, &f, 1, 8);
	EXPECT(s, &p, EST, REPL);
}

/* Table full: LRU evicts, inserts go on. */
static void test_many_flows(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_UDP, 0, 53);
	struct tpkt p;
	int i;

	for (i = 0; i < 2000; i++) {
		f.sport = (uint16_t)(10000 + i);
		tp_udp(&p, &f, 0, 4);
		run(s, &p, HOOK_PRE, CTT_ACCEPT, 0);
		assert_int_equal(out.state, NEW);
	}
	assert_int_equal(table_count(s), 2000);
	assert_int_equal(stat_sum(s, BNFT_CT_STAT_CREATED), 2000);
	for (i = 0; i < 2000; i += 97) {
		f.sport = (uint16_t)(10000 + i);
		tp_udp(&p, &f, 1, 4);
		EXPECT(s, &p, EST, REPL);
	}
}

static struct bnft_log_rec logrec[4];
static int nlogrec;

static int log_cb(void *ctx, void *data, size_t size)
{
	if (size == sizeof(struct bnft_log_rec) && nlogrec < 4)
		memcpy(&logrec[nlogrec++], data, size);
	return 0;
}

/* log: one ring buffer record per packet with the statement's arguments
 * and the first 128 bytes of the frame. */
static void test_log(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40200, 22);
	struct bnft_log_args a = { .prefix_id = 7, .rule_id = 42, .level = 4, .flags = 0x01,
				   .hook = 1, .nfproto = 2, .group = 0 };
	struct __sk_buff ctx = { .mark = 0x77 };
	struct ring_buffer *rb;
	struct tpkt p[2];
	uint32_t zero = 0;
	int i;

	assert_int_equal(bpf_map_update_elem(bpf_map__fd(s->maps.log_test_args), &zero, &a, 0), 0);
	rb = ring_buffer__new(bpf_map__fd(s->maps.bnft_log), log_cb, NULL, NULL);
	assert_non_null(rb);
	tp_tcp(&p[0], &f, 0, TH_SYN, 1, 0, 1000, 0);
	tp_tcp(&p[1], &f, 0, TH_ACK, 2, 3, 1000, 400);
	nlogrec = 0;
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p[i].b,
			    .data_size_in = (uint32_t)p[i].len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);
		assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(s->progs.log_test), &o), 0);
		assert_int_equal(o.retval, 0);
	}
	assert_int_equal(ring_buffer__consume(rb), 2);
	assert_int_equal(nlogrec, 2);
	for (i = 0; i < 2; i++) {
		const struct bnft_log_rec *r = &logrec[i];
		size_t cap = p[i].len < BNFT_LOG_CAP ? p[i].len : BNFT_LOG_CAP;

		assert_int_equal(r->magic, BNFT_LOG_MAGIC);
		assert_int_equal(r->version, BNFT_LOG_VERSION);
		assert_int_equal(r->prefix_id, 7);
		assert_int_equal(r->rule_id, 42);
		assert_int_equal(r->level, 4);
		assert_int_equal(r->flags, 0x01);
		assert_int_equal(r->hook, 1);
		assert_int_equal(r->nfproto, 2);
		assert_int_equal(r->mark, 0x77);
		assert_int_equal(r->nhoff, ETH_HLEN);
		assert_int_equal(r->thoff, ETH_HLEN + 20);
		assert_int_equal(r->len, p[i].len - ETH_HLEN);
		assert_int_equal(r->caplen, cap);
		assert_memory_equal(r->pkt, p[i].b, cap);
		assert_true(r->tstamp > 0);
	}
	assert_true(logrec[1].tstamp >= logrec[0].tstamp);
	ring_buffer__free(rb);
}

/* Cost per packet (printed, not asserted: BENCH.md). */
static void test_cost(void **state)
{
	struct ct_test_bpf *s = *state;
	struct tflow f = flow4(IPPROTO_TCP, 40100, 80), u = flow4(IPPROTO_UDP, 999, 53);
	struct __sk_buff ctx = { 0 };
	struct tpkt p, q;
	struct timespec t0, t1;
	int i;

	handshake(s, &f);
	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 1001, 5001, 502, 0);
	tp_udp(&q, &u, 0, 10);
	for (i = 0; i < 2; i++) {
		const struct tpkt *pk = i ? &q : &p;
		double ns;

		ctx.cb[0] = HOOK_PRE;
		ctx.cb[1] = i ? 0 : CTT_ACCEPT; /* the UDP packet stays new: lookup miss */
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pk->b,
			    .data_size_in = (uint32_t)pk->len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 200000);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(s->progs.ct_test), &o), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
		     200000.0;
		printf("test_ct: %s: %.0f ns/packet (test_run, harness included)\n",
		       i ? "new UDP, table miss" : "established TCP, in window", ns);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_lifecycle_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_lifecycle_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_drop_not_confirmed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_loose_pickup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_related_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_related_v6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_icmp_related_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notrack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forward_egress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cost, setup, teardown),
	};

	if (geteuid() != 0) {
		printf("test_ct: skipped (needs root for BPF)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
