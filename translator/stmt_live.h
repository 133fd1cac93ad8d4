/* SPDX-License-Identifier: GPL-2.0 */
/* Live values of the statements of translator/codegen_obj.c, read back from
 * the pins of the active generation. */
#ifndef BNFT_TRANSLATOR_STMT_LIVE_H
#define BNFT_TRANSLATOR_STMT_LIVE_H

#include <stdint.h>

struct bnft_ruleset;

/* Fd of the active generation's set map with BPF object name `name`
 * (-ENOENT when there is none, another negative errno on failure). */
int bnft_live_gen_map(const char *root, const char *name, int *fd_out);
/* Named counters and quotas, and the `used` of rule quotas, from the live
 * maps into rs. 0 when nothing is live; negative errno on failure. */
int bnft_live_refresh_objects(struct bnft_ruleset *rs, const char *root);

/* `reset counter(s)` / `reset quota(s)`: zeroes the live named counters
 * (type NFT_OBJECT_COUNTER) or quota consumption (NFT_OBJECT_QUOTA) of
 * family (0: any), table and name (NULL: any), atomically per value.
 * Returns how many were reset or a negative errno. */
int bnft_live_reset_objects(const char *root, uint32_t family, const char *table, const char *name,
			    uint32_t type);

/* After a flip: what the old generation's named counters/quotas and rule
 * quotas counted after the last bnft_live_refresh_objects() read them
 * (packets of the old generation still in flight, waited for with one RCU
 * grace period) is added to the new generation's. 0 or a negative errno. */
int bnft_live_objects_settle(const char *root);

#endif
