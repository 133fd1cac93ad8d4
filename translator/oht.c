// SPDX-License-Identifier: GPL-2.0
/* Open hash tables for large constant sets (oht.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "translator/oht.h"

/* Tables up to 2^26 slots (the largest, 1M 16-byte keys: 1.5 GB). */
#define OHT_MAX_SLOTS (1u << 26)

static uint32_t slot_state(const uint8_t *slot)
{
	uint32_t st;

	memcpy(&st, slot, 4);
	return st;
}

/* klen bytes at a and b equal; an IPv4 key without a call to memcmp */
static inline bool key_eq(const uint8_t *a, const uint8_t *b, uint32_t klen)
{
	uint32_t x, y;

	if (klen != 4)
		return !memcmp(a, b, klen);
	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	return x == y;
}

/* Robin Hood insertion of the slot image in `cur` (its state holds
 * 1 + distance 0); the longest distance so far in *maxd. 0, or -E2BIG
 * when a distance passes the limit. */
static int insert(struct bnft_oht *t, uint8_t *cur, uint8_t *tmp, uint32_t home, uint32_t klen,
		  uint32_t *maxd)
{
	uint32_t mask = t->nslots - 1, pos = home, dist = 0;

	for (;;) {
		uint8_t *slot = t->image + (size_t)pos * t->slot_size;
		uint32_t st = slot_state(slot);

		if (!st) {
			st = dist + 1;
			memcpy(cur, &st, 4);
			memcpy(slot, cur, t->slot_size);
			if (dist > *maxd)
				*maxd = dist;
			return 0;
		}
		if (key_eq(slot + 4, cur + 4, klen)) {
			/* the same key again: the last value wins */
			memcpy(slot + 4 + t->key_pad, cur + 4 + t->key_pad,
			       t->slot_size - 4 - t->key_pad);
			return 0;
		}
		if (st - 1 < dist) {
			/* the resident is closer to home: it moves on */
			st = dist + 1;
			memcpy(cur, &st, 4);
			if (dist > *maxd)
				*maxd = dist;
			memcpy(tmp, slot, t->slot_size);
			memcpy(slot, cur, t->slot_size);
			memcpy(cur, tmp, t->slot_size);
			dist = slot_state(cur) - 1;
		}
		if (dist + 1 >= BNFT_OHT_MAX_PROBE)
			return -E2BIG;
		pos = (pos + 1) & mask;
		dist++;
	}
}

/* keys whose home slot is fetched ahead of their insertion */
#define OHT_AHEAD 16

static uint32_t oht_home(const struct bnft_oht *t, const uint8_t *k, uint32_t klen)
{
	return bnft_oht_hash(k, klen, t->seed) & (t->nslots - 1);
}

static int try_build(const uint8_t *keys, const uint8_t *vals, uint32_t n, uint32_t klen,
		     uint32_t vlen, struct bnft_oht *t)
{
	uint8_t *cur = calloc(2, t->slot_size), *tmp;
	uint32_t i, maxd = 0, home[OHT_AHEAD];
	int err = 0;

	if (!cur)
		return -ENOMEM;
	tmp = cur + t->slot_size;
	t->image = calloc(t->nslots, t->slot_size);
	if (!t->image) {
		free(cur);
		return -ENOMEM;
	}
	for (i = 0; i < n && i < OHT_AHEAD; i++)
		home[i] = oht_home(t, keys + (size_t)i * klen, klen);
	for (i = 0; i < n && !err; i++) {
		const uint8_t *k = keys + (size_t)i * klen;
		uint32_t h = home[i % OHT_AHEAD];

		if (i + OHT_AHEAD < n) {
			/* the home slot of a key further on, fetched while
			 * this one is inserted: the table is far larger than
			 * the caches and each insert is otherwise a miss */
			uint32_t a = oht_home(t, k + (size_t)OHT_AHEAD * klen, klen);

			home[i % OHT_AHEAD] = a;
			__builtin_prefetch(t->image + (size_t)a * t->slot_size, 1);
		}
		memset(cur, 0, t->slot_size);
		memcpy(cur + 4, k, klen);
		if (vlen)
			memcpy(cur + 4 + t->key_pad, vals + (size_t)i * vlen, vlen);
		err = insert(t, cur, tmp, h, klen, &maxd);
	}
	free(cur);
	if (err) {
		free(t->image);
		t->image = NULL;
		return err;
	}
	t->max_probe = maxd + 1;
	return 0;
}

int bnft_oht_build(const uint8_t *keys, const uint8_t *vals, uint32_t n, uint32_t klen,
		   uint32_t vlen, struct bnft_oht *t)
{
	uint32_t nslots = 1, attempt;
	int err = -E2BIG;

	memset(t, 0, sizeof(*t));
	if (!klen)
		return -EINVAL;
	/* load factor at most 1/2 */
	while (nslots < 2 * (uint64_t)n && nslots < OHT_MAX_SLOTS)
		nslots <<= 1;
	if (nslots < 2 * (uint64_t)n)
		return -E2BIG;
	t->key_pad = (klen + 3) & ~3u;
	t->slot_size = (4 + t->key_pad + vlen + 7) & ~7u;
	/* another seed, then a table twice the size */
	for (attempt = 0; attempt < 4 && err == -E2BIG; attempt++) {
		t->nslots = nslots << (attempt / 2);
		if (t->nslots > OHT_MAX_SLOTS)
			break;
		t->seed = 0x2545f491u + attempt * BNFT_OHT_MUL;
		err = try_build(keys, vals, n, klen, vlen, t);
	}
	return err;
}
