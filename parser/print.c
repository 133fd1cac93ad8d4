// SPDX-License-Identifier: GPL-2.0
/*
 * Ruleset printing as `nft list ruleset|table|chain|set|map|...` of
 * nftables 1.1: one tab per level, a blank line between the items of a
 * table (objects, sets, flowtables, chains, in that order), none between
 * tables.
 */
#include <inttypes.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter_bridge.h>
#include <linux/netfilter/nf_synproxy.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/print.h"

const char *print_hook_name(unsigned int family, unsigned int hooknum)
{
	switch (family) {
	case NFPROTO_IPV4:
	case NFPROTO_IPV6:
	case NFPROTO_INET:
	case NFPROTO_BRIDGE:
		switch (hooknum) {
		case NF_INET_PRE_ROUTING:
			return "prerouting";
		case NF_INET_LOCAL_IN:
			return "input";
		case NF_INET_FORWARD:
			return "forward";
		case NF_INET_POST_ROUTING:
			return "postrouting";
		case NF_INET_LOCAL_OUT:
			return "output";
		case NF_INET_INGRESS:
			return "ingress";
		}
		break;
	case NFPROTO_ARP:
		switch (hooknum) {
		case 0:
			return "input";
		case 1:
			return "output";
		case 2:
			return "forward";
		}
		break;
	case NFPROTO_NETDEV:
		switch (hooknum) {
		case NF_NETDEV_INGRESS:
			return "ingress";
		case 1:
			return "egress";
		}
		break;
	}
	return "unknown";
}

struct prio_tag {
	int val;
	const char *str;
};

static const struct prio_tag std_prios[] = {
	{ -300, "raw" },   { -150, "mangle" },	 { -100, "dstnat" },
	{ 0, "filter" },   { 50, "security" },	 { 100, "srcnat" },
};

static const struct prio_tag bridge_prios[] = {
	{ -300, "dstnat" }, { -200, "filter" }, { 100, "out" }, { 300, "srcnat" },
};

/* Which standard priority names nft accepts for a family and hook. */
static bool std_prio_compat(int prio, unsigned int family, unsigned int hook)
{
	if (family == NFPROTO_BRIDGE) {
		switch (prio) {
		case -300:
			return hook == NF_BR_PRE_ROUTING;
		case -200:
			return true;
		case 100:
			return hook == NF_BR_LOCAL_OUT;
		case 300:
			return hook == NF_BR_POST_ROUTING;
		}
		return false;
	}
	switch (prio) {
	case 0:
		return family == NFPROTO_INET || family == NFPROTO_IPV4 || family == NFPROTO_IPV6 ||
		       family == NFPROTO_ARP || family == NFPROTO_NETDEV;
	case -300:
	case -150:
	case 50:
		return family == NFPROTO_INET || family == NFPROTO_IPV4 || family == NFPROTO_IPV6;
	case -100:
		return (family == NFPROTO_INET || family == NFPROTO_IPV4 ||
			family == NFPROTO_IPV6) &&
		       (hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_OUT);
	case 100:
		return (family == NFPROTO_INET || family == NFPROTO_IPV4 ||
			family == NFPROTO_IPV6) &&
		       (hook == NF_INET_LOCAL_IN || hook == NF_INET_POST_ROUTING);
	}
	return false;
}

void print_prio(struct print_ctx *pc, unsigned int family, unsigned int hooknum, int prio)
{
	const struct prio_tag *tags = family == NFPROTO_BRIDGE ? bridge_prios : std_prios;
	size_t n = family == NFPROTO_BRIDGE ? sizeof(bridge_prios) / sizeof(bridge_prios[0])
					    : sizeof(std_prios) / sizeof(std_prios[0]);
	size_t i;

	if (!octx_numeric_prio(&pc->octx)) {
		for (i = 0; i < n; i++) {
			int64_t off = (int64_t)prio - tags[i].val;

			if (off < -10 || off > 10)
				continue;
			/* nft stops at the first name within reach */
			if (!std_prio_compat(tags[i].val, family, hooknum))
				break;
			outbuf_puts(pc->o, tags[i].str);
			if (off > 0)
				outbuf_printf(pc->o, " + %" PRId64, off);
			else if (off < 0)
				outbuf_printf(pc->o, " - %" PRId64, -off);
			return;
		}
	}
	outbuf_printf(pc->o, "%d", prio);
}

/* ------------------------------------------------------------------ */
/* Chains                                                              */

static const char *chain_hook_name(const struct chain *c)
{
	if (c->hookstr)
		return c->hookstr;
	return print_hook_name(c->handle.family, c->hooknum);
}

static void print_devices(struct print_ctx *pc, char **devs, unsigned int n)
{
	unsigned int i;

	outbuf_puts(pc->o, "devices = { ");
	for (i = 0; i < n; i++)
		outbuf_printf(pc->o, "%s\"%s\"", i ? ", " : "", devs[i]);
	outbuf_puts(pc->o, " }");
}

void print_chain_declaration(struct print_ctx *pc, const struct chain *c)
{
	outbuf_printf(pc->o, "\tchain %s {", c->handle.chain);
	if (pc->octx.handle)
		outbuf_printf(pc->o, " # handle %" PRIu64, c->handle.handle.id);
	if (c->comment)
		outbuf_printf(pc->o, "\n\t\tcomment \"%s\"", c->comment);
	outbuf_puts(pc->o, "\n");
	if (!(c->flags & CHAIN_F_BASECHAIN))
		return;
	if (c->type)
		outbuf_printf(pc->o, "\t\ttype %s hook %s", c->type, chain_hook_name(c));
	if (c->dev_count == 1) {
		outbuf_printf(pc->o, " device \"%s\"", c->devices[0]);
	} else if (c->dev_count > 1) {
		outbuf_puts(pc->o, " ");
		print_devices(pc, c->devices, c->dev_count);
	}
	outbuf_puts(pc->o, " priority ");
	print_prio(pc, c->handle.family, c->hooknum, c->prio);
	outbuf_puts(pc->o, ";");
	/* the kernel always reports a base chain policy, accept by default */
	outbuf_printf(pc->o, " policy %s;", c->policy_verdict == VERDICT_DROP ? "drop" : "accept");
	if (c->flags & CHAIN_F_HW_OFFLOAD)
		outbuf_puts(pc->o, " flags offload;");
	outbuf_puts(pc->o, "\n");
}

void print_chain(struct print_ctx *pc, const struct chain *c)
{
	const struct rule *r;

	print_chain_declaration(pc, c);
	list_for_each_entry(r, &c->rules, list) {
		outbuf_puts(pc->o, "\t\t");
		print_rule(pc, r);
		outbuf_puts(pc->o, "\n");
	}
	outbuf_puts(pc->o, "\t}\n");
}

/* ------------------------------------------------------------------ */
/* Sets and maps                                                       */

static void print_set_key_type(struct print_ctx *pc, const struct expr *key)
{
	const struct datatype *d = key->dtype;

	if (d && (d->size || d->type == TYPE_VERDICT) && d->name) {
		outbuf_puts(pc->o, d->name);
		return;
	}
	if (key->etype == EXPR_CONCAT) {
		const struct expr *i;
		const char *sep = "";

		list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list) {
			outbuf_puts(pc->o, sep);
			print_set_key_type(pc, i);
			sep = " . ";
		}
		return;
	}
	if (d && d->name && key->etype != EXPR_SYMBOL) {
		outbuf_puts(pc->o, d->name);
		return;
	}
	print_expr(pc, key);
}

static void print_set_key_and_data(struct print_ctx *pc, const struct set *s)
{
	outbuf_puts(pc->o, s->key_typeof ? "typeof " : "type ");
	if (s->key_typeof)
		print_expr(pc, s->key);
	else if (s->key)
		print_set_key_type(pc, s->key);

	if ((s->flags & NFT_SET_MAP) && s->data) {
		outbuf_puts(pc->o, " : ");
		if (s->data_interval || (s->data->flags & EXPR_F_INTERVAL))
			outbuf_puts(pc->o, "interval ");
		if (s->data_typeof || s->key_typeof)
			print_expr(pc, s->data);
		else
			print_set_key_type(pc, s->data);
	} else if (s->flags & NFT_SET_OBJECT) {
		outbuf_printf(pc->o, " : %s", print_obj_type_name(s->objtype));
	}
}

static unsigned int set_elem_count(const struct set *s)
{
	const struct expr *i;
	unsigned int n = 0;

	if (!s->init || s->init->etype != EXPR_SET)
		return 0;
	list_for_each_entry(i, &EXPR_COMPOUND(s->init).expressions, list)
		n++;
	return n;
}

static bool set_elem_has_comment(const struct set *s)
{
	const struct expr *i;

	if (!s->init || s->init->etype != EXPR_SET)
		return false;
	list_for_each_entry(i, &EXPR_COMPOUND(s->init).expressions, list) {
		if (i->etype == EXPR_SET_ELEM && i->elem.comment)
			return true;
		if (i->etype == EXPR_MAPPING && i->mapping.left &&
		    i->mapping.left->etype == EXPR_SET_ELEM && i->mapping.left->elem.comment)
			return true;
	}
	return false;
}

static bool set_is_concat(const struct set *s)
{
	if (s->flags & NFT_SET_CONCAT)
		return true;
	if (!s->key)
		return false;
	return s->key->etype == EXPR_CONCAT || (s->key->dtype && s->key->dtype->subtypes > 1);
}

static void print_set_declaration(struct print_ctx *pc, const struct set *s)
{
	unsigned int flags = s->flags;
	const char *delim = "";
	const char *kind = "set";

	if (s->flags & NFT_SET_MAP)
		kind = "map";
	outbuf_printf(pc->o, "\t%s %s {", kind, s->handle.set);
	if (pc->octx.handle)
		outbuf_printf(pc->o, " # handle %" PRIu64, s->handle.handle.id);
	outbuf_puts(pc->o, "\n\t\t");
	print_set_key_and_data(pc, s);
	outbuf_puts(pc->o, "\n");

	if (!(s->flags & NFT_SET_CONSTANT)) {
		if (s->policy != NFT_SET_POL_PERFORMANCE)
			outbuf_printf(pc->o, "\t\tpolicy %s\n",
				      s->policy == NFT_SET_POL_MEMORY ? "memory" : "unknown");
		if (s->size > 0) {
			unsigned int count = set_elem_count(s);

			outbuf_printf(pc->o, "\t\tsize %u", s->size);
			if (count)
				outbuf_printf(pc->o, "\t# count %u", count);
			outbuf_puts(pc->o, "\n");
		}
	}

	/* "timeout" is implied by a default timeout */
	if (s->timeout)
		flags &= ~NFT_SET_TIMEOUT;
	if (flags & (NFT_SET_CONSTANT | NFT_SET_INTERVAL | NFT_SET_TIMEOUT | NFT_SET_EVAL)) {
		outbuf_puts(pc->o, "\t\tflags ");
		/* as nft: once a line is due, "timeout" shows even with a
		 * default timeout (flags dynamic,timeout) */
		if (s->flags & NFT_SET_CONSTANT) {
			outbuf_printf(pc->o, "%sconstant", delim);
			delim = ",";
		}
		if (s->flags & NFT_SET_EVAL) {
			outbuf_printf(pc->o, "%sdynamic", delim);
			delim = ",";
		}
		if (s->flags & NFT_SET_INTERVAL) {
			outbuf_printf(pc->o, "%sinterval", delim);
			delim = ",";
		}
		if (s->flags & NFT_SET_TIMEOUT)
			outbuf_printf(pc->o, "%stimeout", delim);
		outbuf_puts(pc->o, "\n");
	}

	if (!list_empty(&s->stmts)) {
		bool stateless = pc->octx.stateless;
		const struct stmt *st;
		const char *sep = "";

		outbuf_puts(pc->o, "\t\t");
		pc->octx.stateless = true;
		list_for_each_entry(st, &s->stmts, list) {
			outbuf_puts(pc->o, sep);
			print_stmt(pc, st);
			sep = " ";
		}
		pc->octx.stateless = stateless;
		outbuf_puts(pc->o, "\n");
	}
	if (s->automerge)
		outbuf_puts(pc->o, "\t\tauto-merge\n");
	if (s->timeout) {
		outbuf_puts(pc->o, "\t\ttimeout ");
		print_time(pc, s->timeout);
		outbuf_puts(pc->o, "\n");
	}
	if (s->gc_int) {
		outbuf_puts(pc->o, "\t\tgc-interval ");
		print_time(pc, s->gc_int);
		outbuf_puts(pc->o, "\n");
	}
	if (s->comment)
		outbuf_printf(pc->o, "\t\tcomment \"%s\"\n", s->comment);
}

void print_set(struct print_ctx *pc, const struct set *s)
{
	print_set_declaration(pc, s);
	if (pc->octx.terse) {
		outbuf_puts(pc->o, "\t}\n");
		return;
	}
	if (set_elem_count(s) > 0) {
		outbuf_puts(pc->o, "\t\telements = ");
		if (s->timeout || set_elem_has_comment(s) ||
		    (s->flags & (NFT_SET_MAP | NFT_SET_OBJECT | NFT_SET_TIMEOUT)) ||
		    set_is_concat(s) || !list_empty(&s->stmts))
			pc->force_newline = true;
		pc->set_dtype = s->key ? s->key->dtype : NULL;
		print_set_elements(pc, s->init, false);
		pc->set_dtype = NULL;
		pc->force_newline = false;
		outbuf_puts(pc->o, "\n");
	}
	outbuf_puts(pc->o, "\t}\n");
}

/* ------------------------------------------------------------------ */
/* Stateful objects                                                    */

static void print_l4proto(struct print_ctx *pc, unsigned int l4)
{
	switch (l4) {
	case 1:
		outbuf_puts(pc->o, "icmp");
		return;
	case 6:
		outbuf_puts(pc->o, "tcp");
		return;
	case 17:
		outbuf_puts(pc->o, "udp");
		return;
	case 33:
		outbuf_puts(pc->o, "dccp");
		return;
	case 58:
		outbuf_puts(pc->o, "ipv6-icmp");
		return;
	case 132:
		outbuf_puts(pc->o, "sctp");
		return;
	case 136:
		outbuf_puts(pc->o, "udplite");
		return;
	}
	outbuf_printf(pc->o, "%u", l4);
}

static void print_obj_comment(struct print_ctx *pc, const struct obj *obj)
{
	if (obj->comment)
		outbuf_printf(pc->o, "\n\t\tcomment \"%s\"", obj->comment);
}

static void print_obj_data(struct print_ctx *pc, const struct obj *obj)
{
	outbuf_printf(pc->o, " %s {", obj->handle.set);
	if (pc->octx.handle)
		outbuf_printf(pc->o, " # handle %" PRIu64, obj->handle.handle.id);
	print_obj_comment(pc, obj);

	switch (obj->type) {
	case NFT_OBJECT_COUNTER:
		if (pc->octx.stateless)
			outbuf_puts(pc->o, "\n");
		else
			outbuf_printf(pc->o, "\n\t\tpackets %" PRIu64 " bytes %" PRIu64 "\n",
				      obj->counter.packets, obj->counter.bytes);
		break;
	case NFT_OBJECT_QUOTA:
		outbuf_puts(pc->o, "\n\t\t");
		print_quota_obj(pc, obj);
		outbuf_puts(pc->o, "\n");
		break;
	case NFT_OBJECT_SECMARK:
		outbuf_printf(pc->o, "\n\t\t\"%s\"\n", obj->secmark.ctx);
		break;
	case NFT_OBJECT_CT_HELPER:
		outbuf_printf(pc->o, "\n\t\ttype \"%s\" protocol ", obj->ct_helper.name);
		print_l4proto(pc, obj->ct_helper.l4proto);
		outbuf_printf(pc->o, "\n\t\tl3proto %s\n",
			      print_family_name(obj->ct_helper.l3proto));
		break;
	case NFT_OBJECT_CT_TIMEOUT: {
		const struct timeout_state *ts;
		const char *sep = "";
		unsigned int st;

		outbuf_puts(pc->o, "\n\t\tprotocol ");
		print_l4proto(pc, obj->ct_timeout.l4proto);
		outbuf_printf(pc->o, "\n\t\tl3proto %s\n",
			      print_family_name(obj->ct_timeout.l3proto));
		outbuf_puts(pc->o, "\t\tpolicy = { ");
		/* nft lists the policy in the protocol's state order */
		for (st = 0; st < 32; st++) {
			list_for_each_entry(ts, &obj->ct_timeout.timeout_list, head) {
				if (ts->state != st)
					continue;
				outbuf_printf(pc->o, "%s%s : ", sep, ts->state_str);
				print_time(pc, (uint64_t)ts->timeout * 1000);
				sep = ", ";
			}
		}
		outbuf_puts(pc->o, " }\n");
		break;
	}
	case NFT_OBJECT_CT_EXPECT:
		outbuf_puts(pc->o, "\n\t\tprotocol ");
		print_l4proto(pc, obj->ct_expect.l4proto);
		outbuf_printf(pc->o, "\n\t\tdport %u\n", obj->ct_expect.dport);
		outbuf_puts(pc->o, "\t\ttimeout ");
		print_time(pc, obj->ct_expect.timeout);
		outbuf_printf(pc->o, "\n\t\tsize %u\n", obj->ct_expect.size);
		outbuf_printf(pc->o, "\t\tl3proto %s\n",
			      print_family_name(obj->ct_expect.l3proto));
		break;
	case NFT_OBJECT_LIMIT:
		outbuf_puts(pc->o, "\n\t\t");
		print_limit_obj(pc, obj);
		outbuf_puts(pc->o, "\n");
		break;
	case NFT_OBJECT_SYNPROXY: {
		unsigned int fl = obj->synproxy.flags;

		if ((fl & NF_SYNPROXY_OPT_MSS) || obj->synproxy.mss)
			outbuf_printf(pc->o, "\n\t\tmss %u", obj->synproxy.mss);
		if ((fl & NF_SYNPROXY_OPT_WSCALE) || obj->synproxy.wscale)
			outbuf_printf(pc->o, "\n\t\twscale %u", obj->synproxy.wscale);
		if (fl & (NF_SYNPROXY_OPT_TIMESTAMP | NF_SYNPROXY_OPT_SACK_PERM))
			outbuf_printf(pc->o, "\n\t\t%s %s",
				      fl & NF_SYNPROXY_OPT_TIMESTAMP ? "timestamp" : "",
				      fl & NF_SYNPROXY_OPT_SACK_PERM ? "sack-perm" : "");
		outbuf_puts(pc->o, "\n");
		break;
	}
	default:
		outbuf_puts(pc->o, "\n");
		break;
	}
}

void print_obj(struct print_ctx *pc, const struct obj *obj)
{
	outbuf_printf(pc->o, "\t%s", print_obj_type_name(obj->type));
	print_obj_data(pc, obj);
	outbuf_puts(pc->o, "\t}\n");
}

/* ------------------------------------------------------------------ */
/* Flowtables                                                          */

void print_flowtable(struct print_ctx *pc, const struct flowtable *ft)
{
	outbuf_printf(pc->o, "\tflowtable %s {", ft->handle.set);
	if (pc->octx.handle)
		outbuf_printf(pc->o, " # handle %" PRIu64, ft->handle.handle.id);
	outbuf_puts(pc->o, "\n");
	if (ft->priority || ft->hookstr) {
		outbuf_printf(pc->o, "\t\thook %s priority ",
			      ft->hookstr ? ft->hookstr : print_hook_name(NFPROTO_NETDEV, ft->hooknum));
		print_prio(pc, NFPROTO_NETDEV, ft->hooknum, ft->prio);
		outbuf_puts(pc->o, "\n");
	}
	if (ft->dev_count > 0) {
		outbuf_puts(pc->o, "\t\t");
		print_devices(pc, ft->devices, ft->dev_count);
		outbuf_puts(pc->o, "\n");
	}
	if (ft->flags & NFT_FLOWTABLE_HW_OFFLOAD)
		outbuf_puts(pc->o, "\t\tflags offload\n");
	if (ft->flags & NFT_FLOWTABLE_COUNTER)
		outbuf_puts(pc->o, "\t\tcounter\n");
	outbuf_puts(pc->o, "\t}\n");
}

/* ------------------------------------------------------------------ */
/* Tables and the ruleset                                              */

static void print_table_flags(struct print_ctx *pc, const struct table *t)
{
	static const char *const names[] = { "dormant", "owner", "persist" };
	const char *sep = "";
	unsigned int i;

	outbuf_puts(pc->o, "\tflags ");
	for (i = 0; i < 3; i++) {
		if (!(t->flags & (1u << i)))
			continue;
		outbuf_printf(pc->o, "%s%s", sep, names[i]);
		sep = ",";
	}
	outbuf_puts(pc->o, "\n");
}

static void print_table_pc(struct print_ctx *pc, const struct table *t)
{
	const char *delim = "";
	const struct obj *obj;
	const struct set *s;
	const struct flowtable *ft;
	const struct chain *c;

	outbuf_printf(pc->o, "table %s %s {", print_family_name(t->handle.family), t->handle.table);
	if (pc->octx.handle || (t->flags & NFT_TABLE_F_OWNER))
		outbuf_puts(pc->o, " #");
	if (pc->octx.handle)
		outbuf_printf(pc->o, " handle %" PRIu64, t->handle.handle.id);
	if (t->flags & NFT_TABLE_F_OWNER)
		outbuf_puts(pc->o, " progname bnft");
	outbuf_puts(pc->o, "\n");
	if (t->flags) {
		print_table_flags(pc, t);
		delim = "\n";
	}
	if (t->comment)
		outbuf_printf(pc->o, "\tcomment \"%s\"\n", t->comment);

	list_for_each_entry(obj, &t->objs, list) {
		outbuf_puts(pc->o, delim);
		print_obj(pc, obj);
		delim = "\n";
	}
	list_for_each_entry(s, &t->sets, list) {
		if (s->flags & NFT_SET_ANONYMOUS)
			continue;
		outbuf_puts(pc->o, delim);
		print_set(pc, s);
		delim = "\n";
	}
	list_for_each_entry(ft, &t->flowtables, list) {
		outbuf_puts(pc->o, delim);
		print_flowtable(pc, ft);
		delim = "\n";
	}
	list_for_each_entry(c, &t->chains, list) {
		if (c->flags & CHAIN_F_BINDING)
			continue;
		outbuf_puts(pc->o, delim);
		print_chain(pc, c);
		delim = "\n";
	}
	outbuf_puts(pc->o, "}\n");
}

void bnft_print_table(const struct table *t, const struct output_ctx *octx, struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, t->handle.family);
	print_table_pc(&pc, t);
}

void bnft_print_ruleset_family(const struct bnft_ruleset *rs, unsigned int family,
			       const struct output_ctx *octx, struct outbuf *o)
{
	const struct table *t;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		bnft_print_table(t, octx, o);
	}
}

void bnft_print_ruleset(const struct bnft_ruleset *rs, const struct output_ctx *octx,
			struct outbuf *o)
{
	bnft_print_ruleset_family(rs, 0, octx, o);
}

void bnft_print_tables(const struct bnft_ruleset *rs, unsigned int family,
		       const struct output_ctx *octx, struct outbuf *o)
{
	const struct table *t;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		outbuf_printf(o, "table %s %s\n", print_family_name(t->handle.family),
			      t->handle.table);
	}
}

static void print_table_open(struct outbuf *o, const struct table *t)
{
	outbuf_printf(o, "table %s %s {\n", print_family_name(t->handle.family), t->handle.table);
}

void bnft_print_list_chain(const struct table *t, const struct chain *c,
			   const struct output_ctx *octx, struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, t->handle.family);
	print_table_open(o, t);
	if (c)
		print_chain(&pc, c);
	outbuf_puts(o, "}\n");
}

void bnft_print_list_chains(const struct bnft_ruleset *rs, unsigned int family,
			    const struct output_ctx *octx, struct outbuf *o)
{
	const struct table *t;
	const struct chain *c;
	struct print_ctx pc;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		print_ctx_init(&pc, octx, o, t->handle.family);
		print_table_open(o, t);
		list_for_each_entry(c, &t->chains, list) {
			if (c->flags & CHAIN_F_BINDING)
				continue;
			print_chain_declaration(&pc, c);
			outbuf_puts(o, "\t}\n");
		}
		outbuf_puts(o, "}\n");
	}
}

void bnft_print_list_set(const struct table *t, const struct set *s,
			 const struct output_ctx *octx, struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, t->handle.family);
	print_table_open(o, t);
	print_set(&pc, s);
	outbuf_puts(o, "}\n");
}

void bnft_print_list_sets(const struct bnft_ruleset *rs, unsigned int family, enum cmd_obj obj,
			  const struct output_ctx *octx, struct outbuf *o)
{
	const struct table *t;
	const struct set *s;
	struct print_ctx pc;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		print_ctx_init(&pc, octx, o, t->handle.family);
		print_table_open(o, t);
		list_for_each_entry(s, &t->sets, list) {
			bool anon = s->flags & NFT_SET_ANONYMOUS;
			bool map = s->flags & NFT_SET_MAP;
			/* nft 1.1 set_is_meter_compat: meters are dynamic sets */
			bool meter = s->flags & NFT_SET_EVAL;

			if (obj == CMD_OBJ_SETS && (anon || map))
				continue;
			if (obj == CMD_OBJ_MAPS && (anon || !map))
				continue;
			if (obj == CMD_OBJ_METERS && !meter)
				continue;
			print_set(&pc, s);
		}
		outbuf_puts(o, "}\n");
	}
}

void bnft_print_list_objs(const struct bnft_ruleset *rs, unsigned int family, const char *table,
			  const char *name, unsigned int objtype, const struct output_ctx *octx,
			  struct outbuf *o)
{
	const struct table *t;
	const struct obj *obj;
	struct print_ctx pc;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		if (table && strcmp(table, t->handle.table))
			continue;
		if (list_empty(&t->objs))
			continue;
		print_ctx_init(&pc, octx, o, t->handle.family);
		print_table_open(o, t);
		list_for_each_entry(obj, &t->objs, list) {
			if (obj->type != objtype || (name && strcmp(name, obj->handle.set)))
				continue;
			print_obj(&pc, obj);
		}
		outbuf_puts(o, "}\n");
	}
}

void bnft_print_list_flowtable(const struct table *t, const struct flowtable *ft,
			       const struct output_ctx *octx, struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, t->handle.family);
	print_table_open(o, t);
	print_flowtable(&pc, ft);
	outbuf_puts(o, "}\n");
}

void bnft_print_list_flowtables(const struct bnft_ruleset *rs, unsigned int family,
				const struct output_ctx *octx, struct outbuf *o)
{
	const struct table *t;
	const struct flowtable *ft;
	struct print_ctx pc;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		print_ctx_init(&pc, octx, o, t->handle.family);
		print_table_open(o, t);
		list_for_each_entry(ft, &t->flowtables, list)
			print_flowtable(&pc, ft);
		outbuf_puts(o, "}\n");
	}
}
