// SPDX-License-Identifier: GPL-2.0
/*
 * `bnft monitor` lines from the ruleset change hook (compat/lib/monitor.c),
 * without a daemon: commands evaluated with the hook set, lines compared
 * with what nft 1.0.6's monitor printed for the same commands in a netns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compat/lib/monitor.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/ruleset.h"

/* Evaluates text into rs with the hook; the lines of filter f. */
static char *run(struct bnft_ruleset *rs, const char *text, const char *filter, bool handles)
{
	struct output_ctx octx = { 0 };
	struct bnft_mon_filter f;
	struct bnft_mon_log log;
	struct ruleset_src src;
	struct parse_ctx pctx;
	struct list_head msgs;
	struct outbuf out, lines;
	char err[256], *copy = strdup(text), *r;

	init_list_head(&msgs);
	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	outbuf_init(&out);
	outbuf_init(&lines);
	bnft_mon_log_init(&log, rs);
	assert_int_equal(bnft_mon_parse(filter, &f, err, sizeof(err)), 0);
	f.handles = handles;
	rs->on_change = bnft_mon_on_change;
	rs->on_change_data = &log;
	assert_int_equal(bnft_parse_buffer(&pctx, copy, "<test>"), 0);
	assert_int_equal(bnft_evaluate(rs, &src, &msgs, &octx, &out), 0);
	rs->on_change = NULL;
	bnft_mon_format(&log, &f, 7, 42, "bnft", &lines);
	r = strndup(lines.buf ? lines.buf : "", lines.len);
	bnft_mon_log_release(&log);
	outbuf_release(&out);
	outbuf_release(&lines);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	free(copy);
	return r;
}

static void expect(struct bnft_ruleset *rs, const char *text, const char *filter, bool handles,
		   const char *want)
{
	char *got = run(rs, text, filter, handles);

	if (strcmp(got, want))
		fprintf(stderr, "input: %s\ngot:\n%s\nwant:\n%s\n", text, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_monitor_lines(void **state)
{
	struct bnft_ruleset rs;

	(void)state;
	bnft_ruleset_init(&rs);
	expect(&rs,
	       "table inet f {\n"
	       "	set s { type ipv4_addr; elements = { 1.2.3.4, 5.6.7.8 }; }\n"
	       "	counter k { packets 1 bytes 2 }\n"
	       "	chain c {\n"
	       "		type filter hook input priority 0; policy drop;\n"
	       "		ip saddr @s counter drop\n"
	       "		tcp dport { 22, 80 } accept\n"
	       "	}\n"
	       "	chain d {\n"
	       "		udp dport 53 accept\n"
	       "	}\n"
	       "}",
	       "", false,
	       "add table inet f\n"
	       "add chain inet f c { type filter hook input priority filter; policy drop; }\n"
	       "add chain inet f d\n"
	       "add counter inet f k { packets 1 bytes 2 } \n"
	       "add set inet f s { type ipv4_addr; } \n"
	       "add element inet f s { 1.2.3.4 }\n"
	       "add element inet f s { 5.6.7.8 }\n"
	       "add rule inet f c ip saddr @s counter packets 0 bytes 0 drop\n"
	       "add rule inet f c tcp dport { 22, 80 } accept\n"
	       "add rule inet f d udp dport 53 accept\n"
	       "# new generation 7 by process 42 (bnft)\n");
	expect(&rs, "insert rule inet f d tcp dport 1 drop", "", true,
	       "insert rule inet f d tcp dport 1 drop # handle 9\n"
	       "# new generation 7 by process 42 (bnft)\n");
	/* replace: the old rule goes first, the handle stays */
	expect(&rs, "replace rule inet f d handle 9 tcp dport 2 drop", "ruleset", true,
	       "delete rule inet f d handle 9\n"
	       "add rule inet f d tcp dport 2 drop # handle 9\n");
	expect(&rs, "delete rule inet f c handle 7", "rules", false,
	       "delete rule inet f c handle 7\n");
	expect(&rs, "add element inet f s { 9.9.9.9 }", "elements", false,
	       "add element inet f s { 9.9.9.9 }\n");
	/* a table takes its contents: rules, sets, objects, chains */
	expect(&rs, "delete table inet f", "destroy", false,
	       "delete rule inet f c handle 5\n"
	       "delete rule inet f d handle 9\n" /* inserted first */
	       "delete rule inet f d handle 8\n"
	       "delete set inet f s\n"
	       "delete chain inet f c\n"
	       "delete chain inet f d\n"
	       "delete table inet f\n");
	bnft_ruleset_release(&rs);
}

static void test_monitor_parse(void **state)
{
	struct bnft_mon_filter f;
	char err[256];

	(void)state;
	assert_int_equal(bnft_mon_parse("", &f, err, sizeof(err)), 0);
	assert_true(f.gen);
	assert_int_equal(f.types, BNFT_MON_ALL);
	assert_int_equal(bnft_mon_parse(" new tables\n", &f, err, sizeof(err)), 0);
	assert_false(f.gen);
	assert_true(f.no_del);
	assert_int_equal(f.types, BNFT_MON_TABLES);
	assert_int_equal(bnft_mon_parse("tables rules", &f, err, sizeof(err)), -1);
	assert_int_equal(bnft_mon_parse("frobnicate", &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "frobnicate"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_lines),
		cmocka_unit_test(test_monitor_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
