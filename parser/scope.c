// SPDX-License-Identifier: GPL-2.0
/* Scopes of define/redefine/undefine: one per input top level and one per
 * table/chain/set block, looked up innermost first like nft. */
#include <stdlib.h>
#include <string.h>

#include "parser/parse_int.h"

struct scope *scope_alloc(const struct scope *parent)
{
	struct scope *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->parent = parent;
	init_list_head(&s->symbols);
	return s;
}

void scope_release(struct scope *s)
{
	struct symbol *sym, *n;

	if (!s || !s->symbols.next)
		return;
	list_for_each_entry_safe(sym, n, &s->symbols, list) {
		list_del(&sym->list);
		free(sym->identifier);
		expr_free(sym->expr);
		free(sym);
	}
}

void scope_free(struct scope *s)
{
	if (!s)
		return;
	scope_release(s);
	free(s);
}

struct symbol *symbol_lookup_local(const struct scope *s, const char *name)
{
	struct symbol *sym;

	if (!s)
		return NULL;
	list_for_each_entry(sym, &s->symbols, list)
		if (!strcmp(sym->identifier, name))
			return sym;
	return NULL;
}

struct symbol *symbol_lookup(const struct scope *s, const char *name)
{
	struct symbol *sym;

	for (; s; s = s->parent) {
		sym = symbol_lookup_local(s, name);
		if (sym)
			return sym;
	}
	return NULL;
}

int symbol_add(struct scope *s, const char *name, struct expr *e)
{
	struct symbol *sym = calloc(1, sizeof(*sym));

	if (!sym)
		return -1;
	sym->identifier = strdup(name);
	if (!sym->identifier) {
		free(sym);
		return -1;
	}
	sym->expr = e;
	list_add_tail(&sym->list, &s->symbols);
	return 0;
}

int symbol_del(struct scope *s, const char *name)
{
	struct symbol *sym = symbol_lookup_local(s, name);

	if (!sym)
		return -1;
	list_del(&sym->list);
	free(sym->identifier);
	expr_free(sym->expr);
	free(sym);
	return 0;
}
