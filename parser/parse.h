/* SPDX-License-Identifier: GPL-2.0 */
/* Entry points of the grammar (parser.y / scanner.l / parse.c). */
#ifndef BNFT_PARSER_PARSE_H
#define BNFT_PARSER_PARSE_H

#include "parser/ast.h"

#define BNFT_DEFAULT_INCLUDE_PATH "/etc"

struct parse_ctx {
	struct ruleset_src *src; /* commands are appended here */
	struct list_head *msgs;	 /* error records are appended here */
	const char **include_paths; /* -I, searched in order, then default */
	unsigned int num_include_paths;
	struct scope *top_scope; /* defines persist across inputs of one run */
	unsigned int nerrs;
	unsigned int max_errors; /* nft stops after 10 */
};

/* Each returns 0 on success, -1 with error records in ctx->msgs. The parser
 * keeps going after an error to report up to max_errors of them; commands
 * parsed from an input with errors must not be applied. */
int bnft_parse_file(struct parse_ctx *ctx, const char *filename);
int bnft_parse_buffer(struct parse_ctx *ctx, const char *buf, const char *name);

void parse_ctx_init(struct parse_ctx *ctx, struct ruleset_src *src, struct list_head *msgs);
void parse_ctx_release(struct parse_ctx *ctx);

#endif
