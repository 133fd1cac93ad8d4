/* SPDX-License-Identifier: GPL-2.0 */
/* Internals of the lowering (lower*.c). Not a public interface. */
#ifndef BNFT_TRANSLATOR_LOWER_INT_H
#define BNFT_TRANSLATOR_LOWER_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/ast.h"
#include "parser/erec.h"
#include "parser/proto.h"
#include "translator/lower.h"
#include "translator/rule_index.h"

/* Registers are counted in 32-bit units like nft: 1 is NFT_REG_1, a plain
 * expression takes a whole 128-bit register (4 units), a concatenation as
 * many units as its members need. 0 is the verdict register. */
#define LREG_VERDICT 0u
#define LREG_FIRST 1u
#define LREG_UNITS_PER_REG 4u

#define LOWER_LL_STACK_MAX 4

/* Expressions made last (lower_alloc), with their kinds. */
#define LOWER_MADE_RING 4

struct lower_unit {
	bool is_expr; /* a match (statement or dependency): does not end a merge run */
	bool removed;
};

struct lower_ctx {
	struct bnft_ir *ir;
	struct list_head *msgs;
	const struct table *table;
	const struct chain *chain;
	unsigned int family;
	struct nftnl_rule *nlr; /* rule being built */
	uint32_t chain_ix;	/* index of its chain in ir->chains */
	uint32_t nchains;	/* in ir->chains */
	unsigned int reg_low;
	int nerrs;
	/* protocol context of the rule being lowered (nft's proto_ctx) */
	const struct proto_desc *proto[3]; /* PAYLOAD_LL, NETWORK, TRANSPORT */
	const struct proto_desc *ll_stack[LOWER_LL_STACK_MAX];
	unsigned int ll_stack_n;
	unsigned int ll_off; /* bits of stacked link layer headers before the top */
	uint32_t set_id;
	bool icmp_type_known;
	/* expressions of the rule being built, grouped in units (one per
	 * statement or dependency) so adjacent payload matches can be merged
	 * before they go into the rule (nft's payload_try_merge) */
	struct nftnl_expr **ebuf;
	uint8_t *ekind; /* enum bnft_xk of each */
	struct bnft_xfact *efact; /* fields noted as each was made */
	unsigned int *eunit;
	unsigned int en, ecap;
	struct lower_unit *units;
	unsigned int un, ucap;
	struct {
		const struct nftnl_expr *e;
		uint8_t kind;
	} made[LOWER_MADE_RING];
	unsigned int nmade;
	/* lower_flush_rule's merge candidates, reused from rule to rule */
	struct merge_cand *mcand;
	unsigned int mcap;
	bool stmt_is_expr;
	/* object type of the anonymous map being built (objref maps) */
	unsigned int anon_objtype;
	/* stateful statements of dynset: the expression is kept here */
	bool capturing;
	struct nftnl_expr *capture;
};

/* lower_expr.c */
unsigned int lower_get_register(struct lower_ctx *ctx, const struct expr *e);
void lower_release_register(struct lower_ctx *ctx, const struct expr *e);
void lower_put_register(struct nftnl_expr *nle, uint16_t attr, unsigned int reg);
/* The nft register (NFT_REG_*, NFT_REG32_*) of a lowering register. */
uint32_t lower_nft_register(unsigned int reg);
/* Notes the fields of nle, the expression lower_add() took last
 * (struct bnft_xfact): a payload load (base, offset, len into nft
 * register reg), a meta load (key into reg, b = c = 0), a cmp (op on reg,
 * data), a verdict without a chain (into reg). */
void lower_note_load(struct lower_ctx *ctx, const struct nftnl_expr *nle, uint32_t reg, uint32_t a,
		     uint32_t b, uint32_t c);
void lower_note_cmp(struct lower_ctx *ctx, const struct nftnl_expr *nle, uint32_t reg, uint32_t op,
		    const void *data, unsigned int len);
unsigned int lower_reg_space(unsigned int len_bits);
int lower_expr(struct lower_ctx *ctx, const struct expr *e, unsigned int dreg);
/* lower_deps.c: offset (bits) of link layer header d in the stack. */
unsigned int lower_ll_offset(const struct lower_ctx *ctx, const struct proto_desc *d);
/* Offset (bits) of a payload field including stacked link layer headers. */
unsigned int lower_payload_offset(const struct lower_ctx *ctx, const struct expr *e);
int lower_relational(struct lower_ctx *ctx, const struct expr *rel);
int lower_expr_deps(struct lower_ctx *ctx, const struct expr *e);
void lower_ctx_update(struct lower_ctx *ctx, const struct expr *rel);
void lower_proto_init(struct lower_ctx *ctx);
int lower_error(struct lower_ctx *ctx, const struct location *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lower_add(struct lower_ctx *ctx, struct nftnl_expr *nle);
/* Start a new unit of expressions (a statement or a dependency). */
void lower_unit_begin(struct lower_ctx *ctx, bool is_expr);
/* Merge adjacent payload matches and move the buffered expressions into
 * ctx->nlr. Returns how many went in: ctx->ebuf[0, n) holds them, in rule
 * order, until the next expression is added. */
unsigned int lower_flush_rule(struct lower_ctx *ctx);
/* The kinds (enum bnft_xk) and noted fields of ctx->ebuf[0, n) after
 * lower_flush_rule(). */
const uint8_t *lower_flushed_kinds(struct lower_ctx *ctx);
const struct bnft_xfact *lower_flushed_facts(struct lower_ctx *ctx);
struct nftnl_expr *lower_alloc(struct lower_ctx *ctx, const char *name);
void lower_emit_cmp(struct lower_ctx *ctx, unsigned int sreg, enum nft_cmp_ops op,
		    const void *data, unsigned int len);
void lower_emit_byteorder(struct lower_ctx *ctx, unsigned int reg, enum nft_byteorder_ops op,
			  unsigned int len_bits);
void lower_emit_immediate_data(struct lower_ctx *ctx, unsigned int dreg, const void *data,
			       unsigned int len);
/* Constant bytes of an EXPR_VALUE (nbytes wide: value bytes, zero padded). */
unsigned int lower_value_bytes(const struct expr *e, uint8_t *out, unsigned int max);
/* Bytes of a set key/data expression as the kernel stores it: concat
 * members each padded to 4 bytes. Returns the length, 0 on unsupported. */
unsigned int lower_data_bytes(const struct expr *e, uint8_t *out, unsigned int max, bool end);
/* A host byte order number wider than a byte (not a string): the values
 * nft converts to big endian for ranges, ordering and interval sets. */
bool lower_is_host_number(const struct expr *e);
/* Shift (bits) that a sub-byte payload field needs, and the bytes it loads. */
bool lower_payload_shift(const struct expr *e, unsigned int *shift, unsigned int *nbytes);
/* Shift a big endian number of nbytes left by shift bits in place. */
void lower_shift_left(uint8_t *buf, unsigned int nbytes, unsigned int shift);

/* lower_stmt.c */
int lower_stmt(struct lower_ctx *ctx, const struct stmt *s);
int lower_verdict(struct lower_ctx *ctx, const struct expr *v, unsigned int dreg);
int lower_rule_prologue(struct lower_ctx *ctx, const struct rule *r);
/* The single expression of a stateful statement (counter, quota, limit,
 * last, connlimit) for sets, elements and dynset; NULL on error. */
struct nftnl_expr *lower_stateful_expr(struct lower_ctx *ctx, const struct stmt *s);

/* lower.c */
struct nftnl_set *lower_anon_set(struct lower_ctx *ctx, const struct expr *setexpr,
				 const struct expr *key, unsigned int *shift);
const char *lower_set_name(const struct expr *ref);
/* A map whose data holds ranges (nat maps): data is min.max. */
bool lower_map_data_interval(const struct expr *setexpr);
/* Interval sets keep host order keys big endian: lookups convert first. */
bool lower_key_needs_hton(const struct expr *key, uint32_t set_flags);
/* An anonymous constant set of n one-key elements (klen bytes each). */
struct nftnl_set *lower_anon_set_bytes(struct lower_ctx *ctx, uint32_t key_type, uint32_t klen,
				       const uint8_t *vals, unsigned int n);

#endif
