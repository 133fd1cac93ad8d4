// SPDX-License-Identifier: GPL-2.0
/*
 * Which matches of a rule `nft list` does not show because they are the
 * protocol dependency of a later selector: "meta l4proto tcp tcp dport 22"
 * lists as "tcp dport 22", "ether type vlan vlan id 2" as "vlan id 2".
 *
 * nft gets this from the kernel round trip: a dependency the user wrote is
 * the same expression nft would have added, and its delinearizer removes
 * it again (payload_dependency_kill). The printer works from the AST, so
 * it replays that rule here: one pending dependency per layer (the latest
 * protocol match seen), dropped when a later expression needs exactly the
 * protocol it selects. A match that selects a protocol by a number other
 * than the canonical one (ether type 8021ad for vlan) is kept, as in nft.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/print.h"
#include "parser/proto.h"

enum dep_layer { DEP_LL, DEP_NET, DEP_TRANSPORT, DEP_ICMP, DEP_MAX };

struct dep_slot {
	int idx; /* statement index, -1 when empty */
	const struct proto_desc *upper; /* the protocol it selects */
	bool nfproto;			/* meta nfproto (ct addresses use it) */
	unsigned int value;
};

struct dep_state {
	struct dep_slot slot[DEP_MAX];
	unsigned int family;
	bool *hide;
	unsigned int *nfproto; /* per statement: nfproto a hidden dep gave */
	int cur;
};

static bool payload_is(const struct expr *e, const struct proto_desc *d, unsigned int field)
{
	return e->etype == EXPR_PAYLOAD && e->payload.desc == d && !e->payload.is_raw &&
	       !e->payload.inner &&
	       (e->payload.field == field || e->payload.tmpl == &d->templates[field]);
}

static void drop(struct dep_state *st, enum dep_layer l)
{
	struct dep_slot *s = &st->slot[l];

	if (s->idx < 0)
		return;
	st->hide[s->idx] = true;
	if (s->nfproto && st->cur >= 0)
		st->nfproto[st->cur] = s->value;
	s->idx = -1;
}

/* A payload expression of desc is used: drop what it depends on. */
static void use_payload(struct dep_state *st, const struct expr *e)
{
	const struct proto_desc *d = e->payload.desc;
	struct dep_slot *s;

	if (!d || e->payload.is_raw || e->payload.inner)
		return;
	s = &st->slot[DEP_TRANSPORT];
	if (s->idx >= 0 && s->upper == d)
		drop(st, DEP_TRANSPORT);
	s = &st->slot[DEP_NET];
	if (s->idx >= 0) {
		if (s->upper == d)
			drop(st, DEP_NET);
		/* icmp and icmpv6 imply the family */
		else if (s->nfproto && ((s->upper == &proto_ip && d == &proto_icmp) ||
					(s->upper == &proto_ip6 && d == &proto_icmp6)))
			drop(st, DEP_NET);
		/* meta protocol of the table's own family before a transport
		 * header */
		else if (!s->nfproto && d->base == PAYLOAD_TRANSPORT &&
			 ((st->family == NFPROTO_IPV4 && s->upper == &proto_ip) ||
			  (st->family == NFPROTO_IPV6 && s->upper == &proto_ip6)))
			drop(st, DEP_NET);
	}
	s = &st->slot[DEP_LL];
	if (s->idx >= 0 && d == &proto_eth)
		drop(st, DEP_LL);
	s = &st->slot[DEP_ICMP];
	if (s->idx >= 0 && (d == &proto_icmp || d == &proto_icmp6) && e->payload.tmpl &&
	    e->payload.tmpl->icmp_dep != PROTO_ICMP_ANY) {
		const uint8_t *types;
		unsigned int n = proto_icmp_dep_types(e->payload.tmpl->icmp_dep, &types);

		if (n == 1 && types[0] == s->value && s->upper == d)
			drop(st, DEP_ICMP);
	}
}

static void scan_expr(struct dep_state *st, const struct expr *e);

static void scan_list(struct dep_state *st, const struct expr *e)
{
	const struct expr *i;

	list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
		scan_expr(st, i);
}

static void scan_expr(struct dep_state *st, const struct expr *e)
{
	if (!e)
		return;
	switch (e->etype) {
	case EXPR_PAYLOAD:
		use_payload(st, e);
		break;
	case EXPR_CT:
		/* ct original saddr takes its family from meta nfproto */
		if ((e->ct.key == NFT_CT_SRC || e->ct.key == NFT_CT_DST) && !e->ct.nfproto &&
		    st->slot[DEP_NET].idx >= 0 && st->slot[DEP_NET].nfproto)
			drop(st, DEP_NET);
		break;
	case EXPR_CONCAT:
		scan_list(st, e);
		break;
	case EXPR_PREFIX:
		scan_expr(st, e->prefix.prefix);
		break;
	case EXPR_SET_ELEM: /* add @s { key timeout 1m counter } */
		scan_expr(st, e->elem.key);
		break;
	case EXPR_MAP:
		scan_expr(st, e->map.key);
		break;
	case EXPR_HASH:
		scan_expr(st, e->hash.expr);
		break;
	case EXPR_UNARY:
	case EXPR_BINOP:
	case EXPR_RELATIONAL:
		scan_expr(st, e->binop.left);
		scan_expr(st, e->binop.right);
		break;
	default:
		break;
	}
}

static void scan_stmt(struct dep_state *st, const struct stmt *s)
{
	switch (s->type) {
	case STMT_EXPRESSION:
	case STMT_VERDICT:
		scan_expr(st, s->expr);
		break;
	case STMT_PAYLOAD:
	case STMT_EXTHDR:
		scan_expr(st, s->payload.expr);
		scan_expr(st, s->payload.val);
		break;
	case STMT_META:
		scan_expr(st, s->meta.expr);
		break;
	case STMT_CT:
		scan_expr(st, s->ct.expr);
		break;
	case STMT_NAT:
		scan_expr(st, s->nat.addr);
		scan_expr(st, s->nat.proto);
		break;
	case STMT_SET:
	case STMT_MAP:
		scan_expr(st, s->set.key);
		scan_expr(st, s->set.data);
		break;
	case STMT_OBJREF:
		scan_expr(st, s->objref.expr);
		break;
	case STMT_REJECT: {
		/* reject with icmp/icmpv6 carries the family itself */
		const struct dep_slot *n = &st->slot[DEP_NET];

		if (n->idx >= 0 && s->reject.type == NFT_REJECT_ICMP_UNREACH &&
		    (n->upper == &proto_ip || n->upper == &proto_ip6))
			drop(st, DEP_NET);
		break;
	}
	default:
		break;
	}
}

/* Is s a single-value protocol match nft could have added itself? */
static bool dep_candidate(const struct dep_state *st, const struct stmt *s, enum dep_layer *layer,
			  struct dep_slot *out)
{
	const struct proto_desc *lower = NULL;
	const struct expr *e, *l, *r;
	uint64_t v;

	if (s->type != STMT_EXPRESSION || !(e = s->expr) || e->etype != EXPR_RELATIONAL)
		return false;
	if (e->op != OP_IMPLICIT && e->op != OP_EQ)
		return false;
	l = e->binop.left;
	r = e->binop.right;
	if (!l || !r || r->etype != EXPR_VALUE)
		return false;
	v = expr_value_u64(r);
	memset(out, 0, sizeof(*out));
	out->value = (unsigned int)v;

	if (l->etype == EXPR_META) {
		switch (l->meta.key) {
		case NFT_META_L4PROTO:
			*layer = DEP_TRANSPORT;
			lower = &proto_inet_service;
			break;
		case NFT_META_NFPROTO:
			if (st->family != NFPROTO_INET)
				return false;
			*layer = DEP_NET;
			lower = &proto_inet;
			out->nfproto = true;
			break;
		case NFT_META_PROTOCOL:
			*layer = DEP_NET;
			lower = &proto_netdev;
			break;
		case NFT_META_IIFTYPE:
			if (v != 1) /* ARPHRD_ETHER */
				return false;
			*layer = DEP_LL;
			out->upper = &proto_eth;
			return true;
		default:
			return false;
		}
	} else if (payload_is(l, &proto_ip, IPHDR_PROTOCOL)) {
		/* only where the network header is the family's own */
		if (st->family != NFPROTO_IPV4)
			return false;
		*layer = DEP_TRANSPORT;
		lower = &proto_ip;
	} else if (payload_is(l, &proto_ip6, IP6HDR_NEXTHDR)) {
		if (st->family != NFPROTO_IPV6)
			return false;
		*layer = DEP_TRANSPORT;
		lower = &proto_ip6;
	} else if (payload_is(l, &proto_eth, ETHHDR_TYPE)) {
		*layer = DEP_NET;
		lower = &proto_eth;
	} else if (payload_is(l, &proto_vlan, VLANHDR_TYPE)) {
		*layer = DEP_NET;
		lower = &proto_vlan;
	} else if (payload_is(l, &proto_icmp, ICMPHDR_TYPE) ||
		   payload_is(l, &proto_icmp6, ICMP6HDR_TYPE)) {
		*layer = DEP_ICMP;
		out->upper = l->payload.desc;
		return true;
	} else {
		return false;
	}
	out->upper = proto_find_upper(lower, (unsigned int)v);
	if (!out->upper || proto_find_num(lower, out->upper) != (int)v)
		return false;
	/* stacked vlan headers need their vlan type */
	if (lower == &proto_vlan && out->upper == &proto_vlan)
		return false;
	return true;
}

/*
 * Fill hide[i] for the statements of r that nft would not list and
 * nfproto[i] with the family a hidden meta nfproto gave statement i.
 */
void print_rule_hidden_deps(const struct rule *r, unsigned int family, bool *hide,
			    unsigned int *nfproto)
{
	struct dep_state st;
	const struct stmt *s;
	unsigned int l;
	int i = 0;

	memset(&st, 0, sizeof(st));
	st.family = family;
	st.hide = hide;
	st.nfproto = nfproto;
	for (l = 0; l < DEP_MAX; l++)
		st.slot[l].idx = -1;

	list_for_each_entry(s, &r->stmts, list) {
		enum dep_layer layer;
		struct dep_slot cand;

		st.cur = i;
		scan_stmt(&st, s);
		if (dep_candidate(&st, s, &layer, &cand)) {
			cand.idx = i;
			st.slot[layer] = cand;
		} else if (s->type != STMT_EXPRESSION) {
			/* a statement between ends the dependency (nft lists
			 * "ip protocol 6 counter tcp dport 22" as written) */
			for (l = 0; l < DEP_MAX; l++)
				st.slot[l].idx = -1;
		}
		i++;
	}
}

/*
 * Listing order. Lowering merges adjacent payload matches into one load and
 * compare (nft's payload_can_merge: same base, byte aligned, adjacent, one
 * register, wider than a word only if one part already was), placed where
 * the first of them stood; the kernel lists the merged match field by field
 * in header order. perm[] gets the statement indexes in that order.
 */
struct merge_item {
	unsigned int idx;	/* statement index */
	unsigned int base, off; /* bytes */
	unsigned int len;	/* bytes */
	unsigned int group;	/* index of the group's first item */
};

static bool merge_candidate(const struct stmt *s, struct merge_item *m)
{
	const struct expr *e = s->expr, *l, *r;

	if (s->type != STMT_EXPRESSION || !e || e->etype != EXPR_RELATIONAL)
		return false;
	if (e->op != OP_EQ && e->op != OP_IMPLICIT)
		return false;
	l = e->binop.left;
	r = e->binop.right;
	if (!l || !r || l->etype != EXPR_PAYLOAD || r->etype != EXPR_VALUE || l->payload.inner)
		return false;
	/* an implicit op on flags is a bit test, not a compare */
	if (e->op == OP_IMPLICIT && r->dtype) {
		const struct datatype *d;

		for (d = r->dtype; d; d = d->basetype)
			if (d->type == TYPE_BITMASK)
				return false;
	}
	if (l->payload.offset % 8 || l->len % 8 || !l->len)
		return false;
	m->base = l->payload.base;
	m->off = l->payload.offset / 8;
	m->len = l->len / 8;
	return true;
}

static int merge_item_cmp(const void *a, const void *b)
{
	const struct merge_item *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->idx < y->idx ? -1 : 1;
}

/* Sort it[from, to) by header position and number the merge groups: each
 * item's group is the absolute index of its group's first item. */
static void merge_run_order(struct merge_item *it, unsigned int from, unsigned int to)
{
	unsigned int i, first = from, len;

	if (to <= from)
		return;
	qsort(it + from, to - from, sizeof(*it), merge_item_cmp);
	it[from].group = from;
	len = it[from].len;
	for (i = from + 1; i < to; i++) {
		unsigned int total = len + it[i].len;
		const struct merge_item *a = &it[first];

		if (it[i].base == a->base && a->off + len == it[i].off && total <= 16 &&
		    (total <= 4 || len > 4 || it[i].len > 4)) {
			it[i].group = first;
			len = total;
		} else {
			first = i;
			it[i].group = i;
			len = it[i].len;
		}
	}
}

void print_rule_order(const struct rule *r, unsigned int *perm, unsigned int n)
{
	struct merge_item *it = calloc(n + 1, sizeof(*it));
	unsigned int *gmin = calloc(n + 1, sizeof(*gmin));
	int *item_of = calloc(n + 1, sizeof(*item_of));
	unsigned int i, k, ni = 0, run = 0, out = 0;
	const struct stmt *s;

	for (i = 0; i < n; i++)
		perm[i] = i;
	if (!it || !gmin || !item_of)
		goto out;

	/* candidates per run of expression statements */
	i = 0;
	list_for_each_entry(s, &r->stmts, list) {
		if (s->type != STMT_EXPRESSION) {
			merge_run_order(it, run, ni);
			run = ni;
		} else if (merge_candidate(s, &it[ni])) {
			it[ni].idx = i;
			ni++;
		}
		i++;
	}
	merge_run_order(it, run, ni);

	for (i = 0; i < n; i++)
		item_of[i] = -1;
	for (k = 0; k < ni; k++)
		gmin[k] = UINT_MAX;
	/* gmin[g]: the earliest statement of group g */
	for (k = 0; k < ni; k++) {
		unsigned int g = it[k].group;

		item_of[it[k].idx] = (int)k;
		if (it[k].idx < gmin[g])
			gmin[g] = it[k].idx;
	}

	for (i = 0; i < n; i++) {
		int k0 = item_of[i];
		unsigned int g;

		if (k0 < 0) {
			perm[out++] = i;
			continue;
		}
		g = it[k0].group;
		if (gmin[g] != i)
			continue; /* listed with the group's first statement */
		for (k = g; k < ni && it[k].group == g; k++)
			perm[out++] = it[k].idx;
	}
out:
	free(it);
	free(gmin);
	free(item_of);
}
