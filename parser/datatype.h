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

/* ------------------------------------------------------------------ */
/* Additions by the types engineer (datatype.c, value.c, services.c).  */

extern const struct datatype xinteger_type; /* integer printed as 0x.. */

/* Output option queries: -n implies every numeric flag. */
static inline bool octx_numeric_symbol(const struct output_ctx *o)
{
	return o && o->numeric > 0;
}
static inline bool octx_numeric_proto(const struct output_ctx *o)
{
	return o && (o->numeric > 0 || o->numeric_proto);
}
static inline bool octx_numeric_prio(const struct output_ctx *o)
{
	return o && (o->numeric > 0 || o->numeric_prio);
}
static inline bool octx_numeric_time(const struct output_ctx *o)
{
	return o && (o->numeric > 0 || o->numeric_time);
}

/* "a.b.c.d" in the only form inet_pton() takes (four decimal octets, no
 * leading zeros) into out[4]; false for anything else. */
bool datatype_quad_parse(const char *s, uint8_t *out);

/*
 * Parse the EXPR_SYMBOL sym (its identifier; quoted strings too) as a
 * constant of dtype, the way nft's symbol_parse() does: the type's parser,
 * then its symbol table, then its basetype's. On success *out is a new
 * EXPR_VALUE with dtype set, len = dtype->size (64 for plain integers,
 * strlen * 8 for strings, 128 host endian for a number too wide for the
 * type so that datatype_value_fit() can report it) and dtype's byteorder;
 * returns 0. priority_type/policy_type yield integer or string values.
 * On failure returns -1 and sets *erec to an error with nft's wording
 * ("Could not parse conntrack state" ...), located at sym.
 */
int datatype_parse(const struct datatype *dtype, const struct expr *sym, struct expr **out,
		   struct error_record **erec);
/*
 * Check that the number in value expression e fits in len bits; if not,
 * -1 and *erec = "Value 256 exceeds valid range 0-255" (nft's wording).
 * On success e is re-sized to len bits (keeping its byteorder).
 */
int datatype_value_fit(struct expr *e, unsigned int len, struct error_record **erec);

/* Symbol table lookups. Return 0 / NULL when absent. */
int symbol_table_lookup(const struct symbol_table *tbl, const char *name, uint64_t *val);
const char *symbol_table_name(const struct symbol_table *tbl, uint64_t val);
/* nft's symbolic_constant_parse: the name from tbl, else dtype's basetype
 * parser (numbers); result typed dtype. 0 or -1 with *erec. */
int symbol_table_parse(const struct datatype *dtype, const struct symbol_table *tbl,
		       const struct expr *sym, struct expr **out, struct error_record **erec);
/* Code names of reject statements ("reject with icmp port-unreachable"):
 * the icmp/icmpv6/icmpx code header types parse these names but print
 * numbers (nft 1.1); these private types print the names. */
extern const struct datatype reject_icmp_code_type, reject_icmpv6_code_type,
	reject_icmpx_code_type;
/* The rows of nft describe's "pre-defined symbolic constants" listing. */
void symbol_table_print(const struct symbol_table *tbl, const struct datatype *dtype,
			struct outbuf *o);
/* nft describe EXPR: "meta expression, datatype mark (packet mark) (basetype
 * integer), 32 bits\n" plus the symbol table. kind is "payload", "meta",
 * "ct", "exthdr", "fib", "rt", "socket", "osf", "numgen", "hash", "xfrm";
 * len is the expression's length in bits. */
void datatype_describe(const char *kind, const struct datatype *dtype, unsigned int len,
		       struct outbuf *o);
/* First datatype in the basetype chain that has a symbol table, or NULL. */
const struct symbol_table *datatype_sym_tbl(const struct datatype *d);

/*
 * Print the set bits of a bitmask constant by name, lowest bit first,
 * joined by sep ("," for "ct state established,related", " | " for binop
 * right-hand sides). Bits without a name print as one 0x.. remainder.
 */
void datatype_print_flags(const struct expr *e, const char *sep, const struct output_ctx *octx,
			  struct outbuf *o);
/* Numeric value of an EXPR_VALUE (low 64 bits), honouring its byteorder. */
uint64_t expr_value_u64(const struct expr *e);

/* Times: "1d2h3m4s5ms" <-> milliseconds (nft's time_parse / time_print). */
int time_string_parse(const char *s, uint64_t *ms); /* 0 or -EINVAL / -ERANGE */
void time_print(uint64_t ms, struct outbuf *o);

/* Units for limit/quota/ct count: "bytes","kbytes","mbytes" -> 1, 1024,
 * 1048576; "second".."week" -> seconds. 0 or -EINVAL. */
int data_unit_parse(const char *s, uint64_t *mult);
int time_unit_parse(const char *s, uint64_t *secs);
const char *time_unit_name(uint64_t secs); /* "second" ... or NULL */
/* Bytes as nft prints quota/limit values: (25 * 1048576) -> 25, "mbytes". */
const char *data_unit_print(uint64_t bytes, uint64_t *value);

/*
 * Chain/flowtable priorities. prio_parse turns "filter", "dstnat"... into a
 * number for family (NFPROTO_*) and hook (NF_INET_*); -ENOENT if unknown,
 * -EINVAL if the name is not valid for that family/hook. prio_print prints
 * as nft: the standard name, "+ N"/"- N" within 10 of it, else the number
 * (always the number with numeric_prio).
 */
int prio_parse(const char *name, unsigned int family, unsigned int hook, int *prio);
void prio_print(int prio, unsigned int family, unsigned int hook, const struct output_ctx *octx,
		struct outbuf *o);

/* A constant as nft -j prints it (datatype_json.c, jansson): names for
 * symbolic values, numbers for integers/marks, strings for addresses,
 * interface names, dates and TC handles, seconds for relative times,
 * true/false for booleans. New reference, NULL on allocation failure. */
struct json_t;
struct json_t *datatype_json(const struct expr *e, const struct output_ctx *octx);
/* The reverse, for JSON input: a string is parsed like a symbol
 * (datatype_parse), an integer becomes a value of d's size and byteorder
 * (seconds for relative times), a boolean 1/0. 0, or -1 with *erec. */
int datatype_from_json(const struct datatype *d, const struct json_t *j, const struct location *loc,
		       struct expr **out, struct error_record **erec);

/* Built-in name tables (services.c), independent of /etc/services. */
int inet_service_lookup(const char *name, uint16_t *port); /* 0 or -ENOENT */
const char *inet_service_name(uint16_t port);		     /* NULL if none */
int inet_protocol_lookup(const char *name, uint8_t *proto); /* 0 or -ENOENT */
const char *inet_protocol_name(uint8_t proto);		     /* NULL if none */

#endif
