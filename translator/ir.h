/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IR between the front end and the code generator: the nf_tables
 * objects exactly as libnftnl holds them (the same objects nft sends to the
 * kernel). Three producers fill it: the lowering of a parsed ruleset
 * (translator/lower*.c), a dump of a live kernel ruleset through libmnl
 * (translator/kdump.c), and JSON/iptables front ends later. One consumer
 * compiles it: translator/codegen*.c.
 */
#ifndef BNFT_TRANSLATOR_IR_H
#define BNFT_TRANSLATOR_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/object.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/expr.h>

struct bnft_ir_rules;

struct bnft_ir {
	struct nftnl_table_list *tables;
	struct nftnl_chain_list *chains;
	/* Named and anonymous sets, anonymous ones flagged
	 * NFT_SET_ANONYMOUS. Their elements: attached to the set
	 * (nftnl_set_elem_add, kdump.c) or, from the lowering, in the set's
	 * compact store (ir_elems.h); read them with bnft_elems_iter. */
	struct nftnl_set_list *sets;
	/* Rules in list order per chain (NFTNL_RULE_TABLE/CHAIN/FAMILY set). */
	struct nftnl_rule_list *rules;
	struct nftnl_obj_list *objs;
	struct nftnl_flowtable_list *flowtables;
	/* the sets' element stores (ir_elems.c), NULL none */
	struct bnft_elems_tab *elems;
	/* what the lowering knows of the rules (ir_rules.h), NULL none */
	struct bnft_ir_rules *lowered;
};

/* Returns 0 or -ENOMEM. */
int bnft_ir_new(struct bnft_ir **out);
/* NULL-safe; clears the pointer. */
void bnft_ir_free(struct bnft_ir **ir);
/* Frees about `budget` rules of *ir (a big IR a slice at a time, so that
 * a daemon can free one between requests); the rest of it with the last
 * rule. Returns true when *ir is gone (and cleared). */
bool bnft_ir_free_some(struct bnft_ir **ir, size_t budget);

#endif
