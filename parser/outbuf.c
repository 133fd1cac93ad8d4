// SPDX-License-Identifier: GPL-2.0
/* Growable output buffer: every printer writes here. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parser/datatype.h"

void outbuf_init(struct outbuf *o)
{
	o->buf = NULL;
	o->len = 0;
	o->cap = 0;
	o->err = 0;
}

void outbuf_release(struct outbuf *o)
{
	free(o->buf);
	outbuf_init(o);
}

/* Make room for n more bytes plus a NUL; 0 or -ENOMEM (sticky in o->err). */
static int outbuf_reserve(struct outbuf *o, size_t n)
{
	size_t cap;
	char *p;

	if (o->err)
		return o->err;
	if (o->len + n + 1 <= o->cap)
		return 0;
	cap = o->cap ? o->cap : 256;
	while (cap < o->len + n + 1)
		cap *= 2;
	p = realloc(o->buf, cap);
	if (!p) {
		o->err = -ENOMEM;
		return o->err;
	}
	o->buf = p;
	o->cap = cap;
	return 0;
}

void outbuf_printf(struct outbuf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* formatted once into the free space; a second time only when it
	 * did not fit */
	if (outbuf_reserve(o, 64))
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= o->cap - o->len) {
		if (outbuf_reserve(o, n))
			return;
		va_start(ap, fmt);
		vsnprintf(o->buf + o->len, n + 1, fmt, ap);
		va_end(ap);
	}
	o->len += n;
}

void outbuf_puts(struct outbuf *o, const char *s)
{
	size_t n = strlen(s);

	if (outbuf_reserve(o, n))
		return;
	memcpy(o->buf + o->len, s, n + 1);
	o->len += n;
}
