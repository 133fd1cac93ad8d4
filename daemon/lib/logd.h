/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reader of `log` records (bpf/lib/log.h): the active generation's
 * ring buffer and log table, found under the pin root, formatted the way
 * the kernel's nf_log_syslog formats the same packet, and written to
 *   $BNFT_LOG_FILE (appended, one line per record, as dmesg prints it), or
 *   /dev/kmsg with the statement's level (the kernel log: dmesg, journald).
 * All functions return 0 / a count or a negative errno and never exit.
 */
#ifndef BNFT_DAEMON_LOGD_H
#define BNFT_DAEMON_LOGD_H

#include <stdbool.h>
#include <stddef.h>

#include "bpf/lib/log.h"

struct bnft_logd;

int bnft_logd_open(const char *pin_root, struct bnft_logd **out);
/* NULL-safe; clears the pointer. Drains what is pending first. */
void bnft_logd_close(struct bnft_logd **ld);
/* Follows generation flips (the old ring is drained before it is let go)
 * and writes every pending record; returns the number written. */
int bnft_logd_poll(struct bnft_logd *ld);
/* An fd that becomes readable when records wait (for poll(2)); -1 when
 * the live ruleset logs nothing. */
int bnft_logd_fd(const struct bnft_logd *ld);
/* The live ruleset has log statements: whoever reads must stay. */
bool bnft_logd_busy(const struct bnft_logd *ld);
/* Records lost because the ring was full are not seen here; records this
 * reader could not decode: */
unsigned long bnft_logd_bad(const struct bnft_logd *ld);

/* Device facts the formatter needs (by ifindex); from the netns. */
struct bnft_log_dev {
	char in[16], out[16];	/* names, "" for none */
	int in_type;		/* ARPHRD_* of the input device, -1 unknown */
};

/* Formats one record like nf_log_syslog (without the level marker, with
 * the trailing space the kernel leaves). Returns the length or -EINVAL for
 * a malformed record. */
int bnft_log_format(const struct bnft_log_ev *ev, size_t evlen, const struct bnft_log_meta *m,
		    const struct bnft_log_dev *dev, char *buf, size_t n);

#endif
