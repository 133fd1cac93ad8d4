/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Open hash tables for constant sets and maps.
 *
 * The kernel's hash map takes about half a microsecond per element to fill
 * (a batch update of 1M elements: ~0.5 s here), more than everything else a
 * large set costs at load, and a lookup through the helper costs 20-23 ns
 * against 3-7 ns here (10k elements, test run). A set of at least
 * BNFT_OHT_MIN elements (every one, by default) that the datapath never
 * changes is compiled instead to a table built here, in user
 * space: an array map (BPF_F_MMAPABLE) of slots, linear probing with Robin
 * Hood insertion, copied in through mmap. The generated program hashes the
 * key with the same function (codegen_set.c, cg_oht_lookup) and looks at no
 * more than max_probe slots from the key's home slot; an empty slot ends the
 * search early.
 *
 * Slot: u32 state (0 empty, BNFT_OHT_TOMB deleted, else 1 + distance from
 * the home slot), the key
 * padded to 4 bytes, the value (maps), padded to 8 bytes.
 */
#ifndef BNFT_TRANSLATOR_OHT_H
#define BNFT_TRANSLATOR_OHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BNFT_OHT_MIN 1
/* the state of a slot whose element was deleted in place (the lookup
 * goes on past it; an in-place add may reuse it) */
#define BNFT_OHT_TOMB 0xffffffffu
#define BNFT_OHT_MAX_PROBE 24
#define BNFT_OHT_MUL 0x9e3779b1u
#define BNFT_OHT_FMIX1 0x85ebca6bu
#define BNFT_OHT_FMIX2 0xc2b2ae35u

struct bnft_oht {
	uint8_t *image;	    /* nslots * slot_size bytes */
	uint32_t nslots;    /* a power of two */
	uint32_t slot_size; /* multiple of 8 */
	uint32_t key_pad;   /* key bytes rounded up to 4 */
	uint32_t seed;
	uint32_t max_probe; /* slots a lookup may look at */
};

/* A table's lookup parameters, for the code generator (cg_oht_emit). */
struct cg_oht {
	uint32_t seed, mask, probe, klen, key_pad;
	bool value;
};

/* The key's chunk at off (off < klen, a multiple of 4): up to 4 bytes
 * read little-endian, zero-extended (what BPF_LDX of that size reads). */
static inline uint32_t bnft_oht_chunk(const uint8_t *k, uint32_t klen, uint32_t off)
{
	uint32_t n = klen - off < 4 ? klen - off : 4, w = 0, i;

	for (i = 0; i < n; i++)
		w |= (uint32_t)k[off + i] << (8 * i);
	return w;
}

static inline uint32_t bnft_oht_hash(const uint8_t *k, uint32_t klen, uint32_t seed)
{
	uint32_t h = seed, off;

	for (off = 0; off < klen; off += 4) {
		h ^= bnft_oht_chunk(k, klen, off);
		h *= BNFT_OHT_MUL;
	}
	h ^= h >> 16;
	h *= BNFT_OHT_FMIX1;
	h ^= h >> 13;
	h *= BNFT_OHT_FMIX2;
	h ^= h >> 16;
	return h;
}

/* Builds the table of n keys (klen bytes each) with values (vlen bytes
 * each, vals may be NULL when vlen is 0). 0, -ENOMEM, or -E2BIG when no
 * table within the limits keeps lookups at BNFT_OHT_MAX_PROBE slots. */
int bnft_oht_build(const uint8_t *keys, const uint8_t *vals, uint32_t n, uint32_t klen,
		   uint32_t vlen, struct bnft_oht *t);

#endif
