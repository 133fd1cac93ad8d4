// SPDX-License-Identifier: GPL-2.0
/*
 * Commands: evaluate each command of an input and apply it to the ruleset
 * the way the kernel would (one transaction for the whole input). Table
 * blocks are expanded like nft does: the table, its chains, objects, sets,
 * flowtables, then the rules, which fixes the order handles are handed out.
 *
 * Errors come in two kinds, as with nft: evaluation errors (nothing is sent
 * to the kernel) and the kernel's own refusals ("Could not process rule:
 * ..."), which nft only gets to see when evaluation passed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/evaluate.h"
#include "parser/print.h"
#include "parser/value.h"

void eval_commit_pending_sets(struct eval_ctx *ctx);
void eval_drop_pending_sets(struct eval_ctx *ctx);
int set_elems_evaluate(struct eval_ctx *ctx, struct set *s, struct expr *elems);

/* A refusal the kernel would report for the message of this command. */
int kernel_error(struct eval_ctx *ctx, const struct location *loc, int err)
{
	struct error_record *erec;

	erec = erec_create(EREC_ERROR, loc ? loc : &internal_location,
			   "Could not process rule: %s", strerror(err));
	if (erec)
		erec_queue(erec, ctx->kmsgs);
	ctx->kerrs++;
	return -1;
}

static const struct location *loc_or(const struct location *a, const struct location *b)
{
	return a && a->indesc ? a : b;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void handle_fill(struct handle *h, const struct table *t, const char *chain)
{
	h->family = t->handle.family;
	if (!h->table)
		h->table = xstrdup(t->handle.table);
	if (chain && !h->chain)
		h->chain = xstrdup(chain);
}

/* handle_fill for a rule: its names are shared (struct rule) */
static void rule_handle_fill(struct rule *r, const struct table *t, const char *chain)
{
	r->handle.family = t->handle.family;
	if (!r->handle.table)
		r->handle.table = name_new(t->handle.table);
	if (chain && !r->handle.chain)
		r->handle.chain = name_new(chain);
}

static struct table *cmd_table(struct eval_ctx *ctx, const struct cmd *cmd, bool report)
{
	struct table *t = ruleset_table_lookup(ctx->rs, cmd->handle.family, cmd->handle.table);

	if (t || !report)
		return t;
	/* nft's own cache check catches most of these; rules go to the kernel */
	if (cmd->obj == CMD_OBJ_RULE || cmd->op == CMD_DELETE || cmd->op == CMD_DESTROY)
		kernel_error(ctx, loc_or(&cmd->handle.table_loc, &cmd->location), ENOENT);
	else
		eval_error(ctx, loc_or(&cmd->handle.table_loc, &cmd->location),
			   "No such file or directory");
	return t;
}

static unsigned int cmd_obj_type(enum cmd_obj obj)
{
	switch (obj) {
	case CMD_OBJ_COUNTER:
	case CMD_OBJ_COUNTERS:
		return NFT_OBJECT_COUNTER;
	case CMD_OBJ_QUOTA:
	case CMD_OBJ_QUOTAS:
		return NFT_OBJECT_QUOTA;
	case CMD_OBJ_CT_HELPER:
	case CMD_OBJ_CT_HELPERS:
		return NFT_OBJECT_CT_HELPER;
	case CMD_OBJ_LIMIT:
	case CMD_OBJ_LIMITS:
		return NFT_OBJECT_LIMIT;
	case CMD_OBJ_SECMARK:
	case CMD_OBJ_SECMARKS:
		return NFT_OBJECT_SECMARK;
	case CMD_OBJ_CT_TIMEOUT:
	case CMD_OBJ_CT_TIMEOUTS:
		return NFT_OBJECT_CT_TIMEOUT;
	case CMD_OBJ_CT_EXPECT:
	case CMD_OBJ_CT_EXPECTATIONS:
		return NFT_OBJECT_CT_EXPECT;
	case CMD_OBJ_SYNPROXY:
	case CMD_OBJ_SYNPROXYS:
		return NFT_OBJECT_SYNPROXY;
	default:
		return 0;
	}
}

static int elems_clash(struct eval_ctx *ctx, const struct set *s, const struct expr *elems,
		       bool create);

/* ---------------------------------------------------------------- echo */

static bool echo_on(const struct eval_ctx *ctx)
{
	return ctx->octx && ctx->octx->echo;
}

static void echo_handle(struct eval_ctx *ctx, uint64_t handle)
{
	if (ctx->octx->handle)
		outbuf_printf(&ctx->echo, " # handle %llu", (unsigned long long)handle);
	outbuf_puts(&ctx->echo, "\n");
}

static void echo_table(struct eval_ctx *ctx, const struct table *t)
{
	if (!echo_on(ctx))
		return;
	outbuf_printf(&ctx->echo, "add table %s %s", family_name(t->handle.family),
		      t->handle.table);
	echo_handle(ctx, t->handle.handle.id);
}

static void echo_chain(struct eval_ctx *ctx, const struct table *t, const struct chain *c)
{
	if (!echo_on(ctx))
		return;
	outbuf_printf(&ctx->echo, "add chain %s %s %s", family_name(t->handle.family),
		      t->handle.table, c->handle.chain);
	if (c->flags & CHAIN_F_BASECHAIN) {
		outbuf_printf(&ctx->echo, " { type %s hook %s", c->type ? c->type : "filter",
			      print_hook_name(t->handle.family, c->hooknum));
		if (c->dev_count == 1)
			outbuf_printf(&ctx->echo, " device \"%s\"", c->devices[0]);
		outbuf_puts(&ctx->echo, " priority ");
		prio_print(c->prio, t->handle.family, c->hooknum, ctx->octx, &ctx->echo);
		outbuf_printf(&ctx->echo, "; policy %s; }",
			      c->policy_verdict == NF_DROP ? "drop" : "accept");
	}
	echo_handle(ctx, c->handle.handle.id);
}

static void echo_rule(struct eval_ctx *ctx, const struct table *t, const struct chain *c,
		      const struct rule *r, enum cmd_op op)
{
	if (!echo_on(ctx))
		return;
	outbuf_printf(&ctx->echo, "%s rule %s %s %s ",
		      op == CMD_INSERT ? "insert" : op == CMD_REPLACE ? "replace" : "add",
		      family_name(t->handle.family), t->handle.table, c->handle.chain);
	bnft_print_rule(r, t->handle.family, ctx->octx, &ctx->echo); /* adds # handle */
	outbuf_puts(&ctx->echo, "\n");
}

/* ---------------------------------------------------------------- jumps */

static int verdict_targets_check(struct eval_ctx *ctx, const struct expr *e);

int set_targets_check(struct eval_ctx *ctx, const struct expr *set)
{
	const struct expr *i, *c;

	if (!set || set->etype != EXPR_SET)
		return 0;
	list_for_each_entry(i, &EXPR_COMPOUND(set).expressions, list) {
		if (i->etype != EXPR_MAPPING || i->mapping.right->etype != EXPR_VERDICT)
			continue;
		c = i->mapping.right->verdict.chain;
		/* the kernel's refusal points at the element */
		if (c && c->etype == EXPR_SYMBOL) {
			const struct chain *target = table_chain_lookup(ctx->table, c->sym.identifier);

			if (!target)
				return kernel_error(ctx, &i->mapping.left->location, ENOENT);
			if (target->flags & CHAIN_F_BASECHAIN)
				return kernel_error(ctx, &i->mapping.left->location, EOPNOTSUPP);
		}
	}
	return 0;
}

static int verdict_targets_check(struct eval_ctx *ctx, const struct expr *e)
{
	const struct expr *c;

	if (!e)
		return 0;
	switch (e->etype) {
	case EXPR_VERDICT: {
		const struct chain *target;

		c = e->verdict.chain;
		if (!c || c->etype != EXPR_SYMBOL)
			return 0;
		target = table_chain_lookup(ctx->table, c->sym.identifier);
		if (!target)
			return kernel_error(ctx, &c->location, ENOENT);
		if (target->flags & CHAIN_F_BASECHAIN)
			return kernel_error(ctx, &c->location, EOPNOTSUPP);
		return 0;
	}
	case EXPR_MAP:
		return set_targets_check(ctx, e->map.mappings);
	default:
		return 0;
	}
}

static int rule_targets_check(struct eval_ctx *ctx, const struct rule *r)
{
	const struct stmt *s;

	list_for_each_entry(s, &r->stmts, list)
		if ((s->type == STMT_VERDICT || s->type == STMT_EXPRESSION) &&
		    verdict_targets_check(ctx, s->expr) < 0)
			return -1;
	return 0;
}

/* ---------------------------------------------------------------- add */

static struct rule *rule_at_index(struct chain *c, uint64_t idx)
{
	struct rule *r;
	uint64_t n = 0;

	list_for_each_entry(r, &c->rules, list)
		if (n++ == idx)
			return r;
	return NULL;
}

static bool binding_name_used(const struct table *t, const char *name)
{
	const struct chain *c;
	const struct rule *r;
	const struct stmt *s;

	list_for_each_entry(c, &t->chains, list)
		list_for_each_entry(r, &c->rules, list)
			list_for_each_entry(s, &r->stmts, list)
				if (s->type == STMT_VERDICT && s->expr &&
				    s->expr->etype == EXPR_VERDICT && s->expr->verdict.binding &&
				    s->expr->verdict.binding->handle.chain &&
				    !strcmp(s->expr->verdict.binding->handle.chain, name))
					return true;
	return false;
}

/*
 * "jump { ... }": the kernel creates the anonymous chain __chain%d and its
 * rules before the rule that jumps to it, so they take the handles first.
 * The chain stays owned by the verdict (the printer lists it inline).
 */
static int binding_chain_add(struct eval_ctx *ctx, struct table *t, struct chain *bc,
			     unsigned int *next_idx)
{
	struct rule *r;
	char name[32];
	int err = 0;

	do
		snprintf(name, sizeof(name), "__chain%u", (*next_idx)++);
	while (binding_name_used(t, name));
	free(bc->handle.chain);
	bc->handle.chain = strdup(name);
	handle_fill(&bc->handle, t, NULL);
	bc->flags |= CHAIN_F_BINDING;
	bc->handle.handle.id = ruleset_alloc_handle(ctx->rs, t);
	list_for_each_entry(r, &bc->rules, list) {
		ctx->chain = bc;
		init_list_head(&ctx->pending_sets);
		if (rule_evaluate(ctx, r) < 0 || rule_targets_check(ctx, r) < 0) {
			eval_drop_pending_sets(ctx);
			err = -1;
			break;
		}
		eval_commit_pending_sets(ctx);
		rule_handle_fill(r, t, name);
		r->handle.handle.id = ruleset_alloc_handle(ctx->rs, t);
	}
	return err;
}

static int rule_binding_chains(struct eval_ctx *ctx, struct table *t, struct rule *r)
{
	unsigned int idx = 0;
	struct stmt *s;

	list_for_each_entry(s, &r->stmts, list)
		if (s->type == STMT_VERDICT && s->expr && s->expr->etype == EXPR_VERDICT &&
		    s->expr->verdict.binding &&
		    binding_chain_add(ctx, t, s->expr->verdict.binding, &idx) < 0)
			return -1;
	return 0;
}

/* Evaluate rule r (owned) and link it into chain c per op/position. */
static int do_add_rule(struct eval_ctx *ctx, struct table *t, struct chain *c, struct rule *r,
		       enum cmd_op op, const struct handle *h)
{
	struct list_head *after;
	struct rule *target = NULL;
	unsigned int nerrs = ctx->nerrs;

	ctx->table = t;
	ctx->family = t->handle.family;
	if (rule_binding_chains(ctx, t, r) < 0) {
		rule_free(r);
		return -1;
	}
	ctx->chain = c;
	init_list_head(&ctx->pending_sets);
	if (rule_evaluate(ctx, r) < 0 || ctx->nerrs != nerrs) {
		eval_drop_pending_sets(ctx);
		rule_free(r);
		return -1;
	}
	/* position */
	if (op == CMD_REPLACE) {
		target = chain_rule_lookup_handle(c, h->handle.id);
		if (!target) {
			eval_drop_pending_sets(ctx);
			rule_free(r);
			return kernel_error(ctx, loc_or(&h->handle.location, &r->location), ENOENT);
		}
		after = &target->list;
	} else if (h && h->position.id) {
		target = chain_rule_lookup_handle(c, h->position.id);
		if (!target) {
			struct location pl = loc_extend_back(loc_or(&h->position.location,
								    &r->location),
							     "position");

			eval_drop_pending_sets(ctx);
			rule_free(r);
			return kernel_error(ctx, &pl, ENOENT);
		}
		after = op == CMD_INSERT ? target->list.prev : &target->list;
	} else if (h && h->index.id) {
		target = rule_at_index(c, h->index.id - 1);
		if (!target) {
			struct location il = loc_extend_back(loc_or(&h->index.location, &r->location),
							     "index");

			eval_drop_pending_sets(ctx);
			rule_free(r);
			return kernel_error(ctx, &il, ENOENT);
		}
		after = op == CMD_INSERT ? target->list.prev : &target->list;
	} else {
		after = op == CMD_INSERT ? &c->rules : c->rules.prev;
	}
	if (rule_targets_check(ctx, r) < 0) {
		eval_drop_pending_sets(ctx);
		rule_free(r);
		return -1;
	}
	eval_commit_pending_sets(ctx);
	rule_handle_fill(r, t, c->handle.chain);
	/* the kernel keeps a replaced rule's handle and allocates none; it
	 * reports the old rule's removal first (nft monitor) */
	r->handle.handle.id = op == CMD_REPLACE ? target->handle.handle.id
						: ruleset_alloc_handle(ctx->rs, t);
	if (op == CMD_REPLACE) {
		after = target->list.prev;
		ruleset_del_rule(ctx->rs, t, target);
	}
	ctx->rs->link_insert = op == CMD_INSERT; /* nft monitor: "insert rule" */
	ruleset_link_rule(ctx->rs, c, after, r);
	ctx->rs->link_insert = false;
	echo_rule(ctx, t, c, r, op);
	return 0;
}

/* Add chain c (owned); returns the chain in the ruleset or NULL. */
static struct chain *do_add_chain(struct eval_ctx *ctx, struct table *t, struct chain *c,
				  bool create)
{
	struct chain *old = table_chain_lookup(t, c->handle.chain);

	ctx->table = t;
	ctx->family = t->handle.family;
	if (old) {
		if (create) {
			kernel_error(ctx, loc_or(&c->handle.chain_loc, &c->location), EEXIST);
			chain_free(c);
			return NULL;
		}
		if (c->has_hook || c->has_type || c->hookstr) {
			if (chain_evaluate(ctx, c) < 0) {
				chain_free(c);
				return NULL;
			}
			if (!(old->flags & CHAIN_F_BASECHAIN) || old->hooknum != c->hooknum ||
			    old->prio != c->prio) {
				kernel_error(ctx, &ctx->cmd->location, EOPNOTSUPP);
				chain_free(c);
				return NULL;
			}
			if (c->policy_verdict >= 0) {
				ruleset_save_int(ctx->rs, &old->policy_verdict);
				old->policy_verdict = c->policy_verdict;
			}
		}
		chain_free(c);
		return old;
	}
	if (chain_evaluate(ctx, c) < 0) {
		chain_free(c);
		return NULL;
	}
	handle_fill(&c->handle, t, NULL);
	c->handle.handle.id = ruleset_alloc_handle(ctx->rs, t);
	ruleset_add_chain(ctx->rs, t, c);
	echo_chain(ctx, t, c);
	return c;
}

/* "add set" of an existing name with another key or data type */
/* The kernel also refuses (EEXIST) a declaration whose flags or per-element
 * statements (count and kind) differ from the existing set's. */
static bool set_stmts_differ(const struct set *a, const struct set *b)
{
	const struct list_head *la = &a->stmts, *lb = &b->stmts;

	for (la = la->next, lb = lb->next; la != &a->stmts && lb != &b->stmts;
	     la = la->next, lb = lb->next)
		if (list_entry(la, struct stmt, list)->type != list_entry(lb, struct stmt, list)->type)
			return true;
	return la != &a->stmts || lb != &b->stmts;
}

static bool set_type_differs(struct eval_ctx *ctx, struct set *s, const struct set *old)
{
	struct list_head *msgs = ctx->msgs, scratch;
	unsigned int nerrs = ctx->nerrs;
	struct expr *init = s->init;
	bool differs;

	/* evaluate the new declaration's types only, quietly */
	init_list_head(&scratch);
	ctx->msgs = &scratch;
	s->init = NULL;
	differs = set_evaluate(ctx, s) == 0 &&
		  (!datatype_equal(s->key->dtype, old->key->dtype) ||
		   !s->data != !old->data ||
		   (s->data && old->data && !datatype_equal(s->data->dtype, old->data->dtype)) ||
		   s->flags != old->flags || set_stmts_differ(s, old));
	s->init = init;
	erec_free_list(&scratch);
	ctx->msgs = msgs;
	ctx->nerrs = nerrs;
	return differs;
}

static int do_add_set(struct eval_ctx *ctx, struct table *t, struct set *s, bool create)
{
	struct set *old = table_set_lookup(t, s->handle.set);

	ctx->table = t;
	ctx->family = t->handle.family;
	if (old) {
		if (create) {
			kernel_error(ctx, loc_or(&s->handle.set_loc, &s->location), EEXIST);
			set_free(s);
			return -1;
		}
		if (s->key && old->key && set_type_differs(ctx, s, old)) {
			kernel_error(ctx, loc_or(&s->handle.set_loc, &s->location), EEXIST);
			set_free(s);
			return -1;
		}
		if (s->init && !list_empty(&EXPR_COMPOUND(s->init).expressions)) {
			struct expr *elems = s->init;
			int rc;

			s->init = NULL;
			rc = set_elems_evaluate(ctx, old, elems);
			if (rc == 0) {
				ruleset_save_set_elems(ctx->rs, old);
				if (!old->init) {
					old->init = compound_expr_alloc(&elems->location, EXPR_SET);
				}
				list_splice_tail_init(&EXPR_COMPOUND(elems).expressions,
						      &EXPR_COMPOUND(old->init).expressions);
				rc = set_elems_normalize(ctx, old, old->init);
			}
			expr_free(elems);
			set_free(s);
			return rc;
		}
		set_free(s);
		return 0;
	}
	/* verdict targets can only be in maps (a mapping in a set fails above) */
	if (set_evaluate(ctx, s) < 0 || (s->init && s->data && set_targets_check(ctx, s->init) < 0)) {
		set_free(s);
		return -1;
	}
	handle_fill(&s->handle, t, NULL);
	s->handle.handle.id = ruleset_alloc_handle(ctx->rs, t);
	ruleset_add_set(ctx->rs, t, s);
	return 0;
}

static int do_add_obj(struct eval_ctx *ctx, struct table *t, struct obj *o, bool create)
{
	struct obj *old = table_obj_lookup(t, o->type, o->handle.set);

	ctx->table = t;
	ctx->family = t->handle.family;
	if (old) {
		if (create) {
			kernel_error(ctx, loc_or(&o->handle.set_loc, &o->location), EEXIST);
			obj_free(o);
			return -1;
		}
		obj_free(o);
		return 0;
	}
	if (obj_evaluate(ctx, o) < 0) {
		obj_free(o);
		return -1;
	}
	handle_fill(&o->handle, t, NULL);
	o->handle.handle.id = ruleset_alloc_handle(ctx->rs, t);
	ruleset_add_obj(ctx->rs, t, o);
	return 0;
}

static int do_add_flowtable(struct eval_ctx *ctx, struct table *t, struct flowtable *f,
			    bool create)
{
	struct flowtable *old = table_flowtable_lookup(t, f->handle.set);

	ctx->table = t;
	ctx->family = t->handle.family;
	if (old) {
		if (create) {
			kernel_error(ctx, loc_or(&f->handle.set_loc, &f->location), EEXIST);
			flowtable_free(f);
			return -1;
		}
		flowtable_free(f);
		return 0;
	}
	if (flowtable_evaluate(ctx, f) < 0) {
		flowtable_free(f);
		return -1;
	}
	handle_fill(&f->handle, t, NULL);
	f->handle.handle.id = ruleset_alloc_handle(ctx->rs, t);
	ruleset_add_flowtable(ctx->rs, t, f);
	return 0;
}

struct pending_rules {
	struct chain *chain;
	struct list_head rules;
};

static int do_add_table(struct eval_ctx *ctx, struct cmd *cmd, bool create)
{
	struct table *src = cmd->table, *t;
	struct pending_rules *pr = NULL;
	unsigned int npr = 0, i;
	struct chain *c, *cn;
	struct set *s, *sn;
	struct obj *o, *on;
	struct flowtable *f, *fn;
	const char *name = cmd->handle.table ? cmd->handle.table : (src ? src->handle.table : NULL);
	unsigned int family = cmd->handle.family ? cmd->handle.family
						 : (src ? src->handle.family : NFPROTO_IPV4);
	int err = 0;

	if (!name)
		return eval_error(ctx, &cmd->location, "table name missing");
	if (strlen(name) >= NFT_TABLE_MAXNAMELEN)
		return eval_error(ctx, loc_or(&cmd->handle.table_loc, &cmd->location),
				  "Table name too long");
	t = ruleset_table_lookup(ctx->rs, family, name);
	if (t && create)
		return kernel_error(ctx, loc_or(&cmd->handle.table_loc, &cmd->location), EEXIST);
	if (!t) {
		t = table_alloc();
		if (!t)
			return eval_error(ctx, &cmd->location, "out of memory");
		t->location = cmd->location;
		t->handle.family = family;
		t->handle.table = strdup(name);
		t->handle.table_loc = cmd->handle.table_loc;
		if (src) {
			t->flags = src->flags;
			t->comment = xstrdup(src->comment);
		}
		t->handle.handle.id = ruleset_alloc_handle(ctx->rs, NULL);
		ruleset_add_table(ctx->rs, t);
		echo_table(ctx, t);
	} else if (src && src->flags != t->flags) {
		ruleset_save_uint(ctx->rs, &t->flags);
		t->flags = src->flags;
	}
	if (!src)
		return 0;

	/* chains first (rules held back), then objects, sets, flowtables */
	list_for_each_entry(c, &src->chains, list)
		npr++;
	if (npr) {
		pr = calloc(npr, sizeof(*pr));
		if (!pr)
			return eval_error(ctx, &cmd->location, "out of memory");
	}
	i = 0;
	list_for_each_entry_safe(c, cn, &src->chains, list) {
		struct chain *res;

		list_del(&c->list);
		init_list_head(&pr[i].rules);
		list_splice_tail_init(&c->rules, &pr[i].rules);
		if (!c->handle.chain && cmd->handle.chain)
			c->handle.chain = strdup(cmd->handle.chain);
		res = do_add_chain(ctx, t, c, false);
		if (!res)
			err = -1;
		pr[i++].chain = res;
	}
	list_for_each_entry_safe(o, on, &src->objs, list) {
		list_del(&o->list);
		if (do_add_obj(ctx, t, o, false) < 0)
			err = -1;
	}
	list_for_each_entry_safe(s, sn, &src->sets, list) {
		list_del(&s->list);
		if (do_add_set(ctx, t, s, false) < 0)
			err = -1;
	}
	list_for_each_entry_safe(f, fn, &src->flowtables, list) {
		list_del(&f->list);
		if (do_add_flowtable(ctx, t, f, false) < 0)
			err = -1;
	}
	for (i = 0; i < npr; i++) {
		struct rule *r, *rn;

		list_for_each_entry_safe(r, rn, &pr[i].rules, list) {
			list_del(&r->list);
			if (!pr[i].chain) {
				rule_free(r);
				continue;
			}
			if (do_add_rule(ctx, t, pr[i].chain, r, CMD_ADD, NULL) < 0)
				err = -1;
		}
	}
	free(pr);
	return err;
}

/*
 * Elements added to a plain set (one value per key: no intervals, maps,
 * concatenations, strings) go to their sorted place one by one, each link
 * in the undo log, which is what setelem_normalize() would produce (sorted
 * by value, duplicates dropped) without copying and sorting the whole set:
 * one pass instead of ~100 ms at 100k elements. Returns 1 when done (elems
 * consumed), 0 when the general path must do it (nothing changed), -1 when
 * out of memory (nothing changed).
 */
struct new_elem {
	uint8_t k[BNFT_VALUE_MAX];
	struct expr *el;
	struct list_head *after;
};

static unsigned int add_sort_nb;

static int new_elem_cmp(const void *a, const void *b)
{
	return memcmp(((const struct new_elem *)a)->k, ((const struct new_elem *)b)->k,
		      add_sort_nb);
}

static bool plain_key(const struct expr *el, unsigned int nb, uint8_t *k)
{
	const struct datatype *d;
	const struct expr *key;

	if (el->etype != EXPR_SET_ELEM || !el->elem.key || el->elem.key->etype != EXPR_VALUE)
		return false;
	key = el->elem.key;
	for (d = key->dtype; d; d = d->basetype)
		if (d->type == TYPE_STRING || d->type == TYPE_IFNAME)
			return false;
	eval_value_be(key, k, nb);
	return true;
}

static int elems_add_sorted(struct eval_ctx *ctx, struct set *s, struct expr *elems)
{
	unsigned int nb = value_bytes(s->key->len), n = 0, i, j, added = 0;
	struct list_head *head, *last_at = NULL;
	struct expr *last = NULL;
	struct new_elem *nw;
	struct expr *e, *tmp;
	uint8_t k[BNFT_VALUE_MAX];

	if (!s->init || s->init->etype != EXPR_SET || !nb || nb > BNFT_VALUE_MAX ||
	    (s->flags & (NFT_SET_INTERVAL | NFT_SET_MAP | NFT_SET_CONCAT | NFT_SET_OBJECT)) ||
	    (s->key->dtype && s->key->dtype->subtypes))
		return 0;
	list_for_each_entry(e, &EXPR_COMPOUND(elems).expressions, list)
		n++;
	nw = calloc(n ? n : 1, sizeof(*nw));
	if (!nw)
		return -1;
	i = 0;
	list_for_each_entry(e, &EXPR_COMPOUND(elems).expressions, list) {
		if (!plain_key(e, nb, nw[i].k)) {
			free(nw);
			return 0;
		}
		nw[i++].el = e;
	}
	add_sort_nb = nb;
	qsort(nw, n, sizeof(*nw), new_elem_cmp);
	/* where each goes: after the last element with a smaller key */
	head = &EXPR_COMPOUND(s->init).expressions;
	j = 0;
	list_for_each_entry(e, head, list) {
		if (!plain_key(e, nb, k)) {
			free(nw);
			return 0;
		}
		for (; j < n && memcmp(nw[j].k, k, nb) <= 0; j++)
			nw[j].after = memcmp(nw[j].k, k, nb) ? e->list.prev : NULL;
	}
	for (; j < n; j++)
		nw[j].after = head->prev;
	/* from here on it cannot fail */
	list_for_each_entry_safe(e, tmp, &EXPR_COMPOUND(elems).expressions, list)
		list_del(&e->list);
	ruleset_save_uint(ctx->rs, &EXPR_COMPOUND(s->init).size);
	ctx->rs->elem_set = s; /* for the change hook */
	for (i = 0; i < n; i++) {
		struct list_head *at = nw[i].after;

		/* duplicates (of the set, or of an earlier new one) are dropped */
		if (!at || (i && !memcmp(nw[i].k, nw[i - 1].k, nb))) {
			expr_free(nw[i].el);
			continue;
		}
		/* new ones with the same place go in key order */
		if (last && at == last_at)
			at = &last->list;
		last_at = nw[i].after;
		last = nw[i].el;
		ruleset_link_expr(ctx->rs, at, nw[i].el);
		added++;
	}
	ctx->rs->elem_set = NULL;
	EXPR_COMPOUND(s->init).size += added;
	ctx->cmd->expr = NULL;
	expr_free(elems);
	free(nw);
	return 1;
}

static int cmd_add(struct eval_ctx *ctx, struct cmd *cmd)
{
	bool create = cmd->op == CMD_CREATE;
	struct table *t;
	struct chain *c;
	int rc;

	if (cmd->obj == CMD_OBJ_TABLE)
		return do_add_table(ctx, cmd, create);

	t = cmd_table(ctx, cmd, true);
	if (!t)
		return -1;
	ctx->table = t;
	ctx->family = t->handle.family;

	switch (cmd->obj) {
	case CMD_OBJ_CHAIN:
		c = cmd->chain;
		cmd->chain = NULL;
		if (!c)
			c = chain_alloc(cmd->handle.chain);
		if (!c)
			return eval_error(ctx, &cmd->location, "out of memory");
		if (!c->handle.chain)
			c->handle.chain = xstrdup(cmd->handle.chain);
		if (!c->handle.chain_loc.indesc)
			c->handle.chain_loc = cmd->handle.chain_loc;
		{
			struct list_head rules;
			struct rule *r, *rn;
			struct chain *res;

			init_list_head(&rules);
			list_splice_tail_init(&c->rules, &rules);
			res = do_add_chain(ctx, t, c, create);
			rc = res ? 0 : -1;
			list_for_each_entry_safe(r, rn, &rules, list) {
				list_del(&r->list);
				if (!res)
					rule_free(r);
				else if (do_add_rule(ctx, t, res, r, CMD_ADD, NULL) < 0)
					rc = -1;
			}
		}
		return rc;
	case CMD_OBJ_RULE: {
		struct rule *r = cmd->rule;

		c = table_chain_lookup(t, cmd->handle.chain);
		if (!c)
			return kernel_error(ctx, loc_or(&cmd->handle.chain_loc, &cmd->location),
					    ENOENT);
		cmd->rule = NULL;
		return do_add_rule(ctx, t, c, r, cmd->op, &cmd->handle);
	}
	case CMD_OBJ_SET:
	case CMD_OBJ_MAP:
	case CMD_OBJ_METER: {
		struct set *s = cmd->set;

		cmd->set = NULL;
		if (!s)
			return eval_error(ctx, &cmd->location, "set definition missing");
		if (!s->handle.set)
			s->handle.set = xstrdup(cmd->handle.set);
		if (!s->handle.set_loc.indesc)
			s->handle.set_loc = cmd->handle.set_loc;
		if (cmd->obj == CMD_OBJ_MAP && !s->data && !s->objtype)
			return eval_error(ctx, &cmd->location, "map definition without data type");
		return do_add_set(ctx, t, s, create);
	}
	case CMD_OBJ_ELEMENTS:
	case CMD_OBJ_SETELEMS: {
		struct set *s = table_set_lookup(t, cmd->handle.set);
		struct expr *elems = cmd->expr;

		if (!s || (s->flags & NFT_SET_ANONYMOUS))
			return eval_error(ctx, loc_or(&cmd->handle.set_loc, &cmd->location),
					  "No such file or directory");
		if (!elems)
			return 0;
		if (set_elems_evaluate(ctx, s, elems) < 0 ||
		    (s->data && set_targets_check(ctx, elems) < 0))
			return -1;
		if (s->init && elems_clash(ctx, s, elems, cmd->op == CMD_CREATE) < 0)
			return -1;
		switch (elems_add_sorted(ctx, s, elems)) {
		case 1:
			return 0;
		case -1:
			return eval_error(ctx, &cmd->location, "out of memory");
		}
		cmd->expr = NULL;
		ruleset_save_set_elems(ctx->rs, s);
		if (!s->init)
			s->init = compound_expr_alloc(&elems->location, EXPR_SET);
		if (!s->init) {
			expr_free(elems);
			return eval_error(ctx, &cmd->location, "out of memory");
		}
		list_splice_tail_init(&EXPR_COMPOUND(elems).expressions, &EXPR_COMPOUND(s->init).expressions);
		expr_free(elems);
		s->init->dtype = s->key->dtype;
		s->init->len = s->key->len;
		s->init->byteorder = s->key->byteorder;
		return set_elems_normalize(ctx, s, s->init);
	}
	case CMD_OBJ_FLOWTABLE: {
		struct flowtable *f = cmd->flowtable;

		cmd->flowtable = NULL;
		if (!f)
			return eval_error(ctx, &cmd->location, "flowtable definition missing");
		if (!f->handle.set)
			f->handle.set = xstrdup(cmd->handle.set);
		return do_add_flowtable(ctx, t, f, create);
	}
	default:
		if (cmd_obj_type(cmd->obj)) {
			struct obj *o = cmd->object;

			cmd->object = NULL;
			if (!o)
				return eval_error(ctx, &cmd->location, "object definition missing");
			if (!o->type)
				o->type = cmd_obj_type(cmd->obj);
			if (!o->handle.set)
				o->handle.set = xstrdup(cmd->handle.set);
			return do_add_obj(ctx, t, o, create);
		}
		return eval_error(ctx, &cmd->location, "unsupported command object");
	}
}

/* ---------------------------------------------------------------- elements */

static bool key_equal(const struct expr *a, const struct expr *b)
{
	uint8_t x[BNFT_VALUE_MAX], y[BNFT_VALUE_MAX];
	unsigned int n;

	if (!a || !b || a->etype != b->etype)
		return false;
	switch (a->etype) {
	case EXPR_VALUE:
		n = value_bytes(a->len > b->len ? a->len : b->len);
		if (n > BNFT_VALUE_MAX)
			return false;
		eval_value_be(a, x, n);
		eval_value_be(b, y, n);
		return !memcmp(x, y, n);
	case EXPR_PREFIX:
		return a->prefix.prefix_len == b->prefix.prefix_len &&
		       key_equal(a->prefix.prefix, b->prefix.prefix);
	case EXPR_RANGE:
		return key_equal(a->range.left, b->range.left) &&
		       key_equal(a->range.right, b->range.right);
	case EXPR_CONCAT: {
		const struct expr *i, *j;

		j = list_first_entry(&EXPR_COMPOUND(b).expressions, struct expr, list);
		list_for_each_entry(i, &EXPR_COMPOUND(a).expressions, list) {
			if (&j->list == &EXPR_COMPOUND(b).expressions || !key_equal(i, j))
				return false;
			j = list_next_entry(j, list);
		}
		return &j->list == &EXPR_COMPOUND(b).expressions;
	}
	default:
		return false;
	}
}

static bool data_equal(const struct expr *a, const struct expr *b)
{
	if (a->etype == EXPR_VERDICT && b->etype == EXPR_VERDICT) {
		const struct expr *ca = a->verdict.chain, *cb = b->verdict.chain;

		return a->verdict.code == b->verdict.code &&
		       (!ca || !cb ? ca == cb
				   : ca->etype == EXPR_SYMBOL && cb->etype == EXPR_SYMBOL &&
					     !strcmp(ca->sym.identifier, cb->sym.identifier));
	}
	return key_equal(a, b);
}

/* A key as bytes, so existing elements can be sorted and searched. */
#define KEY_BYTES (2 * BNFT_VALUE_MAX + 4)
struct key_bytes {
	uint8_t b[KEY_BYTES];
	unsigned int len;
	const struct expr *el;
};

static void key_serialize(const struct expr *k, struct key_bytes *kb)
{
	const struct expr *i;
	unsigned int n;

	if (!k || kb->len >= KEY_BYTES)
		return;
	switch (k->etype) {
	case EXPR_VALUE:
		n = value_bytes(k->len);
		if (kb->len + n + 1 > KEY_BYTES)
			return;
		kb->b[kb->len++] = 'v';
		eval_value_be(k, kb->b + kb->len, n);
		kb->len += n;
		break;
	case EXPR_PREFIX:
		key_serialize(k->prefix.prefix, kb);
		if (kb->len < KEY_BYTES)
			kb->b[kb->len++] = (uint8_t)k->prefix.prefix_len;
		break;
	case EXPR_RANGE:
		key_serialize(k->range.left, kb);
		key_serialize(k->range.right, kb);
		break;
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(k).expressions, list)
			key_serialize(i, kb);
		break;
	default:
		if (kb->len < KEY_BYTES)
			kb->b[kb->len++] = (uint8_t)k->etype;
		break;
	}
}

static int key_bytes_cmp(const void *x, const void *y)
{
	const struct key_bytes *a = x, *b = y;
	unsigned int n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->b, b->b, n);

	return c ? c : (int)a->len - (int)b->len;
}

/* The kernel refuses an element that exists (create) or that exists with
 * other data (maps). Sorted lookup: sets can hold millions of elements. */
static int elems_clash(struct eval_ctx *ctx, const struct set *s, const struct expr *elems,
		       bool create)
{
	struct key_bytes *old, probe, *hit;
	const struct expr *n, *o;
	unsigned int cnt = 0, i = 0;
	int rc = 0;

	if (!create && !(s->flags & NFT_SET_MAP))
		return 0; /* adding an existing key to a set is fine */
	list_for_each_entry(o, &EXPR_COMPOUND(s->init).expressions, list)
		cnt++;
	if (!cnt)
		return 0;
	old = calloc(cnt, sizeof(*old));
	if (!old)
		return eval_error(ctx, &elems->location, "out of memory");
	list_for_each_entry(o, &EXPR_COMPOUND(s->init).expressions, list) {
		key_serialize(setelem_key((struct expr *)o), &old[i]);
		old[i++].el = o;
	}
	qsort(old, cnt, sizeof(*old), key_bytes_cmp);
	list_for_each_entry(n, &EXPR_COMPOUND(elems).expressions, list) {
		const struct expr *nk = setelem_key((struct expr *)n);

		memset(&probe, 0, sizeof(probe));
		key_serialize(nk, &probe);
		hit = bsearch(&probe, old, cnt, sizeof(*old), key_bytes_cmp);
		if (!hit)
			continue;
		o = hit->el;
		if (create || (n->etype == EXPR_MAPPING && o->etype == EXPR_MAPPING &&
			       !data_equal(n->mapping.right, o->mapping.right))) {
			rc = kernel_error(ctx, &nk->location, EEXIST);
			break;
		}
	}
	free(old);
	return rc;
}

/* ---------------------------------------------------------------- delete */

static void table_flush_rules(struct eval_ctx *ctx, struct table *t, struct chain *only)
{
	struct chain *c;
	struct rule *r, *rn;

	list_for_each_entry(c, &t->chains, list) {
		if (only && c != only)
			continue;
		list_for_each_entry_safe(r, rn, &c->rules, list)
			ruleset_del_rule(ctx->rs, t, r);
	}
}

static void set_flush(struct eval_ctx *ctx, struct set *s)
{
	struct expr *e, *n;

	if (!s->init)
		return;
	ctx->rs->elem_set = s; /* for the change hook */
	/* in the order the kernel reports them (nft monitor): an interval
	 * set's tree from the last element, a hash set (here) from the first */
	if (!(s->flags & NFT_SET_INTERVAL))
		list_for_each_entry_safe(e, n, &EXPR_COMPOUND(s->init).expressions, list)
			ruleset_del_expr(ctx->rs, e);
	else
		for (e = list_entry(EXPR_COMPOUND(s->init).expressions.prev, struct expr, list);
		     &e->list != &EXPR_COMPOUND(s->init).expressions; e = n) {
			n = list_entry(e->list.prev, struct expr, list);
			ruleset_del_expr(ctx->rs, e);
		}
	ctx->rs->elem_set = NULL;
}

static int cmd_delete(struct eval_ctx *ctx, struct cmd *cmd)
{
	bool destroy = cmd->op == CMD_DESTROY;
	const struct handle *h = &cmd->handle;
	struct table *t;
	struct chain *c;
	struct set *s;
	struct rule *r;
	int err;

	if (cmd->obj == CMD_OBJ_TABLE) {
		t = h->handle.id ? ruleset_table_lookup_handle(ctx->rs, h->family, h->handle.id)
				 : ruleset_table_lookup(ctx->rs, h->family, h->table);
		if (!t)
			return destroy ? 0
				       : kernel_error(ctx,
						      loc_or(h->handle.id ? &h->handle.location
									  : &h->table_loc,
							     &cmd->location),
						      ENOENT);
		ruleset_del_table(ctx->rs, t);
		return 0;
	}
	t = cmd_table(ctx, cmd, !destroy);
	if (!t)
		return destroy ? 0 : -1;
	ctx->table = t;
	ctx->family = t->handle.family;

	switch (cmd->obj) {
	case CMD_OBJ_CHAIN:
		c = h->handle.id ? table_chain_lookup_handle(t, h->handle.id)
				 : table_chain_lookup(t, h->chain);
		if (!c)
			return destroy ? 0
				       : kernel_error(ctx, loc_or(h->handle.id ? &h->handle.location
										: &h->chain_loc,
								  &cmd->location),
						      ENOENT);
		/* the kernel deletes the rules with the chain; jumps to it
		 * from other chains keep it busy */
		{
			struct rule *r2, *rn;

			list_for_each_entry_safe(r2, rn, &c->rules, list)
				ruleset_del_rule(ctx->rs, t, r2);
		}
		if (ruleset_chain_refs(t, c))
			return kernel_error(ctx, loc_or(&h->chain_loc, &cmd->location), EBUSY);
		ruleset_del_chain(ctx->rs, c);
		return 0;
	case CMD_OBJ_RULE:
		c = table_chain_lookup(t, h->chain);
		if (!c)
			return destroy ? 0
				       : kernel_error(ctx, loc_or(&h->chain_loc, &cmd->location),
						      ENOENT);
		r = chain_rule_lookup_handle(c, h->handle.id);
		if (!r)
			return destroy ? 0 : kernel_error(ctx, &cmd->location, ENOENT);
		ruleset_del_rule(ctx->rs, t, r);
		return 0;
	case CMD_OBJ_SET:
	case CMD_OBJ_MAP:
	case CMD_OBJ_METER:
		s = h->handle.id ? table_set_lookup_handle(t, h->handle.id)
				 : table_set_lookup(t, h->set);
		if (!s || (s->flags & NFT_SET_ANONYMOUS))
			return destroy ? 0
				       : kernel_error(ctx, loc_or(h->handle.id ? &h->handle.location
										: &h->set_loc,
								  &cmd->location),
						      ENOENT);
		if (ruleset_set_refs(t, s))
			return kernel_error(ctx, loc_or(&h->set_loc, &cmd->location), EBUSY);
		ruleset_del_set(ctx->rs, s);
		return 0;
	case CMD_OBJ_ELEMENTS:
	case CMD_OBJ_SETELEMS:
		s = table_set_lookup(t, h->set);
		if (!s)
			return destroy ? 0
				       : kernel_error(ctx, loc_or(&h->set_loc, &cmd->location),
						      ENOENT);
		if (!cmd->expr)
			return 0;
		if (set_elems_evaluate(ctx, s, cmd->expr) < 0)
			return -1;
		ctx->rs->elem_set = s; /* for the change hook */
		err = setelem_delete(ctx, s->init, cmd->expr, destroy);
		ctx->rs->elem_set = NULL;
		return err;
	case CMD_OBJ_FLOWTABLE: {
		struct flowtable *f = h->handle.id ? table_flowtable_lookup_handle(t, h->handle.id)
						   : table_flowtable_lookup(t, h->set);

		if (!f)
			return destroy ? 0
				       : kernel_error(ctx, loc_or(&h->set_loc, &cmd->location),
						      ENOENT);
		ruleset_del_flowtable(ctx->rs, f);
		return 0;
	}
	default:
		if (cmd_obj_type(cmd->obj)) {
			struct obj *o = h->handle.id ? table_obj_lookup_handle(t, h->handle.id)
						     : table_obj_lookup(t, cmd_obj_type(cmd->obj),
									h->set);

			if (!o)
				return destroy ? 0
					       : kernel_error(ctx,
							      loc_or(&h->set_loc, &cmd->location),
							      ENOENT);
			ruleset_del_obj(ctx->rs, o);
			return 0;
		}
		return eval_error(ctx, &cmd->location, "unsupported command object");
	}
}

static int cmd_flush(struct eval_ctx *ctx, struct cmd *cmd)
{
	const struct handle *h = &cmd->handle;
	struct table *t, *tn;
	struct chain *c;
	struct set *s;

	if (cmd->obj == CMD_OBJ_RULESET) {
		list_for_each_entry_safe(t, tn, &ctx->rs->tables, list)
			if (!h->family || t->handle.family == h->family)
				ruleset_del_table(ctx->rs, t);
		return 0;
	}
	t = cmd_table(ctx, cmd, true);
	if (!t)
		return -1;
	switch (cmd->obj) {
	case CMD_OBJ_TABLE:
		table_flush_rules(ctx, t, NULL);
		return 0;
	case CMD_OBJ_CHAIN:
		c = table_chain_lookup(t, h->chain);
		if (!c)
			return kernel_error(ctx, loc_or(&h->chain_loc, &cmd->location), ENOENT);
		table_flush_rules(ctx, t, c);
		return 0;
	case CMD_OBJ_SET:
	case CMD_OBJ_MAP:
	case CMD_OBJ_METER:
		s = table_set_lookup(t, h->set);
		if (!s)
			return kernel_error(ctx, loc_or(&h->set_loc, &cmd->location), ENOENT);
		set_flush(ctx, s);
		return 0;
	default:
		return eval_error(ctx, &cmd->location, "unsupported flush command");
	}
}

static int cmd_rename(struct eval_ctx *ctx, struct cmd *cmd)
{
	const struct handle *h = &cmd->handle;
	struct table *t = cmd_table(ctx, cmd, true);
	struct chain *c;
	char *nn;

	if (!t)
		return -1;
	if (cmd->obj != CMD_OBJ_CHAIN)
		return eval_error(ctx, &cmd->location, "unsupported rename command");
	c = h->handle.id ? table_chain_lookup_handle(t, h->handle.id)
			 : table_chain_lookup(t, h->chain);
	/* nft renames by handle, which a chain added in the same batch
	 * does not have yet: the kernel refuses it */
	if (!c || ruleset_handle_is_new(ctx->rs, t, c->handle.handle.id))
		return kernel_error(ctx, c ? &cmd->location : loc_or(&h->chain_loc, &cmd->location),
				    ENOENT);
	if (!cmd->arg)
		return eval_error(ctx, &cmd->location, "new chain name missing");
	if (strlen(cmd->arg) >= NFT_CHAIN_MAXNAMELEN)
		return eval_error(ctx, &cmd->location, "Chain name too long");
	if (table_chain_lookup(t, cmd->arg))
		return kernel_error(ctx, &cmd->location, EEXIST);
	nn = strdup(cmd->arg);
	if (!nn)
		return eval_error(ctx, &cmd->location, "out of memory");
	ruleset_set_ptr(ctx->rs, (void **)&c->handle.chain, nn, true);
	return 0;
}

/* ---------------------------------------------------------------- list */

static int cmd_list(struct eval_ctx *ctx, struct cmd *cmd)
{
	const struct handle *h = &cmd->handle;
	struct outbuf *o = ctx->out;
	bool json = ctx->octx && ctx->octx->json;
	struct table *t = NULL;
	struct chain *c;
	struct set *s;

	if (!o)
		return 0;
	switch (cmd->obj) {
	case CMD_OBJ_RULESET:
		if (ctx->octx && ctx->octx->json)
			bnft_print_ruleset_json(ctx->rs, h->family, ctx->octx, o);
		else
			bnft_print_ruleset_family(ctx->rs, h->family, ctx->octx, o);
		return 0;
	case CMD_OBJ_TABLES:
	case CMD_OBJ_CHAINS:
	case CMD_OBJ_SETS:
	case CMD_OBJ_MAPS:
	case CMD_OBJ_METERS:
		if (json)
			bnft_print_list_plural_json(ctx->rs, h->family, cmd->obj, ctx->octx, o);
		else if (cmd->obj == CMD_OBJ_TABLES)
			bnft_print_tables(ctx->rs, h->family, ctx->octx, o);
		else if (cmd->obj == CMD_OBJ_CHAINS)
			bnft_print_list_chains(ctx->rs, h->family, ctx->octx, o);
		else
			bnft_print_list_sets(ctx->rs, h->family, cmd->obj, ctx->octx, o);
		return 0;
	case CMD_OBJ_FLOWTABLES:
		bnft_print_list_flowtables(ctx->rs, h->family, ctx->octx, o);
		return 0;
	default:
		break;
	}
	if (cmd_obj_type(cmd->obj) && !h->table) {
		bnft_print_list_objs(ctx->rs, h->family, NULL, NULL, cmd_obj_type(cmd->obj),
				     ctx->octx, o);
		return 0;
	}
	t = cmd_table(ctx, cmd, true);
	if (!t)
		return -1;
	switch (cmd->obj) {
	case CMD_OBJ_TABLE:
		if (json)
			bnft_print_table_json(t, ctx->octx, o);
		else
			bnft_print_table(t, ctx->octx, o);
		return 0;
	case CMD_OBJ_CHAIN:
		c = table_chain_lookup(t, h->chain);
		if (!c)
			return kernel_error(ctx, loc_or(&h->chain_loc, &cmd->location), ENOENT);
		if (json)
			bnft_print_list_chain_json(t, c, ctx->octx, o);
		else
			bnft_print_list_chain(t, c, ctx->octx, o);
		return 0;
	case CMD_OBJ_SET:
	case CMD_OBJ_MAP:
	case CMD_OBJ_METER:
		s = table_set_lookup(t, h->set);
		if (!s)
			return kernel_error(ctx, loc_or(&h->set_loc, &cmd->location), ENOENT);
		if (json)
			bnft_print_list_set_json(t, s, ctx->octx, o);
		else
			bnft_print_list_set(t, s, ctx->octx, o);
		return 0;
	case CMD_OBJ_FLOWTABLE: {
		struct flowtable *f = table_flowtable_lookup(t, h->set);

		if (!f)
			return kernel_error(ctx, loc_or(&h->set_loc, &cmd->location), ENOENT);
		bnft_print_list_flowtable(t, f, ctx->octx, o);
		return 0;
	}
	default:
		if (cmd_obj_type(cmd->obj)) {
			bnft_print_list_objs(ctx->rs, h->family, h->table, h->set,
					     cmd_obj_type(cmd->obj), ctx->octx, o);
			return 0;
		}
		return eval_error(ctx, &cmd->location, "unsupported list command");
	}
}

/* ---------------------------------------------------------------- reset */

static void rule_counters_zero(struct rule *r)
{
	struct stmt *s;

	list_for_each_entry(s, &r->stmts, list)
		if (s->type == STMT_COUNTER)
			s->counter.packets = s->counter.bytes = 0;
}

static void chain_counters_zero(struct chain *c)
{
	struct rule *r;

	list_for_each_entry(r, &c->rules, list)
		rule_counters_zero(r);
}

static void table_counters_zero(struct table *t)
{
	struct chain *c;

	list_for_each_entry(c, &t->chains, list)
		chain_counters_zero(c);
}

/*
 * reset counters/quotas [table], reset counter/quota NAME: print the
 * objects as list does (values before the reset), then zero them.
 * reset rules [family], reset rules table T, reset rules chain T C (nft
 * 1.1): print what list ruleset/table/chain prints, values before the
 * reset; reset rule T C handle N prints nothing. Rule counters are zeroed
 * in the ruleset here; the live ones are the caller's (bnftd zeroes them
 * in the maps, the CLI without a daemon loads the ruleset again).
 */
static int cmd_reset(struct eval_ctx *ctx, struct cmd *cmd)
{
	const struct handle *h = &cmd->handle;
	unsigned int type = cmd_obj_type(cmd->obj);
	enum cmd_obj obj = cmd->obj;
	struct table *t;
	struct chain *c;
	struct rule *r;
	struct obj *o;
	int err;

	switch (cmd->obj) {
	case CMD_OBJ_COUNTER:
	case CMD_OBJ_COUNTERS:
	case CMD_OBJ_QUOTA:
	case CMD_OBJ_QUOTAS:
		if (h->table && !cmd_table(ctx, cmd, true))
			return -1;
		if (h->set && !table_obj_lookup(cmd_table(ctx, cmd, false), type, h->set))
			return kernel_error(ctx, &cmd->location, ENOENT);
		err = cmd_list(ctx, cmd);
		if (err)
			return err;
		list_for_each_entry(t, &ctx->rs->tables, list) {
			if ((h->family && t->handle.family != h->family) ||
			    (h->table && strcmp(h->table, t->handle.table)))
				continue;
			list_for_each_entry(o, &t->objs, list) {
				if (o->type != type || (h->set && strcmp(h->set, o->handle.set)))
					continue;
				if (type == NFT_OBJECT_COUNTER)
					o->counter.packets = o->counter.bytes = 0;
				else
					o->quota.used = 0;
			}
		}
		return 0;
	case CMD_OBJ_RULES:
		cmd->obj = CMD_OBJ_RULESET;
		err = cmd_list(ctx, cmd);
		cmd->obj = obj;
		if (err)
			return err;
		list_for_each_entry(t, &ctx->rs->tables, list)
			if (!h->family || t->handle.family == h->family)
				table_counters_zero(t);
		return 0;
	case CMD_OBJ_TABLE:
	case CMD_OBJ_CHAIN:
		t = cmd_table(ctx, cmd, true);
		if (!t)
			return -1;
		c = cmd->obj == CMD_OBJ_CHAIN ? table_chain_lookup(t, h->chain) : NULL;
		if (cmd->obj == CMD_OBJ_CHAIN && !c)
			return kernel_error(ctx, loc_or(&h->chain_loc, &cmd->location), ENOENT);
		err = cmd_list(ctx, cmd);
		if (err)
			return err;
		if (c)
			chain_counters_zero(c);
		else
			table_counters_zero(t);
		return 0;
	case CMD_OBJ_RULE:
		t = cmd_table(ctx, cmd, true);
		if (!t)
			return -1;
		c = table_chain_lookup(t, h->chain);
		if (!c)
			return kernel_error(ctx, loc_or(&h->chain_loc, &cmd->location), ENOENT);
		r = chain_rule_lookup_handle(c, h->handle.id);
		if (!r)
			return kernel_error(ctx, loc_or(&h->handle.location, &cmd->location),
					    ENOENT);
		rule_counters_zero(r);
		return 0;
	default:
		return eval_error(ctx, &cmd->location, "this reset command is not supported yet");
	}
}

/* ---------------------------------------------------------------- entry */

static int cmd_evaluate(struct eval_ctx *ctx, struct cmd *cmd)
{
	ctx->cmd = cmd;
	ctx->table = NULL;
	ctx->chain = NULL;
	ctx->family = cmd->handle.family;
	memset(&ctx->ectx, 0, sizeof(ctx->ectx));

	switch (cmd->op) {
	case CMD_ADD:
	case CMD_CREATE:
	case CMD_INSERT:
	case CMD_REPLACE:
		return cmd_add(ctx, cmd);
	case CMD_DELETE:
	case CMD_DESTROY:
		return cmd_delete(ctx, cmd);
	case CMD_FLUSH:
		return cmd_flush(ctx, cmd);
	case CMD_RENAME:
		return cmd_rename(ctx, cmd);
	case CMD_LIST:
		return cmd_list(ctx, cmd);
	case CMD_RESET:
		return cmd_reset(ctx, cmd);
	case CMD_GET:
		return 0;
	case CMD_DESCRIBE:
		return eval_error(ctx, &cmd->location, "describe is not supported yet");
	case CMD_MONITOR:
		return eval_error(ctx, &cmd->location, "monitor is not supported yet");
	case CMD_EXPORT:
	case CMD_IMPORT:
		return eval_error(ctx, &cmd->location, "this command is not supported yet");
	default:
		return eval_error(ctx, &cmd->location, "unknown command");
	}
}

int bnft_evaluate(struct bnft_ruleset *rs, struct ruleset_src *src, struct list_head *msgs,
		  const struct output_ctx *octx, struct outbuf *out)
{
	size_t out_start = out ? out->len : 0;
	struct eval_ctx ctx;
	struct list_head kmsgs;
	struct cmd *cmd;

	memset(&ctx, 0, sizeof(ctx));
	ctx.rs = rs;
	ctx.msgs = msgs;
	ctx.octx = octx;
	ctx.out = out;
	init_list_head(&ctx.pending_sets);
	init_list_head(&kmsgs);
	outbuf_init(&ctx.echo);
	ctx.kmsgs = &kmsgs;

	ruleset_trans_begin(rs);
	list_for_each_entry(cmd, &src->cmds, list) {
		cmd_evaluate(&ctx, cmd);
		if (ctx.nerrs >= 10)
			break;
	}
	if (ctx.nerrs || ctx.kerrs) {
		ruleset_trans_abort(rs);
		if (!ctx.nerrs) {
			list_splice_tail_init(&kmsgs, msgs);
		} else {
			erec_free_list(&kmsgs);
			/* nft runs no command of input that does not evaluate:
			 * a list command before the error prints nothing */
			if (out && out->len > out_start) {
				out->len = out_start;
				out->buf[out_start] = '\0';
			}
		}
		outbuf_release(&ctx.echo);
		free(ctx.anon.used[0]);
		free(ctx.anon.used[1]);
		return -1;
	}
	ruleset_trans_commit(rs);
	free(ctx.anon.used[0]);
	free(ctx.anon.used[1]);
	if (out && ctx.echo.len)
		outbuf_puts(out, ctx.echo.buf);
	outbuf_release(&ctx.echo);
	return 0;
}
