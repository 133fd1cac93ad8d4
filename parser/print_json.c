// SPDX-License-Identifier: GPL-2.0
/*
 * `nft -j list ruleset`: the ruleset as libnftables JSON. Layout as nft's
 * src/json.c: a metainfo object, then per table the table, its chains,
 * objects, named sets and flowtables, then the rules of every chain.
 * Constants come from datatype_json(); everything else is built here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_synproxy.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/print.h"
#include "parser/proto.h"

#define BNFT_JSON_VERSION "1.1.1"
#define BNFT_JSON_RELEASE "Commodore Bullmoose #2"

struct jctx {
	struct output_ctx octx;
	unsigned int family;
	bool flag_or; /* flags as {"|": [...]}: binop operands, set elements, == */
	bool in_match; /* printing the left side of a match (fib lists "oif") */
	bool flag_raw; /* == / != on a plain selector: flags as one number */
};

static json_t *expr_json(struct jctx *jc, const struct expr *e);
static json_t *stmt_json(struct jctx *jc, const struct stmt *s);

static json_t *jstr(const char *s)
{
	return json_string(s ? s : "");
}

static void jset(json_t *o, const char *k, json_t *v)
{
	if (v)
		json_object_set_new(o, k, v);
}

/* {"name": value} */
static json_t *jwrap(const char *name, json_t *v)
{
	json_t *o = json_object();

	json_object_set_new(o, name, v ? v : json_null());
	return o;
}

static bool bitmask_value(const struct expr *e)
{
	const struct datatype *d;

	if (e->etype != EXPR_VALUE)
		return false;
	for (d = e->dtype; d; d = d->basetype)
		if (d->type == TYPE_BITMASK)
			return true;
	return false;
}

/* A flag set with several bits: the names, lowest bit first, as
 * {"|": [...]} in binops, set elements and comparisons, as a plain array in
 * flag tests ("op": "in") and statement values (ct event set). */
static json_t *value_json(struct jctx *jc, const struct expr *e)
{
	unsigned int n = (e->value.len + 7) / 8, i, bit, bits = 0;
	json_t *a;

	if (!bitmask_value(e) || n > BNFT_VALUE_MAX)
		return datatype_json(e, &jc->octx);
	if (jc->flag_raw) {
		uint64_t v = 0;

		for (i = 0; i < n && i < 8; i++)
			v |= (uint64_t)e->value.data[e->byteorder == BYTEORDER_HOST_ENDIAN ? i
											: n - 1 - i]
			     << (8 * i);
		for (i = 0, bits = 0; i < n; i++)
			bits += __builtin_popcount(e->value.data[i]);
		if (bits > 1)
			return json_integer((json_int_t)v);
	}
	for (i = 0; i < n; i++)
		bits += __builtin_popcount(e->value.data[i]);
	if (bits < 2)
		return datatype_json(e, &jc->octx);
	a = json_array();
	for (i = 0; i < n; i++) {
		/* least significant byte first */
		unsigned int byte = e->byteorder == BYTEORDER_HOST_ENDIAN ? i : n - 1 - i;

		for (bit = 0; bit < 8; bit++) {
			struct expr one = *e;

			if (!(e->value.data[byte] & (1u << bit)))
				continue;
			memset(one.value.data, 0, sizeof(one.value.data));
			one.value.data[byte] = 1u << bit;
			json_array_append_new(a, datatype_json(&one, &jc->octx));
		}
	}
	return jc->flag_or ? jwrap("|", a) : a;
}

static const char *const base_names[] = { "ll", "nh", "th", "ih", "tun" };

static json_t *payload_json(const struct expr *e)
{
	const struct proto_desc *d = e->payload.desc;
	const char *token = e->payload.tmpl ? e->payload.tmpl->token : NULL;
	json_t *o = json_object();

	if (!e->payload.is_raw && d && token) {
		if (e->payload.inner && e->payload.inner_desc)
			jset(o, "tunnel", jstr(e->payload.inner_desc->name));
		else if (d->inner.type == 1 || d->inner.type == 2) /* vxlan, geneve */
			jset(o, "tunnel", jstr(d->name));
		jset(o, "protocol", jstr(d->name));
		jset(o, "field", jstr(token));
	} else {
		jset(o, "base", jstr(e->payload.base <= PAYLOAD_TUN ? base_names[e->payload.base]
								    : "unknown"));
		jset(o, "offset", json_integer(e->payload.offset));
		jset(o, "len", json_integer(e->len));
	}
	return jwrap("payload", o);
}

static json_t *exthdr_json(const struct expr *e)
{
	const char *name = e->exthdr.desc ? e->exthdr.desc->name : NULL;
	const char *token = e->exthdr.tmpl ? e->exthdr.tmpl->token : NULL;
	const char *kind = "exthdr";
	json_t *o = json_object();

	switch (e->exthdr.op) {
	case EXTHDR_OP_TCPOPT:
		kind = "tcp option";
		break;
	case EXTHDR_OP_IPV4:
		kind = "ip option";
		break;
	case EXTHDR_OP_SCTP:
		kind = "sctp chunk";
		break;
	case EXTHDR_OP_DCCP:
		kind = "dccp option";
		break;
	default:
		break;
	}
	if (name && e->exthdr.op == EXTHDR_OP_TCPOPT && !strcmp(name, "sack") &&
	    e->exthdr.offset / 64) {
		char buf[16];

		snprintf(buf, sizeof(buf), "sack%u", e->exthdr.offset / 64);
		jset(o, "name", jstr(buf));
	} else if (name) {
		jset(o, "name", jstr(name));
	} else {
		jset(o, "base", json_integer(e->exthdr.type ? e->exthdr.type : e->exthdr.raw_type));
	}
	if (!e->exthdr.exists_only && token && name && !strcmp(name, "srh") &&
	    !strcmp(token, "sid")) {
		char buf[16];

		snprintf(buf, sizeof(buf), "sid[%u]",
			 e->exthdr.offset >= 64 ? (e->exthdr.offset - 64) / 128 + 1 : 1);
		jset(o, "field", jstr(buf));
	} else if (!e->exthdr.exists_only && token) {
		jset(o, "field", jstr(token));
	}
	if (!name) {
		jset(o, "offset", json_integer(e->exthdr.offset));
		jset(o, "len", json_integer(e->exthdr.exists_only ? 8 : e->len));
	}
	return jwrap(kind, o);
}

static json_t *list_json(struct jctx *jc, const struct expr *e)
{
	json_t *a = json_array();
	const struct expr *i;

	list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
		json_array_append_new(a, expr_json(jc, i));
	return a;
}

static json_t *verdict_json(const struct expr *e)
{
	const char *name;
	json_t *o;

	switch (e->verdict.code) {
	case VERDICT_ACCEPT:
		name = "accept";
		break;
	case VERDICT_DROP:
		name = "drop";
		break;
	case VERDICT_QUEUE:
		name = "queue";
		break;
	case VERDICT_CONTINUE:
		name = "continue";
		break;
	case VERDICT_BREAK:
		name = "break";
		break;
	case VERDICT_RETURN:
		name = "return";
		break;
	case VERDICT_JUMP:
	case VERDICT_GOTO: {
		struct outbuf ob;

		outbuf_init(&ob);
		if (e->verdict.chain && e->verdict.chain->etype == EXPR_VALUE)
			outbuf_printf(&ob, "%.*s", (int)((e->verdict.chain->value.len + 7) / 8),
				      (const char *)e->verdict.chain->value.data);
		else if (e->verdict.chain && e->verdict.chain->etype == EXPR_SYMBOL)
			outbuf_puts(&ob, e->verdict.chain->sym.identifier);
		o = json_object();
		jset(o, "target", json_string(ob.buf ? ob.buf : ""));
		outbuf_release(&ob);
		return jwrap(e->verdict.code == VERDICT_JUMP ? "jump" : "goto", o);
	}
	default:
		name = "unknown";
		break;
	}
	return jwrap(name, NULL);
}

static const char *binop_name(enum ops op)
{
	switch (op) {
	case OP_AND:
		return "&";
	case OP_OR:
		return "|";
	case OP_XOR:
		return "^";
	case OP_LSHIFT:
		return "<<";
	case OP_RSHIFT:
		return ">>";
	default:
		return "unknown";
	}
}

static const char *rel_op_name(const struct expr *e)
{
	const struct expr *r = e->binop.right;

	switch (e->op) {
	case OP_NEQ:
		return "!=";
	case OP_LT:
		return "<";
	case OP_GT:
		return ">";
	case OP_LTE:
		return "<=";
	case OP_GTE:
		return ">=";
	case OP_NEG:
		return "!";
	case OP_IMPLICIT:
		/* a flag test */
		if (r && bitmask_value(r) && e->binop.left->etype != EXPR_BINOP)
			return "in";
		return "==";
	default:
		return "==";
	}
}

static json_t *set_elem_json(struct jctx *jc, const struct expr *e)
{
	json_t *key = e->elem.key ? expr_json(jc, e->elem.key) : json_null();
	json_t *o;

	if (!e->elem.timeout && !e->elem.expiration && !e->elem.comment &&
	    list_empty(&e->elem.stmts))
		return key;
	o = json_object();
	jset(o, "val", key);
	if (e->elem.timeout)
		jset(o, "timeout", json_integer(e->elem.timeout / 1000));
	if (e->elem.expiration && !jc->octx.stateless)
		jset(o, "expires", json_integer(e->elem.expiration / 1000));
	if (e->elem.comment)
		jset(o, "comment", jstr(e->elem.comment));
	if (!list_empty(&e->elem.stmts)) {
		const struct stmt *s;

		/* nft lists element statements by name: "counter": {...} */
		list_for_each_entry(s, &e->elem.stmts, list) {
			json_t *sj = stmt_json(jc, s);
			const char *k;
			json_t *v;

			json_object_foreach(sj, k, v)
				jset(o, k, json_incref(v));
			json_decref(sj);
		}
	}
	return jwrap("elem", o);
}

static json_t *expr_json(struct jctx *jc, const struct expr *e)
{
	json_t *o;

	if (!e)
		return json_null();
	switch (e->etype) {
	case EXPR_VALUE:
		return value_json(jc, e);
	case EXPR_SYMBOL:
	case EXPR_VARIABLE:
		return jstr(e->sym.identifier);
	case EXPR_VERDICT:
		return verdict_json(e);
	case EXPR_PREFIX:
		if (e->prefix.prefix && e->prefix.prefix->etype == EXPR_VALUE &&
		    e->prefix.prefix->dtype &&
		    (e->prefix.prefix->dtype->type == TYPE_STRING ||
		     e->prefix.prefix->dtype->type == TYPE_IFNAME)) {
			char buf[BNFT_VALUE_MAX + 2];
			unsigned int n = e->prefix.prefix_len / 8, k;

			for (k = 0; k < n && k < BNFT_VALUE_MAX && e->prefix.prefix->value.data[k]; k++)
				buf[k] = (char)e->prefix.prefix->value.data[k];
			buf[k++] = '*';
			buf[k] = '\0';
			return jstr(buf);
		}
		o = json_object();
		jset(o, "addr", expr_json(jc, e->prefix.prefix));
		jset(o, "len", json_integer(e->prefix.prefix_len));
		return jwrap("prefix", o);
	case EXPR_RANGE: {
		json_t *a = json_array();

		json_array_append_new(a, expr_json(jc, e->range.left));
		json_array_append_new(a, expr_json(jc, e->range.right));
		return jwrap("range", a);
	}
	case EXPR_PAYLOAD:
		return payload_json(e);
	case EXPR_EXTHDR:
		return exthdr_json(e);
	case EXPR_META: {
		const struct key_template *t = meta_template(e->meta.key);

		o = json_object();
		jset(o, "key", jstr(t ? t->token : "unknown"));
		return jwrap("meta", o);
	}
	case EXPR_CT: {
		const struct key_template *t = ct_template(e->ct.key);

		o = json_object();
		jset(o, "key", jstr(t ? t->token : "unknown"));
		if ((e->ct.key == NFT_CT_SRC || e->ct.key == NFT_CT_DST) && e->ct.nfproto)
			jset(o, "family", jstr(e->ct.nfproto == NFPROTO_IPV6 ? "ip6" : "ip"));
		if (e->ct.direction >= 0 && ct_key_keeps_dir(e->ct.key))
			jset(o, "dir", jstr(e->ct.direction ? "reply" : "original"));
		return jwrap("ct", o);
	}
	case EXPR_RT: {
		static const char *const keys[] = { "classid", "nexthop", "nexthop", "mtu", "ipsec" };

		o = json_object();
		jset(o, "key", jstr(e->rt.key < 5 ? keys[e->rt.key] : "unknown"));
		if (e->rt.key == NFT_RT_NEXTHOP4 || e->rt.key == NFT_RT_NEXTHOP6)
			jset(o, "family", jstr(e->rt.key == NFT_RT_NEXTHOP4 ? "ip" : "ip6"));
		return jwrap("rt", o);
	}
	case EXPR_SOCKET: {
		static const char *const keys[] = { "transparent", "mark", "wildcard", "cgroupv2" };

		o = json_object();
		jset(o, "key", jstr(e->socket.key < 4 ? keys[e->socket.key] : "unknown"));
		if (e->socket.key == NFT_SOCKET_CGROUPV2)
			jset(o, "level", json_integer(e->socket.level));
		return jwrap("socket", o);
	}
	case EXPR_OSF:
		o = json_object();
		jset(o, "key", jstr(e->osf.flags & NFT_OSF_F_VERSION ? "version" : "name"));
		if (e->osf.ttl)
			jset(o, "ttl", jstr(e->osf.ttl == 1 ? "loose" : "skip"));
		return jwrap("osf", o);
	case EXPR_FIB: {
		static const char *const flags[] = { "saddr", "daddr", "mark", "iif", "oif" };
		static const char *const res[] = { "unknown", "oif", "oifname", "type" };
		json_t *a = json_array();
		unsigned int i;

		o = json_object();
		jset(o, "result", jstr(e->fib.result == NFT_FIB_RESULT_OIF && !jc->in_match &&
						       (e->fib.flags & NFTA_FIB_F_PRESENT)
					       ? "check"
				       : e->fib.result < 4 ? res[e->fib.result]
							   : "unknown"));
		for (i = 0; i < 5; i++)
			if (e->fib.flags & (1u << i))
				json_array_append_new(a, jstr(flags[i]));
		jset(o, "flags", a);
		return jwrap("fib", o);
	}
	case EXPR_NUMGEN:
		o = json_object();
		jset(o, "mode", jstr(e->numgen.type == NFT_NG_RANDOM ? "random" : "inc"));
		jset(o, "mod", json_integer(e->numgen.mod));
		jset(o, "offset", json_integer(e->numgen.offset));
		return jwrap("numgen", o);
	case EXPR_HASH:
		o = json_object();
		jset(o, "mod", json_integer(e->hash.mod));
		if (e->hash.seed_set)
			jset(o, "seed", json_integer(e->hash.seed));
		if (e->hash.offset)
			jset(o, "offset", json_integer(e->hash.offset));
		if (e->hash.type != NFT_HASH_SYM)
			jset(o, "expr", expr_json(jc, e->hash.expr));
		return jwrap(e->hash.type == NFT_HASH_SYM ? "symhash" : "jhash", o);
	case EXPR_XFRM: {
		static const char *const keys[] = { "unknown", "daddr", "daddr", "saddr",
						     "saddr",	"reqid", "spi" };

		o = json_object();
		jset(o, "key", jstr(e->xfrm.key < 7 ? keys[e->xfrm.key] : "unknown"));
		if (e->xfrm.key >= 1 && e->xfrm.key <= 4)
			jset(o, "family", jstr(e->xfrm.key % 2 ? "ip" : "ip6"));
		jset(o, "dir", jstr(e->xfrm.direction == 0 ? "in" : "out"));
		jset(o, "spnum", json_integer(e->xfrm.spnum));
		return jwrap("ipsec", o);
	}
	case EXPR_TUNNEL:
		o = json_object();
		jset(o, "key", jstr(e->tunnel.key == 0 ? "path" : "id"));
		return jwrap("tunnel", o);
	case EXPR_CONCAT:
		return jwrap("concat", list_json(jc, e));
	case EXPR_LIST:
		return list_json(jc, e);
	case EXPR_SET: {
		bool fo = jc->flag_or, fr = jc->flag_raw;

		jc->flag_or = true;
		jc->flag_raw = false;
		o = jwrap("set", list_json(jc, e));
		jc->flag_or = fo;
		jc->flag_raw = fr;
		return o;
	}
	case EXPR_SET_REF: {
		const struct set *s = e->set_ref.set;
		char buf[300];

		if (s && (s->flags & NFT_SET_ANONYMOUS) && s->init)
			return expr_json(jc, s->init);
		snprintf(buf, sizeof(buf), "@%s", s && s->handle.set ? s->handle.set : e->set_ref.name);
		return jstr(buf);
	}
	case EXPR_SET_ELEM:
		return set_elem_json(jc, e);
	case EXPR_SET_ELEM_CATCHALL:
		return jstr("*");
	case EXPR_MAPPING: {
		json_t *a = json_array();

		json_array_append_new(a, expr_json(jc, e->mapping.left));
		json_array_append_new(a, expr_json(jc, e->mapping.right));
		return a;
	}
	case EXPR_MAP:
		o = json_object();
		jset(o, "key", expr_json(jc, e->map.key));
		jset(o, "data", expr_json(jc, e->map.mappings));
		return jwrap(e->map.vmap ? "vmap" : "map", o);
	case EXPR_UNARY:
		return expr_json(jc, e->binop.left);
	case EXPR_BINOP: {
		json_t *a = json_array();
		const struct expr *l = e->binop.left;
		bool fo = jc->flag_or;

		jc->flag_or = true;
		/* a | b | c is one {"|": [a, b, c]} */
		if (l && l->etype == EXPR_BINOP && l->op == e->op) {
			json_t *inner = expr_json(jc, l);
			json_t *arr = json_object_get(inner, binop_name(e->op));
			size_t k;
			json_t *v;

			json_array_foreach(arr, k, v)
				json_array_append(a, v);
			json_decref(inner);
		} else {
			json_array_append_new(a, expr_json(jc, l));
		}
		json_array_append_new(a, expr_json(jc, e->binop.right));
		jc->flag_or = fo;
		return jwrap(binop_name(e->op), a);
	}
	case EXPR_RELATIONAL: {
		const char *op = rel_op_name(e);
		bool fo = jc->flag_or;
		const struct expr *b = e->binop.left, *v = e->binop.right;
		int plen;

		o = json_object();
		jset(o, "op", jstr(op));
		/* address masks that are prefixes list as prefixes */
		if (b && b->etype == EXPR_BINOP && b->op == OP_AND && v && v->etype == EXPR_VALUE &&
		    b->binop.right && b->binop.left && b->binop.left->dtype &&
		    (b->binop.left->dtype->type == TYPE_IPADDR ||
		     b->binop.left->dtype->type == TYPE_IP6ADDR) &&
		    (plen = print_mask_prefix_len(b->binop.right)) > 0 &&
		    (unsigned int)plen < b->binop.right->value.len) {
			json_t *p = json_object();

			jset(o, "left", expr_json(jc, b->binop.left));
			jset(p, "addr", expr_json(jc, v));
			jset(p, "len", json_integer(plen));
			jset(o, "right", jwrap("prefix", p));
			return jwrap("match", o);
		}
		jc->in_match = true;
		jset(o, "left", expr_json(jc, e->binop.left));
		jc->in_match = false;
		jc->flag_or = strcmp(op, "in") != 0 && strcmp(op, "!") != 0;
		jc->flag_raw = jc->flag_or && b && b->etype != EXPR_BINOP;
		jset(o, "right", expr_json(jc, e->binop.right));
		jc->flag_raw = false;
		jc->flag_or = fo;
		return jwrap("match", o);
	}
	default:
		return json_null();
	}
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

static json_t *rate_json(json_t *o, const char *key, uint64_t bytes)
{
	uint64_t v;
	const char *unit = print_rate_unit(bytes, &v);
	char ukey[32];

	jset(o, key, json_integer(v));
	snprintf(ukey, sizeof(ukey), "%s_unit", key);
	jset(o, ukey, jstr(unit));
	return o;
}

static json_t *nat_json(struct jctx *jc, const struct stmt *s)
{
	static const char *const kinds[] = { "snat", "dnat", "masquerade", "redirect" };
	unsigned int fl = s->nat.flags;
	json_t *o = json_object(), *f = json_array();

	if (s->nat.family == NFPROTO_IPV4 || s->nat.family == NFPROTO_IPV6)
		jset(o, "family", jstr(s->nat.family == NFPROTO_IPV4 ? "ip" : "ip6"));
	if (s->nat.addr) {
		const struct expr *a = s->nat.addr;
		int plen;

		if (a->etype == EXPR_RANGE && a->range.left && a->range.right &&
		    a->range.left->dtype &&
		    (a->range.left->dtype->type == TYPE_IPADDR ||
		     a->range.left->dtype->type == TYPE_IP6ADDR) &&
		    (plen = print_range_prefix_len(a->range.left, a->range.right)) > 0) {
			json_t *p = json_object();

			jset(p, "addr", expr_json(jc, a->range.left));
			jset(p, "len", json_integer(plen));
			jset(o, "addr", jwrap("prefix", p));
		} else {
			jset(o, "addr", expr_json(jc, a));
		}
	}
	if (s->nat.proto)
		jset(o, "port", expr_json(jc, s->nat.proto));
	if (fl & NF_NAT_RANGE_PROTO_RANDOM)
		json_array_append_new(f, jstr("random"));
	if (fl & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		json_array_append_new(f, jstr("fully-random"));
	if (fl & NF_NAT_RANGE_PERSISTENT)
		json_array_append_new(f, jstr("persistent"));
	if (s->nat.type_flags & 0x1) /* prefix maps are netmaps for the kernel */
		json_array_append_new(f, jstr("netmap"));
	if (json_array_size(f))
		jset(o, "flags", json_incref(f));
	json_decref(f);
	if (s->nat.type_flags & 0x1) {
		json_t *tf = json_array();

		json_array_append_new(tf, json_string("prefix"));
		jset(o, "type_flags", tf);
	}
	if (!json_object_size(o)) {
		json_decref(o);
		o = NULL;
	}
	return jwrap(kinds[s->nat.kind], o);
}

static json_t *log_json(const struct stmt *s)
{
	static const char *const levels[] = { "emerg", "alert", "crit", "err", "warn",
					      "notice", "info", "debug", "audit" };
	unsigned int lf = s->log.logflags;
	json_t *o = json_object(), *f = json_array();

	if ((s->log.flags & LOG_F_PREFIX) && s->log.prefix)
		jset(o, "prefix", jstr(s->log.prefix));
	if (s->log.flags & LOG_F_GROUP)
		jset(o, "group", json_integer(s->log.group));
	if (s->log.flags & LOG_F_SNAPLEN)
		jset(o, "snaplen", json_integer(s->log.snaplen));
	if (s->log.flags & LOG_F_QTHRESHOLD)
		jset(o, "queue-threshold", json_integer(s->log.qthreshold));
	if ((s->log.flags & LOG_F_LEVEL) && s->log.level != NFT_LOGLEVEL_WARNING &&
	    s->log.level < 9)
		jset(o, "level", jstr(levels[s->log.level]));
	if ((lf & NF_LOG_MASK) == NF_LOG_MASK) {
		json_array_append_new(f, jstr("all"));
	} else {
		if (lf & NF_LOG_TCPSEQ)
			json_array_append_new(f, jstr("tcp sequence"));
		if (lf & NF_LOG_TCPOPT)
			json_array_append_new(f, jstr("tcp options"));
		if (lf & NF_LOG_IPOPT)
			json_array_append_new(f, jstr("ip options"));
		if (lf & NF_LOG_UID)
			json_array_append_new(f, jstr("skuid"));
		if (lf & NF_LOG_MACDECODE)
			json_array_append_new(f, jstr("ether"));
	}
	if (json_array_size(f))
		jset(o, "flags", json_incref(f));
	json_decref(f);
	if (!json_object_size(o)) {
		json_decref(o);
		o = NULL;
	}
	return jwrap("log", o);
}

static json_t *synproxy_flags_json(json_t *o, unsigned int fl, unsigned int mss,
				   unsigned int wscale)
{
	json_t *f = json_array();

	if ((fl & NF_SYNPROXY_OPT_MSS) || mss)
		jset(o, "mss", json_integer(mss));
	if ((fl & NF_SYNPROXY_OPT_WSCALE) || wscale)
		jset(o, "wscale", json_integer(wscale));
	if (fl & NF_SYNPROXY_OPT_TIMESTAMP)
		json_array_append_new(f, jstr("timestamp"));
	if (fl & NF_SYNPROXY_OPT_SACK_PERM)
		json_array_append_new(f, jstr("sack-perm"));
	if (json_array_size(f))
		jset(o, "flags", json_incref(f));
	json_decref(f);
	return o;
}

static json_t *stmt_json(struct jctx *jc, const struct stmt *s)
{
	json_t *o;

	switch (s->type) {
	case STMT_EXPRESSION:
		return expr_json(jc, s->expr);
	case STMT_VERDICT:
		if (s->expr && s->expr->etype == EXPR_MAP) {
			o = json_object();
			jset(o, "key", expr_json(jc, s->expr->map.key));
			jset(o, "data", expr_json(jc, s->expr->map.mappings));
			return jwrap("vmap", o);
		}
		return expr_json(jc, s->expr);
	case STMT_COUNTER:
		if (jc->octx.stateless)
			return jwrap("counter", NULL);
		o = json_object();
		jset(o, "packets", json_integer(s->counter.packets));
		jset(o, "bytes", json_integer(s->counter.bytes));
		return jwrap("counter", o);
	case STMT_LOG:
		return log_json(s);
	case STMT_LIMIT: {
		uint32_t burst = s->limit.burst;

		o = json_object();
		if (s->limit.type == NFT_LIMIT_PKT_BYTES) {
			rate_json(o, "rate", s->limit.rate);
			rate_json(o, "burst", burst);
		} else {
			jset(o, "rate", json_integer(s->limit.rate));
			jset(o, "burst", json_integer(burst ? burst : 5));
		}
		jset(o, "per", jstr(print_time_unit(s->limit.unit)));
		if (s->limit.flags & NFT_LIMIT_F_INV)
			jset(o, "inv", json_true());
		return jwrap("limit", o);
	}
	case STMT_QUOTA:
		o = json_object();
		rate_json(o, "val", s->quota.bytes);
		if (s->quota.used && !jc->octx.stateless)
			rate_json(o, "used", s->quota.used);
		if (s->quota.flags & NFT_QUOTA_F_INV)
			jset(o, "inv", json_true());
		return jwrap("quota", o);
	case STMT_REJECT:
		if (s->reject.type == NFT_REJECT_TCP_RST) {
			o = json_object();
			jset(o, "type", jstr("tcp reset"));
			return jwrap("reject", o);
		}
		if (s->reject.icmp_code < 0)
			return jwrap("reject", NULL);
		o = json_object();
		if (s->reject.type == NFT_REJECT_ICMPX_UNREACH)
			jset(o, "type", jstr("icmpx"));
		else
			jset(o, "type", jstr((s->reject.family ? s->reject.family : jc->family) ==
							     NFPROTO_IPV6
						     ? "icmpv6"
						     : "icmp"));
		{
			unsigned int kind = s->reject.type == NFT_REJECT_ICMPX_UNREACH ? 2
					    : (s->reject.family ? s->reject.family : jc->family) ==
							    NFPROTO_IPV6
						    ? 1
						    : 0;
			const char *name = print_reject_code_name(kind, s->reject.icmp_code);

			jset(o, "expr", name ? jstr(name) : json_integer(s->reject.icmp_code));
		}
		return jwrap("reject", o);
	case STMT_NAT:
		return nat_json(jc, s);
	case STMT_META:
	case STMT_CT:
	case STMT_PAYLOAD:
	case STMT_EXTHDR: {
		struct expr key;

		o = json_object();
		if (s->type == STMT_META) {
			memset(&key, 0, sizeof(key));
			key.etype = EXPR_META;
			key.meta.key = s->meta.key;
			jset(o, "key", expr_json(jc, &key));
			jset(o, "value", expr_json(jc, s->meta.expr));
		} else if (s->type == STMT_CT) {
			memset(&key, 0, sizeof(key));
			key.etype = EXPR_CT;
			key.ct.key = s->ct.key;
			key.ct.direction = s->ct.direction;
			jset(o, "key", expr_json(jc, &key));
			jset(o, "value", expr_json(jc, s->ct.expr));
		} else {
			jset(o, "key", expr_json(jc, s->payload.expr));
			jset(o, "value", expr_json(jc, s->payload.val));
		}
		return jwrap("mangle", o);
	}
	case STMT_DUP:
		o = json_object();
		if (s->dup.to)
			jset(o, "addr", expr_json(jc, s->dup.to));
		if (s->dup.dev)
			jset(o, "dev", expr_json(jc, s->dup.dev));
		return jwrap("dup", o);
	case STMT_FWD:
		o = json_object();
		jset(o, "dev", expr_json(jc, s->fwd.dev));
		if (s->fwd.to) {
			jset(o, "addr", expr_json(jc, s->fwd.to));
			jset(o, "family", jstr(print_family_name(s->fwd.family)));
		}
		return jwrap("fwd", o);
	case STMT_QUEUE: {
		json_t *f = json_array();

		o = json_object();
		jset(o, "num", s->queue.queue ? expr_json(jc, s->queue.queue) : json_integer(0));
		if (s->queue.flags & NFT_QUEUE_FLAG_BYPASS)
			json_array_append_new(f, jstr("bypass"));
		if (s->queue.flags & NFT_QUEUE_FLAG_CPU_FANOUT)
			json_array_append_new(f, jstr("fanout"));
		if (json_array_size(f))
			jset(o, "flags", json_incref(f));
		json_decref(f);
		if (!json_object_size(o)) {
			json_decref(o);
			o = NULL;
		}
		return jwrap("queue", o);
	}
	case STMT_SYNPROXY:
		o = synproxy_flags_json(json_object(), s->synproxy.flags, s->synproxy.mss,
					s->synproxy.wscale);
		if (!json_object_size(o)) {
			json_decref(o);
			o = NULL;
		}
		return jwrap("synproxy", o);
	case STMT_TPROXY:
		o = json_object();
		if (s->tproxy.family)
			jset(o, "family", jstr(print_family_name(s->tproxy.family)));
		if (s->tproxy.addr)
			jset(o, "addr", expr_json(jc, s->tproxy.addr));
		if (s->tproxy.port)
			jset(o, "port", expr_json(jc, s->tproxy.port));
		return jwrap("tproxy", o);
	case STMT_SET:
	case STMT_MAP: {
		static const char *const ops[] = { "add", "update", "delete" };
		json_t *st = json_array();
		const struct stmt *i;

		bool sl = jc->octx.stateless;

		o = json_object();
		jset(o, "op", jstr(s->set.op < 3 ? ops[s->set.op] : "add"));
		jset(o, "elem", expr_json(jc, s->set.key));
		if (s->type == STMT_MAP)
			jset(o, "data", expr_json(jc, s->set.data));
		jset(o, s->type == STMT_MAP ? "map" : "set", expr_json(jc, s->set.set));
		jc->octx.stateless = true;
		list_for_each_entry(i, &s->set.stmts, list)
			json_array_append_new(st, stmt_json(jc, i));
		jc->octx.stateless = sl;
		if (json_array_size(st))
			jset(o, "stmt", st);
		else
			json_decref(st);
		return jwrap(s->type == STMT_MAP ? "map" : "set", o);
	}
	case STMT_OBJREF:
		if (s->objref.type == NFT_OBJECT_SECMARK && s->objref.expr &&
		    s->objref.expr->etype != EXPR_VALUE && s->objref.expr->etype != EXPR_SYMBOL &&
		    s->objref.expr->etype != EXPR_MAP) {
			struct expr key;

			/* meta secmark set ct secmark */
			memset(&key, 0, sizeof(key));
			key.etype = EXPR_META;
			key.meta.key = NFT_META_SECMARK;
			o = json_object();
			jset(o, "key", expr_json(jc, &key));
			jset(o, "value", expr_json(jc, s->objref.expr));
			return jwrap("mangle", o);
		}
		return jwrap(print_obj_type_name(s->objref.type), expr_json(jc, s->objref.expr));
	case STMT_NOTRACK:
		return jwrap("notrack", NULL);
	case STMT_FLOW_OFFLOAD: {
		char buf[300];

		o = json_object();
		jset(o, "op", jstr("add"));
		snprintf(buf, sizeof(buf), "@%s", s->flow.table_name ? s->flow.table_name : "");
		jset(o, "flowtable", jstr(buf));
		return jwrap("flow", o);
	}
	case STMT_LAST:
		if (jc->octx.stateless || !s->last.set)
			return jwrap("last", NULL);
		o = json_object();
		jset(o, "used", json_integer(s->last.msecs));
		return jwrap("last", o);
	case STMT_CONNLIMIT:
		o = json_object();
		jset(o, "val", json_integer(s->connlimit.count));
		if (s->connlimit.flags & NFT_CONNLIMIT_F_INV)
			jset(o, "inv", json_true());
		return jwrap("ct count", o);
	case STMT_OPTSTRIP: {
		json_t *x = expr_json(jc, s->expr), *t = json_object_get(x, "tcp option");

		/* a stripped option has no length */
		if (t && json_object_get(t, "len"))
			json_object_set_new(t, "len", json_integer(0));
		return jwrap("reset", x);
	}
	case STMT_XT:
		o = json_object();
		jset(o, "type", jstr(s->xt.kind == 0 ? "match" : s->xt.kind == 1 ? "target" : "watcher"));
		jset(o, "name", jstr(s->xt.name));
		return jwrap("xt", o);
	default:
		return json_null();
	}
}

/* ------------------------------------------------------------------ */
/* Ruleset objects                                                     */

static json_t *head_json(const struct handle *h, bool with_table, const char *name_key,
			 const char *name)
{
	json_t *o = json_object();

	jset(o, "family", jstr(print_family_name(h->family)));
	if (with_table)
		jset(o, "table", jstr(h->table));
	jset(o, name_key, jstr(name));
	return o;
}

static json_t *table_json(const struct table *t)
{
	static const char *const names[] = { "dormant", "owner", "persist" };
	json_t *o = head_json(&t->handle, false, "name", t->handle.table);
	unsigned int i;

	jset(o, "handle", json_integer(t->handle.handle.id));
	if (t->flags) {
		json_t *f = json_array();

		for (i = 0; i < 3; i++)
			if (t->flags & (1u << i))
				json_array_append_new(f, jstr(names[i]));
		jset(o, "flags", f);
	}
	if (t->comment)
		jset(o, "comment", jstr(t->comment));
	return jwrap("table", o);
}

static json_t *devices_json(char **devs, unsigned int n)
{
	json_t *a;
	unsigned int i;

	if (n == 1)
		return jstr(devs[0]);
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, jstr(devs[i]));
	return a;
}

static json_t *chain_json(const struct chain *c)
{
	json_t *o = head_json(&c->handle, true, "name", c->handle.chain);

	jset(o, "handle", json_integer(c->handle.handle.id));
	if (c->comment)
		jset(o, "comment", jstr(c->comment));
	if (c->flags & CHAIN_F_BASECHAIN) {
		jset(o, "type", jstr(c->type));
		jset(o, "hook", jstr(c->hookstr ? c->hookstr
						: print_hook_name(c->handle.family, c->hooknum)));
		jset(o, "prio", json_integer(c->prio));
		jset(o, "policy", jstr(c->policy_verdict == VERDICT_DROP ? "drop" : "accept"));
		if (c->dev_count)
			jset(o, "dev", devices_json(c->devices, c->dev_count));
	}
	return jwrap("chain", o);
}

static json_t *type_json(const struct expr *key)
{
	const struct datatype *d = key ? key->dtype : NULL;

	if (key && key->etype == EXPR_CONCAT) {
		json_t *a = json_array();
		const struct expr *i;

		list_for_each_entry(i, &EXPR_COMPOUND(key).expressions, list)
			json_array_append_new(a, type_json(i));
		return a;
	}
	if (d && d->subtypes > 1 && d->name) {
		/* "ipv4_addr . inet_service" -> ["ipv4_addr", "inet_service"] */
		json_t *a = json_array();
		const char *p = d->name, *q;

		while ((q = strstr(p, " . "))) {
			json_array_append_new(a, json_stringn(p, q - p));
			p = q + 3;
		}
		json_array_append_new(a, jstr(p));
		return a;
	}
	return jstr(d && d->name ? d->name : "invalid");
}

static json_t *set_json(struct jctx *jc, const struct set *s)
{
	json_t *o = head_json(&s->handle, false, "name", s->handle.set), *f;
	bool map = s->flags & (NFT_SET_MAP | NFT_SET_OBJECT);

	/* nft puts the table after the name for sets */
	jset(o, "table", jstr(s->handle.table));
	if (s->key_typeof && s->key)
		jset(o, "type", jwrap("typeof", expr_json(jc, s->key)));
	else
		jset(o, "type", type_json(s->key));
	jset(o, "handle", json_integer(s->handle.handle.id));
	if (s->flags & NFT_SET_OBJECT)
		jset(o, "map", jstr(print_obj_type_name(s->objtype)));
	else if (s->flags & NFT_SET_MAP)
		jset(o, "map", type_json(s->data));
	if (s->policy == NFT_SET_POL_MEMORY)
		jset(o, "policy", jstr("memory"));
	/* nft 1.1.6 writes size before flags (tests/shell json dumps) */
	if (s->size)
		jset(o, "size", json_integer(s->size));
	f = json_array();
	if (s->flags & NFT_SET_CONSTANT)
		json_array_append_new(f, jstr("constant"));
	if (s->flags & NFT_SET_INTERVAL)
		json_array_append_new(f, jstr("interval"));
	if (s->flags & NFT_SET_TIMEOUT)
		json_array_append_new(f, jstr("timeout"));
	if (s->flags & NFT_SET_EVAL)
		json_array_append_new(f, jstr("dynamic"));
	if (json_array_size(f))
		jset(o, "flags", json_incref(f));
	json_decref(f);
	if (s->timeout)
		jset(o, "timeout", json_integer(s->timeout / 1000));
	if (s->gc_int)
		jset(o, "gc-interval", json_integer(s->gc_int / 1000));
	if (s->comment)
		jset(o, "comment", jstr(s->comment));
	if (s->automerge)
		jset(o, "auto-merge", json_true());
	if (!list_empty(&s->stmts)) {
		json_t *st = json_array();
		const struct stmt *i;
		bool sl = jc->octx.stateless;

		jc->octx.stateless = true;
		list_for_each_entry(i, &s->stmts, list)
			json_array_append_new(st, stmt_json(jc, i));
		jc->octx.stateless = sl;
		jset(o, "stmt", st);
	}
	if (s->init && !jc->octx.terse && !list_empty(&EXPR_COMPOUND(s->init).expressions)) {
		jc->flag_or = true;
		jset(o, "elem", list_json(jc, s->init));
		jc->flag_or = false;
	}
	return jwrap(map ? "map" : "set", o);
}

static json_t *obj_json(struct jctx *jc, const struct obj *obj)
{
	json_t *o = head_json(&obj->handle, false, "name", obj->handle.set);

	jset(o, "table", jstr(obj->handle.table));
	jset(o, "handle", json_integer(obj->handle.handle.id));
	if (obj->comment)
		jset(o, "comment", jstr(obj->comment));
	switch (obj->type) {
	case NFT_OBJECT_COUNTER:
		if (!jc->octx.stateless) {
			jset(o, "packets", json_integer(obj->counter.packets));
			jset(o, "bytes", json_integer(obj->counter.bytes));
		}
		break;
	case NFT_OBJECT_QUOTA:
		jset(o, "bytes", json_integer(obj->quota.bytes));
		jset(o, "used", json_integer(jc->octx.stateless ? 0 : obj->quota.used));
		jset(o, "inv", json_boolean(obj->quota.flags & NFT_QUOTA_F_INV));
		break;
	case NFT_OBJECT_LIMIT:
		if (obj->limit.type == NFT_LIMIT_PKT_BYTES) {
			rate_json(o, "rate", obj->limit.rate);
			if (obj->limit.burst)
				rate_json(o, "burst", obj->limit.burst);
		} else {
			jset(o, "rate", json_integer(obj->limit.rate));
			jset(o, "burst", json_integer(obj->limit.burst));
		}
		jset(o, "per", jstr(print_time_unit(obj->limit.unit)));
		if (obj->limit.flags & NFT_LIMIT_F_INV)
			jset(o, "inv", json_true());
		break;
	case NFT_OBJECT_CT_HELPER:
		jset(o, "type", jstr(obj->ct_helper.name));
		jset(o, "protocol", jstr(obj->ct_helper.l4proto == 6 ? "tcp" : "udp"));
		jset(o, "l3proto", jstr(print_family_name(obj->ct_helper.l3proto)));
		break;
	case NFT_OBJECT_SECMARK:
		jset(o, "context", jstr(obj->secmark.ctx));
		break;
	case NFT_OBJECT_SYNPROXY:
		synproxy_flags_json(o, obj->synproxy.flags, obj->synproxy.mss,
				    obj->synproxy.wscale);
		break;
	case NFT_OBJECT_CT_EXPECT:
		jset(o, "protocol", jstr(obj->ct_expect.l4proto == 6 ? "tcp" : "udp"));
		jset(o, "dport", json_integer(obj->ct_expect.dport));
		jset(o, "timeout", json_integer(obj->ct_expect.timeout));
		jset(o, "size", json_integer(obj->ct_expect.size));
		jset(o, "l3proto", jstr(print_family_name(obj->ct_expect.l3proto)));
		break;
	case NFT_OBJECT_CT_TIMEOUT: {
		const struct timeout_state *ts;
		json_t *p = json_object();

		jset(o, "protocol", jstr(obj->ct_timeout.l4proto == 6 ? "tcp" : "udp"));
		jset(o, "l3proto", jstr(print_family_name(obj->ct_timeout.l3proto)));
		list_for_each_entry(ts, &obj->ct_timeout.timeout_list, head)
			jset(p, ts->state_str, json_integer(ts->timeout));
		jset(o, "policy", p);
		break;
	}
	default:
		break;
	}
	return jwrap(print_obj_type_name(obj->type), o);
}

static json_t *flowtable_json(const struct flowtable *ft)
{
	json_t *o = head_json(&ft->handle, true, "name", ft->handle.set);

	jset(o, "handle", json_integer(ft->handle.handle.id));
	jset(o, "hook", jstr(ft->hookstr ? ft->hookstr : "ingress"));
	jset(o, "prio", json_integer(ft->prio));
	if (ft->dev_count)
		jset(o, "dev", devices_json(ft->devices, ft->dev_count));
	if (ft->flags & NFT_FLOWTABLE_HW_OFFLOAD)
		jset(o, "flags", jstr("offload"));
	return jwrap("flowtable", o);
}

static json_t *rule_json(struct jctx *jc, const struct chain *c, const struct rule *r)
{
	json_t *o = json_object(), *a = json_array();
	const struct stmt *s;
	unsigned int n = 0, i = 0;
	const struct stmt **stmts;
	unsigned int *nfp, *perm;
	bool *hide;

	jset(o, "family", jstr(print_family_name(c->handle.family)));
	jset(o, "table", jstr(c->handle.table));
	jset(o, "chain", jstr(c->handle.chain));
	jset(o, "handle", json_integer(r->handle.handle.id));
	if (r->comment)
		jset(o, "comment", jstr(r->comment));
	list_for_each_entry(s, &r->stmts, list)
		n++;
	hide = calloc(n + 1, sizeof(*hide));
	nfp = calloc(n + 1, sizeof(*nfp));
	perm = calloc(n + 1, sizeof(*perm));
	stmts = calloc(n + 1, sizeof(*stmts));
	if (hide && nfp && perm && stmts) {
		print_rule_hidden_deps(r, jc->family, hide, nfp);
		print_rule_order(r, perm, n);
		list_for_each_entry(s, &r->stmts, list)
			stmts[i++] = s;
		for (i = 0; i < n; i++) {
			s = stmts[perm[i]];
			if ((s->type == STMT_EXPRESSION && s->expr &&
			     (s->expr->flags & EXPR_F_IMPLICIT_DEP)) ||
			    hide[perm[i]])
				continue;
			json_array_append_new(a, stmt_json(jc, s));
		}
	} else {
		list_for_each_entry(s, &r->stmts, list)
			json_array_append_new(a, stmt_json(jc, s));
	}
	free(hide);
	free(nfp);
	free(perm);
	free(stmts);
	jset(o, "expr", a);
	return jwrap("rule", o);
}

static json_t *metainfo_json(void)
{
	json_t *o = json_object();

	jset(o, "version", jstr(BNFT_JSON_VERSION));
	jset(o, "release_name", jstr(BNFT_JSON_RELEASE));
	jset(o, "json_schema_version", json_integer(1));
	return jwrap("metainfo", o);
}

static void table_items_json(json_t *root, const struct table *t, const struct output_ctx *octx)
{
	const struct chain *c;
	const struct set *s;
	const struct obj *obj;
	const struct flowtable *ft;
	const struct rule *r;
	struct jctx jc;

	memset(&jc, 0, sizeof(jc));
	if (octx)
		jc.octx = *octx;
	jc.family = t->handle.family;
	json_array_append_new(root, table_json(t));
	list_for_each_entry(c, &t->chains, list)
		if (!(c->flags & CHAIN_F_BINDING))
			json_array_append_new(root, chain_json(c));
	list_for_each_entry(obj, &t->objs, list)
		json_array_append_new(root, obj_json(&jc, obj));
	list_for_each_entry(s, &t->sets, list)
		if (!(s->flags & NFT_SET_ANONYMOUS))
			json_array_append_new(root, set_json(&jc, s));
	list_for_each_entry(ft, &t->flowtables, list)
		json_array_append_new(root, flowtable_json(ft));
	list_for_each_entry(c, &t->chains, list)
		list_for_each_entry(r, &c->rules, list)
			json_array_append_new(root, rule_json(&jc, c, r));
}

/* {"nftables": [metainfo, items...]} printed as one line */
static void print_root(json_t *items, struct outbuf *o)
{
	json_t *top = json_object();
	char *txt;

	json_array_insert_new(items, 0, metainfo_json());
	json_object_set_new(top, "nftables", items);
	txt = json_dumps(top, JSON_PRESERVE_ORDER);
	if (txt) {
		outbuf_puts(o, txt);
		outbuf_puts(o, "\n");
		free(txt);
	} else {
		o->err = -ENOMEM;
	}
	json_decref(top);
}

void bnft_print_table_json(const struct table *t, const struct output_ctx *octx, struct outbuf *o)
{
	json_t *items = json_array();

	table_items_json(items, t, octx);
	print_root(items, o);
}

void bnft_print_list_chain_json(const struct table *t, const struct chain *c,
				const struct output_ctx *octx, struct outbuf *o)
{
	json_t *items = json_array();
	const struct rule *r;
	struct jctx jc;

	memset(&jc, 0, sizeof(jc));
	if (octx)
		jc.octx = *octx;
	jc.family = t->handle.family;
	if (c) {
		json_array_append_new(items, chain_json(c));
		list_for_each_entry(r, &c->rules, list)
			json_array_append_new(items, rule_json(&jc, c, r));
	}
	print_root(items, o);
}

void bnft_print_list_set_json(const struct table *t, const struct set *s,
			      const struct output_ctx *octx, struct outbuf *o)
{
	json_t *items = json_array();
	struct jctx jc;

	memset(&jc, 0, sizeof(jc));
	if (octx)
		jc.octx = *octx;
	jc.family = t->handle.family;
	json_array_append_new(items, set_json(&jc, s));
	print_root(items, o);
}

/* list tables|chains|sets|maps|meters [family] with -j: the objects alone,
 * as nft -j lists them (sets with their elements). */
void bnft_print_list_plural_json(const struct bnft_ruleset *rs, unsigned int family,
				 enum cmd_obj obj, const struct output_ctx *octx, struct outbuf *o)
{
	json_t *items = json_array();
	const struct table *t;
	const struct chain *c;
	const struct set *s;
	struct jctx jc;

	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		if (obj == CMD_OBJ_TABLES) {
			json_array_append_new(items, table_json(t));
			continue;
		}
		if (obj == CMD_OBJ_CHAINS) {
			list_for_each_entry(c, &t->chains, list)
				if (!(c->flags & CHAIN_F_BINDING))
					json_array_append_new(items, chain_json(c));
			continue;
		}
		memset(&jc, 0, sizeof(jc));
		if (octx)
			jc.octx = *octx;
		jc.family = t->handle.family;
		list_for_each_entry(s, &t->sets, list) {
			bool anon = s->flags & NFT_SET_ANONYMOUS;
			bool map = s->flags & NFT_SET_MAP;

			if (obj == CMD_OBJ_SETS && (anon || map))
				continue;
			if (obj == CMD_OBJ_MAPS && (anon || !map))
				continue;
			if (obj == CMD_OBJ_METERS && !(s->flags & NFT_SET_EVAL))
				continue;
			json_array_append_new(items, set_json(&jc, s));
		}
	}
	print_root(items, o);
}

struct json_t *bnft_json_ruleset(const struct bnft_ruleset *rs, unsigned int family,
				 const struct output_ctx *octx)
{
	json_t *root = json_array(), *top;
	const struct table *t;

	json_array_append_new(root, metainfo_json());
	list_for_each_entry(t, &rs->tables, list) {
		if (family && t->handle.family != family)
			continue;
		table_items_json(root, t, octx);
	}
	top = json_object();
	json_object_set_new(top, "nftables", root);
	return top;
}

void bnft_print_ruleset_json(const struct bnft_ruleset *rs, unsigned int family,
			     const struct output_ctx *octx, struct outbuf *o)
{
	json_t *j = bnft_json_ruleset(rs, family, octx);
	char *txt = j ? json_dumps(j, JSON_PRESERVE_ORDER) : NULL;

	if (txt) {
		outbuf_puts(o, txt);
		outbuf_puts(o, "\n");
		free(txt);
	} else {
		o->err = -ENOMEM;
	}
	json_decref(j);
}

struct json_t *bnft_json_rule(const struct chain *c, const struct rule *r,
			      const struct output_ctx *octx)
{
	struct jctx jc;

	memset(&jc, 0, sizeof(jc));
	if (octx)
		jc.octx = *octx;
	jc.family = c->handle.family;
	return rule_json(&jc, c, r);
}
