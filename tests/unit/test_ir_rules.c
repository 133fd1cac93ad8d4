// SPDX-License-Identifier: GPL-2.0
/*
 * The lowering's record of its rules (translator/ir_rules.h) against what
 * the compiler derives by walking the rules itself: for rulesets through the
 * real front end, each recorded rule has the expressions, kinds, flags,
 * handle and chain that the walk (bnft_rule_ix_add) and the rule's own
 * attributes give, and the compiler's output with the record is the same as
 * without it (dropped), also when the IR is compiled a second time (the
 * optimizer's parses were taken by the first compile).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"
#include "translator/codegen.h"
#include "translator/ir_rules.h"
#include "translator/lower.h"
#include "tests/unit/text_ir.h"

/* Index of chain c in ir->chains. */
static uint32_t chain_index(const struct bnft_ir *ir, const struct nftnl_rule *r)
{
	struct nftnl_chain_list_iter *it = nftnl_chain_list_iter_create(ir->chains);
	const char *t = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	const char *n = nftnl_rule_get_str(r, NFTNL_RULE_CHAIN);
	struct nftnl_chain *c;
	uint32_t i = 0, found = UINT32_MAX;

	while ((c = nftnl_chain_list_iter_next(it))) {
		if (found == UINT32_MAX && !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE), t) &&
		    !strcmp(nftnl_chain_get_str(c, NFTNL_CHAIN_NAME), n) &&
		    nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY) ==
			    nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY))
			found = i;
		i++;
	}
	nftnl_chain_list_iter_destroy(it);
	return found;
}

/* Every rule of ir->rules is recorded, in order, as the walk sees it. */
static void check_record(const struct bnft_ir *ir)
{
	const struct bnft_ir_rules *lr = ir->lowered;
	struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(ir->rules);
	struct bnft_ix_store st = { 0 };
	struct nftnl_rule *r;
	size_t n = 0;

	assert_non_null(lr);
	while ((r = nftnl_rule_list_iter_next(it))) {
		const struct bnft_ir_rule *x;
		struct bnft_rule_ix w;

		assert_true(n < lr->n);
		x = &lr->v[n++];
		assert_ptr_equal(x->ix.r, r);
		assert_int_equal(bnft_rule_ix_add(&st, r, &w), 0);
		assert_int_equal(x->ix.nex, w.nex);
		assert_int_equal(x->ix.flags, w.flags);
		if (w.nex) {
			assert_memory_equal(x->ix.ex, w.ex, w.nex * sizeof(*w.ex));
			assert_memory_equal(x->ix.kind, w.kind, w.nex);
		}
		assert_int_equal(x->handle, nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
		assert_int_equal(x->chain, chain_index(ir, r));
	}
	nftnl_rule_list_iter_destroy(it);
	bnft_ix_store_release(&st);
	assert_int_equal(n, lr->n);
}

static void assert_same_output(const struct bnft_prog_set *a, const struct bnft_prog_set *b)
{
	size_t i;

	assert_int_equal(a->nprogs, b->nprogs);
	for (i = 0; i < a->nprogs; i++) {
		assert_string_equal(a->progs[i].name, b->progs[i].name);
		assert_int_equal(a->progs[i].slot, b->progs[i].slot);
		assert_int_equal(a->progs[i].ninsns, b->progs[i].ninsns);
		assert_memory_equal(a->progs[i].insns, b->progs[i].insns,
				    a->progs[i].ninsns * sizeof(*a->progs[i].insns));
		assert_int_equal(a->progs[i].nmaprefs, b->progs[i].nmaprefs);
		if (a->progs[i].nmaprefs)
			assert_memory_equal(a->progs[i].maprefs, b->progs[i].maprefs,
					    a->progs[i].nmaprefs * sizeof(*a->progs[i].maprefs));
	}
	assert_int_equal(a->nmaps, b->nmaps);
	for (i = 0; i < a->nmaps; i++) {
		const struct bnft_map_spec *m = &a->maps[i], *k = &b->maps[i];

		assert_string_equal(m->name, k->name);
		assert_int_equal(m->type, k->type);
		assert_int_equal(m->key_size, k->key_size);
		assert_int_equal(m->value_size, k->value_size);
		assert_int_equal(m->nelems, k->nelems);
		if (m->keys && m->nelems)
			assert_memory_equal(m->keys, k->keys, (size_t)m->nelems * m->key_size);
		if (m->values && m->nelems)
			assert_memory_equal(m->values, k->values,
					    (size_t)m->nelems * m->value_size);
	}
	assert_int_equal(a->nrules, b->nrules);
	if (a->nrules)
		assert_memory_equal(a->rules, b->rules, a->nrules * sizeof(*a->rules));
	assert_int_equal(a->nchains, b->nchains);
	assert_int_equal(a->gen_flags, b->gen_flags);
}

/* The optimizer's parse made at lowering time from the noted fields
 * (struct bnft_xfact) is the parse from libnftnl's getters. */
static void check_parses(const struct bnft_ir *ir)
{
	const struct bnft_ir_rules *lr = ir->lowered;
	size_t seen[64] = { 0 }, i;

	assert_non_null(lr->opt);
	assert_true(lr->nchains <= 64);
	for (i = 0; i < lr->n; i++) {
		const struct bnft_ir_rule *x = &lr->v[i];
		const struct bnft_opt_parsed *p = &lr->opt[x->chain];
		const struct bnft_opt_rule *got;
		struct bnft_opt_pred pred[BNFT_OPT_MAX_SEL];
		struct bnft_opt_rule want;
		int k = bnft_opt_parse_ix(&x->ix, &want, pred);
		uint32_t j;

		assert_true(seen[x->chain] < p->n);
		got = &p->rules[seen[x->chain]++];
		assert_true(k >= 0);
		if (!k) {
			assert_null(got->pred);
			continue;
		}
		assert_non_null(got->pred);
		assert_int_equal(got->npred, want.npred);
		assert_int_equal(got->verdict, want.verdict);
		assert_ptr_equal(got->chain, want.chain);
		assert_int_equal(got->counter, want.counter);
		assert_int_equal(got->never, want.never);
		for (j = 0; j < want.npred; j++) {
			assert_memory_equal(&got->pred[j].sel, &want.pred[j].sel,
					    sizeof(want.pred[j].sel));
			assert_memory_equal(got->pred[j].lo, want.pred[j].lo, BNFT_OPT_VAL_MAX);
			assert_memory_equal(got->pred[j].hi, want.pred[j].hi, BNFT_OPT_VAL_MAX);
			assert_ptr_equal(got->pred[j].load, want.pred[j].load);
			assert_int_equal(got->pred[j].width, want.pred[j].width);
		}
	}
	for (i = 0; i < lr->nchains; i++)
		assert_int_equal(seen[i], lr->opt[i].n);
}

/* With the record, a second time (parses taken), and without it: the same
 * programs and maps. */
static void check_text(const char *text)
{
	struct bnft_ir *ir = text_to_ir(text);
	struct bnft_prog_set *with = NULL, *again = NULL, *without = NULL;
	struct bnft_err err;

	assert_non_null(ir);
	check_record(ir);
	check_parses(ir);
	assert_int_equal(bnft_compile(ir, &with, &err), 0);
	assert_int_equal(bnft_compile(ir, &again, &err), 0);
	bnft_ir_rules_free(&ir->lowered);
	assert_int_equal(bnft_compile(ir, &without, &err), 0);
	assert_same_output(with, without);
	assert_same_output(again, without);
	bnft_prog_set_free(&with);
	bnft_prog_set_free(&again);
	bnft_prog_set_free(&without);
	bnft_ir_free(&ir);
}

/* Appends n host rules to b (a run the optimizer groups). */
static void hosts(char *b, size_t cap, int n, const char *verdict)
{
	size_t l = strlen(b);
	int i;

	for (i = 0; i < n && l < cap; i++)
		l += (size_t)snprintf(b + l, cap - l,
				      "add rule inet t c ip saddr 10.0.%d.%d tcp dport %d %s\n",
				      i / 256, i % 256, 1000 + i, verdict);
}

static void test_hosts_and_jumps(void **state)
{
	static char b[65536];

	(void)state;
	snprintf(b, sizeof(b),
		 "table inet t {\n"
		 "  chain d {\n    counter\n  }\n"
		 "  chain e {\n    ip daddr 192.0.2.1 drop\n  }\n"
		 "  chain c { type filter hook input priority 0; policy accept; }\n"
		 "}\n");
	hosts(b, sizeof(b), 40, "accept");
	strcat(b, "add rule inet t c tcp dport 22 jump d\n"
		  "add rule inet t c meta iifname \"lo\" goto e\n"
		  "add rule inet t c ip protocol vmap { tcp : jump d, udp : goto e }\n");
	hosts(b, sizeof(b), 20, "counter drop");
	check_text(b);
}

static void test_stateful(void **state)
{
	static char b[65536];

	(void)state;
	snprintf(b, sizeof(b),
		 "table inet t {\n"
		 "  set s {\n    type ipv4_addr\n    elements = { 10.1.1.1, 10.1.1.2 }\n  }\n"
		 "  chain c { type filter hook input priority 0; policy drop; }\n"
		 "  chain o { type filter hook output priority 0; }\n"
		 "}\n"
		 "add rule inet t c ct state established,related accept\n"
		 "add rule inet t c meta nftrace set 1\n"
		 "add rule inet t c ip saddr @s limit rate 10/second accept\n"
		 "add rule inet t c tcp dport { 80, 443 } quota 1000 bytes accept\n"
		 "add rule inet t o ct state new notrack\n");
	hosts(b, sizeof(b), 12, "accept");
	check_text(b);
}

/* Two tables and a chain name in both: rules go to their own table's. */
static void test_two_tables(void **state)
{
	(void)state;
	check_text("table ip a {\n  chain c { type filter hook input priority 0; }\n"
		   "  chain x {\n    tcp dport 1 accept\n  }\n}\n"
		   "table ip b {\n  chain c { type filter hook input priority 1; }\n"
		   "  chain x {\n    tcp dport 2 drop\n  }\n}\n"
		   "add rule ip a c jump x\nadd rule ip b c jump x\n"
		   "add rule ip a c udp dport 53 accept\n");
}

/* Shapes the optimizer parses: merged ports, prefixes (bitwise), ranges,
 * meta keys, counters, every verdict; and some it does not. */
static void test_parse_shapes(void **state)
{
	static char b[65536];
	size_t l;
	int i;

	(void)state;
	l = (size_t)snprintf(b, sizeof(b),
			     "table inet t {\n"
			     "  chain g {\n    counter\n  }\n"
			     "  chain c { type filter hook input priority 0; policy accept; }\n"
			     "}\n");
	for (i = 0; i < 12 && l < sizeof(b); i++)
		l += (size_t)snprintf(
			b + l, sizeof(b) - l,
			"add rule inet t c tcp sport %d tcp dport %d counter accept\n"
			"add rule inet t c ip saddr 10.%d.0.0/16 drop\n"
			"add rule inet t c ip daddr 10.0.%d.0/24 udp dport 100-%d return\n"
			"add rule inet t c meta iifname \"eth%d\" meta mark %d goto g\n"
			"add rule inet t c ip6 saddr fd00::%x tcp dport != %d accept\n"
			"add rule inet t c ip saddr 10.1.1.%d ip daddr 10.2.2.%d ip protocol tcp "
			"drop\n"
			"add rule inet t c tcp dport < %d tcp sport >= %d accept\n",
			1000 + i, 2000 + i, i, i, 200 + i, i, i, i + 1, 3000 + i, i, i, 10 + i,
			20 + i);
	check_text(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_shapes),
		cmocka_unit_test(test_hosts_and_jumps),
		cmocka_unit_test(test_stateful),
		cmocka_unit_test(test_two_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
