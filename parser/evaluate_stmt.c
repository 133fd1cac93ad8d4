// SPDX-License-Identifier: GPL-2.0
/*
 * Statement evaluation: the argument of each statement is evaluated against
 * the type the statement expects (meta mark set X: a mark; snat to X: an
 * address of the family ...), with nft's messages.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter_bridge.h>

#include "parser/evaluate.h"
#include "parser/print.h"

#ifndef NFT_META_BRI_BROUTE
#define NFT_META_BRI_BROUTE 35 /* newer than the installed uapi header */
#endif
#include "parser/proto.h"
#include "parser/value.h"

/* nft 1.1's datatype_compatible(): a mark takes any integer based value. */
static bool stmt_dtype_compatible(const struct datatype *have, const struct datatype *want)
{
	if (have->type == TYPE_MARK && eval_basetype(want)->type == TYPE_INTEGER)
		return true;
	/* a plain number (numgen, hash) fits any integer based target */
	if (want->type == TYPE_INTEGER && eval_basetype(have)->type == TYPE_INTEGER)
		return true;
	if (datatype_equal(have, want) || have->type == want->type)
		return true;
	/* integer constants were resolved against the statement's type */
	return want->type == TYPE_INTEGER && eval_basetype(have)->type == TYPE_INTEGER &&
	       have->size == 0;
}

/* Evaluate the argument *e of a statement against dtype/len/bo. */
static int stmt_evaluate_arg(struct eval_ctx *ctx, struct stmt *s, struct expr **e,
			     const struct datatype *dtype, unsigned int len, enum byteorder bo)
{
	if (!*e)
		return 0;
	if (expr_evaluate_ctx(ctx, e, dtype, len, bo) < 0)
		return -1;
	if ((*e)->dtype && dtype && !stmt_dtype_compatible(dtype, (*e)->dtype))
		return eval_error2(ctx, &(*e)->location, &s->location,
				   "datatype mismatch: expected %s, expression has type %s",
				   eval_dtype_desc(dtype), eval_dtype_desc((*e)->dtype));
	if ((*e)->etype == EXPR_SET)
		return eval_error(ctx, &(*e)->location,
				  "you cannot use a set here, unknown value to use");
	return 0;
}

static unsigned int stmt_family(struct eval_ctx *ctx, unsigned int given)
{
	if (given)
		return given;
	if (ctx->family == NFPROTO_IPV4 || ctx->family == NFPROTO_IPV6)
		return ctx->family;
	return 0;
}

static const struct datatype *addr_type(unsigned int family, unsigned int *len)
{
	if (family == NFPROTO_IPV6) {
		*len = 128;
		return &ip6addr_type;
	}
	*len = 32;
	return &ipaddr_type;
}

static bool nat_map_is_concat(struct eval_ctx *ctx, const struct expr *a)
{
	const struct expr *m, *i;

	if (a->etype != EXPR_MAP || !a->map.mappings)
		return false;
	m = a->map.mappings;
	if (m->etype == EXPR_SET) {
		list_for_each_entry(i, &EXPR_COMPOUND(m).expressions, list)
			if (i->etype == EXPR_MAPPING)
				return i->mapping.right->etype == EXPR_CONCAT;
		return false;
	}
	if (m->etype == EXPR_SET_REF && ctx->table) {
		const struct set *set = table_set_lookup(ctx->table, m->set_ref.name);

		return set && set->data && set->data->dtype && set->data->dtype->subtypes > 0;
	}
	return false;
}

static int nat_concat_map_evaluate(struct eval_ctx *ctx, struct stmt *s,
				   const struct datatype *addr, unsigned int alen)
{
	const struct datatype *members[2] = { addr, &inet_service_type };
	struct expr *carrier, *a, *p;
	struct expr_ctx save = ctx->ectx;
	int rc;

	carrier = compound_expr_alloc(&s->location, EXPR_CONCAT);
	a = value_expr_alloc(&s->location, addr, BYTEORDER_BIG_ENDIAN, alen, NULL);
	p = value_expr_alloc(&s->location, &inet_service_type, BYTEORDER_BIG_ENDIAN, 16, NULL);
	if (!carrier || !a || !p) {
		expr_free(carrier);
		expr_free(a);
		expr_free(p);
		return eval_error(ctx, &s->location, "out of memory");
	}
	a->len = alen;
	p->len = 16;
	compound_expr_add(carrier, a);
	compound_expr_add(carrier, p);
	carrier->dtype = concat_type_alloc(members, 2);
	carrier->len = (alen + 31) / 32 * 32 + 32;
	carrier->byteorder = BYTEORDER_BIG_ENDIAN;
	EXPR_COMPOUND(carrier).field_count = 2;
	EXPR_COMPOUND(carrier).field_len[0] = alen / 8;
	EXPR_COMPOUND(carrier).field_len[1] = 2;
	memset(&ctx->ectx, 0, sizeof(ctx->ectx));
	ctx->ectx.dtype = carrier->dtype;
	ctx->ectx.len = carrier->len;
	ctx->ectx.byteorder = BYTEORDER_BIG_ENDIAN;
	ctx->ectx.key = carrier;
	rc = expr_evaluate(ctx, &s->nat.addr);
	ctx->ectx = save;
	expr_free(carrier);
	return rc;
}

static int nat_evaluate(struct eval_ctx *ctx, struct stmt *s)
{
	unsigned int fam = stmt_family(ctx, s->nat.family), len;
	const struct datatype *d;

	if (s->nat.addr) {
		if (!fam && (ctx->family == NFPROTO_INET || ctx->family == NFPROTO_BRIDGE ||
			     ctx->family == NFPROTO_NETDEV)) {
			/* nft infers the family from an earlier ip/ip6 match */
			if (ctx->l3)
				fam = ctx->l3 == &proto_ip6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
			else {
				struct location kw = loc_first_word(&s->location);

				return eval_error(ctx, &kw,
						  "ip or ip6 must be specified with address for inet tables.");
			}
		}
		if (s->nat.kind == NAT_MASQ || s->nat.kind == NAT_REDIR)
			return eval_error(ctx, &s->nat.addr->location,
					  "Address not allowed in %s statement",
					  s->nat.kind == NAT_MASQ ? "masquerade" : "redirect");
		d = addr_type(fam, &len);
		if (nat_map_is_concat(ctx, s->nat.addr)) {
			/* address . port map: the data is a concatenation */
			if (nat_concat_map_evaluate(ctx, s, d, len) < 0)
				return -1;
			s->nat.ipportmap = true;
		} else if (stmt_evaluate_arg(ctx, s, &s->nat.addr, d, len, BYTEORDER_BIG_ENDIAN) <
			   0) {
			return -1;
		}
		if (!s->nat.family && ctx->family != NFPROTO_IPV4 && ctx->family != NFPROTO_IPV6)
			s->nat.family = fam;
	}
	if (s->nat.proto) {
		if (stmt_evaluate_arg(ctx, s, &s->nat.proto, &inet_service_type, 16,
				      BYTEORDER_BIG_ENDIAN) < 0)
			return -1;
	}
	if ((s->nat.proto || s->nat.ipportmap) && !ctx->l4 && !ctx->l4_multi)
		return eval_error(ctx, s->nat.proto ? &s->nat.proto->location : &s->location,
				  "transport protocol mapping is only valid after transport protocol match");
	return 0;
}

void relational_ctx_update(struct eval_ctx *ctx, const struct expr *rel);

static int reject_evaluate(struct eval_ctx *ctx, struct stmt *s)
{
	const struct datatype *d = NULL;
	struct expr *e;

	if (ctx->ll_upper && ctx->ll_upper != &proto_ip && ctx->ll_upper != &proto_ip6 &&
	    ctx->ll_upper != &proto_vlan)
		return eval_error2(ctx, &s->location, ctx->ll_expr ? &ctx->ll_expr->location : NULL,
				   "cannot reject this network family");
	if (s->reject.type < 0) {
		/* nft fills in the default the kernel is given */
		if (ctx->l3 == &proto_ip || ctx->l3 == &proto_ip6) {
			s->reject.type = NFT_REJECT_ICMP_UNREACH;
			s->reject.family = ctx->l3 == &proto_ip ? NFPROTO_IPV4 : NFPROTO_IPV6;
			s->reject.icmp_code = ctx->l3 == &proto_ip ? 3 : 4;
		} else {
			s->reject.type = NFT_REJECT_ICMPX_UNREACH;
			s->reject.icmp_code = NFT_REJECT_ICMPX_PORT_UNREACH;
		}
	} else if (s->reject.type == NFT_REJECT_ICMP_UNREACH && !s->reject.family) {
		s->reject.family = ctx->l3 == &proto_ip6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	}
	if (s->reject.type == NFT_REJECT_ICMP_UNREACH && s->reject.icmp_code < 0 && !s->reject.expr)
		s->reject.icmp_code = s->reject.family == NFPROTO_IPV6 ? 4 : 3;
	if (s->reject.type == NFT_REJECT_TCP_RST && ctx->l4 && ctx->l4 != &proto_tcp) {
		struct location kw = loc_first_word(&s->location);

		return eval_error2(ctx, &kw, ctx->l4_expr ? &ctx->l4_expr->location : NULL,
				   "you cannot use tcp reset with this protocol");
	}
	if (s->reject.type == NFT_REJECT_TCP_RST && !ctx->l4 &&
	    (ctx->family == NFPROTO_INET || ctx->family == NFPROTO_BRIDGE ||
	     ctx->family == NFPROTO_NETDEV))
		ctx->tcp_dep_loc = &s->location;
	if (s->reject.type == NFT_REJECT_ICMP_UNREACH && ctx->l3) {
		const struct location *loc = s->reject.expr ? &s->reject.expr->location
							    : &s->location;

		if (s->reject.family == NFPROTO_IPV4 && ctx->l3 == &proto_ip6)
			return eval_error2(ctx, loc, ctx->l3_expr ? &ctx->l3_expr->location : NULL,
					   "conflicting protocols specified: ip vs ip6");
		if (s->reject.family == NFPROTO_IPV6 && ctx->l3 == &proto_ip)
			return eval_error2(ctx, loc, ctx->l3_expr ? &ctx->l3_expr->location : NULL,
					   "conflicting protocols specified: ip6 vs ip");
	}
	if (!s->reject.expr)
		return 0;
	switch (s->reject.type) {
	case NFT_REJECT_ICMPX_UNREACH:
		d = &icmpx_code_type;
		break;
	default:
		d = s->reject.family == NFPROTO_IPV6 ? &icmpv6_code_type : &icmp_code_type;
		break;
	}
	if (expr_evaluate_ctx(ctx, &s->reject.expr, d, 8, BYTEORDER_BIG_ENDIAN) < 0)
		return -1;
	e = s->reject.expr;
	if (e->etype == EXPR_VALUE)
		s->reject.icmp_code = value_get_u64(&e->value, e->byteorder) & 0xff;
	return 0;
}

static int objref_evaluate(struct eval_ctx *ctx, struct stmt *s)
{
	struct expr *e = s->objref.expr;

	if (!e)
		return 0;
	if (e->etype == EXPR_VARIABLE) {
		struct expr *v = eval_variable_lookup(ctx, e);

		if (!v)
			return -1;
		expr_free(e);
		s->objref.expr = e = v;
	}
	if (e->etype == EXPR_MAP) {
		struct expr_ctx save = ctx->ectx;
		int rc;

		memset(&ctx->ectx, 0, sizeof(ctx->ectx));
		ctx->ectx.dtype = &string_type;
		ctx->ectx.len = NFT_OBJ_MAXNAMELEN * 8;
		ctx->ectx.byteorder = BYTEORDER_HOST_ENDIAN;
		rc = expr_evaluate(ctx, &s->objref.expr);
		ctx->ectx = save;
		return rc;
	}
	if (e->etype == EXPR_SYMBOL) {
		if (ctx->table && !table_obj_lookup(ctx->table, s->objref.type, e->sym.identifier))
			return eval_error(ctx, &e->location,
					  "Could not process rule: No such file or directory");
		e->dtype = &string_type;
		e->len = strlen(e->sym.identifier) * 8;
		e->byteorder = BYTEORDER_HOST_ENDIAN;
		return 0;
	}
	if (e->etype == EXPR_VALUE) {
		e->dtype = &string_type;
		if (!e->len)
			e->len = e->value.len;
		e->byteorder = BYTEORDER_HOST_ENDIAN;
	}
	return 0;
}

/* A set a rule adds to, updates or deletes from: the kernel gives it size
 * 65535 when it has none (nft_dynset_init); nft marks a set it declares in
 * the same batch 'flags dynamic' (NFT_SET_EVAL) so that the kernel picks a
 * backend that takes updates from the packet path. Maps get no such flag. */
static void set_stmt_mark_dynamic(struct eval_ctx *ctx, const struct stmt *s, struct set *set)
{
	bool fresh = !ctx->table || !set->handle.handle.id ||
		     ruleset_handle_is_new(ctx->rs, ctx->table, set->handle.handle.id);

	if (!set->size) {
		ruleset_save_uint(ctx->rs, &set->size);
		set->size = 65535;
	}
	if (!(set->flags & (NFT_SET_MAP | NFT_SET_EVAL)) && s->type == STMT_SET && fresh) {
		ruleset_save_uint(ctx->rs, &set->flags);
		set->flags |= NFT_SET_EVAL;
	}
}

/* meter NAME [size N] { key stmt }: as nft 1.1, a named set NAME typed by the
 * key, flags dynamic (and timeout when the key has one), size N or the
 * kernel's default; the statement becomes update (with a timeout) or add
 * @NAME. An existing NAME is reused. The set is linked with the rule. */
static int meter_declare(struct eval_ctx *ctx, struct stmt *s)
{
	struct expr *ref = s->set.set, *k = s->set.key, *key;
	uint64_t timeout = 0;
	struct set *set;

	if (k && k->etype == EXPR_SET_ELEM) {
		timeout = k->elem.timeout;
		k = k->elem.key;
	}
	s->set.op = timeout ? NFT_DYNSET_OP_UPDATE : NFT_DYNSET_OP_ADD;
	if (!ctx->table || !k || !ref || ref->etype != EXPR_SET_REF)
		return 0;
	set = table_set_lookup(ctx->table, ref->set_ref.name);
	if (set) {
		/* nft 1.1.6 stmt_evaluate_meter: reuse a compatible set */
		const char *n = ref->set_ref.name;

		if (!(set->flags & NFT_SET_EVAL) || (set->flags & NFT_SET_MAP))
			return eval_error(ctx, &s->location,
					  "File exists; meter '%s' overlaps an existing %s '%s' in "
					  "family %s",
					  n, (set->flags & NFT_SET_MAP) ? "map" : "set", n,
					  family_name(set->handle.family));
		if ((set->flags & NFT_SET_TIMEOUT) && !timeout)
			return eval_error(ctx, &s->set.key->location,
					  "existing set '%s' has timeout flag", n);
		if (!(set->flags & NFT_SET_TIMEOUT) && timeout)
			return eval_error(ctx, &s->set.key->location,
					  "existing set '%s' lacks timeout flag", n);
		if (s->set.meter_size && set->size != s->set.meter_size)
			return eval_error(ctx, &s->set.key->location,
					  "existing set '%s' has size %u, meter has %u", n, set->size,
					  s->set.meter_size);
		return 0;
	}
	list_for_each_entry(set, &ctx->pending_sets, list)
		if (set->handle.set && !strcmp(set->handle.set, ref->set_ref.name))
			goto bind;
	key = expr_clone(k);
	if (!key)
		return eval_error(ctx, &k->location, "out of memory");
	if (expr_evaluate_selector(ctx, &key) < 0) {
		expr_free(key);
		return -1;
	}
	if (!key->dtype) {
		expr_free(key);
		return eval_error(ctx, &k->location, "meter key has no type");
	}
	set = set_alloc(&s->location);
	if (!set) {
		expr_free(key);
		return eval_error(ctx, &s->location, "out of memory");
	}
	set->flags = NFT_SET_EVAL | (timeout ? NFT_SET_TIMEOUT : 0);
	if (key->etype == EXPR_CONCAT || key->dtype->subtypes > 0)
		set->flags |= NFT_SET_CONCAT;
	set->handle.family = ctx->table->handle.family;
	set->handle.table = strdup(ctx->table->handle.table);
	set->handle.set = strdup(ref->set_ref.name);
	set->key = key;
	set->size = s->set.meter_size ? s->set.meter_size : 65535;
	list_add_tail(&set->list, &ctx->pending_sets);
bind:
	ref->set_ref.set = set;
	ref->dtype = set->key->dtype;
	ref->len = set->key->len;
	ref->byteorder = set->key->byteorder;
	return 1;
}

static int set_stmt_evaluate(struct eval_ctx *ctx, struct stmt *s)
{
	struct expr_ctx save = ctx->ectx;
	struct set *set;
	struct expr *ref;
	struct stmt *st;
	int rc;

	rc = s->set.meter ? meter_declare(ctx, s) : 0;
	if (rc < 0)
		return -1;
	memset(&ctx->ectx, 0, sizeof(ctx->ectx));
	if (rc == 0)
		rc = expr_evaluate(ctx, &s->set.set);
	ctx->ectx = save;
	if (rc < 0)
		return -1;
	ref = s->set.set;
	if (ref->etype != EXPR_SET_REF || !ref->set_ref.set)
		return eval_error(ctx, &ref->location, "Expression does not refer to a set");
	set = ref->set_ref.set;
	set_stmt_mark_dynamic(ctx, s, set);
	if (s->set.key) {
		struct expr *k = s->set.key;

		/* the key may be written as { key } */
		if (k->etype == EXPR_SET || k->etype == EXPR_LIST) {
			struct expr *m = list_first_entry(&EXPR_COMPOUND(k).expressions, struct expr, list);

			list_del(&m->list);
			expr_free(k);
			if (m->etype == EXPR_SET_ELEM) {
				struct expr *kk = m->elem.key;

				m->elem.key = NULL;
				expr_free(m);
				m = kk;
			}
			s->set.key = k = m;
		}
		if (set->key && set->key->etype == EXPR_CONCAT) {
			ctx->ectx.dtype = set->key->dtype;
			ctx->ectx.len = set->key->len;
			ctx->ectx.byteorder = set->key->byteorder;
			ctx->ectx.key = set->key;
			rc = expr_evaluate(ctx, &s->set.key);
			ctx->ectx = save;
		} else {
			rc = stmt_evaluate_arg(ctx, s, &s->set.key, set->key ? set->key->dtype : NULL,
					       set->key ? set->key->len : 0,
					       set->key ? set->key->byteorder : BYTEORDER_INVALID);
		}
		if (rc < 0)
			return -1;
	}
	if (s->set.data) {
		if (!set->data)
			return eval_error(ctx, &s->set.data->location, "set is not a map");
		if (set->data->etype == EXPR_CONCAT) {
			ectx_from_expr(&ctx->ectx, set->data);
			rc = expr_evaluate(ctx, &s->set.data);
			ctx->ectx = save;
			if (rc < 0)
				return -1;
		} else if (stmt_evaluate_arg(ctx, s, &s->set.data, set->data->dtype, set->data->len,
					     set->data->byteorder) < 0) {
			return -1;
		}
	}
	list_for_each_entry(st, &s->set.stmts, list)
		if (stmt_evaluate(ctx, st) < 0)
			return -1;
	return 0;
}

static int log_evaluate(struct eval_ctx *ctx, struct stmt *s)
{
	struct location kw = loc_first_word(&s->location);
	unsigned int f = s->log.flags;

	if ((f & LOG_F_LEVEL) && s->log.level == NFT_LOGLEVEL_AUDIT &&
	    ((f & ~LOG_F_LEVEL) || s->log.logflags))
		return eval_error(ctx, &kw, "log level audit doesn't support any further options");
	if ((f & LOG_F_LEVEL) && (f & LOG_F_GROUP))
		return eval_error(ctx, &kw, "level and group are mutually exclusive");
	if (s->log.logflags && (f & LOG_F_GROUP))
		return eval_error(ctx, &kw, "flags and group are mutually exclusive");
	return 0;
}

static int key_stmt(struct eval_ctx *ctx, struct stmt *s, const struct key_template *kt,
		    struct expr **e)
{
	if (!kt)
		return expr_evaluate_selector(ctx, e);
	return stmt_evaluate_arg(ctx, s, e, kt->dtype, kt->len, kt->byteorder);
}

int stmt_evaluate(struct eval_ctx *ctx, struct stmt *s)
{
	unsigned int len;
	const struct datatype *d;

	switch (s->type) {
	case STMT_EXPRESSION:
		if (expr_evaluate_selector(ctx, &s->expr) < 0)
			return -1;
		if (s->expr->etype == EXPR_RELATIONAL)
			relational_ctx_update(ctx, s->expr);
		/* remember an explicit layer 3 choice for inet nat */
		if (s->expr->etype == EXPR_RELATIONAL && s->expr->binop.left->etype == EXPR_PAYLOAD &&
		    s->expr->binop.left->payload.desc) {
			const struct proto_desc *pd = s->expr->binop.left->payload.desc;

			if (pd == &proto_ip)
				ctx->l3proto = NFPROTO_IPV4;
			else if (pd == &proto_ip6)
				ctx->l3proto = NFPROTO_IPV6;
		}
		return 0;
	case STMT_VERDICT:
		return expr_evaluate_selector(ctx, &s->expr);
	case STMT_LOG:
		return log_evaluate(ctx, s);
	case STMT_COUNTER:
	case STMT_QUOTA:
	case STMT_NOTRACK:
	case STMT_LAST:
	case STMT_CONNLIMIT:
	case STMT_SYNPROXY:
	case STMT_OPTSTRIP:
	case STMT_XT:
		return 0;
	case STMT_LIMIT:
		if (s->limit.rate == 0)
			return kernel_error(ctx, &s->location, EINVAL);
		return 0;
	case STMT_FLOW_OFFLOAD:
		if (ctx->table && s->flow.table_name &&
		    !table_flowtable_lookup(ctx->table, s->flow.table_name))
			return eval_error(ctx, &s->location,
					  "Could not process rule: No such file or directory");
		return 0;
	case STMT_REJECT:
		return reject_evaluate(ctx, s);
	case STMT_NAT:
		return nat_evaluate(ctx, s);
	case STMT_META:
		if (s->meta.key == NFT_META_BRI_BROUTE &&
		    (ctx->family != NFPROTO_BRIDGE || !ctx->chain ||
		     !(ctx->chain->flags & CHAIN_F_BASECHAIN) ||
		     ctx->chain->hooknum != NF_BR_PRE_ROUTING))
			return eval_error(ctx, &s->location,
					  "meta broute is only valid in bridge prerouting chains");
		/* the kernel sets only these (nft_meta_set_init, bridge broute) */
		if (s->meta.key != NFT_META_MARK && s->meta.key != NFT_META_PRIORITY &&
		    s->meta.key != NFT_META_PKTTYPE && s->meta.key != NFT_META_NFTRACE &&
		    s->meta.key != NFT_META_BRI_BROUTE)
			return eval_error(ctx, &s->location,
					  "Could not process rule: Operation not supported");
		return key_stmt(ctx, s, meta_template(s->meta.key), &s->meta.expr);
	case STMT_CT:
		return key_stmt(ctx, s, ct_template(s->ct.key), &s->ct.expr);
	case STMT_PAYLOAD:
	case STMT_EXTHDR:
		if (s->payload.expr->etype == EXPR_PAYLOAD && s->payload.expr->payload.inner &&
		    !s->payload.expr->payload.is_raw)
			return eval_error(ctx, &s->location,
					  "setting inner header fields is not supported");
		if (expr_evaluate_selector(ctx, &s->payload.expr) < 0)
			return -1;
		if (stmt_evaluate_arg(ctx, s, &s->payload.val, s->payload.expr->dtype,
				      s->payload.expr->len, s->payload.expr->byteorder) < 0)
			return -1;
		if (s->payload.expr->etype == EXPR_PAYLOAD && s->payload.expr->payload.is_raw)
			raw_payload_to_field(ctx, s->payload.expr, s->payload.val);
		return 0;
	case STMT_DUP:
	case STMT_FWD:
		if (s->dup.to) {
			unsigned int fam = stmt_family(ctx, s->dup.family);

			if ((s->type == STMT_FWD || ctx->family == NFPROTO_NETDEV) && !s->dup.dev &&
			    !s->dup.family) {
				/* fwd to DEV: the device is the argument */
				if (stmt_evaluate_arg(ctx, s, &s->dup.to, &ifindex_type, 32,
						      BYTEORDER_HOST_ENDIAN) < 0)
					return -1;
			} else {
				d = addr_type(fam, &len);
				if (stmt_evaluate_arg(ctx, s, &s->dup.to, d, len,
						      BYTEORDER_BIG_ENDIAN) < 0)
					return -1;
			}
		}
		if (s->dup.dev && stmt_evaluate_arg(ctx, s, &s->dup.dev, &ifindex_type, 32,
						    BYTEORDER_HOST_ENDIAN) < 0)
			return -1;
		return 0;
	case STMT_QUEUE:
		if (s->queue.queue) {
			struct expr *q = s->queue.queue;

			if (q->etype != EXPR_VALUE && q->etype != EXPR_SYMBOL && q->etype != EXPR_RANGE &&
			    q->etype != EXPR_NUMGEN && q->etype != EXPR_HASH && q->etype != EXPR_MAP &&
			    q->etype != EXPR_VARIABLE)
				return eval_error(ctx, &q->location,
						  "queue number is not constant");
			if (stmt_evaluate_arg(ctx, s, &s->queue.queue, &integer_type, 16,
					      BYTEORDER_HOST_ENDIAN) < 0)
				return -1;
			q = s->queue.queue;
			uint64_t top = q->etype == EXPR_NUMGEN ? (uint64_t)q->numgen.mod + q->numgen.offset
				     : q->etype == EXPR_HASH ? (uint64_t)q->hash.mod + q->hash.offset : 0;
			uint64_t max = (s->queue.flags & NFT_QUEUE_FLAG_CPU_FANOUT) ? 65535 : 65536;

			if (top > max)
				return eval_error(ctx, &q->location,
						  "queue number exceeds valid range 0-65535");
		}
		return 0;
	case STMT_TPROXY: {
		unsigned int fam = stmt_family(ctx, s->tproxy.family);

		if (!ctx->l4 && !ctx->l4_multi)
			return eval_error(ctx, &s->location,
					  "Transparent proxy support requires transport protocol match");
		if (!s->tproxy.addr && !s->tproxy.port)
			return eval_error(ctx, &s->location,
					  "Either address or port must be specified");
		if (s->tproxy.family && ctx->l3 &&
		    ctx->l3 != (s->tproxy.family == NFPROTO_IPV6 ? &proto_ip6 : &proto_ip))
			return eval_error(ctx, &s->location,
					  "conflicting protocols specified: %s vs. %s", ctx->l3->name,
					  s->tproxy.family == NFPROTO_IPV6 ? "ip6" : "ip");
		if (!fam && ctx->l3)
			fam = ctx->l3 == &proto_ip6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		if (s->tproxy.family && (ctx->family == NFPROTO_IPV4 || ctx->family == NFPROTO_IPV6))
			s->tproxy.family = 0; /* implied by the table: not listed */

		if (s->tproxy.addr) {
			if (!fam)
				return eval_error(ctx, &s->location,
						  "Family must be specified in inet tables");
			d = addr_type(fam, &len);
			if (stmt_evaluate_arg(ctx, s, &s->tproxy.addr, d, len,
					      BYTEORDER_BIG_ENDIAN) < 0)
				return -1;
		}
		if (s->tproxy.port && stmt_evaluate_arg(ctx, s, &s->tproxy.port, &inet_service_type,
							16, BYTEORDER_BIG_ENDIAN) < 0)
			return -1;
		return 0;
	}
	case STMT_SET:
	case STMT_MAP:
		return set_stmt_evaluate(ctx, s);
	case STMT_OBJREF:
		return objref_evaluate(ctx, s);
	default:
		return eval_error(ctx, &s->location, "unsupported statement %s",
				  stmt_type_name(s->type));
	}
}

/* nat, reject and verdicts end a rule: nothing may follow them */
static bool prev_terminal(const struct rule *r, const struct stmt *s)
{
	const struct stmt *p;

	if (s->list.prev == &r->stmts)
		return false;
	p = list_entry(s->list.prev, struct stmt, list);
	if (p->type == STMT_NAT || p->type == STMT_REJECT)
		return true;
	if (p->type == STMT_VERDICT && p->expr && p->expr->etype == EXPR_VERDICT &&
	    p->expr->verdict.code != VERDICT_CONTINUE)
		return true;
	return false;
}

int rule_evaluate(struct eval_ctx *ctx, struct rule *r)
{
	struct stmt *s;
	int err = 0;

	ctx->rule = r;
	ctx->l3 = ctx->family == NFPROTO_IPV4 ? &proto_ip
		: ctx->family == NFPROTO_IPV6 ? &proto_ip6
		: ctx->family == NFPROTO_ARP ? &proto_arp : NULL;
	ctx->l3_expr = NULL;
	ctx->l4 = NULL;
	ctx->l4_expr = NULL;
	ctx->l4_multi = false;
	ctx->l4_set_last = NULL;
	ctx->ll_upper = NULL;
	ctx->ll_expr = NULL;
	ctx->icmp_type = -1;
	ctx->icmp_dep_done = false;
	ctx->dep_stmt = NULL;
	ctx->tcp_dep_loc = NULL;
	ctx->l3proto = ctx->family == NFPROTO_IPV4 ? NFPROTO_IPV4
		     : ctx->family == NFPROTO_IPV6 ? NFPROTO_IPV6 : 0;
	list_for_each_entry(s, &r->stmts, list) {
		if (prev_terminal(r, s))
			return eval_error(ctx, &s->location,
					  "Statement after terminal statement has no effect");
		if (stmt_evaluate(ctx, s) < 0) {
			err = -1;
			break; /* nft reports the first error of a rule */
		}
		if (ctx->dep_stmt) {
			list_add_tail(&ctx->dep_stmt->list, &s->list);
			ctx->dep_stmt = NULL;
		}
	}
	if (ctx->dep_stmt) {
		/* Unlinked after an error: its anonymous set is pending and
		 * points at its set expression, drop them before freeing it. */
		eval_drop_pending_sets(ctx);
		stmt_free(ctx->dep_stmt);
	}
	ctx->dep_stmt = NULL;
	if (!err && ctx->tcp_dep_loc)
		err = reject_tcp_dep_stmt(ctx, r, ctx->tcp_dep_loc);
	ctx->tcp_dep_loc = NULL;
	if (!err)
		rule_mark_dependencies(ctx, r);
	ctx->rule = NULL;
	return err;
}
