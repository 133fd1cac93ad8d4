// SPDX-License-Identifier: GPL-2.0
/*
 * translator/expr_stock.c: expressions made ahead are fresh objects of the
 * kind asked for, the stock follows what was taken, unknown kinds fall
 * through to libnftnl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <libnftnl/expr.h>

#include "translator/expr_stock.h"

static const char *const names[] = { "payload", "cmp",	   "meta",    "immediate", "bitwise",
				     "byteorder", "lookup", "counter", "range",	    "ct",
				     "log",	  "limit",  "masq",    "connlimit", "reject" };

/* A fresh expression: its kind, nothing but the name set. */
static void assert_fresh(struct nftnl_expr *e, const char *name)
{
	assert_non_null(e);
	assert_string_equal(nftnl_expr_get_str(e, NFTNL_EXPR_NAME), name);
	for (uint16_t a = NFTNL_EXPR_BASE; a < NFTNL_EXPR_BASE + 16; a++)
		assert_false(nftnl_expr_is_set(e, a));
}

static void test_take_without_stock(void **state)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct nftnl_expr *e = bnft_expr_take(names[i]);

		assert_fresh(e, names[i]);
		nftnl_expr_free(e);
	}
	assert_null(bnft_expr_take("no-such-kind"));
	bnft_expr_stock_drop();
	assert_false(bnft_expr_stock_wanted());
}

static void test_fill_follows_takes(void **state)
{
	struct nftnl_expr *e[300];
	size_t i, n = 0;

	/* a "commit": 100 payload, 150 cmp, 50 log (not stocked) */
	for (i = 0; i < 100; i++)
		e[n++] = bnft_expr_take("payload");
	for (i = 0; i < 150; i++)
		e[n++] = bnft_expr_take("cmp");
	for (i = 0; i < 50; i++)
		e[n++] = bnft_expr_take("log");
	assert_true(bnft_expr_stock_wanted());
	/* the objects a commit used are its own: set and freed as usual */
	nftnl_expr_set_u32(e[0], NFTNL_EXPR_PAYLOAD_LEN, 4);
	for (i = 0; i < n; i++)
		nftnl_expr_free(e[i]);

	/* a budget too small: not complete, more to do */
	assert_false(bnft_expr_stock_fill(60));
	assert_true(bnft_expr_stock_wanted());
	assert_true(bnft_expr_stock_fill(1000));
	assert_false(bnft_expr_stock_wanted());

	/* the next commit takes stocked objects: fresh, of the right kind */
	n = 0;
	for (i = 0; i < 100; i++) {
		e[n] = bnft_expr_take("payload");
		assert_fresh(e[n++], "payload");
	}
	for (i = 0; i < 10; i++) {
		e[n] = bnft_expr_take("cmp");
		assert_fresh(e[n++], "cmp");
	}
	for (i = 0; i < n; i++)
		nftnl_expr_free(e[i]);
	/* it took fewer cmp: the surplus goes, no payload is left */
	assert_true(bnft_expr_stock_wanted());
	assert_true(bnft_expr_stock_fill(1000));
	assert_false(bnft_expr_stock_wanted());
	bnft_expr_stock_drop();
	assert_false(bnft_expr_stock_wanted());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_take_without_stock),
		cmocka_unit_test(test_fill_follows_takes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
