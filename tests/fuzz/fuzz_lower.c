// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the lowering: one input is one nft ruleset text.
 * When it parses and evaluates, the ruleset is lowered to libnftnl objects
 * (translator/lower.h) and the IR printed in nft --debug=netlink format.
 * Any crash, leak or sanitizer report is a bug; so is a failed lowering
 * without an error record (an unsupported construct must be a located
 * error, never a silent drop).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/lower.h"

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
			bnft_ir_print_debug(ir, &out);
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
