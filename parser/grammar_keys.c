// SPDX-License-Identifier: GPL-2.0
/*
 * Name tables the grammar needs that parser/proto.h does not offer yet:
 * IPv6 extension headers, TCP/IP options, SCTP chunks (as struct
 * proto_desc so the rest of the pipeline treats them like payload
 * headers), rt/socket/fib/ipsec keys and log levels.
 */
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/datatype.h"
#include "parser/parse_int.h"
#include "parser/proto.h"

#define B BYTEORDER_BIG_ENDIAN
#define F(tok, dt, off, l) { .token = tok, .dtype = &dt, .offset = off, .len = l, .byteorder = B }
#define FI(tok, off, l) F(tok, integer_type, off, l)

/* ---- IPv6 extension headers (offsets in bits from header start) ---- */
static const struct proto_desc exthdr_hbh = {
	.name = "hbh", .base = PAYLOAD_NETWORK,
	.templates = { [1] = F("nexthdr", inet_protocol_type, 0, 8), [2] = FI("hdrlength", 8, 8) },
};
static const struct proto_desc exthdr_rt = {
	.name = "rt", .base = PAYLOAD_NETWORK,
	.templates = { [1] = F("nexthdr", inet_protocol_type, 0, 8), [2] = FI("hdrlength", 8, 8),
		       [3] = FI("type", 16, 8), [4] = FI("seg-left", 24, 8) },
};
static const struct proto_desc exthdr_rt0 = {
	.name = "rt0", .base = PAYLOAD_NETWORK,
	.templates = { [1] = FI("reserved", 32, 32), [2] = F("addr", ip6addr_type, 64, 128) },
};
static const struct proto_desc exthdr_rt2 = {
	.name = "rt2", .base = PAYLOAD_NETWORK,
	.templates = { [1] = FI("reserved", 32, 32), [2] = F("addr", ip6addr_type, 64, 128) },
};
static const struct proto_desc exthdr_srh = {
	.name = "srh", .base = PAYLOAD_NETWORK,
	.templates = { [1] = FI("last-entry", 32, 8), [2] = FI("flags", 40, 8),
		       [3] = FI("tag", 48, 16), [4] = F("sid", ip6addr_type, 64, 128) },
};
static const struct proto_desc exthdr_frag = {
	.name = "frag", .base = PAYLOAD_NETWORK,
	.templates = { [1] = F("nexthdr", inet_protocol_type, 0, 8), [2] = FI("reserved", 8, 8),
		       [3] = FI("frag-off", 16, 13), [4] = FI("reserved2", 29, 2),
		       [5] = FI("more-fragments", 31, 1), [6] = FI("id", 32, 32) },
};
static const struct proto_desc exthdr_dst = {
	.name = "dst", .base = PAYLOAD_NETWORK,
	.templates = { [1] = F("nexthdr", inet_protocol_type, 0, 8), [2] = FI("hdrlength", 8, 8) },
};
static const struct proto_desc exthdr_mh = {
	.name = "mh", .base = PAYLOAD_NETWORK,
	.templates = { [1] = F("nexthdr", inet_protocol_type, 0, 8), [2] = FI("hdrlength", 8, 8),
		       [3] = F("type", mh_type_type, 16, 8), [4] = FI("reserved", 24, 8),
		       [5] = FI("checksum", 32, 16) },
};

static const struct {
	const char *name;
	unsigned int type;
	const struct proto_desc *desc;
} ip6_exthdrs[] = {
	{ "hbh", 0, &exthdr_hbh },   { "rt", 43, &exthdr_rt },	 { "rt0", 43, &exthdr_rt0 },
	{ "rt2", 43, &exthdr_rt2 },  { "srh", 43, &exthdr_srh }, { "frag", 44, &exthdr_frag },
	{ "dst", 60, &exthdr_dst },  { "mh", 135, &exthdr_mh },
};

const struct proto_desc *grammar_ip6_exthdr(const char *name, unsigned int *type)
{
	unsigned int i;

	for (i = 0; i < sizeof(ip6_exthdrs) / sizeof(ip6_exthdrs[0]); i++) {
		if (!strcmp(ip6_exthdrs[i].name, name)) {
			*type = ip6_exthdrs[i].type;
			return ip6_exthdrs[i].desc;
		}
	}
	return NULL;
}

/* ---- TCP options ---- */
#define TCPOPT_COMMON [1] = FI("kind", 0, 8), [2] = FI("length", 8, 8)
static const struct proto_desc tcpopt_eol = { .name = "eol", .templates = { [1] = FI("kind", 0, 8) } };
static const struct proto_desc tcpopt_nop = { .name = "nop", .templates = { [1] = FI("kind", 0, 8) } };
static const struct proto_desc tcpopt_maxseg = {
	.name = "maxseg", .templates = { TCPOPT_COMMON, [3] = FI("size", 16, 16) },
};
static const struct proto_desc tcpopt_window = {
	.name = "window", .templates = { TCPOPT_COMMON, [3] = FI("count", 16, 8) },
};
static const struct proto_desc tcpopt_sack_perm = {
	.name = "sack-perm", .templates = { TCPOPT_COMMON },
};
static const struct proto_desc tcpopt_sack = {
	.name = "sack", .templates = { TCPOPT_COMMON, [3] = FI("left", 16, 32), [4] = FI("right", 48, 32) },
};
static const struct proto_desc tcpopt_timestamp = {
	.name = "timestamp",
	.templates = { TCPOPT_COMMON, [3] = FI("tsval", 16, 32), [4] = FI("tsecr", 48, 32) },
};
static const struct proto_desc tcpopt_md5sig = { .name = "md5sig", .templates = { TCPOPT_COMMON } };
static const struct proto_desc tcpopt_fastopen = { .name = "fastopen", .templates = { TCPOPT_COMMON } };
static const struct proto_desc tcpopt_mptcp = {
	.name = "mptcp", .templates = { TCPOPT_COMMON, [3] = FI("subtype", 16, 4) },
};

static const struct {
	const char *name;
	unsigned int kind, idx;
	const struct proto_desc *desc;
} tcpopts[] = {
	{ "eol", 0, 0, &tcpopt_eol },
	{ "nop", 1, 0, &tcpopt_nop },
	{ "maxseg", 2, 0, &tcpopt_maxseg },
	{ "window", 3, 0, &tcpopt_window },
	{ "sack-perm", 4, 0, &tcpopt_sack_perm },
	{ "sack-permitted", 4, 0, &tcpopt_sack_perm },
	{ "sack", 5, 0, &tcpopt_sack },
	{ "sack0", 5, 0, &tcpopt_sack },
	{ "sack1", 5, 1, &tcpopt_sack },
	{ "sack2", 5, 2, &tcpopt_sack },
	{ "sack3", 5, 3, &tcpopt_sack },
	{ "timestamp", 8, 0, &tcpopt_timestamp },
	{ "md5sig", 19, 0, &tcpopt_md5sig },
	{ "mptcp", 30, 0, &tcpopt_mptcp },
	{ "fastopen", 34, 0, &tcpopt_fastopen },
};

const struct proto_desc *grammar_tcpopt(const char *name, unsigned int *kind, unsigned int *idx)
{
	unsigned int i;

	for (i = 0; i < sizeof(tcpopts) / sizeof(tcpopts[0]); i++) {
		if (!strcmp(tcpopts[i].name, name)) {
			*kind = tcpopts[i].kind;
			*idx = tcpopts[i].idx;
			return tcpopts[i].desc;
		}
	}
	return NULL;
}

const struct proto_desc *grammar_tcpopt_bykind(unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < sizeof(tcpopts) / sizeof(tcpopts[0]); i++)
		if (tcpopts[i].kind == kind)
			return tcpopts[i].desc;
	return NULL;
}

/* ---- IPv4 options ---- */
#define IPOPT_COMMON [1] = FI("type", 0, 8), [2] = FI("length", 8, 8)
static const struct proto_desc ipopt_lsrr = {
	.name = "lsrr", .templates = { IPOPT_COMMON, [3] = FI("ptr", 16, 8), [4] = F("addr", ipaddr_type, 24, 32) },
};
static const struct proto_desc ipopt_rr = {
	.name = "rr", .templates = { IPOPT_COMMON, [3] = FI("ptr", 16, 8), [4] = F("addr", ipaddr_type, 24, 32) },
};
static const struct proto_desc ipopt_ssrr = {
	.name = "ssrr", .templates = { IPOPT_COMMON, [3] = FI("ptr", 16, 8), [4] = F("addr", ipaddr_type, 24, 32) },
};
static const struct proto_desc ipopt_ra = {
	.name = "ra", .templates = { IPOPT_COMMON, [3] = FI("value", 16, 16) },
};

const struct proto_desc *grammar_ipopt(const char *name, unsigned int *type)
{
	static const struct {
		const char *name;
		unsigned int type;
		const struct proto_desc *desc;
	} tbl[] = {
		{ "lsrr", 131, &ipopt_lsrr },
		{ "rr", 7, &ipopt_rr },
		{ "ssrr", 137, &ipopt_ssrr },
		{ "ra", 148, &ipopt_ra },
	};
	unsigned int i;

	for (i = 0; i < sizeof(tbl) / sizeof(tbl[0]); i++) {
		if (!strcmp(tbl[i].name, name)) {
			*type = tbl[i].type;
			return tbl[i].desc;
		}
	}
	return NULL;
}

/* ---- SCTP chunks ---- */
#define SCTP_COMMON [1] = FI("type", 0, 8), [2] = FI("flags", 8, 8), [3] = FI("length", 16, 16)
#define SCTP_CHUNK(var, nm, ...) \
	static const struct proto_desc var = { .name = nm, .templates = { SCTP_COMMON, ##__VA_ARGS__ } }
SCTP_CHUNK(sctp_data, "data", [4] = FI("tsn", 32, 32), [5] = FI("stream", 64, 16),
	   [6] = FI("ssn", 80, 16), [7] = FI("ppid", 96, 32));
SCTP_CHUNK(sctp_init, "init", [4] = FI("init-tag", 32, 32), [5] = FI("a-rwnd", 64, 32),
	   [6] = FI("num-outbound-streams", 96, 16), [7] = FI("num-inbound-streams", 112, 16),
	   [8] = FI("initial-tsn", 128, 32));
SCTP_CHUNK(sctp_init_ack, "init-ack", [4] = FI("init-tag", 32, 32), [5] = FI("a-rwnd", 64, 32),
	   [6] = FI("num-outbound-streams", 96, 16), [7] = FI("num-inbound-streams", 112, 16),
	   [8] = FI("initial-tsn", 128, 32));
SCTP_CHUNK(sctp_sack, "sack", [4] = FI("cum-tsn-ack", 32, 32), [5] = FI("a-rwnd", 64, 32),
	   [6] = FI("num-gap-ack-blocks", 96, 16), [7] = FI("num-dup-tsns", 112, 16));
SCTP_CHUNK(sctp_heartbeat, "heartbeat");
SCTP_CHUNK(sctp_heartbeat_ack, "heartbeat-ack");
SCTP_CHUNK(sctp_abort, "abort");
SCTP_CHUNK(sctp_shutdown, "shutdown", [4] = FI("cum-tsn-ack", 32, 32));
SCTP_CHUNK(sctp_shutdown_ack, "shutdown-ack");
SCTP_CHUNK(sctp_error, "error");
SCTP_CHUNK(sctp_cookie_echo, "cookie-echo");
SCTP_CHUNK(sctp_cookie_ack, "cookie-ack");
SCTP_CHUNK(sctp_ecne, "ecne", [4] = FI("lowest-tsn", 32, 32));
SCTP_CHUNK(sctp_cwr, "cwr", [4] = FI("lowest-tsn", 32, 32));
SCTP_CHUNK(sctp_shutdown_complete, "shutdown-complete");
SCTP_CHUNK(sctp_asconf_ack, "asconf-ack", [4] = FI("seqno", 32, 32));
SCTP_CHUNK(sctp_forward_tsn, "forward-tsn", [4] = FI("new-cum-tsn", 32, 32));
SCTP_CHUNK(sctp_asconf, "asconf", [4] = FI("seqno", 32, 32));

const struct proto_desc *grammar_sctp_chunk(const char *name, unsigned int *type)
{
	static const struct {
		unsigned int type;
		const struct proto_desc *desc;
	} tbl[] = {
		{ 0, &sctp_data },	    { 1, &sctp_init },		{ 2, &sctp_init_ack },
		{ 3, &sctp_sack },	    { 4, &sctp_heartbeat },	{ 5, &sctp_heartbeat_ack },
		{ 6, &sctp_abort },	    { 7, &sctp_shutdown },	{ 8, &sctp_shutdown_ack },
		{ 9, &sctp_error },	    { 10, &sctp_cookie_echo },	{ 11, &sctp_cookie_ack },
		{ 12, &sctp_ecne },	    { 13, &sctp_cwr },		{ 14, &sctp_shutdown_complete },
		{ 128, &sctp_asconf_ack }, { 192, &sctp_forward_tsn }, { 193, &sctp_asconf },
	};
	unsigned int i;

	for (i = 0; i < sizeof(tbl) / sizeof(tbl[0]); i++) {
		if (!strcmp(tbl[i].desc->name, name)) {
			*type = tbl[i].type;
			return tbl[i].desc;
		}
	}
	return NULL;
}

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
	unsigned int type, i;
	int n = 0, a, b;

	if (!strcmp(st->prev_word, "ip") || !strcmp(st->prev_word, "ip6") ||
	    !strcmp(st->prev_word, "tcp") || !strcmp(st->prev_word, "gre") ||
	    !strcmp(st->prev_word, "vxlan") || !strcmp(st->prev_word, "geneve") ||
	    !strcmp(st->prev_word, "gretap"))
		return 0; /* nft accepts more than fields there */
	d = proto_lookup(st->prev_word);
	if (!d)
		d = grammar_ip6_exthdr(st->prev_word, &type);
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
