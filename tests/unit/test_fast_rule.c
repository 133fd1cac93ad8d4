// SPDX-License-Identifier: GPL-2.0
/* Rule lines taken whole (parser/fast_rule.c) build what the grammar
 * builds from their tokens: the same AST, locations included, and the same
 * errors around them. Every text is parsed twice, with and without
 * BNFT_NO_FAST_RULES, and the dumps compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <stdlib.h>

#include "parser/erec.h"
#include "parser/datatype.h"
#include "parser/parse.h"
#include "parser/proto.h"

static void dump_loc(struct outbuf *o, const struct location *l)
{
	outbuf_printf(o, " @%d.%d-%d.%d%s", l->first_line, l->first_column, l->last_line,
		      l->last_column, l->indesc ? "" : "?");
}

static void dump_expr(struct outbuf *o, const struct expr *e, int d)
{
	if (!e) {
		outbuf_printf(o, "%*sNULL\n", d, "");
		return;
	}
	outbuf_printf(o, "%*se%d f%x op%d len%u", d, "", e->etype, e->flags, e->op, e->len);
	dump_loc(o, &e->location);
	switch (e->etype) {
	case EXPR_SYMBOL:
		outbuf_printf(o, " '%s' q%d\n", e->sym.identifier, e->sym.quoted);
		break;
	case EXPR_PAYLOAD:
		outbuf_printf(o, " %s f%u base%d off%u inner%d\n",
			      e->payload.desc ? e->payload.desc->name : "raw", e->payload.field,
			      e->payload.base, e->payload.offset, e->payload.inner);
		break;
	case EXPR_META:
		outbuf_printf(o, " meta %u\n", e->meta.key);
		break;
	case EXPR_VERDICT:
		outbuf_printf(o, " verdict %d\n", e->verdict.code);
		break;
	case EXPR_PREFIX:
		outbuf_printf(o, " /%u\n", e->prefix.prefix_len);
		dump_expr(o, e->prefix.prefix, d + 1);
		break;
	case EXPR_RANGE:
		outbuf_printf(o, "\n");
		dump_expr(o, e->range.left, d + 1);
		dump_expr(o, e->range.right, d + 1);
		break;
	case EXPR_RELATIONAL:
	case EXPR_BINOP:
		outbuf_printf(o, "\n");
		dump_expr(o, e->binop.left, d + 1);
		dump_expr(o, e->binop.right, d + 1);
		break;
	default:
		outbuf_printf(o, " (other)\n");
	}
}

static void dump_rules(struct outbuf *o, const struct list_head *rules)
{
	const struct rule *r;
	const struct stmt *s;

	list_for_each_entry(r, rules, list) {
		outbuf_printf(o, " rule n%u", r->num_stmts);
		dump_loc(o, &r->location);
		outbuf_printf(o, "\n");
		list_for_each_entry(s, &r->stmts, list) {
			outbuf_printf(o, "  stmt %d", s->type);
			dump_loc(o, &s->location);
			outbuf_printf(o, "\n");
			if (s->type == STMT_EXPRESSION || s->type == STMT_VERDICT)
				dump_expr(o, s->expr, 3);
		}
	}
}

/* The commands, their tables' chains and rules, the errors. */
static char *parse_dump(const char *text, bool fast)
{
	struct ruleset_src src;
	struct parse_ctx ctx;
	struct list_head msgs;
	struct outbuf o;
	const struct cmd *c;
	const struct chain *ch;
	int ret;

	if (fast)
		unsetenv("BNFT_NO_FAST_RULES");
	else
		setenv("BNFT_NO_FAST_RULES", "1", 1);
	init_list_head(&msgs);
	ruleset_src_init(&src);
	parse_ctx_init(&ctx, &src, &msgs);
	outbuf_init(&o);
	ret = bnft_parse_buffer(&ctx, text, "<cmdline>");
	outbuf_printf(&o, "ret %d\n", ret);
	list_for_each_entry(c, &src.cmds, list) {
		outbuf_printf(&o, "cmd %d %d", c->op, c->obj);
		dump_loc(&o, &c->location);
		outbuf_printf(&o, "\n");
		if (c->obj == CMD_OBJ_RULE && c->rule) {
			struct list_head one;

			init_list_head(&one);
			list_add_tail(&c->rule->list, &one);
			dump_rules(&o, &one);
			list_del(&c->rule->list);
		}
		if (c->obj != CMD_OBJ_TABLE || !c->table)
			continue;
		list_for_each_entry(ch, &c->table->chains, list) {
			outbuf_printf(&o, "chain %s", ch->handle.chain);
			dump_loc(&o, &ch->location);
			outbuf_printf(&o, "\n");
			dump_rules(&o, &ch->rules);
		}
	}
	erec_print_list(&o, &msgs);
	erec_free_list(&msgs);
	parse_ctx_release(&ctx);
	ruleset_src_release(&src);
	unsetenv("BNFT_NO_FAST_RULES");
	outbuf_printf(&o, "%s", "");
	return o.buf;
}

static void same(const char *text)
{
	char *a = parse_dump(text, true), *b = parse_dump(text, false);

	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a, b);
	free(a);
	free(b);
}

static void test_fast_lines(void **state)
{
	same("table inet t {\n"
	     "\tchain c {\n"
	     "\t\ttype filter hook input priority 0; policy accept;\n"
	     "\t\tip saddr 10.0.0.5 tcp dport 53991 accept\n"
	     "ip daddr 1.2.3.4 drop\n"
	     "\t\tip saddr 10.0.0.0/20 drop\n"
	     "\t\ttcp dport 20558-20629 accept\n"
	     "\t\tudp sport 0 udp dport 65535 drop\n"
	     "\t\tiifname \"bench3\" ip daddr 10.0.0.3 drop\n"
	     "\t\toifname \"\" accept\n"
	     "\t \t ip saddr 10.0.0.1   tcp dport 1\taccept\n"
	     "\t}\n"
	     "\tchain d {\n"
	     "\t\tip saddr 10.0.0.6 accept\n"
	     "\t}\n"
	     "}\n");
}

static void test_near_misses(void **state)
{
	/* continued lines, comments, separators, leading zeros, long numbers,
	 * other selectors, nested braces, no newline at the end */
	same("table ip t {\n"
	     "\tchain c {\n"
	     "\t\tip saddr 10.0.0.1 \\\n"
	     "\t\ttcp dport 22 accept\n"
	     "\t\tip saddr 10.0.0.2 accept # x\n"
	     "\t\tip saddr 10.0.0.3 accept; ip saddr 10.0.0.4 drop\n"
	     "\t\ttcp dport 022 accept\n"
	     "\t\ttcp dport 1234567890 accept\n"
	     "\t\tip6 saddr ::1 accept\n"
	     "\t\tip saddr 10.0.0.5 counter accept\n"
	     "\t\tip saddr 10.0.0.6 accept \n"
	     "\t\tip saddr { 10.0.0.7,\n"
	     "\t\t\t10.0.0.8 } accept\n"
	     "\t\tip saddr 10.0.0.9 jump { ip saddr 10.0.0.10 accept\n"
	     "\t\t\tip saddr 10.0.0.11 accept\n"
	     "\t\t}\n"
	     "\t\tip saddr 10.0.0.12 accept\n"
	     "\t}\n"
	     "\tchain d { ip saddr 10.0.0.13 accept\n"
	     "\t\tip saddr 10.0.0.14 accept; }\n"
	     "}\n"
	     "add rule ip t c ip saddr 10.0.0.15 accept\n"
	     "table ip u { chain c {\n"
	     "ip saddr 10.0.0.16 accept\n"
	     "ip saddr 10.0.0.17 accept");
}

static void test_errors_around(void **state)
{
	/* errors before, between and after whole lines, and where no rule
	 * may stand (a table body, after the chain closed) */
	same("table ip t {\n"
	     "\tchain c {\n"
	     "\t\tip saddr\n"
	     "\t\tip saddr 10.0.0.1 accept\n"
	     "\t\ttcp dport 1 counter packets\n"
	     "\t\tip saddr 10.0.0.2 accept\n"
	     "\t\tudp foo 1 accept\n"
	     "\t\tip saddr 10.0.0.3 accept\n"
	     "\t\tfoo bar baz\n"
	     "\t\tip saddr 10.0.0.4 accept\n"
	     "\t}\n"
	     "\tip saddr 10.0.0.5 accept\n"
	     "\tchain d {\n"
	     "\t\tip saddr 10.0.0.6 accept\n"
	     "\t}}\n"
	     "ip saddr 10.0.0.7 accept\n");
	same("table ip t {\n"
	     "\tchain c {\n"
	     "\t\ttcp dport 99999999999999999999 accept\n"
	     "\t\tip saddr 10.0.0.1 accept\n"
	     "\t\t}\n"
	     "\t\tip saddr 10.0.0.2 accept\n"
	     "\t}\n");
}

static void test_max_errors(void **state)
{
	char text[4096];
	size_t n = 0;
	int i;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "table ip t {\n\tchain c {\n");
	for (i = 0; i < 14; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "\t\tip saddr 10.0.0.%d accept\n\t\tbad %d\n", i, i);
	snprintf(text + n, sizeof(text) - n, "\t}\n}\n");
	same(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_lines),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_errors_around),
		cmocka_unit_test(test_max_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
