// SPDX-License-Identifier: GPL-2.0
/*
 * Lowering of statements (nft's netlink_gen_*_stmt): each statement first
 * gets the protocol dependencies its selectors need, then its expressions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <stdio.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>

#include "parser/datatype.h"
#include "parser/print.h"
#include "parser/value.h"
#include "translator/lower_int.h"

#define NFPROTO_INET_ 1
#define NFPROTO_IPV4_ 2
#define NFPROTO_BRIDGE_ 7
#define NFPROTO_IPV6_ 10

/* Chain name of a jump/goto target: a string constant or an identifier. */
static int verdict_chain(const struct expr *c, char *buf, size_t size)
{
	unsigned int n;

	if (!c)
		return -1;
	if (c->etype == EXPR_SYMBOL && c->sym.identifier) {
		snprintf(buf, size, "%s", c->sym.identifier);
		return 0;
	}
	if (c->etype == EXPR_VALUE) {
		n = value_bytes(c->len ? c->len : c->value.len);
		if (n > sizeof(c->value.data))
			n = sizeof(c->value.data);
		if (n >= size)
			n = size - 1;
		memcpy(buf, c->value.data, n);
		buf[n] = '\0';
		return 0;
	}
	return -1;
}

int lower_verdict(struct lower_ctx *ctx, const struct expr *v, unsigned int dreg)
{
	struct nftnl_expr *nle;
	char chain[256];

	nle = lower_alloc(ctx, "immediate");
	if (!nle)
		return -1;
	lower_put_register(nle, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v->verdict.code);
	if (v->verdict.code == VERDICT_JUMP || v->verdict.code == VERDICT_GOTO) {
		if (verdict_chain(v->verdict.chain, chain, sizeof(chain)) < 0) {
			nftnl_expr_free(nle);
			return lower_error(ctx, &v->location, "cannot lower verdict chain name");
		}
		nftnl_expr_set_str(nle, NFTNL_EXPR_IMM_CHAIN, chain);
	}
	lower_add(ctx, nle);
	if (v->verdict.code != VERDICT_JUMP && v->verdict.code != VERDICT_GOTO)
		lower_note_load(ctx, nle, lower_nft_register(dreg), (uint32_t)v->verdict.code, 0,
				0);
	return 0;
}

/* Evaluate e into a fresh register; returns it (release with the same e). */
static int gen_into_reg(struct lower_ctx *ctx, const struct expr *e, unsigned int *reg)
{
	*reg = lower_get_register(ctx, e);
	return lower_expr(ctx, e, *reg);
}

static int lower_counter(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "counter");

	if (!nle)
		return -1;
	nftnl_expr_set_u64(nle, NFTNL_EXPR_CTR_PACKETS, s->counter.packets);
	nftnl_expr_set_u64(nle, NFTNL_EXPR_CTR_BYTES, s->counter.bytes);
	lower_add(ctx, nle);
	return 0;
}

static int lower_log(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "log");

	if (!nle)
		return -1;
	if (s->log.prefix)
		nftnl_expr_set_str(nle, NFTNL_EXPR_LOG_PREFIX, s->log.prefix);
	else if (s->log.prefix_expr)
		return lower_error(ctx, &s->location, "cannot lower unresolved log prefix");
	if (s->log.flags & LOG_F_GROUP) {
		nftnl_expr_set_u16(nle, NFTNL_EXPR_LOG_GROUP, s->log.group);
		if (s->log.flags & LOG_F_SNAPLEN)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_LOG_SNAPLEN, s->log.snaplen);
		if (s->log.flags & LOG_F_QTHRESHOLD)
			nftnl_expr_set_u16(nle, NFTNL_EXPR_LOG_QTHRESHOLD, s->log.qthreshold);
	} else {
		if (s->log.flags & LOG_F_LEVEL)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_LOG_LEVEL, s->log.level);
		if (s->log.logflags)
			nftnl_expr_set_u32(nle, NFTNL_EXPR_LOG_FLAGS, s->log.logflags);
	}
	lower_add(ctx, nle);
	return 0;
}

static int lower_limit(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "limit");
	uint32_t burst = s->limit.burst;

	if (!nle)
		return -1;
	if (!s->limit.burst_set && !burst && s->limit.type == NFT_LIMIT_PKTS)
		burst = 5;
	nftnl_expr_set_u64(nle, NFTNL_EXPR_LIMIT_RATE, s->limit.rate);
	nftnl_expr_set_u64(nle, NFTNL_EXPR_LIMIT_UNIT, s->limit.unit);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_LIMIT_BURST, burst);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_LIMIT_TYPE, s->limit.type);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_LIMIT_FLAGS, s->limit.flags);
	lower_add(ctx, nle);
	return 0;
}

static int lower_quota(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle = lower_alloc(ctx, "quota");

	if (!nle)
		return -1;
	nftnl_expr_set_u64(nle, NFTNL_EXPR_QUOTA_BYTES, s->quota.bytes);
	nftnl_expr_set_u64(nle, NFTNL_EXPR_QUOTA_CONSUMED, s->quota.used);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_QUOTA_FLAGS, s->quota.flags);
	lower_add(ctx, nle);
	return 0;
}

static int lower_reject(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle;
	int type = s->reject.type, code = s->reject.icmp_code;
	bool l2fam = ctx->family == NFPROTO_INET_ || ctx->family == NFPROTO_BRIDGE_ ||
		     ctx->family == 5;

	if (type < 0) {
		if (l2fam && ctx->proto[1] != &proto_ip && ctx->proto[1] != &proto_ip6) {
			type = NFT_REJECT_ICMPX_UNREACH;
			if (code < 0)
				code = NFT_REJECT_ICMPX_PORT_UNREACH;
		} else {
			type = NFT_REJECT_ICMP_UNREACH;
		}
	}
	if (type == NFT_REJECT_ICMP_UNREACH && code < 0) {
		bool v6 = ctx->family == NFPROTO_IPV6_ || ctx->proto[1] == &proto_ip6 ||
			  s->reject.family == NFPROTO_IPV6_;

		code = v6 ? 4 : 3;
	}
	nle = lower_alloc(ctx, "reject");
	if (!nle)
		return -1;
	nftnl_expr_set_u32(nle, NFTNL_EXPR_REJECT_TYPE, type);
	nftnl_expr_set_u8(nle, NFTNL_EXPR_REJECT_CODE, code < 0 ? 0 : code);
	lower_add(ctx, nle);
	return 0;
}

/* Does any match of r select protocol d (payload of d, or a protocol key
 * compared with d's number)? */
static bool expr_selects(const struct expr *e, const struct proto_desc *d)
{
	const struct expr *i;

	if (!e)
		return false;
	switch (e->etype) {
	case EXPR_PAYLOAD:
		return e->payload.desc == d;
	case EXPR_RELATIONAL:
		if (e->binop.left->etype == EXPR_META && e->binop.right->etype == EXPR_VALUE) {
			uint64_t v = expr_value_u64(e->binop.right);

			if (e->binop.left->meta.key == NFT_META_L4PROTO)
				return proto_find_upper(&proto_inet_service, v) == d;
			if (e->binop.left->meta.key == NFT_META_NFPROTO)
				return proto_find_upper(&proto_inet, v) == d;
			if (e->binop.left->meta.key == NFT_META_PROTOCOL)
				return proto_find_upper(&proto_eth, v) == d;
		}
		if (e->binop.left->etype == EXPR_PAYLOAD && e->binop.right->etype == EXPR_VALUE &&
		    e->binop.left->payload.desc &&
		    e->binop.left->payload.field == e->binop.left->payload.desc->protocol_key &&
		    proto_find_upper(e->binop.left->payload.desc,
				     expr_value_u64(e->binop.right)) == d)
			return true;
		return expr_selects(e->binop.left, d);
	case EXPR_CONCAT:
		list_for_each_entry(i, &EXPR_COMPOUND(e).expressions, list)
			if (expr_selects(i, d))
				return true;
		return false;
	case EXPR_BINOP:
		return expr_selects(e->binop.left, d);
	default:
		return false;
	}
}

static bool rule_selects(const struct rule *r, const struct stmt *upto,
			 const struct proto_desc *d)
{
	const struct stmt *s;

	list_for_each_entry(s, &r->stmts, list) {
		if (s == upto)
			break;
		if (s->type == STMT_EXPRESSION && expr_selects(s->expr, d))
			return true;
	}
	return false;
}

/* nft puts the dependencies of reject at the start of the rule
 * (stmt_reject_gen_dependency): tcp for "with tcp reset", the layer 3
 * protocol for "with icmp(v6)" in inet/bridge/netdev tables. */
int lower_rule_prologue(struct lower_ctx *ctx, const struct rule *r)
{
	const struct stmt *s;
	struct expr fake;

	list_for_each_entry(s, &r->stmts, list) {
		const struct proto_desc *d = NULL;

		if (s->type != STMT_REJECT)
			continue;
		if (s->reject.type == NFT_REJECT_TCP_RST)
			d = &proto_tcp;
		else if (s->reject.type == NFT_REJECT_ICMP_UNREACH &&
			 (ctx->family == NFPROTO_INET_ || ctx->family == NFPROTO_BRIDGE_ ||
			  ctx->family == 5))
			d = s->reject.family == NFPROTO_IPV6_ ? &proto_ip6 : &proto_ip;
		if (!d || rule_selects(r, s, d))
			continue;
		memset(&fake, 0, sizeof(fake));
		fake.location = s->location;
		fake.etype = EXPR_PAYLOAD;
		fake.payload.desc = d;
		fake.payload.base = d->base;
		ctx->reg_low = LREG_FIRST;
		if (lower_expr_deps(ctx, &fake) < 0)
			return -1;
	}
	return 0;
}

/* Registers for an address or port operand: a range gives min and max,
 * a prefix its first and last address, anything else one register. */
static int nat_operand(struct lower_ctx *ctx, const struct expr *e, unsigned int *rmin,
		       unsigned int *rmax, unsigned int *nregs)
{
	uint8_t lo[BNFT_VALUE_MAX], hi[BNFT_VALUE_MAX];
	unsigned int n;

	*rmin = lower_get_register(ctx, NULL);
	(*nregs)++;
	*rmax = 0;
	if (e->etype == EXPR_RANGE || e->etype == EXPR_PREFIX) {
		*rmax = lower_get_register(ctx, NULL);
		(*nregs)++;
		if (e->etype == EXPR_RANGE && (e->range.left->etype != EXPR_VALUE ||
					       e->range.right->etype != EXPR_VALUE)) {
			if (lower_expr(ctx, e->range.left, *rmin) < 0)
				return -1;
			return lower_expr(ctx, e->range.right, *rmax);
		}
		n = lower_data_bytes(e, lo, sizeof(lo), false);
		lower_data_bytes(e, hi, sizeof(hi), true);
		if (!n)
			return lower_error(ctx, &e->location, "cannot lower nat range");
		lower_emit_immediate_data(ctx, *rmin, lo, n);
		lower_emit_immediate_data(ctx, *rmax, hi, n);
		return 0;
	}
	if (lower_expr(ctx, e, *rmin) < 0)
		return -1;
	/* addresses and ports are big endian: numgen, marks ... are not */
	if (e->etype != EXPR_VALUE && e->etype != EXPR_MAP && lower_is_host_number(e))
		lower_emit_byteorder(ctx, *rmin, NFT_BYTEORDER_HTON, e->len);
	return 0;
}

static bool nat_map_interval(const struct expr *map)
{
	const struct expr *m = map->map.mappings;

	if (m->etype == EXPR_SET_REF)
		return m->set_ref.set && m->set_ref.set->init &&
		       lower_map_data_interval(m->set_ref.set->init);
	return lower_map_data_interval(m);
}

/* NF_NAT_RANGE_* flags: nft adds PROTO_SPECIFIED when a port is given. */
static uint32_t nat_flags(const struct stmt *s)
{
	uint32_t f = s->nat.flags;

	if (s->nat.proto)
		f |= 0x2; /* NF_NAT_RANGE_PROTO_SPECIFIED */
	return f;
}

static int lower_nat(struct lower_ctx *ctx, const struct stmt *s)
{
	unsigned int amin = 0, amax = 0, pmin = 0, pmax = 0, nregs = 0;
	struct nftnl_expr *nle;
	const char *name;
	int ret = 0;

	if (s->nat.addr && lower_expr_deps(ctx, s->nat.addr) < 0)
		return -1;
	if (s->nat.proto && lower_expr_deps(ctx, s->nat.proto) < 0)
		return -1;
	switch (s->nat.kind) {
	case NAT_SNAT:
	case NAT_DNAT:
		name = "nat";
		break;
	case NAT_MASQ:
		name = "masq";
		break;
	default:
		name = "redir";
		break;
	}
	if (s->nat.addr && s->nat.addr->etype == EXPR_MAP &&
	    (s->nat.ipportmap || nat_map_interval(s->nat.addr))) {
		/* one lookup returns addr[.port][.addr_max.port_max] in
		 * consecutive 32-bit registers */
		unsigned int fam = s->nat.family ? s->nat.family : ctx->family;
		unsigned int units = lower_reg_space(fam == NFPROTO_IPV6_ ? 128 : 32);
		bool interval = nat_map_interval(s->nat.addr);

		amin = lower_get_register(ctx, NULL);
		nregs++;
		if (lower_expr(ctx, s->nat.addr, amin) < 0)
			ret = -1;
		if (s->nat.ipportmap) {
			pmin = amin + units;
			if (interval) {
				amax = pmin + 1;
				pmax = amax + units;
			}
		} else if (interval) {
			amax = amin + units;
		}
	} else if (s->nat.addr && nat_operand(ctx, s->nat.addr, &amin, &amax, &nregs) < 0) {
		ret = -1;
	}
	if (!ret && s->nat.proto && !pmin && nat_operand(ctx, s->nat.proto, &pmin, &pmax, &nregs) < 0)
		ret = -1;
	nle = ret ? NULL : lower_alloc(ctx, name);
	if (nle) {
		if (s->nat.kind == NAT_SNAT || s->nat.kind == NAT_DNAT) {
			unsigned int fam = s->nat.family ? s->nat.family : ctx->family;

			nftnl_expr_set_u32(nle, NFTNL_EXPR_NAT_TYPE,
					   s->nat.kind == NAT_SNAT ? NFT_NAT_SNAT : NFT_NAT_DNAT);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_NAT_FAMILY, fam);
			if (s->nat.addr) {
				lower_put_register(nle, NFTNL_EXPR_NAT_REG_ADDR_MIN, amin);
				if (amax)
					lower_put_register(nle, NFTNL_EXPR_NAT_REG_ADDR_MAX, amax);
			}
			if (pmin) {
				lower_put_register(nle, NFTNL_EXPR_NAT_REG_PROTO_MIN, pmin);
				if (pmax)
					lower_put_register(nle, NFTNL_EXPR_NAT_REG_PROTO_MAX, pmax);
			}
			if (nat_flags(s))
				nftnl_expr_set_u32(nle, NFTNL_EXPR_NAT_FLAGS, nat_flags(s));
		} else if (s->nat.kind == NAT_MASQ) {
			if (nat_flags(s))
				nftnl_expr_set_u32(nle, NFTNL_EXPR_MASQ_FLAGS, nat_flags(s));
			if (s->nat.proto) {
				lower_put_register(nle, NFTNL_EXPR_MASQ_REG_PROTO_MIN, pmin);
				if (pmax)
					lower_put_register(nle, NFTNL_EXPR_MASQ_REG_PROTO_MAX, pmax);
			}
		} else {
			if (s->nat.proto) {
				lower_put_register(nle, NFTNL_EXPR_REDIR_REG_PROTO_MIN, pmin);
				if (pmax)
					lower_put_register(nle, NFTNL_EXPR_REDIR_REG_PROTO_MAX, pmax);
			}
			if (nat_flags(s))
				nftnl_expr_set_u32(nle, NFTNL_EXPR_REDIR_FLAGS, nat_flags(s));
		}
		lower_add(ctx, nle);
	} else if (!ret) {
		ret = -1;
	}
	while (nregs--)
		lower_release_register(ctx, NULL);
	return ret;
}

static int lower_meta_set(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle;
	unsigned int reg;
	int ret;

	if (lower_expr_deps(ctx, s->meta.expr) < 0)
		return -1;
	ret = gen_into_reg(ctx, s->meta.expr, &reg);
	if (!ret) {
		nle = lower_alloc(ctx, "meta");
		if (nle) {
			nftnl_expr_set_u32(nle, NFTNL_EXPR_META_KEY, s->meta.key);
			lower_put_register(nle, NFTNL_EXPR_META_SREG, reg);
			lower_add(ctx, nle);
		}
	}
	lower_release_register(ctx, s->meta.expr);
	return ret;
}

static int lower_ct_set(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle;
	unsigned int reg;
	int ret;

	if (lower_expr_deps(ctx, s->ct.expr) < 0)
		return -1;
	ret = gen_into_reg(ctx, s->ct.expr, &reg);
	if (!ret) {
		nle = lower_alloc(ctx, "ct");
		if (nle) {
			nftnl_expr_set_u32(nle, NFTNL_EXPR_CT_KEY, s->ct.key);
			lower_put_register(nle, NFTNL_EXPR_CT_SREG, reg);
			if (s->ct.direction >= 0)
				nftnl_expr_set_u8(nle, NFTNL_EXPR_CT_DIR, s->ct.direction);
			lower_add(ctx, nle);
		}
	}
	lower_release_register(ctx, s->ct.expr);
	return ret;
}

/* Checksum the kernel must fix after a payload write (nft's checksum_key). */
static void payload_csum(const struct expr *e, unsigned int *type, unsigned int *off,
			 unsigned int *flags)
{
	const struct proto_desc *d = e->payload.desc;

	*type = 0;
	*off = 0;
	*flags = 0;
	if (e->payload.base == PAYLOAD_INNER) {
		*flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
		return;
	}
	if (!d)
		return;
	if (d == &proto_udp || d == &proto_udplite) {
		/* nft leaves udp checksums to the kernel's l4 pseudo header update */
		*flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
		return;
	}
	if (d != &proto_ip && d->templates[e->payload.field].token &&
	    !strcmp(d->templates[e->payload.field].token, "checksum")) {
		/* writing a transport checksum itself: no update */
		*flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
		return;
	}
	if (d == &proto_ip) {
		*type = NFT_PAYLOAD_CSUM_INET;
		*off = 10;
	} else if (d == &proto_tcp) {
		*type = NFT_PAYLOAD_CSUM_INET;
		*off = 16;
	} else if (d == &proto_udp || d == &proto_udplite) {
		*type = NFT_PAYLOAD_CSUM_INET;
		*off = 6;
	} else if (d == &proto_icmp || d == &proto_icmp6 || d == &proto_igmp) {
		*type = NFT_PAYLOAD_CSUM_INET;
		*off = 2;
	} else if (d == &proto_sctp) {
		*type = NFT_PAYLOAD_CSUM_SCTP;
		*off = 8;
	}
	if ((d == &proto_ip && (e->payload.field == IPHDR_SADDR || e->payload.field == IPHDR_DADDR ||
				e->payload.field == IPHDR_PROTOCOL)) ||
	    (d == &proto_ip6 && (e->payload.field == IP6HDR_SADDR ||
				 e->payload.field == IP6HDR_DADDR ||
				 e->payload.field == IP6HDR_NEXTHDR)))
		*flags = NFT_PAYLOAD_L4CSUM_PSEUDOHDR;
}

/* The constant c (field units) as bytes of an nbytes chunk, shifted. */
static void chunk_value(const struct expr *c, uint8_t *out, unsigned int nbytes,
			unsigned int shift)
{
	uint8_t tmp[BNFT_VALUE_MAX] = { 0 };
	unsigned int n = lower_value_bytes(c, tmp, sizeof(tmp));

	memset(out, 0, nbytes);
	if (n > nbytes)
		n = nbytes;
	memcpy(out + (nbytes - n), tmp + (value_bytes(c->len ? c->len : c->value.len) - n), n);
	lower_shift_left(out, nbytes, shift);
}

static bool same_field(const struct expr *a, const struct expr *b)
{
	if (a->etype != b->etype || a->len != b->len)
		return false;
	if (a->etype == EXPR_PAYLOAD)
		return a->payload.base == b->payload.base && a->payload.offset == b->payload.offset;
	return a->etype == EXPR_EXTHDR && a->exthdr.op == b->exthdr.op &&
	       a->exthdr.type == b->exthdr.type && a->exthdr.offset == b->exthdr.offset;
}

/*
 * The new chunk as (old & mask) ^ xor for a value built from constants and
 * the field itself: c, f | c, f & c, f ^ c, nested ("f | a | b").
 */
static int rmw_value(const struct expr *e, const struct expr *v, const uint8_t *fmask,
		     unsigned int nbytes, unsigned int shift, uint8_t *mask, uint8_t *xor)
{
	uint8_t c[16];
	unsigned int i;

	if (same_field(v, e)) {
		memset(mask, 0xff, nbytes);
		memset(xor, 0, nbytes);
		return 0;
	}
	if (v->etype == EXPR_VALUE) {
		chunk_value(v, c, nbytes, shift);
		for (i = 0; i < nbytes; i++) {
			mask[i] = ~fmask[i];
			xor[i] = c[i] & fmask[i];
		}
		return 0;
	}
	if (v->etype != EXPR_BINOP || v->binop.right->etype != EXPR_VALUE ||
	    rmw_value(e, v->binop.left, fmask, nbytes, shift, mask, xor) < 0)
		return -1;
	chunk_value(v->binop.right, c, nbytes, shift);
	for (i = 0; i < nbytes; i++) {
		uint8_t ci = c[i] & fmask[i];

		switch (v->op) {
		case OP_OR:
			mask[i] &= ~ci;
			xor[i] = (xor[i] & ~ci) | ci;
			break;
		case OP_AND:
			ci |= ~fmask[i];
			mask[i] &= ci;
			xor[i] &= ci;
			break;
		case OP_XOR:
			xor[i] ^= ci;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

/*
 * Payload writes that are not whole aligned bytes, or that a checksum
 * update needs on 16-bit boundaries, become read-modify-write of the
 * covering chunk like nft's stmt_evaluate_payload: load, bitwise
 * (mask keeps the bits around the field, xor sets the new value), write.
 * "f set f | c" and "f set f & c" keep the field's other bits.
 */
static int payload_rmw(struct lower_ctx *ctx, const struct expr *e, const struct expr *v,
		       unsigned int reg, unsigned int start, unsigned int nbytes)
{
	uint8_t fmask[16] = { 0 }, mask[16], xor[16] = { 0 };
	unsigned int off = e->etype == EXPR_PAYLOAD ? lower_payload_offset(ctx, e) : e->exthdr.offset;
	unsigned int lo = off - start * 8, shift = nbytes * 8 - lo - e->len, i;
	struct nftnl_expr *nle;

	for (i = lo; i < lo + e->len; i++)
		fmask[i / 8] |= 0x80 >> (i % 8);
	if (rmw_value(e, v, fmask, nbytes, shift, mask, xor) < 0)
		return lower_error(ctx, &v->location,
				   "cannot lower this value written to a partial field");
	nle = lower_alloc(ctx, e->etype == EXPR_PAYLOAD ? "payload" : "exthdr");
	if (!nle)
		return -1;
	if (e->etype == EXPR_PAYLOAD) {
		lower_put_register(nle, NFTNL_EXPR_PAYLOAD_DREG, reg);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_BASE, e->payload.base);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_OFFSET, start);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_LEN, nbytes);
	} else {
		lower_put_register(nle, NFTNL_EXPR_EXTHDR_DREG, reg);
		nftnl_expr_set_u8(nle, NFTNL_EXPR_EXTHDR_TYPE, e->exthdr.type);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OFFSET, start);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_LEN, nbytes);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OP, e->exthdr.op);
	}
	lower_add(ctx, nle);
	nle = lower_alloc(ctx, "bitwise");
	if (!nle)
		return -1;
	lower_put_register(nle, NFTNL_EXPR_BITWISE_SREG, reg);
	lower_put_register(nle, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BITWISE_OP, NFT_BITWISE_BOOL);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_BITWISE_LEN, nbytes);
	nftnl_expr_set(nle, NFTNL_EXPR_BITWISE_MASK, mask, nbytes);
	nftnl_expr_set(nle, NFTNL_EXPR_BITWISE_XOR, xor, nbytes);
	lower_add(ctx, nle);
	return 0;
}

static int lower_payload_set(struct lower_ctx *ctx, const struct stmt *s)
{
	const struct expr *e = s->payload.expr, *v = s->payload.val;
	unsigned int reg, start, end, nbytes, off, csum_type = 0, csum_off = 0, csum_flags = 0;
	struct nftnl_expr *nle;
	bool rmw;
	int ret;

	if (lower_expr_deps(ctx, e) < 0)
		return -1;
	if (e->etype == EXPR_PAYLOAD)
		payload_csum(e, &csum_type, &csum_off, &csum_flags);
	off = e->etype == EXPR_PAYLOAD ? lower_payload_offset(ctx, e) : e->exthdr.offset;
	start = off / 8;
	end = (off + e->len + 7) / 8;
	rmw = off % 8 || e->len % 8;
	if ((csum_type == NFT_PAYLOAD_CSUM_INET ||
	     (e->etype == EXPR_PAYLOAD && e->payload.base == PAYLOAD_INNER)) &&
	    ((start & 1) || ((end - start) & 1))) {
		start &= ~1u;
		end = (end + 1) & ~1u;
		rmw = true;
	}
	nbytes = end - start;
	reg = lower_get_register(ctx, v);
	if (rmw) {
		if (nbytes > 16) {
			lower_release_register(ctx, v);
			return lower_error(ctx, &e->location, "payload write too wide");
		}
		ret = payload_rmw(ctx, e, v, reg, start, nbytes);
	} else {
		if (lower_expr_deps(ctx, v) < 0) {
			lower_release_register(ctx, v);
			return -1;
		}
		ret = lower_expr(ctx, v, reg);
		if (!ret && v->etype != EXPR_VALUE && lower_is_host_number(v) &&
		    e->byteorder == BYTEORDER_BIG_ENDIAN)
			lower_emit_byteorder(ctx, reg, NFT_BYTEORDER_HTON, v->len);
	}
	if (ret) {
		lower_release_register(ctx, v);
		return ret;
	}
	if (e->etype == EXPR_EXTHDR) {
		nle = lower_alloc(ctx, "exthdr");
		if (nle) {
			lower_put_register(nle, NFTNL_EXPR_EXTHDR_SREG, reg);
			nftnl_expr_set_u8(nle, NFTNL_EXPR_EXTHDR_TYPE, e->exthdr.type);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OFFSET, start);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_LEN, nbytes);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OP, e->exthdr.op);
			lower_add(ctx, nle);
		}
	} else {
		nle = lower_alloc(ctx, "payload");
		if (nle) {
			lower_put_register(nle, NFTNL_EXPR_PAYLOAD_SREG, reg);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_BASE, e->payload.base);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_OFFSET, start);
			nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_LEN, nbytes);
			if (csum_type) {
				nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_CSUM_TYPE, csum_type);
				nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_CSUM_OFFSET, csum_off);
			}
			if (csum_flags)
				nftnl_expr_set_u32(nle, NFTNL_EXPR_PAYLOAD_FLAGS, csum_flags);
			lower_add(ctx, nle);
		}
	}
	lower_release_register(ctx, v);
	return 0;
}

static int lower_dup_fwd(struct lower_ctx *ctx, const struct stmt *s)
{
	bool netdev_dup = false;
	unsigned int areg = 0, dreg = 0;
	struct nftnl_expr *nle;
	int ret = 0;

	if (s->dup.to && lower_expr_deps(ctx, s->dup.to) < 0)
		return -1;
	if (s->type == STMT_FWD) {
		/* nft loads the device first for fwd, the address first for dup */
		if (s->fwd.dev)
			ret = gen_into_reg(ctx, s->fwd.dev, &dreg);
		if (!ret && s->fwd.to)
			ret = gen_into_reg(ctx, s->fwd.to, &areg);
	} else if (ctx->family == 5 && s->dup.to && !s->dup.dev) {
		/* netdev: "dup to DEVICE" */
		ret = gen_into_reg(ctx, s->dup.to, &dreg);
		netdev_dup = true;
	} else {
		if (s->dup.to)
			ret = gen_into_reg(ctx, s->dup.to, &areg);
		if (!ret && s->dup.dev)
			ret = gen_into_reg(ctx, s->dup.dev, &dreg);
	}
	if (!ret) {
		if (s->type == STMT_DUP) {
			nle = lower_alloc(ctx, "dup");
			if (nle) {
				if (s->dup.to && !netdev_dup)
					lower_put_register(nle, NFTNL_EXPR_DUP_SREG_ADDR, areg);
				if (s->dup.dev || netdev_dup)
					lower_put_register(nle, NFTNL_EXPR_DUP_SREG_DEV, dreg);
				lower_add(ctx, nle);
			}
		} else {
			nle = lower_alloc(ctx, "fwd");
			if (nle) {
				if (s->fwd.dev)
					lower_put_register(nle, NFTNL_EXPR_FWD_SREG_DEV, dreg);
				if (s->fwd.to) {
					lower_put_register(nle, NFTNL_EXPR_FWD_SREG_ADDR, areg);
					nftnl_expr_set_u32(nle, NFTNL_EXPR_FWD_NFPROTO,
							   s->fwd.family);
				}
				lower_add(ctx, nle);
			}
		}
	}
	if (s->dup.dev)
		lower_release_register(ctx, s->dup.dev);
	if (s->dup.to)
		lower_release_register(ctx, s->dup.to);
	return ret;
}

static int lower_queue(struct lower_ctx *ctx, const struct stmt *s)
{
	const struct expr *q = s->queue.queue;
	struct nftnl_expr *nle;
	unsigned int reg = 0;
	uint16_t num = 0, total = 0;
	bool sreg = false;

	if (q && q->etype == EXPR_VALUE) {
		num = (uint16_t)expr_value_u64(q);
		total = 1;
	} else if (q && q->etype == EXPR_RANGE) {
		num = (uint16_t)expr_value_u64(q->range.left);
		total = (uint16_t)(expr_value_u64(q->range.right) - num + 1);
	} else if (q) {
		if (lower_expr_deps(ctx, q) < 0 || gen_into_reg(ctx, q, &reg) < 0)
			return -1;
		lower_release_register(ctx, q);
		sreg = true;
	}
	nle = lower_alloc(ctx, "queue");
	if (!nle)
		return -1;
	if (sreg) {
		lower_put_register(nle, NFTNL_EXPR_QUEUE_SREG_QNUM, reg);
	} else {
		nftnl_expr_set_u16(nle, NFTNL_EXPR_QUEUE_NUM, num);
		nftnl_expr_set_u16(nle, NFTNL_EXPR_QUEUE_TOTAL, total ? total : 1);
	}
	if (s->queue.flags)
		nftnl_expr_set_u16(nle, NFTNL_EXPR_QUEUE_FLAGS, s->queue.flags);
	lower_add(ctx, nle);
	return 0;
}

static int lower_tproxy(struct lower_ctx *ctx, const struct stmt *s)
{
	unsigned int areg = 0, preg = 0, n = 0;
	struct nftnl_expr *nle;
	int ret = 0;

	if (s->tproxy.addr) {
		ret = gen_into_reg(ctx, s->tproxy.addr, &areg);
		n++;
	}
	if (!ret && s->tproxy.port) {
		ret = gen_into_reg(ctx, s->tproxy.port, &preg);
		n++;
	}
	if (!ret) {
		nle = lower_alloc(ctx, "tproxy");
		if (nle) {
			unsigned int fam = s->tproxy.family;

			/* inet without "ip"/"ip6": NFPROTO_UNSPEC, the kernel
			 * needs the attribute */
			if (!fam && ctx->family != NFPROTO_INET_)
				fam = ctx->family;
			nftnl_expr_set_u32(nle, NFTNL_EXPR_TPROXY_FAMILY, fam);
			if (s->tproxy.addr)
				lower_put_register(nle, NFTNL_EXPR_TPROXY_REG_ADDR, areg);
			if (s->tproxy.port)
				lower_put_register(nle, NFTNL_EXPR_TPROXY_REG_PORT, preg);
			lower_add(ctx, nle);
		}
	}
	while (n--)
		lower_release_register(ctx, NULL);
	return ret;
}

/* Build the single expression of a stateful statement (counter, limit,
 * quota ...) for a dynset instead of appending it to the rule. */
struct nftnl_expr *lower_stateful_expr(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle;

	ctx->capturing = true;
	ctx->capture = NULL;
	if (lower_stmt(ctx, s) < 0 && ctx->capture) {
		nftnl_expr_free(ctx->capture);
		ctx->capture = NULL;
	}
	nle = ctx->capture;
	ctx->capturing = false;
	ctx->capture = NULL;
	return nle;
}

static int lower_dynset(struct lower_ctx *ctx, const struct stmt *s)
{
	unsigned int kreg, dreg = 0;
	struct nftnl_expr *nle, *se;
	const struct set *set = s->set.set && s->set.set->etype == EXPR_SET_REF ?
					s->set.set->set_ref.set : NULL;
	const struct expr *key = s->set.key, *elem = NULL;
	const struct stmt *i;
	unsigned int nstmts = 0, pass;
	int ret;

	if (key->etype == EXPR_SET_ELEM) {
		elem = key;
		key = key->elem.key;
	}
	if (lower_expr_deps(ctx, key) < 0 || (s->set.data && lower_expr_deps(ctx, s->set.data) < 0))
		return -1;
	kreg = lower_get_register(ctx, key);
	ret = lower_expr(ctx, key, kreg);
	if (!ret && s->set.data) {
		dreg = lower_get_register(ctx, s->set.data);
		ret = lower_expr(ctx, s->set.data, dreg);
		lower_release_register(ctx, s->set.data);
	}
	lower_release_register(ctx, key);
	if (ret)
		return ret;
	nle = lower_alloc(ctx, "dynset");
	if (!nle)
		return -1;
	lower_put_register(nle, NFTNL_EXPR_DYNSET_SREG_KEY, kreg);
	if (s->set.data)
		lower_put_register(nle, NFTNL_EXPR_DYNSET_SREG_DATA, dreg);
	nftnl_expr_set_u32(nle, NFTNL_EXPR_DYNSET_OP, s->set.op);
	nftnl_expr_set_str(nle, NFTNL_EXPR_DYNSET_SET_NAME, lower_set_name(s->set.set));
	(void)set;
	if (elem && elem->elem.timeout)
		nftnl_expr_set_u64(nle, NFTNL_EXPR_DYNSET_TIMEOUT, elem->elem.timeout);
	/* per-element statements: written after the set (add @s ip saddr
	 * counter) or inside the element ({ ip saddr counter }) */
	list_for_each_entry(i, &s->set.stmts, list)
		nstmts++;
	if (elem)
		list_for_each_entry(i, &elem->elem.stmts, list)
			nstmts++;
	for (pass = 0; pass < 2; pass++) {
		const struct list_head *head = pass ? (elem ? &elem->elem.stmts : NULL) : &s->set.stmts;

		if (!head)
			continue;
		list_for_each_entry(i, head, list) {
			se = lower_stateful_expr(ctx, i);
			if (!se) {
				nftnl_expr_free(nle);
				return lower_error(ctx, &i->location,
						   "cannot lower %s in set statement",
						   stmt_type_name(i->type));
			}
			if (nstmts == 1)
				nftnl_expr_set(nle, NFTNL_EXPR_DYNSET_EXPR, se, 0);
			else
				nftnl_expr_add_expr(nle, NFTNL_EXPR_DYNSET_EXPRESSIONS, se);
		}
	}
	if (nstmts > 1)
		nftnl_expr_set_u32(nle, NFTNL_EXPR_DYNSET_FLAGS, NFT_DYNSET_F_EXPR);
	lower_add(ctx, nle);
	return 0;
}

static int lower_objref(struct lower_ctx *ctx, const struct stmt *s)
{
	const struct expr *e = s->objref.expr;
	struct nftnl_expr *nle;
	char name[256];

	if (e->etype == EXPR_MAP) {
		unsigned int reg;
		int ret;

		if (lower_expr_deps(ctx, e->map.key) < 0)
			return -1;
		reg = lower_get_register(ctx, e->map.key);
		ret = lower_expr(ctx, e->map.key, reg);
		lower_release_register(ctx, e->map.key);
		if (ret)
			return ret;
		nle = lower_alloc(ctx, "objref");
		if (!nle)
			return -1;
		lower_put_register(nle, NFTNL_EXPR_OBJREF_SET_SREG, reg);
		if (e->map.mappings->etype == EXPR_SET) {
			unsigned int shift = 0;
			struct nftnl_set *ns;

			ctx->anon_objtype = s->objref.type;
			ns = lower_anon_set(ctx, e->map.mappings, e->map.key, &shift);
			ctx->anon_objtype = 0;

			if (!ns) {
				nftnl_expr_free(nle);
				return -1;
			}
			nftnl_expr_set_str(nle, NFTNL_EXPR_OBJREF_SET_NAME,
					   nftnl_set_get_str(ns, NFTNL_SET_NAME));
			nftnl_expr_set_u32(nle, NFTNL_EXPR_OBJREF_SET_ID,
					   nftnl_set_get_u32(ns, NFTNL_SET_ID));
		} else {
			nftnl_expr_set_str(nle, NFTNL_EXPR_OBJREF_SET_NAME,
					   lower_set_name(e->map.mappings));
		}
		lower_add(ctx, nle);
		return 0;
	}
	if (s->objref.type == NFT_OBJECT_SECMARK && e->etype != EXPR_SYMBOL &&
	    e->etype != EXPR_VALUE) {
		/* "meta secmark set ct secmark": a value, not an object name */
		struct stmt ms = { .location = s->location, .type = STMT_META };

		ms.meta.key = NFT_META_SECMARK;
		ms.meta.expr = (struct expr *)e;
		return lower_meta_set(ctx, &ms);
	}
	if (verdict_chain(e, name, sizeof(name)) < 0)
		return lower_error(ctx, &e->location, "cannot lower object reference");
	nle = lower_alloc(ctx, "objref");
	if (!nle)
		return -1;
	nftnl_expr_set_u32(nle, NFTNL_EXPR_OBJREF_IMM_TYPE, s->objref.type);
	nftnl_expr_set_str(nle, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	lower_add(ctx, nle);
	return 0;
}

int lower_stmt(struct lower_ctx *ctx, const struct stmt *s)
{
	struct nftnl_expr *nle;
	int ret;

	ctx->reg_low = LREG_FIRST;
	if (!ctx->capturing) {
		ctx->stmt_is_expr = s->type == STMT_EXPRESSION;
		lower_unit_begin(ctx, ctx->stmt_is_expr);
	}
	switch (s->type) {
	case STMT_EXPRESSION:
		if (s->expr->etype != EXPR_RELATIONAL)
			return lower_error(ctx, &s->location, "cannot lower %s as a match",
					   expr_type_name(s->expr->etype));
		if (lower_expr_deps(ctx, s->expr) < 0)
			return -1;
		ret = lower_relational(ctx, s->expr);
		if (!ret)
			lower_ctx_update(ctx, s->expr);
		return ret;
	case STMT_VERDICT:
		if (s->expr->etype == EXPR_MAP) {
			if (lower_expr_deps(ctx, s->expr) < 0)
				return -1;
			return lower_expr(ctx, s->expr, LREG_VERDICT);
		}
		if (s->expr->etype != EXPR_VERDICT)
			return lower_error(ctx, &s->location, "cannot lower verdict %s",
					   expr_type_name(s->expr->etype));
		return lower_verdict(ctx, s->expr, LREG_VERDICT);
	case STMT_COUNTER:
		return lower_counter(ctx, s);
	case STMT_LOG:
		return lower_log(ctx, s);
	case STMT_LIMIT:
		return lower_limit(ctx, s);
	case STMT_QUOTA:
		return lower_quota(ctx, s);
	case STMT_REJECT:
		return lower_reject(ctx, s);
	case STMT_NAT:
		return lower_nat(ctx, s);
	case STMT_META:
		return lower_meta_set(ctx, s);
	case STMT_CT:
		return lower_ct_set(ctx, s);
	case STMT_PAYLOAD:
	case STMT_EXTHDR:
		return lower_payload_set(ctx, s);
	case STMT_DUP:
	case STMT_FWD:
		return lower_dup_fwd(ctx, s);
	case STMT_QUEUE:
		return lower_queue(ctx, s);
	case STMT_SYNPROXY:
		nle = lower_alloc(ctx, "synproxy");
		if (!nle)
			return -1;
		nftnl_expr_set_u16(nle, NFTNL_EXPR_SYNPROXY_MSS, s->synproxy.mss);
		nftnl_expr_set_u8(nle, NFTNL_EXPR_SYNPROXY_WSCALE, s->synproxy.wscale);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_SYNPROXY_FLAGS, s->synproxy.flags);
		lower_add(ctx, nle);
		return 0;
	case STMT_TPROXY:
		return lower_tproxy(ctx, s);
	case STMT_SET:
	case STMT_MAP:
		return lower_dynset(ctx, s);
	case STMT_OBJREF:
		return lower_objref(ctx, s);
	case STMT_NOTRACK:
		nle = lower_alloc(ctx, "notrack");
		if (!nle)
			return -1;
		lower_add(ctx, nle);
		return 0;
	case STMT_FLOW_OFFLOAD:
		nle = lower_alloc(ctx, "flow_offload");
		if (!nle)
			return -1;
		nftnl_expr_set_str(nle, NFTNL_EXPR_FLOW_TABLE_NAME,
				   s->flow.table_name ? s->flow.table_name : "");
		lower_add(ctx, nle);
		return 0;
	case STMT_LAST:
		nle = lower_alloc(ctx, "last");
		if (!nle)
			return -1;
		nftnl_expr_set_u64(nle, NFTNL_EXPR_LAST_MSECS, s->last.msecs);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_LAST_SET, s->last.set);
		lower_add(ctx, nle);
		return 0;
	case STMT_OPTSTRIP:
		/* exthdr without registers: the kernel removes the option */
		if (!s->expr || s->expr->etype != EXPR_EXTHDR)
			return lower_error(ctx, &s->location, "cannot lower option reset");
		nle = lower_alloc(ctx, "exthdr");
		if (!nle)
			return -1;
		nftnl_expr_set_u8(nle, NFTNL_EXPR_EXTHDR_TYPE, s->expr->exthdr.type);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_EXTHDR_OP, s->expr->exthdr.op);
		lower_add(ctx, nle);
		return 0;
	case STMT_CONNLIMIT:
		nle = lower_alloc(ctx, "connlimit");
		if (!nle)
			return -1;
		nftnl_expr_set_u32(nle, NFTNL_EXPR_CONNLIMIT_COUNT, s->connlimit.count);
		nftnl_expr_set_u32(nle, NFTNL_EXPR_CONNLIMIT_FLAGS, s->connlimit.flags);
		lower_add(ctx, nle);
		return 0;
	default:
		return lower_error(ctx, &s->location, "cannot lower %s statement",
				   stmt_type_name(s->type));
	}
}
