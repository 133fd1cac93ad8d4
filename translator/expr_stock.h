/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fresh libnftnl expressions made ahead of a commit. nftnl_expr_alloc()
 * finds a kind's operations by a string compare against each kind it knows
 * in turn and callocs the object: a tenth of a 100k-rule commit (900k
 * expressions). bnftd makes them while it is idle instead, as many of each
 * common kind as the last commit took; the lowering takes from the stock
 * and falls back to nftnl_expr_alloc(). A stocked object was never used:
 * it is exactly what nftnl_expr_alloc() returns.
 *
 * Per thread; off (empty) unless the thread fills it.
 */
#ifndef BNFT_TRANSLATOR_EXPR_STOCK_H
#define BNFT_TRANSLATOR_EXPR_STOCK_H

#include <stdbool.h>
#include <stddef.h>

struct nftnl_expr;

/* A fresh expression of kind `name`, or NULL (out of memory, unknown). */
struct nftnl_expr *bnft_expr_take(const char *name);
/* Makes up to `budget` expressions towards what the last commit took
 * (what it took beyond the cap is not stocked); surplus of kinds it took
 * fewer of is freed. Returns whether the stock is complete. */
bool bnft_expr_stock_fill(size_t budget);
/* Whether bnft_expr_stock_fill() has work (a commit took from the stock
 * or allocated since the last fill). */
bool bnft_expr_stock_wanted(void);
/* Frees the stock and forgets what the last commit took. */
void bnft_expr_stock_drop(void);

#endif
