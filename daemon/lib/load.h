/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading compiled rulesets into the kernel and switching them live.
 *
 * Live state under a pin root (a bpffs directory; it must be a bpffs that
 * outlives the command, e.g. mounted once under /run in the host mount
 * namespace: under `ip netns exec` a bpffs mounted by the command itself
 * vanishes with the command's transient mount namespace):
 *   conf, progs, ifinfo            shared maps (see bpf/lib/abi.h)
 *   entry_ingress, entry_egress    the fixed TC entry programs
 *   g0/, g1/                       one generation each: prog_*, counters,
 *                                  rules, chains, set maps s<N>
 * A load fills the inactive generation completely (maps, programs,
 * program-array slots), then flips the one active-generation word, so
 * every hook on every interface switches at once.
 *
 * All functions return 0 or a negative errno and never exit.
 */
#ifndef BNFT_DAEMON_LOAD_H
#define BNFT_DAEMON_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "translator/codegen.h"

struct bnft_live;

struct bnft_load_stats {
	uint32_t gen;			/* generation now active */
	uint32_t nprogs;
	uint64_t insns;			/* instructions loaded */
	uint64_t verified_insns;	/* instructions the verifier processed */
	char verifier_log[4096];	/* tail of the verifier log on failure */
	uint64_t drain_ns;		/* after the flip: waiting for the old
					 * generation's packets (counter carry) */
	uint32_t ncarried;		/* counters carried from the old generation */
};

/* A rule by identity (family, table, chain, handle). */
struct bnft_rule_key {
	uint32_t family;
	const char *table, *chain;
	uint64_t handle;
};

/*
 * Opens (and with `create`, creates) the live state. pin_root NULL keeps
 * everything unpinned, alive only as long as the handle (tests).
 * Returns -ENOENT when !create and nothing is pinned, -ENOTSUP when
 * pin_root is not on a bpffs and cannot be mounted.
 */
int bnft_live_open(const char *pin_root, bool create, struct bnft_live **out);
/* NULL-safe; clears the pointer. Pinned state stays. */
void bnft_live_close(struct bnft_live **lv);

/* Loads ps into the inactive generation and flips to it. On error the
 * active generation is untouched; st (may be NULL) has the verifier log. */
int bnft_live_load(struct bnft_live *lv, const struct bnft_prog_set *ps,
		   struct bnft_load_stats *st);

/* bnft_live_load_opts() flags. */
/* Rules of the new set that exist in the active generation (same family,
 * table, chain, handle) keep their counter values instead of the IR's.
 * Exact: the base of the new counter is the old value before the flip;
 * after the flip the loader waits until no packet runs the old generation
 * (one RCU grace period) and adds what the old counter took meanwhile. */
#define BNFT_LOAD_KEEP_COUNTERS 0x1
int bnft_live_load_opts(struct bnft_live *lv, const struct bnft_prog_set *ps, uint32_t flags,
			struct bnft_load_stats *st);
/* With KEEP_COUNTERS: return right after the flip; the wait for the old
 * generation and the counter fix-up happen in bnft_live_settle(), which
 * the caller runs soon (bnftd: after its reply), and which every load
 * runs first. Until then the carried counters lack the packets the old
 * generation took after the copy. */
#define BNFT_LOAD_DEFER_SETTLE 0x2
/* Settles a deferred carry (no-op without one). ns waited for the old
 * generation, or a negative errno. */
int64_t bnft_live_settle(void);
/* The same; rules listed in `fresh` never carry (a replaced rule keeps its
 * handle but starts a new counter, as in the kernel). */
int bnft_live_load_ex(struct bnft_live *lv, const struct bnft_prog_set *ps, uint32_t flags,
		      const struct bnft_rule_key *fresh, size_t nfresh,
		      struct bnft_load_stats *st);
/* When set, called once the new generation is complete and right before the
 * switch; a negative errno abandons the load (nothing changes). The CLI's
 * state save, which runs beside the load, is waited for here. */
extern int (*bnft_live_before_flip)(void *data);
/* When nothing is loaded under pin_root, loads the next entry object in a
 * thread, for the next commit to take (daemon/lib/entry_spare.c). */
void bnft_live_spare_prepare(const char *pin_root);
extern void *bnft_live_before_flip_data;

/* Refreshes the interface maps (names, types, link header lengths) from
 * the current netns: after interfaces appear or are renamed. Returns the
 * number of interfaces or a negative errno. */
int bnft_live_sync_ifaces(struct bnft_live *lv);

/* Fds owned by the handle: entry programs (egress=false/true), maps. */
int bnft_live_entry_fd(const struct bnft_live *lv, bool egress);
int bnft_live_ifinfo_fd(const struct bnft_live *lv);
/* Fd of the generated program of the active generation for a slot, -ENOENT
 * if none (for BPF_PROG_TEST_RUN of one program). */
int bnft_live_gen_prog_fd(const struct bnft_live *lv, uint32_t slot);

/* Open (create), load, flip, attach to every interface of the current
 * netns; the CLI's one call. */
int bnft_live_apply(const struct bnft_prog_set *ps, const char *pin_root,
		    struct bnft_load_stats *st);
/* The same with bnft_live_load_opts() flags. */
int bnft_live_apply_opts(const struct bnft_prog_set *ps, const char *pin_root, uint32_t flags,
			 struct bnft_load_stats *st);
int bnft_live_apply_ex(const struct bnft_prog_set *ps, const char *pin_root, uint32_t flags,
		       const struct bnft_rule_key *fresh, size_t nfresh,
		       struct bnft_load_stats *st);
/* Detach from all interfaces and remove every pin under pin_root except the
 * conntrack state (bnft_ct_kept_pins, daemon/lib/ctcfg.c), which outlives a
 * flush like the kernel's conntrack. */
int bnft_live_flush(const char *pin_root);
/* Set by bnftd: a flush parks the entry object for the next load instead
 * (daemon/lib/entry_park.c). */
extern bool bnft_live_park_on_flush;
/* A load after such a flush: the parked entry object is moved back and
 * attached to every interface in a thread of its own while the commit
 * lowers and compiles (its conf still all zero: packets pass as with
 * nothing attached). Whether that thread was started. */
bool bnft_live_unpark_start(const char *pin_root);
/* A commit that started one and failed before its flip: the entry object
 * is detached and parked again. */
void bnft_live_unpark_cancel(const char *pin_root);

struct bnft_counter_row {
	uint32_t family;
	const char *table, *chain;
	uint64_t handle;
	uint32_t index;		/* position of the rule in its chain, from 0 */
	uint64_t packets, bytes;
};
/* Calls cb for every rule with a counter expression of the active
 * generation; a non-zero return of cb stops and is returned. */
typedef int (*bnft_counter_cb)(const struct bnft_counter_row *row, void *data);
int bnft_live_counters(const char *pin_root, bnft_counter_cb cb, void *data);
/* The same on an open handle (pin_root NULL works here). */
int bnft_live_counters_fd(const struct bnft_live *lv, bnft_counter_cb cb, void *data);
/* Zeroes the live counters of the rules for which sel returns non-zero (it
 * sees the values before the reset). Exact: a counter is the sum of the
 * per-CPU slots the datapath adds to plus a base only user space writes;
 * the reset moves the base, packets counted after the read stay counted.
 * Returns the number of counters reset or a negative errno. */
int bnft_live_counters_reset(const char *pin_root, bnft_counter_cb sel, void *data);

#endif
