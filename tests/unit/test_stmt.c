// SPDX-License-Identifier: GPL-2.0
/*
 * log, quota, named objects and mangling (translator/codegen_log.c,
 * codegen_obj.c, codegen_mangle.c) through BPF_PROG_TEST_RUN of the entry
 * program, plus the log formatter (daemon/lib/logd.c) on crafted records.
 * Mangled packets are checked by recomputing their checksums here; log
 * lines against nf_log_syslog's format (the same lines as the kernel's are
 * compared for real traffic by tests/tier-stmts.sh).
 *
 * Needs root (BPF, unshare, a bpffs for the pins); skips otherwise.
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/netfilter/nf_log.h>
#include <bpf/libbpf.h>
#include <cmocka.h>

#include "bpf/lib/quota.h"
#include "daemon/lib/logd.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "tests/unit/test_codegen_lib.h"
#include "translator/codegen.h"
#include "translator/lower.h"
#include "translator/stmt_live.h"

static struct bnft_live *lv;
static char root[128];
static char cerr_msg[1024];

static int load(const char *text)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_load_stats st;
	struct bnft_err cerr;
	struct bnft_ir *ir = NULL;
	int err;

	cerr_msg[0] = 0;
	err = tl_front(text, &ir);
	if (err) {
		snprintf(cerr_msg, sizeof(cerr_msg), "front end failed");
		return err;
	}
	err = bnft_compile(ir, &ps, &cerr);
	bnft_ir_free(&ir);
	if (err) {
		snprintf(cerr_msg, sizeof(cerr_msg), "%s", cerr.msg);
		return err;
	}
	err = bnft_live_sync_ifaces(lv);
	err = err < 0 ? err : bnft_live_load(lv, ps, &st);
	if (err && st.verifier_log[0])
		fprintf(stderr, "verifier: %s\n", st.verifier_log);
	bnft_prog_set_free(&ps);
	return err;
}

/* Runs p through the ingress entry; the packet as it leaves in out. */
static int run_out(const struct tl_pkt *p, struct tl_pkt *out)
{
	struct __sk_buff ctx;
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = (uint32_t)p->len,
			    .data_out = out ? out->b : NULL,
			    .data_size_out = out ? sizeof(out->b) : 0, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = 1);

	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = 1;
	ctx.ingress_ifindex = 1;
	if (bpf_prog_test_run_opts(bnft_live_entry_fd(lv, false), &o))
		return -errno;
	if (out)
		out->len = o.data_size_out;
	return (int)o.retval;
}

/* Internet checksum of the pseudo header + l4 (0 when valid). */
static uint16_t l4sum(const struct tl_pkt *p, bool v6)
{
	uint8_t buf[600];
	size_t n = 0, l4off = v6 ? 14 + 40 : 14 + (size_t)(p->b[14] & 0xf) * 4;
	size_t l4len = p->len - l4off;

	if (v6) {
		memcpy(buf, p->b + 14 + 8, 32);
		n = 32;
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = (uint8_t)(l4len >> 8);
		buf[n++] = (uint8_t)l4len;
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = 0;
		buf[n++] = p->b[14 + 6];
	} else {
		memcpy(buf, p->b + 14 + 12, 8);
		n = 8;
		buf[n++] = 0;
		buf[n++] = p->b[14 + 9];
		buf[n++] = (uint8_t)(l4len >> 8);
		buf[n++] = (uint8_t)l4len;
	}
	memcpy(buf + n, p->b + l4off, l4len);
	return tl_csum(buf, n + l4len);
}

/* A packet with valid checksums everywhere. */
static void pkt4(struct tl_pkt *p, uint8_t proto, uint16_t dport)
{
	size_t off;

	tl_ip4(p, "10.1.0.1", "10.2.0.1", proto, 1000, dport, 0);
	off = 14 + 20 + (proto == IPPROTO_TCP ? 16 : 6);
	p->b[off] = p->b[off + 1] = 0;
	*(uint16_t *)(p->b + off) = l4sum(p, false);
}

static void pkt6(struct tl_pkt *p, uint8_t proto, uint16_t dport)
{
	size_t off;

	tl_ip6(p, "fd00::1", "fd00::2", proto, 1000, dport, NULL, 0);
	off = 14 + 40 + (proto == IPPROTO_TCP ? 16 : 6);
	*(uint16_t *)(p->b + off) = l4sum(p, true);
}

static uint16_t g16(const struct tl_pkt *p, size_t off)
{
	return (uint16_t)(p->b[off] << 8 | p->b[off + 1]);
}

static void test_mangle_tcp(void **state)
{
	struct tl_pkt p, o;

	(void)state;
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "tcp dport 80 tcp dport set 8080 ip dscp set cs1 ip ttl set 9\n"
			      "tcp dport 8080 ip dscp cs1 ip ttl 9 counter accept\n"
			      "tcp dport 8080 drop\n}\n}\n"),
			 0);
	pkt4(&p, IPPROTO_TCP, 80);
	assert_int_equal(l4sum(&p, false), 0);
	assert_int_equal(run_out(&p, &o), ACC);
	assert_int_equal(o.len, p.len);
	assert_int_equal(g16(&o, 14 + 20 + 2), 8080);
	assert_int_equal(o.b[14 + 1], 0x20);
	assert_int_equal(o.b[14 + 8], 9);
	assert_int_equal(tl_csum(o.b + 14, 20), 0);	/* IP checksum valid */
	assert_int_equal(l4sum(&o, false), 0);		/* TCP checksum valid */
	/* only the written bytes and the checksums changed */
	assert_memory_equal(o.b + 14 + 12, p.b + 14 + 12, 8);
}

static void test_mangle_addr_pseudo(void **state)
{
	struct tl_pkt p, o;

	(void)state;
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 53 ip saddr set 10.9.9.9\n"
			      "tcp dport 53 ip daddr set 10.8.8.8\n}\n}\n"),
			 0);
	pkt4(&p, IPPROTO_UDP, 53);
	assert_int_equal(run_out(&p, &o), ACC);
	assert_int_equal(o.b[14 + 12], 10);
	assert_int_equal(o.b[14 + 13], 9);
	assert_int_equal(tl_csum(o.b + 14, 20), 0);
	assert_int_equal(l4sum(&o, false), 0);	/* pseudo header followed */
	pkt4(&p, IPPROTO_TCP, 53);
	assert_int_equal(run_out(&p, &o), ACC);
	assert_int_equal(o.b[14 + 17], 8);
	assert_int_equal(tl_csum(o.b + 14, 20), 0);
	assert_int_equal(l4sum(&o, false), 0);
	/* a UDP datagram without checksum keeps none */
	pkt4(&p, IPPROTO_UDP, 53);
	p.b[14 + 20 + 6] = p.b[14 + 20 + 7] = 0;
	assert_int_equal(run_out(&p, &o), ACC);
	assert_int_equal(g16(&o, 14 + 20 + 6), 0);
	assert_int_equal(tl_csum(o.b + 14, 20), 0);
}

static void test_mangle_ip6(void **state)
{
	struct tl_pkt p, o;

	(void)state;
	assert_int_equal(load("table ip6 t { chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 5 ip6 dscp set cs2 ip6 hoplimit set 7 udp dport set 6\n"
			      "tcp dport 5 ip6 saddr set fd00::99\n}\n}\n"),
			 0);
	pkt6(&p, IPPROTO_UDP, 5);
	assert_int_equal(l4sum(&p, true), 0);
	assert_int_equal(run_out(&p, &o), ACC);
	/* traffic class cs2 (0x40): version 6, tc in bits 20-27 */
	assert_int_equal(o.b[14], 0x64);
	assert_int_equal(o.b[15] & 0xf0, 0x00);
	assert_int_equal(o.b[14 + 7], 7);
	assert_int_equal(g16(&o, 14 + 40 + 2), 6);
	assert_int_equal(l4sum(&o, true), 0);
	pkt6(&p, IPPROTO_TCP, 5);
	assert_int_equal(run_out(&p, &o), ACC);
	assert_int_equal(o.b[14 + 8 + 15], 0x99);
	assert_int_equal(l4sum(&o, true), 0);
}

static void test_meta_set(void **state)
{
	struct tl_pkt p;

	(void)state;
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 1 meta priority set 1:2 meta mark set 0x42\n"
			      "meta priority 1:2 meta mark 0x42 drop\n}\n}\n"),
			 0);
	pkt4(&p, IPPROTO_UDP, 1);
	assert_int_equal(run_out(&p, NULL), DRP);
	pkt4(&p, IPPROTO_UDP, 2);
	assert_int_equal(run_out(&p, NULL), ACC);
	/* pkttype set (bpf_skb_change_type), seen by the next rule */
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 3 meta pkttype set broadcast\n"
			      "meta pkttype broadcast drop\n}\n}\n"),
			 0);
	pkt4(&p, IPPROTO_UDP, 3);
	assert_int_equal(run_out(&p, NULL), DRP);
	pkt4(&p, IPPROTO_UDP, 4);
	assert_int_equal(run_out(&p, NULL), ACC);
}

static void test_quota(void **state)
{
	struct tl_pkt p;
	int i, v;

	(void)state;
	/* 32-byte datagrams (L3): 32, 64, 96 within 100 bytes, 128 over */
	assert_int_equal(load("table ip t { quota q { 100 bytes\n}\n"
			      "chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 1 quota 100 bytes accept\n"
			      "udp dport 1 drop\n"
			      "udp dport 2 quota over 100 bytes drop\n"
			      "udp dport 3 quota name \"q\" accept\n"
			      "udp dport 4 quota name \"q\" accept\n"
			      "udp dport { 3, 4 } drop\n}\n}\n"),
			 0);
	for (i = 0; i < 4; i++) {
		pkt4(&p, IPPROTO_UDP, 1);
		assert_int_equal(p.len - 14, 32);
		v = run_out(&p, NULL);
		assert_int_equal(v, i < 3 ? ACC : DRP);
		pkt4(&p, IPPROTO_UDP, 2);
		assert_int_equal(run_out(&p, NULL), i < 3 ? ACC : DRP);
	}
	/* one named quota for two rules */
	pkt4(&p, IPPROTO_UDP, 3);
	assert_int_equal(run_out(&p, NULL), ACC);
	pkt4(&p, IPPROTO_UDP, 4);
	assert_int_equal(run_out(&p, NULL), ACC);
	pkt4(&p, IPPROTO_UDP, 3);
	assert_int_equal(run_out(&p, NULL), ACC);
	pkt4(&p, IPPROTO_UDP, 4);
	assert_int_equal(run_out(&p, NULL), DRP);
}

static void test_counter_object(void **state)
{
	struct bnft_obj v;
	struct tl_pkt p;
	uint32_t k;
	int fd, i, found = 0;

	(void)state;
	assert_int_equal(load("table inet t { counter c1 { packets 10 bytes 1000\n}\n"
			      "chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 7 counter name \"c1\"\n"
			      "tcp dport 7 counter name \"c1\"\n}\n}\n"),
			 0);
	for (i = 0; i < 3; i++) {
		pkt4(&p, i == 2 ? IPPROTO_TCP : IPPROTO_UDP, 7);
		assert_int_equal(run_out(&p, NULL), ACC);
	}
	assert_int_equal(bnft_live_gen_map(root, BNFT_OBJ_MAP, &fd), 0);
	for (k = 0; !bpf_map_lookup_elem(fd, &k, &v); k++)
		if (v.kind == BNFT_OBJ_COUNTER && !strcmp(v.name, "c1")) {
			found = 1;
			assert_int_equal(v.v0, 13);
			assert_int_equal(v.v1, 1000 + 32 + 32 + 40);
		}
	close(fd);
	assert_true(found);
}

static uint64_t obj_v0(const char *name)
{
	struct bnft_obj v;
	uint32_t k;
	uint64_t r = ~0ull;
	int fd;

	assert_int_equal(bnft_live_gen_map(root, BNFT_OBJ_MAP, &fd), 0);
	for (k = 0; !bpf_map_lookup_elem(fd, &k, &v); k++)
		if (v.kind == BNFT_OBJ_COUNTER && !strcmp(v.name, name))
			r = v.v0;
	close(fd);
	return r;
}

static void test_object_maps(void **state)
{
	static const struct {
		const char *src;
		int verdict;
	} pk[] = { { "10.1.0.1", ACC }, { "10.1.255.255", ACC }, { "10.2.0.5", ACC },
		   { "10.2.0.10", ACC }, { "10.2.0.11", DRP }, { "10.0.255.255", DRP },
		   { "192.168.0.1", ACC } };
	struct tl_pkt p;
	size_t i;

	(void)state;
	/* interval keys (an LPM trie of the intervals' prefixes) and exact
	 * keys; no element: the rule breaks (next rule drops) */
	assert_int_equal(load("table ip t { counter a {\n}\ncounter b {\n}\ncounter c {\n}\n"
			      "map m { type ipv4_addr : counter\nflags interval\n"
			      "elements = { 10.1.0.0/16 : \"a\", 10.2.0.0-10.2.0.10 : \"b\" }\n}\n"
			      "chain c { type filter hook prerouting priority 0;\n"
			      "ip saddr 192.168.0.1 counter name ip saddr map { 192.168.0.1 : \"c\" } "
			      "accept\n"
			      "counter name ip saddr map @m accept\n"
			      "drop\n}\n}\n"),
			 0);
	for (i = 0; i < sizeof(pk) / sizeof(pk[0]); i++) {
		tl_ip4(&p, pk[i].src, "10.9.9.9", IPPROTO_UDP, 1, 2, 0);
		assert_int_equal(run_out(&p, NULL), pk[i].verdict);
	}
	assert_int_equal(obj_v0("a"), 2);
	assert_int_equal(obj_v0("b"), 2);
	assert_int_equal(obj_v0("c"), 1);
}

/* ---- log --------------------------------------------------------------- */

static char lines[8][1024];
static int nlines;
static struct bnft_log_meta meta[8];

static int on_rec(void *ctx, void *data, size_t size)
{
	const struct bnft_log_ev *ev = data;
	struct bnft_log_dev dev = { .in = "lo", .in_type = 1 };

	(void)ctx;
	if (nlines < 8 && ev->stmt < 8 &&
	    bnft_log_format(ev, size, &meta[ev->stmt], &dev, lines[nlines], sizeof(lines[0])) > 0)
		nlines++;
	return 0;
}

static void read_log(void)
{
	struct ring_buffer *rb;
	uint32_t k;
	int fd, mfd;

	nlines = 0;
	assert_int_equal(bnft_live_gen_map(root, BNFT_LOG_MAP_META, &mfd), 0);
	for (k = 0; k < 8; k++)
		if (bpf_map_lookup_elem(mfd, &k, &meta[k]))
			break;
	close(mfd);
	assert_int_equal(bnft_live_gen_map(root, BNFT_LOG_MAP_RING, &fd), 0);
	rb = ring_buffer__new(fd, on_rec, NULL, NULL);
	assert_non_null(rb);
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	close(fd);
}

static void test_log_records(void **state)
{
	struct tl_pkt p;

	(void)state;
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 9 limit rate 1/minute burst 1 packets log prefix \"u \"\n"
			      "tcp dport 9 log prefix \"t \" level debug flags all\n"
			      "tcp dport 10 meta mark set 0x7 log flags ether\n}\n}\n"),
			 0);
	pkt4(&p, IPPROTO_UDP, 9);
	assert_int_equal(run_out(&p, NULL), ACC);
	assert_int_equal(run_out(&p, NULL), ACC); /* over the limit: not logged */
	pkt4(&p, IPPROTO_TCP, 9);
	assert_int_equal(run_out(&p, NULL), ACC);
	pkt4(&p, IPPROTO_TCP, 10);
	assert_int_equal(run_out(&p, NULL), ACC);
	read_log();
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[0],
			    "u IN=lo OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 "
			    "SRC=10.1.0.1 DST=10.2.0.1 LEN=32 TOS=0x00 PREC=0x00 TTL=64 ID=0 "
			    "PROTO=UDP SPT=1000 DPT=9 LEN=12 ");
	assert_string_equal(lines[1],
			    "t IN=lo OUT= MACSRC=02:00:00:00:00:01 MACDST=02:00:00:00:00:02 "
			    "MACPROTO=0800 SRC=10.1.0.1 DST=10.2.0.1 LEN=40 TOS=0x00 PREC=0x00 "
			    "TTL=64 ID=0 PROTO=TCP SPT=1000 DPT=9 SEQ=0 ACK=0 WINDOW=0 RES=0x00 "
			    "SYN URGP=0 ");
	assert_int_equal(meta[1].level, 7);
	assert_int_equal(meta[1].flags, NF_LOG_MASK);
	/* the mark as set by the rule before the log */
	assert_non_null(strstr(lines[2], " DPT=10 WINDOW=0 RES=0x00 SYN URGP=0 MARK=0x7 "));
}

/* A full ring loses records and counts them per statement. */
static void test_log_lost(void **state)
{
	struct __sk_buff ctx;
	struct tl_pkt p;
	DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .repeat = 2000);
	struct bnft_log_meta m;
	uint32_t k = 0;
	int mfd;

	(void)state;
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "udp dport 9 log prefix \"f \"\n}\n}\n"),
			 0);
	pkt4(&p, IPPROTO_UDP, 9);
	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = ctx.ingress_ifindex = 1;
	o.data_in = p.b;
	o.data_size_in = (uint32_t)p.len;
	assert_int_equal(bpf_prog_test_run_opts(bnft_live_entry_fd(lv, false), &o), 0);
	assert_int_equal(o.retval, ACC);
	assert_int_equal(bnft_live_gen_map(root, BNFT_LOG_MAP_META, &mfd), 0);
	assert_int_equal(bpf_map_lookup_elem(mfd, &k, &m), 0);
	close(mfd);
	/* 256 KiB of 184-byte records (176 + the ring's 8-byte header) */
	assert_int_equal(m.lost, 2000 - BNFT_LOG_EV_RING_SIZE / (sizeof(struct bnft_log_ev) + 8));
}

static void test_log_refused(void **state)
{
	(void)state;
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "log group 2\n}\n}\n"),
			 -EOPNOTSUPP);
	assert_non_null(strstr(cerr_msg, "log group 2 is not supported"));
	assert_non_null(strstr(cerr_msg, "chain c rule handle"));
	assert_int_equal(load("table ip t { chain c { type filter hook prerouting priority 0;\n"
			      "log level audit\n}\n}\n"),
			 -EOPNOTSUPP);
	assert_non_null(strstr(cerr_msg, "log level audit is not supported"));
}

/* ---- the formatter on crafted records ----------------------------------- */

static void ev_from(struct bnft_log_ev *ev, const uint8_t *b, size_t n, uint32_t nhoff)
{
	memset(ev, 0, sizeof(*ev));
	ev->magic = BNFT_LOG_MAGIC;
	ev->version = BNFT_LOG_EV_VERSION;
	ev->len = (uint32_t)n;
	ev->caplen = (uint16_t)(n < BNFT_LOG_CAP ? n : BNFT_LOG_CAP);
	memcpy(ev->pkt, b, ev->caplen);
	ev->offs = nhoff;
	ev->uid = ~0u;
	ev->protocol = htons(ETH_P_IP);
}

static void test_format_icmp_error(void **state)
{
	struct bnft_log_meta m = { .prefix = "e ", .stage = BNFT_LOGST_OUT, .family = 2 };
	struct bnft_log_dev dev = { .out = "eth1", .in_type = 1 };
	struct bnft_log_ev ev;
	struct tl_pkt p, inner;
	char line[1024];

	(void)state;
	/* port unreachable quoting a UDP datagram, forward TTL, no MAC (out) */
	tl_ip4(&inner, "10.2.0.1", "10.1.0.1", IPPROTO_UDP, 53, 4444, 0);
	tl_ip4(&p, "10.1.0.1", "10.2.0.1", IPPROTO_ICMP, 0, 3, 0);
	p.b[14 + 20 + 1] = 3; /* code port unreachable */
	memcpy(p.b + 14 + 28, inner.b + 14, 28);
	p.len = 14 + 28 + 28;
	p.b[14 + 2] = 0;
	p.b[14 + 3] = 56;
	ev_from(&ev, p.b, p.len, 14);
	assert_true(bnft_log_format(&ev, sizeof(ev), &m, &dev, line, sizeof(line)) > 0);
	assert_string_equal(line, "e IN= OUT=eth1 SRC=10.1.0.1 DST=10.2.0.1 LEN=56 TOS=0x00 "
				  "PREC=0x00 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.2.0.1 "
				  "DST=10.1.0.1 LEN=32 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=UDP "
				  "SPT=53 DPT=4444 LEN=12 ] ");
	/* the same at a forward chain: TTL shown decremented, IN and OUT */
	m.stage = BNFT_LOGST_FWD;
	snprintf(dev.in, sizeof(dev.in), "eth0");
	ev.oif = 2;
	assert_true(bnft_log_format(&ev, sizeof(ev), &m, &dev, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "e IN=eth0 OUT=eth1 MAC="));
	assert_non_null(strstr(line, " TTL=63 ID=0 PROTO=ICMP"));
	/* a capture cut short: INCOMPLETE like a short skb */
	m.stage = BNFT_LOGST_OUT;
	ev.len = 14 + 20 + 4;
	ev.caplen = (uint16_t)ev.len;
	assert_true(bnft_log_format(&ev, sizeof(ev), &m, &dev, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "PROTO=ICMP INCOMPLETE [4 bytes] "));
}

static void test_format_ip6_frag(void **state)
{
	struct bnft_log_meta m = { .prefix = "", .stage = BNFT_LOGST_IN, .family = 10,
				   .flags = NF_LOG_IPOPT };
	struct bnft_log_dev dev = { .in = "v", .in_type = 1 };
	static const uint8_t exts[] = { 44 };
	struct bnft_log_ev ev;
	struct tl_pkt p;
	char line[1024];

	(void)state;
	tl_ip6(&p, "fd00::1", "fd00::2", IPPROTO_UDP, 1, 2, exts, 1);
	/* fragment header: offset 0, more fragments, id 0x1234 */
	p.b[14 + 40 + 3] = 1;
	p.b[14 + 40 + 7] = 0x34;
	p.b[14 + 40 + 6] = 0x12;
	ev_from(&ev, p.b, p.len, 14);
	ev.protocol = htons(ETH_P_IPV6);
	ev.mark = 0x10;
	assert_true(bnft_log_format(&ev, sizeof(ev), &m, &dev, line, sizeof(line)) > 0);
	assert_string_equal(line,
			    "IN=v OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:86:dd "
			    "SRC=fd00:0000:0000:0000:0000:0000:0000:0001 "
			    "DST=fd00:0000:0000:0000:0000:0000:0000:0002 LEN=60 TC=0 HOPLIMIT=64 "
			    "FLOWLBL=0 OPT ( FRAG:0 INCOMPLETE ID:00001234 ) PROTO=UDP SPT=1 DPT=2 "
			    "LEN=12 MARK=0x10 ");
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() || tl_private_netns())
		return -1;
	snprintf(root, sizeof(root), "/run/bnft-test-stmtu-%d", getpid());
	if (mkdir(root, 0700) || mount("bpf", root, "bpf", 0, NULL))
		return -1;
	return bnft_live_open(root, true, &lv) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	bnft_live_close(&lv);
	bnft_live_flush(root);
	umount(root);
	rmdir(root);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mangle_tcp),
		cmocka_unit_test(test_mangle_addr_pseudo),
		cmocka_unit_test(test_mangle_ip6),
		cmocka_unit_test(test_meta_set),
		cmocka_unit_test(test_quota),
		cmocka_unit_test(test_counter_object),
		cmocka_unit_test(test_object_maps),
		cmocka_unit_test(test_log_records),
		cmocka_unit_test(test_log_lost),
		cmocka_unit_test(test_log_refused),
		cmocka_unit_test(test_format_icmp_error),
		cmocka_unit_test(test_format_ip6_frag),
	};

	if (geteuid()) {
		printf("SKIP: test_stmt needs root\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
