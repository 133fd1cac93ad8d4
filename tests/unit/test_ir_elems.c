// SPDX-License-Identifier: GPL-2.0
/*
 * The IR's compact element stores (translator/ir_elems.h): elements come
 * back in the order they were added, whether they went into the arrays or
 * stayed libnftnl elements; interval end flags, key ends, map data and
 * verdicts with their chains survive; moving the stores into libnftnl
 * keeps all of it; the lowering fills the store (plain elements) and
 * leaves the rare ones libnftnl elements in their place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/ir_elems.h"
#include "translator/lower.h"
#include "tests/unit/text_ir.h"

/* What one element must read back as. */
struct want {
	uint8_t key[8];
	uint32_t klen;
	uint32_t flags;
	int verdict; /* 1 + verdict code, 0 none */
	const char *chain;
	uint8_t data[4];
	uint32_t dlen;
	uint8_t kend[8]; /* klen bytes when has_kend */
	bool has_kend;
	bool nl; /* a libnftnl element */
	uint64_t timeout;
};

#define K4(a, b, c, d) { a, b, c, d }, 4

static void check_elem(const struct bnft_elem *e, const struct want *w, unsigned int i)
{
	if (!e)
		print_message("element %u missing\n", i);
	assert_non_null(e);
	if (w->klen) {
		assert_non_null(e->key);
		assert_int_equal(e->key_len, w->klen);
		assert_memory_equal(e->key, w->key, w->klen);
	} else {
		assert_null(e->key);
	}
	assert_int_equal(e->flags, w->flags);
	assert_int_equal(e->has_verdict, w->verdict != 0);
	if (w->verdict)
		assert_int_equal(e->verdict, w->verdict - 1);
	if (w->chain)
		assert_string_equal(e->chain, w->chain);
	else
		assert_null(e->chain);
	if (w->dlen) {
		assert_non_null(e->data);
		assert_int_equal(e->data_len, w->dlen);
		assert_memory_equal(e->data, w->data, w->dlen);
	} else {
		assert_null(e->data);
	}
	if (w->has_kend) {
		assert_non_null(e->key_end);
		assert_int_equal(e->key_end_len, w->klen);
		assert_memory_equal(e->key_end, w->kend, w->klen);
	} else {
		assert_null(e->key_end);
	}
	assert_int_equal(e->nl != NULL, w->nl);
	if (w->timeout) {
		assert_true(nftnl_set_elem_is_set(e->nl, NFTNL_SET_ELEM_TIMEOUT));
		assert_int_equal(nftnl_set_elem_get_u64(e->nl, NFTNL_SET_ELEM_TIMEOUT),
				 w->timeout);
	}
}

/* Reads every element of s (its list, then st) against w[0..n). */
static void check_all(const struct nftnl_set *s, const struct bnft_elems *st,
		      const struct want *w, unsigned int n)
{
	struct bnft_elems_iter it;
	const struct bnft_elem *e;
	unsigned int i = 0;

	bnft_elems_iter_init(&it, s, st);
	while ((e = bnft_elems_iter_next(&it))) {
		assert_true(i < n);
		check_elem(e, &w[i], i);
		i++;
	}
	bnft_elems_iter_done(&it);
	assert_int_equal(it.err, 0);
	assert_int_equal(i, n);
}

static struct nftnl_set *new_set(struct bnft_ir *ir, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	assert_non_null(s);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, "t");
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_list_add_tail(s, ir->sets);
	return s;
}

static void add(struct bnft_elems *st, const struct want *w)
{
	struct bnft_elem e = { 0 };

	e.key = w->klen ? w->key : NULL;
	e.key_len = w->klen;
	e.flags = w->flags;
	e.has_verdict = w->verdict != 0;
	e.verdict = w->verdict - 1;
	e.chain = w->chain;
	if (w->dlen) {
		e.data = w->data;
		e.data_len = w->dlen;
	}
	if (w->has_kend) {
		e.key_end = w->kend;
		e.key_end_len = w->klen;
	}
	if (w->timeout) {
		/* a libnftnl element: the store takes it as it is */
		e.nl = bnft_elem_to_nftnl(&e);
		assert_non_null(e.nl);
		nftnl_set_elem_set_u64(e.nl, NFTNL_SET_ELEM_TIMEOUT, w->timeout);
	}
	assert_int_equal(bnft_elems_add(st, &e), 0);
}

/* An interval verdict map as the lowering encodes it, with elements that
 * cannot be compact in between: the order and every attribute hold,
 * in the store and after the move into libnftnl. */
static void test_order_verdicts(void **state)
{
	static const struct want w[] = {
		{ K4(0, 0, 0, 0), NFT_SET_ELEM_INTERVAL_END },
		{ K4(10, 0, 0, 0), 0, 1 + NF_ACCEPT },
		{ K4(10, 0, 1, 0), NFT_SET_ELEM_INTERVAL_END },
		{ K4(10, 0, 1, 0), 0, 1 + NFT_JUMP, "x" },
		{ K4(11, 0, 0, 0), 0, 1 + NF_DROP, .nl = true, .timeout = 1000 },
		{ K4(11, 0, 0, 1), NFT_SET_ELEM_INTERVAL_END },
		{ K4(12, 0, 0, 0), 0, 1 + NFT_JUMP, "y" },
		/* a key of another length: kept as a libnftnl element */
		{ { 13, 0 }, 2, 0, 1 + NF_ACCEPT, .nl = true },
		{ { 0 }, 0, NFT_SET_ELEM_CATCHALL, 1 + NF_DROP, .nl = true },
		{ K4(14, 0, 0, 0), 0, 1 + NFT_GOTO, "x" },
		{ K4(15, 0, 0, 0), NFT_SET_ELEM_INTERVAL_END },
	};
	unsigned int n = sizeof(w) / sizeof(w[0]), i;
	struct bnft_ir *ir = NULL;
	struct nftnl_set *s;
	struct bnft_elems *st;

	(void)state;
	assert_int_equal(bnft_ir_new(&ir), 0);
	s = new_set(ir, "m");
	assert_null(bnft_ir_elems(ir, s));
	st = bnft_ir_elems_get(ir, s);
	assert_non_null(st);
	assert_ptr_equal(bnft_ir_elems_get(ir, s), st);
	assert_ptr_equal(bnft_ir_elems(ir, s), st);
	for (i = 0; i < n; i++)
		add(st, &w[i]);
	assert_int_equal(bnft_elems_count(st), n);
	assert_int_equal(bnft_elems_total(s, st), n);
	check_all(s, st, w, n);

	/* into libnftnl: same elements, same order, no store left */
	assert_int_equal(bnft_ir_elems_to_nftnl(ir), 0);
	assert_null(bnft_ir_elems(ir, s));
	{
		struct want l[sizeof(w) / sizeof(w[0])];

		memcpy(l, w, sizeof(l));
		for (i = 0; i < n; i++)
			l[i].nl = true;
		check_all(s, NULL, l, n);
	}
	assert_int_equal(bnft_elems_total(s, NULL), n);
	bnft_ir_free(&ir);
}

/* Concatenated interval map: key ends and data, one element with data of
 * another length (a libnftnl element); many elements (the arrays grow). */
static void test_key_end_data_grow(void **state)
{
	enum { N = 5000 };
	struct want *w = calloc(N, sizeof(*w));
	struct bnft_ir *ir = NULL;
	struct nftnl_set *s;
	struct bnft_elems *st;
	unsigned int i;

	(void)state;
	assert_non_null(w);
	for (i = 0; i < N; i++) {
		w[i].klen = 8;
		w[i].key[0] = 10;
		w[i].key[2] = (uint8_t)(i >> 8);
		w[i].key[3] = (uint8_t)i;
		w[i].key[6] = 0x50;
		memcpy(w[i].kend, w[i].key, 8);
		w[i].kend[6] = 0x60;
		w[i].has_kend = true;
		w[i].dlen = 4;
		w[i].data[0] = (uint8_t)(i * 7);
		w[i].data[3] = (uint8_t)(i >> 4);
	}
	w[1234].dlen = 2;
	w[1234].nl = true;
	assert_int_equal(bnft_ir_new(&ir), 0);
	s = new_set(ir, "ci");
	st = bnft_ir_elems_get(ir, s);
	assert_non_null(st);
	for (i = 0; i < N; i++)
		add(st, &w[i]);
	check_all(s, st, w, N);
	bnft_ir_free(&ir);
	free(w);
}

/* A set with libnftnl elements of its own (a kernel dump) and a store:
 * its list first, then the store; dropping the store leaves the list. */
static void test_list_then_store(void **state)
{
	static const struct want w[] = {
		{ K4(1, 1, 1, 1), .nl = true },
		{ K4(2, 2, 2, 2), .nl = true },
		{ K4(3, 3, 3, 3) },
	};
	struct bnft_ir *ir = NULL;
	struct nftnl_set *s;
	struct bnft_elems *st;
	struct bnft_elem e = { 0 };
	unsigned int i;

	(void)state;
	assert_int_equal(bnft_ir_new(&ir), 0);
	s = new_set(ir, "k");
	for (i = 0; i < 2; i++) {
		e.key = w[i].key;
		e.key_len = 4;
		nftnl_set_elem_add(s, bnft_elem_to_nftnl(&e));
	}
	check_all(s, NULL, w, 2);
	st = bnft_ir_elems_get(ir, s);
	add(st, &w[2]);
	check_all(s, st, w, 3);
	bnft_ir_elems_drop(ir, s);
	assert_null(bnft_ir_elems(ir, s));
	check_all(s, NULL, w, 2);
	/* a new store where the dropped one was */
	st = bnft_ir_elems_get(ir, s);
	assert_non_null(st);
	assert_int_equal(bnft_elems_count(st), 0);
	bnft_ir_free(&ir);
}

static struct nftnl_set *find_set(struct bnft_ir *ir, const char *name)
{
	struct nftnl_set_list_iter *it = nftnl_set_list_iter_create(ir->sets);
	struct nftnl_set *s, *found = NULL;

	while ((s = nftnl_set_list_iter_next(it)))
		if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), name))
			found = s;
	nftnl_set_list_iter_destroy(it);
	assert_non_null(found);
	return found;
}

/* The lowering: nft's interval encoding (a leading end at 0, the end of
 * an interval before the adjacent start in a named set, the last end),
 * plain elements in the store, a commented one a libnftnl element in its
 * place; verdict map data with chains; the set's own list stays empty. */
static void test_lowered(void **state)
{
	static const struct want iv[] = {
		{ K4(0, 0, 0, 0), NFT_SET_ELEM_INTERVAL_END },
		{ K4(10, 0, 0, 0) },
		{ K4(10, 0, 1, 0), NFT_SET_ELEM_INTERVAL_END },
		{ K4(10, 0, 1, 0) },
		{ K4(10, 0, 2, 0), NFT_SET_ELEM_INTERVAL_END },
		{ K4(10, 0, 3, 0), .nl = true },
		{ K4(10, 0, 4, 0), NFT_SET_ELEM_INTERVAL_END },
	};
	static const struct want vm[] = {
		{ K4(10, 0, 0, 1), 0, 1 + NF_ACCEPT },
		{ K4(10, 0, 0, 2), 0, 1 + NFT_JUMP, "x" },
		{ K4(10, 0, 0, 3), 0, 1 + NF_DROP },
		{ K4(10, 0, 0, 4), 0, 1 + NFT_GOTO, "x" },
	};
	static const struct want mk[] = {
		{ K4(10, 0, 0, 1), .data = { 1, 0, 0, 0 }, .dlen = 4 },
		{ K4(10, 0, 0, 2), .data = { 0x34, 0x12, 0, 0 }, .dlen = 4 },
	};
	struct bnft_ir *ir = text_to_ir(
		"table ip t {\n"
		"  set iv { type ipv4_addr; flags interval;\n"
		"    elements = { 10.0.0.0/24, 10.0.1.0/24, 10.0.3.0/24 comment \"c\" }; }\n"
		"  map vm { type ipv4_addr : verdict;\n"
		"    elements = { 10.0.0.1 : accept, 10.0.0.2 : jump x, 10.0.0.3 : drop,\n"
		"                 10.0.0.4 : goto x }; }\n"
		"  map mk { type ipv4_addr : mark; elements = { 10.0.0.1 : 1, 10.0.0.2 : 0x1234 }; }\n"
		"  chain x { }\n"
		"}\n");
	struct nftnl_set *s;

	(void)state;
	assert_non_null(ir);
	s = find_set(ir, "iv");
	assert_non_null(bnft_ir_elems(ir, s));
	assert_int_equal(bnft_elems_total(s, NULL), 0);
	check_all(s, bnft_ir_elems(ir, s), iv, sizeof(iv) / sizeof(iv[0]));
	s = find_set(ir, "vm");
	check_all(s, bnft_ir_elems(ir, s), vm, sizeof(vm) / sizeof(vm[0]));
	s = find_set(ir, "mk");
	check_all(s, bnft_ir_elems(ir, s), mk, sizeof(mk) / sizeof(mk[0]));
	bnft_ir_free(&ir);
}

/* bnft_ir_free_some(): at most `budget` rules a call, the IR gone (and the
 * pointer cleared) with the last one. */
static void test_ir_free_in_slices(void **state)
{
	struct bnft_ir *ir = NULL;
	struct nftnl_rule *r;
	int k, calls = 0;

	(void)state;
	assert_true(bnft_ir_free_some(&ir, 1)); /* NULL: nothing to free */
	assert_int_equal(bnft_ir_new(&ir), 0);
	for (k = 0; k < 10; k++) {
		r = nftnl_rule_alloc();
		assert_non_null(r);
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "t");
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "c");
		nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
		nftnl_rule_list_add_tail(r, ir->rules);
	}
	while (!bnft_ir_free_some(&ir, 3)) {
		assert_non_null(ir);
		calls++;
		assert_int_equal(nftnl_rule_list_is_empty(ir->rules), 0);
	}
	assert_null(ir);
	assert_int_equal(calls, 3); /* 3 + 3 + 3, then the last one */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_verdicts),
		cmocka_unit_test(test_key_end_data_grow),
		cmocka_unit_test(test_list_then_store),
		cmocka_unit_test(test_lowered),
		cmocka_unit_test(test_ir_free_in_slices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
