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

#endif
