/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tail calls with a constant slot. The verifier turns a tail call whose
 * key is the same constant on every path into a direct jump patched in
 * place; any other key costs an indirect jump (a retpoline on this host:
 * about 8 ns per packet, bench/ and the commit that added this file).
 * clang merges bpf_tail_call() sites that differ only in the key into one
 * call with a computed key, so the call is written in assembly here: one
 * call site per slot.
 */
#ifndef BNFT_BPF_TAILCALL_H
#define BNFT_BPF_TAILCALL_H

#include <linux/bpf.h>

#define bnft_tail_call_static(ctx, map, slot)                                                      \
	asm volatile("r1 = %[c]\n\t"                                                               \
		     "r2 = %[m]\n\t"                                                               \
		     "r3 = %[s]\n\t"                                                               \
		     "call 12\n\t"                                                                 \
		     :                                                                             \
		     : [c] "r"(ctx), [m] "r"(map), [s] "i"(slot)                                   \
		     : "r0", "r1", "r2", "r3", "r4", "r5")

#endif
