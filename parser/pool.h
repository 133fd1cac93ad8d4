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

/* Uninitialised slot (like malloc), or NULL. */
void *pool_alloc(struct pool *p);
/* Zeroed slot (like calloc), or NULL. */
void *pool_zalloc(struct pool *p);
/* NULL-safe. */
void pool_free(struct pool *p, void *obj);

#endif
