// SPDX-License-Identifier: GPL-2.0
/*
 * bnft-kload: compile the nf_tables ruleset of one network namespace into
 * eBPF and attach it in the current one.
 *
 *   bnft-kload --from-netns NAME --pin-root DIR [--dump-ir] [--stats]
 *              [--keep-counters] [--dump-bpf]
 *   bnft-kload --detach --pin-root DIR
 *   bnft-kload --counters --pin-root DIR
 *   bnft-kload --from-netns NAME --bench PKT [--bench PKT...] [--repeat N]
 *
 * --from-netns: setns into NAME (/run/netns/NAME), dump the kernel ruleset,
 * setns back, compile, load beside the live state, flip, attach to every
 * interface of the current netns. --counters prints one line per rule with
 * a counter: "family table chain index packets bytes handle H" (index: the
 * rule's position in its chain from 0, the key tests/diff compares by).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>
#include <bpf/libbpf.h>
#include <libnftnl/common.h>

#include "daemon/lib/load.h"
#include "tests/unit/test_codegen_lib.h"
#include "translator/codegen.h"
#include "translator/kdump.h"

/* family_name(): parser/ruleset.h */

static int dump_from_netns(const char *name, struct bnft_ir **ir)
{
	char path[512];
	int self, target, err;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0) {
		fprintf(stderr, "bnft-kload: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0 || setns(target, CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "bnft-kload: setns %s: %s\n", name, strerror(errno));
		close(target);
		if (self >= 0)
			close(self);
		return err;
	}
	err = bnft_kdump_new(ir);
	if (setns(self, CLONE_NEWNET)) {
		/* Never continue in the wrong namespace. */
		fprintf(stderr, "bnft-kload: cannot return to the original netns: %s\n",
			strerror(errno));
		exit(2);
	}
	close(self);
	close(target);
	if (err)
		fprintf(stderr, "bnft-kload: dump of %s failed: %s\n", name, strerror(-err));
	return err;
}

static void print_ir(const struct bnft_ir *ir)
{
	struct nftnl_chain_list_iter *ci = nftnl_chain_list_iter_create(ir->chains);
	struct nftnl_set_list_iter *si = nftnl_set_list_iter_create(ir->sets);
	struct nftnl_rule_list_iter *ri = nftnl_rule_list_iter_create(ir->rules);
	struct nftnl_chain *c;
	struct nftnl_set *s;
	struct nftnl_rule *r;
	char buf[65536];

	while (ci && (c = nftnl_chain_list_iter_next(ci))) {
		nftnl_chain_snprintf(buf, sizeof(buf), c, NFTNL_OUTPUT_DEFAULT, 0);
		printf("chain %s\n", buf);
	}
	while (si && (s = nftnl_set_list_iter_next(si))) {
		nftnl_set_snprintf(buf, sizeof(buf), s, NFTNL_OUTPUT_DEFAULT, 0);
		printf("set %s\n", buf);
	}
	while (ri && (r = nftnl_rule_list_iter_next(ri))) {
		nftnl_rule_snprintf(buf, sizeof(buf), r, NFTNL_OUTPUT_DEFAULT, 0);
		printf("rule %s\n", buf);
	}
	if (ci)
		nftnl_chain_list_iter_destroy(ci);
	if (si)
		nftnl_set_list_iter_destroy(si);
	if (ri)
		nftnl_rule_list_iter_destroy(ri);
}

/* Raw listing of the generated instructions (debugging aid). */
static void print_bpf(const struct bnft_prog_set *ps)
{
	size_t p, i;

	for (p = 0; p < ps->nprogs; p++) {
		printf("program %s slot %u: %zu insns\n", ps->progs[p].name, ps->progs[p].slot,
		       ps->progs[p].ninsns);
		for (i = 0; i < ps->progs[p].ninsns; i++) {
			const struct bpf_insn *n = &ps->progs[p].insns[i];

			printf("%5zu: code %02x dst r%u src r%u off %d imm %d\n", i, n->code,
			       n->dst_reg, n->src_reg, n->off, n->imm);
		}
	}
}

static int print_counter(const struct bnft_counter_row *row, void *data)
{
	(void)data;
	printf("%s %s %s %u %llu %llu handle %llu\n", family_name(row->family), row->table,
	       row->chain, row->index, (unsigned long long)row->packets,
	       (unsigned long long)row->bytes, (unsigned long long)row->handle);
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* PKT: proto,saddr,daddr,dport (proto tcp|udp|icmp|icmpv6|sctp); v6 when
 * the source address has a ':'. */
static int parse_pkt(const char *spec, struct tl_pkt *p)
{
	char buf[256], *f[4], *save = NULL, *t;
	uint8_t proto;
	int i = 0;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (t = strtok_r(buf, ",", &save); t && i < 4; t = strtok_r(NULL, ",", &save))
		f[i++] = t;
	if (i != 4)
		return -EINVAL;
	if (!strcmp(f[0], "tcp"))
		proto = IPPROTO_TCP;
	else if (!strcmp(f[0], "udp"))
		proto = IPPROTO_UDP;
	else if (!strcmp(f[0], "sctp"))
		proto = IPPROTO_SCTP;
	else if (!strcmp(f[0], "icmp"))
		proto = IPPROTO_ICMP;
	else if (!strcmp(f[0], "icmpv6"))
		proto = IPPROTO_ICMPV6;
	else
		return -EINVAL;
	if (strchr(f[1], ':'))
		tl_ip6(p, f[1], f[2], proto, 40000, (uint16_t)atoi(f[3]), NULL, 0);
	else
		tl_ip4(p, f[1], f[2], proto, 40000, (uint16_t)atoi(f[3]), 0);
	return 0;
}

/* BPF_PROG_TEST_RUN of the entry program (which tail-calls the generated
 * ones) on each packet; ns/packet from wall time over the repeats. */
static int bench(const struct bnft_prog_set *ps, char **pkts, int npkts, unsigned int repeat)
{
	struct bnft_load_stats st;
	struct bnft_live *lv = NULL;
	int err, i;

	err = bnft_live_open(NULL, true, &lv);
	if (!err)
		err = bnft_live_load(lv, ps, &st);
	if (err) {
		fprintf(stderr, "bnft-kload: bench load: %s\n%s\n", strerror(-err),
			st.verifier_log);
		bnft_live_close(&lv);
		return err;
	}
	printf("programs %u, instructions %llu, verified %llu\n", st.nprogs,
	       (unsigned long long)st.insns, (unsigned long long)st.verified_insns);
	for (i = 0; i < npkts; i++) {
		struct __sk_buff ctx;
		struct tl_pkt p;
		unsigned int rep = repeat;
		double t0, t1;

		if (parse_pkt(pkts[i], &p)) {
			fprintf(stderr, "bnft-kload: bad packet spec %s\n", pkts[i]);
			err = -EINVAL;
			break;
		}
		memset(&ctx, 0, sizeof(ctx));
		ctx.ifindex = 1;
		ctx.ingress_ifindex = 1;
		{
			DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.b,
					    .data_size_in = (uint32_t)p.len, .ctx_in = &ctx,
					    .ctx_size_in = sizeof(ctx), .repeat = 1000);

			/* calibrate to about one second per packet */
			t0 = now_ns();
			if (bpf_prog_test_run_opts(bnft_live_entry_fd(lv, false), &o)) {
				err = -errno;
				break;
			}
			t1 = now_ns();
			if ((t1 - t0) / 1000 * rep > 1e9)
				rep = (unsigned int)(1e9 / ((t1 - t0) / 1000)) + 1000;
			o.repeat = rep;
			t0 = now_ns();
			if (bpf_prog_test_run_opts(bnft_live_entry_fd(lv, false), &o)) {
				err = -errno;
				break;
			}
			t1 = now_ns();
			printf("%-40s verdict %-6s %8.1f ns/packet (repeat %u, kernel %u ns)\n",
			       pkts[i], o.retval == TC_ACT_SHOT ? "drop" :
					o.retval == TC_ACT_OK ? "accept" : "other",
			       (t1 - t0) / rep, rep, o.duration);
		}
	}
	bnft_live_close(&lv);
	return err;
}

/* libbpf warns when the clsact qdisc already exists; keep its chatter for
 * BNFT_DEBUG. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("BNFT_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(void)
{
	fprintf(stderr, "usage: bnft-kload --from-netns NAME --pin-root DIR [--dump-ir] "
			"[--stats] [--keep-counters] [--dump-bpf]\n"
			"       bnft-kload --detach --pin-root DIR\n"
			"       bnft-kload --counters --pin-root DIR\n"
			"       bnft-kload --from-netns NAME --bench proto,saddr,daddr,dport "
			"[--bench ...] [--repeat N]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from-netns", required_argument, NULL, 'n' },
		{ "pin-root", required_argument, NULL, 'p' },
		{ "dump-ir", no_argument, NULL, 'd' },
		{ "detach", no_argument, NULL, 'D' },
		{ "counters", no_argument, NULL, 'c' },
		{ "stats", no_argument, NULL, 's' },
		{ "dump-bpf", no_argument, NULL, 'B' },
		{ "bench", required_argument, NULL, 'b' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "keep-counters", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *netns = NULL, *root = NULL;
	bool dump = false, detach = false, counters = false, stats = false, dump_bpf = false;
	char *pkts[64];
	int npkts = 0;
	unsigned int repeat = 1000000;
	uint32_t load_flags = 0;
	struct bnft_load_stats st;
	struct bnft_prog_set *ps = NULL;
	struct bnft_ir *ir = NULL;
	struct bnft_err cerr;
	int o, err;

	libbpf_set_print(libbpf_log);
	while ((o = getopt_long(argc, argv, "n:p:dDcsBb:r:kh", opts, NULL)) != -1) {
		switch (o) {
		case 'n': netns = optarg; break;
		case 'p': root = optarg; break;
		case 'd': dump = true; break;
		case 'D': detach = true; break;
		case 'c': counters = true; break;
		case 's': stats = true; break;
		case 'B': dump_bpf = true; break;
		case 'b':
			if (npkts < 64)
				pkts[npkts++] = optarg;
			break;
		case 'r': repeat = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'k': load_flags |= BNFT_LOAD_KEEP_COUNTERS; break;
		default: usage(); return o == 'h' ? 0 : 1;
		}
	}
	if (!root && !npkts) {
		usage();
		return 1;
	}
	if (detach) {
		err = bnft_live_flush(root);
		if (err)
			fprintf(stderr, "bnft-kload: detach: %s\n", strerror(-err));
		return err ? 1 : 0;
	}
	if (counters) {
		err = bnft_live_counters(root, print_counter, NULL);
		if (err)
			fprintf(stderr, "bnft-kload: counters: %s\n", strerror(-err));
		return err ? 1 : 0;
	}
	if (!netns) {
		usage();
		return 1;
	}
	err = dump_from_netns(netns, &ir);
	if (err)
		return 1;
	if (dump)
		print_ir(ir);
	err = bnft_compile(ir, &ps, &cerr);
	if (err) {
		fprintf(stderr, "bnft-kload: %s\n", cerr.msg);
		bnft_ir_free(&ir);
		return 1;
	}
	if (dump_bpf)
		print_bpf(ps);
	if (npkts) {
		err = bench(ps, pkts, npkts, repeat);
		bnft_prog_set_free(&ps);
		bnft_ir_free(&ir);
		return err ? 1 : 0;
	}
	err = bnft_live_apply_opts(ps, root, load_flags, &st);
	if (err) {
		fprintf(stderr, "bnft-kload: load: %s\n", strerror(-err));
		if (st.verifier_log[0])
			fprintf(stderr, "verifier log (tail):\n%s\n", st.verifier_log);
	} else if (stats) {
		printf("generation %u: %u programs, %llu instructions, %llu verified\n", st.gen,
		       st.nprogs, (unsigned long long)st.insns,
		       (unsigned long long)st.verified_insns);
	}
	bnft_prog_set_free(&ps);
	bnft_ir_free(&ir);
	return err ? 1 : 0;
}
