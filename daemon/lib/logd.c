// SPDX-License-Identifier: GPL-2.0
/*
 * `log` records to log lines (daemon/lib/logd.h). The formatter follows
 * net/netfilter/nf_log_syslog.c field by field: the common part (prefix,
 * IN=, OUT=), the MAC header when there is an input device, then the IPv4,
 * IPv6 or ARP dump with TCP/UDP/ICMP details and the logflags (tcp
 * sequence, tcp options, ip options, skuid, ether).
 *
 * What differs from the kernel, and why:
 *  - the record holds the first BNFT_LOG_CAP (128) bytes from the MAC
 *    header: headers beyond them (long IPv6 extension chains, ICMP errors
 *    quoting packets with options) print as INCOMPLETE/TRUNCATED;
 *  - forward chains run at TC ingress, before ip_forward() decrements the
 *    TTL: the formatter subtracts one, as the kernel's log would show it;
 *  - UID= comes from the socket (bpf_get_socket_uid, output path only), GID=
 *    is that user's primary group (the kernel prints the file's fsgid).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_log.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/lib/abi.h"
#include "daemon/lib/logd.h"
#include "translator/stmt_live.h"


/* ---- formatting ---------------------------------------------------- */

struct lbuf {
	char *b;
	size_t n, len;
};

static void add(struct lbuf *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct lbuf *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (l->len >= l->n)
		return;
	va_start(ap, fmt);
	r = vsnprintf(l->b + l->len, l->n - l->len, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->len = l->len + (size_t)r < l->n ? l->len + (size_t)r : l->n - 1;
}

/* The packet as the kernel's skb sees it at the hook: data from the
 * network header (the MAC header at netdev egress), len, what we hold. */
struct kpkt {
	const uint8_t *d;	/* skb->data */
	uint32_t len;		/* skb->len */
	uint32_t cap;		/* bytes of d we have */
};

static const void *hdr(const struct kpkt *k, uint32_t off, uint32_t n)
{
	if ((uint64_t)off + n > k->len || (uint64_t)off + n > k->cap)
		return NULL;
	return k->d + off;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void add_mac(struct lbuf *l, const uint8_t *m)
{
	add(l, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static void add_ip4(struct lbuf *l, const uint8_t *a)
{
	add(l, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
}

static void add_ip6(struct lbuf *l, const uint8_t *a)
{
	/* %pI6: eight groups of four hex digits, no compression */
	add(l, "%04x:%04x:%04x:%04x:%04x:%04x:%04x:%04x", be16(a), be16(a + 2), be16(a + 4),
	    be16(a + 6), be16(a + 8), be16(a + 10), be16(a + 12), be16(a + 14));
}

static int dump_tcp(struct lbuf *l, const struct kpkt *k, int fragment, uint32_t off,
		    uint32_t flags)
{
	const uint8_t *th;

	add(l, "PROTO=TCP ");
	if (fragment)
		return 0;
	th = hdr(k, off, 20);
	if (!th) {
		add(l, "INCOMPLETE [%u bytes] ", k->len - off);
		return 1;
	}
	add(l, "SPT=%u DPT=%u ", be16(th), be16(th + 2));
	if (flags & NF_LOG_TCPSEQ)
		add(l, "SEQ=%u ACK=%u ", be32(th + 4), be32(th + 8));
	add(l, "WINDOW=%u ", be16(th + 14));
	add(l, "RES=0x%02x ", (uint8_t)((be32(th + 12) & 0x0e000000) >> 22));
	if (th[12] & 0x01)
		add(l, "AE ");
	if (th[13] & 0x80)
		add(l, "CWR ");
	if (th[13] & 0x40)
		add(l, "ECE ");
	if (th[13] & 0x20)
		add(l, "URG ");
	if (th[13] & 0x10)
		add(l, "ACK ");
	if (th[13] & 0x08)
		add(l, "PSH ");
	if (th[13] & 0x04)
		add(l, "RST ");
	if (th[13] & 0x02)
		add(l, "SYN ");
	if (th[13] & 0x01)
		add(l, "FIN ");
	add(l, "URGP=%u ", be16(th + 18));
	if ((flags & NF_LOG_TCPOPT) && (th[12] >> 4) * 4 > 20) {
		uint32_t optsize = (uint32_t)(th[12] >> 4) * 4 - 20, i;
		const uint8_t *op = hdr(k, off + 20, optsize);

		if (!op) {
			add(l, "OPT (TRUNCATED)");
			return 1;
		}
		add(l, "OPT (");
		for (i = 0; i < optsize; i++)
			add(l, "%02X", op[i]);
		add(l, ") ");
	}
	return 0;
}

static int dump_udp(struct lbuf *l, const struct kpkt *k, uint8_t proto, int fragment,
		    uint32_t off)
{
	const uint8_t *uh;

	add(l, proto == IPPROTO_UDP ? "PROTO=UDP " : "PROTO=UDPLITE ");
	if (fragment)
		return 0;
	uh = hdr(k, off, 8);
	if (!uh) {
		add(l, "INCOMPLETE [%u bytes] ", k->len - off);
		return 1;
	}
	add(l, "SPT=%u DPT=%u LEN=%u ", be16(uh), be16(uh + 2), be16(uh + 4));
	return 0;
}

static void add_uid(struct lbuf *l, uint32_t uid)
{
	struct passwd *pw;

	/* bpf_get_socket_uid: overflowuid (65534) without a full socket */
	if (uid == ~0u || uid == 65534)
		return;
	pw = getpwuid(uid);
	add(l, "UID=%u GID=%u ", uid, pw ? (unsigned int)pw->pw_gid : uid);
}

static void dump_ipv4(struct lbuf *l, const struct kpkt *k, uint32_t iphoff, uint32_t flags,
		      const struct bnft_log_ev *ev, int outer)
{
	static const uint8_t required_len[19] = { [0] = 4,  [3] = 28,  [4] = 28,  [5] = 28,
						  [8] = 4,  [11] = 28, [12] = 28, [13] = 20,
						  [14] = 20, [17] = 12, [18] = 12 };
	const uint8_t *ih = hdr(k, iphoff, 20);
	uint16_t frag;
	uint32_t ihl, thoff;

	if (!ih) {
		add(l, "TRUNCATED");
		return;
	}
	frag = be16(ih + 6);
	ihl = (uint32_t)(ih[0] & 0xf) * 4;
	thoff = iphoff + ihl;
	add(l, "SRC=");
	add_ip4(l, ih + 12);
	add(l, " DST=");
	add_ip4(l, ih + 16);
	add(l, " ");
	add(l, "LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u ", be16(ih + 2), ih[1] & 0x1e,
	    ih[1] & 0xe0, ih[8], be16(ih + 4));
	if (frag & 0x8000)
		add(l, "CE ");
	if (frag & 0x4000)
		add(l, "DF ");
	if (frag & 0x2000)
		add(l, "MF ");
	if (frag & 0x1fff)
		add(l, "FRAG:%u ", frag & 0x1fff);
	if ((flags & NF_LOG_IPOPT) && ihl > 20) {
		const uint8_t *op = hdr(k, iphoff + 20, ihl - 20);
		uint32_t i;

		if (!op) {
			add(l, "TRUNCATED");
			return;
		}
		add(l, "OPT (");
		for (i = 0; i < ihl - 20; i++)
			add(l, "%02X", op[i]);
		add(l, ") ");
	}
	switch (ih[9]) {
	case IPPROTO_TCP:
		if (dump_tcp(l, k, frag & 0x1fff, thoff, flags))
			return;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (dump_udp(l, k, ih[9], frag & 0x1fff, thoff))
			return;
		break;
	case IPPROTO_ICMP: {
		const uint8_t *ic;

		add(l, "PROTO=ICMP ");
		if (frag & 0x1fff)
			break;
		ic = hdr(k, thoff, 8);
		if (!ic) {
			add(l, "INCOMPLETE [%u bytes] ", k->len - thoff);
			break;
		}
		add(l, "TYPE=%u CODE=%u ", ic[0], ic[1]);
		if (ic[0] <= 18 && required_len[ic[0]] && k->len - thoff < required_len[ic[0]]) {
			add(l, "INCOMPLETE [%u bytes] ", k->len - thoff);
			break;
		}
		switch (ic[0]) {
		case 0:
		case 8:
			add(l, "ID=%u SEQ=%u ", be16(ic + 4), be16(ic + 6));
			break;
		case 12:
			add(l, "PARAMETER=%u ", be32(ic + 4) >> 24);
			break;
		case 5:
			add(l, "GATEWAY=");
			add_ip4(l, ic + 4);
			add(l, " ");
			/* fallthrough */
		case 3:
		case 4:
		case 11:
			if (outer) {
				add(l, "[");
				dump_ipv4(l, k, thoff + 8, flags, ev, 0);
				add(l, "] ");
			}
			if (ic[0] == 3 && ic[1] == 4)
				add(l, "MTU=%u ", be16(ic + 6));
		}
		break;
	}
	case IPPROTO_AH: {
		const uint8_t *ah;

		if (frag & 0x1fff)
			break;
		add(l, "PROTO=AH ");
		ah = hdr(k, thoff, 12);
		if (!ah) {
			add(l, "INCOMPLETE [%u bytes] ", k->len - thoff);
			break;
		}
		add(l, "SPI=0x%x ", be32(ah + 4));
		break;
	}
	case IPPROTO_ESP: {
		const uint8_t *eh;

		add(l, "PROTO=ESP ");
		if (frag & 0x1fff)
			break;
		eh = hdr(k, thoff, 8);
		if (!eh) {
			add(l, "INCOMPLETE [%u bytes] ", k->len - thoff);
			break;
		}
		add(l, "SPI=0x%x ", be32(eh));
		break;
	}
	default:
		add(l, "PROTO=%u ", ih[9]);
	}
	/* the kernel tests !iphoff: the outer header of an IP hook */
	if ((flags & NF_LOG_UID) && outer && iphoff == 0)
		add_uid(l, ev->uid);
	if (outer && iphoff == 0 && ev->mark)
		add(l, "MARK=0x%x ", ev->mark);
}

static int ip6_ext(uint8_t h)
{
	return h == 0 || h == 43 || h == 44 || h == 50 || h == 51 || h == 59 || h == 60;
}

static void dump_ipv6(struct lbuf *l, const struct kpkt *k, uint32_t ip6hoff, uint32_t flags,
		      const struct bnft_log_ev *ev, int recurse)
{
	const uint8_t *ih = hdr(k, ip6hoff, 40);
	uint32_t ptr, hdrlen = 0, w;
	int fragment = 0;
	uint8_t cur;

	if (!ih) {
		add(l, "TRUNCATED");
		return;
	}
	w = be32(ih);
	add(l, "SRC=");
	add_ip6(l, ih + 8);
	add(l, " DST=");
	add_ip6(l, ih + 24);
	add(l, " ");
	add(l, "LEN=%u TC=%u HOPLIMIT=%u FLOWLBL=%u ", be16(ih + 4) + 40u, (w & 0x0ff00000) >> 20,
	    ih[7], w & 0x000fffff);
	ptr = ip6hoff + 40;
	cur = ih[6];
	while (cur != 59 && ip6_ext(cur)) {
		const uint8_t *hp = hdr(k, ptr, 2);

		if (!hp) {
			add(l, "TRUNCATED");
			return;
		}
		if (flags & NF_LOG_IPOPT)
			add(l, "OPT ( ");
		switch (cur) {
		case 44: {
			const uint8_t *fh;

			add(l, "FRAG:");
			fh = hdr(k, ptr, 8);
			if (!fh) {
				add(l, "TRUNCATED ");
				return;
			}
			add(l, "%u ", be16(fh + 2) & 0xfff8);
			if (be16(fh + 2) & 1)
				add(l, "INCOMPLETE ");
			add(l, "ID:%08x ", be32(fh + 4));
			if (be16(fh + 2) & 0xfff8)
				fragment = 1;
			hdrlen = 8;
			break;
		}
		case 60:
		case 43:
		case 0:
			if (fragment) {
				if (flags & NF_LOG_IPOPT)
					add(l, ")");
				return;
			}
			hdrlen = ((uint32_t)hp[1] + 1) << 3;
			break;
		case 51:
			if (flags & NF_LOG_IPOPT) {
				const uint8_t *ah;

				add(l, "AH ");
				if (fragment) {
					add(l, ")");
					return;
				}
				ah = hdr(k, ptr, 12);
				if (!ah) {
					add(l, "INCOMPLETE [%u bytes] )", k->len - ptr);
					return;
				}
				add(l, "SPI=0x%x ", be32(ah + 4));
			}
			hdrlen = ((uint32_t)hp[1] + 2) << 2;
			break;
		case 50:
			if (flags & NF_LOG_IPOPT) {
				const uint8_t *eh;

				add(l, "ESP ");
				if (fragment) {
					add(l, ")");
					return;
				}
				eh = hdr(k, ptr, 8);
				if (!eh) {
					add(l, "INCOMPLETE [%u bytes] )", k->len - ptr);
					return;
				}
				add(l, "SPI=0x%x )", be32(eh));
			}
			return;
		default:
			add(l, "Unknown Ext Hdr %u", cur);
			return;
		}
		if (flags & NF_LOG_IPOPT)
			add(l, ") ");
		cur = hp[0];
		ptr += hdrlen;
	}
	switch (cur) {
	case IPPROTO_TCP:
		if (dump_tcp(l, k, fragment, ptr, flags))
			return;
		break;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		if (dump_udp(l, k, cur, fragment, ptr))
			return;
		break;
	case IPPROTO_ICMPV6: {
		const uint8_t *ic;

		add(l, "PROTO=ICMPv6 ");
		if (fragment)
			break;
		ic = hdr(k, ptr, 8);
		if (!ic) {
			add(l, "INCOMPLETE [%u bytes] ", k->len - ptr);
			return;
		}
		add(l, "TYPE=%u CODE=%u ", ic[0], ic[1]);
		switch (ic[0]) {
		case 128:
		case 129:
			add(l, "ID=%u SEQ=%u ", be16(ic + 4), be16(ic + 6));
			break;
		case 130:
		case 131:
		case 132:
			break;
		case 4:
			add(l, "POINTER=%08x ", be32(ic + 4));
			/* fallthrough */
		case 1:
		case 2:
		case 3:
			if (recurse) {
				add(l, "[");
				dump_ipv6(l, k, ptr + 8, flags, ev, 0);
				add(l, "] ");
			}
			if (ic[0] == 2)
				add(l, "MTU=%u ", be32(ic + 4));
		}
		break;
	}
	default:
		add(l, "PROTO=%u ", cur);
	}
	if ((flags & NF_LOG_UID) && recurse)
		add_uid(l, ev->uid);
	if (recurse && ev->mark)
		add(l, "MARK=0x%x ", ev->mark);
}

static void dump_mac(struct lbuf *l, const uint8_t *pkt, uint32_t maclen, uint32_t flags,
		     int type)
{
	uint32_t i;

	if ((flags & NF_LOG_MACDECODE) && type == ARPHRD_ETHER) {
		if (maclen < ETH_HLEN)
			return;
		add(l, "MACSRC=");
		add_mac(l, pkt + 6);
		add(l, " MACDST=");
		add_mac(l, pkt);
		add(l, " MACPROTO=%04x ", be16(pkt + 12));
		return;
	}
	add(l, "MAC=");
	if (maclen) {
		add(l, "%02x", pkt[0]);
		for (i = 1; i < maclen; i++)
			add(l, ":%02x", pkt[i]);
	}
	add(l, " ");
}

static void dump_arp(struct lbuf *l, const struct kpkt *k, const uint8_t *pkt, uint32_t maclen,
		     uint32_t flags, int type)
{
	const uint8_t *ah = hdr(k, 0, 8), *ap;

	if (!ah) {
		add(l, "TRUNCATED");
		return;
	}
	if ((flags & NF_LOG_MACDECODE) && type == ARPHRD_ETHER && maclen >= ETH_HLEN) {
		add(l, "MACSRC=");
		add_mac(l, pkt + 6);
		add(l, " MACDST=");
		add_mac(l, pkt);
		add(l, " MACPROTO=%04x ", be16(pkt + 12));
	}
	add(l, "ARP HTYPE=%d PTYPE=0x%04x OPCODE=%d", be16(ah), be16(ah + 2), be16(ah + 6));
	if (be16(ah) != ARPHRD_ETHER || ah[4] != ETH_ALEN || ah[5] != 4)
		return;
	ap = hdr(k, 8, 20);
	if (!ap) {
		add(l, " INCOMPLETE [%u bytes]", k->len - 8);
		return;
	}
	add(l, " MACSRC=");
	add_mac(l, ap);
	add(l, " IPSRC=");
	add_ip4(l, ap + 6);
	add(l, " MACDST=");
	add_mac(l, ap + 10);
	add(l, " IPDST=");
	add_ip4(l, ap + 16);
}

/* The stage of a record whose statement's stage is decided per packet. */
static uint32_t log_stage_of(uint32_t stage, const struct bnft_log_ev *ev)
{
	if (stage != BNFT_LOGST_RUNTIME && stage != BNFT_LOGST_ROUTE)
		return stage;
	if ((ev->info >> 16) & BNFT_PF_EGRESS)
		return BNFT_LOGST_OUT;
	if (stage == BNFT_LOGST_ROUTE && (ev->info >> 24) == BNFT_RC_FORWARD)
		return BNFT_LOGST_FWD;
	return BNFT_LOGST_IN;
}

int bnft_log_format(const struct bnft_log_ev *ev, size_t evlen, const struct bnft_log_meta *m,
		    const struct bnft_log_dev *dev, char *buf, size_t n)
{
	uint8_t pkt[BNFT_LOG_CAP];
	struct lbuf l = { .b = buf, .n = n };
	uint32_t nhoff, base, cap, stage = m->stage;
	uint16_t proto;
	struct kpkt k;
	bool in;

	if (evlen < sizeof(*ev) || ev->magic != BNFT_LOG_MAGIC ||
	    ev->version != BNFT_LOG_EV_VERSION || ev->caplen > BNFT_LOG_CAP || n < 2)
		return -EINVAL;
	buf[0] = 0;
	nhoff = ev->offs & 0xffff;
	cap = ev->caplen;
	memcpy(pkt, ev->pkt, cap);
	stage = log_stage_of(stage, ev);
	/* postrouting of a forwarded packet: ip_output() passes the input
	 * device as `in` (the caller names it from ingress_ifindex) */
	in = stage == BNFT_LOGST_IN || stage == BNFT_LOGST_FWD ||
	     (stage == BNFT_LOGST_OUT && dev->in[0]);
	base = stage == BNFT_LOGST_NETDEV_OUT ? 0 : nhoff;
	if (base > cap || base > ev->len)
		return -EINVAL;
	proto = ntohs((uint16_t)ev->protocol);
	/* forward chains see the TTL ip_forward() already decremented */
	if (stage == BNFT_LOGST_FWD && cap >= nhoff + 9 && proto == ETH_P_IP && pkt[nhoff + 8])
		pkt[nhoff + 8]--;
	if (stage == BNFT_LOGST_FWD && cap >= nhoff + 8 && proto == ETH_P_IPV6 && pkt[nhoff + 7])
		pkt[nhoff + 7]--;
	k.d = pkt + base;
	k.len = ev->len - base;
	k.cap = cap - base;

	add(&l, "%sIN=%s OUT=%s ", m->prefix, in ? dev->in : "",
	    stage == BNFT_LOGST_IN ? "" : dev->out);
	if (m->family == NFPROTO_NETDEV && proto != ETH_P_IP && proto != ETH_P_IPV6) {
		if (proto == ETH_P_ARP || proto == ETH_P_RARP)
			dump_arp(&l, &k, pkt, nhoff, m->flags, dev->in_type);
		else
			dump_mac(&l, pkt, nhoff, m->flags, dev->in_type);
		return (int)l.len;
	}
	if (in)
		dump_mac(&l, pkt, nhoff, m->flags, dev->in_type);
	if (proto == ETH_P_IP)
		dump_ipv4(&l, &k, nhoff - base, m->flags, ev, 1);
	else if (proto == ETH_P_IPV6)
		dump_ipv6(&l, &k, nhoff - base, m->flags, ev, 1);
	return (int)l.len;
}

/* ---- reading ----------------------------------------------------------- */

struct bnft_logd {
	char *root;
	int conf_fd;
	ino_t conf_ino;		/* the conf pin conf_fd was opened from */
	int gen;		/* generation the ring belongs to, -1 none */
	struct ring_buffer *rb;
	int ring_fd;
	struct bnft_log_meta *meta;
	uint32_t nmeta;
	int meta_fd;		/* for the lost counts */
	uint64_t lost;		/* lost records reported so far */
	uint64_t lost_check;	/* when the counts were read last (ns) */
	unsigned long bad;
	FILE *file;
	int kmsg_fd, kmsg_lines;
};

static void dev_name(uint32_t ifindex, char *out)
{
	char n[IF_NAMESIZE];

	out[0] = 0;
	if (ifindex && if_indextoname(ifindex, n))
		snprintf(out, 16, "%s", n);
}

static int dev_type(const char *name)
{
	struct ifreq ifr;
	int s, t = -1;

	if (!name[0])
		return -1;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (!ioctl(s, SIOCGIFHWADDR, &ifr))
		t = ifr.ifr_hwaddr.sa_family;
	close(s);
	return t;
}

static void sink(struct bnft_logd *ld, uint32_t level, const char *line)
{
	char out[1200];
	int n;

	if (ld->file) {
		fprintf(ld->file, "%s\n", line);
		fflush(ld->file);
		return;
	}
	/* /dev/kmsg rate-limits each open file (10 lines / 5 s unless
	 * printk_devkmsg=on); the kernel's own nf_log lines are not */
	if (ld->kmsg_fd >= 0 && ld->kmsg_lines >= 8) {
		close(ld->kmsg_fd);
		ld->kmsg_fd = -1;
	}
	if (ld->kmsg_fd < 0) {
		ld->kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
		ld->kmsg_lines = 0;
	}
	n = snprintf(out, sizeof(out), "<%u>%s\n", level & 7, line);
	if (ld->kmsg_fd < 0 || write(ld->kmsg_fd, out, (size_t)n) < 0)
		fprintf(stderr, "%s", out);
	ld->kmsg_lines++;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bnft_logd *ld = ctx;
	const struct bnft_log_ev *ev = data;
	struct bnft_log_dev dev;
	char line[1024];
	uint32_t stage;

	if (size < sizeof(*ev) || ev->magic != BNFT_LOG_MAGIC || ev->stmt >= ld->nmeta) {
		ld->bad++;
		return 0;
	}
	stage = log_stage_of(ld->meta[ev->stmt].stage, ev);
	memset(&dev, 0, sizeof(dev));
	if (stage == BNFT_LOGST_IN || stage == BNFT_LOGST_FWD)
		dev_name(ev->ifindex, dev.in);
	if (stage == BNFT_LOGST_FWD)
		dev_name(ev->oif, dev.out);
	else if (stage == BNFT_LOGST_OUT || stage == BNFT_LOGST_NETDEV_OUT)
		dev_name(ev->ifindex, dev.out);
	if (stage == BNFT_LOGST_OUT && ev->iif)
		dev_name(ev->iif, dev.in);
	dev.in_type = dev_type(dev.in[0] ? dev.in : dev.out);
	if (bnft_log_format(ev, size, &ld->meta[ev->stmt], &dev, line, sizeof(line)) < 0) {
		ld->bad++;
		return 0;
	}
	sink(ld, ld->meta[ev->stmt].level, line);
	return 0;
}

static void ring_release(struct bnft_logd *ld)
{
	if (ld->rb) {
		ring_buffer__consume(ld->rb);
		ring_buffer__free(ld->rb);
		ld->rb = NULL;
	}
	if (ld->ring_fd >= 0)
		close(ld->ring_fd);
	ld->ring_fd = -1;
	if (ld->meta_fd >= 0)
		close(ld->meta_fd);
	ld->meta_fd = -1;
	free(ld->meta);
	ld->meta = NULL;
	ld->nmeta = 0;
	ld->gen = -1;
}

static int ring_attach(struct bnft_logd *ld, int gen)
{
	struct bpf_map_info info;
	uint32_t ilen = sizeof(info), i;
	int mfd, err;

	ld->gen = gen; /* also when it has no log: not looked up again */
	err = bnft_live_gen_map(ld->root, BNFT_LOG_MAP_META, &mfd);
	if (err)
		return err == -ENOENT ? 0 : err;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(mfd, &info, &ilen) ||
	    info.value_size != sizeof(struct bnft_log_meta)) {
		close(mfd);
		return -EINVAL;
	}
	ld->meta = calloc(info.max_entries ? info.max_entries : 1, sizeof(*ld->meta));
	if (!ld->meta) {
		close(mfd);
		return -ENOMEM;
	}
	for (i = 0; i < info.max_entries; i++)
		if (bpf_map_lookup_elem(mfd, &i, &ld->meta[i]))
			break;
	ld->nmeta = i;
	ld->meta_fd = mfd;
	ld->lost = 0;
	for (i = 0; i < ld->nmeta; i++)
		ld->lost += ld->meta[i].lost;
	err = bnft_live_gen_map(ld->root, BNFT_LOG_MAP_RING, &ld->ring_fd);
	if (err)
		return err;
	ld->rb = ring_buffer__new(ld->ring_fd, on_record, ld, NULL);
	if (!ld->rb)
		return -errno ?: -ENOMEM;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Once a second at most: records the ring had no room for, as one line
 * in the same log (the kernel's printk would not have lost them). */
static void report_lost(struct bnft_logd *ld)
{
	struct bnft_log_meta m;
	uint64_t now = mono_ns(), total = 0;
	char line[128];
	uint32_t i;

	if (ld->meta_fd < 0 || now - ld->lost_check < 1000000000ull)
		return;
	ld->lost_check = now;
	for (i = 0; i < ld->nmeta; i++)
		if (!bpf_map_lookup_elem(ld->meta_fd, &i, &m))
			total += m.lost;
	if (total <= ld->lost)
		return;
	snprintf(line, sizeof(line), "bnft: %llu log records lost (ring buffer full)",
		 (unsigned long long)(total - ld->lost));
	ld->lost = total;
	sink(ld, 4, line);
}

int bnft_logd_open(const char *pin_root, struct bnft_logd **out)
{
	struct bnft_logd *ld = calloc(1, sizeof(*ld));
	const char *f = getenv("BNFT_LOG_FILE");

	if (!ld)
		return -ENOMEM;
	ld->root = strdup(pin_root);
	ld->conf_fd = ld->ring_fd = ld->kmsg_fd = ld->meta_fd = -1;
	ld->gen = -1;
	if (!ld->root) {
		free(ld);
		return -ENOMEM;
	}
	if (f && f[0]) {
		ld->file = fopen(f, "ae");
		if (!ld->file) {
			int err = -errno;

			free(ld->root);
			free(ld);
			return err;
		}
	}
	*out = ld;
	return 0;
}

void bnft_logd_close(struct bnft_logd **ldp)
{
	struct bnft_logd *ld = *ldp;

	if (!ld)
		return;
	ring_release(ld);
	if (ld->conf_fd >= 0)
		close(ld->conf_fd);
	if (ld->kmsg_fd >= 0)
		close(ld->kmsg_fd);
	if (ld->file)
		fclose(ld->file);
	free(ld->root);
	free(ld);
	*ldp = NULL;
}

int bnft_logd_poll(struct bnft_logd *ld)
{
	uint32_t key = BNFT_CONF_ACTIVE, g;
	struct stat sb;
	char p[4200];
	int n = 0, err;

	/* a flush unpins everything (our fd would keep the old map alive),
	 * a later load pins a new conf: follow the pin */
	snprintf(p, sizeof(p), "%s/conf", ld->root);
	if (stat(p, &sb) || (ld->conf_fd >= 0 && sb.st_ino != ld->conf_ino)) {
		if (ld->conf_fd >= 0)
			close(ld->conf_fd);
		ld->conf_fd = -1;
	}
	if (ld->conf_fd < 0) {
		ld->conf_fd = bpf_obj_get(p);
		ld->conf_ino = ld->conf_fd >= 0 && !stat(p, &sb) ? sb.st_ino : 0;
		if (ld->rb) {
			n = ring_buffer__consume(ld->rb);
			ring_release(ld);
		}
	}
	if (ld->conf_fd < 0 || bpf_map_lookup_elem(ld->conf_fd, &key, &g)) {
		/* nothing live (flushed): the pins went away */
		if (ld->conf_fd >= 0)
			close(ld->conf_fd);
		ld->conf_fd = -1;
		if (ld->rb)
			n += ring_buffer__consume(ld->rb);
		ring_release(ld);
		return n < 0 ? 0 : n;
	}
	g &= 1;
	if ((int)g != ld->gen) {
		int gone = ld->rb ? ring_buffer__consume(ld->rb) : 0;

		ring_release(ld);
		err = ring_attach(ld, (int)g);
		if (err < 0)
			ring_release(ld);
		n += gone > 0 ? gone : 0;
	}
	if (ld->rb) {
		int c = ring_buffer__consume(ld->rb);

		n += c > 0 ? c : 0;
		report_lost(ld);
	}
	return n;
}

int bnft_logd_fd(const struct bnft_logd *ld)
{
	return ld && ld->rb ? ring_buffer__epoll_fd(ld->rb) : -1;
}

bool bnft_logd_busy(const struct bnft_logd *ld)
{
	return ld && ld->rb;
}

unsigned long bnft_logd_bad(const struct bnft_logd *ld)
{
	return ld ? ld->bad : 0;
}
