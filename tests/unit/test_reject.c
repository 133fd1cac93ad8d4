// SPDX-License-Identifier: GPL-2.0
/*
 * Reject replies built by bpf/lib/reject.h compared byte for byte with the
 * replies the kernel's own nft `reject` sends (the acceptance oracle).
 *
 * Two network namespaces joined by a veth pair: A (10.77.0.1, fd77::1)
 * sends a probe frame through an AF_PACKET socket; B (10.77.0.2, fd77::2)
 * rejects it, once with a real nftables ruleset (inet input chain, then a
 * netdev ingress chain) and once with reject_test of bpf/ct_test.bpf.c on
 * TC ingress. The reply captured on A's side is compared; fields the
 * kernel fills non-deterministically are masked: the IPv4 ID (and so the
 * header checksum) of icmp_send(), the IPv6 flow label of icmpv6_send(),
 * and a TCP checksum the kernel leaves CHECKSUM_PARTIAL on veth. Our own
 * checksums are then verified independently.
 *
 * Needs root, ip(8) and nft(8); skips otherwise. Cleans its namespaces up
 * on exit and on SIGINT/SIGTERM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/if_packet.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/ct_test.skel.h"
#include "test_ct_pkt.h"

#define REJ_ICMP 0
#define REJ_TCP_RST 1
#define REJ_ICMPX 2
#define F_NETDEV 0x1

struct reject_test_cfg {
	uint32_t type, code, flags, l4proto, dport, hits;
};

static char ns_a[64], ns_b[64];
static int fd_root = -1, fd_a = -1, fd_b = -1, sock_a = -1;
static int ifindex_b;
static struct ct_test_bpf *skel;
static int ns_created;

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0 && getenv("BNFT_TEST_VERBOSE"))
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

static void cleanup(void)
{
	if (!ns_created)
		return;
	ns_created = 0;
	sh("ip netns del %s 2>/dev/null", ns_a);
	sh("ip netns del %s 2>/dev/null", ns_b);
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int ns_open(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/var/run/netns/%s", name);
	return open(p, O_RDONLY | O_CLOEXEC);
}

struct bnft_reject_cfg_t {
	uint32_t valid, icmp_ratelimit_ms, icmpv6_ratelimit_ms, icmpv6_plen;
};

static int set_ratelimit(uint32_t ms)
{
	struct bnft_reject_cfg_t c = { 1, ms, ms, 64 };
	uint32_t zero = 0;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.bnft_reject_cfg), &zero, &c, 0);
}

static int group_setup(void **state)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	struct sockaddr_ll sll = { 0 };
	int fail = 0;

	snprintf(ns_a, sizeof(ns_a), "bnft-rj-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "bnft-rj-%d-b", (int)getpid());
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ns_created = 1;
	fail |= sh("ip netns add %s", ns_a);
	fail |= sh("ip netns add %s", ns_b);
	fail |= sh("ip -n %s link add va address 02:00:00:00:00:0a type veth peer name vb "
		   "netns %s address 02:00:00:00:00:0b", ns_a, ns_b);
	fail |= sh("ip -n %s addr add 10.77.0.1/24 dev va && ip -n %s addr add fd77::1/64 dev va "
		   "nodad && ip -n %s link set va up && ip -n %s link set lo up", ns_a, ns_a, ns_a,
		   ns_a);
	fail |= sh("ip -n %s addr add 10.77.0.2/24 dev vb && ip -n %s addr add fd77::2/64 dev vb "
		   "nodad && ip -n %s link set vb up && ip -n %s link set lo up", ns_b, ns_b, ns_b,
		   ns_b);
	fail |= sh("ip -n %s neigh replace 10.77.0.2 lladdr 02:00:00:00:00:0b dev va nud permanent"
		   " && ip -n %s neigh replace fd77::2 lladdr 02:00:00:00:00:0b dev va nud permanent",
		   ns_a, ns_a);
	fail |= sh("ip -n %s neigh replace 10.77.0.1 lladdr 02:00:00:00:00:0a dev vb nud permanent"
		   " && ip -n %s neigh replace fd77::1 lladdr 02:00:00:00:00:0a dev vb nud permanent",
		   ns_b, ns_b);
	fail |= sh("ip -n %s neigh replace 10.77.0.9 lladdr 02:00:00:00:00:0a dev vb nud permanent"
		   " && ip -n %s neigh replace fd77::9 lladdr 02:00:00:00:00:0a dev vb nud permanent",
		   ns_b, ns_b);
	/* the kernel's ICMP rate limits would hide replies of later cases
	 * (bnft's limiter is switched off likewise, see set_ratelimit) */
	fail |= sh("ip netns exec %s sysctl -qw net.ipv4.icmp_ratelimit=0 "
		   "net.ipv6.icmp.ratelimit=0", ns_b);
	if (fail)
		return -1;
	fd_root = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	fd_a = ns_open(ns_a);
	fd_b = ns_open(ns_b);
	if (fd_root < 0 || fd_a < 0 || fd_b < 0)
		return -1;

	if (setns(fd_b, CLONE_NEWNET))
		return -1;
	ifindex_b = (int)if_nametoindex("vb");
	if (setns(fd_a, CLONE_NEWNET))
		return -1;
	sock_a = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("va");
	if (sock_a < 0 || bind(sock_a, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(sock_a, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	if (setns(fd_root, CLONE_NEWNET) || !ifindex_b)
		return -1;

	if (!getenv("BNFT_TEST_VERBOSE"))
		libbpf_set_print(NULL);
	skel = ct_test_bpf__open_and_load();
	if (!skel)
		return -1;
	*state = skel;
	return set_ratelimit(0);
}

static int group_teardown(void **state)
{
	ct_test_bpf__destroy(skel);
	if (sock_a >= 0)
		close(sock_a);
	cleanup();
	return 0;
}

/* Drains frames already queued on A's socket. */
static void drain(void)
{
	uint8_t b[2048];

	while (recv(sock_a, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

/* Sends a frame from A, returns the first reply from B's address (len). */
static ssize_t exchange(const struct tpkt *probe, int v6, uint8_t *reply, size_t cap)
{
	struct timespec t0, t;
	uint8_t b[2048];

	drain();
	if (send(sock_a, probe->b, probe->len, 0) != (ssize_t)probe->len)
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(sock_a, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 1500)
			return 0;
		if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING || n < ETH_HLEN + 40)
			continue;
		if (!v6 && b[12] == 0x08 && b[13] == 0x00 &&
		    !memcmp(b + ETH_HLEN + 12, "\x0a\x4d\x00\x02", 4) &&
		    (b[ETH_HLEN + 9] == IPPROTO_ICMP || b[ETH_HLEN + 9] == IPPROTO_TCP)) {
			memcpy(reply, b, (size_t)n < cap ? (size_t)n : cap);
			return n;
		}
		if (v6 && b[12] == 0x86 && b[13] == 0xdd &&
		    !memcmp(b + ETH_HLEN + 8, "\xfd\x77\0\0\0\0\0\0\0\0\0\0\0\0\0\x02", 16) &&
		    ((b[ETH_HLEN + 6] == IPPROTO_ICMPV6 && b[ETH_HLEN + 40] == 1) ||
		     b[ETH_HLEN + 6] == IPPROTO_TCP)) {
			memcpy(reply, b, (size_t)n < cap ? (size_t)n : cap);
			return n;
		}
	}
}

static int nft_b(const char *ruleset)
{
	char cmd[256];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft -f -", ns_b);
	f = popen(cmd, "w");
	if (!f)
		return -1;
	fputs(ruleset, f);
	return pclose(f);
}

static int bpf_attach_at(int on, enum bpf_tc_attach_point at)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex_b, .attach_point = at);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);
	int err;

	if (setns(fd_b, CLONE_NEWNET))
		return -errno;
	if (on) {
		err = bpf_tc_hook_create(&hook);
		if (err == -EEXIST)
			err = 0;
		opts.prog_fd = bpf_program__fd(skel->progs.reject_test);
		err = err ?: bpf_tc_attach(&hook, &opts);
	} else {
		err = bpf_tc_hook_destroy(&hook);
	}
	setns(fd_root, CLONE_NEWNET);
	return err;
}

static int bpf_attach(int on)
{
	return bpf_attach_at(on, BPF_TC_INGRESS);
}

struct rcase {
	const char *name;
	int v6;
	uint8_t proto;		/* probe protocol */
	uint8_t tcp_flags;	/* TCP probe */
	size_t paylen;
	const char *nft_with;	/* nft reject argument */
	uint32_t type, code;	/* ours */
};

static const struct rcase cases[] = {
	{ "v4 udp port-unreachable", 0, IPPROTO_UDP, 0, 100, "with icmp port-unreachable",
	  REJ_ICMP, 3 },
	{ "v4 udp 1000B admin-prohibited", 0, IPPROTO_UDP, 0, 1000,
	  "with icmp admin-prohibited", REJ_ICMP, 13 },
	{ "v4 udp host-unreachable", 0, IPPROTO_UDP, 0, 10, "with icmp host-unreachable",
	  REJ_ICMP, 1 },
	{ "v4 udp net-unreachable", 0, IPPROTO_UDP, 0, 10, "with icmp net-unreachable",
	  REJ_ICMP, 0 },
	{ "v4 udp prot-unreachable", 0, IPPROTO_UDP, 0, 10, "with icmp prot-unreachable",
	  REJ_ICMP, 2 },
	{ "v4 udp icmpx admin-prohibited", 0, IPPROTO_UDP, 0, 33,
	  "with icmpx admin-prohibited", REJ_ICMPX, 3 },
	{ "v4 tcp syn reset", 0, IPPROTO_TCP, TH_SYN, 0, "with tcp reset", REJ_TCP_RST, 0 },
	{ "v4 tcp ack+data reset", 0, IPPROTO_TCP, TH_ACK | TH_PSH, 77, "with tcp reset",
	  REJ_TCP_RST, 0 },
	{ "v4 tcp fin reset", 0, IPPROTO_TCP, TH_FIN, 5, "with tcp reset", REJ_TCP_RST, 0 },
	{ "v6 udp port-unreachable", 1, IPPROTO_UDP, 0, 100, "with icmpv6 port-unreachable",
	  REJ_ICMP, 4 },
	{ "v6 udp 1400B admin-prohibited", 1, IPPROTO_UDP, 0, 1400,
	  "with icmpv6 admin-prohibited", REJ_ICMP, 1 },
	{ "v6 udp icmpx host-unreachable", 1, IPPROTO_UDP, 0, 20,
	  "with icmpx host-unreachable", REJ_ICMPX, 2 },
	{ "v6 udp no-route", 1, IPPROTO_UDP, 0, 20, "with icmpv6 no-route", REJ_ICMP, 0 },
	{ "v6 tcp syn reset", 1, IPPROTO_TCP, TH_SYN, 0, "with tcp reset", REJ_TCP_RST, 0 },
	{ "v6 tcp ack+data reset", 1, IPPROTO_TCP, TH_ACK | TH_PSH, 300, "with tcp reset",
	  REJ_TCP_RST, 0 },
};

static void probe_of(const struct rcase *c, struct tpkt *p)
{
	struct tflow f = { .v6 = c->v6, .proto = c->proto, .sport = 40123, .dport = 7777 };

	f.s4 = htonl(0x0a4d0001);
	f.d4 = htonl(0x0a4d0002);
	inet_pton(AF_INET6, "fd77::1", &f.s6);
	inet_pton(AF_INET6, "fd77::2", &f.d6);
	if (c->proto == IPPROTO_UDP)
		tp_udp(p, &f, 0, c->paylen);
	else
		tp_tcp(p, &f, 0, c->tcp_flags, 0x11223344, 0x55667788, 29200, c->paylen);
}

static int l4_csum_ok(const uint8_t *b, size_t len, int v6)
{
	size_t l3 = ETH_HLEN, th = v6 ? l3 + 40 : l3 + (size_t)(b[l3] & 0xf) * 4;
	uint8_t proto = v6 ? b[l3 + 6] : b[l3 + 9];
	size_t l4len = len - th;
	uint32_t sum = 0;

	if (v6) {
		sum = tp_csum_add(0, b + l3 + 8, 32);
		sum += (uint32_t)l4len + proto;
	} else if (proto != IPPROTO_ICMP) {
		sum = tp_csum_add(0, b + l3 + 12, 8);
		sum += proto + (uint32_t)l4len;
	}
	sum = tp_csum_add(sum, b + th, l4len);
	return tp_csum_fold(sum) == 0;
}

static int ip4_csum_ok(const uint8_t *b)
{
	return tp_csum_fold(tp_csum_add(0, b + ETH_HLEN, (size_t)(b[ETH_HLEN] & 0xf) * 4)) == 0;
}

static void hexdiff(const uint8_t *k, size_t kn, const uint8_t *o, size_t on)
{
	size_t i, n = kn > on ? kn : on;

	fprintf(stderr, "  kernel %zu bytes, bnft %zu bytes\n", kn, on);
	for (i = 0; i < n; i++)
		if (i >= kn || i >= on || k[i] != o[i])
			fprintf(stderr, "  @%zu kernel %02x bnft %02x\n", i, i < kn ? k[i] : 0,
				i < on ? o[i] : 0);
}

static int compared, identical_bytes;

static void run_case(const struct rcase *c, int netdev)
{
	struct reject_test_cfg cfg = { c->type, c->code, netdev ? F_NETDEV : 0, c->proto, 7777, 0 };
	uint8_t kr[2048], br[2048], mask[2048];
	char rs[512];
	struct tpkt p;
	ssize_t kn, bn;
	uint32_t zero = 0;
	size_t i;

	probe_of(c, &p);
	/* kernel oracle */
	if (netdev)
		snprintf(rs, sizeof(rs),
			 "table netdev bnft_rj { chain in { type filter hook ingress device \"vb\" "
			 "priority 0; meta protocol %s %s dport 7777 reject %s\n}\n}\n",
			 c->v6 ? "ip6" : "ip", c->proto == IPPROTO_UDP ? "udp" : "tcp",
			 c->nft_with);
	else
		snprintf(rs, sizeof(rs),
			 "table inet bnft_rj { chain in { type filter hook input priority 0; "
			 "meta nfproto %s %s dport 7777 reject %s\n}\n}\n",
			 c->v6 ? "ipv6" : "ipv4", c->proto == IPPROTO_UDP ? "udp" : "tcp",
			 c->nft_with);
	assert_int_equal(nft_b(rs), 0);
	kn = exchange(&p, c->v6, kr, sizeof(kr));
	assert_int_equal(nft_b(netdev ? "delete table netdev bnft_rj\n" :
					"delete table inet bnft_rj\n"), 0);
	if (kn <= 0)
		fprintf(stderr, "%s (%s): no reply from the kernel\n", c->name,
			netdev ? "netdev" : "inet");
	assert_true(kn > 0);

	/* bnft */
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.reject_test_cfg), &zero, &cfg,
					     0), 0);
	assert_int_equal(bpf_attach(1), 0);
	bn = exchange(&p, c->v6, br, sizeof(br));
	assert_int_equal(bpf_attach(0), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.reject_test_cfg), &zero, &cfg),
			 0);
	assert_int_equal(cfg.hits, 1);
	if (bn <= 0)
		fprintf(stderr, "%s (%s): no reply from bnft\n", c->name, netdev ? "netdev" : "inet");
	assert_true(bn > 0);

	/* what may differ */
	memset(mask, 0xff, sizeof(mask));
	if (!c->v6 && c->type != REJ_TCP_RST && !netdev) {
		mask[ETH_HLEN + 4] = mask[ETH_HLEN + 5] = 0;	/* IPv4 ID */
		mask[ETH_HLEN + 10] = mask[ETH_HLEN + 11] = 0;	/* its header checksum */
	}
	if (c->v6 && c->type != REJ_TCP_RST && !netdev) {
		mask[ETH_HLEN + 1] = 0xf0;			/* flow label */
		mask[ETH_HLEN + 2] = mask[ETH_HLEN + 3] = 0;
	}
	if (c->type == REJ_TCP_RST && !l4_csum_ok(kr, (size_t)kn, c->v6)) {
		size_t off = ETH_HLEN + (c->v6 ? 40 : 20) + 16; /* partial on veth */

		mask[off] = mask[off + 1] = 0;
	}
	if (kn != bn)
		hexdiff(kr, (size_t)kn, br, (size_t)bn);
	assert_int_equal(kn, bn);
	for (i = 0; i < (size_t)kn; i++)
		if ((kr[i] & mask[i]) != (br[i] & mask[i]))
			break;
	if (i != (size_t)kn) {
		fprintf(stderr, "%s (%s): replies differ\n", c->name, netdev ? "netdev" : "inet");
		hexdiff(kr, (size_t)kn, br, (size_t)bn);
	}
	assert_int_equal(i, (size_t)kn);
	for (i = 0; i < (size_t)kn; i++)
		identical_bytes += kr[i] == br[i];
	compared += (int)kn;
	/* our checksums stand on their own */
	if (!c->v6)
		assert_true(ip4_csum_ok(br));
	assert_true(l4_csum_ok(br, (size_t)bn, c->v6));
}

static void test_reject_inet(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], 0);
}

static void test_reject_netdev(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i], 1);
}

/* No reply where the kernel sends none: RST for a RST, ICMP error about
 * an ICMP error; the packet is still dropped. */
static void test_reject_silent(void **state)
{
	struct reject_test_cfg cfg = { REJ_TCP_RST, 0, 0, IPPROTO_TCP, 7777, 0 };
	struct rcase c = { "v4 rst", 0, IPPROTO_TCP, TH_RST | TH_ACK, 0, "", REJ_TCP_RST, 0 };
	uint8_t br[2048];
	struct tpkt p;
	uint32_t zero = 0;

	probe_of(&c, &p);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.reject_test_cfg), &zero, &cfg,
					     0), 0);
	assert_int_equal(bpf_attach(1), 0);
	assert_int_equal(exchange(&p, 0, br, sizeof(br)), 0);
	assert_int_equal(bpf_attach(0), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.reject_test_cfg), &zero, &cfg),
			 0);
	assert_int_equal(cfg.hits, 1);
}

/* A socket in B talking to A:7777; returns the errno its second call
 * sees (ECONNREFUSED when a reject reached it), 0 if none. */
static int local_peer_error(int type, int v6)
{
	struct sockaddr_storage ss = { 0 };
	struct timeval tv = { .tv_sec = 1 };
	socklen_t sl;
	char buf[16] = "ping";
	int fd, err = 0;

	if (setns(fd_b, CLONE_NEWNET))
		return -1;
	fd = socket(v6 ? AF_INET6 : AF_INET, type, 0);
	setns(fd_root, CLONE_NEWNET);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(7777);
		inet_pton(AF_INET6, "fd77::1", &a->sin6_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(7777);
		a->sin_addr.s_addr = htonl(0x0a4d0001);
		sl = sizeof(*a);
	}
	if (connect(fd, (struct sockaddr *)&ss, sl)) {
		err = errno;
	} else if (type == SOCK_DGRAM) {
		if (send(fd, buf, 4, 0) != 4)
			err = errno;
		else if (recv(fd, buf, sizeof(buf), 0) < 0)
			err = errno;
	}
	close(fd);
	return err;
}

/* Reject at TC egress of locally generated packets (an output chain):
 * the reply must reach the local socket. */
static void test_reject_output(void **state)
{
	static const struct {
		int type, v6;
		const char *with;
		uint32_t rtype, code;
	} oc[] = {
		{ SOCK_DGRAM, 0, "with icmp port-unreachable", REJ_ICMP, 3 },
		{ SOCK_STREAM, 0, "with tcp reset", REJ_TCP_RST, 0 },
		{ SOCK_DGRAM, 1, "with icmpv6 port-unreachable", REJ_ICMP, 4 },
		{ SOCK_STREAM, 1, "with tcp reset", REJ_TCP_RST, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(oc) / sizeof(oc[0]); i++) {
		struct reject_test_cfg cfg = { oc[i].rtype, oc[i].code, 0,
					       oc[i].type == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP,
					       7777, 0 };
		uint32_t zero = 0;
		char rs[512];
		int kerr, berr;

		snprintf(rs, sizeof(rs),
			 "table inet bnft_rjo { chain out { type filter hook output priority 0; "
			 "meta nfproto %s %s dport 7777 reject %s\n}\n}\n",
			 oc[i].v6 ? "ipv6" : "ipv4", oc[i].type == SOCK_DGRAM ? "udp" : "tcp",
			 oc[i].with);
		assert_int_equal(nft_b(rs), 0);
		kerr = local_peer_error(oc[i].type, oc[i].v6);
		assert_int_equal(nft_b("delete table inet bnft_rjo\n"), 0);

		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.reject_test_cfg), &zero,
						     &cfg, 0), 0);
		assert_int_equal(bpf_attach_at(1, BPF_TC_EGRESS), 0);
		berr = local_peer_error(oc[i].type, oc[i].v6);
		assert_int_equal(bpf_attach_at(0, BPF_TC_EGRESS), 0);
		printf("test_reject: output %s %s: kernel errno %d, bnft errno %d\n",
		       oc[i].v6 ? "v6" : "v4", oc[i].with, kerr, berr);
		/* The kernel's output hook also fails the sending syscall with
		 * EPERM (NF_DROP); a TC egress drop cannot, so the sender sees
		 * the reply itself: ECONNREFUSED. */
		assert_true(kerr == ECONNREFUSED || kerr == EPERM);
		assert_int_equal(berr, ECONNREFUSED);
	}
}

/* Frames from A to B, replies from B counted over a second. */
static int count_replies(const struct tpkt *probe, int n, int v6)
{
	struct timespec t0, t;
	uint8_t b[2048];
	int i, got = 0;

	drain();
	for (i = 0; i < n; i++)
		if (send(sock_a, probe->b, probe->len, 0) != (ssize_t)probe->len)
			return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(sock_a, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);

		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 1000)
			return got;
		if (r <= ETH_HLEN + 40 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (!v6 && b[12] == 0x08 && b[ETH_HLEN + 9] == IPPROTO_ICMP &&
		    !memcmp(b + ETH_HLEN + 16, "\x0a\x4d\x00\x09", 4))
			got++;
		if (v6 && b[12] == 0x86 && b[ETH_HLEN + 6] == IPPROTO_ICMPV6 &&
		    b[ETH_HLEN + 40] == 1 && b[ETH_HLEN + 24 + 15] == 9)
			got++;
	}
}

/* icmp_send()'s per-destination limit with the default 1000 ms: a burst
 * of 10 rejected packets from one source gets as many replies from bnft
 * as from the kernel (6 for IPv4: XRLIM_BURST_FACTOR). */
static void test_reject_ratelimit(void **state)
{
	int v6;

	assert_int_equal(sh("ip netns exec %s sysctl -qw net.ipv4.icmp_ratelimit=1000 "
			    "net.ipv6.icmp.ratelimit=1000", ns_b), 0);
	for (v6 = 0; v6 < 2; v6++) {
		struct reject_test_cfg cfg = { REJ_ICMP, v6 ? 4 : 3, 0, IPPROTO_UDP, 7777, 0 };
		struct tflow f = { .v6 = v6, .proto = IPPROTO_UDP, .sport = 5, .dport = 7777 };
		uint32_t zero = 0;
		struct tpkt p;
		char rs[256];
		int k, b;

		f.s4 = htonl(0x0a4d0009);
		f.d4 = htonl(0x0a4d0002);
		inet_pton(AF_INET6, "fd77::9", &f.s6);
		inet_pton(AF_INET6, "fd77::2", &f.d6);
		tp_udp(&p, &f, 0, 16);
		snprintf(rs, sizeof(rs),
			 "table inet bnft_rjl { chain in { type filter hook input priority 0; "
			 "udp dport 7777 reject\n}\n}\n");
		assert_int_equal(nft_b(rs), 0);
		k = count_replies(&p, 10, v6);
		assert_int_equal(nft_b("delete table inet bnft_rjl\n"), 0);

		assert_int_equal(set_ratelimit(1000), 0);
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.reject_test_cfg), &zero,
						     &cfg, 0), 0);
		assert_int_equal(bpf_attach(1), 0);
		b = count_replies(&p, 10, v6);
		assert_int_equal(bpf_attach(0), 0);
		assert_int_equal(set_ratelimit(0), 0);
		printf("test_reject: burst of 10 %s probes: kernel %d replies, bnft %d\n",
		       v6 ? "IPv6" : "IPv4", k, b);
		assert_true(k > 0 && k < 10);
		assert_int_equal(b, k);
	}
	assert_int_equal(sh("ip netns exec %s sysctl -qw net.ipv4.icmp_ratelimit=0 "
			    "net.ipv6.icmp.ratelimit=0", ns_b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reject_inet),
		cmocka_unit_test(test_reject_netdev),
		cmocka_unit_test(test_reject_silent),
		cmocka_unit_test(test_reject_output),
		cmocka_unit_test(test_reject_ratelimit),
	};
	int rc;

	if (geteuid() != 0 || system("command -v nft >/dev/null && command -v ip >/dev/null")) {
		printf("test_reject: skipped (needs root, nft and ip)\n");
		return 0;
	}
	rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	if (compared)
		printf("test_reject: %d reply bytes compared, %d identical before masking\n",
		       compared, identical_bytes);
	return rc;
}
