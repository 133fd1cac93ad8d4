// SPDX-License-Identifier: GPL-2.0
/*
 * Open hash tables (translator/oht.h).
 *  - the builder: every key of random tables (key lengths 1 to 40 bytes,
 *    with values) is found within max_probe slots of its home by a lookup
 *    that follows the generated code's steps, with its value; random other
 *    keys are not; a repeated key keeps the last value;
 *  - the generated code on the real programs (BPF_PROG_TEST_RUN, private
 *    netns): random sets and verdict maps of ipv4_addr, inet_service,
 *    ipv4_addr . inet_service and ipv6_addr compiled twice, as open hash
 *    tables (BNFT_OHT_MIN=1) and as kernel hash maps (BNFT_OHT_MIN=0); the
 *    same random packets, members and not, get the same verdicts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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
#include "translator/oht.h"

static uint64_t rng_state;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* The generated code's steps in C: the slot of key, or NULL. */
static const uint8_t *probe(const struct bnft_oht *t, const uint8_t *key, uint32_t klen)
{
	uint32_t home = bnft_oht_hash(key, klen, t->seed) & (t->nslots - 1), p;

	for (p = 0; p < t->max_probe; p++) {
		const uint8_t *slot =
			t->image + (size_t)((home + p) & (t->nslots - 1)) * t->slot_size;
		uint32_t st;

		memcpy(&st, slot, 4);
		if (!st)
			return NULL;
		if (st != BNFT_OHT_TOMB && !memcmp(slot + 4, key, klen))
			return slot;
	}
	return NULL;
}

static void builder(uint32_t klen, uint32_t n, uint32_t vlen)
{
	uint8_t *keys = malloc((size_t)n * klen + 1), *vals = malloc((size_t)n * vlen + 1);
	uint8_t other[64];
	struct bnft_oht t;
	uint32_t i, k, found = 0;

	assert_non_null(keys);
	assert_non_null(vals);
	for (i = 0; i < n * klen; i++)
		keys[i] = (uint8_t)rnd();
	for (i = 0; i < n * vlen; i++)
		vals[i] = (uint8_t)rnd();
	/* short keys repeat: the last value wins */
	assert_int_equal(bnft_oht_build(keys, vals, n, klen, vlen, &t), 0);
	assert_true(t.max_probe >= 1 && t.max_probe <= BNFT_OHT_MAX_PROBE);
	assert_true(t.nslots >= 2 * n);
	for (i = 0; i < n; i++) {
		const uint8_t *slot = probe(&t, keys + (size_t)i * klen, klen);
		uint32_t last = i;

		assert_non_null(slot);
		if (!vlen)
			continue;
		for (k = i + 1; k < n; k++)
			if (!memcmp(keys + (size_t)k * klen, keys + (size_t)i * klen, klen))
				last = k;
		assert_memory_equal(slot + 4 + t.key_pad, vals + (size_t)last * vlen, vlen);
	}
	for (i = 0; i < 2000; i++) {
		for (k = 0; k < klen; k++)
			other[k] = (uint8_t)rnd();
		for (k = 0; k < n && memcmp(other, keys + (size_t)k * klen, klen); k++)
			;
		if (k == n)
			assert_null(probe(&t, other, klen));
		else
			found++;
	}
	print_message("klen %u, %u keys, vlen %u: %u slots of %u bytes, max probe %u (%u hits "
		      "among random keys)\n",
		      klen, n, vlen, t.nslots, t.slot_size, t.max_probe, found);
	free(t.image);
	free(keys);
	free(vals);
}

static void test_builder(void **state)
{
	static const uint32_t klens[] = {1, 2, 3, 4, 6, 7, 8, 12, 16, 40};
	size_t i;

	(void)state;
	rng_state = 0x1234567;
	for (i = 0; i < sizeof(klens) / sizeof(klens[0]); i++) {
		builder(klens[i], klens[i] == 1 ? 200 : 5000, 0);
		builder(klens[i], klens[i] == 1 ? 200 : 5000, 8);
	}
	builder(4, 300000, 0);
}

/* ---- generated code against kernel hash maps ---------------------------- */

#define SB(...)                                                                                    \
	do {                                                                                       \
		int n_ = snprintf(NULL, 0, __VA_ARGS__);                                           \
		s = realloc(s, len + (size_t)n_ + 1);                                              \
		snprintf(s + len, (size_t)n_ + 1, __VA_ARGS__);                                    \
		len += (size_t)n_;                                                                 \
	} while (0)

#define NMEMB 600

static uint32_t memb4[NMEMB], membp[NMEMB];

static void a4(uint32_t v, char *out, size_t n)
{
	snprintf(out, n, "10.%u.%u.%u", (v >> 16) & 255, (v >> 8) & 255, v & 255);
}

static char *ruleset(void)
{
	static const char *const vv[] = {"accept", "drop", "jump sub", "goto sub2"};
	char *s = NULL, a[32];
	size_t len = 0, i;

	SB("table netdev t {\n");
	SB(" set s4 {\n  type ipv4_addr\n  elements = { ");
	for (i = 0; i < NMEMB; i++) {
		a4(memb4[i], a, sizeof(a));
		SB("%s%s", i ? ", " : "", a);
	}
	SB(" }\n }\n set sp {\n  type inet_service\n  elements = { ");
	for (i = 0; i < NMEMB; i++)
		SB("%s%u", i ? ", " : "", membp[i]);
	SB(" }\n }\n set sc {\n  type ipv4_addr . inet_service\n  elements = { ");
	for (i = 0; i < NMEMB; i++) {
		a4(memb4[(i * 7) % NMEMB], a, sizeof(a));
		SB("%s%s . %u", i ? ", " : "", a, membp[i]);
	}
	SB(" }\n }\n set s6 {\n  type ipv6_addr\n  elements = { ");
	for (i = 0; i < NMEMB; i++)
		SB("%sfd00::%x:%x", i ? ", " : "", memb4[i] >> 16, memb4[i] & 0xffff);
	SB(" }\n }\n map vm {\n  type ipv4_addr : verdict\n  elements = { ");
	for (i = 0; i < NMEMB; i += 2) {
		a4(memb4[i], a, sizeof(a));
		SB("%s%s : %s", i ? ", " : "", a, vv[(i / 2) % 4]);
	}
	SB(" }\n }\n chain sub {\n  tcp dport 7 drop\n }\n chain sub2 {\n  udp dport "
	   "7 drop\n  accept\n }\n");
	SB(" chain c {\n  type filter hook ingress device \"lo\" priority 0; policy "
	   "accept;\n");
	SB("  ip daddr 10.200.0.1 ip saddr vmap @vm\n");
	SB("  ip daddr 10.200.0.2 ip saddr @s4 drop\n");
	SB("  ip daddr 10.200.0.3 tcp dport @sp drop\n");
	SB("  ip daddr 10.200.0.4 ip saddr . tcp dport @sc drop\n");
	SB("  ip6 saddr @s6 drop\n");
	SB("  ip daddr 10.200.0.5 ip saddr != @s4 drop\n");
	SB(" }\n}\n");
	return s;
}

static int load_text(const char *text, const char *oht_min, struct bnft_live **lv)
{
	struct bnft_prog_set *ps = NULL;
	struct bnft_load_stats st;
	struct bnft_err cerr;
	struct bnft_ir *ir = NULL;
	size_t i;
	int err, images = 0;

	err = tl_front(text, &ir);
	if (err)
		return err;
	setenv("BNFT_OHT_MIN", oht_min, 1);
	err = bnft_compile(ir, &ps, &cerr);
	unsetenv("BNFT_OHT_MIN");
	bnft_ir_free(&ir);
	if (err) {
		print_message("compile: %s\n", cerr.msg);
		return err;
	}
	for (i = 0; i < ps->nmaps; i++)
		images += ps->maps[i].image;
	/* every set and the map, or none */
	if (images != (strcmp(oht_min, "0") ? 5 : 0)) {
		print_message("%d open hash tables with BNFT_OHT_MIN=%s\n", images, oht_min);
		bnft_prog_set_free(&ps);
		return -EINVAL;
	}
	err = bnft_live_open(NULL, true, lv);
	if (!err) {
		err = bnft_live_load(*lv, ps, &st);
		if (err)
			print_message("load: %s\n", st.verifier_log);
	}
	bnft_prog_set_free(&ps);
	return err;
}

static void test_programs(void **state)
{
	struct bnft_live *oht = NULL, *ref = NULL;
	uint32_t i, drops = 0;
	char *text;

	(void)state;
	if (geteuid() != 0 || tl_private_netns() != 0)
		skip(); /* needs root for BPF_PROG_TEST_RUN */
	rng_state = 0xfeedbeef;
	for (i = 0; i < NMEMB; i++) {
		memb4[i] = rnd() & 0xffffff;
		membp[i] = 1 + rnd() % 65535;
	}
	text = ruleset();
	assert_int_equal(load_text(text, "1", &oht), 0);
	assert_int_equal(load_text(text, "0", &ref), 0);
	for (i = 0; i < 6000; i++) {
		uint32_t m = rnd() % NMEMB, pick = rnd() % 4;
		uint32_t src = pick ? memb4[m] : rnd() & 0xffffff;
		uint16_t dport = (uint16_t)(rnd() % 2 ? membp[m] : rnd());
		char a[32], d[32];
		struct tl_pkt p;
		int v1, v2;

		if (rnd() % 5 == 0) {
			snprintf(a, sizeof(a), "fd00::%x:%x", src >> 16, src & 0xffff);
			tl_ip6(&p, a, "fd00::1", IPPROTO_TCP, 1000, dport, NULL, 0);
		} else {
			a4(src, a, sizeof(a));
			snprintf(d, sizeof(d), "10.200.0.%u", 1 + rnd() % 5);
			tl_ip4(&p, a, d, rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP,
			       (uint16_t)(1000 + rnd() % 9), rnd() % 8 ? dport : 7, 0);
		}
		v1 = tl_run(oht, &p, false, 1);
		v2 = tl_run(ref, &p, false, 1);
		assert_true(v1 >= 0);
		if (v1 != v2)
			print_message("packet %u from %s: open table %d, hash map %d\n", i, a, v1,
				      v2);
		assert_int_equal(v1, v2);
		drops += v1 == DRP;
	}
	print_message("6000 packets, %u dropped, the same verdicts\n", drops);
	assert_true(drops > 500 && drops < 5500);
	bnft_live_close(&oht);
	bnft_live_close(&ref);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builder),
		cmocka_unit_test(test_programs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
