// SPDX-License-Identifier: GPL-2.0
/*
 * The nft --debug=netlink printer: what nft prints while it sends a rule,
 * in the format of the upstream tests/py *.t.payload files. Expression
 * lines come from libnftnl (nftnl_rule_snprintf), so data prints the way
 * the installed libnftnl prints it (1.2.4: 32-bit words); set element
 * lines follow the newer payload files ("element KEY [: DATA] [flags N]").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "translator/ir_elems.h"
#include "translator/lower.h"

static void print_words(struct outbuf *o, const uint8_t *d, uint32_t len)
{
	uint32_t i;

	for (i = 0; i < len; i += 4) {
		uint32_t w = 0;
		unsigned int k;

		for (k = 0; k < 4 && i + k < len; k++)
			w |= (uint32_t)d[i + k] << (8 * k);
		outbuf_printf(o, "%s%.8x", i ? " " : "", w);
	}
}

static const char *verdict_name(int32_t v)
{
	switch (v) {
	case NF_ACCEPT:
		return "accept";
	case NF_DROP:
		return "drop";
	case NF_QUEUE:
		return "queue";
	case NFT_CONTINUE:
		return "continue";
	case NFT_BREAK:
		return "break";
	case NFT_JUMP:
		return "jump";
	case NFT_GOTO:
		return "goto";
	case NFT_RETURN:
		return "return";
	}
	return "unknown";
}

static void print_elem(struct outbuf *o, const struct bnft_elem *e)
{
	uint32_t i, sum = 0;

	outbuf_puts(o, "\telement ");
	if (e->key)
		print_words(o, e->key, e->key_len);
	if (e->key_end) {
		outbuf_puts(o, " - ");
		print_words(o, e->key_end, e->key_end_len);
	}
	if (e->has_verdict) {
		outbuf_printf(o, " : %s", verdict_name(e->verdict));
		if (e->chain)
			outbuf_printf(o, " %s", e->chain);
	} else if (e->data) {
		outbuf_puts(o, " : ");
		print_words(o, e->data, e->data_len);
	} else if (e->objref) {
		outbuf_printf(o, " : %s", e->objref);
	}
	if (e->flags)
		outbuf_printf(o, " flags %u", e->flags);
	if (e->udata) {
		for (i = 0; i < e->udata_len; i++)
			sum += e->udata[i];
		outbuf_printf(o, "  userdata len %u sum 0x%x", e->udata_len, sum);
	}
}

void bnft_ir_print_set_elems(const struct bnft_ir *ir, const struct nftnl_set *s,
			     struct outbuf *o)
{
	struct bnft_elems_iter it;
	const struct bnft_elem *e;

	bnft_elems_iter_init(&it, s, bnft_ir_elems(ir, s));
	while ((e = bnft_elems_iter_next(&it)))
		print_elem(o, e);
	bnft_elems_iter_done(&it);
	if (it.err)
		o->err = it.err;
	outbuf_puts(o, "\n");
}

static const char *anon_pattern(struct nftnl_set *s)
{
	uint32_t flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);

	if (flags & NFT_SET_OBJECT)
		return "__objmap%d";
	return (flags & NFT_SET_MAP) ? "__map%d" : "__set%d";
}

static bool set_is_anon(struct nftnl_set *s)
{
	return nftnl_set_is_set(s, NFTNL_SET_FLAGS) &&
	       (nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS);
}

static struct nftnl_set *find_set(const struct bnft_ir *ir, const char *table, const char *name)
{
	struct nftnl_set_list_iter *it = nftnl_set_list_iter_create(ir->sets);
	struct nftnl_set *s, *found = NULL;

	if (!it)
		return NULL;
	while ((s = nftnl_set_list_iter_next(it))) {
		if (!strcmp(nftnl_set_get_str(s, NFTNL_SET_NAME), name) &&
		    !strcmp(nftnl_set_get_str(s, NFTNL_SET_TABLE), table)) {
			found = s;
			break;
		}
	}
	nftnl_set_list_iter_destroy(it);
	return found;
}

static const char *expr_set_name(struct nftnl_expr *e)
{
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!strcmp(n, "lookup"))
		return nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	if (!strcmp(n, "dynset"))
		return nftnl_expr_get_str(e, NFTNL_EXPR_DYNSET_SET_NAME);
	if (!strcmp(n, "objref") && nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_SET_NAME))
		return nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_SET_NAME);
	return NULL;
}

/* Key names libnftnl 1.2.4 does not know (it prints "unknown"). */
static const char *late_key_name(struct nftnl_expr *e)
{
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t key;

	if (!strcmp(n, "ct")) {
		key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
		return key == NFT_CT_ID ? "id" : NULL;
	}
	if (!strcmp(n, "meta")) {
		key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
		switch (key) {
		case 35:
			return "broute";
		case NFT_META_SDIF:
			return "sdif";
		case NFT_META_SDIFNAME:
			return "sdifname";
		}
	}
	return NULL;
}

struct anon_ref {
	const char *name;
	const char *pattern;
};

/* Replace whole-word occurrences of anonymous set names by the pattern. */
static void print_replaced(struct outbuf *o, const char *text, const struct anon_ref *refs,
			   unsigned int n)
{
	const char *p = text;

	while (*p) {
		unsigned int i;
		bool done = false;

		for (i = 0; i < n; i++) {
			size_t l = strlen(refs[i].name);

			if (!strncmp(p, refs[i].name, l) &&
			    (p == text || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0' ||
							    p[l] == '\n')) {
				outbuf_puts(o, refs[i].pattern);
				p += l;
				done = true;
				break;
			}
		}
		if (!done) {
			outbuf_printf(o, "%c", *p);
			p++;
		}
	}
}

void bnft_ir_print_rule_debug(const struct bnft_ir *ir, struct nftnl_rule *r, struct outbuf *o)
{
	const char *table = nftnl_rule_get_str(r, NFTNL_RULE_TABLE);
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	struct anon_ref refs[16];
	unsigned int nrefs = 0;
	char *buf;
	size_t size = 65536;

	/* anonymous sets used by the rule first, like nft sends them */
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it))) {
		const char *name = expr_set_name(e);
		struct nftnl_set *s;

		if (!name || nrefs >= 16)
			continue;
		s = find_set(ir, table, name);
		if (!s || !set_is_anon(s))
			continue;
		refs[nrefs].name = name;
		refs[nrefs].pattern = anon_pattern(s);
		nrefs++;
		outbuf_printf(o, "%s %s %x\n", anon_pattern(s), table,
			      nftnl_set_get_u32(s, NFTNL_SET_FLAGS));
		outbuf_printf(o, "%s %s 0\n", anon_pattern(s), table);
		bnft_ir_print_set_elems(ir, s, o);
	}
	nftnl_expr_iter_destroy(it);

	buf = malloc(size);
	if (!buf) {
		o->err = -12;
		return;
	}
	/* Header: "family table chain", then libnftnl's own expression lines. */
	outbuf_printf(o, "%s %s %s\n", family_name(nftnl_rule_get_u32(r, NFTNL_RULE_FAMILY)),
		      table, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));
	it = nftnl_expr_iter_create(r);
	while (it && (e = nftnl_expr_iter_next(it))) {
		buf[0] = '\0';
		nftnl_expr_snprintf(buf, size, e, NFTNL_OUTPUT_DEFAULT, 0);
		if (late_key_name(e)) {
			char *u = strstr(buf, "unknown");

			if (u) {
				char tail[256];

				snprintf(tail, sizeof(tail), "%s", u + 7);
				snprintf(u, size - (size_t)(u - buf), "%s%s", late_key_name(e), tail);
			}
		}
		outbuf_printf(o, "  [ %s ", nftnl_expr_get_str(e, NFTNL_EXPR_NAME));
		print_replaced(o, buf, refs, nrefs);
		outbuf_puts(o, "]\n");
	}
	nftnl_expr_iter_destroy(it);
	free(buf);
	outbuf_puts(o, "\n");
}

void bnft_ir_print_debug(const struct bnft_ir *ir, struct outbuf *o)
{
	struct nftnl_rule_list_iter *it = nftnl_rule_list_iter_create(ir->rules);
	struct nftnl_rule *r;

	while (it && (r = nftnl_rule_list_iter_next(it)))
		bnft_ir_print_rule_debug(ir, r, o);
	nftnl_rule_list_iter_destroy(it);
}

/*
 * `bnft --debug=netlink` (compat/bnft.c, bnftd): the expression lists of the
 * ruleset the input leaves, as nft --debug=netlink prints what it sends.
 * nft prints only the objects of the batch; bnft prints the whole resulting
 * ruleset (the same on an empty system). A ruleset that cannot be lowered
 * prints its error records instead (the load reports them too).
 */
void bnft_netlink_debug(const struct bnft_ruleset *rs, const struct output_ctx *octx,
			struct outbuf *o)
{
	struct bnft_ir *ir = NULL;
	LIST_HEAD(msgs);

	(void)octx;
	if (bnft_lower(rs, &ir, &msgs) < 0) {
		erec_print_list(o, &msgs);
		erec_free_list(&msgs);
		return;
	}
	bnft_ir_print_debug(ir, o);
	bnft_ir_free(&ir);
}
