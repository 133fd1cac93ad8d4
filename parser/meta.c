// SPDX-License-Identifier: GPL-2.0
/*
 * meta keys (NFT_META_*) and the datatypes that belong to them: interface
 * index/type/group, realm, TC classid, uid/gid, packet type, netfilter
 * protocol, day/hour/time of packet reception, cgroupv2 paths.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <linux/netfilter/nf_tables.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/proto.h"
#include "parser/value.h"

static int meta_error(struct error_record **erec, const struct expr *sym, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int meta_error(struct error_record **erec, const struct expr *sym, const char *fmt, ...)
{
	va_list ap;

	if (erec) {
		va_start(ap, fmt);
		*erec = erec_vcreate(EREC_ERROR, &sym->location, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static const struct datatype *sym_dtype(const struct expr *sym, const struct datatype *def)
{
	return sym->dtype ? sym->dtype : def;
}

static int alloc_u64(const struct expr *sym, const struct datatype *dtype, unsigned int len,
		     uint64_t x, struct expr **out, struct error_record **erec)
{
	*out = value_expr_alloc_u64(&sym->location, dtype, dtype->byteorder, len, x);
	return *out ? 0 : meta_error(erec, sym, "Out of memory");
}

/* ------------------------------------------------------------------ */
/* nfproto, iface_type, pkt_type                                       */

static const struct symbol_table nfproto_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.base_dec = true,
	.symbols = { { "ipv4", 2 }, { "ipv6", 10 }, SYMBOL_LIST_END },
};

const struct datatype nfproto_type = {
	.type = TYPE_NFPROTO,
	.name = "nf_proto",
	.desc = "netfilter protocol",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &nfproto_tbl,
};

static const struct symbol_table arphrd_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 16,
	.symbols = {
		{ "ether", 1 },	     { "ppp", 512 }, { "ipip", 768 }, { "ipip6", 769 },
		{ "loopback", 772 }, { "sit", 776 }, { "ipgre", 778 }, SYMBOL_LIST_END,
	},
};

const struct datatype arphrd_type = {
	.type = TYPE_ARPHRD,
	.name = "iface_type",
	.desc = "network interface type",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 16,
	.basetype = &integer_type,
	.sym_tbl = &arphrd_tbl,
};

static const struct symbol_table pkttype_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.base_dec = true,
	.symbols = {
		{ "host", 0 },	    { "unicast", 0 }, { "broadcast", 1 },
		{ "multicast", 2 }, { "other", 3 },   SYMBOL_LIST_END,
	},
};

const struct datatype pkttype_type = {
	.type = TYPE_PKTTYPE,
	.name = "pkt_type",
	.desc = "packet type",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.sym_tbl = &pkttype_tbl,
};

/* ------------------------------------------------------------------ */
/* iface_index                                                         */

static void ifindex_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	char name[IF_NAMESIZE];
	unsigned int idx = (unsigned int)expr_value_u64(e);

	if (if_indextoname(idx, name))
		outbuf_printf(o, "\"%s\"", name);
	else
		outbuf_printf(o, "%u", idx);
}

static int ifindex_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	unsigned int idx = if_nametoindex(sym->sym.identifier);
	unsigned long long n;
	char *end;

	if (!idx) {
		/* nft takes an index number too: "iif 1" lists as "lo" */
		errno = 0;
		n = strtoull(sym->sym.identifier, &end, 0);
		if (end == sym->sym.identifier || *end || errno || n > UINT32_MAX)
			return meta_error(erec, sym, "Interface does not exist");
		idx = (unsigned int)n;
	}
	return alloc_u64(sym, sym_dtype(sym, &ifindex_type), 32, idx, out, erec);
}

const struct datatype ifindex_type = {
	.type = TYPE_IFINDEX,
	.name = "iface_index",
	.desc = "network interface index",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = ifindex_print,
	.parse = ifindex_parse,
};

/* ------------------------------------------------------------------ */
/* realm and devgroup: iproute2 tables, printed quoted                 */

static const struct symbol_table realm_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.base_dec = true,
	.symbols = { { "cosmos", 0 }, SYMBOL_LIST_END },
};

static const struct symbol_table devgroup_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.base_dec = true,
	.symbols = { { "default", 0 }, SYMBOL_LIST_END },
};

static void quoted_sym_print(const struct symbol_table *tbl, const struct expr *e,
			     const struct output_ctx *octx, struct outbuf *o)
{
	uint64_t v = expr_value_u64(e);
	const char *name = symbol_table_name(tbl, v);

	if (name && !octx_numeric_symbol(octx))
		outbuf_printf(o, "\"%s\"", name);
	else
		outbuf_printf(o, "%" PRIu64, v);
}

static int tbl_or_int_parse(const struct symbol_table *tbl, const struct expr *sym,
			    const struct datatype *dtype, struct expr **out,
			    struct error_record **erec)
{
	const char *s = sym->sym.identifier;
	unsigned long long v;
	uint64_t val;
	char *end;

	if (symbol_table_lookup(tbl, s, &val))
		return alloc_u64(sym, dtype, dtype->size, val, out, erec);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || *end || errno)
		return meta_error(erec, sym, "Could not parse %s", dtype->desc);
	if (v > UINT32_MAX) {
		*out = value_expr_alloc_u64(&sym->location, dtype, dtype->byteorder, 64, v);
		return *out ? 0 : meta_error(erec, sym, "Out of memory");
	}
	return alloc_u64(sym, dtype, dtype->size, v, out, erec);
}

static void realm_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	quoted_sym_print(&realm_tbl, e, octx, o);
}

static int realm_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return tbl_or_int_parse(&realm_tbl, sym, sym_dtype(sym, &realm_type), out, erec);
}

const struct datatype realm_type = {
	.type = TYPE_REALM,
	.name = "realm",
	.desc = "routing realm",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = realm_print,
	.parse = realm_parse,
};

static void devgroup_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	quoted_sym_print(&devgroup_tbl, e, octx, o);
}

static int devgroup_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return tbl_or_int_parse(&devgroup_tbl, sym, sym_dtype(sym, &devgroup_type), out, erec);
}

const struct datatype devgroup_type = {
	.type = TYPE_DEVGROUP,
	.name = "devgroup",
	.desc = "devgroup name",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = devgroup_print,
	.parse = devgroup_parse,
};

/* ------------------------------------------------------------------ */
/* TC classid: root, none, major:minor (hex)                           */

static void classid_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	uint32_t v = (uint32_t)expr_value_u64(e);

	if (v == 0xffffffffu)
		outbuf_puts(o, "root");
	else if (v == 0)
		outbuf_puts(o, "none");
	else
		outbuf_printf(o, "%x:%x", v >> 16, v & 0xffff);
}

/* As nft's tchandle parser: "root", "none", "major:minor" in hex, else any
 * number (strtoull, base 0) truncated to 32 bits; nft accepts text that
 * is no number at all as 0 ("none"), and so do we. */
static int classid_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym_dtype(sym, &classid_type);
	const char *s = sym->sym.identifier, *colon;
	unsigned long long maj, min;
	uint32_t handle;

	if (!strcmp(s, "root")) {
		handle = 0xffffffffu;
	} else if (!strcmp(s, "none")) {
		handle = 0;
	} else if ((colon = strchr(s, ':'))) {
		errno = 0;
		maj = strtoull(s, NULL, 16);
		if (errno)
			return meta_error(erec, sym, "Could not parse %s", dtype->desc);
		handle = (uint32_t)(maj << 16);
		if (colon[1]) {
			min = strtoull(colon + 1, NULL, 16);
			if (errno)
				return meta_error(erec, sym, "Could not parse %s", dtype->desc);
			handle |= (uint32_t)min;
		}
	} else {
		handle = (uint32_t)strtoull(s, NULL, 0);
	}
	return alloc_u64(sym, dtype, 32, handle, out, erec);
}

const struct datatype classid_type = {
	.type = TYPE_CLASSID,
	.name = "classid",
	.desc = "TC classid",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = classid_print,
	.parse = classid_parse,
};

/* ------------------------------------------------------------------ */
/* uid, gid                                                            */

static void uid_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	uint64_t v = expr_value_u64(e);
	struct passwd *pw;

	if (octx && octx->guid && v <= UINT32_MAX) {
		pw = getpwuid((uid_t)v);
		if (pw) {
			outbuf_printf(o, "\"%s\"", pw->pw_name);
			return;
		}
	}
	outbuf_printf(o, "%" PRIu64, v);
}

static void gid_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	uint64_t v = expr_value_u64(e);
	struct group *gr;

	if (octx && octx->guid && v <= UINT32_MAX) {
		gr = getgrgid((gid_t)v);
		if (gr) {
			outbuf_printf(o, "\"%s\"", gr->gr_name);
			return;
		}
	}
	outbuf_printf(o, "%" PRIu64, v);
}

static int id_parse(const struct expr *sym, struct expr **out, struct error_record **erec,
		    bool user)
{
	const struct datatype *dtype = sym_dtype(sym, user ? &uid_type : &gid_type);
	const char *s = sym->sym.identifier;
	unsigned long long v;
	struct passwd *pw;
	struct group *gr;
	char *end;

	if (user && (pw = getpwnam(s)))
		return alloc_u64(sym, dtype, 32, pw->pw_uid, out, erec);
	if (!user && (gr = getgrnam(s)))
		return alloc_u64(sym, dtype, 32, gr->gr_gid, out, erec);
	errno = 0;
	v = strtoull(s, &end, 0);
	if (v > UINT32_MAX || errno == ERANGE)
		return meta_error(erec, sym, "Value too large");
	if (end == s || *end)
		return meta_error(erec, sym, user ? "User does not exist" : "Group does not exist");
	return alloc_u64(sym, dtype, 32, v, out, erec);
}

static int uid_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return id_parse(sym, out, erec, true);
}

static int gid_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return id_parse(sym, out, erec, false);
}

const struct datatype uid_type = {
	.type = TYPE_UID,
	.name = "uid",
	.desc = "user ID",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = uid_print,
	.parse = uid_parse,
};

const struct datatype gid_type = {
	.type = TYPE_GID,
	.name = "gid",
	.desc = "group ID",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = gid_print,
	.parse = gid_parse,
};

/* ------------------------------------------------------------------ */
/* day, hour, time (of packet reception; local time zone)              */

static const char *const days[] = { "Sunday",	"Monday", "Tuesday", "Wednesday",
				    "Thursday", "Friday", "Saturday" };

static void day_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	uint64_t v = expr_value_u64(e);

	if (v < 7 && !octx_numeric_symbol(octx))
		outbuf_printf(o, "\"%s\"", days[v]);
	else
		outbuf_printf(o, "%" PRIu64, v);
}

static int day_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym_dtype(sym, &day_type);
	const char *s = sym->sym.identifier;
	unsigned long v;
	unsigned int i;
	char *end;

	for (i = 0; i < 7; i++) {
		if (!strcmp(days[i], s)) /* nft takes the exact name only */
			return alloc_u64(sym, dtype, 8, i, out, erec);
	}
	v = strtoul(s, &end, 10);
	if (end != s && !*end) {
		if (v > 6)
			return meta_error(erec, sym, "Value %lu exceeds valid range 0-6", v);
		return alloc_u64(sym, dtype, 8, v, out, erec);
	}
	return meta_error(erec, sym, "Could not parse %s", dtype->desc);
}

const struct datatype day_type = {
	.type = TYPE_TIME_DAY,
	.name = "day",
	.desc = "Day of week of packet reception",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.print = day_print,
	.parse = day_parse,
};

/* Offset of local time from UTC in seconds, for "now" (as nft does). */
static long local_utc_offset(void)
{
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	return tm.tm_gmtoff;
}

static void hour_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	long secs = (long)(expr_value_u64(e) % 86400);

	secs = (secs + local_utc_offset()) % 86400;
	if (secs < 0)
		secs += 86400;
	outbuf_printf(o, "\"%02ld:%02ld", secs / 3600, (secs % 3600) / 60);
	if (secs % 60)
		outbuf_printf(o, ":%02ld", secs % 60);
	outbuf_puts(o, "\"");
}

/*
 * nft's order: a plain number is seconds since midnight UTC; else
 * "%H:%M:%S" or "%H:%M" in local time (strptime, so ":60" seconds carry
 * into the next minute); trailing text after "%H:%M" is an error; else a
 * relative time ("1h") in seconds.
 */
static int hour_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym_dtype(sym, &hour_type);
	const char *s = sym->sym.identifier;
	unsigned long num;
	const char *end;
	char *nend;
	struct tm tm;
	uint64_t ms;
	long secs;

	num = strtoul(s, &nend, 10);
	if (nend != s && *nend == '\0')
		return alloc_u64(sym, dtype, 32, (uint32_t)num, out, erec);

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%T", &tm);
	if (!end || *end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, "%R", &tm);
	}
	if (end && *end == '\0') {
		secs = (long)tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec - local_utc_offset();
		secs %= 86400;
		if (secs < 0)
			secs += 86400;
		return alloc_u64(sym, dtype, 32, (uint64_t)secs, out, erec);
	}
	if (end && *end)
		return meta_error(erec, sym, "Can't parse trailing input: \"%s\"\n", end);
	if (time_string_parse(s, &ms))
		return meta_error(erec, sym, "wrong time format");
	return alloc_u64(sym, dtype, 32, (uint32_t)(ms / 1000), out, erec);
}

const struct datatype hour_type = {
	.type = TYPE_TIME_HOUR,
	.name = "hour",
	.desc = "Hour of day of packet reception",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = hour_print,
	.parse = hour_parse,
};

static void date_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	uint64_t ns = expr_value_u64(e);
	time_t t = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	char buf[64];

	if (!localtime_r(&t, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm)) {
		outbuf_printf(o, "%" PRIu64, ns);
		return;
	}
	outbuf_printf(o, "\"%s\"", buf);
}

/*
 * As nft: "YYYY-MM-DD" optionally followed by " HH:MM:SS" or " HH:MM" in
 * local time (anything after that is ignored, dates normalise like mktime:
 * Feb 30 is Mar 2), else a number of seconds since the epoch.
 */
static int date_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym_dtype(sym, &date_type);
	const char *s = sym->sym.identifier;
	unsigned long long secs;
	const char *end, *t;
	struct tm tm;
	char *nend;
	time_t ts;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end) {
		t = strptime(end, " %T", &tm);
		if (!t)
			strptime(end, " %R", &tm);
		tm.tm_isdst = -1;
		ts = mktime(&tm);
		if (ts == (time_t)-1)
			return meta_error(erec, sym, "Cannot parse date");
		secs = (unsigned long long)ts;
	} else {
		secs = strtoull(s, &nend, 10);
		if (nend == s || *nend)
			return meta_error(erec, sym, "Cannot parse date");
	}
	/* nanoseconds; nft lets a huge number wrap */
	return alloc_u64(sym, dtype, 64, secs * 1000000000ULL, out, erec);
}

const struct datatype date_type = {
	.type = TYPE_TIME_DATE,
	.name = "time",
	.desc = "Relative time of packet reception",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 64,
	.basetype = &integer_type,
	.print = date_print,
	.parse = date_parse,
};

/* ------------------------------------------------------------------ */
/* cgroupv2: a path below /sys/fs/cgroup, stored as its inode number   */

#define CGROUP2_ROOT "/sys/fs/cgroup"

static int cgroup_find(const char *dir, uint64_t ino, char *out, size_t size, int depth)
{
	struct dirent *de;
	char path[PATH_MAX];
	struct stat st;
	DIR *d;
	int found = 0;

	if (depth > 32)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) < 0)
			continue;
		if ((uint64_t)st.st_ino == ino) {
			snprintf(out, size, "%s", path);
			found = 1;
		} else {
			found = cgroup_find(path, ino, out, size, depth + 1);
		}
	}
	closedir(d);
	return found;
}

static void cgroupv2_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	uint64_t id = expr_value_u64(e);
	char path[PATH_MAX];

	if (cgroup_find(CGROUP2_ROOT, id, path, sizeof(path), 0))
		outbuf_printf(o, "\"%s\"", path + strlen(CGROUP2_ROOT) + 1);
	else
		outbuf_printf(o, "%" PRIu64, id);
}

static int cgroupv2_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym_dtype(sym, &cgroupv2_type);
	char path[PATH_MAX];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s/%s", CGROUP2_ROOT, sym->sym.identifier) >=
	    (int)sizeof(path))
		return meta_error(erec, sym, "cgroupv2 path fails: %s", strerror(ENAMETOOLONG));
	if (stat(path, &st) < 0)
		return meta_error(erec, sym, "cgroupv2 path fails: %s", strerror(errno));
	return alloc_u64(sym, dtype, 64, (uint64_t)st.st_ino, out, erec);
}

const struct datatype cgroupv2_type = {
	.type = TYPE_CGROUPV2,
	.name = "cgroupsv2",
	.desc = "cgroupsv2 path",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 64,
	.basetype = &integer_type,
	.print = cgroupv2_print,
	.parse = cgroupv2_parse,
};

/* ------------------------------------------------------------------ */
/* meta keys                                                           */

#ifndef NFT_META_BRI_BROUTE
#define NFT_META_BRI_BROUTE 35
#endif
#ifndef NFT_META_BRI_IIFHWADDR
#define NFT_META_BRI_IIFHWADDR 37 /* after __NFT_META_IIFTYPE (36) */
#endif
#define META_KEY_MAX (NFT_META_BRI_IIFHWADDR + 1)

#define MT(_tok, _dt, _len, _bo) { .token = _tok, .dtype = _dt, .len = _len, .byteorder = _bo }
#define H BYTEORDER_HOST_ENDIAN
#define B BYTEORDER_BIG_ENDIAN

static const struct key_template meta_templates[META_KEY_MAX] = {
	[NFT_META_LEN] = MT("length", &integer_type, 32, H),
	[NFT_META_PROTOCOL] = MT("protocol", &ethertype_type, 16, B),
	[NFT_META_PRIORITY] = MT("priority", &classid_type, 32, H),
	[NFT_META_MARK] = MT("mark", &mark_type, 32, H),
	[NFT_META_IIF] = MT("iif", &ifindex_type, 32, H),
	[NFT_META_IIFNAME] = MT("iifname", &ifname_type, 128, H),
	[NFT_META_IIFTYPE] = MT("iiftype", &arphrd_type, 16, H),
	[NFT_META_OIF] = MT("oif", &ifindex_type, 32, H),
	[NFT_META_OIFNAME] = MT("oifname", &ifname_type, 128, H),
	[NFT_META_OIFTYPE] = MT("oiftype", &arphrd_type, 16, H),
	[NFT_META_SKUID] = MT("skuid", &uid_type, 32, H),
	[NFT_META_SKGID] = MT("skgid", &gid_type, 32, H),
	[NFT_META_NFTRACE] = MT("nftrace", &integer_type, 1, H),
	[NFT_META_RTCLASSID] = MT("rtclassid", &realm_type, 32, H),
	[NFT_META_SECMARK] = MT("secmark", &integer_type, 32, H),
	[NFT_META_NFPROTO] = MT("nfproto", &nfproto_type, 8, H),
	[NFT_META_L4PROTO] = MT("l4proto", &inet_protocol_type, 8, H),
	[NFT_META_BRI_IIFNAME] = MT("ibrname", &ifname_type, 128, H),
	[NFT_META_BRI_OIFNAME] = MT("obrname", &ifname_type, 128, H),
	[NFT_META_PKTTYPE] = MT("pkttype", &pkttype_type, 8, H),
	[NFT_META_CPU] = MT("cpu", &integer_type, 32, H),
	[NFT_META_IIFGROUP] = MT("iifgroup", &devgroup_type, 32, H),
	[NFT_META_OIFGROUP] = MT("oifgroup", &devgroup_type, 32, H),
	[NFT_META_CGROUP] = MT("cgroup", &integer_type, 32, H),
	[NFT_META_PRANDOM] = MT("random", &integer_type, 32, B),
	[NFT_META_SECPATH] = MT("ipsec", &boolean_type, 8, H),
	[NFT_META_IIFKIND] = MT("iifkind", &ifname_type, 128, H),
	[NFT_META_OIFKIND] = MT("oifkind", &ifname_type, 128, H),
	[NFT_META_BRI_IIFPVID] = MT("ibrpvid", &integer_type, 16, H),
	[NFT_META_BRI_IIFVPROTO] = MT("ibrvproto", &ethertype_type, 16, B),
	[NFT_META_TIME_NS] = MT("time", &date_type, 64, H),
	[NFT_META_TIME_DAY] = MT("day", &day_type, 8, H),
	[NFT_META_TIME_HOUR] = MT("hour", &hour_type, 32, H),
	[NFT_META_SDIF] = MT("sdif", &ifindex_type, 32, H),
	[NFT_META_SDIFNAME] = MT("sdifname", &ifname_type, 128, H),
	[NFT_META_BRI_BROUTE] = MT("broute", &integer_type, 1, H),
	[NFT_META_BRI_IIFHWADDR] = MT("ibrhwaddr", &etheraddr_type, 48, B),
};

/* Names the grammar accepts besides the template tokens. */
static const struct {
	const char *alias;
	unsigned int key;
} meta_aliases[] = {
	{ "secpath", NFT_META_SECPATH },
	{ "ibriport", NFT_META_BRI_IIFNAME },
	{ "obriport", NFT_META_BRI_OIFNAME },
};

int meta_key_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < META_KEY_MAX; i++)
		if (meta_templates[i].token && !strcmp(meta_templates[i].token, name))
			return (int)i;
	for (i = 0; i < sizeof(meta_aliases) / sizeof(meta_aliases[0]); i++)
		if (!strcmp(meta_aliases[i].alias, name))
			return (int)meta_aliases[i].key;
	return -1;
}

const struct key_template *meta_template(unsigned int key)
{
	if (key >= META_KEY_MAX || !meta_templates[key].token)
		return NULL;
	return &meta_templates[key];
}

bool meta_key_is_unqualified(unsigned int key)
{
	switch (key) {
	case NFT_META_IIF:
	case NFT_META_OIF:
	case NFT_META_IIFNAME:
	case NFT_META_OIFNAME:
	case NFT_META_IIFGROUP:
	case NFT_META_OIFGROUP:
		return true;
	default:
		return false;
	}
}

struct expr *meta_expr_alloc(const struct location *loc, unsigned int key)
{
	const struct key_template *t = meta_template(key);
	struct expr *e;

	if (!t)
		return NULL;
	e = expr_alloc(loc ? loc : &internal_location, EXPR_META);
	if (!e)
		return NULL;
	e->meta.key = key;
	e->dtype = t->dtype;
	e->len = t->len;
	e->byteorder = t->byteorder;
	/* meta l4proto / protocol / nfproto select the next layer */
	if (key == NFT_META_L4PROTO || key == NFT_META_PROTOCOL || key == NFT_META_NFPROTO)
		e->flags |= EXPR_F_PROTOCOL;
	return e;
}
