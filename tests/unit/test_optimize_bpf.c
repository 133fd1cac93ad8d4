// SPDX-License-Identifier: GPL-2.0
/*
 * The optimizer's emitted code against the straight code generator, on the
 * real programs (BPF_PROG_TEST_RUN in a private netns): random rulesets of
 * the bench families (netdev ingress on lo), compiled twice - optimizer on
 * and BNFT_NO_OPTIMIZE=1 - then the same random packets through both: every
 * verdict and, at the end, every rule's packet and byte counters must be
 * equal. Skips when not root, and when the optimizer is not hooked into the
 * code generator (both compiles then give the same code).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "tests/unit/test_codegen_lib.h"
#include "translator/codegen.h"
#include "translator/lower.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static uint32_t rnd_n(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void sb_printf(char **s, size_t *n, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(*s + *n, *cap - *n, fmt, ap);
		va_end(ap);
		if (k >= 0 && *n + (size_t)k < *cap)
			break;
		*cap = *cap ? 2 * *cap + (size_t)k : 4096;
		*s = realloc(*s, *cap);
		assert_non_null(*s);
	}
	*n += (size_t)k;
}

#define SB(...) sb_printf(&s, &n, &cap, __VA_ARGS__)

/* Values the rules use, so that packets can aim at them. */
static uint32_t cur_addr[2], cur_i;

static void rand_addr(char *out, size_t len)
{
	uint32_t x = rnd_n(4) << 8 | rnd_n(256);

	snprintf(out, len, "10.0.%u.%u", x >> 8, x & 255);
	cur_addr[cur_i++ & 1] = x;
}

/* per rule: source, destination, port */
static uint32_t used[1024][3], cur_port;
static size_t nused;

static uint32_t port(uint32_t v)
{
	cur_port = v;
	return v;
}

/* f: 0 hosts, 1 prefixes, 2 ports, 3 mixed */
static char *ruleset(int f, size_t nrules)
{
	static const char *const verdicts[] = { "accept", "drop", "return", "goto other" };
	static const int plens[] = { 24, 25, 26, 27, 28, 29, 30, 31, 32, 32 };
	char *s = NULL, a[32], b[32];
	size_t n = 0, cap = 0, i;

	SB("table netdev t {\n chain other {\n  ip saddr 10.0.0.0/23 drop\n }\n"
	   " chain c {\n  type filter hook ingress device \"lo\" priority 0; policy accept;\n");
	for (i = 0; i < nrules; i++) {
		uint32_t k = f == 3 ? rnd_n(5) : (uint32_t)f;

		cur_i = 0;
		cur_port = 1000 + rnd_n(140);
		rand_addr(a, sizeof(a));
		rand_addr(b, sizeof(b));
		SB("  ");
		switch (k) {
		case 0:
			SB("ip saddr %s tcp dport %u", a, port(1000 + rnd_n(16)));
			break;
		case 1:
			SB("ip saddr %s/%d", a, plens[rnd_n(10)]);
			break;
		case 2:
			if (rnd_n(8) == 0)
				SB("@th,16,8 %u", (port(1000 + rnd_n(120)) >> 8) & 0xff);
			else if (rnd_n(4) == 0)
				SB("tcp dport >= %u", port(1000 + rnd_n(120)));
			else
				SB("tcp dport %u-%u", port(1000 + (uint32_t)(i % 100)),
				   1000 + (uint32_t)(i % 100) + rnd_n(30));
			break;
		default:
			switch (rnd_n(4)) {
			case 0:
				SB("iifname \"lo\" ip daddr %s", b);
				break;
			case 1:
				SB("iifname \"eth0\" ip daddr %s", b);
				break;
			case 2:
				SB("udp dport %u", port(1000 + rnd_n(16)));
				break;
			default:
				SB("ip daddr %s ip saddr %s/24", b, a);
			}
		}
		if (nused < 1024) {
			used[nused][0] = cur_addr[0];
			used[nused][1] = cur_addr[1];
			used[nused++][2] = cur_port;
		}
		if (rnd_n(2))
			SB(" counter");
		SB(" %s\n", verdicts[rnd_n(4)]);
	}
	SB(" }\n}\n");
	return s;
}

struct loaded {
	struct bnft_live *lv;
	size_t insns;
};

static int load_text(const char *text, bool optimize, struct loaded *out)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_load_stats st;
	struct bnft_err cerr;
	struct bnft_ir *ir = NULL;
	int err;

	err = tl_front(text, &ir);
	if (err)
		return err;
	if (optimize)
		unsetenv("BNFT_NO_OPTIMIZE");
	else
		setenv("BNFT_NO_OPTIMIZE", "1", 1);
	err = bnft_compile(ir, &ps, &cerr);
	unsetenv("BNFT_NO_OPTIMIZE");
	bnft_ir_free(&ir);
	if (err) {
		print_message("compile: %s\n", cerr.msg);
		return err;
	}
	out->insns = bnft_prog_set_insns(ps);
	err = bnft_live_open(NULL, true, &out->lv);
	if (!err) {
		err = bnft_live_load(out->lv, ps, &st);
		if (err)
			print_message("load: %s\n", st.verifier_log);
	}
	bnft_prog_set_free(&ps);
	return err;
}

struct rows {
	uint64_t v[4096][3];
	size_t n;
};

static int row_cb(const struct bnft_counter_row *r, void *data)
{
	struct rows *rs = data;

	if (rs->n < 4096) {
		rs->v[rs->n][0] = (uint64_t)r->index << 8 | (r->chain[0] == 'c');
		rs->v[rs->n][1] = r->packets;
		rs->v[rs->n][2] = r->bytes;
		rs->n++;
	}
	return 0;
}

static int cmp_row(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void family(int f, uint64_t seed)
{
	struct loaded opt = { 0 }, ref = { 0 };
	static struct rows ro, rr;
	size_t k, nrules = 60 + rnd_n(200), matched = 0;
	uint64_t counted = 0;
	char *text;

	rng_state = seed * 0x9e3779b97f4a7c15ull + 7;
	nused = 0;
	text = ruleset(f, nrules);
	assert_int_equal(load_text(text, true, &opt), 0);
	assert_int_equal(load_text(text, false, &ref), 0);
	if (opt.insns == ref.insns) {
		bnft_live_close(&opt.lv);
		bnft_live_close(&ref.lv);
		free(text);
		skip(); /* the optimizer is not hooked into the code generator */
	}
	for (k = 0; k < 3000; k++) {
		struct tl_pkt p;
		char a[32], b[32];
		int v1, v2;
		uint32_t dport = 990 + rnd_n(140), x;

		rand_addr(a, sizeof(a));
		rand_addr(b, sizeof(b));
		if (rnd_n(4) && nused) {
			const uint32_t *u = used[rnd_n((uint32_t)nused)];

			x = u[0] ^ (rnd_n(4) ? 0 : rnd_n(64));
			snprintf(a, sizeof(a), "10.0.%u.%u", (x >> 8) & 3, x & 255);
			x = u[1];
			snprintf(b, sizeof(b), "10.0.%u.%u", x >> 8, x & 255);
			dport = u[2] + (rnd_n(4) ? 0 : rnd_n(8));
		}
		if (rnd_n(8) == 0)
			snprintf(a, sizeof(a), "198.18.%u.%u", rnd_n(4), rnd_n(256));
		tl_ip4(&p, a, b, rnd_n(4) ? IPPROTO_TCP : IPPROTO_UDP, (uint16_t)(30000 + rnd_n(100)),
		       (uint16_t)dport, 0);
		p.len -= rnd_n(16) == 0 ? 2 : 0; /* some truncated transport headers */
		/* some transport headers of 3 bytes: a 2-byte load at offset 2
		 * fails, the 1-byte @th,16,8 loads (widened: fallbacks) do not */
		if (rnd_n(12) == 0) {
			p.len = 14 + 20 + 3;
			p.b[14 + 2] = 0; /* IPv4 total length: 23 */
			p.b[14 + 3] = 23;
		}
		v1 = tl_run(opt.lv, &p, false, 1);
		v2 = tl_run(ref.lv, &p, false, 1);
		if (v1 < 0)
			print_message("test run: %d (len %zu)\n", v1, p.len);
		assert_true(v1 >= 0);
		if (v1 != v2)
			print_message("family %d seed %llu packet %zu %s -> %s: optimized %d, straight %d\n",
				      f, (unsigned long long)seed, k, a, b, v1, v2);
		assert_int_equal(v1, v2);
		matched += v1 == DRP;
	}
	memset(&ro, 0, sizeof(ro));
	memset(&rr, 0, sizeof(rr));
	assert_int_equal(bnft_live_counters_fd(opt.lv, row_cb, &ro), 0);
	assert_int_equal(bnft_live_counters_fd(ref.lv, row_cb, &rr), 0);
	assert_int_equal(ro.n, rr.n);
	qsort(ro.v, ro.n, sizeof(ro.v[0]), cmp_row);
	qsort(rr.v, rr.n, sizeof(rr.v[0]), cmp_row);
	for (k = 0; k < ro.n; k++) {
		counted += ro.v[k][1];
		assert_int_equal(ro.v[k][0], rr.v[k][0]);
		assert_int_equal(ro.v[k][1], rr.v[k][1]);
		assert_int_equal(ro.v[k][2], rr.v[k][2]);
	}
	print_message("family %d: %zu rules, code %zu insns (straight %zu), %zu of 3000 dropped, "
		      "%zu counters equal (%llu packets counted)\n",
		      f, nrules, opt.insns, ref.insns, matched, ro.n, (unsigned long long)counted);
	assert_true(counted > 100);
	bnft_live_close(&opt.lv);
	bnft_live_close(&ref.lv);
	free(text);
}

static void test_families(void **state)
{
	uint64_t seed;
	int f;

	(void)state;
	for (f = 0; f < 4; f++)
		for (seed = 1; seed <= 3; seed++)
			family(f, seed + 10 * (uint64_t)f);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0 || tl_private_netns() != 0)
		return -1;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_families),
	};

	if (geteuid() != 0) {
		printf("test_optimize_bpf: skipped (needs root)\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, setup, NULL);
}
