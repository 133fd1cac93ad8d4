// SPDX-License-Identifier: GPL-2.0
/*
 * `limit` and `quota` (bpf/lib/limit.h) against the kernel's nft_limit /
 * nft_quota: the same burst of UDP frames is sent from namespace A into B
 * twice, once through an nft netdev ingress chain with the statement and
 * a counter, once through limit_test of bpf/ct_test.bpf.c on TC ingress.
 * The number of packets that matched must be equal. Bursts are sent in a
 * few milliseconds and the token arithmetic is chosen away from rounding
 * edges, so the refill during a burst cannot change the count.
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
#include <time.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/limit.h"
#include "bpf/ct_test.skel.h"
#include "test_ct_pkt.h"

struct limit_test_cfg {
	struct bnft_limit_params lp;
	uint32_t mode, dport, total, matched;
};

static char ns_a[64], ns_b[64];
static int ns_created, sock_a = -1, fd_root = -1, fd_b = -1, ifindex_b;
static struct ct_test_bpf *skel;

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

static int group_setup(void **state)
{
	struct sockaddr_ll sll = { 0 };
	char p[128];
	int fd_a;

	snprintf(ns_a, sizeof(ns_a), "bnft-lim-%d-a", (int)getpid());
	snprintf(ns_b, sizeof(ns_b), "bnft-lim-%d-b", (int)getpid());
	atexit(cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ns_created = 1;
	if (sh("ip netns add %s && ip netns add %s", ns_a, ns_b) ||
	    sh("ip -n %s link add va address 02:00:00:00:00:0a type veth peer name vb netns %s "
	       "address 02:00:00:00:00:0b", ns_a, ns_b) ||
	    sh("ip -n %s link set va up && ip -n %s link set vb up", ns_a, ns_b))
		return -1;
	fd_root = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(p, sizeof(p), "/var/run/netns/%s", ns_a);
	fd_a = open(p, O_RDONLY | O_CLOEXEC);
	snprintf(p, sizeof(p), "/var/run/netns/%s", ns_b);
	fd_b = open(p, O_RDONLY | O_CLOEXEC);
	if (fd_root < 0 || fd_a < 0 || fd_b < 0 || setns(fd_b, CLONE_NEWNET))
		return -1;
	ifindex_b = (int)if_nametoindex("vb");
	if (setns(fd_a, CLONE_NEWNET))
		return -1;
	sock_a = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)if_nametoindex("va");
	if (sock_a < 0 || bind(sock_a, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setns(fd_root, CLONE_NEWNET) || !ifindex_b)
		return -1;
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
	return 0;
}

static void burst(int n, size_t l3len)
{
	struct tflow f = { .proto = IPPROTO_UDP, .sport = 1111, .dport = 9999 };
	struct tpkt p;
	int i;

	f.s4 = htonl(0x0a4e0001);
	f.d4 = htonl(0x0a4e0002);
	tp_udp(&p, &f, 0, l3len - 28);
	for (i = 0; i < n; i++)
		assert_int_equal(send(sock_a, p.b, p.len, 0), (ssize_t)p.len);
	usleep(50000);
}

static uint64_t kernel_count(const char *stmt, int n, size_t l3len)
{
	char cmd[512], line[512];
	uint64_t c = UINT64_MAX;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft -f -", ns_b);
	f = popen(cmd, "w");
	assert_non_null(f);
	fprintf(f, "table netdev bnft_lim {\n chain in {\n  type filter hook ingress device \"vb\" "
		   "priority 0;\n  meta protocol ip udp dport 9999 %s counter\n"
		   "  meta protocol ip udp dport 9999 drop\n }\n}\n", stmt);
	assert_int_equal(pclose(f), 0);
	burst(n, l3len);
	snprintf(cmd, sizeof(cmd), "ip netns exec %s nft list chain netdev bnft_lim in", ns_b);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *s = strstr(line, "counter packets ");

		if (s && c == UINT64_MAX)
			c = strtoull(s + 16, NULL, 10);
	}
	pclose(f);
	assert_int_equal(sh("ip netns exec %s nft delete table netdev bnft_lim", ns_b), 0);
	return c;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static uint64_t bnft_count(const struct limit_test_cfg *c0, const struct bnft_quota_state *q,
			   int n, size_t l3len)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex_b, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1);
	struct limit_test_cfg cfg = *c0;
	struct bnft_limit_state st = { 0 };
	uint32_t zero = 0;
	int err;

	bnft_limit_state_init(&st, &cfg.lp, mono_ns());
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.limit_test_cfg), &zero, &cfg,
					     0), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.limit_test_state), &zero, &st,
					     0), 0);
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(skel->maps.quota_test_state), &zero, q,
					     0), 0);
	assert_int_equal(setns(fd_b, CLONE_NEWNET), 0);
	err = bpf_tc_hook_create(&hook);
	opts.prog_fd = bpf_program__fd(skel->progs.limit_test);
	err = (err == -EEXIST ? 0 : err) ?: bpf_tc_attach(&hook, &opts);
	setns(fd_root, CLONE_NEWNET);
	assert_int_equal(err, 0);
	burst(n, l3len);
	assert_int_equal(setns(fd_b, CLONE_NEWNET), 0);
	bpf_tc_hook_destroy(&hook);
	setns(fd_root, CLONE_NEWNET);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(skel->maps.limit_test_cfg), &zero, &cfg),
			 0);
	assert_int_equal(cfg.total, (uint32_t)n);
	return cfg.matched;
}

struct lcase {
	const char *stmt;
	uint64_t rate, unit;
	uint32_t burst, type, flags;
	int n;
	size_t l3len;
	uint64_t expect;
};

static void test_limit(void **state)
{
	static const struct lcase cases[] = {
		{ "limit rate 10/second", 10, 1, 0, BNFT_LIMIT_PKTS, 0, 40, 60, 5 },
		{ "limit rate 1/minute burst 3 packets", 1, 60, 3, BNFT_LIMIT_PKTS, 0, 20, 60, 3 },
		{ "limit rate over 10/second burst 5 packets", 10, 1, 5, BNFT_LIMIT_PKTS,
		  BNFT_LIMIT_F_INV, 40, 60, 35 },
		{ "limit rate 1000 bytes/second burst 500 bytes", 1000, 1, 500, BNFT_LIMIT_BYTES, 0,
		  40, 100, 15 },
		{ "limit rate 10 kbytes/second", 10240, 1, 0, BNFT_LIMIT_BYTES, 0, 60, 220, 46 },
		{ "limit rate over 2 kbytes/second burst 1 kbytes", 2048, 1, 1024, BNFT_LIMIT_BYTES,
		  BNFT_LIMIT_F_INV, 40, 300, 30 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lcase *c = &cases[i];
		struct limit_test_cfg cfg = { .mode = 0, .dport = 9999 };
		struct bnft_quota_state q = { 0 };
		uint64_t k, b;

		assert_int_equal(bnft_limit_params_init(&cfg.lp, c->rate, c->unit, c->burst,
							c->type, c->flags), 0);
		k = kernel_count(c->stmt, c->n, c->l3len);
		b = bnft_count(&cfg, &q, c->n, c->l3len);
		printf("test_ct_limit: %-50s %d x %zu B: kernel %llu, bnft %llu, computed %llu\n",
		       c->stmt, c->n, c->l3len, (unsigned long long)k, (unsigned long long)b,
		       (unsigned long long)c->expect);
		assert_int_equal(k, b);
		assert_int_equal(b, c->expect);
	}
}

static void test_quota(void **state)
{
	static const struct {
		const char *stmt;
		uint64_t quota;
		uint32_t inv;
		int n;
		size_t l3len;
		uint64_t expect;
	} cases[] = {
		{ "quota 1000 bytes", 1000, 0, 20, 100, 10 },
		{ "quota over 1000 bytes", 1000, 1, 20, 100, 10 },
		{ "quota 1050 bytes", 1050, 0, 20, 100, 10 },
		{ "quota 1 kbytes", 1024, 0, 20, 100, 10 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct limit_test_cfg cfg = { .mode = 1, .dport = 9999 };
		struct bnft_quota_state q = { .quota = cases[i].quota, .invert = cases[i].inv };
		uint64_t k, b;

		assert_int_equal(bnft_limit_params_init(&cfg.lp, 1, 1, 0, 0, 0), 0);
		k = kernel_count(cases[i].stmt, cases[i].n, cases[i].l3len);
		b = bnft_count(&cfg, &q, cases[i].n, cases[i].l3len);
		printf("test_ct_limit: %-50s %d x %zu B: kernel %llu, bnft %llu\n", cases[i].stmt,
		       cases[i].n, cases[i].l3len, (unsigned long long)k, (unsigned long long)b);
		assert_int_equal(k, b);
		assert_int_equal(b, cases[i].expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_quota),
	};

	if (geteuid() != 0 || system("command -v nft >/dev/null && command -v ip >/dev/null")) {
		printf("test_ct_limit: skipped (needs root, nft and ip)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
