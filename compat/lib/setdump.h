/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live elements of sets with timeouts or datapath updates into a ruleset
 * (compat/lib/setdump.c).
 */
#ifndef BNFT_COMPAT_SETDUMP_H
#define BNFT_COMPAT_SETDUMP_H

#include "parser/ruleset.h"

/*
 * Replaces the elements of every such set of rs by what the maps of the
 * active generation under pin_root hold: elements gone from the map
 * (expired, deleted by the datapath) are dropped, elements the datapath
 * added are appended, every element gets its remaining time as
 * `expires`. Expired map entries are deleted on the way. rs must be the
 * ruleset of the active generation. 0 (also when nothing is live) or a
 * negative errno.
 */
int bnft_setdump_refresh(struct bnft_ruleset *rs, const char *pin_root);

/*
 * The garbage collector: deletes the expired entries of every map with
 * element state of the active generation (datapath lookups already treat
 * them as absent; this frees their room in a set with a size). For bnftd
 * to call every gc-interval (about a second). Returns how many were
 * deleted.
 */
int bnft_setdump_reap(const char *pin_root);

/*
 * Right after a commit's flip: the elements the datapath added to the
 * previous generation's maps after the last bnft_setdump_refresh() of this
 * process read them (so the new ruleset could not hold them) are copied
 * into the new generation's maps of the same sets. Elements the refresh
 * saw are not copied (the commit may have deleted them). Returns how many
 * were copied.
 */
int bnft_setdump_carry(const char *pin_root);

#endif
