// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the lowering: one input is one nft ruleset text.
 * When it parses and evaluates, the ruleset is lowered to libnftnl objects
 * (translator/lower.h) and the IR printed in nft --debug=netlink format.
 * Any crash, leak or sanitizer report is a bug; so is a failed lowering
 * without an error record (an unsupported construct must be a located
 * error, never a silent drop), and so is a lowered IR with fewer rules
 * than the ruleset or fewer expressions than statements (every statement
 * lowers to at least one expression). FUZZ_VERBOSE=1 prints the output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/lower.h"

static int count_expr(struct nftnl_expr *e, void *data)
{
	(*(unsigned int *)data)++;
	return 0;
}

static int count_rule(struct nftnl_rule *r, void *data)
{
	unsigned int *n = data;

	n[0]++;
	nftnl_expr_foreach(r, count_expr, &n[1]);
	return 0;
}

/* Rules and statements of the ruleset (chains of every table). */
static void count_ast(const struct bnft_ruleset *rs, unsigned int *n)
{
	const struct table *t;
	const struct chain *c;
	const struct rule *r;
	const struct stmt *st;

	list_for_each_entry(t, &rs->tables, list)
		list_for_each_entry(c, &t->chains, list)
			list_for_each_entry(r, &c->rules, list) {
				n[0]++;
				list_for_each_entry(st, &r->stmts, list)
					n[1]++;
			}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct output_ctx octx = { .stateless = false };
	struct bnft_ir *ir = NULL;
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	struct outbuf out;
	LIST_HEAD(msgs);
	char *buf;

	if (size > 65536 || memmem(data, size, "include", 7))
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	outbuf_init(&out);
	if (bnft_parse_buffer(&pctx, buf, "<fuzz>") == 0 &&
	    bnft_evaluate(&rs, &src, &msgs, &octx, &out) == 0) {
		if (bnft_lower(&rs, &ir, &msgs) == 0) {
			if (!ir)
				abort(); /* success must produce an IR */
			unsigned int ast[2] = { 0, 0 }, low[2] = { 0, 0 };

			bnft_ir_print_debug(ir, &out);
			count_ast(&rs, ast);
			nftnl_rule_list_foreach(ir->rules, count_rule, low);
			if (low[0] < ast[0] || low[1] < ast[1]) {
				fprintf(stderr, "silent drop: %u rules/%u statements lowered to %u rules/%u expressions\n",
					ast[0], ast[1], low[0], low[1]);
				abort();
			}
		} else if (list_empty(&msgs)) {
			abort(); /* failure without a located error */
		}
	}
	erec_print_list(&out, &msgs);
	if (getenv("FUZZ_VERBOSE") && out.buf)
		fprintf(stderr, "%.*s", (int)out.len, out.buf);
	bnft_ir_free(&ir);
	erec_free_list(&msgs);
	outbuf_release(&out);
	parse_ctx_release(&pctx);
	bnft_ruleset_release(&rs);
	ruleset_src_release(&src);
	free(buf);
	return 0;
}
