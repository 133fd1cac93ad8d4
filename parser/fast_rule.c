// SPDX-License-Identifier: GPL-2.0
/*
 * Rule lines taken whole (parse_int.h): a line of a chain body such as
 *
 *	ip saddr 10.0.0.5 tcp dport 53991 accept
 *
 * which the scanner matched as one FAST_RULE token (scanner.l, fast_rule)
 * becomes the rule the grammar would have built from its tokens: the same
 * constructors, called with the same arguments and locations (a reduction's
 * location spans its first and last symbol; unit reductions keep their
 * child's). The scanner's pattern admits only
 *
 *	( ip {saddr|daddr} | {tcp|udp} {sport|dport} | {iif|oif}name )
 *	    ( IPV4[/NUM] | NUM[-NUM] | "word" )   ... one or more, then
 *	accept | drop
 *
 * with NUM of at most 9 digits and no leading zero, so every piece parses
 * as written here and no error can arise: any other line goes through the
 * tokens as before (errors and their locations included). Through the
 * grammar such a line took about 58 reductions; this is about a third of
 * parsing 100k such rules.
 */
#include <stdlib.h>
#include <string.h>

#include "parser/ast.h"
#include "parser/grammar_helpers.h"
#include "parser/parse_int.h"

struct fr_word {
	int off, len;
};

/* Location of text[off, off + len) on the line that starts at line. */
static struct location fr_loc(const struct location *line, int off, int len)
{
	struct location l = *line;

	l.first_line = l.last_line = line->first_line;
	l.first_column = line->first_column + off;
	l.last_column = line->first_column + off + len - 1;
	return l;
}

/* A reduction's location (YYLLOC_DEFAULT): input and end of the last
 * symbol, start of the first. */
static struct location fr_span(const struct location *first, const struct location *last)
{
	struct location l = *last;

	l.first_line = first->first_line;
	l.first_column = first->first_column;
	return l;
}

static bool fr_next(const char *text, int len, int *pos, struct fr_word *w)
{
	int p = *pos;

	while (p < len && (text[p] == ' ' || text[p] == '\t'))
		p++;
	if (p >= len)
		return false;
	w->off = p;
	while (p < len && text[p] != ' ' && text[p] != '\t')
		p++;
	w->len = p - w->off;
	*pos = p;
	return true;
}

static bool fr_is(const char *text, const struct fr_word *w, const char *s)
{
	return (size_t)w->len == strlen(s) && !memcmp(text + w->off, s, (size_t)w->len);
}

/* The scanner's last two words after the line (for error messages). */
static void fr_words(struct parser_state *st, const char *text, const struct fr_word *prev,
		     const struct fr_word *cur)
{
	size_t n = (size_t)prev->len < sizeof(st->prev_word) - 1 ? (size_t)prev->len
								 : sizeof(st->prev_word) - 1;

	memcpy(st->prev_word, text + prev->off, n);
	st->prev_word[n] = '\0';
	n = (size_t)cur->len < sizeof(st->cur_word) - 1 ? (size_t)cur->len
							: sizeof(st->cur_word) - 1;
	memcpy(st->cur_word, text + cur->off, n);
	st->cur_word[n] = '\0';
}

static uint64_t fr_num(const char *s, int len)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < len; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	return v;
}

/* The right-hand side: its expression, location in *loc, last token in
 * *last (a word of the line or the part after '/' or '-'). */
static struct expr *fr_value(const char *text, const struct fr_word *w, const struct location *line,
			     struct location *loc, struct fr_word *last)
{
	const char *s = text + w->off;
	char buf[BNFT_SYM_INLINE];
	struct location l1, l2;
	struct expr *a, *b;
	int i;

	*last = *w;
	*loc = fr_loc(line, w->off, w->len);
	if (s[0] == '"') {
		/* QUOTED_STRING: the text between the quotes, quoted */
		memcpy(buf, s + 1, (size_t)w->len - 2);
		buf[w->len - 2] = '\0';
		return symbol_expr_alloc(loc, buf, true);
	}
	for (i = 0; i < w->len && s[i] != '/' && s[i] != '-'; i++)
		;
	if (memchr(s, '.', (size_t)i)) {
		/* an address STRING, maybe "/" NUM */
		memcpy(buf, s, (size_t)i);
		buf[i] = '\0';
		l1 = fr_loc(line, w->off, i);
		a = symbol_expr_alloc(&l1, buf, false);
		if (i == w->len || !a)
			return a;
		last->off = w->off + i + 1;
		last->len = w->len - i - 1;
		l2 = fr_loc(line, last->off, last->len);
		*loc = fr_span(&l1, &l2);
		return prefix_new(loc, a, fr_num(s + i + 1, w->len - i - 1));
	}
	/* NUM, maybe "-" NUM */
	l1 = fr_loc(line, w->off, i);
	a = num_sym(&l1, fr_num(s, i), false);
	if (i == w->len || !a)
		return a;
	last->off = w->off + i + 1;
	last->len = w->len - i - 1;
	l2 = fr_loc(line, last->off, last->len);
	b = num_sym(&l2, fr_num(s + i + 1, w->len - i - 1), false);
	if (!b) {
		expr_free(a);
		return NULL;
	}
	*loc = fr_span(&l1, &l2);
	return range_new(loc, a, b);
}

/* One match statement from w (its first word) on; NULL when out of memory. */
static struct stmt *fr_match(struct parser_state *st, const char *text, int len, int *pos,
			     const struct fr_word *w, const struct location *line,
			     struct location *sloc, struct fr_word *last)
{
	struct location kloc = fr_loc(line, w->off, w->len), floc, lloc, vloc, rloc;
	struct expr *lhs, *rhs, *rel;
	struct fr_word f, v;
	char *name;

	if (fr_is(text, w, "ip") || fr_is(text, w, "tcp") || fr_is(text, w, "udp")) {
		/* payload_expr: proto_kw field_ident */
		static const char *const kws[] = { "ip", "tcp", "udp" };
		const char *kw = kws[fr_is(text, w, "ip") ? 0 : fr_is(text, w, "tcp") ? 1 : 2];

		fr_next(text, len, pos, &f);
		floc = fr_loc(line, f.off, f.len);
		lloc = fr_span(&kloc, &floc);
		name = strndup(text + f.off, (size_t)f.len);
		if (!name)
			return NULL;
		lhs = payload_new(st, &lloc, kw, NULL, name, &floc);
	} else {
		/* primary_expr: STRING (iifname, oifname) */
		lloc = kloc;
		name = strndup(text + w->off, (size_t)w->len);
		if (!name)
			return NULL;
		lhs = short_meta_or_symbol(st, &lloc, name);
	}
	if (!lhs)
		return NULL;
	fr_next(text, len, pos, &v);
	rhs = fr_value(text, &v, line, &vloc, last);
	if (!rhs) {
		expr_free(lhs);
		return NULL;
	}
	rloc = fr_span(&lloc, &vloc);
	rel = relational_expr_alloc(&rloc, OP_IMPLICIT, lhs, rhs);
	if (!rel)
		return NULL;
	*sloc = rloc;
	return match_stmt_new(st, &rloc, rel);
}

struct rule *fast_rule_new(struct parser_state *st, struct location *yylloc, const char *text,
			   int len)
{
	struct location line = *yylloc, sloc, first = line;
	struct fr_word w, last = { 0, 0 };
	struct list_head *stmts = stmt_list_new();
	struct stmt *s;
	struct expr *v;
	int pos = 0, n = 0;

	if (!stmts)
		return NULL;
	while (fr_next(text, len, &pos, &w)) {
		if (pos == len) {
			/* the verdict */
			sloc = fr_loc(&line, w.off, w.len);
			v = verdict_expr_alloc(&sloc,
					       fr_is(text, &w, "accept") ? VERDICT_ACCEPT : VERDICT_DROP,
					       NULL);
			s = v ? stmt_expr_new(&sloc, STMT_VERDICT, v) : NULL;
			fr_words(st, text, &last, &w);
		} else {
			s = fr_match(st, text, len, &pos, &w, &line, &sloc, &last);
		}
		if (!s) {
			stmt_list_free_all(stmts);
			return NULL;
		}
		if (!n++)
			first = sloc;
		list_add_tail(&s->list, stmts);
	}
	/* the token's location: the rule's, as the grammar's rule_body */
	*yylloc = fr_span(&first, &sloc);
	return rule_from_stmts(st, yylloc, stmts, NULL);
}
