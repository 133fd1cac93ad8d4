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
 *
 * fast_rule_match() recognises the same lines by hand, splitting the words
 * as it goes: the scanner tries it first on each line where the pattern
 * may apply (scanner.l, bnft_yylex); the flex DFA stepped ~10 instructions
 * per byte and the words were split a second time here.
 */
#include <stdlib.h>
#include <string.h>

#include "parser/ast.h"
#include "parser/grammar_helpers.h"
#include "parser/parse_int.h"
#include "parser/proto.h"

/* A word of the line: text[off, off + len). */
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
	w->kind = 0;
	*pos = p;
	return true;
}

/* The words of a line: split by fast_rule_match() (words != NULL) or here. */
struct fr_cursor {
	const char *text;
	int len, pos;
	const struct fr_word *words;
	int nwords, i;
};

static bool fr_take(struct fr_cursor *c, struct fr_word *w)
{
	if (c->words) {
		if (c->i >= c->nwords)
			return false;
		*w = c->words[c->i++];
		return true;
	}
	return fr_next(c->text, c->len, &c->pos, w);
}

/* Whether w is the last word of the line. */
static bool fr_last(const struct fr_cursor *c)
{
	return c->words ? c->i == c->nwords : c->pos == c->len;
}

static inline bool fr_sp(char c)
{
	return c == ' ' || c == '\t';
}

static inline bool fr_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* fr_num at p: 0|[1-9][0-9]{0,8}; the byte after it, or NULL. */
static const char *fr_num_end(const char *p)
{
	const char *s = p;

	if (*p == '0')
		return p + 1;
	while (fr_digit(*p))
		p++;
	return p > s && p - s <= 9 ? p : NULL;
}

static bool fr_qchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || fr_digit(c) || c == '_' ||
	       c == '.' || c == '-';
}

/* fr_val at p: IPV4[/NUM], NUM[-NUM] or "word" (at most 40 bytes
 * between the quotes), then a space; sets w's len, kind and cut. The byte
 * after the value, or NULL. */
static const char *fr_val_scan(const char *text, const char *p, struct fr_word *w)
{
	const char *v = p, *d;
	int i;

	w->off = (int)(p - text);
	if (*p == '"') {
		for (p++; fr_qchar(*p); p++)
			;
		if (*p != '"' || p - v - 1 > 40)
			return NULL;
		p++;
		w->kind = '"';
		w->cut = (int)(p - v);
	} else {
		for (d = p; fr_digit(*p); p++)
			;
		if (*p == '.') {
			/* ([0-9]{1,3}"."){3}[0-9]{1,3} */
			for (i = 0;; i++) {
				if (p - d < 1 || p - d > 3)
					return NULL;
				if (i == 3)
					break;
				if (*p != '.')
					return NULL;
				for (d = ++p; fr_digit(*p); p++)
					;
			}
			w->kind = '.';
			w->cut = (int)(p - v);
			if (*p == '/' && !(p = fr_num_end(p + 1)))
				return NULL;
		} else {
			if (!(p = fr_num_end(v)))
				return NULL;
			w->kind = '0';
			w->cut = (int)(p - v);
			if (*p == '-' && !(p = fr_num_end(p + 1)))
				return NULL;
		}
	}
	if (!fr_sp(*p))
		return NULL;
	w->len = (int)(p - v);
	return p;
}

/* Whether p starts with w[0, n): byte by byte, no read past a
 * mismatch (the text may end, NUL, before n bytes; memcmp may read all n) */
static bool fr_prefix(const char *p, const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != w[i])
			return false;
	return true;
}

static bool fr_word_is(const char *p, const char *w, size_t n)
{
	return fr_prefix(p, w, n) && fr_sp(p[n]);
}

int fast_rule_match(const char *text, struct fr_word *words, int max, int *nwords)
{
	const char *p = text;
	int n = 0;

	while (fr_sp(*p))
		p++;
	for (;;) {
		if (n + 3 > max)
			return 0;
		words[n].off = (int)(p - text);
		if (p[0] == 'i' && p[1] == 'p' && fr_sp(p[2])) {
			words[n++].len = 2;
			for (p += 3; fr_sp(*p); p++)
				;
			if ((*p != 's' && *p != 'd') || !fr_word_is(p + 1, "addr", 4))
				return 0;
		} else if (((p[0] == 't' && p[1] == 'c' && p[2] == 'p') ||
			    (p[0] == 'u' && p[1] == 'd' && p[2] == 'p')) &&
			   fr_sp(p[3])) {
			words[n++].len = 3;
			for (p += 4; fr_sp(*p); p++)
				;
			if ((*p != 's' && *p != 'd') || !fr_word_is(p + 1, "port", 4))
				return 0;
		} else if ((p[0] == 'i' || p[0] == 'o') && fr_word_is(p + 1, "ifname", 6)) {
			/* one word */
		} else if (n && p[0] == 'a' && fr_prefix(p, "accept\n", 7)) {
			words[n].len = 6;
			*nwords = n + 1;
			return (int)(p + 6 - text);
		} else if (n && p[0] == 'd' && fr_prefix(p, "drop\n", 5)) {
			words[n].len = 4;
			*nwords = n + 1;
			return (int)(p + 4 - text);
		} else {
			return 0;
		}
		/* the field (or iifname/oifname): 5 or 7 bytes, then spaces */
		words[n].off = (int)(p - text);
		words[n].len = p[1] == 'i' ? 7 : 5;
		p += words[n++].len;
		while (fr_sp(*p))
			p++;
		/* the value, then spaces */
		if (!(p = fr_val_scan(text, p, &words[n++])))
			return 0;
		while (fr_sp(*p))
			p++;
	}
}

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
	if (w->kind) {
		i = w->cut;
	} else {
		for (i = 0; i < w->len && s[i] != '/' && s[i] != '-'; i++)
			;
	}
	if (w->kind ? w->kind == '.' : memchr(s, '.', (size_t)i) != NULL) {
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
	/* num_sym(fr_num(...)) would print the digits as written (no
	 * leading zero, at most 9 digits) */
	l1 = fr_loc(line, w->off, i);
	memcpy(buf, s, (size_t)i);
	buf[i] = '\0';
	a = symbol_expr_alloc(&l1, buf, false);
	if (i == w->len || !a)
		return a;
	last->off = w->off + i + 1;
	last->len = w->len - i - 1;
	l2 = fr_loc(line, last->off, last->len);
	memcpy(buf, s + i + 1, (size_t)last->len);
	buf[last->len] = '\0';
	b = symbol_expr_alloc(&l2, buf, false);
	if (!b) {
		expr_free(a);
		return NULL;
	}
	*loc = fr_span(&l1, &l2);
	return range_new(loc, a, b);
}

/* One match statement from w (its first word) on; NULL when out of memory. */
static struct stmt *fr_match(struct parser_state *st, struct fr_cursor *c, const struct fr_word *w,
			     const struct location *line, struct location *sloc,
			     struct fr_word *last)
{
	struct location kloc = fr_loc(line, w->off, w->len), floc, lloc, vloc, rloc;
	const char *text = c->text, *k = text + w->off;
	struct expr *lhs, *rhs, *rel;
	char name[8];
	struct fr_word f, v;

	if (w->len <= 3) {
		/* payload_expr: proto_kw field_ident (ip saddr|daddr, tcp/udp
		 * sport|dport): the header and field known, no lookup by name */
		const struct proto_desc *desc;
		bool src;
		int field;

		fr_take(c, &f);
		floc = fr_loc(line, f.off, f.len);
		lloc = fr_span(&kloc, &floc);
		src = text[f.off] == 's';
		if (k[0] == 'i') {
			desc = &proto_ip;
			field = src ? IPHDR_SADDR : IPHDR_DADDR;
		} else {
			desc = k[0] == 't' ? &proto_tcp : &proto_udp;
			field = k[0] == 't' ? (src ? TCPHDR_SPORT : TCPHDR_DPORT)
					    : (src ? UDPHDR_SPORT : UDPHDR_DPORT);
		}
		lhs = payload_field_new(&lloc, desc, field);
	} else {
		/* primary_expr: STRING (iifname, oifname) */
		lloc = kloc;
		memcpy(name, k, 7);
		name[7] = '\0';
		lhs = short_meta_or_symbol_ref(st, &lloc, name);
	}
	if (!lhs)
		return NULL;
	fr_take(c, &v);
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
			   int len, const struct fr_word *words, int nwords)
{
	struct fr_cursor c = { .text = text, .len = len, .words = words, .nwords = nwords };
	struct location line = *yylloc, sloc, first = line;
	struct fr_word w, last = { 0, 0 };
	struct stmt *s, *sn;
	struct expr *v;
	int n = 0;
	LIST_HEAD(stmts);

	while (fr_take(&c, &w)) {
		if (fr_last(&c)) {
			/* the verdict */
			sloc = fr_loc(&line, w.off, w.len);
			v = verdict_expr_alloc(
				&sloc, text[w.off] == 'a' ? VERDICT_ACCEPT : VERDICT_DROP, NULL);
			s = v ? stmt_expr_new(&sloc, STMT_VERDICT, v) : NULL;
			fr_words(st, text, &last, &w);
		} else {
			s = fr_match(st, &c, &w, &line, &sloc, &last);
		}
		if (!s) {
			list_for_each_entry_safe(s, sn, &stmts, list) {
				list_del(&s->list);
				stmt_free(s);
			}
			return NULL;
		}
		if (!n++)
			first = sloc;
		list_add_tail(&s->list, &stmts);
	}
	/* the token's location: the rule's, as the grammar's rule_body */
	*yylloc = fr_span(&first, &sloc);
	return rule_from_stmt_list(st, yylloc, &stmts, NULL);
}
