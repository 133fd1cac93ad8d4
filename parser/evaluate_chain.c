// SPDX-License-Identifier: GPL-2.0
/*
 * Chains (type, hook, priority, policy, devices), named sets and maps
 * (key/data types, flags, elements), stateful objects and flowtables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/evaluate.h"
#include "parser/proto.h"
#include "parser/value.h"


/* ---------------------------------------------------------------- hooks */

static int hook_lookup(unsigned int family, const char *name)
{
	static const char *const inet_hooks[] = { "prerouting", "input", "forward", "output",
						  "postrouting", "ingress" };
	unsigned int i;

	if (!name)
		return -1;
	switch (family) {
	case NFPROTO_NETDEV:
		if (!strcmp(name, "ingress"))
			return NF_NETDEV_INGRESS;
		if (!strcmp(name, "egress"))
			return 1; /* NF_NETDEV_EGRESS */
		return -1;
	case NFPROTO_ARP:
		if (!strcmp(name, "input"))
			return 0; /* NF_ARP_IN */
		if (!strcmp(name, "output"))
			return 1; /* NF_ARP_OUT */
		return -1;
	case NFPROTO_INET:
		for (i = 0; i < 6; i++)
			if (!strcmp(name, inet_hooks[i]))
				return i;
		return -1;
	default: /* ip, ip6, bridge */
		for (i = 0; i < 5; i++)
			if (!strcmp(name, inet_hooks[i]))
				return i;
		return -1;
	}
}

static char *expr_string(const struct expr *e)
{
	char buf[BNFT_VALUE_MAX + 1];
	unsigned int nb;

	if (e->etype == EXPR_SYMBOL)
		return strdup(e->sym.identifier);
	if (e->etype == EXPR_VALUE) {
		nb = value_bytes(e->value.len ? e->value.len : e->len);
		if (nb > BNFT_VALUE_MAX)
			nb = BNFT_VALUE_MAX;
		memcpy(buf, e->value.data, nb);
		buf[nb] = '\0';
		return strdup(buf);
	}
	return NULL;
}

/* "filter", "filter + 10", "-150", "$var": nft's priority forms. */
static int prio_evaluate(struct eval_ctx *ctx, struct expr **pe, unsigned int family,
			 unsigned int hook, int *prio)
{
	struct expr *e = *pe;
	char *txt, *p, name[64];
	long off = 0, num;
	int base;

	if (e->etype == EXPR_VARIABLE) {
		struct expr *v = eval_variable_lookup(ctx, e);

		if (!v)
			return -1;
		v->location = e->location;
		expr_free(e);
		*pe = e = v;
	}
	if (e->etype == EXPR_VALUE && e->dtype && e->dtype->type == TYPE_INTEGER) {
		*prio = (int)(int32_t)value_get_u64(&e->value, e->byteorder);
		return 0;
	}
	txt = expr_string(e);
	if (!txt)
		return eval_error(ctx, &e->location,
				  "invalid priority expression %s in this context.",
				  expr_type_name(e->etype));
	num = strtol(txt, &p, 0);
	if (p != txt && *p == '\0') {
		*prio = (int)num;
		free(txt);
		return 0;
	}
	p = txt;
	while (*p == ' ')
		p++;
	{
		unsigned int i = 0;

		while (*p && *p != ' ' && *p != '+' && *p != '-' && i < sizeof(name) - 1)
			name[i++] = *p++;
		name[i] = '\0';
	}
	while (*p == ' ')
		p++;
	if (*p == '+' || *p == '-') {
		char sign = *p++, *end;

		while (*p == ' ')
			p++;
		off = strtol(p, &end, 0);
		if (end == p || *end) {
			free(txt);
			return eval_error(ctx, &e->location,
					  "invalid priority expression value in this context.");
		}
		if (sign == '-')
			off = -off;
	} else if (*p) {
		free(txt);
		return eval_error(ctx, &e->location,
				  "invalid priority expression value in this context.");
	}
	free(txt);
	if (prio_parse(name, family, hook, &base) < 0) {
		struct location pl = loc_extend_back(&e->location, "priority");

		return eval_error(ctx, &pl, "invalid priority expression value in this context.");
	}
	*prio = base + (int)off;
	return 0;
}

static int policy_evaluate(struct eval_ctx *ctx, struct chain *c)
{
	struct expr *e = c->policy;
	char *txt;

	if (!e)
		return 0;
	if (e->etype == EXPR_VARIABLE) {
		struct expr *v = eval_variable_lookup(ctx, e);

		if (!v)
			return -1;
		v->location = e->location;
		expr_free(e);
		c->policy = e = v;
	}
	if (e->etype == EXPR_VERDICT) {
		if (e->verdict.code != VERDICT_ACCEPT && e->verdict.code != VERDICT_DROP)
			return eval_error(ctx, &e->location, "invalid policy expression %s",
					  "verdict");
		c->policy_verdict = e->verdict.code;
		return 0;
	}
	txt = expr_string(e);
	if (txt && !strcmp(txt, "accept"))
		c->policy_verdict = NF_ACCEPT;
	else if (txt && !strcmp(txt, "drop"))
		c->policy_verdict = NF_DROP;
	else {
		free(txt);
		return eval_error(ctx, &e->location, "invalid policy expression %s",
				  expr_type_name(e->etype));
	}
	free(txt);
	return 0;
}

static int devices_add(struct eval_ctx *ctx, char ***devs, unsigned int *n, struct expr *e)
{
	struct expr *i;
	char *s, **nd;
	unsigned int k;

	switch (e->etype) {
	case EXPR_VARIABLE: {
		struct expr *v = eval_variable_lookup(ctx, e);
		int rc;

		if (!v)
			return -1;
		rc = devices_add(ctx, devs, n, v);
		expr_free(v);
		return rc;
	}
	case EXPR_SET:
	case EXPR_LIST:
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			if (devices_add(ctx, devs, n, i) < 0)
				return -1;
		return 0;
	case EXPR_SET_ELEM:
		return devices_add(ctx, devs, n, e->elem.key);
	case EXPR_SYMBOL:
	case EXPR_VALUE:
		s = expr_string(e);
		if (!s)
			return eval_error(ctx, &e->location, "out of memory");
		if (strlen(s) >= 16) {
			free(s);
			return eval_error(ctx, &e->location, "Device name %s too long", "");
		}
		for (k = 0; k < *n; k++)
			if (!strcmp((*devs)[k], s)) {
				free(s);
				return 0;
			}
		nd = realloc(*devs, (*n + 1) * sizeof(*nd));
		if (!nd) {
			free(s);
			return eval_error(ctx, &e->location, "out of memory");
		}
		nd[(*n)++] = s;
		*devs = nd;
		return 0;
	default:
		return eval_error(ctx, &e->location, "invalid device expression %s",
				  expr_type_name(e->etype));
	}
}

static int dev_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int devices_evaluate(struct eval_ctx *ctx, struct expr *dev_expr, char ***devs,
			    unsigned int *n)
{
	unsigned int i;

	if (!dev_expr)
		return 0;
	for (i = 0; i < *n; i++)
		free((*devs)[i]);
	free(*devs);
	*devs = NULL;
	*n = 0;
	if (devices_add(ctx, devs, n, dev_expr) < 0)
		return -1;
	if (*n > 1)
		qsort(*devs, *n, sizeof(char *), dev_cmp);
	return 0;
}

int chain_evaluate(struct eval_ctx *ctx, struct chain *c)
{
	int hook;

	if (c->handle.chain && strlen(c->handle.chain) >= NFT_CHAIN_MAXNAMELEN)
		return eval_error(ctx, &c->handle.chain_loc, "Chain name too long");
	if (!c->has_hook && !c->has_type && !c->hookstr) {
		if (c->policy) {
			struct location pl = loc_extend_back(&c->policy->location, "policy");

			return kernel_error(ctx, &pl, EOPNOTSUPP);
		}
		return 0;
	}
	c->flags |= CHAIN_F_BASECHAIN;
	hook = hook_lookup(ctx->family, c->hookstr);
	if (hook < 0) {
		struct location in = c->location, hl;

		/* the hook name sits somewhere in the chain's text */
		if (ctx->cmd && ctx->cmd->location.last_line >= in.first_line) {
			in.last_line = ctx->cmd->location.last_line;
			in.last_column = ctx->cmd->location.last_column;
		}
		hl = loc_find_word(&in, c->hookstr ? c->hookstr : "hook");

		return eval_error(ctx, &hl, "unknown chain hook");
	}
	c->hooknum = hook;
	if (c->type) {
		if (strcmp(c->type, "filter") && strcmp(c->type, "nat") && strcmp(c->type, "route"))
			return eval_error(ctx, &c->type_loc,
					  "Could not process rule: No such file or directory");
		if (!strcmp(c->type, "nat") && ctx->family != NFPROTO_IPV4 &&
		    ctx->family != NFPROTO_IPV6 && ctx->family != NFPROTO_INET)
			return eval_error(ctx, &c->type_loc,
					  "Could not process rule: No such file or directory");
		if (!strcmp(c->type, "route") &&
		    ((ctx->family != NFPROTO_IPV4 && ctx->family != NFPROTO_IPV6 &&
		      ctx->family != NFPROTO_INET) ||
		     hook != NF_INET_LOCAL_OUT))
			return eval_error(ctx, &c->handle.chain_loc,
					  "Could not process rule: Operation not supported");
		if (!strcmp(c->type, "nat") && hook == NF_INET_FORWARD)
			return eval_error(ctx, &c->handle.chain_loc,
					  "Could not process rule: Operation not supported");
	}
	if (c->priority) {
		if (prio_evaluate(ctx, &c->priority, ctx->family, c->hooknum, &c->prio) < 0)
			return -1;
	} else {
		return eval_error(ctx, &c->location, "Missing chain priority");
	}
	if (policy_evaluate(ctx, c) < 0)
		return -1;
	if (!c->dev_expr && ctx->family == NFPROTO_INET && c->hooknum == 5)
		return eval_error(ctx, &c->location, "Missing `device' in this chain definition");
	if (c->dev_expr) {
		if (ctx->family != NFPROTO_NETDEV &&
		    !(ctx->family == NFPROTO_INET && c->hooknum == 5))
			return eval_error(ctx, &c->dev_expr->location,
					  "This chain type does not support device");
		if (devices_evaluate(ctx, c->dev_expr, &c->devices, &c->dev_count) < 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- sets */

/* A set's key/data type expression: a type name, a concatenation of type
 * names, or (typeof) a selector expression. */
static int type_expr_evaluate(struct eval_ctx *ctx, struct expr **pe, bool typeof_)
{
	struct expr *e = *pe, *i;
	const struct datatype *d;

	if (!e)
		return 0;
	/* typeof ... : verdict */
	if (typeof_ && e->etype == EXPR_SYMBOL && !strcmp(e->sym.identifier, "verdict"))
		typeof_ = false;
	if (typeof_ || (e->etype != EXPR_SYMBOL && e->etype != EXPR_CONCAT &&
			e->etype != EXPR_VALUE && e->etype != EXPR_VERDICT)) {
		if (expr_evaluate_selector(ctx, pe) < 0)
			return -1;
		return 0;
	}
	switch (e->etype) {
	case EXPR_VERDICT:
		e->dtype = &verdict_type;
		e->len = verdict_type.size;
		e->byteorder = BYTEORDER_HOST_ENDIAN;
		return 0;
	case EXPR_SYMBOL:
		d = datatype_lookup_byname(e->sym.identifier);
		if (!d)
			return eval_error(ctx, &e->location, "unknown datatype %s",
					  e->sym.identifier);
		if (!e->dtype)
			e->dtype = d;
		else
			e->dtype = d;
		if (!e->len)
			e->len = d->size;
		if (e->byteorder == BYTEORDER_INVALID)
			e->byteorder = d->byteorder;
		return 0;
	case EXPR_VALUE:
		if (!e->dtype)
			return eval_error(ctx, &e->location, "invalid type expression");
		if (!e->len)
			e->len = e->dtype->size;
		if (e->byteorder == BYTEORDER_INVALID)
			e->byteorder = e->dtype->byteorder;
		return 0;
	case EXPR_CONCAT: {
		const struct datatype *members[16];
		unsigned int n = 0, len = 0;

		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list) {
			struct expr *cur = i;

			if (n >= 16)
				return eval_error(ctx, &e->location, "too many concatenation components");
			if (cur->etype == EXPR_SYMBOL) {
				d = datatype_lookup_byname(cur->sym.identifier);
				if (!d)
					return eval_error(ctx, &cur->location, "unknown datatype %s",
							  cur->sym.identifier);
				cur->dtype = d;
				if (!cur->len)
					cur->len = d->size;
				cur->byteorder = d->byteorder;
			} else if (!cur->dtype) {
				struct list_head *prev = cur->list.prev;

				list_del(&cur->list);
				if (expr_evaluate_selector(ctx, &cur) < 0) {
					list_add(&cur->list, prev);
					return -1;
				}
				list_add(&cur->list, prev);
				i = cur;
			}
			if (!i->len)
				return eval_error(ctx, &i->location,
						  "datatype %s has no fixed size", eval_dtype_desc(i->dtype));
			members[n] = i->dtype;
			EXPR_COMPOUND(e).field_len[n] = value_bytes(i->len);
			len += (i->len + 31) / 32 * 32;
			n++;
		}
		EXPR_COMPOUND(e).field_count = n;
		e->len = len;
		e->byteorder = BYTEORDER_BIG_ENDIAN;
		e->dtype = concat_type_alloc(members, n);
		if (!e->dtype)
			return eval_error(ctx, &e->location, "out of memory");
		return 0;
	}
	default:
		return 0;
	}
}

static bool set_has_interval_elems(const struct expr *init)
{
	return init && (EXPR_COMPOUND(init).set_flags & NFT_SET_INTERVAL);
}

static const struct expr *first_interval_elem(const struct expr *init)
{
	const struct expr *i;

	list_for_each_entry(i, &EXPR_COMPOUND(init).expressions, list) {
		const struct expr *k = setelem_key((struct expr *)i);

		if (k && (k->etype == EXPR_PREFIX || k->etype == EXPR_RANGE))
			return i;
	}
	return NULL;
}

int set_elems_evaluate(struct eval_ctx *ctx, struct set *s, struct expr *elems)
{
	struct expr_ctx key = { 0 }, data = { 0 };

	key.dtype = s->key->dtype;
	key.len = s->key->len;
	key.byteorder = s->key->byteorder;
	key.key = s->key;
	if (s->data) {
		data.dtype = s->data->dtype;
		data.len = s->data->len;
		data.byteorder = s->data->byteorder;
		data.key = s->data;
	} else if (s->flags & NFT_SET_OBJECT) {
		data.dtype = &string_type;
		data.len = NFT_OBJ_MAXNAMELEN * 8;
		data.byteorder = BYTEORDER_HOST_ENDIAN;
	}
	ctx->set = s;
	if (expr_evaluate_set_elems(ctx, elems, &key, data.dtype ? &data : NULL, true) < 0) {
		ctx->set = NULL;
		return -1;
	}
	ctx->set = NULL;
	if (set_has_interval_elems(elems) && !(s->flags & NFT_SET_INTERVAL)) {
		const struct expr *el = first_interval_elem(elems);
		const struct expr *k = el ? setelem_key((struct expr *)el) : NULL;

		return eval_error(ctx, el ? &k->location : &elems->location,
				  "You must add 'flags interval' to your set declaration if you want to add %s elements",
				  k && k->etype == EXPR_RANGE ? "range" : "prefix");
	}
	return 0;
}

int set_elems_normalize(struct eval_ctx *ctx, struct set *s, struct expr *elems)
{
	struct set_elem_opts o = { 0 };

	o.interval = s->flags & NFT_SET_INTERVAL;
	o.merge = s->automerge && !(s->flags & NFT_SET_MAP);
	o.concat = s->key->dtype && s->key->dtype->subtypes > 0;
	o.prefix_ok = s->key->dtype && (s->key->dtype->flags & DTYPE_F_PREFIX);
	o.keylen = s->key->len;
	return setelem_normalize(ctx, elems, &o);
}

int set_evaluate(struct eval_ctx *ctx, struct set *s)
{
	/* typeof expressions are not in a rule: no protocol context */
	ctx->l3 = NULL;
	ctx->l4 = NULL;
	ctx->ll_upper = NULL;
	ctx->l4_multi = false;
	ctx->l4_set_last = NULL;
	ctx->icmp_type = -1;
	if (s->handle.set && strlen(s->handle.set) >= NFT_SET_MAXNAMELEN)
		return eval_error(ctx, &s->handle.set_loc, "Set name too long");
	if (!s->key)
		return eval_error(ctx, &s->location, "set definition does not specify key");
	if (type_expr_evaluate(ctx, &s->key, s->key_typeof) < 0)
		return -1;
	if (s->data) {
		if (type_expr_evaluate(ctx, &s->data, s->data_typeof) < 0)
			return -1;
		s->flags |= NFT_SET_MAP;
		if (s->data_interval)
			s->data->flags |= EXPR_F_INTERVAL;
	}
	if (s->objtype)
		s->flags |= NFT_SET_OBJECT;
	if (s->key->dtype && s->key->dtype->subtypes > 0)
		s->flags |= NFT_SET_CONCAT;
	if (s->timeout)
		s->flags |= NFT_SET_TIMEOUT;
	if (s->init) {
		if (s->init->etype == EXPR_VARIABLE) {
			struct expr *v = eval_variable_lookup(ctx, s->init);

			if (!v)
				return -1;
			expr_free(s->init);
			s->init = v;
		}
		if (s->init->etype == EXPR_LIST)
			s->init->etype = EXPR_SET;
		if (set_elems_evaluate(ctx, s, s->init) < 0)
			return -1;
		if (s->size && EXPR_COMPOUND(s->init).size > s->size) {
			/* the kernel refuses the first element beyond the size */
			struct expr *el;
			unsigned int n = 0;

			list_for_each_entry(el, &EXPR_COMPOUND(s->init).expressions, list)
				if (n++ == s->size)
					return kernel_error(ctx, &el->location, ENFILE);
		}
		if (set_elems_normalize(ctx, s, s->init) < 0)
			return -1;
		s->init->dtype = s->key->dtype;
		s->init->len = s->key->len;
		s->init->byteorder = s->key->byteorder;
	}
	return 0;
}

int obj_evaluate(struct eval_ctx *ctx, struct obj *o)
{
	if (o->handle.set && strlen(o->handle.set) >= NFT_OBJ_MAXNAMELEN)
		return eval_error(ctx, &o->handle.set_loc, "Object name too long");
	switch (o->type) {
	case NFT_OBJECT_LIMIT:
		if (o->limit.rate == 0)
			return eval_error(ctx, &o->location, "Limit rate must be greater than zero");
		break;
	case NFT_OBJECT_CT_HELPER:
		if (!o->ct_helper.l4proto)
			return eval_error(ctx, &o->location,
					  "You must specify a l4 protocol for the ct helper");
		break;
	default:
		break;
	}
	return 0;
}

int flowtable_evaluate(struct eval_ctx *ctx, struct flowtable *ft)
{
	if (ft->hookstr) {
		if (strcmp(ft->hookstr, "ingress"))
			return eval_error(ctx, &ft->location, "unknown flowtable hook %s",
					  ft->hookstr);
		ft->hooknum = NF_NETDEV_INGRESS;
	}
	if (ft->priority && prio_evaluate(ctx, &ft->priority, NFPROTO_NETDEV, ft->hooknum,
					  &ft->prio) < 0)
		return -1;
	if (ft->dev_expr &&
	    devices_evaluate(ctx, ft->dev_expr, &ft->devices, &ft->dev_count) < 0)
		return -1;
	return 0;
}
