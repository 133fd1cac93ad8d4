// SPDX-License-Identifier: GPL-2.0
/*
 * Value parsing and printing driven by the upstream tests/py *.t files:
 * for every "ok" rule of the shape  SELECTOR [OP] VALUE [verdict]  with a
 * single value, parse VALUE with the selector's datatype, fit it to the
 * selector's width, print it, and compare with the value nft lists (the
 * third field when given, else the value as written). Listing options are
 * upstream's: numeric protocols, TZ=UTC-2. Skips when the corpus is absent.
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
#include <time.h>

#include <cmocka.h>

#include "parser/ast.h"
#include "parser/datatype.h"
#include "parser/erec.h"
#include "parser/proto.h"

static const char *corpora(void)
{
	const char *c = getenv("BNFT_CORPORA");

	return c && *c ? c : "/work/shared/corpora";
}

/* meta keys nft accepts without "meta" */
static const char *const unqualified[] = {
	"mark",	     "iif",	"iifname", "iiftype", "oif",	  "oifname",  "oiftype",
	"skuid",     "skgid",	"nftrace", "rtclassid", "ibrname", "obrname", "pkttype",
	"cpu",	     "iifgroup", "oifgroup", "cgroup",	  NULL,
};

struct sel {
	const struct datatype *dtype;
	unsigned int len;
	unsigned int words; /* tokens used by the selector */
};

static bool find_selector(char **w, unsigned int n, struct sel *s)
{
	const struct proto_desc *d;
	const struct key_template *k;
	int f, key;
	unsigned int i;

	if (n >= 2 && !strcmp(w[0], "meta")) {
		key = meta_key_lookup(w[1]);
		if (key < 0 || !(k = meta_template(key)))
			return false;
		*s = (struct sel){ k->dtype, k->len, 2 };
		return true;
	}
	for (i = 0; unqualified[i]; i++) {
		if (!strcmp(w[0], unqualified[i])) {
			k = meta_template(meta_key_lookup(w[0]));
			if (!k)
				return false;
			*s = (struct sel){ k->dtype, k->len, 1 };
			return true;
		}
	}
	if (n >= 2 && !strcmp(w[0], "ct")) {
		unsigned int kw = 1;

		if (n >= 3 && (!strcmp(w[1], "original") || !strcmp(w[1], "reply")))
			kw = 2;
		key = ct_key_lookup(w[kw]);
		if (key < 0 || !(k = ct_template(key)) || !k->len)
			return false;
		*s = (struct sel){ k->dtype, k->len, kw + 1 };
		return true;
	}
	if (n >= 4 && !strcmp(w[0], "tcp") && !strcmp(w[1], "option")) {
		d = exthdr_lookup(EXTHDR_OP_TCPOPT, w[2]);
		f = d ? proto_field_lookup(d, w[3]) : -1;
		if (f <= 0)
			return false;
		*s = (struct sel){ d->templates[f].dtype, d->templates[f].len, 4 };
		return true;
	}
	if (n >= 4 && !strcmp(w[0], "sctp") && !strcmp(w[1], "chunk")) {
		d = exthdr_lookup(EXTHDR_OP_SCTP, w[2]);
		f = d ? proto_field_lookup(d, w[3]) : -1;
		if (f <= 0)
			return false;
		*s = (struct sel){ d->templates[f].dtype, d->templates[f].len, 4 };
		return true;
	}
	if (n < 2)
		return false;
	d = exthdr_lookup(EXTHDR_OP_IPV6, w[0]);
	if (!d) {
		d = proto_lookup(w[0]);
		if (!d || d->meta_key)
			return false;
	}
	if (n >= 3) {
		char two[64];

		snprintf(two, sizeof(two), "%s %s", w[1], w[2]);
		f = proto_field_lookup(d, two);
		if (f > 0) {
			*s = (struct sel){ d->templates[f].dtype, d->templates[f].len, 3 };
			return true;
		}
	}
	f = proto_field_lookup(d, w[1]);
	if (f <= 0)
		return false;
	*s = (struct sel){ d->templates[f].dtype, d->templates[f].len, 2 };
	return true;
}

/* Split on blanks, keeping "quoted strings" whole (quotes kept). */
static unsigned int split(char *s, char **w, unsigned int max)
{
	unsigned int n = 0;

	while (*s && n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		w[n++] = s;
		if (*s == '"') {
			char *q = strchr(s + 1, '"');

			s = q ? q + 1 : s + strlen(s);
		} else {
			while (*s && *s != ' ' && *s != '\t')
				s++;
		}
		if (*s)
			*s++ = '\0';
	}
	return n;
}

static bool is_op(const char *t)
{
	static const char *const ops[] = { "==", "!=", "<", ">", "<=", ">=", "eq", "ne",
					   "lt", "gt", "le", "ge", NULL };
	unsigned int i;

	for (i = 0; ops[i]; i++)
		if (!strcmp(t, ops[i]))
			return true;
	return false;
}

static bool is_tail(const char *t)
{
	return !strcmp(t, "accept") || !strcmp(t, "drop") || !strcmp(t, "counter") ||
	       !strcmp(t, "continue") || !strcmp(t, "return");
}

/* The value token of a rule, or NULL when the rule is not simple. */
static char *value_of(char *rule, struct sel *s)
{
	char *w[64];
	unsigned int n = split(rule, w, 64), i;

	if (!n || !find_selector(w, n, s))
		return NULL;
	i = s->words;
	if (i < n && is_op(w[i]))
		i++;
	if (i >= n)
		return NULL;
	if (i + 1 < n && !(i + 2 == n && is_tail(w[i + 1])))
		return NULL;
	if (strpbrk(w[i], "{}/,|&$@") || (w[i][0] != '"' && strchr(w[i], '-') &&
					    (w[i][0] >= '0' && w[i][0] <= '9')))
		return NULL; /* sets, prefixes, lists, ranges, variables */
	if (!strcmp(w[i], "set") || is_tail(w[i]) || !strcmp(w[i], "exists") ||
	    !strcmp(w[i], "missing") || !strcmp(w[i], "map") || !strcmp(w[i], "vmap"))
		return NULL;
	return w[i];
}

struct stats {
	unsigned int checked, failed;
};

/* "bcad:dada-bcad:dadc": both halves parse as the type */
static bool is_range(const struct datatype *dtype, const char *text)
{
	const char *dash = strchr(text, '-');
	struct expr *a, *b, *va = NULL, *vb = NULL;
	struct error_record *ea = NULL, *eb = NULL;
	char left[256];
	bool both;

	if (!dash || dash == text || (size_t)(dash - text) >= sizeof(left))
		return false;
	snprintf(left, sizeof(left), "%.*s", (int)(dash - text), text);
	a = symbol_expr_alloc(&internal_location, left, false);
	b = symbol_expr_alloc(&internal_location, dash + 1, false);
	both = !datatype_parse(dtype, a, &va, &ea) && !datatype_parse(dtype, b, &vb, &eb);
	erec_destroy(ea);
	erec_destroy(eb);
	expr_free(va);
	expr_free(vb);
	expr_free(a);
	expr_free(b);
	return both;
}

static void check_line(const char *file, char *line, struct stats *st,
		       const struct output_ctx *octx)
{
	char *f1 = line, *f2, *f3, rule[1024], expect[1024], *v, *ev, text[512];
	struct sel s, es;
	struct error_record *erec = NULL;
	struct expr *sym, *val = NULL;
	struct outbuf o;
	size_t l;

	f2 = strchr(f1, ';');
	if (!f2)
		return;
	*f2++ = '\0';
	f3 = strchr(f2, ';');
	if (f3)
		*f3++ = '\0';
	if (strncmp(f2, "ok", 2))
		return;
	if (strlen(f1) >= sizeof(rule) || (f3 && strlen(f3) >= sizeof(expect)))
		return;
	strcpy(rule, f1);
	strcpy(expect, f3 && *f3 ? f3 : f1);
	expect[strcspn(expect, "\n")] = '\0';
	v = value_of(rule, &s);
	if (!v)
		return;
	ev = value_of(expect, &es);
	if (!ev)
		return;
	/* strings are written quoted; the symbol holds the text inside */
	l = strlen(v);
	if (v[0] == '"' && l >= 2 && v[l - 1] == '"') {
		snprintf(text, sizeof(text), "%.*s", (int)(l - 2), v + 1);
	} else {
		snprintf(text, sizeof(text), "%s", v);
	}
	if (strchr(text, '*'))
		return; /* ifname wildcards are evaluate's */
	if (is_range(s.dtype, text))
		return;
	st->checked++;
	sym = symbol_expr_alloc(&internal_location, text, v[0] == '"');
	if (datatype_parse(s.dtype, sym, &val, &erec) ||
	    (s.dtype->size != 0 && s.dtype->type != TYPE_STRING &&
	     s.dtype->basetype != &string_type && datatype_value_fit(val, s.len, &erec))) {
		st->failed++;
		print_message("%s: '%s' as %s: %s\n", file, v, s.dtype->name,
			      erec ? erec->msg : "?");
		erec_destroy(erec);
		expr_free(val);
		expr_free(sym);
		return;
	}
	outbuf_init(&o);
	datatype_print(val, octx, &o);
	if (!o.buf || strcmp(o.buf, ev)) {
		st->failed++;
		print_message("%s: '%s' as %s printed '%s', nft lists '%s'\n", file, v,
			      s.dtype->name, o.buf ? o.buf : "", ev);
	}
	outbuf_release(&o);
	expr_free(val);
	expr_free(sym);
}

static void test_values_vs_corpus(void **state)
{
	struct output_ctx octx = { .numeric_proto = true };
	char pattern[512], line[4096];
	struct stats st = { 0 };
	glob_t g;
	size_t i;

	setenv("TZ", "UTC-2", 1);
	tzset();
	snprintf(pattern, sizeof(pattern), "%s/nftables/tests/py/*/*.t", corpora());
	if (glob(pattern, 0, NULL, &g) != 0) {
		print_message("SKIP: no corpus at %s\n", corpora());
		skip();
	}
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		const char *name = strrchr(g.gl_pathv[i], '/');

		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			if (strchr("#:*!?%-\n", line[0]))
				continue;
			check_line(name + 1, line, &st, &octx);
		}
		fclose(f);
	}
	globfree(&g);
	print_message("value checks: %u values, %u mismatches\n", st.checked, st.failed);
	assert_true(st.checked > 300);
	assert_int_equal(st.failed, 0);
}

/* ------------------------------------------------------------------ */
/* Chain/flowtable priorities of the tests/shell dumps: parse the listed
 * text ("filter + 10", "-150", "dstnat") for the table's family and the
 * chain's hook, print it back, expect the same text. */

static int family_num(const char *f)
{
	static const struct {
		const char *name;
		int num;
	} fams[] = { { "ip", 2 },     { "ip6", 10 },	{ "inet", 1 },
		     { "arp", 3 },    { "bridge", 7 },	{ "netdev", 5 } };
	unsigned int i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		if (!strcmp(fams[i].name, f))
			return fams[i].num;
	return -1;
}

static int hook_num(int family, const char *h)
{
	static const char *const inet[] = { "prerouting", "input",	 "forward",
					    "output",	  "postrouting", "ingress" };
	unsigned int i;

	if (family == 5)
		return !strcmp(h, "ingress") ? 0 : !strcmp(h, "egress") ? 1 : -1;
	if (family == 3)
		return !strcmp(h, "input") ? 0 : !strcmp(h, "output") ? 1 : -1;
	for (i = 0; i < 6; i++)
		if (!strcmp(inet[i], h))
			return (int)i;
	return -1;
}

static int check_prio(int family, int hook, const char *text)
{
	char name[32], sign[4];
	int prio, off, n = 0;
	struct output_ctx octx = { 0 };
	struct outbuf o;
	int ok;

	if (sscanf(text, "%d%n", &prio, &n) == 1 && !text[n]) {
		/* a number */
	} else if (sscanf(text, "%31[a-z] %3[+-] %d%n", name, sign, &off, &n) == 3 && !text[n]) {
		if (prio_parse(name, family, hook, &prio))
			return -1;
		prio += sign[0] == '+' ? off : -off;
	} else if (sscanf(text, "%31[a-z]%n", name, &n) == 1 && !text[n]) {
		if (prio_parse(name, family, hook, &prio))
			return -1;
	} else {
		return -1;
	}
	outbuf_init(&o);
	prio_print(prio, family, hook, &octx, &o);
	ok = o.buf && !strcmp(o.buf, text);
	if (!ok)
		print_message("priority '%s' (family %d hook %d) printed '%s'\n", text, family,
			      hook, o.buf ? o.buf : "");
	outbuf_release(&o);
	return ok ? 0 : -1;
}

static void test_priorities_vs_dumps(void **state)
{
	char pattern[512], line[4096], fam[16], hook[32], prio[64];
	unsigned int checked = 0, failed = 0;
	int family = -1;
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/nftables/tests/shell/testcases/*/dumps/*.nft",
		 corpora());
	if (glob(pattern, 0, NULL, &g) != 0) {
		print_message("SKIP: no shell dumps at %s\n", corpora());
		skip();
	}
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "r");
		bool flowtable = false;

		assert_non_null(f);
		while (fgets(line, sizeof(line), f)) {
			char *p = line + strspn(line, "\t ");

			if (sscanf(p, "table %15s", fam) == 1) {
				family = family_num(fam);
				continue;
			}
			if (!strncmp(p, "flowtable ", 10))
				flowtable = true;
			else if (!strncmp(p, "chain ", 6))
				flowtable = false;
			if (family < 0)
				continue;
			if (sscanf(p, "type %*s hook %31s priority %63[^;];", hook, prio) == 2 ||
			    sscanf(p, "hook %31s priority %63[^;];", hook, prio) == 2) {
				int fm = flowtable ? 5 : family;
				int hk = hook_num(fm, hook);

				prio[strcspn(prio, "\n")] = '\0';
				if (hk < 0)
					continue;
				checked++;
				if (check_prio(fm, hk, prio)) {
					print_message("%s: %s", g.gl_pathv[i], p);
					failed++;
				}
			}
		}
		fclose(f);
	}
	globfree(&g);
	print_message("priority checks: %u, %u mismatches\n", checked, failed);
	assert_true(checked > 100);
	assert_int_equal(failed, 0);
}

/* ------------------------------------------------------------------ */
/* Byte amounts of quota/limit lines: "quota 1025 kbytes" ->
 * 1049600 bytes -> printed back as nft does ("1025 kbytes"). */

static int amount_roundtrip(const char *num, const char *unit, char *out, size_t size)
{
	unsigned long long n = strtoull(num, NULL, 10);
	uint64_t mult, v;
	const char *u;

	if (data_unit_parse(unit, &mult))
		return -1;
	u = data_unit_print(n * mult, &v);
	snprintf(out, size, "%llu %s", (unsigned long long)v, u);
	return 0;
}

static void test_byte_units_vs_corpus(void **state)
{
	const char *files[] = { "any/quota.t", "any/limit.t" };
	char path[512], line[1024], num[32], unit[16], want[64], got[64];
	unsigned int checked = 0, i;

	for (i = 0; i < 2; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/nftables/tests/py/%s", corpora(), files[i]);
		f = fopen(path, "r");
		if (!f) {
			print_message("SKIP: %s absent\n", path);
			skip();
		}
		while (fgets(line, sizeof(line), f)) {
			char *exp = strrchr(line, ';'), *p;

			if (!strstr(line, ";ok"))
				continue;
			exp = exp && strncmp(exp, ";ok", 3) ? exp + 1 : line;
			/* take the first "N unit" of the listed form */
			p = strstr(exp, "quota ");
			if (!p)
				p = strstr(exp, "rate ");
			if (!p)
				continue;
			p = strchr(p, ' ') + 1;
			if (!strncmp(p, "over ", 5))
				p += 5;
			if (sscanf(p, "%31[0-9] %15[a-z]", num, unit) != 2 ||
			    !strstr(unit, "bytes"))
				continue;
			snprintf(want, sizeof(want), "%s %s", num, unit);
			assert_int_equal(amount_roundtrip(num, unit, got, sizeof(got)), 0);
			if (strcmp(got, want))
				fail_msg("%s: %s printed as %s", files[i], want, got);
			checked++;
		}
		fclose(f);
	}
	print_message("byte amounts: %u checked\n", checked);
	assert_true(checked > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_vs_corpus),
		cmocka_unit_test(test_priorities_vs_dumps),
		cmocka_unit_test(test_byte_units_vs_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
