// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-size object pools (pool.h).
 */
#include <stdlib.h>
#include <string.h>

#include "parser/pool.h"

#if defined(__SANITIZE_ADDRESS__)
#define POOL_PASSTHROUGH 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_PASSTHROUGH 1
#endif
#endif

#define CHUNK_MIN (64u << 10)
#define CHUNK_MAX (4u << 20)

void *pool_alloc(struct pool *p)
{
#ifdef POOL_PASSTHROUGH
	return malloc(p->size);
#else
	struct pool_slot *s = p->free;
	void *o;

	if (s) {
		p->free = s->next;
		return s;
	}
	if ((size_t)(p->end - p->cur) < p->size) {
		size_t bytes = p->next_chunk ? p->next_chunk : CHUNK_MIN;
		char *c = malloc(bytes);

		if (!c)
			return NULL;
		p->cur = c;
		p->end = c + bytes;
		p->next_chunk = bytes < CHUNK_MAX ? bytes * 2 : CHUNK_MAX;
	}
	o = p->cur;
	p->cur += p->size;
	return o;
#endif
}

void *pool_zalloc(struct pool *p)
{
#ifdef POOL_PASSTHROUGH
	return calloc(1, p->size);
#else
	void *o = pool_alloc(p);

	if (o)
		memset(o, 0, p->size);
	return o;
#endif
}

void pool_free(struct pool *p, void *obj)
{
#ifdef POOL_PASSTHROUGH
	free(obj);
#else
	struct pool_slot *s = obj;

	if (!s)
		return;
	s->next = p->free;
	p->free = s;
#endif
}
