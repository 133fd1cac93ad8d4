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
};

#define PROTO_UPPER_MAX 24
#define PROTO_FIELDS_MAX 32

struct proto_desc {
	const char *name; /* "tcp" */
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

#endif
