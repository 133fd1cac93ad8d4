// SPDX-License-Identifier: GPL-2.0
/*
 * Error records printed like nft:
 *
 *   file:LINE:FIRST-LAST: Error: message
 *   <the source line>
 *   <tabs kept, other characters as spaces>^^^^
 *
 * Input from the command line has no "file:line:col: " prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser/erec.h"

struct error_record *erec_vcreate(enum erec_type type, const struct location *loc,
				  const char *fmt, va_list ap)
{
	struct error_record *erec = calloc(1, sizeof(*erec));

	if (!erec)
		return NULL;
	init_list_head(&erec->list);
	erec->type = type;
	if (loc) {
		erec->locations[0] = *loc;
		erec->num_locations = 1;
	}
	if (vasprintf(&erec->msg, fmt, ap) < 0)
		erec->msg = NULL;
	return erec;
}

struct error_record *erec_create(enum erec_type type, const struct location *loc,
				 const char *fmt, ...)
{
	struct error_record *erec;
	va_list ap;

	va_start(ap, fmt);
	erec = erec_vcreate(type, loc, fmt, ap);
	va_end(ap);
	return erec;
}

void erec_add_location(struct error_record *erec, const struct location *loc)
{
	if (!erec || erec->num_locations >= EREC_LOCATIONS_MAX)
		return;
	erec->locations[erec->num_locations++] = *loc;
}

void erec_destroy(struct error_record *erec)
{
	if (!erec)
		return;
	free(erec->msg);
	free(erec);
}

void erec_queue(struct error_record *erec, struct list_head *msgs)
{
	if (erec)
		list_add_tail(&erec->list, msgs);
}

int erec_error(struct list_head *msgs, const struct location *loc, const char *fmt, ...)
{
	struct error_record *erec;
	va_list ap;

	va_start(ap, fmt);
	erec = erec_vcreate(EREC_ERROR, loc, fmt, ap);
	va_end(ap);
	erec_queue(erec, msgs);
	return -1;
}

static const char *erec_type_name(enum erec_type t)
{
	switch (t) {
	case EREC_INFORMATIONAL:
		return "";
	case EREC_WARNING:
		return "Warning: ";
	default:
		return "Error: ";
	}
}

/* Start of line `line` (1-based) in buf, or NULL. */
static const char *line_start(const char *buf, size_t len, int line)
{
	const char *p = buf, *end = buf + len;
	int n = 1;

	if (!buf || line < 1)
		return NULL;
	while (n < line && p < end) {
		const char *nl = memchr(p, '\n', end - p);

		if (!nl)
			return NULL;
		p = nl + 1;
		n++;
	}
	return n == line ? p : NULL;
}

static bool indesc_is_file(const struct input_desc *d)
{
	return d && d->name && d->name[0] != '<';
}

void erec_print(struct outbuf *o, const struct error_record *erec)
{
	const struct location *loc = &erec->locations[0];
	const struct input_desc *d = erec->num_locations ? loc->indesc : NULL;
	const char *ls = NULL, *le;
	int i, col;

	if (d && d->included_from) {
		const struct location *il = d->included_from;
		bool first = true;

		while (il && il->indesc) {
			outbuf_printf(o, "%s%s:%d:%d-%d:\n",
				      first ? "In file included from " : "                 from ",
				      il->indesc->name, il->first_line, il->first_column,
				      il->last_column);
			first = false;
			il = il->indesc->included_from;
		}
	}
	if (d && d == internal_location.indesc) {
		/* nft: "internal:0:0-0: Error: msg" and an empty line */
		outbuf_printf(o, "internal:0:0-0: %s%s\n\n", erec_type_name(erec->type),
			      erec->msg ? erec->msg : "");
		return;
	}
	if (d && indesc_is_file(d) && loc->first_line > 0)
		outbuf_printf(o, "%s:%d:%d-%d: ", d->name, loc->first_line, loc->first_column,
			      loc->last_column);
	outbuf_printf(o, "%s%s\n", erec_type_name(erec->type), erec->msg ? erec->msg : "");
	if (!d || !d->buf || loc->first_line <= 0)
		return;
	/* like nft, buffer input (command line) always shows its first line */
	ls = line_start(d->buf, d->len, indesc_is_file(d) ? loc->first_line : 1);
	if (!ls)
		return;
	/* at the end of a file that ends with a newline nft shows the last line */
	if (ls == d->buf + d->len && ls > d->buf) {
		const char *p = ls - 1;

		while (p > d->buf && p[-1] != '\n')
			p--;
		ls = p;
	}
	le = memchr(ls, '\n', d->buf + d->len - ls);
	if (!le)
		le = d->buf + d->len;
	outbuf_printf(o, "%.*s\n", (int)(le - ls), ls);
	/* caret line: whitespace of the source kept so tabs line up; other
	 * locations on the same line are underlined with '~' like nft */
	{
		size_t width = (size_t)(le - ls) + 2;
		unsigned int j;
		int last;
		char *m;

		last = loc->last_line == loc->first_line ? loc->last_column : (int)(le - ls) + 1;
		if (last < loc->first_column)
			last = loc->first_column;
		if ((size_t)last + 1 > width)
			width = (size_t)last + 1;
		m = calloc(1, width + 1);
		if (!m)
			return;
		for (i = 0; i < (int)width; i++)
			m[i] = (ls + i < le && ls[i] == '\t') ? '\t' : ' ';
		for (j = 1; j < erec->num_locations; j++) {
			const struct location *l2 = &erec->locations[j];

			if (l2->indesc != loc->indesc || l2->first_line != loc->first_line)
				continue;
			for (i = l2->first_column; i <= l2->last_column && i <= (int)width; i++)
				if (i >= 1)
					m[i - 1] = '~';
		}
		col = loc->first_column;
		for (i = col; i <= last; i++)
			m[i - 1] = '^';
		m[last] = '\0';
		outbuf_printf(o, "%s\n", m);
		free(m);
	}
}

void erec_print_list(struct outbuf *o, struct list_head *msgs)
{
	struct error_record *erec;

	list_for_each_entry(erec, msgs, list)
		erec_print(o, erec);
}

void erec_free_list(struct list_head *msgs)
{
	struct error_record *erec, *n;

	list_for_each_entry_safe(erec, n, msgs, list) {
		list_del(&erec->list);
		erec_destroy(erec);
	}
}
