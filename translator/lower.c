// SPDX-License-Identifier: GPL-2.0
/*
 * Lowering driver: tables, chains, sets with their elements (interval end
 * markers like nft's segtree), stateful objects, flowtables and rules of an
 * evaluated ruleset become libnftnl objects in a struct bnft_ir.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>

#include "parser/datatype.h"
#include "parser/value.h"
#include "translator/ir_elems.h"
#include "translator/ir_rules.h"
#include "translator/lower_int.h"

/* ------------------------------------------------------------------ */
/* Sets                                                                */

const char *lower_set_name(const struct expr *ref)
{
	if (ref->etype == EXPR_SET_REF) {
		if (ref->set_ref.set && ref->set_ref.set->handle.set)
			return ref->set_ref.set->handle.set;
		return ref->set_ref.name ? ref->set_ref.name : "";
	}
	if (ref->etype == EXPR_SET && EXPR_COMPOUND(ref).set && EXPR_COMPOUND(ref).set->handle.set)
		return EXPR_COMPOUND(ref).set->handle.set;
	return "";
}

static uint32_t key_type_of(const struct expr *key)
{
	const struct expr *i;
	uint32_t t = 0;

	if (!key)
		return 0;
	if (key->etype == EXPR_CONCAT) {
		list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list)
			t = (t << TYPE_BITS) | (i->dtype ? i->dtype->type : 0);
		return t;
	}
	return key->dtype ? key->dtype->type : 0;
}

static uint32_t key_len_of(const struct expr *key)
{
	const struct expr *i;
	uint32_t n = 0;

	if (!key)
		return 0;
	if (key->etype == EXPR_CONCAT) {
		list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list)
			n += ((i->len + 7) / 8 + 3) & ~3u;
		return n;
	}
	return (key->len + 7) / 8;
}

static void set_concat_desc(struct nftnl_set *ns, const struct expr *key)
{
	uint8_t field_len[NFT_REG32_COUNT];
	const struct expr *i;
	unsigned int n = 0;

	if (!key || key->etype != EXPR_CONCAT)
		return;
	list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list) {
		if (n >= NFT_REG32_COUNT)
			break;
		field_len[n++] = (i->len + 7) / 8;
	}
	nftnl_set_set_data(ns, NFTNL_SET_DESC_CONCAT, field_len, n);
}

/* An element being lowered: its view and the bytes that point into. */
struct lelem {
	struct bnft_elem e;
	uint8_t data[BNFT_VALUE_MAX * 2];
	char name[256]; /* verdict chain or object name */
};

static int elem_verdict(struct lower_ctx *ctx, struct lelem *le, const struct expr *v)
{
	const struct expr *c = v->verdict.chain;

	le->e.has_verdict = true;
	le->e.verdict = v->verdict.code;
	if (c) {
		char *buf = le->name;
		unsigned int n;

		if (c->etype == EXPR_SYMBOL && c->sym.identifier) {
			snprintf(buf, sizeof(le->name), "%s", c->sym.identifier);
		} else if (c->etype == EXPR_VALUE) {
			n = value_bytes(c->len ? c->len : c->value.len);
			if (n > sizeof(c->value.data))
				n = sizeof(c->value.data);
			if (n >= sizeof(le->name))
				n = sizeof(le->name) - 1;
			memcpy(buf, c->value.data, n);
			buf[n] = '\0';
		} else {
			return lower_error(ctx, &v->location, "cannot lower verdict chain");
		}
		le->e.chain = buf;
	}
	return 0;
}

static bool is_interval_value(const struct expr *e)
{
	const struct expr *i;

	if (e->etype == EXPR_RANGE || e->etype == EXPR_PREFIX)
		return true;
	if (e->etype == EXPR_CONCAT)
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			if (i->etype == EXPR_RANGE || i->etype == EXPR_PREFIX)
				return true;
	return false;
}

bool lower_map_data_interval(const struct expr *setexpr)
{
	const struct expr *i;

	if (!setexpr || setexpr->etype != EXPR_SET)
		return false;
	list_for_each_entry(i, &EXPR_COMPOUND(setexpr).expressions, list)
		if (i->etype == EXPR_MAPPING && is_interval_value(i->mapping.right))
			return true;
	return false;
}

static int elem_data(struct lower_ctx *ctx, const struct set *s, struct lelem *le,
		     const struct expr *d, bool dinterval)
{
	bool objmap = ctx->anon_objtype || (s && ((s->flags & NFT_SET_OBJECT) || s->objtype));

	uint8_t *buf = le->data;
	unsigned int n, m;

	if (d->etype == EXPR_VERDICT)
		return elem_verdict(ctx, le, d);
	if (objmap) {
		char *name = le->name;

		if (d->etype == EXPR_SYMBOL && d->sym.identifier) {
			snprintf(name, sizeof(le->name), "%s", d->sym.identifier);
		} else if (d->etype == EXPR_VALUE) {
			n = value_bytes(d->len ? d->len : d->value.len);
			if (n > sizeof(d->value.data))
				n = sizeof(d->value.data);
			if (n >= sizeof(le->name))
				n = sizeof(le->name) - 1;
			memcpy(name, d->value.data, n);
			name[n] = '\0';
		} else {
			return lower_error(ctx, &d->location, "cannot lower object map element");
		}
		le->e.objref = name;
		return 0;
	}
	if (dinterval) {
		/* interval data (nat maps): all minimums, then all maximums */
		n = lower_data_bytes(d, buf, BNFT_VALUE_MAX, false);
		n = (n + 3) & ~3u;
		m = lower_data_bytes(d, buf + n, BNFT_VALUE_MAX, true);
		if (!m)
			return lower_error(ctx, &d->location, "cannot lower interval map data");
		le->e.data = buf;
		le->e.data_len = n + m;
		return 0;
	}
	n = lower_data_bytes(d, buf, sizeof(le->data), false);
	if (!n)
		return lower_error(ctx, &d->location, "cannot lower map data %s",
				   expr_type_name(d->etype));
	le->e.data = buf;
	le->e.data_len = n;
	return 0;
}

/* nft's element userdata TLVs: comment (type 0, NUL terminated text) and
 * flags (type 1, u32; NFTNL_SET_ELEM_F_INTERVAL_OPEN for an interval
 * reaching the maximum, which has no end element). */
static void elem_udata(struct nftnl_set_elem *ne, const char *comment, bool open)
{
	uint8_t buf[268];
	size_t n = 0;

	if (comment) {
		size_t l = strlen(comment) + 1;

		if (l > 255)
			l = 255;
		buf[n++] = 0;
		buf[n++] = (uint8_t)l;
		memcpy(buf + n, comment, l);
		buf[n + l - 1] = '\0';
		n += l;
	}
	if (open) {
		uint32_t f = 1;

		buf[n++] = 1;
		buf[n++] = sizeof(f);
		memcpy(buf + n, &f, sizeof(f));
		n += sizeof(f);
	}
	if (n)
		nftnl_set_elem_set(ne, NFTNL_SET_ELEM_USERDATA, buf, (uint32_t)n);
}

/* Per-element statements (counter, quota, limit ... in elements = { }). */
static int elem_stmts(struct lower_ctx *ctx, struct nftnl_set_elem *ne, const struct expr *el)
{
	const struct stmt *st;

	if (!el || el->etype != EXPR_SET_ELEM || !el->elem.stmts.next)
		return 0;
	list_for_each_entry(st, &el->elem.stmts, list) {
		struct nftnl_expr *e = lower_stateful_expr(ctx, st);

		if (!e)
			return lower_error(ctx, &st->location, "cannot lower %s in a set element",
					   stmt_type_name(st->type));
		nftnl_set_elem_add_expr(ne, e);
	}
	return 0;
}

static void elem_attrs(struct nftnl_set_elem *ne, const struct expr *el)
{
	if (!el || el->etype != EXPR_SET_ELEM)
		return;
	if (el->elem.timeout)
		nftnl_set_elem_set_u64(ne, NFTNL_SET_ELEM_TIMEOUT, el->elem.timeout);
	if (el->elem.expiration)
		nftnl_set_elem_set_u64(ne, NFTNL_SET_ELEM_EXPIRATION, el->elem.expiration);
	if (el->elem.comment && !nftnl_set_elem_is_set(ne, NFTNL_SET_ELEM_USERDATA))
		elem_udata(ne, el->elem.comment, false);
}

static void bytes_reverse(uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n / 2; i++) {
		uint8_t t = b[i];

		b[i] = b[n - 1 - i];
		b[n - 1 - i] = t;
	}
}

bool lower_key_needs_hton(const struct expr *key, uint32_t set_flags)
{
	return key && (set_flags & NFT_SET_INTERVAL) && lower_is_host_number(key);
}

static bool be_inc(uint8_t *b, unsigned int n)
{
	int i;

	for (i = (int)n - 1; i >= 0; i--) {
		if (++b[i] != 0)
			return true;
	}
	return false; /* wrapped: no end element */
}

static bool bytes_zero(const uint8_t *b, unsigned int n)
{
	while (n--)
		if (*b++)
			return false;
	return true;
}

/* Element timeouts, expiration, comment or statements: libnftnl keeps
 * those (the store keeps plain elements only). */
static bool elem_rare(const struct expr *el)
{
	return el && el->etype == EXPR_SET_ELEM &&
	       (el->elem.timeout || el->elem.expiration || el->elem.comment ||
		(el->elem.stmts.next && !list_empty(&el->elem.stmts)));
}

static int store_add(struct lower_ctx *ctx, struct bnft_elems *st, const struct bnft_elem *e,
		     const struct location *loc)
{
	if (bnft_elems_add(st, e) < 0)
		return lower_error(ctx, loc, "out of memory");
	return 0;
}

static int add_elem(struct lower_ctx *ctx, struct bnft_elems *st, const uint8_t *key,
		    unsigned int klen, uint32_t flags, const struct location *loc)
{
	struct bnft_elem e = { .key = key, .key_len = klen, .flags = flags };

	return store_add(ctx, st, &e, loc);
}

/* Adds le (key, key end, flags filled) with el's data, attributes and
 * statements; open: an interval reaching the maximum. */
static int put_elem(struct lower_ctx *ctx, const struct set *s, struct bnft_elems *st,
		    struct lelem *le, const struct expr *el, const struct expr *data,
		    bool dinterval, bool open)
{
	struct bnft_elem x = { 0 };
	struct nftnl_set_elem *ne;

	if (!open && !elem_rare(el)) {
		if (data && elem_data(ctx, s, le, data, dinterval) < 0)
			return -1;
		return store_add(ctx, st, &le->e, &el->location);
	}
	ne = nftnl_set_elem_alloc();
	if (!ne)
		return lower_error(ctx, &el->location, "out of memory");
	if (open)
		elem_udata(ne, el->etype == EXPR_SET_ELEM ? el->elem.comment : NULL, true);
	elem_attrs(ne, el);
	if (elem_stmts(ctx, ne, el) < 0 ||
	    (data && elem_data(ctx, s, le, data, dinterval) < 0)) {
		nftnl_set_elem_free(ne);
		return -1;
	}
	bnft_elem_set_nftnl(ne, &le->e);
	x.nl = ne;
	return store_add(ctx, st, &x, &el->location);
}

/* Elements of an EXPR_SET into ns. Interval sets get nft's encoding:
 * [start, end+1) pairs, end elements flagged NFT_SET_ELEM_INTERVAL_END and
 * a leading end marker at 0 when the first interval starts above 0;
 * concatenated intervals use KEY/KEY_END instead. */
/* Host order members of a concatenated interval key are stored big endian. */
static void swap_concat_members(const struct expr *key, uint8_t *b, unsigned int len)
{
	const struct expr *i;
	unsigned int off = 0;

	if (!key || key->etype != EXPR_CONCAT)
		return;
	list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list) {
		unsigned int n = (i->len + 7) / 8;

		if (off + n > len)
			return;
		if (lower_is_host_number(i))
			bytes_reverse(b + off, n);
		off += (n + 3) & ~3u;
	}
}

static int lower_elems(struct lower_ctx *ctx, const struct set *s, struct nftnl_set *ns,
		       const struct expr *setexpr, uint32_t flags, uint32_t klen,
		       unsigned int shift, bool swap, const struct expr *key_expr,
		       unsigned int *count)
{
	bool interval = flags & NFT_SET_INTERVAL, concat = flags & NFT_SET_CONCAT;
	uint8_t lo[BNFT_VALUE_MAX], hi[BNFT_VALUE_MAX], prev_end[BNFT_VALUE_MAX];
	bool have_prev = false, first = true;
	int dinterval = -1; /* looked up at the first element with data */
	const struct expr *i;
	struct bnft_elems *st;
	struct lelem le;

	if (!setexpr)
		return 0;
	st = bnft_ir_elems_get(ctx->ir, ns);
	if (!st)
		return lower_error(ctx, &setexpr->location, "out of memory");
	list_for_each_entry(i, &EXPR_COMPOUND(setexpr).expressions, list) {
		const struct expr *el = i, *data = NULL, *key;
		struct nftnl_set_elem *ne;
		unsigned int n, m;
		bool open = false;

		memset(&le.e, 0, sizeof(le.e));
		if (i->etype == EXPR_MAPPING) {
			el = i->mapping.left;
			data = i->mapping.right;
			/* a walk of all elements: not for sets (1M elements:
			 * ~15 ms of cache misses) nor verdict maps (verdicts
			 * are no interval data) */
			if (dinterval < 0 && data->etype != EXPR_VERDICT)
				dinterval = lower_map_data_interval(setexpr);
		}
		if (count)
			(*count)++;
		if (el->etype == EXPR_SET_ELEM_CATCHALL ||
		    (el->etype == EXPR_SET_ELEM && el->elem.key &&
		     el->elem.key->etype == EXPR_SET_ELEM_CATCHALL)) {
			struct bnft_elem x = { 0 };

			le.e.flags = NFT_SET_ELEM_CATCHALL;
			if (data && elem_data(ctx, s, &le, data, dinterval) < 0)
				return -1;
			ne = bnft_elem_to_nftnl(&le.e);
			if (!ne)
				return lower_error(ctx, &el->location, "out of memory");
			elem_attrs(ne, el);
			if (elem_stmts(ctx, ne, el) < 0) {
				nftnl_set_elem_free(ne);
				return -1;
			}
			x.nl = ne;
			if (store_add(ctx, st, &x, &el->location) < 0)
				return -1;
			continue;
		}
		key = el->etype == EXPR_SET_ELEM ? el->elem.key : el;
		n = lower_data_bytes(key, lo, sizeof(lo), false);
		/* the end of the range only where intervals use it */
		m = interval ? lower_data_bytes(key, hi, sizeof(hi), true) : n;
		if (!n || !m)
			return lower_error(ctx, &key->location, "cannot lower set element %s",
					   expr_type_name(key->etype));
		if (n < klen && !concat) {
			/* right align narrow constants in the key */
			memmove(lo + (klen - n), lo, n);
			memset(lo, 0, klen - n);
			if (interval) {
				memmove(hi + (klen - m), hi, m);
				memset(hi, 0, klen - m);
			}
			n = m = klen;
		}
		if (shift) {
			lower_shift_left(lo, n, shift);
			if (interval)
				lower_shift_left(hi, m, shift);
		}
		if (swap) {
			/* host order key of an interval set: stored big endian */
			bytes_reverse(lo, n);
			if (interval)
				bytes_reverse(hi, m);
		}
		le.e.key = lo;
		le.e.key_len = n;
		if (interval && !concat) {
			if (first && !bytes_zero(lo, n)) {
				uint8_t zero[BNFT_VALUE_MAX] = { 0 };

				if (add_elem(ctx, st, zero, n, NFT_SET_ELEM_INTERVAL_END,
					     &el->location))
					return -1;
			}
			/* adjacent intervals: nft sends the end element too
			 * (same key, told apart by the end flag) for named sets,
			 * not for anonymous ones */
			if (have_prev && (!(flags & NFT_SET_ANONYMOUS) || memcmp(prev_end, lo, n))) {
				if (add_elem(ctx, st, prev_end, n, NFT_SET_ELEM_INTERVAL_END,
					     &el->location))
					return -1;
			}
			memcpy(prev_end, hi, m);
			have_prev = be_inc(prev_end, m);
			open = !have_prev;
		} else if (interval && concat) {
			swap_concat_members(key_expr, lo, n);
			swap_concat_members(key_expr, hi, m);
			le.e.key_end = hi;
			le.e.key_end_len = m;
		}
		first = false;
		if (put_elem(ctx, s, st, &le, el, data, dinterval > 0, open) < 0)
			return -1;
	}
	if (interval && !concat && have_prev)
		if (add_elem(ctx, st, prev_end, klen, NFT_SET_ELEM_INTERVAL_END,
			     &setexpr->location))
			return -1;
	return 0;
}

static struct nftnl_set *set_new(struct lower_ctx *ctx, const char *name, uint32_t flags)
{
	struct nftnl_set *ns = nftnl_set_alloc();

	if (!ns)
		return NULL;
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, ctx->table->handle.table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, ctx->family);
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(ns, NFTNL_SET_ID, ++ctx->set_id);
	return ns;
}

static void set_data_info(struct nftnl_set *ns, const struct set *s, const struct expr *elems)
{
	uint32_t len;

	if (!s || !(s->flags & NFT_SET_MAP) || !s->data || (nftnl_set_get_u32(ns, NFTNL_SET_FLAGS) &
							      NFT_SET_OBJECT))
		return;
	if (s->data->dtype && s->data->dtype->type == TYPE_VERDICT) {
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_LEN, 0);
	} else {
		len = key_len_of(s->data);
		/* interval data (nat maps to ranges) holds minimum and maximum */
		if (lower_map_data_interval(elems))
			len = ((len + 3) & ~3u) * 2;
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_TYPE, key_type_of(s->data));
		nftnl_set_set_u32(ns, NFTNL_SET_DATA_LEN, len);
	}
}

/* The anonymous set of a rule's { ... }: built once per rule use, with
 * the sub-byte shift of the key applied to its elements. */
struct nftnl_set *lower_anon_set(struct lower_ctx *ctx, const struct expr *setexpr,
				 const struct expr *key, unsigned int *shift)
{
	const struct set *s = EXPR_COMPOUND(setexpr).set;
	char name[64];
	uint32_t flags, klen, nb = 0, sh = *shift;
	struct nftnl_set *ns;
	unsigned int count = 0;

	if (s && s->handle.set) {
		snprintf(name, sizeof(name), "%s", s->handle.set);
		flags = s->flags;
	} else {
		flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | EXPR_COMPOUND(setexpr).set_flags;
		if (setexpr->flags & EXPR_F_INTERVAL)
			flags |= NFT_SET_INTERVAL;
		snprintf(name, sizeof(name), "__set%u", ctx->set_id);
	}
	flags |= NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	/* the kernel's concat flag marks concatenated interval sets only */
	if (!(flags & NFT_SET_INTERVAL))
		flags &= ~NFT_SET_CONCAT;
	if ((s && s->objtype) || ctx->anon_objtype)
		flags = (flags & ~NFT_SET_MAP) | NFT_SET_OBJECT;
	if (key->etype == EXPR_CONCAT)
		flags |= (flags & NFT_SET_INTERVAL) ? NFT_SET_CONCAT : 0;
	ns = set_new(ctx, name, flags);
	if (!ns) {
		lower_error(ctx, &setexpr->location, "out of memory");
		return NULL;
	}
	klen = key_len_of(key);
	if (sh && lower_payload_shift(key, &sh, &nb))
		klen = nb;
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, key_type_of(key));
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, klen);
	if (flags & NFT_SET_INTERVAL)
		set_concat_desc(ns, key);
	set_data_info(ns, s, setexpr);
	if (s && s->objtype)
		nftnl_set_set_u32(ns, NFTNL_SET_OBJ_TYPE, s->objtype);
	else if (ctx->anon_objtype)
		nftnl_set_set_u32(ns, NFTNL_SET_OBJ_TYPE, ctx->anon_objtype);
	/* counted while the elements are lowered: one walk of them */
	if (lower_elems(ctx, s, ns, setexpr, flags, klen, *shift,
			lower_key_needs_hton(key, flags), key, &count) < 0) {
		bnft_ir_elems_drop(ctx->ir, ns);
		nftnl_set_free(ns);
		return NULL;
	}
	nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, count);
	nftnl_set_list_add_tail(ns, ctx->ir->sets);
	return ns;
}

struct nftnl_set *lower_anon_set_bytes(struct lower_ctx *ctx, uint32_t key_type, uint32_t klen,
				       const uint8_t *vals, unsigned int n)
{
	char name[64];
	struct nftnl_set *ns;
	struct bnft_elems *st;
	unsigned int i;

	snprintf(name, sizeof(name), "__dep%u", ctx->set_id);
	ns = set_new(ctx, name, NFT_SET_ANONYMOUS | NFT_SET_CONSTANT);
	if (!ns)
		return NULL;
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, key_type);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, klen);
	nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, n);
	st = n ? bnft_ir_elems_get(ctx->ir, ns) : NULL;
	for (i = 0; i < n; i++) {
		struct bnft_elem e = { .key = vals + i * klen, .key_len = klen };

		if (!st || bnft_elems_add(st, &e) < 0) {
			bnft_ir_elems_drop(ctx->ir, ns);
			nftnl_set_free(ns);
			return NULL;
		}
	}
	nftnl_set_list_add_tail(ns, ctx->ir->sets);
	return ns;
}

static int lower_named_set(struct lower_ctx *ctx, const struct set *s)
{
	struct nftnl_set *ns;
	uint32_t klen;

	uint32_t flags = s->flags;

	if (s->flags & NFT_SET_ANONYMOUS)
		return 0; /* built with the rule that uses it */
	if (!(flags & NFT_SET_INTERVAL))
		flags &= ~NFT_SET_CONCAT;
	if (s->objtype)
		flags = (flags & ~NFT_SET_MAP) | NFT_SET_OBJECT;
	if (s->stmts.next && !list_empty(&s->stmts))
		flags |= NFT_SET_EXPR;
	ns = set_new(ctx, s->handle.set, flags);
	if (!ns)
		return lower_error(ctx, &s->location, "out of memory");
	if (s->handle.handle.id)
		nftnl_set_set_u64(ns, NFTNL_SET_HANDLE, s->handle.handle.id);
	klen = key_len_of(s->key);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, key_type_of(s->key));
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, klen);
	if (s->flags & NFT_SET_INTERVAL)
		set_concat_desc(ns, s->key);
	set_data_info(ns, s, s->init);
	if (s->objtype)
		nftnl_set_set_u32(ns, NFTNL_SET_OBJ_TYPE, s->objtype);
	if (s->timeout)
		nftnl_set_set_u64(ns, NFTNL_SET_TIMEOUT, s->timeout);
	if (s->gc_int)
		nftnl_set_set_u32(ns, NFTNL_SET_GC_INTERVAL, s->gc_int);
	if (s->size)
		nftnl_set_set_u32(ns, NFTNL_SET_DESC_SIZE, s->size);
	if (s->policy_set)
		nftnl_set_set_u32(ns, NFTNL_SET_POLICY, s->policy);
	if (s->stmts.next) {
		/* statements every element gets (set s { counter; }) */
		const struct stmt *st;

		list_for_each_entry(st, &s->stmts, list) {
			struct nftnl_expr *e = lower_stateful_expr(ctx, st);

			if (!e) {
				nftnl_set_free(ns);
				return lower_error(ctx, &st->location, "cannot lower %s in a set",
						   stmt_type_name(st->type));
			}
			nftnl_set_add_expr(ns, e);
		}
	}
	if (s->init && lower_elems(ctx, s, ns, s->init, flags, klen, 0,
				   lower_key_needs_hton(s->key, flags), s->key, NULL) < 0) {
		bnft_ir_elems_drop(ctx->ir, ns);
		nftnl_set_free(ns);
		return -1;
	}
	nftnl_set_list_add_tail(ns, ctx->ir->sets);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Tables, chains, objects, flowtables, rules                          */

static int lower_table_obj(struct lower_ctx *ctx, const struct table *t)
{
	struct nftnl_table *nt = nftnl_table_alloc();

	if (!nt)
		return lower_error(ctx, &t->location, "out of memory");
	nftnl_table_set_str(nt, NFTNL_TABLE_NAME, t->handle.table);
	nftnl_table_set_u32(nt, NFTNL_TABLE_FAMILY, t->handle.family);
	nftnl_table_set_u32(nt, NFTNL_TABLE_FLAGS, t->flags);
	if (t->handle.handle.id)
		nftnl_table_set_u64(nt, NFTNL_TABLE_HANDLE, t->handle.handle.id);
	nftnl_table_list_add_tail(nt, ctx->ir->tables);
	return 0;
}

static int lower_chain_obj(struct lower_ctx *ctx, const struct chain *c)
{
	struct nftnl_chain *nc = nftnl_chain_alloc();

	if (!nc)
		return lower_error(ctx, &c->location, "out of memory");
	nftnl_chain_set_str(nc, NFTNL_CHAIN_TABLE, ctx->table->handle.table);
	nftnl_chain_set_str(nc, NFTNL_CHAIN_NAME, c->handle.chain);
	nftnl_chain_set_u32(nc, NFTNL_CHAIN_FAMILY, ctx->family);
	if (c->handle.handle.id)
		nftnl_chain_set_u64(nc, NFTNL_CHAIN_HANDLE, c->handle.handle.id);
	if (c->flags & CHAIN_F_BASECHAIN) {
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_HOOKNUM, c->hooknum);
		nftnl_chain_set_s32(nc, NFTNL_CHAIN_PRIO, c->prio);
		nftnl_chain_set_str(nc, NFTNL_CHAIN_TYPE, c->type ? c->type : "filter");
		if (c->policy_verdict >= 0)
			nftnl_chain_set_u32(nc, NFTNL_CHAIN_POLICY, (uint32_t)c->policy_verdict);
		if (c->dev_count == 1 && !c->is_devices_list) {
			nftnl_chain_set_str(nc, NFTNL_CHAIN_DEV, c->devices[0]);
		} else if (c->dev_count) {
			const char **devs = calloc(c->dev_count + 1, sizeof(*devs));
			unsigned int i;

			if (!devs) {
				nftnl_chain_free(nc);
				return lower_error(ctx, &c->location, "out of memory");
			}
			for (i = 0; i < c->dev_count; i++)
				devs[i] = c->devices[i];
			nftnl_chain_set_data(nc, NFTNL_CHAIN_DEVICES, devs, 0);
			free(devs);
		}
	}
	if (c->flags & ~CHAIN_F_BASECHAIN)
		nftnl_chain_set_u32(nc, NFTNL_CHAIN_FLAGS,
				    ((c->flags & CHAIN_F_BASECHAIN) ? NFT_CHAIN_BASE : 0) |
					    ((c->flags & CHAIN_F_HW_OFFLOAD) ? NFT_CHAIN_HW_OFFLOAD
									     : 0) |
					    ((c->flags & CHAIN_F_BINDING) ? NFT_CHAIN_BINDING : 0));
	nftnl_chain_list_add_tail(nc, ctx->ir->chains);
	ctx->nchains++;
	if (ctx->ir->lowered && bnft_ir_rules_chain(ctx->ir->lowered, nc) < 0)
		bnft_ir_rules_free(&ctx->ir->lowered); /* the compiler walks the rules */
	return 0;
}

static int lower_obj(struct lower_ctx *ctx, const struct obj *o)
{
	struct nftnl_obj *no = nftnl_obj_alloc();

	if (!no)
		return lower_error(ctx, &o->location, "out of memory");
	nftnl_obj_set_str(no, NFTNL_OBJ_TABLE, ctx->table->handle.table);
	nftnl_obj_set_str(no, NFTNL_OBJ_NAME, o->handle.set);
	nftnl_obj_set_u32(no, NFTNL_OBJ_FAMILY, ctx->family);
	nftnl_obj_set_u32(no, NFTNL_OBJ_TYPE, o->type);
	if (o->handle.handle.id)
		nftnl_obj_set_u64(no, NFTNL_OBJ_HANDLE, o->handle.handle.id);
	switch (o->type) {
	case NFT_OBJECT_COUNTER:
		nftnl_obj_set_u64(no, NFTNL_OBJ_CTR_PKTS, o->counter.packets);
		nftnl_obj_set_u64(no, NFTNL_OBJ_CTR_BYTES, o->counter.bytes);
		break;
	case NFT_OBJECT_QUOTA:
		nftnl_obj_set_u64(no, NFTNL_OBJ_QUOTA_BYTES, o->quota.bytes);
		nftnl_obj_set_u64(no, NFTNL_OBJ_QUOTA_CONSUMED, o->quota.used);
		nftnl_obj_set_u32(no, NFTNL_OBJ_QUOTA_FLAGS, o->quota.flags);
		break;
	case NFT_OBJECT_LIMIT:
		nftnl_obj_set_u64(no, NFTNL_OBJ_LIMIT_RATE, o->limit.rate);
		nftnl_obj_set_u64(no, NFTNL_OBJ_LIMIT_UNIT, o->limit.unit);
		nftnl_obj_set_u32(no, NFTNL_OBJ_LIMIT_BURST, o->limit.burst);
		nftnl_obj_set_u32(no, NFTNL_OBJ_LIMIT_TYPE, o->limit.type);
		nftnl_obj_set_u32(no, NFTNL_OBJ_LIMIT_FLAGS, o->limit.flags);
		break;
	case NFT_OBJECT_CT_HELPER:
		/* nft defaults the layer 3 protocol to the table's family */
		nftnl_obj_set_str(no, NFTNL_OBJ_CT_HELPER_NAME, o->ct_helper.name);
		nftnl_obj_set_u16(no, NFTNL_OBJ_CT_HELPER_L3PROTO,
				  o->ct_helper.l3proto ? o->ct_helper.l3proto : ctx->family);
		nftnl_obj_set_u8(no, NFTNL_OBJ_CT_HELPER_L4PROTO, o->ct_helper.l4proto);
		break;
	case NFT_OBJECT_CT_EXPECT:
		nftnl_obj_set_u16(no, NFTNL_OBJ_CT_EXPECT_L3PROTO,
				  o->ct_expect.l3proto ? o->ct_expect.l3proto : ctx->family);
		nftnl_obj_set_u8(no, NFTNL_OBJ_CT_EXPECT_L4PROTO, o->ct_expect.l4proto);
		nftnl_obj_set_u16(no, NFTNL_OBJ_CT_EXPECT_DPORT, o->ct_expect.dport);
		nftnl_obj_set_u32(no, NFTNL_OBJ_CT_EXPECT_TIMEOUT, o->ct_expect.timeout);
		nftnl_obj_set_u8(no, NFTNL_OBJ_CT_EXPECT_SIZE, o->ct_expect.size);
		break;
	case NFT_OBJECT_SECMARK:
		nftnl_obj_set_str(no, NFTNL_OBJ_SECMARK_CTX, o->secmark.ctx);
		break;
	case NFT_OBJECT_SYNPROXY:
		nftnl_obj_set_u16(no, NFTNL_OBJ_SYNPROXY_MSS, o->synproxy.mss);
		nftnl_obj_set_u8(no, NFTNL_OBJ_SYNPROXY_WSCALE, o->synproxy.wscale);
		nftnl_obj_set_u32(no, NFTNL_OBJ_SYNPROXY_FLAGS, o->synproxy.flags);
		break;
	case NFT_OBJECT_CT_TIMEOUT: {
		uint32_t timeouts[16] = { 0 };
		const struct timeout_state *ts;

		nftnl_obj_set_u16(no, NFTNL_OBJ_CT_TIMEOUT_L3PROTO,
				  o->ct_timeout.l3proto ? o->ct_timeout.l3proto : ctx->family);
		nftnl_obj_set_u8(no, NFTNL_OBJ_CT_TIMEOUT_L4PROTO, o->ct_timeout.l4proto);
		list_for_each_entry(ts, &o->ct_timeout.timeout_list, head)
			if (ts->state < 16)
				timeouts[ts->state] = ts->timeout;
		nftnl_obj_set_data(no, NFTNL_OBJ_CT_TIMEOUT_ARRAY, timeouts, sizeof(timeouts));
		break;
	}
	default:
		nftnl_obj_free(no);
		return lower_error(ctx, &o->location, "cannot lower object type %u", o->type);
	}
	nftnl_obj_list_add_tail(no, ctx->ir->objs);
	return 0;
}

static int lower_flowtable(struct lower_ctx *ctx, const struct flowtable *f)
{
	struct nftnl_flowtable *nf = nftnl_flowtable_alloc();

	if (!nf)
		return lower_error(ctx, &f->location, "out of memory");
	nftnl_flowtable_set_str(nf, NFTNL_FLOWTABLE_TABLE, ctx->table->handle.table);
	nftnl_flowtable_set_str(nf, NFTNL_FLOWTABLE_NAME, f->handle.set);
	nftnl_flowtable_set_u32(nf, NFTNL_FLOWTABLE_FAMILY, ctx->family);
	nftnl_flowtable_set_u32(nf, NFTNL_FLOWTABLE_HOOKNUM, f->hooknum);
	nftnl_flowtable_set_s32(nf, NFTNL_FLOWTABLE_PRIO, f->prio);
	if (f->flags)
		nftnl_flowtable_set_u32(nf, NFTNL_FLOWTABLE_FLAGS, f->flags);
	if (f->handle.handle.id)
		nftnl_flowtable_set_u64(nf, NFTNL_FLOWTABLE_HANDLE, f->handle.handle.id);
	if (f->dev_count) {
		const char **devs = calloc(f->dev_count + 1, sizeof(*devs));
		unsigned int i;

		if (!devs) {
			nftnl_flowtable_free(nf);
			return lower_error(ctx, &f->location, "out of memory");
		}
		for (i = 0; i < f->dev_count; i++)
			devs[i] = f->devices[i];
		nftnl_flowtable_set_data(nf, NFTNL_FLOWTABLE_DEVICES, devs, 0);
		free(devs);
	}
	nftnl_flowtable_list_add_tail(nf, ctx->ir->flowtables);
	return 0;
}

static int lower_rule(struct lower_ctx *ctx, const struct chain *c, const struct rule *r,
		      uint64_t prev_handle)
{
	const struct stmt *s;
	unsigned int n;
	int ret = 0;

	ctx->nlr = nftnl_rule_alloc();
	if (!ctx->nlr)
		return lower_error(ctx, &r->location, "out of memory");
	nftnl_rule_set_str(ctx->nlr, NFTNL_RULE_TABLE, ctx->table->handle.table);
	nftnl_rule_set_str(ctx->nlr, NFTNL_RULE_CHAIN, c->handle.chain);
	nftnl_rule_set_u32(ctx->nlr, NFTNL_RULE_FAMILY, ctx->family);
	if (r->handle.handle.id)
		nftnl_rule_set_u64(ctx->nlr, NFTNL_RULE_HANDLE, r->handle.handle.id);
	if (prev_handle)
		nftnl_rule_set_u64(ctx->nlr, NFTNL_RULE_POSITION, prev_handle);
	if (r->comment) {
		size_t l = strlen(r->comment) + 1;
		uint8_t buf[260];

		if (l <= 255) {
			buf[0] = 0;
			buf[1] = (uint8_t)l;
			memcpy(buf + 2, r->comment, l);
			nftnl_rule_set_data(ctx->nlr, NFTNL_RULE_USERDATA, buf, (uint32_t)(l + 2));
		}
	}
	ctx->chain = c;
	lower_proto_init(ctx);
	if (lower_rule_prologue(ctx, r) < 0)
		ret = -1;
	list_for_each_entry(s, &r->stmts, list) {
		if (lower_stmt(ctx, s) < 0)
			ret = -1;
	}
	n = lower_flush_rule(ctx);
	nftnl_rule_list_add_tail(ctx->nlr, ctx->ir->rules);
	/* the compiler's view of the rule, while its expressions are hot */
	if (ctx->ir->lowered &&
	    bnft_ir_rules_add(ctx->ir->lowered, ctx->nlr, ctx->chain_ix, r->handle.handle.id,
			      ctx->ebuf, lower_flushed_kinds(ctx), lower_flushed_facts(ctx), n) < 0)
		bnft_ir_rules_free(&ctx->ir->lowered);
	ctx->nlr = NULL;
	return ret;
}

static int lower_table(struct lower_ctx *ctx, const struct table *t)
{
	const struct chain *c;
	const struct set *s;
	const struct obj *o;
	const struct flowtable *f;
	const struct rule *r;
	uint32_t first;
	int ret = 0;

	ctx->table = t;
	ctx->family = t->handle.family;
	if (lower_table_obj(ctx, t) < 0)
		return -1;
	first = ctx->nchains;
	list_for_each_entry(c, &t->chains, list) {
		if (lower_chain_obj(ctx, c) < 0) {
			bnft_ir_rules_free(&ctx->ir->lowered); /* chain indexes off */
			ret = -1;
		}
	}
	list_for_each_entry(o, &t->objs, list)
		if (lower_obj(ctx, o) < 0)
			ret = -1;
	list_for_each_entry(s, &t->sets, list)
		if (lower_named_set(ctx, s) < 0)
			ret = -1;
	list_for_each_entry(f, &t->flowtables, list)
		if (lower_flowtable(ctx, f) < 0)
			ret = -1;
	list_for_each_entry(c, &t->chains, list) {
		uint64_t prev = 0;

		ctx->chain_ix = first++; /* the chains went in in this order */
		list_for_each_entry(r, &c->rules, list) {
			if (lower_rule(ctx, c, r, prev) < 0)
				ret = -1;
			prev = r->handle.handle.id;
		}
	}
	return ret;
}

int bnft_lower(const struct bnft_ruleset *rs, struct bnft_ir **out, struct list_head *msgs)
{
	struct lower_ctx ctx = { .msgs = msgs };
	const struct table *t;
	int ret = 0;

	*out = NULL;
	if (bnft_ir_new(&ctx.ir) < 0)
		return erec_error(msgs, &internal_location, "out of memory");
	/* NULL when out of memory: the compiler walks the rules then */
	ctx.ir->lowered = bnft_ir_rules_new(bnft_optimize_enabled());
	list_for_each_entry(t, &rs->tables, list)
		if (lower_table(&ctx, t) < 0)
			ret = -1;
	free(ctx.ebuf);
	free(ctx.ekind);
	free(ctx.efact);
	free(ctx.eunit);
	free(ctx.units);
	free(ctx.mcand);
	if (ret < 0 || ctx.nerrs) {
		bnft_ir_free(&ctx.ir);
		return -1;
	}
	*out = ctx.ir;
	return 0;
}
