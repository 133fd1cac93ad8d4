// SPDX-License-Identifier: GPL-2.0
/* Key tables of rt, socket, fib, osf, numgen, hash, ipsec (xfrm) and
 * tunnel expressions, and the fib address type. */
#include <string.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/datatype.h"
#include "parser/proto.h"

#define H BYTEORDER_HOST_ENDIAN
#define B BYTEORDER_BIG_ENDIAN
#define KT(_tok, _dt, _len, _bo) { .token = _tok, .dtype = _dt, .len = _len, .byteorder = _bo }
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const struct symbol_table fib_addr_tbl = {
	.byteorder = H,
	.size = 32,
	.base_dec = true,
	.symbols = {
		{ "unspec", 0 },    { "unicast", 1 },	  { "local", 2 },
		{ "broadcast", 3 }, { "anycast", 4 },	  { "multicast", 5 },
		{ "blackhole", 6 }, { "unreachable", 7 }, { "prohibit", 8 },
		SYMBOL_LIST_END,
	},
};

const struct datatype fib_addr_type = {
	.type = TYPE_FIB_ADDR,
	.name = "fib_addrtype",
	.desc = "fib address type",
	.byteorder = H,
	.size = 32,
	.basetype = &integer_type,
	.sym_tbl = &fib_addr_tbl,
};

static int table_lookup(const struct key_template *t, unsigned int n, const char *name)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (t[i].token && !strcmp(t[i].token, name))
			return (int)i;
	return -1;
}

static const struct key_template *table_get(const struct key_template *t, unsigned int n,
					    unsigned int key)
{
	return key < n && t[key].token ? &t[key] : NULL;
}

/* rt: "nexthop" is NEXTHOP4 or NEXTHOP6 depending on the family; the
 * lookup returns NEXTHOP4 and evaluate switches for ip6. */
static const struct key_template rt_templates[] = {
	[NFT_RT_CLASSID] = KT("classid", &realm_type, 32, H),
	[NFT_RT_NEXTHOP4] = KT("nexthop", &ipaddr_type, 32, B),
	[NFT_RT_NEXTHOP6] = KT("nexthop", &ip6addr_type, 128, B),
	[NFT_RT_TCPMSS] = KT("mtu", &integer_type, 16, H),
	[NFT_RT_XFRM] = KT("ipsec", &boolean_type, 8, H),
};

int rt_key_lookup(const char *name)
{
	return table_lookup(rt_templates, ARRAY_SIZE(rt_templates), name);
}

const struct key_template *rt_template(unsigned int key)
{
	return table_get(rt_templates, ARRAY_SIZE(rt_templates), key);
}

static const struct key_template socket_templates[] = {
	[NFT_SOCKET_TRANSPARENT] = KT("transparent", &integer_type, 8, H),
	[NFT_SOCKET_MARK] = KT("mark", &mark_type, 32, H),
	[NFT_SOCKET_WILDCARD] = KT("wildcard", &integer_type, 8, H),
	[NFT_SOCKET_CGROUPV2] = KT("cgroupv2", &cgroupv2_type, 64, H),
};

int socket_key_lookup(const char *name)
{
	return table_lookup(socket_templates, ARRAY_SIZE(socket_templates), name);
}

const struct key_template *socket_template(unsigned int key)
{
	return table_get(socket_templates, ARRAY_SIZE(socket_templates), key);
}

static const struct key_template fib_result_templates[] = {
	[NFT_FIB_RESULT_OIF] = KT("oif", &ifindex_type, 32, H),
	[NFT_FIB_RESULT_OIFNAME] = KT("oifname", &string_type, 128, H),
	[NFT_FIB_RESULT_ADDRTYPE] = KT("type", &fib_addr_type, 32, H),
};

int fib_result_lookup(const char *name)
{
	return table_lookup(fib_result_templates, ARRAY_SIZE(fib_result_templates), name);
}

const struct key_template *fib_result_template(unsigned int result)
{
	return table_get(fib_result_templates, ARRAY_SIZE(fib_result_templates), result);
}

static const struct {
	const char *name;
	unsigned int flag;
} fib_flags[] = {
	{ "saddr", NFTA_FIB_F_SADDR }, { "daddr", NFTA_FIB_F_DADDR }, { "mark", NFTA_FIB_F_MARK },
	{ "iif", NFTA_FIB_F_IIF },     { "oif", NFTA_FIB_F_OIF },
};

int fib_flag_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fib_flags); i++)
		if (!strcmp(fib_flags[i].name, name))
			return (int)fib_flags[i].flag;
	return -1;
}

void fib_flags_print(unsigned int flags, struct outbuf *o)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(fib_flags); i++) {
		if (!(flags & fib_flags[i].flag))
			continue;
		outbuf_printf(o, "%s%s", n++ ? " . " : "", fib_flags[i].name);
	}
}

static const struct key_template xfrm_templates[] = {
	[NFT_XFRM_KEY_DADDR_IP4] = KT("daddr", &ipaddr_type, 32, B),
	[NFT_XFRM_KEY_DADDR_IP6] = KT("daddr", &ip6addr_type, 128, B),
	[NFT_XFRM_KEY_SADDR_IP4] = KT("saddr", &ipaddr_type, 32, B),
	[NFT_XFRM_KEY_SADDR_IP6] = KT("saddr", &ip6addr_type, 128, B),
	[NFT_XFRM_KEY_REQID] = KT("reqid", &integer_type, 32, B),
	[NFT_XFRM_KEY_SPI] = KT("spi", &integer_type, 32, B),
};

/* "saddr"/"daddr" return the IPv4 key; evaluate switches for "ip6". */
int xfrm_key_lookup(const char *name)
{
	return table_lookup(xfrm_templates, ARRAY_SIZE(xfrm_templates), name);
}

const struct key_template *xfrm_template(unsigned int key)
{
	return table_get(xfrm_templates, ARRAY_SIZE(xfrm_templates), key);
}

/* enum nft_tunnel_keys: PATH 0, ID 1 */
static const struct key_template tunnel_templates[] = {
	[0] = KT("path", &boolean_type, 8, H),
	[1] = KT("id", &integer_type, 32, H),
};

int tunnel_key_lookup(const char *name)
{
	return table_lookup(tunnel_templates, ARRAY_SIZE(tunnel_templates), name);
}

const struct key_template *tunnel_template(unsigned int key)
{
	return table_get(tunnel_templates, ARRAY_SIZE(tunnel_templates), key);
}

/* osf name is a string of NFT_OSF_MAXGENRELEN (16) bytes; numgen and hash
 * results are 32 bit host endian integers. */
const struct key_template osf_template = KT("name", &string_type, 16 * 8, H);
const struct key_template numgen_template = KT("numgen", &integer_type, 32, H);
const struct key_template hash_template = KT("hash", &integer_type, 32, H);
