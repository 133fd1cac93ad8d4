// SPDX-License-Identifier: GPL-2.0
/* struct value helpers: numbers <-> bytes in a given byte order. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parser/datatype.h"
#include "parser/value.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_IS_LE 1
#else
#define HOST_IS_LE 0
#endif

/* Index of the byte holding bits [8*i, 8*i+7] of the number. */
static unsigned int byte_index(unsigned int nbytes, unsigned int i, enum byteorder bo)
{
	if (bo == BYTEORDER_HOST_ENDIAN && HOST_IS_LE)
		return i;
	return nbytes - 1 - i;
}

void value_set_u64(struct value *v, uint64_t x, unsigned int len, enum byteorder bo)
{
	unsigned int n = value_bytes(len), i;

	memset(v, 0, sizeof(*v));
	v->len = len;
	if (len < 64)
		x &= (1ULL << len) - 1;
	for (i = 0; i < n && i < 8; i++)
		v->data[byte_index(n, i, bo)] = (x >> (8 * i)) & 0xff;
}

uint64_t value_get_u64(const struct value *v, enum byteorder bo)
{
	unsigned int n = value_bytes(v->len), i;
	uint64_t x = 0;

	for (i = 0; i < n && i < 8; i++)
		x |= (uint64_t)v->data[byte_index(n, i, bo)] << (8 * i);
	return x;
}

void value_set_bytes(struct value *v, const void *data, unsigned int len)
{
	unsigned int n = value_bytes(len);

	memset(v, 0, sizeof(*v));
	if (n > BNFT_VALUE_MAX)
		n = BNFT_VALUE_MAX;
	v->len = len;
	if (data)
		memcpy(v->data, data, n);
}

static void reverse(uint8_t *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = p[i];

		p[i] = p[n - 1 - i];
		p[n - 1 - i] = t;
	}
}

void value_swap(struct value *v, enum byteorder from, enum byteorder to)
{
	if (from == to || !HOST_IS_LE || from == BYTEORDER_INVALID || to == BYTEORDER_INVALID)
		return;
	reverse(v->data, value_bytes(v->len));
}

bool value_exceeds(const struct value *v, enum byteorder bo, unsigned int bits)
{
	unsigned int n = value_bytes(v->len), i;

	for (i = 0; i < n; i++) {
		uint8_t b = v->data[byte_index(n, i, bo)];

		if (!b)
			continue;
		if (8 * i >= bits)
			return true;
		if (8 * i + 8 > bits && (b >> (bits - 8 * i)))
			return true;
	}
	return false;
}

int value_resize(struct value *v, enum byteorder bo, unsigned int len)
{
	struct value tmp;
	unsigned int n, m, i;

	if (value_exceeds(v, bo, len))
		return -ERANGE;
	n = value_bytes(v->len);
	m = value_bytes(len);
	if (m > BNFT_VALUE_MAX)
		return -ERANGE;
	memset(&tmp, 0, sizeof(tmp));
	tmp.len = len;
	for (i = 0; i < n && i < m; i++)
		tmp.data[byte_index(m, i, bo)] = v->data[byte_index(n, i, bo)];
	*v = tmp;
	return 0;
}

bool value_is_zero(const struct value *v)
{
	unsigned int n = value_bytes(v->len), i;

	for (i = 0; i < n; i++)
		if (v->data[i])
			return false;
	return true;
}

bool value_equal(const struct value *a, const struct value *b)
{
	return a->len == b->len && !memcmp(a->data, b->data, value_bytes(a->len));
}

void value_and(struct value *dst, const struct value *a, const struct value *b)
{
	unsigned int n = value_bytes(a->len), i;

	dst->len = a->len;
	for (i = 0; i < n; i++)
		dst->data[i] = a->data[i] & b->data[i];
}

void value_or(struct value *dst, const struct value *a, const struct value *b)
{
	unsigned int n = value_bytes(a->len), i;

	dst->len = a->len;
	for (i = 0; i < n; i++)
		dst->data[i] = a->data[i] | b->data[i];
}

void value_prefix_mask(struct value *v, unsigned int len, unsigned int prefix_len)
{
	unsigned int i;

	memset(v, 0, sizeof(*v));
	v->len = len;
	for (i = 0; i < prefix_len && i < len; i++)
		v->data[i / 8] |= 0x80 >> (i % 8);
}

void value_to_decimal(const struct value *v, enum byteorder bo, char *buf, size_t size)
{
	unsigned int n = value_bytes(v->len), i;
	unsigned __int128 x = 0;
	char tmp[48];
	int pos = sizeof(tmp) - 1;

	for (i = 0; i < n && i < 16; i++)
		x |= (unsigned __int128)v->data[byte_index(n, i, bo)] << (8 * i);
	tmp[pos] = '\0';
	do {
		tmp[--pos] = '0' + (int)(x % 10);
		x /= 10;
	} while (x && pos > 0);
	snprintf(buf, size, "%s", tmp + pos);
}

struct expr *value_expr_alloc(const struct location *loc, const struct datatype *dtype,
			      enum byteorder bo, unsigned int len, const void *data)
{
	struct expr *e = expr_alloc(loc ? loc : &internal_location, EXPR_VALUE);

	if (!e)
		return NULL;
	e->dtype = dtype;
	e->byteorder = bo;
	e->len = len;
	e->flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
	value_set_bytes(&e->value, data, len);
	return e;
}

struct expr *value_expr_alloc_u64(const struct location *loc, const struct datatype *dtype,
				  enum byteorder bo, unsigned int len, uint64_t x)
{
	struct expr *e = value_expr_alloc(loc, dtype, bo, len, NULL);

	if (!e)
		return NULL;
	value_set_u64(&e->value, x, len, bo);
	return e;
}
