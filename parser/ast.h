/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The abstract syntax tree of the nft language, shared by the grammar
 * (parser.y), the evaluator (evaluate*.c), the printer (print*.c) and the
 * lowering to libnftnl (translator/lower*.c).
 *
 * Shape follows nftables: a ruleset is a list of commands; a command acts on
 * a table/chain/rule/set/object; rules hold statements; statements hold
 * expressions. Expressions carry a datatype once evaluated. Lists are
 * intrusive doubly linked lists (struct list_head, parser/list.h).
 *
 * Ownership: every node is allocated with the *_alloc() helpers in ast.c and
 * freed recursively with *_free(); freeing is NULL-safe.
 *
 * What the grammar (parser.y) produces, for the evaluator:
 *  - Constants stay EXPR_SYMBOL (identifier as written, quoted flag); numbers
 *    too, as decimal text (0x10 arrives as "16", "-150" with its sign).
 *  - $variables are expanded while parsing (a clone of the define's value,
 *    keeping the define's locations): no EXPR_VARIABLE reaches evaluation.
 *  - A relational is EXPR_RELATIONAL{op, left, right}; OP_IMPLICIT when no
 *    operator was written. "flags v / m" arrives as right = BINOP(OP_AND,
 *    m, v). "ct state a,b" gives right = EXPR_LIST; "{ ... }" EXPR_SET of
 *    EXPR_SET_ELEM (or EXPR_MAPPING{EXPR_SET_ELEM, value}); "*" is an
 *    EXPR_SET_ELEM_CATCHALL key. Priorities are symbols like "filter + 10".
 *  - "exists"/"missing" are EXPR_SYMBOLs flagged EXPR_F_BOOLEAN.
 *  - Commands of a table block are one CMD_ADD/CMD_OBJ_TABLE whose table
 *    holds chains (with rules), sets, objects and flowtables, handles filled.
 */
#ifndef BNFT_PARSER_AST_H
#define BNFT_PARSER_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "parser/list.h"

struct datatype;
struct proto_desc;
struct proto_hdr_template;

/* ------------------------------------------------------------------ */
/* Locations                                                           */

/* One input: a file, a -e/command-line buffer, or stdin. The whole text is
 * kept so errors can print the offending line. */
struct input_desc {
	struct list_head list;
	char *name;	/* "<cmdline>", "/etc/nftables.conf", "-" */
	char *buf;	/* whole text, NUL-terminated */
	size_t len;
	const struct location *included_from; /* NULL at top level */
};

struct location {
	const struct input_desc *indesc;
	int first_line, first_column; /* 1-based, columns count bytes */
	int last_line, last_column;   /* inclusive */
};

extern const struct location internal_location;

/* ------------------------------------------------------------------ */
/* Constants                                                           */

enum byteorder {
	BYTEORDER_INVALID,
	BYTEORDER_HOST_ENDIAN,
	BYTEORDER_BIG_ENDIAN,
};

#define BNFT_VALUE_MAX 64 /* bytes: a concatenation of up to 16 registers */

/*
 * A constant. data[] holds the value as nft sends it to the kernel: `len`
 * bits, stored in the expression's byteorder (big endian for network
 * fields, host endian for meta values); strings (ifname, comment-less
 * string types) are NUL padded bytes in data[]. Helpers in value.c convert
 * to and from uint64_t.
 */
struct value {
	unsigned int len; /* bits */
	uint8_t data[BNFT_VALUE_MAX];
};

/* ------------------------------------------------------------------ */
/* Expressions                                                         */

enum expr_type {
	EXPR_INVALID,
	EXPR_VERDICT,	 /* accept, drop, jump chain, ... */
	EXPR_SYMBOL,	 /* unresolved identifier/string/number text */
	EXPR_VARIABLE,	 /* $name */
	EXPR_VALUE,	 /* resolved constant */
	EXPR_PREFIX,	 /* 10.0.0.0/8 */
	EXPR_RANGE,	 /* 1-100 */
	EXPR_PAYLOAD,	 /* tcp dport, @nh,16,8 */
	EXPR_EXTHDR,	 /* ip6 exthdr, tcp option, ip option, sctp chunk, dccp opt */
	EXPR_META,	 /* meta mark, iifname, ... */
	EXPR_SOCKET,	 /* socket transparent */
	EXPR_OSF,	 /* osf name */
	EXPR_CT,	 /* ct state, ct original saddr */
	EXPR_RT,	 /* rt nexthop */
	EXPR_FIB,	 /* fib saddr . iif oif */
	EXPR_NUMGEN,	 /* numgen inc mod 2 */
	EXPR_HASH,	 /* jhash ip saddr mod 2, symhash */
	EXPR_XFRM,	 /* ipsec in reqid */
	EXPR_CONCAT,	 /* a . b . c */
	EXPR_LIST,	 /* comma list: ct state established,related */
	EXPR_SET,	 /* anonymous set { ... } */
	EXPR_SET_REF,	 /* @name */
	EXPR_SET_ELEM,	 /* element with timeout/expires/comment/stmts */
	EXPR_SET_ELEM_CATCHALL, /* * */
	EXPR_MAPPING,	 /* key : value inside a map */
	EXPR_MAP,	 /* expr map { ... } / vmap */
	EXPR_UNARY,	 /* byteorder conversion (internal) */
	EXPR_BINOP,	 /* & | ^ << >> */
	EXPR_RELATIONAL, /* left op right */
	EXPR_TUNNEL,	 /* tunnel id etc. */
	EXPR_MAX
};

enum ops {
	OP_INVALID,
	OP_IMPLICIT, /* no operator written: eq, or flag test for bitmasks */
	OP_EQ,
	OP_NEQ,
	OP_LT,
	OP_GT,
	OP_LTE,
	OP_GTE,
	OP_AND, /* & */
	OP_OR,	/* | */
	OP_XOR, /* ^ */
	OP_LSHIFT,
	OP_RSHIFT,
	OP_NEG, /* ! prefix */
	OP_HTON,
	OP_NTOH,
	OP_RANGE,
};

/* Verdict codes: the kernel's NF_* / NFT_* numbers (linux/netfilter.h). */
enum verdict_code {
	VERDICT_DROP = 0,
	VERDICT_ACCEPT = 1,
	VERDICT_QUEUE = 3,
	VERDICT_CONTINUE = -1,
	VERDICT_BREAK = -2,
	VERDICT_JUMP = -3,
	VERDICT_GOTO = -4,
	VERDICT_RETURN = -5,
};

/* Payload bases as the kernel numbers them (NFT_PAYLOAD_*). */
enum payload_base {
	PAYLOAD_LL = 0,
	PAYLOAD_NETWORK = 1,
	PAYLOAD_TRANSPORT = 2,
	PAYLOAD_INNER = 3,
	PAYLOAD_TUN = 4,
};

enum exthdr_op {
	EXTHDR_OP_IPV6 = 0, /* NFT_EXTHDR_OP_IPV6 */
	EXTHDR_OP_TCPOPT = 1,
	EXTHDR_OP_IPV4 = 2,
	EXTHDR_OP_SCTP = 3,
	EXTHDR_OP_DCCP = 4,
};

#define EXPR_F_CONSTANT	   (1u << 0)
#define EXPR_F_SINGLETON   (1u << 1)
#define EXPR_F_PROTOCOL	   (1u << 2) /* upper layer protocol selector */
#define EXPR_F_INTERVAL	   (1u << 3) /* set contains ranges/prefixes */
#define EXPR_F_BOOLEAN	   (1u << 4) /* exists/missing */
#define EXPR_F_IMPLICIT_DEP (1u << 5) /* added by evaluate as dependency */
/* EXPR_VALUE of ipaddr_type made by the scanner from an element written as
 * a dotted quad (parser/elem_run.c); evaluation turns it back into the
 * symbol it stands for unless the context is ipv4_addr */
#define EXPR_F_QUAD (1u << 6)

struct stmt;

/* bytes of struct expr's union left after the symbol's pointers */
#define BNFT_SYM_INLINE 48

struct expr {
	struct list_head list; /* in a parent's list (concat, set, list) */
	struct location location;
	enum expr_type etype;
	unsigned int flags;
	const struct datatype *dtype; /* NULL until evaluated */
	enum byteorder byteorder;
	unsigned int len; /* bits, once evaluated */
	enum ops op;	  /* relational/binop/unary */

	union {
		/* EXPR_SYMBOL: text as written; quoted tells "foo" from foo.
		 * EXPR_VARIABLE: name without '$'. */
		struct {
			char *identifier;
			bool quoted;
			/* scope for variables, set by the parser */
			const struct scope *scope;
			/* short identifiers are kept here (identifier points at
			 * text: no allocation per symbol of a big set); take
			 * one over with symbol_take_identifier() */
			char text[BNFT_SYM_INLINE];
		} sym;
		/* EXPR_VALUE */
		struct value value;
		/* EXPR_VERDICT */
		struct {
			int code;	    /* enum verdict_code */
			struct expr *chain; /* jump/goto target (symbol or variable) */
			/* "jump { rules }": anonymous binding chain (CHAIN_F_BINDING),
			 * owned by the expression; chain is NULL then */
			struct chain *binding;
		} verdict;
		/* EXPR_PREFIX */
		struct {
			struct expr *prefix;
			unsigned int prefix_len;
		} prefix;
		/* EXPR_RANGE */
		struct {
			struct expr *left, *right;
		} range;
		/* EXPR_PAYLOAD: either a template field or raw @base,off,len */
		struct {
			const struct proto_desc *desc; /* NULL for raw */
			const struct proto_hdr_template *tmpl;
			unsigned int field;  /* index in desc->templates */
			enum payload_base base;
			unsigned int offset; /* bits */
			bool is_raw;
			bool inner; /* inner header (vxlan ...) */
			const struct proto_desc *inner_desc;
		} payload;
		/* EXPR_EXTHDR */
		struct {
			enum exthdr_op op;
			const struct proto_desc *desc; /* ip6 hdr: hbh, rt, frag...; tcp opt */
			const struct proto_hdr_template *tmpl;
			unsigned int field;
			unsigned int type;   /* option/header type number */
			unsigned int offset; /* bits */
			unsigned int raw_type; /* tcp option @kind,off,len */
			bool exists_only;    /* "exthdr frag exists" */
		} exthdr;
		/* EXPR_META: key is NFT_META_* */
		struct {
			unsigned int key;
			bool inner;
		} meta;
		/* EXPR_SOCKET: key NFT_SOCKET_*, level for cgroupv2 */
		struct {
			unsigned int key;
			unsigned int level;
		} socket;
		struct {
			unsigned int ttl;
			unsigned int flags; /* NFT_OSF_F_VERSION */
		} osf;
		/* EXPR_CT: key NFT_CT_*, direction -1 none / 0 original / 1 reply,
		 * nfproto for ct original ip saddr */
		struct {
			unsigned int key;
			int direction;
			unsigned int nfproto;
		} ct;
		/* EXPR_RT: key NFT_RT_* */
		struct {
			unsigned int key;
		} rt;
		/* EXPR_FIB: flags NFTA_FIB_F_*, result NFT_FIB_RESULT_* */
		struct {
			unsigned int flags;
			unsigned int result;
		} fib;
		/* EXPR_NUMGEN */
		struct {
			unsigned int type; /* NFT_NG_INCREMENTAL / RANDOM */
			uint32_t mod;
			uint32_t offset;
		} numgen;
		/* EXPR_HASH */
		struct {
			struct expr *expr; /* NULL for symhash */
			uint32_t mod;
			bool seed_set;
			uint32_t seed;
			uint32_t offset;
			unsigned int type; /* NFT_HASH_JENKINS / SYM */
		} hash;
		/* EXPR_XFRM */
		struct {
			unsigned int key;
			unsigned int direction; /* XFRM_POLICY_IN/OUT */
			unsigned int spnum;
		} xfrm;
		/* EXPR_CONCAT, EXPR_LIST, EXPR_SET: children in expressions */
		struct {
			struct list_head expressions;
			unsigned int size;
			unsigned int set_flags; /* EXPR_SET: NFT_SET_* flags */
			struct set *set;	/* EXPR_SET once bound (anonymous) */
			uint8_t field_len[16]; /* concat field lengths, bytes (written only) */
			unsigned int field_count;
		} compound; /* access with EXPR_COMPOUND(e) */
		/* EXPR_SET_REF */
		struct {
			char *name;
			struct set *set; /* resolved by evaluate */
		} set_ref;
		/* EXPR_SET_ELEM: key plus element attributes */
		struct {
			struct expr *key;
			uint64_t timeout;    /* ms, 0 = none */
			uint64_t expiration; /* ms */
			char *comment;
			struct list_head stmts; /* counter, quota, limit, last */
		} elem;
		/* EXPR_MAPPING */
		struct {
			struct expr *left, *right;
		} mapping;
		/* EXPR_MAP: map or vmap */
		struct {
			struct expr *key;
			struct expr *mappings; /* EXPR_SET or EXPR_SET_REF */
			bool vmap;
		} map;
		/* EXPR_UNARY, EXPR_BINOP, EXPR_RELATIONAL (op in expr->op) */
		struct {
			struct expr *left;
			struct expr *right;
		} binop;
		/* EXPR_TUNNEL */
		struct {
			unsigned int key;
		} tunnel;
	};
};

/* The children of EXPR_CONCAT / EXPR_LIST / EXPR_SET. (The union member
 * cannot be called `list`: that is the list_head linking an expression into
 * its parent.) */
#define EXPR_COMPOUND(e) ((e)->compound)

/* ------------------------------------------------------------------ */
/* Statements                                                          */

enum stmt_type {
	STMT_INVALID,
	STMT_EXPRESSION, /* a match: EXPR_RELATIONAL (or map lookup) */
	STMT_VERDICT,	 /* EXPR_VERDICT or EXPR_MAP (vmap) */
	STMT_COUNTER,
	STMT_LOG,
	STMT_LIMIT,
	STMT_QUOTA,
	STMT_REJECT,
	STMT_NAT, /* snat, dnat, masquerade, redirect */
	STMT_META,	/* meta KEY set expr */
	STMT_CT,	/* ct KEY set expr */
	STMT_PAYLOAD,	/* tcp dport set 80 */
	STMT_EXTHDR,	/* tcp option maxseg size set 1360 */
	STMT_DUP,
	STMT_FWD,
	STMT_QUEUE,
	STMT_SYNPROXY,
	STMT_TPROXY,
	STMT_SET,	/* add/update/delete @set { key } */
	STMT_MAP,	/* add @map { key : data } */
	STMT_OBJREF,	/* counter name "x", quota name, ct helper set ... */
	STMT_NOTRACK,
	STMT_FLOW_OFFLOAD,
	STMT_LAST,
	STMT_CONNLIMIT, /* ct count */
	STMT_OPTSTRIP,	/* reset tcp option */
	STMT_XT,	/* xt target/match from iptables-nft (listing only) */
	STMT_MAX
};

enum nat_kind { NAT_SNAT, NAT_DNAT, NAT_MASQ, NAT_REDIR };

struct stmt {
	struct list_head list;
	struct location location;
	enum stmt_type type;

	union {
		struct expr *expr; /* STMT_EXPRESSION, STMT_VERDICT */
		struct {
			uint64_t packets, bytes;
		} counter;
		struct {
			char *prefix; /* may hold $vars expanded at parse */
			struct expr *prefix_expr;
			unsigned int flags;  /* which fields below were given, LOG_F_* */
			unsigned int level;  /* syslog level, NFT_LOGLEVEL_AUDIT=8 */
			unsigned int group;
			unsigned int snaplen;
			unsigned int qthreshold;
			unsigned int logflags; /* NF_LOG_* */
		} log;
		struct {
			uint64_t rate;
			uint64_t unit; /* seconds: 1, 60, 3600, 86400, 604800 */
			uint32_t burst;
			unsigned int type; /* NFT_LIMIT_PKTS / PKT_BYTES */
			unsigned int flags; /* NFT_LIMIT_F_INV */
			bool burst_set;
		} limit;
		struct {
			uint64_t bytes;
			uint64_t used;
			unsigned int flags; /* NFT_QUOTA_F_INV */
		} quota;
		struct {
			int type;	 /* NFT_REJECT_*, -1 if not given */
			int icmp_code;	 /* -1 if not given */
			unsigned int family; /* NFPROTO_* of "with icmp/icmpv6/icmpx" */
			struct expr *expr;   /* code symbol as written */
		} reject;
		struct {
			enum nat_kind kind;
			unsigned int family; /* "dnat ip to", 0 if not given */
			struct expr *addr;
			struct expr *proto; /* port or range */
			unsigned int flags; /* NF_NAT_RANGE_* */
			unsigned int type_flags; /* prefix / concat / interval */
			bool ipportmap;
		} nat;
		struct {
			unsigned int key;
			struct expr *expr;
		} meta;
		struct {
			unsigned int key;
			int direction;
			struct expr *expr;
		} ct;
		struct {
			struct expr *expr; /* EXPR_PAYLOAD or EXPR_EXTHDR */
			struct expr *val;
		} payload;
		struct {
			struct expr *to;
			struct expr *dev;
			unsigned int family;
		} dup, fwd;
		struct {
			struct expr *queue; /* num or range or map */
			unsigned int flags; /* NFT_QUEUE_FLAG_* */
		} queue;
		struct {
			uint16_t mss;
			uint8_t wscale;
			unsigned int flags; /* NF_SYNPROXY_OPT_* */
		} synproxy;
		struct {
			unsigned int family;
			struct expr *addr;
			struct expr *port;
		} tproxy;
		struct {
			unsigned int op; /* NFT_DYNSET_OP_ADD/UPDATE/DELETE */
			struct expr *key;
			struct expr *data; /* STMT_MAP only */
			struct expr *set;  /* EXPR_SET_REF */
			struct list_head stmts; /* per-element counter/limit ... */
			bool meter;	     /* written as meter NAME [size N] { ... } */
			uint32_t meter_size; /* its size, 0 when not given */
		} set;
		struct {
			unsigned int type; /* NFT_OBJECT_* */
			struct expr *expr; /* name symbol or map */
		} objref;
		struct {
			char *table_name; /* flowtable name */
		} flow;
		struct {
			uint64_t msecs;
			bool set;
		} last;
		struct {
			uint32_t count;
			unsigned int flags; /* NFT_CONNLIMIT_F_INV */
		} connlimit;
		struct {
			char *name;
			int kind; /* match / target / watcher */
		} xt;
	};
};

/* ------------------------------------------------------------------ */
/* Ruleset objects                                                     */

struct handle_spec {
	struct location location;
	uint64_t id; /* 0 = not given */
};

/* How an object is named on a command line: family table chain/set/obj. */
struct handle {
	unsigned int family; /* NFPROTO_* */
	char *table;
	struct location table_loc;
	char *chain;
	struct location chain_loc;
	char *set; /* also used for object, flowtable names */
	struct location set_loc;
	struct handle_spec handle;   /* handle N */
	struct handle_spec position; /* position N */
	struct handle_spec index;    /* index N */
	uint32_t set_id;
	uint32_t chain_id;
};

/* A rule's handle.table and handle.chain are shared names (name_new):
 * the rules of a chain hold references to one copy of each, where a
 * strdup per rule and name was 7% of parsing, evaluating and freeing
 * 100k rules. Set them with rule_set_handle() or name_ref(), never
 * strdup(); rule_free() drops them. */
/* What a rule keeps of its handle: the rest of struct handle (name
 * locations, position and index) was 176 of a rule's 280 bytes, written
 * by every parse and never read. */
struct rule_handle {
	unsigned int family;
	char *table;
	char *chain;
	struct {
		uint64_t id;
	} handle;
};

struct rule {
	struct list_head list;
	struct location location;
	struct rule_handle handle;
	struct list_head stmts;
	unsigned int num_stmts;
	char *comment;
};

struct chain {
	struct list_head list;
	struct location location;
	struct handle handle;
	unsigned int flags; /* CHAIN_F_BASECHAIN ... */
	char *type;	    /* filter, nat, route */
	struct location type_loc;
	char *hookstr;
	unsigned int hooknum;
	struct expr *priority; /* as written: number, keyword, keyword+N, $var */
	int prio;	       /* evaluated */
	struct expr *policy;   /* accept/drop or $var */
	int policy_verdict;    /* evaluated, -1 none */
	struct expr *dev_expr; /* device "x" or devices = { } */
	char **devices;
	unsigned int dev_count;
	char *comment;
	bool has_type, has_hook, has_policy, is_devices_list;
	struct list_head rules;
};

#define CHAIN_F_BASECHAIN (1u << 0)
#define CHAIN_F_HW_OFFLOAD (1u << 1)
#define CHAIN_F_BINDING (1u << 2)

struct set {
	struct list_head list;
	struct location location;
	struct handle handle;
	unsigned int flags; /* NFT_SET_* incl. NFT_SET_MAP, ANONYMOUS, OBJECT, EVAL */
	struct expr *key;   /* type expression: datatype or typeof expr */
	bool key_typeof;
	struct expr *data; /* map data type, NULL for sets */
	bool data_typeof;
	bool data_interval; /* "type a : interval b": map data are ranges */
	unsigned int objtype; /* map to objects: NFT_OBJECT_* */
	uint64_t timeout;     /* ms */
	uint32_t gc_int;      /* ms */
	uint32_t size;
	unsigned int policy; /* NFT_SET_POL_* */
	bool policy_set;
	bool automerge;
	struct expr *init; /* elements = { ... }: EXPR_SET */
	struct list_head stmts; /* counter / quota / limit per element */
	char *comment;
	unsigned int refcnt;
};

/* Stateful objects: counter, quota, limit, ct helper/timeout/expectation,
 * secmark, synproxy, tunnel. Fields named after the nft syntax. */
struct obj {
	struct list_head list;
	struct location location;
	struct handle handle;
	unsigned int type; /* NFT_OBJECT_* */
	char *comment;
	union {
		struct {
			uint64_t packets, bytes;
		} counter;
		struct {
			uint64_t bytes, used;
			unsigned int flags;
		} quota;
		struct {
			uint64_t rate, unit;
			uint32_t burst;
			unsigned int type, flags;
		} limit;
		struct {
			char name[16];
			uint16_t l3proto;
			uint8_t l4proto;
		} ct_helper;
		struct {
			uint16_t l3proto;
			uint8_t l4proto;
			/* state name -> seconds, as written */
			struct list_head timeout_list;
		} ct_timeout;
		struct {
			uint16_t l3proto;
			uint8_t l4proto;
			uint16_t dport;
			uint32_t timeout;
			uint8_t size;
		} ct_expect;
		struct {
			char ctx[256];
		} secmark;
		struct {
			uint16_t mss;
			uint8_t wscale;
			unsigned int flags;
		} synproxy;
	};
};

struct timeout_state {
	struct list_head head;
	struct location location;
	char *state_str;
	unsigned int state;
	uint32_t timeout; /* seconds */
};

struct flowtable {
	struct list_head list;
	struct location location;
	struct handle handle;
	char *hookstr;
	unsigned int hooknum;
	struct expr *priority;
	int prio;
	struct expr *dev_expr;
	char **devices;
	unsigned int dev_count;
	unsigned int flags; /* NFT_FLOWTABLE_HW_OFFLOAD, COUNTER */
};

struct table {
	struct list_head list;
	struct location location;
	struct handle handle;
	unsigned int flags; /* NFT_TABLE_F_DORMANT, OWNER, PERSIST */
	char *comment;
	struct list_head chains;
	struct list_head sets;
	struct list_head objs;
	struct list_head flowtables;
	/* order in which items were declared in a table block, for printing
	 * like nft (sets, objs, flowtables, chains): not needed, nft sorts */
};

/* ------------------------------------------------------------------ */
/* Commands                                                            */

enum cmd_op {
	CMD_INVALID,
	CMD_ADD,
	CMD_REPLACE,
	CMD_CREATE,
	CMD_INSERT,
	CMD_DELETE,
	CMD_GET,
	CMD_LIST,
	CMD_RESET,
	CMD_FLUSH,
	CMD_RENAME,
	CMD_EXPORT,
	CMD_MONITOR,
	CMD_DESCRIBE,
	CMD_IMPORT,
	CMD_DESTROY,
};

enum cmd_obj {
	CMD_OBJ_INVALID,
	CMD_OBJ_ELEMENTS,
	CMD_OBJ_SET,
	CMD_OBJ_SETELEMS,
	CMD_OBJ_SETS,
	CMD_OBJ_RULE,
	CMD_OBJ_CHAIN,
	CMD_OBJ_CHAINS,
	CMD_OBJ_TABLE,
	CMD_OBJ_TABLES,
	CMD_OBJ_FLOWTABLE,
	CMD_OBJ_FLOWTABLES,
	CMD_OBJ_RULESET,
	CMD_OBJ_EXPR,
	CMD_OBJ_MONITOR,
	CMD_OBJ_MARKUP,
	CMD_OBJ_METER,
	CMD_OBJ_METERS,
	CMD_OBJ_MAP,
	CMD_OBJ_MAPS,
	CMD_OBJ_COUNTER,
	CMD_OBJ_COUNTERS,
	CMD_OBJ_QUOTA,
	CMD_OBJ_QUOTAS,
	CMD_OBJ_CT_HELPER,
	CMD_OBJ_CT_HELPERS,
	CMD_OBJ_LIMIT,
	CMD_OBJ_LIMITS,
	CMD_OBJ_SECMARK,
	CMD_OBJ_SECMARKS,
	CMD_OBJ_CT_TIMEOUT,
	CMD_OBJ_CT_TIMEOUTS,
	CMD_OBJ_CT_EXPECT,
	CMD_OBJ_CT_EXPECTATIONS,
	CMD_OBJ_SYNPROXY,
	CMD_OBJ_SYNPROXYS,
	CMD_OBJ_HOOKS,
	CMD_OBJ_RULES,
};

struct cmd {
	struct list_head list;
	struct location location;
	enum cmd_op op;
	enum cmd_obj obj;
	struct handle handle;
	union {
		struct table *table; /* table block or add table */
		struct chain *chain;
		struct rule *rule;
		struct set *set;
		struct obj *object;
		struct flowtable *flowtable;
		struct expr *expr; /* CMD_OBJ_ELEMENTS: EXPR_SET of elements */
		void *data;
	};
	char *arg; /* rename: new name; monitor: event/format */
};

/* A parsed input: the commands in order, the inputs they came from. */
struct ruleset_src {
	struct list_head cmds;
	struct list_head inputs; /* struct input_desc */
};

/* ------------------------------------------------------------------ */
/* Scopes for define/redefine/undefine                                 */

struct symbol {
	struct list_head list;
	char *identifier;
	struct expr *expr;
	unsigned int refcnt;
};

struct scope {
	const struct scope *parent;
	struct list_head symbols;
};

/* ------------------------------------------------------------------ */
/* Constructors / destructors (ast.c)                                  */

struct expr *expr_alloc(const struct location *loc, enum expr_type etype);
void expr_free(struct expr *e);
struct expr *expr_clone(const struct expr *e);
struct expr *symbol_expr_alloc(const struct location *loc, const char *text, bool quoted);
/* Like symbol_expr_alloc but takes ownership of text (malloc'd; freed on
 * failure): no copy of the scanner's string. */
struct expr *symbol_expr_take(const struct location *loc, char *text, bool quoted);
/* The identifier of an EXPR_SYMBOL/EXPR_VARIABLE as a malloc'd string the
 * caller owns (the expression's is cleared), or NULL. */
char *symbol_take_identifier(struct expr *e);
struct expr *relational_expr_alloc(const struct location *loc, enum ops op,
				   struct expr *left, struct expr *right);
struct expr *binop_expr_alloc(const struct location *loc, enum ops op, struct expr *left,
			      struct expr *right);
struct expr *compound_expr_alloc(const struct location *loc, enum expr_type etype);
void compound_expr_add(struct expr *compound, struct expr *e);
struct expr *verdict_expr_alloc(const struct location *loc, int code, struct expr *chain);

struct stmt *stmt_alloc(const struct location *loc, enum stmt_type type);
void stmt_free(struct stmt *s);
struct stmt *stmt_clone(const struct stmt *s);

struct rule *rule_alloc(const struct location *loc, const struct handle *h);
void rule_free(struct rule *r);
struct chain *chain_alloc(const char *name);
void chain_free(struct chain *c);
struct set *set_alloc(const struct location *loc);
void set_free(struct set *s);
struct obj *obj_alloc(const struct location *loc);
void obj_free(struct obj *o);
struct flowtable *flowtable_alloc(const struct location *loc);
void flowtable_free(struct flowtable *f);
struct table *table_alloc(void);
void table_free(struct table *t);
void handle_free(struct handle *h);
void handle_copy(struct handle *dst, const struct handle *src);

/* Shared, reference counted name strings (a rule's table and chain):
 * name_new() copies s with one reference (NULL for NULL or out of
 * memory), name_ref() takes another and returns n, name_unref() drops one
 * and frees the name with the last. NULL-safe. Not atomic: a name is
 * referenced and released on one thread (like the rules holding it,
 * whose pool is per thread too); other threads may only read it. */
char *name_new(const char *s);
char *name_ref(char *n);
void name_unref(char *n);
/* r's handle becomes a copy of h, its table and chain as new shared names
 * (what handle_free and handle_copy did for other handles). */
void rule_set_handle(struct rule *r, const struct handle *h);

struct cmd *cmd_alloc(enum cmd_op op, enum cmd_obj obj, const struct handle *h,
		      const struct location *loc, void *data);
void cmd_free(struct cmd *c);

void ruleset_src_init(struct ruleset_src *rs);
void ruleset_src_release(struct ruleset_src *rs);

const char *expr_type_name(enum expr_type t);
const char *stmt_type_name(enum stmt_type t);

#endif
