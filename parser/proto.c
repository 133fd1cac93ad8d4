// SPDX-License-Identifier: GPL-2.0
/*
 * Protocol header templates: every header nft knows, each field's bit
 * offset and length from the start of its header, its datatype, and the
 * protocol numbers that link one layer to the next.
 *
 * Offsets are relative to the header itself. A header stacked on another
 * of the same payload base (vlan after ether) starts where the lower one
 * ends: evaluate adds the lower header's length (proto_hdr_len), exactly
 * like nft's protocol context does (vlan id loads link header + 14).
 */
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/datatype.h"
#include "parser/proto.h"

#define B BYTEORDER_BIG_ENDIAN
#define H BYTEORDER_HOST_ENDIAN

#define FLD(_tok, _dt, _off, _len)                                                             \
	{                                                                                      \
		.token = _tok, .dtype = _dt, .offset = _off, .len = _len, .byteorder = B       \
	}
#define ICMPFLD(_tok, _dt, _off, _len, _dep)                                                   \
	{                                                                                      \
		.token = _tok, .dtype = _dt, .offset = _off, .len = _len, .byteorder = B,      \
		.icmp_dep = _dep                                                               \
	}
#define LINK(_num, _desc)                                                                      \
	{                                                                                      \
		.num = _num, .desc = _desc                                                     \
	}

const struct proto_hdr_template proto_unknown_template = {
	.token = "unknown",
	.dtype = &xinteger_type,
	.byteorder = B,
};

/* ------------------------------------------------------------------ */
/* Transport layer                                                     */

const struct proto_desc proto_ah = {
	.name = "ah",
	.id = PROTO_DESC_AH,
	.base = PAYLOAD_TRANSPORT,
	.protocol_key = AHHDR_NEXTHDR,
	.length = 12 * 8,
	.protocols = {
		LINK(1, &proto_icmp), LINK(2, &proto_igmp), LINK(6, &proto_tcp),
		LINK(17, &proto_udp), LINK(136, &proto_udplite), LINK(33, &proto_dccp),
		LINK(132, &proto_sctp), LINK(50, &proto_esp), LINK(108, &proto_comp),
	},
	.templates = {
		[AHHDR_NEXTHDR] = FLD("nexthdr", &inet_protocol_type, 0, 8),
		[AHHDR_HDRLENGTH] = FLD("hdrlength", &integer_type, 8, 8),
		[AHHDR_RESERVED] = FLD("reserved", &integer_type, 16, 16),
		[AHHDR_SPI] = FLD("spi", &integer_type, 32, 32),
		[AHHDR_SEQUENCE] = FLD("sequence", &integer_type, 64, 32),
	},
};

const struct proto_desc proto_esp = {
	.name = "esp",
	.id = PROTO_DESC_ESP,
	.base = PAYLOAD_TRANSPORT,
	.length = 8 * 8,
	.templates = {
		[ESPHDR_SPI] = FLD("spi", &integer_type, 0, 32),
		[ESPHDR_SEQUENCE] = FLD("sequence", &integer_type, 32, 32),
	},
};

const struct proto_desc proto_comp = {
	.name = "comp",
	.id = PROTO_DESC_COMP,
	.base = PAYLOAD_TRANSPORT,
	.protocol_key = COMPHDR_NEXTHDR,
	.length = 4 * 8,
	.protocols = {
		LINK(1, &proto_icmp), LINK(2, &proto_igmp), LINK(6, &proto_tcp),
		LINK(17, &proto_udp), LINK(136, &proto_udplite), LINK(33, &proto_dccp),
		LINK(132, &proto_sctp), LINK(50, &proto_esp), LINK(51, &proto_ah),
	},
	.templates = {
		[COMPHDR_NEXTHDR] = FLD("nexthdr", &inet_protocol_type, 0, 8),
		[COMPHDR_FLAGS] = FLD("flags", &bitmask_type, 8, 8),
		[COMPHDR_CPI] = FLD("cpi", &integer_type, 16, 16),
	},
};

const struct proto_desc proto_icmp = {
	.name = "icmp",
	.id = PROTO_DESC_ICMP,
	.base = PAYLOAD_TRANSPORT,
	.protocol_key = ICMPHDR_TYPE,
	.length = 8 * 8,
	.templates = {
		[ICMPHDR_TYPE] = FLD("type", &icmp_type_type, 0, 8),
		[ICMPHDR_CODE] = FLD("code", &icmp_code_type, 8, 8),
		[ICMPHDR_CHECKSUM] = FLD("checksum", &integer_type, 16, 16),
		[ICMPHDR_ID] = ICMPFLD("id", &integer_type, 32, 16, PROTO_ICMP_ECHO),
		[ICMPHDR_SEQ] = ICMPFLD("sequence", &integer_type, 48, 16, PROTO_ICMP_ECHO),
		[ICMPHDR_GATEWAY] = ICMPFLD("gateway", &integer_type, 32, 32, PROTO_ICMP_ADDRESS),
		[ICMPHDR_MTU] = ICMPFLD("mtu", &integer_type, 48, 16, PROTO_ICMP_MTU),
	},
};

const struct proto_desc proto_igmp = {
	.name = "igmp",
	.id = PROTO_DESC_IGMP,
	.base = PAYLOAD_TRANSPORT,
	.length = 8 * 8,
	.templates = {
		[IGMPHDR_TYPE] = FLD("type", &igmp_type_type, 0, 8),
		[IGMPHDR_MRT] = FLD("mrt", &integer_type, 8, 8),
		[IGMPHDR_CHECKSUM] = FLD("checksum", &integer_type, 16, 16),
		[IGMPHDR_GROUP] = FLD("group", &integer_type, 32, 32),
	},
};

const struct proto_desc proto_icmp6 = {
	.name = "icmpv6",
	.id = PROTO_DESC_ICMPV6,
	.base = PAYLOAD_TRANSPORT,
	.protocol_key = ICMP6HDR_TYPE,
	.length = 8 * 8,
	.templates = {
		[ICMP6HDR_TYPE] = FLD("type", &icmp6_type_type, 0, 8),
		[ICMP6HDR_CODE] = FLD("code", &icmpv6_code_type, 8, 8),
		[ICMP6HDR_CHECKSUM] = FLD("checksum", &integer_type, 16, 16),
		[ICMP6HDR_PPTR] = ICMPFLD("parameter-problem", &integer_type, 32, 32,
					  PROTO_ICMP6_PPTR),
		[ICMP6HDR_MTU] = ICMPFLD("mtu", &integer_type, 32, 32, PROTO_ICMP6_MTU),
		[ICMP6HDR_ID] = ICMPFLD("id", &integer_type, 32, 16, PROTO_ICMP6_ECHO),
		[ICMP6HDR_SEQ] = ICMPFLD("sequence", &integer_type, 48, 16, PROTO_ICMP6_ECHO),
		[ICMP6HDR_MAXDELAY] = ICMPFLD("max-delay", &integer_type, 32, 16, PROTO_ICMP6_MGMQ),
		[ICMP6HDR_TADDR] = ICMPFLD("taddr", &ip6addr_type, 64, 128, PROTO_ICMP6_ADDRESS),
		[ICMP6HDR_DADDR] = ICMPFLD("daddr", &ip6addr_type, 192, 128, PROTO_ICMP6_REDIRECT),
	},
};

const struct proto_desc proto_udp = {
	.name = "udp",
	.id = PROTO_DESC_UDP,
	.base = PAYLOAD_TRANSPORT,
	.length = 8 * 8,
	.templates = {
		[UDPHDR_SPORT] = FLD("sport", &inet_service_type, 0, 16),
		[UDPHDR_DPORT] = FLD("dport", &inet_service_type, 16, 16),
		[UDPHDR_LENGTH] = FLD("length", &integer_type, 32, 16),
		[UDPHDR_CHECKSUM] = FLD("checksum", &integer_type, 48, 16),
	},
	.protocols = { LINK(0, &proto_vxlan), LINK(0, &proto_geneve) },
};

const struct proto_desc proto_udplite = {
	.name = "udplite",
	.id = PROTO_DESC_UDPLITE,
	.base = PAYLOAD_TRANSPORT,
	.length = 8 * 8,
	.templates = {
		[UDPHDR_SPORT] = FLD("sport", &inet_service_type, 0, 16),
		[UDPHDR_DPORT] = FLD("dport", &inet_service_type, 16, 16),
		[UDPHDR_CSUMCOV] = FLD("csumcov", &integer_type, 32, 16),
		[UDPHDR_CHECKSUM] = FLD("checksum", &integer_type, 48, 16),
	},
};

const struct proto_desc proto_tcp = {
	.name = "tcp",
	.id = PROTO_DESC_TCP,
	.base = PAYLOAD_TRANSPORT,
	.length = 20 * 8,
	.templates = {
		[TCPHDR_SPORT] = FLD("sport", &inet_service_type, 0, 16),
		[TCPHDR_DPORT] = FLD("dport", &inet_service_type, 16, 16),
		[TCPHDR_SEQ] = FLD("sequence", &integer_type, 32, 32),
		[TCPHDR_ACKSEQ] = FLD("ackseq", &integer_type, 64, 32),
		[TCPHDR_DOFF] = FLD("doff", &integer_type, 96, 4),
		[TCPHDR_RESERVED] = FLD("reserved", &integer_type, 100, 4),
		[TCPHDR_FLAGS] = FLD("flags", &tcp_flag_type, 104, 8),
		[TCPHDR_WINDOW] = FLD("window", &integer_type, 112, 16),
		[TCPHDR_CHECKSUM] = FLD("checksum", &integer_type, 128, 16),
		[TCPHDR_URGPTR] = FLD("urgptr", &integer_type, 144, 16),
	},
};

const struct proto_desc proto_dccp = {
	.name = "dccp",
	.id = PROTO_DESC_DCCP,
	.base = PAYLOAD_TRANSPORT,
	.length = 16 * 8,
	.templates = {
		[DCCPHDR_SPORT] = FLD("sport", &inet_service_type, 0, 16),
		[DCCPHDR_DPORT] = FLD("dport", &inet_service_type, 16, 16),
		[DCCPHDR_TYPE] = FLD("type", &dccp_pkttype_type, 67, 4),
	},
};

const struct proto_desc proto_sctp = {
	.name = "sctp",
	.id = PROTO_DESC_SCTP,
	.base = PAYLOAD_TRANSPORT,
	.length = 12 * 8,
	.templates = {
		[SCTPHDR_SPORT] = FLD("sport", &inet_service_type, 0, 16),
		[SCTPHDR_DPORT] = FLD("dport", &inet_service_type, 16, 16),
		[SCTPHDR_VTAG] = FLD("vtag", &integer_type, 32, 32),
		[SCTPHDR_CHECKSUM] = FLD("checksum", &integer_type, 64, 32),
	},
};

/* "th": the ports of whichever transport header is there. */
const struct proto_desc proto_th = {
	.name = "th",
	.id = PROTO_DESC_TH,
	.base = PAYLOAD_TRANSPORT,
	.length = 4 * 8,
	.templates = {
		[THDR_SPORT] = FLD("sport", &inet_service_type, 0, 16),
		[THDR_DPORT] = FLD("dport", &inet_service_type, 16, 16),
	},
};

/* ------------------------------------------------------------------ */
/* Tunnels (inner headers)                                             */

/* the ether type of the encapsulated frame selects the inner header */
#define INNER_UPPER                                                                            \
	LINK(0x0800, &proto_ip), LINK(0x0806, &proto_arp), LINK(0x86dd, &proto_ip6),             \
		LINK(0x8100, &proto_vlan)

#define INNER_HDRSIZE 0x1
#define INNER_LL 0x2
#define INNER_NH 0x4
#define INNER_TH 0x8

const struct proto_desc proto_gre = {
	.name = "gre",
	.id = PROTO_DESC_GRE,
	.base = PAYLOAD_TRANSPORT,
	.length = 4 * 8,
	.templates = {
		[GREHDR_FLAGS] = FLD("flags", &integer_type, 0, 5),
		[GREHDR_VERSION] = FLD("version", &integer_type, 13, 3),
		[GREHDR_PROTOCOL] = FLD("protocol", &ethertype_type, 16, 16),
	},
	.inner = { .type = 3, .hdrsize = 4, .flags = INNER_NH | INNER_TH },
};

const struct proto_desc proto_gretap = {
	.name = "gretap",
	.id = PROTO_DESC_GRETAP,
	.base = PAYLOAD_TRANSPORT,
	.length = 4 * 8,
	.inner = { .type = 4, .hdrsize = 4, .flags = INNER_LL | INNER_NH | INNER_TH },
};

const struct proto_desc proto_vxlan = {
	.name = "vxlan",
	.id = PROTO_DESC_VXLAN,
	.base = PAYLOAD_INNER,
	.length = 8 * 8,
	.protocols = { INNER_UPPER },
	.templates = {
		[VXLANHDR_FLAGS] = FLD("flags", &bitmask_type, 0, 8),
		[VXLANHDR_VNI] = FLD("vni", &integer_type, 32, 24),
	},
	.inner = { .type = 1, .hdrsize = 8,
		   .flags = INNER_HDRSIZE | INNER_LL | INNER_NH | INNER_TH },
};

const struct proto_desc proto_geneve = {
	.name = "geneve",
	.id = PROTO_DESC_GENEVE,
	.base = PAYLOAD_INNER,
	.length = 8 * 8,
	.protocols = { INNER_UPPER },
	.templates = {
		[GNVHDR_TYPE] = FLD("type", &ethertype_type, 16, 16),
		[GNVHDR_VNI] = FLD("vni", &integer_type, 32, 24),
	},
	.inner = { .type = 2, .hdrsize = 8,
		   .flags = INNER_HDRSIZE | INNER_LL | INNER_NH | INNER_TH },
};

/* ------------------------------------------------------------------ */
/* Network layer                                                       */

#define IP_UPPER                                                                               \
	LINK(1, &proto_icmp), LINK(2, &proto_igmp), LINK(50, &proto_esp), LINK(51, &proto_ah),   \
		LINK(108, &proto_comp), LINK(17, &proto_udp), LINK(136, &proto_udplite),         \
		LINK(6, &proto_tcp), LINK(33, &proto_dccp), LINK(132, &proto_sctp),              \
		LINK(47, &proto_gre), LINK(47, &proto_gretap), LINK(58, &proto_icmp6)

const struct proto_desc proto_ip = {
	.name = "ip",
	.id = PROTO_DESC_IP,
	.base = PAYLOAD_NETWORK,
	.protocol_key = IPHDR_PROTOCOL,
	.length = 20 * 8,
	.protocols = { IP_UPPER },
	.templates = {
		[IPHDR_VERSION] = FLD("version", &integer_type, 0, 4),
		[IPHDR_HDRLENGTH] = FLD("hdrlength", &integer_type, 4, 4),
		[IPHDR_DSCP] = FLD("dscp", &dscp_type, 8, 6),
		[IPHDR_ECN] = FLD("ecn", &ecn_type, 14, 2),
		[IPHDR_LENGTH] = FLD("length", &integer_type, 16, 16),
		[IPHDR_ID] = FLD("id", &integer_type, 32, 16),
		[IPHDR_FRAG_OFF] = FLD("frag-off", &xinteger_type, 48, 16),
		[IPHDR_TTL] = FLD("ttl", &integer_type, 64, 8),
		[IPHDR_PROTOCOL] = FLD("protocol", &inet_protocol_type, 72, 8),
		[IPHDR_CHECKSUM] = FLD("checksum", &integer_type, 80, 16),
		[IPHDR_SADDR] = FLD("saddr", &ipaddr_type, 96, 32),
		[IPHDR_DADDR] = FLD("daddr", &ipaddr_type, 128, 32),
	},
};

const struct proto_desc proto_ip6 = {
	.name = "ip6",
	.id = PROTO_DESC_IP6,
	.base = PAYLOAD_NETWORK,
	.protocol_key = IP6HDR_NEXTHDR,
	.length = 40 * 8,
	.protocols = {
		LINK(50, &proto_esp), LINK(51, &proto_ah), LINK(108, &proto_comp),
		LINK(17, &proto_udp), LINK(136, &proto_udplite), LINK(6, &proto_tcp),
		LINK(33, &proto_dccp), LINK(132, &proto_sctp), LINK(1, &proto_icmp),
		LINK(2, &proto_igmp), LINK(58, &proto_icmp6), LINK(47, &proto_gre),
		LINK(47, &proto_gretap),
	},
	.templates = {
		[IP6HDR_VERSION] = FLD("version", &integer_type, 0, 4),
		[IP6HDR_DSCP] = FLD("dscp", &dscp_type, 4, 6),
		[IP6HDR_ECN] = FLD("ecn", &ecn_type, 10, 2),
		[IP6HDR_FLOWLABEL] = FLD("flowlabel", &integer_type, 12, 20),
		[IP6HDR_LENGTH] = FLD("length", &integer_type, 32, 16),
		[IP6HDR_NEXTHDR] = FLD("nexthdr", &inet_protocol_type, 48, 8),
		[IP6HDR_HOPLIMIT] = FLD("hoplimit", &integer_type, 56, 8),
		[IP6HDR_SADDR] = FLD("saddr", &ip6addr_type, 64, 128),
		[IP6HDR_DADDR] = FLD("daddr", &ip6addr_type, 192, 128),
	},
};

const struct proto_desc proto_arp = {
	.name = "arp",
	.id = PROTO_DESC_ARP,
	.base = PAYLOAD_NETWORK,
	.length = 8 * 8,
	.templates = {
		[ARPHDR_HRD] = FLD("htype", &integer_type, 0, 16),
		[ARPHDR_PRO] = FLD("ptype", &ethertype_type, 16, 16),
		[ARPHDR_HLN] = FLD("hlen", &integer_type, 32, 8),
		[ARPHDR_PLN] = FLD("plen", &integer_type, 40, 8),
		[ARPHDR_OP] = FLD("operation", &arpop_type, 48, 16),
		[ARPHDR_SADDR_ETHER] = FLD("saddr ether", &etheraddr_type, 64, 48),
		[ARPHDR_SADDR_IP] = FLD("saddr ip", &ipaddr_type, 112, 32),
		[ARPHDR_DADDR_ETHER] = FLD("daddr ether", &etheraddr_type, 144, 48),
		[ARPHDR_DADDR_IP] = FLD("daddr ip", &ipaddr_type, 192, 32),
	},
};

/* ------------------------------------------------------------------ */
/* Link layer                                                          */

#define ETH_UPPER                                                                              \
	LINK(0x0800, &proto_ip), LINK(0x0806, &proto_arp), LINK(0x86dd, &proto_ip6),             \
		LINK(0x8100, &proto_vlan), LINK(0x88a8, &proto_vlan)

const struct proto_desc proto_vlan = {
	.name = "vlan",
	.id = PROTO_DESC_VLAN,
	.base = PAYLOAD_LL,
	.protocol_key = VLANHDR_TYPE,
	.length = 4 * 8,
	.protocols = { ETH_UPPER },
	.templates = {
		[VLANHDR_PCP] = FLD("pcp", &integer_type, 0, 3),
		[VLANHDR_DEI] = FLD("dei", &integer_type, 3, 1),
		[VLANHDR_CFI] = FLD("cfi", &integer_type, 3, 1),
		[VLANHDR_VID] = FLD("id", &integer_type, 4, 12),
		[VLANHDR_TYPE] = FLD("type", &ethertype_type, 16, 16),
	},
};

const struct proto_desc proto_eth = {
	.name = "ether",
	.id = PROTO_DESC_ETHER,
	.base = PAYLOAD_LL,
	.protocol_key = ETHHDR_TYPE,
	.length = 14 * 8,
	.protocols = { ETH_UPPER },
	.templates = {
		[ETHHDR_DADDR] = FLD("daddr", &etheraddr_type, 0, 48),
		[ETHHDR_SADDR] = FLD("saddr", &etheraddr_type, 48, 48),
		[ETHHDR_TYPE] = FLD("type", &ethertype_type, 96, 16),
	},
};

/* ------------------------------------------------------------------ */
/* Meta pseudo protocols                                               */

#define META_FLD(_tok, _dt, _len, _bo)                                                         \
	{                                                                                      \
		.token = _tok, .dtype = _dt, .len = _len, .byteorder = _bo                     \
	}

const struct proto_desc proto_inet = {
	.name = "inet",
	.id = PROTO_DESC_INET,
	.base = PAYLOAD_LL,
	.protocols = { LINK(2, &proto_ip), LINK(10, &proto_ip6) },
	.templates = { [0] = META_FLD("nfproto", &nfproto_type, 8, H) },
	.meta_key = NFT_META_NFPROTO,
};

const struct proto_desc proto_inet_service = {
	.name = "inet-service",
	.id = PROTO_DESC_INET_SERVICE,
	.base = PAYLOAD_TRANSPORT,
	.protocols = {
		LINK(6, &proto_tcp), LINK(17, &proto_udp), LINK(136, &proto_udplite),
		LINK(50, &proto_esp), LINK(51, &proto_ah), LINK(108, &proto_comp),
		LINK(33, &proto_dccp), LINK(132, &proto_sctp), LINK(1, &proto_icmp),
		LINK(2, &proto_igmp), LINK(58, &proto_icmp6), LINK(47, &proto_gre),
		LINK(47, &proto_gretap),
	},
	.templates = { [0] = META_FLD("l4proto", &inet_protocol_type, 8, H) },
	.meta_key = NFT_META_L4PROTO,
};

const struct proto_desc proto_netdev = {
	.name = "netdev",
	.id = PROTO_DESC_NETDEV,
	.base = PAYLOAD_LL,
	.protocols = { ETH_UPPER },
	.templates = { [0] = META_FLD("protocol", &ethertype_type, 16, B) },
	.meta_key = NFT_META_PROTOCOL,
};

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

static const struct proto_desc *const all_protos[] = {
	&proto_eth,   &proto_vlan,    &proto_arp,  &proto_ip,	  &proto_ip6,	 &proto_icmp,
	&proto_igmp,  &proto_icmp6,   &proto_ah,   &proto_esp,	  &proto_comp,	 &proto_udp,
	&proto_udplite, &proto_tcp,   &proto_dccp, &proto_sctp,	  &proto_th,	 &proto_gre,
	&proto_vxlan, &proto_geneve,  &proto_gretap, &proto_inet, &proto_inet_service,
	&proto_netdev,
};

#define NPROTOS (sizeof(all_protos) / sizeof(all_protos[0]))

const struct proto_desc *proto_lookup(const char *name)
{
	unsigned int i;

	/* the first byte first: strcmp calls were a tenth of parsing 100k
	 * rules (a lookup per payload expression) */
	for (i = 0; i < NPROTOS; i++)
		if (all_protos[i]->name[0] == name[0] && !strcmp(all_protos[i]->name, name))
			return all_protos[i];
	if (!strcmp(name, "icmp6"))
		return &proto_icmp6;
	if (!strcmp(name, "eth"))
		return &proto_eth;
	return NULL;
}

const struct proto_desc *proto_desc_by_id(unsigned int id)
{
	unsigned int i;

	for (i = 0; i < NPROTOS; i++)
		if (all_protos[i]->id == id)
			return all_protos[i];
	return NULL;
}

int proto_field_lookup(const struct proto_desc *desc, const char *field)
{
	unsigned int i;

	if (!desc)
		return -1;
	/* "vlan cfi" is the old name of "vlan dei"; nft lists it as dei */
	if (desc == &proto_vlan && !strcmp(field, "cfi"))
		return VLANHDR_DEI;
	for (i = 1; i < PROTO_FIELDS_MAX; i++)
		if (desc->templates[i].token && desc->templates[i].token[0] == field[0] &&
		    !strcmp(desc->templates[i].token, field))
			return (int)i;
	return -1;
}

const struct proto_desc *proto_find_upper(const struct proto_desc *base, unsigned int num)
{
	unsigned int i;

	if (!base)
		return NULL;
	for (i = 0; i < PROTO_UPPER_MAX && base->protocols[i].desc; i++)
		if (base->protocols[i].num == num)
			return base->protocols[i].desc;
	return NULL;
}

int proto_find_num(const struct proto_desc *base, const struct proto_desc *desc)
{
	unsigned int i;

	if (!base)
		return -1;
	for (i = 0; i < PROTO_UPPER_MAX && base->protocols[i].desc; i++)
		if (base->protocols[i].desc == desc)
			return (int)base->protocols[i].num;
	return -1;
}

int proto_find_field(const struct proto_desc *desc, unsigned int offset, unsigned int len)
{
	unsigned int i;

	if (!desc)
		return -1;
	for (i = 1; i < PROTO_FIELDS_MAX; i++) {
		const struct proto_hdr_template *t = &desc->templates[i];

		if (t->token && t->offset == offset && t->len == len)
			return (int)i;
	}
	return -1;
}

unsigned int proto_hdr_len(const struct proto_desc *desc)
{
	return desc ? desc->length : 0;
}

/* NFPROTO_* numbers */
enum { F_INET = 1, F_IPV4 = 2, F_ARP = 3, F_NETDEV = 5, F_BRIDGE = 7, F_IPV6 = 10 };

const struct proto_desc *proto_family_base(unsigned int family, enum payload_base base)
{
	switch (family) {
	case F_IPV4:
		if (base == PAYLOAD_NETWORK)
			return &proto_ip;
		return base == PAYLOAD_TRANSPORT ? &proto_inet_service : NULL;
	case F_IPV6:
		if (base == PAYLOAD_NETWORK)
			return &proto_ip6;
		return base == PAYLOAD_TRANSPORT ? &proto_inet_service : NULL;
	case F_INET:
		if (base == PAYLOAD_LL)
			return &proto_inet;
		return base == PAYLOAD_TRANSPORT ? &proto_inet_service : NULL;
	case F_ARP:
		return base == PAYLOAD_NETWORK ? &proto_arp : NULL;
	case F_BRIDGE:
		if (base == PAYLOAD_LL)
			return &proto_eth;
		return base == PAYLOAD_TRANSPORT ? &proto_inet_service : NULL;
	case F_NETDEV:
		if (base == PAYLOAD_LL)
			return &proto_netdev;
		return base == PAYLOAD_TRANSPORT ? &proto_inet_service : NULL;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Payload expressions                                                 */

struct expr *payload_expr_alloc(const struct location *loc, const struct proto_desc *desc,
				unsigned int field)
{
	const struct proto_hdr_template *t;
	struct expr *e;

	if (!desc || field >= PROTO_FIELDS_MAX || !desc->templates[field].token)
		return NULL;
	t = &desc->templates[field];
	e = expr_alloc(loc ? loc : &internal_location, EXPR_PAYLOAD);
	if (!e)
		return NULL;
	e->dtype = t->dtype;
	e->len = t->len;
	e->byteorder = t->byteorder;
	e->payload.desc = desc;
	e->payload.tmpl = t;
	e->payload.field = field;
	e->payload.base = desc->base;
	e->payload.offset = t->offset;
	if (desc->protocol_key && field == desc->protocol_key)
		e->flags |= EXPR_F_PROTOCOL;
	return e;
}

struct expr *payload_raw_expr_alloc(const struct location *loc, enum payload_base base,
				    unsigned int offset, unsigned int len)
{
	struct expr *e = expr_alloc(loc ? loc : &internal_location, EXPR_PAYLOAD);

	if (!e)
		return NULL;
	e->dtype = &xinteger_type; /* nft lists raw payload values in hex */
	e->len = len;
	e->byteorder = B;
	e->payload.tmpl = &proto_unknown_template;
	e->payload.base = base;
	e->payload.offset = offset;
	e->payload.is_raw = true;
	return e;
}

unsigned int proto_icmp_dep_types(unsigned int dep, const uint8_t **types)
{
	static const uint8_t echo[] = { 8, 0 }, mtu[] = { 3 }, redirect[] = { 5 },
			     echo6[] = { 128, 129 }, mtu6[] = { 2 }, pptr6[] = { 4 },
			     mgmq6[] = { 130 }, addr6[] = { 130, 131, 132, 135, 136, 137 },
			     redirect6[] = { 137 };
#define DEP(_a)                                                                                \
	do {                                                                                   \
		*types = _a;                                                                   \
		return sizeof(_a);                                                             \
	} while (0)

	switch (dep) {
	case PROTO_ICMP_ECHO:
		DEP(echo);
	case PROTO_ICMP_MTU:
		DEP(mtu);
	case PROTO_ICMP_ADDRESS:
		DEP(redirect);
	case PROTO_ICMP6_MTU:
		DEP(mtu6);
	case PROTO_ICMP6_PPTR:
		DEP(pptr6);
	case PROTO_ICMP6_ECHO:
		DEP(echo6);
	case PROTO_ICMP6_MGMQ:
		DEP(mgmq6);
	case PROTO_ICMP6_ADDRESS:
		DEP(addr6);
	case PROTO_ICMP6_REDIRECT:
		DEP(redirect6);
	}
#undef DEP
	*types = NULL;
	return 0;
}
