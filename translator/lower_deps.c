// SPDX-License-Identifier: GPL-2.0
/*
 * Implicit protocol dependencies, as nft's payload.c generates them: the
 * rule's protocol context per layer (link, network, transport), the
 * dependency a selector needs when its layer is not known yet (meta
 * nfproto / l4proto / protocol / iiftype, or the protocol field of the
 * lower header), stacked link layer headers (vlan after ether), icmp type
 * dependencies, and the context updates of "selector == constant" matches.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libnftnl/expr.h>

#include "parser/datatype.h"
#include "parser/value.h"
#include "translator/lower_int.h"

#ifndef NFPROTO_IPV4
#define NFPROTO_INET 1
#define NFPROTO_IPV4 2
#define NFPROTO_ARP 3
#define NFPROTO_NETDEV 5
#define NFPROTO_BRIDGE 7
#define NFPROTO_IPV6 10
#endif

#define ARPHRD_ETHER_NUM 1

/* ------------------------------------------------------------------ */
/* Protocol context and dependencies                                   */

static int base_index(enum payload_base b)
{
	switch (b) {
	case PAYLOAD_LL:
		return 0;
	case PAYLOAD_NETWORK:
		return 1;
	case PAYLOAD_TRANSPORT:
		return 2;
	default:
		return -1;
	}
}

void lower_proto_init(struct lower_ctx *ctx)
{
	memset(ctx->proto, 0, sizeof(ctx->proto));
	ctx->ll_stack_n = 0;
	ctx->ll_off = 0;
	ctx->icmp_type_known = false;
	switch (ctx->family) {
	case NFPROTO_IPV4:
		ctx->proto[1] = &proto_ip;
		break;
	case NFPROTO_IPV6:
		ctx->proto[1] = &proto_ip6;
		break;
	case NFPROTO_ARP:
		ctx->proto[1] = &proto_arp;
		break;
	case NFPROTO_INET:
		ctx->proto[0] = &proto_inet;
		break;
	case NFPROTO_BRIDGE:
		ctx->proto[0] = &proto_eth;
		ctx->ll_stack[ctx->ll_stack_n++] = &proto_eth;
		break;
	case NFPROTO_NETDEV:
		ctx->proto[0] = &proto_netdev;
		break;
	}
}

static bool hook_base_is_network(unsigned int family)
{
	return family == NFPROTO_IPV4 || family == NFPROTO_IPV6 || family == NFPROTO_ARP;
}

static bool proto_is_dummy(const struct proto_desc *d)
{
	return d == &proto_inet || d == &proto_netdev;
}

static void ll_push(struct lower_ctx *ctx, const struct proto_desc *d)
{
	if (ctx->ll_stack_n < LOWER_LL_STACK_MAX)
		ctx->ll_stack[ctx->ll_stack_n++] = d;
	ctx->proto[0] = d;
}

/* Offset (bits) of link layer header d in the stacked headers. */
unsigned int lower_ll_offset(const struct lower_ctx *ctx, const struct proto_desc *d)
{
	unsigned int i, off = 0, found = 0;

	/* the innermost (last pushed) header of that protocol */
	for (i = 0; i < ctx->ll_stack_n; i++) {
		if (ctx->ll_stack[i] == d)
			found = off;
		off += ctx->ll_stack[i]->length;
	}
	return found;
}

static void set_upper(struct lower_ctx *ctx, const struct proto_desc *upper)
{
	int b;

	if (!upper)
		return;
	b = base_index(upper->base);
	if (b < 0)
		return;
	if (b == 0)
		ll_push(ctx, upper);
	else
		ctx->proto[b] = upper;
}

/* Emit "key == num" where key is desc's protocol selector: a meta key for
 * the pseudo protocols, else the protocol field of desc. */
static int emit_dep(struct lower_ctx *ctx, const struct proto_desc *desc, unsigned int num,
		    bool use_payload)
{
	uint8_t data[4] = { 0 };
	struct nftnl_expr *nle;
	unsigned int len;
	int meta_key = desc->meta_key;

	lower_unit_begin(ctx, true);
	if (desc == &proto_ip || desc == &proto_ip6)
		meta_key = use_payload ? 0 : NFT_META_L4PROTO;
	if (desc == &proto_eth && ctx->family == NFPROTO_BRIDGE && !use_payload)
		meta_key = NFT_META_PROTOCOL;

	if (meta_key) {
		nle = lower_alloc(ctx, "meta");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_META_KEY, meta_key);
		lower_put_register(nle, NFTNL_EXPR_META_DREG, LREG_FIRST);
		lower_add(ctx, nle);
		lower_note_load(ctx, nle, lower_nft_register(LREG_FIRST), meta_key, 0, 0);
		if (meta_key == NFT_META_PROTOCOL) {
			data[0] = num >> 8;
			data[1] = num & 0xff;
			len = 2;
		} else {
			data[0] = num; /* nfproto, l4proto: one byte */
			len = 1;
		}
	} else {
		const struct proto_hdr_template *t = &desc->templates[desc->protocol_key];
		unsigned int off = t->offset;

		if (desc->base == PAYLOAD_LL)
			off += lower_ll_offset(ctx, desc);
		len = t->len / 8;
		nle = lower_alloc(ctx, "payload");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_PAYLOAD_DREG, LREG_FIRST);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_BASE, desc->base);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_OFFSET, off / 8);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_LEN, len);
		lower_add(ctx, nle);
		lower_note_load(ctx, nle, lower_nft_register(LREG_FIRST), desc->base, off / 8, len);
		if (len == 2) {
			data[0] = num >> 8;
			data[1] = num & 0xff;
		} else {
			data[0] = num;
		}
	}
	lower_emit_cmp(ctx, LREG_FIRST, NFT_CMP_EQ, data, len);
	lower_unit_begin(ctx, ctx->stmt_is_expr);
	return 0;
}

static int emit_iiftype_dep(struct lower_ctx *ctx)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "meta");
	uint16_t v = ARPHRD_ETHER_NUM;

	if (!nle)
		return -1;
	lower_unit_begin(ctx, true);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_META_KEY, NFT_META_IIFTYPE);
	lower_put_register(nle, NFTNL_EXPR_META_DREG, LREG_FIRST);
	lower_add(ctx, nle);
	lower_note_load(ctx, nle, lower_nft_register(LREG_FIRST), NFT_META_IIFTYPE, 0, 0);
	lower_emit_cmp(ctx, LREG_FIRST, NFT_CMP_EQ, &v, sizeof(v));
	lower_unit_begin(ctx, ctx->stmt_is_expr);
	return 0;
}

/* "icmp id" and friends exist only for some icmp types: nft adds
 * "icmp type X" (one type) or "icmp type { X, Y }" (an anonymous set). */
static int icmp_type_dep(struct lower_ctx *ctx, const struct expr *e, const struct proto_desc *d)
{
	const uint8_t *types = NULL;
	struct nftnl_expr *nle;
	unsigned int n;

	if (ctx->icmp_type_known || e->etype != EXPR_PAYLOAD || !e->payload.tmpl ||
	    !e->payload.tmpl->icmp_dep)
		return 0;
	n = proto_icmp_dep_types(e->payload.tmpl->icmp_dep, &types);
	if (!n)
		return 0;
	lower_unit_begin(ctx, true);
	nle = lower_alloc(ctx, "payload");
	if (!nle)
		return -1;
	lower_put_register(nle, NFTNL_EXPR_PAYLOAD_DREG, LREG_FIRST);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_BASE, PAYLOAD_TRANSPORT);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_OFFSET, 0);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_LEN, 1);
	lower_add(ctx, nle);
	lower_note_load(ctx, nle, lower_nft_register(LREG_FIRST), PAYLOAD_TRANSPORT, 0, 1);
	if (n == 1) {
		lower_emit_cmp(ctx, LREG_FIRST, NFT_CMP_EQ, types, 1);
	} else {
		struct nftnl_set *s = lower_anon_set_bytes(
			ctx, d == &proto_icmp ? TYPE_ICMP_TYPE : TYPE_ICMP6_TYPE, 1, types, n);

		if (!s)
			return -1;
		nle = lower_alloc(ctx, "lookup");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_LOOKUP_SREG, LREG_FIRST);
		nftnl_expr_set_str(nle, NFTNL_EXPR_LOOKUP_SET, nftnl_set_get_str(s, NFTNL_SET_NAME));
		nftnl_expr_set_u32(nle, NFTNL_EXPR_LOOKUP_SET_ID, nftnl_set_get_u32(s, NFTNL_SET_ID));
		lower_add(ctx, nle);
	}
	ctx->icmp_type_known = true;
	lower_unit_begin(ctx, ctx->stmt_is_expr);
	return 0;
}

/* The dependency a payload of desc d at base b needs, as nft's
 * payload_gen_dependency / resolve_protocol_conflict generate it. */
static int payload_dep(struct lower_ctx *ctx, const struct expr *e, const struct proto_desc *d)
{
	int b = base_index(d->base), num;
	const struct proto_desc *cur, *lower;

	if (b < 0)
		return 0;
	if (b == 0 && hook_base_is_network(ctx->family)) {
		if (ctx->proto[0] == NULL) {
			if (emit_iiftype_dep(ctx) < 0)
				return -1;
			ctx->ll_stack_n = 0;
			ll_push(ctx, &proto_eth);
		}
	}
	cur = ctx->proto[b];
	if (cur == d)
		return 0;
	if (cur && b == 0) {
		unsigned int i;

		if (proto_is_dummy(cur)) {
			if (emit_iiftype_dep(ctx) < 0)
				return -1;
			ctx->ll_stack_n = 0;
			ll_push(ctx, &proto_eth);
			cur = &proto_eth;
			if (d == cur)
				return 0;
		}
		for (i = 0; i < ctx->ll_stack_n; i++)
			if (ctx->ll_stack[i] == d)
				return 0;
		num = proto_find_num(cur, d);
		if (num < 0)
			goto conflict;
		if (emit_dep(ctx, cur, num, true) < 0)
			return -1;
		ll_push(ctx, d);
		return 0;
	}
	if (cur) {
		/* th (generic transport) matches any transport protocol */
		if (d == &proto_th || cur == &proto_th)
			return 0;
		goto conflict;
	}

	/* cur == NULL: select d through the layer below */
	lower = ctx->proto[b - 1];
	if (b == 2 && d == &proto_th)
		return 0;
	if (b == 2 && (d == &proto_icmp || d == &proto_icmp6) && !lower) {
		const struct proto_desc *l3 = d == &proto_icmp ? &proto_ip : &proto_ip6;
		const struct proto_desc *ll = ctx->proto[0];

		if (ll && (ll == &proto_inet || ll == &proto_netdev || ll == &proto_eth)) {
			num = proto_find_num(ll, l3);
			if (num < 0)
				goto conflict;
			if (emit_dep(ctx, ll, num, ll == &proto_eth) < 0)
				return -1;
			ctx->proto[1] = l3;
			lower = l3;
		}
	}
	if (b == 2) {
		if (!lower || lower == &proto_ip || lower == &proto_ip6) {
			num = proto_find_num(&proto_inet_service, d);
			if (num < 0)
				goto ambiguous;
			if (emit_dep(ctx, &proto_inet_service, num, false) < 0)
				return -1;
			ctx->proto[2] = d;
			return 0;
		}
		goto conflict;
	}
	if (b == 1) {
		if (!lower)
			goto ambiguous;
		if (lower == &proto_eth && ctx->ll_stack_n > 1)
			lower = ctx->ll_stack[ctx->ll_stack_n - 1];
		num = proto_find_num(lower, d);
		if (num < 0)
			goto conflict;
		if (emit_dep(ctx, lower, num, lower != &proto_eth && !lower->meta_key) < 0)
			return -1;
		ctx->proto[1] = d;
		return 0;
	}
ambiguous:
	return lower_error(ctx, &e->location,
			   "ambiguous payload specification: no %s protocol specified",
			   b == 2 ? "network layer" : "link layer");
conflict:
	return lower_error(ctx, &e->location, "conflicting protocols specified: %s vs. %s",
			   cur ? cur->name : (lower ? lower->name : "?"), d->name);
}

static int exthdr_dep(struct lower_ctx *ctx, const struct expr *e)
{
	switch (e->exthdr.op) {
	case EXTHDR_OP_TCPOPT:
	case EXTHDR_OP_SCTP:
	case EXTHDR_OP_DCCP:
		/* the kernel checks the transport protocol itself */
		return 0;
	case EXTHDR_OP_IPV4:
		if (ctx->family == NFPROTO_INET || ctx->family == NFPROTO_BRIDGE ||
		    ctx->family == NFPROTO_NETDEV)
			return ctx->proto[1] == &proto_ip ? 0 : payload_dep(ctx, e, &proto_ip);
		return 0;
	case EXTHDR_OP_IPV6:
		if (ctx->family == NFPROTO_INET || ctx->family == NFPROTO_BRIDGE ||
		    ctx->family == NFPROTO_NETDEV)
			return ctx->proto[1] == &proto_ip6 ? 0 : payload_dep(ctx, e, &proto_ip6);
		return 0;
	}
	return 0;
}

/* Walk e in evaluation order and emit the dependencies its selectors need. */
int lower_expr_deps(struct lower_ctx *ctx, const struct expr *e)
{
	const struct expr *i;

	if (!e)
		return 0;
	switch (e->etype) {
	case EXPR_PAYLOAD:
		if (e->payload.is_raw || !e->payload.desc || e->payload.inner)
			return 0;
		if (payload_dep(ctx, e, e->payload.desc) < 0)
			return -1;
		if (e->payload.desc == &proto_icmp || e->payload.desc == &proto_icmp6)
			return icmp_type_dep(ctx, e, e->payload.desc);
		return 0;
	case EXPR_EXTHDR:
		return exthdr_dep(ctx, e);
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			if (lower_expr_deps(ctx, i) < 0)
				return -1;
		return 0;
	case EXPR_BINOP:
	case EXPR_RELATIONAL:
	case EXPR_UNARY:
		if (lower_expr_deps(ctx, e->binop.left) < 0)
			return -1;
		return e->etype == EXPR_UNARY ? 0 : lower_expr_deps(ctx, e->binop.right);
	case EXPR_MAP:
		return lower_expr_deps(ctx, e->map.key);
	case EXPR_HASH:
		return lower_expr_deps(ctx, e->hash.expr);
	default:
		return 0;
	}
}

static const struct proto_desc *ethertype_upper(unsigned int num)
{
	return proto_find_upper(&proto_eth, num);
}

/* After "selector == constant" on a protocol key, the context knows the
 * upper protocol (nft's relational_expr_pctx_update). */
void lower_ctx_update(struct lower_ctx *ctx, const struct expr *rel)
{
	const struct expr *l = rel->binop.left, *r = rel->binop.right;
	const struct proto_desc *upper = NULL;
	uint64_t v;

	if (rel->etype != EXPR_RELATIONAL || !r)
		return;
	if (l->etype == EXPR_PAYLOAD &&
	    ((l->payload.desc == &proto_icmp && l->payload.field == ICMPHDR_TYPE) ||
	     (l->payload.desc == &proto_icmp6 && l->payload.field == ICMP6HDR_TYPE)))
		ctx->icmp_type_known = true;
	if (r->etype != EXPR_VALUE)
		return;
	if (rel->op != OP_EQ && rel->op != OP_IMPLICIT)
		return;
	v = expr_value_u64(r);
	if (l->etype == EXPR_META) {
		switch (l->meta.key) {
		case NFT_META_NFPROTO:
			upper = proto_find_upper(&proto_inet, v);
			break;
		case NFT_META_L4PROTO:
			upper = proto_find_upper(&proto_inet_service, v);
			break;
		case NFT_META_PROTOCOL:
			upper = ethertype_upper(v);
			break;
		case NFT_META_IIFTYPE:
			if (v == ARPHRD_ETHER_NUM &&
			    (!ctx->proto[0] || proto_is_dummy(ctx->proto[0]))) {
				ctx->ll_stack_n = 0;
				ll_push(ctx, &proto_eth);
			}
			return;
		default:
			return;
		}
		set_upper(ctx, upper);
		return;
	}
	if (l->etype == EXPR_PAYLOAD &&
	    ((l->payload.desc == &proto_icmp && l->payload.field == ICMPHDR_TYPE) ||
	     (l->payload.desc == &proto_icmp6 && l->payload.field == ICMP6HDR_TYPE)))
		ctx->icmp_type_known = true;
	if (l->etype == EXPR_PAYLOAD && l->payload.desc && !l->payload.is_raw &&
	    l->payload.desc->protocol_key && l->payload.field == l->payload.desc->protocol_key) {
		upper = proto_find_upper(l->payload.desc, v);
		set_upper(ctx, upper);
	}
}
