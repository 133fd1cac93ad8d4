// SPDX-License-Identifier: GPL-2.0
/* Grammar unit tests: block and flat syntax build the expected AST shape,
 * syntax errors are located and printed like nft, defines are scoped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <stdlib.h>
#include <unistd.h>

#include "parser/erec.h"
#include "parser/parse.h"

struct run {
	struct ruleset_src src;
	struct parse_ctx ctx;
	struct list_head msgs;
	struct outbuf err;
	int ret;
};

static void run_parse(struct run *r, const char *text)
{
	init_list_head(&r->msgs);
	ruleset_src_init(&r->src);
	parse_ctx_init(&r->ctx, &r->src, &r->msgs);
	outbuf_init(&r->err);
	r->ret = bnft_parse_buffer(&r->ctx, text, "<cmdline>");
	erec_print_list(&r->err, &r->msgs);
}

static void run_free(struct run *r)
{
	erec_free_list(&r->msgs);
	outbuf_release(&r->err);
	parse_ctx_release(&r->ctx);
	ruleset_src_release(&r->src);
}

static void test_table_block(void **state)
{
	struct run r;
	struct cmd *c;
	struct table *t;
	struct chain *ch;
	struct rule *ru;
	struct set *s;

	run_parse(&r, "table inet t {\n"
		      "\tset s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 1.2.3.4 }; }\n"
		      "\tchain c {\n"
		      "\t\ttype filter hook input priority filter + 10; policy drop;\n"
		      "\t\ttcp dport { 22, 80 } counter accept comment \"x\"\n"
		      "\t}\n"
		      "}\n");
	assert_int_equal(r.ret, 0);
	c = list_first_entry(&r.src.cmds, struct cmd, list);
	assert_int_equal(c->op, CMD_ADD);
	assert_int_equal(c->obj, CMD_OBJ_TABLE);
	t = c->table;
	assert_string_equal(t->handle.table, "t");
	s = list_first_entry(&t->sets, struct set, list);
	assert_string_equal(s->handle.set, "s");
	assert_non_null(s->init);
	assert_int_equal(s->init->compound.size, 2);
	ch = list_first_entry(&t->chains, struct chain, list);
	assert_string_equal(ch->handle.chain, "c");
	assert_string_equal(ch->hookstr, "input");
	assert_string_equal(ch->priority->sym.identifier, "filter + 10");
	assert_string_equal(ch->policy->sym.identifier, "drop");
	ru = list_first_entry(&ch->rules, struct rule, list);
	assert_int_equal(ru->num_stmts, 3);
	assert_string_equal(ru->comment, "x");
	assert_string_equal(ru->handle.table, "t");
	assert_string_equal(ru->handle.chain, "c");
	run_free(&r);
}

static void test_flat_rule(void **state)
{
	struct run r;
	struct cmd *c;
	struct stmt *s;

	run_parse(&r, "add rule ip6 t c ip6 saddr . tcp dport @s ct state established,related accept");
	assert_int_equal(r.ret, 0);
	c = list_first_entry(&r.src.cmds, struct cmd, list);
	assert_int_equal(c->obj, CMD_OBJ_RULE);
	assert_int_equal(c->handle.family, 10);
	s = list_first_entry(&c->rule->stmts, struct stmt, list);
	assert_int_equal(s->type, STMT_EXPRESSION);
	assert_int_equal(s->expr->binop.left->etype, EXPR_CONCAT);
	assert_int_equal(s->expr->binop.right->etype, EXPR_SET_REF);
	s = list_next_entry(s, list);
	assert_int_equal(s->expr->binop.right->etype, EXPR_LIST);
	run_free(&r);
}

static void test_syntax_error_format(void **state)
{
	struct run r;

	run_parse(&r, "add rule ip t c tcp dport 1 counter packets");
	assert_int_not_equal(r.ret, 0);
	assert_string_equal(r.err.buf,
			    "Error: syntax error, unexpected newline, expecting number\n"
			    "add rule ip t c tcp dport 1 counter packets\n"
			    "                                           ^\n");
	run_free(&r);
}

static void test_define_scope(void **state)
{
	struct run r;

	run_parse(&r, "define p = 22\n"
		      "table ip t {\n\tdefine q = 23\n\tchain c {\n\t\ttcp dport { $p, $q }\n\t}\n}\n"
		      "add rule ip t c tcp dport $q\n");
	assert_int_not_equal(r.ret, 0);
	assert_non_null(strstr(r.err.buf, "unknown identifier 'q'"));
	run_free(&r);
}

/* First error line of inputs nft 1.0.6 rejects, as `nft -c` prints it. */
static void test_nft_error_wording(void **state)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		{ "add rule ip t c ct direction original}",
		  "Error: syntax error, unexpected '}', expecting end of file or newline or semicolon" },
		{ "add rule ip t c mh reserved != { 33, set 67, 88}",
		  "Error: syntax error, unexpected set, expecting comma or '}'" },
		{ "add rule ip t c dccp , 20-50",
		  "Error: syntax error, unexpected comma, expecting type or sport or dport" },
		{ "add rule ip t c reject with no-route",
		  "Error: syntax error, unexpected string, expecting icmp or icmpv6 or tcp or icmpx" },
		{ "add rule ip t c ip saddr vmap { 1.1.1.1 @ 2.2.2.2 : accept }",
		  "Error: syntax error, unexpected @, expecting colon" },
		{ "add rule ip t c log level audit group 2",
		  "Error: log level audit doesn't support any further options" },
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;
		const char *nl;

		run_parse(&r, cases[i].in);
		assert_int_not_equal(r.ret, 0);
		assert_non_null(r.err.buf);
		nl = strchr(r.err.buf, '\n');
		assert_non_null(nl);
		assert_int_equal((size_t)(nl - r.err.buf), strlen(cases[i].err));
		assert_memory_equal(r.err.buf, cases[i].err, strlen(cases[i].err));
		run_free(&r);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* include of a glob: files in sorted order; a missing file is located. */
static void test_include(void **state)
{
	char dir[] = "/tmp/bnft-parser-XXXXXX", p[512], text[1024];
	struct run r;
	struct cmd *c;
	const char *names[2];
	int i = 0;

	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/b.nft", dir);
	write_file(p, "add table ip b\n");
	snprintf(p, sizeof(p), "%s/a.nft", dir);
	write_file(p, "add table ip a\n");
	snprintf(text, sizeof(text), "include \"%s/*.nft\"\n", dir);
	run_parse(&r, text);
	assert_int_equal(r.ret, 0);
	list_for_each_entry(c, &r.src.cmds, list) {
		assert_true(i < 2);
		names[i++] = c->handle.table;
	}
	assert_int_equal(i, 2);
	assert_string_equal(names[0], "a");
	assert_string_equal(names[1], "b");
	run_free(&r);

	snprintf(text, sizeof(text), "include \"%s/none.nft\"\n", dir);
	run_parse(&r, text);
	assert_int_not_equal(r.ret, 0);
	assert_non_null(strstr(r.err.buf, "Error: File not found: "));
	run_free(&r);

	snprintf(p, sizeof(p), "%s/a.nft", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/b.nft", dir);
	unlink(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_block),
		cmocka_unit_test(test_flat_rule),
		cmocka_unit_test(test_syntax_error_format),
		cmocka_unit_test(test_define_scope),
		cmocka_unit_test(test_nft_error_wording),
		cmocka_unit_test(test_include),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
