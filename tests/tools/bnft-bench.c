// SPDX-License-Identifier: GPL-2.0
/*
 * bnft-bench: the bnft side of bench/. For one ruleset file it times each
 * stage of `bnft -f` (parse+evaluate, lower, compile, load+verify), then runs
 * the generated programs with BPF_PROG_TEST_RUN on probe packets and prints
 * ns/packet (wall time / repeat) and verdicts. Nothing is attached: the
 * programs are loaded unpinned and test-run only.
 *
 *   bnft-bench FILE [--repeat N] [--rounds N] [--base FILE] [--null] [--chain]
 *              [--pkt proto,saddr,daddr,dport ...]
 *   bnft-bench --live IFNAME --count N --pkt proto,saddr,daddr,dport
 *   bnft-bench --hash FILE
 *
 * --hash: compile only (nothing loaded) and print a hash of each generated
 * program and map and of the whole output, to check that a change of the
 * compiler leaves its output unchanged; a refusal prints its message.
 *
 * --null: also time a program that only returns TC_ACT_OK (null_ns): the
 * test run's own cost per repeat.
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
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bpf/lib/abi.h"
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

/* skb->cb as the entry program leaves it for an IPv4 packet with a
 * transport header (bpf/lib/abi.h), for timing a generated program alone;
 * NULL: cb zero (the entry program fills it). */
static const uint32_t *run_cb;

static double run_once(int fd, struct tl_pkt *p, unsigned int repeat, uint32_t *retval)
{
	struct __sk_buff ctx;
	double t0;

	memset(&ctx, 0, sizeof(ctx));
	ctx.ifindex = 1;
	ctx.ingress_ifindex = 1;
	if (run_cb)
		memcpy(ctx.cb, run_cb, sizeof(ctx.cb));
	{
		DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b,
				    .data_size_in = (uint32_t)p->len, .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = repeat);

		t0 = now_ms();
		if (bpf_prog_test_run_opts(fd, &o))
			return -1;
		*retval = o.retval;
	}
	return (now_ms() - t0) * 1e6 / repeat;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * ns/packet of the ruleset; with a baseline program (an empty chain at the
 * same hook), `rounds` runs of each back to back, interleaved. A busy host
 * only adds time, so the minimum over the rounds is the estimate (the
 * median is printed too): added_ns = min(ruleset) - min(baseline); spread
 * = median - min of the ruleset's rounds, a measure of the noise.
 */
static int run_pkt(struct bnft_live *lv, struct bnft_live *base, int null_fd, bool chain,
		   const char *spec, unsigned int repeat, unsigned int rounds)
{
	double t[256], b[256], z[256], c[256] = { 0 };
	struct tl_pkt p;
	uint32_t rv = 0, brv = 0;
	unsigned int i;
	int fd = bnft_live_entry_fd(lv, false);
	int chain_fd = chain ? bnft_live_gen_prog_fd(lv, BNFT_SLOT_INGRESS) : -1;

	if (parse_pkt(spec, &p))
		return -EINVAL;
	if (rounds > 256)
		rounds = 256;
	for (i = 0; i < rounds; i++) {
		b[i] = base ? run_once(bnft_live_entry_fd(base, false), &p, repeat, &brv) : 0;
		t[i] = run_once(fd, &p, repeat, &rv);
		z[i] = null_fd >= 0 ? run_once(null_fd, &p, repeat, &(uint32_t){ 0 }) : 0;
		if (chain_fd >= 0) {
			uint32_t cb[5] = { ETH_HLEN | (ETH_HLEN + 20) << 16,
					   p.b[ETH_HLEN + 9] | 2 /* NFPROTO_IPV4 */ << 8 |
						   BNFT_PF_L4 << 16 };

			run_cb = cb;
			c[i] = run_once(chain_fd, &p, repeat, &(uint32_t){ 0 });
			run_cb = NULL;
		}
		if (t[i] < 0 || b[i] < 0 || z[i] < 0 || c[i] < 0)
			return -errno;
	}
	qsort(t, rounds, sizeof(t[0]), cmp_dbl);
	qsort(b, rounds, sizeof(b[0]), cmp_dbl);
	qsort(z, rounds, sizeof(z[0]), cmp_dbl);
	qsort(c, rounds, sizeof(c[0]), cmp_dbl);
	printf("pkt %s verdict %s ns_per_packet %.1f median %.1f", spec,
	       rv == 2 ? "drop" : rv == 0 ? "accept" : "other", t[0], t[rounds / 2]);
	if (base)
		printf(" base_ns %.1f added_ns %.1f spread %.1f", b[0], t[0] - b[0],
		       t[rounds / 2] - t[0]);
	if (null_fd >= 0)
		printf(" null_ns %.1f", z[0]);
	if (chain_fd >= 0)
		printf(" chain_ns %.1f", c[0]);
	printf(" repeat %u rounds %u\n", repeat, rounds);
	return 0;
}

/* --null: a TC program that only returns TC_ACT_OK, timed the same way:
 * what BPF_PROG_TEST_RUN itself costs per repeat. */
static int null_prog(void)
{
	const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "bnft_null", "GPL", prog, 2, NULL);

	return fd < 0 ? -errno : fd;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_WARN && getenv("BNFT_DEBUG") ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * --live IFNAME: sends --count copies of the first --pkt into IFNAME's
 * receive path as real frames (an XDP_PASS program test-run with
 * BPF_F_TEST_XDP_LIVE_FRAMES, ingress ifindex IFNAME, destination MAC the
 * device's), linear skbs like most NIC drivers deliver; prints the frames
 * sent and the wall time. The frames traverse TC ingress, netdev ingress
 * and the stack synchronously on this CPU, so the time includes them.
 */
static int live_send(const char *ifname, const char *spec, unsigned long count)
{
	const struct bpf_insn prog[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct xdp_md ctx = { 0 };
	struct tl_pkt p;
	struct ifreq ifr;
	unsigned long left = count;
	double t0;
	int fd, sk;

	if (parse_pkt(spec, &p))
		return -EINVAL;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sk = socket(AF_INET, SOCK_DGRAM, 0);
	if (sk < 0 || ioctl(sk, SIOCGIFHWADDR, &ifr)) {
		if (sk >= 0)
			close(sk);
		return -errno;
	}
	close(sk);
	memcpy(p.b, ifr.ifr_hwaddr.sa_data, 6);
	ctx.ingress_ifindex = if_nametoindex(ifname);
	ctx.data_end = (uint32_t)p.len; /* the kernel wants data_end == size */
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bnft_gen", "GPL", prog, 2, NULL);
	if (fd < 0)
		return fd;
	t0 = now_ms();
	while (left) {
		uint32_t n = left > 1000000 ? 1000000 : (uint32_t)left;
		DECLARE_LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p.b,
				    .data_size_in = (uint32_t)p.len, .ctx_in = &ctx,
				    .ctx_size_in = sizeof(ctx), .repeat = n,
				    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = 64);

		if (bpf_prog_test_run_opts(fd, &o)) {
			close(fd);
			return -errno;
		}
		left -= n;
	}
	printf("live sent %lu ms %.1f\n", count, now_ms() - t0);
	close(fd);
	return 0;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

#define FNV0 0xcbf29ce484222325ULL
#define FNV_VAL(h, v) fnv(h, &(v), sizeof(v))

/* Everything bnft_compile() hands the loader. */
static void print_hashes(const struct bnft_prog_set *ps)
{
	uint64_t all = FNV0, h;
	uint32_t k;
	size_t i;

	for (i = 0; i < ps->nprogs; i++) {
		const struct bnft_prog_spec *p = &ps->progs[i];

		h = fnv(FNV0, p->name, sizeof(p->name));
		h = FNV_VAL(h, p->slot);
		h = fnv(h, p->insns, p->ninsns * sizeof(*p->insns));
		h = fnv(h, p->maprefs, p->nmaprefs * sizeof(*p->maprefs));
		h = fnv(h, p->genrefs, p->ngenrefs * sizeof(*p->genrefs));
		printf("prog %zu %s slot %u insns %zu hash %016llx\n", i, p->name, p->slot,
		       p->ninsns, (unsigned long long)h);
		all = FNV_VAL(all, h);
	}
	for (i = 0; i < ps->nmaps; i++) {
		const struct bnft_map_spec *m = &ps->maps[i];

		h = fnv(FNV0, m->name, sizeof(m->name));
		h = fnv(h, m->set, sizeof(m->set));
		h = FNV_VAL(h, m->type);
		h = FNV_VAL(h, m->key_size);
		h = FNV_VAL(h, m->value_size);
		h = FNV_VAL(h, m->max_entries);
		h = FNV_VAL(h, m->flags);
		h = FNV_VAL(h, m->nelems);
		if (m->keys)
			h = fnv(h, m->keys, (size_t)m->nelems * m->key_size);
		for (k = 0; m->values && k < m->nelems; k++) {
			const uint8_t *v = m->values + (size_t)k * m->value_size;
			size_t skip = 0;

			/* element state (bpf/lib/dynset.h): the expiry is
			 * absolute (now + timeout), only whether it is set */
			if (!strncmp(m->name, "bnft_d", 6) && m->value_size >= 8) {
				uint64_t exp;

				memcpy(&exp, v, 8);
				h = fnv(h, &(uint8_t){ exp != 0 }, 1);
				skip = 8;
			}
			h = fnv(h, v + skip, m->value_size - skip);
		}
		printf("map %zu %s elems %u hash %016llx\n", i, m->name, m->nelems,
		       (unsigned long long)h);
		all = FNV_VAL(all, h);
	}
	h = fnv(FNV0, ps->rules, ps->nrules * sizeof(*ps->rules));
	h = fnv(h, ps->chains, ps->nchains * sizeof(*ps->chains));
	for (i = 0; i < ps->nlimits; i++) { /* field by field: padding */
		h = FNV_VAL(h, ps->limits[i].slot);
		h = FNV_VAL(h, ps->limits[i].tokens_max);
	}
	h = FNV_VAL(h, ps->gen_flags);
	printf("ids rules %zu chains %zu limits %zu flags %#x hash %016llx\n", ps->nrules,
	       ps->nchains, ps->nlimits, ps->gen_flags, (unsigned long long)h);
	all = FNV_VAL(all, h);
	printf("hash %016llx\n", (unsigned long long)all);
}

/* The baseline program: FILE parsed, compiled and loaded, no timing. */
static int load_base(const char *file, struct bnft_live **lv)
{
	struct output_ctx octx = { 0 };
	struct bnft_load_stats st = { 0 };
	struct bnft_prog_set *ps = NULL;
	struct bnft_err cerr = { 0 };
	struct bnft_ir *ir = NULL;
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	int err = -EINVAL;
	LIST_HEAD(msgs);

	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	if (bnft_parse_file(&pctx, file) >= 0 && bnft_evaluate(&rs, &src, &msgs, &octx, NULL) >= 0 &&
	    bnft_lower(&rs, &ir, &msgs) >= 0 && bnft_compile(ir, &ps, &cerr) >= 0)
		err = bnft_live_open(NULL, true, lv) ?: bnft_live_load(*lv, ps, &st);
	bnft_prog_set_free(&ps);
	bnft_ir_free(&ir);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	bnft_ruleset_release(&rs);
	ruleset_src_release(&src);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "pkt", required_argument, NULL, 'p' },
		{ "base", required_argument, NULL, 'b' },
		{ "rounds", required_argument, NULL, 'n' },
		{ "live", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "hash", no_argument, NULL, 'H' },
		{ "null", no_argument, NULL, 'z' },
		{ "chain", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct output_ctx octx = { 0 };
	struct bnft_load_stats st = { 0 };
	struct bnft_prog_set *ps = NULL;
	struct bnft_live *lv = NULL;
	struct bnft_err cerr = { 0 };
	struct bnft_ir *ir = NULL;
	unsigned int repeat = 100000, rounds = 1;
	const char *basefile = NULL, *live = NULL;
	unsigned long count = 1000000;
	bool hash = false, chain = false;
	int null_fd = -1;
	struct bnft_live *blv = NULL;
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	struct outbuf out;
	const char *pkts[64];
	int npkts = 0, opt, i, rc = 1;
	double t0, t1, t2, t3, t4, c2 = 0;
	LIST_HEAD(msgs);

	while ((opt = getopt_long(argc, argv, "r:p:b:n:l:c:HzC", opts, NULL)) != -1) {
		if (opt == 'H')
			hash = true;
		else if (opt == 'C')
			chain = true;
		else if (opt == 'z')
			null_fd = 0;
		else if (opt == 'r')
			repeat = (unsigned int)strtoul(optarg, NULL, 0);
		else if (opt == 'b')
			basefile = optarg;
		else if (opt == 'l')
			live = optarg;
		else if (opt == 'c')
			count = strtoul(optarg, NULL, 0);
		else if (opt == 'n')
			rounds = (unsigned int)strtoul(optarg, NULL, 0) ?: 1;
		else if (opt == 'p' && npkts < 64)
			pkts[npkts++] = optarg;
		else
			return 2;
	}
	if (live) {
		int err = npkts ? live_send(live, pkts[0], count) : -EINVAL;

		if (err)
			fprintf(stderr, "live %s: %s\n", live, strerror(-err));
		return err ? 1 : 0;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: bnft-bench FILE [--repeat N] [--rounds N] [--base FILE] "
			"[--null] [--chain] [--pkt proto,saddr,daddr,dport]\n");
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
	c2 = cpu_ms();
	if (bnft_compile(ir, &ps, &cerr) < 0) {
		fprintf(stderr, "compile: %s\n", cerr.msg);
		if (hash)
			printf("refused %s\n", cerr.msg);
		goto out;
	}
	t3 = now_ms();
	if (hash) {
		printf("compile_ms %.1f\ncompile_cpu_ms %.1f\n", t3 - t2, cpu_ms() - c2);
		print_hashes(ps);
		rc = 0;
		goto out;
	}
	if (bnft_live_open(NULL, true, &lv) || bnft_live_load(lv, ps, &st)) {
		fprintf(stderr, "load: %s\n", st.verifier_log);
		goto out;
	}
	t4 = now_ms();
	printf("parse_eval_ms %.1f\nlower_ms %.1f\ncompile_ms %.1f\nload_ms %.1f\ntotal_ms %.1f\n",
	       t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0);
	printf("programs %u\ninsns %llu\nverified_insns %llu\nmaps %zu\n", st.nprogs,
	       (unsigned long long)st.insns, (unsigned long long)st.verified_insns, ps->nmaps);
	if (basefile && npkts && load_base(basefile, &blv)) {
		fprintf(stderr, "baseline %s: does not load\n", basefile);
		goto out;
	}
	if (null_fd == 0 && (null_fd = null_prog()) < 0) {
		fprintf(stderr, "null program: %s\n", strerror(-null_fd));
		goto out;
	}
	for (i = 0; i < npkts; i++)
		if (run_pkt(lv, blv, null_fd, chain, pkts[i], repeat, rounds) < 0) {
			fprintf(stderr, "test run of %s failed\n", pkts[i]);
			goto out;
		}
	rc = 0;
	goto out;
err:
	erec_print_list(&out, &msgs);
	fwrite(out.buf, 1, out.len, stderr);
out:
	if (null_fd >= 0)
		close(null_fd);
	bnft_live_close(&blv);
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
