// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>

#include "translator/ir.h"
#include "translator/ir_elems.h"
#include "translator/ir_rules.h"

int bnft_ir_new(struct bnft_ir **out)
{
	struct bnft_ir *ir = calloc(1, sizeof(*ir));

	if (!ir)
		return -ENOMEM;
	ir->tables = nftnl_table_list_alloc();
	ir->chains = nftnl_chain_list_alloc();
	ir->sets = nftnl_set_list_alloc();
	ir->rules = nftnl_rule_list_alloc();
	ir->objs = nftnl_obj_list_alloc();
	ir->flowtables = nftnl_flowtable_list_alloc();
	if (!ir->tables || !ir->chains || !ir->sets || !ir->rules || !ir->objs ||
	    !ir->flowtables) {
		bnft_ir_free(&ir);
		return -ENOMEM;
	}
	*out = ir;
	return 0;
}

void bnft_ir_free(struct bnft_ir **irp)
{
	struct bnft_ir *ir = *irp;

	if (!ir)
		return;
	bnft_ir_elems_free_all(ir);
	bnft_ir_rules_free(&ir->lowered);
	if (ir->tables)
		nftnl_table_list_free(ir->tables);
	if (ir->chains)
		nftnl_chain_list_free(ir->chains);
	if (ir->sets)
		nftnl_set_list_free(ir->sets);
	if (ir->rules)
		nftnl_rule_list_free(ir->rules);
	if (ir->objs)
		nftnl_obj_list_free(ir->objs);
	if (ir->flowtables)
		nftnl_flowtable_list_free(ir->flowtables);
	free(ir);
	*irp = NULL;
}

struct free_budget {
	size_t left;
};

static int rule_free_cb(struct nftnl_rule *r, void *data)
{
	struct free_budget *b = data;

	if (!b->left)
		return -1; /* stop: this one stays */
	nftnl_rule_list_del(r);
	nftnl_rule_free(r);
	b->left--;
	return 0;
}

bool bnft_ir_free_some(struct bnft_ir **irp, size_t budget)
{
	struct free_budget b = { .left = budget };
	struct bnft_ir *ir = *irp;

	if (!ir)
		return true;
	/* the lowering's record of the rules points at them */
	bnft_ir_rules_free(&ir->lowered);
	/* the rules are most of it, a slice at a time (the list's own free
	 * goes first to last too; foreach allows the current one's removal) */
	if (ir->rules && nftnl_rule_list_foreach(ir->rules, rule_free_cb, &b) < 0)
		return false;
	bnft_ir_free(irp);
	return true;
}
