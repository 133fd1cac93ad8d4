/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TC clsact attachment of the entry programs to the interfaces of the
 * current network namespace.
 *
 * Every interface is attached, loopback included: nf_tables filters
 * loopback traffic too (input sees "iif lo"), so skipping lo would let
 * local traffic through rulesets whose policy is drop. Interfaces whose
 * link type has no known header layout (anything but Ethernet, loopback
 * and header-less tunnels) are skipped and reported. Interfaces created
 * after the attach are not covered until the next attach (the daemon is
 * meant to watch RTM_NEWLINK).
 *
 * The filter uses a fixed handle/priority so detach removes only ours and
 * leaves the clsact qdisc and foreign filters alone.
 */
#ifndef BNFT_DAEMON_ATTACH_H
#define BNFT_DAEMON_ATTACH_H

#include <stdint.h>

#define BNFT_TC_HANDLE 0xb4f7
#define BNFT_TC_PRIO 1

/* Refreshes the ifindex -> name/type/header length maps (bnft_ifinfo and
 * its per-packet companion bnft_ifhdr, -1 to skip it). Returns the number
 * of interfaces or a negative errno. */
int bnft_ifinfo_sync(int ifinfo_fd, int ifhdr_fd);
/* Attaches both entry programs to every supported interface; returns the
 * number attached or a negative errno (first failure; earlier attachments
 * stay). */
int bnft_attach_all(int ingress_fd, int egress_fd);
/* Removes our filters from every interface; returns the number removed. */
int bnft_detach_all(void);

#endif
