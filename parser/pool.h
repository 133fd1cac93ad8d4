/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fixed-size object pools for the small AST nodes (struct expr, struct
 * stmt, struct rule): a ruleset of 100k rules or a set of 1M elements allocates and
 * frees millions of them, which malloc serves with per-chunk headers and
 * fragmentation (unlink/consolidate). A pool hands out slots from large
 * chunks and keeps freed slots on a per-thread free list; chunks are never
 * returned (like most of malloc's heap). Chunks from 1 MB on are mapped
 * pre-faulted (pool.c). (Transparent huge pages for the chunks were tried:
 * often faster, but some runs 3x slower from compaction stalls.)
 *
 * Under AddressSanitizer the pools fall back to calloc/malloc/free so the
 * fuzz tier still sees every use-after-free and leak.
 */
#ifndef BNFT_PARSER_POOL_H
#define BNFT_PARSER_POOL_H

#include <stdbool.h>
#include <stddef.h>

struct pool_slot {
	struct pool_slot *next;
};

/* Per-thread state of one pool; declare it static _Thread_local. */
struct pool {
	size_t size;		/* slot size, fixed at definition */
	struct pool_slot *free; /* freed slots */
	char *cur, *end;	/* rest of the current chunk */
	bool zero;		/* the current chunk is zero-filled (mmap) */
	size_t next_chunk;	/* bytes of the next chunk */
};

#define POOL_INIT(type) { .size = (sizeof(type) + 7) & ~(size_t)7 }

#if defined(__SANITIZE_ADDRESS__)
#define POOL_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_PASSTHROUGH 1
#endif
#endif

/* Uninitialised slot (like malloc), or NULL. */
void *pool_alloc(struct pool *p);
/* Zeroed slot (like calloc), or NULL. */
void *pool_zalloc_slow(struct pool *p);
/* NULL-safe. */
void pool_free_slow(struct pool *p, void *obj);

#ifdef POOL_PASSTHROUGH
#define pool_zalloc pool_zalloc_slow
#define pool_free pool_free_slow
#else
/* Taking a freed slot and freeing one are inline: a call each, with its
 * register saves, was ~30 instructions of the ~60 per slot of a 100k-rule
 * parse. */
static inline void *pool_zalloc(struct pool *p)
{
	struct pool_slot *s = p->free;

	if (__builtin_expect(s == NULL, 0))
		return pool_zalloc_slow(p);
	p->free = s->next;
	/* the free list is in the order the slots were freed, cold and
	 * scattered: reading the next link missed the cache on every take
	 * (a quarter of parsing 100k rules in bnftd, where the reaped
	 * ruleset's slots are reused). Fetch it now; the work between two
	 * takes hides the miss (all of the slot: it is zeroed or filled
	 * next). */
	if (p->free)
		for (size_t off = 0; off < p->size; off += 64)
			__builtin_prefetch((char *)p->free + off, 1);
	__builtin_memset(s, 0, p->size);
	return s;
}

static inline void pool_free(struct pool *p, void *obj)
{
	struct pool_slot *s = obj;

	if (!s)
		return;
	s->next = p->free;
	p->free = s;
}
#endif

#endif
