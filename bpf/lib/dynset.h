/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Set maps with element state: sets with `flags timeout` and sets the
 * datapath updates (`add/update/delete @set { ... }` statements, `flags
 * dynamic`). Shared by the code generator (translator/codegen_set.c,
 * codegen_dynset.c) and the user-space reader (compat/lib/setdump.c).
 *
 * The map (a generation map, pinned g<N>/s<i>) is named "bnft_d<8 hex>",
 * the hash of "<family>/<table>/<set>" (bnft_dset_hash), so a reader finds
 * it among the generation's pins. Every value starts with this header:
 *
 *   expires   bpf_ktime_get_ns() (CLOCK_MONOTONIC) when the element stops
 *             matching, 0 never. An expired element counts as absent in
 *             every lookup; lookups delete it lazily from hash maps, the
 *             reader (listing, commit) deletes what it finds expired.
 *   timeout   the element's own timeout in ms (0: none); listed as
 *             `timeout T` when it differs from the set's default.
 *   data_off  offset of the map data (map elements), past the header and
 *             the per-element state below
 *   lim_off   per-element limit state (struct bnft_dset_limit), 0 none
 *   ctr_off   per-element counter (struct bnft_dset_counter), 0 none
 *   flags     BNFT_DSET_F_*
 *
 * Per-element limits are updated without a lock (a hash map value of a
 * BTF-less map cannot hold a spin lock): two CPUs taking a token of the
 * same element at the same instant may both get it.
 */
#ifndef BNFT_BPF_DYNSET_H
#define BNFT_BPF_DYNSET_H

#include <linux/types.h>

#define BNFT_DSET_F_DP 0x1	/* added by the datapath */

struct bnft_dset_hdr {
	__u64 expires;
	__u64 timeout;
	__u16 data_off;
	__u16 lim_off;
	__u16 ctr_off;
	__u16 flags;
};

struct bnft_dset_limit {
	__u64 tokens;
	__u64 last;
};

struct bnft_dset_counter {
	__u64 packets;
	__u64 bytes;
};

#define BNFT_DSET_DEFAULT_SIZE 65535	/* nft's size of a set the datapath fills */

/* FNV-1a of "<family>/<table>/<set>" */
static inline __u32 bnft_dset_hash(__u32 family, const char *table, const char *set)
{
	__u32 h = 2166136261u;
	const char *p;

	h = (h ^ (family & 0xff)) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (p = table; *p; p++)
		h = (h ^ (__u8)*p) * 16777619u;
	h = (h ^ '/') * 16777619u;
	for (p = set; *p; p++)
		h = (h ^ (__u8)*p) * 16777619u;
	return h;
}

#endif
