/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Datatypes of the nft language: how a constant of a type is parsed from a
 * symbol and printed back. Numbers of enum datatypes are nft's own (they
 * travel to the kernel in set key types and must match).
 */
#ifndef BNFT_PARSER_DATATYPE_H
#define BNFT_PARSER_DATATYPE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "parser/ast.h"

enum datatypes {
	TYPE_INVALID,
	TYPE_VERDICT,
	TYPE_NFPROTO,
	TYPE_BITMASK,
	TYPE_INTEGER,
	TYPE_STRING,
	TYPE_LLADDR,
	TYPE_IPADDR,
	TYPE_IP6ADDR,
	TYPE_ETHERADDR,
	TYPE_ETHERTYPE,
	TYPE_ARPOP,
	TYPE_INET_PROTOCOL,
	TYPE_INET_SERVICE,
	TYPE_ICMP_TYPE,
	TYPE_TCP_FLAG,
	TYPE_DCCP_PKTTYPE,
	TYPE_MH_TYPE,
	TYPE_TIME,
	TYPE_MARK,
	TYPE_IFINDEX,
	TYPE_ARPHRD,
	TYPE_REALM,
	TYPE_CLASSID,
	TYPE_UID,
	TYPE_GID,
	TYPE_CT_STATE,
	TYPE_CT_DIR,
	TYPE_CT_STATUS,
	TYPE_ICMP6_TYPE,
	TYPE_CT_LABEL,
	TYPE_PKTTYPE,
	TYPE_ICMP_CODE,
	TYPE_ICMPV6_CODE,
	TYPE_ICMPX_CODE,
	TYPE_DEVGROUP,
	TYPE_DSCP,
	TYPE_ECN,
	TYPE_FIB_ADDR,
	TYPE_BOOLEAN,
	TYPE_CT_EVENTBIT,
	TYPE_IFNAME,
	TYPE_IGMP_TYPE,
	TYPE_TIME_DATE,
	TYPE_TIME_HOUR,
	TYPE_TIME_DAY,
	TYPE_CGROUPV2,
	__TYPE_MAX
};
#define TYPE_BITS 6
#define TYPE_MASK ((1u << TYPE_BITS) - 1)

/* Output options that change how values print (nft's -n, -S, -p, -u, -T, -y). */
struct output_ctx {
	unsigned int numeric;	   /* -n count: 1 = no names for hosts/ports... */
	bool reversedns;	   /* -N */
	bool service;		   /* -S: ports as service names */
	bool stateless;		   /* -s: omit counter values, quota used */
	bool handle;		   /* -a */
	bool echo;		   /* -e */
	bool json;		   /* -j */
	bool guid;		   /* -u */
	bool numeric_proto;	   /* -p */
	bool numeric_prio;	   /* -y */
	bool numeric_time;	   /* -T */
	bool terse;		   /* -t: omit set elements */
};

/* A growable output buffer; all printing goes through it so the CLI, the
 * daemon and the library shim can each send the text where they need. */
struct outbuf {
	char *buf;
	size_t len, cap;
	int err; /* -ENOMEM once an append failed */
};
void outbuf_init(struct outbuf *o);
void outbuf_release(struct outbuf *o);
__attribute__((format(printf, 2, 3))) void outbuf_printf(struct outbuf *o, const char *fmt, ...);
void outbuf_puts(struct outbuf *o, const char *s);

struct symbolic_constant {
	const char *identifier;
	uint64_t value;
};
#define SYMBOL_LIST_END { NULL, 0 }

struct symbol_table {
	enum byteorder byteorder;
	unsigned int size; /* bits */
	bool base_dec;	   /* print unknown values in decimal (else hex) */
	struct symbolic_constant symbols[];
};

struct error_record; /* erec.h */

struct datatype {
	enum datatypes type;
	enum byteorder byteorder;
	unsigned int size; /* bits, 0 = variable (strings) */
	unsigned int subtypes; /* concatenations: number of members */
	const char *name;      /* "ipv4_addr" */
	const char *desc;      /* "IPv4 address" */
	const struct datatype *basetype;
	const char *basefmt; /* printf format for raw values, e.g. "0x%.8Lx" */
	unsigned int flags;  /* DTYPE_F_* */
	const struct symbol_table *sym_tbl;
	/* Print a constant (EXPR_VALUE of this type). NULL: basetype's. */
	void (*print)(const struct expr *e, const struct output_ctx *octx, struct outbuf *o);
	/* Parse a symbol into *out (an EXPR_VALUE with dtype set, or a
	 * prefix/range for types like ct status). Returns 0, or -1 with an
	 * error record appended to *erec. NULL: basetype's, then sym_tbl. */
	int (*parse)(const struct expr *sym, struct expr **out, struct error_record **erec);
	/* For string-like types: value from "quoted" text. */
	const struct datatype *(*describe)(void);
	unsigned int refcnt; /* concat types are allocated */
};

#define DTYPE_F_ALLOC	  (1u << 0) /* dynamically allocated (concat) */
#define DTYPE_F_PREFIX	  (1u << 1) /* values may be printed as prefixes */

const struct datatype *datatype_lookup(enum datatypes type);
const struct datatype *datatype_lookup_byname(const char *name);
/* Concatenation type "ipv4_addr . inet_service" built from members. */
const struct datatype *concat_type_alloc(const struct datatype **members, unsigned int n);
bool datatype_equal(const struct datatype *a, const struct datatype *b);
const struct datatype *datatype_basetype(const struct datatype *d);

/* Print one constant as nft does, honouring octx. */
void datatype_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o);

extern const struct datatype invalid_type, verdict_type, nfproto_type, bitmask_type,
	integer_type, string_type, lladdr_type, ipaddr_type, ip6addr_type, etheraddr_type,
	ethertype_type, arpop_type, inet_protocol_type, inet_service_type, icmp_type_type,
	tcp_flag_type, dccp_pkttype_type, mh_type_type, time_type, mark_type, ifindex_type,
	arphrd_type, realm_type, classid_type, uid_type, gid_type, ct_state_type, ct_dir_type,
	ct_status_type, icmp6_type_type, ct_label_type, pkttype_type, icmp_code_type,
	icmpv6_code_type, icmpx_code_type, devgroup_type, dscp_type, ecn_type, fib_addr_type,
	boolean_type, ct_event_type, ifname_type, igmp_type_type, date_type, hour_type, day_type,
	cgroupv2_type, priority_type, policy_type;

#endif
