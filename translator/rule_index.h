/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expression index of the rules being compiled: each rule's expressions
 * walked once (libnftnl keeps them in a malloc'd list, slow to walk again
 * and again) into an array of expression pointers with their kinds, plus
 * per-rule flags that tell the passes of the code generator and the
 * optimizer which rules they need to look at.
 */
#ifndef BNFT_TRANSLATOR_RULE_INDEX_H
#define BNFT_TRANSLATOR_RULE_INDEX_H

#include <stdbool.h>
#include <stdint.h>

struct nftnl_expr;
struct nftnl_rule;

/* Expression kinds the translator handles by name; OTHER for the rest. */
enum bnft_xk {
	BNFT_XK_OTHER,
	BNFT_XK_PAYLOAD,
	BNFT_XK_META,
	BNFT_XK_CMP,
	BNFT_XK_RANGE,
	BNFT_XK_BITWISE,
	BNFT_XK_BYTEORDER,
	BNFT_XK_IMMEDIATE,
	BNFT_XK_COUNTER,
	BNFT_XK_LOOKUP,
	BNFT_XK_CT,
	BNFT_XK_NOTRACK,
	BNFT_XK_REJECT,
	BNFT_XK_LIMIT,
	BNFT_XK_CONNLIMIT,
	BNFT_XK_LOG,
	BNFT_XK_QUOTA,
	BNFT_XK_OBJREF,
	BNFT_XK_DYNSET,
};

/* Rule flags (struct bnft_rule_ix.flags). */
#define BNFT_RF_JUMP 0x01	/* an immediate naming a chain (jump/goto) */
#define BNFT_RF_VMAP 0x02	/* a lookup into the verdict register */
#define BNFT_RF_CT 0x04		/* a ct expression */
#define BNFT_RF_TRACK 0x08	/* ct, notrack or connlimit: needs conntrack */
#define BNFT_RF_NFTRACE 0x10	/* meta nftrace set */
#define BNFT_RF_DYNSET 0x20	/* a dynset expression */
#define BNFT_RF_LIMIT 0x40	/* a limit expression */
#define BNFT_RF_QUOTA 0x80	/* a quota expression */

struct bnft_rule_ix {
	const struct nftnl_rule *r;
	struct nftnl_expr **ex;	/* the expressions in rule order */
	uint8_t *kind;		/* enum bnft_xk of each */
	uint32_t nex;
	uint32_t flags;		/* BNFT_RF_* */
};

/* Fields of an expression as its maker set them, for readers that would
 * otherwise ask libnftnl (known false: ask): a payload load (reg = dreg,
 * a, b, c = base, offset, len; no sreg), a meta load (reg = dreg, a = key;
 * no sreg), a cmp (reg = sreg, a = op, data[0, len)) or a verdict
 * immediate without a chain (reg = dreg, a = verdict). */
struct bnft_xfact {
	bool known;
	uint8_t len;
	uint32_t reg;
	uint32_t a, b, c;
	uint8_t data[16];
};

/* The kind of an expression named `name` (NULL: OTHER). */
enum bnft_xk bnft_xk_of(const char *name);

/* Storage of the expression pointers and kinds of many rules: chunks that
 * never move, so indexes point into them as soon as they are built. */
struct bnft_ix_chunk;
struct bnft_ix_store {
	struct bnft_ix_chunk *chunks;	/* newest first */
	/* kinds of the last names seen (a name is one pointer per kind) */
	const char *name[16];
	uint8_t name_kind[16];
};

/* Walks rule r once into *ix. Returns 0 or -ENOMEM. */
int bnft_rule_ix_add(struct bnft_ix_store *st, const struct nftnl_rule *r,
		     struct bnft_rule_ix *ix);
/* The same for n rules at once (faster): rule r[i] into *out[i]. */
int bnft_rule_ix_add_many(struct bnft_ix_store *st, const struct nftnl_rule *const *r, size_t n,
			  struct bnft_rule_ix *const *out);
/* Appends the n expressions e[] (in rule order) to *ix, which is empty or
 * the last index appended to; kinds[]: their kinds when the caller knows
 * them (NULL: asked). Returns 0 or -ENOMEM. */
int bnft_rule_ix_append(struct bnft_ix_store *st, struct bnft_rule_ix *ix,
			struct nftnl_expr *const *e, const uint8_t *kinds, uint32_t n);
/* Frees the storage; the indexes into it are void. */
void bnft_ix_store_release(struct bnft_ix_store *st);

/* Asks the CPU to fetch the rule's expressions (a walk over many rules
 * fetches a few rules ahead: they are scattered over the heap). */
static inline void bnft_rule_ix_prefetch(const struct bnft_rule_ix *ix)
{
	uint32_t j;

	for (j = 0; j < ix->nex; j++) {
		__builtin_prefetch(ix->ex[j]);
		__builtin_prefetch((const char *)ix->ex[j] + 64);
	}
}

/* How many expressions of kind `kind` come before position `pos`. */
uint32_t bnft_rule_ix_count(const struct bnft_rule_ix *ix, uint32_t pos, enum bnft_xk kind);

#endif
