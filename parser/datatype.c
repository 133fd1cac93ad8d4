// SPDX-License-Identifier: GPL-2.0
/*
 * Core datatypes of the nft language and the generic machinery: symbol
 * tables, integer/string/address types, parse and print dispatch. Types
 * tied to one concept live beside it (meta.c, ct.c, keys_hdrtypes.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/value.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static int dt_error(struct error_record **erec, const struct expr *sym, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int dt_error(struct error_record **erec, const struct expr *sym, const char *fmt, ...)
{
	va_list ap;

	if (erec) {
		va_start(ap, fmt);
		*erec = erec_vcreate(EREC_ERROR, &sym->location, fmt, ap);
		va_end(ap);
	}
	return -1;
}

uint64_t expr_value_u64(const struct expr *e)
{
	enum byteorder bo = e->byteorder;

	if (bo == BYTEORDER_INVALID && e->dtype)
		bo = e->dtype->byteorder;
	return value_get_u64(&e->value, bo);
}

static enum byteorder expr_bo(const struct expr *e)
{
	if (e->byteorder != BYTEORDER_INVALID)
		return e->byteorder;
	if (e->dtype && e->dtype->byteorder != BYTEORDER_INVALID)
		return e->dtype->byteorder;
	return BYTEORDER_HOST_ENDIAN;
}

/*
 * Parse a number the way GMP's mpz_set_str(.., 0) does: 0x/0X hex, 0b
 * binary, leading 0 octal, else decimal. Whole string must be consumed.
 */
static int parse_number(const char *s, unsigned __int128 *out)
{
	unsigned __int128 x = 0, lim = ~(unsigned __int128)0;
	unsigned int base = 10, d;

	if (!*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		/* below 2^120, x * base + d cannot overflow: no 128-bit
		 * division (__udivti3) per digit */
		if ((x >> 120) && x > (lim - d) / base)
			return -ERANGE;
		x = x * base + d;
	}
	*out = x;
	return 0;
}

static unsigned int bits_needed(unsigned __int128 x)
{
	unsigned int n = 0;

	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Symbol tables                                                       */

int symbol_table_lookup(const struct symbol_table *tbl, const char *name, uint64_t *val)
{
	const struct symbolic_constant *s;

	if (!tbl)
		return 0;
	for (s = tbl->symbols; s->identifier; s++) {
		if (!strcmp(s->identifier, name)) {
			*val = s->value;
			return 1;
		}
	}
	return 0;
}

const char *symbol_table_name(const struct symbol_table *tbl, uint64_t val)
{
	const struct symbolic_constant *s;

	if (!tbl)
		return NULL;
	for (s = tbl->symbols; s->identifier; s++)
		if (s->value == val)
			return s->identifier;
	return NULL;
}

const struct symbol_table *datatype_sym_tbl(const struct datatype *d)
{
	for (; d; d = d->basetype)
		if (d->sym_tbl)
			return d->sym_tbl;
	return NULL;
}

void symbol_table_print(const struct symbol_table *tbl, const struct datatype *dtype,
			struct outbuf *o)
{
	const struct symbolic_constant *s;
	unsigned int bytes = value_bytes(dtype->size ? dtype->size : tbl->size);

	for (s = tbl->symbols; s->identifier; s++) {
		if (tbl->base_dec)
			outbuf_printf(o, "\t%-30s\t%20" PRIu64 "\n", s->identifier, s->value);
		else
			outbuf_printf(o, "\t%-30s\t0x%.*" PRIx64 "\n", s->identifier, (int)(2 * bytes),
				      s->value);
	}
}

void datatype_describe(const char *kind, const struct datatype *dtype, unsigned int len,
		       struct outbuf *o)
{
	const struct datatype *b;
	const struct symbol_table *tbl;

	outbuf_printf(o, "%s expression, datatype %s (%s)", kind, dtype->name, dtype->desc);
	if (dtype->type == TYPE_INVALID)
		return; /* nft stops here too (e.g. "ct original saddr") */
	if (dtype->basetype) {
		outbuf_puts(o, " (basetype ");
		for (b = dtype->basetype; b; b = b->basetype)
			outbuf_printf(o, "%s%s", b == dtype->basetype ? "" : ", ", b->name);
		outbuf_puts(o, ")");
	}
	if (datatype_basetype(dtype)->type == TYPE_STRING) {
		if (len)
			outbuf_printf(o, ", %u characters", len / 8);
		else
			outbuf_puts(o, ", dynamic length");
	} else {
		outbuf_printf(o, ", %u bits", len);
	}
	outbuf_puts(o, "\n");
	tbl = dtype->sym_tbl;
	if (tbl && tbl->symbols[0].identifier) {
		outbuf_printf(o, "\npre-defined symbolic constants (in %s):\n",
			      tbl->base_dec ? "decimal" : "hexadecimal");
		symbol_table_print(tbl, dtype, o);
	} else if (dtype->type == TYPE_INET_PROTOCOL) {
		unsigned int p;

		for (p = 0; p < 255; p++) {
			const char *name = inet_protocol_name((uint8_t)p);

			if (name)
				outbuf_printf(o, "\t%-30s\t%u\n", name, p);
		}
	}
}

/* A number wider than 64 bits in hex without leading zeros, e.g. a raw
 * "@ll,0,128 0xfedcba987654321001234567890abcde". */
static void print_wide_hex(const struct expr *e, struct outbuf *o)
{
	unsigned int n = value_bytes(e->value.len), i, idx;
	bool le = expr_bo(e) == BYTEORDER_HOST_ENDIAN &&
		  __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
	bool started = false;

	outbuf_puts(o, "0x");
	for (i = 0; i < n; i++) {
		idx = le ? n - 1 - i : i; /* most significant byte first */
		if (!started) {
			if (!e->value.data[idx] && i + 1 < n)
				continue;
			outbuf_printf(o, "%x", e->value.data[idx]);
			started = true;
			continue;
		}
		outbuf_printf(o, "%02x", e->value.data[idx]);
	}
}

static void integer_print_raw(const struct expr *e, const struct datatype *dtype, struct outbuf *o)
{
	const char *fmt = NULL;
	char buf[64];

	for (; dtype; dtype = dtype->basetype) {
		if (dtype->basefmt) {
			fmt = dtype->basefmt;
			break;
		}
	}
	if (e->value.len > 64 && fmt && !strncmp(fmt, "0x", 2)) {
		print_wide_hex(e, o);
		return;
	}
	if (e->value.len > 64 && !fmt) {
		value_to_decimal(&e->value, expr_bo(e), buf, sizeof(buf));
		outbuf_puts(o, buf);
		return;
	}
	if (!fmt)
		fmt = "%llu";
	outbuf_printf(o, fmt, (unsigned long long)expr_value_u64(e));
}

/* nft's symbolic_constant_print: the name, else the basetype's print. */
static void symbolic_print(const struct symbol_table *tbl, const struct expr *e,
			   const struct output_ctx *octx, struct outbuf *o, bool quotes)
{
	uint64_t val = expr_value_u64(e);
	const char *name = symbol_table_name(tbl, val);
	const struct datatype *bt;

	if (!name || e->value.len > 64) {
		bt = e->dtype ? e->dtype->basetype : NULL;
		while (bt && !bt->print && bt->basetype)
			bt = bt->basetype;
		if (bt && bt->print && bt->type != TYPE_INTEGER && bt->type != TYPE_BITMASK) {
			bt->print(e, octx, o);
			return;
		}
		integer_print_raw(e, e->dtype, o);
		return;
	}
	if (octx_numeric_symbol(octx)) {
		integer_print_raw(e, e->dtype, o);
		return;
	}
	outbuf_printf(o, quotes ? "\"%s\"" : "%s", name);
}

void datatype_print_flags(const struct expr *e, const char *sep, const struct output_ctx *octx,
			  struct outbuf *o)
{
	const struct symbol_table *tbl = datatype_sym_tbl(e->dtype);
	uint64_t val = expr_value_u64(e), rest = val;
	unsigned int i, n = 0;
	const char *name;

	if (!val || !tbl) {
		datatype_print(e, octx, o);
		return;
	}
	for (i = 0; i < 64; i++) {
		uint64_t bit = 1ULL << i;

		if (!(val & bit))
			continue;
		name = symbol_table_name(tbl, bit);
		if (!name || octx_numeric_symbol(octx))
			continue;
		outbuf_printf(o, "%s%s", n++ ? sep : "", name);
		rest &= ~bit;
	}
	if (rest)
		outbuf_printf(o, "%s0x%" PRIx64, n ? sep : "", rest);
}

/* ------------------------------------------------------------------ */
/* Dispatch                                                            */

void datatype_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	const struct datatype *d = e->dtype;

	if (e->etype == EXPR_VERDICT) {
		verdict_type.print(e, octx, o);
		return;
	}
	for (; d; d = d->basetype) {
		if (d->print) {
			d->print(e, octx, o);
			return;
		}
		if (d->sym_tbl) {
			symbolic_print(d->sym_tbl, e, octx, o, false);
			return;
		}
	}
	integer_print_raw(e, e->dtype, o);
}

int symbol_table_parse(const struct datatype *dtype, const struct symbol_table *tbl,
		       const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *bt;
	struct expr tmp;
	uint64_t val;
	unsigned int size = tbl->size ? tbl->size : dtype->size;
	enum byteorder bo = dtype->byteorder;

	if (symbol_table_lookup(tbl, sym->sym.identifier, &val)) {
		*out = value_expr_alloc_u64(&sym->location, dtype, bo, size, val);
		return *out ? 0 : dt_error(erec, sym, "Out of memory");
	}
	for (bt = dtype->basetype; bt; bt = bt->basetype) {
		if (bt->parse) {
			tmp = *sym;
			tmp.dtype = dtype;
			return bt->parse(&tmp, out, erec);
		}
	}
	return dt_error(erec, sym, "Could not parse symbolic %s", dtype->desc);
}

int datatype_parse(const struct datatype *dtype, const struct expr *sym, struct expr **out,
		   struct error_record **erec)
{
	const struct datatype *d;
	struct expr tmp;

	*out = NULL;
	if (!dtype)
		return dt_error(erec, sym, "No symbol type information");
	if (sym->etype != EXPR_SYMBOL || !sym->sym.identifier)
		return dt_error(erec, sym, "Can't parse symbolic %s expressions", dtype->desc);
	tmp = *sym;
	tmp.dtype = dtype;
	for (d = dtype; d; d = d->basetype) {
		if (d->parse)
			return d->parse(&tmp, out, erec);
		if (d->sym_tbl)
			return symbol_table_parse(dtype, d->sym_tbl, &tmp, out, erec);
	}
	return dt_error(erec, sym, "Can't parse symbolic %s expressions", dtype->desc);
}

int datatype_value_fit(struct expr *e, unsigned int len, struct error_record **erec)
{
	enum byteorder bo = expr_bo(e);
	char val[64], max[64];
	struct value m;

	if (!value_exceeds(&e->value, bo, len)) {
		if (len <= BNFT_VALUE_MAX * 8)
			value_resize(&e->value, bo, len);
		e->len = len;
		return 0;
	}
	value_to_decimal(&e->value, bo, val, sizeof(val));
	memset(&m, 0, sizeof(m));
	m.len = len > 128 ? 128 : len;
	memset(m.data, 0xff, value_bytes(m.len));
	if (m.len % 8)
		m.data[0] = (1u << (m.len % 8)) - 1; /* big endian: top byte first */
	value_to_decimal(&m, BYTEORDER_BIG_ENDIAN, max, sizeof(max));
	if (erec)
		*erec = erec_create(EREC_ERROR, &e->location, "Value %s exceeds valid range 0-%s",
				    val, max);
	return -1;
}

/* ------------------------------------------------------------------ */
/* invalid, verdict                                                    */

const struct datatype invalid_type = {
	.type = TYPE_INVALID,
	.name = "invalid",
	.desc = "invalid",
};

static void verdict_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	const struct expr *c = e->etype == EXPR_VERDICT ? e->verdict.chain : NULL;
	int code = e->etype == EXPR_VERDICT ? e->verdict.code : (int)expr_value_u64(e);

	switch (code) {
	case VERDICT_ACCEPT:
		outbuf_puts(o, "accept");
		return;
	case VERDICT_DROP:
		outbuf_puts(o, "drop");
		return;
	case VERDICT_QUEUE:
		outbuf_puts(o, "queue");
		return;
	case VERDICT_CONTINUE:
		outbuf_puts(o, "continue");
		return;
	case VERDICT_BREAK:
		outbuf_puts(o, "break");
		return;
	case VERDICT_RETURN:
		outbuf_puts(o, "return");
		return;
	case VERDICT_JUMP:
	case VERDICT_GOTO:
		outbuf_puts(o, code == VERDICT_JUMP ? "jump " : "goto ");
		if (!c)
			return;
		if (c->etype == EXPR_SYMBOL)
			outbuf_puts(o, c->sym.identifier);
		else if (c->etype == EXPR_VARIABLE)
			outbuf_printf(o, "$%s", c->sym.identifier);
		else if (c->etype == EXPR_VALUE)
			outbuf_printf(o, "%.*s", (int)value_bytes(c->value.len),
				      (const char *)c->value.data);
		return;
	}
	outbuf_printf(o, "verdict %d", code);
}

const struct datatype verdict_type = {
	.type = TYPE_VERDICT,
	.name = "verdict",
	.desc = "netfilter verdict",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.print = verdict_print,
};

/* ------------------------------------------------------------------ */
/* integer, bitmask, string                                            */

static int integer_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &integer_type;
	unsigned int len = dtype->size ? dtype->size : 64;
	enum byteorder bo = dtype->byteorder ? dtype->byteorder : BYTEORDER_HOST_ENDIAN;
	unsigned __int128 x;
	uint8_t buf[16];
	unsigned int i;

	if (parse_number(sym->sym.identifier, &x) < 0)
		return dt_error(erec, sym, "Could not parse %s", dtype->desc);
	if (bits_needed(x) > len) {
		/* keep the full number so the range error can show it */
		len = 128;
		bo = BYTEORDER_HOST_ENDIAN;
	}
	*out = value_expr_alloc(&sym->location, dtype, bo, len, NULL);
	if (!*out)
		return dt_error(erec, sym, "Out of memory");
	if (len > 64) {
		for (i = 0; i < 16; i++)
			buf[i] = (uint8_t)(x >> (8 * i));
		struct value *v = &(*out)->value;
		unsigned int n = value_bytes(len);

		for (i = 0; i < n && i < 16; i++) {
			unsigned int idx = (bo == BYTEORDER_HOST_ENDIAN &&
					    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__) ?
						   i :
						   n - 1 - i;
			v->data[idx] = buf[i];
		}
	} else {
		value_set_u64(&(*out)->value, (uint64_t)x, len, bo);
	}
	return 0;
}

const struct datatype integer_type = {
	.type = TYPE_INTEGER,
	.name = "integer",
	.desc = "integer",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.parse = integer_parse,
};

const struct datatype xinteger_type = {
	.type = TYPE_INTEGER,
	.name = "integer",
	.desc = "integer",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.basetype = &integer_type,
	.basefmt = "0x%llx",
};

const struct datatype bitmask_type = {
	.type = TYPE_BITMASK,
	.name = "bitmask",
	.desc = "bitmask",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.basefmt = "0x%llx",
	.basetype = &integer_type,
};

static void string_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	unsigned int n = value_bytes(e->value.len), i;
	const char *s = (const char *)e->value.data;

	/* a type longer than the value holds (object names: 256 bytes) */
	if (n > sizeof(e->value.data))
		n = sizeof(e->value.data);

	for (i = 0; i < n && s[i]; i++)
		;
	/* a literal trailing '*' is escaped so it does not read as a wildcard
	 * (iifname "dummy\*"); wildcards are prefixes, printed elsewhere */
	if (i && s[i - 1] == '*')
		outbuf_printf(o, "\"%.*s\\*\"", (int)i - 1, s);
	else
		outbuf_printf(o, "\"%.*s\"", (int)i, s);
}

static int string_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &string_type;
	size_t n = strlen(sym->sym.identifier);

	if (n > BNFT_VALUE_MAX)
		return dt_error(erec, sym, "String exceeds maximum length of %u", BNFT_VALUE_MAX);
	*out = value_expr_alloc(&sym->location, dtype, BYTEORDER_HOST_ENDIAN, n * 8,
				sym->sym.identifier);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype string_type = {
	.type = TYPE_STRING,
	.name = "string",
	.desc = "string",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.print = string_print,
	.parse = string_parse,
};

const struct datatype ifname_type = {
	.type = TYPE_IFNAME,
	.name = "ifname",
	.desc = "network interface name",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 16 * 8,
	.basetype = &string_type,
};

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

static void lladdr_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	unsigned int n = value_bytes(e->value.len), i;

	for (i = 0; i < n; i++)
		outbuf_printf(o, "%s%02x", i ? ":" : "", e->value.data[i]);
}

static int lladdr_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &lladdr_type;
	const char *s = sym->sym.identifier;
	uint8_t buf[BNFT_VALUE_MAX];
	unsigned int n = 0;
	char *end;
	unsigned long b;

	for (;;) {
		if (n == sizeof(buf))
			return dt_error(erec, sym, "Invalid LL address");
		b = strtoul(s, &end, 16);
		if (end == s || b > 0xff)
			return dt_error(erec, sym, "Invalid LL address");
		buf[n++] = b;
		if (*end == '\0')
			break;
		s = end + 1;
	}
	*out = value_expr_alloc(&sym->location, dtype, BYTEORDER_BIG_ENDIAN, n * 8, buf);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype lladdr_type = {
	.type = TYPE_LLADDR,
	.name = "ll_addr",
	.desc = "link layer address",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.basetype = &integer_type,
	.print = lladdr_print,
	.parse = lladdr_parse,
};

const struct datatype etheraddr_type = {
	.type = TYPE_ETHERADDR,
	.name = "ether_addr",
	.desc = "Ethernet address",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 48,
	.basetype = &lladdr_type,
};

static void addr_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o,
		       int af)
{
	char buf[INET6_ADDRSTRLEN + 1], host[NI_MAXHOST];
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!inet_ntop(af, e->value.data, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	if (octx && octx->reversedns) {
		memset(&ss, 0, sizeof(ss));
		if (af == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, e->value.data, 4);
			sl = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, e->value.data, 16);
			sl = sizeof(*sin6);
		}
		if (!getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), NULL, 0, 0)) {
			outbuf_puts(o, host);
			return;
		}
	}
	outbuf_puts(o, buf);
}

static void ipaddr_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	addr_print(e, octx, o, AF_INET);
}

static void ip6addr_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	addr_print(e, octx, o, AF_INET6);
}

/* "a.b.c.d" in the only form inet_pton() takes (four decimal octets, no
 * leading zeros), in a tenth of its time (1M set elements: 270M
 * instructions); false for anything else, which goes to inet_pton(). */
bool datatype_quad_parse(const char *s, uint8_t *out)
{
	for (int i = 0; i < 4; i++) {
		unsigned int v = 0, nd = 0;

		for (; *s >= '0' && *s <= '9'; s++) {
			if (nd && !v)
				return false;
			v = v * 10 + (unsigned int)(*s - '0');
			if (++nd > 3 || v > 255)
				return false;
		}
		if (!nd)
			return false;
		out[i] = (uint8_t)v;
		if (i < 3 && *s++ != '.')
			return false;
	}
	return !*s;
}

static int addr_parse(const struct expr *sym, struct expr **out, struct error_record **erec,
		      int af, const struct datatype *def)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : def;
	unsigned int len = af == AF_INET ? 32 : 128;
	struct addrinfo hints = { .ai_family = af, .ai_socktype = SOCK_DGRAM }, *ai;
	const char *s = sym->sym.identifier;
	uint8_t buf[16];
	char tmp[INET6_ADDRSTRLEN + 8];
	size_t n = strlen(s);
	int err;

	/* [::1] is accepted for IPv6 */
	if (af == AF_INET6 && n > 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(tmp)) {
		memcpy(tmp, s + 1, n - 2);
		tmp[n - 2] = '\0';
		s = tmp;
	}
	if (!(af == AF_INET && datatype_quad_parse(s, buf)) && inet_pton(af, s, buf) != 1) {
		err = getaddrinfo(s, NULL, &hints, &ai);
		if (err)
			return dt_error(erec, sym, "Could not resolve hostname: %s",
					gai_strerror(err));
		if (af == AF_INET)
			memcpy(buf, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
		else
			memcpy(buf, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
		freeaddrinfo(ai);
	}
	*out = value_expr_alloc(&sym->location, dtype, BYTEORDER_BIG_ENDIAN, len, buf);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

static int ipaddr_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return addr_parse(sym, out, erec, AF_INET, &ipaddr_type);
}

static int ip6addr_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return addr_parse(sym, out, erec, AF_INET6, &ip6addr_type);
}

const struct datatype ipaddr_type = {
	.type = TYPE_IPADDR,
	.name = "ipv4_addr",
	.desc = "IPv4 address",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 32,
	.flags = DTYPE_F_PREFIX,
	.basetype = &integer_type,
	.print = ipaddr_print,
	.parse = ipaddr_parse,
};

const struct datatype ip6addr_type = {
	.type = TYPE_IP6ADDR,
	.name = "ipv6_addr",
	.desc = "IPv6 address",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 128,
	.flags = DTYPE_F_PREFIX,
	.basetype = &integer_type,
	.print = ip6addr_print,
	.parse = ip6addr_parse,
};

/* ------------------------------------------------------------------ */
/* inet_proto, inet_service                                            */

static void inet_protocol_print(const struct expr *e, const struct output_ctx *octx,
				struct outbuf *o)
{
	uint64_t v = expr_value_u64(e);
	const char *name;

	if (!octx_numeric_proto(octx) && v <= 255) {
		name = inet_protocol_name((uint8_t)v);
		if (name) {
			outbuf_puts(o, name);
			return;
		}
	}
	outbuf_printf(o, "%" PRIu64, v);
}

static int inet_protocol_parse(const struct expr *sym, struct expr **out,
			       struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &inet_protocol_type;
	const char *s = sym->sym.identifier;
	unsigned __int128 x;
	uint8_t p;
	int err;

	err = parse_number(s, &x);
	if (err == -ERANGE || (!err && x > 255))
		return dt_error(erec, sym, "Protocol out of range");
	if (!err) {
		p = (uint8_t)x;
	} else if (inet_protocol_lookup(s, &p) < 0) {
		return dt_error(erec, sym, "Could not resolve protocol name");
	}
	*out = value_expr_alloc_u64(&sym->location, dtype, BYTEORDER_BIG_ENDIAN, 8, p);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype inet_protocol_type = {
	.type = TYPE_INET_PROTOCOL,
	.name = "inet_proto",
	.desc = "Internet protocol",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 8,
	.basetype = &integer_type,
	.print = inet_protocol_print,
	.parse = inet_protocol_parse,
};

static void inet_service_print(const struct expr *e, const struct output_ctx *octx,
			       struct outbuf *o)
{
	uint64_t v = expr_value_u64(e);
	const char *name;

	if (octx && octx->service && v <= 65535) {
		name = inet_service_name((uint16_t)v);
		if (name) {
			outbuf_printf(o, "\"%s\"", name);
			return;
		}
	}
	outbuf_printf(o, "%" PRIu64, v);
}

static int inet_service_parse(const struct expr *sym, struct expr **out,
			      struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &inet_service_type;
	const char *s = sym->sym.identifier;
	unsigned __int128 x;
	uint16_t port;
	int err;

	err = parse_number(s, &x);
	if (err == -ERANGE || (!err && x > 65535))
		return dt_error(erec, sym, "Service out of range");
	if (!err)
		port = (uint16_t)x;
	else if (inet_service_lookup(s, &port) < 0)
		return dt_error(erec, sym, "Could not resolve service: %s",
				gai_strerror(EAI_SERVICE));
	*out = value_expr_alloc_u64(&sym->location, dtype, BYTEORDER_BIG_ENDIAN, 16, port);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype inet_service_type = {
	.type = TYPE_INET_SERVICE,
	.name = "inet_service",
	.desc = "internet network service",
	.byteorder = BYTEORDER_BIG_ENDIAN,
	.size = 16,
	.basetype = &integer_type,
	.print = inet_service_print,
	.parse = inet_service_parse,
};

/* ------------------------------------------------------------------ */
/* mark, boolean                                                       */

static const struct symbol_table mark_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.symbols = { SYMBOL_LIST_END },
};

static void mark_print(const struct expr *e, const struct output_ctx *octx, struct outbuf *o)
{
	symbolic_print(&mark_tbl, e, octx, o, true);
}

static int mark_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	return symbol_table_parse(sym->dtype ? sym->dtype : &mark_type, &mark_tbl, sym, out, erec);
}

const struct datatype mark_type = {
	.type = TYPE_MARK,
	.name = "mark",
	.desc = "packet mark",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.basefmt = "0x%08llx",
	.print = mark_print,
	.parse = mark_parse,
};

static const struct symbol_table boolean_tbl = {
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 1,
	.base_dec = true,
	.symbols = {
		{ "exists", 1 },
		{ "missing", 0 },
		SYMBOL_LIST_END,
	},
};

/* nft: any integer, non-zero is true; "exists"/"missing" are keywords the
 * grammar turns into booleans, accepted here as well. */
static int boolean_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &boolean_type;
	unsigned __int128 x;
	uint64_t v;

	if (symbol_table_lookup(&boolean_tbl, sym->sym.identifier, &v))
		x = v;
	else if (parse_number(sym->sym.identifier, &x) < 0)
		return dt_error(erec, sym, "Could not parse %s", dtype->desc);
	*out = value_expr_alloc_u64(&sym->location, dtype, BYTEORDER_HOST_ENDIAN, 1, x != 0);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype boolean_type = {
	.type = TYPE_BOOLEAN,
	.name = "boolean",
	.desc = "boolean type",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 1,
	.basetype = &integer_type,
	.sym_tbl = &boolean_tbl,
	.parse = boolean_parse,
};

/* ------------------------------------------------------------------ */
/* time (relative, milliseconds)                                       */

int time_string_parse(const char *s, uint64_t *ms)
{
	uint64_t total = 0, n;
	unsigned int seen = 0, bit;
	const char *p = s;
	char *end;

	if (!*s)
		return -EINVAL;
	while (*p) {
		uint64_t mult;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		errno = 0;
		n = strtoull(p, &end, 10);
		if (errno)
			return -ERANGE;
		p = end;
		if (p[0] == 'm' && p[1] == 's') {
			mult = 1;
			bit = 1;
			p += 2;
		} else if (*p == 'd') {
			mult = 86400000ULL;
			bit = 16;
			p++;
		} else if (*p == 'h') {
			mult = 3600000ULL;
			bit = 8;
			p++;
		} else if (*p == 'm') {
			mult = 60000ULL;
			bit = 4;
			p++;
		} else if (*p == 's') {
			mult = 1000ULL;
			bit = 2;
			p++;
		} else if (*p == '\0') {
			/* a bare number counts seconds */
			mult = 1000ULL;
			bit = 2;
		} else {
			return -EINVAL;
		}
		if (seen & bit)
			return -EINVAL;
		seen |= bit;
		if (n && mult > UINT64_MAX / n)
			return -ERANGE;
		if (total > UINT64_MAX - n * mult)
			return -ERANGE;
		total += n * mult;
	}
	*ms = total;
	return 0;
}

void time_print(uint64_t ms, struct outbuf *o)
{
	uint64_t d, h, m, s;

	d = ms / 86400000ULL;
	ms %= 86400000ULL;
	h = ms / 3600000ULL;
	ms %= 3600000ULL;
	m = ms / 60000ULL;
	ms %= 60000ULL;
	s = ms / 1000ULL;
	ms %= 1000ULL;
	if (d)
		outbuf_printf(o, "%" PRIu64 "d", d);
	if (h)
		outbuf_printf(o, "%" PRIu64 "h", h);
	if (m)
		outbuf_printf(o, "%" PRIu64 "m", m);
	if (s)
		outbuf_printf(o, "%" PRIu64 "s", s);
	if (ms)
		outbuf_printf(o, "%" PRIu64 "ms", ms);
	if (!d && !h && !m && !s && !ms)
		outbuf_puts(o, "0s");
}

static void time_type_print(const struct expr *e, const struct output_ctx *octx,
			    struct outbuf *o)
{
	uint64_t ms = expr_value_u64(e);

	if (octx_numeric_time(octx)) {
		outbuf_printf(o, "%" PRIu64 "s", ms / 1000);
		return;
	}
	time_print(ms, o);
}

static int time_type_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const struct datatype *dtype = sym->dtype ? sym->dtype : &time_type;
	uint64_t ms;
	int err = time_string_parse(sym->sym.identifier, &ms);

	if (err == -ERANGE)
		return dt_error(erec, sym, "value too large");
	if (err)
		return dt_error(erec, sym, "wrong time format");
	if (ms > UINT32_MAX)
		return dt_error(erec, sym, "value too large");
	*out = value_expr_alloc_u64(&sym->location, dtype, BYTEORDER_HOST_ENDIAN, 32, ms);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype time_type = {
	.type = TYPE_TIME,
	.name = "time",
	.desc = "relative time",
	.byteorder = BYTEORDER_HOST_ENDIAN,
	.size = 32,
	.basetype = &integer_type,
	.print = time_type_print,
	.parse = time_type_parse,
};

/* ------------------------------------------------------------------ */
/* Units                                                               */

int data_unit_parse(const char *s, uint64_t *mult)
{
	if (!strcmp(s, "bytes"))
		*mult = 1;
	else if (!strcmp(s, "kbytes"))
		*mult = 1024;
	else if (!strcmp(s, "mbytes"))
		*mult = 1024 * 1024;
	else
		return -EINVAL;
	return 0;
}

const char *data_unit_print(uint64_t bytes, uint64_t *value)
{
	static const char *const units[] = { "bytes", "kbytes", "mbytes" };
	unsigned int i = 0;

	while (i < 2 && bytes && bytes % 1024 == 0) {
		bytes /= 1024;
		i++;
	}
	*value = bytes;
	return units[i];
}

static const struct {
	const char *name;
	uint64_t secs;
} time_units[] = {
	{ "second", 1 }, { "minute", 60 },	 { "hour", 3600 },
	{ "day", 86400 }, { "week", 604800 },
};

int time_unit_parse(const char *s, uint64_t *secs)
{
	unsigned int i;

	for (i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++) {
		if (!strcmp(s, time_units[i].name)) {
			*secs = time_units[i].secs;
			return 0;
		}
	}
	return -EINVAL;
}

const char *time_unit_name(uint64_t secs)
{
	unsigned int i;

	for (i = 0; i < sizeof(time_units) / sizeof(time_units[0]); i++)
		if (time_units[i].secs == secs)
			return time_units[i].name;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* priority, policy: kept as written, resolved by evaluate             */

/* Chain priority: a number becomes a 32 bit integer, anything else stays a
 * string ("filter", "mangle") that evaluate resolves with prio_parse(). */
static int priority_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	const char *s = sym->sym.identifier;
	unsigned __int128 x;
	int num;

	if (parse_number(s, &x) == 0) {
		num = atoi(s);
		*out = value_expr_alloc_u64(&sym->location, &integer_type, BYTEORDER_HOST_ENDIAN,
					    32, (uint32_t)num);
	} else {
		*out = value_expr_alloc(&sym->location, &string_type, BYTEORDER_HOST_ENDIAN,
					strlen(s) * 8, s);
	}
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype priority_type = {
	.type = TYPE_STRING,
	.name = "priority",
	.desc = "priority type",
	.parse = priority_parse,
};

/* Chain policy: accept -> NF_ACCEPT (1), drop -> NF_DROP (0). */
static int policy_parse(const struct expr *sym, struct expr **out, struct error_record **erec)
{
	int policy;

	if (!strcmp(sym->sym.identifier, "accept"))
		policy = 1;
	else if (!strcmp(sym->sym.identifier, "drop"))
		policy = 0;
	else
		return dt_error(erec, sym, "wrong policy");
	*out = value_expr_alloc_u64(&sym->location, &integer_type, BYTEORDER_HOST_ENDIAN, 32,
				    policy);
	return *out ? 0 : dt_error(erec, sym, "Out of memory");
}

const struct datatype policy_type = {
	.type = TYPE_STRING,
	.name = "policy",
	.desc = "policy type",
	.parse = policy_parse,
};

/* NFPROTO_* / NF_INET_* numbers, kept local to avoid kernel headers. */
enum { NFP_INET = 1, NFP_IPV4 = 2, NFP_ARP = 3, NFP_NETDEV = 5, NFP_BRIDGE = 7, NFP_IPV6 = 10 };
enum { H_PREROUTING, H_INPUT, H_FORWARD, H_OUTPUT, H_POSTROUTING, H_INGRESS };

static const struct {
	const char *name;
	int prio;
} std_prios[] = {
	{ "raw", -300 },	{ "mangle", -150 }, { "dstnat", -100 },
	{ "filter", 0 },	{ "security", 50 }, { "srcnat", 100 },
}, bridge_prios[] = {
	{ "dstnat", -300 }, { "filter", -200 }, { "out", 100 }, { "srcnat", 300 },
};

static bool prio_compat(const char *name, unsigned int family, unsigned int hook)
{
	switch (family) {
	case NFP_BRIDGE:
		if (!strcmp(name, "dstnat"))
			return hook == H_PREROUTING;
		if (!strcmp(name, "out"))
			return hook == H_OUTPUT;
		if (!strcmp(name, "srcnat"))
			return hook == H_POSTROUTING;
		return true;
	case NFP_INET:
	case NFP_IPV4:
	case NFP_IPV6:
		if (!strcmp(name, "dstnat"))
			return hook == H_PREROUTING || hook == H_OUTPUT;
		if (!strcmp(name, "srcnat"))
			return hook == H_POSTROUTING || hook == H_INPUT;
		return true;
	default: /* arp, netdev */
		return !strcmp(name, "filter");
	}
}

int prio_parse(const char *name, unsigned int family, unsigned int hook, int *prio)
{
	unsigned int i, n;
	bool br = family == NFP_BRIDGE;

	n = br ? sizeof(bridge_prios) / sizeof(bridge_prios[0]) :
		 sizeof(std_prios) / sizeof(std_prios[0]);
	for (i = 0; i < n; i++) {
		const char *s = br ? bridge_prios[i].name : std_prios[i].name;

		if (strcmp(s, name))
			continue;
		if (!prio_compat(s, family, hook))
			return -EINVAL;
		*prio = br ? bridge_prios[i].prio : std_prios[i].prio;
		return 0;
	}
	return -ENOENT;
}

void prio_print(int prio, unsigned int family, unsigned int hook, const struct output_ctx *octx,
		struct outbuf *o)
{
	unsigned int i, n;
	bool br = family == NFP_BRIDGE;

	n = br ? sizeof(bridge_prios) / sizeof(bridge_prios[0]) :
		 sizeof(std_prios) / sizeof(std_prios[0]);
	if (!octx_numeric_prio(octx)) {
		for (i = 0; i < n; i++) {
			const char *s = br ? bridge_prios[i].name : std_prios[i].name;
			int p = br ? bridge_prios[i].prio : std_prios[i].prio;
			int off = prio - p;

			if (off < -10 || off > 10)
				continue;
			if (!prio_compat(s, family, hook))
				break;
			outbuf_puts(o, s);
			if (off > 0)
				outbuf_printf(o, " + %d", off);
			else if (off < 0)
				outbuf_printf(o, " - %d", -off);
			return;
		}
	}
	outbuf_printf(o, "%d", prio);
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */

static const struct datatype *const datatypes[__TYPE_MAX] = {
	[TYPE_INVALID] = &invalid_type,
	[TYPE_VERDICT] = &verdict_type,
	[TYPE_NFPROTO] = &nfproto_type,
	[TYPE_BITMASK] = &bitmask_type,
	[TYPE_INTEGER] = &integer_type,
	[TYPE_STRING] = &string_type,
	[TYPE_LLADDR] = &lladdr_type,
	[TYPE_IPADDR] = &ipaddr_type,
	[TYPE_IP6ADDR] = &ip6addr_type,
	[TYPE_ETHERADDR] = &etheraddr_type,
	[TYPE_ETHERTYPE] = &ethertype_type,
	[TYPE_ARPOP] = &arpop_type,
	[TYPE_INET_PROTOCOL] = &inet_protocol_type,
	[TYPE_INET_SERVICE] = &inet_service_type,
	[TYPE_ICMP_TYPE] = &icmp_type_type,
	[TYPE_TCP_FLAG] = &tcp_flag_type,
	[TYPE_DCCP_PKTTYPE] = &dccp_pkttype_type,
	[TYPE_MH_TYPE] = &mh_type_type,
	[TYPE_TIME] = &time_type,
	[TYPE_MARK] = &mark_type,
	[TYPE_IFINDEX] = &ifindex_type,
	[TYPE_ARPHRD] = &arphrd_type,
	[TYPE_REALM] = &realm_type,
	[TYPE_CLASSID] = &classid_type,
	[TYPE_UID] = &uid_type,
	[TYPE_GID] = &gid_type,
	[TYPE_CT_STATE] = &ct_state_type,
	[TYPE_CT_DIR] = &ct_dir_type,
	[TYPE_CT_STATUS] = &ct_status_type,
	[TYPE_ICMP6_TYPE] = &icmp6_type_type,
	[TYPE_CT_LABEL] = &ct_label_type,
	[TYPE_PKTTYPE] = &pkttype_type,
	[TYPE_ICMP_CODE] = &icmp_code_type,
	[TYPE_ICMPV6_CODE] = &icmpv6_code_type,
	[TYPE_ICMPX_CODE] = &icmpx_code_type,
	[TYPE_DEVGROUP] = &devgroup_type,
	[TYPE_DSCP] = &dscp_type,
	[TYPE_ECN] = &ecn_type,
	[TYPE_FIB_ADDR] = &fib_addr_type,
	[TYPE_BOOLEAN] = &boolean_type,
	[TYPE_CT_EVENTBIT] = &ct_event_type,
	[TYPE_IFNAME] = &ifname_type,
	[TYPE_IGMP_TYPE] = &igmp_type_type,
	[TYPE_TIME_DATE] = &date_type,
	[TYPE_TIME_HOUR] = &hour_type,
	[TYPE_TIME_DAY] = &day_type,
	[TYPE_CGROUPV2] = &cgroupv2_type,
};

const struct datatype *datatype_lookup(enum datatypes type)
{
	if ((unsigned int)type >= __TYPE_MAX)
		return NULL;
	return datatypes[type];
}

const struct datatype *datatype_lookup_byname(const char *name)
{
	unsigned int i;

	for (i = 0; i < __TYPE_MAX; i++)
		if (datatypes[i] && !strcmp(datatypes[i]->name, name))
			return datatypes[i];
	return NULL;
}

const struct datatype *datatype_basetype(const struct datatype *d)
{
	while (d && d->basetype)
		d = d->basetype;
	return d;
}

bool datatype_equal(const struct datatype *a, const struct datatype *b)
{
	const struct datatype *const *ma, *const *mb;
	unsigned int i;

	if (a == b)
		return true;
	if (!a || !b || a->type != b->type)
		return false;
	if (!(a->flags & DTYPE_F_ALLOC) || !(b->flags & DTYPE_F_ALLOC))
		return a->type == b->type && a->size == b->size && !a->subtypes && !b->subtypes;
	if (a->subtypes != b->subtypes)
		return false;
	ma = (const struct datatype *const *)(a + 1);
	mb = (const struct datatype *const *)(b + 1);
	for (i = 0; i < a->subtypes; i++)
		if (!datatype_equal(ma[i], mb[i]))
			return false;
	return true;
}

/*
 * A concatenation type: a struct datatype followed by its member pointers
 * and its name, all in one allocation. type is nft's composite number
 * (member types shifted by TYPE_BITS each), size the sum of 32-bit padded
 * member sizes. Concat types are immutable and interned: one allocation
 * per distinct member list for the life of the process, shared by every
 * expression, set and ruleset that uses it (expressions copy the dtype
 * pointer freely, so no owner could free it). The interning table keeps
 * them reachable; the number of distinct member lists bounds the memory.
 */
struct concat_entry {
	struct concat_entry *next;
	struct datatype dt; /* followed by members, name, desc */
};

#define CONCAT_HASH_SIZE 256
static struct concat_entry *concat_types[CONCAT_HASH_SIZE];

static unsigned int concat_hash(const struct datatype **members, unsigned int n)
{
	uintptr_t h = n;
	unsigned int i;

	for (i = 0; i < n; i++)
		h = h * 31 + ((uintptr_t)members[i] >> 4);
	return (unsigned int)(h % CONCAT_HASH_SIZE);
}

static const struct datatype *concat_type_find(unsigned int bucket,
					       const struct datatype **members, unsigned int n)
{
	const struct concat_entry *c;
	const struct datatype *const *m;
	unsigned int i;

	for (c = concat_types[bucket]; c; c = c->next) {
		if (c->dt.subtypes != n)
			continue;
		m = (const struct datatype *const *)(&c->dt + 1);
		for (i = 0; i < n && m[i] == members[i]; i++)
			;
		if (i == n)
			return &c->dt;
	}
	return NULL;
}

const struct datatype *concat_type_alloc(const struct datatype **members, unsigned int n)
{
	size_t namelen = 1, desclen = 1;
	unsigned int i, size = 0, type = 0;
	struct datatype *d;
	const struct datatype **m;
	char *name, *desc;
	const struct datatype *found;
	struct concat_entry *c;
	unsigned int bucket;

	if (!n || n > 16)
		return NULL;
	bucket = concat_hash(members, n);
	found = concat_type_find(bucket, members, n);
	if (found)
		return found;
	desclen += strlen("concatenation of ()");
	for (i = 0; i < n; i++) {
		namelen += strlen(members[i]->name) + 3;
		desclen += strlen(members[i]->desc) + 2;
	}
	c = calloc(1, sizeof(*c) + n * sizeof(*m) + namelen + desclen);
	if (!c)
		return NULL;
	d = &c->dt;
	m = (const struct datatype **)(d + 1);
	name = (char *)(m + n);
	desc = name + namelen;
	for (i = 0; i < n; i++) {
		m[i] = members[i];
		size += (members[i]->size + 31) / 32 * 32;
		type = (type << TYPE_BITS) | (members[i]->type & TYPE_MASK);
		if (i) {
			strcat(name, " . ");
			strcat(desc, ", ");
		} else {
			strcat(desc, "concatenation of (");
		}
		strcat(name, members[i]->name);
		strcat(desc, members[i]->desc);
	}
	strcat(desc, ")");
	d->type = type;
	d->byteorder = BYTEORDER_BIG_ENDIAN;
	d->size = size;
	d->subtypes = n;
	d->name = name;
	d->desc = desc;
	d->flags = DTYPE_F_ALLOC;
	d->refcnt = 1;
	c->next = concat_types[bucket];
	concat_types[bucket] = c;
	return d;
}
