// SPDX-License-Identifier: GPL-2.0
/* ct keys (NFT_CT_*) and the conntrack datatypes: state, direction,
 * status, event bits, labels. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/proto.h"
#include "parser/value.h"

static const struct symbol_table ct_state_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.symbols = {
		{ "invalid", 1 }, { "new", 8 },	     { "established", 2 },
		{ "related", 4 }, { "untracked", 64 }, SYMBOL_LIST_END,
	},
};

const struct datatype ct_state_type = {
	.type = TYPE_CT_STATE,
	.name = "ct_state",
	.desc = "conntrack state",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &bitmask_type,
	.sym_tbl = &ct_state_tbl,
};

static const struct symbol_table ct_dir_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.base_dec = true,
	.symbols = { { "original", 0 }, { "reply", 1 }, SYMBOL_LIST_END },
};

const struct datatype ct_dir_type = {
	.type = TYPE_CT_DIR,
	.name = "ct_dir",
	.desc = "conntrack direction",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &ct_dir_tbl,
};

static const struct symbol_table ct_status_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.symbols = {
		{ "expected", 1 }, { "seen-reply", 2 }, { "assured", 4 }, { "confirmed", 8 },
		{ "snat", 16 },	   { "dnat", 32 },	{ "dying", 512 }, SYMBOL_LIST_END,
	},
};

const struct datatype ct_status_type = {
	.type = TYPE_CT_STATUS,
	.name = "ct_status",
	.desc = "conntrack status",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &bitmask_type,
	.sym_tbl = &ct_status_tbl,
};

static const struct symbol_table ct_event_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.symbols = {
		{ "new", 1 },	   { "related", 2 }, { "destroy", 4 },	 { "reply", 8 },
		{ "assured", 16 }, { "protoinfo", 32 }, { "helper", 64 }, { "mark", 128 },
		{ "seqadj", 256 }, { "secmark", 512 }, { "label", 1024 }, SYMBOL_LIST_END,
	},
};

const struct datatype ct_event_type = {
	.type = TYPE_CT_EVENTBIT,
	.name = "ct_event",
	.desc = "conntrack event bits",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &bitmask_type,
	.sym_tbl = &ct_event_tbl,
};

/* ct label: a 128 bit host endian bitmap; one label is one bit. No
 * connlabel.conf names are built in, so labels print as bit numbers. */
#define CT_LABEL_BITS 128
#define CONNLABEL_CONF "/etc/connlabel.conf"

static void ct_label_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	unsigned int n = value_bytes(e->value.len), i, b;
	bool le = e->byteorder != BYTEORDER_BIG_ENDIAN &&
		  __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

	for (i = 0; i < n; i++) {
		uint8_t byte = e->value.data[le ? i : n - 1 - i];

		for (b = 0; b < 8; b++) {
			if (byte & (1u << b)) {
				outbuf_printf(o, "%u", i * 8 + b);
				return;
			}
		}
	}
	outbuf_puts(o, "0");
}

static int ct_label_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &ct_label_type;
	const char *s = sym->sym.identifier;
	unsigned long bit;
	unsigned int n = CT_LABEL_BITS / 8;
	char *end;

	errno = 0;
	bit = strtoul(s, &end, 0);
	if (end == s || *end || errno) {
		if (erec)
			*erec = erec_create(EREC_ERROR, &sym->location,
					    "%s: could not parse %s \"%s\"", CONNLABEL_CONF,
					    dtype->desc, s);
		return -1;
	}
	if (bit >= CT_LABEL_BITS) {
		if (erec)
			*erec = erec_create(EREC_ERROR, &sym->location,
					    "%s: bit %lu out of range (%u max)", s, bit,
					    CT_LABEL_BITS);
		return -1;
	}
	*out = value_expr_alloc(&sym->location, dtype, BYTEORDER_HOST_ENDIAN, CT_LABEL_BITS, NULL);
	if (!*out)
		return -1;
	if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
		(*out)->value.data[bit / 8] = 1u << (bit % 8);
	else
		(*out)->value.data[n - 1 - bit / 8] = 1u << (bit % 8);
	return 0;
}

const struct datatype ct_label_type = {
	.type = TYPE_CT_LABEL,
	.name = "ct_label",
	.desc = "conntrack label",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = CT_LABEL_BITS,
	.basetype = &bitmask_type,
	.print = ct_label_print,
	.parse = ct_label_parse,
};

/* ------------------------------------------------------------------ */
/* ct keys                                                             */

#define CT_KEY_MAX (NFT_CT_ID + 1)
#define CT(_tok, _dt, _len, _bo) { .token = _tok, .dtype = _dt, .len = _len, .byteorder = _bo }
#define H BYTEORDER_HOST_ENDIAN
#define B BYTEORDER_BIG_ENDIAN

static const struct key_template ct_templates[CT_KEY_MAX] = {
	[NFT_CT_STATE] = CT("state", &ct_state_type, 32, H),
	[NFT_CT_DIRECTION] = CT("direction", &ct_dir_type, 8, H),
	[NFT_CT_STATUS] = CT("status", &ct_status_type, 32, H),
	[NFT_CT_MARK] = CT("mark", &mark_type, 32, H),
	[NFT_CT_SECMARK] = CT("secmark", &integer_type, 32, H),
	[NFT_CT_EXPIRATION] = CT("expiration", &time_type, 32, H),
	[NFT_CT_HELPER] = CT("helper", &string_type, 16 * 8, H),
	[NFT_CT_L3PROTOCOL] = CT("l3proto", &nfproto_type, 8, H),
	[NFT_CT_SRC] = CT("saddr", &invalid_type, 0, B),
	[NFT_CT_DST] = CT("daddr", &invalid_type, 0, B),
	[NFT_CT_PROTOCOL] = CT("protocol", &inet_protocol_type, 8, B),
	[NFT_CT_PROTO_SRC] = CT("proto-src", &inet_service_type, 16, B),
	[NFT_CT_PROTO_DST] = CT("proto-dst", &inet_service_type, 16, B),
	[NFT_CT_LABELS] = CT("label", &ct_label_type, CT_LABEL_BITS, H),
	[NFT_CT_PKTS] = CT("packets", &integer_type, 64, H),
	[NFT_CT_BYTES] = CT("bytes", &integer_type, 64, H),
	[NFT_CT_AVGPKT] = CT("avgpkt", &integer_type, 64, H),
	[NFT_CT_ZONE] = CT("zone", &integer_type, 16, H),
	[NFT_CT_EVENTMASK] = CT("event", &ct_event_type, 32, H),
	[NFT_CT_SRC_IP] = CT("ip saddr", &ipaddr_type, 32, B),
	[NFT_CT_DST_IP] = CT("ip daddr", &ipaddr_type, 32, B),
	[NFT_CT_SRC_IP6] = CT("ip6 saddr", &ip6addr_type, 128, B),
	[NFT_CT_DST_IP6] = CT("ip6 daddr", &ip6addr_type, 128, B),
	[NFT_CT_ID] = CT("id", &integer_type, 32, B),
};

int ct_key_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < CT_KEY_MAX; i++)
		if (ct_templates[i].token && !strcmp(ct_templates[i].token, name))
			return (int)i;
	if (!strcmp(name, "original") || !strcmp(name, "reply"))
		return -1;
	return -1;
}

const struct key_template *ct_template(unsigned int key)
{
	if (key >= CT_KEY_MAX || !ct_templates[key].token)
		return NULL;
	return &ct_templates[key];
}

bool ct_key_is_directional(unsigned int key)
{
	switch (key) {
	case NFT_CT_L3PROTOCOL:
	case NFT_CT_SRC:
	case NFT_CT_DST:
	case NFT_CT_PROTOCOL:
	case NFT_CT_PROTO_SRC:
	case NFT_CT_PROTO_DST:
	case NFT_CT_PKTS:
	case NFT_CT_BYTES:
	case NFT_CT_AVGPKT:
	case NFT_CT_ZONE:
	case NFT_CT_SRC_IP:
	case NFT_CT_DST_IP:
	case NFT_CT_SRC_IP6:
	case NFT_CT_DST_IP6:
		return true;
	default:
		return false;
	}
}

struct expr *ct_expr_alloc(const struct location *loc, unsigned int key, int direction)
{
	const struct key_template *t = ct_template(key);
	struct expr *e;

	if (!t)
		return NULL;
	e = expr_alloc(loc ? loc : &internal_location, EXPR_CT);
	if (!e)
		return NULL;
	e->ct.key = key;
	e->ct.direction = direction;
	e->dtype = t->dtype;
	e->len = t->len;
	e->byteorder = t->byteorder;
	switch (key) {
	case NFT_CT_SRC_IP:
	case NFT_CT_DST_IP:
		e->ct.nfproto = 2;
		break;
	case NFT_CT_SRC_IP6:
	case NFT_CT_DST_IP6:
		e->ct.nfproto = 10;
		break;
	case NFT_CT_PROTOCOL:
	case NFT_CT_L3PROTOCOL:
		e->flags |= EXPR_F_PROTOCOL;
		break;
	}
	return e;
}
