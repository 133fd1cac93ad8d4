/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Lowering: the evaluated ruleset (parser/ruleset.h) becomes the nf_tables
 * objects nft 1.1 would send to the kernel (translator/ir.h), built with
 * libnftnl the way nft's netlink_linearize.c builds them: implicit protocol
 * dependencies, masks and shifts for sub-byte fields, byteorder conversions,
 * anonymous sets with interval end markers, registers allocated like nft.
 */
#ifndef BNFT_TRANSLATOR_LOWER_H
#define BNFT_TRANSLATOR_LOWER_H

#include "parser/ast.h"
#include "parser/datatype.h"
#include "parser/ruleset.h"
#include "translator/ir.h"

/*
 * Lower every table of rs into a new IR (*out). Returns 0, or -1 with
 * located error records appended to msgs naming each construct that could
 * not be lowered (nothing is dropped silently); *out is NULL then.
 */
int bnft_lower(const struct bnft_ruleset *rs, struct bnft_ir **out, struct list_head *msgs);

/*
 * Print the IR in the format of nft --debug=netlink (the upstream
 * tests/py *.t.payload files): for each rule, the anonymous sets it uses
 * ("__set%d table flags" and their element lines) and then
 * "family table chain" with one "  [ expr ]" line per expression.
 * Anonymous set names print as "__set%d"/"__map%d" like nft does.
 */
void bnft_ir_print_debug(const struct bnft_ir *ir, struct outbuf *o);

/* One rule only (with the anonymous sets it references, looked up in ir). */
void bnft_ir_print_rule_debug(const struct bnft_ir *ir, struct nftnl_rule *r, struct outbuf *o);

/* A set's element lines ("\telement ... " ...), without the header. */
void bnft_ir_print_set_elems(const struct bnft_ir *ir, const struct nftnl_set *s,
			     struct outbuf *o);

/* `--debug=netlink`: lower rs and print its expression lists (or the
 * lowering's error records) to o (translator/netlink_debug.c). */
void bnft_netlink_debug(const struct bnft_ruleset *rs, const struct output_ctx *octx,
			struct outbuf *o);

#endif
