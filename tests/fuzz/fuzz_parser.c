// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the front end: one input is one nft ruleset text.
 * It is parsed and, when it parses, evaluated into an empty ruleset and
 * printed (text, with -a -s, and JSON), so the grammar, the evaluator and
 * the printer are all exercised. Any crash, leak or sanitizer report is a
 * bug. FUZZ_VERBOSE=1 prints the output and messages to stderr.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/print.h"
#include "parser/ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct output_ctx octx = { .stateless = false };
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	struct outbuf out;
	LIST_HEAD(msgs);
	char *buf;

	/* Includes would read the host's files: the fuzzer feeds text only. */
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
		struct output_ctx a = octx;

		bnft_print_ruleset(&rs, &octx, &out);
		a.handle = true;
		a.stateless = true;
		bnft_print_ruleset(&rs, &a, &out);
		bnft_print_ruleset_json(&rs, 0, &octx, &out);
	}
	erec_print_list(&out, &msgs);
	if (getenv("FUZZ_VERBOSE") && out.buf)
		fprintf(stderr, "%.*s", (int)out.len, out.buf);
	erec_free_list(&msgs);
	outbuf_release(&out);
	parse_ctx_release(&pctx);
	bnft_ruleset_release(&rs);
	ruleset_src_release(&src);
	free(buf);
	return 0;
}
