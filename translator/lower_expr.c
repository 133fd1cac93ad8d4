// SPDX-License-Identifier: GPL-2.0
/*
 * Lowering of expressions: registers, selectors (payload, exthdr, meta,
 * ct, ...), constants, binops, and relationals (cmp, range, bitwise flag
 * tests, prefixes, set lookups, maps), following nft's netlink_linearize.c.
 * Dependencies: lower_deps.c; statement units and payload merging:
 * lower_merge.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>

#include "parser/datatype.h"
#include "parser/value.h"
#include "translator/expr_stock.h"
#include "translator/lower_int.h"
#include "translator/rule_index.h"

#ifndef NFPROTO_IPV4
#define NFPROTO_INET 1
#define NFPROTO_IPV4 2
#define NFPROTO_ARP 3
#define NFPROTO_NETDEV 5
#define NFPROTO_BRIDGE 7
#define NFPROTO_IPV6 10
#endif

#define ARPHRD_ETHER_NUM 1

int lower_error(struct lower_ctx *ctx, const struct location *loc, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->nerrs++;
	return erec_error(ctx->msgs, loc, "%s", buf);
}

/* ------------------------------------------------------------------ */
/* Registers                                                           */

unsigned int lower_reg_space(unsigned int len_bits)
{
	unsigned int n = (len_bits + 31) / 32;

	return n ? n : 1;
}

static unsigned int expr_reg_units(const struct expr *e)
{
	if (e && e->etype == EXPR_CONCAT) {
		const struct expr *i;
		unsigned int n = 0;

		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			n += lower_reg_space(i->len);
		return n;
	}
	return LREG_UNITS_PER_REG;
}

unsigned int lower_get_register(struct lower_ctx *ctx, const struct expr *e)
{
	unsigned int reg = ctx->reg_low;

	ctx->reg_low += expr_reg_units(e);
	return reg;
}

void lower_release_register(struct lower_ctx *ctx, const struct expr *e)
{
	unsigned int n = expr_reg_units(e);

	if (ctx->reg_low >= LREG_FIRST + n)
		ctx->reg_low -= n;
}

uint32_t lower_nft_register(unsigned int reg)
{
	if (reg != LREG_VERDICT) {
		reg -= LREG_FIRST;
		if (reg % LREG_UNITS_PER_REG == 0)
			reg = NFT_REG_1 + reg / LREG_UNITS_PER_REG;
		else
			reg += NFT_REG32_00;
	}
	return reg;
}

void lower_put_register(struct nftnl_expr *nle, uint16_t attr, unsigned int reg)
{
	nftnl_expr_set_u32(nle, attr, lower_nft_register(reg));
}

/* enum bnft_xk of a kind name (callers pass literals: one pointer per
 * call site, remembered with its kind) */
static uint8_t name_kind(const char *name)
{
	static _Thread_local const char *seen[32];
	static _Thread_local uint8_t kind[32];
	size_t h = ((uintptr_t)name >> 2) % 32;

	if (seen[h] != name) {
		kind[h] = (uint8_t)bnft_xk_of(name);
		seen[h] = name;
	}
	return kind[h];
}

struct nftnl_expr *lower_alloc(struct lower_ctx *ctx, const char *name)
{
	struct nftnl_expr *e = bnft_expr_take(name); /* made ahead when bnftd was idle */
	unsigned int i = ctx->nmade++ % LOWER_MADE_RING;

	/* lower_add() finds its kind here */
	ctx->made[i].e = e;
	ctx->made[i].kind = name_kind(name);
	return e;
}

void lower_emit_cmp(struct lower_ctx *ctx, unsigned int sreg, enum nft_cmp_ops op,
		    const void *data, unsigned int len)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "cmp");

	if (!nle)
		return lower_add(ctx, NULL);
	lower_put_register(nle, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(nle, NFTNL_EXPR_CMP_DATA, data, len);
	lower_add(ctx, nle);
	lower_note_cmp(ctx, nle, lower_nft_register(sreg), op, data, len);
}

void lower_emit_immediate_data(struct lower_ctx *ctx, unsigned int dreg, const void *data,
			       unsigned int len)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "immediate");

	if (!nle)
		return lower_add(ctx, NULL);
	lower_put_register(nle, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set(nle, NFTNL_EXPR_IMM_DATA, data, len);
	lower_add(ctx, nle);
}

static void emit_bitwise(struct lower_ctx *ctx, unsigned int reg, const uint8_t *mask,
			 const uint8_t *xor, unsigned int len)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "bitwise");

	if (!nle)
		return lower_add(ctx, NULL);
	lower_put_register(nle, NFTNL_EXPR_BITWISE_SREG, reg);
	lower_put_register(nle, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(nle, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(nle, NFTNL_EXPR_BITWISE_XOR, xor, len);
	lower_add(ctx, nle);
}

static void emit_shift(struct lower_ctx *ctx, unsigned int reg, enum nft_bitwise_ops op,
		       uint32_t shift, unsigned int len)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "bitwise");

	if (!nle)
		return lower_add(ctx, NULL);
	lower_put_register(nle, NFTNL_EXPR_BITWISE_SREG, reg);
	lower_put_register(nle, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BITWISE_OP, op);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(nle, NFTNL_EXPR_BITWISE_DATA, &shift, sizeof(shift));
	lower_add(ctx, nle);
}

static void emit_byteorder(struct lower_ctx *ctx, unsigned int reg, enum nft_byteorder_ops op,
			   unsigned int len_bits)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "byteorder");
	unsigned int bytes = (len_bits + 7) / 8;

	if (!nle)
		return lower_add(ctx, NULL);
	lower_put_register(nle, NFTNL_EXPR_BYTEORDER_SREG, reg);
	lower_put_register(nle, NFTNL_EXPR_BYTEORDER_DREG, reg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BYTEORDER_OP, op);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BYTEORDER_LEN, bytes);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BYTEORDER_SIZE,
			   bytes == 8 ? 8 : (len_bits % 32 ? 2 : 4));
	lower_add(ctx, nle);
}

void lower_emit_byteorder(struct lower_ctx *ctx, unsigned int reg, enum nft_byteorder_ops op,
			  unsigned int len_bits)
{
	emit_byteorder(ctx, reg, op, len_bits);
}

/* ------------------------------------------------------------------ */
/* Constants                                                           */

unsigned int lower_value_bytes(const struct expr *e, uint8_t *out, unsigned int max)
{
	unsigned int n = value_bytes(e->len ? e->len : e->value.len);

	if (n > max)
		n = max;
	memset(out, 0, n);
	memcpy(out, e->value.data, n < sizeof(e->value.data) ? n : sizeof(e->value.data));
	return n;
}

static const struct expr *range_side(const struct expr *e, bool end, uint8_t *tmp,
				     unsigned int *n)
{
	switch (e->etype) {
	case EXPR_RANGE:
		*n = lower_value_bytes(end ? e->range.right : e->range.left, tmp, BNFT_VALUE_MAX);
		return e;
	case EXPR_PREFIX: {
		const struct expr *p = e->prefix.prefix;
		unsigned int len = p->len ? p->len : p->value.len, i;

		*n = lower_value_bytes(p, tmp, BNFT_VALUE_MAX);
		for (i = 0; i < *n * 8 && i < len; i++) {
			unsigned int byte = i / 8, bit = 7 - i % 8;

			if (i < e->prefix.prefix_len)
				continue;
			if (end)
				tmp[byte] |= 1u << bit;
			else
				tmp[byte] &= ~(1u << bit);
		}
		return e;
	}
	case EXPR_VALUE:
		*n = lower_value_bytes(e, tmp, BNFT_VALUE_MAX);
		return e;
	case EXPR_SET_ELEM:
		return range_side(e->elem.key, end, tmp, n);
	default:
		*n = 0;
		return NULL;
	}
}

unsigned int lower_data_bytes(const struct expr *e, uint8_t *out, unsigned int max, bool end)
{
	uint8_t tmp[BNFT_VALUE_MAX];
	unsigned int n = 0, len = 0;
	const struct expr *i;

	if (e->etype == EXPR_SET_ELEM)
		e = e->elem.key;
	if (e->etype == EXPR_CONCAT) {
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list) {
			unsigned int pad;

			if (!range_side(i, end, tmp, &n))
				return 0;
			pad = (n + 3) & ~3u;
			if (len + pad > max)
				return 0;
			memset(out + len, 0, pad);
			memcpy(out + len, tmp, n);
			len += pad;
		}
		return len;
	}
	if (!range_side(e, end, tmp, &n) || n > max)
		return 0;
	memcpy(out, tmp, n);
	return n;
}

void lower_shift_left(uint8_t *buf, unsigned int nbytes, unsigned int shift)
{
	int i;

	while (shift >= 8) {
		memmove(buf, buf + 1, nbytes - 1);
		buf[nbytes - 1] = 0;
		shift -= 8;
	}
	if (!shift)
		return;
	for (i = 0; i < (int)nbytes; i++) {
		buf[i] = (uint8_t)(buf[i] << shift);
		if (i + 1 < (int)nbytes)
			buf[i] |= buf[i + 1] >> (8 - shift);
	}
}

/* Host-endian constant bytes to big endian (for range/ordering compares). */
static void bytes_reverse(uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = b[i];

		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
}

/* ------------------------------------------------------------------ */
/* Selectors                                                           */

unsigned int lower_payload_offset(const struct lower_ctx *ctx, const struct expr *e)
{
	unsigned int off = e->payload.offset;

	if (e->payload.base == PAYLOAD_LL && e->payload.desc && !e->payload.is_raw)
		off += lower_ll_offset(ctx, e->payload.desc);
	return off;
}

bool lower_payload_shift(const struct expr *e, unsigned int *shift, unsigned int *nbytes)
{
	unsigned int off, lo;

	if (e->etype == EXPR_PAYLOAD) {
		off = e->payload.offset;
	} else if (e->etype == EXPR_EXTHDR) {
		off = e->exthdr.offset;
		if (e->exthdr.exists_only) {
			/* the present flag loads one byte: 1 or 0 */
			*nbytes = 1;
			*shift = 0;
			return false;
		}
	} else {
		return false;
	}
	lo = off % 8;
	*nbytes = (lo + e->len + 7) / 8;
	*shift = *nbytes * 8 - lo - e->len;
	return lo || e->len % 8;
}

static void mask_for(const struct expr *e, unsigned int nbytes, uint8_t *mask)
{
	unsigned int off = (e->etype == EXPR_PAYLOAD ? e->payload.offset : e->exthdr.offset) % 8;
	unsigned int i;

	memset(mask, 0, nbytes);
	for (i = off; i < off + e->len; i++)
		mask[i / 8] |= 0x80 >> (i % 8);
}

/* Load a payload/exthdr; sub-byte fields get the AND mask and, when
 * shift_reg, the right shift that moves the field to bit 0. */
static int lower_load(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg,
		      bool shift_reg, unsigned int trim_bytes)
{
	struct nftnl_expr *nle;
	unsigned int shift, nbytes, off;
	bool sub;
	uint8_t mask[16], zero[16] = { 0 };

	sub = lower_payload_shift(e, &shift, &nbytes);
	if (trim_bytes && !sub)
		nbytes = trim_bytes;
	if (e->etype == EXPR_PAYLOAD) {
		if (e->payload.inner)
			return lower_error(ctx, &e->location,
					   "cannot lower inner (tunnel) payload expressions");
		off = lower_payload_offset(ctx, e);
		nle = lower_alloc(ctx, "payload");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_PAYLOAD_DREG, dreg);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_BASE, e->payload.base);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_OFFSET, off / 8);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_LEN, nbytes);
	} else {
		off = e->exthdr.offset;
		nle = lower_alloc(ctx, "exthdr");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_EXTHDR_DREG, dreg);
		nftnl_expr_set_u8(nle, NFTNL_EXPR_EXTHDR_TYPE, e->exthdr.type);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OFFSET, off / 8);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_LEN, e->exthdr.exists_only ? 1 : nbytes);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OP, e->exthdr.op);
		if (e->exthdr.exists_only)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT);
	}
	lower_add(ctx, nle);
	if (e->etype == EXPR_PAYLOAD)
		lower_note_load(ctx, nle, lower_nft_register(dreg), e->payload.base, off / 8,
				nbytes);
	if (e->etype == EXPR_EXTHDR && e->exthdr.exists_only)
		return 0;
	if (sub && nbytes <= sizeof(mask)) {
		mask_for(e, nbytes, mask);
		emit_bitwise(ctx, dreg, mask, zero, nbytes);
		if (shift_reg && shift) {
			/* the shift works on host order numbers */
			if (nbytes > 1)
				emit_byteorder(ctx, dreg, NFT_BYTEORDER_NTOH, nbytes * 8);
			emit_shift(ctx, dreg, NFT_BITWISE_RSHIFT, shift, nbytes);
		}
	}
	return 0;
}

static int lower_simple_key(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg)
{
	struct nftnl_expr *nle = NULL;

	switch (e->etype) {
	case EXPR_META:
		if (e->meta.inner)
			return lower_error(ctx, &e->location, "cannot lower inner meta expressions");
		nle = lower_alloc(ctx, "meta");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_META_KEY, e->meta.key);
		lower_put_register(nle, NFTNL_EXPR_META_DREG, dreg);
		break;
	case EXPR_CT:
		nle = lower_alloc(ctx, "ct");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_CT_KEY, e->ct.key);
		lower_put_register(nle, NFTNL_EXPR_CT_DREG, dreg);
		if (e->ct.direction >= 0)
			nftnl_expr_set_u8(nle, NFTNL_EXPR_CT_DIR, e->ct.direction);
		break;
	case EXPR_RT:
		nle = lower_alloc(ctx, "rt");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_RT_KEY, e->rt.key);
		lower_put_register(nle, NFTNL_EXPR_RT_DREG, dreg);
		break;
	case EXPR_SOCKET:
		nle = lower_alloc(ctx, "socket");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_SOCKET_KEY, e->socket.key);
		lower_put_register(nle, NFTNL_EXPR_SOCKET_DREG, dreg);
		if (e->socket.key == NFT_SOCKET_CGROUPV2)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_SOCKET_LEVEL, e->socket.level);
		break;
	case EXPR_OSF:
		nle = lower_alloc(ctx, "osf");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_OSF_DREG, dreg);
		if (e->osf.ttl)
			nftnl_expr_set_u8(nle, NFTNL_EXPR_OSF_TTL, e->osf.ttl);
		if (e->osf.flags)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_OSF_FLAGS, e->osf.flags);
		break;
	case EXPR_FIB:
		nle = lower_alloc(ctx, "fib");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_FIB_RESULT, e->fib.result);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_FIB_FLAGS, e->fib.flags);
		lower_put_register(nle, NFTNL_EXPR_FIB_DREG, dreg);
		break;
	case EXPR_NUMGEN:
		nle = lower_alloc(ctx, "numgen");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_NG_DREG, dreg);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_NG_TYPE, e->numgen.type);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_NG_MODULUS, e->numgen.mod);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_NG_OFFSET, e->numgen.offset);
		break;
	case EXPR_XFRM:
		nle = lower_alloc(ctx, "xfrm");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_XFRM_DREG, dreg);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_XFRM_KEY, e->xfrm.key);
		nftnl_expr_set_u8(nle, NFTNL_EXPR_XFRM_DIR, e->xfrm.direction);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_XFRM_SPNUM, e->xfrm.spnum);
		break;
	case EXPR_HASH: {
		unsigned int sreg = 0;

		if (e->hash.expr) {
			sreg = lower_get_register(ctx, e->hash.expr);
			if (lower_expr(ctx, e->hash.expr, sreg) < 0)
				return -1;
			lower_release_register(ctx, e->hash.expr);
		}
		nle = lower_alloc(ctx, "hash");
		if (!nle)
			return -1;
		if (e->hash.expr) {
			lower_put_register(nle, NFTNL_EXPR_HASH_SREG, sreg);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_HASH_LEN,
					   (e->hash.expr->etype == EXPR_CONCAT ?
						    expr_reg_units(e->hash.expr) * 4 :
						    (e->hash.expr->len + 7) / 8));
		}
		lower_put_register(nle, NFTNL_EXPR_HASH_DREG, dreg);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_HASH_MODULUS, e->hash.mod);
		if (e->hash.seed_set)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_HASH_SEED, e->hash.seed);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_HASH_OFFSET, e->hash.offset);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_HASH_TYPE, e->hash.type);
		break;
	}
	default:
		return lower_error(ctx, &e->location, "cannot lower %s expression",
				   expr_type_name(e->etype));
	}
	lower_add(ctx, nle);
	if (e->etype == EXPR_META)
		lower_note_load(ctx, nle, lower_nft_register(dreg), e->meta.key, 0, 0);
	return 0;
}

static int lower_binop(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg)
{
	const struct expr *l = e->binop.left, *r = e->binop.right;
	uint8_t mask[BNFT_VALUE_MAX], xor[BNFT_VALUE_MAX];
	unsigned int n, i, bits = e->len > l->len ? e->len : l->len;

	if (lower_expr(ctx, l, dreg) < 0)
		return -1;
	if (r->etype != EXPR_VALUE)
		return lower_error(ctx, &r->location,
				   "cannot lower binary operation with non-constant operand");
	n = (bits + 7) / 8;
	if (e->op == OP_LSHIFT || e->op == OP_RSHIFT) {
		emit_shift(ctx, dreg, e->op == OP_LSHIFT ? NFT_BITWISE_LSHIFT : NFT_BITWISE_RSHIFT,
			   (uint32_t)expr_value_u64(r), n);
		return 0;
	}
	if (n > sizeof(mask))
		return lower_error(ctx, &e->location, "binary operation too wide");
	/* the constant as wide as the operation (a field widened to a mark) */
	memset(mask, 0, sizeof(mask));
	lower_value_bytes(r, mask, sizeof(mask));
	memset(xor, 0, n);
	switch (e->op) {
	case OP_AND:
		break;
	case OP_OR:
		memcpy(xor, mask, n);
		for (i = 0; i < n; i++)
			mask[i] = ~mask[i];
		break;
	case OP_XOR:
		memcpy(xor, mask, n);
		memset(mask, 0xff, n);
		break;
	default:
		return lower_error(ctx, &e->location, "cannot lower binary operator %d", e->op);
	}
	emit_bitwise(ctx, dreg, mask, xor, n);
	return 0;
}

static int lower_map(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg);

int lower_expr(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg)
{
	uint8_t buf[BNFT_VALUE_MAX];
	const struct expr *i;
	unsigned int n;

	switch (e->etype) {
	case EXPR_PAYLOAD:
	case EXPR_EXTHDR:
		return lower_load(ctx, e, dreg, true, 0);
	case EXPR_VALUE:
		n = lower_value_bytes(e, buf, sizeof(buf));
		lower_emit_immediate_data(ctx, dreg, buf, n);
		return 0;
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list) {
			if (lower_expr(ctx, i, dreg) < 0)
				return -1;
			dreg += lower_reg_space(i->len);
		}
		return 0;
	case EXPR_BINOP:
		return lower_binop(ctx, e, dreg);
	case EXPR_UNARY:
		if (lower_expr(ctx, e->binop.left, dreg) < 0)
			return -1;
		emit_byteorder(ctx, dreg, e->op == OP_HTON ? NFT_BYTEORDER_HTON : NFT_BYTEORDER_NTOH,
			       e->binop.left->len);
		return 0;
	case EXPR_MAP:
		return lower_map(ctx, e, dreg);
	case EXPR_VERDICT:
		return lower_verdict(ctx, e, dreg);
	case EXPR_META:
	case EXPR_CT:
	case EXPR_RT:
	case EXPR_SOCKET:
	case EXPR_OSF:
	case EXPR_FIB:
	case EXPR_NUMGEN:
	case EXPR_HASH:
	case EXPR_XFRM:
		return lower_simple_key(ctx, e, dreg);
	default:
		return lower_error(ctx, &e->location, "cannot lower %s expression here",
				   expr_type_name(e->etype));
	}
}

/* ------------------------------------------------------------------ */
/* Lookups and maps                                                    */

static bool key_is_subbyte(const struct expr *key, unsigned int *shift, unsigned int *nbytes)
{
	return (key->etype == EXPR_PAYLOAD || key->etype == EXPR_EXTHDR) &&
	       lower_payload_shift(key, shift, nbytes);
}

static uint32_t set_flags_of(const struct expr *set)
{
	if (set->etype == EXPR_SET_REF)
		return set->set_ref.set ? set->set_ref.set->flags : 0;
	if (set->etype == EXPR_SET) {
		uint32_t f = EXPR_COMPOUND(set).set ? EXPR_COMPOUND(set).set->flags
						    : EXPR_COMPOUND(set).set_flags;

		if (set->flags & EXPR_F_INTERVAL)
			f |= NFT_SET_INTERVAL;
		return f;
	}
	return 0;
}

/* Lower the key for a lookup into sreg; anonymous sets absorb the
 * sub-byte shift into their elements (returned in *shift). */
static int lower_lookup_key(struct lower_ctx *ctx, const struct expr *key,
			    const struct expr *set, unsigned int sreg, unsigned int *shift)
{
	unsigned int nbytes;

	*shift = 0;
	if (set->etype == EXPR_SET && key_is_subbyte(key, shift, &nbytes))
		return lower_load(ctx, key, sreg, false, 0);
	*shift = 0;
	if (key->etype == EXPR_CONCAT && (set_flags_of(set) & NFT_SET_INTERVAL)) {
		/* interval sets keep host order members big endian */
		const struct expr *i;

		list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list) {
			if (lower_expr(ctx, i, sreg) < 0)
				return -1;
			if (lower_is_host_number(i))
				emit_byteorder(ctx, sreg, NFT_BYTEORDER_HTON, i->len);
			sreg += lower_reg_space(i->len);
		}
		return 0;
	}
	return lower_expr(ctx, key, sreg);
}

static const char *lookup_set(struct lower_ctx *ctx, const struct expr *key,
			      const struct expr *set, unsigned int shift, uint32_t *set_id)
{
	struct nftnl_set *s;

	*set_id = 0;
	if (set->etype == EXPR_SET_REF)
		return lower_set_name(set);
	if (set->etype != EXPR_SET) {
		lower_error(ctx, &set->location, "cannot lower lookup in %s",
			    expr_type_name(set->etype));
		return NULL;
	}
	s = lower_anon_set(ctx, set, key, &shift);
	if (!s)
		return NULL;
	*set_id = nftnl_set_get_u32(s, NFTNL_SET_ID);
	return nftnl_set_get_str(s, NFTNL_SET_NAME);
}

static int emit_lookup(struct lower_ctx *ctx, const struct expr *key, const struct expr *set,
		       unsigned int sreg, unsigned int dreg, bool has_dreg, bool inv)
{
	struct nftnl_expr *nle;
	unsigned int shift;
	const char *name;
	uint32_t id;

	if (lower_lookup_key(ctx, key, set, sreg, &shift) < 0)
		return -1;
	if (lower_key_needs_hton(key, set_flags_of(set)))
		emit_byteorder(ctx, sreg, NFT_BYTEORDER_HTON, key->len);
	name = lookup_set(ctx, key, set, shift, &id);
	if (!name)
		return -1;
	nle = lower_alloc(ctx, "lookup");
	if (!nle)
		return -1;
	lower_put_register(nle, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(nle, NFTNL_EXPR_LOOKUP_SET, name);
	if (id)
		nftnl_expr_set_u32(nle, NFTNL_EXPR_LOOKUP_SET_ID, id);
	if (has_dreg)
		lower_put_register(nle, NFTNL_EXPR_LOOKUP_DREG, dreg);
	if (inv)
		nftnl_expr_set_u32(nle, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
	lower_add(ctx, nle);
	return 0;
}

static int lower_map(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg)
{
	unsigned int sreg;
	int ret;

	if (dreg == LREG_VERDICT)
		sreg = lower_get_register(ctx, e->map.key);
	else
		sreg = dreg;
	ret = emit_lookup(ctx, e->map.key, e->map.mappings, sreg, dreg, true, false);
	if (dreg == LREG_VERDICT)
		lower_release_register(ctx, e->map.key);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Relationals                                                         */

static enum nft_cmp_ops cmp_op(enum ops op)
{
	switch (op) {
	case OP_NEQ:
		return NFT_CMP_NEQ;
	case OP_LT:
		return NFT_CMP_LT;
	case OP_GT:
		return NFT_CMP_GT;
	case OP_LTE:
		return NFT_CMP_LTE;
	case OP_GTE:
		return NFT_CMP_GTE;
	default:
		return NFT_CMP_EQ;
	}
}

static bool is_bitmask(const struct datatype *d)
{
	while (d) {
		if (d->type == TYPE_BITMASK)
			return true;
		d = d->basetype;
	}
	return false;
}

bool lower_is_host_number(const struct expr *e)
{
	const struct datatype *d;

	if (!e || e->byteorder != BYTEORDER_HOST_ENDIAN || e->len <= 8 || e->etype == EXPR_CONCAT)
		return false;
	for (d = e->dtype; d; d = d->basetype)
		if (d->type == TYPE_STRING || d->type == TYPE_IFNAME)
			return false;
	return true;
}

static bool needs_hton(const struct expr *l)
{
	return lower_is_host_number(l);
}

static int lower_range(struct lower_ctx *ctx, const struct expr *rel, unsigned int sreg,
		       unsigned int shift, unsigned int nbytes)
{
	const struct expr *l = rel->binop.left, *r = rel->binop.right;
	uint8_t lo[BNFT_VALUE_MAX] = { 0 }, hi[BNFT_VALUE_MAX] = { 0 };
	struct nftnl_expr *nle;
	bool inv = rel->op == OP_NEQ;
	unsigned int n;

	n = lower_value_bytes(r->range.left, lo, sizeof(lo));
	lower_value_bytes(r->range.right, hi, sizeof(hi));
	if (nbytes > n)
		n = nbytes;
	if (shift) {
		lower_shift_left(lo, n, shift);
		lower_shift_left(hi, n, shift);
	}
	if (needs_hton(l)) {
		emit_byteorder(ctx, sreg, NFT_BYTEORDER_HTON, l->len);
		bytes_reverse(lo, n);
		bytes_reverse(hi, n);
	}
	if (memcmp(lo, hi, n) > 0) {
		/* a range across the wrap (meta hour "22:00"-"02:00" after the
		 * time zone shift): match outside [hi, lo] like nft */
		uint8_t t[BNFT_VALUE_MAX];

		memcpy(t, lo, n);
		memcpy(lo, hi, n);
		memcpy(hi, t, n);
		inv = !inv;
	}
	nle = lower_alloc(ctx, "range");
	if (!nle)
		return -1;
	lower_put_register(nle, NFTNL_EXPR_RANGE_SREG, sreg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_RANGE_OP, inv ? NFT_RANGE_NEQ : NFT_RANGE_EQ);
	nftnl_expr_set(nle, NFTNL_EXPR_RANGE_FROM_DATA, lo, n);
	nftnl_expr_set(nle, NFTNL_EXPR_RANGE_TO_DATA, hi, n);
	lower_add(ctx, nle);
	return 0;
}

static int lower_prefix_cmp(struct lower_ctx *ctx, const struct expr *rel, unsigned int sreg)
{
	const struct expr *l = rel->binop.left, *r = rel->binop.right;
	const struct expr *p = r->prefix.prefix;
	uint8_t val[BNFT_VALUE_MAX] = { 0 }, mask[BNFT_VALUE_MAX] = { 0 }, zero[BNFT_VALUE_MAX] = { 0 };
	unsigned int plen = r->prefix.prefix_len, n, i;
	bool is_string = l->dtype && (l->dtype->type == TYPE_STRING ||
				      l->dtype->type == TYPE_IFNAME ||
				      (l->dtype->basetype && l->dtype->basetype->type == TYPE_STRING));
	bool aligned = plen % 8 == 0 && plen && (l->byteorder != BYTEORDER_HOST_ENDIAN || is_string);

	n = (l->len + 7) / 8;
	lower_value_bytes(p, val, sizeof(val));
	if (aligned && (l->etype == EXPR_PAYLOAD || l->etype == EXPR_EXTHDR) &&
	    !lower_payload_shift(l, &i, &i)) {
		if (plen == 0)
			return 0;
		if (lower_load(ctx, l, sreg, false, plen / 8) < 0)
			return -1;
		lower_emit_cmp(ctx, sreg, cmp_op(rel->op), val, plen / 8);
		return 0;
	}
	if (lower_expr(ctx, l, sreg) < 0)
		return -1;
	if (aligned) {
		lower_emit_cmp(ctx, sreg, cmp_op(rel->op), val, plen / 8);
		return 0;
	}
	for (i = 0; i < plen && i < n * 8; i++)
		mask[i / 8] |= 0x80 >> (i % 8);
	if (l->byteorder == BYTEORDER_HOST_ENDIAN)
		bytes_reverse(mask, n);
	for (i = 0; i < n; i++)
		val[i] &= mask[i];
	emit_bitwise(ctx, sreg, mask, zero, n);
	lower_emit_cmp(ctx, sreg, cmp_op(rel->op), val, n);
	return 0;
}

int lower_relational(struct lower_ctx *ctx, const struct expr *rel)
{
	const struct expr *l = rel->binop.left, *r = rel->binop.right;
	uint8_t val[BNFT_VALUE_MAX] = { 0 }, zero[BNFT_VALUE_MAX] = { 0 };
	unsigned int sreg, shift = 0, nbytes = 0, n;
	bool sub;
	int ret = 0;

	sreg = lower_get_register(ctx, l);
	switch (r->etype) {
	case EXPR_SET:
	case EXPR_SET_REF:
		ret = emit_lookup(ctx, l, r, sreg, 0, false, rel->op == OP_NEQ);
		goto out;
	case EXPR_PREFIX:
		ret = lower_prefix_cmp(ctx, rel, sreg);
		goto out;
	default:
		break;
	}

	sub = key_is_subbyte(l, &shift, &nbytes);
	if (sub) {
		if (lower_load(ctx, l, sreg, false, 0) < 0)
			goto err;
	} else {
		if (lower_expr(ctx, l, sreg) < 0)
			goto err;
		shift = 0;
	}

	if (r->etype == EXPR_RANGE) {
		ret = lower_range(ctx, rel, sreg, shift, nbytes);
		goto out;
	}
	if (r->etype == EXPR_CONCAT) {
		n = lower_data_bytes(r, val, sizeof(val), false);
		if (!n) {
			ret = lower_error(ctx, &r->location, "cannot lower concatenated constant");
			goto out;
		}
		lower_emit_cmp(ctx, sreg, cmp_op(rel->op), val, n);
		goto out;
	}
	if (r->etype != EXPR_VALUE) {
		ret = lower_error(ctx, &r->location, "cannot lower comparison with %s",
				  expr_type_name(r->etype));
		goto out;
	}
	n = lower_value_bytes(r, val, sizeof(val));
	if (sub) {
		if (nbytes > n) {
			/* right align the field value in the loaded bytes */
			memmove(val + (nbytes - n), val, n);
			memset(val, 0, nbytes - n);
			n = nbytes;
		}
		lower_shift_left(val, n, shift);
	}

	if ((rel->op == OP_IMPLICIT || rel->op == OP_NEG) && is_bitmask(r->dtype) &&
	    !value_is_zero(&r->value) && l->etype != EXPR_BINOP) {
		/* flag test: (x & v) != 0 */
		emit_bitwise(ctx, sreg, val, zero, n);
		lower_emit_cmp(ctx, sreg, rel->op == OP_NEG ? NFT_CMP_EQ : NFT_CMP_NEQ, zero, n);
		goto out;
	}
	if ((rel->op == OP_LT || rel->op == OP_GT || rel->op == OP_LTE || rel->op == OP_GTE) &&
	    needs_hton(l)) {
		emit_byteorder(ctx, sreg, NFT_BYTEORDER_HTON, l->len);
		bytes_reverse(val, n);
	}
	lower_emit_cmp(ctx, sreg, cmp_op(rel->op), val, n);
out:
	lower_release_register(ctx, l);
	return ret;
err:
	lower_release_register(ctx, l);
	return -1;
}
