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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_vs_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
