/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for struct value (ast.h): a constant of `len` bits held in
 * ceil(len/8) bytes, in big endian (network) or host byte order. Numbers
 * are right aligned: a 6 bit dscp of 0x2e is the single byte 0x2e.
 */
#ifndef BNFT_PARSER_VALUE_H
#define BNFT_PARSER_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "parser/ast.h"

static inline unsigned int value_bytes(unsigned int len_bits)
{
	return (len_bits + 7) / 8;
}

/* Store x (truncated to len bits; len 1..64) in byteorder bo. */
void value_set_u64(struct value *v, uint64_t x, unsigned int len, enum byteorder bo);
/* Read the low 64 bits of v, decoding byteorder bo. */
uint64_t value_get_u64(const struct value *v, enum byteorder bo);
/* Raw bytes (already in the wanted order); len in bits, <= BNFT_VALUE_MAX*8. */
void value_set_bytes(struct value *v, const void *data, unsigned int len);
/* Re-encode v from (from) to (to) byteorder in place. */
void value_swap(struct value *v, enum byteorder from, enum byteorder to);
/* True when the number needs more than `bits` bits. */
bool value_exceeds(const struct value *v, enum byteorder bo, unsigned int bits);
/* Re-size a number to len bits (len <= 64 or only growing/shrinking zero
 * bytes). Returns 0, or -ERANGE when it does not fit. */
int value_resize(struct value *v, enum byteorder bo, unsigned int len);
bool value_is_zero(const struct value *v);
bool value_equal(const struct value *a, const struct value *b);
/* Bitwise helpers on equal-sized values (byte order independent). */
void value_and(struct value *dst, const struct value *a, const struct value *b);
void value_or(struct value *dst, const struct value *a, const struct value *b);
/* A mask of `prefix_len` leading one bits in a len-bit big endian value. */
void value_prefix_mask(struct value *v, unsigned int len, unsigned int prefix_len);
/* Decimal text of v (any length up to 128 bits) into buf (>= 48 bytes). */
void value_to_decimal(const struct value *v, enum byteorder bo, char *buf, size_t size);

/*
 * An EXPR_VALUE expression (allocated with ast.c's expr_alloc) of dtype,
 * byteorder bo, len bits. data may be NULL (zero). NULL on allocation failure.
 */
struct expr *value_expr_alloc(const struct location *loc, const struct datatype *dtype,
			      enum byteorder bo, unsigned int len, const void *data);
struct expr *value_expr_alloc_u64(const struct location *loc, const struct datatype *dtype,
				  enum byteorder bo, unsigned int len, uint64_t x);

#endif
