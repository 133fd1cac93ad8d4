// SPDX-License-Identifier: GPL-2.0
/* struct value helpers: numbers <-> bytes in a given byte order. */
#include <errno.h>
#include <stdbool.h>
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

/* The low m (1..8) bytes of x as the bytes at p: host order (low byte
 * first on little endian) or big endian (low byte last), and back. What
 * the loops over byte_index() did a byte at a time (a few percent of
 * evaluating 100k rules); 1, 2, 4 and 8 bytes in one access (a wider load
 * over narrower stores would stall store forwarding). */
static void put_low(uint8_t *p, uint64_t x, unsigned int m, bool host)
{
	bool swap = !(host && HOST_IS_LE) && HOST_IS_LE;
	unsigned int i;

	switch (m) {
	case 1:
		p[0] = (uint8_t)x;
		return;
	case 2: {
		uint16_t v = swap ? __builtin_bswap16((uint16_t)x) : (uint16_t)x;

		memcpy(p, &v, 2);
		return;
	}
	case 4: {
		uint32_t v = swap ? __builtin_bswap32((uint32_t)x) : (uint32_t)x;

		memcpy(p, &v, 4);
		return;
	}
	case 8:
		if (swap)
			x = __builtin_bswap64(x);
		memcpy(p, &x, 8);
		return;
	}
	for (i = 0; i < m; i++)
		p[host && HOST_IS_LE ? i : m - 1 - i] = (uint8_t)(x >> (8 * i));
}

static uint64_t get_low(const uint8_t *p, unsigned int m, bool host)
{
	bool swap = !(host && HOST_IS_LE) && HOST_IS_LE;
	uint64_t x = 0;
	unsigned int i;

	switch (m) {
	case 1:
		return p[0];
	case 2: {
		uint16_t v;

		memcpy(&v, p, 2);
		return swap ? __builtin_bswap16(v) : v;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, p, 4);
		return swap ? __builtin_bswap32(v) : v;
	}
	case 8:
		memcpy(&x, p, 8);
		return swap ? __builtin_bswap64(x) : x;
	}
	for (i = 0; i < m; i++)
		x |= (uint64_t)p[host && HOST_IS_LE ? i : m - 1 - i] << (8 * i);
	return x;
}

void value_set_u64(struct value *v, uint64_t x, unsigned int len, enum byteorder bo)
{
	unsigned int n = value_bytes(len), m = n < 8 ? n : 8;
	bool host = bo == BYTEORDER_HOST_ENDIAN;

	memset(v, 0, sizeof(*v));
	v->len = len;
	if (len < 64)
		x &= (1ULL << len) - 1;
	if (!m)
		return;
	/* byte i of x goes to byte_index(n, i, bo): data[i] (host, little
	 * endian) or data[n - 1 - i] */
	put_low(host && HOST_IS_LE ? v->data : v->data + n - m, x, m, host);
}

uint64_t value_get_u64(const struct value *v, enum byteorder bo)
{
	unsigned int n = value_bytes(v->len), m = n < 8 ? n : 8;
	bool host = bo == BYTEORDER_HOST_ENDIAN;

	if (!m)
		return 0;
	return get_low(host && HOST_IS_LE ? v->data : v->data + n - m, m, host);
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
