// SPDX-License-Identifier: GPL-2.0
/*
 * The netns' conntrack sysctls into bnft_ct_cfg, its ICMP rate limit
 * sysctls into bnft_reject_cfg, the conntrack table size, a table resize,
 * and the table's statistics. See ctcfg.h and bpf/lib/CT.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "daemon/lib/ctcfg.h"

_Static_assert(sizeof(struct bnft_rj_cfg) == 16, "struct bnft_reject_cfg of reject.h");

const char *const bnft_ct_kept_pins[] = {
	BNFT_CT_PIN_TABLE, BNFT_CT_PIN_PKT, BNFT_CT_PIN_CFG, BNFT_CT_PIN_STATS,
	"reject_cfg", "reject_peers", NULL,
};

static int read_text(const char *procsys, const char *rel, char *buf, size_t n)
{
	char p[512];
	ssize_t len;
	int fd;

	if ((size_t)snprintf(p, sizeof(p), "%s/%s", procsys, rel) >= sizeof(p))
		return -ENAMETOOLONG;
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, n - 1);
	close(fd);
	if (len <= 0)
		return len ? -errno : -ENODATA;
	buf[len] = '\0';
	return 0;
}

static int read_ul(const char *procsys, const char *rel, unsigned long *v)
{
	char buf[64], *end;
	int err = read_text(procsys, rel, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*v = strtoul(buf, &end, 10);
	return errno || end == buf ? -EINVAL : 0;
}

/* A seconds sysctl into a ct_cfg field (0 = the kernel default there: a
 * sysctl of 0, immediate expiry in the kernel, becomes 1 s). */
static void timeout(const char *procsys, const char *name, uint32_t *field)
{
	char rel[128];
	unsigned long v;

	snprintf(rel, sizeof(rel), "net/netfilter/nf_conntrack_%s", name);
	if (read_ul(procsys, rel, &v))
		return;
	*field = v ? (v > UINT32_MAX ? UINT32_MAX : (uint32_t)v) : 1;
}

/* Is bit `bit` in a bitmap list ("0-1,3-127", net.ipv6.icmp.ratemask)? */
static int in_bitmap_list(const char *s, unsigned long bit)
{
	while (*s) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi = lo;

		if (end == s)
			return 0;
		s = end;
		if (*s == '-') {
			hi = strtoul(s + 1, &end, 10);
			s = end;
		}
		if (bit >= lo && bit <= hi)
			return 1;
		while (*s == ',' || *s == ' ' || *s == '\n')
			s++;
	}
	return 0;
}

int bnft_ctcfg_read(const char *procsys, struct bnft_ct_cfg *ct, struct bnft_rj_cfg *rj)
{
	static const struct {
		int idx;
		const char *name;
	} tcp[] = {
		{ BNFT_TCP_SYN_SENT, "syn_sent" },	 { BNFT_TCP_SYN_RECV, "syn_recv" },
		{ BNFT_TCP_ESTABLISHED, "established" }, { BNFT_TCP_FIN_WAIT, "fin_wait" },
		{ BNFT_TCP_CLOSE_WAIT, "close_wait" },	 { BNFT_TCP_LAST_ACK, "last_ack" },
		{ BNFT_TCP_TIME_WAIT, "time_wait" },	 { BNFT_TCP_CLOSE, "close" },
		{ BNFT_TCP_RETRANS, "max_retrans" },	 { BNFT_TCP_UNACK, "unacknowledged" },
	};
	char name[64], buf[256];
	unsigned long v;
	size_t i;

	memset(ct, 0, sizeof(*ct));
	memset(rj, 0, sizeof(*rj));
	for (i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		snprintf(name, sizeof(name), "tcp_timeout_%s", tcp[i].name);
		timeout(procsys, name, &ct->tcp_timeout[tcp[i].idx]);
	}
	timeout(procsys, "udp_timeout", &ct->udp_timeout);
	timeout(procsys, "udp_timeout_stream", &ct->udp_timeout_stream);
	timeout(procsys, "icmp_timeout", &ct->icmp_timeout);
	timeout(procsys, "icmpv6_timeout", &ct->icmpv6_timeout);
	timeout(procsys, "generic_timeout", &ct->generic_timeout);
	if (!read_ul(procsys, "net/netfilter/nf_conntrack_tcp_loose", &v))
		ct->tcp_loose = v ? 0 : 2;
	if (!read_ul(procsys, "net/netfilter/nf_conntrack_tcp_be_liberal", &v))
		ct->tcp_be_liberal = v ? 1 : 0;
	if (!read_ul(procsys, "net/netfilter/nf_conntrack_tcp_max_retrans", &v) && v)
		ct->tcp_max_retrans = v > 255 ? 255 : (uint32_t)v;

	/* icmp_send() rate-limits only the types in the ratemask; reject
	 * sends destination unreachable (IPv4 type 3, IPv6 type 1). */
	rj->icmp_ratelimit_ms = 1000;
	rj->icmpv6_ratelimit_ms = 1000;
	rj->icmpv6_plen = 64;
	if (!read_ul(procsys, "net/ipv4/icmp_ratelimit", &v)) {
		rj->valid = 1;
		rj->icmp_ratelimit_ms = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	if (!read_ul(procsys, "net/ipv4/icmp_ratemask", &v)) {
		rj->valid = 1;
		if (!(v & (1ul << 3)))
			rj->icmp_ratelimit_ms = 0;
	}
	if (!read_ul(procsys, "net/ipv6/icmp/ratelimit", &v)) {
		rj->valid = 1;
		rj->icmpv6_ratelimit_ms = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	if (!read_text(procsys, "net/ipv6/icmp/ratemask", buf, sizeof(buf))) {
		rj->valid = 1;
		if (!in_bitmap_list(buf, 1))
			rj->icmpv6_ratelimit_ms = 0;
	}
	return 0;
}

int bnft_ctcfg_apply(int ct_cfg_fd, int rj_cfg_fd)
{
	struct bnft_ct_cfg ct;
	struct bnft_rj_cfg rj;
	uint32_t zero = 0;
	int err = bnft_ctcfg_read("/proc/sys", &ct, &rj);

	if (err)
		return err;
	if (ct_cfg_fd >= 0 && bpf_map_update_elem(ct_cfg_fd, &zero, &ct, BPF_ANY))
		return -errno;
	if (rj_cfg_fd >= 0 && bpf_map_update_elem(rj_cfg_fd, &zero, &rj, BPF_ANY))
		return -errno;
	return 0;
}

uint32_t bnft_ct_max_entries(int *explicit_)
{
	const char *env = getenv("BNFT_CT_MAX");
	unsigned long v = 0;

	if (explicit_)
		*explicit_ = 0;
	if (env && *env) {
		char *end;

		v = strtoul(env, &end, 0);
		if (!*end && v > 0 && v <= (1ul << 26)) {
			if (explicit_)
				*explicit_ = 1;
			return (uint32_t)v;
		}
	}
	if (read_ul("/proc/sys", "net/netfilter/nf_conntrack_max", &v))
		v = 0;
	return v > 0 && v <= (1ul << 26) ? (uint32_t)v : BNFT_CT_DEFAULT_MAX;
}

int bnft_ct_copy(int from_fd, int to_fd)
{
	struct bnft_ct_key k, next;
	struct bnft_ct_entry e;
	int n = 0, first = 1;

	while (!bpf_map_get_next_key(from_fd, first ? NULL : &k, &next)) {
		first = 0;
		k = next;
		if (bpf_map_lookup_elem(from_fd, &k, &e))
			continue;
		if (!bpf_map_update_elem(to_fd, &k, &e, BPF_NOEXIST))
			n++;
	}
	return n;
}

void bnft_ct_stats_release(struct bnft_ct_stats *s)
{
	free(s->percpu);
	s->percpu = NULL;
}

int bnft_ct_stats_get(const char *pin_root, struct bnft_ct_stats *s)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), idx;
	struct bnft_ct_key k, next;
	char p[4096];
	int fd_ct = -1, fd_st = -1, err = 0, first = 1, ncpus, c;
	int64_t ev;

	memset(s, 0, sizeof(*s));
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	s->ncpus = (uint32_t)ncpus;
	s->percpu = calloc((size_t)ncpus * BNFT_CT_STAT_MAX, sizeof(uint64_t));
	if (!s->percpu)
		return -ENOMEM;
	snprintf(p, sizeof(p), "%s/%s", pin_root, BNFT_CT_PIN_TABLE);
	fd_ct = bpf_obj_get(p);
	snprintf(p, sizeof(p), "%s/%s", pin_root, BNFT_CT_PIN_STATS);
	fd_st = bpf_obj_get(p);
	if (fd_ct < 0 || fd_st < 0) {
		err = -ENOENT;
		goto out;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd_ct, &info, &ilen)) {
		err = -errno;
		goto out;
	}
	s->max_entries = info.max_entries;
	for (idx = 0; idx < BNFT_CT_STAT_MAX; idx++) {
		uint64_t v[ncpus];

		if (bpf_map_lookup_elem(fd_st, &idx, v)) {
			err = -errno;
			goto out;
		}
		for (c = 0; c < ncpus; c++) {
			s->percpu[(size_t)c * BNFT_CT_STAT_MAX + idx] = v[c];
			s->total[idx] += v[c];
		}
	}
	while (!bpf_map_get_next_key(fd_ct, first ? NULL : &k, &next)) {
		first = 0;
		k = next;
		s->entries++;
	}
	ev = (int64_t)(s->total[BNFT_CT_STAT_CREATED] - s->total[BNFT_CT_STAT_EXPIRED] -
		       s->total[BNFT_CT_STAT_DELETED] - s->entries);
	s->evicted = ev > 0 ? (uint64_t)ev : 0;
out:
	if (fd_ct >= 0)
		close(fd_ct);
	if (fd_st >= 0)
		close(fd_st);
	if (err)
		bnft_ct_stats_release(s);
	return err;
}

void bnft_ct_stats_print(const struct bnft_ct_stats *s, FILE *f)
{
	static const char *const names[BNFT_CT_STAT_MAX] = {
		[BNFT_CT_STAT_FOUND] = "found",	    [BNFT_CT_STAT_NEW] = "new",
		[BNFT_CT_STAT_INVALID] = "invalid", [BNFT_CT_STAT_CREATED] = "insert",
		[BNFT_CT_STAT_INSERT_FAILED] = "insert_failed",
		[BNFT_CT_STAT_EXPIRED] = "expired", [BNFT_CT_STAT_DELETED] = "deleted",
		[BNFT_CT_STAT_RELATED] = "related",
	};
	uint32_t c, i;

	for (c = 0; c < s->ncpus; c++) {
		fprintf(f, "cpu=%-7u", c);
		for (i = 0; i < BNFT_CT_STAT_MAX; i++)
			fprintf(f, " %s=%llu", names[i],
				(unsigned long long)s->percpu[(size_t)c * BNFT_CT_STAT_MAX + i]);
		fputc('\n', f);
	}
	fprintf(f, "entries %llu max %u evicted %llu\n", (unsigned long long)s->entries,
		s->max_entries, (unsigned long long)s->evicted);
}
