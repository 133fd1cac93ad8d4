// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol dependencies as nft lists them. The kernel ruleset has one
 * dependency match per header (written by the user or added by nft);
 * listing hides the ones that only select the protocol of a later match
 * ("meta l4proto 6 tcp dport 22" lists as "tcp dport 22"). We mark such
 * user-written matches EXPR_F_IMPLICIT_DEP: lowering emits them (and then
 * adds no dependency of its own), the printer skips them.
 *
 * ICMP fields that exist for several types ("icmp id": echo-request and
 * echo-reply) get a visible "icmp type { ... }" match inserted before
 * them, as nft 1.1 does.
 */
#include <string.h>

#include <netinet/in.h>

#include <linux/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/evaluate.h"
#include "parser/proto.h"
#include "parser/value.h"

enum dep_kind { DEP_NONE, DEP_L4, DEP_NFPROTO, DEP_LL, DEP_IIFTYPE, DEP_ICMPTYPE };

struct dep {
	enum dep_kind kind;
	const struct proto_desc *parent; /* DEP_L4: ip, ip6 or inet_service */
	const struct proto_desc *upper;	 /* what the match selects */
	unsigned int num;
	bool vlan_type; /* vlan type X: never hidden */
};

static bool is_field(const struct expr *e, const struct proto_desc *d, unsigned int field)
{
	return e->etype == EXPR_PAYLOAD && !e->payload.is_raw && e->payload.desc == d &&
	       e->payload.field == field;
}

static struct dep dep_of(const struct expr *rel)
{
	struct dep d = { DEP_NONE, NULL, NULL, 0, false };
	const struct expr *l, *r;

	if (!rel || rel->etype != EXPR_RELATIONAL ||
	    (rel->op != OP_EQ && rel->op != OP_IMPLICIT))
		return d;
	l = rel->binop.left;
	r = rel->binop.right;
	if (r->etype != EXPR_VALUE)
		return d;
	d.num = value_get_u64(&r->value, r->byteorder);
	if (l->etype == EXPR_META && l->meta.key == NFT_META_L4PROTO) {
		d.kind = DEP_L4;
		d.parent = &proto_inet_service;
	} else if (is_field(l, &proto_ip, IPHDR_PROTOCOL)) {
		d.kind = DEP_L4;
		d.parent = &proto_ip;
	} else if (is_field(l, &proto_ip6, IP6HDR_NEXTHDR)) {
		d.kind = DEP_L4;
		d.parent = &proto_ip6;
	} else if (l->etype == EXPR_META && l->meta.key == NFT_META_NFPROTO) {
		d.kind = DEP_NFPROTO;
		d.upper = d.num == NFPROTO_IPV4 ? &proto_ip : d.num == NFPROTO_IPV6 ? &proto_ip6 : NULL;
	} else if ((l->etype == EXPR_META && l->meta.key == NFT_META_PROTOCOL) ||
		   is_field(l, &proto_eth, ETHHDR_TYPE) || is_field(l, &proto_vlan, VLANHDR_TYPE)) {
		d.kind = DEP_LL;
		d.upper = proto_find_upper(&proto_eth, d.num);
		d.vlan_type = is_field(l, &proto_vlan, VLANHDR_TYPE);
	} else if (l->etype == EXPR_META && l->meta.key == NFT_META_IIFTYPE && d.num == ARPHRD_ETHER) {
		d.kind = DEP_IIFTYPE;
	} else if (is_field(l, &proto_icmp, ICMPHDR_TYPE) ||
		   is_field(l, &proto_icmp6, ICMP6HDR_TYPE)) {
		d.kind = DEP_ICMPTYPE;
		d.upper = l->payload.desc;
	} else {
		return d;
	}
	if (d.kind == DEP_L4) {
		d.upper = proto_find_upper(d.parent, d.num);
		if (!d.upper && d.parent != &proto_inet_service)
			d.upper = NULL;
	}
	if (!d.upper && d.kind != DEP_IIFTYPE && d.kind != DEP_ICMPTYPE)
		d.kind = DEP_NONE;
	return d;
}

/* Does a payload expression p rely on the protocol match d? */
static bool payload_uses(const struct dep *d, const struct expr *p, unsigned int family)
{
	const struct proto_desc *pd = p->payload.desc;

	if (p->payload.is_raw || p->payload.inner || !pd)
		return false;
	switch (d->kind) {
	case DEP_L4:
		/* "ip protocol" is only the generated form in the ip family */
		if (d->parent == &proto_ip && family != NFPROTO_IPV4)
			return false;
		if (d->parent == &proto_ip6 && family != NFPROTO_IPV6)
			return false;
		return pd->base == PAYLOAD_TRANSPORT && pd != &proto_th && pd == d->upper;
	case DEP_NFPROTO:
		if (pd == d->upper)
			return true;
		/* icmp is ipv4 only: "meta nfproto ipv4" is its dependency */
		return pd->base == PAYLOAD_TRANSPORT && pd != &proto_th &&
		       proto_find_num(d->upper == &proto_ip ? &proto_ip6 : &proto_ip, pd) < 0 &&
		       proto_find_num(d->upper, pd) >= 0;
	case DEP_LL:
		if (d->vlan_type || proto_find_num(&proto_eth, d->upper) != (int)d->num)
			return false;
		if (pd == d->upper)
			return true;
		/* meta protocol ip in the ip family says nothing new */
		return pd->base == PAYLOAD_TRANSPORT && pd != &proto_th &&
		       ((d->upper == &proto_ip && family == NFPROTO_IPV4) ||
			(d->upper == &proto_ip6 && family == NFPROTO_IPV6));
	case DEP_IIFTYPE:
		return pd->base == PAYLOAD_LL &&
		       (family == NFPROTO_IPV4 || family == NFPROTO_IPV6 || family == NFPROTO_INET);
	case DEP_ICMPTYPE:
		if (pd == d->upper && p->payload.tmpl && p->payload.tmpl->icmp_dep) {
			const uint8_t *types = NULL;
			unsigned int n = proto_icmp_dep_types(p->payload.tmpl->icmp_dep, &types);

			return n == 1 && types[0] == d->num;
		}
		return false;
	default:
		return false;
	}
}

static bool expr_uses(const struct dep *d, const struct expr *e, unsigned int family)
{
	const struct expr *i;

	if (!e)
		return false;
	switch (e->etype) {
	case EXPR_PAYLOAD:
		return payload_uses(d, e, family);
	case EXPR_RELATIONAL:
	case EXPR_BINOP:
		return expr_uses(d, e->binop.left, family) || expr_uses(d, e->binop.right, family);
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			if (expr_uses(d, i, family))
				return true;
		return false;
	case EXPR_MAP:
		return expr_uses(d, e->map.key, family);
	case EXPR_HASH:
		return expr_uses(d, e->hash.expr, family);
	default:
		return false;
	}
}

static bool stmt_uses(const struct dep *d, const struct stmt *s, unsigned int family)
{
	switch (s->type) {
	case STMT_EXPRESSION:
		return expr_uses(d, s->expr, family);
	case STMT_VERDICT:
		return expr_uses(d, s->expr, family);
	case STMT_PAYLOAD:
		return expr_uses(d, s->payload.expr, family) ||
		       expr_uses(d, s->payload.val, family);
	case STMT_META:
		return expr_uses(d, s->meta.expr, family);
	case STMT_CT:
		return expr_uses(d, s->ct.expr, family);
	case STMT_SET:
	case STMT_MAP:
		return expr_uses(d, s->set.key, family);
	case STMT_NAT:
		return expr_uses(d, s->nat.addr, family);
	case STMT_REJECT:
		if (s->reject.type != NFT_REJECT_ICMP_UNREACH)
			return false;
		if (d->kind != DEP_NFPROTO && d->kind != DEP_LL)
			return false;
		if (d->kind == DEP_LL && proto_find_num(&proto_eth, d->upper) != (int)d->num)
			return false;
		return d->upper == (s->reject.family == NFPROTO_IPV6 ? &proto_ip6 : &proto_ip);
	default:
		return false;
	}
}

/* "meta protocol ip" in an ip table says what the family already says:
 * nft drops it from the rule altogether (it is not sent to the kernel). */
static bool dep_is_family(const struct dep *d, unsigned int family)
{
	if (d->kind != DEP_LL && d->kind != DEP_NFPROTO)
		return false;
	return (family == NFPROTO_IPV4 && d->upper == &proto_ip) ||
	       (family == NFPROTO_IPV6 && d->upper == &proto_ip6);
}

void rule_mark_dependencies(struct eval_ctx *ctx, struct rule *r)
{
	struct stmt *s, *n, *u;

	list_for_each_entry_safe(s, n, &r->stmts, list) {
		struct dep d;

		if (s->type != STMT_EXPRESSION)
			continue;
		d = dep_of(s->expr);
		if (d.kind == DEP_NONE)
			continue;
		/* nft only drops a match that directly precedes its user */
		u = list_next_entry(s, list);
		if (&u->list == &r->stmts || !stmt_uses(&d, u, ctx->family))
			continue;
		if (dep_is_family(&d, ctx->family)) {
			list_del(&s->list);
			stmt_free(s);
			continue;
		}
		s->expr->flags |= EXPR_F_IMPLICIT_DEP;
	}
}

/*
 * Called when a payload with an icmp type dependency is evaluated: for
 * fields valid for several types, build the visible "icmp type { ... }"
 * match (evaluated now, so its anonymous set is created before the
 * statement's own ones, like nft does). rule_evaluate links it.
 */
int icmp_dep_stmt(struct eval_ctx *ctx, const struct expr *p)
{
	const struct proto_desc *d = p->payload.desc;
	const uint8_t *types = NULL;
	struct expr *sel, *set, *rel;
	struct stmt *st;
	struct expr_ctx save = ctx->ectx;
	unsigned int n, i;
	int rc;

	if (!ctx->rule || ctx->icmp_dep_done || ctx->icmp_type >= 0 || !p->payload.tmpl)
		return 0;
	n = proto_icmp_dep_types(p->payload.tmpl->icmp_dep, &types);
	if (n < 2)
		return 0;
	ctx->icmp_dep_done = true;
	sel = payload_expr_alloc(&p->location, d, d == &proto_icmp ? ICMPHDR_TYPE : ICMP6HDR_TYPE);
	set = compound_expr_alloc(&p->location, EXPR_SET);
	if (!sel || !set) {
		expr_free(sel);
		expr_free(set);
		return eval_error(ctx, &p->location, "out of memory");
	}
	for (i = 0; i < n; i++) {
		struct expr *v = value_expr_alloc_u64(&p->location, sel->dtype, BYTEORDER_BIG_ENDIAN,
						      8, types[i]);

		if (!v) {
			expr_free(sel);
			expr_free(set);
			return eval_error(ctx, &p->location, "out of memory");
		}
		compound_expr_add(set, v);
	}
	rel = relational_expr_alloc(&p->location, OP_IMPLICIT, sel, set);
	st = stmt_alloc(&p->location, STMT_EXPRESSION);
	if (!rel || !st) {
		expr_free(rel);
		stmt_free(st);
		return eval_error(ctx, &p->location, "out of memory");
	}
	st->expr = rel;
	memset(&ctx->ectx, 0, sizeof(ctx->ectx));
	rc = expr_evaluate(ctx, &st->expr);
	ctx->ectx = save;
	if (rc < 0) {
		stmt_free(st);
		return -1;
	}
	ctx->dep_stmt = st;
	return 0;
}

/* reject with tcp reset in inet, bridge and netdev needs "meta l4proto 6";
 * nft lists it at the start of the rule when no match selected tcp. */
int reject_tcp_dep_stmt(struct eval_ctx *ctx, struct rule *r, const struct location *loc)
{
	struct expr *meta, *val, *rel;
	struct stmt *st;
	struct expr_ctx save = ctx->ectx;
	int rc;

	meta = meta_expr_alloc(loc, NFT_META_L4PROTO);
	val = value_expr_alloc_u64(loc, meta ? meta->dtype : NULL, BYTEORDER_HOST_ENDIAN, 8,
				   IPPROTO_TCP);
	rel = meta && val ? relational_expr_alloc(loc, OP_IMPLICIT, meta, val) : NULL;
	st = rel ? stmt_alloc(loc, STMT_EXPRESSION) : NULL;
	if (!st) {
		if (rel) {
			expr_free(rel);
		} else {
			expr_free(meta);
			expr_free(val);
		}
		return eval_error(ctx, loc, "out of memory");
	}
	st->expr = rel;
	memset(&ctx->ectx, 0, sizeof(ctx->ectx));
	rc = expr_evaluate(ctx, &st->expr);
	ctx->ectx = save;
	if (rc < 0) {
		stmt_free(st);
		return -1;
	}
	list_add(&st->list, &r->stmts);
	return 0;
}
