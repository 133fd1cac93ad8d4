// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the front end: one input is one nft ruleset text.
 * It is parsed and, when it parses, evaluated into an empty ruleset and
 * printed (text, with -a -s, and JSON), so the grammar, the evaluator and
 * the printer are all exercised. Any crash, leak or sanitizer report is a
 * bug, and so is a rejection without an error record. FUZZ_VERBOSE=1
 * prints the output and messages to stderr.
 *
 * FUZZ_ROUNDTRIP=1 adds an oracle for silent drops and unreadable output:
 * the listing of an accepted input must itself be accepted and list the
 * same (a construct the printer loses or prints in a form the grammar
 * does not read back aborts; FUZZ_ROUNDTRIP=2 only reports).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/print.h"
#include "parser/ruleset.h"

/* Parse, evaluate and list text: 0 when accepted (listing in *list),
 * messages and other output appended to *log. */
static int listing(char *text, struct outbuf *list, struct outbuf *log, bool all)
{
	struct output_ctx octx = { .stateless = false };
	struct ruleset_src src;
	struct bnft_ruleset rs;
	struct parse_ctx pctx;
	LIST_HEAD(msgs);
	int rc = -1;

	ruleset_src_init(&src);
	bnft_ruleset_init(&rs);
	parse_ctx_init(&pctx, &src, &msgs);
	if (bnft_parse_buffer(&pctx, text, "<fuzz>") != 0) {
		if (list_empty(&msgs))
			abort(); /* rejected without a located error */
	} else if (bnft_evaluate(&rs, &src, &msgs, &octx, log) != 0) {
		if (list_empty(&msgs))
			abort(); /* rejected without a located error */
	} else {
		struct output_ctx a = octx;

		rc = 0;
		bnft_print_ruleset(&rs, &octx, list);
		if (all) {
			a.handle = true;
			a.stateless = true;
			bnft_print_ruleset(&rs, &a, log);
			bnft_print_ruleset_json(&rs, 0, &octx, log);
		}
	}
	erec_print_list(log, &msgs);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	bnft_ruleset_release(&rs);
	ruleset_src_release(&src);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int verbose = -1, roundtrip;
	static const char *dump;
	static unsigned int dumped;
	struct outbuf list, list2, log;
	char *buf, *again;

	if (verbose < 0) {
		verbose = !!getenv("FUZZ_VERBOSE");
		roundtrip = getenv("FUZZ_ROUNDTRIP") ? atoi(getenv("FUZZ_ROUNDTRIP")) : 0;
		dump = getenv("FUZZ_DUMP");
	}
	/* Includes would read the host's files: the fuzzer feeds text only. */
	if (size > 65536 || memmem(data, size, "include", 7))
		return 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	outbuf_init(&list);
	outbuf_init(&list2);
	outbuf_init(&log);
	if (listing(buf, &list, &log, true) == 0 && roundtrip && list.buf && !list.err) {
		again = strndup(list.buf, list.len);
		if (again && (listing(again, &list2, &log, false) != 0 || list2.len != list.len ||
			      memcmp(list.buf, list2.buf, list.len))) {
			fprintf(stderr, "roundtrip: listing\n%.*s\nlists as\n%.*s\nlog:\n%.*s\n",
				(int)list.len, list.buf, (int)list2.len, list2.buf ? list2.buf : "",
				(int)log.len, log.buf ? log.buf : "");
			if (roundtrip == 1)
				abort();
		}
		free(again);
	}
	if (dump && list.buf) {
		/* FUZZ_DUMP=dir: accepted inputs and their listings as
		 * dir/N.in, dir/N.out (for a listing differential with nft). */
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%u.in", dump, dumped);
		f = fopen(path, "w");
		if (f) {
			fwrite(data, 1, size, f);
			fclose(f);
		}
		snprintf(path, sizeof(path), "%s/%u.out", dump, dumped++);
		f = fopen(path, "w");
		if (f) {
			fwrite(list.buf, 1, list.len, f);
			fclose(f);
		}
	}
	if (verbose)
		fprintf(stderr, "%.*s%.*s", (int)list.len, list.buf ? list.buf : "", (int)log.len,
			log.buf ? log.buf : "");
	outbuf_release(&list);
	outbuf_release(&list2);
	outbuf_release(&log);
	free(buf);
	return 0;
}
