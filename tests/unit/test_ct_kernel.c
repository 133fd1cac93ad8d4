// SPDX-License-Identifier: GPL-2.0
/*
 * Conntrack against the kernel's nf_conntrack: every packet of a set of
 * sequences is sent into a network namespace B whose kernel tracks it
 * (B forwards 10.88.0.0/16 and fd88::/16 out of a veth whose peer drops
 * them, so nothing answers and every packet is confirmed at postrouting), and an nft chain
 * in B's prerouting (after conntrack) counts `ct state` and `ct direction`.
 * The same packet goes through bnft_ct_process() (bpf/ct_test.bpf.c,
 * BPF_PROG_TEST_RUN, confirm on accept); state and direction must agree.
 *
 * Needs root, ip(8), nft(8); skips otherwise.
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
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/ct_abi.h"
#include "bpf/ct_test.skel.h"
#include "test_ct_pkt.h"

static char ns_a[64], ns_b[64];
static int ns_created, sock_a = -1;
static struct ct_test_bpf *skel;
static int npkts, nagree;

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
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

static const char ruleset[] =
	"table inet bnft_ctk {\n"
	" chain pre {\n"
	"  type filter hook prerouting priority 0;\n"
	"  iifname \"vb\" ip saddr 10.88.0.0/16 jump count\n"
	"  iifname \"vb\" ip6 saddr fd88::/16 jump count\n"
	" }\n"
	" chain count {\n"
	"  ct state new counter\n"
	"  ct state established counter\n"
	"  ct state related counter\n"
	"  ct state invalid counter\n"
	"  ct state untracked counter\n"
	"  ct direction original counter\n"
	"  ct direction reply counter\n"
	" }\n"
	"}\n";

static int group_setup(void **state)
{
	struct sockaddr_ll sll = { 0 };
	char p[128];
	int fail = 0, fd_root, fd_a;
	FILE *f;

	snprintf(ns_a, sizeof(ns_a), "bnft-ctk-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "bnft-ctk-%d-b", (int)getpid());
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ns_created = 1;
	fail |= sh("ip netns add %s && ip netns add %s", ns_a, ns_b);
	fail |= sh("ip -n %s link add va address 02:00:00:00:00:0a type veth peer name vb "
		   "netns %s address 02:00:00:00:00:0b", ns_a, ns_b);
	/* forwarded packets leave B through d0; A drops them on d1 */
	fail |= sh("ip -n %s link set va up && ip -n %s link set vb up && "
		   "ip -n %s link add d0 type veth peer name d1 netns %s && "
		   "ip -n %s link set d0 up && ip -n %s link set d1 up", ns_a, ns_b, ns_b, ns_a,
		   ns_b, ns_a);
	fail |= sh("ip netns exec %s sysctl -qw net.ipv4.ip_forward=1 "
		   "net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 "
		   "net.ipv4.conf.vb.rp_filter=0 net.ipv4.conf.default.rp_filter=0", ns_b);
	fail |= sh("ip -n %s addr add 10.77.0.2/24 dev vb && ip -n %s addr add fd77::2/64 dev vb "
		   "nodad && ip -n %s route add 10.88.0.0/16 dev d0 && "
		   "ip -n %s -6 route add fd88::/16 dev d0", ns_b, ns_b, ns_b, ns_b);
	fail |= sh("for a in 10.88.1.1 10.88.2.2 10.88.3.3 fd88:1::1 fd88:2::2 fd88:3::3; do "
		   "ip -n %s neigh replace $a lladdr 02:00:00:00:00:0d dev d0 nud permanent || "
		   "exit 1; done", ns_b);
	if (fail)
		return -1;
	snprintf(p, sizeof(p), "ip netns exec %s nft -f -", ns_b);
	f = popen(p, "w");
	if (!f)
		return -1;
	fputs(ruleset, f);
	if (pclose(f))
		return -1;

	fd_root = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(p, sizeof(p), "/var/run/netns/%s", ns_a);
	fd_a = open(p, O_RDONLY | O_CLOEXEC);
	if (fd_root < 0 || fd_a < 0 || setns(fd_a, CLONE_NEWNET))
		return -1;
	sock_a = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("va");
	if (sock_a < 0 || bind(sock_a, (struct sockaddr *)&sll, sizeof(sll)))
		return -1;
	if (setns(fd_root, CLONE_NEWNET))
		return -1;
	close(fd_root);
	close(fd_a);

	if (!getenv("BNFT_TEST_VERBOSE"))
		libbpf_set_print(NULL);
	skel = ct_test_bpf__open_and_load();
	return skel ? 0 : -1;
}

static int group_teardown(void **state)
{
	ct_test_bpf__destroy(skel);
	if (sock_a >= 0)
		close(sock_a);
	cleanup();
	if (npkts)
		printf("test_ct_kernel: %d packets, %d with the kernel's ct state and direction\n",
		       npkts, nagree);
	return 0;
}

/* The kernel's counters in chain order. */
static int counters(uint64_t c[7])
{
	char cmd[256], line[512];
	int n = 0;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft list chain inet bnft_ctk count", ns_b);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *s = strstr(line, "counter packets ");

		if (s && n < 7)
			c[n++] = strtoull(s + 16, NULL, 10);
	}
	pclose(f);
	return n == 7 ? 0 : -1;
}

static const uint32_t state_bits[5] = { BNFT_CT_STATE_NEW, BNFT_CT_STATE_ESTABLISHED,
					BNFT_CT_STATE_RELATED, BNFT_CT_STATE_INVALID,
					BNFT_CT_STATE_UNTRACKED };

/* Sends p into the kernel and through the BPF tracker; both must agree. */
static void check(const struct tpkt *p, const char *what)
{
	uint64_t before[7], after[7];
	uint32_t kstate = 0, zero = 0;
	int kdir = -1, i, tries;
	struct bnft_ct_pkt out;
	struct __sk_buff ctx = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = (uint32_t)p->len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);

	struct tpkt k = *p;

	/* whatever the tuple's direction, the frame goes from A to B */
	memcpy(k.b, tp_mac_b, 6);
	memcpy(k.b + 6, tp_mac_a, 6);
	assert_int_equal(counters(before), 0);
	assert_int_equal(send(sock_a, k.b, k.len, 0), (ssize_t)k.len);
	for (tries = 0; tries < 50; tries++) {
		usleep(2000);
		assert_int_equal(counters(after), 0);
		for (i = 0; i < 5; i++)
			if (after[i] != before[i])
				kstate |= state_bits[i];
		if (kstate)
			break;
	}
	if (after[5] != before[5])
		kdir = BNFT_CT_DIR_ORIGINAL;
	if (after[6] != before[6])
		kdir = BNFT_CT_DIR_REPLY;

	ctx.cb[0] = BNFT_CT_HOOK_PRE;
	ctx.cb[1] = 1; /* accept: confirm */
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(skel->progs.ct_test), &o), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.ct_test_out), &zero, &out), 0);

	npkts++;
	if (out.state == kstate &&
	    (kdir < 0 ? !(out.flags & BNFT_CTP_HAVE_CT) : out.dir == (uint8_t)kdir))
		nagree++;
	else
		fprintf(stderr, "%s: kernel state %#x dir %d, bnft state %#x dir %d flags %#x\n",
			what, kstate, kdir, out.state, out.dir, out.flags);
	assert_int_equal(out.state, kstate);
	if (kdir >= 0)
		assert_int_equal(out.dir, kdir);
	else
		assert_false(out.flags & BNFT_CTP_HAVE_CT);
}

static struct tflow mkflow(int v6, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct tflow f = { .v6 = v6, .proto = proto, .sport = sport, .dport = dport };

	f.s4 = htonl(0x0a580101); /* 10.88.1.1 */
	f.d4 = htonl(0x0a580202); /* 10.88.2.2 */
	inet_pton(AF_INET6, "fd88:1::1", &f.s6);
	inet_pton(AF_INET6, "fd88:2::2", &f.d6);
	return f;
}

static void tcp_seq(int v6, uint16_t sport)
{
	struct tflow f = mkflow(v6, IPPROTO_TCP, sport, 80);
	struct tpkt p;

	tp_tcp(&p, &f, 0, TH_SYN, 1000, 0, 64240, 0);
	check(&p, "syn");
	check(&p, "syn retransmit");
	tp_tcp(&p, &f, 1, TH_SYN | TH_ACK, 5000, 1001, 65160, 0);
	check(&p, "syn-ack");
	tp_tcp(&p, &f, 0, TH_ACK, 1001, 5001, 502, 0);
	check(&p, "ack");
	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 1001, 5001, 502, 200);
	check(&p, "data");
	tp_tcp(&p, &f, 1, TH_ACK, 5001, 1201, 509, 0);
	check(&p, "data ack");
	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 1001 + 300000000, 5001, 502, 10);
	check(&p, "data out of window");
	tp_tcp(&p, &f, 1, TH_ACK, 5001, 1201 + 9000000, 509, 0);
	check(&p, "ack of unseen data");
	tp_tcp(&p, &f, 0, TH_SYN | TH_ACK, 1201, 5001, 502, 0);
	check(&p, "syn-ack from client");
	tp_tcp(&p, &f, 0, 0, 1201, 0, 502, 0);
	check(&p, "no flags");
	tp_tcp(&p, &f, 0, TH_SYN | TH_FIN, 1201, 0, 502, 0);
	check(&p, "syn+fin");
	tp_tcp(&p, &f, 0, TH_FIN | TH_ACK, 1201, 5001, 502, 0);
	check(&p, "fin");
	tp_tcp(&p, &f, 1, TH_FIN | TH_ACK, 5001, 1202, 509, 0);
	check(&p, "fin reply");
	tp_tcp(&p, &f, 0, TH_ACK, 1202, 5002, 502, 0);
	check(&p, "last ack");
	tp_tcp(&p, &f, 0, TH_SYN, 70000, 0, 64240, 0);
	check(&p, "reopen syn");
	tp_tcp(&p, &f, 1, TH_RST | TH_ACK, 0, 70001, 0, 0);
	check(&p, "rst answering syn");
	tp_tcp(&p, &f, 0, TH_ACK, 70001, 1, 502, 0);
	check(&p, "ack after rst");
}

static void test_tcp_v4(void **state)
{
	tcp_seq(0, 41000);
}

static void test_tcp_v6(void **state)
{
	tcp_seq(1, 41001);
}

static void test_tcp_midstream(void **state)
{
	struct tflow f = mkflow(0, IPPROTO_TCP, 41002, 443);
	struct tpkt p;

	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 123456, 654321, 500, 50);
	check(&p, "mid-stream first packet");
	tp_tcp(&p, &f, 1, TH_ACK, 654321, 123506, 500, 0);
	check(&p, "mid-stream reply");
	tp_tcp(&p, &f, 0, TH_ACK | TH_PSH, 123506, 654321, 500, 50);
	check(&p, "mid-stream more");
	f.sport = 41003;
	tp_tcp(&p, &f, 1, TH_SYN | TH_ACK, 1, 2, 500, 0);
	check(&p, "lone syn-ack");
	tp_tcp(&p, &f, 0, TH_RST, 1, 0, 0, 0);
	check(&p, "lone rst");
	tp_tcp(&p, &f, 0, TH_FIN | TH_ACK, 1, 1, 500, 0);
	check(&p, "lone fin");
}

static void test_udp(void **state)
{
	struct tflow f = mkflow(0, IPPROTO_UDP, 5353, 53), f6 = mkflow(1, IPPROTO_UDP, 5353, 53);
	struct tpkt p;

	tp_udp(&p, &f, 0, 30);
	check(&p, "udp request");
	check(&p, "udp request again");
	tp_udp(&p, &f, 1, 90);
	check(&p, "udp response");
	tp_udp(&p, &f, 0, 30);
	check(&p, "udp after response");
	tp_udp(&p, &f6, 1, 30);
	check(&p, "udp6 from server first");
	tp_udp(&p, &f6, 0, 30);
	check(&p, "udp6 its reply");
}

static void test_icmp(void **state)
{
	struct tflow f = mkflow(0, IPPROTO_ICMP, 0x1234, 0), f6 = mkflow(1, IPPROTO_ICMPV6, 0x99, 0);
	struct tflow u = mkflow(0, IPPROTO_UDP, 33434, 33435), u6 = mkflow(1, IPPROTO_UDP, 3, 4);
	uint32_t router = htonl(0x0a580303);
	struct in6_addr router6;
	struct tpkt p, q;

	inet_pton(AF_INET6, "fd88:3::3", &router6);
	tp_icmp(&p, &f, 0, 8, 0, 56);
	check(&p, "echo request");
	tp_icmp(&p, &f, 1, 0, 0, 56);
	check(&p, "echo reply");
	tp_icmp(&p, &f, 1, 8, 0, 56);
	check(&p, "echo request back, same id");
	f.sport = 0x4321;
	tp_icmp(&p, &f, 1, 0, 0, 56);
	check(&p, "unsolicited echo reply");
	tp_icmp(&p, &f, 0, 13, 0, 12);
	check(&p, "timestamp request");
	tp_icmp(&p, &f, 0, 9, 0, 8);
	check(&p, "router advertisement");

	tp_icmp(&p, &f6, 0, 128, 0, 56);
	check(&p, "echo6 request");
	tp_icmp(&p, &f6, 1, 129, 0, 56);
	check(&p, "echo6 reply");
	tp_icmp(&p, &f6, 0, 135, 0, 16);
	check(&p, "neighbour solicitation");
	tp_icmp(&p, &f6, 0, 200, 0, 8);
	check(&p, "unknown icmpv6 informational");

	/* errors: related to the quoted flow, or invalid */
	tp_udp(&q, &u, 0, 20);
	check(&q, "traceroute probe");
	tp_icmp_err(&p, &q, 0, &router, 11, 0, 548);
	check(&p, "time exceeded");
	tp_icmp_err(&p, &q, 0, &u.d4, 3, 3, 548);
	check(&p, "port unreachable");
	tp_udp(&q, &u, 1, 20);
	tp_icmp_err(&p, &q, 0, &router, 3, 1, 548);
	check(&p, "error about the reply direction");
	u.sport = 9;
	tp_udp(&q, &u, 0, 20);
	tp_icmp_err(&p, &q, 0, &router, 3, 3, 548);
	check(&p, "error about an unknown flow");
	tp_icmp(&q, &f, 0, 8, 0, 16);
	f.sport = 0x1234;
	tp_icmp(&q, &f, 0, 8, 0, 16);
	tp_icmp_err(&p, &q, 0, &router, 11, 0, 548);
	check(&p, "time exceeded for a ping");

	tp_udp(&q, &u6, 0, 20);
	check(&q, "udp6 probe");
	tp_icmp_err(&p, &q, 1, &router6, 3, 0, 1232);
	check(&p, "icmpv6 time exceeded");
	tp_icmp_err(&p, &q, 1, &u6.d6, 1, 4, 1232);
	check(&p, "icmpv6 port unreachable");
	tp_icmp_err(&p, &q, 1, &router6, 2, 0, 1232);
	check(&p, "icmpv6 packet too big");
}

static void test_generic(void **state)
{
	struct tflow f = mkflow(0, 47, 0, 0);
	struct tpkt p;

	tp_l3(&p, &f, 0, 8);
	check(&p, "gre first");
	tp_l3(&p, &f, 1, 8);
	check(&p, "gre reply");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_v4),	 cmocka_unit_test(test_tcp_v6),
		cmocka_unit_test(test_tcp_midstream), cmocka_unit_test(test_udp),
		cmocka_unit_test(test_icmp),	 cmocka_unit_test(test_generic),
	};

	if (geteuid() != 0 || system("command -v nft >/dev/null && command -v ip >/dev/null")) {
		printf("test_ct_kernel: skipped (needs root, nft and ip)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
