/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Code generator: struct bnft_ir (libnftnl objects) -> eBPF programs plus
 * map contents (struct bnft_prog_set), ready for daemon/lib/load.h.
 *
 * One program per TC attach point (ingress, egress). Each runs the base
 * chains of the nftables hooks that map to it, in nftables order:
 *   ingress: netdev ingress, prerouting, then input or forward (FIB split)
 *   egress:  output (locally generated: skb ingress_ifindex == 0),
 *            postrouting, netdev egress
 * Base chains of one hook are ordered by priority (stable: dump order for
 * equal priorities). Non-base chains become bpf-to-bpf subprograms sharing
 * one register scratch area on the main frame's stack. Anything the
 * generator cannot translate exactly is refused with an error naming the
 * table, chain, rule handle and expression; nothing is silently dropped.
 */
#ifndef BNFT_TRANSLATOR_CODEGEN_H
#define BNFT_TRANSLATOR_CODEGEN_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/bpf.h>

#include "translator/ir.h"

/* What failed and where. Fields that do not apply are empty / 0. */
struct bnft_err {
	int family;		/* NFPROTO_* of the table */
	char table[64];
	char chain[64];
	uint64_t handle;	/* rule handle */
	char expr[32];		/* expression name ("payload", "ct", ...) */
	char msg[768];		/* full message, always set on error */
};

/* Well-known map references in generated code (negative); set maps are
 * referenced by their index in bnft_prog_set.maps (>= 0). */
#define BNFT_MAPREF_PROGS (-1)
#define BNFT_MAPREF_IFINFO (-2)
#define BNFT_MAPREF_COUNTERS (-3)
#define BNFT_MAPREF_CT_PKT (-4)		/* bnft_ct_pkt (bpf/lib/ct_abi.h) */
#define BNFT_MAPREF_CT (-5)		/* bnft_ct, the conntrack table */
#define BNFT_MAPREF_LIMITS (-6)		/* bnft_limits (bpf/lib/limit.h) */

struct bnft_map_spec {
	char name[16];		/* BPF object name */
	char set[64];		/* nft set name it holds (for diagnostics) */
	uint32_t type;		/* BPF_MAP_TYPE_* */
	uint32_t key_size, value_size, max_entries, flags;
	uint32_t nelems;
	uint8_t *keys;		/* nelems * key_size */
	uint8_t *values;	/* nelems * value_size */
	/* An array map (BPF_F_MMAPABLE) whose whole content is `values`
	 * (max_entries * value_size), copied in through mmap: the open hash
	 * tables of translator/oht.h. */
	bool image;
	/* of an open hash table set: key bytes, hash seed, probe limit */
	uint32_t oht_klen, oht_seed, oht_probe;
};

struct bnft_prog_spec {
	char name[16];
	uint32_t slot;		/* index in the generation's program array */
	struct bpf_insn *insns;
	size_t ninsns;
	struct {
		uint32_t insn;	/* LD_IMM64 to patch */
		int32_t ref;	/* BNFT_MAPREF_* or map index */
	} *maprefs;
	size_t nmaprefs;
	/* Instructions whose imm is a slot of this generation's program
	 * array: the loader adds gen * BNFT_PROGS_PER_GEN. */
	uint32_t *genrefs;
	size_t ngenrefs;
};

/* Per-rule counter slots: counter id -> rule identity. */
#define BNFT_RULE_F_COUNTER 0x1	/* the rule has a counter expression */
struct bnft_rule_id {
	uint32_t chain;		/* index in bnft_prog_set.chains */
	uint32_t flags;		/* BNFT_RULE_F_* */
	uint64_t handle;
	/* Counter values the IR carries (nft -f "counter packets 3 bytes
	 * 252", or a live kernel's counters when migrating): the loader
	 * starts the counter there. */
	uint64_t init_packets, init_bytes;
};

struct bnft_chain_id {
	uint32_t family;
	char table[256];
	char chain[256];
};

/* A limit statement's bucket: slot in this generation's part of
 * bnft_limits, starting full. */
struct bnft_limit_init {
	uint32_t slot;
	uint64_t tokens_max;
};

struct bnft_prog_set {
	struct bnft_prog_spec *progs;
	size_t nprogs;
	struct bnft_map_spec *maps;
	size_t nmaps;
	struct bnft_rule_id *rules;	/* counter id -> rule */
	size_t nrules;
	struct bnft_chain_id *chains;
	size_t nchains;
	uint32_t gen_flags;		/* BNFT_GF_* for the entry programs */
	struct bnft_limit_init *limits;
	size_t nlimits;
};

/*
 * Compiles the IR. Returns 0 and a new set in *out, or a negative errno:
 * -EOPNOTSUPP for a construct that is not translated (err says which),
 * -EINVAL for an inconsistent IR (unknown set, jump to a missing chain),
 * -ELOOP for chains jumping in a cycle or deeper than the BPF call limit,
 * -ENOMEM. err may be NULL; when given it is always filled on failure.
 */
int bnft_compile(const struct bnft_ir *ir, struct bnft_prog_set **out, struct bnft_err *err);

/* NULL-safe; clears the pointer. */
void bnft_prog_set_free(struct bnft_prog_set **ps);

/* Total instruction count of all programs (for reports). */
size_t bnft_prog_set_insns(const struct bnft_prog_set *ps);

#endif
