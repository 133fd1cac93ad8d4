/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compact element store of the IR's sets. A libnftnl element (struct
 * nftnl_set_elem) is a few hundred bytes: a million of them is ~350 MB of
 * fresh memory, and first touching it costs more than the rest of a load.
 * The lowering keeps each set's plain elements in flat arrays instead
 * (keys contiguous, klen bytes each; key ends, interval end flags, map data
 * and verdicts beside them) and only the rare ones (timeouts, expiration,
 * comments and other userdata, element statements, object references,
 * catch-all, odd lengths) as libnftnl elements, in their place in the
 * order.
 *
 * Readers see one element at a time through a view (struct bnft_elem)
 * whatever its origin: the set's own libnftnl element list first (sets
 * dumped from the kernel, built by hand), then its store. The order is the
 * order the elements were added in (interval encodings depend on it).
 */
#ifndef BNFT_TRANSLATOR_IR_ELEMS_H
#define BNFT_TRANSLATOR_IR_ELEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libnftnl/set.h>

struct bnft_ir;

/* One element as its readers see it; pointers stay valid until the next
 * element is read (or the store changes). */
struct bnft_elem {
	const uint8_t *key; /* NULL: none (catch-all) */
	uint32_t key_len;
	const uint8_t *key_end; /* NULL: none */
	uint32_t key_end_len;
	uint32_t flags; /* NFT_SET_ELEM_*, 0 when not set */
	bool has_verdict;
	int32_t verdict;
	const char *chain; /* of a jump/goto verdict, NULL none */
	const uint8_t *data; /* map data, NULL none */
	uint32_t data_len;
	const char *objref; /* object map element, NULL none */
	const uint8_t *udata; /* NFTNL_SET_ELEM_USERDATA, NULL none */
	uint32_t udata_len;
	/* the libnftnl element this one is (timeouts, expiration and
	 * statements are read from it), NULL for a compact element */
	struct nftnl_set_elem *nl;
};

struct bnft_elems;

/* The store of set s in ir, NULL when s has none. */
struct bnft_elems *bnft_ir_elems(const struct bnft_ir *ir, const struct nftnl_set *s);
/* The store of set s, created empty when it has none; NULL on ENOMEM. */
struct bnft_elems *bnft_ir_elems_get(struct bnft_ir *ir, const struct nftnl_set *s);
/* Frees the store of s (before s itself is freed: a later set may get
 * its address). */
void bnft_ir_elems_drop(struct bnft_ir *ir, const struct nftnl_set *s);
/* Frees every store (bnft_ir_free). */
void bnft_ir_elems_free_all(struct bnft_ir *ir);

/*
 * Appends e. An element with e->nl is that libnftnl element, owned by the
 * store from here (also on error); others are copied, compactly when they
 * fit the store's arrays, else as a new libnftnl element. 0 or -ENOMEM.
 */
int bnft_elems_add(struct bnft_elems *st, const struct bnft_elem *e);
/* Elements in the store (0 for NULL). */
uint32_t bnft_elems_count(const struct bnft_elems *st);
/* Elements of set s (its libnftnl list) and store st (may be NULL). */
size_t bnft_elems_total(const struct nftnl_set *s, const struct bnft_elems *st);

/* Sets the attributes e has on libnftnl element ne (not e->nl's
 * timeouts, expiration or statements). */
void bnft_elem_set_nftnl(struct nftnl_set_elem *ne, const struct bnft_elem *e);
/* A new libnftnl element with the attributes of e; NULL on ENOMEM. */
struct nftnl_set_elem *bnft_elem_to_nftnl(const struct bnft_elem *e);

/*
 * Moves the elements of every store into its set as libnftnl elements, in
 * order, and frees the stores: for code that hands sets to libnftnl
 * (netlink messages, nftnl_set_snprintf). 0 or -ENOMEM (stores that were
 * not moved yet stay).
 */
int bnft_ir_elems_to_nftnl(struct bnft_ir *ir);

/* Reads every element of a set: its libnftnl list, then its store. */
struct bnft_elems_iter {
	const struct nftnl_set *s;
	const struct bnft_elems *st;
	struct nftnl_set_elems_iter *nit;
	int state; /* 0 libnftnl list not started, 1 in it, 2 in the store */
	uint32_t i, ext;
	int err; /* -ENOMEM when libnftnl's iterator could not be made */
	struct bnft_elem cur;
};

/* st may be NULL (no store), s may be NULL (the store only). */
void bnft_elems_iter_init(struct bnft_elems_iter *it, const struct nftnl_set *s,
			  const struct bnft_elems *st);
/* The next element, NULL at the end (or it->err). */
const struct bnft_elem *bnft_elems_iter_next(struct bnft_elems_iter *it);
void bnft_elems_iter_done(struct bnft_elems_iter *it);

#endif
