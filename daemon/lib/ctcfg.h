/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Conntrack and reject settings of the network namespace bnft runs in
 * (the nf_conntrack_* and icmp rate-limit sysctls), the conntrack table
 * size, and the conntrack table's use and counters. See bpf/lib/CT.md.
 * Functions return 0 or a negative errno.
 */
#ifndef BNFT_DAEMON_CTCFG_H
#define BNFT_DAEMON_CTCFG_H

#include <stdint.h>
#include <stdio.h>

#include "bpf/lib/ct_abi.h"

/* struct bnft_reject_cfg of bpf/lib/reject.h (a BPF-only header). */
struct bnft_rj_cfg {
	uint32_t valid;
	uint32_t icmp_ratelimit_ms;
	uint32_t icmpv6_ratelimit_ms;
	uint32_t icmpv6_plen;
};

/* Pins kept by `flush ruleset` (state that outlives a ruleset, as the
 * kernel's conntrack table and ICMP peer buckets do), NULL-terminated. */
extern const char *const bnft_ct_kept_pins[];

/* Fills ct and rj from the sysctls under procsys ("/proc/sys": the
 * caller's netns). Missing files (no nf_conntrack module) leave the
 * kernel's defaults (zero fields in ct, valid = 0 in rj). */
int bnft_ctcfg_read(const char *procsys, struct bnft_ct_cfg *ct, struct bnft_rj_cfg *rj);

/* Reads /proc/sys and writes key 0 of the ct_cfg and reject_cfg maps (an
 * fd < 0 is skipped). */
int bnft_ctcfg_apply(int ct_cfg_fd, int rj_cfg_fd);

/* Size of a new conntrack table: $BNFT_CT_MAX (bnft --ct-max), else the
 * netns' nf_conntrack_max, else BNFT_CT_DEFAULT_MAX. *explicit_ set when
 * it came from BNFT_CT_MAX. */
uint32_t bnft_ct_max_entries(int *explicit_);

/* Copies the entries of the table from_fd into to_fd (a resize); returns
 * the number copied. */
int bnft_ct_copy(int from_fd, int to_fd);

struct bnft_ct_stats {
	uint32_t ncpus;
	uint64_t *percpu;		/* ncpus * BNFT_CT_STAT_MAX, cpu-major */
	uint64_t total[BNFT_CT_STAT_MAX];
	uint64_t entries;		/* live table entries */
	uint32_t max_entries;
	uint64_t evicted;		/* CREATED - EXPIRED - DELETED - entries */
};

/* Reads the pinned ct and ct_stats maps under pin_root. */
int bnft_ct_stats_get(const char *pin_root, struct bnft_ct_stats *s);
void bnft_ct_stats_release(struct bnft_ct_stats *s);
/* `bnft list ct stats`: one line per CPU like `conntrack -S`, then
 * "entries N max N evicted N" (conntrack -C and the LRU's evictions). */
void bnft_ct_stats_print(const struct bnft_ct_stats *s, FILE *f);

#endif
