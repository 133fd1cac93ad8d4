/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-memory ruleset: what the kernel would hold after the commands ran.
 * evaluate.c checks commands and applies them here (add table/chain/rule/
 * set/element..., delete, flush, rename); print.c prints it as `nft list`
 * does; translator/lower.c lowers it to libnftnl objects.
 */
#ifndef BNFT_PARSER_RULESET_H
#define BNFT_PARSER_RULESET_H

#include "parser/ast.h"
#include "parser/datatype.h"

struct bnft_ruleset {
	struct list_head tables; /* struct table, in creation order */
	uint64_t next_handle;	 /* handles allocated like the kernel (per table) */
};

void bnft_ruleset_init(struct bnft_ruleset *rs);
void bnft_ruleset_release(struct bnft_ruleset *rs);

/*
 * Evaluate every command of src (types, symbols, dependencies, sets) and
 * apply them to rs as one transaction: on any error nothing is applied, the
 * errors are appended to msgs and -1 is returned; 0 on success. Commands that
 * only list/read (list, reset ...) are executed against rs and their output
 * appended to out (may be NULL).
 */
int bnft_evaluate(struct bnft_ruleset *rs, struct ruleset_src *src, struct list_head *msgs,
		  const struct output_ctx *octx, struct outbuf *out);

/* Print the whole ruleset as `nft list ruleset` does. */
void bnft_print_ruleset(const struct bnft_ruleset *rs, const struct output_ctx *octx,
			struct outbuf *o);

#endif
