// SPDX-License-Identifier: GPL-2.0
/*
 * IPv6 extension headers, TCP options, IPv4 options, SCTP chunks and DCCP
 * options: names, kernel type numbers and field templates (bit offsets
 * from the start of the header/option/chunk).
 */
#include <string.h>

#include "parser/datatype.h"
#include "parser/proto.h"
#include "parser/value.h"

#define B BYTEORDER_BIG_ENDIAN
#define FLD(_tok, _dt, _off, _len)                                                             \
	{                                                                                      \
		.token = _tok, .dtype = _dt, .offset = _off, .len = _len, .byteorder = B       \
	}
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* IPv6 extension headers                                              */

#define NH FLD("nexthdr", &inet_protocol_type, 0, 8)
#define HL FLD("hdrlength", &integer_type, 8, 8)

static const struct proto_desc exthdr_hbh = {
	.name = "hbh",
	.exthdr_type = 0,
	.templates = { [1] = NH, [2] = HL },
};

static const struct proto_desc exthdr_rt = {
	.name = "rt",
	.exthdr_type = 43,
	.templates = {
		[1] = NH, [2] = HL,
		[3] = FLD("type", &integer_type, 16, 8),
		[4] = FLD("seg-left", &integer_type, 24, 8),
	},
};

static const struct proto_desc exthdr_rt0 = {
	.name = "rt0",
	.exthdr_type = 43,
	.exthdr_subtype = 1 + 0,
	.templates = {
		[1] = FLD("reserved", &integer_type, 32, 32),
		[2] = FLD("addr[1]", &ip6addr_type, 64, 128),
		[3] = FLD("addr[2]", &ip6addr_type, 192, 128),
		[4] = FLD("addr[3]", &ip6addr_type, 320, 128),
		[5] = FLD("addr[4]", &ip6addr_type, 448, 128),
		[6] = FLD("addr[5]", &ip6addr_type, 576, 128),
	},
};

static const struct proto_desc exthdr_rt2 = {
	.name = "rt2",
	.exthdr_type = 43,
	.exthdr_subtype = 1 + 2,
	.templates = {
		[1] = FLD("reserved", &integer_type, 32, 32),
		[2] = FLD("addr", &ip6addr_type, 64, 128),
	},
};

static const struct proto_desc exthdr_srh = {
	.name = "srh",
	.exthdr_type = 43,
	.exthdr_subtype = 1 + 4,
	.templates = {
		[1] = FLD("last-entry", &integer_type, 32, 8),
		[2] = FLD("flags", &integer_type, 40, 8),
		[3] = FLD("tag", &integer_type, 48, 16),
		[4] = FLD("sid[1]", &ip6addr_type, 64, 128),
		[5] = FLD("sid[2]", &ip6addr_type, 192, 128),
		[6] = FLD("sid[3]", &ip6addr_type, 320, 128),
		[7] = FLD("sid[4]", &ip6addr_type, 448, 128),
		[8] = FLD("sid[5]", &ip6addr_type, 576, 128),
	},
};

static const struct proto_desc exthdr_frag = {
	.name = "frag",
	.exthdr_type = 44,
	.templates = {
		[1] = NH,
		[2] = FLD("reserved", &integer_type, 8, 8),
		[3] = FLD("frag-off", &integer_type, 16, 13),
		[4] = FLD("reserved2", &integer_type, 29, 2),
		[5] = FLD("more-fragments", &integer_type, 31, 1),
		[6] = FLD("id", &integer_type, 32, 32),
	},
};

static const struct proto_desc exthdr_dst = {
	.name = "dst",
	.exthdr_type = 60,
	.templates = { [1] = NH, [2] = HL },
};

static const struct proto_desc exthdr_mh = {
	.name = "mh",
	.exthdr_type = 135,
	.templates = {
		[1] = NH, [2] = HL,
		[3] = FLD("type", &mh_type_type, 16, 8),
		[4] = FLD("reserved", &integer_type, 24, 8),
		[5] = FLD("checksum", &integer_type, 32, 16),
	},
};

static const struct proto_desc *const ipv6_exthdrs[] = {
	&exthdr_hbh, &exthdr_rt, &exthdr_rt0, &exthdr_rt2,
	&exthdr_srh, &exthdr_frag, &exthdr_dst, &exthdr_mh,
};

/* ------------------------------------------------------------------ */
/* TCP options                                                         */

static const struct symbol_table mptcp_subtype_tbl = {
	.byteorder = B,
	.size = 4,
	.base_dec = true,
	.symbols = {
		{ "mp-capable", 0 },   { "mp-join", 1 }, { "dss", 2 },
		{ "add-addr", 3 },     { "remove-addr", 4 }, { "mp-prio", 5 },
		{ "mp-fail", 6 },      { "mp-fastclose", 7 }, { "mp-tcprst", 8 },
		SYMBOL_LIST_END,
	},
};

const struct datatype mptcp_subtype_type = {
	.type = TYPE_INTEGER,
	.name = "integer",
	.desc = "mptcp option subtype",
	.byteorder = B,
	.size = 4,
	.basetype = &integer_type,
	.sym_tbl = &mptcp_subtype_tbl,
};

#define KIND FLD("kind", &integer_type, 0, 8)
#define LEN FLD("length", &integer_type, 8, 8)

static const struct proto_desc tcpopt_eol = {
	.name = "eol", .exthdr_type = 0, .templates = { [1] = KIND },
};
static const struct proto_desc tcpopt_nop = {
	.name = "nop", .exthdr_type = 1, .templates = { [1] = KIND },
};
static const struct proto_desc tcpopt_maxseg = {
	.name = "maxseg",
	.exthdr_type = 2,
	.templates = { [1] = KIND, [2] = LEN, [3] = FLD("size", &integer_type, 16, 16) },
};
static const struct proto_desc tcpopt_window = {
	.name = "window",
	.exthdr_type = 3,
	.templates = { [1] = KIND, [2] = LEN, [3] = FLD("count", &integer_type, 16, 8) },
};
static const struct proto_desc tcpopt_sack_perm = {
	.name = "sack-perm", .exthdr_type = 4, .templates = { [1] = KIND, [2] = LEN },
};

#define SACK(_name, _n)                                                                        \
	{                                                                                      \
		.name = _name, .exthdr_type = 5,                                               \
		.templates = {                                                                 \
			[1] = KIND, [2] = LEN,                                                 \
			[3] = FLD("left", &integer_type, 16 + 64 * (_n), 32),                  \
			[4] = FLD("right", &integer_type, 48 + 64 * (_n), 32),                 \
		},                                                                             \
	}

static const struct proto_desc tcpopt_sack = SACK("sack", 0);
static const struct proto_desc tcpopt_sack1 = SACK("sack1", 1);
static const struct proto_desc tcpopt_sack2 = SACK("sack2", 2);
static const struct proto_desc tcpopt_sack3 = SACK("sack3", 3);

static const struct proto_desc tcpopt_timestamp = {
	.name = "timestamp",
	.exthdr_type = 8,
	.templates = {
		[1] = KIND, [2] = LEN,
		[3] = FLD("tsval", &integer_type, 16, 32),
		[4] = FLD("tsecr", &integer_type, 48, 32),
	},
};
static const struct proto_desc tcpopt_md5sig = {
	.name = "md5sig", .exthdr_type = 19, .templates = { [1] = KIND, [2] = LEN },
};
static const struct proto_desc tcpopt_mptcp = {
	.name = "mptcp",
	.exthdr_type = 30,
	.templates = {
		[1] = KIND, [2] = LEN,
		[3] = FLD("subtype", &mptcp_subtype_type, 16, 4),
	},
};
static const struct proto_desc tcpopt_fastopen = {
	.name = "fastopen", .exthdr_type = 34, .templates = { [1] = KIND, [2] = LEN },
};

static const struct proto_desc *const tcp_options[] = {
	&tcpopt_eol,	   &tcpopt_nop,	  &tcpopt_maxseg, &tcpopt_window,    &tcpopt_sack_perm,
	&tcpopt_sack,	   &tcpopt_sack1, &tcpopt_sack2,  &tcpopt_sack3,     &tcpopt_timestamp,
	&tcpopt_md5sig,	   &tcpopt_mptcp, &tcpopt_fastopen,
};

/* ------------------------------------------------------------------ */
/* IPv4 options                                                        */

#define IPOPT_RR_LIKE(_name, _type)                                                            \
	{                                                                                      \
		.name = _name, .exthdr_type = _type,                                           \
		.templates = {                                                                 \
			[1] = FLD("type", &integer_type, 0, 8),                                \
			[2] = FLD("length", &integer_type, 8, 8),                              \
			[3] = FLD("ptr", &integer_type, 16, 8),                                \
			[4] = FLD("addr", &integer_type, 24, 32),                               \
		},                                                                             \
	}

static const struct proto_desc ipopt_lsrr = IPOPT_RR_LIKE("lsrr", 131);
static const struct proto_desc ipopt_rr = IPOPT_RR_LIKE("rr", 7);
static const struct proto_desc ipopt_ssrr = IPOPT_RR_LIKE("ssrr", 137);
static const struct proto_desc ipopt_ra = {
	.name = "ra",
	.exthdr_type = 148,
	.templates = {
		[1] = FLD("type", &integer_type, 0, 8),
		[2] = FLD("length", &integer_type, 8, 8),
		[3] = FLD("value", &integer_type, 16, 16),
	},
};

static const struct proto_desc *const ip_options[] = {
	&ipopt_lsrr, &ipopt_rr, &ipopt_ssrr, &ipopt_ra,
};

/* ------------------------------------------------------------------ */
/* SCTP chunks                                                         */

#define CH_COMMON                                                                              \
	[1] = FLD("type", &integer_type, 0, 8), [2] = FLD("flags", &integer_type, 8, 8),         \
	[3] = FLD("length", &integer_type, 16, 16)

#define CHUNK(_var, _name, _type, ...)                                                         \
	static const struct proto_desc _var = {                                                \
		.name = _name,                                                                 \
		.exthdr_type = _type,                                                          \
		.templates = { CH_COMMON, __VA_ARGS__ },                                       \
	}

CHUNK(sctp_data, "data", 0, [4] = FLD("tsn", &integer_type, 32, 32),
      [5] = FLD("stream", &integer_type, 64, 16), [6] = FLD("ssn", &integer_type, 80, 16),
      [7] = FLD("ppid", &integer_type, 96, 32));
CHUNK(sctp_init, "init", 1, [4] = FLD("init-tag", &integer_type, 32, 32),
      [5] = FLD("a-rwnd", &integer_type, 64, 32),
      [6] = FLD("num-outbound-streams", &integer_type, 96, 16),
      [7] = FLD("num-inbound-streams", &integer_type, 112, 16),
      [8] = FLD("initial-tsn", &integer_type, 128, 32));
CHUNK(sctp_init_ack, "init-ack", 2, [4] = FLD("init-tag", &integer_type, 32, 32),
      [5] = FLD("a-rwnd", &integer_type, 64, 32),
      [6] = FLD("num-outbound-streams", &integer_type, 96, 16),
      [7] = FLD("num-inbound-streams", &integer_type, 112, 16),
      [8] = FLD("initial-tsn", &integer_type, 128, 32));
CHUNK(sctp_sack, "sack", 3, [4] = FLD("cum-tsn-ack", &integer_type, 32, 32),
      [5] = FLD("a-rwnd", &integer_type, 64, 32),
      [6] = FLD("num-gap-ack-blocks", &integer_type, 96, 16),
      [7] = FLD("num-dup-tsns", &integer_type, 112, 16));
CHUNK(sctp_heartbeat, "heartbeat", 4, [4] = { NULL });
CHUNK(sctp_heartbeat_ack, "heartbeat-ack", 5, [4] = { NULL });
CHUNK(sctp_abort, "abort", 6, [4] = { NULL });
CHUNK(sctp_shutdown, "shutdown", 7, [4] = FLD("cum-tsn-ack", &integer_type, 32, 32));
CHUNK(sctp_shutdown_ack, "shutdown-ack", 8, [4] = { NULL });
CHUNK(sctp_error, "error", 9, [4] = { NULL });
CHUNK(sctp_cookie_echo, "cookie-echo", 10, [4] = { NULL });
CHUNK(sctp_cookie_ack, "cookie-ack", 11, [4] = { NULL });
CHUNK(sctp_ecne, "ecne", 12, [4] = FLD("lowest-tsn", &integer_type, 32, 32));
CHUNK(sctp_cwr, "cwr", 13, [4] = FLD("lowest-tsn", &integer_type, 32, 32));
CHUNK(sctp_shutdown_complete, "shutdown-complete", 14, [4] = { NULL });
CHUNK(sctp_asconf_ack, "asconf-ack", 0x80, [4] = FLD("seqno", &integer_type, 32, 32));
CHUNK(sctp_forward_tsn, "forward-tsn", 0xc0, [4] = FLD("new-cum-tsn", &integer_type, 32, 32));
CHUNK(sctp_asconf, "asconf", 0xc1, [4] = FLD("seqno", &integer_type, 32, 32));

static const struct proto_desc *const sctp_chunks[] = {
	&sctp_data,	   &sctp_init,		&sctp_init_ack,	   &sctp_sack,
	&sctp_heartbeat,   &sctp_heartbeat_ack, &sctp_abort,	   &sctp_shutdown,
	&sctp_shutdown_ack, &sctp_error,	&sctp_cookie_echo, &sctp_cookie_ack,
	&sctp_ecne,	   &sctp_cwr,		&sctp_shutdown_complete, &sctp_asconf_ack,
	&sctp_forward_tsn, &sctp_asconf,
};

/* ------------------------------------------------------------------ */
/* Lookups                                                             */

static const struct proto_desc *const *op_table(enum exthdr_op op, unsigned int *n)
{
	switch (op) {
	case EXTHDR_OP_IPV6:
		*n = ARRAY_SIZE(ipv6_exthdrs);
		return ipv6_exthdrs;
	case EXTHDR_OP_TCPOPT:
		*n = ARRAY_SIZE(tcp_options);
		return tcp_options;
	case EXTHDR_OP_IPV4:
		*n = ARRAY_SIZE(ip_options);
		return ip_options;
	case EXTHDR_OP_SCTP:
		*n = ARRAY_SIZE(sctp_chunks);
		return sctp_chunks;
	default:
		*n = 0;
		return NULL;
	}
}

const struct proto_desc *exthdr_lookup(enum exthdr_op op, const char *name)
{
	const struct proto_desc *const *t;
	unsigned int n, i;

	if (op == EXTHDR_OP_TCPOPT && !strcmp(name, "sack0"))
		name = "sack";
	t = op_table(op, &n);
	for (i = 0; i < n; i++)
		if (!strcmp(t[i]->name, name))
			return t[i];
	return NULL;
}

const struct proto_desc *exthdr_find_type(enum exthdr_op op, unsigned int type)
{
	const struct proto_desc *const *t;
	unsigned int n, i;

	t = op_table(op, &n);
	for (i = 0; i < n; i++)
		if (t[i]->exthdr_type == type)
			return t[i];
	return NULL;
}

int exthdr_find_template(enum exthdr_op op, unsigned int type, unsigned int offset,
			 unsigned int len, const struct proto_desc **desc, unsigned int *field)
{
	const struct proto_desc *const *t;
	unsigned int n, i, f;

	t = op_table(op, &n);
	for (i = 0; i < n; i++) {
		if (t[i]->exthdr_type != type)
			continue;
		for (f = 1; f < PROTO_FIELDS_MAX; f++) {
			const struct proto_hdr_template *tm = &t[i]->templates[f];

			if (tm->token && tm->offset == offset && tm->len == len) {
				*desc = t[i];
				*field = f;
				return 0;
			}
		}
	}
	return -1;
}

struct expr *exthdr_expr_alloc(const struct location *loc, enum exthdr_op op,
			       const struct proto_desc *desc, unsigned int field)
{
	const struct proto_hdr_template *t = NULL;
	struct expr *e;

	if (!desc || field >= PROTO_FIELDS_MAX)
		return NULL;
	if (field) {
		t = &desc->templates[field];
		if (!t->token)
			return NULL;
	}
	e = expr_alloc(loc ? loc : &internal_location, EXPR_EXTHDR);
	if (!e)
		return NULL;
	e->exthdr.op = op;
	e->exthdr.desc = desc;
	e->exthdr.tmpl = t;
	e->exthdr.field = field;
	e->exthdr.type = desc->exthdr_type;
	e->byteorder = B;
	if (t) {
		e->exthdr.offset = t->offset;
		e->dtype = t->dtype;
		e->len = t->len;
	} else {
		/* "exists"/"missing": a presence flag, 8 bits on the wire */
		e->exthdr.exists_only = true;
		e->dtype = &boolean_type;
		e->len = 8;
		e->byteorder = BYTEORDER_HOST_ENDIAN;
	}
	return e;
}

struct expr *exthdr_raw_expr_alloc(const struct location *loc, enum exthdr_op op,
				   unsigned int type, unsigned int offset, unsigned int len)
{
	struct expr *e = expr_alloc(loc ? loc : &internal_location, EXPR_EXTHDR);

	if (!e)
		return NULL;
	e->exthdr.op = op;
	e->exthdr.desc = exthdr_find_type(op, type);
	e->exthdr.type = type;
	e->exthdr.raw_type = type;
	e->exthdr.offset = offset;
	e->byteorder = B;
	if (len) {
		e->dtype = &integer_type;
		e->len = len;
	} else {
		e->exthdr.exists_only = true;
		e->dtype = &boolean_type;
		e->len = 8;
		e->byteorder = BYTEORDER_HOST_ENDIAN;
	}
	return e;
}
