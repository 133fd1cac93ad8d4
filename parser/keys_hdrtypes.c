// SPDX-License-Identifier: GPL-2.0
/* Datatypes of protocol header fields: ether type, ARP op, ICMP types and
 * codes, TCP flags, DCCP packet types, MH types, DSCP, ECN, IGMP types. */
#include "parser/datatype.h"

#define SYM_TBL(_name, _bo, _size, _dec, ...)                                                 \
	static const struct symbol_table _name = {                                            \
		.byteorder = _bo,                                                             \
		.size = _size,                                                                \
		.base_dec = _dec,                                                             \
		.symbols = { __VA_ARGS__, SYMBOL_LIST_END },                                  \
	}

SYM_TBL(ethertype_tbl, BYTEORDER_BIG_ENDIAN, 16, false, { "ip", 0x0800 }, { "arp", 0x0806 },
	{ "ip6", 0x86dd }, { "8021q", 0x8100 }, { "8021ad", 0x88a8 }, { "vlan", 0x8100 });

const struct datatype ethertype_type = {
	.type = TYPE_ETHERTYPE,
	.name = "ether_type",
	.desc = "Ethernet protocol",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 16,
	.basetype = &integer_type,
	.basefmt = "0x%04llx",
	.sym_tbl = &ethertype_tbl,
};

SYM_TBL(arpop_tbl, BYTEORDER_BIG_ENDIAN, 16, false, { "request", 1 }, { "reply", 2 },
	{ "rrequest", 3 }, { "rreply", 4 }, { "inrequest", 8 }, { "inreply", 9 },
	{ "nak", 10 });

const struct datatype arpop_type = {
	.type = TYPE_ARPOP,
	.name = "arp_op",
	.desc = "ARP operation",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 16,
	.basetype = &integer_type,
	.sym_tbl = &arpop_tbl,
};

SYM_TBL(icmp_type_tbl, BYTEORDER_BIG_ENDIAN, 8, true, { "echo-reply", 0 },
	{ "destination-unreachable", 3 }, { "source-quench", 4 }, { "redirect", 5 },
	{ "echo-request", 8 }, { "router-advertisement", 9 }, { "router-solicitation", 10 },
	{ "time-exceeded", 11 }, { "parameter-problem", 12 }, { "timestamp-request", 13 },
	{ "timestamp-reply", 14 }, { "info-request", 15 }, { "info-reply", 16 },
	{ "address-mask-request", 17 }, { "address-mask-reply", 18 });

const struct datatype icmp_type_type = {
	.type = TYPE_ICMP_TYPE,
	.name = "icmp_type",
	.desc = "ICMP type",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &icmp_type_tbl,
};

SYM_TBL(icmp6_type_tbl, BYTEORDER_BIG_ENDIAN, 8, true, { "destination-unreachable", 1 },
	{ "packet-too-big", 2 }, { "time-exceeded", 3 }, { "parameter-problem", 4 },
	{ "echo-request", 128 }, { "echo-reply", 129 }, { "mld-listener-query", 130 },
	{ "mld-listener-report", 131 }, { "mld-listener-done", 132 },
	{ "mld-listener-reduction", 132 }, { "nd-router-solicit", 133 },
	{ "nd-router-advert", 134 }, { "nd-neighbor-solicit", 135 },
	{ "nd-neighbor-advert", 136 }, { "nd-redirect", 137 }, { "router-renumbering", 138 },
	{ "ind-neighbor-solicit", 141 }, { "ind-neighbor-advert", 142 },
	{ "mld2-listener-report", 143 });

const struct datatype icmp6_type_type = {
	.type = TYPE_ICMP6_TYPE,
	.name = "icmpv6_type",
	.desc = "ICMPv6 type",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &icmp6_type_tbl,
};

SYM_TBL(icmp_code_tbl, BYTEORDER_BIG_ENDIAN, 8, true, { "net-unreachable", 0 },
	{ "host-unreachable", 1 }, { "prot-unreachable", 2 }, { "port-unreachable", 3 },
	{ "frag-needed", 4 }, { "net-prohibited", 9 }, { "host-prohibited", 10 },
	{ "admin-prohibited", 13 });

/* reject statements print the names */
const struct datatype reject_icmp_code_type = {
	.name = "icmp_code",
	.desc = "reject icmp code",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &icmp_code_tbl,
};

/* the header field accepts the names but prints numbers (nft 1.1) */
static int icmp_code_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return symbol_table_parse(sym->dtype ? sym->dtype : &icmp_code_type, &icmp_code_tbl, sym, out, erec);
}

const struct datatype icmp_code_type = {
	.type = TYPE_ICMP_CODE,
	.name = "icmp_code",
	.desc = "icmp code",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.parse = icmp_code_parse,
};

SYM_TBL(icmpv6_code_tbl, BYTEORDER_BIG_ENDIAN, 8, true, { "no-route", 0 },
	{ "admin-prohibited", 1 }, { "addr-unreachable", 3 }, { "port-unreachable", 4 },
	{ "policy-fail", 5 }, { "reject-route", 6 });

/* reject statements print the names */
const struct datatype reject_icmpv6_code_type = {
	.name = "icmpv6_code",
	.desc = "reject icmpv6 code",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &icmpv6_code_tbl,
};

/* the header field accepts the names but prints numbers (nft 1.1) */
static int icmpv6_code_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return symbol_table_parse(sym->dtype ? sym->dtype : &icmpv6_code_type, &icmpv6_code_tbl, sym, out, erec);
}

const struct datatype icmpv6_code_type = {
	.type = TYPE_ICMPV6_CODE,
	.name = "icmpv6_code",
	.desc = "icmpv6 code",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.parse = icmpv6_code_parse,
};

SYM_TBL(icmpx_code_tbl, BYTEORDER_BIG_ENDIAN, 8, true, { "port-unreachable", 1 },
	{ "admin-prohibited", 3 }, { "no-route", 0 }, { "host-unreachable", 2 });

/* reject statements print the names */
const struct datatype reject_icmpx_code_type = {
	.name = "icmpx_code",
	.desc = "reject icmpx code",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &icmpx_code_tbl,
};

/* the header field accepts the names but prints numbers (nft 1.1) */
static int icmpx_code_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return symbol_table_parse(sym->dtype ? sym->dtype : &icmpx_code_type, &icmpx_code_tbl, sym, out, erec);
}

const struct datatype icmpx_code_type = {
	.type = TYPE_ICMPX_CODE,
	.name = "icmpx_code",
	.desc = "icmpx code",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.parse = icmpx_code_parse,
};

SYM_TBL(tcp_flag_tbl, BYTEORDER_BIG_ENDIAN, 8, false, { "fin", 0x01 }, { "syn", 0x02 },
	{ "rst", 0x04 }, { "psh", 0x08 }, { "ack", 0x10 }, { "urg", 0x20 }, { "ecn", 0x40 },
	{ "cwr", 0x80 });

const struct datatype tcp_flag_type = {
	.type = TYPE_TCP_FLAG,
	.name = "tcp_flag",
	.desc = "TCP flag",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &bitmask_type,
	.sym_tbl = &tcp_flag_tbl,
};

SYM_TBL(dccp_pkttype_tbl, BYTEORDER_BIG_ENDIAN, 4, true, { "request", 0 }, { "response", 1 },
	{ "data", 2 }, { "ack", 3 }, { "dataack", 4 }, { "closereq", 5 }, { "close", 6 },
	{ "reset", 7 }, { "sync", 8 }, { "syncack", 9 });

const struct datatype dccp_pkttype_type = {
	.type = TYPE_DCCP_PKTTYPE,
	.name = "dccp_pkttype",
	.desc = "DCCP packet type",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 4,
	.basetype = &integer_type,
	.sym_tbl = &dccp_pkttype_tbl,
};

SYM_TBL(mh_type_tbl, BYTEORDER_BIG_ENDIAN, 8, true, { "binding-refresh-request", 0 },
	{ "home-test-init", 1 }, { "careof-test-init", 2 }, { "home-test", 3 },
	{ "careof-test", 4 }, { "binding-update", 5 }, { "binding-acknowledgement", 6 },
	{ "binding-error", 7 }, { "fast-binding-update", 8 },
	{ "fast-binding-acknowledgement", 9 }, { "fast-binding-advertisement", 10 },
	{ "experimental-mobility-header", 11 }, { "home-agent-switch-message", 12 });

const struct datatype mh_type_type = {
	.type = TYPE_MH_TYPE,
	.name = "mh_type",
	.desc = "Mobility Header Type",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &mh_type_tbl,
};

SYM_TBL(dscp_tbl, BYTEORDER_BIG_ENDIAN, 6, false, { "cs0", 0x00 }, { "cs1", 0x08 },
	{ "cs2", 0x10 }, { "cs3", 0x18 }, { "cs4", 0x20 }, { "cs5", 0x28 }, { "cs6", 0x30 },
	{ "cs7", 0x38 }, { "df", 0x00 }, { "be", 0x00 }, { "lephb", 0x01 }, { "af11", 0x0a },
	{ "af12", 0x0c }, { "af13", 0x0e }, { "af21", 0x12 }, { "af22", 0x14 },
	{ "af23", 0x16 }, { "af31", 0x1a }, { "af32", 0x1c }, { "af33", 0x1e },
	{ "af41", 0x22 }, { "af42", 0x24 }, { "af43", 0x26 }, { "va", 0x2c }, { "ef", 0x2e });

const struct datatype dscp_type = {
	.type = TYPE_DSCP,
	.name = "dscp",
	.desc = "Differentiated Services Code Point",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 6,
	.basetype = &integer_type,
	.basefmt = "0x%02llx",
	.sym_tbl = &dscp_tbl,
};

SYM_TBL(ecn_tbl, BYTEORDER_BIG_ENDIAN, 2, false, { "not-ect", 0x00 }, { "ect1", 0x01 },
	{ "ect0", 0x02 }, { "ce", 0x03 });

const struct datatype ecn_type = {
	.type = TYPE_ECN,
	.name = "ecn",
	.desc = "Explicit Congestion Notification",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 2,
	.basetype = &integer_type,
	.basefmt = "0x%01llx",
	.sym_tbl = &ecn_tbl,
};

SYM_TBL(igmp_type_tbl, BYTEORDER_BIG_ENDIAN, 8, false, { "membership-query", 0x11 },
	{ "membership-report-v1", 0x12 }, { "membership-report-v2", 0x16 },
	{ "membership-report-v3", 0x22 }, { "leave-group", 0x17 });

const struct datatype igmp_type_type = {
	.type = TYPE_IGMP_TYPE,
	.name = "igmp_type",
	.desc = "IGMP type",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &igmp_type_tbl,
};
