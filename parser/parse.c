// SPDX-License-Identifier: GPL-2.0
/*
 * Parse driver: runs the reentrant scanner and grammar over a file or a
 * buffer, keeps every input's text for error messages, handles include
 * (globs, include paths, depth) and the scanner's location bookkeeping.
 */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "parser/erec.h"
#include "parser/parse.h"
#include "parser/parse_int.h"
#include "parser/parser.h"

#define YYSTYPE BNFT_YYSTYPE
#define YYLTYPE BNFT_YYLTYPE
#include "parser/scanner.h"

int bnft_yyparse(void *scanner, struct parser_state *state);

void parse_ctx_init(struct parse_ctx *ctx, struct ruleset_src *src, struct list_head *msgs)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->src = src;
	ctx->msgs = msgs;
	ctx->max_errors = 10;
	ctx->top_scope = scope_alloc(NULL);
}

void parse_ctx_release(struct parse_ctx *ctx)
{
	scope_free(ctx->top_scope);
	ctx->top_scope = NULL;
}

void parser_error(struct parser_state *st, const struct location *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	erec_queue(erec_vcreate(EREC_ERROR, loc, fmt, ap), st->msgs);
	va_end(ap);
	st->nerrs++;
	st->ctx->nerrs++;
}

/* ------------------------------------------------------------------ */
/* Scanner side                                                        */

static void scanner_word(struct parser_state *st, const char *text, int len)
{
	if (len > 0 && text[0] != ' ' && text[0] != '\t' && text[0] != '\r' && text[0] != '#' &&
	    text[0] != '\\') {
		size_t n = (size_t)len < sizeof(st->cur_word) - 1 ? (size_t)len
								   : sizeof(st->cur_word) - 1;

		memcpy(st->prev_word, st->cur_word, sizeof(st->prev_word));
		memcpy(st->cur_word, text, n);
		st->cur_word[n] = '\0';
	}
}

void scanner_line_loc(struct parser_state *st, struct location *loc, const char *text, int len)
{
	struct scan_input *in;

	if (st->depth < 0)
		return;
	in = &st->inputs[st->depth];
	scanner_word(st, text, len);
	loc->indesc = in->indesc;
	loc->first_line = loc->last_line = in->line;
	loc->first_column = in->column;
	loc->last_column = in->column + len - 1;
	in->column += len;
}

void scanner_update_loc(struct parser_state *st, struct location *loc, const char *text, int len)
{
	struct scan_input *in;
	int i, ll, lc;

	if (st->depth < 0)
		return;
	in = &st->inputs[st->depth];
	scanner_word(st, text, len);
	loc->indesc = in->indesc;
	loc->first_line = ll = in->line;
	loc->first_column = lc = in->column;
	if (len > 16) {
		/* a long token (a run of set elements: megabytes): all but
		 * its last byte by newlines, the last one below */
		const char *p = text, *end = text + len - 1, *nl;

		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			in->line++;
			in->column = 1;
			p = nl + 1;
		}
		in->column += (int)(end - p);
		text = end;
		len = 1;
	}
	for (i = 0; i < len; i++) {
		ll = in->line;
		lc = in->column;
		if (text[i] == '\n') {
			in->line++;
			in->column = 1;
		} else {
			in->column++;
		}
	}
	loc->last_line = ll;
	loc->last_column = lc;
}

void scanner_eof_loc(struct parser_state *st, struct location *loc)
{
	struct scan_input *in;

	if (st->depth < 0)
		return;
	in = &st->inputs[st->depth];
	loc->indesc = in->indesc;
	loc->first_line = loc->last_line = in->line;
	loc->first_column = loc->last_column = in->column;
}

int scanner_push_input(struct parser_state *st, struct input_desc *indesc,
		       const struct location *from)
{
	YY_BUFFER_STATE b;
	char *text;

	if (st->depth + 1 > MAX_INCLUDE_DEPTH)
		return -1;
	/* the scanner's copy (it writes into it), ending in the two NULs it
	 * wants: yy_scan_bytes copied byte by byte (3 ms for 4.5 MB) */
	text = malloc(indesc->len + 2);
	if (!text)
		return -1;
	memcpy(text, indesc->buf, indesc->len);
	text[indesc->len] = text[indesc->len + 1] = '\0';
	b = bnft_yy_scan_buffer(text, indesc->len + 2, st->scanner);
	if (!b) {
		free(text);
		return -1;
	}
	st->depth++;
	st->inputs[st->depth].text = text;
	st->inputs[st->depth].indesc = indesc;
	st->inputs[st->depth].buffer = b;
	st->inputs[st->depth].line = 1;
	st->inputs[st->depth].column = 1;
	if (from)
		st->inputs[st->depth].include_loc = *from;
	return 0;
}

int scanner_pop_input(struct parser_state *st, void *yyscanner)
{
	if (st->depth < 0)
		return 0;
	bnft_yy_delete_buffer(st->inputs[st->depth].buffer, yyscanner);
	st->inputs[st->depth].buffer = NULL;
	free(st->inputs[st->depth].text);
	st->inputs[st->depth].text = NULL;
	st->depth--;
	if (st->depth < 0)
		return 0;
	bnft_yy_switch_to_buffer(st->inputs[st->depth].buffer, yyscanner);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Inputs                                                              */

static struct input_desc *indesc_new(struct parse_ctx *ctx, const char *name, char *buf, size_t len)
{
	struct input_desc *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->name = strdup(name);
	if (!d->name) {
		free(d);
		return NULL;
	}
	d->buf = buf;
	d->len = len;
	list_add_tail(&d->list, &ctx->src->inputs);
	return d;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 4096, n = 0, r;
	char *b, *nb;

	if (!f)
		return -errno;
	b = malloc(cap);
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			nb = realloc(b, cap * 2);
			if (!nb) {
				free(b);
				fclose(f);
				return -ENOMEM;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		int err = -errno;

		free(b);
		fclose(f);
		return err ? err : -EIO;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

static int include_one(struct parser_state *st, const char *path, const struct location *loc)
{
	struct input_desc *d;
	size_t len = 0;
	char *buf = NULL;
	int err;

	if (st->depth + 1 >= MAX_INCLUDE_DEPTH) {
		parser_error(st, loc, "Include nested too deeply, max %u levels", MAX_INCLUDE_DEPTH);
		return -1;
	}
	err = read_file(path, &buf, &len);
	if (err < 0) {
		parser_error(st, loc, "Could not open file \"%s\": %s\n", path, strerror(-err));
		return -1;
	}
	d = indesc_new(st->ctx, path, buf, len);
	if (!d) {
		free(buf);
		return -1;
	}
	{
		struct location *l = malloc(sizeof(*l));

		if (l)
			*l = *loc;
		d->included_from = l; /* owned by d, freed with it */
	}
	if (scanner_push_input(st, d, loc) < 0) {
		parser_error(st, loc, "Include nested too deeply, max %u levels", MAX_INCLUDE_DEPTH);
		return -1;
	}
	return 0;
}

static bool has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* 0: included; 1: no such file (no wildcard); 2: wildcard, maybe nothing; -1 error */
static int include_glob(struct parser_state *st, const char *pattern, const struct location *loc)
{
	struct stat sb;
	glob_t g;
	int ret, i, n = 0;

	if (!has_wildcard(pattern)) {
		if (stat(pattern, &sb) < 0)
			return 1;
		if (S_ISDIR(sb.st_mode))
			return 0; /* nft includes nothing for a directory */
		return include_one(st, pattern, loc) < 0 ? -1 : 0;
	}
	memset(&g, 0, sizeof(g));
	ret = glob(pattern, GLOB_MARK, NULL, &g);
	if (ret == GLOB_NOMATCH) {
		globfree(&g);
		return 2;
	}
	if (ret != 0) {
		parser_error(st, loc, "Failed to glob the pattern %s", pattern);
		globfree(&g);
		return -1;
	}
	/* push in reverse so the scanner reads them in sorted order */
	for (i = (int)g.gl_pathc - 1; i >= 0; i--) {
		const char *p = g.gl_pathv[i];
		size_t l = strlen(p);

		if (l && p[l - 1] == '/')
			continue; /* directories are skipped */
		if (include_one(st, p, loc) < 0) {
			globfree(&g);
			return -1;
		}
		n++;
	}
	globfree(&g);
	return 2;
}

int scanner_include(struct parser_state *st, const char *name, const struct location *loc)
{
	struct parse_ctx *ctx = st->ctx;
	char buf[4096];
	int ret = 1;
	unsigned int i;

	if (name[0] == '/' || !strncmp(name, "./", 2) || !strncmp(name, "../", 3)) {
		ret = include_glob(st, name, loc);
	} else {
		for (i = 0; i <= ctx->num_include_paths; i++) {
			const char *dir = i == 0 ? BNFT_DEFAULT_INCLUDE_PATH
						 : ctx->include_paths[i - 1];

			if (snprintf(buf, sizeof(buf), "%s/%s", dir, name) >= (int)sizeof(buf)) {
				parser_error(st, loc, "Include path too long: %s/%s", dir, name);
				return -1;
			}
			ret = include_glob(st, buf, loc);
			if (ret == -1 || ret == 0)
				break;
		}
	}
	if (ret == 1) {
		parser_error(st, loc, "File not found: %s", name);
		return -1;
	}
	return ret < 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

static int parse_indesc(struct parse_ctx *ctx, struct input_desc *d)
{
	struct parser_state st;
	struct timeout_state *ts, *tn;
	int ret;

	memset(&st, 0, sizeof(st));
	st.ctx = ctx;
	st.msgs = ctx->msgs;
	st.cmds = &ctx->src->cmds;
	st.depth = -1;
	st.fast_off = getenv("BNFT_NO_FAST_RULES") != NULL;
	init_list_head(&st.timeouts);
	if (!ctx->top_scope) {
		ctx->top_scope = scope_alloc(NULL);
		if (!ctx->top_scope)
			return -1;
	}
	st.scopes[0] = ctx->top_scope;
	if (bnft_yylex_init_extra(&st, &st.scanner))
		return -1;
	if (scanner_push_input(&st, d, NULL) < 0) {
		bnft_yylex_destroy(st.scanner);
		return -1;
	}
	ret = bnft_yyparse(st.scanner, &st);
	while (st.depth >= 0)
		scanner_pop_input(&st, st.scanner);
	while (st.scope > 0) {
		scope_free(st.scopes[st.scope]);
		st.scopes[st.scope--] = NULL;
	}
	list_for_each_entry_safe(ts, tn, &st.timeouts, head) {
		list_del(&ts->head);
		free(ts->state_str);
		free(ts);
	}
	bnft_yylex_destroy(st.scanner);
	/* ret 2 (memory exhausted) was reported by the parser through yyerror */
	return (ret != 0 || st.nerrs) ? -1 : 0;
}

int bnft_parse_buffer(struct parse_ctx *ctx, const char *buf, const char *name)
{
	struct input_desc *d;
	size_t len = strlen(buf);
	char *copy = malloc(len + 2);

	if (!copy)
		return -1;
	/* like nft, command line input ends with a newline */
	memcpy(copy, buf, len);
	copy[len++] = '\n';
	copy[len] = '\0';
	d = indesc_new(ctx, name ? name : "<cmdline>", copy, len);
	if (!d) {
		free(copy);
		return -1;
	}
	return parse_indesc(ctx, d);
}

int bnft_parse_file(struct parse_ctx *ctx, const char *filename)
{
	struct input_desc *d;
	size_t len = 0;
	char *buf = NULL;
	int err;

	err = read_file(filename, &buf, &len);
	if (err < 0) {
		erec_error(ctx->msgs, &internal_location, "Could not open file \"%s\": %s\n",
			   filename, strerror(-err));
		return -1;
	}
	d = indesc_new(ctx, filename, buf, len);
	if (!d) {
		free(buf);
		return -1;
	}
	return parse_indesc(ctx, d);
}
