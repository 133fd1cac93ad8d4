// SPDX-License-Identifier: GPL-2.0
/*
 * Ruleset changes as `nft monitor` prints them (nft 1.0.6, checked in a
 * netns by tests/tier-daemon.sh):
 *
 *   add table ip t                          [# handle 1 with -a]
 *   add chain ip t c { type filter hook output priority filter; policy accept; }
 *   add chain ip t d                        (regular chain)
 *   add set ip t s { type inet_service; flags interval; }   (trailing blank;
 *                                           -a: "{ # handle 4 type ...")
 *   add element ip t s { 1-5 }              (one line per element)
 *   add counter inet f k { packets 1 bytes 2 }
 *   add rule ip t c tcp dport 22 counter packets 0 bytes 0 accept
 *   delete rule ip t c handle 3             (then its anonymous sets)
 *   delete set ip t __set0                  (maps too: "delete set")
 *   delete table ip t                       (after its rules, sets,
 *                                           objects, chains)
 *   # new generation 12 by process 8350 (nft)   (after each transaction,
 *                                           plain `monitor` only)
 * Anonymous sets are not reported when added, binding chains never.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "compat/lib/monitor.h"
#include "parser/print.h"

void bnft_mon_log_init(struct bnft_mon_log *log, const struct bnft_ruleset *rs)
{
	memset(log, 0, sizeof(*log));
	log->rs = rs;
}

void bnft_mon_log_release(struct bnft_mon_log *log)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		free(log->ev[i].text);
		free(log->ev[i].text_h);
	}
	free(log->ev);
	log->ev = NULL;
	log->n = log->cap = 0;
}

static void push(struct bnft_mon_log *log, uint32_t type, bool add, struct outbuf *t,
		 struct outbuf *th)
{
	struct bnft_mon_event *ev;

	if (t->err || th->err || !t->buf || !th->buf)
		return;
	if (log->n == log->cap) {
		size_t nc = log->cap ? 2 * log->cap : 32;

		ev = realloc(log->ev, nc * sizeof(*ev));
		if (!ev)
			return;
		log->ev = ev;
		log->cap = nc;
	}
	ev = &log->ev[log->n];
	ev->type = type;
	ev->add = add;
	ev->text = strndup(t->buf, t->len);
	ev->text_h = strndup(th->buf, th->len);
	if (!ev->text || !ev->text_h) {
		free(ev->text);
		free(ev->text_h);
		return;
	}
	log->n++;
}

static const struct output_ctx octx_plain = { 0 };
static const struct output_ctx octx_handle = { .handle = true };

/* The inner lines of a listing block ("\tset s {" ... "\t}"): each
 * without its tabs, written through `put`. */
static void inner_lines(const struct outbuf *l, struct outbuf *o, const char *before,
			const char *after)
{
	const char *p, *nl, *end;
	int depth = 0;

	if (!l->buf)
		return;
	end = l->buf + l->len;
	for (p = l->buf; p < end; p = nl + 1) {
		const char *s = p;
		size_t len;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		while (s < nl && *s == '\t')
			s++;
		len = (size_t)(nl - s);
		if (s - p == 1 && len && s[len - 1] == '{') {
			depth = 1; /* "\tset s {" opens the block */
			continue;
		}
		if (len >= 2 && s[len - 2] == '{' && s[len - 1] != '{' && s - p == 1 &&
		    strstr(s, "{ # handle")) {
			depth = 1; /* "\tset s { # handle 4" */
			continue;
		}
		if (s - p == 1 && len == 1 && *s == '}') {
			depth = 0;
			continue;
		}
		if (depth != 1 || s - p < 2 || !len)
			continue;
		outbuf_puts(o, before);
		outbuf_printf(o, "%.*s", (int)len, s);
		outbuf_puts(o, after);
	}
}

static void head(struct outbuf *o, bool add, const char *what, const struct handle *h,
		 const char *name)
{
	outbuf_printf(o, "%s %s %s %s", add ? "add" : "delete", what, family_name(h->family),
		      h->table);
	if (name)
		outbuf_printf(o, " %s", name);
}

static void ev_table(struct bnft_mon_log *log, const struct table *t, bool add)
{
	struct outbuf a, b;

	outbuf_init(&a);
	outbuf_init(&b);
	outbuf_printf(&a, "%s table %s %s", add ? "add" : "delete", family_name(t->handle.family),
		      t->handle.table);
	outbuf_printf(&b, "%.*s # handle %llu", (int)a.len, a.buf,
		      (unsigned long long)t->handle.handle.id);
	push(log, BNFT_MON_TABLES, add, &a, &b);
	outbuf_release(&a);
	outbuf_release(&b);
}

static const struct table *table_of(const struct bnft_mon_log *log, const struct handle *h)
{
	return ruleset_table_lookup(log->rs, h->family, h->table);
}

static void ev_chain(struct bnft_mon_log *log, const struct chain *c, bool add)
{
	struct outbuf a, b, l;

	if (c->flags & CHAIN_F_BINDING)
		return;
	outbuf_init(&a);
	outbuf_init(&b);
	outbuf_init(&l);
	head(&a, add, "chain", &c->handle, c->handle.chain);
	if (add) {
		const struct table *t = table_of(log, &c->handle);
		struct chain copy = *c;

		init_list_head(&copy.rules);
		if (t)
			bnft_print_list_chain(t, &copy, &octx_plain, &l);
		if (l.len && (c->flags & CHAIN_F_BASECHAIN)) {
			struct outbuf in;

			outbuf_init(&in);
			inner_lines(&l, &in, " ", "");
			if (in.len)
				outbuf_printf(&a, " {%.*s }", (int)in.len, in.buf);
			outbuf_release(&in);
		}
	}
	outbuf_printf(&b, "%.*s", (int)a.len, a.buf);
	if (add)
		outbuf_printf(&b, " # handle %llu", (unsigned long long)c->handle.handle.id);
	push(log, BNFT_MON_CHAINS, add, &a, &b);
	outbuf_release(&a);
	outbuf_release(&b);
	outbuf_release(&l);
}

static void ev_rule(struct bnft_mon_log *log, const struct rule *r, bool add, bool insert)
{
	struct outbuf a, b;

	outbuf_init(&a);
	outbuf_init(&b);
	if (insert) /* the kernel's notification has no NLM_F_APPEND */
		outbuf_printf(&a, "insert rule %s %s %s", family_name(r->handle.family),
			      r->handle.table, r->handle.chain);
	else {
		outbuf_printf(&a, "%s rule %s %s", add ? "add" : "delete",
			      family_name(r->handle.family), r->handle.table);
		if (r->handle.chain)
			outbuf_printf(&a, " %s", r->handle.chain);
	}
	if (add) {
		outbuf_printf(&b, "%.*s ", (int)a.len, a.buf);
		outbuf_puts(&a, " ");
		bnft_print_rule(r, r->handle.family, &octx_plain, &a);
		bnft_print_rule(r, r->handle.family, &octx_handle, &b);
	} else {
		outbuf_printf(&a, " handle %llu", (unsigned long long)r->handle.handle.id);
		outbuf_printf(&b, "%.*s", (int)a.len, a.buf);
	}
	push(log, BNFT_MON_RULES, add, &a, &b);
	outbuf_release(&a);
	outbuf_release(&b);
}

static void ev_elem(struct bnft_mon_log *log, const struct set *s, const struct expr *e,
		    bool add)
{
	struct print_ctx pc;
	struct outbuf a;

	if (s->flags & NFT_SET_ANONYMOUS)
		return;
	outbuf_init(&a);
	head(&a, add, "element", &s->handle, s->handle.set);
	outbuf_puts(&a, " { ");
	print_ctx_init(&pc, &octx_plain, &a, s->handle.family);
	pc.set_dtype = s->key ? s->key->dtype : NULL;
	print_expr(&pc, e);
	outbuf_puts(&a, " }");
	push(log, BNFT_MON_ELEMS, add, &a, &a);
	outbuf_release(&a);
}

static void ev_set(struct bnft_mon_log *log, const struct set *s, bool add)
{
	const struct table *t;
	struct outbuf a, b, l;
	const struct expr *e;

	if (add && (s->flags & NFT_SET_ANONYMOUS))
		return;
	outbuf_init(&a);
	outbuf_init(&b);
	outbuf_init(&l);
	if (!add) {
		head(&a, false, "set", &s->handle, s->handle.set);
		push(log, BNFT_MON_SETS, false, &a, &a);
		goto out;
	}
	t = table_of(log, &s->handle);
	if (t) {
		/* the declaration without elements: the set itself, briefly
		 * (a copy would break its list heads) */
		struct set *ms = (struct set *)s;
		struct expr *init = ms->init;

		ms->init = NULL;
		bnft_print_list_set(t, ms, &octx_plain, &l);
		ms->init = init;
	}
	head(&a, true, (s->flags & NFT_SET_MAP) ? "map" : "set", &s->handle, s->handle.set);
	outbuf_printf(&b, "%.*s { # handle %llu", (int)a.len, a.buf,
		      (unsigned long long)s->handle.handle.id);
	outbuf_puts(&a, " {");
	inner_lines(&l, &a, " ", ";");
	inner_lines(&l, &b, " ", ";");
	outbuf_puts(&a, " } ");
	outbuf_puts(&b, " } ");
	push(log, BNFT_MON_SETS, true, &a, &b);
	if (s->init)
		list_for_each_entry(e, &EXPR_COMPOUND(s->init).expressions, list)
			ev_elem(log, s, e, true);
out:
	outbuf_release(&a);
	outbuf_release(&b);
	outbuf_release(&l);
}

static const char *obj_word(unsigned int type)
{
	switch (type) {
	case NFT_OBJECT_COUNTER:
		return "counter";
	case NFT_OBJECT_QUOTA:
		return "quota";
	case NFT_OBJECT_LIMIT:
		return "limit";
	case NFT_OBJECT_CT_HELPER:
		return "ct helper";
	case NFT_OBJECT_CT_TIMEOUT:
		return "ct timeout";
	case NFT_OBJECT_CT_EXPECT:
		return "ct expectation";
	case NFT_OBJECT_SECMARK:
		return "secmark";
	case NFT_OBJECT_SYNPROXY:
		return "synproxy";
	default:
		return "object";
	}
}

static void ev_obj(struct bnft_mon_log *log, const struct obj *ob, bool add)
{
	struct outbuf a, b, l;

	outbuf_init(&a);
	outbuf_init(&b);
	outbuf_init(&l);
	head(&a, add, obj_word(ob->type), &ob->handle, ob->handle.set);
	if (add) {
		bnft_print_list_objs(log->rs, ob->handle.family, ob->handle.table, ob->handle.set,
				     ob->type, &octx_plain, &l);
		outbuf_printf(&b, "%.*s { # handle %llu", (int)a.len, a.buf,
			      (unsigned long long)ob->handle.handle.id);
		outbuf_puts(&a, " {");
		inner_lines(&l, &a, " ", "");
		inner_lines(&l, &b, " ", "");
		outbuf_puts(&a, " } ");
		outbuf_puts(&b, " } ");
	} else {
		outbuf_printf(&b, "%.*s", (int)a.len, a.buf);
	}
	push(log, BNFT_MON_OBJS, add, &a, &b);
	outbuf_release(&a);
	outbuf_release(&b);
	outbuf_release(&l);
}

static void ev_flowtable(struct bnft_mon_log *log, const struct flowtable *f, bool add)
{
	struct outbuf a;

	outbuf_init(&a);
	head(&a, add, "flowtable", &f->handle, f->handle.set);
	push(log, BNFT_MON_FLOWTABLES, add, &a, &a);
	outbuf_release(&a);
}

/* A deleted table takes its contents with it, reported first in the
 * kernel's order (nft_flush_table): rules, sets, flowtables, objects,
 * chains. */
static void ev_table_delete(struct bnft_mon_log *log, const struct table *t)
{
	const struct flowtable *f;
	const struct chain *c;
	const struct rule *r;
	const struct set *s;
	const struct obj *o;

	list_for_each_entry(c, &t->chains, list)
		if (!(c->flags & CHAIN_F_BINDING))
			list_for_each_entry(r, &c->rules, list)
				ev_rule(log, r, false, false);
	list_for_each_entry(s, &t->sets, list)
		ev_set(log, s, false);
	list_for_each_entry(f, &t->flowtables, list)
		ev_flowtable(log, f, false);
	list_for_each_entry(o, &t->objs, list)
		ev_obj(log, o, false);
	list_for_each_entry(c, &t->chains, list)
		ev_chain(log, c, false);
	ev_table(log, t, false);
}

void bnft_mon_on_change(const struct ruleset_change *ch, void *data)
{
	struct bnft_mon_log *log = data;

	switch (ch->kind) {
	case RC_TABLE:
		if (ch->add)
			ev_table(log, ch->obj, true);
		else
			ev_table_delete(log, ch->obj);
		break;
	case RC_CHAIN:
		ev_chain(log, ch->obj, ch->add);
		break;
	case RC_RULE:
		ev_rule(log, ch->obj, ch->add, ch->add && ch->insert);
		break;
	case RC_SET:
		ev_set(log, ch->obj, ch->add);
		break;
	case RC_OBJ:
		ev_obj(log, ch->obj, ch->add);
		break;
	case RC_FLOWTABLE:
		ev_flowtable(log, ch->obj, ch->add);
		break;
	case RC_ELEM:
		if (ch->set)
			ev_elem(log, ch->set, ch->obj, ch->add);
		break;
	}
}

int bnft_mon_parse(const char *words, struct bnft_mon_filter *f, char *err, size_t errlen)
{
	static const struct {
		const char *word;
		uint32_t types;
	} what[] = {
		{ "tables", BNFT_MON_TABLES },	 { "chains", BNFT_MON_CHAINS },
		{ "sets", BNFT_MON_SETS },	 { "rules", BNFT_MON_RULES },
		{ "elements", BNFT_MON_ELEMS },	 { "ruleset", BNFT_MON_ALL },
	};
	char buf[256], *tok, *save = NULL;
	bool seen_what = false, seen_ev = false;
	size_t i;

	f->types = BNFT_MON_ALL;
	f->no_add = f->no_del = false;
	f->gen = true;
	snprintf(buf, sizeof(buf), "%s", words);
	for (tok = strtok_r(buf, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
		if (!seen_what && !seen_ev && (!strcmp(tok, "new") || !strcmp(tok, "destroy"))) {
			f->no_del = !strcmp(tok, "new");
			f->no_add = !f->no_del;
			f->gen = false;
			/* nft 1.0.6 leaves objects out of "monitor new/destroy" */
			f->types &= ~BNFT_MON_OBJS;
			seen_ev = true;
			continue;
		}
		for (i = 0; i < sizeof(what) / sizeof(what[0]); i++)
			if (!strcmp(tok, what[i].word))
				break;
		if (seen_what || i == sizeof(what) / sizeof(what[0])) {
			if (!strcmp(tok, "trace"))
				snprintf(err, errlen, "Error: monitor trace is not supported yet\n");
			else
				snprintf(err, errlen,
					 "Error: syntax error, unexpected %s (monitor [new|destroy] "
					 "[tables|chains|sets|rules|elements|ruleset])\n",
					 tok);
			return -1;
		}
		f->types = what[i].types & (seen_ev ? ~BNFT_MON_OBJS : BNFT_MON_ALL);
		f->gen = false;
		seen_what = true;
	}
	return 0;
}

void bnft_mon_format(const struct bnft_mon_log *log, const struct bnft_mon_filter *f,
		     uint32_t genid, int pid, const char *comm, struct outbuf *out)
{
	size_t i;

	for (i = 0; i < log->n; i++) {
		const struct bnft_mon_event *ev = &log->ev[i];

		if (!(ev->type & f->types) || (ev->add && f->no_add) || (!ev->add && f->no_del))
			continue;
		outbuf_printf(out, "%s\n", f->handles ? ev->text_h : ev->text);
	}
	if (f->gen && log->n)
		outbuf_printf(out, "# new generation %u by process %d (%s)\n", genid, pid,
			      comm ? comm : "bnft");
}
