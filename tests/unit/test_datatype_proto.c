// SPDX-License-Identifier: GPL-2.0
/*
 * Header templates and key tables checked against upstream data:
 *  - every "# <proto> <field> <value>" rule of the tests/py payload files
 *    must load the bytes our template implies ("payload load 1b @ network
 *    header + 1" and, for sub-byte fields, the bitwise mask), and likewise
 *    for ip6 extension headers, tcp options and sctp chunks;
 *  - meta/ct key types and sizes as `nft describe` 1.0.6 reports them.
 * The corpus part skips (passes with a message) when the folder is absent.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <linux/netfilter/nf_tables.h>

#include "parser/ast.h"
#include "parser/datatype.h"
#include "parser/proto.h"

static const char *corpora(void)
{
	const char *c = getenv("BNFT_CORPORA");

	return c && *c ? c : "/work/shared/corpora";
}

static const char *base_name(enum payload_base b)
{
	switch (b) {
	case PAYLOAD_LL:
		return "link";
	case PAYLOAD_NETWORK:
		return "network";
	case PAYLOAD_TRANSPORT:
		return "transport";
	default:
		return "?";
	}
}

/* Mask bytes for bits [o, o+l) of an n-byte big endian field, as libnftnl
 * prints data: 0x followed by the bytes in order. */
static void mask_text(unsigned int o, unsigned int l, unsigned int n, char *buf, size_t size)
{
	uint8_t m[64] = { 0 };
	unsigned int i, pos;

	for (i = o; i < o + l; i++)
		m[i / 8] |= 0x80 >> (i % 8);
	pos = snprintf(buf, size, "0x");
	for (i = 0; i < n && pos + 2 < size; i++)
		pos += snprintf(buf + pos, size - pos, "%02x", m[i]);
}

struct stats {
	unsigned int checked, failed;
};

static bool is_proto_word(const char *w)
{
	return proto_lookup(w) || exthdr_lookup(EXTHDR_OP_IPV6, w) || !strcmp(w, "meta") ||
	       !strcmp(w, "ct") || !strcmp(w, "option") || !strcmp(w, "chunk");
}

/* Rules with a single selector and no writes/maps/concats only. */
static bool simple_rule(char **tok, unsigned int ntok, unsigned int first_value)
{
	unsigned int i;

	for (i = first_value; i < ntok; i++) {
		if (is_proto_word(tok[i]) || !strcmp(tok[i], "set") || !strcmp(tok[i], ".") ||
		    !strcmp(tok[i], "map") || !strcmp(tok[i], "vmap") || !strcmp(tok[i], "@nh") ||
		    !strcmp(tok[i], "reset") || strchr(tok[i], '/'))
			return false; /* prefixes load only the bytes they cover */
	}
	return true;
}

static void expect_load(const char *rule, char **lines, unsigned int nlines, const char *want,
			bool sub_byte, const char *mask, struct stats *st)
{
	unsigned int i;

	st->checked++;
	for (i = 0; i < nlines; i++) {
		if (!strstr(lines[i], want))
			continue;
		if (!sub_byte)
			return;
		if (i + 1 < nlines && strstr(lines[i + 1], "bitwise") &&
		    strstr(lines[i + 1], mask))
			return;
		break;
	}
	st->failed++;
	print_message("MISMATCH: %s\n   want '%s'%s%s\n", rule, want, sub_byte ? " mask " : "",
		      sub_byte ? mask : "");
}

static void check_rule(const char *rule, char **lines, unsigned int nlines, struct stats *st)
{
	char buf[4096], want[160], mask[80], *tok[32], *save;
	const struct proto_desc *desc;
	unsigned int ntok = 0, o, l, n, first = 2;
	int field = -1;
	enum exthdr_op op;

	size_t rl = strlen(rule);

	if (rl >= sizeof(buf))
		return;
	memcpy(buf, rule, rl + 1);
	for (char *t = strtok_r(buf, " ", &save); t && ntok < 32; t = strtok_r(NULL, " ", &save))
		tok[ntok++] = t;
	if (ntok < 3)
		return;

	/* tcp option NAME FIELD / sctp chunk NAME FIELD */
	if ((!strcmp(tok[0], "tcp") && !strcmp(tok[1], "option")) ||
	    (!strcmp(tok[0], "sctp") && !strcmp(tok[1], "chunk")) ||
	    (!strcmp(tok[0], "ip") && !strcmp(tok[1], "option"))) {
		if (ntok < 5)
			return;
		op = tok[0][0] == 't' ? EXTHDR_OP_TCPOPT :
		     tok[0][0] == 's' ? EXTHDR_OP_SCTP : EXTHDR_OP_IPV4;
		desc = exthdr_lookup(op, tok[2]);
		if (!desc)
			return;
		field = proto_field_lookup(desc, tok[3]);
		if (field <= 0 || !simple_rule(tok, ntok, 4))
			return;
		o = desc->templates[field].offset;
		l = desc->templates[field].len;
		n = (o % 8 + l + 7) / 8;
		snprintf(want, sizeof(want), "exthdr load %s%ub @ %u + %u =>",
			 op == EXTHDR_OP_TCPOPT ? "tcpopt " : op == EXTHDR_OP_IPV4 ? "ipv4 " : "",
			 n, desc->exthdr_type, o / 8);
		mask_text(o % 8, l, n, mask, sizeof(mask));
		expect_load(rule, lines, nlines, want, o % 8 || l % 8, mask, st);
		return;
	}

	desc = exthdr_lookup(EXTHDR_OP_IPV6, tok[0]);
	if (desc) {
		field = proto_field_lookup(desc, tok[1]);
		if (field <= 0 || !simple_rule(tok, ntok, 2))
			return;
		o = desc->templates[field].offset;
		l = desc->templates[field].len;
		n = (o % 8 + l + 7) / 8;
		snprintf(want, sizeof(want), "exthdr load ipv6 %ub @ %u + %u =>", n,
			 desc->exthdr_type, o / 8);
		mask_text(o % 8, l, n, mask, sizeof(mask));
		expect_load(rule, lines, nlines, want, o % 8 || l % 8, mask, st);
		return;
	}

	desc = proto_lookup(tok[0]);
	if (!desc || desc->meta_key || desc->inner.type)
		return;
	if (ntok >= 4) {
		char two[64];

		snprintf(two, sizeof(two), "%s %s", tok[1], tok[2]);
		field = proto_field_lookup(desc, two);
		if (field > 0)
			first = 3;
	}
	if (field <= 0)
		field = proto_field_lookup(desc, tok[1]);
	if (field <= 0 || !simple_rule(tok, ntok, first))
		return;
	o = desc->templates[field].offset;
	l = desc->templates[field].len;
	if (desc == &proto_vlan)
		o += proto_eth.length;
	n = (o % 8 + l + 7) / 8;
	snprintf(want, sizeof(want), "payload load %ub @ %s header + %u =>", n,
		 base_name(desc->base), o / 8);
	mask_text(o % 8, l, n, mask, sizeof(mask));
	expect_load(rule, lines, nlines, want, o % 8 || l % 8, mask, st);
}

static void scan_file(const char *path, struct stats *st)
{
	char line[4096], rule[4096] = "", *lines[256];
	unsigned int nlines = 0, i;
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	for (;;) {
		char *got = fgets(line, sizeof(line), f);

		if (!got || line[0] == '#') {
			if (rule[0])
				check_rule(rule, lines, nlines, st);
			for (i = 0; i < nlines; i++)
				free(lines[i]);
			nlines = 0;
			rule[0] = '\0';
			if (!got)
				break;
			line[strcspn(line, "\n")] = '\0';
			memcpy(rule, line + 2, strlen(line + 2) + 1);
			continue;
		}
		if (rule[0] && nlines < 256)
			lines[nlines++] = strdup(line);
	}
	fclose(f);
}

static void test_templates_vs_payload_corpus(void **state)
{
	char pattern[512];
	struct stats st = { 0 };
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/nftables/tests/py/*/*.t.payload*", corpora());
	if (glob(pattern, 0, NULL, &g) != 0) {
		print_message("SKIP: no corpus at %s\n", corpora());
		skip();
	}
	for (i = 0; i < g.gl_pathc; i++)
		scan_file(g.gl_pathv[i], &st);
	globfree(&g);
	print_message("template checks: %u rules, %u mismatches\n", st.checked, st.failed);
	assert_true(st.checked > 500);
	assert_int_equal(st.failed, 0);
}

/* Field facts that matter most, independent of the corpus. */
static void test_template_facts(void **state)
{
	const struct proto_hdr_template *t;

	t = &proto_ip.templates[proto_field_lookup(&proto_ip, "dscp")];
	assert_int_equal(t->offset, 8);
	assert_int_equal(t->len, 6);
	assert_ptr_equal(t->dtype, &dscp_type);
	t = &proto_ip6.templates[proto_field_lookup(&proto_ip6, "flowlabel")];
	assert_int_equal(t->offset, 12);
	assert_int_equal(t->len, 20);
	t = &proto_tcp.templates[proto_field_lookup(&proto_tcp, "flags")];
	assert_int_equal(t->offset, 104);
	assert_int_equal(t->len, 8);
	assert_ptr_equal(t->dtype, &tcp_flag_type);
	t = &proto_ip.templates[proto_field_lookup(&proto_ip, "hdrlength")];
	assert_int_equal(t->offset, 4);
	assert_int_equal(t->len, 4);
	assert_int_equal(t->byteorder, BYTEORDER_BIG_ENDIAN);

	assert_ptr_equal(proto_find_upper(&proto_ip, 6), &proto_tcp);
	assert_ptr_equal(proto_find_upper(&proto_ip6, 58), &proto_icmp6);
	assert_ptr_equal(proto_find_upper(&proto_eth, 0x86dd), &proto_ip6);
	assert_ptr_equal(proto_find_upper(&proto_inet, 2), &proto_ip);
	assert_int_equal(proto_find_num(&proto_inet_service, &proto_sctp), 132);
	assert_int_equal(proto_find_num(&proto_netdev, &proto_arp), 0x0806);
	assert_int_equal(proto_find_num(&proto_ip, &proto_icmp6), 58);
	assert_int_equal(proto_find_num(&proto_ip6, &proto_arp), -1);
	assert_ptr_equal(proto_family_base(2, PAYLOAD_NETWORK), &proto_ip);
	assert_ptr_equal(proto_family_base(1, PAYLOAD_LL), &proto_inet);
	assert_ptr_equal(proto_lookup("icmpv6"), &proto_icmp6);
	assert_null(proto_lookup("nosuch"));
	assert_int_equal(proto_field_lookup(&proto_tcp, "nosuch"), -1);
	assert_int_equal(proto_field_lookup(&proto_arp, "saddr ip"), ARPHDR_SADDR_IP);
	/* bridge/vlan.t: "vlan cfi 1" lists as "vlan dei 1" */
	assert_int_equal(proto_field_lookup(&proto_vlan, "cfi"), VLANHDR_DEI);
	assert_int_equal(proto_find_field(&proto_tcp, 16, 16), TCPHDR_DPORT);
	assert_int_equal(proto_find_field(&proto_ip, 8, 6), IPHDR_DSCP);
	assert_int_equal(proto_find_field(&proto_ip, 8, 8), -1);
	assert_int_equal(proto_vxlan.inner.type, 1);
	assert_int_equal(proto_vxlan.inner.hdrsize, 8);
	assert_int_equal(proto_gre.inner.flags, 0xc);
	assert_int_equal(proto_gretap.inner.flags, 0xe);
}

/* nft describe meta KEY / ct KEY (nft 1.0.6): datatype name and bits. */
static const struct {
	const char *key, *type;
	unsigned int bits;
} meta_describe[] = {
	{ "length", "integer", 32 },	  { "protocol", "ether_type", 16 },
	{ "priority", "classid", 32 },	  { "mark", "mark", 32 },
	{ "iif", "iface_index", 32 },	  { "iifname", "ifname", 128 },
	{ "iiftype", "iface_type", 16 },  { "oif", "iface_index", 32 },
	{ "oifname", "ifname", 128 },	  { "oiftype", "iface_type", 16 },
	{ "skuid", "uid", 32 },		  { "skgid", "gid", 32 },
	{ "nftrace", "integer", 1 },	  { "rtclassid", "realm", 32 },
	{ "ibrname", "ifname", 128 },	  { "obrname", "ifname", 128 },
	{ "pkttype", "pkt_type", 8 },	  { "cpu", "integer", 32 },
	{ "iifgroup", "devgroup", 32 },	  { "oifgroup", "devgroup", 32 },
	{ "cgroup", "integer", 32 },	  { "random", "integer", 32 },
	{ "secpath", "boolean", 8 },	  { "nfproto", "nf_proto", 8 },
	{ "l4proto", "inet_proto", 8 },	  { "ibrpvid", "integer", 16 },
	{ "ibrvproto", "ether_type", 16 }, { "time", "time", 64 },
	{ "day", "day", 8 },		  { "hour", "hour", 32 },
	{ "secmark", "integer", 32 },	  { "sdif", "iface_index", 32 },
	{ "sdifname", "ifname", 128 },	  { "iifkind", "ifname", 128 },
	{ "oifkind", "ifname", 128 },
};

static void test_meta_keys(void **state)
{
	unsigned int i;

	for (i = 0; i < sizeof(meta_describe) / sizeof(meta_describe[0]); i++) {
		int key = meta_key_lookup(meta_describe[i].key);
		const struct key_template *t;

		if (key < 0)
			fail_msg("meta %s unknown", meta_describe[i].key);
		t = meta_template(key);
		assert_non_null(t);
		if (strcmp(t->dtype->name, meta_describe[i].type) || t->len != meta_describe[i].bits)
			fail_msg("meta %s: %s/%u, nft says %s/%u", meta_describe[i].key,
				 t->dtype->name, t->len, meta_describe[i].type,
				 meta_describe[i].bits);
	}
	assert_int_equal(meta_key_lookup("l4proto"), NFT_META_L4PROTO);
	assert_int_equal(meta_key_lookup("nosuch"), -1);
	assert_true(meta_key_is_unqualified(NFT_META_IIFNAME));
	assert_false(meta_key_is_unqualified(NFT_META_MARK));
}

static void test_ct_keys(void **state)
{
	static const struct {
		const char *key, *type;
		unsigned int bits;
	} d[] = {
		{ "state", "ct_state", 32 },	{ "direction", "ct_dir", 8 },
		{ "status", "ct_status", 32 },	{ "mark", "mark", 32 },
		{ "expiration", "time", 32 },	{ "helper", "string", 128 },
		{ "l3proto", "nf_proto", 8 },	{ "protocol", "inet_proto", 8 },
		{ "proto-src", "inet_service", 16 }, { "proto-dst", "inet_service", 16 },
		{ "label", "ct_label", 128 },	{ "bytes", "integer", 64 },
		{ "packets", "integer", 64 },	{ "avgpkt", "integer", 64 },
		{ "zone", "integer", 16 },	{ "event", "ct_event", 32 },
		{ "secmark", "integer", 32 },	{ "id", "integer", 32 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		int key = ct_key_lookup(d[i].key);
		const struct key_template *t;

		if (key < 0)
			fail_msg("ct %s unknown", d[i].key);
		t = ct_template(key);
		if (strcmp(t->dtype->name, d[i].type) || t->len != d[i].bits)
			fail_msg("ct %s: %s/%u, want %s/%u", d[i].key, t->dtype->name, t->len,
				 d[i].type, d[i].bits);
	}
	assert_true(ct_key_is_directional(NFT_CT_PROTO_SRC));
	assert_false(ct_key_is_directional(NFT_CT_STATE));
}

static void test_other_keys(void **state)
{
	assert_int_equal(rt_key_lookup("mtu"), NFT_RT_TCPMSS);
	assert_int_equal(rt_key_lookup("nexthop"), NFT_RT_NEXTHOP4);
	assert_int_equal(socket_key_lookup("cgroupv2"), NFT_SOCKET_CGROUPV2);
	assert_int_equal(fib_result_lookup("type"), NFT_FIB_RESULT_ADDRTYPE);
	assert_ptr_equal(fib_result_template(NFT_FIB_RESULT_ADDRTYPE)->dtype, &fib_addr_type);
	assert_int_equal(fib_flag_lookup("iif"), NFTA_FIB_F_IIF);
	assert_int_equal(xfrm_key_lookup("spi"), NFT_XFRM_KEY_SPI);
	assert_int_equal(tunnel_key_lookup("id"), 1);
	assert_ptr_equal(exthdr_lookup(EXTHDR_OP_TCPOPT, "sack0"),
			 exthdr_lookup(EXTHDR_OP_TCPOPT, "sack"));
	assert_string_equal(exthdr_find_type(EXTHDR_OP_TCPOPT, 2)->name, "maxseg");
	assert_string_equal(exthdr_find_type(EXTHDR_OP_SCTP, 0xc1)->name, "asconf");
	assert_null(exthdr_lookup(EXTHDR_OP_TCPOPT, "foobar"));
}

/* nft describe (1.0.6, unchanged in 1.1) for a few selectors */
static void describe_eq(const char *kind, const struct datatype *d, unsigned int len,
			const char *want)
{
	struct outbuf o;

	outbuf_init(&o);
	datatype_describe(kind, d, len, &o);
	assert_non_null(o.buf);
	assert_string_equal(o.buf, want);
	outbuf_release(&o);
}

static void test_describe(void **state)
{
	const struct key_template *t;

	t = meta_template(meta_key_lookup("mark"));
	describe_eq("meta", t->dtype, t->len,
		    "meta expression, datatype mark (packet mark) (basetype integer), 32 bits\n");
	t = meta_template(meta_key_lookup("iifname"));
	describe_eq("meta", t->dtype, t->len,
		    "meta expression, datatype ifname (network interface name) (basetype string), "
		    "16 characters\n");
	t = ct_template(ct_key_lookup("state"));
	describe_eq("ct", t->dtype, t->len,
		    "ct expression, datatype ct_state (conntrack state) (basetype bitmask, integer), "
		    "32 bits\n\npre-defined symbolic constants (in hexadecimal):\n"
		    "\tinvalid                       \t0x00000001\n"
		    "\tnew                           \t0x00000008\n"
		    "\testablished                   \t0x00000002\n"
		    "\trelated                       \t0x00000004\n"
		    "\tuntracked                     \t0x00000040\n");
	t = meta_template(meta_key_lookup("pkttype"));
	describe_eq("meta", t->dtype, t->len,
		    "meta expression, datatype pkt_type (packet type) (basetype integer), 8 bits\n"
		    "\npre-defined symbolic constants (in decimal):\n"
		    "\thost                          \t                   0\n"
		    "\tunicast                       \t                   0\n"
		    "\tbroadcast                     \t                   1\n"
		    "\tmulticast                     \t                   2\n"
		    "\tother                         \t                   3\n");
	describe_eq("payload", &arpop_type, 16,
		    "payload expression, datatype arp_op (ARP operation) (basetype integer), 16 bits\n"
		    "\npre-defined symbolic constants (in hexadecimal):\n"
		    "\trequest                       \t0x0001\n"
		    "\treply                         \t0x0002\n"
		    "\trrequest                      \t0x0003\n"
		    "\trreply                        \t0x0004\n"
		    "\tinrequest                     \t0x0008\n"
		    "\tinreply                       \t0x0009\n"
		    "\tnak                           \t0x000a\n");
	t = socket_template(socket_key_lookup("transparent"));
	describe_eq("socket", t->dtype, t->len,
		    "socket expression, datatype integer (integer), 8 bits\n");
	t = fib_result_template(fib_result_lookup("oifname"));
	describe_eq("fib", t->dtype, t->len,
		    "fib expression, datatype string (string), 16 characters\n");
	describe_eq("payload", &integer_type, 12,
		    "payload expression, datatype integer (integer), 12 bits\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_facts),
		cmocka_unit_test(test_meta_keys),
		cmocka_unit_test(test_ct_keys),
		cmocka_unit_test(test_other_keys),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_templates_vs_payload_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
