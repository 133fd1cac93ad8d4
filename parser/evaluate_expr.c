// SPDX-License-Identifier: GPL-2.0
/*
 * Expression evaluation: selectors get their type, constants are resolved
 * against the type of the other side (ctx->ectx), sets/maps/concatenations
 * are checked and anonymous sets are created.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/evaluate.h"
#include "parser/proto.h"
#include "parser/value.h"


static unsigned int round_up32(unsigned int bits)
{
	return (bits + 31) / 32 * 32;
}

bool datatype_compatible(const struct datatype *have, const struct datatype *want)
{
	if (!have || !want)
		return true;
	if (datatype_equal(have, want))
		return true;
	if (have->type == want->type)
		return true;
	/* plain integers fit integer based types and vice versa */
	if (have->type == TYPE_INTEGER && eval_basetype(want)->type == TYPE_INTEGER)
		return true;
	if (want->type == TYPE_INTEGER && eval_basetype(have)->type == TYPE_INTEGER)
		return true;
	if (have->type == TYPE_MARK && want->type == TYPE_INTEGER)
		return true;
	return false;
}

int expr_evaluate_ctx(struct eval_ctx *ctx, struct expr **e, const struct datatype *dtype,
		      unsigned int len, enum byteorder bo)
{
	struct expr_ctx save = ctx->ectx;
	int rc;

	ctx->ectx.dtype = dtype;
	ctx->ectx.len = len;
	ctx->ectx.byteorder = bo;
	ctx->ectx.key = NULL;
	ctx->ectx.maxval = 0;
	rc = expr_evaluate(ctx, e);
	ctx->ectx = save;
	return rc;
}

static void ectx_from_expr(struct expr_ctx *c, const struct expr *e)
{
	memset(c, 0, sizeof(*c));
	c->dtype = e->dtype;
	c->len = e->len;
	c->byteorder = e->byteorder;
	c->key = e;
}

static int evaluate_with(struct eval_ctx *ctx, struct expr **e, const struct expr_ctx *c)
{
	struct expr_ctx save = ctx->ectx;
	int rc;

	ctx->ectx = *c;
	rc = expr_evaluate(ctx, e);
	ctx->ectx = save;
	return rc;
}

/* ---------------------------------------------------------------- selectors */

static void set_type(struct expr *e, const struct datatype *d, unsigned int len, enum byteorder bo)
{
	if (!e->dtype)
		e->dtype = d;
	if (!e->len)
		e->len = len;
	if (e->byteorder == BYTEORDER_INVALID)
		e->byteorder = bo;
}

static bool ct_key_is_addr(unsigned int key)
{
	return key == NFT_CT_SRC || key == NFT_CT_DST || key == NFT_CT_SRC_IP ||
	       key == NFT_CT_DST_IP || key == NFT_CT_SRC_IP6 || key == NFT_CT_DST_IP6;
}

/* ct original saddr: the address type follows the network protocol. */
static int ct_addr_type(struct eval_ctx *ctx, struct expr *e)
{
	const struct proto_desc *l3 = ctx->l3;
	bool v6;

	if (e->ct.nfproto) {
		v6 = e->ct.nfproto == NFPROTO_IPV6;
		if (l3 && l3 != (v6 ? &proto_ip6 : &proto_ip))
			return eval_error(ctx, &e->location,
					  "conflicting protocols specified: %s vs. %s", l3->name,
					  v6 ? "ip6" : "ip");
	} else if (e->ct.key == NFT_CT_SRC_IP6 || e->ct.key == NFT_CT_DST_IP6) {
		v6 = true;
	} else if (e->ct.key == NFT_CT_SRC_IP || e->ct.key == NFT_CT_DST_IP) {
		v6 = false;
	} else if (l3) {
		v6 = l3 == &proto_ip6;
	} else {
		return eval_error(ctx, &e->location,
				  "cannot determine ip protocol version, use \"ip %1$caddr\" or \"ip6 %1$caddr\" instead",
				  e->ct.key == NFT_CT_SRC ? 's' : 'd');
	}
	if (!e->dtype || e->dtype->type == TYPE_INVALID) {
		e->dtype = v6 ? &ip6addr_type : &ipaddr_type;
		e->len = v6 ? 128 : 32;
		e->byteorder = BYTEORDER_BIG_ENDIAN;
	}
	return 0;
}

/* nft's protocol context: a rule cannot match two different headers at
 * the same layer. */
static int payload_ctx_update(struct eval_ctx *ctx, struct expr *e)
{
	const struct proto_desc *d = e->payload.desc;

	if (!d || e->payload.is_raw || e->payload.inner)
		return 0;
	if (d == &proto_vxlan || d == &proto_geneve) {
		if (ctx->l4 != &proto_udp)
			return eval_error(ctx, &e->location,
					  "missing %s outer header dependency: add 'udp dport'",
					  d->name);
		return 0;
	}
	if (d == &proto_gretap && ctx->l4 != &proto_gre)
		return eval_error(ctx, &e->location, "missing gre outer header dependency");
	if (d->base == PAYLOAD_LL && d != &proto_eth && ctx->ll_upper && ctx->ll_upper != d)
		return eval_error(ctx, &e->location, "conflicting protocols specified: %s vs. %s",
				  ctx->ll_upper->name, d->name);
	if (d->base == PAYLOAD_NETWORK && ctx->ll_upper && ctx->ll_upper != d &&
	    ctx->ll_upper->base == PAYLOAD_NETWORK && (d == &proto_ip || d == &proto_ip6))
		return eval_error(ctx, &e->location, "conflicting protocols specified: %s vs. %s",
				  ctx->ll_upper->name, d->name);
	if (e->payload.tmpl && e->payload.tmpl->icmp_dep && ctx->icmp_type >= 0) {
		const uint8_t *types = NULL;
		unsigned int n = proto_icmp_dep_types(e->payload.tmpl->icmp_dep, &types), i;
		bool ok = n == 0;

		for (i = 0; i < n; i++)
			if (types[i] == ctx->icmp_type)
				ok = true;
		if (!ok)
			return eval_error(ctx, &e->location,
					  "conflicting protocols specified: icmp type %d vs. %s",
					  ctx->icmp_type, e->payload.tmpl->token);
	}
	switch (d->base) {
	case PAYLOAD_NETWORK:
		if (d != &proto_ip && d != &proto_ip6)
			return 0;
		if (ctx->l3 && ctx->l3 != d)
			return eval_error(ctx, &e->location,
					  "conflicting protocols specified: %s vs. %s", ctx->l3->name,
					  d->name);
		if (!ctx->l3) {
			ctx->l3 = d;
			ctx->l3_expr = e;
		}
		return 0;
	case PAYLOAD_TRANSPORT:
		if (d == &proto_th)
			return 0;
		if (ctx->l4 && ctx->l4 != d)
			return eval_error(ctx, &e->location,
					  "conflicting protocols specified: %s vs. %s", ctx->l4->name,
					  d->name);
		if (!ctx->l4) {
			ctx->l4 = d;
			ctx->l4_expr = e;
		}
		return 0;
	default:
		return 0;
	}
}

/* After "meta l4proto tcp", "ip protocol 6", "meta nfproto ipv6" ... */
void relational_ctx_update(struct eval_ctx *ctx, const struct expr *rel);
void relational_ctx_update(struct eval_ctx *ctx, const struct expr *rel)
{
	const struct expr *l = rel->binop.left, *r = rel->binop.right;
	uint64_t num;

	if ((rel->op == OP_EQ || rel->op == OP_IMPLICIT) && r->etype == EXPR_SET &&
	    ((l->etype == EXPR_META && l->meta.key == NFT_META_L4PROTO) ||
	     (l->etype == EXPR_PAYLOAD && ((l->payload.desc == &proto_ip &&
					     l->payload.field == IPHDR_PROTOCOL) ||
					    (l->payload.desc == &proto_ip6 &&
					     l->payload.field == IP6HDR_NEXTHDR)))))
		ctx->l4_multi = true;
	if ((rel->op != OP_EQ && rel->op != OP_IMPLICIT) || r->etype != EXPR_VALUE)
		return;
	num = value_get_u64(&r->value, r->byteorder);
	if (l->etype == EXPR_PAYLOAD && l->payload.field == ICMPHDR_TYPE &&
	    (l->payload.desc == &proto_icmp || l->payload.desc == &proto_icmp6))
		ctx->icmp_type = num;
	if ((l->etype == EXPR_PAYLOAD && l->payload.desc == &proto_eth &&
	     l->payload.field == ETHHDR_TYPE) ||
	    (l->etype == EXPR_PAYLOAD && l->payload.desc == &proto_vlan &&
	     l->payload.field == VLANHDR_TYPE) ||
	    (l->etype == EXPR_META && l->meta.key == NFT_META_PROTOCOL)) {
		const struct proto_desc *d = proto_find_upper(&proto_eth, num);

		if (d) {
			ctx->ll_upper = d;
			ctx->ll_expr = rel;
			if ((d == &proto_ip || d == &proto_ip6) && !ctx->l3) {
				ctx->l3 = d;
				ctx->l3_expr = rel;
			}
		}
		return;
	}
	if ((l->etype == EXPR_META && l->meta.key == NFT_META_L4PROTO) ||
	    (l->etype == EXPR_PAYLOAD && l->payload.desc == &proto_ip &&
	     l->payload.field == IPHDR_PROTOCOL) ||
	    (l->etype == EXPR_PAYLOAD && l->payload.desc == &proto_ip6 &&
	     l->payload.field == IP6HDR_NEXTHDR)) {
		const struct proto_desc *d = proto_find_upper(&proto_inet_service, num);

		if (!d)
			d = proto_find_upper(&proto_ip, num);
		if (d && !ctx->l4) {
			ctx->l4 = d;
			ctx->l4_expr = rel;
		}
	} else if (l->etype == EXPR_META && l->meta.key == NFT_META_NFPROTO) {
		const struct proto_desc *d = num == NFPROTO_IPV4 ? &proto_ip
					   : num == NFPROTO_IPV6 ? &proto_ip6 : NULL;

		if (d) {
			ctx->l3 = d;
			ctx->l3_expr = rel;
		}
	}
}

static int selector_type(struct eval_ctx *ctx, struct expr *e)
{
	const struct key_template *kt;

	switch (e->etype) {
	case EXPR_PAYLOAD:
		if (payload_ctx_update(ctx, e) < 0)
			return -1;
		if (e->payload.tmpl)
			set_type(e, e->payload.tmpl->dtype, e->payload.tmpl->len,
				 e->payload.tmpl->byteorder);
		else if (e->payload.desc && e->payload.field < PROTO_FIELDS_MAX) {
			const struct proto_hdr_template *t =
				&e->payload.desc->templates[e->payload.field];
			set_type(e, t->dtype, t->len, t->byteorder);
		}
		set_type(e, &integer_type, e->len, BYTEORDER_BIG_ENDIAN);
		break;
	case EXPR_EXTHDR:
		if (e->exthdr.tmpl)
			set_type(e, e->exthdr.tmpl->dtype, e->exthdr.tmpl->len,
				 e->exthdr.tmpl->byteorder);
		if (e->exthdr.exists_only || (e->flags & EXPR_F_BOOLEAN))
			set_type(e, &boolean_type, 1, BYTEORDER_HOST_ENDIAN);
		set_type(e, &integer_type, e->len, BYTEORDER_BIG_ENDIAN);
		break;
	case EXPR_META:
		if ((e->meta.key == NFT_META_BRI_IIFNAME || e->meta.key == NFT_META_BRI_OIFNAME ||
		     e->meta.key == NFT_META_BRI_IIFPVID || e->meta.key == NFT_META_BRI_IIFVPROTO) &&
		    ctx->family != NFPROTO_BRIDGE)
			return eval_error(ctx, &e->location,
					  "meta key is only valid in bridge family tables");
		kt = meta_template(e->meta.key);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	case EXPR_CT:
		if (ct_key_is_addr(e->ct.key))
			return ct_addr_type(ctx, e);
		kt = ct_template(e->ct.key);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	case EXPR_NUMGEN:
		set_type(e, numgen_template.dtype, numgen_template.len, numgen_template.byteorder);
		break;
	case EXPR_HASH:
		if (e->hash.expr && expr_evaluate_selector(ctx, &e->hash.expr) < 0)
			return -1;
		set_type(e, hash_template.dtype, hash_template.len, hash_template.byteorder);
		break;
	case EXPR_OSF:
		set_type(e, osf_template.dtype, osf_template.len, osf_template.byteorder);
		break;
	case EXPR_RT:
		if (e->rt.key == NFT_RT_NEXTHOP4 || e->rt.key == NFT_RT_NEXTHOP6) {
			const struct proto_desc *l3 = ctx->l3;

			if (!l3 && ctx->family != NFPROTO_IPV4 && ctx->family != NFPROTO_IPV6)
				return eval_error(ctx, &e->location,
						  "Cannot determine the network protocol of rt nexthop, use meta nfproto or rt ip/ip6");
			if (l3 == &proto_ip6 && e->rt.key == NFT_RT_NEXTHOP4 && !e->dtype)
				e->rt.key = NFT_RT_NEXTHOP6;
			if ((l3 == &proto_ip && e->rt.key == NFT_RT_NEXTHOP6) ||
			    (l3 == &proto_ip6 && e->rt.key == NFT_RT_NEXTHOP4))
				return eval_error(ctx, &e->location,
						  "conflicting protocols specified: %s vs. %s",
						  l3->name, l3 == &proto_ip ? "ip6" : "ip");
		}
		kt = rt_template(e->rt.key);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	case EXPR_SOCKET:
		kt = socket_template(e->socket.key);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	case EXPR_FIB:
		if ((e->fib.flags & NFTA_FIB_F_SADDR) && (e->fib.flags & NFTA_FIB_F_DADDR))
			return eval_error(ctx, &e->location, "fib: saddr and daddr are mutually exclusive");
		if ((e->fib.flags & NFTA_FIB_F_IIF) && (e->fib.flags & NFTA_FIB_F_OIF))
			return eval_error(ctx, &e->location, "fib: iif and oif are mutually exclusive");
		if (e->fib.flags & NFTA_FIB_F_PRESENT) {
			set_type(e, &boolean_type, 1, BYTEORDER_HOST_ENDIAN);
			e->flags |= EXPR_F_BOOLEAN;
		}
		kt = fib_result_template(e->fib.result);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	case EXPR_XFRM:
		kt = xfrm_template(e->xfrm.key);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	case EXPR_TUNNEL:
		kt = tunnel_template(e->tunnel.key);
		if (kt)
			set_type(e, kt->dtype, kt->len, kt->byteorder);
		break;
	default:
		break;
	}
	if (!e->dtype)
		return eval_error(ctx, &e->location, "%s expression has no known type",
				  expr_type_name(e->etype));
	if (e->byteorder == BYTEORDER_INVALID)
		e->byteorder = e->dtype->byteorder != BYTEORDER_INVALID ? e->dtype->byteorder
									: BYTEORDER_HOST_ENDIAN;
	if (!e->len)
		e->len = e->dtype->size;
	return 0;
}

static int concat_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *cur, *ki = NULL;
	const struct datatype *members[16];
	const struct expr *key = ctx->ectx.key;
	struct expr_ctx save = ctx->ectx;
	unsigned int n = 0, len = 0;
	bool keyed = key && key->etype == EXPR_CONCAT;
	struct list_head tmp;
	int rc = 0;

	if (keyed)
		ki = list_first_entry(&EXPR_COMPOUND(key).expressions, struct expr, list);
	init_list_head(&tmp);
	list_splice_tail_init(&EXPR_COMPOUND(e).expressions, &tmp);
	while (!list_empty(&tmp)) {
		cur = list_first_entry(&tmp, struct expr, list);
		list_del(&cur->list);
		if (n >= 16 || (keyed && &ki->list == &EXPR_COMPOUND(key).expressions)) {
			list_add_tail(&cur->list, &EXPR_COMPOUND(e).expressions);
			rc = eval_error(ctx, &cur->location, "too many concatenation components");
			break;
		}
		if (keyed) {
			struct expr_ctx c;

			ectx_from_expr(&c, ki);
			rc = evaluate_with(ctx, &cur, &c);
		} else {
			memset(&ctx->ectx, 0, sizeof(ctx->ectx));
			rc = expr_evaluate(ctx, &cur);
			ctx->ectx = save;
		}
		list_add_tail(&cur->list, &EXPR_COMPOUND(e).expressions);
		if (rc < 0)
			break;
		members[n] = cur->dtype;
		EXPR_COMPOUND(e).field_len[n] = value_bytes(cur->len);
		len += round_up32(cur->len);
		n++;
		if (keyed)
			ki = list_next_entry(ki, list);
	}
	list_splice_tail_init(&tmp, &EXPR_COMPOUND(e).expressions);
	if (rc < 0)
		return -1;
	if (keyed && &ki->list != &EXPR_COMPOUND(key).expressions)
		return eval_error(ctx, &e->location,
				  "datatype mismatch, expected %s, expression has type %s",
				  eval_dtype_desc(key->dtype), "concatenation");
	EXPR_COMPOUND(e).field_count = n;
	e->len = len;
	e->dtype = keyed ? key->dtype : concat_type_alloc(members, n);
	e->byteorder = BYTEORDER_BIG_ENDIAN;
	if (!e->dtype)
		return eval_error(ctx, &e->location, "out of memory");
	return 0;
}

int expr_evaluate_selector(struct eval_ctx *ctx, struct expr **e)
{
	struct expr_ctx save = ctx->ectx;
	int rc;

	memset(&ctx->ectx, 0, sizeof(ctx->ectx));
	rc = expr_evaluate(ctx, e);
	ctx->ectx = save;
	return rc;
}

/* ---------------------------------------------------------------- constants */

static int prefix_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *v;
	unsigned int len;
	uint8_t be[BNFT_VALUE_MAX];
	unsigned int nb, i;

	if (expr_evaluate(ctx, &e->prefix.prefix) < 0)
		return -1;
	v = e->prefix.prefix;
	if (v->etype == EXPR_PREFIX) /* string wildcard */
		return 0;
	len = v->len;
	if (e->prefix.prefix_len > len)
		return eval_error(ctx, &e->location,
				  "Prefix length %u is invalid for type of %u bits width",
				  e->prefix.prefix_len, len);
	if (v->etype == EXPR_VALUE) {
		nb = value_bytes(len);
		eval_value_be(v, be, nb);
		for (i = 0; i < nb * 8; i++) {
			unsigned int bit = nb * 8 - len + i; /* position from msb */
			(void)bit;
		}
		/* clear host bits: bits after prefix_len counted from the top of len */
		for (i = e->prefix.prefix_len; i < len; i++) {
			unsigned int pos = nb * 8 - len + i;

			be[pos / 8] &= ~(0x80 >> (pos % 8));
		}
		eval_value_from_be(v, be, nb);
	}
	e->dtype = v->dtype;
	e->len = v->len;
	e->byteorder = v->byteorder;
	e->flags |= EXPR_F_CONSTANT;
	return 0;
}

static int range_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *l, *r;
	uint8_t lb[BNFT_VALUE_MAX], rb[BNFT_VALUE_MAX];
	unsigned int nb;

	if (expr_evaluate(ctx, &e->range.left) < 0 || expr_evaluate(ctx, &e->range.right) < 0)
		return -1;
	l = e->range.left;
	r = e->range.right;
	if (l->etype != EXPR_VALUE || r->etype != EXPR_VALUE)
		return eval_error(ctx, &e->location, "Range bounds must be constant");
	nb = value_bytes(l->len > r->len ? l->len : r->len);
	eval_value_be(l, lb, nb);
	eval_value_be(r, rb, nb);
	/* "21:00"-"02:00" wraps midnight: nft accepts it for hours */
	if (eval_be_cmp(lb, rb, nb) > 0 && !(l->dtype && l->dtype->type == TYPE_TIME_HOUR))
		return eval_error(ctx, &e->location, "Range has zero or negative size");
	e->dtype = l->dtype;
	e->len = l->len;
	e->byteorder = l->byteorder;
	e->flags |= EXPR_F_CONSTANT;
	return 0;
}

/* ct state a,b: OR the members of a bitmask list into one constant. */
static int list_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *i, *n, *res = NULL;

	if (!ctx->ectx.dtype || !eval_is_bitmask(ctx->ectx.dtype)) {
		/* a plain list is an anonymous set */
		e->etype = EXPR_SET;
		return expr_evaluate(ctx, ep);
	}
	list_for_each_entry_safe(i, n, &EXPR_COMPOUND(e).expressions, list) {
		struct expr *cur = i;

		list_del(&i->list);
		if (expr_evaluate(ctx, &cur) < 0) {
			expr_free(cur);
			expr_free(res);
			return -1;
		}
		if (cur->etype != EXPR_VALUE) {
			eval_error(ctx, &cur->location, "List member must be a constant value");
			expr_free(cur);
			expr_free(res);
			return -1;
		}
		if (!res) {
			res = cur;
		} else {
			value_or(&res->value, &res->value, &cur->value);
			expr_free(cur);
		}
	}
	if (!res)
		return eval_error(ctx, &e->location, "empty list");
	res->location = e->location;
	expr_free(e);
	*ep = res;
	return 0;
}

/* ---------------------------------------------------------------- sets */

static struct expr *elem_wrap(struct expr *k)
{
	struct expr *el;

	if (k->etype == EXPR_SET_ELEM || k->etype == EXPR_SET_ELEM_CATCHALL)
		return k;
	el = expr_alloc(&k->location, EXPR_SET_ELEM);
	if (!el)
		return NULL;
	init_list_head(&el->elem.stmts);
	el->elem.key = k;
	return el;
}

/* Bring one element into the form: SET_ELEM or MAPPING{SET_ELEM, data}. */
static struct expr *elem_normalize(struct expr *el)
{
	struct expr *m;

	if (el->etype == EXPR_SET_ELEM && el->elem.key && el->elem.key->etype == EXPR_MAPPING) {
		m = el->elem.key;
		el->elem.key = m->mapping.left;
		m->mapping.left = el;
		m->location = el->location;
		return m;
	}
	if (el->etype == EXPR_MAPPING) {
		if (el->mapping.left->etype != EXPR_SET_ELEM)
			el->mapping.left = elem_wrap(el->mapping.left);
		return el;
	}
	return elem_wrap(el);
}

static bool key_is_interval(const struct expr *k)
{
	const struct expr *i;

	if (!k)
		return false;
	switch (k->etype) {
	case EXPR_PREFIX:
	case EXPR_RANGE:
		return true;
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(k).expressions, list)
			if (key_is_interval(i))
				return true;
		return false;
	default:
		return false;
	}
}

int expr_evaluate_set_elems(struct eval_ctx *ctx, struct expr *set, const struct expr_ctx *key,
			    const struct expr_ctx *data, bool named)
{
	struct expr *i, *el, *k;
	struct list_head todo;
	int err = 0;

	(void)named;
	init_list_head(&todo);
	list_splice_tail_init(&EXPR_COMPOUND(set).expressions, &todo);
	EXPR_COMPOUND(set).size = 0;
	while (!list_empty(&todo)) {
		i = list_first_entry(&todo, struct expr, list);
		list_del(&i->list);
		/* $var holding a set, or a nested { }: splice its members */
		if (i->etype == EXPR_VARIABLE) {
			struct expr *v = eval_variable_lookup(ctx, i);

			expr_free(i);
			if (!v) {
				err = -1;
				continue;
			}
			i = v;
		}
		if (i->etype == EXPR_SET_ELEM && i->elem.key && i->elem.key->etype == EXPR_VARIABLE) {
			struct expr *v = eval_variable_lookup(ctx, i->elem.key);

			if (!v) {
				expr_free(i);
				err = -1;
				continue;
			}
			if (v->etype == EXPR_SET) {
				expr_free(i);
				i = v;
			} else {
				expr_free(i->elem.key);
				i->elem.key = v;
			}
		}
		if (i->etype == EXPR_SET) {
			struct expr *m, *mn;

			list_for_each_entry_safe(m, mn, &EXPR_COMPOUND(i).expressions, list) {
				list_del(&m->list);
				list_add_tail(&m->list, &todo);
			}
			expr_free(i);
			continue;
		}
		el = elem_normalize(i);
		if (!el) {
			err = eval_error(ctx, &set->location, "out of memory");
			continue;
		}
		/* evaluate key */
		k = el->etype == EXPR_MAPPING ? el->mapping.left : el;
		if (k->etype == EXPR_SET_ELEM) {
			if (k->elem.key->etype == EXPR_SET_ELEM_CATCHALL) {
				k->dtype = key->dtype;
				k->len = key->len;
			} else if (evaluate_with(ctx, &k->elem.key, key) < 0) {
				err = -1;
			} else {
				k->dtype = k->elem.key->dtype;
				k->len = k->elem.key->len;
				k->byteorder = k->elem.key->byteorder;
				if (key_is_interval(k->elem.key))
					EXPR_COMPOUND(set).set_flags |= NFT_SET_INTERVAL;
			}
		} else {
			k->dtype = key->dtype;
			k->len = key->len;
			k->byteorder = key->byteorder;
		}
		if (el->etype == EXPR_MAPPING) {
			if (!data || !data->dtype) {
				err = eval_error(ctx, &el->location,
						 "Cannot use a mapping in a set");
			} else if (evaluate_with(ctx, &el->mapping.right, data) < 0) {
				err = -1;
			} else {
				el->dtype = k->dtype;
				el->len = k->len;
				el->byteorder = k->byteorder;
				if (key_is_interval(el->mapping.right))
					EXPR_COMPOUND(set).set_flags |= 0; /* data ranges: nat maps */
			}
		} else if (data && data->dtype && k->elem.key &&
			   k->elem.key->etype != EXPR_SET_ELEM_CATCHALL) {
			err = eval_error(ctx, &el->location, "Missing data in map element");
		}
		list_add_tail(&el->list, &EXPR_COMPOUND(set).expressions);
		EXPR_COMPOUND(set).size++;
	}
	return err;
}

/* Lowest free __set%d / __map%d index in table t, like the kernel. */
static char *anon_set_name(struct table *t, bool map)
{
	const char *pfx = map ? "__map" : "__set";
	unsigned int idx = 0;
	struct set *s;
	char buf[32];
	bool used;

	do {
		used = false;
		snprintf(buf, sizeof(buf), "%s%u", pfx, idx);
		list_for_each_entry(s, &t->sets, list)
			if (s->handle.set && !strcmp(s->handle.set, buf)) {
				used = true;
				break;
			}
		if (used)
			idx++;
	} while (used);
	return strdup(buf);
}

static struct expr *type_carrier(const struct location *loc, const struct expr_ctx *c)
{
	struct expr *e = expr_alloc(loc, EXPR_VALUE);

	if (!e)
		return NULL;
	e->dtype = c->dtype;
	e->len = c->len;
	e->byteorder = c->byteorder;
	e->value.len = c->len <= BNFT_VALUE_MAX * 8 ? c->len : 0;
	return e;
}

static int anon_set_evaluate(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *key,
			     const struct expr_ctx *data)
{
	struct expr *e = *ep;
	struct set_elem_opts o = { 0 };
	struct set *s;
	bool concat = key->dtype && key->dtype->subtypes > 0;
	bool map = data && data->dtype;

	if (!key->dtype)
		return eval_error(ctx, &e->location, "set has no key type context");
	if (expr_evaluate_set_elems(ctx, e, key, data, false) < 0)
		return -1;
	if (list_empty(&EXPR_COMPOUND(e).expressions))
		return eval_error(ctx, &e->location, "Set is empty");
	o.interval = EXPR_COMPOUND(e).set_flags & NFT_SET_INTERVAL;
	o.merge = !map;
	o.concat = concat;
	o.prefix_ok = key->dtype->flags & DTYPE_F_PREFIX;
	o.keylen = key->len;
	if (setelem_normalize(ctx, e, &o) < 0)
		return -1;
	e->dtype = key->dtype;
	e->len = key->len;
	e->byteorder = key->byteorder;
	e->flags |= EXPR_F_CONSTANT;

	if (!ctx->table)
		return 0;
	s = set_alloc(&e->location);
	if (!s)
		return eval_error(ctx, &e->location, "out of memory");
	s->flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | (EXPR_COMPOUND(e).set_flags & NFT_SET_INTERVAL);
	if (concat)
		s->flags |= NFT_SET_CONCAT;
	if (map)
		s->flags |= NFT_SET_MAP;
	s->handle.family = ctx->table->handle.family;
	s->handle.table = strdup(ctx->table->handle.table);
	s->handle.set = NULL; /* named when linked */
	s->key = ctx->ectx.key ? expr_clone(ctx->ectx.key) : type_carrier(&e->location, key);
	if (s->key && !s->key->dtype) {
		s->key->dtype = key->dtype;
		s->key->len = key->len;
	}
	if (map)
		s->data = type_carrier(&e->location, data);
	s->init = e;
	s->refcnt = 1;
	EXPR_COMPOUND(e).set = s;
	EXPR_COMPOUND(e).set_flags |= s->flags;
	list_add_tail(&s->list, &ctx->pending_sets);
	return 0;
}

/* Link the anonymous sets created while evaluating a rule, allocating
 * their handles before the rule's (the order nft sends them). */
void eval_commit_pending_sets(struct eval_ctx *ctx)
{
	struct set *s, *n;

	list_for_each_entry_safe(s, n, &ctx->pending_sets, list) {
		list_del(&s->list);
		s->handle.set = anon_set_name(ctx->table, s->flags & NFT_SET_MAP);
		s->handle.handle.id = ruleset_alloc_handle(ctx->rs, ctx->table);
		ruleset_add_set(ctx->rs, ctx->table, s);
	}
}

void eval_drop_pending_sets(struct eval_ctx *ctx)
{
	struct set *s, *n;

	list_for_each_entry_safe(s, n, &ctx->pending_sets, list) {
		list_del(&s->list);
		if (s->init)
			EXPR_COMPOUND(s->init).set = NULL;
		s->init = NULL;
		set_free(s);
	}
}

static unsigned int str_distance(const char *a, const char *b)
{
	unsigned int la = strlen(a), lb = strlen(b), i, j;
	unsigned int row[64], prev, tmp;

	if (lb >= 64)
		return 1000;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			unsigned int cost = a[i - 1] == b[j - 1] ? 0 : 1, best;

			tmp = row[j];
			best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

/* nft's string_misspell_update(): a close enough name to suggest */
static bool misspelled(const char *a, const char *b, unsigned int *best)
{
	unsigned int la = strlen(a), lb = strlen(b), max = la > lb ? la : lb;
	unsigned int min = la < lb ? la : lb, thr, d;

	thr = max <= 1 ? max : (max <= 4 ? 1 : max / 2);
	if (max - min > thr)
		return false;
	d = str_distance(a, b);
	if (d > thr || d >= *best)
		return false;
	*best = d;
	return true;
}

static void did_you_mean_set(struct eval_ctx *ctx, const struct expr *e)
{
	struct table *t, *bt = NULL;
	struct set *s, *bs = NULL;
	unsigned int best = ~0u;

	list_for_each_entry(t, &ctx->rs->tables, list)
		list_for_each_entry(s, &t->sets, list) {
			if (s->flags & NFT_SET_ANONYMOUS)
				continue;
			if (misspelled(s->handle.set, e->set_ref.name, &best)) {
				bs = s;
				bt = t;
			}
		}
	if (bs)
		eval_error(ctx, &e->location,
			   "No such file or directory; did you mean set ‘%s’ in table %s ‘%s’?",
			   bs->handle.set, family_name(bt->handle.family), bt->handle.table);
	else
		eval_error(ctx, &e->location, "No such file or directory");
}

static int set_ref_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep;
	const char *name = e->set_ref.name;
	struct set *s = NULL;

	if (name && name[0] == '$') {
		return eval_error(ctx, &e->location, "unknown identifier '%s'", name + 1);
	}
	if (ctx->table)
		s = table_set_lookup(ctx->table, name);
	if (!s) {
		did_you_mean_set(ctx, e);
		return -1;
	}
	e->set_ref.set = s;
	if (s->key) {
		e->dtype = s->key->dtype;
		e->len = s->key->len;
		e->byteorder = s->key->byteorder;
	}
	if (ctx->ectx.dtype && e->dtype && !datatype_compatible(e->dtype, ctx->ectx.dtype) &&
	    !(s->flags & NFT_SET_MAP))
		return eval_error(ctx, &e->location,
				  "datatype mismatch, expected %s, set has type %s",
				  eval_dtype_desc(ctx->ectx.dtype), eval_dtype_desc(e->dtype));
	return 0;
}

/* ---------------------------------------------------------------- maps */

static int map_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep;
	struct expr_ctx key, data;

	if (expr_evaluate_selector(ctx, &e->map.key) < 0)
		return -1;
	ectx_from_expr(&key, e->map.key);
	memset(&data, 0, sizeof(data));
	if (e->map.vmap) {
		data.dtype = &verdict_type;
		data.len = verdict_type.size;
		data.byteorder = BYTEORDER_HOST_ENDIAN;
	} else {
		data = ctx->ectx;
		if (!data.key || data.key->etype != EXPR_CONCAT)
			data.key = NULL;
		if (!data.dtype && e->map.mappings->etype != EXPR_SET_REF)
			return eval_error(ctx, &e->location, "Map expression can not be used here");
	}
	switch (e->map.mappings->etype) {
	case EXPR_VARIABLE: {
		struct expr *v = eval_variable_lookup(ctx, e->map.mappings);

		if (!v)
			return -1;
		expr_free(e->map.mappings);
		e->map.mappings = v;
	}
		/* fall through */
	case EXPR_SET:
	case EXPR_LIST:
		e->map.mappings->etype = EXPR_SET;
		{
			struct expr_ctx save = ctx->ectx;

			ctx->ectx = key;
			if (anon_set_evaluate(ctx, &e->map.mappings, &key, &data) < 0) {
				ctx->ectx = save;
				return -1;
			}
			ctx->ectx = save;
		}
		break;
	case EXPR_SET_REF: {
		struct expr_ctx save = ctx->ectx;
		struct set *s;

		memset(&ctx->ectx, 0, sizeof(ctx->ectx));
		if (set_ref_evaluate(ctx, &e->map.mappings) < 0) {
			ctx->ectx = save;
			return -1;
		}
		ctx->ectx = save;
		s = e->map.mappings->set_ref.set;
		if (!(s->flags & NFT_SET_MAP))
			return eval_error(ctx, &e->map.mappings->location,
					  "Expression is not a map");
		if (s->data) {
			data.dtype = s->data->dtype;
			data.len = s->data->len;
			data.byteorder = s->data->byteorder;
		}
		break;
	}
	default:
		return eval_error(ctx, &e->map.mappings->location, "Expression is not a map");
	}
	e->dtype = data.dtype;
	e->len = data.len;
	e->byteorder = data.byteorder;
	return 0;
}

/* ---------------------------------------------------------------- binop */

static bool is_const_like(const struct expr *e)
{
	switch (e->etype) {
	case EXPR_SYMBOL:
	case EXPR_VALUE:
	case EXPR_LIST:
		return true;
	case EXPR_BINOP:
		return is_const_like(e->binop.left) && is_const_like(e->binop.right);
	default:
		return false;
	}
}

static bool op_commutes(enum ops op)
{
	return op == OP_AND || op == OP_OR || op == OP_XOR;
}

/* Both sides constant: compute the value, as nft's constant folding. */
static int binop_fold(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *l = e->binop.left, *r = e->binop.right;
	uint8_t a[BNFT_VALUE_MAX], b[BNFT_VALUE_MAX];
	unsigned int nb = value_bytes(l->len), i;
	uint64_t v, sh;

	if (l->etype != EXPR_VALUE || r->etype != EXPR_VALUE || nb > BNFT_VALUE_MAX)
		return 0;
	eval_value_be(l, a, nb);
	switch (e->op) {
	case OP_AND:
	case OP_OR:
	case OP_XOR:
		eval_value_be(r, b, nb);
		for (i = 0; i < nb; i++)
			a[i] = e->op == OP_AND ? a[i] & b[i] : e->op == OP_OR ? a[i] | b[i] : a[i] ^ b[i];
		break;
	case OP_LSHIFT:
	case OP_RSHIFT:
		if (nb > 8)
			return 0;
		v = 0;
		for (i = 0; i < nb; i++)
			v = (v << 8) | a[i];
		sh = value_get_u64(&r->value, r->byteorder);
		v = sh >= 64 ? 0 : (e->op == OP_LSHIFT ? v << sh : v >> sh);
		for (i = nb; i-- > 0; v >>= 8)
			a[i] = v & 0xff;
		if (l->len % 8)
			a[0] &= (1u << (l->len % 8)) - 1;
		break;
	default:
		return 0;
	}
	eval_value_from_be(l, a, nb);
	l->location = e->location;
	e->binop.left = NULL;
	expr_free(e);
	*ep = l;
	return 0;
}

static int binop_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *l;
	struct expr_ctx c;
	unsigned int len;

	/* 0x1 | ct mark: the selector goes left */
	if (op_commutes(e->op) && is_const_like(e->binop.left) && !is_const_like(e->binop.right)) {
		struct expr *t = e->binop.left;

		e->binop.left = e->binop.right;
		e->binop.right = t;
	}
	if (is_const_like(e->binop.left)) {
		if (!ctx->ectx.dtype)
			return eval_error(ctx, &e->location,
					  "Binary operation needs a selector on one side");
		if (expr_evaluate(ctx, &e->binop.left) < 0)
			return -1;
	} else if (expr_evaluate_selector(ctx, &e->binop.left) < 0) {
		return -1;
	}
	l = e->binop.left;
	ectx_from_expr(&c, l);
	/* in a statement (meta mark set ip dscp << 2) the value is widened
	 * to the target's size first, as nft 1.1 does */
	len = l->len;
	if (ctx->ectx.dtype && ctx->ectx.len > len && l->dtype &&
	    eval_basetype(l->dtype)->type == TYPE_INTEGER && l->etype != EXPR_VALUE)
		len = ctx->ectx.len;
	c.len = len;
	switch (e->op) {
	case OP_LSHIFT:
	case OP_RSHIFT:
		c.dtype = &integer_type;
		c.len = 32;
		c.byteorder = BYTEORDER_HOST_ENDIAN;
		c.key = NULL;
		if (evaluate_with(ctx, &e->binop.right, &c) < 0)
			return -1;
		if (e->binop.right->etype == EXPR_VALUE &&
		    value_get_u64(&e->binop.right->value, e->binop.right->byteorder) > len)
			return eval_error(ctx, &e->binop.right->location,
					  "%s: shift value exceeds %u bits", "Binary operation",
					  len);
		break;
	default:
		if (evaluate_with(ctx, &e->binop.right, &c) < 0)
			return -1;
		break;
	}
	e->dtype = l->dtype;
	e->len = len;
	e->byteorder = l->byteorder;
	return binop_fold(ctx, ep);
}

static bool value_all_ones(const struct expr *v)
{
	uint8_t b[BNFT_VALUE_MAX];
	unsigned int nb = value_bytes(v->len), i;

	if (v->etype != EXPR_VALUE || nb > BNFT_VALUE_MAX)
		return false;
	eval_value_be(v, b, nb);
	for (i = 0; i < nb; i++) {
		uint8_t want = (i == 0 && v->len % 8) ? (1u << (v->len % 8)) - 1 : 0xff;

		if (b[i] != want)
			return false;
	}
	return true;
}

static bool value_zero(const struct expr *v)
{
	return v->etype == EXPR_VALUE && value_is_zero(&v->value);
}

/* The forms nft lists a relational in (what the kernel round trip gives):
 * x ^ c == v -> x == c ^ v; x & ~0 == v -> x == v; flags & m != 0 -> flags m;
 * flags & m == 0 -> flags ! m; integer prefixes -> x & mask == v. */
static int relational_normalize(struct eval_ctx *ctx, struct expr *e)
{
	struct expr *l = e->binop.left, *r = e->binop.right, *m;
	bool eqop = e->op == OP_EQ || e->op == OP_NEQ || e->op == OP_IMPLICIT;

	if (r->etype == EXPR_PREFIX && r->prefix.prefix->etype == EXPR_VALUE && l->dtype &&
	    !(l->dtype->flags & DTYPE_F_PREFIX) && eval_basetype(l->dtype)->type != TYPE_STRING &&
	    l->dtype->type != TYPE_IFNAME && eqop) {
		struct expr *v = r->prefix.prefix, *mask, *bin;
		uint8_t mb[BNFT_VALUE_MAX];
		unsigned int nb = value_bytes(l->len), i, pad = nb * 8 - l->len;

		memset(mb, 0, sizeof(mb));
		for (i = 0; i < r->prefix.prefix_len && i < l->len; i++)
			mb[(pad + i) / 8] |= 0x80 >> ((pad + i) % 8);
		mask = value_expr_alloc(&r->location, l->dtype, l->byteorder, l->len, NULL);
		bin = binop_expr_alloc(&e->location, OP_AND, l, mask);
		if (!mask || !bin)
			return eval_error(ctx, &e->location, "out of memory");
		mask->len = l->len;
		eval_value_from_be(mask, mb, nb);
		mask->flags |= EXPR_F_CONSTANT;
		bin->dtype = l->dtype;
		bin->len = l->len;
		bin->byteorder = l->byteorder;
		r->prefix.prefix = NULL;
		expr_free(r);
		e->binop.left = l = bin;
		e->binop.right = r = v;
		if (e->op == OP_IMPLICIT)
			e->op = OP_EQ;
	}
	if (l->etype != EXPR_BINOP || !eqop || r->etype != EXPR_VALUE)
		goto out;
	m = l->binop.right;
	if (m->etype != EXPR_VALUE)
		goto out;
	if (l->op == OP_XOR) {
		uint8_t a[BNFT_VALUE_MAX], b[BNFT_VALUE_MAX];
		unsigned int nb = value_bytes(r->len), i;

		if (nb > BNFT_VALUE_MAX)
			goto out;
		eval_value_be(r, a, nb);
		eval_value_be(m, b, nb);
		for (i = 0; i < nb; i++)
			a[i] ^= b[i];
		eval_value_from_be(r, a, nb);
		e->binop.left = l->binop.left;
		l->binop.left = NULL;
		expr_free(l);
		if (e->op == OP_EQ)
			e->op = OP_IMPLICIT;
		return 0;
	}
	if (l->op == OP_AND && value_all_ones(m)) {
		e->binop.left = l->binop.left;
		l->binop.left = NULL;
		expr_free(l);
		l = e->binop.left;
		if (e->op == OP_IMPLICIT)
			e->op = OP_EQ;
		return 0;
	}
	if (l->op == OP_AND && eval_is_bitmask(l->binop.left->dtype) && value_zero(r) &&
	    e->op != OP_IMPLICIT) {
		/* flags & m != 0 -> flags m; flags & m == 0 -> flags ! m */
		e->op = e->op == OP_NEQ ? OP_IMPLICIT : OP_NEG;
		e->binop.left = l->binop.left;
		e->binop.right = m;
		l->binop.left = NULL;
		l->binop.right = NULL;
		expr_free(l);
		expr_free(r);
		return 0;
	}
out:
	if (e->binop.left->etype == EXPR_BINOP && e->op == OP_IMPLICIT)
		e->op = OP_EQ;
	return 0;
}

/* ---------------------------------------------------------------- relational */

static int relational_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *l, *r;
	struct expr_ctx c;

	if (expr_evaluate_selector(ctx, &e->binop.left) < 0)
		return -1;
	l = e->binop.left;
	if (l->flags & EXPR_F_CONSTANT && l->etype == EXPR_VALUE)
		return eval_error(ctx, &l->location,
				  "Relational expression size mismatch");
	ectx_from_expr(&c, l);
	if (l->flags & EXPR_F_BOOLEAN || (l->etype == EXPR_EXTHDR && l->exthdr.exists_only)) {
		c.dtype = &boolean_type;
	}
	if (e->binop.right->etype == EXPR_SET || e->binop.right->etype == EXPR_LIST) {
		if (e->binop.right->etype == EXPR_LIST && eval_is_bitmask(l->dtype)) {
			if (evaluate_with(ctx, &e->binop.right, &c) < 0)
				return -1;
		} else {
			struct expr_ctx save = ctx->ectx;

			e->binop.right->etype = EXPR_SET;
			ctx->ectx = c;
			if (anon_set_evaluate(ctx, &e->binop.right, &c, NULL) < 0) {
				ctx->ectx = save;
				return -1;
			}
			ctx->ectx = save;
		}
	} else if (evaluate_with(ctx, &e->binop.right, &c) < 0) {
		return -1;
	}
	r = e->binop.right;
	if (r->dtype && l->dtype && r->etype != EXPR_SET && r->etype != EXPR_SET_REF &&
	    !datatype_compatible(r->dtype, l->dtype))
		return eval_error2(ctx, &r->location, &l->location,
				   "datatype mismatch, expected %s, expression has type %s",
				   eval_dtype_desc(l->dtype), eval_dtype_desc(r->dtype));
	if (e->op == OP_NEG && l->etype == EXPR_BINOP)
		return eval_error(ctx, &e->location,
				  "Binary operation with '!' is not supported");
	switch (e->op) {
	case OP_LT:
	case OP_GT:
	case OP_LTE:
	case OP_GTE:
		if (r->etype != EXPR_VALUE)
			return eval_error(ctx, &r->location,
					  "Relational expression requires a constant value");
		break;
	default:
		break;
	}
	e->dtype = &boolean_type;
	e->len = 1;
	e->byteorder = BYTEORDER_HOST_ENDIAN;
	return relational_normalize(ctx, e);
}

/* ---------------------------------------------------------------- verdict */

static int verdict_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *c;

	e->dtype = &verdict_type;
	e->len = verdict_type.size ? verdict_type.size : 32;
	e->byteorder = BYTEORDER_HOST_ENDIAN;
	c = e->verdict.chain;
	if (!c)
		return 0;
	if (c->etype == EXPR_VARIABLE) {
		struct expr *v = eval_variable_lookup(ctx, c);

		if (!v)
			return -1;
		expr_free(c);
		e->verdict.chain = c = v;
	}
	if (c->etype == EXPR_VALUE) {
		/* a string constant from a define: back to a name */
		char buf[BNFT_VALUE_MAX + 1];
		unsigned int nb = value_bytes(c->value.len ? c->value.len : c->len);
		struct expr *s;

		if (nb > BNFT_VALUE_MAX)
			nb = BNFT_VALUE_MAX;
		memcpy(buf, c->value.data, nb);
		buf[nb] = '\0';
		s = symbol_expr_alloc(&c->location, buf, true);
		if (!s)
			return eval_error(ctx, &c->location, "out of memory");
		expr_free(c);
		e->verdict.chain = c = s;
	}
	if (c->etype != EXPR_SYMBOL)
		return eval_error(ctx, &c->location, "invalid chain name");
	if (strlen(c->sym.identifier) >= NFT_CHAIN_MAXNAMELEN)
		return eval_error(ctx, &c->location, "Chain name too long");
	c->dtype = &string_type;
	c->len = strlen(c->sym.identifier) * 8;
	c->byteorder = BYTEORDER_HOST_ENDIAN;
	return 0;
}

/* ---------------------------------------------------------------- dispatch */

int expr_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep;

	if (!e)
		return 0;
	switch (e->etype) {
	case EXPR_SYMBOL:
		if (!ctx->ectx.dtype)
			return eval_error(ctx, &e->location,
					  "Symbol expression '%s' has no type context",
					  e->sym.identifier);
		return symbol_resolve(ctx, ep, &ctx->ectx);
	case EXPR_VARIABLE: {
		struct expr *v = eval_variable_lookup(ctx, e);

		if (!v)
			return -1;
		expr_free(e);
		*ep = v;
		return expr_evaluate(ctx, ep);
	}
	case EXPR_VALUE:
		if (!ctx->ectx.dtype) {
			if (!e->dtype)
				return eval_error(ctx, &e->location, "value has no type context");
			if (!e->len)
				e->len = e->value.len;
			return 0;
		}
		return value_fit(ctx, ep, &ctx->ectx);
	case EXPR_VERDICT:
		return verdict_evaluate(ctx, ep);
	case EXPR_PREFIX:
		return prefix_evaluate(ctx, ep);
	case EXPR_RANGE:
		return range_evaluate(ctx, ep);
	case EXPR_PAYLOAD:
	case EXPR_EXTHDR:
	case EXPR_META:
	case EXPR_SOCKET:
	case EXPR_OSF:
	case EXPR_CT:
	case EXPR_RT:
	case EXPR_FIB:
	case EXPR_NUMGEN:
	case EXPR_HASH:
	case EXPR_XFRM:
	case EXPR_TUNNEL:
		return selector_type(ctx, e);
	case EXPR_CONCAT:
		return concat_evaluate(ctx, ep);
	case EXPR_LIST:
		return list_evaluate(ctx, ep);
	case EXPR_SET: {
		struct expr_ctx key = ctx->ectx;

		return anon_set_evaluate(ctx, ep, &key, NULL);
	}
	case EXPR_SET_REF:
		return set_ref_evaluate(ctx, ep);
	case EXPR_SET_ELEM:
		if (expr_evaluate(ctx, &e->elem.key) < 0)
			return -1;
		e->dtype = e->elem.key->dtype;
		e->len = e->elem.key->len;
		e->byteorder = e->elem.key->byteorder;
		return 0;
	case EXPR_SET_ELEM_CATCHALL:
		e->dtype = ctx->ectx.dtype;
		e->len = ctx->ectx.len;
		return 0;
	case EXPR_MAPPING:
		return eval_error(ctx, &e->location, "mapping outside a map");
	case EXPR_MAP:
		return map_evaluate(ctx, ep);
	case EXPR_UNARY:
		if (expr_evaluate(ctx, &e->binop.left) < 0)
			return -1;
		e->dtype = e->binop.left->dtype;
		e->len = e->binop.left->len;
		e->byteorder = e->op == OP_HTON ? BYTEORDER_BIG_ENDIAN : BYTEORDER_HOST_ENDIAN;
		return 0;
	case EXPR_BINOP:
		return binop_evaluate(ctx, ep);
	case EXPR_RELATIONAL:
		return relational_evaluate(ctx, ep);
	default:
		return eval_error(ctx, &e->location, "unsupported expression %s",
				  expr_type_name(e->etype));
	}
}
