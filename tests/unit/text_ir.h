/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unit tests' front end: a ruleset text parsed, evaluated and lowered to
 * the IR in a ruleset of its own (include after cmocka.h).
 */
#ifndef BNFT_TESTS_UNIT_TEXT_IR_H
#define BNFT_TESTS_UNIT_TEXT_IR_H

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/lower.h"

/* The IR of text, or NULL with the error messages printed. */
static inline struct bnft_ir *text_to_ir(const char *text)
{
	struct bnft_ruleset rs;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct list_head msgs;
	struct output_ctx octx = { 0 };
	struct bnft_ir *ir = NULL;

	init_list_head(&msgs);
	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	if (bnft_parse_buffer(&pctx, text, "<test>") < 0 ||
	    bnft_evaluate(&rs, &src, &msgs, &octx, NULL) < 0 || bnft_lower(&rs, &ir, &msgs) < 0) {
		struct outbuf err;

		outbuf_init(&err);
		erec_print_list(&err, &msgs);
		print_message("%s", err.buf ? err.buf : "(no message)\n");
		outbuf_release(&err);
		bnft_ir_free(&ir);
	}
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	bnft_ruleset_release(&rs);
	return ir;
}

#endif
