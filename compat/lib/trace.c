// SPDX-License-Identifier: GPL-2.0
/*
 * `bnft monitor trace`: reads the trace ring buffers of the live
 * generations (bpf/lib/trace.h, pinned g<N>/s<i> named "bnft_trace") and
 * prints the events as `nft monitor trace` does:
 *
 *   trace id 07f51e21 ip t pre packet: iif "veth0" ether saddr .. ip saddr ..
 *   trace id 07f51e21 ip t pre rule ip saddr 10.0.0.2 meta nftrace set 1 (verdict continue)
 *   trace id 07f51e21 ip t pre policy accept
 *
 * A "packet:" line comes before the first event of a trace id in each base
 * chain, as the kernel dumps the packet once per base chain it traverses.
 * Rules are printed from the live ruleset state with the counter values
 * read when the generation appeared (nft prints its cache's, read at
 * monitor start). Trace ids are random per packet and TC run, not nft's
 * (a hash of the skb address): they differ between bnft and nft, and a
 * packet traced at ingress and again at egress gets two ids.
 *
 * The packet line decodes what nft decodes for the common headers:
 * iif/oif, ether addresses (Ethernet devices at ingress), IPv4 / IPv6
 * header fields, tcp/udp/icmp/icmpv6 fields and the rest of the first 20
 * transport header bytes as "@th,<off>,<len> 0x..".
 */
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <linux/if_arp.h>
#include <linux/netfilter.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "bpf/lib/trace.h"
#include "compat/lib/live.h"
#include "compat/lib/trace.h"
#include "parser/erec.h"
#include "parser/print.h"
#include "parser/ruleset.h"
#include "translator/codegen.h"

#define TR_MAX_RINGS 64

struct tr_ring {
	struct tr_mon *m;
	uint32_t gen, map_id;
	int fd;
	struct bnft_chain_id *chains;
	uint32_t nchains;
};

struct tr_mon {
	FILE *out;
	const struct output_ctx *octx;
	struct ring_buffer *rb;
	struct tr_ring rings[TR_MAX_RINGS];
	size_t nrings;
	uint32_t cur_id[2];	/* map id of each generation's ring */
	struct bnft_ruleset rs;
	bool rs_ok;
	/* last event printed */
	uint32_t last_id, last_base;
	bool any;
};

static const char *tr_family_name(uint32_t f)
{
	switch (f) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	default: return "unknown";
	}
}

/* ---- packet line ---------------------------------------------------- */

static void hexbytes(struct outbuf *o, const uint8_t *p, unsigned int n)
{
	unsigned int i;

	outbuf_puts(o, "0x");
	for (i = 0; i < n; i++)
		outbuf_printf(o, "%02x", p[i]);
}

static bool iface_ether(unsigned int ifindex)
{
	char name[IF_NAMESIZE], p[128];
	unsigned int type = 0;
	FILE *f;

	if (!ifindex || !if_indextoname(ifindex, name))
		return false;
	snprintf(p, sizeof(p), "/sys/class/net/%s/type", name);
	f = fopen(p, "r");
	if (!f)
		return false;
	if (fscanf(f, "%u", &type) != 1)
		type = 0;
	fclose(f);
	return type == ARPHRD_ETHER;
}

static void print_ifname(struct outbuf *o, const char *kw, unsigned int ifindex)
{
	char name[IF_NAMESIZE];

	if (ifindex && if_indextoname(ifindex, name))
		outbuf_printf(o, "%s \"%s\" ", kw, name);
	else if (ifindex)
		outbuf_printf(o, "%s %u ", kw, ifindex);
}

static const char *dscp_name(unsigned int d, char *buf)
{
	static const struct {
		unsigned int v;
		const char *n;
	} t[] = { { 0x00, "cs0" },  { 0x08, "cs1" },  { 0x0a, "af11" }, { 0x0c, "af12" },
		  { 0x0e, "af13" }, { 0x10, "cs2" },  { 0x12, "af21" }, { 0x14, "af22" },
		  { 0x16, "af23" }, { 0x18, "cs3" },  { 0x1a, "af31" }, { 0x1c, "af32" },
		  { 0x1e, "af33" }, { 0x20, "cs4" },  { 0x22, "af41" }, { 0x24, "af42" },
		  { 0x26, "af43" }, { 0x28, "cs5" },  { 0x2e, "ef" },	{ 0x30, "cs6" },
		  { 0x38, "cs7" } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].v == d)
			return t[i].n;
	sprintf(buf, "0x%02x", d);
	return buf;
}

static const char *const ecn_names[4] = { "not-ect", "ect1", "ect0", "ce" };

static const char *icmp_type_name(unsigned int t)
{
	static const char *const n[] = { [0] = "echo-reply",
					 [3] = "destination-unreachable",
					 [4] = "source-quench",
					 [5] = "redirect",
					 [8] = "echo-request",
					 [9] = "router-advertisement",
					 [10] = "router-solicitation",
					 [11] = "time-exceeded",
					 [12] = "parameter-problem",
					 [13] = "timestamp-request",
					 [14] = "timestamp-reply",
					 [15] = "info-request",
					 [16] = "info-reply",
					 [17] = "address-mask-request",
					 [18] = "address-mask-reply" };

	return t < sizeof(n) / sizeof(n[0]) ? n[t] : NULL;
}

static const char *icmp_code_name(unsigned int c)
{
	switch (c) {
	case 0: return "net-unreachable";
	case 1: return "host-unreachable";
	case 2: return "prot-unreachable";
	case 3: return "port-unreachable";
	case 4: return "frag-needed";
	case 9: return "net-prohibited";
	case 10: return "host-prohibited";
	case 13: return "admin-prohibited";
	default: return NULL;
	}
}

static const char *icmp6_type_name(unsigned int t)
{
	switch (t) {
	case 1: return "destination-unreachable";
	case 2: return "packet-too-big";
	case 3: return "time-exceeded";
	case 4: return "parameter-problem";
	case 128: return "echo-request";
	case 129: return "echo-reply";
	case 133: return "nd-router-solicit";
	case 134: return "nd-router-advert";
	case 135: return "nd-neighbor-solicit";
	case 136: return "nd-neighbor-advert";
	case 137: return "nd-redirect";
	default: return NULL;
	}
}

static void tcp_flags(struct outbuf *o, uint8_t f)
{
	static const char *const n[8] = { "fin", "syn", "rst", "psh", "ack", "urg", "ecn", "cwr" };
	bool first = true;
	int i;

	outbuf_puts(o, "tcp flags == ");
	if (!f) {
		outbuf_puts(o, "0x0 ");
		return;
	}
	for (i = 0; i < 8; i++)
		if (f & (1u << i)) {
			outbuf_printf(o, "%s%s", first ? "" : " | ", n[i]);
			first = false;
		}
	outbuf_puts(o, " ");
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Transport header fields, then its remaining captured bytes raw. */
static void print_l4(struct outbuf *o, uint8_t proto, const uint8_t *th, unsigned int n)
{
	unsigned int used = 0;
	char b[16];

	switch (proto) {
	case IPPROTO_TCP:
		if (n < 20)
			break;
		outbuf_printf(o, "tcp sport %u tcp dport %u ", be16(th), be16(th + 2));
		tcp_flags(o, th[13]);
		outbuf_printf(o, "tcp window %u ", be16(th + 14));
		used = 20;
		break;
	case IPPROTO_UDP:
		if (n < 8)
			break;
		outbuf_printf(o, "udp sport %u udp dport %u udp length %u ", be16(th), be16(th + 2),
			      be16(th + 4));
		used = 8;
		break;
	case IPPROTO_ICMP: {
		const char *tn, *cn;

		if (n < 4)
			break;
		tn = icmp_type_name(th[0]);
		cn = icmp_code_name(th[1]);
		if (tn)
			outbuf_printf(o, "icmp type %s ", tn);
		else
			outbuf_printf(o, "icmp type %u ", th[0]);
		if (cn)
			outbuf_printf(o, "icmp code %s ", cn);
		else
			outbuf_printf(o, "icmp code %u ", th[1]);
		used = 4;
		/* nft names bytes 4-7 by the first template field there,
		 * whatever the type: id and sequence */
		if (n >= 8) {
			outbuf_printf(o, "icmp id %u icmp sequence %u ", be16(th + 4),
				      be16(th + 6));
			used = 8;
		}
		break;
	}
	case IPPROTO_ICMPV6: {
		const char *tn;

		if (n < 4)
			break;
		tn = icmp6_type_name(th[0]);
		if (tn)
			outbuf_printf(o, "icmpv6 type %s ", tn);
		else
			outbuf_printf(o, "icmpv6 type %u ", th[0]);
		outbuf_printf(o, "icmpv6 code %s ", th[1] ? (sprintf(b, "%u", th[1]), b) :
							    "no-route");
		used = 4;
		/* the first icmpv6 template field on bytes 4-7 (nft 1.0.6
		 * prints it for echo requests too) */
		if (n >= 8) {
			outbuf_printf(o, "icmpv6 parameter-problem %u ",
				      (unsigned int)be16(th + 4) << 16 | be16(th + 6));
			used = 8;
		}
		break;
	}
	default:
		break;
	}
	if (n > used) {
		outbuf_printf(o, "@th,%u,%u ", used * 8, (n - used) * 8);
		hexbytes(o, th + used, n - used);
		outbuf_puts(o, " ");
	}
}

static void print_proto(struct outbuf *o, const char *kw, unsigned int p)
{
	const struct protoent *pe = getprotobynumber((int)p);

	if (pe && pe->p_name)
		outbuf_printf(o, "%s %s ", kw, pe->p_name);
	else
		outbuf_printf(o, "%s %u ", kw, p);
}

/* family: of the table; ip/ip6 tables imply the protocol field, others
 * (inet, netdev, bridge) show it. */
static void print_packet(struct outbuf *o, const struct bnft_trace_ev *ev, uint32_t family)
{
	bool proto = family != NFPROTO_IPV4 && family != NFPROTO_IPV6;
	bool egress = (ev->info >> 16) & BNFT_PF_EGRESS;
	unsigned int nh = ev->offs & 0xffff, th = ev->offs >> 16, cap = ev->caplen, nfp;
	uint8_t l4 = ev->info & 0xff;
	const uint8_t *p = ev->pkt;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], d[8];

	if (cap > BNFT_TRACE_CAP)
		cap = BNFT_TRACE_CAP;
	nfp = (ev->info >> 8) & 0xff;
	if (!egress) {
		print_ifname(o, "iif", ev->ifindex);
	} else {
		print_ifname(o, "iif", ev->iif);
		print_ifname(o, "oif", ev->ifindex);
	}
	if (!egress && nh >= 14 && cap >= 14 && iface_ether(ev->ifindex))
		outbuf_printf(o,
			      "ether saddr %02x:%02x:%02x:%02x:%02x:%02x "
			      "ether daddr %02x:%02x:%02x:%02x:%02x:%02x ",
			      p[6], p[7], p[8], p[9], p[10], p[11], p[0], p[1], p[2], p[3], p[4],
			      p[5]);
	if (nfp == NFPROTO_IPV4 && nh + 20 <= cap) {
		const uint8_t *ip = p + nh;

		inet_ntop(AF_INET, ip + 12, a, sizeof(a));
		inet_ntop(AF_INET, ip + 16, b, sizeof(b));
		outbuf_printf(o, "ip saddr %s ip daddr %s ip dscp %s ip ecn %s ip ttl %u ip id %u ",
			      a, b, dscp_name(ip[1] >> 2, d), ecn_names[ip[1] & 3], ip[8],
			      be16(ip + 4));
		if (proto)
			print_proto(o, "ip protocol", ip[9]);
		outbuf_printf(o, "ip length %u ", be16(ip + 2));
	} else if (nfp == NFPROTO_IPV6 && nh + 40 <= cap) {
		const uint8_t *ip = p + nh;
		unsigned int tc = (unsigned int)((ip[0] & 0x0f) << 4 | ip[1] >> 4);

		inet_ntop(AF_INET6, ip + 8, a, sizeof(a));
		inet_ntop(AF_INET6, ip + 24, b, sizeof(b));
		outbuf_printf(o, "ip6 saddr %s ip6 daddr %s ip6 dscp %s ip6 ecn %s ip6 hoplimit %u "
				 "ip6 flowlabel %u ",
			      a, b, dscp_name(tc >> 2, d), ecn_names[tc & 3], ip[7],
			      (unsigned int)((ip[1] & 0x0f) << 16 | ip[2] << 8 | ip[3]));
		if (proto)
			print_proto(o, "ip6 nexthdr", ip[6]);
		outbuf_printf(o, "ip6 length %u ", be16(ip + 4));
	} else if (nh < cap) {
		outbuf_printf(o, "@nh,0,%u ", (cap - nh > 20 ? 20 : cap - nh) * 8);
		hexbytes(o, p + nh, cap - nh > 20 ? 20 : cap - nh);
		outbuf_puts(o, " ");
	}
	if (((ev->info >> 16) & BNFT_PF_L4) && th > nh && th < cap) {
		unsigned int n = cap - th;

		print_l4(o, l4, p + th, n > 20 ? 20 : n);
	}
}

/* ---- events ------------------------------------------------------------ */

static const struct bnft_chain_id *chain_of(const struct tr_ring *r, uint32_t id)
{
	return id < r->nchains ? &r->chains[id] : NULL;
}

static const struct rule *rule_of(struct tr_mon *m, const struct bnft_chain_id *c,
				  uint64_t handle)
{
	const struct table *t;
	const struct chain *ch;
	const struct rule *r;

	if (!m->rs_ok || !c)
		return NULL;
	t = ruleset_table_lookup(&m->rs, c->family, c->table);
	ch = t ? table_chain_lookup(t, c->chain) : NULL;
	if (!ch)
		return NULL;
	list_for_each_entry(r, &ch->rules, list)
		if (r->handle.handle.id == handle)
			return r;
	return NULL;
}

static void print_verdict(struct outbuf *o, const struct tr_ring *r, uint32_t v, uint32_t target)
{
	const struct bnft_chain_id *t;

	switch (v) {
	case BNFT_V_ACCEPT: outbuf_puts(o, "accept"); break;
	case BNFT_V_DROP: outbuf_puts(o, "drop"); break;
	case BNFT_V_CONTINUE: outbuf_puts(o, "continue"); break;
	case BNFT_V_RETURN: outbuf_puts(o, "return"); break;
	case BNFT_V_JUMP:
	case BNFT_V_GOTO:
		t = chain_of(r, target);
		outbuf_printf(o, "%s %s", v == BNFT_V_JUMP ? "jump" : "goto", t ? t->chain : "?");
		break;
	default: outbuf_printf(o, "%u", v); break;
	}
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct tr_ring *r = ctx;
	struct tr_mon *m = r->m;
	const struct bnft_trace_ev *ev = data;
	const struct bnft_chain_id *c;
	struct outbuf o;

	if (size < sizeof(*ev) || ev->magic != BNFT_TRACE_MAGIC)
		return 0;
	c = chain_of(r, ev->chain);
	if (!c)
		return 0;
	outbuf_init(&o);
	if (!m->any || ev->id != m->last_id ||
	    (ev->base != BNFT_TRACE_NO_CHAIN && ev->base != m->last_base)) {
		const struct bnft_chain_id *bc =
			ev->base != BNFT_TRACE_NO_CHAIN ? chain_of(r, ev->base) : c;

		if (!bc)
			bc = c;
		outbuf_printf(&o, "trace id %08x %s %s %s packet: ", ev->id,
			      tr_family_name(bc->family), bc->table, bc->chain);
		print_packet(&o, ev, bc->family);
		outbuf_puts(&o, "\n");
		m->last_base = ev->base != BNFT_TRACE_NO_CHAIN ? ev->base : ev->chain;
	}
	m->any = true;
	m->last_id = ev->id;
	outbuf_printf(&o, "trace id %08x %s %s %s ", ev->id, tr_family_name(c->family), c->table,
		      c->chain);
	if (ev->type == BNFT_TRACE_RULE) {
		const struct rule *ru = rule_of(m, c, ev->handle);

		outbuf_puts(&o, "rule ");
		if (ru)
			bnft_print_rule(ru, c->family, m->octx, &o);
		else
			outbuf_printf(&o, "handle %llu", (unsigned long long)ev->handle);
		outbuf_puts(&o, " (verdict ");
		print_verdict(&o, r, ev->verdict, ev->target);
		outbuf_puts(&o, ")\n");
	} else {
		outbuf_puts(&o, "policy ");
		print_verdict(&o, r, ev->verdict, 0);
		outbuf_puts(&o, " \n");
	}
	if (o.len)
		fwrite(o.buf, 1, o.len, m->out);
	fflush(m->out);
	outbuf_release(&o);
	return 0;
}

/* ---- live maps ------------------------------------------------------------ */

static int load_chains(const char *root, uint32_t gen, struct tr_ring *r)
{
	char p[4096];
	struct bpf_map_info info;
	uint32_t len = sizeof(info), i;
	int fd;

	snprintf(p, sizeof(p), "%s/g%u/chains", root, gen);
	fd = bpf_obj_get(p);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.value_size != sizeof(struct bnft_chain_id)) {
		close(fd);
		return -EINVAL;
	}
	r->chains = calloc(info.max_entries ? info.max_entries : 1, sizeof(*r->chains));
	if (!r->chains) {
		close(fd);
		return -ENOMEM;
	}
	for (i = 0; i < info.max_entries; i++)
		if (bpf_map_lookup_elem(fd, &i, &r->chains[i]))
			break;
	r->nchains = i;
	close(fd);
	return 0;
}

/* The ring of generation gen: fd and map id, or -ENOENT. */
static int find_ring(const char *root, uint32_t gen, uint32_t *id)
{
	char dir[4096], p[4096 + 300];
	struct dirent *de;
	int found = -ENOENT;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/g%u", root, gen);
	d = opendir(dir);
	if (!d)
		return -ENOENT;
	while (found < 0 && (de = readdir(d))) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);
		int fd;

		if (de->d_name[0] != 's')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(p);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.type == BPF_MAP_TYPE_RINGBUF &&
		    !strcmp(info.name, "bnft_trace")) {
			*id = info.id;
			found = fd;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return found;
}

static void reload_ruleset(struct tr_mon *m)
{
	LIST_HEAD(msgs);

	if (m->rs_ok)
		bnft_ruleset_release(&m->rs);
	bnft_ruleset_init(&m->rs);
	m->rs_ok = bnft_live_read_state(&m->rs, &msgs) == 0;
	erec_free_list(&msgs);
}

/* Adds the rings that appeared since the last scan. */
static int scan(struct tr_mon *m, const char *root)
{
	uint32_t g;
	int err;

	for (g = 0; g < 2; g++) {
		struct tr_ring *r;
		uint32_t id = 0;
		int fd = find_ring(root, g, &id);

		if (fd < 0 || id == m->cur_id[g]) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (m->nrings == TR_MAX_RINGS) {
			close(fd);
			return -E2BIG;
		}
		r = &m->rings[m->nrings];
		memset(r, 0, sizeof(*r));
		r->m = m;
		r->gen = g;
		r->map_id = id;
		r->fd = fd;
		if (load_chains(root, g, r)) {
			close(fd);
			continue;
		}
		if (!m->rb) {
			m->rb = ring_buffer__new(fd, on_event, r, NULL);
			err = m->rb ? 0 : -errno;
		} else {
			err = ring_buffer__add(m->rb, fd, on_event, r);
		}
		if (err) {
			free(r->chains);
			close(fd);
			return err;
		}
		m->nrings++;
		m->cur_id[g] = id;
		reload_ruleset(m);
	}
	return 0;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int bnft_trace_run(FILE *out, const struct output_ctx *octx, unsigned int seconds)
{
	static const struct output_ctx defctx;
	const char *root = bnft_live_pin_root();
	uint64_t end = seconds ? mono_ms() + (uint64_t)seconds * 1000 : 0;
	struct tr_mon *m = calloc(1, sizeof(*m));
	int err = 0;
	size_t i;

	if (!m)
		return -ENOMEM;
	m->out = out;
	m->octx = octx ? octx : &defctx;
	while (!end || mono_ms() < end) {
		err = scan(m, root);
		if (err)
			break;
		if (m->rb) {
			err = ring_buffer__poll(m->rb, 200);
			if (err == -EINTR) {
				err = 0;
				break;
			}
			if (err < 0)
				break;
			err = 0;
		} else {
			usleep(200 * 1000);
		}
	}
	if (m->rb)
		ring_buffer__free(m->rb);
	for (i = 0; i < m->nrings; i++) {
		free(m->rings[i].chains);
		close(m->rings[i].fd);
	}
	if (m->rs_ok)
		bnft_ruleset_release(&m->rs);
	free(m);
	return err;
}

/* The pins live in PID 1's mount namespace (live.c); where that cannot be
 * joined, the bpffs may exist only in the mount namespace of the bnftd
 * serving this pin root: join that one. */
static int pins_visible(void)
{
	char p[4096], pidf[1024];
	long pid = 0;
	FILE *f;
	int fd, err;

	bnft_live_enter_host_mntns();
	snprintf(p, sizeof(p), "%s/conf", bnft_live_pin_root());
	if (!access(p, F_OK) || bnft_live_state_file(".pid", pidf, sizeof(pidf)))
		return 0;
	f = fopen(pidf, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return 0;
	snprintf(p, sizeof(p), "/proc/%ld/ns/mnt", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	err = setns(fd, CLONE_NEWNS) ? -errno : 0;
	close(fd);
	return err;
}

int bnft_monitor_trace(int argc, char **argv, const struct output_ctx *octx)
{
	const char *env = getenv("BNFT_TRACE_SECONDS");
	int err;

	if (argc < 1 || strcmp(argv[0], "trace") || argc > 1) {
		fprintf(stderr, "Error: syntax error, unexpected %s\n",
			argc > 1 ? argv[1] : "end of file");
		return 1;
	}
	err = pins_visible();
	if (!err)
		err = bnft_trace_run(stdout, octx, env ? (unsigned int)strtoul(env, NULL, 10) : 0);
	if (err) {
		fprintf(stderr, "Error: monitor trace: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
