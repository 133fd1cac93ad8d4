// SPDX-License-Identifier: GPL-2.0
/*
 * Actions of the grammar (parser.y) kept out of the .y file: building
 * commands, objects, statements and selector expressions, with located
 * errors for names the grammar accepts generically (fields, keys, flags).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nfnetlink_osf.h>
#include <linux/xfrm.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/grammar_helpers.h"
#include "parser/proto.h"

char *xstrdup_kw(const char *kw)
{
	return strdup(kw ? kw : "");
}

char *join_words(char *a, const char *b)
{
	char *r = NULL;

	if (asprintf(&r, "%s %s", a, b) < 0)
		r = NULL;
	free(a);
	return r ? r : strdup("");
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */

void parser_add_cmd(struct parser_state *st, struct cmd *c, loc_t *loc)
{
	if (!c)
		return;
	c->location = *loc;
	list_add_tail(&c->list, st->cmds);
}

struct cmd *mk_cmd(enum cmd_op op, enum cmd_obj obj, const struct handle *h, loc_t *loc, void *data)
{
	struct cmd *c = cmd_alloc(op, obj, h, loc, data);

	if (!c) {
		struct cmd tmp = { .obj = obj, .data = data };

		/* release data the way cmd_free would */
		tmp.op = op;
		init_list_head(&tmp.list);
		c = malloc(sizeof(*c));
		if (c) {
			*c = tmp;
			cmd_free(c);
		}
		return NULL;
	}
	return c;
}

struct handle *handle_new(void)
{
	return calloc(1, sizeof(struct handle));
}

void handle_release(struct handle *h)
{
	if (!h)
		return;
	handle_free(h);
	free(h);
}

struct cmd *mk_cmd_h(enum cmd_op op, enum cmd_obj obj, struct handle *h, loc_t *loc)
{
	struct cmd *c = cmd_alloc(op, obj, h, loc, NULL);

	handle_release(h);
	return c;
}

struct cmd *mk_obj_cmd(enum cmd_op op, enum cmd_obj obj, struct handle *h, loc_t *loc, struct obj *o)
{
	struct cmd *c;

	if (o) {
		handle_free(&o->handle);
		handle_copy(&o->handle, h);
		o->location = *loc;
	}
	c = mk_cmd(op, obj, h, loc, o);
	handle_release(h);
	return c;
}

void cmd_append_arg(struct cmd *c, char *word)
{
	char *n;

	if (!c) {
		free(word);
		return;
	}
	if (!c->arg) {
		c->arg = word;
		return;
	}
	if (asprintf(&n, "%s %s", c->arg, word) >= 0) {
		free(c->arg);
		c->arg = n;
	}
	free(word);
}

/* ------------------------------------------------------------------ */
/* Blocks and scopes                                                   */

static void scope_open(struct parser_state *st)
{
	struct scope *s;

	if (st->scope >= SCOPE_NEST_MAX) {
		st->scope_err = true;
		return;
	}
	s = scope_alloc(st->scopes[st->scope]);
	if (!s) {
		st->scope_err = true;
		return;
	}
	st->scopes[++st->scope] = s;
}

void blk_enter(struct parser_state *st, const struct handle *h, const char *chain)
{
	scope_open(st);
}

void blk_enter_chain(struct parser_state *st, const char *chain)
{
	scope_open(st);
}

void blk_leave(struct parser_state *st)
{
	if (st->scope_err) {
		st->scope_err = false;
		return;
	}
	if (st->scope == 0)
		return;
	scope_free(st->scopes[st->scope]);
	st->scopes[st->scope--] = NULL;
}

static void handle_fill(struct handle *dst, const struct handle *tbl)
{
	dst->family = tbl->family;
	if (!dst->table && tbl->table) {
		dst->table = strdup(tbl->table);
		dst->table_loc = tbl->table_loc;
	}
}

/* The rules take references to one shared copy of the chain's table and
 * chain names (struct rule). */
void chain_fix_handles(struct chain *c)
{
	char *table = NULL, *chain = NULL;
	struct rule *r;

	list_for_each_entry(r, &c->rules, list) {
		r->handle.family = c->handle.family;
		if (!r->handle.table && c->handle.table) {
			if (!table)
				table = name_new(c->handle.table);
			r->handle.table = name_ref(table);
		}
		if (!r->handle.chain && c->handle.chain) {
			if (!chain)
				chain = name_new(c->handle.chain);
			r->handle.chain = name_ref(chain);
		}
	}
	name_unref(table);
	name_unref(chain);
}

void table_fix_handles(struct table *t)
{
	struct chain *c;
	struct set *s;
	struct obj *o;
	struct flowtable *f;

	list_for_each_entry(c, &t->chains, list) {
		handle_fill(&c->handle, &t->handle);
		chain_fix_handles(c);
	}
	list_for_each_entry(s, &t->sets, list)
		handle_fill(&s->handle, &t->handle);
	list_for_each_entry(o, &t->objs, list)
		handle_fill(&o->handle, &t->handle);
	list_for_each_entry(f, &t->flowtables, list)
		handle_fill(&f->handle, &t->handle);
}

void table_add_obj(struct table *t, struct obj *o, char *name, loc_t *loc)
{
	o->handle.set = name;
	o->handle.set_loc = *loc;
	o->location = *loc;
	list_add_tail(&o->list, &t->objs);
}

void table_flag(struct parser_state *st, struct table *t, char *flag, loc_t *loc)
{
	if (!strcmp(flag, "dormant"))
		t->flags |= NFT_TABLE_F_DORMANT;
	else if (!strcmp(flag, "owner"))
		t->flags |= NFT_TABLE_F_OWNER;
	else if (!strcmp(flag, "persist"))
		t->flags |= 0x4; /* NFT_TABLE_F_PERSIST */
	else
		parser_error(st, loc, "unknown table option %s", flag);
	free(flag);
}

void chain_add_rule(struct parser_state *st, struct chain *c, struct rule *r)
{
	list_add_tail(&r->list, &c->rules);
}

/* ------------------------------------------------------------------ */
/* Defines                                                             */

int parser_define(struct parser_state *st, loc_t *loc, char *name, struct expr *e, bool redefine)
{
	struct scope *sc = st->scopes[st->scope];

	if (!e) {
		free(name);
		return 0;
	}
	if (!redefine && symbol_lookup(sc, name)) {
		/* like nft: a define may not shadow any visible symbol */
		parser_error(st, loc, "redefinition of symbol '%s'", name);
		expr_free(e);
		free(name);
		return -1;
	}
	if (symbol_lookup_local(sc, name))
		symbol_del(sc, name);
	if (symbol_add(sc, name, e) < 0)
		expr_free(e);
	free(name);
	return 0;
}

void parser_undefine(struct parser_state *st, loc_t *loc, char *name)
{
	struct scope *sc = st->scopes[st->scope];

	/* nft 1.0 accepts undefining an unknown name silently */
	symbol_del(sc, name);
	free(name);
}

/* Edit distance of a and b (nft's string_distance). */
static unsigned int string_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	unsigned int *prev, *cur, d;

	prev = calloc(lb + 1, sizeof(*prev));
	cur = calloc(lb + 1, sizeof(*cur));
	if (!prev || !cur) {
		free(prev);
		free(cur);
		return ~0u;
	}
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			unsigned int del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(*prev));
	}
	d = prev[lb];
	free(prev);
	free(cur);
	return d;
}

/* The visible symbol closest to name, like nft's "did you mean" (distance
 * at most half the longer name), or NULL. */
const char *symbol_closest(const struct scope *s, const char *name)
{
	const char *best = NULL;
	unsigned int best_d = ~0u;
	struct symbol *sym;

	for (; s; s = s->parent) {
		list_for_each_entry(sym, &s->symbols, list) {
			size_t la = strlen(name), lb = strlen(sym->identifier);
			unsigned int d = string_distance(name, sym->identifier);

			if (d > (la > lb ? la : lb) / 2)
				continue;
			if (d < best_d) {
				best_d = d;
				best = sym->identifier;
			}
		}
	}
	return best;
}

struct expr *variable_expand(struct parser_state *st, loc_t *loc, char *name)
{
	struct symbol *sym = symbol_lookup(st->scopes[st->scope], name);
	struct expr *e;

	if (!sym) {
		const char *close = symbol_closest(st->scopes[st->scope], name);

		if (close)
			parser_error(st, loc, "unknown identifier '%s'; did you mean identifier \u2018%s\u2019?",
				     name, close);
		else
			parser_error(st, loc, "unknown identifier '%s'", name);
		free(name);
		return NULL;
	}
	free(name);
	sym->refcnt++;
	e = expr_clone(sym->expr);
	return e;
}

/* ------------------------------------------------------------------ */
/* Small constructors                                                  */

struct expr *num_sym(loc_t *loc, uint64_t n, bool neg)
{
	char buf[32], *p = buf + sizeof(buf);

	/* "%s%" PRIu64 without printf: one per number token */
	*--p = '\0';
	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	if (neg)
		*--p = '-';
	return symbol_expr_alloc(loc, p, false);
}

struct expr *bool_sym(loc_t *loc, bool v)
{
	struct expr *e = symbol_expr_alloc(loc, v ? "exists" : "missing", false);

	if (e)
		e->flags |= EXPR_F_BOOLEAN;
	return e;
}

struct expr *prio_sym(loc_t *loc, char *name, const char *op, uint64_t n)
{
	char *buf = NULL;
	struct expr *e = NULL;

	if (asprintf(&buf, "%s %s %" PRIu64, name, op, n) >= 0) {
		e = symbol_expr_alloc(loc, buf, false);
		free(buf);
	}
	free(name);
	return e;
}

struct expr *concat_append(loc_t *loc, struct expr *a, struct expr *b)
{
	struct expr *c;

	if (!a || !b) {
		expr_free(a);
		expr_free(b);
		return NULL;
	}
	if (a->etype == EXPR_CONCAT) {
		compound_expr_add(a, b);
		a->location = *loc;
		return a;
	}
	c = compound_expr_alloc(loc, EXPR_CONCAT);
	if (!c) {
		expr_free(a);
		expr_free(b);
		return NULL;
	}
	compound_expr_add(c, a);
	compound_expr_add(c, b);
	return c;
}

struct expr *prefix_new(loc_t *loc, struct expr *e, uint64_t len)
{
	struct expr *p = expr_alloc(loc, EXPR_PREFIX);

	if (!p) {
		expr_free(e);
		return NULL;
	}
	p->prefix.prefix = e;
	p->prefix.prefix_len = len > 0xffffffffULL ? 0xffffffffU : (unsigned int)len;
	return p;
}

struct expr *range_new(loc_t *loc, struct expr *a, struct expr *b)
{
	struct expr *r = expr_alloc(loc, EXPR_RANGE);

	if (!r) {
		expr_free(a);
		expr_free(b);
		return NULL;
	}
	r->range.left = a;
	r->range.right = b;
	return r;
}

struct expr *map_expr_new(loc_t *loc, struct expr *key, struct expr *mappings)
{
	struct expr *m = expr_alloc(loc, EXPR_MAP);

	if (!m) {
		expr_free(key);
		expr_free(mappings);
		return NULL;
	}
	m->map.key = key;
	m->map.mappings = mappings;
	return m;
}

struct expr *set_elem_wrap(loc_t *loc, struct expr *key)
{
	struct expr *e;

	if (!key)
		return NULL;
	e = expr_alloc(loc, EXPR_SET_ELEM);
	if (!e) {
		expr_free(key);
		return NULL;
	}
	e->elem.key = key;
	return e;
}

struct expr *set_elem_merge(struct expr *elem, struct expr *holder)
{
	if (!holder)
		return elem;
	if (!elem) {
		expr_free(holder);
		return NULL;
	}
	if (holder->elem.timeout)
		elem->elem.timeout = holder->elem.timeout;
	if (holder->elem.expiration)
		elem->elem.expiration = holder->elem.expiration;
	if (holder->elem.comment) {
		free(elem->elem.comment);
		elem->elem.comment = holder->elem.comment;
		holder->elem.comment = NULL;
	}
	list_splice_tail_init(&holder->elem.stmts, &elem->elem.stmts);
	expr_free(holder);
	return elem;
}

struct expr *set_ref_from_var(struct parser_state *st, loc_t *loc, struct expr *var)
{
	struct expr *e;

	if (!var)
		return NULL;
	if (var->etype != EXPR_SYMBOL) {
		parser_error(st, loc, "invalid set reference");
		return var;
	}
	e = expr_alloc(loc, EXPR_SET_REF);
	if (e) {
		e->set_ref.name = symbol_take_identifier(var);
	}
	expr_free(var);
	return e;
}

/* ------------------------------------------------------------------ */
/* Sets                                                                */

void set_key(struct parser_state *st, struct set *s, struct expr *key, bool typeof_, loc_t *loc)
{
	if (s->key) {
		parser_error(st, loc, "You can only specify this once. This statement is duplicated.");
		expr_free(key);
		return;
	}
	s->key = key;
	s->key_typeof = typeof_;
}

void set_data(struct parser_state *st, struct set *s, struct expr *data, bool typeof_)
{
	expr_free(s->data);
	s->data = data;
	s->data_typeof = typeof_;
	s->flags |= NFT_SET_MAP;
}

void set_objmap(struct parser_state *st, struct set *s, struct expr *key, unsigned int type,
		loc_t *loc)
{
	set_key(st, s, key, false, loc);
	s->objtype = type;
	s->flags |= NFT_SET_OBJECT;
}

unsigned int set_flag_parse(struct parser_state *st, const char *name, loc_t *loc)
{
	if (!strcmp(name, "constant"))
		return NFT_SET_CONSTANT;
	if (!strcmp(name, "interval"))
		return NFT_SET_INTERVAL;
	if (!strcmp(name, "timeout"))
		return NFT_SET_TIMEOUT;
	if (!strcmp(name, "dynamic"))
		return NFT_SET_EVAL;
	parser_error(st, loc, "syntax error, unexpected string");
	return 0;
}

/* ------------------------------------------------------------------ */
/* ct objects                                                          */

unsigned int ct_l4proto_parse(struct parser_state *st, const char *name, loc_t *loc)
{
	uint8_t p;

	if (inet_protocol_lookup(name, &p) == 0)
		return p;
	parser_error(st, loc, "syntax error, unexpected string");
	return 0;
}

unsigned int family_name_parse(struct parser_state *st, const char *name, loc_t *loc)
{
	if (!strcmp(name, "ip") || !strcmp(name, "ipv4"))
		return NFPROTO_IPV4;
	if (!strcmp(name, "ip6") || !strcmp(name, "ipv6"))
		return NFPROTO_IPV6;
	if (!strcmp(name, "inet"))
		return NFPROTO_INET;
	parser_error(st, loc, "syntax error, unexpected string");
	return 0;
}

void ct_obj_l3proto(struct parser_state *st, struct obj *o, char *word, unsigned int val, loc_t *loc)
{
	if (strcmp(word, "l3proto")) {
		parser_error(st, loc, "syntax error, unexpected string");
	} else {
		switch (o->type) {
		case NFT_OBJECT_CT_HELPER:
			o->ct_helper.l3proto = val;
			break;
		case NFT_OBJECT_CT_TIMEOUT:
			o->ct_timeout.l3proto = val;
			break;
		case NFT_OBJECT_CT_EXPECT:
			o->ct_expect.l3proto = val;
			break;
		}
	}
	free(word);
}

void ct_timeout_add(struct parser_state *st, char *state_name, uint64_t ms, loc_t *loc)
{
	struct timeout_state *ts = calloc(1, sizeof(*ts));

	if (!ts) {
		free(state_name);
		return;
	}
	ts->location = *loc;
	ts->state_str = state_name;
	ts->timeout = ms / 1000;
	list_add_tail(&ts->head, &st->timeouts);
}

/* ------------------------------------------------------------------ */
/* Rules and statements                                                */

struct list_head *stmt_list_new(void)
{
	struct list_head *l = malloc(sizeof(*l));

	if (l)
		init_list_head(l);
	return l;
}

void stmt_list_free_all(struct list_head *l)
{
	struct stmt *s, *n;

	if (!l)
		return;
	list_for_each_entry_safe(s, n, l, list) {
		list_del(&s->list);
		stmt_free(s);
	}
	free(l);
}

struct rule *rule_from_stmt_list(struct parser_state *st, loc_t *loc, struct list_head *stmts,
				 char *comment)
{
	struct rule *r = rule_alloc(loc, NULL);
	struct stmt *s, *n;

	if (!r) {
		list_for_each_entry_safe(s, n, stmts, list) {
			list_del(&s->list);
			stmt_free(s);
		}
		free(comment);
		return NULL;
	}
	list_splice_tail_init(stmts, &r->stmts);
	list_for_each_entry(s, &r->stmts, list)
		r->num_stmts++;
	r->comment = comment;
	return r;
}

struct rule *rule_from_stmts(struct parser_state *st, loc_t *loc, struct list_head *stmts,
			     char *comment)
{
	struct rule *r = rule_from_stmt_list(st, loc, stmts, comment);

	free(stmts);
	return r;
}

struct stmt *stmt_expr_new(loc_t *loc, enum stmt_type type, struct expr *e)
{
	struct stmt *s = stmt_alloc(loc, type);

	if (!s) {
		expr_free(e);
		return NULL;
	}
	s->expr = e;
	return s;
}

struct stmt *match_stmt_new(struct parser_state *st, loc_t *loc, struct expr *rel)
{
	return stmt_expr_new(loc, STMT_EXPRESSION, rel);
}

/* "tcp flags syn / syn,ack": (lhs & mask) == value, as nft's flagcmp */
struct expr *flagcmp_alloc(loc_t *loc, struct expr *value, struct expr *mask)
{
	struct expr *e = binop_expr_alloc(loc, OP_AND, mask, value);

	if (!e) {
		expr_free(value);
		expr_free(mask);
	}
	return e;
}

struct stmt *objref_new(loc_t *loc, unsigned int type, struct expr *e)
{
	struct stmt *s = stmt_alloc(loc, STMT_OBJREF);

	if (!s) {
		expr_free(e);
		return NULL;
	}
	s->objref.type = type;
	s->objref.expr = e;
	return s;
}

unsigned int log_tcp_flag(struct parser_state *st, const char *name, loc_t *loc)
{
	if (!strcmp(name, "sequence"))
		return NF_LOG_TCPSEQ;
	if (!strcmp(name, "options"))
		return NF_LOG_TCPOPT;
	parser_error(st, loc, "syntax error, unexpected string");
	return 0;
}

uint64_t data_size_parse(struct parser_state *st, uint64_t n, const char *unit, loc_t *loc)
{
	uint64_t mult = 1;

	if (data_unit_parse(unit, &mult) < 0) {
		parser_error(st, loc, "Wrong rate format");
		return n;
	}
	return n * mult;
}

struct stmt *limit_bytes_new(struct parser_state *st, loc_t *loc, unsigned int flags, uint64_t rate,
			     char *unit, const char *unit_kw, loc_t *unit_loc, uint64_t burst)
{
	struct stmt *s = stmt_alloc(loc, STMT_LIMIT);
	char *slash;
	uint64_t mult = 1, secs = 1;

	if (!s) {
		free(unit);
		return NULL;
	}
	s->limit.flags = flags;
	s->limit.type = NFT_LIMIT_PKT_BYTES;
	s->limit.unit = 1;
	if (unit) {
		slash = strchr(unit, '/');
		if (slash)
			*slash++ = '\0';
		if (data_unit_parse(unit, &mult) < 0 ||
		    (slash && *slash && time_unit_parse(slash, &secs) < 0))
			parser_error(st, unit_loc, "Wrong rate format");
		if (slash && *slash)
			s->limit.unit = secs;
	}
	s->limit.rate = rate * mult;
	s->limit.burst = burst;
	s->limit.burst_set = burst != 0;
	free(unit);
	return s;
}

struct stmt *reject_new(struct parser_state *st, loc_t *loc, int type, unsigned int family,
			struct expr *code)
{
	struct stmt *s = stmt_alloc(loc, STMT_REJECT);

	if (!s) {
		expr_free(code);
		return NULL;
	}
	s->reject.type = type;
	s->reject.family = family;
	s->reject.expr = code;
	return s;
}

void nat_check(struct parser_state *st, struct stmt *s)
{
	if (s->nat.kind == NAT_MASQ || s->nat.kind == NAT_REDIR) {
		/* "redirect to 8080": the only thing after "to" is a port */
		if (s->nat.addr && s->nat.proto) {
			parser_error(st, &s->nat.proto->location,
				     "syntax error, unexpected colon, expecting end of file or newline or semicolon");
		} else if (s->nat.addr) {
			s->nat.proto = s->nat.addr;
			s->nat.addr = NULL;
		}
		return;
	}
	if ((s->nat.kind == NAT_SNAT || s->nat.kind == NAT_DNAT) && !s->nat.addr && !s->nat.proto)
		parser_error(st, &s->location, "syntax error, unexpected end of statement, expecting to");
}

struct stmt *setter_stmt_new(struct parser_state *st, loc_t *loc, struct expr *lhs, struct expr *val)
{
	struct stmt *s;

	switch (lhs->etype) {
	case EXPR_META:
		if (lhs->meta.key == NFT_META_SECMARK) {
			expr_free(lhs);
			return objref_new(loc, NFT_OBJECT_SECMARK, val);
		}
		s = stmt_alloc(loc, STMT_META);
		if (s) {
			s->meta.key = lhs->meta.key;
			s->meta.expr = val;
		}
		expr_free(lhs);
		break;
	case EXPR_CT:
		s = stmt_alloc(loc, STMT_CT);
		if (s) {
			s->ct.key = lhs->ct.key;
			s->ct.direction = lhs->ct.direction;
			s->ct.expr = val;
		}
		expr_free(lhs);
		break;
	case EXPR_PAYLOAD:
	case EXPR_EXTHDR:
		s = stmt_alloc(loc, lhs->etype == EXPR_PAYLOAD ? STMT_PAYLOAD : STMT_EXTHDR);
		if (s) {
			s->payload.expr = lhs;
			s->payload.val = val;
		} else {
			expr_free(lhs);
		}
		break;
	default:
		parser_error(st, &lhs->location, "syntax error, unexpected set");
		s = stmt_alloc(loc, STMT_EXPRESSION);
		if (s)
			s->expr = relational_expr_alloc(loc, OP_EQ, lhs, val);
		else
			expr_free(lhs);
		return s;
	}
	if (!s)
		expr_free(val);
	return s;
}

struct stmt *dupfwd_new(loc_t *loc, enum stmt_type type, unsigned int family, struct expr *to,
			struct expr *dev)
{
	struct stmt *s = stmt_alloc(loc, type);

	if (!s) {
		expr_free(to);
		expr_free(dev);
		return NULL;
	}
	s->dup.family = family;
	s->dup.to = to;
	s->dup.dev = dev;
	return s;
}

void queue_set(struct parser_state *st, struct stmt *s, struct expr *e, loc_t *loc)
{
	if (s->queue.queue) {
		parser_error(st, loc, "You can only specify this once. This statement is duplicated.");
		expr_free(e);
		return;
	}
	s->queue.queue = e;
}

struct stmt *tproxy_new(loc_t *loc, unsigned int family, struct expr *addr, struct expr *port)
{
	struct stmt *s = stmt_alloc(loc, STMT_TPROXY);

	if (!s) {
		expr_free(addr);
		expr_free(port);
		return NULL;
	}
	s->tproxy.family = family;
	s->tproxy.addr = addr;
	s->tproxy.port = port;
	return s;
}

struct stmt *set_stmt_new(loc_t *loc, enum stmt_type type, unsigned int op, struct expr *set,
			  struct expr *key, struct expr *data)
{
	struct stmt *s = stmt_alloc(loc, type);

	if (!s) {
		expr_free(set);
		expr_free(key);
		expr_free(data);
		return NULL;
	}
	s->set.op = op;
	s->set.set = set;
	s->set.key = key;
	s->set.data = data;
	/* per-element statements written inside { } belong to the statement */
	if (key && key->etype == EXPR_SET_ELEM)
		list_splice_tail_init(&key->elem.stmts, &s->set.stmts);
	return s;
}

struct stmt *meter_new(loc_t *loc, char *name, uint64_t size, struct expr *key, struct stmt *st)
{
	struct stmt *s = stmt_alloc(loc, STMT_SET);
	struct expr *ref;

	if (!s) {
		free(name);
		expr_free(key);
		stmt_free(st);
		return NULL;
	}
	ref = expr_alloc(loc, EXPR_SET_REF);
	if (ref)
		ref->set_ref.name = name;
	else
		free(name);
	s->set.op = NFT_DYNSET_OP_UPDATE;
	s->set.set = ref;
	s->set.key = key;
	s->set.meter = true;
	s->set.meter_size = size;
	if (key && key->etype == EXPR_SET_ELEM)
		list_splice_tail_init(&key->elem.stmts, &s->set.stmts);
	if (st)
		list_add_tail(&st->list, &s->set.stmts);
	return s;
}

/* ------------------------------------------------------------------ */
/* Selectors                                                           */

static struct expr *bad_selector(struct parser_state *st, loc_t *loc, loc_t *eloc, const char *fmt,
				 const char *name)
{
	parser_error(st, eloc, fmt, name);
	return symbol_expr_alloc(loc, name, false);
}

static bool meta_unqualified_name(const char *s)
{
	static const char *const names[] = {
		"mark", "iif", "iifname", "iiftype", "oif", "oifname", "oiftype", "skuid",
		"skgid", "nftrace", "rtclassid", "ibrname", "obrname", "ibriport", "obriport",
		"pkttype", "cpu", "iifgroup", "oifgroup", "cgroup",
	};
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], s))
			return true;
	return false;
}

struct expr *short_meta_or_symbol_ref(struct parser_state *st, loc_t *loc, const char *s)
{
	struct expr *e = NULL;
	int key;

	if (meta_unqualified_name(s)) {
		key = meta_key_lookup(s);
		if (key >= 0)
			e = meta_expr_alloc(loc, key);
	}
	if (!e)
		e = symbol_expr_alloc(loc, s, false);
	return e;
}

struct expr *short_meta_or_symbol(struct parser_state *st, loc_t *loc, char *s)
{
	struct expr *e = short_meta_or_symbol_ref(st, loc, s);

	free(s);
	return e;
}

struct expr *short_meta_or_symbol_stmt(struct parser_state *st, loc_t *loc, char *s)
{
	return short_meta_or_symbol(st, loc, s);
}

struct expr *payload_new(struct parser_state *st, loc_t *loc, const char *proto, const char *inner,
			 char *field, loc_t *floc)
{
	const struct proto_desc *desc = proto_lookup(proto), *tun = NULL;
	struct expr *e;
	int f;

	if (inner)
		tun = proto_lookup(inner);
	f = proto_field_lookup(desc, field);
	if (!desc || f <= 0) {
		e = bad_selector(st, loc, floc, "syntax error, unexpected string", field);
		free(field);
		return e;
	}
	free(field);
	if (tun) {
		e = payload_expr_alloc(loc, desc, f);
		if (e) {
			e->payload.inner = true;
			e->payload.inner_desc = tun;
		}
		return e;
	}
	return payload_field_new(loc, desc, f);
}

struct expr *payload_field_new(loc_t *loc, const struct proto_desc *desc, int field)
{
	struct expr *e = payload_expr_alloc(loc, desc, field);

	if (e && desc->inner.type && strcmp(desc->name, "gre")) {
		/* vxlan vni, geneve vni, gretap ...: the tunnel header itself */
		e->payload.inner_desc = desc;
	}
	return e;
}

struct expr *raw_payload_new(struct parser_state *st, loc_t *loc, char *base, loc_t *bloc,
			     uint64_t off, uint64_t len)
{
	enum payload_base b;
	struct expr *e;

	if (!strcmp(base, "ll"))
		b = PAYLOAD_LL;
	else if (!strcmp(base, "nh"))
		b = PAYLOAD_NETWORK;
	else if (!strcmp(base, "th"))
		b = PAYLOAD_TRANSPORT;
	else if (!strcmp(base, "ih"))
		b = PAYLOAD_INNER;
	else {
		e = bad_selector(st, loc, bloc, "unknown raw payload base %s", base);
		free(base);
		return e;
	}
	free(base);
	if (len == 0 || len > 0xffff || off > 0xffffffULL) {
		parser_error(st, loc, "raw payload length %" PRIu64 " out of range", len);
		len = len ? 8 : 1;
		off = 0;
	}
	e = payload_raw_expr_alloc(loc, b, (unsigned int)off, (unsigned int)len);
	return e;
}

/* Extension headers and options come from the types engineer's tables
 * (keys_exthdr.c): exthdr_lookup(), exthdr_expr_alloc(), exthdr_raw_expr_alloc(). */
static struct expr *exthdr_named(struct parser_state *st, loc_t *loc, enum exthdr_op op,
				 const char *name, loc_t *nloc, char *field, loc_t *floc,
				 unsigned int idx_shift)
{
	const struct proto_desc *desc = exthdr_lookup(op, name);
	struct expr *e;
	int f = 0;

	if (!desc) {
		e = bad_selector(st, loc, nloc, "syntax error, unexpected string", name);
		free(field);
		return e;
	}
	if (field) {
		f = proto_field_lookup(desc, field);
		if (f <= 0) {
			e = bad_selector(st, loc, floc, "syntax error, unexpected string", field);
			free(field);
			return e;
		}
		free(field);
	}
	e = exthdr_expr_alloc(loc, op, desc, f);
	if (e && f > 0)
		e->exthdr.offset += idx_shift;
	if (e && f == 0)
		e->flags |= EXPR_F_BOOLEAN;
	return e;
}

struct expr *ip6_exthdr_new(struct parser_state *st, loc_t *loc, const char *name, char *field,
			    loc_t *floc, int index)
{
	/* rt0 addr[N], srh sid[N]: the tables name each slot "addr[N]" */
	if (index >= 0 && field) {
		char *f = NULL;

		if (asprintf(&f, "%s[%d]", field, index) < 0)
			f = NULL;
		free(field);
		field = f ? f : strdup("");
	}
	return exthdr_named(st, loc, EXTHDR_OP_IPV6, name, floc, field, floc, 0);
}

/* tcp option NAME [FIELD] (sack0..3 are descs of their own) */
struct expr *tcpopt_new(struct parser_state *st, loc_t *loc, char *name, loc_t *nloc, char *field,
			loc_t *floc)
{
	const char *n = name;
	struct expr *e;

	if (!strcmp(name, "sack-permitted"))
		n = "sack-perm";
	e = exthdr_named(st, loc, EXTHDR_OP_TCPOPT, n, nloc, field, floc, 0);
	free(name);
	return e;
}

struct expr *tcpopt_num_new(struct parser_state *st, loc_t *loc, uint64_t num, loc_t *nloc)
{
	struct expr *e;

	if (num > 255) {
		parser_error(st, nloc, "value too large");
		num = 255;
	}
	e = exthdr_raw_expr_alloc(loc, EXTHDR_OP_TCPOPT, (unsigned int)num, 0, 0);
	if (e)
		e->flags |= EXPR_F_BOOLEAN;
	return e;
}

struct expr *tcpopt_raw_new(struct parser_state *st, loc_t *loc, uint64_t kind, uint64_t off,
			    uint64_t len, loc_t *kloc)
{
	if (kind > 255 || len == 0 || len > 128 || off > 0xffff) {
		parser_error(st, kloc, "invalid raw tcp option");
		kind = kind > 255 ? 255 : kind;
		len = 8;
		off = 0;
	}
	return exthdr_raw_expr_alloc(loc, EXTHDR_OP_TCPOPT, (unsigned int)kind, (unsigned int)off,
				     (unsigned int)len);
}

struct expr *ipopt_new(struct parser_state *st, loc_t *loc, char *name, loc_t *nloc, char *field,
		       loc_t *floc)
{
	struct expr *e = exthdr_named(st, loc, EXTHDR_OP_IPV4, name, nloc, field, floc, 0);

	free(name);
	return e;
}

struct expr *sctp_chunk_new(struct parser_state *st, loc_t *loc, char *name, loc_t *nloc,
			    char *field, loc_t *floc)
{
	struct expr *e = exthdr_named(st, loc, EXTHDR_OP_SCTP, name, nloc, field, floc, 0);

	free(name);
	return e;
}

struct expr *dccpopt_new(struct parser_state *st, loc_t *loc, uint64_t num, loc_t *nloc)
{
	struct expr *e;

	if (num > 255) {
		parser_error(st, nloc, "value too large");
		num = 255;
	}
	e = exthdr_raw_expr_alloc(loc, EXTHDR_OP_DCCP, (unsigned int)num, 0, 0);
	if (e)
		e->flags |= EXPR_F_BOOLEAN;
	return e;
}

struct expr *meta_new(struct parser_state *st, loc_t *loc, char *key, loc_t *kloc)
{
	int k = meta_key_lookup(key);
	struct expr *e;

	if (k < 0 && !strcmp(key, "ipsec"))
		k = NFT_META_SECPATH;
	if (k < 0) {
		/* nft 1.0's wording, with its list of keys */
		e = bad_selector(st, loc, kloc,
				 "syntax error, unexpected %s, known keys are length, protocol, "
				 "priority, mark, iif, oif, iifname, oifname, iiftype, oiftype, "
				 "skuid, skgid, nftrace, rtclassid, secmark, nfproto, l4proto, "
				 "ibrname, obrname, pkttype, cpu, iifgroup, oifgroup, cgroup, "
				 "random, ipsec, iifkind, oifkind, ibrpvid, ibrvproto, time, day, "
				 "hour, sdif, sdifname",
				 key);
		free(key);
		return e;
	}
	free(key);
	return meta_expr_alloc(loc, k);
}

struct expr *ct_new(struct parser_state *st, loc_t *loc, int dir, const char *proto, char *key,
		    loc_t *kloc)
{
	char buf[64];
	struct expr *e;
	int k;

	if (proto)
		snprintf(buf, sizeof(buf), "%s %s", proto, key);
	else
		snprintf(buf, sizeof(buf), "%s", key);
	k = ct_key_lookup(buf);
	if (k < 0 || (dir >= 0 && !ct_key_is_directional(k) && k != NFT_CT_ID)) {
		e = bad_selector(st, loc, kloc, "syntax error, unexpected string", key);
		free(key);
		return e;
	}
	free(key);
	return ct_expr_alloc(loc, k, dir);
}

struct expr *rt_new(struct parser_state *st, loc_t *loc, const char *proto, char *key, loc_t *kloc)
{
	int k = grammar_rt_key(key, proto);
	struct expr *e;

	if (k < 0 && !proto)
		/* ip6 routing header: rt nexthdr, rt type, rt seg-left ... */
		return ip6_exthdr_new(st, loc, "rt", key, kloc, -1);
	if (k < 0) {
		e = bad_selector(st, loc, kloc, "syntax error, unexpected string", key);
		free(key);
		return e;
	}
	free(key);
	e = expr_alloc(loc, EXPR_RT);
	if (e)
		e->rt.key = k;
	return e;
}

struct expr *fib_flag_new(struct parser_state *st, struct expr *fib, char *flag, loc_t *floc)
{
	int f = grammar_fib_flag(flag);

	if (!fib) {
		fib = expr_alloc(floc, EXPR_FIB);
		if (!fib) {
			free(flag);
			return NULL;
		}
	}
	if (f < 0)
		parser_error(st, floc, "syntax error, unexpected string");
	else if (fib->fib.flags & f)
		parser_error(st, floc, "%s specified twice", flag);
	else
		fib->fib.flags |= f;
	free(flag);
	return fib;
}

struct expr *fib_new(struct parser_state *st, loc_t *loc, struct expr *fib, char *result,
		     loc_t *rloc)
{
	int r = grammar_fib_result(result);

	if (!fib) {
		free(result);
		return NULL;
	}
	if (!strcmp(result, "check")) {
		r = NFT_FIB_RESULT_OIF;
		fib->fib.flags |= NFTA_FIB_F_PRESENT;
	}
	if (r < 0)
		parser_error(st, rloc, "syntax error, unexpected string");
	else
		fib->fib.result = r;
	fib->location = *loc;
	free(result);
	return fib;
}

struct expr *socket_new(struct parser_state *st, loc_t *loc, char *key, loc_t *kloc, int level)
{
	int k = grammar_socket_key(key);
	struct expr *e;

	if (k < 0 || (level >= 0) != (k == NFT_SOCKET_CGROUPV2)) {
		e = bad_selector(st, loc, kloc, "syntax error, unexpected string", key);
		free(key);
		return e;
	}
	free(key);
	e = expr_alloc(loc, EXPR_SOCKET);
	if (e) {
		e->socket.key = k;
		e->socket.level = level < 0 ? 0 : level;
	}
	return e;
}

struct expr *osf_new(struct parser_state *st, loc_t *loc, char *what, bool version)
{
	struct expr *e;

	if (what && strcmp(what, "version")) {
		e = bad_selector(st, loc, loc, "syntax error, unexpected string", what);
		free(what);
		return e;
	}
	free(what);
	e = expr_alloc(loc, EXPR_OSF);
	if (e && version)
		e->osf.flags = NFT_OSF_F_VERSION;
	return e;
}

void osf_ttl(struct parser_state *st, struct expr *e, char *ttl, loc_t *tloc)
{
	if (!e || e->etype != EXPR_OSF)
		; /* an error was reported already */
	else if (!strcmp(ttl, "loose"))
		e->osf.ttl = 1;
	else if (!strcmp(ttl, "skip"))
		e->osf.ttl = 2;
	else
		parser_error(st, tloc, "invalid ttl option");
	free(ttl);
}

struct expr *numgen_new(loc_t *loc, unsigned int type, uint64_t mod, uint64_t offset)
{
	struct expr *e = expr_alloc(loc, EXPR_NUMGEN);

	if (!e)
		return NULL;
	e->numgen.type = type;
	e->numgen.mod = (uint32_t)mod;
	e->numgen.offset = (uint32_t)offset;
	return e;
}

struct expr *hash_new(loc_t *loc, struct expr *expr, uint64_t mod, uint64_t opts)
{
	struct expr *e = expr_alloc(loc, EXPR_HASH);

	if (!e) {
		expr_free(expr);
		return NULL;
	}
	e->hash.expr = expr;
	e->hash.mod = (uint32_t)mod;
	e->hash.type = expr ? NFT_HASH_JENKINS : NFT_HASH_SYM;
	if (opts & (1ULL << 63)) {
		e->hash.seed_set = true;
		e->hash.seed = (uint32_t)(opts >> 32) & 0x7fffffff;
		e->hash.seed |= (uint32_t)((opts >> 32) & 0x80000000);
	}
	if (opts & (1ULL << 62))
		e->hash.offset = (uint32_t)opts;
	return e;
}

struct expr *xfrm_new(struct parser_state *st, loc_t *loc, char *dir, loc_t *dloc, uint64_t spnum,
		      const char *proto, char *key, loc_t *kloc)
{
	struct expr *e;
	int d = -1, k;

	if (!strcmp(dir, "in"))
		d = XFRM_POLICY_IN;
	else if (!strcmp(dir, "out"))
		d = XFRM_POLICY_OUT;
	if (d < 0) {
		e = bad_selector(st, loc, dloc, "syntax error, unexpected string", dir);
		free(dir);
		free(key);
		return e;
	}
	free(dir);
	k = grammar_xfrm_key(key, proto);
	if (k < 0) {
		e = bad_selector(st, loc, kloc, "syntax error, unexpected string", key);
		free(key);
		return e;
	}
	free(key);
	if (spnum > 255)
		parser_error(st, loc, "spnum max is 255");
	e = expr_alloc(loc, EXPR_XFRM);
	if (e) {
		e->xfrm.key = k;
		e->xfrm.direction = d;
		e->xfrm.spnum = (unsigned int)spnum;
	}
	return e;
}

struct expr *tunnel_new(struct parser_state *st, loc_t *loc, char *key, loc_t *kloc)
{
	struct expr *e;
	int k = -1;

	if (!strcmp(key, "path"))
		k = 0;
	else if (!strcmp(key, "id"))
		k = 1;
	if (k < 0) {
		e = bad_selector(st, loc, kloc, "syntax error, unexpected string", key);
		free(key);
		return e;
	}
	free(key);
	e = expr_alloc(loc, EXPR_TUNNEL);
	if (e)
		e->tunnel.key = k;
	return e;
}
