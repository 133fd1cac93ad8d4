/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the evaluator (evaluate_*.c, setelem.c). Not a public
 * interface: other stages use parser/ruleset.h.
 */
#ifndef BNFT_PARSER_EVALUATE_H
#define BNFT_PARSER_EVALUATE_H

#include "parser/ast.h"
#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/ruleset.h"

/* What the other side of a relational / the target of a statement expects. */
struct expr_ctx {
	const struct datatype *dtype; /* NULL: no expectation */
	enum byteorder byteorder;
	unsigned int len; /* bits */
	const struct expr *key; /* the expression giving the context (concat members) */
	uint64_t maxval;	/* 0: only the width limits */
};

struct eval_ctx {
	struct bnft_ruleset *rs;
	struct list_head *msgs;
	const struct output_ctx *octx;
	struct outbuf *out;
	struct cmd *cmd;
	struct table *table; /* the table the command acts in (in rs) */
	struct chain *chain;
	struct rule *rule;
	struct set *set; /* set whose elements are evaluated */
	unsigned int family;
	unsigned int nerrs;
	struct list_head *kmsgs; /* kernel-side refusals (evaluate_cmd.c) */
	struct outbuf echo;	 /* -e: what was added, printed after commit */
	/* which __set%d/__map%d names are taken in a table (evaluate_set.c) */
	struct {
		const struct table *t;
		uint64_t gen;
		uint8_t *used[2];
		unsigned int cap[2], next[2];
	} anon;
	unsigned int kerrs;
	struct expr_ctx ectx;
	/* layer-3 protocol the rule has committed to (NFPROTO_IPV4/6, 0 none) */
	unsigned int l3proto;
	/* protocol context of the rule being evaluated (nft's pctx): the
	 * network and transport headers matched so far, and what chose them */
	const struct proto_desc *l3;
	const struct expr *l3_expr;
	const struct proto_desc *l4;
	const struct expr *l4_expr;
	bool l4_multi;			/* meta l4proto { tcp, udp }: some transport */
	const struct proto_desc *l4_set_last; /* ... and the last of them */
	const struct proto_desc *ll_upper; /* ether type X: what follows ethernet */
	const struct expr *ll_expr;
	int icmp_type;			/* icmp type == N seen, -1 none */
	bool in_key;			/* evaluating a map key or concatenation */
	bool icmp_dep_done;		/* visible icmp type dependency added */
	struct stmt *dep_stmt;		/* to insert before the current statement */
	const struct location *tcp_dep_loc; /* reject with tcp reset needs meta l4proto 6 */
	/* sets created for anonymous set expressions of the rule being added */
	struct list_head pending_sets;
};

/* evaluate_cmd.c: a refusal the kernel would send ("Could not process rule: %s") */
int kernel_error(struct eval_ctx *ctx, const struct location *loc, int err);
int set_targets_check(struct eval_ctx *ctx, const struct expr *set);

int eval_error(struct eval_ctx *ctx, const struct location *loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int eval_error2(struct eval_ctx *ctx, const struct location *loc, const struct location *loc2,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* evaluate_expr.c */
void ectx_from_expr(struct expr_ctx *c, const struct expr *e);
void raw_payload_to_field(struct eval_ctx *ctx, struct expr *e, struct expr *val);
int evaluate_with(struct eval_ctx *ctx, struct expr **e, const struct expr_ctx *c);

/* evaluate_set.c */
int anon_set_evaluate(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *key,
		      const struct expr_ctx *data);
int set_ref_evaluate(struct eval_ctx *ctx, struct expr **ep);
int map_evaluate(struct eval_ctx *ctx, struct expr **ep);

int expr_evaluate(struct eval_ctx *ctx, struct expr **e);
int expr_evaluate_ctx(struct eval_ctx *ctx, struct expr **e, const struct datatype *dtype,
		      unsigned int len, enum byteorder bo);
int expr_evaluate_selector(struct eval_ctx *ctx, struct expr **e);
int expr_evaluate_set_elems(struct eval_ctx *ctx, struct expr *set, const struct expr_ctx *key,
			    const struct expr_ctx *data, bool named);
bool datatype_compatible(const struct datatype *have, const struct datatype *want);
const struct datatype *eval_basetype(const struct datatype *d);
bool eval_is_bitmask(const struct datatype *d);
const char *eval_dtype_desc(const struct datatype *d);

/* evaluate_value.c: locations derived from the source text */
struct location loc_first_word(const struct location *loc);
struct location loc_extend_back(const struct location *loc, const char *kw);
struct location loc_find_word(const struct location *loc, const char *word);

/* evaluate_value.c: constant helpers */
int symbol_resolve(struct eval_ctx *ctx, struct expr **e, const struct expr_ctx *ectx);
int value_fit(struct eval_ctx *ctx, struct expr **ep, const struct expr_ctx *ectx);
int value_adjust(struct eval_ctx *ctx, struct expr *e, const struct expr_ctx *ectx);
/* Canonical big endian bytes of a constant (nbytes wide). */
void eval_value_be(const struct expr *e, uint8_t *out, unsigned int nbytes);
void eval_value_from_be(struct expr *e, const uint8_t *in, unsigned int nbytes);
int eval_be_cmp(const uint8_t *a, const uint8_t *b, unsigned int n);
void eval_be_inc(uint8_t *a, unsigned int n);
struct expr *eval_variable_lookup(struct eval_ctx *ctx, struct expr *var);

void eval_commit_pending_sets(struct eval_ctx *ctx);
void eval_drop_pending_sets(struct eval_ctx *ctx);
int set_elems_evaluate(struct eval_ctx *ctx, struct set *s, struct expr *elems);
int set_elems_normalize(struct eval_ctx *ctx, struct set *s, struct expr *elems);

/* evaluate_deps.c */
void rule_mark_dependencies(struct eval_ctx *ctx, struct rule *r);
int icmp_dep_stmt(struct eval_ctx *ctx, const struct expr *p);
int reject_tcp_dep_stmt(struct eval_ctx *ctx, struct rule *r, const struct location *loc);

/* evaluate_stmt.c */
int stmt_evaluate(struct eval_ctx *ctx, struct stmt *s);
int rule_evaluate(struct eval_ctx *ctx, struct rule *r);

/* evaluate_chain.c */
int chain_evaluate(struct eval_ctx *ctx, struct chain *c);
int set_evaluate(struct eval_ctx *ctx, struct set *s);
int obj_evaluate(struct eval_ctx *ctx, struct obj *o);
int flowtable_evaluate(struct eval_ctx *ctx, struct flowtable *ft);

/* setelem.c: sort, merge, check set elements (EXPR_SET children) */
struct set_elem_opts {
	bool interval;	 /* set has NFT_SET_INTERVAL */
	bool merge;	 /* anonymous or auto-merge: join adjacent/overlapping */
	bool concat;	 /* concatenated keys: keep order, no merge */
	bool prefix_ok;	 /* key type prints ranges as prefixes */
	unsigned int keylen; /* bits */
};
int setelem_normalize(struct eval_ctx *ctx, struct expr *set, const struct set_elem_opts *o);
struct expr *setelem_key(struct expr *elem);
int setelem_delete(struct eval_ctx *ctx, struct expr *set, struct expr *del, bool destroy);

#endif
