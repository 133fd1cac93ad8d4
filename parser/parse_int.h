/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the scanner (scanner.l), the grammar (parser.y) and
 * the driver (parse.c, scope.c). Not an interface for other stages.
 */
#ifndef BNFT_PARSER_PARSE_INT_H
#define BNFT_PARSER_PARSE_INT_H

#include <stdarg.h>

#include "parser/ast.h"
#include "parser/parse.h"

#define MAX_INCLUDE_DEPTH 16
#define SCOPE_NEST_MAX 3

/* One input on the scanner's stack: its text, where the scanner is. */
struct scan_input {
	struct input_desc *indesc;
	void *buffer;	   /* YY_BUFFER_STATE scanning text */
	char *text;	   /* the scanner's copy of indesc->buf */
	int line, column;  /* of the next character */
	struct location include_loc;
};

struct parser_state {
	struct parse_ctx *ctx;
	struct list_head *msgs;
	struct list_head *cmds;
	void *scanner;
	struct scan_input inputs[MAX_INCLUDE_DEPTH + 1];
	int depth; /* index of the current input, -1 when none */
	struct scope *scopes[SCOPE_NEST_MAX + 2];
	int scope;
	bool scope_err;
	unsigned int nerrs;
	/* ct timeout policy entries being collected (struct timeout_state) */
	struct list_head timeouts;
	/* the last two words scanned, for error messages */
	char prev_word[32], cur_word[32];
	/* Rule lines taken whole (fast_rule.c): brace_depth counts the
	 * scanner's open braces; fast_depth is the depth of the body of the
	 * table's chain being parsed (0: none), where a line that starts
	 * after a newline may be scanned as one FAST_RULE token. */
	int brace_depth, fast_depth;
	bool fast_off; /* BNFT_NO_FAST_RULES: never */
};

/* A word of a rule line: text[off, off + len). A value word split by
 * fast_rule_match() also has its kind ('"' quoted, '.' address, '0'
 * number; 0: not known) and where its '/' or '-' is (cut; len if none). */
struct fr_word {
	int off, len;
	int cut;
	char kind;
};

/* The rule of a line the scanner matched whole (text, len: the line
 * without its newline; *yylloc: its location, set to the rule's). words:
 * its nwords words as fast_rule_match() split them, or NULL (split here).
 * NULL when out of memory. */
struct rule *fast_rule_new(struct parser_state *st, struct location *yylloc, const char *text,
			   int len, const struct fr_word *words, int nwords);

/* Whether text (NUL-terminated) starts with a line the scanner's
 * fast_rule pattern matches, followed by a newline: the line's length
 * (without the newline), its words in words[0..*nwords); 0 when not, or
 * when it has more than max words. */
int fast_rule_match(const char *text, struct fr_word *words, int max, int *nwords);

/* After a newline: whether the next line may be taken whole. */
static inline bool scanner_fast_ok(const struct parser_state *st)
{
	return st->fast_depth && st->brace_depth == st->fast_depth;
}

/* A closing brace: the chain body the fast lines were in may end. */
static inline void scanner_close_brace(struct parser_state *st)
{
	st->brace_depth--;
	if (st->brace_depth < st->fast_depth)
		st->fast_depth = 0;
}

/* For a syntax error right after a header keyword ("udp", "comp" ...):
 * that header's field names in nft's keyword order. Returns how many were
 * stored in out (0 when the previous word is not a header). */
int grammar_field_alternatives(struct parser_state *st, const char **out, int max);

/* Scanner side (scanner.l user code via parse.c). */
void scanner_update_loc(struct parser_state *st, struct location *loc, const char *text,
			int len);
/* The same for a token of len > 0 bytes without a newline (a rule line). */
void scanner_line_loc(struct parser_state *st, struct location *loc, const char *text, int len);
/* Pop a finished input; 0 when no input remains (end of file). */
int scanner_pop_input(struct parser_state *st, void *yyscanner);
/* Location of the end-of-input token: where the scanner stopped. */
void scanner_eof_loc(struct parser_state *st, struct location *loc);
/* Push a NUL-terminated text (owned by indesc) to be scanned next. */
int scanner_push_input(struct parser_state *st, struct input_desc *indesc,
		       const struct location *from);
/* Include "name" from the grammar: globbing, include paths, depth. */
int scanner_include(struct parser_state *st, const char *name, const struct location *loc);

/* Errors: append a located error record; counts towards max_errors. */
__attribute__((format(printf, 3, 4))) void parser_error(struct parser_state *st,
							const struct location *loc,
							const char *fmt, ...);

/* Scopes (scope.c). */
struct scope *scope_alloc(const struct scope *parent);
void scope_release(struct scope *s);
void scope_free(struct scope *s);
struct symbol *symbol_lookup(const struct scope *s, const char *name);
struct symbol *symbol_lookup_local(const struct scope *s, const char *name);
int symbol_add(struct scope *s, const char *name, struct expr *e);
int symbol_del(struct scope *s, const char *name);
const char *symbol_closest(const struct scope *s, const char *name); /* grammar_actions.c */

/* Key tables as the grammar combines them (grammar_keys.c). */
int grammar_rt_key(const char *name, const char *proto); /* NFT_RT_* or -1 */
int grammar_socket_key(const char *name);		   /* NFT_SOCKET_* or -1 */
int grammar_fib_flag(const char *name);			   /* NFTA_FIB_F_* bit or -1 */
int grammar_fib_result(const char *name);		   /* NFT_FIB_RESULT_* or -1 */
int grammar_xfrm_key(const char *name, const char *proto); /* NFT_XFRM_KEY_* or -1 */
int grammar_log_level(const char *name);		   /* 0..8 or -1 */

#endif
