/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The printer: turns the in-memory ruleset (and single rules, statements,
 * expressions) into the text `nft list ...` of nftables 1.1 prints, byte for
 * byte. It prints what the AST holds: normalising a rule into its listed form
 * (dropping implicit dependencies, merging set intervals ...) is evaluate's
 * job; expressions flagged EXPR_F_IMPLICIT_DEP are skipped here.
 *
 * Files: print_expr.c (expressions), print_stmt.c (statements),
 * print.c (tables, chains, sets, objects, flowtables, list commands).
 */
#ifndef BNFT_PARSER_PRINT_H
#define BNFT_PARSER_PRINT_H

#include "parser/ast.h"
#include "parser/datatype.h"
#include "parser/ruleset.h"

/* The children of a concat/list/set expression (ast.h union member). */
#ifndef EXPR_COMPOUND
/* print_json.c: nft -j. bnft_json_ruleset returns a new jansson reference
 * ({"nftables": [...]}), family 0 = all; the print variant appends the
 * text as nft prints it, one line. */
struct json_t;
struct json_t *bnft_json_ruleset(const struct bnft_ruleset *rs, unsigned int family,
				 const struct output_ctx *octx);
void bnft_print_ruleset_json(const struct bnft_ruleset *rs, unsigned int family,
			     const struct output_ctx *octx, struct outbuf *o);
/* list table / list chain / list set with -j. */
void bnft_print_table_json(const struct table *t, const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_chain_json(const struct table *t, const struct chain *c,
				const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_set_json(const struct table *t, const struct set *s,
			      const struct output_ctx *octx, struct outbuf *o);
/* {"rule": {...}} of one rule, for JSON echo. */
struct json_t *bnft_json_rule(const struct chain *c, const struct rule *r,
			      const struct output_ctx *octx);

#endif

/* Which optional log fields were given (stmt->log.flags). Same bits as
 * nftables' STMT_LOG_*; the grammar sets them. */
#ifndef LOG_F_PREFIX
#define LOG_F_PREFIX	 (1u << 0)
#define LOG_F_SNAPLEN	 (1u << 1)
#define LOG_F_GROUP	 (1u << 2)
#define LOG_F_QTHRESHOLD (1u << 3)
#define LOG_F_LEVEL	 (1u << 4)
/* print_json.c: nft -j. bnft_json_ruleset returns a new jansson reference
 * ({"nftables": [...]}), family 0 = all; the print variant appends the
 * text as nft prints it, one line. */
struct json_t;
struct json_t *bnft_json_ruleset(const struct bnft_ruleset *rs, unsigned int family,
				 const struct output_ctx *octx);
void bnft_print_ruleset_json(const struct bnft_ruleset *rs, unsigned int family,
			     const struct output_ctx *octx, struct outbuf *o);
/* list table / list chain / list set with -j. */
void bnft_print_table_json(const struct table *t, const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_chain_json(const struct table *t, const struct chain *c,
				const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_set_json(const struct table *t, const struct set *s,
			      const struct output_ctx *octx, struct outbuf *o);
/* {"rule": {...}} of one rule, for JSON echo. */
struct json_t *bnft_json_rule(const struct chain *c, const struct rule *r,
			      const struct output_ctx *octx);

#endif

/* Element timeout meaning "never expires" (nftables NFT_NEVER_TIMEOUT). */
#ifndef BNFT_NEVER_TIMEOUT
#define BNFT_NEVER_TIMEOUT UINT64_MAX
/* print_json.c: nft -j. bnft_json_ruleset returns a new jansson reference
 * ({"nftables": [...]}), family 0 = all; the print variant appends the
 * text as nft prints it, one line. */
struct json_t;
struct json_t *bnft_json_ruleset(const struct bnft_ruleset *rs, unsigned int family,
				 const struct output_ctx *octx);
void bnft_print_ruleset_json(const struct bnft_ruleset *rs, unsigned int family,
			     const struct output_ctx *octx, struct outbuf *o);
/* list table / list chain / list set with -j. */
void bnft_print_table_json(const struct table *t, const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_chain_json(const struct table *t, const struct chain *c,
				const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_set_json(const struct table *t, const struct set *s,
			      const struct output_ctx *octx, struct outbuf *o);
/* {"rule": {...}} of one rule, for JSON echo. */
struct json_t *bnft_json_rule(const struct chain *c, const struct rule *r,
			      const struct output_ctx *octx);

#endif

/* State threaded through one print run. octx is a private copy because some
 * sub-expressions print with changed options (ranges numerically, set
 * statements stateless), as nftables does. */
struct print_ctx {
	struct output_ctx octx;
	struct outbuf *o;
	unsigned int family;	 /* NFPROTO_* of the table being printed */
	bool force_newline;	 /* one element per line in elements = { } */
	const struct datatype *set_dtype; /* key type of the set being listed */
	/* how a constant with several flag bits prints here: "," in flag
	 * tests (ct state established,related), " | " in binops and sets */
	const char *flag_sep;
	bool flag_paren; /* "(a | b)" as the operand of & ^ << >> */
	bool flag_raw;	 /* as a number: the right side of == / != */
	unsigned int dep_nfproto; /* family of a hidden meta nfproto (ct saddr) */
	unsigned int indent;	  /* extra tabs inside "jump { ... }" chains */
};

void print_ctx_init(struct print_ctx *pc, const struct output_ctx *octx, struct outbuf *o,
		    unsigned int family);

/* Building blocks (print_expr.c, print_stmt.c). */
void print_expr(struct print_ctx *pc, const struct expr *e);
void print_stmt(struct print_ctx *pc, const struct stmt *s);
void print_rule(struct print_ctx *pc, const struct rule *r);
void print_time(struct print_ctx *pc, uint64_t ms);
void print_set_elements(struct print_ctx *pc, const struct expr *set, bool anonymous);
const char *print_family_name(unsigned int family);
const char *print_hook_name(unsigned int family, unsigned int hooknum);
/* "filter", "filter + 10", "-150" as `priority` prints for family/hook. */
void print_prio(struct print_ctx *pc, unsigned int family, unsigned int hooknum, int prio);
/* nftables get_rate(): bytes -> (value, "bytes"/"kbytes"/"mbytes"). */
const char *print_rate_unit(uint64_t bytes, uint64_t *value);
const char *print_time_unit(uint64_t seconds);
const char *print_obj_type_name(unsigned int type);
/* Prefix length of a big endian mask / of a range [lo, hi]; -1 if none. */
int print_mask_prefix_len(const struct expr *m);
int print_range_prefix_len(const struct expr *lo, const struct expr *hi);
/* Name of a reject code (kind 0 icmp, 1 icmpv6, 2 icmpx), NULL if none. */
const char *print_reject_code_name(unsigned int kind, int code);
/* Whether the kernel keeps a ct key's direction (ct original saddr). */
bool ct_key_keeps_dir(unsigned int key);
/* Bodies of limit and quota objects ("rate 10/second", "25 mbytes"). */
void print_limit_obj(struct print_ctx *pc, const struct obj *obj);
void print_quota_obj(struct print_ctx *pc, const struct obj *obj);

/* print_deps.c: statements of r nft would not list (dependencies of a later
 * selector the user wrote out); nfproto[i] gets the family a hidden meta
 * nfproto gave statement i. Both arrays hold one entry per statement. */
void print_rule_hidden_deps(const struct rule *r, unsigned int family, bool *hide,
			    unsigned int *nfproto);
/* print_deps.c: the order nft lists r's statements in: adjacent payload
 * matches lowering merges come out in header order where the first of
 * them stood. perm[] gets statement indexes (n = number of statements). */
void print_rule_order(const struct rule *r, unsigned int *perm, unsigned int n);

/* Whole objects with their indentation, as inside `table x { ... }`. */
void print_chain(struct print_ctx *pc, const struct chain *c);
void print_chain_declaration(struct print_ctx *pc, const struct chain *c);
void print_set(struct print_ctx *pc, const struct set *s);
void print_obj(struct print_ctx *pc, const struct obj *obj);
void print_flowtable(struct print_ctx *pc, const struct flowtable *ft);

/* Public entry points: what the list commands print. All append to o. */
void bnft_print_table(const struct table *t, const struct output_ctx *octx, struct outbuf *o);
/* `list tables`: "table ip x" lines */
void bnft_print_tables(const struct bnft_ruleset *rs, unsigned int family,
		       const struct output_ctx *octx, struct outbuf *o);
/* `list ruleset [family]`: family 0 = all */
void bnft_print_ruleset_family(const struct bnft_ruleset *rs, unsigned int family,
			       const struct output_ctx *octx, struct outbuf *o);
/* `list chain`: table header, the chain with its rules, closing brace */
void bnft_print_list_chain(const struct table *t, const struct chain *c,
			   const struct output_ctx *octx, struct outbuf *o);
/* `list chains [family]`: declarations only */
void bnft_print_list_chains(const struct bnft_ruleset *rs, unsigned int family,
			    const struct output_ctx *octx, struct outbuf *o);
/* `list set|map|meter`: table header, the set, closing brace */
void bnft_print_list_set(const struct table *t, const struct set *s,
			 const struct output_ctx *octx, struct outbuf *o);
/* `list sets|maps [family]`: obj is CMD_OBJ_SETS, CMD_OBJ_MAPS or CMD_OBJ_METERS */
void bnft_print_list_sets(const struct bnft_ruleset *rs, unsigned int family, enum cmd_obj obj,
			  const struct output_ctx *octx, struct outbuf *o);
/* `list counter|quota|... [family [table [name]]]`: objects of one type;
 * table/name NULL = all */
void bnft_print_list_objs(const struct bnft_ruleset *rs, unsigned int family, const char *table,
			  const char *name, unsigned int objtype, const struct output_ctx *octx,
			  struct outbuf *o);
void bnft_print_list_flowtable(const struct table *t, const struct flowtable *ft,
			       const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_flowtables(const struct bnft_ruleset *rs, unsigned int family,
				const struct output_ctx *octx, struct outbuf *o);
/* One rule as one line without indentation or newline (echo, tests). */
void bnft_print_rule(const struct rule *r, unsigned int family, const struct output_ctx *octx,
		     struct outbuf *o);
void bnft_print_expr(const struct expr *e, unsigned int family, const struct output_ctx *octx,
		     struct outbuf *o);
void bnft_print_stmt(const struct stmt *s, unsigned int family, const struct output_ctx *octx,
		     struct outbuf *o);

/* print_json.c: nft -j. bnft_json_ruleset returns a new jansson reference
 * ({"nftables": [...]}), family 0 = all; the print variant appends the
 * text as nft prints it, one line. */
struct json_t;
struct json_t *bnft_json_ruleset(const struct bnft_ruleset *rs, unsigned int family,
				 const struct output_ctx *octx);
void bnft_print_ruleset_json(const struct bnft_ruleset *rs, unsigned int family,
			     const struct output_ctx *octx, struct outbuf *o);
/* list table / list chain / list set with -j. */
void bnft_print_table_json(const struct table *t, const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_chain_json(const struct table *t, const struct chain *c,
				const struct output_ctx *octx, struct outbuf *o);
void bnft_print_list_set_json(const struct table *t, const struct set *s,
			      const struct output_ctx *octx, struct outbuf *o);
/* list tables|chains|sets|maps|meters with -j (obj: CMD_OBJ_TABLES ...). */
void bnft_print_list_plural_json(const struct bnft_ruleset *rs, unsigned int family,
				 enum cmd_obj obj, const struct output_ctx *octx, struct outbuf *o);
/* {"rule": {...}} of one rule, for JSON echo. */
struct json_t *bnft_json_rule(const struct chain *c, const struct rule *r,
			      const struct output_ctx *octx);

#endif
