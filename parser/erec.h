/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Located error records, printed the way nft prints them:
 *
 *   file.nft:12:15-22: Error: Could not resolve service: ...
 *   add rule ip t c tcp dport foo
 *                             ^^^
 *
 * Records are collected in a list and printed once (erec_print_list).
 */
#ifndef BNFT_PARSER_EREC_H
#define BNFT_PARSER_EREC_H

#include <stdarg.h>

#include "parser/ast.h"
#include "parser/datatype.h"

enum erec_type { EREC_INFORMATIONAL, EREC_WARNING, EREC_ERROR };

#define EREC_LOCATIONS_MAX 3

struct error_record {
	struct list_head list;
	enum erec_type type;
	unsigned int num_locations;
	struct location locations[EREC_LOCATIONS_MAX];
	char *msg;
};

struct error_record *erec_vcreate(enum erec_type type, const struct location *loc,
				  const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) struct error_record *
erec_create(enum erec_type type, const struct location *loc, const char *fmt, ...);
void erec_add_location(struct error_record *erec, const struct location *loc);
void erec_destroy(struct error_record *erec);

/* Append an error to msgs; returns -1 so callers can `return error(...)`. */
__attribute__((format(printf, 3, 4))) int erec_error(struct list_head *msgs,
						     const struct location *loc,
						     const char *fmt, ...);
void erec_queue(struct error_record *erec, struct list_head *msgs);

/* Render one record / all records with source line and carets. */
void erec_print(struct outbuf *o, const struct error_record *erec);
void erec_print_list(struct outbuf *o, struct list_head *msgs);
void erec_free_list(struct list_head *msgs);

#endif
