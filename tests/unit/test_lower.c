// SPDX-License-Identifier: GPL-2.0
/*
 * Lowering on hand-built, already evaluated ASTs: implicit dependencies,
 * sub-byte masks, stacked link layer headers, concatenation registers,
 * anonymous interval sets, and a located error for what cannot be lowered.
 * Expected lines are what nft 1.0.6 + libnftnl 1.2.4 print for the same
 * rules with --debug=netlink (the installed reference).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/erec.h"
#include "parser/proto.h"
#include "parser/ruleset.h"
#include "parser/value.h"
#include "translator/lower.h"

struct fixture {
	struct bnft_ruleset rs;
	struct table *t;
	struct chain *c;
};

static struct fixture *fx_new(unsigned int family)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	bnft_ruleset_init(&f->rs);
	f->t = table_alloc();
	f->t->handle.family = family;
	f->t->handle.table = strdup("t");
	list_add_tail(&f->t->list, &f->rs.tables);
	f->c = chain_alloc("c");
	f->c->handle.family = family;
	f->c->handle.table = strdup("t");
	list_add_tail(&f->c->list, &f->t->chains);
	return f;
}

static void fx_free(struct fixture *f)
{
	bnft_ruleset_release(&f->rs);
	free(f);
}

static struct rule *fx_rule(struct fixture *f)
{
	struct rule *r = rule_alloc(NULL, &f->c->handle);

	list_add_tail(&r->list, &f->c->rules);
	return r;
}

static void add_stmt(struct rule *r, struct stmt *s)
{
	list_add_tail(&s->list, &r->stmts);
}

static struct expr *val(const struct expr *like, uint64_t x)
{
	return value_expr_alloc_u64(NULL, like->dtype, like->byteorder, like->len, x);
}

static struct stmt *match(struct expr *l, enum ops op, struct expr *r)
{
	struct stmt *s = stmt_alloc(NULL, STMT_EXPRESSION);

	s->expr = relational_expr_alloc(NULL, op, l, r);
	return s;
}

static struct stmt *match_field(const struct proto_desc *d, unsigned int field, uint64_t x)
{
	struct expr *p = payload_expr_alloc(NULL, d, field);

	return match(p, OP_EQ, val(p, x));
}

static struct stmt *verdict(int code)
{
	struct stmt *s = stmt_alloc(NULL, STMT_VERDICT);

	s->expr = verdict_expr_alloc(NULL, code, NULL);
	return s;
}

/* Lower and print; compare with the expected text. */
static void expect(struct fixture *f, const char *want)
{
	struct list_head msgs;
	struct bnft_ir *ir = NULL;
	struct outbuf o;

	init_list_head(&msgs);
	outbuf_init(&o);
	assert_int_equal(bnft_lower(&f->rs, &ir, &msgs), 0);
	assert_non_null(ir);
	bnft_ir_print_debug(ir, &o);
	if (strcmp(o.buf ? o.buf : "", want))
		print_message("got:\n%s\nwant:\n%s\n", o.buf ? o.buf : "", want);
	assert_string_equal(o.buf ? o.buf : "", want);
	outbuf_release(&o);
	bnft_ir_free(&ir);
	erec_free_list(&msgs);
}

static void test_tcp_dport_inet(void **state)
{
	struct fixture *f = fx_new(NFPROTO_INET);
	struct rule *r = fx_rule(f);

	add_stmt(r, match_field(&proto_tcp, TCPHDR_DPORT, 22));
	add_stmt(r, verdict(VERDICT_ACCEPT));
	expect(f, "inet t c\n"
		  "  [ meta load l4proto => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x00000006 ]\n"
		  "  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x00001600 ]\n"
		  "  [ immediate reg 0 accept ]\n\n");
	fx_free(f);
}

static void test_ip_saddr_inet_dep_once(void **state)
{
	struct fixture *f = fx_new(NFPROTO_INET);
	struct rule *r = fx_rule(f);

	/* the second ip field needs no second nfproto dependency */
	add_stmt(r, match_field(&proto_ip, IPHDR_SADDR, 0x01020304));
	add_stmt(r, match_field(&proto_ip, IPHDR_DADDR, 0x05060708));
	expect(f, "inet t c\n"
		  "  [ meta load nfproto => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x00000002 ]\n"
		  "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x04030201 ]\n"
		  "  [ payload load 4b @ network header + 16 => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x08070605 ]\n\n");
	fx_free(f);
}

static void test_dscp_mask_shift(void **state)
{
	struct fixture *f = fx_new(NFPROTO_IPV4);
	struct rule *r = fx_rule(f);

	/* ip dscp cs1: 6 bits at bit 8; constant 0x08 shifted left by 2 */
	add_stmt(r, match_field(&proto_ip, IPHDR_DSCP, 0x08));
	expect(f, "ip t c\n"
		  "  [ payload load 1b @ network header + 1 => reg 1 ]\n"
		  "  [ bitwise reg 1 = ( reg 1 & 0x000000fc ) ^ 0x00000000 ]\n"
		  "  [ cmp eq reg 1 0x00000020 ]\n\n");
	fx_free(f);
}

static void test_vlan_bridge_stacked(void **state)
{
	struct fixture *f = fx_new(NFPROTO_BRIDGE);
	struct rule *r = fx_rule(f);

	add_stmt(r, match_field(&proto_vlan, VLANHDR_VID, 4094));
	expect(f, "bridge t c\n"
		  "  [ payload load 2b @ link header + 12 => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x00000081 ]\n"
		  "  [ payload load 2b @ link header + 14 => reg 1 ]\n"
		  "  [ bitwise reg 1 = ( reg 1 & 0x0000ff0f ) ^ 0x00000000 ]\n"
		  "  [ cmp eq reg 1 0x0000fe0f ]\n\n");
	fx_free(f);
}

static void test_concat_registers(void **state)
{
	struct fixture *f = fx_new(NFPROTO_IPV4);
	struct rule *r = fx_rule(f);
	struct expr *cat = compound_expr_alloc(NULL, EXPR_CONCAT);
	struct expr *rcat = compound_expr_alloc(NULL, EXPR_CONCAT);
	struct expr *a = payload_expr_alloc(NULL, &proto_ip, IPHDR_SADDR);
	struct expr *b = payload_expr_alloc(NULL, &proto_tcp, TCPHDR_DPORT);

	compound_expr_add(rcat, val(a, 0x0a000001));
	compound_expr_add(rcat, val(b, 80));
	compound_expr_add(cat, a);
	compound_expr_add(cat, b);
	cat->len = 64;
	rcat->len = 64;
	add_stmt(r, match(cat, OP_EQ, rcat));
	expect(f, "ip t c\n"
		  "  [ meta load l4proto => reg 1 ]\n"
		  "  [ cmp eq reg 1 0x00000006 ]\n"
		  "  [ payload load 4b @ network header + 12 => reg 1 ]\n"
		  "  [ payload load 2b @ transport header + 2 => reg 9 ]\n"
		  "  [ cmp eq reg 1 0x0100000a 0x00005000 ]\n\n");
	fx_free(f);
}

static void test_unsupported_is_error(void **state)
{
	struct fixture *f = fx_new(NFPROTO_IPV4);
	struct rule *r = fx_rule(f);
	struct list_head msgs;
	struct bnft_ir *ir = (struct bnft_ir *)&msgs;
	struct stmt *s = stmt_alloc(NULL, STMT_XT);

	add_stmt(r, s);
	init_list_head(&msgs);
	assert_int_equal(bnft_lower(&f->rs, &ir, &msgs), -1);
	assert_null(ir);
	assert_false(list_empty(&msgs));
	erec_free_list(&msgs);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_dport_inet),
		cmocka_unit_test(test_ip_saddr_inet_dep_once),
		cmocka_unit_test(test_dscp_mask_shift),
		cmocka_unit_test(test_vlan_bridge_stacked),
		cmocka_unit_test(test_concat_registers),
		cmocka_unit_test(test_unsupported_is_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
