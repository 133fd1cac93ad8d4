// SPDX-License-Identifier: GPL-2.0
/*
 * Sets and maps in expressions: anonymous sets (element evaluation, sorting
 * and interval merging via setelem.c, the kernel-named __set%d objects),
 * references to named sets (@name, with nft's "did you mean" hint), and
 * map/vmap lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/evaluate.h"
#include "parser/proto.h"
#include "parser/value.h"

/* ---------------------------------------------------------------- sets */

static struct expr *elem_wrap(struct expr *k)
{
	struct expr *el;

	if (k->etype == EXPR_SET_ELEM || k->etype == EXPR_SET_ELEM_CATCHALL)
		return k;
	el = expr_alloc(&k->location, EXPR_SET_ELEM);
	if (!el)
		return NULL;
	init_list_head(&el->elem.stmts);
	el->elem.key = k;
	return el;
}

/* Bring one element into the form: SET_ELEM or MAPPING{SET_ELEM, data}. */
static struct expr *elem_normalize(struct expr *el)
{
	struct expr *m;

	if (el->etype == EXPR_SET_ELEM && el->elem.key && el->elem.key->etype == EXPR_MAPPING) {
		m = el->elem.key;
		el->elem.key = m->mapping.left;
		m->mapping.left = el;
		m->location = el->location;
		return m;
	}
	if (el->etype == EXPR_MAPPING) {
		if (el->mapping.left->etype != EXPR_SET_ELEM)
			el->mapping.left = elem_wrap(el->mapping.left);
		return el;
	}
	return elem_wrap(el);
}

static bool key_is_interval(const struct expr *k)
{
	const struct expr *i;

	if (!k)
		return false;
	switch (k->etype) {
	case EXPR_PREFIX:
	case EXPR_RANGE:
		return true;
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(k).expressions, list)
			if (key_is_interval(i))
				return true;
		return false;
	default:
		return false;
	}
}

int expr_evaluate_set_elems(struct eval_ctx *ctx, struct expr *set, const struct expr_ctx *key,
			    const struct expr_ctx *data, bool named)
{
	struct expr *i, *el, *k;
	struct list_head todo;
	int err = 0;

	(void)named;
	init_list_head(&todo);
	list_splice_tail_init(&EXPR_COMPOUND(set).expressions, &todo);
	EXPR_COMPOUND(set).size = 0;
	while (!list_empty(&todo)) {
		i = list_first_entry(&todo, struct expr, list);
		list_del(&i->list);
		/* $var holding a set, or a nested { }: splice its members */
		if (i->etype == EXPR_VARIABLE) {
			struct expr *v = eval_variable_lookup(ctx, i);

			expr_free(i);
			if (!v) {
				err = -1;
				continue;
			}
			i = v;
		}
		if (i->etype == EXPR_SET_ELEM && i->elem.key && i->elem.key->etype == EXPR_VARIABLE) {
			struct expr *v = eval_variable_lookup(ctx, i->elem.key);

			if (!v) {
				expr_free(i);
				err = -1;
				continue;
			}
			if (v->etype == EXPR_SET) {
				expr_free(i);
				i = v;
			} else {
				expr_free(i->elem.key);
				i->elem.key = v;
			}
		}
		if (i->etype == EXPR_SET) {
			struct expr *m, *mn;

			list_for_each_entry_safe(m, mn, &EXPR_COMPOUND(i).expressions, list) {
				list_del(&m->list);
				list_add_tail(&m->list, &todo);
			}
			expr_free(i);
			continue;
		}
		el = elem_normalize(i);
		if (!el) {
			err = eval_error(ctx, &set->location, "out of memory");
			continue;
		}
		/* evaluate key */
		k = el->etype == EXPR_MAPPING ? el->mapping.left : el;
		if (k->etype == EXPR_SET_ELEM) {
			if (k->elem.key->etype == EXPR_SET_ELEM_CATCHALL) {
				k->dtype = key->dtype;
				k->len = key->len;
			} else if (evaluate_with(ctx, &k->elem.key, key) < 0) {
				err = -1;
			} else {
				k->dtype = k->elem.key->dtype;
				k->len = k->elem.key->len;
				k->byteorder = k->elem.key->byteorder;
				if (key_is_interval(k->elem.key))
					EXPR_COMPOUND(set).set_flags |= NFT_SET_INTERVAL;
			}
		} else {
			k->dtype = key->dtype;
			k->len = key->len;
			k->byteorder = key->byteorder;
		}
		if (el->etype == EXPR_MAPPING) {
			if (!data || !data->dtype) {
				err = eval_error(ctx, &el->location,
						 "Cannot use a mapping in a set");
			} else if (evaluate_with(ctx, &el->mapping.right, data) < 0) {
				err = -1;
			} else {
				el->dtype = k->dtype;
				el->len = k->len;
				el->byteorder = k->byteorder;
				if (key_is_interval(el->mapping.right))
					EXPR_COMPOUND(set).set_flags |= 0; /* data ranges: nat maps */
			}
		} else if (data && data->dtype && k->elem.key &&
			   k->elem.key->etype != EXPR_SET_ELEM_CATCHALL) {
			err = eval_error(ctx, &el->location, "Missing data in map element");
		}
		list_add_tail(&el->list, &EXPR_COMPOUND(set).expressions);
		EXPR_COMPOUND(set).size++;
	}
	return err;
}

static bool anon_mark(struct eval_ctx *ctx, unsigned int m, unsigned int idx)
{
	if (idx >= ctx->anon.cap[m]) {
		unsigned int cap = ctx->anon.cap[m] ? ctx->anon.cap[m] : 64;
		uint8_t *n;

		while (cap <= idx)
			cap *= 2;
		n = realloc(ctx->anon.used[m], cap);
		if (!n)
			return false;
		memset(n + ctx->anon.cap[m], 0, cap - ctx->anon.cap[m]);
		ctx->anon.used[m] = n;
		ctx->anon.cap[m] = cap;
	}
	ctx->anon.used[m][idx] = 1;
	return true;
}

/* Lowest free __set%d / __map%d index in table t, like the kernel. The
 * taken indexes are cached per table and rebuilt when sets changed behind
 * our back (a rule of 100k with anonymous sets must not rescan them all). */
static char *anon_set_name(struct eval_ctx *ctx, struct table *t, bool map)
{
	unsigned int m = map ? 1 : 0, idx, k;
	struct set *s;
	char buf[32];

	if (ctx->anon.t != t || ctx->anon.gen != ctx->rs->set_changes) {
		for (k = 0; k < 2; k++) {
			if (ctx->anon.used[k])
				memset(ctx->anon.used[k], 0, ctx->anon.cap[k]);
			ctx->anon.next[k] = 0;
		}
		list_for_each_entry(s, &t->sets, list) {
			const char *n = s->handle.set;

			if (!n || strncmp(n, "__", 2))
				continue;
			if (sscanf(n, "__set%u", &idx) == 1)
				anon_mark(ctx, 0, idx);
			else if (sscanf(n, "__map%u", &idx) == 1)
				anon_mark(ctx, 1, idx);
		}
		ctx->anon.t = t;
	}
	idx = ctx->anon.next[m];
	while (idx < ctx->anon.cap[m] && ctx->anon.used[m][idx])
		idx++;
	if (!anon_mark(ctx, m, idx))
		return NULL;
	ctx->anon.next[m] = idx + 1;
	snprintf(buf, sizeof(buf), "%s%u", map ? "__map" : "__set", idx);
	return strdup(buf);
}

static struct expr *type_carrier(const struct location *loc, const struct expr_ctx *c)
{
	struct expr *e = expr_alloc(loc, EXPR_VALUE);

	if (!e)
		return NULL;
	e->dtype = c->dtype;
	e->len = c->len;
	e->byteorder = c->byteorder;
	e->value.len = c->len <= BNFT_VALUE_MAX * 8 ? c->len : 0;
	return e;
}

int anon_set_evaluate(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *key,
			     const struct expr_ctx *data)
{
	struct expr *e = *ep;
	struct set_elem_opts o = { 0 };
	struct set *s;
	bool concat = key->dtype && key->dtype->subtypes > 0;
	bool map = data && data->dtype;

	if (!key->dtype)
		return eval_error(ctx, &e->location, "set has no key type context");
	if (expr_evaluate_set_elems(ctx, e, key, data, false) < 0)
		return -1;
	if (list_empty(&EXPR_COMPOUND(e).expressions))
		return eval_error(ctx, &e->location, "Set is empty");
	o.interval = EXPR_COMPOUND(e).set_flags & NFT_SET_INTERVAL;
	o.merge = !map;
	o.concat = concat;
	o.prefix_ok = key->dtype->flags & DTYPE_F_PREFIX;
	o.keylen = key->len;
	if (setelem_normalize(ctx, e, &o) < 0)
		return -1;
	e->dtype = key->dtype;
	e->len = key->len;
	e->byteorder = key->byteorder;
	e->flags |= EXPR_F_CONSTANT;
	if (EXPR_COMPOUND(e).set_flags & NFT_SET_INTERVAL)
		e->flags |= EXPR_F_INTERVAL;

	if (!ctx->table)
		return 0;
	s = set_alloc(&e->location);
	if (!s)
		return eval_error(ctx, &e->location, "out of memory");
	s->flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | (EXPR_COMPOUND(e).set_flags & NFT_SET_INTERVAL);
	if (concat)
		s->flags |= NFT_SET_CONCAT;
	if (map)
		s->flags |= NFT_SET_MAP;
	s->handle.family = ctx->table->handle.family;
	s->handle.table = strdup(ctx->table->handle.table);
	s->handle.set = NULL; /* named when linked */
	s->key = ctx->ectx.key ? expr_clone(ctx->ectx.key) : type_carrier(&e->location, key);
	if (s->key && !s->key->dtype) {
		s->key->dtype = key->dtype;
		s->key->len = key->len;
	}
	if (map)
		s->data = type_carrier(&e->location, data);
	s->init = e;
	s->refcnt = 1;
	EXPR_COMPOUND(e).set = s;
	EXPR_COMPOUND(e).set_flags |= s->flags;
	list_add_tail(&s->list, &ctx->pending_sets);
	return 0;
}

/* Link the anonymous sets created while evaluating a rule, allocating
 * their handles before the rule's (the order nft sends them). */
void eval_commit_pending_sets(struct eval_ctx *ctx)
{
	struct set *s, *n;

	list_for_each_entry_safe(s, n, &ctx->pending_sets, list) {
		list_del(&s->list);
		if (!s->handle.set) /* a meter's set comes named */
			s->handle.set = anon_set_name(ctx, ctx->table, s->flags & NFT_SET_MAP);
		s->handle.handle.id = ruleset_alloc_handle(ctx->rs, ctx->table);
		ruleset_add_set(ctx->rs, ctx->table, s);
		ctx->anon.gen = ctx->rs->set_changes; /* our own change: cache stays valid */
	}
}

void eval_drop_pending_sets(struct eval_ctx *ctx)
{
	struct set *s, *n;

	list_for_each_entry_safe(s, n, &ctx->pending_sets, list) {
		list_del(&s->list);
		if (s->init)
			EXPR_COMPOUND(s->init).set = NULL;
		s->init = NULL;
		set_free(s);
	}
}

static unsigned int str_distance(const char *a, const char *b)
{
	unsigned int la = strlen(a), lb = strlen(b), i, j;
	unsigned int row[64], prev, tmp;

	if (lb >= 64)
		return 1000;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] == b[j - 1] ? 0 : 1, best;

			tmp = row[j];
			best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* nft's string_misspell_update(): a close enough name to suggest */
static bool misspelled(const char *a, const char *b, unsigned int *best)
{
	unsigned int la = strlen(a), lb = strlen(b), max = la > lb ? la : lb;
	unsigned int min = la < lb ? la : lb, thr, d;

	thr = max <= 1 ? max : (max <= 4 ? 1 : max / 2);
	if (max - min > thr)
		return false;
	d = str_distance(a, b);
	if (d > thr || d >= *best)
		return false;
	*best = d;
	return true;
}

static void did_you_mean_set(struct eval_ctx *ctx, const struct expr *e)
{
	struct table *t, *bt = NULL;
	struct set *s, *bs = NULL;
	unsigned int best = ~0u;

	list_for_each_entry(t, &ctx->rs->tables, list)
		list_for_each_entry(s, &t->sets, list) {
			if (s->flags & NFT_SET_ANONYMOUS)
				continue;
			if (misspelled(s->handle.set, e->set_ref.name, &best)) {
				bs = s;
				bt = t;
			}
		}
	if (bs)
		eval_error(ctx, &e->location,
			   "No such file or directory; did you mean set ‘%s’ in table %s ‘%s’?",
			   bs->handle.set, family_name(bt->handle.family), bt->handle.table);
	else
		eval_error(ctx, &e->location, "No such file or directory");
}

int set_ref_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep;
	const char *name = e->set_ref.name;
	struct set *s = NULL;

	if (name && name[0] == '$') {
		return eval_error(ctx, &e->location, "unknown identifier '%s'", name + 1);
	}
	if (ctx->table)
		s = table_set_lookup(ctx->table, name);
	if (!s) {
		did_you_mean_set(ctx, e);
		return -1;
	}
	e->set_ref.set = s;
	if (s->key) {
		e->dtype = s->key->dtype;
		e->len = s->key->len;
		e->byteorder = s->key->byteorder;
	}
	if (ctx->ectx.dtype && e->dtype && !datatype_compatible(e->dtype, ctx->ectx.dtype) &&
	    !(s->flags & NFT_SET_MAP))
		return eval_error2(ctx, &e->location,
				   ctx->ectx.key ? &ctx->ectx.key->location : NULL,
				   "datatype mismatch, expected %s, expression has type %s",
				   eval_dtype_desc(ctx->ectx.dtype), eval_dtype_desc(e->dtype));
	return 0;
}

/* ---------------------------------------------------------------- maps */

int map_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep;
	struct expr_ctx key, data;
	bool in_key = ctx->in_key;
	int rc;

	ctx->in_key = true;
	rc = expr_evaluate_selector(ctx, &e->map.key);
	ctx->in_key = in_key;
	if (rc < 0)
		return -1;
	ectx_from_expr(&key, e->map.key);
	memset(&data, 0, sizeof(data));
	if (e->map.vmap) {
		data.dtype = &verdict_type;
		data.len = verdict_type.size;
		data.byteorder = BYTEORDER_HOST_ENDIAN;
	} else {
		data = ctx->ectx;
		if (!data.key || data.key->etype != EXPR_CONCAT)
			data.key = NULL;
		if (!data.dtype && e->map.mappings->etype != EXPR_SET_REF)
			return eval_error(ctx, &e->location, "Map expression can not be used here");
	}
	switch (e->map.mappings->etype) {
	case EXPR_VARIABLE: {
		struct expr *v = eval_variable_lookup(ctx, e->map.mappings);

		if (!v)
			return -1;
		expr_free(e->map.mappings);
		e->map.mappings = v;
	}
		/* fall through */
	case EXPR_SET:
	case EXPR_LIST:
		e->map.mappings->etype = EXPR_SET;
		{
			struct expr_ctx save = ctx->ectx;

			ctx->ectx = key;
			if (anon_set_evaluate(ctx, &e->map.mappings, &key, &data) < 0) {
				ctx->ectx = save;
				return -1;
			}
			ctx->ectx = save;
		}
		break;
	case EXPR_SET_REF: {
		struct expr_ctx save = ctx->ectx;
		struct set *s;

		memset(&ctx->ectx, 0, sizeof(ctx->ectx));
		if (set_ref_evaluate(ctx, &e->map.mappings) < 0) {
			ctx->ectx = save;
			return -1;
		}
		ctx->ectx = save;
		s = e->map.mappings->set_ref.set;
		if (!(s->flags & NFT_SET_MAP))
			return eval_error(ctx, &e->map.mappings->location,
					  "Expression is not a map");
		if (s->data) {
			data.dtype = s->data->dtype;
			data.len = s->data->len;
			data.byteorder = s->data->byteorder;
		}
		break;
	}
	default:
		return eval_error(ctx, &e->map.mappings->location, "Expression is not a map");
	}
	e->dtype = data.dtype;
	e->len = data.len;
	e->byteorder = data.byteorder;
	return 0;
}

