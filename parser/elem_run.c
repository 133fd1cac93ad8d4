// SPDX-License-Identifier: GPL-2.0
/*
 * A run of IPv4 addresses right after a set's '{', each followed by a
 * comma ("{ 10.0.0.1, 10.0.0.2, ..."), scanned as one token (scanner.l,
 * ELEM_RUN): the elements are made here at once, the ones the grammar would
 * make (set_elem_plain: the element and its key symbol located at the
 * address), without a token, a string copy and a handful of parser
 * reductions per element; a key in inet_pton's form is made its value at
 * once (EXPR_F_QUAD). A large blocklist is mostly such a run.
 */
#include <string.h>

#include "parser/datatype.h"
#include "parser/grammar_helpers.h"
#include "parser/value.h"

static void word_set(char *w, size_t size, const char *s, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	memcpy(w, s, n);
	w[n] = '\0';
}

struct expr *scanner_elem_run(struct parser_state *st, const struct location *start,
			      const char *text, int len)
{
	struct expr *set = compound_expr_alloc(start, EXPR_SET);
	int line = start->first_line, col = start->first_column, i = 0, prev = -1, prevn = 0;

	if (!set)
		return NULL;
	while (i < len) {
		struct location loc;
		char word[16];
		uint8_t quad[4];
		struct expr *el, *key;
		int n = 0;

		if (text[i] == '\n') {
			line++;
			col = 1;
			i++;
			continue;
		}
		if (text[i] == ' ' || text[i] == '\t' || text[i] == ',') {
			col++;
			i++;
			continue;
		}
		/* an address: digits and dots, at most 15 (the pattern) */
		while (i + n < len && n < (int)sizeof(word) - 1 &&
		       ((text[i + n] >= '0' && text[i + n] <= '9') || text[i + n] == '.'))
			n++;
		if (!n) { /* not in the pattern: kept in step all the same */
			col++;
			i++;
			continue;
		}
		memcpy(word, text + i, n);
		word[n] = '\0';
		loc.indesc = start->indesc;
		loc.first_line = loc.last_line = line;
		loc.first_column = col;
		loc.last_column = col + n - 1;
		/* an address in inet_pton's form is made a value now (its
		 * symbol's parse and the swap: a third of a 1M-element set's
		 * evaluation); flagged, so that a set of another type still
		 * sees the symbol (evaluate: EXPR_F_QUAD) */
		if (datatype_quad_parse(word, quad)) {
			key = value_expr_alloc(&loc, &ipaddr_type, BYTEORDER_BIG_ENDIAN, 32, quad);
			if (key)
				key->flags |= EXPR_F_QUAD;
		} else {
			key = symbol_expr_alloc(&loc, word, false);
		}
		el = set_elem_wrap(&loc, key);
		if (!el) {
			expr_free(set);
			return NULL;
		}
		compound_expr_add(set, el);
		prev = i;
		prevn = n;
		col += n;
		i += n;
	}
	/* the last two words scanned, as the tokens would have left them */
	if (prev >= 0)
		word_set(st->prev_word, sizeof(st->prev_word), text + prev, (size_t)prevn);
	word_set(st->cur_word, sizeof(st->cur_word), ",", 1);
	return set;
}
