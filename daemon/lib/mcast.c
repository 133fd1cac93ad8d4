// SPDX-License-Identifier: GPL-2.0
/*
 * Joined multicast groups -> bnft_mcast (see mcast.h, bpf/lib/mcast.h).
 *
 * /proc/net/igmp:  "Idx\tDevice    : Count Querier\tGroup ..." then per
 *                  device "IDX\tNAME : COUNT VERSION" and per group
 *                  "\t\t\t\tHEX USERS TIMER REPORTER", HEX being the
 *                  __be32 printed as a native u32 (%08X).
 * /proc/net/igmp6: "IDX NAME HEX32 USERS FLAGS TIMER" per group.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/mcast.h"
#include "bpf/bnft_entry.skel.h"
#include "daemon/lib/load_int.h"
#include "daemon/lib/mcast.h"

struct keyvec {
	struct bnft_mcast_key *k;
	size_t n, cap;
};

static int kv_add(struct keyvec *v, uint32_t ifindex, const uint8_t *addr)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct bnft_mcast_key *k = realloc(v->k, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		v->k = k;
		v->cap = cap;
	}
	memset(&v->k[v->n], 0, sizeof(v->k[v->n]));
	v->k[v->n].ifindex = ifindex;
	memcpy(v->k[v->n].addr, addr, 16);
	v->n++;
	return 0;
}

static int kv_marker(struct keyvec *v, uint32_t ifindex, uint8_t fam)
{
	uint8_t a[16] = { fam };

	return kv_add(v, ifindex, a);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct bnft_mcast_key));
}

static int read_igmp(struct keyvec *v)
{
	FILE *f = fopen("/proc/net/igmp", "re");
	char line[256];
	unsigned int idx = 0;
	int err = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		unsigned int i, g;
		char name[64];

		if (line[0] != '\t') {
			if (sscanf(line, "%u %63s", &i, name) == 2) {
				idx = i;
				err = kv_marker(v, idx, 4);
			}
			continue;
		}
		if (idx && sscanf(line, " %x", &g) == 1) {
			uint8_t a[16] = { [10] = 0xff, [11] = 0xff };

			memcpy(&a[12], &g, 4); /* native u32 of a __be32 */
			err = kv_add(v, idx, a);
		}
	}
	fclose(f);
	return err;
}

static int read_igmp6(struct keyvec *v)
{
	FILE *f = fopen("/proc/net/igmp6", "re");
	char line[256], hex[40], name[64];
	unsigned int idx, last = 0;
	int err = 0;

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		uint8_t a[16];
		int k;

		if (sscanf(line, "%u %63s %32s", &idx, name, hex) != 3 || strlen(hex) != 32)
			continue;
		for (k = 0; k < 16; k++) {
			unsigned int b;

			if (sscanf(hex + 2 * k, "%2x", &b) != 1)
				break;
			a[k] = b;
		}
		if (k != 16)
			continue;
		if (idx != last) {
			/* igmp6 lists a device's groups together; a repeated
			 * marker is removed by the dedup below anyway. */
			err = kv_marker(v, idx, 6);
			last = idx;
		}
		err = err ?: kv_add(v, idx, a);
	}
	fclose(f);
	return err;
}

static bool is_marker(const struct bnft_mcast_key *k)
{
	static const uint8_t zero[15];

	return (k->addr[0] == 4 || k->addr[0] == 6) && !memcmp(&k->addr[1], zero, 15);
}

/* Without markers the entry program treats every multicast destination as
 * input, as before bnft_mcast existed: the safe side when the list could
 * not be written whole (a full map). */
static void drop_markers(int fd)
{
	struct bnft_mcast_key cur, next;
	int err;

	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;) {
		cur = next;
		err = bpf_map_get_next_key(fd, &cur, &next);
		if (is_marker(&cur))
			bpf_map_delete_elem(fd, &cur);
	}
}

int bnft_mcast_sync(int fd)
{
	struct keyvec v = { 0 };
	struct bnft_mcast_key cur, next, *stale = NULL;
	size_t nstale = 0, cap = 0, i, w;
	uint32_t one = 1;
	int err;

	err = read_igmp(&v);
	err = err ?: read_igmp6(&v);
	if (err)
		goto out;
	if (v.n)
		qsort(v.k, v.n, sizeof(*v.k), key_cmp);
	for (i = 0, w = 0; i < v.n; i++)
		if (!w || key_cmp(&v.k[w - 1], &v.k[i]))
			v.k[w++] = v.k[i];
	v.n = w;
	for (i = 0; i < v.n; i++)
		if (bpf_map_update_elem(fd, &v.k[i], &one, BPF_ANY)) {
			err = -errno;
			goto out;
		}
	/* Stale keys: collected first, deleting while walking would restart
	 * the walk. */
	for (err = bpf_map_get_next_key(fd, NULL, &next); !err;
	     err = bpf_map_get_next_key(fd, &cur, &next)) {
		cur = next;
		if (v.n && bsearch(&cur, v.k, v.n, sizeof(*v.k), key_cmp))
			continue;
		if (nstale == cap) {
			struct bnft_mcast_key *s;

			cap = cap ? cap * 2 : 16;
			s = realloc(stale, cap * sizeof(*s));
			if (!s) {
				err = -ENOMEM;
				goto out;
			}
			stale = s;
		}
		stale[nstale++] = cur;
	}
	err = 0;
	for (i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	err = (int)v.n;
out:
	if (err < 0)
		drop_markers(fd);
	free(stale);
	free(v.k);
	return err;
}

int bnft_mcast_sync_root(const char *pin_root)
{
	int fd, err;

	fd = bnft__obj_get(pin_root, BNFT_MCAST_PIN);
	if (fd < 0)
		return 0;
	err = bnft_mcast_sync(fd);
	close(fd);
	return err;
}

int bnft_live_mcast_sync(struct bnft_live *lv)
{
	int n = 0;

	if (lv->skel)
		n = bnft_mcast_sync(bpf_map__fd(lv->skel->maps.bnft_mcast));
	else if (lv->root)
		n = bnft_mcast_sync_root(lv->root);
	if (n < 0) /* not fatal for a load: multicast falls back to input */
		fprintf(stderr, "bnft: multicast groups not listed (%s): multicast is input\n",
			strerror(-n));
	return n < 0 ? 0 : n;
}

/* Numbers of the 6.13 uapi, for older headers. */
#ifndef RTNLGRP_IPV4_MCADDR
#define RTNLGRP_IPV4_MCADDR 37
#endif
#ifndef RTNLGRP_IPV6_MCADDR
#define RTNLGRP_IPV6_MCADDR 38
#endif
#ifndef RTM_NEWMULTICAST
#define RTM_NEWMULTICAST 56
#endif
#ifndef RTM_DELMULTICAST
#define RTM_DELMULTICAST 57
#endif

void bnft_mcast_watch(int nlfd)
{
	int g[] = { RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_MCADDR,
		    RTNLGRP_IPV6_MCADDR };
	size_t i;

	for (i = 0; nlfd >= 0 && i < sizeof(g) / sizeof(g[0]); i++)
		(void)setsockopt(nlfd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g[i], sizeof(g[i]));
}

int bnft_mcast_event(unsigned int t)
{
	return t == RTM_NEWADDR || t == RTM_DELADDR || t == RTM_NEWMULTICAST ||
	       t == RTM_DELMULTICAST;
}
