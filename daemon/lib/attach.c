// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "daemon/lib/attach.h"

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif

/* Bytes from skb->data to the network header on TC, -1 if unknown. */
static int link_hdrlen(int type)
{
	switch (type) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:
		return 14;
	case ARPHRD_NONE:
	case ARPHRD_RAWIP:
	case ARPHRD_TUNNEL:
	case ARPHRD_TUNNEL6:
	case ARPHRD_SIT:
	case ARPHRD_IPGRE:
	case ARPHRD_PPP:
		return 0;
	}
	return -1;
}

static bool if_exists(unsigned int ifindex)
{
	char name[IF_NAMESIZE];

	return if_indextoname(ifindex, name) != NULL;
}

static int link_type(int sock, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	return ifr.ifr_hwaddr.sa_family;
}

int bnft_ifinfo_sync(int ifinfo_fd, int ifhdr_fd)
{
	struct if_nameindex *ifs, *i;
	int sock, n = 0, err = 0;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	ifs = if_nameindex();
	if (!ifs) {
		close(sock);
		return -errno;
	}
	for (i = ifs; i->if_index; i++) {
		struct bnft_ifinfo v;
		__u32 key = i->if_index;
		int type = link_type(sock, i->if_name), hl;

		if (type < 0)
			continue;
		hl = link_hdrlen(type);
		memset(&v, 0, sizeof(v));
		snprintf(v.name, sizeof(v.name), "%s", i->if_name);
		v.type = (__u16)type;
		v.hdrlen = hl < 0 ? 14 : (__u16)hl;
		if (bpf_map_update_elem(ifinfo_fd, &key, &v, BPF_ANY)) {
			err = -errno;
			break;
		}
		if (ifhdr_fd >= 0) {
			struct bnft_ifhdr h = { .ifindex = key, .hdrlen = v.hdrlen };
			__u32 slot = key % BNFT_IFHDR_ENTRIES;

			/* A slot shared by two ifindexes keeps the first:
			 * the other one takes the hash path. */
			struct bnft_ifhdr cur;

			if (!bpf_map_lookup_elem(ifhdr_fd, &slot, &cur) && cur.ifindex &&
			    cur.ifindex != key && if_exists(cur.ifindex))
				goto next;
			if (bpf_map_update_elem(ifhdr_fd, &slot, &h, BPF_ANY)) {
				err = -errno;
				break;
			}
		}
next:
		n++;
	}
	if_freenameindex(ifs);
	close(sock);
	return err ? err : n;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/*
 * tcx (kernel 6.6+): the entry programs attach to the device's tcx
 * ingress/egress hooks, which run the program without the clsact qdisc and
 * the classifier walk (about 30 ns a packet less here). Older kernels: a
 * clsact qdisc and a direct-action filter at BNFT_TC_HANDLE/BNFT_TC_PRIO.
 * The attach types are not in this system's UAPI headers yet.
 */
#define BNFT_TCX_INGRESS 46
#define BNFT_TCX_EGRESS 47

static bool tcx_unsupported;

static int tcx_type(enum bpf_tc_attach_point ap)
{
	return ap == BPF_TC_INGRESS ? BNFT_TCX_INGRESS : BNFT_TCX_EGRESS;
}

/* Whether the program of id is one of our entry programs (by name). */
static bool bnft_entry_prog(uint32_t id, int *fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	*fd = bpf_prog_get_fd_by_id(id);
	if (*fd < 0)
		return false;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(*fd, &info, &len) &&
	    (!strcmp(info.name, "bnft_ingress") || !strcmp(info.name, "bnft_egress")))
		return true;
	close(*fd);
	*fd = -1;
	return false;
}

/* Detaches our entry programs from a tcx hook, except keep_id. */
static int tcx_detach_ours(int ifindex, int type, uint32_t keep_id)
{
	uint32_t ids[64], cnt = 64, flags = 0, k;
	int n = 0;

	if (bpf_prog_query(ifindex, (enum bpf_attach_type)type, 0, &flags, ids, &cnt))
		return 0;
	for (k = 0; k < cnt && k < 64; k++) {
		int fd;

		if (ids[k] == keep_id || !bnft_entry_prog(ids[k], &fd))
			continue;
		if (!bpf_prog_detach2(fd, ifindex, (enum bpf_attach_type)type))
			n++;
		close(fd);
	}
	return n;
}

static int tc_detach_one(int ifindex, enum bpf_tc_attach_point ap)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = ap);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = BNFT_TC_HANDLE, .priority = BNFT_TC_PRIO);

	return bpf_tc_detach(&hook, &opts) ? 0 : 1;
}

static int tcx_attach(int ifindex, enum bpf_tc_attach_point ap, int fd)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);
	int type = tcx_type(ap);
	libbpf_print_fn_t old;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (bpf_prog_attach(fd, ifindex, (enum bpf_attach_type)type, 0) && errno != EEXIST)
		return -errno;
	/* an entry program of an earlier entry object, and a clsact filter
	 * of an earlier build */
	tcx_detach_ours(ifindex, type, info.id);
	old = libbpf_set_print(quiet_print);
	tc_detach_one(ifindex, ap);
	libbpf_set_print(old);
	return 0;
}

static int attach_one(int ifindex, enum bpf_tc_attach_point ap, int fd)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = ap);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = BNFT_TC_HANDLE,
			    .priority = BNFT_TC_PRIO, .prog_fd = fd, .flags = BPF_TC_F_REPLACE);
	libbpf_print_fn_t old;
	int err;

	/* egress stays on clsact: fragments of locally generated packets
	 * were judged differently on tcx egress (tests/diff 73, 77) */
	if (ap == BPF_TC_INGRESS && !tcx_unsupported && !getenv("BNFT_NO_TCX")) {
		err = tcx_attach(ifindex, ap, fd);
		if (!err)
			return 0;
		if (err != -EINVAL && err != -EOPNOTSUPP && err != -524 /* ENOTSUPP */)
			return err;
		tcx_unsupported = true;
	}
	/* an existing clsact (EEXIST) is expected: libbpf would print the
	 * kernel's "Exclusivity flag on" message */
	old = libbpf_set_print(quiet_print);
	err = bpf_tc_hook_create(&hook);
	libbpf_set_print(old);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

int bnft_attach_all(int ingress_fd, int egress_fd)
{
	struct if_nameindex *ifs, *i;
	int sock, n = 0, err = 0;

	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	ifs = if_nameindex();
	if (!ifs) {
		close(sock);
		return -errno;
	}
	for (i = ifs; i->if_index && !err; i++) {
		int type = link_type(sock, i->if_name);

		if (type < 0 || link_hdrlen(type) < 0) {
			fprintf(stderr, "bnft: %s: link type %d not supported, not attached\n",
				i->if_name, type);
			continue;
		}
		err = attach_one((int)i->if_index, BPF_TC_INGRESS, ingress_fd);
		if (!err)
			err = attach_one((int)i->if_index, BPF_TC_EGRESS, egress_fd);
		if (!err)
			n++;
	}
	if_freenameindex(ifs);
	close(sock);
	return err ? err : n;
}

/* Interfaces without our filter (or without clsact) answer a detach with a
 * kernel message libbpf would print: expected here, so not shown. */
int bnft_detach_all(void)
{
	struct if_nameindex *ifs, *i;
	libbpf_print_fn_t old;
	int n = 0;

	ifs = if_nameindex();
	if (!ifs)
		return -errno;
	old = libbpf_set_print(quiet_print);
	for (i = ifs; i->if_index; i++) {
		enum bpf_tc_attach_point aps[2] = { BPF_TC_INGRESS, BPF_TC_EGRESS };
		int k;

		for (k = 0; k < 2; k++) {
			n += tcx_detach_ours((int)i->if_index, tcx_type(aps[k]), 0);
			n += tc_detach_one((int)i->if_index, aps[k]);
		}
	}
	libbpf_set_print(old);
	if_freenameindex(ifs);
	return n;
}
