/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Protocol header descriptions: every header nft knows, its fields (offset,
 * length, type), which lower protocol carries it and how (for implicit
 * dependencies such as "meta l4proto tcp" before "tcp dport"), and the
 * name-based lookups the grammar uses. Also the key tables of meta, ct, rt,
 * socket, fib, exthdr and friends.
 */
#ifndef BNFT_PARSER_PROTO_H
#define BNFT_PARSER_PROTO_H

#include "parser/ast.h"
#include "parser/datatype.h"

struct proto_hdr_template {
	const char *token; /* "dport" */
	const struct datatype *dtype;
	unsigned int offset; /* bits from the header start */
	unsigned int len;    /* bits */
	enum byteorder byteorder;
	unsigned int icmp_dep; /* enum icmp_hdr_dep: icmp type the field needs */
};

/* ICMP/ICMPv6 fields only exist for some types: "icmp id" needs icmp type
 * echo-request or echo-reply. proto_icmp_dep_types() gives those types. */
enum icmp_hdr_dep {
	PROTO_ICMP_ANY = 0,
	PROTO_ICMP_ECHO,
	PROTO_ICMP_MTU,
	PROTO_ICMP_ADDRESS,
	PROTO_ICMP6_MTU,
	PROTO_ICMP6_PPTR,
	PROTO_ICMP6_ECHO,
	PROTO_ICMP6_MGMQ,
	PROTO_ICMP6_ADDRESS,
	PROTO_ICMP6_REDIRECT,
};

#define PROTO_UPPER_MAX 24
#define PROTO_FIELDS_MAX 32

struct proto_desc {
	const char *name; /* "tcp" */
	unsigned int id;   /* enum proto_desc_id */
	enum payload_base base;
	unsigned int protocol_key; /* field index holding the upper protocol */
	unsigned int length;	   /* bits of the fixed header */
	/* How this protocol is selected by its lower layer: e.g. for tcp the
	 * value 6 of "meta l4proto" / "ip protocol" / "ip6 nexthdr". */
	struct {
		unsigned int num;
		const struct proto_desc *desc;
	} protocols[PROTO_UPPER_MAX];
	struct proto_hdr_template templates[PROTO_FIELDS_MAX];
	/* Tunnel headers (vxlan, geneve, gre, gretap): the kernel's inner
	 * expression attributes. type 0 = not a tunnel. */
	struct {
		unsigned int type;    /* NFT_INNER_* 1 vxlan 2 geneve 3 gre 4 gretap */
		unsigned int hdrsize; /* bytes */
		unsigned int flags;   /* NFT_INNER_HDRSIZE|LL|NH|TH bits */
	} inner;
	/* For meta pseudo protocols (inet, inet-service, netdev): the meta key
	 * that selects the upper protocol (NFT_META_NFPROTO/L4PROTO/PROTOCOL). */
	int meta_key;
	/* Extension headers, options and chunks (keys_exthdr.c): the number
	 * the kernel looks for (ip6 nexthdr value, tcp/ip option kind, sctp
	 * chunk type), and 1 + the routing header type for rt0/rt2/srh (0: none). */
	unsigned int exthdr_type;
	int exthdr_subtype;
};

extern const struct proto_desc proto_eth, proto_vlan, proto_arp, proto_ip, proto_ip6,
	proto_icmp, proto_igmp, proto_icmp6, proto_ah, proto_esp, proto_comp, proto_udp,
	proto_udplite, proto_tcp, proto_dccp, proto_sctp, proto_th, proto_gre, proto_vxlan,
	proto_geneve, proto_gretap;

/* Name-based lookups used by the grammar. Return NULL / negative when not
 * known, so the grammar can report a located error. */
const struct proto_desc *proto_lookup(const char *name);
int proto_field_lookup(const struct proto_desc *desc, const char *field);

/* Constructors for selector expressions (implemented with the tables). */
struct expr *payload_expr_alloc(const struct location *loc, const struct proto_desc *desc,
				unsigned int field);
struct expr *payload_raw_expr_alloc(const struct location *loc, enum payload_base base,
				    unsigned int offset, unsigned int len);
struct expr *meta_expr_alloc(const struct location *loc, unsigned int key);
struct expr *ct_expr_alloc(const struct location *loc, unsigned int key, int direction);

/* Key tables: name <-> NFT_META_* / NFT_CT_* ... with their datatypes. */
struct key_template {
	const char *token;
	const struct datatype *dtype;
	unsigned int len; /* bits */
	enum byteorder byteorder;
};
int meta_key_lookup(const char *name);		  /* NFT_META_* or -1 */
const struct key_template *meta_template(unsigned int key);
int ct_key_lookup(const char *name);		  /* NFT_CT_* or -1 */
const struct key_template *ct_template(unsigned int key);

/* ------------------------------------------------------------------ */
/* Additions by the types engineer                                     */

enum proto_desc_id {
	PROTO_DESC_UNKNOWN = 0,
	PROTO_DESC_AH, PROTO_DESC_ESP, PROTO_DESC_COMP, PROTO_DESC_ICMP, PROTO_DESC_IGMP,
	PROTO_DESC_UDP, PROTO_DESC_UDPLITE, PROTO_DESC_TCP, PROTO_DESC_DCCP, PROTO_DESC_SCTP,
	PROTO_DESC_ICMPV6, PROTO_DESC_IP, PROTO_DESC_IP6, PROTO_DESC_VLAN, PROTO_DESC_ARP,
	PROTO_DESC_ETHER, PROTO_DESC_TH, PROTO_DESC_GRE, PROTO_DESC_VXLAN, PROTO_DESC_GENEVE,
	PROTO_DESC_GRETAP, PROTO_DESC_INET, PROTO_DESC_INET_SERVICE, PROTO_DESC_NETDEV,
	__PROTO_DESC_MAX
};

/* Field indexes in proto_desc.templates (0 is never a field). */
enum eth_hdr_fields { ETHHDR_INVALID, ETHHDR_DADDR, ETHHDR_SADDR, ETHHDR_TYPE };
enum vlan_hdr_fields { VLANHDR_INVALID, VLANHDR_PCP, VLANHDR_DEI, VLANHDR_CFI, VLANHDR_VID,
		       VLANHDR_TYPE };
enum arp_hdr_fields { ARPHDR_INVALID, ARPHDR_HRD, ARPHDR_PRO, ARPHDR_HLN, ARPHDR_PLN,
		      ARPHDR_OP, ARPHDR_SADDR_ETHER, ARPHDR_DADDR_ETHER, ARPHDR_SADDR_IP,
		      ARPHDR_DADDR_IP };
enum ip_hdr_fields { IPHDR_INVALID, IPHDR_VERSION, IPHDR_HDRLENGTH, IPHDR_DSCP, IPHDR_ECN,
		     IPHDR_LENGTH, IPHDR_ID, IPHDR_FRAG_OFF, IPHDR_TTL, IPHDR_PROTOCOL,
		     IPHDR_CHECKSUM, IPHDR_SADDR, IPHDR_DADDR };
enum ip6_hdr_fields { IP6HDR_INVALID, IP6HDR_VERSION, IP6HDR_DSCP, IP6HDR_ECN,
		      IP6HDR_FLOWLABEL, IP6HDR_LENGTH, IP6HDR_NEXTHDR, IP6HDR_HOPLIMIT,
		      IP6HDR_SADDR, IP6HDR_DADDR };
enum icmp_hdr_fields { ICMPHDR_INVALID, ICMPHDR_TYPE, ICMPHDR_CODE, ICMPHDR_CHECKSUM,
		       ICMPHDR_ID, ICMPHDR_SEQ, ICMPHDR_GATEWAY, ICMPHDR_MTU };
enum igmp_hdr_fields { IGMPHDR_INVALID, IGMPHDR_TYPE, IGMPHDR_MRT, IGMPHDR_CHECKSUM,
		       IGMPHDR_GROUP };
enum icmp6_hdr_fields { ICMP6HDR_INVALID, ICMP6HDR_TYPE, ICMP6HDR_CODE, ICMP6HDR_CHECKSUM,
			ICMP6HDR_PPTR, ICMP6HDR_MTU, ICMP6HDR_ID, ICMP6HDR_SEQ,
			ICMP6HDR_MAXDELAY, ICMP6HDR_TADDR, ICMP6HDR_DADDR };
enum ah_hdr_fields { AHHDR_INVALID, AHHDR_NEXTHDR, AHHDR_HDRLENGTH, AHHDR_RESERVED,
		     AHHDR_SPI, AHHDR_SEQUENCE };
enum esp_hdr_fields { ESPHDR_INVALID, ESPHDR_SPI, ESPHDR_SEQUENCE };
enum comp_hdr_fields { COMPHDR_INVALID, COMPHDR_NEXTHDR, COMPHDR_FLAGS, COMPHDR_CPI };
enum udp_hdr_fields { UDPHDR_INVALID, UDPHDR_SPORT, UDPHDR_DPORT, UDPHDR_LENGTH,
		      UDPHDR_CSUMCOV = UDPHDR_LENGTH, UDPHDR_CHECKSUM };
enum tcp_hdr_fields { TCPHDR_INVALID, TCPHDR_SPORT, TCPHDR_DPORT, TCPHDR_SEQ,
		      TCPHDR_ACKSEQ, TCPHDR_DOFF, TCPHDR_RESERVED, TCPHDR_FLAGS,
		      TCPHDR_WINDOW, TCPHDR_CHECKSUM, TCPHDR_URGPTR };
enum dccp_hdr_fields { DCCPHDR_INVALID, DCCPHDR_SPORT, DCCPHDR_DPORT, DCCPHDR_TYPE };
enum sctp_hdr_fields { SCTPHDR_INVALID, SCTPHDR_SPORT, SCTPHDR_DPORT, SCTPHDR_VTAG,
		       SCTPHDR_CHECKSUM };
enum th_hdr_fields { THDR_INVALID, THDR_SPORT, THDR_DPORT };
enum gre_hdr_fields { GREHDR_INVALID, GREHDR_FLAGS, GREHDR_VERSION, GREHDR_PROTOCOL };
enum vxlan_hdr_fields { VXLANHDR_INVALID, VXLANHDR_FLAGS, VXLANHDR_VNI };
enum geneve_hdr_fields { GNVHDR_INVALID, GNVHDR_VERSION, GNVHDR_OPTLEN, GNVHDR_O, GNVHDR_C,
			 GNVHDR_TYPE, GNVHDR_VNI };

/* Meta pseudo protocols: the layer selected by meta nfproto (inet),
 * meta l4proto (inet-service) and meta protocol (netdev/bridge). */
extern const struct proto_desc proto_inet, proto_inet_service, proto_netdev;

const struct proto_desc *proto_desc_by_id(unsigned int id);
/* The upper protocol that number num of base's protocol key selects. */
const struct proto_desc *proto_find_upper(const struct proto_desc *base, unsigned int num);
/* The number under which base selects desc; -1 when it does not. */
int proto_find_num(const struct proto_desc *base, const struct proto_desc *desc);
/* Which protocols are the link/network/transport layer of each family
 * (NFPROTO_*): e.g. ip -> (NULL, proto_ip, proto_inet_service). NULL when
 * that layer is not fixed by the family. */
const struct proto_desc *proto_family_base(unsigned int family, enum payload_base base);
/* The field of desc at exactly (offset, len) bits, for turning a kernel
 * payload load back into "tcp dport" (listing a live ruleset); -1 if none. */
int proto_find_field(const struct proto_desc *desc, unsigned int offset, unsigned int len);
/* Header length in bits of the desc's fixed part (0 if variable). */
unsigned int proto_hdr_len(const struct proto_desc *desc);
/* A template for a raw @base,offset,len payload (integer type). */
extern const struct proto_hdr_template proto_unknown_template;

/* The icmp(v6) types a field with dependency dep requires, in the order
 * nft adds them (one type: "cmp eq", several: an anonymous set). Returns
 * the count (0 for PROTO_ICMP_ANY). */
unsigned int proto_icmp_dep_types(unsigned int dep, const uint8_t **types);

/* Meta/ct helpers (meta.c, ct.c). */
bool meta_key_is_unqualified(unsigned int key); /* iif, oif, iifname ... print w/o "meta" */
bool ct_key_is_directional(unsigned int key);	/* may take original/reply */

/* Key tables of rt, socket, fib, ipsec, tunnel (keys_misc.c). *_lookup
 * return the kernel key number or -1; *_template NULL when unknown. */
int rt_key_lookup(const char *name); /* NFT_RT_*; "nexthop" -> NEXTHOP4 */
const struct key_template *rt_template(unsigned int key);
int socket_key_lookup(const char *name); /* NFT_SOCKET_* */
const struct key_template *socket_template(unsigned int key);
int fib_result_lookup(const char *name); /* NFT_FIB_RESULT_*: oif, oifname, type */
const struct key_template *fib_result_template(unsigned int result);
int fib_flag_lookup(const char *name); /* NFTA_FIB_F_* of saddr/daddr/mark/iif/oif */
void fib_flags_print(unsigned int flags, struct outbuf *o); /* "saddr . iif" */
int xfrm_key_lookup(const char *name); /* NFT_XFRM_KEY_*; saddr/daddr -> IPv4 key */
const struct key_template *xfrm_template(unsigned int key);
int tunnel_key_lookup(const char *name); /* 0 path, 1 id */
const struct key_template *tunnel_template(unsigned int key);
extern const struct key_template osf_template, numgen_template, hash_template;

/* Extension headers, TCP/IP/DCCP options, SCTP chunks (keys_exthdr.c).
 * Each is a proto_desc whose templates hold the fields; field 0 is unused.
 * exthdr_lookup("frag") for EXTHDR_OP_IPV6, ("maxseg") for TCPOPT,
 * ("lsrr") for IPV4, ("init-ack") for SCTP; NULL if unknown. */
const struct proto_desc *exthdr_lookup(enum exthdr_op op, const char *name);
/* The desc for a number (tcp option 2 -> maxseg); NULL if none has it. */
const struct proto_desc *exthdr_find_type(enum exthdr_op op, unsigned int type);
/* Find the named field matching a kernel exthdr load (type, bit offset and
 * bit length), for printing; returns 0 and sets *desc / *field, else -1. */
int exthdr_find_template(enum exthdr_op op, unsigned int type, unsigned int offset,
			 unsigned int len, const struct proto_desc **desc, unsigned int *field);
/* EXPR_EXTHDR for desc's field (field 0 with exists_only for "exists"). */
struct expr *exthdr_expr_alloc(const struct location *loc, enum exthdr_op op,
			       const struct proto_desc *desc, unsigned int field);
/* Raw tcp option @kind,offset,len (bits) or "tcp option N". */
struct expr *exthdr_raw_expr_alloc(const struct location *loc, enum exthdr_op op,
				   unsigned int type, unsigned int offset, unsigned int len);
extern const struct datatype mptcp_subtype_type; /* tcp option mptcp subtype */

#endif
