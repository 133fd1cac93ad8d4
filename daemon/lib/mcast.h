/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host's joined multicast groups per interface, for the entry
 * program's input decision (bpf/lib/mcast.h): read from /proc/net/igmp and
 * /proc/net/igmp6 of the current network namespace into bnft_mcast.
 */
#ifndef BNFT_DAEMON_MCAST_H
#define BNFT_DAEMON_MCAST_H

struct bnft_live;

/* Makes map_fd hold exactly the current groups plus one marker per
 * interface and family listed. New keys are added before stale ones go,
 * so a group joined before and after never looks unjoined. Returns the
 * number of keys or a negative errno (then no interface has a marker). */
int bnft_mcast_sync(int map_fd);
/* The same for a live state's bnft_mcast (its skeleton or its pin). A
 * pinned state of an older build without the map: 0, nothing done. A
 * failure is not an error for a load: bnft_mcast_sync() then leaves no
 * interface marker (every multicast destination counts as input, the old
 * behaviour), this says so on stderr and returns 0. */
int bnft_live_mcast_sync(struct bnft_live *lv);
/* The pin root's bnft_mcast, for a daemon refreshing on netlink
 * notifications; 0 when the root has no such pin. */
int bnft_mcast_sync_root(const char *pin_root);

/* Adds the netlink groups whose messages change the joined groups to an
 * NETLINK_ROUTE socket: IPv4/IPv6 addresses (solicited-node groups) and,
 * where the kernel has them (6.13 and later), RTNLGRP_IPV4_MCADDR and
 * RTNLGRP_IPV6_MCADDR. Failures are ignored (older kernels). */
void bnft_mcast_watch(int nlfd);
/* Whether a netlink message type is one after which bnft_mcast_sync()
 * should run again. */
int bnft_mcast_event(unsigned int nlmsg_type);

#endif
