// SPDX-License-Identifier: GPL-2.0
/*
 * Name tables the grammar needs beyond parser/proto.h: rt/socket/fib/ipsec
 * keys as the grammar combines them (family prefixes), log levels, and the
 * field order nft lists expected alternatives in.
 */
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/datatype.h"
#include "parser/parse_int.h"
#include "parser/proto.h"


/* ---- small key tables ---- */
struct name_val {
	const char *name;
	int val;
};

static int nv_lookup(const struct name_val *t, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(t[i].name, name))
			return t[i].val;
	return -1;
}

#define NV(t, name) nv_lookup(t, sizeof(t) / sizeof(t[0]), name)

int grammar_rt_key(const char *name, const char *proto)
{
	static const struct name_val t[] = {
		{ "classid", NFT_RT_CLASSID }, { "nexthop", NFT_RT_NEXTHOP4 },
		{ "mtu", NFT_RT_TCPMSS },      { "ipsec", NFT_RT_XFRM },
	};
	int k = NV(t, name);

	if (k == NFT_RT_NEXTHOP4 && proto && !strcmp(proto, "ip6"))
		return NFT_RT_NEXTHOP6;
	if (proto && k != NFT_RT_NEXTHOP4)
		return -1;
	return k;
}

int grammar_socket_key(const char *name)
{
	static const struct name_val t[] = {
		{ "transparent", NFT_SOCKET_TRANSPARENT },
		{ "mark", NFT_SOCKET_MARK },
		{ "wildcard", NFT_SOCKET_WILDCARD },
		{ "cgroupv2", NFT_SOCKET_CGROUPV2 },
	};
	return NV(t, name);
}

int grammar_fib_flag(const char *name)
{
	static const struct name_val t[] = {
		{ "saddr", NFTA_FIB_F_SADDR }, { "daddr", NFTA_FIB_F_DADDR },
		{ "mark", NFTA_FIB_F_MARK },   { "iif", NFTA_FIB_F_IIF },
		{ "oif", NFTA_FIB_F_OIF },
	};
	return NV(t, name);
}

int grammar_fib_result(const char *name)
{
	static const struct name_val t[] = {
		{ "oif", NFT_FIB_RESULT_OIF },
		{ "oifname", NFT_FIB_RESULT_OIFNAME },
		{ "type", NFT_FIB_RESULT_ADDRTYPE },
	};
	return NV(t, name);
}

int grammar_xfrm_key(const char *name, const char *proto)
{
	static const struct name_val t[] = {
		{ "reqid", NFT_XFRM_KEY_REQID },
		{ "spi", NFT_XFRM_KEY_SPI },
	};
	bool v6 = proto && !strcmp(proto, "ip6");

	if (proto) {
		if (!strcmp(name, "saddr"))
			return v6 ? NFT_XFRM_KEY_SADDR_IP6 : NFT_XFRM_KEY_SADDR_IP4;
		if (!strcmp(name, "daddr"))
			return v6 ? NFT_XFRM_KEY_DADDR_IP6 : NFT_XFRM_KEY_DADDR_IP4;
		return -1;
	}
	return NV(t, name);
}

int grammar_log_level(const char *name)
{
	static const struct name_val t[] = {
		{ "emerg", 0 }, { "alert", 1 },	 { "crit", 2 }, { "err", 3 },	{ "warn", 4 },
		{ "notice", 5 }, { "info", 6 }, { "debug", 7 }, { "audit", 8 },
	};
	return NV(t, name);
}

/* nft's keyword order of header field names (its %token order), which is
 * the order bison lists expected alternatives in. */
static const char *const nft_field_order[] = {
	"saddr", "daddr", "type", "id", "cfi", "dei", "pcp", "htype", "ptype", "hlen", "plen",
	"operation", "version", "hdrlength", "dscp", "ecn", "length", "frag-off", "ttl",
	"protocol", "checksum", "ptr", "value", "code", "sequence", "gateway", "mtu", "mrt",
	"priority", "flowlabel", "nexthdr", "hoplimit", "param-problem", "max-delay", "taddr",
	"reserved", "spi", "flags", "cpi", "sport", "dport", "csumcov", "ackseq", "doff",
	"window", "urgptr", "vni", "chunk", "vtag", "seg-left", "addr", "last-entry", "tag", "sid",
	"reserved2", "more-fragments", "group",
};

static int field_rank(const char *f)
{
	unsigned int i;

	for (i = 0; i < sizeof(nft_field_order) / sizeof(nft_field_order[0]); i++)
		if (!strcmp(nft_field_order[i], f))
			return (int)i;
	return 1000;
}

int grammar_field_alternatives(struct parser_state *st, const char **out, int max)
{
	const struct proto_desc *d = NULL;
	unsigned int i;
	int n = 0, a, b;

	if (!strcmp(st->prev_word, "ip") || !strcmp(st->prev_word, "ip6") ||
	    !strcmp(st->prev_word, "tcp") || !strcmp(st->prev_word, "gre") ||
	    !strcmp(st->prev_word, "vxlan") || !strcmp(st->prev_word, "geneve") ||
	    !strcmp(st->prev_word, "gretap"))
		return 0; /* nft accepts more than fields there */
	d = proto_lookup(st->prev_word);
	if (!d)
		d = exthdr_lookup(EXTHDR_OP_IPV6, st->prev_word);
	if (!d)
		return 0;
	for (i = 1; i < PROTO_FIELDS_MAX && n < max; i++) {
		const char *t = d->templates[i].token;

		if (!t)
			continue;
		for (a = 0; a < n; a++)
			if (!strcmp(out[a], t))
				break;
		if (a == n)
			out[n++] = t;
	}
	if (!strcmp(d->name, "sctp") && n < max)
		out[n++] = "chunk";
	/* insertion sort by nft's order */
	for (a = 1; a < n; a++) {
		const char *k = out[a];

		for (b = a - 1; b >= 0 && field_rank(out[b]) > field_rank(k); b--)
			out[b + 1] = out[b];
		out[b + 1] = k;
	}
	for (a = 0; a < n; a++)
		if (!strcmp(out[a], "sequence"))
			out[a] = "seq";
	return n;
}
