/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers called from the actions of parser.y (grammar_actions.c). Strings
 * passed in are owned by the callee (freed) unless noted; expressions and
 * statements passed in are owned by the result. They report semantic errors
 * with parser_error() and still return a node so the parse can go on.
 */
#ifndef BNFT_PARSER_GRAMMAR_HELPERS_H
#define BNFT_PARSER_GRAMMAR_HELPERS_H

#include "parser/ast.h"
#include "parser/parse_int.h"

typedef const struct location loc_t;

void parser_add_cmd(struct parser_state *st, struct cmd *c, loc_t *loc);
/* -1 (error reported) when define finds the name in any enclosing scope */
int parser_define(struct parser_state *st, loc_t *loc, char *name, struct expr *e, bool redefine);
void parser_undefine(struct parser_state *st, loc_t *loc, char *name);
struct expr *variable_expand(struct parser_state *st, loc_t *loc, char *name);
char *xstrdup_kw(const char *kw);
/* The elements of an IPv4 run (scanner.l ELEM_RUN, elem_run.c): text
 * starts at start; an EXPR_SET of set elements, or NULL (out of memory). */
struct expr *scanner_elem_run(struct parser_state *st, const struct location *start,
			      const char *text, int len);
/* "a" "b" -> "a b"; frees a */
char *join_words(char *a, const char *b);

/* The grammar's handle values live on the heap (a pointer keeps the bison
 * value stack small): handle_new() zeroed, handle_release() frees contents
 * and struct (NULL-safe). */
struct handle *handle_new(void);
void handle_release(struct handle *h);
/* mk_cmd copies *h; mk_cmd_h and mk_obj_cmd consume h (handle_release). */
struct cmd *mk_cmd(enum cmd_op op, enum cmd_obj obj, const struct handle *h, loc_t *loc, void *data);
struct cmd *mk_cmd_h(enum cmd_op op, enum cmd_obj obj, struct handle *h, loc_t *loc);
struct cmd *mk_obj_cmd(enum cmd_op op, enum cmd_obj obj, struct handle *h, loc_t *loc, struct obj *o);
void cmd_append_arg(struct cmd *c, char *word);

void blk_enter(struct parser_state *st, const struct handle *h, const char *chain);
void blk_enter_chain(struct parser_state *st, const char *chain);
void blk_leave(struct parser_state *st);
void table_fix_handles(struct table *t);
void chain_fix_handles(struct chain *c);
void table_add_obj(struct table *t, struct obj *o, char *name, loc_t *loc);
void table_flag(struct parser_state *st, struct table *t, char *flag, loc_t *loc);
void chain_add_rule(struct parser_state *st, struct chain *c, struct rule *r);

struct expr *prio_sym(loc_t *loc, char *name, const char *op, uint64_t n);
struct expr *num_sym(loc_t *loc, uint64_t n, bool neg);
struct expr *bool_sym(loc_t *loc, bool v);

void set_key(struct parser_state *st, struct set *s, struct expr *key, bool typeof_, loc_t *loc);
void set_data(struct parser_state *st, struct set *s, struct expr *data, bool typeof_);
void set_objmap(struct parser_state *st, struct set *s, struct expr *key, unsigned int type,
		loc_t *loc);
unsigned int set_flag_parse(struct parser_state *st, const char *name, loc_t *loc);
struct expr *concat_append(loc_t *loc, struct expr *a, struct expr *b);

unsigned int ct_l4proto_parse(struct parser_state *st, const char *name, loc_t *loc);
unsigned int family_name_parse(struct parser_state *st, const char *name, loc_t *loc);
void ct_obj_l3proto(struct parser_state *st, struct obj *o, char *word, unsigned int val, loc_t *loc);
void ct_timeout_add(struct parser_state *st, char *state_name, uint64_t ms, loc_t *loc);

struct rule *rule_from_stmts(struct parser_state *st, loc_t *loc, struct list_head *stmts,
			     char *comment);
/* Like rule_from_stmts, for a list head the caller owns (left empty). */
struct rule *rule_from_stmt_list(struct parser_state *st, loc_t *loc, struct list_head *stmts,
				 char *comment);
struct list_head *stmt_list_new(void);
void stmt_list_free_all(struct list_head *l);
struct stmt *stmt_expr_new(loc_t *loc, enum stmt_type type, struct expr *e);
struct stmt *match_stmt_new(struct parser_state *st, loc_t *loc, struct expr *rel);
struct expr *flagcmp_alloc(loc_t *loc, struct expr *value, struct expr *mask);
struct stmt *objref_new(loc_t *loc, unsigned int type, struct expr *e);
unsigned int log_tcp_flag(struct parser_state *st, const char *name, loc_t *loc);
struct stmt *limit_bytes_new(struct parser_state *st, loc_t *loc, unsigned int flags, uint64_t rate,
			     char *unit, const char *unit_kw, loc_t *unit_loc, uint64_t burst);
uint64_t data_size_parse(struct parser_state *st, uint64_t n, const char *unit, loc_t *loc);
struct stmt *reject_new(struct parser_state *st, loc_t *loc, int type, unsigned int family,
			struct expr *code);
void nat_check(struct parser_state *st, struct stmt *s);
struct stmt *setter_stmt_new(struct parser_state *st, loc_t *loc, struct expr *lhs, struct expr *val);
struct stmt *dupfwd_new(loc_t *loc, enum stmt_type type, unsigned int family, struct expr *to,
			struct expr *dev);
void queue_set(struct parser_state *st, struct stmt *s, struct expr *e, loc_t *loc);
struct stmt *tproxy_new(loc_t *loc, unsigned int family, struct expr *addr, struct expr *port);
struct stmt *set_stmt_new(loc_t *loc, enum stmt_type type, unsigned int op, struct expr *set,
			  struct expr *key, struct expr *data);
struct expr *set_elem_wrap(loc_t *loc, struct expr *key);
/* Move the options collected in holder (an EXPR_SET_ELEM without key) to elem. */
struct expr *set_elem_merge(struct expr *elem, struct expr *holder);
struct stmt *meter_new(loc_t *loc, char *name, uint64_t size, struct expr *key, struct stmt *s);
struct expr *map_expr_new(loc_t *loc, struct expr *key, struct expr *mappings);
struct expr *set_ref_from_var(struct parser_state *st, loc_t *loc, struct expr *var);
struct expr *prefix_new(loc_t *loc, struct expr *e, uint64_t len);
struct expr *range_new(loc_t *loc, struct expr *a, struct expr *b);

/* selectors */
struct expr *short_meta_or_symbol(struct parser_state *st, loc_t *loc, char *s);
/* The same for a string the caller keeps. */
struct expr *short_meta_or_symbol_ref(struct parser_state *st, loc_t *loc, const char *s);
struct expr *short_meta_or_symbol_stmt(struct parser_state *st, loc_t *loc, char *s);
struct expr *payload_new(struct parser_state *st, loc_t *loc, const char *proto, const char *inner,
			 char *field, loc_t *floc);
/* payload_new for a known header and field (no inner header). */
struct expr *payload_field_new(loc_t *loc, const struct proto_desc *desc, int field);
struct expr *raw_payload_new(struct parser_state *st, loc_t *loc, char *base, loc_t *bloc,
			     uint64_t off, uint64_t len);
struct expr *ip6_exthdr_new(struct parser_state *st, loc_t *loc, const char *name, char *field,
			    loc_t *floc, int index);
struct expr *tcpopt_new(struct parser_state *st, loc_t *loc, char *name, loc_t *nloc, char *field,
			loc_t *floc);
struct expr *tcpopt_num_new(struct parser_state *st, loc_t *loc, uint64_t num, loc_t *nloc);
struct expr *tcpopt_raw_new(struct parser_state *st, loc_t *loc, uint64_t kind, uint64_t off,
			    uint64_t len, loc_t *kloc);
struct expr *ipopt_new(struct parser_state *st, loc_t *loc, char *name, loc_t *nloc, char *field,
		       loc_t *floc);
struct expr *sctp_chunk_new(struct parser_state *st, loc_t *loc, char *name, loc_t *nloc,
			    char *field, loc_t *floc);
struct expr *dccpopt_new(struct parser_state *st, loc_t *loc, uint64_t num, loc_t *nloc);
struct expr *meta_new(struct parser_state *st, loc_t *loc, char *key, loc_t *kloc);
struct expr *ct_new(struct parser_state *st, loc_t *loc, int dir, const char *proto, char *key,
		    loc_t *kloc);
struct expr *rt_new(struct parser_state *st, loc_t *loc, const char *proto, char *key, loc_t *kloc);
struct expr *fib_flag_new(struct parser_state *st, struct expr *fib, char *flag, loc_t *floc);
struct expr *fib_new(struct parser_state *st, loc_t *loc, struct expr *fib, char *result,
		     loc_t *rloc);
struct expr *socket_new(struct parser_state *st, loc_t *loc, char *key, loc_t *kloc, int level);
struct expr *osf_new(struct parser_state *st, loc_t *loc, char *what, bool version);
void osf_ttl(struct parser_state *st, struct expr *e, char *ttl, loc_t *tloc);
struct expr *numgen_new(loc_t *loc, unsigned int type, uint64_t mod, uint64_t offset);
struct expr *hash_new(loc_t *loc, struct expr *e, uint64_t mod, uint64_t opts);
struct expr *xfrm_new(struct parser_state *st, loc_t *loc, char *dir, loc_t *dloc, uint64_t spnum,
		      const char *proto, char *key, loc_t *kloc);
struct expr *tunnel_new(struct parser_state *st, loc_t *loc, char *key, loc_t *kloc);

#endif
