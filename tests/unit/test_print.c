// SPDX-License-Identifier: GPL-2.0
/*
 * Printer: the listing layout and output options of `nft list` (nftables
 * 1.1): tabs and blank lines, priority names, set element wrapping, -a, -s,
 * -t, -y, -T, the list chain/set/tables forms and -j JSON. Inputs go through the
 * real parser and evaluator; expected texts follow nft's src/rule.c rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>

#include <linux/netfilter.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/print.h"
#include "parser/ruleset.h"

static void load(struct bnft_ruleset *rs, const char *text)
{
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct output_ctx octx = { 0 };
	struct outbuf err;
	LIST_HEAD(msgs);
	int rc;

	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	rc = bnft_parse_buffer(&pctx, text, "<test>");
	if (rc == 0)
		rc = bnft_evaluate(rs, &src, &msgs, &octx, NULL);
	if (rc != 0) {
		outbuf_init(&err);
		erec_print_list(&err, &msgs);
		fprintf(stderr, "%s", err.buf ? err.buf : "");
		outbuf_release(&err);
	}
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	assert_int_equal(rc, 0);
}

/* Print rs with octx and compare with want. */
static void expect_ruleset(const char *text, const struct output_ctx *octx, const char *want)
{
	struct bnft_ruleset rs;
	struct outbuf o;

	bnft_ruleset_init(&rs);
	load(&rs, text);
	outbuf_init(&o);
	bnft_print_ruleset(&rs, octx, &o);
	assert_string_equal(o.buf ? o.buf : "", want);
	outbuf_release(&o);
	bnft_ruleset_release(&rs);
}

static const char chains_in[] = "table ip t {\n"
				"\tchain a {\n"
				"\t\ttype filter hook input priority 10; policy drop;\n"
				"\t}\n"
				"\tchain b {\n"
				"\t\ttype nat hook prerouting priority -100;\n"
				"\t}\n"
				"\tchain c {\n"
				"\t}\n"
				"}\n"
				"table bridge br {\n"
				"\tchain p {\n"
				"\t\ttype filter hook prerouting priority -300;\n"
				"\t}\n"
				"}\n";

static void test_layout_and_priorities(void **state)
{
	struct output_ctx octx = { 0 };

	expect_ruleset(chains_in, &octx,
		       "table ip t {\n"
		       "\tchain a {\n"
		       "\t\ttype filter hook input priority filter + 10; policy drop;\n"
		       "\t}\n"
		       "\n"
		       "\tchain b {\n"
		       "\t\ttype nat hook prerouting priority dstnat; policy accept;\n"
		       "\t}\n"
		       "\n"
		       "\tchain c {\n"
		       "\t}\n"
		       "}\n"
		       "table bridge br {\n"
		       "\tchain p {\n"
		       "\t\ttype filter hook prerouting priority dstnat; policy accept;\n"
		       "\t}\n"
		       "}\n");
}

static void test_numeric_priority(void **state)
{
	struct output_ctx octx = { .numeric_prio = true };

	expect_ruleset(chains_in, &octx,
		       "table ip t {\n"
		       "\tchain a {\n"
		       "\t\ttype filter hook input priority 10; policy drop;\n"
		       "\t}\n"
		       "\n"
		       "\tchain b {\n"
		       "\t\ttype nat hook prerouting priority -100; policy accept;\n"
		       "\t}\n"
		       "\n"
		       "\tchain c {\n"
		       "\t}\n"
		       "}\n"
		       "table bridge br {\n"
		       "\tchain p {\n"
		       "\t\ttype filter hook prerouting priority -300; policy accept;\n"
		       "\t}\n"
		       "}\n");
}

static const char sets_in[] = "table inet f {\n"
			      "\tset a {\n"
			      "\t\ttype ipv4_addr\n"
			      "\t\telements = { 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5 }\n"
			      "\t}\n"
			      "\tset p {\n"
			      "\t\ttype inet_service\n"
			      "\t\telements = { 1, 2, 3, 4, 5, 6, 7 }\n"
			      "\t}\n"
			      "\tset t {\n"
			      "\t\ttype ipv4_addr\n"
			      "\t\ttimeout 1h\n"
			      "\t}\n"
			      "\tchain c {\n"
			      "\t\tip saddr @a counter accept\n"
			      "\t}\n"
			      "}\n";

/* Named sets wrap addresses two per line and ports five per line (nft's
 * calculate_delim), continuation lines indented by three tabs and five
 * spaces. */
static void test_set_elements(void **state)
{
	struct output_ctx octx = { 0 };

	expect_ruleset(sets_in, &octx,
		       "table inet f {\n"
		       "\tset a {\n"
		       "\t\ttype ipv4_addr\n"
		       "\t\telements = { 10.0.0.1, 10.0.0.2,\n"
		       "\t\t\t     10.0.0.3, 10.0.0.4,\n"
		       "\t\t\t     10.0.0.5 }\n"
		       "\t}\n"
		       "\n"
		       "\tset p {\n"
		       "\t\ttype inet_service\n"
		       "\t\telements = { 1, 2, 3, 4, 5,\n"
		       "\t\t\t     6, 7 }\n"
		       "\t}\n"
		       "\n"
		       "\tset t {\n"
		       "\t\ttype ipv4_addr\n"
		       "\t\ttimeout 1h\n"
		       "\t}\n"
		       "\n"
		       "\tchain c {\n"
		       "\t\tip saddr @a counter packets 0 bytes 0 accept\n"
		       "\t}\n"
		       "}\n");
}

/* -t drops elements, -s counter values, -T prints times in seconds. */
static void test_terse_stateless_numeric_time(void **state)
{
	struct output_ctx octx = { .terse = true, .stateless = true, .numeric_time = true };

	expect_ruleset(sets_in, &octx,
		       "table inet f {\n"
		       "\tset a {\n"
		       "\t\ttype ipv4_addr\n"
		       "\t}\n"
		       "\n"
		       "\tset p {\n"
		       "\t\ttype inet_service\n"
		       "\t}\n"
		       "\n"
		       "\tset t {\n"
		       "\t\ttype ipv4_addr\n"
		       "\t\ttimeout 3600s\n"
		       "\t}\n"
		       "\n"
		       "\tchain c {\n"
		       "\t\tip saddr @a counter accept\n"
		       "\t}\n"
		       "}\n");
}

static const char objs_in[] = "table ip o {\n"
			       "\tcounter c1 {\n"
			       "\t\tpackets 3 bytes 100\n"
			       "\t}\n"
			       "\tquota q1 {\n"
			       "\t\tover 25 mbytes used 1 mbytes\n"
			       "\t}\n"
			       "\tchain c {\n"
			       "\t\tcounter name \"c1\"\n"
			       "\t}\n"
			       "}\n";

/* Objects come before chains; stateless hides counter values and quota
 * usage. */
static void test_objects(void **state)
{
	struct output_ctx octx = { 0 }, sl = { .stateless = true };

	expect_ruleset(objs_in, &octx,
		       "table ip o {\n"
		       "\tcounter c1 {\n"
		       "\t\tpackets 3 bytes 100\n"
		       "\t}\n"
		       "\n"
		       "\tquota q1 {\n"
		       "\t\tover 25 mbytes used 1 mbytes\n"
		       "\t}\n"
		       "\n"
		       "\tchain c {\n"
		       "\t\tcounter name \"c1\"\n"
		       "\t}\n"
		       "}\n");
	expect_ruleset(objs_in, &sl,
		       "table ip o {\n"
		       "\tcounter c1 {\n"
		       "\t}\n"
		       "\n"
		       "\tquota q1 {\n"
		       "\t\tover 25 mbytes\n"
		       "\t}\n"
		       "\n"
		       "\tchain c {\n"
		       "\t\tcounter name \"c1\"\n"
		       "\t}\n"
		       "}\n");
}

/* -a: handles on the table line, after declarations and after rules. */
static void test_handles(void **state)
{
	struct output_ctx octx = { .handle = true };
	struct bnft_ruleset rs;
	const struct table *t;
	const struct chain *c;
	const struct rule *r;
	char want[128];
	struct outbuf o;

	bnft_ruleset_init(&rs);
	load(&rs, sets_in);
	outbuf_init(&o);
	bnft_print_ruleset(&rs, &octx, &o);
	t = list_first_entry(&rs.tables, struct table, list);
	c = list_first_entry(&t->chains, struct chain, list);
	r = list_first_entry(&c->rules, struct rule, list);
	snprintf(want, sizeof(want), "table inet f { # handle %llu\n",
		 (unsigned long long)t->handle.handle.id);
	assert_non_null(strstr(o.buf, want));
	snprintf(want, sizeof(want), "\tchain c { # handle %llu\n",
		 (unsigned long long)c->handle.handle.id);
	assert_non_null(strstr(o.buf, want));
	snprintf(want, sizeof(want), "accept # handle %llu\n",
		 (unsigned long long)r->handle.handle.id);
	assert_non_null(strstr(o.buf, want));
	assert_non_null(strstr(o.buf, "\tset a { # handle "));
	outbuf_release(&o);
	bnft_ruleset_release(&rs);
}

/* list chain / list set / list tables / list chains. */
static void test_list_forms(void **state)
{
	struct output_ctx octx = { 0 };
	struct bnft_ruleset rs;
	const struct table *t;
	const struct chain *c;
	const struct set *s;
	struct outbuf o;

	bnft_ruleset_init(&rs);
	load(&rs, sets_in);
	t = list_first_entry(&rs.tables, struct table, list);
	c = list_first_entry(&t->chains, struct chain, list);
	s = list_first_entry(&t->sets, struct set, list);

	outbuf_init(&o);
	bnft_print_list_chain(t, c, &octx, &o);
	assert_string_equal(o.buf, "table inet f {\n"
				   "\tchain c {\n"
				   "\t\tip saddr @a counter packets 0 bytes 0 accept\n"
				   "\t}\n"
				   "}\n");
	outbuf_release(&o);

	outbuf_init(&o);
	bnft_print_list_set(t, s, &octx, &o);
	assert_string_equal(o.buf, "table inet f {\n"
				   "\tset a {\n"
				   "\t\ttype ipv4_addr\n"
				   "\t\telements = { 10.0.0.1, 10.0.0.2,\n"
				   "\t\t\t     10.0.0.3, 10.0.0.4,\n"
				   "\t\t\t     10.0.0.5 }\n"
				   "\t}\n"
				   "}\n");
	outbuf_release(&o);

	outbuf_init(&o);
	bnft_print_tables(&rs, 0, &octx, &o);
	assert_string_equal(o.buf, "table inet f\n");
	outbuf_release(&o);

	outbuf_init(&o);
	bnft_print_list_chains(&rs, NFPROTO_INET, &octx, &o);
	assert_string_equal(o.buf, "table inet f {\n"
				   "\tchain c {\n"
				   "\t}\n"
				   "}\n");
	outbuf_release(&o);
	bnft_ruleset_release(&rs);
}

/* Rule bodies: operators only where nft writes them, flag lists, binop
 * parentheses, maps with the data type's wrapping. */
static void test_rule_forms(void **state)
{
	struct output_ctx octx = { .stateless = true };

	expect_ruleset("table inet r {\n"
		       "\tchain c {\n"
		       "\t\ttcp dport == 22 accept\n"
		       "\t\tct state established,related accept\n"
		       "\t\ttcp flags & (syn | ack) == syn | ack\n"
		       "\t\tct mark set (meta mark | 0x10) << 8\n"
		       "\t\tiifname \"eth*\" tcp dport != 1-1024 drop\n"
		       "\t\tip saddr . tcp dport { 1.2.3.4 . 22, 5.6.7.8 . 80 } accept\n"
		       "\t\tlimit rate 10/second\n"
		       "\t\tlog prefix \"x: \" level info\n"
		       "\t}\n"
		       "}\n",
		       &octx,
		       "table inet r {\n"
		       "\tchain c {\n"
		       "\t\ttcp dport 22 accept\n"
		       "\t\tct state established,related accept\n"
		       "\t\ttcp flags & (syn | ack) == syn | ack\n"
		       "\t\tct mark set (meta mark | 0x00000010) << 8\n"
		       "\t\tiifname \"eth*\" tcp dport != 1-1024 drop\n"
		       "\t\tip saddr . tcp dport { 1.2.3.4 . 22, 5.6.7.8 . 80 } accept\n"
		       "\t\tlimit rate 10/second burst 5 packets\n"
		       "\t\tlog prefix \"x: \" level info\n"
		       "\t}\n"
		       "}\n");
}

/* Set statements: a protocol match the key needs is hidden (nft 1.0.6 in a
 * netns lists "ip protocol tcp update @d { ip saddr . tcp dport ... }" as
 * "update @d { ... }"), one it does not need stays; meters list as the set
 * and add/update @NAME (nft 1.1.6 sets/dumps/meter_set_reuse.nft). */
static void test_set_stmt_forms(void **state)
{
	struct output_ctx octx = { .stateless = true };

	expect_ruleset("table ip t {\n"
		       "\tset s { type ipv4_addr; }\n"
		       "\tset d { type ipv4_addr . inet_service; flags timeout; }\n"
		       "\tchain c {\n"
		       "\t\tip protocol tcp add @s { ip saddr }\n"
		       "\t\tip protocol tcp update @d { ip saddr . tcp dport timeout 1m counter }\n"
		       "\t\ttcp dport 80 meter h { tcp dport . ip saddr limit rate over 200/second }\n"
		       "\t}\n"
		       "}\n"
		       "table inet i {\n"
		       "\tset c6 { type ipv6_addr; }\n"
		       "\tchain c {\n"
		       "\t\tmeta nfproto ipv6 add @c6 { ip6 saddr }\n"
		       "\t}\n"
		       "}\n",
		       &octx,
		       "table ip t {\n"
		       "\tset s {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic\n\t}\n\n"
		       "\tset d {\n\t\ttype ipv4_addr . inet_service\n\t\tsize 65535\n"
		       "\t\tflags dynamic,timeout\n\t}\n\n"
		       "\tset h {\n\t\ttype inet_service . ipv4_addr\n\t\tsize 65535\n"
		       "\t\tflags dynamic\n\t}\n\n"
		       "\tchain c {\n"
		       "\t\tip protocol tcp add @s { ip saddr }\n"
		       "\t\tupdate @d { ip saddr . tcp dport timeout 1m counter }\n"
		       "\t\ttcp dport 80 add @h { tcp dport . ip saddr limit rate over 200/second "
		       "burst 5 packets }\n"
		       "\t}\n"
		       "}\n"
		       "table inet i {\n"
		       "\tset c6 {\n\t\ttype ipv6_addr\n\t\tsize 65535\n\t\tflags dynamic\n\t}\n\n"
		       "\tchain c {\n"
		       "\t\tadd @c6 { ip6 saddr }\n"
		       "\t}\n"
		       "}\n");
}

static void drop_handles(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			drop_handles(v);
	} else if (json_is_object(j)) {
		json_object_del(j, "handle");
		json_object_foreach(j, k, v)
			drop_handles(v);
	}
}

/* -j: libnftables JSON with table, chain and rule objects as nft -j. */
static void test_json(void **state)
{
	struct output_ctx octx = { .json = true };
	struct bnft_ruleset rs;
	json_t *got, *want, *items;
	json_error_t err;

	bnft_ruleset_init(&rs);
	load(&rs, "table ip t {\n"
		  "\tchain c {\n"
		  "\t\ttype filter hook input priority 0; policy drop;\n"
		  "\t\ttcp dport 22 ct state established,related accept\n"
		  "\t}\n"
		  "}\n");
	got = bnft_json_ruleset(&rs, 0, &octx);
	assert_non_null(got);
	items = json_object_get(got, "nftables");
	assert_true(json_is_array(items));
	assert_non_null(json_object_get(json_array_get(items, 0), "metainfo"));
	json_array_remove(items, 0);
	drop_handles(got);
	want = json_loads("{\"nftables\": ["
			  "{\"table\": {\"family\": \"ip\", \"name\": \"t\"}},"
			  "{\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"c\","
			  " \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0,"
			  " \"policy\": \"drop\"}},"
			  "{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\","
			  " \"expr\": ["
			  "{\"match\": {\"op\": \"==\", \"left\": {\"payload\":"
			  " {\"protocol\": \"tcp\", \"field\": \"dport\"}}, \"right\": 22}},"
			  "{\"match\": {\"op\": \"in\", \"left\": {\"ct\": {\"key\": \"state\"}},"
			  " \"right\": [\"established\", \"related\"]}},"
			  "{\"accept\": null}]}}]}",
			  0, &err);
	assert_non_null(want);
	if (!json_equal(got, want)) {
		char *txt = json_dumps(got, JSON_INDENT(1));

		fprintf(stderr, "got: %s\n", txt ? txt : "");
		free(txt);
	}
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	bnft_ruleset_release(&rs);
}

/* `-j list set|map|table|chain|sets|tables` print JSON (shapes of nft 1.0.6
 * -j in a netns; "flags": ["dynamic"] and size before flags as the nft
 * 1.1.6 dumps sets/dumps/meter_set_reuse.json-nft). */
static void expect_list_json(struct bnft_ruleset *rs, const char *cmd, const char *want_items)
{
	struct output_ctx octx = { .json = true };
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct outbuf o;
	json_t *got, *want, *items;
	json_error_t err;
	LIST_HEAD(msgs);

	outbuf_init(&o);
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	assert_int_equal(bnft_parse_buffer(&pctx, cmd, "<test>"), 0);
	assert_int_equal(bnft_evaluate(rs, &src, &msgs, &octx, &o), 0);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	assert_non_null(o.buf);
	got = json_loads(o.buf, 0, &err);
	if (!got)
		fprintf(stderr, "not JSON: %s\n", o.buf);
	assert_non_null(got);
	items = json_object_get(got, "nftables");
	assert_true(json_is_array(items));
	assert_non_null(json_object_get(json_array_get(items, 0), "metainfo"));
	json_array_remove(items, 0);
	want = json_loads(want_items, 0, &err);
	assert_non_null(want);
	if (!json_equal(items, want))
		fprintf(stderr, "%s: got %s\n", cmd, o.buf);
	assert_true(json_equal(items, want));
	json_decref(got);
	json_decref(want);
	outbuf_release(&o);
}

static void test_list_json(void **state)
{
	struct bnft_ruleset rs;

	bnft_ruleset_init(&rs);
	load(&rs, "table ip t {\n"
		  "\tset s { type ipv4_addr; elements = { 1.2.3.4 }; }\n"
		  "\tmap m { type ipv4_addr : mark; }\n"
		  "\tchain c {\n"
		  "\t\ttype filter hook input priority 0;\n"
		  "\t\tadd @s { ip saddr } counter\n"
		  "\t}\n"
		  "}\n");
	expect_list_json(&rs, "list set ip t s\n",
			 "[{\"set\": {\"family\": \"ip\", \"name\": \"s\", \"table\": \"t\","
			 " \"type\": \"ipv4_addr\", \"handle\": 2, \"size\": 65535,"
			 " \"flags\": [\"dynamic\"], \"elem\": [\"1.2.3.4\"]}}]");
	expect_list_json(&rs, "list map ip t m\n",
			 "[{\"map\": {\"family\": \"ip\", \"name\": \"m\", \"table\": \"t\","
			 " \"type\": \"ipv4_addr\", \"handle\": 3, \"map\": \"mark\"}}]");
	expect_list_json(&rs, "list chain ip t c\n",
			 "[{\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"c\","
			 " \"handle\": 1, \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0,"
			 " \"policy\": \"accept\"}},"
			 "{\"rule\": {\"family\": \"ip\", \"table\": \"t\", \"chain\": \"c\","
			 " \"handle\": 4, \"expr\": [{\"set\": {\"op\": \"add\", \"elem\":"
			 " {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}},"
			 " \"set\": \"@s\"}}, {\"counter\": {\"packets\": 0, \"bytes\": 0}}]}}]");
	expect_list_json(&rs, "list tables\n",
			 "[{\"table\": {\"family\": \"ip\", \"name\": \"t\", \"handle\": 1}}]");
	expect_list_json(&rs, "list maps\n",
			 "[{\"map\": {\"family\": \"ip\", \"name\": \"m\", \"table\": \"t\","
			 " \"type\": \"ipv4_addr\", \"handle\": 3, \"map\": \"mark\"}}]");
	expect_list_json(&rs, "list chains\n",
			 "[{\"chain\": {\"family\": \"ip\", \"table\": \"t\", \"name\": \"c\","
			 " \"handle\": 1, \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0,"
			 " \"policy\": \"accept\"}}]");
	bnft_ruleset_release(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_and_priorities),
		cmocka_unit_test(test_numeric_priority),
		cmocka_unit_test(test_set_elements),
		cmocka_unit_test(test_terse_stateless_numeric_time),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_handles),
		cmocka_unit_test(test_list_forms),
		cmocka_unit_test(test_rule_forms),
		cmocka_unit_test(test_set_stmt_forms),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_list_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
