/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-memory ruleset: what the kernel would hold after the commands ran.
 * evaluate*.c checks commands and applies them here (add table/chain/rule/
 * set/element..., delete, flush, rename); print.c prints it as `nft list`
 * does; translator/lower.c lowers it to libnftnl objects.
 *
 * What an evaluated ruleset guarantees (for print*.c and translator/lower*.c):
 *
 *  - Tables are in creation order; chains, sets, objects, flowtables and
 *    rules in the order the kernel keeps them (creation order, rules where
 *    add/insert/position put them). Every object has its kernel handle in
 *    <obj>->handle.handle.id (tables: global counter; everything else: per
 *    table counter, incremented for each chain, object, set (anonymous ones
 *    too), flowtable and rule in the order nft sends them: for a table block
 *    chains, objects, sets, flowtables, then rules).
 *  - Every handle has family and table (and chain for rules) filled in.
 *  - Base chains: CHAIN_F_BASECHAIN set, hooknum = NF_INET_* / NF_NETDEV_*,
 *    prio evaluated (number), policy_verdict = NF_ACCEPT/NF_DROP or -1,
 *    devices[]/dev_count filled (sorted like nft).
 *  - No EXPR_SYMBOL or EXPR_VARIABLE remains in rules, sets and elements.
 *  - Every expression has dtype, len (bits) and byteorder set. Constants
 *    (EXPR_VALUE) have the len and byteorder of the expression they are
 *    compared with / assigned to; strings are NUL padded to that len unless
 *    they are wildcards ("eth*": an EXPR_PREFIX of the string bytes).
 *  - EXPR_LIST of a bitmask type (ct state a,b) is folded into one
 *    EXPR_VALUE (the OR of the members); relational op stays as written:
 *    OP_IMPLICIT means "==", or a flag test (value & x != 0) when the right
 *    side's type is a bitmask (basetype TYPE_BITMASK) and not a set.
 *  - Anonymous sets ({ ... } in a rule) are EXPR_SET whose list.set points to
 *    a struct set in table->sets flagged NFT_SET_ANONYMOUS|NFT_SET_CONSTANT
 *    (plus INTERVAL/MAP/CONCAT as needed), named "__set%d" like the kernel
 *    does, key/data dtypes set. That set's init is the same EXPR_SET (owned
 *    by the rule). The printer must skip anonymous sets in table listings.
 *  - Set element lists (set->init and anonymous EXPR_SET) hold EXPR_SET_ELEM
 *    (sets) or EXPR_MAPPING{left: EXPR_SET_ELEM, right: data} (maps), sorted
 *    by key value; interval sets are merged like nft lists them (anonymous
 *    and auto-merge sets join adjacent/overlapping ranges), singletons are
 *    EXPR_VALUE, ranges that are exact prefixes of prefix-capable types are
 *    EXPR_PREFIX, others EXPR_RANGE.
 *  - EXPR_SET_REF has set_ref.set resolved.
 *  - Payload dependencies are NOT inserted: lowering adds them, with three
 *    visible exceptions nft 1.1 also lists: "icmp type { echo-reply,
 *    echo-request }" (a real STMT_EXPRESSION with an anonymous set) before a
 *    field valid for several icmp types, and "meta l4proto 6" at the start
 *    of a rule with "reject with tcp reset" in inet/bridge/netdev.
 *  - A STMT_EXPRESSION whose expr has EXPR_F_IMPLICIT_DEP is a protocol
 *    match the user wrote that nft's listing hides ("meta l4proto 6" right
 *    before "tcp dport 22"): lower it like any match (it is the dependency
 *    of what follows, so add none of your own); the printer skips it.
 *    "meta protocol ip" / "meta nfproto ipv4" naming the ip table's own
 *    family right before a user are removed from the rule (nft sends none).
 *  - Relational ops: OP_IMPLICIT = eq, or flag test (x & v != 0) for
 *    bitmask types; OP_NEG = "flags ! v", i.e. (x & v) == 0. "a ^ c == v"
 *    is folded to "a == c^v", "flags & m != 0" to "flags m", "flags / mask"
 *    to (flags & mask) == value, prefixes of non-address integers to
 *    "x & mask == v", constant binops are folded to one value.
 *  - Binops in statements may be wider than their left operand (nft 1.1:
 *    "ct mark set ip dscp << 26 | 0x10"): binop->len is the target's size,
 *    the left operand keeps its own len; shifted values get xinteger_type.
 *  - Raw payloads (@th,16,16) that match a header field of the context are
 *    turned into that field after their value was read as a number; raw
 *    matches not on byte boundaries become (aligned load & mask) == value.
 *  - reject: type/family/icmp_code always filled (defaults as nft sends
 *    them: icmp/icmpv6 port-unreachable in ip/ip6 context, else icmpx).
 *  - nat.family is only set when written or inferred in inet (ip/ip6
 *    tables imply it); nat.ipportmap is set for address . port maps.
 *  - Hour ranges may wrap midnight ("21:00"-"02:00": left > right).
 *  - String wildcards ("eth*") are EXPR_PREFIX of a string value.
 */
#ifndef BNFT_PARSER_RULESET_H
#define BNFT_PARSER_RULESET_H

#include "parser/ast.h"
#include "parser/datatype.h"

/* Children of EXPR_CONCAT/EXPR_LIST/EXPR_SET (ast.h union member). */
#ifndef EXPR_COMPOUND
#endif

/* One change of a committed transaction (bnft_ruleset.on_change). */
enum ruleset_change_kind {
	RC_TABLE,
	RC_CHAIN,
	RC_RULE,
	RC_SET,
	RC_OBJ,
	RC_FLOWTABLE,
	RC_ELEM,
};

struct ruleset_change {
	bool add;			/* else delete */
	enum ruleset_change_kind kind;
	const void *obj;		/* struct table/chain/rule/set/obj/flowtable,
					 * or the element expression */
	const struct set *set;		/* RC_ELEM: the set (NULL if unknown) */
	bool insert;			/* RC_RULE added by an insert command */
};

struct bnft_ruleset {
	struct list_head tables; /* struct table, in creation order */
	uint64_t next_handle;	 /* table handles (kernel: per netns) */
	/* per table handle generators (struct ruleset_hgen), see ruleset.c */
	struct list_head hgens;
	/* undo log of the transaction in progress (ruleset.c) */
	struct list_head undo;
	bool in_trans;
	/* When set, what a commit unlinked is kept on `reap` until
	 * bnft_ruleset_reap() (bnftd frees it after its reply). */
	bool defer_free;
	struct list_head reap;
	uint64_t set_changes; /* bumped by every set link/unlink (caches) */
	/* Change hook (bnftd's monitor): when set, ruleset_trans_commit()
	 * reports every change of the transaction in order, before unlinked
	 * objects are freed. */
	void (*on_change)(const struct ruleset_change *ch, void *data);
	void *on_change_data;
	/* the set whose elements ruleset_del_expr() unlinks or
	 * ruleset_link_expr() links (evaluate) */
	struct set *elem_set;
	/* ruleset_link_rule() of an insert command (evaluate) */
	bool link_insert;
};

void bnft_ruleset_init(struct bnft_ruleset *rs);
void bnft_ruleset_release(struct bnft_ruleset *rs);
/* Frees what committed transactions unlinked while defer_free was set;
 * about how many objects that was. */
size_t bnft_ruleset_reap(struct bnft_ruleset *rs);
/* The same, about `budget` rules or objects of it at a time (a big table's
 * rules a slice at a time), adding to *freed how many; whether nothing is
 * left. */
bool bnft_ruleset_reap_some(struct bnft_ruleset *rs, size_t budget, size_t *freed);

/*
 * Evaluate every command of src (types, symbols, dependencies, sets) and
 * apply them to rs as one transaction: on any error nothing is applied, the
 * errors are appended to msgs and -1 is returned; 0 on success. Commands that
 * only list/read (list, reset ...) are executed against rs and their output
 * appended to out (may be NULL).
 */
int bnft_evaluate(struct bnft_ruleset *rs, struct ruleset_src *src, struct list_head *msgs,
		  const struct output_ctx *octx, struct outbuf *out);

/* Print the whole ruleset as `nft list ruleset` does. */
void bnft_print_ruleset(const struct bnft_ruleset *rs, const struct output_ctx *octx,
			struct outbuf *o);

/* ---- lookups (NULL when absent) ---- */
struct table *ruleset_table_lookup(const struct bnft_ruleset *rs, unsigned int family,
				   const char *name);
struct table *ruleset_table_lookup_handle(const struct bnft_ruleset *rs, unsigned int family,
					  uint64_t handle);
struct chain *table_chain_lookup(const struct table *t, const char *name);
struct chain *table_chain_lookup_handle(const struct table *t, uint64_t handle);
struct set *table_set_lookup(const struct table *t, const char *name);
struct set *table_set_lookup_handle(const struct table *t, uint64_t handle);
struct obj *table_obj_lookup(const struct table *t, unsigned int type, const char *name);
struct obj *table_obj_lookup_handle(const struct table *t, uint64_t handle);
struct flowtable *table_flowtable_lookup(const struct table *t, const char *name);
struct flowtable *table_flowtable_lookup_handle(const struct table *t, uint64_t handle);
struct rule *chain_rule_lookup_handle(const struct chain *c, uint64_t handle);
const char *family_name(unsigned int family);

/* ---- transaction (used by evaluate; the daemon may batch too) ---- */
void ruleset_trans_begin(struct bnft_ruleset *rs);
void ruleset_trans_commit(struct bnft_ruleset *rs);
void ruleset_trans_abort(struct bnft_ruleset *rs);

/* Allocate the next handle of table t (or a table handle when t is NULL). */
uint64_t ruleset_alloc_handle(struct bnft_ruleset *rs, const struct table *t);

/* Mutations, recorded in the undo log. The object is owned by rs on return. */
void ruleset_add_table(struct bnft_ruleset *rs, struct table *t);
void ruleset_add_chain(struct bnft_ruleset *rs, struct table *t, struct chain *c);
void ruleset_add_set(struct bnft_ruleset *rs, struct table *t, struct set *s);
void ruleset_add_obj(struct bnft_ruleset *rs, struct table *t, struct obj *o);
void ruleset_add_flowtable(struct bnft_ruleset *rs, struct table *t, struct flowtable *f);
/* Link r after `after` (a rule list node: &c->rules for the head). */
void ruleset_link_rule(struct bnft_ruleset *rs, struct chain *c, struct list_head *after,
		       struct rule *r);
/* Unlink (freed at commit, restored at abort). */
void ruleset_del_table(struct bnft_ruleset *rs, struct table *t);
void ruleset_del_chain(struct bnft_ruleset *rs, struct chain *c);
void ruleset_del_rule(struct bnft_ruleset *rs, struct table *t, struct rule *r);
void ruleset_del_set(struct bnft_ruleset *rs, struct set *s);
void ruleset_del_obj(struct bnft_ruleset *rs, struct obj *o);
void ruleset_del_flowtable(struct bnft_ruleset *rs, struct flowtable *f);
/* Unlink an expression from a list (set elements). */
void ruleset_del_expr(struct bnft_ruleset *rs, struct expr *e);
/* Link an expression (set element) after `after`. */
void ruleset_link_expr(struct bnft_ruleset *rs, struct list_head *after, struct expr *e);
/* Replace *slot (a pointer field) by val; the old value is restored on abort
 * and released with free() on commit when free_old is set. */
void ruleset_set_ptr(struct bnft_ruleset *rs, void **slot, void *val, bool free_old);
/* Record an integer field so abort restores it. */
void ruleset_save_uint(struct bnft_ruleset *rs, unsigned int *field);
void ruleset_save_int(struct bnft_ruleset *rs, int *field);
/* Swap a whole set element list: old list restored on abort, freed on
 * commit. */
void ruleset_save_set_elems(struct bnft_ruleset *rs, struct set *s);

/* Whether handle id of table t was allocated in the open transaction. */
bool ruleset_handle_is_new(const struct bnft_ruleset *rs, const struct table *t, uint64_t id);

/* Number of rules/elements referencing a set or chain (for delete EBUSY). */
unsigned int ruleset_chain_refs(const struct table *t, const struct chain *c);
unsigned int ruleset_set_refs(const struct table *t, const struct set *s);

#endif
