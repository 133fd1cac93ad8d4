/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BNFT_DAEMON_LIB_MALLOC_TUNE_H
#define BNFT_DAEMON_LIB_MALLOC_TUNE_H

/*
 * Has glibc's malloc back the daemon's heap with transparent huge pages
 * (the tunable glibc.malloc.hugetlb=1): a commit of 100k rules touches some
 * 300 MB of fresh heap, and 4 KiB pages cost 50k page faults (a fifth of
 * its CPU time) where 2 MiB pages cost 4k. Tunables are read at process
 * start only, so this re-executes the daemon once with the tunable added to
 * GLIBC_TUNABLES (same PID, same arguments). With it glibc.malloc.mxfast=0:
 * no fast bins, so the first big free after a commit does not stop to
 * consolidate a million small freed chunks (60-140 ms after 100k rules). It returns when nothing is to
 * be done: the tunable is already set, $BNFT_NO_HUGETLB is set, or the
 * exec failed.
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
