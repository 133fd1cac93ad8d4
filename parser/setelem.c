// SPDX-License-Identifier: GPL-2.0
/*
 * Set elements as the kernel keeps them and nft lists them: sorted by key,
 * duplicates dropped, intervals checked for overlaps (named sets) or merged
 * (anonymous and auto-merge sets), ranges written back as prefixes where
 * they are exact prefixes of a prefix-capable type.
 */
#include <stdlib.h>
#include <string.h>

#include "parser/evaluate.h"
#include "parser/value.h"

/* An element and its bounds: k points at lo[nb] followed by hi[nb] in one
 * buffer filled in list order, so k's address is the element's input
 * position (the tie-break that keeps the sort stable). */
struct elem_item {
	struct expr *el;
	uint8_t *k;
};

struct expr *setelem_key(struct expr *el)
{
	if (el->etype == EXPR_MAPPING)
		el = el->mapping.left;
	if (el->etype == EXPR_SET_ELEM)
		return el->elem.key;
	return el;
}

static unsigned int sort_nb;

/* by lo, then hi (lo and hi are adjacent: one memcmp), then input order */
static int item_cmp(const void *a, const void *b)
{
	const struct elem_item *x = a, *y = b;
	int c = memcmp(x->k, y->k, 2 * sort_nb);

	return c ? c : (x->k > y->k) - (x->k < y->k);
}

static bool items_sorted(const struct elem_item *items, unsigned int n, unsigned int nb)
{
	unsigned int i;

	for (i = 1; i < n; i++)
		if (memcmp(items[i - 1].k, items[i].k, 2 * nb) > 0)
			return false;
	return true;
}

/* lo/hi of a key; false when the key has no such form (strings, catchall) */
static bool key_bounds(struct expr *k, unsigned int nb, unsigned int keylen, uint8_t *lo,
		       uint8_t *hi)
{
	unsigned int i, pos, pad = nb * 8 - keylen;

	switch (k->etype) {
	case EXPR_VALUE:
		eval_value_be(k, lo, nb);
		memcpy(hi, lo, nb);
		return true;
	case EXPR_RANGE:
		if (k->range.left->etype != EXPR_VALUE || k->range.right->etype != EXPR_VALUE)
			return false;
		eval_value_be(k->range.left, lo, nb);
		eval_value_be(k->range.right, hi, nb);
		return true;
	case EXPR_PREFIX:
		if (k->prefix.prefix->etype != EXPR_VALUE)
			return false;
		eval_value_be(k->prefix.prefix, lo, nb);
		memcpy(hi, lo, nb);
		for (i = k->prefix.prefix_len; i < keylen; i++) {
			pos = pad + i;
			lo[pos / 8] &= ~(0x80 >> (pos % 8));
			hi[pos / 8] |= 0x80 >> (pos % 8);
		}
		return true;
	default:
		return false;
	}
}

static struct expr *value_from_be(const struct expr *proto, const uint8_t *be, unsigned int nb,
				  unsigned int keylen)
{
	struct expr *v = value_expr_alloc(&proto->location, proto->dtype, proto->byteorder,
					  keylen, NULL);

	if (!v)
		return NULL;
	v->len = keylen;
	eval_value_from_be(v, be, nb);
	v->flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
	return v;
}

/* prefix length when [lo, hi] is exactly a prefix, else -1 */
static int bounds_prefix(const uint8_t *lo, const uint8_t *hi, unsigned int nb,
			 unsigned int keylen)
{
	unsigned int pad = nb * 8 - keylen, i, pos;
	int plen = -1;

	for (i = 0; i < keylen; i++) {
		pos = pad + i;
		unsigned int bl = lo[pos / 8] & (0x80 >> (pos % 8));
		unsigned int bh = hi[pos / 8] & (0x80 >> (pos % 8));

		if (plen < 0) {
			if (bl == bh)
				continue;
			if (bl || !bh)
				return -1;
			plen = i;
		} else if (bl || !bh) {
			return -1;
		}
	}
	return plen < 0 ? (int)keylen : plen;
}

/* Rewrite el's key from bounds. */
static int rewrite_key(struct eval_ctx *ctx, struct expr *el, const uint8_t *lo, const uint8_t *hi,
		       unsigned int nb, const struct set_elem_opts *o)
{
	struct expr *holder = el->etype == EXPR_MAPPING ? el->mapping.left : el;
	struct expr *k = holder->elem.key, *proto, *nk;
	int plen;

	proto = k;
	if (k->etype == EXPR_RANGE)
		proto = k->range.left;
	else if (k->etype == EXPR_PREFIX)
		proto = k->prefix.prefix;

	if (!memcmp(lo, hi, nb)) {
		nk = value_from_be(proto, lo, nb, o->keylen);
	} else if (o->prefix_ok && (plen = bounds_prefix(lo, hi, nb, o->keylen)) >= 0) {
		nk = expr_alloc(&k->location, EXPR_PREFIX);
		if (nk) {
			nk->prefix.prefix = value_from_be(proto, lo, nb, o->keylen);
			nk->prefix.prefix_len = plen;
			nk->dtype = proto->dtype;
			nk->len = o->keylen;
			nk->byteorder = proto->byteorder;
			nk->flags |= EXPR_F_CONSTANT;
		}
	} else {
		nk = expr_alloc(&k->location, EXPR_RANGE);
		if (nk) {
			nk->range.left = value_from_be(proto, lo, nb, o->keylen);
			nk->range.right = value_from_be(proto, hi, nb, o->keylen);
			nk->dtype = proto->dtype;
			nk->len = o->keylen;
			nk->byteorder = proto->byteorder;
			nk->flags |= EXPR_F_CONSTANT;
		}
	}
	if (!nk)
		return eval_error(ctx, &el->location, "out of memory");
	nk->location = k->location;
	expr_free(k);
	holder->elem.key = nk;
	return 0;
}

static bool is_string_key(const struct expr *k)
{
	const struct datatype *d;

	if (k->etype == EXPR_PREFIX)
		k = k->prefix.prefix;
	for (d = k->dtype; d; d = d->basetype)
		if (d->type == TYPE_STRING || d->type == TYPE_IFNAME)
			return true;
	return false;
}

/*
 * The number of elements when every one has bounds and lies strictly above
 * the previous one's end (sorted, no duplicate, no overlap) and, when
 * adjacent ones would merge, none is adjacent: the list is then already
 * the result. 0 otherwise.
 */
static unsigned int list_disjoint(struct expr *set, unsigned int nb, const struct set_elem_opts *o)
{
	uint8_t b[2][2 * BNFT_VALUE_MAX], next_lo[BNFT_VALUE_MAX];
	bool merge = o->interval && o->merge;
	unsigned int n = 0;
	struct expr *el;

	list_for_each_entry(el, &EXPR_COMPOUND(set).expressions, list) {
		struct expr *k = setelem_key(el);
		uint8_t *cur = b[n & 1], *prev = b[(n + 1) & 1];

		if (!k || is_string_key(k) || !key_bounds(k, nb, o->keylen, cur, cur + nb))
			return 0;
		if (n) {
			if (memcmp(cur, prev + nb, nb) <= 0)
				return 0;
			if (merge) {
				memcpy(next_lo, prev + nb, nb);
				eval_be_inc(next_lo, nb);
				if (!memcmp(next_lo, cur, nb))
					return 0;
			}
		}
		n++;
	}
	return n;
}

int setelem_normalize(struct eval_ctx *ctx, struct expr *set, const struct set_elem_opts *o)
{
	unsigned int n = 0, i, out = 0, nb = value_bytes(o->keylen);
	struct elem_item *items, *cur;
	struct list_head rest;
	struct expr *el, *next;
	uint8_t *kbuf;
	int err = 0;

	if (o->concat || !o->keylen || nb > BNFT_VALUE_MAX)
		return 0;
	if (list_empty(&EXPR_COMPOUND(set).expressions))
		return 0;
	n = list_disjoint(set, nb, o);
	if (n) {
		/* already the result: in order, nothing to drop, merge or move */
		list_for_each_entry(el, &EXPR_COMPOUND(set).expressions, list) {
			uint8_t lo[BNFT_VALUE_MAX], hi[BNFT_VALUE_MAX];

			if (!o->interval || err)
				break;
			key_bounds(setelem_key(el), nb, o->keylen, lo, hi);
			err = rewrite_key(ctx, el, lo, hi, nb, o);
		}
		EXPR_COMPOUND(set).size = n;
		return err;
	}
	list_for_each_entry(el, &EXPR_COMPOUND(set).expressions, list)
		n++;
	items = malloc((size_t)n * sizeof(*items));
	kbuf = malloc((size_t)n * 2 * nb);
	if (!items || !kbuf) {
		free(items);
		free(kbuf);
		return eval_error(ctx, &set->location, "out of memory");
	}
	list_for_each_entry(el, &EXPR_COMPOUND(set).expressions, list) {
		struct expr *k = setelem_key(el);
		uint8_t *kb = kbuf + (size_t)out * 2 * nb;

		if (!k || is_string_key(k) || !key_bounds(k, nb, o->keylen, kb, kb + nb))
			continue; /* catchall, strings: kept as is, after the others */
		items[out].el = el;
		items[out++].k = kb;
	}
#define LO(it) ((it)->k)
#define HI(it) ((it)->k + nb)
	init_list_head(&rest);
	i = 0;
	list_for_each_entry_safe(el, next, &EXPR_COMPOUND(set).expressions, list) {
		list_del(&el->list);
		if (i < out && items[i].el == el)
			i++;
		else
			list_add_tail(&el->list, &rest);
	}
	sort_nb = nb;
	if (!items_sorted(items, out, nb))
		qsort(items, out, sizeof(*items), item_cmp);

	cur = NULL;
	for (i = 0; i < out; i++) {
		struct elem_item *it = &items[i];

		if (!cur) {
			cur = it;
			continue;
		}
		if (memcmp(LO(it), HI(cur), nb) <= 0) {
			/* overlap (or duplicate) */
			if (!memcmp(LO(it), LO(cur), nb) && !memcmp(HI(it), HI(cur), nb)) {
				expr_free(it->el);
				it->el = NULL;
				continue;
			}
			if (o->interval && o->merge) {
				if (memcmp(HI(it), HI(cur), nb) > 0)
					memcpy(HI(cur), HI(it), nb);
				expr_free(it->el);
				it->el = NULL;
				continue;
			}
			if (!err)
				err = eval_error2(ctx, &it->el->location, &cur->el->location,
						  "conflicting intervals specified");
			list_add_tail(&cur->el->list, &EXPR_COMPOUND(set).expressions);
			cur = it;
			continue;
		}
		if (o->interval && o->merge) {
			uint8_t next_lo[BNFT_VALUE_MAX];

			memcpy(next_lo, HI(cur), nb);
			eval_be_inc(next_lo, nb);
			if (!memcmp(next_lo, LO(it), nb) && memcmp(HI(cur), HI(it), nb) < 0) {
				memcpy(HI(cur), HI(it), nb);
				expr_free(it->el);
				it->el = NULL;
				continue;
			}
		}
		if (o->interval && !err)
			err = rewrite_key(ctx, cur->el, LO(cur), HI(cur), nb, o);
		list_add_tail(&cur->el->list, &EXPR_COMPOUND(set).expressions);
		cur = it;
	}
	if (cur) {
		if (o->interval && !err)
			err = rewrite_key(ctx, cur->el, LO(cur), HI(cur), nb, o);
		list_add_tail(&cur->el->list, &EXPR_COMPOUND(set).expressions);
	}
#undef LO
#undef HI
	list_splice_tail_init(&rest, &EXPR_COMPOUND(set).expressions);
	free(items);
	free(kbuf);
	n = 0;
	list_for_each_entry(el, &EXPR_COMPOUND(set).expressions, list)
		n++;
	EXPR_COMPOUND(set).size = n;
	return err;
}

/* Remove the elements of del (evaluated) from set. Absent ones are an
 * error (ENOENT) unless destroy. */
int setelem_delete(struct eval_ctx *ctx, struct expr *set, struct expr *del, bool destroy)
{
	struct expr *d, *e, *found;
	unsigned int nb;

	list_for_each_entry(d, &EXPR_COMPOUND(del).expressions, list) {
		struct expr *dk = setelem_key(d);
		uint8_t dlo[BNFT_VALUE_MAX], dhi[BNFT_VALUE_MAX];

		nb = value_bytes(dk->len ? dk->len : 32);
		if (nb > BNFT_VALUE_MAX)
			nb = BNFT_VALUE_MAX;
		if (!key_bounds(dk, nb, nb * 8, dlo, dhi))
			continue;
		found = NULL;
		if (set)
			list_for_each_entry(e, &EXPR_COMPOUND(set).expressions, list) {
				struct expr *ek = setelem_key(e);
				uint8_t lo[BNFT_VALUE_MAX], hi[BNFT_VALUE_MAX];

				if (!key_bounds(ek, nb, nb * 8, lo, hi))
					continue;
				if (!memcmp(lo, dlo, nb) && !memcmp(hi, dhi, nb)) {
					found = e;
					break;
				}
			}
		if (!found) {
			if (destroy)
				continue;
			return eval_error(ctx, &d->location,
					  "Could not process rule: No such file or directory");
		}
		ruleset_del_expr(ctx->rs, found);
		if (set)
			EXPR_COMPOUND(set).size--;
	}
	return 0;
}
