// SPDX-License-Identifier: GPL-2.0
/*
 * The IR's compact element stores (ir_elems.h): per set, flat arrays that
 * grow by doubling, a byte of bits per element, and the libnftnl elements
 * of the rare ones in order beside them. Stores hang off the IR in a
 * small open addressing table keyed by the set's address (libnftnl's sets
 * are opaque: nothing of ours fits in them).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "translator/ir.h"
#include "translator/ir_elems.h"

/* per element bits (meta) */
#define EM_END 0x01	/* NFT_SET_ELEM_INTERVAL_END */
#define EM_KEY_END 0x02 /* key_ends[i] */
#define EM_DATA 0x04	/* data[i] */
#define EM_VERDICT 0x08 /* verdicts[i], chains[i] */
#define EM_EXT 0x10	/* the next libnftnl element of ext[] */

/* what libnftnl's data registers hold */
#define EL_REG_MAX 64u
/* recent chain names looked at before a verdict's chain gets a new one */
#define CHAIN_LOOKBACK 64u

struct bnft_elems {
	uint32_t n, cap;
	uint32_t klen, dlen; /* of compact keys (and key ends), data; 0 unset */
	uint8_t *meta;
	uint8_t *keys;
	uint8_t *key_ends;
	uint8_t *data;
	int32_t *verdicts;
	uint32_t *chains; /* index in chain_names + 1, 0 none */
	char **chain_names;
	uint32_t nchains, chains_cap;
	struct nftnl_set_elem **ext;
	uint32_t next, ext_cap;
};

struct etab_slot {
	const struct nftnl_set *s;
	struct bnft_elems *st; /* NULL: dropped */
};

struct bnft_elems_tab {
	struct etab_slot *slot;
	uint32_t cap, used; /* used: slots with a set, dropped ones too */
};

static void elems_free(struct bnft_elems *st)
{
	uint32_t i;

	if (!st)
		return;
	for (i = 0; i < st->next; i++)
		if (st->ext[i])
			nftnl_set_elem_free(st->ext[i]);
	for (i = 0; i < st->nchains; i++)
		free(st->chain_names[i]);
	free(st->ext);
	free(st->chain_names);
	free(st->meta);
	free(st->keys);
	free(st->key_ends);
	free(st->data);
	free(st->verdicts);
	free(st->chains);
	free(st);
}

static uint32_t slot_of(const struct bnft_elems_tab *t, const struct nftnl_set *s)
{
	uint64_t h = ((uint64_t)(uintptr_t)s >> 4) * 0x9e3779b97f4a7c15ull;
	uint32_t i = (uint32_t)(h >> 32) & (t->cap - 1);

	while (t->slot[i].s && t->slot[i].s != s)
		i = (i + 1) & (t->cap - 1);
	return i;
}

struct bnft_elems *bnft_ir_elems(const struct bnft_ir *ir, const struct nftnl_set *s)
{
	const struct bnft_elems_tab *t = ir->elems;

	if (!t || !t->cap)
		return NULL;
	return t->slot[slot_of(t, s)].st;
}

static int etab_grow(struct bnft_elems_tab *t)
{
	struct bnft_elems_tab n = { 0 };
	uint32_t i;

	n.cap = t->cap ? t->cap * 2 : 64;
	n.slot = calloc(n.cap, sizeof(*n.slot));
	if (!n.slot)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		uint32_t k;

		if (!t->slot[i].st)
			continue; /* dropped ones go */
		k = slot_of(&n, t->slot[i].s);
		n.slot[k] = t->slot[i];
		n.used++;
	}
	free(t->slot);
	*t = n;
	return 0;
}

struct bnft_elems *bnft_ir_elems_get(struct bnft_ir *ir, const struct nftnl_set *s)
{
	struct bnft_elems_tab *t = ir->elems;
	uint32_t i;

	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		ir->elems = t;
	}
	if ((t->used + 1) * 2 > t->cap && etab_grow(t))
		return NULL;
	i = slot_of(t, s);
	if (t->slot[i].st)
		return t->slot[i].st;
	t->slot[i].st = calloc(1, sizeof(struct bnft_elems));
	if (!t->slot[i].st)
		return NULL;
	if (!t->slot[i].s) {
		t->slot[i].s = s;
		t->used++;
	}
	return t->slot[i].st;
}

void bnft_ir_elems_drop(struct bnft_ir *ir, const struct nftnl_set *s)
{
	struct bnft_elems_tab *t = ir->elems;
	uint32_t i;

	if (!t || !t->cap)
		return;
	i = slot_of(t, s);
	elems_free(t->slot[i].st);
	t->slot[i].st = NULL; /* the slot stays: probes pass over it */
}

void bnft_ir_elems_free_all(struct bnft_ir *ir)
{
	struct bnft_elems_tab *t = ir->elems;
	uint32_t i;

	if (!t)
		return;
	for (i = 0; i < t->cap; i++)
		elems_free(t->slot[i].st);
	free(t->slot);
	free(t);
	ir->elems = NULL;
}

void bnft_elem_set_nftnl(struct nftnl_set_elem *ne, const struct bnft_elem *e)
{
	if (e->key)
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY, e->key, e->key_len);
	if (e->key_end)
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_KEY_END, e->key_end, e->key_end_len);
	if (e->flags)
		nftnl_set_elem_set_u32(ne, NFTNL_SET_ELEM_FLAGS, e->flags);
	if (e->has_verdict) {
		nftnl_set_elem_set_u32(ne, NFTNL_SET_ELEM_VERDICT, (uint32_t)e->verdict);
		if (e->chain)
			nftnl_set_elem_set_str(ne, NFTNL_SET_ELEM_CHAIN, e->chain);
	}
	if (e->data)
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_DATA, e->data, e->data_len);
	if (e->objref)
		nftnl_set_elem_set_str(ne, NFTNL_SET_ELEM_OBJREF, e->objref);
	if (e->udata)
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_USERDATA, e->udata, e->udata_len);
}

struct nftnl_set_elem *bnft_elem_to_nftnl(const struct bnft_elem *e)
{
	struct nftnl_set_elem *ne = nftnl_set_elem_alloc();

	if (ne)
		bnft_elem_set_nftnl(ne, e);
	return ne;
}

static void from_nftnl(struct nftnl_set_elem *ne, struct bnft_elem *e)
{
	memset(e, 0, sizeof(*e));
	e->nl = ne;
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_KEY))
		e->key = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_KEY, &e->key_len);
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_KEY_END))
		e->key_end = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_KEY_END, &e->key_end_len);
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_FLAGS))
		e->flags = nftnl_set_elem_get_u32(ne, NFTNL_SET_ELEM_FLAGS);
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_VERDICT)) {
		e->has_verdict = true;
		e->verdict = (int32_t)nftnl_set_elem_get_u32(ne, NFTNL_SET_ELEM_VERDICT);
		if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_CHAIN))
			e->chain = nftnl_set_elem_get_str(ne, NFTNL_SET_ELEM_CHAIN);
	}
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_DATA))
		e->data = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_DATA, &e->data_len);
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_OBJREF))
		e->objref = nftnl_set_elem_get_str(ne, NFTNL_SET_ELEM_OBJREF);
	if (nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_USERDATA))
		e->udata = nftnl_set_elem_get(ne, NFTNL_SET_ELEM_USERDATA, &e->udata_len);
}

/* Whether e goes into the arrays (else a libnftnl element keeps it). */
static bool fits(const struct bnft_elems *st, const struct bnft_elem *e)
{
	if (e->nl || e->objref || e->udata || !e->key || !e->key_len || e->key_len > EL_REG_MAX)
		return false;
	if (e->flags & ~(uint32_t)NFT_SET_ELEM_INTERVAL_END)
		return false;
	if (st->klen && e->key_len != st->klen)
		return false;
	if (e->key_end && e->key_end_len != e->key_len)
		return false;
	if (e->data && (!e->data_len || e->data_len > EL_REG_MAX ||
			(st->dlen && e->data_len != st->dlen)))
		return false;
	if (!e->has_verdict && e->chain)
		return false;
	return true;
}

/* Grows array *p of cap elements of size sz to ncap (nothing to do while
 * it does not exist). */
static int grow(void *p, size_t sz, uint32_t ncap)
{
	void **pp = p, *n;

	if (!*pp)
		return 0;
	n = realloc(*pp, (size_t)ncap * sz);
	if (!n)
		return -ENOMEM;
	*pp = n;
	return 0;
}

/* Creates array *p (cap elements of size sz) when it does not exist. */
static int need(void *p, size_t sz, uint32_t cap)
{
	void **pp = p;

	if (*pp)
		return 0;
	*pp = malloc((size_t)cap * sz);
	return *pp ? 0 : -ENOMEM;
}

static int reserve(struct bnft_elems *st)
{
	uint32_t nc;

	if (st->n < st->cap)
		return 0;
	if (st->cap > UINT32_MAX / 2)
		return -ENOMEM;
	nc = st->cap ? st->cap * 2 : 16;
	if (grow(&st->meta, 1, nc) || grow(&st->keys, st->klen, nc) ||
	    grow(&st->key_ends, st->klen, nc) || grow(&st->data, st->dlen, nc) ||
	    grow(&st->verdicts, sizeof(*st->verdicts), nc) ||
	    grow(&st->chains, sizeof(*st->chains), nc))
		return -ENOMEM;
	if (need(&st->meta, 1, nc))
		return -ENOMEM;
	st->cap = nc;
	return 0;
}

static int add_ext(struct bnft_elems *st, struct nftnl_set_elem *ne)
{
	if (st->next == st->ext_cap) {
		uint32_t nc = st->ext_cap ? st->ext_cap * 2 : 4;
		void *p = realloc(st->ext, nc * sizeof(*st->ext));

		if (!p) {
			nftnl_set_elem_free(ne);
			return -ENOMEM;
		}
		st->ext = p;
		st->ext_cap = nc;
	}
	if (reserve(st)) {
		nftnl_set_elem_free(ne);
		return -ENOMEM;
	}
	st->ext[st->next++] = ne;
	st->meta[st->n++] = EM_EXT;
	return 0;
}

/* Index + 1 of chain name c, added when none of the recent ones is c. */
static uint32_t chain_id(struct bnft_elems *st, const char *c)
{
	uint32_t i, lo = st->nchains > CHAIN_LOOKBACK ? st->nchains - CHAIN_LOOKBACK : 0;

	for (i = st->nchains; i-- > lo;)
		if (!strcmp(st->chain_names[i], c))
			return i + 1;
	if (st->nchains == st->chains_cap) {
		uint32_t nc = st->chains_cap ? st->chains_cap * 2 : 4;
		void *p = realloc(st->chain_names, nc * sizeof(*st->chain_names));

		if (!p)
			return 0;
		st->chain_names = p;
		st->chains_cap = nc;
	}
	st->chain_names[st->nchains] = strdup(c);
	if (!st->chain_names[st->nchains])
		return 0;
	return ++st->nchains;
}

int bnft_elems_add(struct bnft_elems *st, const struct bnft_elem *e)
{
	uint32_t i = st->n, c = 0;
	uint8_t m = 0;

	if (!fits(st, e)) {
		struct nftnl_set_elem *ne = e->nl ? e->nl : bnft_elem_to_nftnl(e);

		return ne ? add_ext(st, ne) : -ENOMEM;
	}
	if (!st->klen)
		st->klen = e->key_len;
	if (e->data && !st->dlen)
		st->dlen = e->data_len;
	if (reserve(st) || need(&st->keys, st->klen, st->cap))
		return -ENOMEM;
	memcpy(st->keys + (size_t)i * st->klen, e->key, st->klen);
	if (e->key_end) {
		if (need(&st->key_ends, st->klen, st->cap))
			return -ENOMEM;
		memcpy(st->key_ends + (size_t)i * st->klen, e->key_end, st->klen);
		m |= EM_KEY_END;
	}
	if (e->data) {
		if (need(&st->data, st->dlen, st->cap))
			return -ENOMEM;
		memcpy(st->data + (size_t)i * st->dlen, e->data, st->dlen);
		m |= EM_DATA;
	}
	if (e->has_verdict) {
		if (e->chain) {
			c = chain_id(st, e->chain);
			if (!c)
				return -ENOMEM;
		}
		if (need(&st->verdicts, sizeof(*st->verdicts), st->cap) ||
		    need(&st->chains, sizeof(*st->chains), st->cap))
			return -ENOMEM;
		st->verdicts[i] = e->verdict;
		st->chains[i] = c;
		m |= EM_VERDICT;
	}
	if (e->flags & NFT_SET_ELEM_INTERVAL_END)
		m |= EM_END;
	st->meta[i] = m;
	st->n++;
	return 0;
}

uint32_t bnft_elems_count(const struct bnft_elems *st)
{
	return st ? st->n : 0;
}

size_t bnft_elems_total(const struct nftnl_set *s, const struct bnft_elems *st)
{
	struct nftnl_set_elems_iter *it = s ? nftnl_set_elems_iter_create(s) : NULL;
	size_t n = bnft_elems_count(st);

	while (it && nftnl_set_elems_iter_next(it))
		n++;
	if (it)
		nftnl_set_elems_iter_destroy(it);
	return n;
}

/* Element i of st (ext: the next libnftnl element, *ext counts them). */
static void store_elem(const struct bnft_elems *st, uint32_t i, uint32_t *ext, struct bnft_elem *e)
{
	uint8_t m = st->meta[i];

	if (m & EM_EXT) {
		from_nftnl(st->ext[(*ext)++], e);
		return;
	}
	memset(e, 0, sizeof(*e));
	e->key = st->keys + (size_t)i * st->klen;
	e->key_len = st->klen;
	if (m & EM_KEY_END) {
		e->key_end = st->key_ends + (size_t)i * st->klen;
		e->key_end_len = st->klen;
	}
	if (m & EM_END)
		e->flags = NFT_SET_ELEM_INTERVAL_END;
	if (m & EM_VERDICT) {
		e->has_verdict = true;
		e->verdict = st->verdicts[i];
		if (st->chains[i])
			e->chain = st->chain_names[st->chains[i] - 1];
	}
	if (m & EM_DATA) {
		e->data = st->data + (size_t)i * st->dlen;
		e->data_len = st->dlen;
	}
}

void bnft_elems_iter_init(struct bnft_elems_iter *it, const struct nftnl_set *s,
			  const struct bnft_elems *st)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
	it->st = st;
	it->state = s ? 0 : 2;
}

const struct bnft_elem *bnft_elems_iter_next(struct bnft_elems_iter *it)
{
	struct nftnl_set_elem *ne;

	if (it->state == 0) {
		it->nit = nftnl_set_elems_iter_create(it->s);
		if (!it->nit) {
			it->err = -ENOMEM;
			return NULL;
		}
		it->state = 1;
	}
	if (it->state == 1) {
		ne = nftnl_set_elems_iter_next(it->nit);
		if (ne) {
			from_nftnl(ne, &it->cur);
			return &it->cur;
		}
		it->state = 2;
	}
	if (!it->st || it->i >= it->st->n)
		return NULL;
	store_elem(it->st, it->i++, &it->ext, &it->cur);
	return &it->cur;
}

void bnft_elems_iter_done(struct bnft_elems_iter *it)
{
	if (it->nit)
		nftnl_set_elems_iter_destroy(it->nit);
	it->nit = NULL;
}

int bnft_ir_elems_to_nftnl(struct bnft_ir *ir)
{
	struct bnft_elems_tab *t = ir->elems;
	struct nftnl_set_list_iter *li;
	struct nftnl_set *s;
	int err = 0;

	if (!t)
		return 0;
	li = nftnl_set_list_iter_create(ir->sets);
	if (!li)
		return -ENOMEM;
	while (!err && (s = nftnl_set_list_iter_next(li))) {
		struct bnft_elems *st = bnft_ir_elems(ir, s);
		uint32_t i, ext = 0;

		for (i = 0; st && i < st->n; i++) {
			struct bnft_elem e;
			struct nftnl_set_elem *ne;

			if (st->meta[i] & EM_EXT) {
				/* moves: the set owns it from here */
				ne = st->ext[ext];
				st->ext[ext++] = NULL;
			} else {
				store_elem(st, i, &ext, &e);
				ne = bnft_elem_to_nftnl(&e);
				if (!ne) {
					err = -ENOMEM;
					break;
				}
			}
			nftnl_set_elem_add(s, ne);
		}
		if (!err && st)
			bnft_ir_elems_drop(ir, s);
	}
	nftnl_set_list_iter_destroy(li);
	return err;
}
