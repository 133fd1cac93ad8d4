/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rule-set optimizer: runs of consecutive "classifiable" rules of a chain
 * become a few map lookups, so that per-packet cost does not grow with the
 * rule count, while first-match order and per-rule counters stay exact.
 *
 * A rule is classifiable when its expressions are only
 *   (load [bitwise prefix-mask] compare)+ [counter] verdict
 * with load = payload (link/network/transport header) or a per-packet meta
 * key, compare = cmp eq/lt/lte/gt/gte or range eq, and verdict = accept,
 * drop, return or goto. Each (load, compared bytes) pair is a "selector";
 * a rule is the conjunction of one interval [lo, hi] per selector (points
 * for cmp eq, prefixes for mask + cmp eq; byte order = memcmp order, as
 * nf_tables compares). Loads are pure, so the order of the conjunction does
 * not matter and a failed load (no transport header, no device) fails it.
 *
 * Payload selectors at one (base, offset) loaded with different lengths (nft
 * loads 2 bytes of ip saddr for a /16, 3 for a /24) are widened to the
 * widest length of the chain, as intervals, so that all prefix lengths
 * share one structure; a packet too short for the wide load takes exact
 * fallbacks (struct bnft_opt_group, wide_load).
 *
 * A run (at least BNFT_OPT_MIN_RUN such rules in a row) is partitioned into
 * groups by shape: the selector set plus the one selector (at most) where a
 * rule has a real interval. Per group one structure gives the EARLIEST rule
 * of the group that matches the packet:
 *   - no interval selector: a hash map, key = the concatenated values of the
 *     selectors that vary inside the group, value = earliest rule;
 *   - one interval selector: an LPM trie keyed by the varying point values
 *     followed by the interval field; per point tuple, the interval field's
 *     value space is cut into disjoint segments holding the earliest rule
 *     covering them, each segment cut into prefixes (so overlapping ranges
 *     and nested prefixes keep first-match exactly);
 *   - one interval field of 3 or 4 bytes and no varying point field: a
 *     multibit trie (one node of 256 entries per key byte, leaves pushed
 *     down: at most 4 dependent loads whatever the rule count) when it fits
 *     in BNFT_OPT_TRIE_MAX_NODES nodes;
 *   - otherwise one interval field of at most 4 bytes and no varying point
 *     field: a range table instead (the same segments, u32 starts and values in one
 *     ARRAY map value), searched by a branch-free unrolled binary search
 *     (log2 of the table size steps, 19 at most);
 *   - selectors with one value across the group are checked inline.
 * The run's match is the minimum over its groups: the first rule of the run
 * that matches, exactly what a linear walk gives, since no rule of the run
 * has an effect before its verdict. Map values encode
 *   (rule index in run) << 9 | has_counter << 8 | verdict class
 * so the minimum of the encoded values is the minimum rule index.
 */
#ifndef BNFT_TRANSLATOR_OPTIMIZE_H
#define BNFT_TRANSLATOR_OPTIMIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translator/codegen.h"
#include "translator/ir.h"
#include "translator/oht.h"
#include "translator/rule_index.h"

#define BNFT_OPT_MIN_RUN 8	/* shorter runs stay straight code */
#define BNFT_OPT_MAX_GROUPS 8	/* lookups per run at most */
#define BNFT_OPT_MAX_SEL 6	/* selectors per rule */
#define BNFT_OPT_VAL_MAX 16	/* bytes of one selector value */
#define BNFT_OPT_KEY_MAX 64	/* bytes of a group key (scratch key area) */
#define BNFT_OPT_MAX_VCLASS 256
#define BNFT_OPT_NONE 0xffffffffu
#define BNFT_OPT_TABLE_MAX (1u << 19)	/* range table entries (4 MB value) */
#define BNFT_OPT_POINT_TABLE 64	/* point groups up to this size: range table */
/* Multibit trie of a 3/4-byte interval field: nodes of 256 u32 entries, one
 * per key byte; an entry is a leaf value (top bit clear, or NONE) or
 * BNFT_OPT_TRIE_CHILD | byte offset of the child node. */
#define BNFT_OPT_TRIE_NODE 256
#define BNFT_OPT_TRIE_MAX_NODES 4096	/* 4 MB, one ARRAY map value */
#define BNFT_OPT_TRIE_CHILD 0x80000000u

#define BNFT_OPT_V_CTR 0x100u
#define BNFT_OPT_VALUE(idx, ctr, vclass)                                                   \
	((uint32_t)(idx) << 9 | ((ctr) ? BNFT_OPT_V_CTR : 0) | (uint32_t)(vclass))
#define BNFT_OPT_IDX(v) ((v) >> 9)
#define BNFT_OPT_VCLASS(v) ((v)&0xffu)

enum bnft_opt_load { BNFT_OPT_PAYLOAD, BNFT_OPT_META };

/* What is loaded and how many bytes of the register are compared. */
struct bnft_opt_sel {
	uint8_t kind;		/* enum bnft_opt_load */
	uint8_t cmplen;		/* bytes compared, 1..16 */
	uint16_t pad;
	uint32_t base;		/* payload base / meta key */
	uint32_t off, len;	/* payload offset and length (meta: 0, 0) */
};

struct bnft_opt_pred {
	struct bnft_opt_sel sel;
	uint8_t lo[BNFT_OPT_VAL_MAX], hi[BNFT_OPT_VAL_MAX];
	const struct nftnl_expr *load;	/* the load expression to emit */
	uint8_t width;		/* bytes the rule itself loads (< cmplen: widened) */
};

struct bnft_opt_rule {
	uint32_t npred;
	struct bnft_opt_pred *pred;	/* npred (stored by the run or chain) */
	int32_t verdict;	/* NF_ACCEPT, NF_DROP, NFT_RETURN, NFT_GOTO */
	const char *chain;	/* goto target */
	bool counter;
	bool never;		/* empty intersection: never matches */
};

struct bnft_opt_run;

struct bnft_opt_group {
	uint32_t nsel;		/* selectors, canonical order, interval last */
	struct bnft_opt_sel sel[BNFT_OPT_MAX_SEL];
	const struct nftnl_expr *load[BNFT_OPT_MAX_SEL];
	bool constant[BNFT_OPT_MAX_SEL];	/* one value in the group: inline */
	uint8_t cval[BNFT_OPT_MAX_SEL][BNFT_OPT_VAL_MAX];
	bool interval;		/* sel[nsel - 1] is an interval field */
	uint32_t *rules;	/* indices in the run, ascending */
	size_t nrules;
	/* Built structure (bnft_opt_build): key = varying fields in sel order.
	 * lpm: key = u32 prefix length + data. keylen counts data bytes. */
	bool built, lpm, keyless;
	bool table;		/* range table (ARRAY, one value): see below */
	uint32_t tsize;		/* table: P, entries (a power of two) */
	bool direct;		/* table of 1/2-byte keys: value[key] only */
	bool trie;		/* table is a multibit trie (tsize nodes) */
	uint32_t keylen;
	uint32_t keyless_value;	/* keyless: the value when the checks pass */
	struct bnft_map_spec map;	/* keys/values, handed to the prog set */
	bool oht;		/* the hash map became an open hash table */
	struct cg_oht ohtp;
	int map_index;		/* in the prog set, -1 before emission */
	/* The interval selector widened from narrower loads (a /16 loads 2
	 * bytes of ip saddr, a /32 4): wide_load loads all cmplen bytes;
	 * when it fails (a packet shorter than the widest load), the
	 * fallbacks, widest first, each look the rules up whose own loads
	 * still succeed (one run of one group each, keyed on fb_width bytes). */
	struct nftnl_expr *wide_load;
	struct bnft_opt_run *fb;
	uint32_t nfb;
	uint8_t fb_width[BNFT_OPT_VAL_MAX];
	size_t rcap;		/* allocated rules entries */
};

struct bnft_opt_vclass {
	int32_t verdict;
	const char *chain;
};

struct bnft_opt_run {
	size_t start, n;	/* rules [start, start + n) of the chain */
	struct bnft_opt_rule *rules;
	struct bnft_opt_group *groups;
	size_t ngroups;
	uint32_t *value;	/* per rule: BNFT_OPT_VALUE() */
	struct bnft_opt_vclass *vclass;
	size_t nvclass;
	bool any_counter;
	size_t cap;		/* allocated value entries */
	bool shared_rules;	/* rules points into bnft_opt_chain.parsed */
	struct bnft_opt_pred *preds;	/* the rules' predicates when not shared */
	/* The shape of the last rule added (run_add()): a rule of the same
	 * shape joins the same group without a search. */
	bool last_ok;
	uint32_t last_npred;
	size_t last_group, last_vclass;
	struct bnft_opt_sel last_sel[BNFT_OPT_MAX_SEL];
	bool last_point[BNFT_OPT_MAX_SEL];
};

/* Runs of one chain, in rule order; run_at[r] is the run starting at rule
 * r or -1. */
struct bnft_opt_chain {
	const void *key;	/* identity of the analysed chain */
	size_t nrules;
	struct bnft_opt_run *runs;
	size_t nruns;
	int32_t *run_at;
	struct bnft_opt_rule *parsed;	/* per chain rule, parsed (and widened) */
	struct bnft_opt_pred_chunk *pred_chunks; /* the predicates of parsed rules */
};

/* Parses one rule. Returns 1 and fills *out when it is classifiable, 0 when
 * it is not (it stays straight code), -errno on failure. The predicates go
 * to pred[] (BNFT_OPT_MAX_SEL entries), out->pred points there. */
int bnft_opt_parse_rule(const struct nftnl_rule *r, struct bnft_opt_rule *out,
			struct bnft_opt_pred *pred);

/* The same from the rule's expression index (translator/rule_index.h). */
int bnft_opt_parse_ix(const struct bnft_rule_ix *x, struct bnft_opt_rule *out,
		      struct bnft_opt_pred *pred);
/* The same with the fields the expressions' maker noted (facts[i] of
 * x->ex[i]; those not known are asked of libnftnl; NULL none). */
int bnft_opt_parse_facts(const struct bnft_rule_ix *x, const struct bnft_xfact *facts,
			 struct bnft_opt_rule *out, struct bnft_opt_pred *pred);

/* Rules parsed one at a time, by a caller that walks them anyway (their
 * expressions are in the CPU's cache then); bnft_opt_analyze_parsed()
 * groups them. Zero-initialise. */
struct bnft_opt_pred_chunk;
/* The widest payload load per (base, offset) of a chain's rules. */
struct bnft_opt_widths {
	struct {
		uint32_t base, off;
		uint8_t w;
	} e[64];
	size_t n;
	bool mixed; /* some (base, offset) is loaded with two lengths */
};

struct bnft_opt_parsed {
	/* rules[i].pred: its predicates, NULL when it is not classifiable */
	struct bnft_opt_rule *rules;
	size_t n, cap;
	/* where the predicates are: chunks that never move, newest first */
	struct bnft_opt_pred_chunk *chunks;
	/* of the classifiable rules so far (allocated with the first one:
	 * most chains of a ruleset with many have none) */
	struct bnft_opt_widths *widths;
};

/* Parses the next rule into p: 0 or -ENOMEM. */
int bnft_opt_parsed_add(struct bnft_opt_parsed *p, const struct bnft_rule_ix *x);
/* The same with noted fields (bnft_opt_parse_facts). */
int bnft_opt_parsed_add_facts(struct bnft_opt_parsed *p, const struct bnft_rule_ix *x,
			      const struct bnft_xfact *facts);
void bnft_opt_parsed_release(struct bnft_opt_parsed *p);
/* bnft_opt_analyze() of the rules parsed into p (which it empties). */
int bnft_opt_analyze_parsed(struct bnft_opt_parsed *p, struct bnft_opt_chain **out);

/* Finds the runs of rules[0, n) and groups them. */
int bnft_opt_analyze(const struct nftnl_rule *const *rules, size_t n,
		     struct bnft_opt_chain **out);
/* The same from the rules' expression indexes. */
int bnft_opt_analyze_ix(const struct bnft_rule_ix *ix, size_t n, struct bnft_opt_chain **out);
void bnft_opt_chain_free(struct bnft_opt_chain **c);

/* Builds the structures (map keys/values) of every group of a run. */
int bnft_opt_build(struct bnft_opt_run *run);

/* Key bytes of group g for a packet whose selector values are given by
 * val(sel, buf) (returns false when the load fails): the reference key
 * builder shared by tests; returns false when the packet cannot match. */
bool bnft_opt_group_key(const struct bnft_opt_group *g,
			bool (*val)(const struct bnft_opt_sel *s, uint8_t *buf, void *arg),
			void *arg, uint8_t *key);

/* ---- code generator integration (translator/optimize_emit.c) ---- */
struct cg;
struct cg_chain;

/*
 * Called by the code generator before it emits rule r of chain c. When a
 * run starts at r, emits its classification code and returns the number of
 * rules it consumed (> 0); returns 0 to let the generator emit rule r
 * straight, or a negative errno. BNFT_NO_OPTIMIZE=1 in the environment
 * turns the optimizer off (for comparisons).
 */
int bnft_optimize_rules(struct cg *cg, struct cg_chain *c, size_t r);
/* Whether the optimizer runs: not with BNFT_NO_OPTIMIZE set (to non-0). */
bool bnft_optimize_enabled(void);
/* Frees the per-compile state; call once at the end of bnft_compile(). */
void bnft_optimize_release(struct cg *cg);

#endif
