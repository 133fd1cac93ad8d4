// SPDX-License-Identifier: GPL-2.0
/*
 * Evaluator and ruleset state: handles as the kernel hands them out (values
 * taken from nft 1.0.6 on kernel 6.18), set element merging, nft's error
 * texts, and all-or-nothing transactions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "parser/value.h"

#ifndef EXPR_COMPOUND
#define EXPR_COMPOUND(e) ((e)->list)
#endif

struct run {
	struct list_head msgs;
	char first[512];
	int rc;
};

static int run_text(struct bnft_ruleset *rs, const char *text, struct run *r)
{
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct output_ctx octx = { 0 };
	struct error_record *e;

	init_list_head(&r->msgs);
	r->first[0] = '\0';
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &r->msgs);
	r->rc = bnft_parse_buffer(&pctx, text, "<test>");
	if (r->rc == 0)
		r->rc = bnft_evaluate(rs, &src, &r->msgs, &octx, NULL);
	if (!list_empty(&r->msgs)) {
		e = list_first_entry(&r->msgs, struct error_record, list);
		snprintf(r->first, sizeof(r->first), "%s", e->msg ? e->msg : "");
	}
	erec_free_list(&r->msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	return r->rc;
}

static struct table *first_table(struct bnft_ruleset *rs)
{
	assert_false(list_empty(&rs->tables));
	return list_first_entry(&rs->tables, struct table, list);
}

static struct rule *nth_rule(struct chain *c, unsigned int n)
{
	struct rule *r;

	list_for_each_entry(r, &c->rules, list)
		if (n-- == 0)
			return r;
	return NULL;
}

static unsigned int count_rules(struct chain *c)
{
	struct rule *r;
	unsigned int n = 0;

	list_for_each_entry(r, &c->rules, list)
		n++;
	return n;
}

/* Same input and handles as `nft -a list ruleset` showed in a netns. */
static void test_handles_like_kernel(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct table *t;
	struct chain *c1, *c2;
	struct set *s;
	struct obj *o;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs,
				  "table inet t {\n"
				  "\tchain c1 { type filter hook input priority filter + 10; policy drop;\n"
				  "\t\ttcp dport { 22, 80 } accept\n\t\tip saddr 1.2.3.4 drop\n\t}\n"
				  "\tset s { type ipv4_addr; elements = { 1.1.1.1 }; }\n"
				  "\tcounter cnt {\n\t}\n"
				  "\tchain c2 {\n\t\tmeta length { 33-55, 56-88, 100-120} accept\n\t}\n"
				  "\tmap m { type ipv4_addr : verdict; }\n"
				  "}\n"
				  "table ip x { chain y { }; }\n"
				  "add rule inet t c2 counter\n",
				  &r),
			 0);
	t = first_table(&rs);
	assert_int_equal(t->handle.handle.id, 1);
	c1 = table_chain_lookup(t, "c1");
	c2 = table_chain_lookup(t, "c2");
	assert_non_null(c1);
	assert_non_null(c2);
	assert_int_equal(c1->handle.handle.id, 1);
	assert_int_equal(c2->handle.handle.id, 2);
	assert_int_equal(c1->prio, 10);
	assert_int_equal(c1->policy_verdict, 0); /* NF_DROP */
	o = table_obj_lookup(t, NFT_OBJECT_COUNTER, "cnt");
	assert_non_null(o);
	assert_int_equal(o->handle.handle.id, 3);
	s = table_set_lookup(t, "s");
	assert_int_equal(s->handle.handle.id, 4);
	assert_int_equal(table_set_lookup(t, "m")->handle.handle.id, 5);
	assert_int_equal(table_set_lookup(t, "__set0")->handle.handle.id, 6);
	assert_int_equal(nth_rule(c1, 0)->handle.handle.id, 7);
	assert_int_equal(nth_rule(c1, 1)->handle.handle.id, 8);
	assert_int_equal(table_set_lookup(t, "__set1")->handle.handle.id, 9);
	assert_int_equal(nth_rule(c2, 0)->handle.handle.id, 10);
	assert_int_equal(nth_rule(c2, 1)->handle.handle.id, 11);
	t = list_next_entry(t, list);
	assert_int_equal(t->handle.handle.id, 2);
	assert_int_equal(table_chain_lookup(t, "y")->handle.handle.id, 1);
	bnft_ruleset_release(&rs);
}

/* A table made after its namesake (or any table) was deleted hands out
 * handles afresh, as the kernel does: nft -a list ruleset after
 * "flush ruleset" and the same table again shows chain 1, rule 2. The
 * daemon frees what a commit unlinked after its reply (defer_free, reap);
 * the pools hand the freed table's slot to the next table. */
static void test_handles_after_flush(void **state)
{
	static const char *const text = "table inet t { chain c { ip saddr 1.2.3.4 drop; }; }\n";
	struct bnft_ruleset rs;
	struct run r;
	struct chain *c;
	int round;

	(void)state;
	for (round = 0; round < 2; round++) {
		bnft_ruleset_init(&rs);
		rs.defer_free = round == 1;
		assert_int_equal(run_text(&rs,
					  "table ip t { chain a { }; chain b { counter; counter; }; }\n",
					  &r),
				 0);
		assert_int_equal(run_text(&rs, "flush ruleset\n", &r), 0);
		bnft_ruleset_reap(&rs);
		assert_int_equal(run_text(&rs, text, &r), 0);
		c = table_chain_lookup(first_table(&rs), "c");
		assert_non_null(c);
		assert_int_equal(c->handle.handle.id, 1);
		assert_int_equal(nth_rule(c, 0)->handle.handle.id, 2);
		/* the same after delete table */
		assert_int_equal(run_text(&rs, "delete table inet t\n", &r), 0);
		bnft_ruleset_reap(&rs);
		assert_int_equal(run_text(&rs, text, &r), 0);
		c = table_chain_lookup(first_table(&rs), "c");
		assert_int_equal(c->handle.handle.id, 1);
		assert_int_equal(nth_rule(c, 0)->handle.handle.id, 2);
		bnft_ruleset_reap(&rs);
		bnft_ruleset_release(&rs);
	}
}

/* bnftd frees what commits replaced a slice at a time between requests
 * (bnft_ruleset_reap_some): a slice frees at most its budget, a big table's
 * rules and set elements over several slices, and the live ruleset is not
 * touched. */
static void test_reap_in_slices(void **state)
{
	char text[4096];
	struct bnft_ruleset rs;
	struct run r;
	struct chain *c;
	size_t freed = 0, before, slices = 0;
	int k, off;

	(void)state;
	off = snprintf(text, sizeof(text), "table inet t {\n set s { type ipv4_addr; elements = { ");
	for (k = 0; k < 25; k++)
		off += snprintf(text + off, sizeof(text) - off, "%s10.0.0.%d", k ? ", " : "", k + 1);
	off += snprintf(text + off, sizeof(text) - off, " }; }\n chain a {\n");
	for (k = 0; k < 10; k++)
		off += snprintf(text + off, sizeof(text) - off, "  tcp dport %d drop\n", 1000 + k);
	off += snprintf(text + off, sizeof(text) - off,
			"  ip saddr { 1.1.1.1, 2.2.2.2 } accept\n }\n chain b {\n");
	for (k = 0; k < 10; k++)
		off += snprintf(text + off, sizeof(text) - off, "  udp dport %d drop\n", 2000 + k);
	snprintf(text + off, sizeof(text) - off, " }\n}\n");

	bnft_ruleset_init(&rs);
	rs.defer_free = true;
	assert_int_equal(run_text(&rs, text, &r), 0);
	/* the commit's own records (links) go too, at one each */
	while (!bnft_ruleset_reap_some(&rs, 3, &freed))
		assert_true(++slices < 100);
	assert_true(bnft_ruleset_reap_some(&rs, 3, &freed));
	freed = 0;
	slices = 0;
	/* replaced by one rule: 21 rules and 25 elements to free, 3 a slice */
	assert_int_equal(run_text(&rs, "flush ruleset\ntable inet t { chain c { counter; }; }\n", &r),
			 0);
	for (;;) {
		before = freed;
		slices++;
		if (bnft_ruleset_reap_some(&rs, 3, &freed))
			break;
		assert_int_equal(freed - before, 3);
		assert_true(slices < 100);
	}
	assert_true(freed >= 21 + 25);
	assert_true(slices >= (21 + 25) / 3);
	c = table_chain_lookup(first_table(&rs), "c");
	assert_non_null(c);
	assert_int_equal(count_rules(c), 1);
	/* elements deleted from a live set: the old ones go in slices too */
	assert_int_equal(run_text(&rs, text, &r), 0);
	bnft_ruleset_reap(&rs);
	assert_int_equal(run_text(&rs, "flush set inet t s\n", &r), 0);
	freed = 0;
	slices = 0;
	while (!bnft_ruleset_reap_some(&rs, 4, &freed))
		assert_true(++slices < 100);
	assert_true(freed >= 25);
	assert_true(slices >= 25 / 4);
	bnft_ruleset_release(&rs);
}

static struct expr *rule_rhs(struct rule *r)
{
	struct stmt *s = list_first_entry(&r->stmts, struct stmt, list);

	assert_int_equal(s->type, STMT_EXPRESSION);
	assert_int_equal(s->expr->etype, EXPR_RELATIONAL);
	return s->expr->binop.right;
}

static uint64_t elem_u64(struct expr *e)
{
	assert_int_equal(e->etype, EXPR_VALUE);
	return value_get_u64(&e->value, e->byteorder);
}

static void test_interval_merge(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct chain *c;
	struct expr *set, *el, *k;
	unsigned int n = 0;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs,
				  "table ip t { chain c {\n"
				  "meta length { 33-55, 56-88, 100-120} accept\n"
				  "ip saddr { 10.0.0.0-10.0.0.255, 10.0.1.0/24, 1.1.1.1 } accept\n"
				  "tcp dport { 80, 22, 1024-2048, 443 } accept\n"
				  "}; }\n",
				  &r),
			 0);
	c = table_chain_lookup(first_table(&rs), "c");
	set = rule_rhs(nth_rule(c, 0));
	assert_int_equal(set->etype, EXPR_SET);
	assert_true(EXPR_COMPOUND(set).set_flags & NFT_SET_INTERVAL);
	list_for_each_entry(el, &EXPR_COMPOUND(set).expressions, list) {
		assert_int_equal(el->etype, EXPR_SET_ELEM);
		k = el->elem.key;
		assert_int_equal(k->etype, EXPR_RANGE);
		if (n == 0) {
			assert_int_equal(elem_u64(k->range.left), 33);
			assert_int_equal(elem_u64(k->range.right), 88);
		} else {
			assert_int_equal(elem_u64(k->range.left), 100);
			assert_int_equal(elem_u64(k->range.right), 120);
		}
		n++;
	}
	assert_int_equal(n, 2);

	/* { 1.1.1.1, 10.0.0.0/23 } */
	set = rule_rhs(nth_rule(c, 1));
	el = list_first_entry(&EXPR_COMPOUND(set).expressions, struct expr, list);
	assert_int_equal(elem_u64(el->elem.key), 0x01010101);
	el = list_next_entry(el, list);
	assert_int_equal(el->elem.key->etype, EXPR_PREFIX);
	assert_int_equal(el->elem.key->prefix.prefix_len, 23);
	assert_int_equal(elem_u64(el->elem.key->prefix.prefix), 0x0a000000);

	/* sorted: 22, 80, 443, 1024-2048 */
	set = rule_rhs(nth_rule(c, 2));
	el = list_first_entry(&EXPR_COMPOUND(set).expressions, struct expr, list);
	assert_int_equal(elem_u64(el->elem.key), 22);
	el = list_next_entry(el, list);
	assert_int_equal(elem_u64(el->elem.key), 80);
	el = list_next_entry(el, list);
	assert_int_equal(elem_u64(el->elem.key), 443);
	el = list_next_entry(el, list);
	assert_int_equal(el->elem.key->etype, EXPR_RANGE);
	bnft_ruleset_release(&rs);
}

static void expect_error(const char *text, const char *msg)
{
	struct bnft_ruleset rs;
	struct run r;

	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs, text, &r), -1);
	if (strcmp(r.first, msg))
		fail_msg("input:\n%s\nexpected error: %s\ngot: %s", text, msg, r.first);
	/* nothing applied */
	assert_true(list_empty(&rs.tables));
	bnft_ruleset_release(&rs);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("table ip t { chain c { ip ttl 256; }; }\n",
		     "Value 256 exceeds valid range 0-255");
	expect_error("table ip t { chain c { meta mark 0xffffffffff; }; }\n",
		     "Value 1099511627775 exceeds valid range 0-4294967295");
	expect_error("table ip t { chain c { tcp dport 22-10 accept; }; }\n",
		     "Range has zero or negative size");
	expect_error("table ip t { chain c { ip saddr 1.2.3.4/33 accept; }; }\n",
		     "Prefix length 33 is invalid for type of 32 bits width");
	expect_error("table ip t { chain c { iifname \"eth0123456789abcdef\" accept; }; }\n",
		     "String exceeds maximum length of 16");
	expect_error("table ip t { set s { type ipv4_addr; flags interval; elements = { 1.1.1.0/24, 1.1.1.5 }; }; }\n",
		     "conflicting intervals specified");
	expect_error("table ip t { set s { type ipv4_addr; elements = { 1.1.1.0/24 }; }; }\n",
		     "You must add 'flags interval' to your set declaration if you want to add prefix elements");
	expect_error("table ip t { chain c { jump d; }; }\n",
		     "Could not process rule: No such file or directory");
	expect_error("table ip t { set sa { type ipv4_addr; }\n chain c { ip saddr @sb accept; }; }\n",
		     "No such file or directory; did you mean set ‘sa’ in table ip ‘t’?");
	expect_error("table ip t { chain c { ct zone set ip saddr; }; }\n",
		     "datatype mismatch: expected integer, expression has type IPv4 address");
	expect_error("create table ip t\ncreate table ip t\n", "Could not process rule: File exists");
	expect_error("add rule ip t c accept\n", "Could not process rule: No such file or directory");
	expect_error("table inet t { chain c { type nat hook postrouting priority srcnat; snat to 2.2.2.2:80; }; }\n",
		     "ip or ip6 must be specified with address for inet tables.");
	expect_error("table ip t { chain c { type filter hook input priority dstnat; }; }\n",
		     "invalid priority expression value in this context.");
	/* a run of dotted quads is made values by the scanner: in another
	 * type's set they are the symbols they were written as */
	expect_error("table ip t { set s { type mark; elements = { 10.0.0.1, 10.0.0.2 }; }; }\n",
		     "Could not parse packet mark");
	expect_error("table ip t { chain c { tcp dport { 10.0.0.1, 10.0.0.2 } accept; }; }\n",
		     "Could not resolve service: Servname not supported for ai_socktype");
	expect_error("define v = { 10.0.0.1, 10.0.0.2 }\n"
		     "table inet t { chain c { ip6 saddr $v accept; }; }\n",
		     "Could not resolve hostname: Address family for hostname not supported");
}

static void test_transaction(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct chain *c;
	struct table *t;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs, "add table ip t\nadd chain ip t c\nadd rule ip t c accept\n",
				  &r),
			 0);
	t = first_table(&rs);
	c = table_chain_lookup(t, "c");
	assert_int_equal(count_rules(c), 1);
	/* second batch fails at its end: nothing of it stays */
	assert_int_equal(run_text(&rs,
				  "add rule ip t c drop\nadd table ip u\nflush chain ip t c\n"
				  "add rule ip t c jump nowhere\n",
				  &r),
			 -1);
	assert_int_equal(count_rules(c), 1);
	assert_null(ruleset_table_lookup(&rs, t->handle.family, "u"));
	/* handles continue as if the failed batch never happened */
	assert_int_equal(run_text(&rs, "insert rule ip t c drop\nadd rule ip t c position 2 counter\n",
				  &r),
			 0);
	assert_int_equal(count_rules(c), 3);
	assert_int_equal(nth_rule(c, 0)->handle.handle.id, 3);
	assert_int_equal(nth_rule(c, 1)->handle.handle.id, 2);
	assert_int_equal(nth_rule(c, 2)->handle.handle.id, 4);
	assert_int_equal(run_text(&rs, "delete rule ip t c handle 2\n", &r), 0);
	assert_int_equal(count_rules(c), 2);
	assert_int_equal(run_text(&rs, "delete rule ip t c handle 2\n", &r), -1);
	assert_string_equal(r.first, "Could not process rule: No such file or directory");
	assert_int_equal(run_text(&rs, "flush ruleset\n", &r), 0);
	assert_true(list_empty(&rs.tables));
	bnft_ruleset_release(&rs);
}

static unsigned int count_stmts(const struct rule *r)
{
	const struct stmt *s;
	unsigned int n = 0;

	list_for_each_entry(s, &r->stmts, list)
		n++;
	return n;
}

/* nft lists "meta l4proto tcp tcp dport 22" as "tcp dport 22" but keeps a
 * protocol match that does not directly precede its user; "icmp id" gets
 * a visible "icmp type { echo-reply, echo-request }" in front. */
static void test_dependencies(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct chain *c;
	struct stmt *st;
	struct rule *rl;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs,
				  "table inet t {\nchain c {\n"
				  "meta l4proto tcp tcp dport 22\n"
				  "meta nfproto ipv4 counter ip saddr 1.2.3.4\n"
				  "icmp id 1\n"
				  "}\n}\n",
				  &r),
			 0);
	c = table_chain_lookup(first_table(&rs), "c");
	rl = nth_rule(c, 0);
	st = list_first_entry(&rl->stmts, struct stmt, list);
	assert_true(st->expr->flags & EXPR_F_IMPLICIT_DEP);
	rl = nth_rule(c, 1);
	st = list_first_entry(&rl->stmts, struct stmt, list);
	assert_false(st->expr->flags & EXPR_F_IMPLICIT_DEP);
	rl = nth_rule(c, 2);
	assert_int_equal(count_stmts(rl), 2);
	st = list_first_entry(&rl->stmts, struct stmt, list);
	assert_int_equal(st->expr->etype, EXPR_RELATIONAL);
	assert_int_equal(st->expr->binop.right->etype, EXPR_SET);
	assert_int_equal(EXPR_COMPOUND(st->expr->binop.right).size, 2);
	bnft_ruleset_release(&rs);
}

/* Element commands on named sets, checked against nft 1.0.6 listings. */
static void test_set_elements(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct table *t;
	struct set *s;
	struct expr *el;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs,
				  "table ip t {\n"
				  "set s { type ipv4_addr; flags interval; auto-merge; elements = { 10.0.0.0/24 }; }\n"
				  "set n { type inet_service; elements = { 22, 80 }; }\n"
				  "}\n"
				  "add element ip t s { 10.0.1.0/24, 192.168.0.1 }\n"
				  "add element ip t n { 443 }\n"
				  "delete element ip t n { 22 }\n",
				  &r),
			 0);
	t = first_table(&rs);
	s = table_set_lookup(t, "s");
	el = list_first_entry(&EXPR_COMPOUND(s->init).expressions, struct expr, list);
	assert_int_equal(el->elem.key->etype, EXPR_PREFIX);
	assert_int_equal(el->elem.key->prefix.prefix_len, 23);
	el = list_next_entry(el, list);
	assert_int_equal(elem_u64(el->elem.key), 0xc0a80001);
	s = table_set_lookup(t, "n");
	el = list_first_entry(&EXPR_COMPOUND(s->init).expressions, struct expr, list);
	assert_int_equal(elem_u64(el->elem.key), 80);
	el = list_next_entry(el, list);
	assert_int_equal(elem_u64(el->elem.key), 443);
	assert_true(&list_next_entry(el, list)->list == &EXPR_COMPOUND(s->init).expressions);
	/* deleting an absent element fails and leaves the set alone */
	assert_int_equal(run_text(&rs, "delete element ip t n { 443 }\ndelete element ip t n { 23 }\n",
				  &r),
			 -1);
	el = list_last_entry(&EXPR_COMPOUND(s->init).expressions, struct expr, list);
	assert_int_equal(elem_u64(el->elem.key), 443);
	bnft_ruleset_release(&rs);
}

/* -e prints what was added, with handles under -a (nft 1.0.6 format). */
static void test_echo(void **state)
{
	struct bnft_ruleset rs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct output_ctx octx = { 0 };
	struct list_head msgs;
	struct outbuf out;

	(void)state;
	octx.echo = true;
	octx.handle = true;
	bnft_ruleset_init(&rs);
	init_list_head(&msgs);
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	outbuf_init(&out);
	assert_int_equal(bnft_parse_buffer(&pctx,
					   "table ip t {\nchain c { type filter hook input priority 0; policy drop;\n"
					   "tcp dport { 22, 80 } accept\n}\n}\ninsert rule ip t c counter\n",
					   "<test>"),
			 0);
	assert_int_equal(bnft_evaluate(&rs, &src, &msgs, &octx, &out), 0);
	assert_non_null(out.buf);
	assert_string_equal(out.buf,
			    "add table ip t # handle 1\n"
			    "add chain ip t c { type filter hook input priority filter; policy drop; } # handle 1\n"
			    "add rule ip t c tcp dport { 22, 80 } accept # handle 3\n"
			    "insert rule ip t c counter packets 0 bytes 0 # handle 4\n");
	outbuf_release(&out);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	bnft_ruleset_release(&rs);
}

/* jump { } chains take handles before the jumping rule; delete chain takes
 * its rules along unless another chain jumps to it (kernel semantics). */
/* Sets a rule adds to / updates (values from nft 1.0.6 on kernel 6.18 and the
 * nft 1.1.6 shell dumps sets/0028autoselect_0, meter_0, meter_set_reuse):
 * size 65535 when none (kernel), flags dynamic when declared in the same
 * batch (nft), none for maps or for a set of an earlier batch; meter NAME
 * declares a named dynamic set and becomes add/update @NAME. */
static void test_dynamic_sets(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct table *t;
	struct set *s;
	struct chain *c;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs,
				  "table ip t {\n set s1 { type ipv4_addr; }\n"
				  " set s3 { type ipv4_addr; size 1024; }\n"
				  " set old { type ipv4_addr; }\n"
				  " map m { type ipv4_addr : mark; }\n chain c {\n"
				  "  add @s1 { ip saddr }\n  update @s3 { ip daddr counter }\n"
				  "  update @m { ip saddr : 0x2 }\n }\n}\n",
				  &r),
			 0);
	t = first_table(&rs);
	s = table_set_lookup(t, "s1");
	assert_int_equal(s->size, 65535);
	assert_true(s->flags & NFT_SET_EVAL);
	s = table_set_lookup(t, "s3");
	assert_int_equal(s->size, 1024);
	assert_true(s->flags & NFT_SET_EVAL);
	s = table_set_lookup(t, "m");
	assert_int_equal(s->size, 65535);
	assert_false(s->flags & NFT_SET_EVAL);
	/* a set of an earlier batch: size from the kernel, no flag */
	assert_int_equal(run_text(&rs, "add rule ip t c add @old { ip saddr }\n", &r), 0);
	s = table_set_lookup(t, "old");
	assert_int_equal(s->size, 65535);
	assert_false(s->flags & NFT_SET_EVAL);
	/* meters */
	assert_int_equal(run_text(&rs,
				  "add rule ip t c meter xyz size 8192 { ip saddr timeout 30s counter }\n"
				  "add rule ip t c tcp dport 80 meter h { tcp dport . ip saddr limit rate "
				  "over 200/second } drop\n"
				  "add rule ip t c tcp dport 81 meter h { tcp dport . ip saddr limit rate "
				  "over 200/second } drop\n",
				  &r),
			 0);
	s = table_set_lookup(t, "xyz");
	assert_non_null(s);
	assert_int_equal(s->size, 8192);
	assert_int_equal(s->flags & (NFT_SET_EVAL | NFT_SET_TIMEOUT | NFT_SET_ANONYMOUS),
			 NFT_SET_EVAL | NFT_SET_TIMEOUT);
	s = table_set_lookup(t, "h");
	assert_non_null(s);
	assert_int_equal(s->size, 65535);
	assert_true(s->flags & NFT_SET_CONCAT);
	assert_false(s->flags & NFT_SET_TIMEOUT);
	c = table_chain_lookup(t, "c");
	assert_int_equal(count_rules(c), 7);
	/* a failed batch takes its meter set and flag changes back */
	assert_int_equal(run_text(&rs,
				  "add set ip t n { type ipv4_addr; }\n"
				  "add rule ip t c meter gone { ip saddr counter }\n"
				  "add rule ip t c add @n { ip saddr }\nadd rule ip t c jump nowhere\n",
				  &r),
			 -1);
	assert_null(table_set_lookup(t, "gone"));
	assert_null(table_set_lookup(t, "n"));
	assert_int_equal(count_rules(c), 7);
	/* nft 1.1.6 reuses a meter's set only when it is compatible */
	assert_int_equal(run_text(&rs, "add rule ip t c meter s3 { ip saddr counter }\n", &r), 0);
	assert_int_equal(run_text(&rs, "add rule ip t c meter old { ip saddr counter }\n", &r), -1);
	assert_string_equal(r.first,
			    "File exists; meter 'old' overlaps an existing set 'old' in family ip");
	assert_int_equal(run_text(&rs, "add rule ip t c meter m { ip saddr counter }\n", &r), -1);
	assert_string_equal(r.first,
			    "File exists; meter 'm' overlaps an existing map 'm' in family ip");
	assert_int_equal(run_text(&rs, "add rule ip t c meter xyz { ip saddr counter }\n", &r), -1);
	assert_string_equal(r.first, "existing set 'xyz' has timeout flag");
	assert_int_equal(run_text(&rs, "add rule ip t c meter h { tcp dport . ip saddr timeout 1s "
					"counter }\n",
				  &r),
			 -1);
	assert_string_equal(r.first, "existing set 'h' lacks timeout flag");
	assert_int_equal(run_text(&rs, "add rule ip t c meter xyz size 10 { ip saddr timeout 1s "
					"counter }\n",
				  &r),
			 -1);
	assert_string_equal(r.first, "existing set 'xyz' has size 8192, meter has 10");
	bnft_ruleset_release(&rs);
}

/* Input that does not evaluate runs no command: a list before the error
 * prints nothing (nft 1.0.6 in a netns prints nothing either). */
static void test_no_output_on_error(void **state)
{
	struct output_ctx octx = { 0 };
	struct bnft_ruleset rs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct outbuf o;
	LIST_HEAD(msgs);

	(void)state;
	bnft_ruleset_init(&rs);
	outbuf_init(&o);
	outbuf_puts(&o, "before\n");
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	assert_int_equal(bnft_parse_buffer(&pctx,
					   "add table ip t\nadd chain ip t c\nlist tables\n"
					   "add rule ip t c ip saddr @nope accept\n",
					   "<test>"),
			 0);
	assert_int_equal(bnft_evaluate(&rs, &src, &msgs, &octx, &o), -1);
	assert_string_equal(o.buf, "before\n");
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	outbuf_release(&o);
	bnft_ruleset_release(&rs);
}

static void test_binding_and_delete(void **state)
{
	struct bnft_ruleset rs;
	struct run r;
	struct chain *c;
	struct stmt *st;

	(void)state;
	bnft_ruleset_init(&rs);
	assert_int_equal(run_text(&rs,
				  "table ip t {\nchain c {\ntcp dport 22 jump {\n"
				  "tcp dport { 1, 2 } accept\nip saddr 1.1.1.1 drop\n}\ncounter\n}\n}\n",
				  &r),
			 0);
	c = table_chain_lookup(first_table(&rs), "c");
	/* chain 1, binding chain 2, its rules 4 (after __set0 = 3) and 5 */
	assert_int_equal(nth_rule(c, 0)->handle.handle.id, 6);
	assert_int_equal(nth_rule(c, 1)->handle.handle.id, 7);
	st = list_last_entry(&nth_rule(c, 0)->stmts, struct stmt, list);
	assert_non_null(st->expr->verdict.binding);
	assert_string_equal(st->expr->verdict.binding->handle.chain, "__chain0");
	assert_int_equal(st->expr->verdict.binding->handle.handle.id, 2);
	assert_int_equal(run_text(&rs, "add chain ip t d\nadd rule ip t d accept\ndelete chain ip t d\n",
				  &r),
			 0);
	assert_null(table_chain_lookup(first_table(&rs), "d"));
	assert_int_equal(run_text(&rs, "add chain ip t e\nadd rule ip t c jump e\ndelete chain ip t e\n",
				  &r),
			 -1);
	assert_string_equal(r.first, "Could not process rule: Device or resource busy");
	assert_null(table_chain_lookup(first_table(&rs), "e"));
	bnft_ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handles_like_kernel),
		cmocka_unit_test(test_handles_after_flush),
		cmocka_unit_test(test_reap_in_slices),
		cmocka_unit_test(test_interval_merge),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_transaction),
		cmocka_unit_test(test_dependencies),
		cmocka_unit_test(test_set_elements),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_binding_and_delete),
		cmocka_unit_test(test_dynamic_sets),
		cmocka_unit_test(test_no_output_on_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
