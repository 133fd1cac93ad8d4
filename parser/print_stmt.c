// SPDX-License-Identifier: GPL-2.0
/*
 * Statement and rule printing in nftables 1.1 listing form: "counter packets
 * 0 bytes 0", "limit rate 10/second burst 5 packets", "log prefix \"x\" level
 * info", "reject with icmp host-unreachable", "dnat ip to 1.2.3.4:80" ...
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_log.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_synproxy.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/print.h"
#include "parser/proto.h"

const char *print_rate_unit(uint64_t bytes, uint64_t *value)
{
	static const char *const units[] = { "bytes", "kbytes", "mbytes" };
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (bytes == 0 || bytes % 1024)
			break;
		bytes /= 1024;
	}
	*value = bytes;
	return units[i];
}

const char *print_time_unit(uint64_t seconds)
{
	switch (seconds) {
	case 1:
		return "second";
	case 60:
		return "minute";
	case 3600:
		return "hour";
	case 86400:
		return "day";
	case 604800:
		return "week";
	}
	return "error";
}

const char *print_obj_type_name(unsigned int type)
{
	switch (type) {
	case NFT_OBJECT_COUNTER:
		return "counter";
	case NFT_OBJECT_QUOTA:
		return "quota";
	case NFT_OBJECT_CT_HELPER:
		return "ct helper";
	case NFT_OBJECT_LIMIT:
		return "limit";
	case NFT_OBJECT_CT_TIMEOUT:
		return "ct timeout";
	case NFT_OBJECT_SECMARK:
		return "secmark";
	case NFT_OBJECT_SYNPROXY:
		return "synproxy";
	case NFT_OBJECT_CT_EXPECT:
		return "ct expectation";
	case NFT_OBJECT_TUNNEL:
		return "tunnel";
	}
	return "unknown";
}

static const char *log_level_name(unsigned int level)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug", "audit",
	};

	return level < sizeof(names) / sizeof(names[0]) ? names[level] : "unknown";
}

static void print_log(struct print_ctx *pc, const struct stmt *s)
{
	unsigned int lf = s->log.logflags;

	outbuf_puts(pc->o, "log");
	if (s->log.flags & LOG_F_PREFIX) {
		if (s->log.prefix) {
			outbuf_printf(pc->o, " prefix \"%s\"", s->log.prefix);
		} else if (s->log.prefix_expr) {
			outbuf_puts(pc->o, " prefix ");
			print_expr(pc, s->log.prefix_expr);
		}
	}
	if (s->log.flags & LOG_F_GROUP)
		outbuf_printf(pc->o, " group %u", s->log.group);
	if (s->log.flags & LOG_F_SNAPLEN)
		outbuf_printf(pc->o, " snaplen %u", s->log.snaplen);
	if (s->log.flags & LOG_F_QTHRESHOLD)
		outbuf_printf(pc->o, " queue-threshold %u", s->log.qthreshold);
	if ((s->log.flags & LOG_F_LEVEL) && s->log.level != NFT_LOGLEVEL_WARNING)
		outbuf_printf(pc->o, " level %s", log_level_name(s->log.level));

	if ((lf & NF_LOG_MASK) == NF_LOG_MASK) {
		outbuf_puts(pc->o, " flags all");
		return;
	}
	if (lf & (NF_LOG_TCPSEQ | NF_LOG_TCPOPT)) {
		const char *delim = " ";

		outbuf_puts(pc->o, " flags tcp");
		if (lf & NF_LOG_TCPSEQ) {
			outbuf_puts(pc->o, " sequence");
			delim = ",";
		}
		if (lf & NF_LOG_TCPOPT)
			outbuf_printf(pc->o, "%soptions", delim);
	}
	if (lf & NF_LOG_IPOPT)
		outbuf_puts(pc->o, " flags ip options");
	if (lf & NF_LOG_UID)
		outbuf_puts(pc->o, " flags skuid");
	if (lf & NF_LOG_MACDECODE)
		outbuf_puts(pc->o, " flags ether");
}

static void print_limit_body(struct print_ctx *pc, uint64_t rate, uint64_t unit, uint32_t burst,
			     unsigned int type, unsigned int flags, bool obj)
{
	const char *inv = flags & NFT_LIMIT_F_INV ? "over " : "";
	const char *du;
	uint64_t v;

	if (type == NFT_LIMIT_PKT_BYTES) {
		du = print_rate_unit(rate, &v);
		outbuf_printf(pc->o, "rate %s%" PRIu64 " %s/%s", inv, v, du, print_time_unit(unit));
		if (burst) {
			du = print_rate_unit(burst, &v);
			outbuf_printf(pc->o, " burst %" PRIu64 " %s", v, du);
		}
		return;
	}
	outbuf_printf(pc->o, "rate %s%" PRIu64 "/%s", inv, rate, print_time_unit(unit));
	/* the kernel reports burst 5 when none was given; objects omit it */
	if (!burst)
		burst = 5;
	if (!obj || burst != 5)
		outbuf_printf(pc->o, " burst %u packets", burst);
}

static void print_quota_body(struct print_ctx *pc, uint64_t bytes, uint64_t used,
			     unsigned int flags)
{
	const char *du;
	uint64_t v;

	du = print_rate_unit(bytes, &v);
	outbuf_printf(pc->o, "%s%" PRIu64 " %s", flags & NFT_QUOTA_F_INV ? "over " : "", v, du);
	if (!pc->octx.stateless && used) {
		du = print_rate_unit(used, &v);
		outbuf_printf(pc->o, " used %" PRIu64 " %s", v, du);
	}
}

/* Reject codes list by name (reject with icmp host-unreachable) even
 * though icmp code matches list numerically. kind: 0 icmp, 1 icmpv6, 2 icmpx. */
const char *print_reject_code_name(unsigned int kind, int code)
{
	static const char *const icmp[16] = {
		[0] = "net-unreachable", [1] = "host-unreachable", [2] = "prot-unreachable",
		[3] = "port-unreachable", [4] = "frag-needed", [9] = "net-prohibited",
		[10] = "host-prohibited", [13] = "admin-prohibited",
	};
	static const char *const icmpv6[16] = {
		[0] = "no-route", [1] = "admin-prohibited", [3] = "addr-unreachable",
		[4] = "port-unreachable", [5] = "policy-fail", [6] = "reject-route",
	};
	static const char *const icmpx[16] = {
		[0] = "no-route", [1] = "port-unreachable", [2] = "host-unreachable",
		[3] = "admin-prohibited",
	};
	const char *const *tbl = kind == 0 ? icmp : kind == 1 ? icmpv6 : icmpx;

	return code >= 0 && code < 16 ? tbl[code] : NULL;
}

static void print_reject_code(struct print_ctx *pc, const struct stmt *s, unsigned int kind)
{
	const char *name = print_reject_code_name(kind, s->reject.icmp_code);

	if (name && !pc->octx.numeric)
		outbuf_puts(pc->o, name);
	else
		outbuf_printf(pc->o, "%d", s->reject.icmp_code);
}

static void print_reject(struct print_ctx *pc, const struct stmt *s)
{
	unsigned int family = s->reject.family;
	bool verbose;

	outbuf_puts(pc->o, "reject");
	switch (s->reject.type) {
	case NFT_REJECT_TCP_RST:
		outbuf_puts(pc->o, " with tcp reset");
		break;
	case NFT_REJECT_ICMPX_UNREACH:
		if (s->reject.icmp_code < 0 || s->reject.icmp_code == NFT_REJECT_ICMPX_PORT_UNREACH)
			break;
		outbuf_puts(pc->o, " with icmpx ");
		print_reject_code(pc, s, 2);
		break;
	case NFT_REJECT_ICMP_UNREACH:
		/* port-unreachable is the default only where the family is
		 * the table's; inet, bridge and netdev list it */
		if (!family)
			family = pc->family;
		verbose = pc->family == NFPROTO_INET || pc->family == NFPROTO_BRIDGE ||
			  pc->family == NFPROTO_NETDEV;
		if (family == NFPROTO_IPV6) {
			if (s->reject.icmp_code < 0 && !verbose)
				break;
			if (s->reject.icmp_code == 4 && !verbose)
				break; /* ICMP6_DST_UNREACH_NOPORT */
			outbuf_puts(pc->o, " with icmpv6 ");
			if (s->reject.icmp_code < 0)
				outbuf_puts(pc->o, "port-unreachable");
			else
				print_reject_code(pc, s, 1);
		} else {
			if (s->reject.icmp_code < 0 && !verbose)
				break;
			if (s->reject.icmp_code == 3 && !verbose)
				break; /* ICMP_PORT_UNREACH */
			outbuf_puts(pc->o, " with icmp ");
			if (s->reject.icmp_code < 0)
				outbuf_puts(pc->o, "port-unreachable");
			else
				print_reject_code(pc, s, 0);
		}
		break;
	default:
		break;
	}
}

static bool expr_is_ip6(const struct expr *e)
{
	return e && e->dtype && e->dtype->type == TYPE_IP6ADDR;
}

static void print_nat_addr(struct print_ctx *pc, const struct expr *addr, bool bracket)
{
	int plen;

	/* an address range that is one prefix lists as the prefix */
	if (addr->etype == EXPR_RANGE && addr->range.left && addr->range.right &&
	    addr->range.left->dtype &&
	    (addr->range.left->dtype->type == TYPE_IPADDR ||
	     addr->range.left->dtype->type == TYPE_IP6ADDR) &&
	    (plen = print_range_prefix_len(addr->range.left, addr->range.right)) > 0) {
		print_expr(pc, addr->range.left);
		outbuf_printf(pc->o, "/%d", plen);
		return;
	}
	if (bracket && addr->etype == EXPR_VALUE && expr_is_ip6(addr)) {
		outbuf_puts(pc->o, "[");
		print_expr(pc, addr);
		outbuf_puts(pc->o, "]");
	} else if (bracket && addr->etype == EXPR_RANGE && expr_is_ip6(addr->range.left)) {
		outbuf_puts(pc->o, "[");
		print_expr(pc, addr->range.left);
		outbuf_puts(pc->o, "]-[");
		print_expr(pc, addr->range.right);
		outbuf_puts(pc->o, "]");
	} else {
		print_expr(pc, addr);
	}
}

/* Whether data of a nat map is an interval, prefix or address.port pair. */
static bool nat_data_is_special(const struct expr *d)
{
	if (!d)
		return false;
	if (d->etype == EXPR_SET_ELEM)
		d = d->elem.key;
	return d && (d->etype == EXPR_RANGE || d->etype == EXPR_PREFIX ||
		     d->etype == EXPR_CONCAT || (d->flags & EXPR_F_INTERVAL));
}

/*
 * nft lists "snat ip to" only where the family is not implied: in inet
 * tables, and for maps whose data are ranges, prefixes or address.port
 * concatenations (the kernel then needs the family to read the data).
 */
static bool nat_shows_family(struct print_ctx *pc, const struct stmt *s)
{
	const struct expr *a = s->nat.addr, *m, *i;

	if (!s->nat.family)
		return false;
	if (pc->family == NFPROTO_INET || s->nat.ipportmap || (s->nat.type_flags & 0x1))
		return true;
	if (!a || a->etype != EXPR_MAP || !(m = a->map.mappings))
		return false;
	if (m->etype == EXPR_SET_REF) {
		const struct set *set = m->set_ref.set;

		return set && set->data &&
		       ((set->data->flags & EXPR_F_INTERVAL) || set->data->etype == EXPR_CONCAT ||
			(set->data->dtype && set->data->dtype->subtypes > 1));
	}
	if (m->etype != EXPR_SET)
		return false;
	list_for_each_entry(i, &EXPR_COMPOUND(m).expressions, list) {
		if (i->etype == EXPR_MAPPING && nat_data_is_special(i->mapping.right))
			return true;
	}
	return false;
}

static void print_nat(struct print_ctx *pc, const struct stmt *s)
{
	static const char *const kinds[] = {
		[NAT_SNAT] = "snat", [NAT_DNAT] = "dnat", [NAT_MASQ] = "masquerade",
		[NAT_REDIR] = "redirect",
	};
	unsigned int fl = s->nat.flags;
	const char *delim = " ";

	outbuf_puts(pc->o, kinds[s->nat.kind]);
	if (s->nat.addr || s->nat.proto) {
		if (!nat_shows_family(pc, s))
			;
		else if (s->nat.family == NFPROTO_IPV4)
			outbuf_puts(pc->o, " ip");
		else if (s->nat.family == NFPROTO_IPV6)
			outbuf_puts(pc->o, " ip6");
		if (s->nat.type_flags & 0x1) /* STMT_NAT_F_PREFIX */
			outbuf_puts(pc->o, " prefix");
		outbuf_puts(pc->o, " to");
	}
	if (s->nat.addr) {
		outbuf_puts(pc->o, " ");
		print_nat_addr(pc, s->nat.addr, s->nat.proto != NULL);
	}
	if (s->nat.proto) {
		if (!s->nat.addr)
			outbuf_puts(pc->o, " ");
		outbuf_puts(pc->o, ":");
		print_expr(pc, s->nat.proto);
	}
	if (fl & NF_NAT_RANGE_PROTO_RANDOM) {
		outbuf_printf(pc->o, "%srandom", delim);
		delim = ",";
	}
	if (fl & NF_NAT_RANGE_PROTO_RANDOM_FULLY) {
		outbuf_printf(pc->o, "%sfully-random", delim);
		delim = ",";
	}
	if (fl & NF_NAT_RANGE_PERSISTENT)
		outbuf_printf(pc->o, "%spersistent", delim);
}

static void print_meta_set(struct print_ctx *pc, const struct stmt *s)
{
	const struct key_template *t = meta_template(s->meta.key);
	const char *token = t && t->token ? t->token : "unknown";

	if (meta_key_is_unqualified(s->meta.key))
		outbuf_printf(pc->o, "%s set ", token);
	else
		outbuf_printf(pc->o, "meta %s set ", token);
	print_expr(pc, s->meta.expr);
}

static void print_ct_set(struct print_ctx *pc, const struct stmt *s)
{
	const struct key_template *t = ct_template(s->ct.key);
	const char *token = t && t->token ? t->token : "unknown";

	if (s->ct.direction < 0 || !ct_key_keeps_dir(s->ct.key))
		outbuf_printf(pc->o, "ct %s set ", token);
	else
		outbuf_printf(pc->o, "ct %s %s set ", s->ct.direction ? "reply" : "original", token);
	print_expr(pc, s->ct.expr);
}

static void print_queue(struct print_ctx *pc, const struct stmt *s)
{
	unsigned int fl = s->queue.flags;

	outbuf_puts(pc->o, "queue");
	if (fl & (NFT_QUEUE_FLAG_BYPASS | NFT_QUEUE_FLAG_CPU_FANOUT)) {
		const char *delim = "";

		outbuf_puts(pc->o, " flags ");
		if (fl & NFT_QUEUE_FLAG_BYPASS) {
			outbuf_puts(pc->o, "bypass");
			delim = ",";
		}
		if (fl & NFT_QUEUE_FLAG_CPU_FANOUT)
			outbuf_printf(pc->o, "%sfanout", delim);
	}
	outbuf_puts(pc->o, " to ");
	if (s->queue.queue)
		print_expr(pc, s->queue.queue);
	else
		outbuf_puts(pc->o, "0");
}

static void print_synproxy_opts(struct print_ctx *pc, unsigned int fl, unsigned int mss,
				unsigned int wscale)
{
	if ((fl & NF_SYNPROXY_OPT_MSS) || mss)
		outbuf_printf(pc->o, " mss %u", mss);
	if ((fl & NF_SYNPROXY_OPT_WSCALE) || wscale)
		outbuf_printf(pc->o, " wscale %u", wscale);
	if (fl & NF_SYNPROXY_OPT_TIMESTAMP)
		outbuf_puts(pc->o, " timestamp");
	if (fl & NF_SYNPROXY_OPT_SACK_PERM)
		outbuf_puts(pc->o, " sack-perm");
}

static void print_tproxy(struct print_ctx *pc, const struct stmt *s)
{
	outbuf_puts(pc->o, "tproxy");
	if (pc->family == NFPROTO_INET && s->tproxy.family)
		outbuf_printf(pc->o, " %s", print_family_name(s->tproxy.family));
	outbuf_puts(pc->o, " to");
	if (s->tproxy.addr) {
		outbuf_puts(pc->o, " ");
		print_nat_addr(pc, s->tproxy.addr, true);
	}
	if (s->tproxy.port) {
		if (!s->tproxy.addr)
			outbuf_puts(pc->o, " ");
		outbuf_puts(pc->o, ":");
		print_expr(pc, s->tproxy.port);
	}
}

static const char *dynset_op_name(unsigned int op)
{
	switch (op) {
	case NFT_DYNSET_OP_ADD:
		return "add";
	case NFT_DYNSET_OP_UPDATE:
		return "update";
	case NFT_DYNSET_OP_DELETE:
		return "delete";
	}
	return "unknown";
}

/* add/update/delete @set { key [stmts] [: data] }: per-element statements
 * print without counter values. */
static void print_set_stmt(struct print_ctx *pc, const struct stmt *s)
{
	bool stateless = pc->octx.stateless;
	const struct stmt *i;

	outbuf_printf(pc->o, "%s ", dynset_op_name(s->set.op));
	print_expr(pc, s->set.set);
	outbuf_puts(pc->o, " { ");
	print_expr(pc, s->set.key);
	pc->octx.stateless = true;
	list_for_each_entry(i, &s->set.stmts, list) {
		outbuf_puts(pc->o, " ");
		print_stmt(pc, i);
	}
	pc->octx.stateless = stateless;
	if (s->type == STMT_MAP && s->set.data) {
		outbuf_puts(pc->o, " : ");
		print_expr(pc, s->set.data);
	}
	outbuf_puts(pc->o, " }");
}

static void print_objref(struct print_ctx *pc, const struct stmt *s)
{
	switch (s->objref.type) {
	case NFT_OBJECT_CT_HELPER:
		outbuf_puts(pc->o, "ct helper set ");
		break;
	case NFT_OBJECT_CT_TIMEOUT:
		outbuf_puts(pc->o, "ct timeout set ");
		break;
	case NFT_OBJECT_CT_EXPECT:
		outbuf_puts(pc->o, "ct expectation set ");
		break;
	case NFT_OBJECT_SECMARK:
		outbuf_puts(pc->o, "meta secmark set ");
		break;
	default:
		outbuf_printf(pc->o, "%s name ", print_obj_type_name(s->objref.type));
		break;
	}
	print_expr(pc, s->objref.expr);
}

void print_stmt(struct print_ctx *pc, const struct stmt *s)
{
	switch (s->type) {
	case STMT_EXPRESSION:
	case STMT_VERDICT:
		print_expr(pc, s->expr);
		break;
	case STMT_COUNTER:
		outbuf_puts(pc->o, "counter");
		if (!pc->octx.stateless)
			outbuf_printf(pc->o, " packets %" PRIu64 " bytes %" PRIu64, s->counter.packets,
				      s->counter.bytes);
		break;
	case STMT_LOG:
		print_log(pc, s);
		break;
	case STMT_LIMIT:
		outbuf_puts(pc->o, "limit ");
		print_limit_body(pc, s->limit.rate, s->limit.unit, s->limit.burst, s->limit.type,
				 s->limit.flags, false);
		break;
	case STMT_QUOTA:
		outbuf_puts(pc->o, "quota ");
		print_quota_body(pc, s->quota.bytes, s->quota.used, s->quota.flags);
		break;
	case STMT_REJECT:
		print_reject(pc, s);
		break;
	case STMT_NAT:
		print_nat(pc, s);
		break;
	case STMT_META:
		print_meta_set(pc, s);
		break;
	case STMT_CT:
		print_ct_set(pc, s);
		break;
	case STMT_PAYLOAD:
	case STMT_EXTHDR:
		print_expr(pc, s->payload.expr);
		outbuf_puts(pc->o, " set ");
		print_expr(pc, s->payload.val);
		break;
	case STMT_DUP:
		outbuf_puts(pc->o, "dup");
		if (s->dup.to) {
			outbuf_puts(pc->o, " to ");
			print_expr(pc, s->dup.to);
		}
		if (s->dup.dev) {
			outbuf_puts(pc->o, " device ");
			print_expr(pc, s->dup.dev);
		}
		break;
	case STMT_FWD:
		if (s->fwd.to) {
			outbuf_printf(pc->o, "fwd %s to ", print_family_name(s->fwd.family));
			print_expr(pc, s->fwd.to);
			outbuf_puts(pc->o, " device ");
		} else {
			outbuf_puts(pc->o, "fwd to ");
		}
		print_expr(pc, s->fwd.dev);
		break;
	case STMT_QUEUE:
		print_queue(pc, s);
		break;
	case STMT_SYNPROXY:
		outbuf_puts(pc->o, "synproxy");
		print_synproxy_opts(pc, s->synproxy.flags, s->synproxy.mss, s->synproxy.wscale);
		break;
	case STMT_TPROXY:
		print_tproxy(pc, s);
		break;
	case STMT_SET:
	case STMT_MAP:
		print_set_stmt(pc, s);
		break;
	case STMT_OBJREF:
		print_objref(pc, s);
		break;
	case STMT_NOTRACK:
		outbuf_puts(pc->o, "notrack");
		break;
	case STMT_FLOW_OFFLOAD:
		outbuf_printf(pc->o, "flow add @%s", s->flow.table_name ? s->flow.table_name : "");
		break;
	case STMT_LAST:
		outbuf_puts(pc->o, "last");
		if (pc->octx.stateless)
			break;
		outbuf_puts(pc->o, " used ");
		if (s->last.set)
			print_time(pc, s->last.msecs);
		else
			outbuf_puts(pc->o, "never");
		break;
	case STMT_CONNLIMIT:
		outbuf_printf(pc->o, "ct count %s%u",
			      s->connlimit.flags & NFT_CONNLIMIT_F_INV ? "over " : "",
			      s->connlimit.count);
		break;
	case STMT_OPTSTRIP:
		outbuf_puts(pc->o, "reset ");
		print_expr(pc, s->expr);
		break;
	case STMT_XT:
		outbuf_printf(pc->o, "xt %s \"%s\"",
			      s->xt.kind == 0 ? "match" : s->xt.kind == 1 ? "target" : "watcher",
			      s->xt.name ? s->xt.name : "");
		break;
	default:
		outbuf_printf(pc->o, "<unknown statement %d>", s->type);
		break;
	}
}

/* Dependencies the evaluator inserted are not part of the listing. */
static bool stmt_is_implicit(const struct stmt *s)
{
	return s->type == STMT_EXPRESSION && s->expr && (s->expr->flags & EXPR_F_IMPLICIT_DEP);
}

#define RULE_STMTS_INLINE 64

void print_rule(struct print_ctx *pc, const struct rule *r)
{
	bool hide_buf[RULE_STMTS_INLINE], *hide = hide_buf;
	unsigned int nfp_buf[RULE_STMTS_INLINE], *nfp = nfp_buf;
	unsigned int perm_buf[RULE_STMTS_INLINE], *perm = perm_buf;
	const struct stmt *sbuf[RULE_STMTS_INLINE], **stmts = sbuf;
	const struct stmt *s;
	const char *sep = "";
	unsigned int n = 0, i = 0;

	list_for_each_entry(s, &r->stmts, list)
		n++;
	if (n > RULE_STMTS_INLINE) {
		hide = calloc(n, sizeof(*hide));
		nfp = calloc(n, sizeof(*nfp));
		perm = calloc(n, sizeof(*perm));
		stmts = calloc(n, sizeof(*stmts));
	}
	if (!hide || !nfp || !perm || !stmts) {
		/* no memory: list as stored */
		list_for_each_entry(s, &r->stmts, list) {
			outbuf_puts(pc->o, sep);
			print_stmt(pc, s);
			sep = " ";
		}
		goto out;
	}
	memset(hide, 0, n * sizeof(*hide));
	memset(nfp, 0, n * sizeof(*nfp));
	print_rule_hidden_deps(r, pc->family, hide, nfp);
	print_rule_order(r, perm, n);
	list_for_each_entry(s, &r->stmts, list)
		stmts[i++] = s;
	for (i = 0; i < n; i++) {
		unsigned int k = perm[i];

		s = stmts[k];
		if (stmt_is_implicit(s) || hide[k])
			continue;
		pc->dep_nfproto = nfp[k];
		outbuf_puts(pc->o, sep);
		print_stmt(pc, s);
		sep = " ";
	}
	pc->dep_nfproto = 0;
out:
	if (hide != hide_buf)
		free(hide);
	if (nfp != nfp_buf)
		free(nfp);
	if (perm != perm_buf)
		free(perm);
	if (stmts != sbuf)
		free(stmts);
	if (r->comment)
		outbuf_printf(pc->o, " comment \"%s\"", r->comment);
	if (pc->octx.handle)
		outbuf_printf(pc->o, " # handle %" PRIu64, r->handle.handle.id);
}

void bnft_print_rule(const struct rule *r, unsigned int family, const struct output_ctx *octx,
		     struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, family);
	print_rule(&pc, r);
}

void bnft_print_stmt(const struct stmt *s, unsigned int family, const struct output_ctx *octx,
		     struct outbuf *o)
{
	struct print_ctx pc;

	print_ctx_init(&pc, octx, o, family);
	print_stmt(&pc, s);
}

void print_limit_obj(struct print_ctx *pc, const struct obj *obj)
{
	print_limit_body(pc, obj->limit.rate, obj->limit.unit, obj->limit.burst, obj->limit.type,
			 obj->limit.flags, true);
}

void print_quota_obj(struct print_ctx *pc, const struct obj *obj)
{
	print_quota_body(pc, obj->quota.bytes, obj->quota.used, obj->quota.flags);
}
