// SPDX-License-Identifier: GPL-2.0
/*
 * Expression evaluation: selectors get their type, constants are resolved
 * against the type of the other side (ctx->ectx), sets/maps/concatenations
 * are checked and anonymous sets are created.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

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

void ectx_from_expr(struct expr_ctx *c, const struct expr *e)
{
	memset(c, 0, sizeof(*c));
	c->dtype = e->dtype;
	c->len = e->len;
	c->byteorder = e->byteorder;
	c->key = e;
}

int evaluate_with(struct eval_ctx *ctx, struct expr **e, const struct expr_ctx *c)
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

/* Whether the text of loc contains word (rt ip nexthop vs rt nexthop). */
static bool loc_has_word(const struct location *loc, const char *word)
{
	const struct input_desc *in = loc->indesc;
	const char *p, *end;
	size_t wl = strlen(word);
	int line = 1;

	if (!in || !in->buf || loc->first_line != loc->last_line)
		return false;
	for (p = in->buf; *p && line < loc->first_line; p++)
		if (*p == '\n')
			line++;
	if (!*p)
		return false;
	end = p + loc->last_column;
	p += loc->first_column - 1;
	for (; p + wl <= end; p++)
		if (!strncmp(p, word, wl) && (p[wl] == ' ' || p + wl == end) && p[-1] == ' ')
			return true;
	return false;
}

/* rt nexthop: IPv4 or IPv6 as written or as the rule's context says */
static int rt_nexthop_evaluate(struct eval_ctx *ctx, struct expr *e)
{
	const struct proto_desc *l3 = ctx->l3;
	bool explicit = e->rt.key == NFT_RT_NEXTHOP6 || loc_has_word(&e->location, "ip");

	if (explicit) {
		const struct proto_desc *want = e->rt.key == NFT_RT_NEXTHOP6 ? &proto_ip6 : &proto_ip;

		if (l3 && l3 != want)
			return eval_error(ctx, &e->location,
					  "conflicting protocols specified: %s vs. %s", l3->name,
					  want->name);
		return 0;
	}
	if (!l3)
		return eval_error(ctx, &e->location,
				  "Cannot determine the network protocol of rt nexthop, use meta nfproto or rt ip/ip6");
	e->rt.key = l3 == &proto_ip6 ? NFT_RT_NEXTHOP6 : NFT_RT_NEXTHOP4;
	return 0;
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
	} else if (l3 && !ctx->in_key) {
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

	if (d && e->payload.inner && e->payload.inner_desc == &proto_gre && d->base == PAYLOAD_LL)
		return eval_error(ctx, &e->location,
				  "gre carries no link layer header: use gretap");
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
		if (d != &proto_ip && d != &proto_ip6 && d != &proto_arp)
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
		if (!ctx->l4 && ctx->l4_set_last && ctx->l4_set_last != d)
			return eval_error(ctx, &e->location,
					  "conflicting protocols specified: %s vs. %s",
					  ctx->l4_set_last->name, d->name);
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

	/* an explicit icmp type match replaces the generated dependency */
	if (l->etype == EXPR_PAYLOAD && l->payload.field == ICMPHDR_TYPE &&
	    (l->payload.desc == &proto_icmp || l->payload.desc == &proto_icmp6))
		ctx->icmp_dep_done = true;
	if ((rel->op == OP_EQ || rel->op == OP_IMPLICIT) && r->etype == EXPR_SET &&
	    ((l->etype == EXPR_META && l->meta.key == NFT_META_L4PROTO) ||
	     (l->etype == EXPR_PAYLOAD && ((l->payload.desc == &proto_ip &&
					     l->payload.field == IPHDR_PROTOCOL) ||
					    (l->payload.desc == &proto_ip6 &&
					     l->payload.field == IP6HDR_NEXTHDR))))) {
		const struct expr *last;

		ctx->l4_multi = true;
		/* nft's protocol context keeps the last element: a header
		 * match of another protocol conflicts with it */
		if (!list_empty(&EXPR_COMPOUND(r).expressions)) {
			last = list_last_entry(&EXPR_COMPOUND(r).expressions, struct expr, list);
			last = setelem_key((struct expr *)last);
			if (last && last->etype == EXPR_VALUE) {
				ctx->l4_set_last = proto_find_upper(&proto_inet_service,
					value_get_u64(&last->value, last->byteorder));
				ctx->l4_expr = rel;
			}
		}
	}
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

static void retype_constants(struct expr *v, const struct expr *field)
{
	struct expr *i;

	switch (v->etype) {
	case EXPR_VALUE:
		if (v->len == field->len)
			v->dtype = field->dtype;
		break;
	case EXPR_RANGE:
		retype_constants(v->range.left, field);
		retype_constants(v->range.right, field);
		v->dtype = field->dtype;
		break;
	case EXPR_PREFIX:
		retype_constants(v->prefix.prefix, field);
		v->dtype = field->dtype;
		break;
	case EXPR_SET_ELEM:
		retype_constants(v->elem.key, field);
		v->dtype = field->dtype;
		break;
	case EXPR_MAPPING:
		retype_constants(v->mapping.left, field);
		break;
	case EXPR_SET:
		list_for_each_entry(i, &EXPR_COMPOUND(v).expressions, list)
			retype_constants(i, field);
		/* the set keeps the integer key type nft created it with */
		break;
	default:
		break;
	}
}

/* @th,16,16 after "meta l4proto tcp" is tcp dport, as nft lists it. Done
 * once the other side was evaluated as a plain number; a constant there
 * takes the field's type so it lists like one. */
void raw_payload_to_field(struct eval_ctx *ctx, struct expr *e, struct expr *val)
{
	const struct proto_desc *d = NULL;
	int f;

	if (!e->payload.is_raw || e->payload.inner || e->payload.offset % 8)
		return;
	if (e->payload.base == PAYLOAD_TRANSPORT)
		d = ctx->l4 ? ctx->l4 : (ctx->l4_multi ? &proto_th : NULL);
	else if (e->payload.base == PAYLOAD_NETWORK)
		d = ctx->l3;
	if (!d)
		return;
	f = proto_find_field(d, e->payload.offset, e->len ? e->len : 0);
	if (f < 0)
		return;
	e->payload.desc = d;
	e->payload.field = f;
	e->payload.tmpl = &d->templates[f];
	e->payload.is_raw = false;
	e->dtype = d->templates[f].dtype;
	e->byteorder = d->templates[f].byteorder;
	if (val)
		retype_constants(val, e);
}

static int selector_type(struct eval_ctx *ctx, struct expr *e)
{
	const struct key_template *kt;

	switch (e->etype) {
	case EXPR_PAYLOAD:
		if (payload_ctx_update(ctx, e) < 0)
			return -1;
		if (e->payload.tmpl && e->payload.tmpl->icmp_dep && icmp_dep_stmt(ctx, e) < 0)
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
		    ctx->family != NFPROTO_BRIDGE && ctx->rule)
			return eval_error(ctx, &e->location,
					  "meta key is only valid in bridge family tables");
		if (e->meta.key == NFT_META_NFPROTO && ctx->family != NFPROTO_INET && ctx->rule)
			return eval_error(ctx, &e->location,
					  "meta nfproto is only useful in the inet family");
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
		if ((e->rt.key == NFT_RT_NEXTHOP4 || e->rt.key == NFT_RT_NEXTHOP6) && !e->dtype &&
		    rt_nexthop_evaluate(ctx, e) < 0)
			return -1;
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
		if (!(e->fib.flags & (NFTA_FIB_F_SADDR | NFTA_FIB_F_DADDR)))
			return eval_error(ctx, &e->location, "fib: need either saddr or daddr");
		if ((e->fib.flags & NFTA_FIB_F_IIF) && (e->fib.flags & NFTA_FIB_F_OIF))
			return eval_error(ctx, &e->location, "fib: iif and oif are mutually exclusive");
		if ((e->fib.flags & NFTA_FIB_F_OIF) && ctx->chain &&
		    (ctx->chain->flags & CHAIN_F_BASECHAIN) &&
		    (ctx->chain->hooknum == NF_INET_PRE_ROUTING || ctx->chain->hooknum == NF_INET_INGRESS))
			return eval_error(ctx, &e->location,
					  "fib: oif is not available in this hook");
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
			bool in_key = ctx->in_key;

			memset(&ctx->ectx, 0, sizeof(ctx->ectx));
			ctx->in_key = true;
			rc = expr_evaluate(ctx, &cur);
			ctx->in_key = in_key;
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
	/* like nft: only integer based types have ranges (no "eth0"-"eth9") */
	if (l->dtype && eval_basetype(l->dtype) && eval_basetype(l->dtype)->type != TYPE_INTEGER)
		return eval_error2(ctx, &l->location, &e->location,
				   "Range expression is undefined for %s types", l->dtype->desc);
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
	} else if (e->binop.left->etype == EXPR_BINOP) {
		/* (ip dscp << 26) | 0x10: the inner one is widened too */
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
	    eval_basetype(l->dtype)->type == TYPE_INTEGER && l->etype != EXPR_VALUE) {
		len = ctx->ectx.len;
		/* a shifted value is a plain number (nft prints 0x10) */
		if (e->op == OP_LSHIFT || e->op == OP_RSHIFT)
			c.dtype = &xinteger_type;
		c.byteorder = ctx->ectx.byteorder;
	}
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
	e->dtype = len != l->len && (e->op == OP_LSHIFT || e->op == OP_RSHIFT) ? &xinteger_type
									     : l->dtype;
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
	if (l->op == OP_AND && value_all_ones(m) && m->len % 8 == 0 &&
	    (l->binop.left->etype != EXPR_PAYLOAD || l->binop.left->payload.offset % 8 == 0)) {
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

/* @ll,0,1 1 is a byte load under a mask: nft lists @ll,0,8 & 0x80 == 0x80
 * (inner header matches keep their bit offsets). */
static int raw_payload_align(struct eval_ctx *ctx, struct expr *rel)
{
	struct expr *l = rel->binop.left, *r = rel->binop.right, *mask, *bin;
	unsigned int off = l->payload.offset, len = l->len, noff, nlen, shift;
	uint64_t v, m;

	if (l->payload.base == PAYLOAD_INNER || (off % 8 == 0 && len % 8 == 0) ||
	    r->etype != EXPR_VALUE || (rel->op != OP_EQ && rel->op != OP_IMPLICIT &&
				       rel->op != OP_NEQ))
		return 0;
	noff = off & ~7u;
	nlen = (off % 8 + len + 7) / 8 * 8;
	if (nlen > 64)
		return 0;
	shift = nlen - off % 8 - len;
	m = (len >= 64 ? ~0ULL : ((1ULL << len) - 1)) << shift;
	v = value_get_u64(&r->value, r->byteorder) << shift;
	mask = value_expr_alloc_u64(&l->location, l->dtype, l->byteorder, nlen, m);
	bin = mask ? binop_expr_alloc(&l->location, OP_AND, l, mask) : NULL;
	if (!bin) {
		expr_free(mask);
		return eval_error(ctx, &rel->location, "out of memory");
	}
	l->payload.offset = noff;
	l->len = nlen;
	mask->len = nlen;
	bin->dtype = l->dtype;
	bin->len = nlen;
	bin->byteorder = l->byteorder;
	value_set_u64(&r->value, v, nlen, r->byteorder);
	r->len = nlen;
	rel->binop.left = bin;
	if (rel->op == OP_IMPLICIT)
		rel->op = OP_EQ;
	return 0;
}

static bool concat_has_const(const struct expr *c)
{
	const struct expr *i;

	list_for_each_entry(i, &EXPR_COMPOUND(c).expressions, list)
		if (is_const_like(i))
			return true;
	return false;
}

static int relational_evaluate(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *e = *ep, *l, *r;
	struct expr_ctx c;

	/* "flags value / mask" arrives as flags OP (mask & value): nft
	 * evaluates it as (flags & mask) OP value */
	r = e->binop.right;
	if (r->etype == EXPR_BINOP && r->op == OP_AND && is_const_like(r->binop.left) &&
	    is_const_like(r->binop.right) && !is_const_like(e->binop.left)) {
		struct expr *mask = r->binop.left, *val = r->binop.right;

		r->binop.left = e->binop.left;
		r->binop.right = mask;
		e->binop.left = r;
		e->binop.right = val;
		if (e->op == OP_IMPLICIT)
			e->op = OP_EQ;
	}
	bool done = false;

	if (e->binop.left->etype == EXPR_CONCAT && e->binop.right->etype == EXPR_SET_REF &&
	    concat_has_const(e->binop.left)) {
		/* ip saddr . 1.2.3.4 . 80 @s: constants take the set's key types */
		struct expr_ctx save = ctx->ectx;
		const struct set *set;

		memset(&ctx->ectx, 0, sizeof(ctx->ectx));
		if (set_ref_evaluate(ctx, &e->binop.right) < 0) {
			ctx->ectx = save;
			return -1;
		}
		set = e->binop.right->set_ref.set;
		if (set->key) {
			ectx_from_expr(&ctx->ectx, set->key);
			if (expr_evaluate(ctx, &e->binop.left) < 0) {
				ctx->ectx = save;
				return -1;
			}
			done = true;
		}
		ctx->ectx = save;
	}
	if (!done && expr_evaluate_selector(ctx, &e->binop.left) < 0)
		return -1;
	l = e->binop.left;
	if (l->flags & EXPR_F_CONSTANT && l->etype == EXPR_VALUE)
		return eval_error(ctx, &l->location,
				  "Relational expression size mismatch");
	/* fib daddr oif exists: a presence check */
	r = e->binop.right;
	if (l->etype == EXPR_FIB && r->etype == EXPR_SYMBOL &&
	    (!strcmp(r->sym.identifier, "exists") || !strcmp(r->sym.identifier, "missing"))) {
		l->fib.flags |= NFTA_FIB_F_PRESENT;
		l->flags |= EXPR_F_BOOLEAN;
		l->dtype = &boolean_type;
		l->len = 8;
		l->byteorder = BYTEORDER_HOST_ENDIAN;
	}
	ectx_from_expr(&c, l);
	if (l->flags & EXPR_F_BOOLEAN || (l->etype == EXPR_EXTHDR && l->exthdr.exists_only)) {
		c.dtype = &boolean_type;
	}
	if (l->etype == EXPR_SOCKET &&
	    (l->socket.key == NFT_SOCKET_TRANSPARENT || l->socket.key == NFT_SOCKET_WILDCARD))
		c.maxval = 1;
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
	if (l->etype == EXPR_PAYLOAD && l->payload.is_raw) {
		raw_payload_to_field(ctx, l, r);
		if (!l->payload.is_raw && payload_ctx_update(ctx, l) < 0)
			return -1;
		if (l->payload.is_raw && raw_payload_align(ctx, e) < 0)
			return -1;
		l = e->binop.left;
		r = e->binop.right;
	}
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

/* A set element the scanner made a value (EXPR_F_QUAD) in a context other
 * than ipv4_addr: the symbol it was written as, evaluated as such. */
static int unquad(struct eval_ctx *ctx, struct expr **ep)
{
	struct expr *v = *ep, *sym;
	char text[INET_ADDRSTRLEN];

	snprintf(text, sizeof(text), "%u.%u.%u.%u", v->value.data[0], v->value.data[1],
		 v->value.data[2], v->value.data[3]);
	sym = symbol_expr_alloc(&v->location, text, false);
	if (!sym)
		return eval_error(ctx, &v->location, "out of memory");
	expr_free(v);
	*ep = sym;
	return expr_evaluate(ctx, ep);
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
		if (ctx->ectx.dtype->subtypes > 0)
			return eval_error(ctx, &e->location, "invalid data type, expected %s",
					  eval_dtype_desc(ctx->ectx.dtype));
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
		if ((e->flags & EXPR_F_QUAD) && ctx->ectx.dtype != &ipaddr_type)
			return unquad(ctx, ep);
		e->flags &= ~EXPR_F_QUAD;
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
