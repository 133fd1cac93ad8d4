// SPDX-License-Identifier: GPL-2.0
/*
 * bnft-bench: the bnft side of bench/. For one ruleset file it times each
 * stage of `bnft -f` (parse+evaluate, lower, compile, load+verify), then runs
 * the generated programs with BPF_PROG_TEST_RUN on probe packets and prints
 * ns/packet (wall time / repeat) and verdicts. Nothing is attached: the
 * programs are loaded unpinned and test-run only.
 *
 *   bnft-bench FILE [--repeat N] [--pkt proto,saddr,daddr,dport ...]
 *
 * Output lines are "key value" pairs a script can grep.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon/lib/load.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "tests/unit/test_codegen_lib.h"
#include "translator/codegen.h"
#include "translator/lower.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

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
	else
		return -EINVAL;
	if (strchr(f[1], ':'))
		tl_ip6(p, f[1], f[2], proto, 40000, (uint16_t)atoi(f[3]), NULL, 0);
	else
		tl_ip4(p, f[1], f[2], proto, 40000, (uint16_t)atoi(f[3]), 0);
	return 0;
}

static int run_pkt(struct bnft_live *lv, const char *spec, unsigned int repeat)
{
	struct __sk_buff ctx;
	struct tl_pkt p;
	double t0, t1;
	int fd = bnft_live_entry_fd(lv, false);

	if (parse_pkt(spec, &p))
		return -EINVAL;
	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = 1;
	ctx.ingress_ifindex = 1;
	{
		DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.b,
				    .data_size_in = (uint32_t)p.len, .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = repeat);

		t0 = now_ms();
		if (bpf_prog_test_run_opts(fd, &o))
			return -errno;
		t1 = now_ms();
		printf("pkt %s verdict %s ns_per_packet %.1f repeat %u\n", spec,
		       o.retval == 2 ? "drop" : o.retval == 0 ? "accept" : "other",
		       (t1 - t0) * 1e6 / repeat, repeat);
	}
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && getenv("BNFT_DEBUG") ? vfprintf(stderr, fmt, ap) : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "pkt", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct output_ctx octx = { 0 };
	struct bnft_load_stats st = { 0 };
	struct bnft_prog_set *ps = NULL;
	struct bnft_live *lv = NULL;
	struct bnft_err cerr = { 0 };
	struct bnft_ir *ir = NULL;
	unsigned int repeat = 100000;
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	struct outbuf out;
	const char *pkts[64];
	int npkts = 0, opt, i, rc = 1;
	double t0, t1, t2, t3, t4;
	LIST_HEAD(msgs);

	while ((opt = getopt_long(argc, argv, "r:p:", opts, NULL)) != -1) {
		if (opt == 'r')
			repeat = (unsigned int)strtoul(optarg, NULL, 0);
		else if (opt == 'p' && npkts < 64)
			pkts[npkts++] = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: bnft-bench FILE [--repeat N] [--pkt proto,saddr,daddr,dport]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	outbuf_init(&out);

	t0 = now_ms();
	if (bnft_parse_file(&pctx, argv[optind]) < 0 ||
	    bnft_evaluate(&rs, &src, &msgs, &octx, &out) < 0)
		goto err;
	t1 = now_ms();
	if (bnft_lower(&rs, &ir, &msgs) < 0)
		goto err;
	t2 = now_ms();
	if (bnft_compile(ir, &ps, &cerr) < 0) {
		fprintf(stderr, "compile: %s\n", cerr.msg);
		goto out;
	}
	t3 = now_ms();
	if (bnft_live_open(NULL, true, &lv) || bnft_live_load(lv, ps, &st)) {
		fprintf(stderr, "load: %s\n", st.verifier_log);
		goto out;
	}
	t4 = now_ms();
	printf("parse_eval_ms %.1f\nlower_ms %.1f\ncompile_ms %.1f\nload_ms %.1f\ntotal_ms %.1f\n",
	       t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0);
	printf("programs %u\ninsns %llu\nverified_insns %llu\nmaps %zu\n", st.nprogs,
	       (unsigned long long)st.insns, (unsigned long long)st.verified_insns, ps->nmaps);
	for (i = 0; i < npkts; i++)
		if (run_pkt(lv, pkts[i], repeat) < 0) {
			fprintf(stderr, "test run of %s failed\n", pkts[i]);
			goto out;
		}
	rc = 0;
	goto out;
err:
	erec_print_list(&out, &msgs);
	fwrite(out.buf, 1, out.len, stderr);
out:
	bnft_live_close(&lv);
	bnft_prog_set_free(&ps);
	bnft_ir_free(&ir);
	erec_free_list(&msgs);
	outbuf_release(&out);
	parse_ctx_release(&pctx);
	bnft_ruleset_release(&rs);
	ruleset_src_release(&src);
	return rc;
}
