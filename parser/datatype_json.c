// SPDX-License-Identifier: GPL-2.0
/*
 * Constants in libnftables JSON (nft -j), as the upstream *.t.json.output
 * files show them: names for symbolic values ("cs7", "echo-request",
 * "default"), numbers for integers and marks, strings for addresses,
 * interface names, dates and TC handles, seconds for relative times and
 * true/false for booleans.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/value.h"

/* The text datatype_print would produce, without surrounding quotes. */
static json_t *printed_string(const struct expr *e, const struct output_ctx *octx)
{
	struct outbuf o;
	json_t *j;
	size_t n;

	outbuf_init(&o);
	datatype_print(e, octx, &o);
	if (o.err || !o.buf) {
		outbuf_release(&o);
		return NULL;
	}
	n = o.len;
	if (n >= 2 && o.buf[0] == '"' && o.buf[n - 1] == '"')
		j = json_stringn(o.buf + 1, n - 2);
	else
		j = json_string(o.buf);
	outbuf_release(&o);
	return j;
}

static json_t *integer_json(const struct expr *e);

/* Types printed as "name" when named, else as a number. */
static json_t *quoted_or_number(const struct expr *e, const struct output_ctx *octx)
{
	struct outbuf o;
	json_t *j = NULL;

	outbuf_init(&o);
	datatype_print(e, octx, &o);
	if (!o.err && o.buf && o.len >= 2 && o.buf[0] == '"' && o.buf[o.len - 1] == '"')
		j = json_stringn(o.buf + 1, o.len - 2);
	else if (!o.err && o.buf && o.len && o.len < 20 && strspn(o.buf, "0123456789") == o.len)
		j = json_integer((json_int_t)strtoll(o.buf, NULL, 10)); /* ct label bit */
	outbuf_release(&o);
	return j ? j : integer_json(e);
}

static json_t *integer_json(const struct expr *e)
{
	char buf[64];

	if (e->value.len <= 64) {
		uint64_t v = expr_value_u64(e);

		if (v <= (uint64_t)INT64_MAX)
			return json_integer((json_int_t)v);
	}
	/* beyond what a JSON integer holds: decimal text, as nft does for
	 * numbers it cannot represent */
	value_to_decimal(&e->value, e->byteorder, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *string_json(const struct expr *e)
{
	unsigned int n = value_bytes(e->value.len), i;

	/* a type longer than the value holds (object names: 256 bytes) */
	if (n > sizeof(e->value.data))
		n = sizeof(e->value.data);
	for (i = 0; i < n && e->value.data[i]; i++)
		;
	return json_stringn((const char *)e->value.data, i);
}

json_t *datatype_json(const struct expr *e, const struct output_ctx *octx)
{
	const struct datatype *d = e->dtype;
	const struct symbol_table *tbl;
	const char *name;

	if (!d || e->etype != EXPR_VALUE)
		return integer_json(e);
	switch (d->type) {
	case TYPE_IPADDR:
	case TYPE_IP6ADDR:
	case TYPE_ETHERADDR:
	case TYPE_LLADDR:
	case TYPE_TIME_DATE:
	case TYPE_TIME_HOUR:
	case TYPE_CLASSID:
	case TYPE_CGROUPV2:
	case TYPE_IFINDEX:
		return printed_string(e, octx);
	case TYPE_STRING:
	case TYPE_IFNAME:
		return string_json(e);
	case TYPE_BOOLEAN:
		return json_boolean(expr_value_u64(e) != 0);
	case TYPE_TIME:
		return json_integer((json_int_t)(expr_value_u64(e) / 1000));
	case TYPE_INET_PROTOCOL:
		if (!octx_numeric_proto(octx) && (name = inet_protocol_name(expr_value_u64(e))))
			return json_string(name);
		return integer_json(e);
	case TYPE_INET_SERVICE:
		if (octx && octx->service && (name = inet_service_name(expr_value_u64(e))))
			return json_string(name);
		return integer_json(e);
	case TYPE_UID:
	case TYPE_GID:
	case TYPE_MARK:
	case TYPE_INTEGER:
	case TYPE_BITMASK:
		return integer_json(e);
	case TYPE_CT_LABEL:
	case TYPE_DEVGROUP:
	case TYPE_REALM:
	case TYPE_TIME_DAY:
		return octx_numeric_symbol(octx) ? integer_json(e) : quoted_or_number(e, octx);
	default:
		break;
	}
	tbl = datatype_sym_tbl(d);
	if (tbl && e->value.len <= 64 && (name = symbol_table_name(tbl, expr_value_u64(e))))
		return octx_numeric_symbol(octx) ? integer_json(e) : json_string(name);
	return integer_json(e);
}

int datatype_from_json(const struct datatype *d, const struct json_t *j, const struct location *loc,
		       struct expr **out, struct error_record **erec)
{
	const struct location *l = loc ? loc : &internal_location;
	unsigned int len = d && d->size ? d->size : 64;
	enum byteorder bo = d && d->byteorder ? d->byteorder : BYTEORDER_HOST_ENDIAN;
	struct expr *sym;
	json_int_t v;
	int err;

	*out = NULL;
	if (json_is_string(j)) {
		sym = symbol_expr_alloc(l, json_string_value(j), true);
		if (!sym)
			return -1;
		err = datatype_parse(d, sym, out, erec);
		expr_free(sym);
		return err;
	}
	if (json_is_boolean(j)) {
		*out = value_expr_alloc_u64(l, d ? d : &boolean_type, BYTEORDER_HOST_ENDIAN,
					    d && d->size ? d->size : 1, json_is_true(j));
		return *out ? 0 : -1;
	}
	if (json_is_integer(j)) {
		v = json_integer_value(j);
		if (v < 0) {
			if (erec)
				*erec = erec_create(EREC_ERROR, l, "Could not parse %s",
						    d ? d->desc : "integer");
			return -1;
		}
		if (d && d->type == TYPE_TIME)
			v *= 1000; /* JSON gives seconds */
		*out = value_expr_alloc_u64(l, d ? d : &integer_type, bo, len, (uint64_t)v);
		return *out ? 0 : -1;
	}
	if (erec)
		*erec = erec_create(EREC_ERROR, l, "Could not parse %s", d ? d->desc : "value");
	return -1;
}
