// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation, release and deep copy of AST nodes (ast.h). Every free
 * function is NULL-safe and releases the whole subtree it owns.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/ast.h"
#include "parser/pool.h"

static _Thread_local struct pool expr_pool = POOL_INIT(struct expr);
static _Thread_local struct pool stmt_pool = POOL_INIT(struct stmt);
static _Thread_local struct pool rule_pool = POOL_INIT(struct rule);

static const struct input_desc internal_indesc = {
	.name = "<internal>",
};

const struct location internal_location = {
	.indesc = &internal_indesc,
};

static char *xstrdup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

static bool expr_is_compound(enum expr_type t)
{
	return t == EXPR_CONCAT || t == EXPR_LIST || t == EXPR_SET;
}

struct expr *expr_alloc(const struct location *loc, enum expr_type etype)
{
	struct expr *e = pool_zalloc(&expr_pool);

	if (!e)
		return NULL;
	init_list_head(&e->list);
	e->location = loc ? *loc : internal_location;
	e->etype = etype;
	if (expr_is_compound(etype))
		init_list_head(&e->compound.expressions);
	if (etype == EXPR_SET_ELEM)
		init_list_head(&e->elem.stmts);
	if (etype == EXPR_CT)
		e->ct.direction = -1;
	return e;
}

static void expr_list_free(struct list_head *head)
{
	struct expr *i, *n;

	if (!head->next)
		return;
	list_for_each_entry_safe_reverse(i, n, head, list) { /* see chain_free() */
		list_del(&i->list);
		expr_free(i);
	}
}

static void stmt_list_free(struct list_head *head)
{
	struct stmt *i, *n;

	if (!head->next)
		return;
	list_for_each_entry_safe_reverse(i, n, head, list) { /* see chain_free() */
		list_del(&i->list);
		stmt_free(i);
	}
}

void expr_free(struct expr *e)
{
	if (!e)
		return;
	switch (e->etype) {
	case EXPR_SYMBOL:
	case EXPR_VARIABLE:
		if (e->sym.identifier != e->sym.text)
			free(e->sym.identifier);
		break;
	case EXPR_VERDICT:
		expr_free(e->verdict.chain);
		chain_free(e->verdict.binding);
		break;
	case EXPR_PREFIX:
		expr_free(e->prefix.prefix);
		break;
	case EXPR_RANGE:
		expr_free(e->range.left);
		expr_free(e->range.right);
		break;
	case EXPR_HASH:
		expr_free(e->hash.expr);
		break;
	case EXPR_CONCAT:
	case EXPR_LIST:
	case EXPR_SET:
		expr_list_free(&e->compound.expressions);
		break;
	case EXPR_SET_REF:
		free(e->set_ref.name);
		break;
	case EXPR_SET_ELEM:
		expr_free(e->elem.key);
		free(e->elem.comment);
		stmt_list_free(&e->elem.stmts);
		break;
	case EXPR_MAPPING:
		expr_free(e->mapping.left);
		expr_free(e->mapping.right);
		break;
	case EXPR_MAP:
		expr_free(e->map.key);
		expr_free(e->map.mappings);
		break;
	case EXPR_UNARY:
	case EXPR_BINOP:
	case EXPR_RELATIONAL:
		expr_free(e->binop.left);
		expr_free(e->binop.right);
		break;
	default:
		break;
	}
	pool_free(&expr_pool, e);
}

static int expr_list_clone(struct list_head *dst, const struct list_head *src)
{
	const struct expr *i;

	init_list_head(dst);
	if (!src->next)
		return 0;
	list_for_each_entry(i, src, list) {
		struct expr *c = expr_clone(i);

		if (!c)
			return -1;
		list_add_tail(&c->list, dst);
	}
	return 0;
}

static int stmt_list_clone(struct list_head *dst, const struct list_head *src)
{
	const struct stmt *i;

	init_list_head(dst);
	if (!src->next)
		return 0;
	list_for_each_entry(i, src, list) {
		struct stmt *c = stmt_clone(i);

		if (!c)
			return -1;
		list_add_tail(&c->list, dst);
	}
	return 0;
}

/* Clone child pointer field: fails (returns false) only on ENOMEM. */
#define CLONE_CHILD(dst, src)                          \
	({                                             \
		bool __ok = true;                      \
		if (src) {                             \
			dst = expr_clone(src);         \
			__ok = dst != NULL;            \
		} else {                               \
			dst = NULL;                    \
		}                                      \
		__ok;                                  \
	})

struct expr *expr_clone(const struct expr *e)
{
	struct expr *c;
	bool ok = true;

	if (!e)
		return NULL;
	c = pool_alloc(&expr_pool);
	if (!c)
		return NULL;
	memcpy(c, e, sizeof(*c));
	init_list_head(&c->list);

	/* First clear every owned pointer so a failure can free safely. */
	switch (e->etype) {
	case EXPR_SYMBOL:
	case EXPR_VARIABLE:
		if (e->sym.identifier == e->sym.text) {
			c->sym.identifier = c->sym.text; /* copied with the struct */
		} else {
			c->sym.identifier = xstrdup_opt(e->sym.identifier);
			ok = !e->sym.identifier || c->sym.identifier;
		}
		break;
	case EXPR_VERDICT:
		/* binding chains are not copied (they only appear in rules) */
		c->verdict.binding = NULL;
		ok = CLONE_CHILD(c->verdict.chain, e->verdict.chain);
		break;
	case EXPR_PREFIX:
		ok = CLONE_CHILD(c->prefix.prefix, e->prefix.prefix);
		break;
	case EXPR_RANGE:
		c->range.right = NULL;
		ok = CLONE_CHILD(c->range.left, e->range.left) &&
		     CLONE_CHILD(c->range.right, e->range.right);
		break;
	case EXPR_HASH:
		ok = CLONE_CHILD(c->hash.expr, e->hash.expr);
		break;
	case EXPR_CONCAT:
	case EXPR_LIST:
	case EXPR_SET:
		ok = expr_list_clone(&c->compound.expressions, &e->compound.expressions) == 0;
		break;
	case EXPR_SET_REF:
		c->set_ref.name = xstrdup_opt(e->set_ref.name);
		ok = !e->set_ref.name || c->set_ref.name;
		break;
	case EXPR_SET_ELEM:
		c->elem.comment = NULL;
		init_list_head(&c->elem.stmts);
		ok = CLONE_CHILD(c->elem.key, e->elem.key);
		if (ok && e->elem.comment) {
			c->elem.comment = strdup(e->elem.comment);
			ok = c->elem.comment != NULL;
		}
		if (ok)
			ok = stmt_list_clone(&c->elem.stmts, &e->elem.stmts) == 0;
		break;
	case EXPR_MAPPING:
		c->mapping.right = NULL;
		ok = CLONE_CHILD(c->mapping.left, e->mapping.left) &&
		     CLONE_CHILD(c->mapping.right, e->mapping.right);
		break;
	case EXPR_MAP:
		c->map.mappings = NULL;
		ok = CLONE_CHILD(c->map.key, e->map.key) &&
		     CLONE_CHILD(c->map.mappings, e->map.mappings);
		break;
	case EXPR_UNARY:
	case EXPR_BINOP:
	case EXPR_RELATIONAL:
		c->binop.right = NULL;
		ok = CLONE_CHILD(c->binop.left, e->binop.left) &&
		     CLONE_CHILD(c->binop.right, e->binop.right);
		break;
	default:
		break;
	}
	if (!ok) {
		expr_free(c);
		return NULL;
	}
	return c;
}

struct expr *symbol_expr_alloc(const struct location *loc, const char *text, bool quoted)
{
	struct expr *e = expr_alloc(loc, EXPR_SYMBOL);
	size_t n = text ? strlen(text) : 0;

	if (!e)
		return NULL;
	if (n < sizeof(e->sym.text)) {
		memcpy(e->sym.text, text ? text : "", n + 1);
		e->sym.identifier = e->sym.text;
	} else {
		e->sym.identifier = strdup(text);
		if (!e->sym.identifier) {
			pool_free(&expr_pool, e);
			return NULL;
		}
	}
	e->sym.quoted = quoted;
	return e;
}

struct expr *symbol_expr_take(const struct location *loc, char *text, bool quoted)
{
	struct expr *e;

	if (!text || strlen(text) < BNFT_SYM_INLINE) {
		/* short: copied into the expression, the scanner's string
		 * goes straight back to malloc (and is reused for the next) */
		e = symbol_expr_alloc(loc, text, quoted);
		free(text);
		return e;
	}
	e = expr_alloc(loc, EXPR_SYMBOL);
	if (!e) {
		free(text);
		return NULL;
	}
	e->sym.identifier = text;
	e->sym.quoted = quoted;
	return e;
}

char *symbol_take_identifier(struct expr *e)
{
	char *s = e->sym.identifier;

	if (s && s == e->sym.text)
		s = strdup(s);
	e->sym.identifier = NULL;
	return s;
}

struct expr *relational_expr_alloc(const struct location *loc, enum ops op, struct expr *left,
				   struct expr *right)
{
	struct expr *e = expr_alloc(loc, EXPR_RELATIONAL);

	if (!e)
		return NULL;
	e->op = op;
	e->binop.left = left;
	e->binop.right = right;
	return e;
}

struct expr *binop_expr_alloc(const struct location *loc, enum ops op, struct expr *left,
			      struct expr *right)
{
	struct expr *e = expr_alloc(loc, EXPR_BINOP);

	if (!e)
		return NULL;
	e->op = op;
	e->binop.left = left;
	e->binop.right = right;
	return e;
}

struct expr *compound_expr_alloc(const struct location *loc, enum expr_type etype)
{
	return expr_alloc(loc, etype);
}

void compound_expr_add(struct expr *compound, struct expr *e)
{
	list_add_tail(&e->list, &compound->compound.expressions);
	compound->compound.size++;
}

struct expr *verdict_expr_alloc(const struct location *loc, int code, struct expr *chain)
{
	struct expr *e = expr_alloc(loc, EXPR_VERDICT);

	if (!e)
		return NULL;
	e->verdict.code = code;
	e->verdict.chain = chain;
	return e;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

struct stmt *stmt_alloc(const struct location *loc, enum stmt_type type)
{
	struct stmt *s = pool_zalloc(&stmt_pool);

	if (!s)
		return NULL;
	init_list_head(&s->list);
	s->location = loc ? *loc : internal_location;
	s->type = type;
	switch (type) {
	case STMT_SET:
	case STMT_MAP:
		init_list_head(&s->set.stmts);
		break;
	case STMT_REJECT:
		s->reject.type = -1;
		s->reject.icmp_code = -1;
		break;
	case STMT_CT:
		s->ct.direction = -1;
		break;
	default:
		break;
	}
	return s;
}

void stmt_free(struct stmt *s)
{
	if (!s)
		return;
	switch (s->type) {
	case STMT_EXPRESSION:
	case STMT_VERDICT:
	case STMT_OPTSTRIP:
		expr_free(s->expr);
		break;
	case STMT_LOG:
		free(s->log.prefix);
		expr_free(s->log.prefix_expr);
		break;
	case STMT_REJECT:
		expr_free(s->reject.expr);
		break;
	case STMT_NAT:
		expr_free(s->nat.addr);
		expr_free(s->nat.proto);
		break;
	case STMT_META:
		expr_free(s->meta.expr);
		break;
	case STMT_CT:
		expr_free(s->ct.expr);
		break;
	case STMT_PAYLOAD:
	case STMT_EXTHDR:
		expr_free(s->payload.expr);
		expr_free(s->payload.val);
		break;
	case STMT_DUP:
	case STMT_FWD:
		expr_free(s->dup.to);
		expr_free(s->dup.dev);
		break;
	case STMT_QUEUE:
		expr_free(s->queue.queue);
		break;
	case STMT_TPROXY:
		expr_free(s->tproxy.addr);
		expr_free(s->tproxy.port);
		break;
	case STMT_SET:
	case STMT_MAP:
		expr_free(s->set.key);
		expr_free(s->set.data);
		expr_free(s->set.set);
		stmt_list_free(&s->set.stmts);
		break;
	case STMT_OBJREF:
		expr_free(s->objref.expr);
		break;
	case STMT_FLOW_OFFLOAD:
		free(s->flow.table_name);
		break;
	case STMT_XT:
		free(s->xt.name);
		break;
	default:
		break;
	}
	pool_free(&stmt_pool, s);
}

struct stmt *stmt_clone(const struct stmt *s)
{
	struct stmt *c;
	bool ok = true;

	if (!s)
		return NULL;
	c = pool_alloc(&stmt_pool);
	if (!c)
		return NULL;
	memcpy(c, s, sizeof(*c));
	init_list_head(&c->list);
	switch (s->type) {
	case STMT_EXPRESSION:
	case STMT_VERDICT:
	case STMT_OPTSTRIP:
		ok = CLONE_CHILD(c->expr, s->expr);
		break;
	case STMT_LOG:
		c->log.prefix_expr = NULL;
		c->log.prefix = xstrdup_opt(s->log.prefix);
		ok = !s->log.prefix || c->log.prefix;
		ok = ok && CLONE_CHILD(c->log.prefix_expr, s->log.prefix_expr);
		break;
	case STMT_REJECT:
		ok = CLONE_CHILD(c->reject.expr, s->reject.expr);
		break;
	case STMT_NAT:
		c->nat.proto = NULL;
		ok = CLONE_CHILD(c->nat.addr, s->nat.addr) &&
		     CLONE_CHILD(c->nat.proto, s->nat.proto);
		break;
	case STMT_META:
		ok = CLONE_CHILD(c->meta.expr, s->meta.expr);
		break;
	case STMT_CT:
		ok = CLONE_CHILD(c->ct.expr, s->ct.expr);
		break;
	case STMT_PAYLOAD:
	case STMT_EXTHDR:
		c->payload.val = NULL;
		ok = CLONE_CHILD(c->payload.expr, s->payload.expr) &&
		     CLONE_CHILD(c->payload.val, s->payload.val);
		break;
	case STMT_DUP:
	case STMT_FWD:
		c->dup.dev = NULL;
		ok = CLONE_CHILD(c->dup.to, s->dup.to) && CLONE_CHILD(c->dup.dev, s->dup.dev);
		break;
	case STMT_QUEUE:
		ok = CLONE_CHILD(c->queue.queue, s->queue.queue);
		break;
	case STMT_TPROXY:
		c->tproxy.port = NULL;
		ok = CLONE_CHILD(c->tproxy.addr, s->tproxy.addr) &&
		     CLONE_CHILD(c->tproxy.port, s->tproxy.port);
		break;
	case STMT_SET:
	case STMT_MAP:
		c->set.data = NULL;
		c->set.set = NULL;
		init_list_head(&c->set.stmts);
		ok = CLONE_CHILD(c->set.key, s->set.key) && CLONE_CHILD(c->set.data, s->set.data) &&
		     CLONE_CHILD(c->set.set, s->set.set) &&
		     stmt_list_clone(&c->set.stmts, &s->set.stmts) == 0;
		break;
	case STMT_OBJREF:
		ok = CLONE_CHILD(c->objref.expr, s->objref.expr);
		break;
	case STMT_FLOW_OFFLOAD:
		c->flow.table_name = xstrdup_opt(s->flow.table_name);
		ok = !s->flow.table_name || c->flow.table_name;
		break;
	case STMT_XT:
		c->xt.name = xstrdup_opt(s->xt.name);
		ok = !s->xt.name || c->xt.name;
		break;
	default:
		break;
	}
	if (!ok) {
		stmt_free(c);
		return NULL;
	}
	return c;
}

/* ------------------------------------------------------------------ */
/* Handles                                                             */

void handle_free(struct handle *h)
{
	if (!h)
		return;
	free(h->table);
	free(h->chain);
	free(h->set);
	h->table = h->chain = h->set = NULL;
}

void handle_copy(struct handle *dst, const struct handle *src)
{
	*dst = *src;
	dst->table = xstrdup_opt(src->table);
	dst->chain = xstrdup_opt(src->chain);
	dst->set = xstrdup_opt(src->set);
}

struct shared_name {
	unsigned int ref;
	char s[];
};

static struct shared_name *name_of(char *n)
{
	return (struct shared_name *)(n - offsetof(struct shared_name, s));
}

char *name_new(const char *s)
{
	struct shared_name *n;
	size_t l;

	if (!s)
		return NULL;
	l = strlen(s) + 1;
	n = malloc(sizeof(*n) + l);
	if (!n)
		return NULL;
	n->ref = 1;
	memcpy(n->s, s, l);
	return n->s;
}

char *name_ref(char *n)
{
	if (n)
		name_of(n)->ref++;
	return n;
}

void name_unref(char *n)
{
	struct shared_name *sn;

	if (!n)
		return;
	sn = name_of(n);
	if (!--sn->ref)
		free(sn);
}

static void rule_handle_free(struct rule_handle *h)
{
	name_unref(h->table);
	name_unref(h->chain);
	h->table = h->chain = NULL;
}

void rule_set_handle(struct rule *r, const struct handle *h)
{
	if (!r)
		return;
	rule_handle_free(&r->handle);
	r->handle.family = h->family;
	r->handle.table = name_new(h->table);
	r->handle.chain = name_new(h->chain);
	r->handle.handle.id = h->handle.id;
}

/* ------------------------------------------------------------------ */
/* Ruleset objects                                                     */

struct rule *rule_alloc(const struct location *loc, const struct handle *h)
{
	struct rule *r = pool_zalloc(&rule_pool);

	if (!r)
		return NULL;
	init_list_head(&r->list);
	init_list_head(&r->stmts);
	r->location = loc ? *loc : internal_location;
	if (h)
		rule_set_handle(r, h);
	return r;
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	stmt_list_free(&r->stmts);
	rule_handle_free(&r->handle);
	free(r->comment);
	pool_free(&rule_pool, r);
}

struct chain *chain_alloc(const char *name)
{
	struct chain *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	init_list_head(&c->list);
	init_list_head(&c->rules);
	c->location = internal_location;
	c->policy_verdict = -1;
	if (name) {
		c->handle.chain = strdup(name);
		if (!c->handle.chain) {
			free(c);
			return NULL;
		}
	}
	return c;
}

static void devices_free(char **devs, unsigned int n)
{
	unsigned int i;

	if (!devs)
		return;
	for (i = 0; i < n; i++)
		free(devs[i]);
	free(devs);
}

void chain_free(struct chain *c)
{
	struct rule *r, *n;

	if (!c)
		return;
	/* last rule first: the pools hand out freed slots last in, first
	 * out, so the next ruleset parsed gets them in the order they were
	 * first laid out (rule after rule, ascending: a later walk over the
	 * rules streams through memory instead of jumping back 1 KB per rule) */
	list_for_each_entry_safe_reverse(r, n, &c->rules, list) {
		list_del(&r->list);
		rule_free(r);
	}
	handle_free(&c->handle);
	free(c->type);
	free(c->hookstr);
	expr_free(c->priority);
	expr_free(c->policy);
	expr_free(c->dev_expr);
	devices_free(c->devices, c->dev_count);
	free(c->comment);
	free(c);
}

struct set *set_alloc(const struct location *loc)
{
	struct set *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	init_list_head(&s->list);
	init_list_head(&s->stmts);
	s->location = loc ? *loc : internal_location;
	s->refcnt = 1;
	return s;
}

void set_free(struct set *s)
{
	if (!s)
		return;
	if (s->refcnt > 1) {
		s->refcnt--;
		return;
	}
	handle_free(&s->handle);
	expr_free(s->key);
	expr_free(s->data);
	expr_free(s->init);
	stmt_list_free(&s->stmts);
	free(s->comment);
	free(s);
}

struct obj *obj_alloc(const struct location *loc)
{
	struct obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	init_list_head(&o->list);
	o->location = loc ? *loc : internal_location;
	return o;
}

void obj_free(struct obj *o)
{
	if (!o)
		return;
	if (o->type == NFT_OBJECT_CT_TIMEOUT && o->ct_timeout.timeout_list.next) {
		struct timeout_state *ts, *n;

		list_for_each_entry_safe(ts, n, &o->ct_timeout.timeout_list, head) {
			list_del(&ts->head);
			free(ts->state_str);
			free(ts);
		}
	}
	handle_free(&o->handle);
	free(o->comment);
	free(o);
}

struct flowtable *flowtable_alloc(const struct location *loc)
{
	struct flowtable *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	init_list_head(&f->list);
	f->location = loc ? *loc : internal_location;
	return f;
}

void flowtable_free(struct flowtable *f)
{
	if (!f)
		return;
	handle_free(&f->handle);
	free(f->hookstr);
	expr_free(f->priority);
	expr_free(f->dev_expr);
	devices_free(f->devices, f->dev_count);
	free(f);
}

struct table *table_alloc(void)
{
	struct table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	init_list_head(&t->list);
	init_list_head(&t->chains);
	init_list_head(&t->sets);
	init_list_head(&t->objs);
	init_list_head(&t->flowtables);
	t->location = internal_location;
	return t;
}

void table_free(struct table *t)
{
	struct chain *c, *cn;
	struct set *s, *sn;
	struct obj *o, *on;
	struct flowtable *f, *fn;

	if (!t)
		return;
	list_for_each_entry_safe(c, cn, &t->chains, list) {
		list_del(&c->list);
		chain_free(c);
	}
	list_for_each_entry_safe(s, sn, &t->sets, list) {
		list_del(&s->list);
		set_free(s);
	}
	list_for_each_entry_safe(o, on, &t->objs, list) {
		list_del(&o->list);
		obj_free(o);
	}
	list_for_each_entry_safe(f, fn, &t->flowtables, list) {
		list_del(&f->list);
		flowtable_free(f);
	}
	handle_free(&t->handle);
	free(t->comment);
	free(t);
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

struct cmd *cmd_alloc(enum cmd_op op, enum cmd_obj obj, const struct handle *h,
		      const struct location *loc, void *data)
{
	struct cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	init_list_head(&c->list);
	c->op = op;
	c->obj = obj;
	if (h)
		handle_copy(&c->handle, h);
	c->location = loc ? *loc : internal_location;
	c->data = data;
	return c;
}

static void cmd_data_free(enum cmd_obj obj, void *data)
{
	if (!data)
		return;
	switch (obj) {
	case CMD_OBJ_TABLE:
		table_free(data);
		break;
	case CMD_OBJ_CHAIN:
		chain_free(data);
		break;
	case CMD_OBJ_RULE:
		rule_free(data);
		break;
	case CMD_OBJ_SET:
	case CMD_OBJ_MAP:
	case CMD_OBJ_METER:
		set_free(data);
		break;
	case CMD_OBJ_ELEMENTS:
	case CMD_OBJ_SETELEMS:
	case CMD_OBJ_EXPR:
		expr_free(data);
		break;
	case CMD_OBJ_COUNTER:
	case CMD_OBJ_QUOTA:
	case CMD_OBJ_CT_HELPER:
	case CMD_OBJ_LIMIT:
	case CMD_OBJ_SECMARK:
	case CMD_OBJ_CT_TIMEOUT:
	case CMD_OBJ_CT_EXPECT:
	case CMD_OBJ_SYNPROXY:
		obj_free(data);
		break;
	case CMD_OBJ_FLOWTABLE:
		flowtable_free(data);
		break;
	default:
		/* list/monitor commands carry no data */
		break;
	}
}

void cmd_free(struct cmd *c)
{
	if (!c)
		return;
	cmd_data_free(c->obj, c->data);
	handle_free(&c->handle);
	free(c->arg);
	free(c);
}

void ruleset_src_init(struct ruleset_src *rs)
{
	init_list_head(&rs->cmds);
	init_list_head(&rs->inputs);
}

void ruleset_src_release(struct ruleset_src *rs)
{
	struct cmd *c, *cn;
	struct input_desc *i, *in;

	if (!rs->cmds.next)
		return;
	list_for_each_entry_safe(c, cn, &rs->cmds, list) {
		list_del(&c->list);
		cmd_free(c);
	}
	list_for_each_entry_safe(i, in, &rs->inputs, list) {
		list_del(&i->list);
		free((void *)i->included_from);
		free(i->name);
		free(i->buf);
		free(i);
	}
}

/* ------------------------------------------------------------------ */
/* Names                                                               */

const char *expr_type_name(enum expr_type t)
{
	static const char *const names[EXPR_MAX] = {
		[EXPR_INVALID] = "invalid",	 [EXPR_VERDICT] = "verdict",
		[EXPR_SYMBOL] = "symbol",	 [EXPR_VARIABLE] = "variable",
		[EXPR_VALUE] = "value",		 [EXPR_PREFIX] = "prefix",
		[EXPR_RANGE] = "range",		 [EXPR_PAYLOAD] = "payload",
		[EXPR_EXTHDR] = "exthdr",	 [EXPR_META] = "meta",
		[EXPR_SOCKET] = "socket",	 [EXPR_OSF] = "osf",
		[EXPR_CT] = "ct",		 [EXPR_RT] = "rt",
		[EXPR_FIB] = "fib",		 [EXPR_NUMGEN] = "numgen",
		[EXPR_HASH] = "hash",		 [EXPR_XFRM] = "ipsec",
		[EXPR_CONCAT] = "concat",	 [EXPR_LIST] = "list",
		[EXPR_SET] = "set",		 [EXPR_SET_REF] = "set reference",
		[EXPR_SET_ELEM] = "set element", [EXPR_SET_ELEM_CATCHALL] = "catch-all set element",
		[EXPR_MAPPING] = "mapping",	 [EXPR_MAP] = "map",
		[EXPR_UNARY] = "unary",		 [EXPR_BINOP] = "binop",
		[EXPR_RELATIONAL] = "relational", [EXPR_TUNNEL] = "tunnel",
	};

	if ((unsigned int)t >= EXPR_MAX || !names[t])
		return "unknown";
	return names[t];
}

const char *stmt_type_name(enum stmt_type t)
{
	static const char *const names[STMT_MAX] = {
		[STMT_INVALID] = "invalid",	[STMT_EXPRESSION] = "expression",
		[STMT_VERDICT] = "verdict",	[STMT_COUNTER] = "counter",
		[STMT_LOG] = "log",		[STMT_LIMIT] = "limit",
		[STMT_QUOTA] = "quota",		[STMT_REJECT] = "reject",
		[STMT_NAT] = "nat",		[STMT_META] = "meta",
		[STMT_CT] = "ct",		[STMT_PAYLOAD] = "payload",
		[STMT_EXTHDR] = "exthdr",	[STMT_DUP] = "dup",
		[STMT_FWD] = "fwd",		[STMT_QUEUE] = "queue",
		[STMT_SYNPROXY] = "synproxy",	[STMT_TPROXY] = "tproxy",
		[STMT_SET] = "set",		[STMT_MAP] = "map",
		[STMT_OBJREF] = "objref",	[STMT_NOTRACK] = "notrack",
		[STMT_FLOW_OFFLOAD] = "flow_offload", [STMT_LAST] = "last",
		[STMT_CONNLIMIT] = "connlimit", [STMT_OPTSTRIP] = "optstrip",
		[STMT_XT] = "xt",
	};

	if ((unsigned int)t >= STMT_MAX || !names[t])
		return "unknown";
	return names[t];
}
