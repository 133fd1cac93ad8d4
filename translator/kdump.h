/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reads the live nf_tables ruleset of the current network namespace
 * through libmnl/libnftnl into a struct bnft_ir: tables, chains, sets with
 * their elements, rules (in chain order), stateful objects. This is bnft's
 * migration path from a running kernel ruleset, and the test harness's way
 * to get an IR the real `nft` lowered.
 */
#ifndef BNFT_TRANSLATOR_KDUMP_H
#define BNFT_TRANSLATOR_KDUMP_H

#include "translator/ir.h"

/* Fills the (empty) ir from the kernel. Returns 0 or a negative errno
 * (-EPERM without CAP_NET_ADMIN, -EAGAIN when the ruleset kept changing
 * during the dump). On error ir may hold a partial dump. */
int bnft_kdump(struct bnft_ir *ir);

/* Allocating variant: *out is a new IR on success. */
int bnft_kdump_new(struct bnft_ir **out);

#endif
