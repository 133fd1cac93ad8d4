// SPDX-License-Identifier: GPL-2.0
/*
 * Constants: resolving symbols through the datatype of the other side,
 * fitting values to the width and byte order of what they are compared
 * with, range checks with nft's messages, and byte helpers used by the set
 * element code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/evaluate.h"
#include "parser/value.h"

int eval_error(struct eval_ctx *ctx, const struct location *loc, const char *fmt, ...)
{
	struct error_record *erec;
	va_list ap;

	va_start(ap, fmt);
	erec = erec_vcreate(EREC_ERROR, loc ? loc : &internal_location, fmt, ap);
	va_end(ap);
	if (erec)
		erec_queue(erec, ctx->msgs);
	ctx->nerrs++;
	return -1;
}

/* Error with a second location: nft underlines the context with ~~~ and the
 * culprit with ^^^ (the first location of a record gets the carets). */
int eval_error2(struct eval_ctx *ctx, const struct location *loc, const struct location *loc2,
		const char *fmt, ...)
{
	struct error_record *erec;
	va_list ap;

	va_start(ap, fmt);
	erec = erec_vcreate(EREC_ERROR, loc ? loc : &internal_location, fmt, ap);
	va_end(ap);
	if (erec) {
		if (loc2)
			erec_add_location(erec, loc2);
		erec_queue(erec, ctx->msgs);
	}
	ctx->nerrs++;
	return -1;
}

/* ------------------------------------------------------------ locations */

/* nft points some errors at a keyword (the "reject" of a statement, the
 * "priority foo" of a chain): derive those locations from the source text. */
static const char *line_start(const struct location *loc, int line)
{
	const struct input_desc *in = loc->indesc;
	const char *p;
	int n = 1;

	if (!in || !in->buf)
		return NULL;
	for (p = in->buf; *p && n < line; p++)
		if (*p == '\n')
			n++;
	return n == line ? p : NULL;
}

struct location loc_first_word(const struct location *loc)
{
	struct location r = *loc;
	const char *p = line_start(loc, loc->first_line);
	int col;

	if (!p)
		return r;
	for (col = loc->first_column; p[col - 1] && p[col - 1] != ' ' && p[col - 1] != '\t' &&
				      p[col - 1] != '\n' && p[col - 1] != ';';
	     col++)
		;
	if (col > loc->first_column) {
		r.last_line = r.first_line;
		r.last_column = col - 1;
	}
	return r;
}

struct location loc_extend_back(const struct location *loc, const char *kw)
{
	struct location r = *loc;
	const char *p = line_start(loc, loc->first_line);
	int kl = strlen(kw), start = loc->first_column - 1 - 1 - kl; /* 0-based */

	if (!p || start < 0)
		return r;
	if (!strncmp(p + start, kw, kl) && p[start + kl] == ' ')
		r.first_column = start + 1;
	return r;
}

struct location loc_find_word(const struct location *loc, const char *word)
{
	struct location r = *loc;
	const char *p = line_start(loc, loc->first_line), *q;
	int line = loc->first_line, col = loc->first_column, wl = strlen(word);

	if (!p)
		return r;
	q = p + col - 1;
	while (*q && (line < loc->last_line || (line == loc->last_line && col <= loc->last_column))) {
		if (!strncmp(q, word, wl) && (q == p || q[-1] == ' ' || q[-1] == '\t') &&
		    (q[wl] == ' ' || q[wl] == ';' || q[wl] == '\n' || q[wl] == '\0')) {
			r.first_line = r.last_line = line;
			r.first_column = col;
			r.last_column = col + wl - 1;
			return r;
		}
		if (*q == '\n') {
			line++;
			col = 1;
			p = q + 1;
		} else {
			col++;
		}
		q++;
	}
	return r;
}

const struct datatype *eval_basetype(const struct datatype *d)
{
	while (d && d->basetype)
		d = d->basetype;
	return d;
}

static bool dtype_has_base(const struct datatype *d, enum datatypes type)
{
	for (; d; d = d->basetype)
		if (d->type == type)
			return true;
	return false;
}

bool eval_is_bitmask(const struct datatype *d)
{
	return d && d->type != TYPE_BITMASK && dtype_has_base(d, TYPE_BITMASK);
}

const char *eval_dtype_desc(const struct datatype *d)
{
	if (!d)
		return "invalid";
	return d->desc ? d->desc : (d->name ? d->name : "invalid");
}

/* ------------------------------------------------------------ byte helpers */

static unsigned int expr_value_len(const struct expr *e)
{
	return e->value.len ? e->value.len : e->len;
}

void eval_value_be(const struct expr *e, uint8_t *out, unsigned int nbytes)
{
	unsigned int vb = value_bytes(expr_value_len(e)), i;

	memset(out, 0, nbytes);
	if (vb > BNFT_VALUE_MAX)
		vb = BNFT_VALUE_MAX;
	for (i = 0; i < vb && i < nbytes; i++) {
		uint8_t b = e->byteorder == BYTEORDER_HOST_ENDIAN ? e->value.data[i]
								 : e->value.data[vb - 1 - i];
		out[nbytes - 1 - i] = b;
	}
}

void eval_value_from_be(struct expr *e, const uint8_t *in, unsigned int nbytes)
{
	unsigned int vb = value_bytes(e->len), i;

	memset(e->value.data, 0, sizeof(e->value.data));
	e->value.len = e->len;
	for (i = 0; i < vb && i < nbytes; i++) {
		uint8_t b = in[nbytes - 1 - i];

		if (e->byteorder == BYTEORDER_HOST_ENDIAN)
			e->value.data[i] = b;
		else
			e->value.data[vb - 1 - i] = b;
	}
}

int eval_be_cmp(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	return memcmp(a, b, n);
}

void eval_be_inc(uint8_t *a, unsigned int n)
{
	while (n--) {
		if (++a[n] != 0)
			break;
	}
}

static bool be_exceeds(const uint8_t *be, unsigned int nbytes, unsigned int bits)
{
	unsigned int i, full = nbytes * 8;

	if (bits >= full)
		return false;
	for (i = 0; i < nbytes; i++) {
		unsigned int bit_hi = full - i * 8; /* bits above this byte start */
		unsigned int lo = bit_hi - 8;

		if (lo >= bits) {
			if (be[i])
				return true;
		} else if (bit_hi > bits) {
			if (be[i] >> (bits - lo))
				return true;
		}
	}
	return false;
}

static void be_to_decimal(const uint8_t *be, unsigned int nbytes, char *buf, size_t size)
{
	struct value v = { 0 };

	if (nbytes > BNFT_VALUE_MAX)
		nbytes = BNFT_VALUE_MAX;
	memcpy(v.data, be, nbytes);
	v.len = nbytes * 8;
	value_to_decimal(&v, BYTEORDER_BIG_ENDIAN, buf, size);
}

static void max_decimal(unsigned int bits, char *buf, size_t size)
{
	uint8_t be[BNFT_VALUE_MAX] = { 0 };
	unsigned int nbytes = value_bytes(bits), i;

	for (i = 0; i < nbytes; i++)
		be[i] = 0xff;
	if (bits % 8)
		be[0] = (1u << (bits % 8)) - 1;
	be_to_decimal(be, nbytes, buf, size);
}

/* ----------------------------------------------------------------- strings */

static bool dtype_is_string(const struct datatype *d)
{
	return dtype_has_base(d, TYPE_STRING) || (d && d->type == TYPE_IFNAME);
}

static int string_adjust(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *ectx)
{
	struct expr *e = *ep, *p;
	unsigned int vb = value_bytes(expr_value_len(e)), slen, tlen;
	char buf[BNFT_VALUE_MAX + 1];

	if (vb > BNFT_VALUE_MAX)
		vb = BNFT_VALUE_MAX;
	memcpy(buf, e->value.data, vb);
	buf[vb] = '\0';
	slen = strnlen(buf, vb);
	tlen = ectx->len ? ectx->len : (ectx->dtype && ectx->dtype->size ? ectx->dtype->size : 0);
	if (slen == 0)
		return eval_error(ctx, &e->location, "Empty string is not allowed");
	/* like nft, the terminating NUL counts: an ifname holds 15 characters */
	if (tlen && (slen + 1) * 8 > tlen)
		return eval_error(ctx, &e->location, "String exceeds maximum length of %u", tlen / 8);
	if (!tlen)
		tlen = slen * 8;

	e->dtype = ectx->dtype;
	e->byteorder = BYTEORDER_HOST_ENDIAN;
	/* "eth*": a prefix match on the bytes before the star; "\*" is a star */
	if (slen > 0 && buf[slen - 1] == '*' && !(slen > 1 && buf[slen - 2] == '\\') && tlen) {
		memset(e->value.data, 0, sizeof(e->value.data));
		memcpy(e->value.data, buf, slen - 1);
		e->len = tlen;
		e->value.len = tlen;
		if (slen == 1) {
			/* "*" alone matches everything but is still a prefix 0 */
		}
		p = expr_alloc(&e->location, EXPR_PREFIX);
		if (!p)
			return eval_error(ctx, &e->location, "out of memory");
		p->prefix.prefix = e;
		p->prefix.prefix_len = (slen - 1) * 8;
		p->dtype = ectx->dtype;
		p->byteorder = BYTEORDER_HOST_ENDIAN;
		p->len = tlen;
		p->flags |= EXPR_F_CONSTANT;
		*ep = p;
		return 0;
	}
	if (slen > 1 && buf[slen - 1] == '*' && buf[slen - 2] == '\\') {
		buf[slen - 2] = '*';
		buf[slen - 1] = '\0';
		slen--;
	}
	memset(e->value.data, 0, sizeof(e->value.data));
	memcpy(e->value.data, buf, slen);
	e->len = tlen;
	e->value.len = tlen;
	e->flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
	return 0;
}

/* ----------------------------------------------------------------- numbers */

/* Fit a constant to the expected width and byte order. */
int value_adjust(struct eval_ctx *ctx, struct expr *e, const struct expr_ctx *ectx)
{
	uint8_t be[BNFT_VALUE_MAX];
	unsigned int len, vlen = expr_value_len(e), nb;
	char vbuf[160], mbuf[160];

	if (e->etype != EXPR_VALUE)
		return 0;
	len = ectx->len;
	if (!len && ectx->dtype)
		len = ectx->dtype->size;
	if (!len)
		len = vlen;
	if (len > BNFT_VALUE_MAX * 8)
		return eval_error(ctx, &e->location, "value too long");
	/* already what the context asks for (an address its type's parser
	 * made): the conversion below would give it back unchanged (1M set
	 * elements: 227M instructions) */
	if (len == vlen && e->len == len && e->value.len == len && !(len % 8) && !ectx->maxval &&
	    ectx->dtype && e->dtype == ectx->dtype && e->byteorder == BYTEORDER_BIG_ENDIAN &&
	    (ectx->byteorder == BYTEORDER_BIG_ENDIAN ||
	     (ectx->byteorder == BYTEORDER_INVALID &&
	      e->dtype->byteorder == BYTEORDER_BIG_ENDIAN))) {
		e->flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
		return 0;
	}

	nb = value_bytes(vlen > len ? vlen : len);
	if (nb > BNFT_VALUE_MAX)
		nb = BNFT_VALUE_MAX;
	eval_value_be(e, be, nb);
	if (ectx->maxval) {
		uint64_t v = 0;
		unsigned int i;
		bool big = false;

		for (i = 0; i < nb; i++) {
			if (i + 8 < nb && be[i])
				big = true;
			v = (v << 8) | be[i];
		}
		if (big || v > ectx->maxval) {
			be_to_decimal(be, nb, vbuf, sizeof(vbuf));
			return eval_error(ctx, &e->location, "Value %s exceeds valid range 0-%llu",
					  vbuf, (unsigned long long)ectx->maxval);
		}
	}
	if (be_exceeds(be, nb, len)) {
		be_to_decimal(be, nb, vbuf, sizeof(vbuf));
		max_decimal(len, mbuf, sizeof(mbuf));
		return eval_error(ctx, &e->location, "Value %s exceeds valid range 0-%s", vbuf, mbuf);
	}
	if (ectx->dtype)
		e->dtype = ectx->dtype;
	e->len = len;
	if (ectx->byteorder != BYTEORDER_INVALID)
		e->byteorder = ectx->byteorder;
	else if (e->dtype && e->dtype->byteorder != BYTEORDER_INVALID)
		e->byteorder = e->dtype->byteorder;
	else if (e->byteorder == BYTEORDER_INVALID)
		e->byteorder = BYTEORDER_HOST_ENDIAN;
	eval_value_from_be(e, be + nb - value_bytes(len), value_bytes(len));
	e->flags |= EXPR_F_CONSTANT | EXPR_F_SINGLETON;
	return 0;
}

/* -------------------------------------------------------------- variables */

struct expr *eval_variable_lookup(struct eval_ctx *ctx, struct expr *var)
{
	const struct scope *sc;
	struct symbol *sym;

	for (sc = var->sym.scope; sc; sc = sc->parent)
		list_for_each_entry(sym, &sc->symbols, list)
			if (!strcmp(sym->identifier, var->sym.identifier)) {
				struct expr *c = expr_clone(sym->expr);

				if (!c)
					eval_error(ctx, &var->location, "out of memory");
				return c;
			}
	eval_error(ctx, &var->location, "unknown identifier '%s'", var->sym.identifier);
	return NULL;
}

/* ---------------------------------------------------------------- symbols */

int symbol_resolve(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *ectx)
{
	struct expr *sym = *ep, *res = NULL;
	const struct datatype *d = ectx->dtype, *top = ectx->dtype;
	struct error_record *erec = NULL;

	if (!d)
		return eval_error(ctx, &sym->location, "Symbol expression '%s' has no type context",
				  sym->sym.identifier);
	(void)d;
	sym->dtype = top;
	if (datatype_parse(top, sym, &res, &erec) < 0 || !res) {
		if (erec) {
			erec_queue(erec, ctx->msgs);
			ctx->nerrs++;
			return -1;
		}
		return eval_error(ctx, &sym->location, "Could not parse %s", eval_dtype_desc(top));
	}
	if (erec)
		erec_destroy(erec);

	res->location = sym->location;
	if (res->etype == EXPR_VALUE && sym->etype == EXPR_SYMBOL) {
		/* the value takes the symbol's slot, in place: that one is in
		 * the cache (just read) and next to the rule's other nodes;
		 * res's slot, fresh from the pool, goes back to it warm for
		 * the next symbol (a value owns nothing: a flat copy) */
		struct list_head link = sym->list;

		if (sym->sym.identifier != sym->sym.text)
			free(sym->sym.identifier);
		*sym = *res;
		sym->list = link;
		init_list_head(&res->list);
		expr_free(res);
		res = sym;
	} else {
		expr_free(sym);
	}
	*ep = res;

	switch (res->etype) {
	case EXPR_VALUE:
		if (dtype_is_string(top) || (res->dtype && dtype_is_string(res->dtype) &&
					     !dtype_has_base(top, TYPE_INTEGER)))
			return string_adjust(ctx, ep, ectx);
		return value_adjust(ctx, res, ectx);
	default:
		/* prefixes/ranges/lists built by the type's parser: evaluate
		 * them like written ones */
		return expr_evaluate_ctx(ctx, ep, top, ectx->len, ectx->byteorder);
	}
}

/* A constant that was written as a number/string literal (EXPR_VALUE from
 * the grammar) rather than a symbol. */
int value_fit(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *ectx)
{
	struct expr *e = *ep;

	if (ectx->dtype && dtype_is_string(ectx->dtype) && e->dtype &&
	    dtype_is_string(e->dtype))
		return string_adjust(ctx, ep, ectx);
	return value_adjust(ctx, e, ectx);
}
