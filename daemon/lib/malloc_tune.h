/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BNFT_DAEMON_LIB_MALLOC_TUNE_H
#define BNFT_DAEMON_LIB_MALLOC_TUNE_H

/*
 * Runs glibc's malloc without fast bins (the tunable glibc.malloc.mxfast=0):
 * the first big free after a 100k-rule commit otherwise stops to
 * consolidate a million small freed chunks (60-140 ms). Tunables are read
 * at process start only, so this re-executes the daemon once with the
 * tunable added to GLIBC_TUNABLES (same PID, same arguments). It returns
 * when nothing is to be done: the tunable is already set,
 * $BNFT_NO_MALLOC_TUNE is set, or the exec failed. Transparent huge pages
 * for the heap (glibc.malloc.hugetlb=1, used before) are not asked for: on
 * this kind of VM a 100k-rule load into fresh or trimmed memory took
 * 550-700 ms with them against 290-370 ms without (the lowering stage
 * 407-430 ms against 185-220), and the same 146-152 ms into warm memory.
 */
void bnft_malloc_tune(char **argv);

/*
 * Keeps freed memory in the heap until the daemon gives it back itself
 * (malloc_trim after TRIM_IDLE_MS idle, bnftd.c): glibc would unmap freed
 * big blocks and trim the top of the heap at once, so the next commit
 * faulted and zeroed them again. $BNFT_NO_TRIM leaves glibc's defaults.
 */
void bnft_malloc_keep(void);

#endif
