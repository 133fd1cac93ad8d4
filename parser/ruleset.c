// SPDX-License-Identifier: GPL-2.0
/*
 * The in-memory ruleset and its transactions. Every mutation made while a
 * transaction is open is recorded in an undo log, so an error anywhere in
 * an input leaves the ruleset exactly as it was (the kernel's batch
 * semantics). Unlinked objects are only freed at commit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/pool.h"
#include "parser/ruleset.h"

struct ruleset_hgen {
	struct list_head list;
	const struct table *table;
	uint64_t next;
};

enum undo_kind {
	UNDO_LINK,
	UNDO_UNLINK,
	UNDO_PTR,
	UNDO_UINT,
	UNDO_INT,
	UNDO_SETELEMS,
	UNDO_HGENS,
};

enum obj_kind { OK_TABLE, OK_CHAIN, OK_RULE, OK_SET, OK_OBJ, OK_FLOWTABLE, OK_EXPR };

struct undo {
	struct list_head list;
	enum undo_kind kind;
	enum obj_kind okind;
	struct list_head *node;
	struct list_head *prev;
	void *obj;
	void **slot;
	void *old;
	bool free_old;
	unsigned int *ufield;
	int *ifield;
	unsigned int uold;
	int iold;
	uint64_t next_handle;
	struct list_head saved; /* UNDO_HGENS: copy of rs->hgens */
	struct set *eset;	/* UNLINK of an element: its set */
	bool insert;		/* LINK of a rule by an insert command */
	uintptr_t *oldp;	/* UNDO_SETELEMS with a change hook: the old */
	size_t noldp;		/* element objects, sorted */
};

/* one record per linked rule: a pool, not calloc (malloc's chunk work was
 * a few percent of a 100k-rule commit) */
static _Thread_local struct pool undo_pool = POOL_INIT(struct undo);

static void rs_set_free(struct set *s)
{
	if (!s)
		return;
	if (s->flags & NFT_SET_ANONYMOUS)
		s->init = NULL; /* owned by the rule */
	set_free(s);
}

/* The rules own the elements of a table's anonymous sets. */
static void anon_sets_disown(struct table *t)
{
	struct set *s;

	list_for_each_entry(s, &t->sets, list)
		if (s->flags & NFT_SET_ANONYMOUS)
			s->init = NULL;
}

static void rs_table_free(struct table *t)
{
	if (!t)
		return;
	anon_sets_disown(t);
	table_free(t);
}

static void obj_kind_free(enum obj_kind k, void *obj)
{
	switch (k) {
	case OK_TABLE:
		rs_table_free(obj);
		break;
	case OK_CHAIN:
		chain_free(obj);
		break;
	case OK_RULE:
		rule_free(obj);
		break;
	case OK_SET:
		rs_set_free(obj);
		break;
	case OK_OBJ:
		obj_free(obj);
		break;
	case OK_FLOWTABLE:
		flowtable_free(obj);
		break;
	case OK_EXPR:
		expr_free(obj);
		break;
	}
}

void bnft_ruleset_init(struct bnft_ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
	init_list_head(&rs->tables);
	init_list_head(&rs->hgens);
	init_list_head(&rs->undo);
	init_list_head(&rs->reap);
}

static void hgens_free(struct list_head *h)
{
	struct ruleset_hgen *g, *n;

	list_for_each_entry_safe(g, n, h, list) {
		list_del(&g->list);
		free(g);
	}
}

void bnft_ruleset_release(struct bnft_ruleset *rs)
{
	struct table *t, *n;

	if (rs->in_trans)
		ruleset_trans_commit(rs);
	bnft_ruleset_reap(rs);
	list_for_each_entry_safe(t, n, &rs->tables, list) {
		list_del(&t->list);
		rs_table_free(t);
	}
	hgens_free(&rs->hgens);
}

const char *family_name(unsigned int family)
{
	switch (family) {
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	case NFPROTO_NETDEV:
		return "netdev";
	default:
		return "unknown";
	}
}

/* ---------------------------------------------------------------- lookups */

static bool name_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

struct table *ruleset_table_lookup(const struct bnft_ruleset *rs, unsigned int family,
				   const char *name)
{
	struct table *t;

	list_for_each_entry(t, &rs->tables, list)
		if (t->handle.family == family && name_eq(t->handle.table, name))
			return t;
	return NULL;
}

struct table *ruleset_table_lookup_handle(const struct bnft_ruleset *rs, unsigned int family,
					  uint64_t handle)
{
	struct table *t;

	list_for_each_entry(t, &rs->tables, list)
		if (t->handle.family == family && t->handle.handle.id == handle)
			return t;
	return NULL;
}

struct chain *table_chain_lookup(const struct table *t, const char *name)
{
	struct chain *c;

	list_for_each_entry(c, &t->chains, list)
		if (name_eq(c->handle.chain, name))
			return c;
	return NULL;
}

struct chain *table_chain_lookup_handle(const struct table *t, uint64_t handle)
{
	struct chain *c;

	list_for_each_entry(c, &t->chains, list)
		if (c->handle.handle.id == handle)
			return c;
	return NULL;
}

struct set *table_set_lookup(const struct table *t, const char *name)
{
	struct set *s;

	list_for_each_entry(s, &t->sets, list)
		if (name_eq(s->handle.set, name))
			return s;
	return NULL;
}

struct set *table_set_lookup_handle(const struct table *t, uint64_t handle)
{
	struct set *s;

	list_for_each_entry(s, &t->sets, list)
		if (s->handle.handle.id == handle)
			return s;
	return NULL;
}

struct obj *table_obj_lookup(const struct table *t, unsigned int type, const char *name)
{
	struct obj *o;

	list_for_each_entry(o, &t->objs, list)
		if (o->type == type && name_eq(o->handle.set, name))
			return o;
	return NULL;
}

struct obj *table_obj_lookup_handle(const struct table *t, uint64_t handle)
{
	struct obj *o;

	list_for_each_entry(o, &t->objs, list)
		if (o->handle.handle.id == handle)
			return o;
	return NULL;
}

struct flowtable *table_flowtable_lookup(const struct table *t, const char *name)
{
	struct flowtable *f;

	list_for_each_entry(f, &t->flowtables, list)
		if (name_eq(f->handle.set, name))
			return f;
	return NULL;
}

struct flowtable *table_flowtable_lookup_handle(const struct table *t, uint64_t handle)
{
	struct flowtable *f;

	list_for_each_entry(f, &t->flowtables, list)
		if (f->handle.handle.id == handle)
			return f;
	return NULL;
}

struct rule *chain_rule_lookup_handle(const struct chain *c, uint64_t handle)
{
	struct rule *r;

	list_for_each_entry(r, &c->rules, list)
		if (r->handle.handle.id == handle)
			return r;
	return NULL;
}

/* ---------------------------------------------------------------- handles */

uint64_t ruleset_alloc_handle(struct bnft_ruleset *rs, const struct table *t)
{
	struct ruleset_hgen *g;

	if (!t)
		return ++rs->next_handle;
	list_for_each_entry(g, &rs->hgens, list)
		if (g->table == t)
			return ++g->next;
	g = calloc(1, sizeof(*g));
	if (!g)
		return 0;
	g->table = t;
	g->next = 1;
	list_add_tail(&g->list, &rs->hgens);
	return 1;
}

/* ---------------------------------------------------------------- undo log */

static struct undo *undo_new(struct bnft_ruleset *rs, enum undo_kind kind)
{
	struct undo *u;

	if (!rs->in_trans)
		return NULL;
	u = pool_zalloc(&undo_pool);
	if (!u)
		return NULL; /* best effort: the change then cannot be undone */
	u->kind = kind;
	list_add_tail(&u->list, &rs->undo);
	return u;
}

void ruleset_trans_begin(struct bnft_ruleset *rs)
{
	struct ruleset_hgen *g, *c;
	struct undo *u;

	if (rs->in_trans)
		ruleset_trans_commit(rs);
	rs->in_trans = true;
	u = undo_new(rs, UNDO_HGENS);
	if (!u)
		return;
	init_list_head(&u->saved);
	u->next_handle = rs->next_handle;
	list_for_each_entry(g, &rs->hgens, list) {
		c = malloc(sizeof(*c));
		if (!c)
			continue;
		*c = *g;
		list_add_tail(&c->list, &u->saved);
	}
}

/* About how many objects freeing u frees (tables and chains: their rules). */
static void undo_commit_one(struct undo *u)
{
	switch (u->kind) {
	case UNDO_UNLINK:
		obj_kind_free(u->okind, u->obj);
		break;
	case UNDO_PTR:
		if (u->free_old)
			free(u->old);
		break;
	case UNDO_SETELEMS:
		expr_free(u->old);
		break;
	case UNDO_HGENS:
		hgens_free(&u->saved);
		break;
	default:
		break;
	}
	free(u->oldp);
}

static int uptr_cmp(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static const enum ruleset_change_kind change_kind[] = {
	[OK_TABLE] = RC_TABLE, [OK_CHAIN] = RC_CHAIN, [OK_RULE] = RC_RULE, [OK_SET] = RC_SET,
	[OK_OBJ] = RC_OBJ, [OK_FLOWTABLE] = RC_FLOWTABLE, [OK_EXPR] = RC_ELEM,
};

/* Reports one undo record as changes (see bnft_ruleset.on_change). */
static void undo_notify(struct bnft_ruleset *rs, const struct undo *u)
{
	struct ruleset_change ch = { 0 };
	const struct set *s;
	const struct expr *e;

	switch (u->kind) {
	case UNDO_LINK:
	case UNDO_UNLINK:
		ch.add = u->kind == UNDO_LINK;
		ch.kind = change_kind[u->okind];
		ch.obj = u->obj;
		ch.set = u->eset;
		ch.insert = u->insert;
		if (ch.kind == RC_ELEM && !ch.set)
			return; /* not a set element */
		rs->on_change(&ch, rs->on_change_data);
		break;
	case UNDO_SETELEMS:
		/* elements now in the set that were not before */
		s = u->obj;
		if (!s->init || !u->oldp)
			return;
		ch.add = true;
		ch.kind = RC_ELEM;
		ch.set = s;
		list_for_each_entry(e, &EXPR_COMPOUND(s->init).expressions, list) {
			uintptr_t p = (uintptr_t)e;

			if (bsearch(&p, u->oldp, u->noldp, sizeof(p), uptr_cmp))
				continue;
			ch.obj = e;
			rs->on_change(&ch, rs->on_change_data);
		}
		break;
	default:
		break;
	}
}

static void undo_abort_one(struct bnft_ruleset *rs, struct undo *u)
{
	struct set *s;

	switch (u->kind) {
	case UNDO_LINK:
		list_del(u->node);
		obj_kind_free(u->okind, u->obj);
		rs->set_changes++;
		break;
	case UNDO_UNLINK:
		list_add(u->node, u->prev);
		rs->set_changes++;
		break;
	case UNDO_PTR:
		if (u->free_old)
			free(*u->slot);
		*u->slot = u->old;
		break;
	case UNDO_UINT:
		*u->ufield = u->uold;
		break;
	case UNDO_INT:
		*u->ifield = u->iold;
		break;
	case UNDO_SETELEMS:
		s = u->obj;
		expr_free(s->init);
		s->init = u->old;
		break;
	case UNDO_HGENS:
		rs->next_handle = u->next_handle;
		hgens_free(&rs->hgens);
		list_splice_tail_init(&u->saved, &rs->hgens);
		break;
	}
}

void ruleset_trans_commit(struct bnft_ruleset *rs)
{
	struct undo *u, *n;

	if (rs->on_change)
		list_for_each_entry(u, &rs->undo, list)
			undo_notify(rs, u);
	if (rs->defer_free) {
		list_splice_tail_init(&rs->undo, &rs->reap);
		rs->in_trans = false;
		return;
	}
	list_for_each_entry_safe(u, n, &rs->undo, list) {
		list_del(&u->list);
		undo_commit_one(u);
		pool_free(&undo_pool, u);
	}
	rs->in_trans = false;
}

size_t bnft_ruleset_reap(struct bnft_ruleset *rs)
{
	size_t k = 0;

	bnft_ruleset_reap_some(rs, SIZE_MAX, &k);
	return k;
}

/* Frees up to `budget` rules of chain c, last first (as chain_free does);
 * how many. */
static size_t chain_rules_free_some(struct chain *c, size_t budget)
{
	struct rule *r;
	size_t k = 0;

	while (k < budget && !list_empty(&c->rules)) {
		r = list_last_entry(&c->rules, struct rule, list);
		list_del(&r->list);
		rule_free(r);
		k++;
	}
	return k;
}

/* Frees up to `budget` elements of set expression e, last first (as
 * expr_free does); how many. */
static size_t elems_free_some(struct expr *e, size_t budget)
{
	struct expr *i;
	size_t k = 0;

	if (!e || e->etype != EXPR_SET || !e->compound.expressions.next)
		return 0;
	while (k < budget && !list_empty(&e->compound.expressions)) {
		i = list_last_entry(&e->compound.expressions, struct expr, list);
		list_del(&i->list);
		expr_free(i);
		k++;
	}
	return k;
}

bool bnft_ruleset_reap_some(struct bnft_ruleset *rs, size_t budget, size_t *freed)
{
	struct undo *u;
	struct chain *c;
	struct set *s;
	size_t k = 0;

	while (!list_empty(&rs->reap)) {
		u = list_first_entry(&rs->reap, struct undo, list);
		/* the rules of an unlinked table or chain a slice at a time,
		 * in the order its free goes */
		if (u->kind == UNDO_UNLINK && u->okind == OK_TABLE) {
			struct table *t = u->obj;

			anon_sets_disown(t); /* as rs_table_free */
			list_for_each_entry(c, &t->chains, list)
				if ((k += chain_rules_free_some(c, budget - k)) >= budget)
					break;
			/* then the elements of its sets (table_free frees
			 * the chains first) */
			list_for_each_entry(s, &t->sets, list)
				if (k < budget && s->refcnt <= 1)
					k += elems_free_some(s->init, budget - k);
		} else if (u->kind == UNDO_UNLINK && u->okind == OK_CHAIN) {
			k += chain_rules_free_some(u->obj, budget - k);
		} else if (u->kind == UNDO_UNLINK && u->okind == OK_SET) {
			s = u->obj;
			/* an anonymous set's elements are its rule's */
			if (s->refcnt <= 1 && !(s->flags & NFT_SET_ANONYMOUS))
				k += elems_free_some(s->init, budget - k);
		} else if (u->kind == UNDO_SETELEMS) {
			k += elems_free_some(u->old, budget - k);
		}
		if (k >= budget)
			break;
		list_del(&u->list);
		undo_commit_one(u);
		pool_free(&undo_pool, u);
		k++;
	}
	*freed += k;
	return list_empty(&rs->reap);
}

void ruleset_trans_abort(struct bnft_ruleset *rs)
{
	struct undo *u;

	while (!list_empty(&rs->undo)) {
		u = list_last_entry(&rs->undo, struct undo, list);
		list_del(&u->list);
		undo_abort_one(rs, u);
		free(u->oldp);
		pool_free(&undo_pool, u);
	}
	rs->in_trans = false;
}

static void record_link(struct bnft_ruleset *rs, enum obj_kind k, struct list_head *node,
			void *obj)
{
	struct undo *u = undo_new(rs, UNDO_LINK);

	if (!u)
		return;
	u->okind = k;
	u->node = node;
	u->obj = obj;
}

static void do_unlink(struct bnft_ruleset *rs, enum obj_kind k, struct list_head *node, void *obj)
{
	struct undo *u = undo_new(rs, UNDO_UNLINK);

	if (!u) {
		list_del(node);
		if (!rs->in_trans)
			obj_kind_free(k, obj);
		return;
	}
	u->okind = k;
	u->node = node;
	u->prev = node->prev;
	u->obj = obj;
	list_del(node);
}

void ruleset_add_table(struct bnft_ruleset *rs, struct table *t)
{
	list_add_tail(&t->list, &rs->tables);
	record_link(rs, OK_TABLE, &t->list, t);
}

void ruleset_add_chain(struct bnft_ruleset *rs, struct table *t, struct chain *c)
{
	list_add_tail(&c->list, &t->chains);
	record_link(rs, OK_CHAIN, &c->list, c);
}

void ruleset_add_set(struct bnft_ruleset *rs, struct table *t, struct set *s)
{
	rs->set_changes++;
	list_add_tail(&s->list, &t->sets);
	record_link(rs, OK_SET, &s->list, s);
}

void ruleset_add_obj(struct bnft_ruleset *rs, struct table *t, struct obj *o)
{
	list_add_tail(&o->list, &t->objs);
	record_link(rs, OK_OBJ, &o->list, o);
}

void ruleset_add_flowtable(struct bnft_ruleset *rs, struct table *t, struct flowtable *f)
{
	list_add_tail(&f->list, &t->flowtables);
	record_link(rs, OK_FLOWTABLE, &f->list, f);
}

void ruleset_link_rule(struct bnft_ruleset *rs, struct chain *c, struct list_head *after,
		       struct rule *r)
{
	(void)c;
	list_add(&r->list, after);
	record_link(rs, OK_RULE, &r->list, r);
	if (rs->link_insert && rs->in_trans && !list_empty(&rs->undo)) {
		struct undo *u = list_last_entry(&rs->undo, struct undo, list);

		if (u->kind == UNDO_LINK && u->obj == r)
			u->insert = true;
	}
}

void ruleset_link_expr(struct bnft_ruleset *rs, struct list_head *after, struct expr *e)
{
	list_add(&e->list, after);
	record_link(rs, OK_EXPR, &e->list, e);
	if (rs->in_trans && rs->elem_set && !list_empty(&rs->undo)) {
		struct undo *u = list_last_entry(&rs->undo, struct undo, list);

		if (u->kind == UNDO_LINK && u->obj == e)
			u->eset = rs->elem_set;
	}
}

void ruleset_del_table(struct bnft_ruleset *rs, struct table *t)
{
	struct ruleset_hgen *g;

	do_unlink(rs, OK_TABLE, &t->list, t);
	/* A table made later starts its handles afresh, as in the kernel;
	 * its struct may reuse t's address (pools), so the generator keyed by
	 * t must go (an abort restores the generators of the transaction's
	 * start). */
	list_for_each_entry(g, &rs->hgens, list) {
		if (g->table == t) {
			list_del(&g->list);
			free(g);
			break;
		}
	}
}

void ruleset_del_chain(struct bnft_ruleset *rs, struct chain *c)
{
	do_unlink(rs, OK_CHAIN, &c->list, c);
}

/* Collect anonymous sets referenced from an expression tree. */
static void expr_anon_sets(struct bnft_ruleset *rs, struct table *t, struct expr *e);

static void stmt_anon_sets(struct bnft_ruleset *rs, struct table *t, struct stmt *s)
{
	switch (s->type) {
	case STMT_EXPRESSION:
	case STMT_VERDICT:
		expr_anon_sets(rs, t, s->expr);
		if (s->expr && s->expr->etype == EXPR_VERDICT && s->expr->verdict.binding) {
			const struct rule *r;
			struct stmt *i;

			/* rules of a jump { } chain go with it */
			list_for_each_entry(r, &s->expr->verdict.binding->rules, list)
				list_for_each_entry(i, &r->stmts, list)
					stmt_anon_sets(rs, t, i);
		}
		break;
	case STMT_NAT:
		expr_anon_sets(rs, t, s->nat.addr);
		expr_anon_sets(rs, t, s->nat.proto);
		break;
	case STMT_META:
		expr_anon_sets(rs, t, s->meta.expr);
		break;
	case STMT_CT:
		expr_anon_sets(rs, t, s->ct.expr);
		break;
	case STMT_PAYLOAD:
		expr_anon_sets(rs, t, s->payload.val);
		break;
	case STMT_OBJREF:
		expr_anon_sets(rs, t, s->objref.expr);
		break;
	case STMT_QUEUE:
		expr_anon_sets(rs, t, s->queue.queue);
		break;
	case STMT_DUP:
	case STMT_FWD:
		expr_anon_sets(rs, t, s->dup.to);
		expr_anon_sets(rs, t, s->dup.dev);
		break;
	case STMT_TPROXY:
		expr_anon_sets(rs, t, s->tproxy.addr);
		expr_anon_sets(rs, t, s->tproxy.port);
		break;
	default:
		break;
	}
}

static void expr_anon_sets(struct bnft_ruleset *rs, struct table *t, struct expr *e)
{
	if (!e)
		return;
	switch (e->etype) {
	case EXPR_SET:
		/* a rule in the ruleset always has its anonymous sets linked */
		if (EXPR_COMPOUND(e).set && (EXPR_COMPOUND(e).set->flags & NFT_SET_ANONYMOUS))
			ruleset_del_set(rs, EXPR_COMPOUND(e).set);
		break;
	case EXPR_MAP:
		expr_anon_sets(rs, t, e->map.key);
		expr_anon_sets(rs, t, e->map.mappings);
		break;
	case EXPR_RELATIONAL:
	case EXPR_BINOP:
		expr_anon_sets(rs, t, e->binop.left);
		expr_anon_sets(rs, t, e->binop.right);
		break;
	default:
		break;
	}
}

void ruleset_del_rule(struct bnft_ruleset *rs, struct table *t, struct rule *r)
{
	struct stmt *s;

	if (!rs->in_trans) {
		/* unlinking frees the rule */
		if (t)
			list_for_each_entry(s, &r->stmts, list)
				stmt_anon_sets(rs, t, s);
		do_unlink(rs, OK_RULE, &r->list, r);
		return;
	}
	/* the rule, then its anonymous sets: the kernel's order */
	do_unlink(rs, OK_RULE, &r->list, r);
	if (t)
		list_for_each_entry(s, &r->stmts, list)
			stmt_anon_sets(rs, t, s);
}

void ruleset_del_set(struct bnft_ruleset *rs, struct set *s)
{
	rs->set_changes++;
	do_unlink(rs, OK_SET, &s->list, s);
}

void ruleset_del_obj(struct bnft_ruleset *rs, struct obj *o)
{
	do_unlink(rs, OK_OBJ, &o->list, o);
}

void ruleset_del_flowtable(struct bnft_ruleset *rs, struct flowtable *f)
{
	do_unlink(rs, OK_FLOWTABLE, &f->list, f);
}

void ruleset_del_expr(struct bnft_ruleset *rs, struct expr *e)
{
	do_unlink(rs, OK_EXPR, &e->list, e);
	if (rs->in_trans && rs->elem_set && !list_empty(&rs->undo)) {
		struct undo *u = list_last_entry(&rs->undo, struct undo, list);

		if (u->kind == UNDO_UNLINK && u->obj == e)
			u->eset = rs->elem_set;
	}
}

void ruleset_set_ptr(struct bnft_ruleset *rs, void **slot, void *val, bool free_old)
{
	struct undo *u = undo_new(rs, UNDO_PTR);

	if (!u) {
		if (free_old)
			free(*slot);
		*slot = val;
		return;
	}
	u->slot = slot;
	u->old = *slot;
	u->free_old = free_old;
	*slot = val;
}

void ruleset_save_uint(struct bnft_ruleset *rs, unsigned int *field)
{
	struct undo *u = undo_new(rs, UNDO_UINT);

	if (!u)
		return;
	u->ufield = field;
	u->uold = *field;
}

void ruleset_save_int(struct bnft_ruleset *rs, int *field)
{
	struct undo *u = undo_new(rs, UNDO_INT);

	if (!u)
		return;
	u->ifield = field;
	u->iold = *field;
}

void ruleset_save_set_elems(struct bnft_ruleset *rs, struct set *s)
{
	struct undo *u;

	if (!rs->in_trans)
		return;
	u = undo_new(rs, UNDO_SETELEMS);
	if (!u)
		return;
	u->obj = s;
	u->old = s->init ? expr_clone(s->init) : NULL;
	if (rs->on_change && s->init) {
		const struct expr *e;
		size_t n = 0;

		list_for_each_entry(e, &EXPR_COMPOUND(s->init).expressions, list)
			n++;
		u->oldp = malloc((n ? n : 1) * sizeof(*u->oldp));
		if (!u->oldp)
			return;
		list_for_each_entry(e, &EXPR_COMPOUND(s->init).expressions, list)
			u->oldp[u->noldp++] = (uintptr_t)e;
		qsort(u->oldp, u->noldp, sizeof(*u->oldp), uptr_cmp);
	} else if (rs->on_change) {
		u->oldp = malloc(sizeof(*u->oldp)); /* no elements before */
	}
}

/* Whether handle id of table t was handed out by the open transaction. */
bool ruleset_handle_is_new(const struct bnft_ruleset *rs, const struct table *t, uint64_t id)
{
	const struct undo *u;
	const struct ruleset_hgen *g;

	if (!rs->in_trans || list_empty(&rs->undo))
		return false;
	u = list_first_entry(&rs->undo, struct undo, list);
	if (u->kind != UNDO_HGENS)
		return false;
	list_for_each_entry(g, &u->saved, list)
		if (g->table == t)
			return id > g->next;
	return true; /* the table itself is new */
}

/* ------------------------------------------------------------- references */

static bool expr_refs(const struct expr *e, const struct chain *c, const struct set *s)
{
	const struct expr *i;

	if (!e)
		return false;
	switch (e->etype) {
	case EXPR_VERDICT:
		if (c && e->verdict.chain && e->verdict.chain->etype == EXPR_VALUE)
			return false;
		if (c && e->verdict.chain && e->verdict.chain->etype == EXPR_SYMBOL)
			return name_eq(e->verdict.chain->sym.identifier, c->handle.chain);
		return false;
	case EXPR_SET_REF:
		return s && e->set_ref.set == s;
	case EXPR_MAP:
		return expr_refs(e->map.key, c, s) || expr_refs(e->map.mappings, c, s);
	case EXPR_RELATIONAL:
	case EXPR_BINOP:
		return expr_refs(e->binop.left, c, s) || expr_refs(e->binop.right, c, s);
	case EXPR_MAPPING:
		return expr_refs(e->mapping.right, c, s);
	case EXPR_SET:
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			if (expr_refs(i, c, s))
				return true;
		return false;
	default:
		return false;
	}
}

static unsigned int refs(const struct table *t, const struct chain *c, const struct set *s)
{
	const struct chain *ch;
	const struct rule *r;
	const struct stmt *st;
	const struct set *se;
	unsigned int n = 0;

	list_for_each_entry(ch, &t->chains, list)
		list_for_each_entry(r, &ch->rules, list)
			list_for_each_entry(st, &r->stmts, list) {
				switch (st->type) {
				case STMT_EXPRESSION:
				case STMT_VERDICT:
					n += expr_refs(st->expr, c, s);
					break;
				case STMT_SET:
				case STMT_MAP:
					n += s && st->set.set && st->set.set->etype == EXPR_SET_REF &&
					     st->set.set->set_ref.set == s;
					break;
				case STMT_OBJREF:
					n += expr_refs(st->objref.expr, c, s);
					break;
				case STMT_NAT:
					n += expr_refs(st->nat.addr, c, s) ||
					     expr_refs(st->nat.proto, c, s);
					break;
				case STMT_META:
					n += expr_refs(st->meta.expr, c, s);
					break;
				case STMT_CT:
					n += expr_refs(st->ct.expr, c, s);
					break;
				default:
					break;
				}
			}
	if (c)
		list_for_each_entry(se, &t->sets, list)
			if ((se->flags & NFT_SET_MAP) && !(se->flags & NFT_SET_ANONYMOUS))
				n += expr_refs(se->init, c, NULL);
	return n;
}

unsigned int ruleset_chain_refs(const struct table *t, const struct chain *c)
{
	return refs(t, c, NULL);
}

unsigned int ruleset_set_refs(const struct table *t, const struct set *s)
{
	return refs(t, NULL, s);
}
