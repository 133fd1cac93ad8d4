/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `bnft monitor trace` (compat/lib/trace.c): per-packet traces of packets
 * marked with `meta nftrace set 1`, printed as `nft monitor trace` does.
 */
#ifndef BNFT_COMPAT_TRACE_H
#define BNFT_COMPAT_TRACE_H

#include <stdio.h>

struct output_ctx;

/*
 * Prints the trace events of the live ruleset under bnft_live_pin_root()
 * to out, one flushed line at a time, for `seconds` (0: until a signal
 * ends the process or interrupts the poll). Rulesets loaded later are
 * followed. octx may be NULL. 0 or a negative errno.
 */
int bnft_trace_run(FILE *out, const struct output_ctx *octx, unsigned int seconds);

/*
 * The CLI's `bnft monitor trace` (declared in compat/lib/monitor.h too):
 * argv are the words after "monitor", "trace" first. Runs until killed,
 * or BNFT_TRACE_SECONDS seconds when that is set. Returns the exit status.
 */
int bnft_monitor_trace(int argc, char **argv, const struct output_ctx *octx);

#endif
