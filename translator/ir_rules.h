/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lowering knows of the rules it made, handed to the compiler so
 * that it does not walk the rules' libnftnl objects again (scattered over
 * the heap, slow to read back): per rule in list order its chain, handle
 * and expression index (rule_index.h), built as each rule is finished,
 * and per chain the optimizer's parse of its rules (optimize.h), made
 * while the expressions are in the cache.
 *
 * Only the lowering makes it (struct bnft_ir.lowered); an IR from another
 * producer (a kernel dump, tests) has none and the compiler walks the
 * rules. Whoever changes the IR's rules or chains after the lowering
 * must drop it first (bnft_ir_rules_free).
 */
#ifndef BNFT_TRANSLATOR_IR_RULES_H
#define BNFT_TRANSLATOR_IR_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translator/optimize.h"
#include "translator/rule_index.h"

struct nftnl_chain;

struct bnft_ir_rule {
	struct bnft_rule_ix ix; /* ix.r: the rule */
	uint64_t handle;	/* NFTNL_RULE_HANDLE, 0 none */
	uint32_t chain;		/* index of its chain in ir->chains */
};

struct bnft_ir_rules {
	struct bnft_ir_rule *v; /* in ir->rules order */
	size_t n, cap;
	/* the chains in ir->chains order */
	const struct nftnl_chain **chain;
	size_t nchains, chain_cap;
	struct bnft_ix_store ixs; /* the indexes' expressions and kinds */
	/* per chain: its rules parsed for the optimizer, NULL when the
	 * optimizer is off; bnft_compile() takes them (a second compile of
	 * the IR parses again from the indexes) */
	struct bnft_opt_parsed *opt;
	bool opt_on;
};

/* A new empty record; opt_on: parse the rules for the optimizer. NULL
 * when out of memory. */
struct bnft_ir_rules *bnft_ir_rules_new(bool opt_on);

/* Notes chain c, the next of ir->chains: 0 or -ENOMEM. */
int bnft_ir_rules_chain(struct bnft_ir_rules *lr, const struct nftnl_chain *c);
/* Notes rule r, the next of ir->rules, of chain `chain` (an index of
 * bnft_ir_rules_chain's), with its n expressions e[] of kinds kinds[]
 * (enum bnft_xk; NULL: asked) and fields facts[] (NULL: asked). Returns 0
 * or -ENOMEM. */
int bnft_ir_rules_add(struct bnft_ir_rules *lr, const struct nftnl_rule *r, uint32_t chain,
		      uint64_t handle, struct nftnl_expr *const *e, const uint8_t *kinds,
		      const struct bnft_xfact *facts, uint32_t n);
/* NULL-safe; clears the pointer. */
void bnft_ir_rules_free(struct bnft_ir_rules **lr);

#endif
