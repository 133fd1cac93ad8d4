// SPDX-License-Identifier: GPL-2.0
/*
 * Corpus test of the grammar: every `rule;ok` line of the upstream tests/py
 * *.t files must parse (wrapped as `add rule <family> t c <rule>`) into a
 * complete AST, and counts of fail lines the grammar rejects are reported.
 * Skips when the corpora folder ($BNFT_CORPORA) is absent. With
 * BNFT_PARSER_VERBOSE=1 every failing ok line is printed with its error.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parser/erec.h"
#include "parser/parse.h"

static const char *corpora(void)
{
	const char *c = getenv("BNFT_CORPORA");

	return c ? c : "/work/shared/corpora";
}

static int parse_text(const char *text, struct outbuf *err)
{
	struct ruleset_src src;
	struct parse_ctx ctx;
	LIST_HEAD(msgs);
	int ret;

	ruleset_src_init(&src);
	parse_ctx_init(&ctx, &src, &msgs);
	ret = bnft_parse_buffer(&ctx, text, "<cmdline>");
	if (ret == 0 && list_empty(&src.cmds))
		ret = -1;
	if (err)
		erec_print_list(err, &msgs);
	erec_free_list(&msgs);
	parse_ctx_release(&ctx);
	ruleset_src_release(&src);
	return ret;
}

struct counts {
	unsigned int ok_pass, ok_fail, fail_rejected, fail_accepted;
};

static void run_file(const char *path, struct counts *c, bool verbose)
{
	char line[8192], family[32] = "ip", buf[9000];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *semi, *status;
		size_t l = strlen(line);

		while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
			line[--l] = '\0';
		if (!l || strchr("#:!?%-", line[0]))
			continue;
		if (line[0] == '*') {
			char *e = strchr(line + 1, ';');

			if (e && (size_t)(e - line - 1) < sizeof(family)) {
				memcpy(family, line + 1, e - line - 1);
				family[e - line - 1] = '\0';
			}
			continue;
		}
		semi = strchr(line, ';');
		if (!semi)
			continue;
		*semi = '\0';
		status = semi + 1;
		snprintf(buf, sizeof(buf), "add rule %s t c %s", family, line);
		if (!strncmp(status, "ok", 2)) {
			struct outbuf err;

			outbuf_init(&err);
			if (parse_text(buf, &err) == 0) {
				c->ok_pass++;
			} else {
				c->ok_fail++;
				if (verbose)
					printf("OKFAIL %s: %s\n%s", path, buf, err.buf ? err.buf : "");
			}
			outbuf_release(&err);
		} else if (!strncmp(status, "fail", 4)) {
			if (parse_text(buf, NULL) == 0)
				c->fail_accepted++;
			else
				c->fail_rejected++;
		}
	}
	fclose(f);
}

static void test_corpus_ok_lines(void **state)
{
	const char *fams[] = { "any", "arp", "bridge", "inet", "ip", "ip6", "netdev" };
	struct counts c = { 0 };
	bool verbose = getenv("BNFT_PARSER_VERBOSE") != NULL;
	char dir[4096], path[8192];
	unsigned int i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		struct dirent *de;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/nftables/tests/py/%s", corpora(), fams[i]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);

			if (l < 3 || strcmp(de->d_name + l - 2, ".t"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			run_file(path, &c, verbose);
		}
		closedir(d);
	}
	if (c.ok_pass + c.ok_fail == 0)
		skip();
	printf("parser corpus: ok lines %u parsed, %u failed; fail lines %u rejected by the "
	       "grammar, %u left to the evaluator\n",
	       c.ok_pass, c.ok_fail, c.fail_rejected, c.fail_accepted);
	assert_int_equal(c.ok_fail, 0);
}

/* Every `nft list ruleset` dump of tests/shell must parse back. */
static void test_corpus_dumps(void **state)
{
	bool verbose = getenv("BNFT_PARSER_VERBOSE") != NULL;
	unsigned int pass = 0, fail = 0;
	char dir[4096], path[8192];
	struct dirent *tc, *de;
	DIR *top, *d;

	snprintf(dir, sizeof(dir), "%s/nftables/tests/shell/testcases", corpora());
	top = opendir(dir);
	if (!top)
		skip();
	while ((tc = readdir(top))) {
		if (tc->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/dumps", dir, tc->d_name);
		d = opendir(path);
		if (!d)
			continue;
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			struct ruleset_src src;
			struct parse_ctx ctx;
			char file[12288];
			LIST_HEAD(msgs);

			if (l < 5 || strcmp(de->d_name + l - 4, ".nft"))
				continue;
			snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
			ruleset_src_init(&src);
			parse_ctx_init(&ctx, &src, &msgs);
			if (bnft_parse_file(&ctx, file) == 0) {
				pass++;
			} else {
				fail++;
				if (verbose) {
					struct outbuf o;

					outbuf_init(&o);
					erec_print_list(&o, &msgs);
					printf("DUMPFAIL %s\n%s", file, o.buf ? o.buf : "");
					outbuf_release(&o);
				}
			}
			erec_free_list(&msgs);
			parse_ctx_release(&ctx);
			ruleset_src_release(&src);
		}
		closedir(d);
	}
	closedir(top);
	printf("parser dumps: %u parsed, %u failed\n", pass, fail);
	assert_int_equal(fail, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_ok_lines),
		cmocka_unit_test(test_corpus_dumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
