/* SPDX-License-Identifier: GPL-2.0 */
/* Internal state shared by translator/codegen*.c. Not a public header. */
#ifndef BNFT_TRANSLATOR_CODEGEN_INT_H
#define BNFT_TRANSLATOR_CODEGEN_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "translator/codegen.h"
#include "translator/ir_elems.h"
#include "translator/oht.h"
#include "translator/codegen_emit.h"
#include "translator/optimize.h"
#include "translator/rule_index.h"

/*
 * Stack scratch area, addressed through R9 in every function (the main
 * frame owns it, subprograms get its address as their second argument):
 *   [0, 8)     temporary key for counter lookups
 *   [8, 76)    LPM trie key: u32 prefix length + up to 64 key bytes
 *   [80, 84)   bytes of the network header cache that hold packet data
 *   [84, 88)   bytes of the transport header cache that hold packet data
 *              (0: no transport header or a later fragment)
 *   [80, 160)  nft registers: word w (kernel regs->data[w], 4..19) at 80 + 4w
 *              (words 0-3, the verdict register, are never stored: 80-95
 *              is free for the two lengths above)
 *   [160, 224) copy of the first SCR_NH_MAX bytes from the network header
 *   [224, 256) copy of the first SCR_TH_MAX bytes from the transport header
 * Payload loads inside the copies are plain stack reads. Each program
 * fills them once: direct packet reads when the bytes are in the linear
 * area (also when the packet ends inside a copy), else one
 * bpf_skb_load_bytes per header (non-linear skbs; the entry program pulls
 * the headers of those into the linear area at ingress). 256 bytes: the
 * most a frame may use when tail calls and bpf-to-bpf calls mix.
 */
#define SCR_SIZE 256
#define SCR_ZERO 160
#define SCR_NH_LEN 80
#define SCR_TH_LEN 84
#define SCR_NH 160
#define SCR_NH_MAX 40	/* an IPv6 header, an IPv4 header with options */
#define SCR_TH 224
#define SCR_TH_MAX 24	/* TCP/UDP/ICMP/SCTP headers (no TCP options) */
#define SCR_TMP 0
#define SCR_KEY 8
#define SCR_KEY_MAX 64
#define SCR_REGS 80
#define REG_WORD_MIN 4
#define REG_WORD_END 20

/* Register conventions of generated code. */
#define R_CTX BPF_REG_6
#define R_SAVE1 BPF_REG_7
#define R_SAVE2 BPF_REG_8
#define R_SCR BPF_REG_9

#define CB_OFF(i) ((int16_t)(offsetof(struct __sk_buff, cb) + 4 * (i)))
#define SKB_OFF(f) ((int16_t)offsetof(struct __sk_buff, f))

struct cg_chain {
	const struct nftnl_chain *c;
	const char *table, *name, *type;
	uint32_t family;
	bool base;
	uint32_t hooknum;
	int32_t prio;
	uint32_t policy;
	uint32_t id; /* index in ps->chains */
	uint32_t order; /* dump order, tie-break for equal priorities */
	const struct nftnl_rule **rules;
	struct bnft_rule_ix *ix; /* per rule: its expressions (rule_index.h) */
	uint64_t *handles;	 /* per rule, read while the rule is collected */
	/* the rules parsed for the optimizer as they are collected (all of
	 * them, or none when the optimizer is off); moves to its analysis */
	struct bnft_opt_parsed opt;
	size_t nrules, rcap;
	uint32_t first_rule_id;
	/* chains this one jumps or goes to (cg_chain_targets()) */
	struct cg_chain **targets;
	size_t ntargets;
	int targets_state; /* 0 not computed, 1 computed, < 0 failed */
	int ifindex[8];
	size_t nifindex;
	bool ifany; /* netdev chain bound to no existing device */
	/* per program being emitted */
	uint32_t sub_label;
	bool reach;
	bool emitted;
	bool inl;	/* emitted in place at its only call site */
	uint32_t fanin;	/* call sites */
	int depth; /* -1 unknown, -2 on the DFS stack */
};

struct cg_set {
	const struct nftnl_set *s;
	const struct bnft_elems *elems; /* its compact store, NULL none */
	const char *table, *name;
	uint32_t family;
	uint32_t key_len, data_len, data_type, flags;
	int map; /* index in ps->maps, -1 not built yet */
	bool lpm;
	bool scan; /* concatenated intervals: compiled to an inline range scan */
	/* an open hash table (translator/oht.h): its lookup parameters */
	bool oht;
	uint32_t oht_seed, oht_mask, oht_probe, oht_key_pad;
	uint8_t field_len[16];
	uint32_t nfields;
	/* distinct verdicts of a verdict map: code, chain id */
	struct bnft_vmap_val *verdicts;
	size_t nverdicts;
	/* element state (bpf/lib/dynset.h, codegen_dynset.c) */
	bool dset;		/* values start with struct bnft_dset_hdr */
	bool dset_dyn;		/* updated by a set statement */
	bool dset_counter;
	const struct nftnl_expr *dset_limit;
	uint16_t dset_data_off, dset_lim_off, dset_ctr_off;
};

struct cg {
	const struct bnft_ir *ir;
	struct bnft_prog_set *ps;
	struct bnft_err *err;
	struct cg_chain *chains;
	size_t nchains;
	struct cg_set *sets;
	size_t nsets, setcap;
	/* index of the sets by family, table and name: open addressing,
	 * 1 + the set's index (0: empty); setix_cap a power of two */
	uint32_t *setix;
	size_t setix_cap;
	struct emitter *e;
	struct bnft_ix_store ixs; /* expressions of every rule */
	bool opt_on;		/* the optimizer runs (bnft_optimize_enabled()) */
	/* function being emitted */
	bool in_sub;
	uint32_t lbl_drop, lbl_chain_accept, lbl_chain_policy;
	uint32_t lbl_rule_fail, lbl_rule_end;
	struct cg_chain *cur_chain;
	const struct nftnl_rule *cur_rule;
	const struct bnft_rule_ix *cur_ix; /* index of cur_rule, when emitting it */
	uint32_t cur_expr_idx;	/* position of the expression in cur_ix */
	const char *cur_expr;
	uint32_t cur_rule_id;
	uint32_t rule_ncounters;
	bool egress;
	bool uses_ct;		/* conntrack: confirm on accept at program end */
	bool fwd_ttl;		/* forward stage reached: TTL shown decremented */
	uint32_t inline_ret;	/* end label of the chain being inlined, 0 none */
	uint32_t inline_depth;
	/* splitting into tail-called programs */
	const char *prog_name;
	size_t chunk_start;	/* insn index where the chunk's rules begin */
	uint32_t chunk_slot;	/* program-array slot of the current chunk */
	uint32_t next_slot;	/* next free continuation slot */
	uint32_t *slot_of;	/* slot starting base chain i of the order, 0 none */
	size_t cur_idx, norder;
	uint32_t *limit_rule;	/* rule id of each ps->limits entry */
	uint32_t *genrefs;	/* insns whose imm gets the generation base */
	size_t ngenrefs;
	/* reassembly emulation (codegen_frag.c) */
	bool frag_on;		/* its maps exist: some chain sees datagrams */
	bool frag_live;		/* a reassembly point is behind: exits commit */
	int frag_map, frag_cur_map;	/* indexes in ps->maps */
	bool frag_input;	/* IPv4 input chains without nf_defrag */
	bool frag_egress;	/* output/postrouting chains */
	uint8_t frag_ct;	/* nf_defrag on (ct): bit 0 IPv4, bit 1 IPv6 */
	uint8_t frag_pts;	/* points emitted in this program */
	/* log, quota, named objects (codegen_stmt.h) */
	struct cg_stmts *stmts;
	/* the base chain being emitted (not inside subprograms) */
	struct cg_chain *base_chain;
	/* tracing (codegen_trace.c): the ruleset sets nftrace */
	bool trace;
	const struct nftnl_rule *trace_done; /* rule whose verdict was reported */
	int trace_map, trid_map;
};

/* Fills c->err from the current chain/rule/expr context; returns err. */
int cg_fail(struct cg *cg, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct cg_chain *cg_find_chain(struct cg *cg, uint32_t family, const char *table,
			       const char *name);
/* Chains c jumps or goes to (immediates, verdict maps), computed once;
 * 0 or a negative errno (a jump to a missing chain, cg->err filled). */
int cg_chain_targets(struct cg *cg, struct cg_chain *c);
/* How many expressions of `kind` come before ex in the current rule (all of
 * them when ex is not in it). */
uint32_t cg_expr_nth(struct cg *cg, const struct nftnl_expr *ex, enum bnft_xk kind);
/* Emits the code of one expression of the current rule. */
int cg_expr(struct cg *cg, struct nftnl_expr *expr);
/* Start of a base chain: marks whether it runs before conntrack
 * (codegen_expr.c, BNFT_CTP_PRECT); no code unless the ruleset uses ct. */
int cg_ct_base_enter(struct cg *cg, struct cg_chain *c);
/* The packet leaves the program accepted (confirms a new conntrack flow
 * when the ruleset uses conntrack). */
void cg_accept_exit(struct cg *cg);
/* Emits a verdict (BNFT_V_*) in the current function context. */
int cg_verdict(struct cg *cg, uint32_t code, struct cg_chain *target);
/* Translates an nf_tables verdict code (+ chain) into BNFT_V_* / target. */
int cg_nft_verdict(struct cg *cg, int32_t nftv, const char *chain, uint32_t *code,
		   struct cg_chain **target);

/* Sets (codegen_set.c). */
struct cg_set *cg_find_set(struct cg *cg, uint32_t family, const char *table, const char *name);
/* Builds the BPF map of a set on first use; returns the map index. */
int cg_set_map(struct cg *cg, struct cg_set *set);
/* The lookup in an open hash table set (set->oht) of the key at
 * [R_SCR + so]: R0 = the value (maps) or the slot (sets), 0 if absent.
 * Clobbers R1-R5 and [R_SCR + SCR_TMP, 8 bytes). */
void cg_oht_lookup(struct cg *cg, struct cg_set *set, int so, int mi);
/* The lookup of the key at [R_SCR + so] (klen bytes) in table map mi:
 * R0 = the value (o->value) or the slot, 0 if absent. Clobbers R1-R5 and
 * [R_SCR + SCR_TMP, 8 bytes). */
void cg_oht_emit(struct cg *cg, const struct cg_oht *o, int so, int mi);
/* Turns the hash map spec m (keys, values of vlen bytes, 0 for a set) into
 * an open hash table: 0, 1 when no table keeps lookups short (m is left
 * as it was), or a negative errno. */
int cg_oht_spec(struct bnft_map_spec *m, uint32_t vlen, struct cg_oht *o);
/* Constant hash sets from this many elements become open hash tables:
 * BNFT_OHT_MIN, or $BNFT_OHT_MIN (tests; 0: never). */
uint32_t cg_oht_min(void);
/* The optimizer's exact-key groups: always, unless $BNFT_OHT_MIN is 0. */
uint32_t cg_oht_min_opt(void);
int cg_sets_init(struct cg *cg);
/* Inline range scan of a concatenated interval set (no map). */
int cg_set_scan(struct cg *cg, struct cg_set *set, int so, bool has_dreg, uint32_t dreg,
		bool inv);
void cg_sets_free(struct cg *cg);

/* Set element state (codegen_dynset.c): marks and lays out the sets with
 * timeouts or datapath updates; the header of a static element; the
 * expiry check after a lookup (R0 in and out); the dynset expression. */
int cg_dynset_init(struct cg *cg);
void cg_dset_elem_hdr(struct cg_set *s, const struct bnft_elem *el, uint8_t *out);
/* Starts reading the elements of s (ir_elems.h). */
void cg_set_elems(const struct cg_set *s, struct bnft_elems_iter *it);
void cg_dset_lookup_live(struct cg *cg, struct cg_set *s, int keyoff, int mi);
int cg_dynset(struct cg *cg, struct nftnl_expr *ex);

/* Tracing (codegen_trace.c, bpf/lib/trace.h): maps when a rule sets
 * nftrace; `meta nftrace set`; events for a rule's verdict (before an
 * immediate), a rule that matched without one, a base chain's policy. */
int cg_trace_init(struct cg *cg);
int cg_trace_set(struct cg *cg, struct nftnl_expr *ex);
int cg_trace_verdict(struct cg *cg, struct nftnl_expr *ex);
void cg_trace_rule_end(struct cg *cg);
void cg_trace_policy(struct cg *cg, struct cg_chain *c);
/* A rule's verdict from a verdict map or a reject (as drop). */
void cg_trace_rule_verdict(struct cg *cg, uint32_t code, struct cg_chain *target);

/* Reassembly emulation (codegen_frag.c, bpf/lib/frag.h). */
int cg_frag_init(struct cg *cg);
/* Before base chain c of the ingress program: a reassembly point when the
 * kernel's chain c would see reassembled datagrams. */
int cg_frag_before_chain(struct cg *cg, const struct cg_chain *c);
/* In the gate of an output/postrouting chain: later fragments skip it. */
void cg_frag_gate(struct cg *cg, uint32_t skip);
/* Before a transport payload load: the kernel's fast path on later
 * fragments; returns a label to bind after the load (0: none). */
uint32_t cg_frag_th_quirk(struct cg *cg, uint32_t off, uint32_t len, int doff);
void cg_frag_patch_hdr(struct cg *cg);
/* In a counter, after the counter id is stored at SCR_TMP: a first
 * fragment under judgement records the id and jumps to `done`. */
void cg_frag_counter(struct cg *cg, uint32_t done);
/* At an exit of the program with verdict BNFT_FRAG_V_*. */
void cg_frag_exit(struct cg *cg, uint32_t verdict);

/* A limit token bucket (nft_limit_eval); `key` names its slot: the rule
 * id for a statement, another value for a named limit object. */
int cg_limit_emit(struct cg *cg, uint64_t rate, uint64_t unit, uint32_t burst, uint32_t type,
		  uint32_t flags, uint32_t key);

/* Byte offset in the scratch area of nft register `reg` (NFT_REG_1..4,
 * NFT_REG32_00..15) holding `len` bytes; negative errno if invalid. */
int cg_reg_off(struct cg *cg, uint32_t reg, uint32_t len);

/* Appends a map to ps->maps (codegen_log.c; every fixed-layout generated map
 * goes through it); returns its index or a negative errno. */
int cg_map_add(struct cg *cg, const char *name, uint32_t type, uint32_t key_size,
	       uint32_t value_size, uint32_t max_entries);
/* Appends one element (key = its index) to ARRAY map `mi`; returns the
 * index or a negative errno. */
int cg_map_append(struct cg *cg, int mi, const void *value);

#endif
