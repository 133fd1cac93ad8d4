/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the loader's files (load.c: entry state, generations,
 * the flip; counters.c: per-rule counters, their carry across a flip and
 * their reset; elems.c: set elements updated in place).
 */
#ifndef BNFT_DAEMON_LOAD_INT_H
#define BNFT_DAEMON_LOAD_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "daemon/lib/load.h"

/* gen_maps[g][k] */
enum { GM_COUNTERS, GM_RULES, GM_CHAINS, GM_CBASE, GM_N };

/* A counter carried from the old generation: the new counter's base was
 * set to `snap` (the old value before the flip); after the flip and the
 * drain of the old generation the difference is added (counters.c). */
struct bnft_carry {
	uint32_t new_id, old_id;
	uint64_t packets, bytes;
};

struct bnft_live {
	char *root;			/* NULL: unpinned */
	struct bnft_entry_bpf *skel;	/* when we created the entry state */
	int conf_fd, progs_fd, ifinfo_fd, ifhdr_fd, ing_fd, eg_fd, ct_fd, ct_pkt_fd, limits_fd;
	/* what this handle loaded last (unpinned mode keeps it alive) */
	int *gen_fds[2];
	uint32_t *gen_slots[2];
	int gen_nfds[2];
	int gen_maps[2][GM_N];
	int *gen_sets[2];
	size_t gen_nsets[2];
	/* counters carried by the load in progress */
	struct bnft_carry *carry;
	size_t ncarry;
	int carry_old[GM_N];		/* fds of the old generation's maps */
};

struct bnft_entry_bpf;
struct bpf_map;

int bnft__obj_get(const char *root, const char *name);
/* The entry object's maps that outlive it (bnft_ct_kept_pins), k-th. */
struct bpf_map *bnft__kept_map(struct bnft_entry_bpf *skel, int k);
/* Before the entry object's load: reuse the pinned conntrack tables. */
int bnft__reuse_ct_maps(struct bnft_live *lv, uint32_t want, int explicit_, int *old_ct);
/* entry_park.c: the live entry object parked by a flush (0 when done),
 * moved back, whether one is parked. */
int bnft__park(const char *root);
int bnft__unpark(const char *root);
bool bnft__parked(const char *root);
/* Waits for the thread of bnft_live_unpark_start(); whether there was one. */
bool bnft__unpark_join(void);
/* entry_spare.c: the entry object loaded ahead, if it fits (NULL if none). */
struct bnft_entry_bpf *bnft__spare_take(const char *root, uint32_t ct_max, int explicit_);
int bnft__gen_pin(struct bnft_live *lv, uint32_t g, int fd, const char *name);
int bnft__map_new(const char *name, int type, uint32_t ks, uint32_t vs, uint32_t max,
		  uint32_t flags);
int bnft__conf_get(const struct bnft_live *lv, uint32_t key, uint32_t *v);

/* Rules up to the last one with a counter (rule ids run in chain order):
 * the counter, base and rule-identity maps hold only those, since every
 * reader skips rules without BNFT_RULE_F_COUNTER. 0 when no rule counts. */
uint32_t bnft__ncounted(const struct bnft_prog_set *ps);
/* counters.c */
/* Creates the counter maps of generation g (counters, cbase) with the IR's
 * start values. */
int bnft__ctr_create(struct bnft_live *lv, uint32_t g, const struct bnft_prog_set *ps);
/* Before the flip: counters of rules that survive start from the old
 * generation's values; rules matching `fresh` do not carry. */
int bnft__ctr_carry(struct bnft_live *lv, uint32_t old, uint32_t g,
		    const struct bnft_prog_set *ps, const struct bnft_rule_key *fresh,
		    size_t nfresh);
/* After the flip: waits until no packet runs the old generation, then adds
 * what it counted since the carry. Returns ns spent waiting, or a negative
 * errno. */
int64_t bnft__ctr_settle(struct bnft_live *lv, uint32_t g);
void bnft__ctr_carry_drop(struct bnft_live *lv);
/* Hands the carry of a load over to bnft_live_settle(). */
void bnft__ctr_defer(struct bnft_live *lv, uint32_t g);

#endif
