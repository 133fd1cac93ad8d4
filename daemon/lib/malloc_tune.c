// SPDX-License-Identifier: GPL-2.0
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/lib/malloc_tune.h"

#define MXFAST_TUNABLE "glibc.malloc.mxfast"

void bnft_malloc_tune(char **argv)
{
	const char *cur = getenv("GLIBC_TUNABLES");
	char buf[4096];
	int n;

	if (getenv("BNFT_NO_MALLOC_TUNE") || (cur && strstr(cur, MXFAST_TUNABLE)))
		return;
	if (cur && *cur)
		n = snprintf(buf, sizeof(buf), "%s:" MXFAST_TUNABLE "=0", cur);
	else
		n = snprintf(buf, sizeof(buf), MXFAST_TUNABLE "=0");
	if (n < 0 || (size_t)n >= sizeof(buf) || setenv("GLIBC_TUNABLES", buf, 1))
		return;
	execv("/proc/self/exe", argv);
	/* no exec: run with glibc's defaults, and do not try again in a child */
	setenv("BNFT_NO_MALLOC_TUNE", "1", 1);
}

void bnft_malloc_keep(void)
{
	if (getenv("BNFT_NO_TRIM"))
		return;
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
