/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live path of `bnft -f` / `bnft add ...`: hand an evaluated ruleset to
 * the datapath (daemon, lowering, codegen). Implemented in compat/lib/live.c
 * by the lead; the CLI carries a default that reports it is missing.
 */
#ifndef BNFT_COMPAT_LIVE_H
#define BNFT_COMPAT_LIVE_H

#include "parser/ast.h"
#include "parser/ruleset.h"

/* Make rs the live ruleset. 0, or -1 with error records appended to msgs. */
int bnft_apply_live(const struct bnft_ruleset *rs, struct list_head *msgs);

/* Join PID 1's mount namespace so pins outlive `ip netns exec` (see
 * live.c). 0 or a negative errno; a no-op when already there or when
 * BNFT_NO_MNTNS_SWITCH is set. Call before any other thread exists. */
int bnft_live_enter_host_mntns(void);
/* Pin root: --pin-root, else /run/bnft/net-<netns inode>. */
void bnft_live_set_pin_root(const char *root);
const char *bnft_live_pin_root(void);
/* Load what is live in this netns into an empty rs, with live counter
 * values. 0 (also when nothing is live), or -1 with errors in msgs. */
int bnft_live_load_state(struct bnft_ruleset *rs, struct list_head *msgs);

#endif
