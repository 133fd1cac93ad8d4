// SPDX-License-Identifier: GPL-2.0
/*
 * Conformance runner over the upstream nftables vectors, in process (parse,
 * evaluate and print are library calls; no process per line).
 *
 *   conformance [-c CORPORA] [-l LOGFILE] [-m MAXLOG] [-f SUBSTR] [-q]
 *
 * tests/py (*.t): for every table of the file (`*family;table;chains`) and
 * every chain of that table (`:chain;config`), the context
 *     table FAMILY TABLE { chain C { CONFIG; } ... }
 * plus the sets/elements/objects declared so far (`!`, `?`, `%` lines that
 * were accepted) is evaluated into a fresh ruleset, then
 *     add rule FAMILY TABLE C RULE
 * is parsed and evaluated, and the rule is printed back as nft-test.py lists
 * it (numeric protocols, stateless). A `;ok` line passes when every
 * table/chain instance lists as the expected text (the rule itself, or the
 * third field); a `;fail` line passes when every instance is rejected by
 * parse or evaluate. `- ` lines (known upstream bugs) are skipped.
 *
 * Normalisation applied before comparing listings (the only one):
 *   1. whitespace runs become one space, leading/trailing space is dropped,
 *      and spaces next to '{', '}' and ',' are removed: upstream writes
 *      "{ 33, 55, 67, 88}" for nft's "{ 33, 55, 67, 88 }";
 *   2. if that still differs, the text is compared with the elements of
 *      each {...} group taken as an unordered list (split at top-level
 *      commas, spaces inside an element removed, sorted): anonymous set
 *      elements list in the kernel's order and upstream writes elements
 *      as "25:accept" or "10.0.0.0/24  . 8888 - 8999"; nft-test.py's own
 *      set_check_element() compares the same way.
 * Expected values are never edited. Like nft-test.py, the runner lists
 * times with TZ=UTC-2.
 *
 * Listings that matched are also checked against the rule's .t.json entry
 * (.t.json.output where present) as nft -j expression lists (not gating).
 * Each listing that matched is also fed back as a rule once per line and
 * must list the same again (fixpoint; counted apart, not gating).
 *
 * tests/shell dumps (*.nft): the file is parsed and evaluated as `nft -c -f`
 * would and the ruleset printed as `nft list ruleset`; the output must be
 * byte-identical to the file.
 *
 * tests/shell json dumps (*.json-nft): the .nft dump beside each is listed
 * as nft -j would and compared as JSON values, handles set to 0 and the
 * version fields to upstream's placeholders (not gating).
 *
 * Crash isolation: each .t file (and the dump list) runs in a forked child
 * that reports each result through a pipe; if the child dies, the line it
 * was on counts as a crash (and a failure) and a new child resumes after it.
 *
 * Output: per-file counts on stdout (with -q only files with failures) and
 * in the log ("## file: ..." lines), mismatches (expected vs got, errors) in
 * the log, then per-category verdicts against the team's targets and the
 * closing line "conformance: N passed, N failed, N skipped" counting
 * categories (ok-lines listed >= 95%, fail-lines rejected >= 95%, no crash,
 * shell dumps identical >= 90%).
 */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/netfilter.h>

#include <jansson.h>

#include "parser/ast.h"
#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/print.h"
#include "parser/ruleset.h"

#define MAX_TABLES 16
#define MAX_CHAINS 16
#define LINE_TIMEOUT 20 /* seconds a single line may take */

/* ------------------------------------------------------------------ */
/* Small string helpers                                                */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = realloc(b->s, cap);
		if (!b->s)
			abort(); /* test tool: out of memory is fatal */
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char *tmp;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sb_add(b, tmp, n);
	free(tmp);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Step 1 of the normalisation (see top of file). */
static char *norm_ws(const char *in)
{
	size_t n = strlen(in), i, o = 0;
	char *out = malloc(n + 1);
	bool space = false;

	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		char c = in[i];

		if (c == ' ' || c == '\t' || c == '\n') {
			space = true;
			continue;
		}
		if (space && o > 0 && c != '{' && c != '}' && c != ',' && out[o - 1] != '{' &&
		    out[o - 1] != '}' && out[o - 1] != ',')
			out[o++] = ' ';
		space = false;
		out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *strip_spaces(const char *s, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;

	if (!out)
		abort();
	for (i = 0; i < n; i++)
		if (s[i] != ' ')
			out[o++] = s[i];
	out[o] = '\0';
	return out;
}

/* Step 2: rewrite every top-level {...} group with its members sorted. */
static char *norm_sets(const char *in)
{
	struct sbuf out = { 0 };
	size_t i = 0, n = strlen(in);

	while (i < n) {
		size_t j, start;
		int depth = 0;
		char **items = NULL;
		size_t nitems = 0, k;

		if (in[i] != '{') {
			sb_add(&out, in + i, 1);
			i++;
			continue;
		}
		/* find the matching brace, splitting at depth-1 commas */
		start = i + 1;
		for (j = i; j < n; j++) {
			if (in[j] == '{')
				depth++;
			else if (in[j] == '}' && --depth == 0)
				break;
			if ((in[j] == ',' && depth == 1) || (in[j] == '}' && depth == 0)) {
				items = realloc(items, (nitems + 1) * sizeof(*items));
				items[nitems++] = strip_spaces(in + start, j - start);
				start = j + 1;
			}
		}
		if (j >= n) { /* unbalanced: keep as is */
			sb_add(&out, in + i, n - i);
			for (k = 0; k < nitems; k++)
				free(items[k]);
			free(items);
			break;
		}
		items = realloc(items, (nitems + 1) * sizeof(*items));
		items[nitems++] = strip_spaces(in + start, j - start);
		qsort(items, nitems, sizeof(*items), cmp_str);
		sb_puts(&out, "{");
		for (k = 0; k < nitems; k++) {
			sb_printf(&out, "%s%s", k ? "," : "", items[k]);
			free(items[k]);
		}
		sb_puts(&out, "}");
		free(items);
		i = j + 1;
	}
	if (!out.s)
		sb_puts(&out, "");
	return out.s;
}

static bool listing_matches(const char *expected, const char *got)
{
	char *a = norm_ws(expected), *b = norm_ws(got);
	bool ok = !strcmp(a, b);

	if (!ok && strchr(a, '{')) {
		char *sa = norm_sets(a), *sb = norm_sets(b);

		ok = !strcmp(sa, sb);
		free(sa);
		free(sb);
	}
	free(a);
	free(b);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Library calls                                                       */

struct run {
	struct bnft_ruleset rs;
	struct outbuf err;
};

/* Parse and evaluate buf into r->rs. 0 on success; else -1 with the error
 * text appended to r->err. stage tells which step failed. */
static int run_text(struct run *r, const char *buf, const char *name, const char **stage)
{
	struct ruleset_src src;
	struct parse_ctx pctx;
	LIST_HEAD(msgs);
	struct output_ctx octx = { 0 };
	int ret;

	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	ret = bnft_parse_buffer(&pctx, buf, name);
	if (ret < 0) {
		*stage = "parse";
	} else {
		ret = bnft_evaluate(&r->rs, &src, &msgs, &octx, NULL);
		if (ret < 0)
			*stage = "evaluate";
	}
	if (ret < 0) {
		erec_print_list(&r->err, &msgs);
		if (list_empty(&msgs))
			outbuf_puts(&r->err, "(no error message)\n");
	}
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	return ret < 0 ? -1 : 0;
}

static int run_file(struct run *r, const char *path, const char **stage)
{
	struct ruleset_src src;
	struct parse_ctx pctx;
	LIST_HEAD(msgs);
	struct output_ctx octx = { 0 };
	int ret;

	ruleset_src_init(&src);
	parse_ctx_init(&pctx, &src, &msgs);
	ret = bnft_parse_file(&pctx, path);
	if (ret < 0) {
		*stage = "parse";
	} else {
		ret = bnft_evaluate(&r->rs, &src, &msgs, &octx, NULL);
		if (ret < 0)
			*stage = "evaluate";
	}
	if (ret < 0)
		erec_print_list(&r->err, &msgs);
	erec_free_list(&msgs);
	parse_ctx_release(&pctx);
	ruleset_src_release(&src);
	return ret < 0 ? -1 : 0;
}

static void run_init(struct run *r)
{
	bnft_ruleset_init(&r->rs);
	outbuf_init(&r->err);
}

static void run_release(struct run *r)
{
	bnft_ruleset_release(&r->rs);
	outbuf_release(&r->err);
}

static unsigned int family_lookup(const char *name)
{
	static const struct {
		const char *name;
		unsigned int family;
	} fams[] = {
		{ "ip", NFPROTO_IPV4 },	    { "ip6", NFPROTO_IPV6 },	 { "inet", NFPROTO_INET },
		{ "arp", NFPROTO_ARP },	    { "bridge", NFPROTO_BRIDGE }, { "netdev", NFPROTO_NETDEV },
	};
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (!strcmp(fams[i].name, name))
			return fams[i].family;
	return 0;
}

static const struct chain *find_chain(const struct bnft_ruleset *rs, unsigned int family,
				      const char *table, const char *chain)
{
	const struct table *t;
	const struct chain *c;

	list_for_each_entry(t, &rs->tables, list) {
		if (t->handle.family != family || !t->handle.table || strcmp(t->handle.table, table))
			continue;
		list_for_each_entry(c, &t->chains, list)
			if (c->handle.chain && !strcmp(c->handle.chain, chain))
				return c;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Child side: results go to the pipe, one record per line:            */
/*   S <line>                      starting line                       */
/*   R <line> <kind> <pass> <msg>  result (msg escaped, may be empty)   */

static FILE *rep;

static void esc_put(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\n')
			fputs("\\n", rep);
		else if (*s == '\t')
			fputs("\\t", rep);
		else if (*s == '\\')
			fputs("\\\\", rep);
		else
			fputc(*s, rep);
	}
}

static void report_start(int line)
{
	fprintf(rep, "S %d\n", line);
	fflush(rep);
	alarm(LINE_TIMEOUT);
}

static bool replaying; /* rebuilding context before the resume line */

static void report(int line, const char *kind, bool pass, const char *msg)
{
	if (replaying)
		return;
	fprintf(rep, "R %d %s %d ", line, kind, pass ? 1 : 0);
	esc_put(msg);
	fputc('\n', rep);
	fflush(rep);
}

struct py_table {
	unsigned int family;
	char family_name[16];
	char name[64];
	char *chains[MAX_CHAINS];
	unsigned int nchains;
	struct sbuf decls; /* accepted set/element/object commands */
};

struct py_chain {
	char name[64];
	char *config;
};

struct py_file {
	struct py_table tables[MAX_TABLES];
	unsigned int ntables;
	struct py_chain chains[MAX_CHAINS * 2];
	unsigned int nchains;
	json_t *json;	     /* rule text -> expected "expr" array (.t.json) */
	json_t *json_output; /* overrides from .t.json.output */
};

/* "# rule\n[ json ]" blocks of a .t.json file into an object. */
static json_t *load_t_json(const char *path)
{
	json_t *map = json_object();
	FILE *f = fopen(path, "r");
	struct sbuf body = { 0 };
	char *line = NULL, *key = NULL;
	size_t cap = 0;

	if (!f)
		return map;
	for (;;) {
		ssize_t n = getline(&line, &cap, f);

		if (n < 0 || !strncmp(line, "# ", 2)) {
			if (key && body.s) {
				json_t *v = json_loads(body.s, 0, NULL);

				if (v)
					json_object_set_new(map, key, v);
			}
			free(key);
			key = NULL;
			if (body.s)
				body.s[0] = '\0';
			body.len = 0;
			if (n < 0)
				break;
			key = strdup(trim(line + 2));
			continue;
		}
		if (key)
			sb_add(&body, line, n);
	}
	free(line);
	free(body.s);
	free(key);
	fclose(f);
	return map;
}

static const char *py_chain_config(const struct py_file *pf, const char *name)
{
	unsigned int i;

	for (i = 0; i < pf->nchains; i++)
		if (!strcmp(pf->chains[i].name, name))
			return pf->chains[i].config;
	return NULL;
}

static void py_context(const struct py_file *pf, const struct py_table *t, struct sbuf *b)
{
	unsigned int i;

	sb_printf(b, "table %s %s {\n", t->family_name, t->name);
	for (i = 0; i < t->nchains; i++) {
		const char *cfg = py_chain_config(pf, t->chains[i]);

		if (cfg && *cfg)
			sb_printf(b, "\tchain %s { %s; }\n", t->chains[i], cfg);
		else
			sb_printf(b, "\tchain %s { }\n", t->chains[i]);
	}
	sb_puts(b, "}\n");
	if (t->decls.s)
		sb_puts(b, t->decls.s);
}

/* `!name type X [timeout T] [flags F]` -> add set|map F T name { type X; ... } */
static void py_set_cmd(const struct py_table *t, char *spec, struct sbuf *cmd)
{
	char *name = strtok(spec, " \t"), *rest = strtok(NULL, "");
	char *tok, *save = NULL;
	bool map = rest && strstr(rest, " : ");

	sb_printf(cmd, "add %s %s %s %s { ", map ? "map" : "set", t->family_name, t->name,
		  name ? name : "");
	for (tok = strtok_r(rest, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (!strcmp(tok, "flags") || !strcmp(tok, "timeout") || !strcmp(tok, "size") ||
		    !strcmp(tok, "policy") || !strcmp(tok, "gc-interval") || !strcmp(tok, "counter"))
			sb_puts(cmd, "; ");
		sb_printf(cmd, "%s ", tok);
	}
	sb_puts(cmd, "; }\n");
}

/* `%name type counter|quota ..|ct helper {..}` -> add <type> F T name { .. } */
static void py_obj_cmd(const struct py_table *t, char *spec, struct sbuf *cmd)
{
	char *name = strtok(spec, " \t"), *rest = strtok(NULL, "");
	char type[32] = "";
	char *p;

	rest = rest ? trim(rest) : (char *)"";
	if (!strncmp(rest, "type ", 5))
		rest = trim(rest + 5);
	p = rest;
	if (!strncmp(p, "ct ", 3))
		p = trim(p + 3);
	p += strcspn(p, " \t");
	snprintf(type, sizeof(type), "%.*s", (int)(p - rest), rest);
	p = trim(p);
	sb_printf(cmd, "add %s %s %s %s", type, t->family_name, t->name, name ? name : "");
	if (*p == '{')
		sb_printf(cmd, " %s\n", p);
	else if (*p)
		sb_printf(cmd, " { %s }\n", p);
	else
		sb_puts(cmd, "\n");
}

/* Declarations: apply to every table, keep the accepted ones as context. */
static void py_decl(struct py_file *pf, int lineno, char kind, char *body, bool want_ok)
{
	struct sbuf report_msg = { 0 };
	bool all_pass = true;
	unsigned int i;

	for (i = 0; i < pf->ntables; i++) {
		struct py_table *t = &pf->tables[i];
		struct sbuf cmd = { 0 }, ctx = { 0 };
		const char *stage = "";
		char *spec = strdup(body);
		struct run r;
		bool ok;

		if (kind == '!')
			py_set_cmd(t, spec, &cmd);
		else if (kind == '%')
			py_obj_cmd(t, spec, &cmd);
		else {
			char *name = strtok(spec, " \t"), *rest = strtok(NULL, "");

			sb_printf(&cmd, "add element %s %s %s { %s }\n", t->family_name, t->name,
				  name ? name : "", rest ? rest : "");
		}
		free(spec);
		py_context(pf, t, &ctx);

		run_init(&r);
		ok = run_text(&r, ctx.s, "<context>", &stage) == 0;
		if (!ok) {
			sb_printf(&report_msg, "[%s %s] context failed (%s): %s", t->family_name,
				  t->name, stage, r.err.buf ? r.err.buf : "");
		} else {
			ok = run_text(&r, cmd.s, "<cmdline>", &stage) == 0;
			if (ok && want_ok)
				sb_puts(&t->decls, cmd.s);
			if (ok != want_ok)
				sb_printf(&report_msg, "[%s %s] %s %s\n  cmd: %s%s",
					  t->family_name, t->name,
					  want_ok ? "rejected by" : "accepted, no error from",
					  want_ok ? stage : "parse/evaluate", cmd.s,
					  r.err.buf ? r.err.buf : "");
		}
		if (ok != want_ok)
			all_pass = false;
		run_release(&r);
		free(cmd.s);
		free(ctx.s);
	}
	report(lineno, "decl", all_pass, report_msg.s);
	free(report_msg.s);
}

static const char *cur_rule_text;

/* The rule's nft -j expression list against the .t.json(.output) entry. */
static void py_json_check(struct py_file *pf, struct py_table *t, const char *chain, int lineno)
{
	struct output_ctx octx = { .numeric_proto = true, .stateless = true, .json = true };
	struct sbuf ctx = { 0 }, cmd = { 0 }, msg = { 0 };
	const char *stage = "";
	json_t *want = NULL, *got = NULL, *rule = NULL;
	struct run r;
	bool pass = false;

	if (!cur_rule_text || !pf->json)
		return;
	want = json_object_get(pf->json_output, cur_rule_text);
	if (!want)
		want = json_object_get(pf->json, cur_rule_text);
	if (!want)
		return;
	py_context(pf, t, &ctx);
	sb_printf(&cmd, "add rule %s %s %s %s\n", t->family_name, t->name, chain, cur_rule_text);
	run_init(&r);
	if (run_text(&r, ctx.s, "<context>", &stage) == 0 &&
	    run_text(&r, cmd.s, "<cmdline>", &stage) == 0) {
		const struct chain *c = find_chain(&r.rs, t->family, t->name, chain);

		if (c && !list_empty(&c->rules)) {
			rule = bnft_json_rule(c, list_last_entry(&c->rules, struct rule, list), &octx);
			got = json_object_get(json_object_get(rule, "rule"), "expr");
		}
	}
	pass = got && json_equal(got, want);
	if (!pass) {
		char *a = json_dumps(want, JSON_COMPACT);
		char *b = got ? json_dumps(got, JSON_COMPACT) : NULL;

		sb_printf(&msg, "[%s %s %s] json differs\n  expected: %s\n  got:      %s\n",
			  t->family_name, t->name, chain, a ? a : "", b ? b : "(none)");
		free(a);
		free(b);
	}
	report(lineno, "pyjson", pass, msg.s);
	json_decref(rule);
	run_release(&r);
	free(ctx.s);
	free(cmd.s);
	free(msg.s);
}

/*
 * Fixpoint: the listing fed back as a rule must list the same (what `nft
 * list ruleset > f; nft -f f` relies on). Checked once per line, on the
 * first instance that listed as expected; reported apart, not gating.
 */
static bool py_fixpoint(struct py_file *pf, struct py_table *t, const char *chain, int lineno,
			const char *listed)
{
	struct output_ctx octx = { .numeric_proto = true, .stateless = true };
	struct sbuf ctx = { 0 }, cmd = { 0 }, msg = { 0 };
	const char *stage = "";
	struct outbuf got;
	struct run r;
	bool pass = false;

	py_context(pf, t, &ctx);
	sb_printf(&cmd, "add rule %s %s %s %s\n", t->family_name, t->name, chain, listed);
	run_init(&r);
	outbuf_init(&got);
	if (run_text(&r, ctx.s, "<context>", &stage) < 0) {
		sb_printf(&msg, "[%s %s %s] context failed", t->family_name, t->name, chain);
	} else if (run_text(&r, cmd.s, "<cmdline>", &stage) < 0) {
		sb_printf(&msg, "[%s %s %s] listing not accepted back (%s):\n  %s\n%s",
			  t->family_name, t->name, chain, stage, listed, r.err.buf ? r.err.buf : "");
	} else {
		const struct chain *c = find_chain(&r.rs, t->family, t->name, chain);

		if (c && !list_empty(&c->rules))
			bnft_print_rule(list_last_entry(&c->rules, struct rule, list), t->family,
					&octx, &got);
		pass = got.buf && !strcmp(got.buf, listed);
		if (!pass)
			sb_printf(&msg, "[%s %s %s] listing is no fixpoint\n  first:  %s\n  second: %s\n",
				  t->family_name, t->name, chain, listed, got.buf ? got.buf : "");
	}
	report(lineno, "fixpoint", pass, msg.s);
	py_json_check(pf, t, chain, lineno);
	outbuf_release(&got);
	run_release(&r);
	free(ctx.s);
	free(cmd.s);
	free(msg.s);
	return true;
}

static void py_rule(struct py_file *pf, int lineno, const char *rule, const char *expected,
		    bool want_ok)
{
	struct output_ctx octx = { 0 };
	struct sbuf msg = { 0 };
	bool all_pass = true, fixpoint_done = false;
	unsigned int i, j;

	octx.numeric_proto = true;
	octx.stateless = true;

	for (i = 0; i < pf->ntables; i++) {
		struct py_table *t = &pf->tables[i];

		for (j = 0; j < t->nchains; j++) {
			struct sbuf ctx = { 0 }, cmd = { 0 };
			const char *stage = "";
			struct run r;
			bool pass;

			py_context(pf, t, &ctx);
			sb_printf(&cmd, "add rule %s %s %s %s\n", t->family_name, t->name,
				  t->chains[j], rule);
			run_init(&r);
			if (run_text(&r, ctx.s, "<context>", &stage) < 0) {
				pass = false;
				sb_printf(&msg, "[%s %s %s] context failed (%s): %s", t->family_name,
					  t->name, t->chains[j], stage, r.err.buf ? r.err.buf : "");
			} else if (run_text(&r, cmd.s, "<cmdline>", &stage) < 0) {
				pass = !want_ok;
				if (!pass)
					sb_printf(&msg, "[%s %s %s] rejected by %s:\n%s", t->family_name,
						  t->name, t->chains[j], stage,
						  r.err.buf ? r.err.buf : "");
			} else if (!want_ok) {
				pass = false;
				sb_printf(&msg, "[%s %s %s] accepted, expected an error\n",
					  t->family_name, t->name, t->chains[j]);
			} else {
				const struct chain *c =
					find_chain(&r.rs, t->family, t->name, t->chains[j]);
				const struct rule *last = NULL;
				struct outbuf got;

				outbuf_init(&got);
				if (c && !list_empty(&c->rules))
					last = list_last_entry(&c->rules, struct rule, list);
				if (last)
					bnft_print_rule(last, t->family, &octx, &got);
				else
					outbuf_puts(&got, "<no rule in chain>");
				pass = listing_matches(expected, got.buf ? got.buf : "");
				if (!pass)
					sb_printf(&msg,
						  "[%s %s %s] listing differs\n  expected: %s\n  got:      %s\n",
						  t->family_name, t->name, t->chains[j], expected,
						  got.buf ? got.buf : "");
				else if (!fixpoint_done)
					fixpoint_done = py_fixpoint(pf, t, t->chains[j], lineno,
								    got.buf ? got.buf : "");
				outbuf_release(&got);
			}
			if (!pass)
				all_pass = false;
			run_release(&r);
			free(ctx.s);
			free(cmd.s);
			/* one failing instance is enough to show */
			if (!all_pass)
				break;
		}
		if (!all_pass)
			break;
	}
	report(lineno, want_ok ? "ok" : "fail", all_pass, msg.s);
	free(msg.s);
}

static void py_table_line(struct py_file *pf, char *spec)
{
	char *fam = strtok(spec, ";"), *name = strtok(NULL, ";"), *chains = strtok(NULL, ";");
	struct py_table *t;
	char *c, *save = NULL;

	if (!fam || !name || pf->ntables >= MAX_TABLES)
		return;
	t = &pf->tables[pf->ntables++];
	memset(t, 0, sizeof(*t));
	snprintf(t->family_name, sizeof(t->family_name), "%s", trim(fam));
	snprintf(t->name, sizeof(t->name), "%s", trim(name));
	t->family = family_lookup(t->family_name);
	for (c = strtok_r(chains, ",", &save); c && t->nchains < MAX_CHAINS;
	     c = strtok_r(NULL, ",", &save))
		t->chains[t->nchains++] = strdup(trim(c));
}

static void py_chain_line(struct py_file *pf, char *spec)
{
	char *name = strtok(spec, ";"), *cfg = strtok(NULL, "");

	if (!name || pf->nchains >= MAX_CHAINS * 2)
		return;
	snprintf(pf->chains[pf->nchains].name, sizeof(pf->chains[0].name), "%s", trim(name));
	pf->chains[pf->nchains].config = strdup(cfg ? trim(cfg) : "");
	pf->nchains++;
}

/* Process one .t file, reporting results for lines >= start. */
static void py_file_run(const char *path, int start)
{
	struct py_file pf;
	char line[8192];
	int lineno = 0;
	FILE *f = fopen(path, "r");

	memset(&pf, 0, sizeof(pf));
	{
		char jp[4096];

		snprintf(jp, sizeof(jp), "%s.json", path);
		pf.json = load_t_json(jp);
		snprintf(jp, sizeof(jp), "%s.json.output", path);
		pf.json_output = load_t_json(jp);
	}
	if (!f) {
		report(0, "error", false, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char *l = trim(line), *fields[3] = { NULL, NULL, NULL };
		char *p;
		int nf = 0;
		bool want_ok;

		lineno++;
		if (!*l || *l == '#')
			continue;
		if (*l == '*') {
			py_table_line(&pf, l + 1);
			continue;
		}
		if (*l == ':') {
			py_chain_line(&pf, l + 1);
			continue;
		}
		if (*l == '-') /* known upstream bug */
			continue;
		/* rule;ok[;expected] or rule;fail; declarations may hold ';'
		 * inside braces, so they split at the last one */
		p = l;
		fields[nf++] = p;
		if (*l == '!' || *l == '?' || *l == '%') {
			p = strrchr(l, ';');
			if (p) {
				*p++ = '\0';
				fields[nf++] = p;
			}
		} else {
			while (nf < 3 && (p = strchr(p, ';'))) {
				*p++ = '\0';
				fields[nf++] = p;
			}
		}
		if (nf < 2)
			continue;
		want_ok = !strcmp(trim(fields[1]), "ok");
		if (!want_ok && strcmp(trim(fields[1]), "fail"))
			continue;
		if (*l == '!' || *l == '?' || *l == '%') {
			/* declarations are replayed to rebuild the context */
			replaying = lineno < start;
			if (!replaying)
				report_start(lineno);
			py_decl(&pf, lineno, *l, trim(fields[0] + 1), want_ok);
			replaying = false;
			continue;
		}
		if (lineno < start)
			continue;
		report_start(lineno);
		cur_rule_text = trim(fields[0]);
		py_rule(&pf, lineno, cur_rule_text, nf == 3 ? trim(fields[2]) : trim(fields[0]),
			want_ok);
		cur_rule_text = NULL;
	}
	fclose(f);
	json_decref(pf.json);
	json_decref(pf.json_output);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	struct sbuf b = { 0 };
	char buf[65536];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&b, buf, n);
	fclose(f);
	if (!b.s)
		sb_puts(&b, "");
	*len = b.len;
	return b.s;
}

static void dump_run(char **paths, int n, int start)
{
	struct output_ctx octx = { 0 };
	int i;

	for (i = start; i < n; i++) {
		struct sbuf msg = { 0 };
		const char *stage = "";
		size_t len = 0;
		char *want = slurp(paths[i], &len);
		struct run r;
		bool pass;

		report_start(i);
		run_init(&r);
		if (run_file(&r, paths[i], &stage) < 0) {
			pass = false;
			sb_printf(&msg, "rejected by %s:\n%s", stage, r.err.buf ? r.err.buf : "");
		} else {
			struct outbuf got;

			outbuf_init(&got);
			bnft_print_ruleset(&r.rs, &octx, &got);
			pass = want && got.len == len && (!len || !memcmp(got.buf, want, len));
			if (!pass)
				sb_printf(&msg, "output differs\n--- expected\n%s--- got\n%s---\n",
					  want ? want : "", got.buf ? got.buf : "");
			outbuf_release(&got);
		}
		report(i, "dump", pass, msg.s);
		run_release(&r);
		free(msg.s);
		free(want);
	}
}

/* handles are 0 and versions placeholders in upstream's json dumps */
static void json_normalise(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			json_normalise(v);
		return;
	}
	if (!json_is_object(j))
		return;
	json_object_foreach(j, k, v) {
		if (!strcmp(k, "handle") && json_is_integer(v))
			json_object_set_new(j, k, json_integer(0));
		else if (!strcmp(k, "version") && json_is_string(v))
			json_object_set_new(j, k, json_string("VERSION"));
		else if (!strcmp(k, "release_name") && json_is_string(v))
			json_object_set_new(j, k, json_string("RELEASE_NAME"));
		else
			json_normalise(v);
	}
}

/* tests/shell json dumps: the .nft dump beside it, listed with -j, must
 * equal the .json-nft (as JSON values, handles 0). */
static void json_dump_run(char **paths, int n, int start)
{
	struct output_ctx octx = { .json = true };
	int i;

	for (i = start; i < n; i++) {
		struct sbuf msg = { 0 };
		const char *stage = "";
		char nft[4096];
		json_error_t jerr;
		json_t *want, *got;
		struct run r;
		bool pass = false;
		size_t len = strlen(paths[i]);

		report_start(i);
		snprintf(nft, sizeof(nft), "%.*s.nft", (int)(len - strlen(".json-nft")), paths[i]);
		want = json_load_file(paths[i], 0, &jerr);
		run_init(&r);
		if (!want) {
			sb_printf(&msg, "cannot read %s: %s", paths[i], jerr.text);
		} else if (run_file(&r, nft, &stage) < 0) {
			sb_printf(&msg, "rejected by %s:\n%s", stage, r.err.buf ? r.err.buf : "");
		} else {
			got = bnft_json_ruleset(&r.rs, 0, &octx);
			json_normalise(got);
			pass = got && json_equal(got, want);
			if (!pass) {
				char *a = json_dumps(want, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
				char *b = got ? json_dumps(got, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;

				sb_printf(&msg, "json differs\n--- expected\n%s\n--- got\n%s\n---\n",
					  a ? a : "", b ? b : "");
				free(a);
				free(b);
			}
			json_decref(got);
		}
		json_decref(want);
		report(i, "json", pass, msg.s);
		run_release(&r);
		free(msg.s);
	}
}

/* ------------------------------------------------------------------ */
/* Parent side                                                         */

struct tally {
	unsigned int ok_pass, ok_fail, fail_pass, fail_fail, decl_pass, decl_fail;
	unsigned int dump_pass, dump_fail, crashes;
	unsigned int fix_pass, fix_fail;
	unsigned int json_pass, json_fail;
	unsigned int pyjson_pass, pyjson_fail;
};

static FILE *logfp;
static unsigned int logged, maxlog = 400;
static const char *filter;

static void unesc(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			*o++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void log_failure(const char *where, int line, const char *kind, const char *msg)
{
	if (!logfp)
		return;
	if (logged++ >= maxlog) {
		if (logged == maxlog + 1)
			fprintf(logfp, "... further mismatches not logged (-m to raise)\n");
		return;
	}
	fprintf(logfp, "=== %s:%d (%s)\n%s\n", where, line, kind, msg && *msg ? msg : "");
}

static void count(struct tally *t, const char *kind, bool pass)
{
	if (!strcmp(kind, "ok"))
		pass ? t->ok_pass++ : t->ok_fail++;
	else if (!strcmp(kind, "fail"))
		pass ? t->fail_pass++ : t->fail_fail++;
	else if (!strcmp(kind, "decl"))
		pass ? t->decl_pass++ : t->decl_fail++;
	else if (!strcmp(kind, "dump"))
		pass ? t->dump_pass++ : t->dump_fail++;
	else if (!strcmp(kind, "fixpoint"))
		pass ? t->fix_pass++ : t->fix_fail++;
	else if (!strcmp(kind, "json"))
		pass ? t->json_pass++ : t->json_fail++;
	else if (!strcmp(kind, "pyjson"))
		pass ? t->pyjson_pass++ : t->pyjson_fail++;
}

/*
 * Run job(start) in children until it completes, resuming after a crashing
 * line. where names the file for the log; line_kind is the record kind a
 * crash counts as when the crashing line's kind is unknown.
 */
static void run_job(const char *where, void (*job)(void *arg, int start), void *arg,
		    struct tally *t, const char *crash_kind, char **names)
{
	int start = 0;

	for (;;) {
		int fds[2], status, cur = -1;
		char *line = NULL;
		size_t cap = 0;
		FILE *in;
		pid_t pid;

		if (pipe(fds) < 0) {
			perror("pipe");
			exit(2);
		}
		fflush(NULL);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(2);
		}
		if (pid == 0) {
			close(fds[0]);
			rep = fdopen(fds[1], "w");
			job(arg, start);
			fflush(rep);
			_exit(0);
		}
		close(fds[1]);
		in = fdopen(fds[0], "r");
		while (getline(&line, &cap, in) > 0) {
			char kind[16], *msg;
			int ln, pass, off = 0;

			line[strcspn(line, "\n")] = '\0';
			if (line[0] == 'S') {
				cur = atoi(line + 2);
				continue;
			}
			if (sscanf(line, "R %d %15s %d %n", &ln, kind, &pass, &off) < 3)
				continue;
			msg = line + off;
			unesc(msg);
			count(t, kind, pass);
			if (!pass)
				log_failure(names ? names[ln] : where, names ? 0 : ln, kind, msg);
			/* the fixpoint record comes before its line's result */
			if (strcmp(kind, "fixpoint"))
				cur = -1;
		}
		free(line);
		fclose(in);
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			return;
		/* the child died on line `cur` */
		t->crashes++;
		count(t, crash_kind, false);
		{
			char msg[128];

			snprintf(msg, sizeof(msg), "CRASH: %s %d",
				 WIFSIGNALED(status) ? "signal" : "exit status",
				 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			log_failure(names && cur >= 0 ? names[cur] : where, names ? 0 : cur, "crash",
				    msg);
		}
		if (cur < 0)
			return; /* died outside any line: nothing to resume */
		start = cur + 1;
	}
}

static void py_job(void *arg, int start)
{
	py_file_run(arg, start);
}

struct dump_arg {
	char **paths;
	int n;
};

static void dump_job(void *arg, int start)
{
	struct dump_arg *d = arg;

	dump_run(d->paths, d->n, start);
}

static void json_dump_job(void *arg, int start)
{
	struct dump_arg *d = arg;

	json_dump_run(d->paths, d->n, start);
}

static double pct(unsigned int a, unsigned int b)
{
	return b ? 100.0 * a / b : 100.0;
}

int main(int argc, char **argv)
{
	const char *corpora = getenv("BNFT_CORPORA");
	const char *logpath = "build/conformance.log";
	struct tally total = { 0 };
	unsigned int passed = 0, failed = 0, skipped = 0;
	char pattern[4096];
	glob_t g;
	bool quiet = false;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "c:l:m:f:q")) != -1) {
		switch (opt) {
		case 'c':
			corpora = optarg;
			break;
		case 'l':
			logpath = optarg;
			break;
		case 'm':
			maxlog = atoi(optarg);
			break;
		case 'f':
			filter = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-c corpora] [-l log] [-m maxlog] [-f substr] [-q]\n",
				argv[0]);
			return 2;
		}
	}
	if (!corpora)
		corpora = "../shared/corpora";
	snprintf(pattern, sizeof(pattern), "%s/nftables/tests", corpora);
	if (access(pattern, R_OK) != 0) {
		printf("conformance: corpora not found at %s, skipping\n", corpora);
		printf("conformance: 0 passed, 0 failed, 4 skipped\n");
		return 0;
	}
	/* nft-test.py lists times in this zone (meta time "..." lines) */
	setenv("TZ", "UTC-2", 1);
	tzset();
	logfp = fopen(logpath, "w");
	if (!logfp)
		fprintf(stderr, "conformance: cannot write %s: %s\n", logpath, strerror(errno));

	/* tests/py */
	snprintf(pattern, sizeof(pattern), "%s/nftables/tests/py/*/*.t", corpora);
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (i = 0; i < g.gl_pathc; i++) {
			const char *path = g.gl_pathv[i];
			const char *rel = strstr(path, "tests/py/");
			struct tally t = { 0 };

			if (filter && !strstr(path, filter))
				continue;
			rel = rel ? rel + 9 : path;
			run_job(rel, py_job, (void *)path, &t, "ok", NULL);
			/* quiet: only the files with something to fix */
			if (!quiet || t.ok_fail || t.fail_fail || t.decl_fail || t.crashes)
				printf("%-28s ok %u/%u  fail-rejected %u/%u  decl %u/%u%s\n", rel,
				       t.ok_pass, t.ok_pass + t.ok_fail, t.fail_pass,
				       t.fail_pass + t.fail_fail, t.decl_pass,
				       t.decl_pass + t.decl_fail, t.crashes ? "  CRASHED" : "");
			if (logfp)
				fprintf(logfp, "## %s: ok %u/%u, fail-rejected %u/%u, decl %u/%u, crashes %u\n",
					rel, t.ok_pass, t.ok_pass + t.ok_fail, t.fail_pass,
					t.fail_pass + t.fail_fail, t.decl_pass,
					t.decl_pass + t.decl_fail, t.crashes);
			total.ok_pass += t.ok_pass;
			total.ok_fail += t.ok_fail;
			total.fail_pass += t.fail_pass;
			total.fail_fail += t.fail_fail;
			total.decl_pass += t.decl_pass;
			total.decl_fail += t.decl_fail;
			total.fix_pass += t.fix_pass;
			total.fix_fail += t.fix_fail;
			total.pyjson_pass += t.pyjson_pass;
			total.pyjson_fail += t.pyjson_fail;
			total.crashes += t.crashes;
		}
		globfree(&g);
	}

	/* tests/shell dumps */
	snprintf(pattern, sizeof(pattern), "%s/nftables/tests/shell/testcases/*/dumps/*.nft",
		 corpora);
	if (glob(pattern, 0, NULL, &g) == 0) {
		struct dump_arg d = { NULL, 0 };
		char **names = calloc(g.gl_pathc + 1, sizeof(*names));
		struct tally t = { 0 };

		d.paths = calloc(g.gl_pathc + 1, sizeof(*d.paths));
		for (i = 0; i < g.gl_pathc; i++) {
			const char *rel = strstr(g.gl_pathv[i], "testcases/");

			if (filter && !strstr(g.gl_pathv[i], filter))
				continue;
			names[d.n] = (char *)(rel ? rel : g.gl_pathv[i]);
			d.paths[d.n++] = g.gl_pathv[i];
		}
		if (d.n)
			run_job("shell dumps", dump_job, &d, &t, "dump", names);
		if (logfp)
			fprintf(logfp, "## shell dumps: identical %u/%u, crashes %u\n", t.dump_pass,
				t.dump_pass + t.dump_fail, t.crashes);
		total.dump_pass = t.dump_pass;
		total.dump_fail = t.dump_fail;
		total.crashes += t.crashes;
		free(names);
		free(d.paths);
		globfree(&g);
	}

	/* tests/shell json dumps (nft -j), not gating */
	snprintf(pattern, sizeof(pattern), "%s/nftables/tests/shell/testcases/*/dumps/*.json-nft",
		 corpora);
	if (glob(pattern, 0, NULL, &g) == 0) {
		struct dump_arg d = { NULL, 0 };
		char **names = calloc(g.gl_pathc + 1, sizeof(*names));
		struct tally t = { 0 };

		d.paths = calloc(g.gl_pathc + 1, sizeof(*d.paths));
		for (i = 0; i < g.gl_pathc; i++) {
			const char *rel = strstr(g.gl_pathv[i], "testcases/");

			if (filter && !strstr(g.gl_pathv[i], filter))
				continue;
			names[d.n] = (char *)(rel ? rel : g.gl_pathv[i]);
			d.paths[d.n++] = g.gl_pathv[i];
		}
		if (d.n)
			run_job("json dumps", json_dump_job, &d, &t, "json", names);
		total.json_pass = t.json_pass;
		total.json_fail = t.json_fail;
		total.crashes += t.crashes;
		if (logfp)
			fprintf(logfp, "## json dumps: equal %u/%u, crashes %u\n", t.json_pass,
				t.json_pass + t.json_fail, t.crashes);
		free(names);
		free(d.paths);
		globfree(&g);
	}

	printf("py ;ok lines listed exactly:   %u/%u (%.1f%%, target 95%%)\n", total.ok_pass,
	       total.ok_pass + total.ok_fail, pct(total.ok_pass, total.ok_pass + total.ok_fail));
	printf("py ;fail lines rejected:       %u/%u (%.1f%%, target 95%%)\n", total.fail_pass,
	       total.fail_pass + total.fail_fail,
	       pct(total.fail_pass, total.fail_pass + total.fail_fail));
	printf("py set/element/object decls:   %u/%u (%.1f%%, not gating)\n", total.decl_pass,
	       total.decl_pass + total.decl_fail,
	       pct(total.decl_pass, total.decl_pass + total.decl_fail));
	printf("py listings read back same:    %u/%u (%.1f%%, not gating)\n", total.fix_pass,
	       total.fix_pass + total.fix_fail, pct(total.fix_pass, total.fix_pass + total.fix_fail));
	printf("py rules as nft -j (.t.json):  %u/%u (%.1f%%, not gating)\n", total.pyjson_pass,
	       total.pyjson_pass + total.pyjson_fail,
	       pct(total.pyjson_pass, total.pyjson_pass + total.pyjson_fail));
	printf("shell dumps byte-identical:    %u/%u (%.1f%%, target 90%%)\n", total.dump_pass,
	       total.dump_pass + total.dump_fail,
	       pct(total.dump_pass, total.dump_pass + total.dump_fail));
	printf("shell json dumps equal (-j):   %u/%u (%.1f%%, not gating)\n", total.json_pass,
	       total.json_pass + total.json_fail,
	       pct(total.json_pass, total.json_pass + total.json_fail));
	printf("crashes:                       %u (target 0)\n", total.crashes);
	if (logfp) {
		printf("mismatches logged to %s (%u, first %u kept)\n", logpath, logged,
		       logged < maxlog ? logged : maxlog);
		fclose(logfp);
	}

#define CATEGORY(name, cond, have)                                    \
	do {                                                          \
		if (!(have)) {                                        \
			skipped++;                                    \
		} else if (cond) {                                    \
			passed++;                                     \
			printf("category %-16s PASS\n", name);        \
		} else {                                              \
			failed++;                                     \
			printf("category %-16s FAIL\n", name);        \
		}                                                     \
	} while (0)

	CATEGORY("py-ok-listing", pct(total.ok_pass, total.ok_pass + total.ok_fail) >= 95.0,
		 total.ok_pass + total.ok_fail);
	CATEGORY("py-fail-rejected",
		 pct(total.fail_pass, total.fail_pass + total.fail_fail) >= 95.0,
		 total.fail_pass + total.fail_fail);
	CATEGORY("no-crash", total.crashes == 0, 1);
	CATEGORY("shell-dumps", pct(total.dump_pass, total.dump_pass + total.dump_fail) >= 90.0,
		 total.dump_pass + total.dump_fail);
	printf("conformance: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	return 0;
}
