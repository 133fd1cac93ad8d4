// SPDX-License-Identifier: GPL-2.0
/*
 * Expression printing, in the forms `nft list` of nftables 1.1 uses:
 * relational operators only where nft writes them, binop parentheses by
 * precedence, concatenations joined by " . ", anonymous sets on one line and
 * named set elements wrapped the way nftables' calculate_delim() wraps them.
 */
#include <inttypes.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/print.h"
#include "parser/proto.h"

void print_ctx_init(struct print_ctx *pc, const struct output_ctx *octx, struct outbuf *o,
		    unsigned int family)
{
	memset(pc, 0, sizeof(*pc));
	if (octx)
		pc->octx = *octx;
	pc->o = o;
	pc->family = family;
}

const char *print_family_name(unsigned int family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_NETDEV:
		return "netdev";
	case NFPROTO_ARP:
		return "arp";
	case NFPROTO_BRIDGE:
		return "bridge";
	}
	return "unknown";
}

void print_time(struct print_ctx *pc, uint64_t ms)
{
	uint64_t d, h, m, s;

	if (octx_numeric_time(&pc->octx)) {
		outbuf_printf(pc->o, "%" PRIu64 "s", ms / 1000);
		return;
	}
	d = ms / 86400000;
	ms %= 86400000;
	h = ms / 3600000;
	ms %= 3600000;
	m = ms / 60000;
	ms %= 60000;
	s = ms / 1000;
	ms %= 1000;
	if (d)
		outbuf_printf(pc->o, "%" PRIu64 "d", d);
	if (h)
		outbuf_printf(pc->o, "%" PRIu64 "h", h);
	if (m)
		outbuf_printf(pc->o, "%" PRIu64 "m", m);
	if (s)
		outbuf_printf(pc->o, "%" PRIu64 "s", s);
	if (ms)
		outbuf_printf(pc->o, "%" PRIu64 "ms", ms);
}

/* Raw value fallback for constants without a datatype: hex, as integers
 * without a symbol table print in nft. */
static void print_raw_value(struct print_ctx *pc, const struct expr *e)
{
	unsigned int n = (e->value.len + 7) / 8, i;

	if (n == 0 || n > BNFT_VALUE_MAX) {
		outbuf_puts(pc->o, "0x0");
		return;
	}
	outbuf_puts(pc->o, "0x");
	if (e->byteorder == BYTEORDER_HOST_ENDIAN) {
		for (i = n; i-- > 0;)
			outbuf_printf(pc->o, "%02x", e->value.data[i]);
	} else {
		for (i = 0; i < n; i++)
			outbuf_printf(pc->o, "%02x", e->value.data[i]);
	}
}

static void print_string_value(struct print_ctx *pc, const struct expr *e)
{
	char buf[BNFT_VALUE_MAX + 1];
	unsigned int n = (e->value.len + 7) / 8;

	if (n > BNFT_VALUE_MAX)
		n = BNFT_VALUE_MAX;
	memcpy(buf, e->value.data, n);
	buf[n] = '\0';
	outbuf_puts(pc->o, buf);
}

/* A jump/goto target: a string constant once evaluated, else as written. */
static void print_chain_name(struct print_ctx *pc, const struct expr *e)
{
	switch (e->etype) {
	case EXPR_VALUE:
		print_string_value(pc, e);
		break;
	case EXPR_SYMBOL:
		outbuf_puts(pc->o, e->sym.identifier);
		break;
	default:
		print_expr(pc, e);
		break;
	}
}

/* "jump { rules }": the anonymous chain's rules one level deeper, as nft's
 * chain_rules_print() with an indent. */
static void print_binding_chain(struct print_ctx *pc, const struct chain *c)
{
	const struct rule *r;
	unsigned int i;

	bool handle = pc->octx.handle;

	/* rules of anonymous chains list without handles */
	pc->octx.handle = false;
	outbuf_puts(pc->o, "{\n");
	pc->indent++;
	list_for_each_entry(r, &c->rules, list) {
		outbuf_puts(pc->o, "\t\t");
		for (i = 0; i < pc->indent; i++)
			outbuf_puts(pc->o, "\t");
		print_rule(pc, r);
		outbuf_puts(pc->o, "\n");
	}
	pc->indent--;
	pc->octx.handle = handle;
	outbuf_puts(pc->o, "\t\t");
	for (i = 0; i < pc->indent; i++)
		outbuf_puts(pc->o, "\t");
	outbuf_puts(pc->o, "}");
}

static void print_verdict(struct print_ctx *pc, const struct expr *e)
{
	switch (e->verdict.code) {
	case VERDICT_ACCEPT:
		outbuf_puts(pc->o, "accept");
		break;
	case VERDICT_DROP:
		outbuf_puts(pc->o, "drop");
		break;
	case VERDICT_QUEUE:
		outbuf_puts(pc->o, "queue");
		break;
	case VERDICT_CONTINUE:
		outbuf_puts(pc->o, "continue");
		break;
	case VERDICT_BREAK:
		outbuf_puts(pc->o, "break");
		break;
	case VERDICT_RETURN:
		outbuf_puts(pc->o, "return");
		break;
	case VERDICT_JUMP:
	case VERDICT_GOTO:
		outbuf_puts(pc->o, e->verdict.code == VERDICT_JUMP ? "jump " : "goto ");
		if (e->verdict.binding) {
			print_binding_chain(pc, e->verdict.binding);
			break;
		}
		if (e->verdict.chain)
			print_chain_name(pc, e->verdict.chain);
		break;
	default:
		outbuf_printf(pc->o, "unknown verdict %d", e->verdict.code);
		break;
	}
}

static bool is_bitmask_value(const struct expr *e);

static unsigned int popcount_value(const struct expr *e)
{
	unsigned int n = (e->value.len + 7) / 8, i, c = 0;

	for (i = 0; i < n && i < BNFT_VALUE_MAX; i++)
		c += __builtin_popcount(e->value.data[i]);
	return c;
}

static void print_value(struct print_ctx *pc, const struct expr *e)
{
	if (is_bitmask_value(e) && popcount_value(e) > 1 && !pc->flag_raw) {
		const char *sep = pc->flag_sep ? pc->flag_sep : ",";
		bool paren = pc->flag_paren && strcmp(sep, ",");

		if (paren)
			outbuf_puts(pc->o, "(");
		datatype_print_flags(e, sep, &pc->octx, pc->o);
		if (paren)
			outbuf_puts(pc->o, ")");
		return;
	}
	if (e->dtype && e->dtype->type == TYPE_VERDICT && e->value.len == 0) {
		outbuf_puts(pc->o, "verdict");
		return;
	}
	if (e->dtype) {
		datatype_print(e, &pc->octx, pc->o);
		return;
	}
	print_raw_value(pc, e);
}

static const char *const payload_base_tokens[] = {
	[PAYLOAD_LL] = "ll", [PAYLOAD_NETWORK] = "nh", [PAYLOAD_TRANSPORT] = "th",
	[PAYLOAD_INNER] = "ih", [PAYLOAD_TUN] = "tun",
};

static void print_payload(struct print_ctx *pc, const struct expr *e)
{
	const struct proto_desc *desc = e->payload.desc;
	const char *token = NULL;

	if (e->payload.inner && e->payload.inner_desc && e->payload.inner_desc != desc)
		outbuf_printf(pc->o, "%s ", e->payload.inner_desc->name);

	if (e->payload.tmpl)
		token = e->payload.tmpl->token;
	else if (desc && e->payload.field < PROTO_FIELDS_MAX)
		token = desc->templates[e->payload.field].token;

	if (!e->payload.is_raw && desc && token) {
		outbuf_printf(pc->o, "%s %s", desc->name, token);
		return;
	}
	outbuf_printf(pc->o, "@%s,%u,%u",
		      e->payload.base <= PAYLOAD_TUN ? payload_base_tokens[e->payload.base] : "unknown",
		      e->payload.offset, e->len);
}

static const char *exthdr_token(const struct expr *e)
{
	const struct proto_desc *d = e->exthdr.desc;
	unsigned int i;

	/* a field told by its offset (srh sid[2]) may sit on the first
	 * template of its kind: name it by the offset when one matches */
	if (d && e->exthdr.tmpl && e->exthdr.tmpl->offset != e->exthdr.offset) {
		for (i = 1; i < PROTO_FIELDS_MAX; i++) {
			const struct proto_hdr_template *t = &d->templates[i];

			if (t->token && t->offset == e->exthdr.offset && (!e->len || t->len == e->len))
				return t->token;
		}
	}
	if (e->exthdr.tmpl)
		return e->exthdr.tmpl->token;
	if (e->exthdr.desc && e->exthdr.field < PROTO_FIELDS_MAX)
		return e->exthdr.desc->templates[e->exthdr.field].token;
	return NULL;
}

static void print_exthdr(struct print_ctx *pc, const struct expr *e)
{
	const char *name = e->exthdr.desc ? e->exthdr.desc->name : "unknown-exthdr";
	const char *token = exthdr_token(e);

	switch (e->exthdr.op) {
	case EXTHDR_OP_TCPOPT:
		if (!e->exthdr.desc) {
			unsigned int kind = e->exthdr.type ? e->exthdr.type : e->exthdr.raw_type;

			if (e->exthdr.exists_only || (!e->len && !e->exthdr.offset))
				outbuf_printf(pc->o, "tcp option %u", kind);
			else
				outbuf_printf(pc->o, "tcp option @%u,%u,%u", kind, e->exthdr.offset,
					      e->len);
			return;
		}
		outbuf_printf(pc->o, "tcp option %s", name);
		if (e->exthdr.exists_only)
			return;
		/* sack blocks 1..3 share the sack template, told by offset */
		if (!strcmp(name, "sack") && e->exthdr.offset / 64)
			outbuf_printf(pc->o, "%u", e->exthdr.offset / 64);
		if (token)
			outbuf_printf(pc->o, " %s", token);
		return;
	case EXTHDR_OP_IPV4:
		outbuf_printf(pc->o, "ip option %s", name);
		if (!e->exthdr.exists_only && token)
			outbuf_printf(pc->o, " %s", token);
		return;
	case EXTHDR_OP_SCTP:
		outbuf_printf(pc->o, "sctp chunk %s", name);
		if (!e->exthdr.exists_only && token)
			outbuf_printf(pc->o, " %s", token);
		return;
	case EXTHDR_OP_DCCP:
		outbuf_printf(pc->o, "dccp option %u", e->exthdr.raw_type);
		return;
	case EXTHDR_OP_IPV6:
	default:
		if (e->exthdr.exists_only)
			outbuf_printf(pc->o, "exthdr %s", name);
		else if (!strcmp(name, "srh") && token && !strcmp(token, "sid"))
			/* segment n of the list, 128 bits each after 8 bytes */
			outbuf_printf(pc->o, "srh sid[%u]",
				      e->exthdr.offset >= 64 ? (e->exthdr.offset - 64) / 128 + 1 : 1);
		else
			outbuf_printf(pc->o, "%s %s", name, token ? token : "unknown");
		return;
	}
}

static void print_meta(struct print_ctx *pc, const struct expr *e)
{
	const struct key_template *t = meta_template(e->meta.key);
	const char *token = t && t->token ? t->token : "unknown";

	if (meta_key_is_unqualified(e->meta.key))
		outbuf_puts(pc->o, token);
	else
		outbuf_printf(pc->o, "meta %s", token);
}

static const char *ct_dir_name(int dir)
{
	return dir == 0 ? "original" : dir == 1 ? "reply" : "unknown";
}

/* Keys for which the kernel reports a direction back: for others (ct
 * original protocol) the listing has none. */
bool ct_key_keeps_dir(unsigned int key)
{
	switch (key) {
	case NFT_CT_SRC:
	case NFT_CT_DST:
	case NFT_CT_SRC_IP:
	case NFT_CT_DST_IP:
	case NFT_CT_SRC_IP6:
	case NFT_CT_DST_IP6:
	case NFT_CT_PROTO_SRC:
	case NFT_CT_PROTO_DST:
	case NFT_CT_PKTS:
	case NFT_CT_BYTES:
	case NFT_CT_AVGPKT:
	case NFT_CT_ZONE:
		return true;
	}
	return false;
}

static void print_ct(struct print_ctx *pc, const struct expr *e)
{
	const struct key_template *t = ct_template(e->ct.key);
	const char *token = t && t->token ? t->token : "unknown";

	outbuf_puts(pc->o, "ct ");
	if (e->ct.direction >= 0 && ct_key_keeps_dir(e->ct.key))
		outbuf_printf(pc->o, "%s ", ct_dir_name(e->ct.direction));
	if ((e->ct.key == NFT_CT_SRC || e->ct.key == NFT_CT_DST) &&
	    (e->ct.nfproto || pc->dep_nfproto))
		outbuf_printf(pc->o, "%s ",
			      (e->ct.nfproto ? e->ct.nfproto : pc->dep_nfproto) == NFPROTO_IPV6 ? "ip6"
											  : "ip");
	outbuf_puts(pc->o, token);
}

static void print_rt(struct print_ctx *pc, const struct expr *e)
{
	switch (e->rt.key) {
	case NFT_RT_CLASSID:
		outbuf_puts(pc->o, "rt classid");
		break;
	case NFT_RT_NEXTHOP4:
		outbuf_puts(pc->o, "rt ip nexthop");
		break;
	case NFT_RT_NEXTHOP6:
		outbuf_puts(pc->o, "rt ip6 nexthop");
		break;
	case NFT_RT_TCPMSS:
		outbuf_puts(pc->o, "rt mtu");
		break;
	case NFT_RT_XFRM:
		outbuf_puts(pc->o, "rt ipsec");
		break;
	default:
		outbuf_puts(pc->o, "rt unknown");
		break;
	}
}

static void print_fib(struct print_ctx *pc, const struct expr *e)
{
	static const struct {
		unsigned int flag;
		const char *name;
	} flags[] = {
		{ NFTA_FIB_F_SADDR, "saddr" }, { NFTA_FIB_F_DADDR, "daddr" },
		{ NFTA_FIB_F_MARK, "mark" },   { NFTA_FIB_F_IIF, "iif" },
		{ NFTA_FIB_F_OIF, "oif" },
	};
	const char *delim = "";
	unsigned int i;

	outbuf_puts(pc->o, "fib ");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!(e->fib.flags & flags[i].flag))
			continue;
		outbuf_printf(pc->o, "%s%s", delim, flags[i].name);
		delim = " . ";
	}
	switch (e->fib.result) {
	case NFT_FIB_RESULT_OIF:
		/* a route existence test */
		outbuf_puts(pc->o, e->fib.flags & NFTA_FIB_F_PRESENT ? " check" : " oif");
		break;
	case NFT_FIB_RESULT_OIFNAME:
		outbuf_puts(pc->o, " oifname");
		break;
	case NFT_FIB_RESULT_ADDRTYPE:
		outbuf_puts(pc->o, " type");
		break;
	default:
		outbuf_puts(pc->o, " unknown");
		break;
	}
}

static void print_xfrm(struct print_ctx *pc, const struct expr *e)
{
	outbuf_printf(pc->o, "ipsec %s", e->xfrm.direction == 0 ? "in" : "out");
	if (e->xfrm.spnum)
		outbuf_printf(pc->o, " spnum %u", e->xfrm.spnum);
	switch (e->xfrm.key) {
	case NFT_XFRM_KEY_DADDR_IP4:
		outbuf_puts(pc->o, " ip daddr");
		break;
	case NFT_XFRM_KEY_SADDR_IP4:
		outbuf_puts(pc->o, " ip saddr");
		break;
	case NFT_XFRM_KEY_DADDR_IP6:
		outbuf_puts(pc->o, " ip6 daddr");
		break;
	case NFT_XFRM_KEY_SADDR_IP6:
		outbuf_puts(pc->o, " ip6 saddr");
		break;
	case NFT_XFRM_KEY_REQID:
		outbuf_puts(pc->o, " reqid");
		break;
	case NFT_XFRM_KEY_SPI:
		outbuf_puts(pc->o, " spi");
		break;
	default:
		outbuf_puts(pc->o, " unknown");
		break;
	}
}

static void print_socket(struct print_ctx *pc, const struct expr *e)
{
	switch (e->socket.key) {
	case NFT_SOCKET_TRANSPARENT:
		outbuf_puts(pc->o, "socket transparent");
		break;
	case NFT_SOCKET_MARK:
		outbuf_puts(pc->o, "socket mark");
		break;
	case NFT_SOCKET_WILDCARD:
		outbuf_puts(pc->o, "socket wildcard");
		break;
	case NFT_SOCKET_CGROUPV2:
		outbuf_printf(pc->o, "socket cgroupv2 level %u", e->socket.level);
		break;
	default:
		outbuf_puts(pc->o, "socket unknown");
		break;
	}
}

static void print_osf(struct print_ctx *pc, const struct expr *e)
{
	const char *ttl = e->osf.ttl == 1 ? "ttl loose " : e->osf.ttl == 2 ? "ttl skip " : "";

	outbuf_printf(pc->o, "osf %s%s", ttl, e->osf.flags & NFT_OSF_F_VERSION ? "version" : "name");
}

static void print_hash(struct print_ctx *pc, const struct expr *e)
{
	if (e->hash.type == NFT_HASH_SYM) {
		outbuf_puts(pc->o, "symhash");
	} else {
		outbuf_puts(pc->o, "jhash ");
		if (e->hash.expr)
			print_expr(pc, e->hash.expr);
	}
	outbuf_printf(pc->o, " mod %u", e->hash.mod);
	if (e->hash.seed_set)
		outbuf_printf(pc->o, " seed 0x%x", e->hash.seed);
	if (e->hash.offset)
		outbuf_printf(pc->o, " offset %u", e->hash.offset);
}

/* Binary operator precedence for parentheses, as nftables (lower binds
 * tighter): shifts, &, ^, |. */
static unsigned int binop_precedence(enum ops op)
{
	switch (op) {
	case OP_LSHIFT:
	case OP_RSHIFT:
		return 1;
	case OP_AND:
		return 2;
	case OP_XOR:
		return 3;
	case OP_OR:
		return 4;
	default:
		return 0;
	}
}

static const char *op_symbol(enum ops op)
{
	switch (op) {
	case OP_EQ:
		return "==";
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
	case OP_NEG:
		return "!";
	default:
		return NULL;
	}
}

static void print_binop_arg(struct print_ctx *pc, const struct expr *op, const struct expr *arg)
{
	bool paren = arg && arg->etype == EXPR_BINOP && binop_precedence(op->op) != 0 &&
		     binop_precedence(op->op) < binop_precedence(arg->op);
	const char *sep = pc->flag_sep;
	bool fparen = pc->flag_paren, fraw = pc->flag_raw;

	pc->flag_raw = false;
	if (op->etype == EXPR_BINOP) {
		/* flags as a binop operand print as an OR of the flags */
		pc->flag_sep = " | ";
		pc->flag_paren = binop_precedence(op->op) != 0 &&
				 binop_precedence(op->op) < binop_precedence(OP_OR);
	} else if (arg == op->binop.right) {
		/* relational: a flag test lists the flags; after a masking
		 * binop == / != show an OR; a plain == compares a number */
		bool binleft = op->binop.left && op->binop.left->etype == EXPR_BINOP;
		bool test = (op->op == OP_IMPLICIT && !binleft) || op->op == OP_NEG;

		pc->flag_sep = test ? "," : " | ";
		pc->flag_paren = false;
		pc->flag_raw = !test && !binleft;
	}
	if (paren)
		outbuf_puts(pc->o, "(");
	print_expr(pc, arg);
	if (paren)
		outbuf_puts(pc->o, ")");
	pc->flag_sep = sep;
	pc->flag_paren = fparen;
	pc->flag_raw = fraw;
}

static bool is_string_value(const struct expr *e)
{
	const struct datatype *d;

	if (!e || e->etype != EXPR_VALUE)
		return false;
	for (d = e->dtype; d; d = d->basetype)
		if (d->type == TYPE_STRING)
			return true;
	return false;
}

static bool is_bitmask_value(const struct expr *e)
{
	const struct datatype *d = e->dtype;

	if (e->etype != EXPR_VALUE || !d || !d->basetype)
		return false;
	return d->basetype->type == TYPE_BITMASK;
}

/* nft writes "==" only where leaving it out would change the meaning. */
static bool must_print_eq(const struct expr *e)
{
	const struct expr *l = e->binop.left, *r = e->binop.right;

	return (r && is_bitmask_value(r)) || (l && l->etype == EXPR_BINOP);
}

static bool dtype_has_prefix(const struct datatype *d)
{
	for (; d; d = d->basetype)
		if (d->flags & DTYPE_F_PREFIX)
			return true;
	return false;
}

static int bit_at(const struct expr *v, unsigned int i)
{
	return (v->value.data[i / 8] >> (7 - i % 8)) & 1;
}

/* Leading-ones length of a big endian mask, -1 if it is no prefix mask. */
int print_mask_prefix_len(const struct expr *m)
{
	unsigned int i, len = m->value.len, p = 0;

	if (m->etype != EXPR_VALUE || !len || len > BNFT_VALUE_MAX * 8 ||
	    m->byteorder == BYTEORDER_HOST_ENDIAN)
		return -1;
	while (p < len && bit_at(m, p))
		p++;
	for (i = p; i < len; i++)
		if (bit_at(m, i))
			return -1;
	return (int)p;
}

/* Prefix length if [lo, hi] is exactly one prefix, else -1. */
int print_range_prefix_len(const struct expr *lo, const struct expr *hi)
{
	unsigned int i, len = lo->value.len, p = 0;

	if (lo->etype != EXPR_VALUE || hi->etype != EXPR_VALUE || hi->value.len != len || !len ||
	    len > BNFT_VALUE_MAX * 8 || lo->byteorder == BYTEORDER_HOST_ENDIAN)
		return -1;
	while (p < len && bit_at(lo, p) == bit_at(hi, p))
		p++;
	for (i = p; i < len; i++)
		if (bit_at(lo, i) != 0 || bit_at(hi, i) != 1)
			return -1;
	return (int)p;
}

/*
 * "ip saddr & 255.255.0.0 == 10.1.0.0" lists as "ip saddr 10.1.0.0/16"
 * for address types, as nft's delinearizer turns such masks into prefixes.
 */
static bool print_as_prefix_match(struct print_ctx *pc, const struct expr *e)
{
	const struct expr *b = e->binop.left, *v = e->binop.right, *m, *sel;
	unsigned int i, n;
	int p;

	if (e->etype != EXPR_RELATIONAL || (e->op != OP_EQ && e->op != OP_IMPLICIT && e->op != OP_NEQ))
		return false;
	if (!b || b->etype != EXPR_BINOP || b->op != OP_AND || !v || v->etype != EXPR_VALUE)
		return false;
	sel = b->binop.left;
	m = b->binop.right;
	if (!sel || !m || !dtype_has_prefix(sel->dtype))
		return false;
	p = print_mask_prefix_len(m);
	if (p <= 0 || (unsigned int)p >= m->value.len || v->value.len != m->value.len)
		return false;
	n = (v->value.len + 7) / 8;
	for (i = 0; i < n; i++)
		if (v->value.data[i] & ~m->value.data[i])
			return false;
	print_expr(pc, sel);
	outbuf_puts(pc->o, e->op == OP_NEQ ? " != " : " ");
	print_expr(pc, v);
	outbuf_printf(pc->o, "/%d", p);
	return true;
}

static void print_binop(struct print_ctx *pc, const struct expr *e)
{
	const char *sym = NULL;

	if (print_as_prefix_match(pc, e))
		return;

	print_binop_arg(pc, e, e->binop.left);
	if (e->op == OP_IMPLICIT) {
		/* the evaluator turns "a & b c" into an equality */
		if (e->etype == EXPR_RELATIONAL && e->binop.left &&
		    e->binop.left->etype == EXPR_BINOP)
			sym = "==";
	} else if (e->op == OP_EQ) {
		if (e->etype != EXPR_RELATIONAL || must_print_eq(e))
			sym = "==";
	} else {
		sym = op_symbol(e->op);
	}
	if (sym)
		outbuf_printf(pc->o, " %s ", sym);
	else
		outbuf_puts(pc->o, " ");
	print_binop_arg(pc, e, e->binop.right);
}

/* Ranges print fully numerically, whatever the options. */
static void print_range(struct print_ctx *pc, const struct expr *e)
{
	struct output_ctx saved = pc->octx;

	pc->octx.service = false;
	pc->octx.reversedns = false;
	pc->octx.guid = false;
	pc->octx.numeric = pc->octx.numeric > 3 ? pc->octx.numeric : 3;
	pc->octx.numeric_proto = true;
	pc->octx.numeric_prio = true;
	pc->octx.numeric_time = true;
	print_expr(pc, e->range.left);
	outbuf_puts(pc->o, "-");
	print_expr(pc, e->range.right);
	pc->octx = saved;
}

/* nftables' calculate_delim(): named sets put 2 addresses/states or 5
 * integers per line, other types one per line; anonymous sets one line. */
static const char *set_delim(struct print_ctx *pc, bool anonymous, const struct datatype *d,
			     int *count)
{
	static const char newline[] = ",\n\t\t\t     ";
	static const char single[] = ", ";

	if (pc->force_newline)
		return newline;
	if (anonymous)
		return single;
	if (!d)
		return newline;
	switch (d->type) {
	case TYPE_NFPROTO:
	case TYPE_INTEGER:
	case TYPE_ARPOP:
	case TYPE_INET_PROTOCOL:
	case TYPE_INET_SERVICE:
	case TYPE_TCP_FLAG:
	case TYPE_DCCP_PKTTYPE:
	case TYPE_MARK:
	case TYPE_IFINDEX:
	case TYPE_CLASSID:
	case TYPE_UID:
	case TYPE_GID:
	case TYPE_CT_DIR:
		if (*count < 5)
			return single;
		*count = 0;
		break;
	case TYPE_IPADDR:
	case TYPE_CT_STATE:
	case TYPE_CT_STATUS:
	case TYPE_PKTTYPE:
		if (*count < 2)
			return single;
		*count = 0;
		break;
	default:
		break;
	}
	return newline;
}

void print_set_elements(struct print_ctx *pc, const struct expr *set, bool anonymous)
{
	const struct datatype *d = set->dtype ? set->dtype : pc->set_dtype;
	const char *sep = pc->flag_sep;
	bool fparen = pc->flag_paren;
	const struct expr *i;
	const char *delim = "";
	int count = 0;

	bool fraw = pc->flag_raw;

	pc->flag_sep = " | ";
	pc->flag_paren = false;
	pc->flag_raw = false;
	outbuf_puts(pc->o, "{ ");
	list_for_each_entry(i, &EXPR_COMPOUND(set).expressions, list) {
		outbuf_puts(pc->o, delim);
		print_expr(pc, i);
		count++;
		delim = set_delim(pc, anonymous, d, &count);
	}
	outbuf_puts(pc->o, " }");
	pc->flag_sep = sep;
	pc->flag_paren = fparen;
	pc->flag_raw = fraw;
}

static void print_set_elem(struct print_ctx *pc, const struct expr *e)
{
	const struct stmt *s;

	if (e->elem.key)
		print_expr(pc, e->elem.key);
	list_for_each_entry(s, &e->elem.stmts, list) {
		outbuf_puts(pc->o, " ");
		print_stmt(pc, s);
	}
	if (e->elem.timeout) {
		outbuf_puts(pc->o, " timeout ");
		if (e->elem.timeout == BNFT_NEVER_TIMEOUT)
			outbuf_puts(pc->o, "never");
		else
			print_time(pc, e->elem.timeout);
	}
	if (!pc->octx.stateless && e->elem.timeout != BNFT_NEVER_TIMEOUT && e->elem.expiration) {
		outbuf_puts(pc->o, " expires ");
		print_time(pc, e->elem.expiration);
	}
	if (e->elem.comment)
		outbuf_printf(pc->o, " comment \"%s\"", e->elem.comment);
}

static bool set_expr_is_vmap(const struct expr *set)
{
	const struct expr *m;

	if (set->etype != EXPR_SET || list_empty(&EXPR_COMPOUND(set).expressions))
		return false;
	m = list_first_entry(&EXPR_COMPOUND(set).expressions, struct expr, list);
	if (m->etype == EXPR_SET_ELEM && m->elem.key)
		m = m->elem.key;
	return m->etype == EXPR_MAPPING && m->mapping.right &&
	       m->mapping.right->etype == EXPR_VERDICT;
}

static void print_map(struct print_ctx *pc, const struct expr *e)
{
	const struct expr *m = e->map.mappings;
	bool vmap = e->map.vmap;

	if (!vmap && m) {
		if (m->etype == EXPR_SET_REF && m->set_ref.set && m->set_ref.set->data &&
		    m->set_ref.set->data->dtype && m->set_ref.set->data->dtype->type == TYPE_VERDICT)
			vmap = true;
		else if (set_expr_is_vmap(m))
			vmap = true;
	}
	print_expr(pc, e->map.key);
	outbuf_puts(pc->o, vmap ? " vmap " : " map ");
	if (m)
		print_expr(pc, m);
}

static void print_set_ref(struct print_ctx *pc, const struct expr *e)
{
	const struct set *s = e->set_ref.set;

	if (s && (s->flags & NFT_SET_ANONYMOUS) && s->init) {
		print_expr(pc, s->init);
		return;
	}
	outbuf_printf(pc->o, "@%s", s && s->handle.set ? s->handle.set : e->set_ref.name);
}

static void print_list(struct print_ctx *pc, const struct expr *e, const char *delim)
{
	const struct expr *i;
	const char *d = "";

	list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list) {
		outbuf_puts(pc->o, d);
		print_expr(pc, i);
		d = delim;
	}
}

void print_expr(struct print_ctx *pc, const struct expr *e)
{
	if (!e)
		return;

	switch (e->etype) {
	case EXPR_VERDICT:
		print_verdict(pc, e);
		break;
	case EXPR_SYMBOL:
		if (e->sym.quoted)
			outbuf_printf(pc->o, "\"%s\"", e->sym.identifier);
		else
			outbuf_puts(pc->o, e->sym.identifier);
		break;
	case EXPR_VARIABLE:
		outbuf_printf(pc->o, "$%s", e->sym.identifier);
		break;
	case EXPR_VALUE:
		print_value(pc, e);
		break;
	case EXPR_PREFIX:
		if (is_string_value(e->prefix.prefix)) {
			/* interface name wildcard: "eth*" */
			const struct expr *v = e->prefix.prefix;
			unsigned int n = e->prefix.prefix_len / 8, i;

			if (n > BNFT_VALUE_MAX)
				n = BNFT_VALUE_MAX;
			for (i = 0; i < n && v->value.data[i]; i++)
				;
			outbuf_printf(pc->o, "\"%.*s*\"", (int)i, (const char *)v->value.data);
			break;
		}
		print_expr(pc, e->prefix.prefix);
		outbuf_printf(pc->o, "/%u", e->prefix.prefix_len);
		break;
	case EXPR_RANGE:
		print_range(pc, e);
		break;
	case EXPR_PAYLOAD:
		print_payload(pc, e);
		break;
	case EXPR_EXTHDR:
		print_exthdr(pc, e);
		break;
	case EXPR_META:
		print_meta(pc, e);
		break;
	case EXPR_SOCKET:
		print_socket(pc, e);
		break;
	case EXPR_OSF:
		print_osf(pc, e);
		break;
	case EXPR_CT:
		print_ct(pc, e);
		break;
	case EXPR_RT:
		print_rt(pc, e);
		break;
	case EXPR_FIB:
		print_fib(pc, e);
		break;
	case EXPR_NUMGEN:
		outbuf_printf(pc->o, "numgen %s mod %u",
			      e->numgen.type == NFT_NG_RANDOM ? "random" : "inc", e->numgen.mod);
		if (e->numgen.offset)
			outbuf_printf(pc->o, " offset %u", e->numgen.offset);
		break;
	case EXPR_HASH:
		print_hash(pc, e);
		break;
	case EXPR_XFRM:
		print_xfrm(pc, e);
		break;
	case EXPR_CONCAT:
		print_list(pc, e, " . ");
		break;
	case EXPR_LIST:
		print_list(pc, e, ",");
		break;
	case EXPR_SET:
		print_set_elements(pc, e, !pc->set_dtype || (EXPR_COMPOUND(e).set_flags & NFT_SET_ANONYMOUS));
		break;
	case EXPR_SET_REF:
		print_set_ref(pc, e);
		break;
	case EXPR_SET_ELEM:
		print_set_elem(pc, e);
		break;
	case EXPR_SET_ELEM_CATCHALL:
		outbuf_puts(pc->o, "*");
		break;
	case EXPR_MAPPING:
		print_expr(pc, e->mapping.left);
		outbuf_puts(pc->o, " : ");
		print_expr(pc, e->mapping.right);
		break;
	case EXPR_MAP:
		print_map(pc, e);
		break;
	case EXPR_UNARY:
		print_expr(pc, e->binop.left);
		break;
	case EXPR_BINOP:
	case EXPR_RELATIONAL:
		print_binop(pc, e);
		break;
	case EXPR_TUNNEL:
		outbuf_printf(pc->o, "tunnel %s", e->tunnel.key == 0 ? "path" : "id");
		break;
	default:
		outbuf_printf(pc->o, "<unknown expression %d>", e->etype);
		break;
	}
}

void bnft_print_expr(const struct expr *e, unsigned int family, const struct output_ctx *octx,
		     struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, family);
	print_expr(&pc, e);
}
